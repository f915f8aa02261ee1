/*
 * container.c - Kubernetes Engine API v1 (container.googleapis.com): clusters (create,
 * get, list, update, delete and the set* custom methods), node pools (create, get, list,
 * update, delete, setSize, setManagement, setAutoscaling), operations (get, list) and
 * serverConfig, under /container/v1/, with the legacy /zones/ paths for the common calls.
 *
 * Every change finishes at once: the reply is an Operation that is already DONE (with
 * statusMessage and error set when it failed), stored so that operations.get shows it.
 * Enabling Workload Identity deploys a patch as GKE's service agent does, and fails with
 * "DeployPatch failed" when service-NUMBER@container-engine-robot.iam.gserviceaccount.com
 * lacks the permissions of roles/container.serviceAgent on the project. The Kubernetes
 * side of a cluster is reached through c->on_cluster (cloud.h).
 */
#include "cloud/container.h"

#include <errno.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cloud/cloud.h"
#include "cloud/gerrors.h"
#include "cloud/hier.h"
#include "cloud/jsonschema.h"
#include "core/store.h"

#define SERVICE "container.googleapis.com"
#define GOOGLE "https://container.googleapis.com/v1/"
#define DEFAULT_VERSION "1.30.5-gke.1014001"
#define NAME_RULE                                                                          \
	"Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?)' (only lowercase " \
	"alphanumerics and '-' allowed, must start with a letter and end with an "         \
	"alphanumeric, and must be no longer than 40 characters)."
#define ECHO_MAX 200    /* bytes of client text echoed in an error */
#define POOLS_MAX 100   /* node pools per cluster */
#define NODES_MAX 1000  /* nodes per zone in a node pool */
#define LOCS_MAX 16     /* node locations of a cluster */
#define VERSION_MAX 64  /* bytes of a version string */
#define KEY_MAX 800

/* What the patch that turns Workload Identity on needs of the service agent: it deploys
 * gke-metadata-server (a DaemonSet and its RBAC) and acts as node service accounts. Of the
 * predefined roles only roles/container.serviceAgent (and owner) grants all three. */
static const char *const deploy_permissions[] = {
	"container.daemonSets.update",
	"container.clusterRoleBindings.create",
	"iam.serviceAccounts.actAs",
};

static const char *const default_scopes[] = {
	"https://www.googleapis.com/auth/devstorage.read_only",
	"https://www.googleapis.com/auth/logging.write",
	"https://www.googleapis.com/auth/monitoring",
	"https://www.googleapis.com/auth/servicecontrol",
	"https://www.googleapis.com/auth/service.management.readonly",
	"https://www.googleapis.com/auth/trace.append",
};

/* ---- text and names ---------------------------------------------------------------- */

/* An error to reply with: HTTP code and Google's message. */
struct gerr {
	int code;
	char msg[1024];
};

static void seterr(struct gerr *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seterr(struct gerr *e, int code, const char *fmt, ...)
{
	va_list ap;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

static void reply_err(struct http_req *r, const struct gerr *e)
{
	http_reply_gerror(r, e->code ? e->code : 500, NULL, NULL, NULL, NULL, "%s",
			  e->msg[0] ? e->msg : "Internal error encountered.");
}

static void reply_internal(struct http_req *r)
{
	http_reply_gerror(r, 500, NULL, NULL, NULL, NULL, "Internal error encountered.");
}

/* A JSON value as text for an error message ("Invalid value at ... , 5"). */
static void echo_json(char *dst, size_t cap, const json_t *v)
{
	char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	gerr_clip(dst, cap, s ? s : "null");
	free(s);
}

static int is_lower(char ch) { return ch >= 'a' && ch <= 'z'; }
static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* A region or zone: lower-case letters, digits and '-', starting with a letter, with at
 * least one '-', 3..63 bytes ("us-central1", "europe-west4-a"). */
static int loc_ok(const char *s)
{
	size_t n = 0;
	int dash = 0;
	if (!s || !is_lower(s[0]))
		return 0;
	for (; s[n]; n++) {
		if (s[n] == '-')
			dash = 1;
		else if (!is_lower(s[n]) && !is_digit(s[n]))
			return 0;
	}
	return dash && n >= 3 && n <= 63 && s[n - 1] != '-';
}

/* "us-central1-a" is a zone; "us-central1" a region. */
static int is_zone(const char *loc)
{
	size_t n = strlen(loc);
	return n >= 3 && is_lower(loc[n - 1]) && loc[n - 2] == '-';
}

/* GKE's cluster and node pool names: (?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?) */
static int name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 40 || !is_lower(s[0]) || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_lower(s[i]) && !is_digit(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

/* A path segment that may name something (and be echoed): [A-Za-z0-9._-], 1..100. */
static int token_ok(const char *s)
{
	return cloud_id_ok(s);
}

/* A GKE version, "1.30.5-gke.1014001", "1.30", "latest" or "-". */
static int version_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > VERSION_MAX)
		return 0;
	if (strcmp(s, "latest") == 0 || strcmp(s, "-") == 0)
		return 1;
	if (!is_digit(s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_lower(s[i]) && !is_digit(s[i]) && s[i] != '.' && s[i] != '-')
			return 0;
	return 1;
}

/* The version a request asks for, resolved: full GKE versions stay, aliases and
 * prefixes of the default ("1.30", "latest", "-", "") give the default. */
static const char *version_resolve(const char *v)
{
	if (!v || !*v || strcmp(v, "latest") == 0 || strcmp(v, "-") == 0)
		return DEFAULT_VERSION;
	if (strstr(v, "-gke."))
		return v;
	size_t n = strlen(v);
	if (strncmp(DEFAULT_VERSION, v, n) == 0 &&
	    (DEFAULT_VERSION[n] == '.' || DEFAULT_VERSION[n] == '-'))
		return DEFAULT_VERSION;
	return v;
}

/* RFC 3339 now: "2024-05-01T12:34:56+00:00" (resources) or with nanoseconds and "Z"
 * (operations), as GKE writes them. */
static void stamp(char *buf, size_t len, int nanos)
{
	struct timespec ts;
	struct tm tm;
	char base[40];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	unsigned ns = (unsigned)ts.tv_nsec % 1000000000u;
	if (nanos)
		snprintf(buf, len, "%.20s.%09uZ", base, ns);
	else
		snprintf(buf, len, "%.20s+00:00", base);
}

static int random_hex(char *buf, size_t nbytes)
{
	unsigned char b[32];
	if (nbytes > sizeof(b) || RAND_bytes(b, (int)nbytes) != 1)
		return -EIO;
	for (size_t i = 0; i < nbytes; i++)
		snprintf(buf + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/* ---- store --------------------------------------------------------------------------- */

static json_t *load(struct store *s, const char *key, int64_t *create_rev)
{
	struct store_kv kv;
	if (store_get(s, key, &kv) != 0)
		return NULL;
	json_t *j = json_loadb(kv.value, kv.value_len, 0, NULL);
	if (create_rev)
		*create_rev = kv.create_rev;
	store_kv_free(&kv);
	return json_is_object(j) ? j : (json_decref(j), NULL);
}

static int save(struct store *s, const char *key, const json_t *j, int64_t expected)
{
	char *txt = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!txt)
		return -ENOMEM;
	int rc = store_put(s, key, txt, strlen(txt), expected, NULL);
	free(txt);
	return rc;
}

/* The project's ID and number. */
struct proj {
	char id[128];
	char num[32];
};

static int proj_of(const json_t *p, struct proj *out)
{
	const char *id = json_string_value(json_object_get(p, "projectId"));
	json_t *num = json_object_get(p, "projectNumber");
	if (!id || !cloud_id_ok(id) || strlen(id) >= sizeof(out->id))
		return -EINVAL;
	snprintf(out->id, sizeof(out->id), "%s", id);
	if (json_is_integer(num))
		snprintf(out->num, sizeof(out->num), "%lld", (long long)json_integer_value(num));
	else if (json_string_value(num) && strlen(json_string_value(num)) < sizeof(out->num))
		snprintf(out->num, sizeof(out->num), "%s", json_string_value(num));
	else
		return -EINVAL;
	return cloud_id_ok(out->num) ? 0 : -EINVAL;
}

static void cluster_key(char *buf, size_t len, const struct proj *p, const char *loc,
			const char *name)
{
	snprintf(buf, len, "/projects/%s/locations/%s/clusters/%s", p->id, loc, name);
}

/* The cluster at key with its node pools embedded (creation order) and the counts GKE
 * derives from them; new reference or NULL. */
static json_t *assemble(struct store *s, const char *key)
{
	char prefix[KEY_MAX + 16];
	struct store_kv *kvs = NULL;
	size_t n = 0;
	json_t *cl = load(s, key, NULL), *pools = NULL;
	if (!cl)
		return NULL;
	snprintf(prefix, sizeof(prefix), "%s/nodePools/", key);
	if (store_range(s, prefix, 0, &kvs, &n, NULL) != 0 || !(pools = json_array()))
		goto fail;
	/* store_range is in key order; GKE lists pools in creation order. */
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && kvs[k - 1].create_rev > kvs[k].create_rev; k--) {
			struct store_kv t = kvs[k];
			kvs[k] = kvs[k - 1];
			kvs[k - 1] = t;
		}
	long long nodes = 0;
	for (size_t i = 0; i < n; i++) {
		if (strchr(kvs[i].key + strlen(prefix), '/'))
			continue;
		json_t *np = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		if (!json_is_object(np)) {
			json_decref(np);
			continue;
		}
		size_t zones = json_array_size(json_object_get(np, "locations"));
		nodes += json_integer_value(json_object_get(np, "initialNodeCount")) *
			 (long long)(zones ? zones : 1);
		json_array_append_new(pools, np);
	}
	store_kvs_free(kvs, n);
	kvs = NULL;
	n = 0;
	json_t *first = json_array_get(pools, 0);
	const char *nv = json_string_value(json_object_get(first, "version"));
	json_object_set_new(cl, "nodePools", pools);
	pools = NULL;
	if (nv)
		json_object_set_new(cl, "currentNodeVersion", json_string(nv));
	else
		json_object_del(cl, "currentNodeVersion");
	json_object_set_new(cl, "currentNodeCount", json_integer(nodes));
	return cl;
fail:
	store_kvs_free(kvs, n);
	json_decref(pools);
	json_decref(cl);
	return NULL;
}

/* Writes an assembled cluster: the cluster without its pools, and each pool. */
static int store_cluster(struct store *s, const char *key, const json_t *cl, int64_t expected)
{
	char pkey[KEY_MAX + 64];
	json_t *bare = json_copy((json_t *)cl);
	size_t i;
	json_t *np;
	if (!bare)
		return -ENOMEM;
	json_object_del(bare, "nodePools");
	json_object_del(bare, "currentNodeCount");
	json_object_del(bare, "currentNodeVersion");
	int rc = save(s, key, bare, expected);
	json_decref(bare);
	json_array_foreach(json_object_get(cl, "nodePools"), i, np)
	{
		if (rc != 0)
			break;
		const char *name = json_string_value(json_object_get(np, "name"));
		if (!name)
			continue;
		snprintf(pkey, sizeof(pkey), "%s/nodePools/%s", key, name);
		rc = save(s, pkey, np, STORE_ANY_REV);
	}
	return rc;
}

/* Deletes a cluster and its node pools from the store. */
static int unstore_cluster(struct store *s, const char *key)
{
	char prefix[KEY_MAX + 16];
	struct store_kv *kvs = NULL;
	size_t n = 0;
	snprintf(prefix, sizeof(prefix), "%s/nodePools/", key);
	int rc = store_range(s, prefix, 0, &kvs, &n, NULL);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int d = store_delete(s, kvs[i].key, STORE_ANY_REV, NULL);
		if (d != 0 && d != -ENOENT)
			rc = d;
	}
	store_kvs_free(kvs, n);
	if (rc == 0)
		rc = store_delete(s, key, STORE_ANY_REV, NULL);
	return rc;
}

/* ---- operations ---------------------------------------------------------------------- */

/* A finished operation on target ("clusters/C" or "clusters/C/nodePools/N") in loc,
 * stored for operations.get. failure (may be NULL) fails it with that text.
 * New reference, or NULL. */
static json_t *op_record(struct cloud *c, const struct proj *p, const char *loc,
			 const char *type, const char *target, const char *failure)
{
	char hex[9], name[64], self[600], tlink[700], key[KEY_MAX], start[48], end[48];
	const char *seg = is_zone(loc) ? "zones" : "locations";
	if (random_hex(hex, 4) != 0)
		return NULL;
	snprintf(name, sizeof(name), "operation-%lld-%s", (long long)cloud_now_ms(), hex);
	snprintf(self, sizeof(self), GOOGLE "projects/%s/%s/%s/operations/%s", p->num, seg, loc,
		 name);
	snprintf(tlink, sizeof(tlink), GOOGLE "projects/%s/%s/%s/%s", p->num, seg, loc, target);
	stamp(start, sizeof(start), 1);
	stamp(end, sizeof(end), 1);
	json_t *op = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", name,
			       "zone", loc, "operationType", type, "status", "DONE", "selfLink",
			       self, "targetLink", tlink, "location", loc, "startTime", start,
			       "endTime", end);
	if (!op)
		return NULL;
	if (failure) {
		/* GKE reports a failed operation in statusMessage (what gcloud and Terraform
		 * print) and, newer, in error. */
		json_object_set_new(op, "statusMessage", json_string(failure));
		json_object_set_new(op, "error",
				    json_pack("{s:i, s:s}", "code", 13, "message", failure));
	}
	snprintf(key, sizeof(key), "/projects/%s/locations/%s/operations/%s", p->id, loc, name);
	if (save(c->store, key, op, STORE_ABSENT) != 0) {
		json_decref(op);
		return NULL;
	}
	return op;
}

/* Records the operation and replies with it. */
static void reply_op(struct http_req *r, struct cloud *c, const struct proj *p,
		     const char *loc, const char *type, const char *target, const char *failure)
{
	json_t *op = op_record(c, p, loc, type, target, failure);
	if (!op)
		reply_internal(r);
	else
		http_reply_json(r, 200, op);
}

/* ---- building clusters and node pools ----------------------------------------------- */

/* The zones of a location: itself for a zone, three zones for a region. */
static json_t *zones_of(const char *loc)
{
	static const struct {
		const char *region, *zones;
	} odd[] = {{"us-east1", "bcd"}, {"europe-west1", "bcd"}, {"asia-east1", "abc"}};
	const char *letters = "abc";
	char z[80];
	json_t *a = json_array();
	if (!a)
		return NULL;
	if (is_zone(loc)) {
		json_array_append_new(a, json_string(loc));
		return a;
	}
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		if (strcmp(odd[i].region, loc) == 0)
			letters = odd[i].zones;
	for (const char *l = letters; *l; l++) {
		snprintf(z, sizeof(z), "%s-%c", loc, *l);
		json_array_append_new(a, json_string(z));
	}
	return a;
}

/* Checks a workloadMetadataConfig.mode value; field names it in the error. */
static int mode_ok(const json_t *mode, const char *field, struct gerr *e)
{
	const char *m = json_string_value(mode);
	if (m && (strcmp(m, "GKE_METADATA") == 0 || strcmp(m, "GCE_METADATA") == 0 ||
		  strcmp(m, "MODE_UNSPECIFIED") == 0))
		return 0;
	char shown[ECHO_MAX];
	echo_json(shown, sizeof(shown), mode);
	seterr(e, 400,
	       "Invalid value at '%s' "
	       "(type.googleapis.com/google.container.v1.WorkloadMetadataConfig.Mode), %s",
	       field, shown);
	return -EINVAL;
}

/* A node pool as GKE creates it from a request's NodePool (borrowed). field is the
 * request's path to it for errors ("node_pool", "cluster.node_pools[0]"). cl is the
 * (assembled) cluster it joins. New reference, or NULL with e set. */
static json_t *pool_build(const struct proj *p, const char *loc, const json_t *cl,
			  const json_t *req, const char *field, struct gerr *e)
{
	char self[900];
	json_t *np = NULL, *cfg = NULL, *scopes = NULL;
	if (!json_is_object(req)) {
		seterr(e, 400, "Invalid value for field \"%s\": a node pool must be an object.",
		       field);
		return NULL;
	}
	const char *name = json_string_value(json_object_get(req, "name"));
	if (!name_ok(name)) {
		char shown[ECHO_MAX];
		gerr_echo(shown, sizeof(shown), name ? name : "");
		seterr(e, 400, "Invalid value for field \"%s.name\": \"%s\". " NAME_RULE, field,
		       shown);
		return NULL;
	}
	json_t *count = json_object_get(req, "initialNodeCount");
	if (count && (!json_is_integer(count) || json_integer_value(count) < 0 ||
		      json_integer_value(count) > NODES_MAX)) {
		char shown[ECHO_MAX];
		echo_json(shown, sizeof(shown), count);
		seterr(e, 400,
		       "Invalid value for field \"%s.initial_node_count\": %s. Must be between 0 "
		       "and %d.",
		       field, shown, NODES_MAX);
		return NULL;
	}
	json_t *rcfg = json_object_get(req, "config");
	if (rcfg && !json_is_object(rcfg)) {
		seterr(e, 400, "Invalid value for field \"%s.config\": must be an object.", field);
		return NULL;
	}
	json_t *wmc = json_object_get(rcfg, "workloadMetadataConfig");
	if (wmc) {
		char f[160];
		snprintf(f, sizeof(f), "%s.config.workload_metadata_config.mode", field);
		if (!json_is_object(wmc) || mode_ok(json_object_get(wmc, "mode"), f, e) != 0) {
			if (!json_is_object(wmc))
				seterr(e, 400, "Invalid value for field \"%s\": must be an object.", f);
			return NULL;
		}
	}
	scopes = json_array();
	for (size_t i = 0; scopes && i < sizeof(default_scopes) / sizeof(default_scopes[0]); i++)
		json_array_append_new(scopes, json_string(default_scopes[i]));
	cfg = json_pack("{s:s, s:i, s:o, s:{s:s}, s:s, s:s, s:s, s:{s:b}}", "machineType",
			"e2-medium", "diskSizeGb", 100, "oauthScopes", scopes, "metadata",
			"disable-legacy-endpoints", "true", "imageType", "COS_CONTAINERD",
			"serviceAccount", "default", "diskType", "pd-balanced",
			"shieldedInstanceConfig", "enableIntegrityMonitoring", 1);
	if (!cfg)
		goto nomem;
	if (rcfg && json_object_update(cfg, rcfg) != 0)
		goto nomem;
	/* Node pools of a Workload Identity cluster run the GKE metadata server unless the
	 * request says otherwise; others have no setting (the Compute Engine one). */
	const char *pool = json_string_value(json_object_get(
		json_object_get(cl, "workloadIdentityConfig"), "workloadPool"));
	if (!wmc && pool && *pool)
		json_object_set_new(cfg, "workloadMetadataConfig",
				    json_pack("{s:s}", "mode", "GKE_METADATA"));
	json_t *locs = json_object_get(req, "locations");
	if (!json_is_array(locs) || json_array_size(locs) == 0)
		locs = json_object_get(cl, "locations");
	const char *seg = is_zone(loc) ? "zones" : "locations";
	snprintf(self, sizeof(self), GOOGLE "projects/%s/%s/%s/clusters/%s/nodePools/%s", p->id,
		 seg, loc, json_string_value(json_object_get(cl, "name")), name);
	const char *ver = json_string_value(json_object_get(req, "version"));
	if (!ver || !version_ok(ver))
		ver = json_string_value(json_object_get(cl, "currentMasterVersion"));
	np = json_pack("{s:s, s:O, s:I, s:o, s:s, s:s, s:s}", "name", name, "config", cfg,
		       "initialNodeCount", count ? json_integer_value(count) : (json_int_t)3,
		       "locations", locs ? json_deep_copy(locs) : json_array(), "selfLink", self,
		       "version",
		       ver ? version_resolve(ver) : DEFAULT_VERSION, "status", "RUNNING");
	if (!np)
		goto nomem;
	/* Settings the request may carry, else GKE's defaults. */
	static const char *const kept[] = {"autoscaling", "management", "maxPodsConstraint",
					   "upgradeSettings", "networkConfig", "placementPolicy"};
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		json_t *v = json_object_get(req, kept[i]);
		if (json_is_object(v))
			json_object_set(np, kept[i], v);
	}
	if (!json_object_get(np, "autoscaling"))
		json_object_set_new(np, "autoscaling", json_object());
	if (!json_object_get(np, "management"))
		json_object_set_new(np, "management",
				    json_pack("{s:b, s:b}", "autoUpgrade", 1, "autoRepair", 1));
	if (!json_object_get(np, "maxPodsConstraint"))
		json_object_set_new(np, "maxPodsConstraint",
				    json_pack("{s:s}", "maxPodsPerNode", "110"));
	json_object_set_new(np, "podIpv4CidrSize", json_integer(24));
	if (!json_object_get(np, "upgradeSettings"))
		json_object_set_new(np, "upgradeSettings",
				    json_pack("{s:i, s:s}", "maxSurge", 1, "strategy", "SURGE"));
	json_decref(cfg);
	return np;
nomem:
	json_decref(cfg);
	json_decref(np);
	seterr(e, 500, "Internal error encountered.");
	return NULL;
}

/* Fields of a Cluster that GKE sets itself: a create request's values are ignored. */
static const char *const output_only[] = {
	"selfLink", "zone", "endpoint", "currentMasterVersion", "currentNodeVersion",
	"createTime", "status", "statusMessage", "nodeIpv4CidrSize", "servicesIpv4Cidr",
	"instanceGroupUrls", "currentNodeCount", "expireTime", "location", "id", "etag",
	"conditions", "masterAuth", "nodePools", "initialNodeCount", "nodeConfig",
	"initialClusterVersion", "workloadIdentityConfig", "networkConfig", "locations"};

/* A cluster as GKE creates it from a request's Cluster (borrowed), with its node pools
 * embedded. New reference, or NULL with e set. */
static json_t *cluster_build(const struct proj *p, const char *loc, const json_t *req,
			     struct gerr *e)
{
	char shown[ECHO_MAX], self[600], created[48], hex[33], want[160];
	json_t *cl = NULL, *pools = NULL;
	if (!json_is_object(req)) {
		seterr(e, 400, "Cluster must be specified.");
		return NULL;
	}
	const char *name = json_string_value(json_object_get(req, "name"));
	if (!name_ok(name)) {
		gerr_echo(shown, sizeof(shown), name ? name : "");
		seterr(e, 400, "Invalid value for field \"cluster.name\": \"%s\". " NAME_RULE,
		       shown);
		return NULL;
	}
	/* Workload Identity: the only pool a cluster may use is its project's. */
	snprintf(want, sizeof(want), "%s.svc.id.goog", p->id);
	json_t *wic = json_object_get(req, "workloadIdentityConfig");
	const char *pool = json_string_value(json_object_get(wic, "workloadPool"));
	if (wic && !json_is_object(wic)) {
		seterr(e, 400, "Invalid value for field \"cluster.workload_identity_config\".");
		return NULL;
	}
	if (pool && *pool && strcmp(pool, want) != 0) {
		gerr_echo(shown, sizeof(shown), pool);
		seterr(e, 400,
		       "Invalid value for field \"cluster.workload_identity_config.workload_pool\": "
		       "\"%s\". Workload Identity pool must be \"%s\".",
		       shown, want);
		return NULL;
	}
	json_t *ncfg = json_object_get(req, "networkConfig");
	if (ncfg && !json_is_object(ncfg)) {
		seterr(e, 400, "Invalid value for field \"cluster.network_config\".");
		return NULL;
	}
	json_t *dp = json_object_get(ncfg, "datapathProvider");
	const char *dps = json_string_value(dp);
	if (dp && !(dps && (strcmp(dps, "ADVANCED_DATAPATH") == 0 ||
			    strcmp(dps, "LEGACY_DATAPATH") == 0 ||
			    strcmp(dps, "DATAPATH_PROVIDER_UNSPECIFIED") == 0))) {
		echo_json(shown, sizeof(shown), dp);
		seterr(e, 400,
		       "Invalid value at 'cluster.network_config.datapath_provider' "
		       "(type.googleapis.com/google.container.v1.DatapathProvider), %s",
		       shown);
		return NULL;
	}
	json_t *iv = json_object_get(req, "initialClusterVersion");
	if (iv && !json_is_null(iv) &&
	    !(json_is_string(iv) && (!*json_string_value(iv) || version_ok(json_string_value(iv))))) {
		echo_json(shown, sizeof(shown), iv);
		seterr(e, 400, "Master version %s is unsupported.", shown);
		return NULL;
	}
	const char *version = version_resolve(json_string_value(iv));
	json_t *locs = json_object_get(req, "locations");
	size_t i;
	json_t *v;
	if (locs && !json_is_array(locs)) {
		seterr(e, 400, "Invalid value for field \"cluster.locations\".");
		return NULL;
	}
	if (json_array_size(locs) > LOCS_MAX) {
		seterr(e, 400, "Invalid value for field \"cluster.locations\": at most %d.", LOCS_MAX);
		return NULL;
	}
	json_array_foreach(locs, i, v)
	{
		if (!loc_ok(json_string_value(v)) || !is_zone(json_string_value(v))) {
			echo_json(shown, sizeof(shown), v);
			seterr(e, 400, "Invalid value for field \"cluster.locations[%zu]\": %s.", i,
			       shown);
			return NULL;
		}
	}

	/* What the request may set, then what GKE sets. */
	cl = json_pack("{s:s}", "name", name);
	if (!cl)
		goto nomem;
	const char *key;
	json_object_foreach((json_t *)req, key, v)
	{
		size_t k;
		for (k = 0; k < sizeof(output_only) / sizeof(output_only[0]); k++)
			if (strcmp(key, output_only[k]) == 0)
				break;
		if (k == sizeof(output_only) / sizeof(output_only[0]) && strcmp(key, "name") != 0)
			json_object_set(cl, key, v);
	}
	json_object_set_new(cl, "masterAuth", json_pack("{s:s}", "clusterCaCertificate", ""));
	if (!json_object_get(cl, "loggingService"))
		json_object_set_new(cl, "loggingService",
				    json_string("logging.googleapis.com/kubernetes"));
	if (!json_object_get(cl, "monitoringService"))
		json_object_set_new(cl, "monitoringService",
				    json_string("monitoring.googleapis.com/kubernetes"));
	if (!json_object_get(cl, "network"))
		json_object_set_new(cl, "network", json_string("default"));
	if (!json_object_get(cl, "subnetwork"))
		json_object_set_new(cl, "subnetwork", json_string("default"));
	if (!json_object_get(cl, "clusterIpv4Cidr"))
		json_object_set_new(cl, "clusterIpv4Cidr", json_string("10.4.0.0/14"));
	json_object_set_new(cl, "servicesIpv4Cidr", json_string("34.118.224.0/20"));
	json_object_set_new(cl, "locations", json_array_size(locs) ? json_deep_copy(locs)
								    : zones_of(loc));
	if (!json_object_get(cl, "legacyAbac"))
		json_object_set_new(cl, "legacyAbac", json_object());
	if (!json_object_get(cl, "labelFingerprint"))
		json_object_set_new(cl, "labelFingerprint", json_string("a9dc16a7"));
	char region[64];
	snprintf(region, sizeof(region), "%s", loc);
	if (is_zone(loc))
		region[strlen(region) - 2] = '\0';
	char net[256], subnet[300];
	snprintf(net, sizeof(net), "projects/%s/global/networks/default", p->id);
	snprintf(subnet, sizeof(subnet), "projects/%s/regions/%s/subnetworks/default", p->id,
		 region);
	json_t *nc = json_pack("{s:s, s:s, s:s}", "network", net, "subnetwork", subnet,
			       "datapathProvider",
			       dps && strcmp(dps, "ADVANCED_DATAPATH") == 0 ? "ADVANCED_DATAPATH"
									   : "LEGACY_DATAPATH");
	if (!nc)
		goto nomem;
	if (ncfg) {
		json_t *dcopy = json_deep_copy(ncfg);
		json_object_del(dcopy, "datapathProvider");
		json_object_update_missing(nc, dcopy);
		json_decref(dcopy);
	}
	json_object_set_new(cl, "networkConfig", nc);
	if (!json_object_get(cl, "defaultMaxPodsConstraint"))
		json_object_set_new(cl, "defaultMaxPodsConstraint",
				    json_pack("{s:s}", "maxPodsPerNode", "110"));
	if (!json_object_get(cl, "releaseChannel"))
		json_object_set_new(cl, "releaseChannel", json_pack("{s:s}", "channel", "REGULAR"));
	if (pool && *pool)
		json_object_set_new(cl, "workloadIdentityConfig",
				    json_pack("{s:s}", "workloadPool", pool));
	snprintf(self, sizeof(self), GOOGLE "projects/%s/%s/%s/clusters/%s", p->id,
		 is_zone(loc) ? "zones" : "locations", loc, name);
	stamp(created, sizeof(created), 0);
	if (random_hex(hex, 16) != 0)
		goto nomem;
	json_object_set_new(cl, "selfLink", json_string(self));
	json_object_set_new(cl, "zone", json_string(loc));
	json_object_set_new(cl, "initialClusterVersion", json_string(version));
	json_object_set_new(cl, "currentMasterVersion", json_string(version));
	json_object_set_new(cl, "createTime", json_string(created));
	json_object_set_new(cl, "status", json_string("RUNNING"));
	json_object_set_new(cl, "id", json_string(hex));
	json_object_set_new(cl, "location", json_string(loc));

	/* Node pools: the request's, else one "default-pool" from the deprecated fields. */
	json_t *rpools = json_object_get(req, "nodePools");
	if (rpools && !json_is_array(rpools)) {
		seterr(e, 400, "Invalid value for field \"cluster.node_pools\".");
		goto out;
	}
	if (json_array_size(rpools) > POOLS_MAX) {
		seterr(e, 400, "A cluster may have at most %d node pools.", POOLS_MAX);
		goto out;
	}
	pools = json_array();
	if (!pools)
		goto nomem;
	json_object_set(cl, "nodePools", pools);
	if (json_array_size(rpools) == 0) {
		json_t *def = json_pack("{s:s, s:O*, s:O*}", "name", "default-pool", "config",
					json_object_get(req, "nodeConfig"), "initialNodeCount",
					json_object_get(req, "initialNodeCount"));
		json_t *np = def ? pool_build(p, loc, cl, def, "cluster", e) : NULL;
		json_decref(def);
		if (!np)
			goto out;
		json_array_append_new(pools, np);
	}
	json_array_foreach(rpools, i, v)
	{
		char field[64];
		snprintf(field, sizeof(field), "cluster.node_pools[%zu]", i);
		json_t *np = pool_build(p, loc, cl, v, field, e);
		if (!np)
			goto out;
		const char *pn = json_string_value(json_object_get(np, "name"));
		size_t k;
		json_t *other;
		json_array_foreach(pools, k, other)
		{
			if (strcmp(json_string_value(json_object_get(other, "name")), pn) == 0) {
				seterr(e, 400, "Node pool names must be unique: \"%s\" appears twice.",
				       pn);
				json_decref(np);
				goto out;
			}
		}
		json_array_append_new(pools, np);
	}
	json_object_set(cl, "nodeConfig", json_object_get(json_array_get(pools, 0), "config"));
	json_decref(pools);
	return cl;
nomem:
	seterr(e, 500, "Internal error encountered.");
out:
	json_decref(pools);
	json_decref(cl);
	return NULL;
}

/* Calls the on_cluster hook; a message for the operation when it fails. */
static int run_hook(struct cloud *c, const char *event, json_t *cl, char *msg, size_t len)
{
	if (!c->on_cluster)
		return 0;
	int rc = c->on_cluster(c->on_cluster_arg, event, cl);
	if (rc != 0)
		snprintf(msg, len, "Failed to %s the cluster's control plane: %s",
			 strcmp(event, "create") == 0	? "start"
			 : strcmp(event, "delete") == 0 ? "stop"
							: "reconfigure",
			 strerror(rc < 0 ? -rc : rc));
	return rc;
}

/* Creates a built cluster: the hook first (it fills endpoint and masterAuth), then the
 * store. 0; -EEXIST; -EIO with msg when the hook failed; other -errno. */
static int create_commit(struct cloud *c, const char *key, json_t *cl, char *msg, size_t len)
{
	struct store_kv kv;
	if (store_get(c->store, key, &kv) == 0) {
		store_kv_free(&kv);
		return -EEXIST;
	}
	if (run_hook(c, "create", cl, msg, len) != 0)
		return -EIO;
	int rc = store_cluster(c->store, key, cl, STORE_ABSENT);
	if (rc != 0 && c->on_cluster)
		c->on_cluster(c->on_cluster_arg, "delete", cl);
	return rc;
}

/* ---- request context --------------------------------------------------------------- */

enum res { RES_PROJECT, RES_CLUSTER, RES_OPERATION };

struct call {
	struct cloud *c;
	struct caller who;
	json_t *project; /* owned */
	struct proj p;
	const char *pp;      /* the project as the path names it */
	const char *loc;     /* location (or zone) from the path */
	const char *cluster; /* from the path, or NULL */
	const char *pool;
	const char *op;
	const char *seg; /* "locations" or "zones", as the path has it */
	char key[KEY_MAX];
	char name[KEY_MAX]; /* the cluster's resource name as the path gives it */
};

/* 403 in the Container API's words. */
static void deny(struct http_req *r, const char *permission, const char *resource)
{
	http_reply_gerror(r, 403, "PERMISSION_DENIED", NULL, NULL, NULL,
			  "Required \"%s\" permission(s) for \"%s\".", permission, resource);
}

/* Authenticates, checks the path, finds the project, checks permission on it and that
 * the API is enabled. Replies itself on failure. 0 or -errno. */
static int begin(struct http_req *r, struct call *x, const char *permission, enum res what,
		 int any_loc)
{
	char res[KEY_MAX];
	memset(x, 0, sizeof(*x));
	x->c = r->app;
	if (cloud_authenticate(x->c, r, SERVICE, &x->who) != 0)
		return -EACCES;
	x->pp = http_param(r, "project");
	x->loc = http_param(r, "location");
	x->cluster = http_param(r, "cluster");
	x->pool = http_param(r, "pool");
	x->op = http_param(r, "operation");
	x->seg = r->route && strstr(r->route->pattern, "/zones/") ? "zones" : "locations";
	if (!cloud_id_ok(x->pp) || !x->loc || (x->cluster && !token_ok(x->cluster)) ||
	    (x->pool && !token_ok(x->pool)) || (x->op && !token_ok(x->op))) {
		char shown[ECHO_MAX];
		gerr_echo(shown, sizeof(shown), r->path);
		http_reply_gerror(r, 400, NULL, NULL, NULL, NULL, "Invalid resource name: \"%s\".",
				  shown);
		return -EINVAL;
	}
	if (!loc_ok(x->loc) && !(any_loc && strcmp(x->loc, "-") == 0)) {
		char shown[ECHO_MAX];
		gerr_echo(shown, sizeof(shown), x->loc);
		http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
				  "Location \"%s\" is not a valid region or zone.", shown);
		return -EINVAL;
	}
	snprintf(x->name, sizeof(x->name), "projects/%s/%s/%s/clusters/%s", x->pp, x->seg, x->loc,
		 x->cluster ? x->cluster : "");
	if (what == RES_PROJECT)
		snprintf(res, sizeof(res), "projects/%s", x->pp);
	else if (what == RES_CLUSTER)
		snprintf(res, sizeof(res), "%s", x->name);
	else
		snprintf(res, sizeof(res), "projects/%s/%s/%s/operations/%s", x->pp, x->seg, x->loc,
			 x->op ? x->op : "");
	x->project = cloud_project_get(x->c, x->pp);
	char presource[160];
	if (!x->project || proj_of(x->project, &x->p) != 0) {
		deny(r, permission, res);
		return -EACCES;
	}
	snprintf(presource, sizeof(presource), "projects/%s", x->p.id);
	const char *resources[] = {presource};
	if (!cloud_allowed(x->c, &x->who, resources, 1, permission)) {
		deny(r, permission, res);
		return -EACCES;
	}
	if (cloud_require_service(x->c, r, x->project, SERVICE) != 0)
		return -EPERM;
	if (x->cluster)
		cluster_key(x->key, sizeof(x->key), &x->p, x->loc, x->cluster);
	return 0;
}

static void end(struct call *x)
{
	json_decref(x->project);
	x->project = NULL;
}

static void reply_not_found(struct http_req *r, const char *what)
{
	http_reply_gerror(r, 404, NULL, NULL, NULL, NULL, "Not found: %s.", what);
}

/* The cluster of the path, assembled; replies 404 when there is none. */
static json_t *cluster_of(struct http_req *r, struct call *x)
{
	json_t *cl = assemble(x->c->store, x->key);
	if (!cl)
		reply_not_found(r, x->name);
	return cl;
}

/* A node pool of an assembled cluster, borrowed, and its index. */
static json_t *pool_in(const json_t *cl, const char *name, size_t *index)
{
	size_t i;
	json_t *np;
	json_array_foreach(json_object_get(cl, "nodePools"), i, np)
	{
		const char *n = json_string_value(json_object_get(np, "name"));
		if (n && name && strcmp(n, name) == 0) {
			if (index)
				*index = i;
			return np;
		}
	}
	return NULL;
}

/* Runs the "update" hook on the changed cluster, stores it and replies with the
 * operation. gone_pool: a node pool to delete from the store too (may be NULL). */
static void update_commit(struct http_req *r, struct call *x, json_t *cl, const char *type,
			  const char *target, const char *gone_pool)
{
	char msg[300] = "";
	if (run_hook(x->c, "update", cl, msg, sizeof(msg)) == 0) {
		int rc = store_cluster(x->c->store, x->key, cl, STORE_ANY_REV);
		if (rc == 0 && gone_pool) {
			char pkey[KEY_MAX + 64];
			snprintf(pkey, sizeof(pkey), "%s/nodePools/%s", x->key, gone_pool);
			rc = store_delete(x->c->store, pkey, STORE_ANY_REV, NULL);
		}
		if (rc != 0) {
			reply_internal(r);
			return;
		}
	}
	reply_op(r, x->c, &x->p, x->loc, type, target, msg[0] ? msg : NULL);
}

/* ---- clusters ---------------------------------------------------------------------- */

/* The keys of clusters: "/projects/P/locations/L/clusters/C" and nothing deeper. */
static int is_cluster_key(const char *key, const char *prefix)
{
	const char *rest = key + strlen(prefix); /* "L/clusters/C" after ".../locations/" */
	const char *s = strchr(rest, '/');
	if (!s || strncmp(s, "/clusters/", 10) != 0)
		return 0;
	return s[10] && !strchr(s + 10, '/');
}

/* A list response: {"FIELD":[...]}, or {} when empty, as the Container API omits
 * empty repeated fields. */
static void reply_list(struct http_req *r, const char *field, json_t *list)
{
	json_t *resp = json_object();
	if (resp && json_array_size(list))
		json_object_set(resp, field, list);
	http_reply_json(r, 200, resp);
}

/* GET /v1/projects/{project}/locations/{location}/clusters (location may be "-") */
static void clusters_list(struct http_req *r)
{
	struct call x;
	char prefix[KEY_MAX];
	struct store_kv *kvs = NULL;
	size_t n = 0;
	json_t *list = NULL;
	if (begin(r, &x, "container.clusters.list", RES_PROJECT, 1) != 0)
		goto out;
	snprintf(prefix, sizeof(prefix), "/projects/%s/locations/", x.p.id);
	list = json_array();
	if (!list || store_range(x.c->store, prefix, 0, &kvs, &n, NULL) != 0) {
		reply_internal(r);
		goto out;
	}
	size_t llen = strlen(x.loc);
	for (size_t i = 0; i < n; i++) {
		const char *k = kvs[i].key;
		if (!is_cluster_key(k, prefix))
			continue;
		if (strcmp(x.loc, "-") != 0 &&
		    (strncmp(k + strlen(prefix), x.loc, llen) != 0 || k[strlen(prefix) + llen] != '/'))
			continue;
		json_t *cl = assemble(x.c->store, k);
		if (cl)
			json_array_append_new(list, cl);
	}
	reply_list(r, "clusters", list);
out:
	store_kvs_free(kvs, n);
	json_decref(list);
	end(&x);
}

/* GET /v1/projects/{project}/locations/{location}/clusters/{cluster} */
static void clusters_get(struct http_req *r)
{
	struct call x;
	if (begin(r, &x, "container.clusters.get", RES_CLUSTER, 0) == 0) {
		json_t *cl = cluster_of(r, &x);
		if (cl)
			http_reply_json(r, 200, cl);
	}
	end(&x);
}

/* POST /v1/projects/{project}/locations/{location}/clusters {"cluster":{...},"parent"} */
static void clusters_create(struct http_req *r)
{
	struct call x;
	struct gerr e = {0};
	json_t *body = NULL, *cl = NULL;
	char key[KEY_MAX], msg[300] = "", target[200];
	if (begin(r, &x, "container.clusters.create", RES_PROJECT, 0) != 0)
		goto out;
	if (!(body = jschema_body(r, 0, &jschema_container_CreateClusterRequest)))
		goto out;
	cl = cluster_build(&x.p, x.loc, json_object_get(body, "cluster"), &e);
	if (!cl) {
		reply_err(r, &e);
		goto out;
	}
	if (cloud_cluster_check(r, x.c, NULL, cl, NULL) != 0)
		goto out;
	const char *name = json_string_value(json_object_get(cl, "name"));
	cluster_key(key, sizeof(key), &x.p, x.loc, name);
	int rc = create_commit(x.c, key, cl, msg, sizeof(msg));
	if (rc == -EEXIST) {
		http_reply_gerror(r, 409, NULL, NULL, NULL, NULL,
				  "Already exists: projects/%s/%s/%s/clusters/%s.", x.pp, x.seg,
				  x.loc, name);
		goto out;
	}
	if (rc != 0 && rc != -EIO) {
		reply_internal(r);
		goto out;
	}
	snprintf(target, sizeof(target), "clusters/%s", name);
	reply_op(r, x.c, &x.p, x.loc, "CREATE_CLUSTER", target, rc == -EIO ? msg : NULL);
out:
	json_decref(cl);
	json_decref(body);
	end(&x);
}

/* DELETE /v1/projects/{project}/locations/{location}/clusters/{cluster} */
static void clusters_delete(struct http_req *r)
{
	struct call x;
	json_t *cl = NULL;
	char msg[300] = "", target[200];
	if (begin(r, &x, "container.clusters.delete", RES_CLUSTER, 0) != 0 ||
	    !(cl = cluster_of(r, &x)))
		goto out;
	if (run_hook(x.c, "delete", cl, msg, sizeof(msg)) == 0 &&
	    unstore_cluster(x.c->store, x.key) != 0) {
		reply_internal(r);
		goto out;
	}
	snprintf(target, sizeof(target), "clusters/%s", x.cluster);
	reply_op(r, x.c, &x.p, x.loc, "DELETE_CLUSTER", target, msg[0] ? msg : NULL);
out:
	json_decref(cl);
	end(&x);
}

/* True when the Kubernetes Engine service agent may deploy the Workload Identity patch
 * (holds the permissions that roles/container.serviceAgent gives it). */
static int agent_ready(struct cloud *c, const struct proj *p)
{
	char member[200], email[160], resource[160];
	snprintf(email, sizeof(email), "service-%s@container-engine-robot.iam.gserviceaccount.com",
		 p->num);
	snprintf(member, sizeof(member), "serviceAccount:%s", email);
	snprintf(resource, sizeof(resource), "projects/%s", p->id);
	struct iam_principal agent = {.members = {member}, .n_members = 1, .email = email,
				      .authenticated = 1};
	const char *resources[] = {resource};
	for (size_t i = 0; i < sizeof(deploy_permissions) / sizeof(deploy_permissions[0]); i++)
		if (!iam_check(c->iam, resources, 1, &agent, deploy_permissions[i], cloud_now_ms()))
			return 0;
	return 1;
}

/* Fields that a generic desiredX may not overwrite. */
static const char *const protected_fields[] = {
	"name", "selfLink", "endpoint", "masterAuth", "status", "nodePools", "id", "location",
	"zone", "createTime", "currentNodeCount", "currentNodeVersion", "initialClusterVersion",
	"networkConfig", "workloadIdentityConfig"};

/* Applies the version, image or autoscaling part of an update to one pool or all. */
static int update_pools(json_t *cl, const char *pool_id, const char *field, json_t *value,
			struct call *x, struct http_req *r)
{
	size_t i;
	json_t *np;
	if (pool_id && !pool_in(cl, pool_id, NULL)) {
		char what[KEY_MAX + 128];
		snprintf(what, sizeof(what), "%s/nodePools/%s", x->name, pool_id);
		reply_not_found(r, what);
		return -ENOENT;
	}
	json_array_foreach(json_object_get(cl, "nodePools"), i, np)
	{
		const char *n = json_string_value(json_object_get(np, "name"));
		if (pool_id && (!n || strcmp(n, pool_id) != 0))
			continue;
		if (strcmp(field, "imageType") == 0)
			json_object_set(json_object_get(np, "config"), field, value);
		else
			json_object_set(np, field, value);
	}
	return 0;
}

/* Applies a ClusterUpdate to an assembled cluster. *enable_wi is set when it turns
 * Workload Identity on (or changes the pool). 0, or -errno after replying. */
static int apply_update(struct http_req *r, struct call *x, json_t *cl, const json_t *u,
			int *enable_wi)
{
	char shown[ECHO_MAX], want[160];
	const char *key;
	json_t *v;
	const char *pool_id = json_string_value(json_object_get(u, "desiredNodePoolId"));
	if (pool_id && !token_ok(pool_id)) {
		gerr_echo(shown, sizeof(shown), pool_id);
		http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
				  "Invalid value for field \"update.desired_node_pool_id\": \"%s\".",
				  shown);
		return -EINVAL;
	}
	if (pool_id && !*pool_id)
		pool_id = NULL;
	json_object_foreach((json_t *)u, key, v)
	{
		if (strcmp(key, "desiredWorkloadIdentityConfig") == 0) {
			const char *pool = json_string_value(json_object_get(v, "workloadPool"));
			const char *old = json_string_value(json_object_get(
				json_object_get(cl, "workloadIdentityConfig"), "workloadPool"));
			snprintf(want, sizeof(want), "%s.svc.id.goog", x->p.id);
			if (!json_is_object(v) ||
			    (json_object_get(v, "workloadPool") && !pool &&
			     !json_is_null(json_object_get(v, "workloadPool")))) {
				http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
						  "Invalid value for field "
						  "\"update.desired_workload_identity_config\".");
				return -EINVAL;
			}
			if (!pool || !*pool) {
				json_object_del(cl, "workloadIdentityConfig");
				continue;
			}
			if (strcmp(pool, want) != 0) {
				gerr_echo(shown, sizeof(shown), pool);
				http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
						  "Invalid value for field "
						  "\"update.desired_workload_identity_config.workload_"
						  "pool\": \"%s\". Workload Identity pool must be \"%s\".",
						  shown, want);
				return -EINVAL;
			}
			if (!old || strcmp(old, pool) != 0)
				*enable_wi = 1;
			json_object_set_new(cl, "workloadIdentityConfig",
					    json_pack("{s:s}", "workloadPool", pool));
		} else if (strcmp(key, "desiredMasterVersion") == 0 ||
			   strcmp(key, "desiredNodeVersion") == 0) {
			const char *ver = json_string_value(v);
			if (!version_ok(ver)) {
				echo_json(shown, sizeof(shown), v);
				http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
						  "%s version %s is unsupported.",
						  key[7] == 'M' ? "Master" : "Node", shown);
				return -EINVAL;
			}
			if (strcmp(ver, "-") == 0 && key[7] == 'N')
				ver = json_string_value(json_object_get(cl, "currentMasterVersion"));
			json_t *resolved = json_string(version_resolve(ver));
			int rc = key[7] == 'M'
					 ? json_object_set(cl, "currentMasterVersion", resolved)
					 : update_pools(cl, pool_id, "version", resolved, x, r);
			json_decref(resolved);
			if (rc != 0)
				return rc;
		} else if (strcmp(key, "desiredImageType") == 0 ||
			   strcmp(key, "desiredNodePoolAutoscaling") == 0) {
			int image = key[7] == 'I';
			if (image ? !json_is_string(v) : !json_is_object(v)) {
				http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
						  "Invalid value for field \"update.%s\".", key);
				return -EINVAL;
			}
			if (!image && !pool_id) {
				http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
						  "desired_node_pool_id must be set to update node "
						  "pool autoscaling.");
				return -EINVAL;
			}
			int rc = update_pools(cl, pool_id, image ? "imageType" : "autoscaling", v, x, r);
			if (rc != 0)
				return rc;
		} else if (strcmp(key, "desiredLocations") == 0) {
			size_t i;
			json_t *z;
			if (!json_is_array(v) || json_array_size(v) == 0 ||
			    json_array_size(v) > LOCS_MAX) {
				http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
						  "Invalid value for field \"update.desired_locations\".");
				return -EINVAL;
			}
			json_array_foreach(v, i, z)
			{
				if (!loc_ok(json_string_value(z)) || !is_zone(json_string_value(z))) {
					echo_json(shown, sizeof(shown), z);
					http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
							  "Invalid value for field "
							  "\"update.desired_locations[%zu]\": %s.",
							  i, shown);
					return -EINVAL;
				}
			}
			json_object_set(cl, "locations", v);
			json_t *np;
			json_array_foreach(json_object_get(cl, "nodePools"), i, np)
				json_object_set(np, "locations", v);
		} else if (strcmp(key, "desiredDatapathProvider") == 0) {
			const char *d = json_string_value(v);
			if (!d || (strcmp(d, "ADVANCED_DATAPATH") && strcmp(d, "LEGACY_DATAPATH"))) {
				echo_json(shown, sizeof(shown), v);
				http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
						  "Invalid value at 'update.desired_datapath_provider' "
						  "(type.googleapis.com/"
						  "google.container.v1.DatapathProvider), %s",
						  shown);
				return -EINVAL;
			}
			json_t *nc = json_object_get(cl, "networkConfig");
			if (!json_is_object(nc)) {
				nc = json_object();
				json_object_set_new(cl, "networkConfig", nc);
			}
			json_object_set(nc, "datapathProvider", v);
		} else if (strncmp(key, "desired", 7) == 0 && key[7] >= 'A' && key[7] <= 'Z' &&
			   strcmp(key, "desiredNodePoolId") != 0 && strlen(key) < 100) {
			/* desiredFooBar -> fooBar, as most of ClusterUpdate maps. */
			char field[100];
			snprintf(field, sizeof(field), "%s", key + 7);
			field[0] = (char)(field[0] - 'A' + 'a');
			size_t k;
			for (k = 0; k < sizeof(protected_fields) / sizeof(protected_fields[0]); k++)
				if (strcmp(field, protected_fields[k]) == 0)
					break;
			if (k == sizeof(protected_fields) / sizeof(protected_fields[0]))
				json_object_set(cl, field, v);
		}
	}
	return 0;
}

/* PUT /v1/projects/{project}/locations/{location}/clusters/{cluster} {"update":{...}} */
static void clusters_update(struct http_req *r)
{
	struct call x;
	json_t *body = NULL, *cl = NULL, *next = NULL;
	char target[200];
	if (begin(r, &x, "container.clusters.update", RES_CLUSTER, 0) != 0)
		goto out;
	if (!(body = jschema_body(r, 0, &jschema_container_UpdateClusterRequest)))
		goto out;
	json_t *u = json_object_get(body, "update");
	if (!json_is_object(u)) {
		http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
				  u ? "Invalid value for field \"update\"."
				    : "Update must be specified.");
		goto out;
	}
	if (!(cl = cluster_of(r, &x)))
		goto out;
	next = json_deep_copy(cl);
	if (!next) {
		reply_internal(r);
		goto out;
	}
	int enable_wi = 0;
	if (apply_update(r, &x, next, u, &enable_wi) != 0 ||
	    cloud_cluster_check(r, x.c, cl, next, NULL) != 0)
		goto out;
	snprintf(target, sizeof(target), "clusters/%s", x.cluster);
	/* Turning Workload Identity on deploys gke-metadata-server through the service agent;
	 * without its role the patch fails and the cluster stays as it was. */
	if (enable_wi && !agent_ready(x.c, &x.p)) {
		reply_op(r, x.c, &x.p, x.loc, "UPDATE_CLUSTER", target, "DeployPatch failed");
		goto out;
	}
	update_commit(r, &x, next, "UPDATE_CLUSTER", target, NULL);
out:
	json_decref(next);
	json_decref(cl);
	json_decref(body);
	end(&x);
}

/* The set* custom methods: which request member sets which cluster field. */
static const struct setter {
	const char *method, *member, *field, *op_type;
	const struct jschema_msg *req; /* the request message */
} setters[] = {
	{"setResourceLabels", "resourceLabels", "resourceLabels", "SET_LABELS",
	 &jschema_container_SetLabelsRequest},
	{"setLegacyAbac", "enabled", "legacyAbac", "UPDATE_CLUSTER",
	 &jschema_container_SetLegacyAbacRequest},
	{"setNetworkPolicy", "networkPolicy", "networkPolicy", "SET_NETWORK_POLICY",
	 &jschema_container_SetNetworkPolicyRequest},
	{"setMaintenancePolicy", "maintenancePolicy", "maintenancePolicy",
	 "SET_MAINTENANCE_POLICY", &jschema_container_SetMaintenancePolicyRequest},
	{"setLogging", "loggingService", "loggingService", "UPDATE_CLUSTER",
	 &jschema_container_SetLoggingServiceRequest},
	{"setMonitoring", "monitoringService", "monitoringService", "UPDATE_CLUSTER",
	 &jschema_container_SetMonitoringServiceRequest},
	{"setLocations", "locations", "locations", "UPDATE_CLUSTER",
	 &jschema_container_SetLocationsRequest},
	{"setAddons", "addonsConfig", "addonsConfig", "UPDATE_CLUSTER",
	 &jschema_container_SetAddonsConfigRequest},
	{"setMasterAuth", NULL, NULL, "SET_MASTER_AUTH", &jschema_container_SetMasterAuthRequest},
	{"startIpRotation", NULL, NULL, "UPDATE_CLUSTER",
	 &jschema_container_StartIPRotationRequest},
	{"completeIpRotation", NULL, NULL, "UPDATE_CLUSTER",
	 &jschema_container_CompleteIPRotationRequest},
	{"updateMaster", "masterVersion", "currentMasterVersion", "UPGRADE_MASTER",
	 &jschema_container_UpdateMasterRequest},
};

/* POST /v1/projects/{project}/locations/{location}/clusters/{cluster}:METHOD */
static void clusters_set(struct http_req *r)
{
	struct call x;
	json_t *body = NULL, *cl = NULL;
	char target[200];
	const char *colon = strrchr(r->path, ':');
	const struct setter *s = NULL;
	for (size_t i = 0; colon && i < sizeof(setters) / sizeof(setters[0]); i++)
		if (strcmp(colon + 1, setters[i].method) == 0)
			s = &setters[i];
	if (begin(r, &x, "container.clusters.update", RES_CLUSTER, 0) != 0)
		goto out;
	if (!s) {
		reply_internal(r);
		goto out;
	}
	body = jschema_body(r, 1, s->req);
	if (!body || !(cl = cluster_of(r, &x)))
		goto out;
	if (s->member) {
		json_t *v = json_object_get(body, s->member);
		if (!v || json_is_null(v)) {
			http_reply_gerror(r, 400, NULL, NULL, NULL, NULL, "%s must be specified.",
					  s->member);
			goto out;
		}
		if (strcmp(s->field, "legacyAbac") == 0) {
			if (!json_is_boolean(v)) {
				http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
						  "Invalid value for field \"enabled\".");
				goto out;
			}
			json_object_set_new(cl, "legacyAbac",
					    json_is_true(v) ? json_pack("{s:b}", "enabled", 1)
							    : json_object());
		} else if (strcmp(s->field, "currentMasterVersion") == 0) {
			if (!version_ok(json_string_value(v))) {
				http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
						  "Master version is unsupported.");
				goto out;
			}
			json_object_set_new(cl, s->field,
					    json_string(version_resolve(json_string_value(v))));
		} else {
			json_object_set(cl, s->field, v);
		}
	}
	snprintf(target, sizeof(target), "clusters/%s", x.cluster);
	update_commit(r, &x, cl, s->op_type, target, NULL);
out:
	json_decref(cl);
	json_decref(body);
	end(&x);
}

/* ---- node pools -------------------------------------------------------------------- */

/* The node pool of the path in an assembled cluster (borrowed); replies 404 if none. */
static json_t *pool_of(struct http_req *r, struct call *x, json_t *cl, size_t *index)
{
	json_t *np = pool_in(cl, x->pool, index);
	if (!np) {
		char what[KEY_MAX + 128];
		snprintf(what, sizeof(what), "%s/nodePools/%s", x->name, x->pool);
		reply_not_found(r, what);
	}
	return np;
}

/* GET .../clusters/{cluster}/nodePools */
static void pools_list(struct http_req *r)
{
	struct call x;
	json_t *cl = NULL;
	if (begin(r, &x, "container.clusters.get", RES_CLUSTER, 0) == 0 && (cl = cluster_of(r, &x))) {
		json_t *resp = json_object();
		if (resp && json_array_size(json_object_get(cl, "nodePools")))
			json_object_set(resp, "nodePools", json_object_get(cl, "nodePools"));
		http_reply_json(r, 200, resp);
	}
	json_decref(cl);
	end(&x);
}

/* GET .../clusters/{cluster}/nodePools/{pool} */
static void pools_get(struct http_req *r)
{
	struct call x;
	json_t *cl = NULL, *np;
	if (begin(r, &x, "container.clusters.get", RES_CLUSTER, 0) == 0 && (cl = cluster_of(r, &x)) &&
	    (np = pool_of(r, &x, cl, NULL)))
		http_reply_json(r, 200, json_incref(np));
	json_decref(cl);
	end(&x);
}

/* POST .../clusters/{cluster}/nodePools {"nodePool":{...},"parent"} */
static void pools_create(struct http_req *r)
{
	struct call x;
	struct gerr e = {0};
	json_t *body = NULL, *cl = NULL, *np = NULL;
	char target[300];
	if (begin(r, &x, "container.clusters.update", RES_CLUSTER, 0) != 0)
		goto out;
	body = jschema_body(r, 0, &jschema_container_CreateNodePoolRequest);
	if (!body || !(cl = cluster_of(r, &x)))
		goto out;
	np = pool_build(&x.p, x.loc, cl, json_object_get(body, "nodePool"), "node_pool", &e);
	if (!np) {
		reply_err(r, &e);
		goto out;
	}
	const char *name = json_string_value(json_object_get(np, "name"));
	if (pool_in(cl, name, NULL)) {
		http_reply_gerror(r, 409, NULL, NULL, NULL, NULL, "Already exists: %s/nodePools/%s.",
				  x.name, name);
		goto out;
	}
	if (json_array_size(json_object_get(cl, "nodePools")) >= POOLS_MAX) {
		http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
				  "A cluster may have at most %d node pools.", POOLS_MAX);
		goto out;
	}
	json_array_append(json_object_get(cl, "nodePools"), np);
	if (cloud_cluster_check(r, x.c, NULL, cl, name) != 0)
		goto out;
	snprintf(target, sizeof(target), "clusters/%s/nodePools/%s", x.cluster, name);
	update_commit(r, &x, cl, "CREATE_NODE_POOL", target, NULL);
out:
	json_decref(np);
	json_decref(cl);
	json_decref(body);
	end(&x);
}

/* DELETE .../clusters/{cluster}/nodePools/{pool} */
static void pools_delete(struct http_req *r)
{
	struct call x;
	json_t *cl = NULL;
	size_t index;
	char target[300];
	if (begin(r, &x, "container.clusters.update", RES_CLUSTER, 0) != 0 ||
	    !(cl = cluster_of(r, &x)) || !pool_of(r, &x, cl, &index))
		goto out;
	json_array_remove(json_object_get(cl, "nodePools"), index);
	snprintf(target, sizeof(target), "clusters/%s/nodePools/%s", x.cluster, x.pool);
	update_commit(r, &x, cl, "DELETE_NODE_POOL", target, x.pool);
out:
	json_decref(cl);
	end(&x);
}

/* Applies an UpdateNodePoolRequest to a node pool. 0, or -errno after replying. */
static int apply_pool_update(struct http_req *r, json_t *cl, json_t *np, const json_t *body)
{
	json_t *cfg = json_object_get(np, "config");
	json_t *v;
	struct gerr e = {0};
	if (!json_is_object(cfg)) {
		cfg = json_object();
		json_object_set_new(np, "config", cfg);
	}
	if ((v = json_object_get(body, "workloadMetadataConfig"))) {
		if (!json_is_object(v) ||
		    mode_ok(json_object_get(v, "mode"), "workload_metadata_config.mode", &e) != 0) {
			if (!json_is_object(v))
				seterr(&e, 400,
				       "Invalid value for field \"workload_metadata_config\".");
			reply_err(r, &e);
			return -EINVAL;
		}
		json_object_set_new(cfg, "workloadMetadataConfig",
				    json_pack("{s:O}", "mode", json_object_get(v, "mode")));
	}
	if ((v = json_object_get(body, "nodeVersion")) && !json_is_null(v)) {
		const char *ver = json_string_value(v);
		if (!version_ok(ver)) {
			char shown[ECHO_MAX];
			echo_json(shown, sizeof(shown), v);
			http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
					  "Node version %s is unsupported.", shown);
			return -EINVAL;
		}
		if (strcmp(ver, "-") == 0)
			ver = json_string_value(json_object_get(cl, "currentMasterVersion"));
		json_object_set_new(np, "version", json_string(version_resolve(ver)));
	}
	if ((v = json_object_get(body, "locations")) && json_array_size(v)) {
		size_t i;
		json_t *z;
		json_array_foreach(v, i, z)
		{
			if (!loc_ok(json_string_value(z)) || !is_zone(json_string_value(z)) ||
			    i >= LOCS_MAX) {
				http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
						  "Invalid value for field \"locations[%zu]\".", i);
				return -EINVAL;
			}
		}
		json_object_set(np, "locations", v);
	}
	/* Members that land in the node config as they are. */
	static const char *const plain[] = {"imageType", "machineType", "diskType", "diskSizeGb",
					    "kubeletConfig", "linuxNodeConfig", "gvnic",
					    "resourceLabels", "loggingConfig"};
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if ((v = json_object_get(body, plain[i])) && !json_is_null(v))
			json_object_set(cfg, plain[i], v);
	/* Wrapped lists: {"labels":{"labels":{...}}}, {"taints":{"taints":[...]}}, tags. */
	static const char *const wrapped[] = {"labels", "taints", "tags"};
	for (size_t i = 0; i < sizeof(wrapped) / sizeof(wrapped[0]); i++)
		if ((v = json_object_get(json_object_get(body, wrapped[i]), wrapped[i])))
			json_object_set(cfg, wrapped[i], v);
	if (json_is_object(v = json_object_get(body, "upgradeSettings")))
		json_object_set(np, "upgradeSettings", v);
	return 0;
}

/* PUT .../clusters/{cluster}/nodePools/{pool} (UpdateNodePoolRequest) */
static void pools_update(struct http_req *r)
{
	struct call x;
	json_t *body = NULL, *cl = NULL, *np;
	char target[300];
	if (begin(r, &x, "container.clusters.update", RES_CLUSTER, 0) != 0)
		goto out;
	body = jschema_body(r, 0, &jschema_container_UpdateNodePoolRequest);
	if (!body || !(cl = cluster_of(r, &x)) || !(np = pool_of(r, &x, cl, NULL)) ||
	    apply_pool_update(r, cl, np, body) != 0 ||
	    cloud_cluster_check(r, x.c, cl, cl, x.pool) != 0)
		goto out;
	snprintf(target, sizeof(target), "clusters/%s/nodePools/%s", x.cluster, x.pool);
	update_commit(r, &x, cl, "UPGRADE_NODES", target, NULL);
out:
	json_decref(cl);
	json_decref(body);
	end(&x);
}

/* POST .../nodePools/{pool}:setSize {"nodeCount"} | :setManagement {"management"} |
 * :setAutoscaling {"autoscaling"} */
static void pools_set(struct http_req *r)
{
	struct call x;
	json_t *body = NULL, *cl = NULL, *np;
	char target[300];
	const char *colon = strrchr(r->path, ':');
	const char *method = colon ? colon + 1 : "";
	if (begin(r, &x, "container.clusters.update", RES_CLUSTER, 0) != 0)
		goto out;
	const struct jschema_msg *req = &jschema_container_SetNodePoolAutoscalingRequest;
	if (strcmp(method, "setSize") == 0)
		req = &jschema_container_SetNodePoolSizeRequest;
	else if (strcmp(method, "setManagement") == 0)
		req = &jschema_container_SetNodePoolManagementRequest;
	body = jschema_body(r, 0, req);
	if (!body || !(cl = cluster_of(r, &x)) || !(np = pool_of(r, &x, cl, NULL)))
		goto out;
	const char *type = "UPDATE_CLUSTER";
	if (strcmp(method, "setSize") == 0) {
		json_t *n = json_object_get(body, "nodeCount");
		if (!json_is_integer(n) || json_integer_value(n) < 0 ||
		    json_integer_value(n) > NODES_MAX) {
			http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
					  "Invalid value for field \"node_count\": must be between 0 "
					  "and %d.",
					  NODES_MAX);
			goto out;
		}
		json_object_set(np, "initialNodeCount", n);
		type = "SET_NODE_POOL_SIZE";
	} else {
		int mgmt = strcmp(method, "setManagement") == 0;
		const char *member = mgmt ? "management" : "autoscaling";
		json_t *v = json_object_get(body, member);
		if (!json_is_object(v)) {
			http_reply_gerror(r, 400, NULL, NULL, NULL, NULL, "%s must be specified.",
					  member);
			goto out;
		}
		json_object_set(np, member, v);
		if (mgmt)
			type = "SET_NODE_POOL_MANAGEMENT";
	}
	snprintf(target, sizeof(target), "clusters/%s/nodePools/%s", x.cluster, x.pool);
	update_commit(r, &x, cl, type, target, NULL);
out:
	json_decref(cl);
	json_decref(body);
	end(&x);
}

/* ---- operations and server config -------------------------------------------------- */

/* GET /v1/projects/{project}/locations/{location}/operations/{operation} */
static void operations_get(struct http_req *r)
{
	struct call x;
	char key[KEY_MAX];
	if (begin(r, &x, "container.operations.get", RES_OPERATION, 0) == 0) {
		snprintf(key, sizeof(key), "/projects/%s/locations/%s/operations/%s", x.p.id, x.loc,
			 x.op);
		json_t *op = load(x.c->store, key, NULL);
		if (op) {
			http_reply_json(r, 200, op);
		} else {
			char what[KEY_MAX];
			snprintf(what, sizeof(what), "projects/%s/%s/%s/operations/%s", x.pp, x.seg,
				 x.loc, x.op);
			reply_not_found(r, what);
		}
	}
	end(&x);
}

/* GET /v1/projects/{project}/locations/{location}/operations (location may be "-") */
static void operations_list(struct http_req *r)
{
	struct call x;
	char prefix[KEY_MAX];
	struct store_kv *kvs = NULL;
	size_t n = 0;
	json_t *list = NULL;
	if (begin(r, &x, "container.operations.list", RES_PROJECT, 1) != 0)
		goto out;
	snprintf(prefix, sizeof(prefix), "/projects/%s/locations/", x.p.id);
	list = json_array();
	if (!list || store_range(x.c->store, prefix, 0, &kvs, &n, NULL) != 0) {
		reply_internal(r);
		goto out;
	}
	size_t plen = strlen(prefix), llen = strlen(x.loc);
	for (size_t i = 0; i < n; i++) {
		const char *rest = kvs[i].key + plen, *s = strchr(rest, '/');
		if (!s || strncmp(s, "/operations/", 12) != 0 || strchr(s + 12, '/'))
			continue;
		if (strcmp(x.loc, "-") != 0 &&
		    ((size_t)(s - rest) != llen || strncmp(rest, x.loc, llen) != 0))
			continue;
		json_t *op = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		if (json_is_object(op))
			json_array_append_new(list, op);
		else
			json_decref(op);
	}
	reply_list(r, "operations", list);
out:
	store_kvs_free(kvs, n);
	json_decref(list);
	end(&x);
}

/* GET /v1/projects/{project}/locations/{location}/serverConfig */
static void server_config(struct http_req *r)
{
	struct call x;
	if (begin(r, &x, "container.clusters.list", RES_PROJECT, 0) == 0) {
		static const char *const versions[] = {DEFAULT_VERSION, "1.30.4-gke.1348000",
						       "1.29.9-gke.1496000", "1.28.14-gke.1175000"};
		json_t *vs = json_array();
		for (size_t i = 0; vs && i < sizeof(versions) / sizeof(versions[0]); i++)
			json_array_append_new(vs, json_string(versions[i]));
		json_t *channels = json_array();
		static const char *const names[] = {"RAPID", "REGULAR", "STABLE"};
		for (size_t i = 0; channels && vs && i < 3; i++)
			json_array_append_new(channels,
					      json_pack("{s:s, s:s, s:O}", "channel", names[i],
							"defaultVersion", DEFAULT_VERSION,
							"validVersions", vs));
		json_t *resp = vs && channels
				       ? json_pack("{s:s, s:O, s:s, s:[s,s,s,s], s:O, s:O}",
						   "defaultClusterVersion", DEFAULT_VERSION,
						   "validNodeVersions", vs, "defaultImageType",
						   "COS_CONTAINERD", "validImageTypes",
						   "COS_CONTAINERD", "UBUNTU_CONTAINERD",
						   "WINDOWS_LTSC_CONTAINERD", "WINDOWS_SAC_CONTAINERD",
						   "validMasterVersions", vs, "channels", channels)
				       : NULL;
		http_reply_json(r, 200, resp);
		json_decref(channels);
		json_decref(vs);
	}
	end(&x);
}

/* ---- seeding and restart ------------------------------------------------------------- */

int container_cluster_create(struct cloud *c, const char *project, const char *location,
			     const json_t *spec, char *err, size_t errlen)
{
	struct proj p;
	struct gerr e = {0};
	json_t *proj = NULL, *req = NULL, *cl = NULL;
	char key[KEY_MAX], msg[300] = "", target[200];
	int rc = -EINVAL;
	static const char *const fields[] = {"name", "location", "workloadPool",
					     "workloadIdentity", "datapathProvider",
					     "currentMasterVersion", "nodePools", NULL};
	static const char *const pool_fields[] = {"name", "workloadMetadataMode", "nodeCount",
						  "machineType", NULL};
	const char *k;
	json_t *v;
	size_t i;
	err[0] = '\0';
	if (!loc_ok(location)) {
		snprintf(err, errlen, "invalid location \"%s\"", location ? location : "");
		goto out;
	}
	proj = cloud_project_get(c, project);
	if (!proj || proj_of(proj, &p) != 0) {
		snprintf(err, errlen, "unknown project \"%s\"", project ? project : "");
		rc = -ENOENT;
		goto out;
	}
	if (!json_is_object(spec)) {
		snprintf(err, errlen, "a cluster must be a mapping");
		goto out;
	}
	json_object_foreach((json_t *)spec, k, v)
	{
		for (i = 0; fields[i] && strcmp(fields[i], k) != 0; i++)
			;
		if (!fields[i]) {
			snprintf(err, errlen, "unknown cluster field \"%s\"", k);
			goto out;
		}
	}
	const char *sl = json_string_value(json_object_get(spec, "location"));
	if (sl && strcmp(sl, location) != 0) {
		snprintf(err, errlen, "cluster location \"%s\" differs from \"%s\"", sl, location);
		goto out;
	}
	req = json_pack("{s:O?}", "name", json_object_get(spec, "name"));
	if (!req) {
		rc = -ENOMEM;
		goto out;
	}
	json_t *pool = json_object_get(spec, "workloadPool");
	json_t *wi = json_object_get(spec, "workloadIdentity");
	if ((pool && !json_is_string(pool)) || (wi && !json_is_boolean(wi))) {
		snprintf(err, errlen, "workloadPool must be a string and workloadIdentity a boolean");
		goto out;
	}
	if (pool || json_is_true(wi)) {
		char want[160];
		snprintf(want, sizeof(want), "%s.svc.id.goog", p.id);
		json_object_set_new(req, "workloadIdentityConfig",
				    json_pack("{s:s}", "workloadPool",
					      pool ? json_string_value(pool) : want));
	}
	if ((v = json_object_get(spec, "datapathProvider")))
		json_object_set_new(req, "networkConfig", json_pack("{s:O}", "datapathProvider", v));
	if ((v = json_object_get(spec, "currentMasterVersion")))
		json_object_set(req, "initialClusterVersion", v);
	json_t *pools = json_object_get(spec, "nodePools");
	if (pools && !json_is_array(pools)) {
		snprintf(err, errlen, "nodePools must be a list");
		goto out;
	}
	if (json_array_size(pools)) {
		json_t *rp = json_array(), *sp;
		json_object_set_new(req, "nodePools", rp);
		json_array_foreach(pools, i, sp)
		{
			size_t f;
			if (!json_is_object(sp)) {
				snprintf(err, errlen, "each node pool must be a mapping");
				goto out;
			}
			json_object_foreach(sp, k, v)
			{
				for (f = 0; pool_fields[f] && strcmp(pool_fields[f], k) != 0; f++)
					;
				if (!pool_fields[f]) {
					snprintf(err, errlen, "unknown node pool field \"%s\"", k);
					goto out;
				}
			}
			json_t *cfg = json_object();
			json_t *np = json_pack("{s:O?, s:o}", "name", json_object_get(sp, "name"),
					       "config", cfg);
			if (!rp || !cfg || !np) {
				json_decref(np);
				rc = -ENOMEM;
				goto out;
			}
			if ((v = json_object_get(sp, "workloadMetadataMode")))
				json_object_set_new(cfg, "workloadMetadataConfig",
						    json_pack("{s:O}", "mode", v));
			if ((v = json_object_get(sp, "machineType")))
				json_object_set(cfg, "machineType", v);
			if ((v = json_object_get(sp, "nodeCount")))
				json_object_set(np, "initialNodeCount", v);
			json_array_append_new(rp, np);
		}
	}
	cl = cluster_build(&p, location, req, &e);
	if (!cl) {
		snprintf(err, errlen, "%s", e.msg);
		rc = e.code == 500 ? -ENOMEM : -EINVAL;
		goto out;
	}
	const char *name = json_string_value(json_object_get(cl, "name"));
	cluster_key(key, sizeof(key), &p, location, name);
	rc = create_commit(c, key, cl, msg, sizeof(msg));
	if (rc == -EEXIST)
		snprintf(err, errlen, "cluster %s already exists", name);
	else if (rc == -EIO)
		snprintf(err, errlen, "cluster %s: %s", name, msg);
	else if (rc != 0)
		snprintf(err, errlen, "cluster %s: %s", name, strerror(-rc));
	snprintf(target, sizeof(target), "clusters/%s", name);
	json_decref(op_record(c, &p, location, "CREATE_CLUSTER", target, rc ? err : NULL));
out:
	json_decref(cl);
	json_decref(req);
	json_decref(proj);
	return rc;
}

int container_clusters_resume(struct cloud *c, size_t *n_started)
{
	struct store_kv *kvs = NULL;
	size_t n = 0, started = 0;
	int first = 0;
	if (n_started)
		*n_started = 0;
	if (!c->on_cluster)
		return 0;
	int rc = store_range(c->store, "/projects/", 0, &kvs, &n, NULL);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		/* "/projects/P/locations/L/clusters/C" */
		const char *k = kvs[i].key + strlen("/projects/");
		const char *s = strchr(k, '/');
		char prefix[KEY_MAX];
		if (!s || strncmp(s, "/locations/", 11) != 0 ||
		    (size_t)(s + 11 - kvs[i].key) >= sizeof(prefix))
			continue;
		memcpy(prefix, kvs[i].key, (size_t)(s + 11 - kvs[i].key));
		prefix[s + 11 - kvs[i].key] = '\0';
		if (!is_cluster_key(kvs[i].key, prefix))
			continue;
		json_t *cl = assemble(c->store, kvs[i].key);
		if (!cl)
			continue;
		rc = c->on_cluster(c->on_cluster_arg, "create", cl);
		if (rc == 0)
			rc = store_cluster(c->store, kvs[i].key, cl, STORE_ANY_REV);
		if (rc == 0)
			started++;
		else if (!first)
			first = rc;
		json_decref(cl);
	}
	store_kvs_free(kvs, n);
	if (n_started)
		*n_started = started;
	return first;
}

/* ---- routes ------------------------------------------------------------------------ */

#define L "/container/v1/projects/{project}/locations/{location}"
#define Z "/container/v1/projects/{project}/zones/{location}"
#define C "/clusters/{cluster}"
#define NP "/clusters/{cluster}/nodePools/{pool}"

const struct http_route container_routes[] = {
	{"GET", L "/clusters", clusters_list},
	{"POST", L "/clusters", clusters_create},
	{"GET", L C, clusters_get},
	{"PUT", L C, clusters_update},
	{"DELETE", L C, clusters_delete},
	{"POST", L C ":setResourceLabels", clusters_set},
	{"POST", L C ":setLegacyAbac", clusters_set},
	{"POST", L C ":setNetworkPolicy", clusters_set},
	{"POST", L C ":setMaintenancePolicy", clusters_set},
	{"POST", L C ":setLogging", clusters_set},
	{"POST", L C ":setMonitoring", clusters_set},
	{"POST", L C ":setLocations", clusters_set},
	{"POST", L C ":setAddons", clusters_set},
	{"POST", L C ":setMasterAuth", clusters_set},
	{"POST", L C ":startIpRotation", clusters_set},
	{"POST", L C ":completeIpRotation", clusters_set},
	{"POST", L C ":updateMaster", clusters_set},
	{"GET", L C "/nodePools", pools_list},
	{"POST", L C "/nodePools", pools_create},
	{"GET", L NP, pools_get},
	{"PUT", L NP, pools_update},
	{"DELETE", L NP, pools_delete},
	{"POST", L NP ":setSize", pools_set},
	{"POST", L NP ":setManagement", pools_set},
	{"POST", L NP ":setAutoscaling", pools_set},
	{"GET", L "/operations", operations_list},
	{"GET", L "/operations/{operation}", operations_get},
	{"GET", L "/serverConfig", server_config},
	/* The legacy zonal API, for the same resources. */
	{"GET", Z "/clusters", clusters_list},
	{"POST", Z "/clusters", clusters_create},
	{"GET", Z C, clusters_get},
	{"PUT", Z C, clusters_update},
	{"DELETE", Z C, clusters_delete},
	{"GET", Z C "/nodePools", pools_list},
	{"POST", Z C "/nodePools", pools_create},
	{"GET", Z NP, pools_get},
	{"DELETE", Z NP, pools_delete},
	{"GET", Z "/operations", operations_list},
	{"GET", Z "/operations/{operation}", operations_get},
	{"GET", Z "/serverconfig", server_config},
};
const size_t container_n_routes = sizeof(container_routes) / sizeof(container_routes[0]);
