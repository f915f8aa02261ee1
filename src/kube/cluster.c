/*
 * cluster.c - the life cycle of each GKE cluster's Kubernetes side: kube_init/kube_free,
 * and kube_cluster_start/update/delete/find from the Container API's cluster JSON: the
 * service-account signing key (the workload-identity issuer's key) and the cluster's own
 * CA (tls.c), both kept in data_dir/keys, the bootstrap namespaces and default RBAC on
 * first start, the STS issuer registration, and the HTTPS listener. Restarting an existing
 * cluster keeps its objects and, when it can, its port.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cloud/cloud.h"
#include "core/dbuf.h"
#include "core/jwt.h"
#include "core/store.h"
#include "kube/crdserve.h"
#include "kube/groupsrbac.h"
#include "kube/kube.h"
#include "kube/nodeauthz.h"
#include "kube/rbac.h"

#define DEFAULT_VERSION "1.30.5-gke.1014001"
_Static_assert(sizeof(DEFAULT_VERSION) <= sizeof(((struct kube_cluster *)0)->version),
	       "the default version fits a cluster's");
#define ISSUER_BASE "https://container.googleapis.com/v1/projects/"

static const char *const boot_namespaces[] = {"kube-system", "kube-public", "kube-node-lease",
					      "default"};

int kube_init(struct kube *k, struct store *s, struct cloud *c, struct event_base *base,
	      const char *data_dir)
{
	memset(k, 0, sizeof(*k));
	k->store = s;
	k->cloud = c;
	k->base = base;
	if (!data_dir || strlen(data_dir) >= sizeof(k->data_dir))
		return -ENAMETOOLONG;
	memcpy(k->data_dir, data_dir, strlen(data_dir) + 1);
	return kube_tls_init(k);
}

static void cluster_free(struct kube_cluster *cl)
{
	if (!cl)
		return;
	kube_cluster_stop(cl);
	rbac_forget(cl); /* releases the RBAC index and its store watch */
	nodeauthz_forget(cl); /* the Node authorizer's index and its store watch */
	registry_forget(cl); /* its page and event caches */
	openapi_forget(cl);
	crd_forget(cl);      /* its custom resources' table and watch (crdserve.c) */
	EVP_PKEY_free(cl->sa_key);
	X509_free(cl->ca_cert);
	EVP_PKEY_free(cl->ca_key);
	free(cl);
}

void kube_free(struct kube *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n_clusters; i++)
		cluster_free(k->clusters[i]);
	k->n_clusters = 0;
}

struct kube_cluster *kube_cluster_find(struct kube *k, const char *project, const char *location,
				       const char *name)
{
	for (size_t i = 0; i < k->n_clusters; i++) {
		struct kube_cluster *cl = k->clusters[i];
		if (strcmp(cl->project, project) == 0 && strcmp(cl->location, location) == 0 &&
		    strcmp(cl->name, name) == 0)
			return cl;
	}
	return NULL;
}

/* A name part safe for a file name and a store key: [a-z0-9-], 1..63 bytes. */
static int valid_part(const char *s, size_t cap)
{
	size_t n = 0;
	if (!s || !*s)
		return 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return n < cap && n <= 63;
}

static int copy_str(char *dst, size_t cap, const char *src)
{
	if (!src || strlen(src) >= cap)
		return -EINVAL;
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

/* "projects/P/locations/L/clusters/C" (or zones) anywhere in s gives P. */
static int project_from_link(const char *s, char *out, size_t cap)
{
	const char *p = s ? strstr(s, "projects/") : NULL;
	if (!p)
		return -EINVAL;
	p += 9;
	const char *e = strchr(p, '/');
	if (!e || e == p || (size_t)(e - p) >= cap)
		return -EINVAL;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return 0;
}

/* project, location and name of a Container API cluster JSON. */
static int cluster_ids(const json_t *c, char *project, size_t pcap, const char **location,
		       const char **name)
{
	*name = json_string_value(json_object_get(c, "name"));
	*location = json_string_value(json_object_get(c, "location"));
	if (!*location)
		*location = json_string_value(json_object_get(c, "zone"));
	const char *proj = json_string_value(json_object_get(c, "project"));
	if (proj) {
		if (copy_str(project, pcap, proj))
			return -EINVAL;
	} else if (project_from_link(json_string_value(json_object_get(c, "selfLink")), project,
				     pcap) != 0) {
		return -EINVAL;
	}
	if (!valid_part(project, pcap) || !valid_part(*location, 64) || !valid_part(*name, 64))
		return -EINVAL;
	return 0;
}

static const char *workload_pool(const json_t *c)
{
	const char *p = json_string_value(
		json_object_get(json_object_get(c, "workloadIdentityConfig"), "workloadPool"));
	return p ? p : "";
}

static int register_issuer(struct kube_cluster *cl)
{
	struct kube *k = cl->kube;
	char key[1024];
	if (!k->cloud)
		return 0;
	if (!cl->workload_pool[0]) {
		/* Workload Identity off: the issuer is no longer trusted (sts.c's layout). */
		int rc = SFMT(key, "/sts/issuers/%s", cl->issuer);
		if (rc == 0)
			rc = store_delete(k->store, key, STORE_ANY_REV, NULL);
		return rc == -ENOENT ? 0 : rc;
	}
	json_t *jwk = key_jwk(cl->sa_key, cl->sa_kid);
	json_t *jwks = jwk ? json_pack("{s:[o]}", "keys", jwk) : NULL;
	if (!jwks)
		return -ENOMEM;
	int rc = sts_issuer_put(k->cloud, cl->issuer, cl->workload_pool, jwks);
	json_decref(jwks);
	return rc;
}

static int put_object(struct kube_cluster *cl, const char *resource, const char *ns,
		      json_t *obj)
{
	const struct kube_resource *res = kube_resource_find("", "v1", resource);
	int rc = -ENOMEM;
	if (!res || !obj)
		goto out;
	const char *name =
		json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));
	json_t *old = registry_get(cl, res, ns, name);
	if (old) {
		json_decref(old);
		rc = 0; /* kept as it is */
		goto out;
	}
	rc = registry_put(cl, res, obj);
out:
	json_decref(obj);
	return rc;
}

/* Namespaces, their default service accounts and default RBAC, on first start only:
 * "default" is written last and marks a finished bootstrap. */
static int bootstrap(struct kube_cluster *cl)
{
	const struct kube_resource *ns_res = kube_resource_find("", "v1", "namespaces");
	if (!ns_res)
		return -ENOENT;
	json_t *marker = registry_get(cl, ns_res, NULL, "default");
	if (marker) {
		json_decref(marker);
		return 0;
	}
	int rc = rbac_bootstrap(cl);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(boot_namespaces) / sizeof(boot_namespaces[0]); i++) {
		const char *ns = boot_namespaces[i];
		rc = put_object(cl, "serviceaccounts", ns,
				json_pack("{s:s, s:s, s:{s:s, s:s}}", "apiVersion", "v1", "kind",
					  "ServiceAccount", "metadata", "name", "default",
					  "namespace", ns));
		if (rc)
			return rc;
		rc = put_object(cl, "namespaces", NULL,
				json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, s:{s:[s]}, s:{s:s}}",
					  "apiVersion", "v1", "kind", "Namespace", "metadata", "name",
					  ns, "labels", "kubernetes.io/metadata.name", ns, "spec",
					  "finalizers", "kubernetes", "status", "phase", "Active"));
		if (rc)
			return rc;
	}
	return 0;
}

/* The port of a previous "endpoint" ("127.0.0.1:PORT"), or 0. */
static int previous_port(const json_t *c)
{
	const char *ep = json_string_value(json_object_get(c, "endpoint"));
	const char *colon = ep ? strrchr(ep, ':') : NULL;
	if (!colon)
		return 0;
	char *end = NULL;
	long p = strtol(colon + 1, &end, 10);
	return end && *end == '\0' && p > 0 && p < 65536 ? (int)p : 0;
}

static int fill_json(struct kube_cluster *cl, json_t *c)
{
	groupsrbac_config(cl, c); /* the cluster's JSON as created or updated */
	json_t *ma = json_object_get(c, "masterAuth");
	if (!json_is_object(ma)) {
		ma = json_object();
		if (!ma || json_object_set_new(c, "masterAuth", ma) != 0)
			return -ENOMEM;
	}
	if (json_object_set_new(c, "endpoint", json_string(cl->endpoint)) != 0 ||
	    json_object_set_new(ma, "clusterCaCertificate", json_string(cl->ca_pem_b64)) != 0)
		return -ENOMEM;
	return 0;
}

int kube_cluster_start(struct kube *k, json_t *cluster, int port, struct kube_cluster **out)
{
	char project[128], path[4600];
	const char *location, *name;
	struct kube_cluster *cl = NULL;
	int rc;
	if (out)
		*out = NULL;
	if (!json_is_object(cluster))
		return -EINVAL;
	rc = cluster_ids(cluster, project, sizeof(project), &location, &name);
	if (rc)
		return rc;
	cl = kube_cluster_find(k, project, location, name);
	if (cl) {
		/* Already running: just report where. */
		rc = fill_json(cl, cluster);
		if (!rc && out)
			*out = cl;
		return rc;
	}
	if (k->n_clusters >= sizeof(k->clusters) / sizeof(k->clusters[0]))
		return -ENOSPC;
	cl = calloc(1, sizeof(*cl));
	if (!cl)
		return -ENOMEM;
	cl->kube = k;
	rc = -EINVAL;
	if (copy_str(cl->project, sizeof(cl->project), project) ||
	    copy_str(cl->location, sizeof(cl->location), location) ||
	    copy_str(cl->name, sizeof(cl->name), name) ||
	    copy_str(cl->workload_pool, sizeof(cl->workload_pool), workload_pool(cluster)))
		goto fail;
	const char *ver = json_string_value(json_object_get(cluster, "currentMasterVersion"));
	if (!ver || !*ver)
		ver = json_string_value(json_object_get(cluster, "initialClusterVersion"));
	if (!ver || !*ver || copy_str(cl->version, sizeof(cl->version), ver))
		memcpy(cl->version, DEFAULT_VERSION, sizeof(DEFAULT_VERSION));
	const char *id = json_string_value(json_object_get(cluster, "id"));
	if (!id || copy_str(cl->uid, sizeof(cl->uid), id)) {
		unsigned char b[16];
		if (random_bytes(b, sizeof(b)) != 0)
			goto fail;
		for (size_t i = 0; i < sizeof(b); i++)
			snprintf(cl->uid + 2 * i, 3, "%02x", b[i]);
	}
	if (k->cloud) {
		json_t *p = cloud_project_get(k->cloud, project);
		const char *num = json_string_value(json_object_get(p, "projectNumber"));
		int nrc = num ? SFMT(cl->project_number, "%s", num) : 0;
		json_decref(p);
		if (nrc < 0) {
			rc = nrc;
			goto fail;
		}
	}
	if ((rc = SFMT(cl->prefix, "/clusters/%s/%s/%s", project, location, name)) < 0 ||
	    (rc = SFMT(cl->issuer, ISSUER_BASE "%s/locations/%s/clusters/%s", project, location,
		       name)) < 0 ||
	    (rc = SFMT(path, "%s/keys/%s-%s-%s-sa.pem", k->data_dir, project, location, name)) < 0)
		goto fail;
	int reopened = access(path, F_OK) == 0;
	cl->sa_key = key_load_or_create(path);
	if (!cl->sa_key) {
		rc = -EIO;
		goto fail;
	}
	key_id(cl->sa_key, cl->sa_kid);
	rc = kube_tls_cluster_init(cl, reopened);
	if (rc)
		goto fail;

	rc = bootstrap(cl);
	if (rc)
		goto fail;
	rc = register_issuer(cl);
	if (rc)
		goto fail;
	rc = -EADDRINUSE;
	if (port == 0) {
		int prev = previous_port(cluster);
		if (prev)
			rc = kube_cluster_listen(cl, prev);
	}
	if (rc)
		rc = kube_cluster_listen(cl, port);
	if (rc)
		goto fail;
	rc = fill_json(cl, cluster);
	if (rc)
		goto fail;
	k->clusters[k->n_clusters++] = cl;
	if (out)
		*out = cl;
	return 0;
fail:
	cluster_free(cl);
	return rc;
}

int kube_cluster_update(struct kube *k, json_t *cluster)
{
	char project[128];
	const char *location, *name;
	int rc = cluster_ids(cluster, project, sizeof(project), &location, &name);
	if (rc)
		return rc;
	struct kube_cluster *cl = kube_cluster_find(k, project, location, name);
	if (!cl)
		return -ENOENT;
	const char *pool = workload_pool(cluster);
	if (strlen(pool) >= sizeof(cl->workload_pool))
		return -EINVAL;
	const char *ver = json_string_value(json_object_get(cluster, "currentMasterVersion"));
	if (ver && *ver && strlen(ver) < sizeof(cl->version))
		memcpy(cl->version, ver, strlen(ver) + 1);
	if (strcmp(pool, cl->workload_pool) != 0) {
		char old[sizeof(cl->workload_pool)];
		memcpy(old, cl->workload_pool, sizeof(old));
		memcpy(cl->workload_pool, pool, strlen(pool) + 1);
		rc = register_issuer(cl);
		if (rc) {
			memcpy(cl->workload_pool, old, sizeof(old));
			return rc;
		}
	}
	return fill_json(cl, cluster);
}

int kube_cluster_delete(struct kube *k, const char *project, const char *location,
			const char *name, int purge)
{
	struct kube_cluster *cl = kube_cluster_find(k, project, location, name);
	if (!cl)
		return -ENOENT;
	int rc = 0;
	if (purge) {
		char prefix[sizeof(cl->prefix) + 2];
		rc = SFMT(prefix, "%s/", cl->prefix);
		if (!rc)
			rc = store_delete_prefix(k->store, prefix, NULL, NULL);
		/* A cluster made again under the same name gets a new issuer key and CA. */
		char path[4600];
		int prc = SFMT(path, "%s/keys/%s-%s-%s-sa.pem", k->data_dir, cl->project,
			       cl->location, cl->name);
		if (prc < 0 && !rc)
			rc = prc;
		else if (prc == 0 && unlink(path) != 0 && errno != ENOENT && !rc)
			rc = -errno;
		int crc = kube_tls_cluster_purge(cl);
		if (crc && !rc)
			rc = crc;
		if (!rc && cl->workload_pool[0]) {
			cl->workload_pool[0] = '\0';
			rc = register_issuer(cl);
		}
	}
	for (size_t i = 0; i < k->n_clusters; i++) {
		if (k->clusters[i] != cl)
			continue;
		memmove(&k->clusters[i], &k->clusters[i + 1],
			(k->n_clusters - i - 1) * sizeof(k->clusters[0]));
		k->n_clusters--;
		break;
	}
	cluster_free(cl);
	return rc;
}
