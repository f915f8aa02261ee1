/*
 * upnode.c - how `gkeid up` runs the node agent for its demo cluster: a client
 * certificate for system:node:local-node (group system:nodes) signed by the cluster's CA
 * (the Node authorizer and NodeRestriction decide what it may do), one for `gkeid exec`
 * (user gkeid-exec, who may create pods), the node's Google identity (the project's
 * Compute Engine default service account, as a GKE node's VM has, with a key in
 * DIR/nodes/ kept across restarts), and `gkeid node` as a child process that talks to
 * the server only through its public APIs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/http.h>
#include <openssl/crypto.h>

#include "cloud/cloud.h"
#include "core/httpconn.h"
#include "core/file.h"
#include "core/store.h"
#include "kube/kube.h"
#include "up/gcloudcfg.h"
#include "up/up.h"

extern char **environ;

#define NODE_NAME "local-node"

/* The node's own credential gets no RBAC: kube-apiserver's Node authorizer and
 * NodeRestriction (kube/nodeauthz.h) give it what a kubelet and GKE's metadata server
 * need for the pods bound to it, and nothing else. `gkeid exec` creates its pods as a
 * user of its own (a pod with a service account is no mirror pod, which is all a node may
 * create), as a developer's `kubectl run` would; the node then runs, updates and deletes
 * them. */
#define EXEC_USER "gkeid-exec"
static const char exec_role[] =
	"{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\","
	"\"metadata\":{\"name\":\"gkeid:exec\"},\"rules\":["
	"{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"create\"]}]}";
static const char exec_binding[] =
	"{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRoleBinding\","
	"\"metadata\":{\"name\":\"gkeid:exec\"},"
	"\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\","
	"\"name\":\"gkeid:exec\"},"
	"\"subjects\":[{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"User\","
	"\"name\":\"" EXEC_USER "\"}]}";

static int put_rbac(struct kube_cluster *cl, const char *resource, const char *text)
{
	const struct kube_resource *res =
		kube_resource_find("rbac.authorization.k8s.io", "v1", resource);
	json_t *obj = json_loads(text, 0, NULL);
	int rc = res && obj ? registry_put(cl, res, obj) : -EINVAL;
	json_decref(obj);
	return rc;
}

/* Earlier runs bound system:nodes to a ClusterRole gkeid:node-metadata that let any node
 * create pods anywhere and mint any service account's tokens: gone. */
static int drop_old_node_rbac(struct kube_cluster *cl)
{
	const char *resources[] = {"clusterrolebindings", "clusterroles"};
	char key[1024];
	for (size_t i = 0; i < 2; i++) {
		const struct kube_resource *res =
			kube_resource_find("rbac.authorization.k8s.io", "v1", resources[i]);
		if (!res)
			return -ENOENT;
		registry_key(cl, res, NULL, "gkeid:node-metadata", key, sizeof(key));
		int rc = *key ? store_delete(cl->kube->store, key, STORE_ANY_REV, NULL) : -EINVAL;
		if (rc != 0 && rc != -ENOENT)
			return rc;
	}
	return 0;
}

/* A client certificate for user (groups) signed by the cluster's CA, written to
 * DIR/keys/<file>.pem and <file>-key.pem (0600). */
static int write_client_cert(struct kube_cluster *cl, const char *dir, const char *file,
			     const char *user, const char *const *groups, size_t n_groups)
{
	char cert_path[PATH_MAX], key_path[PATH_MAX], *cert = NULL, *key = NULL;
	if ((size_t)snprintf(cert_path, sizeof(cert_path), "%s/keys/%s.pem", dir, file) >=
		    sizeof(cert_path) ||
	    (size_t)snprintf(key_path, sizeof(key_path), "%s/keys/%s-key.pem", dir, file) >=
		    sizeof(key_path))
		return -ENAMETOOLONG;
	int rc = kube_tls_client_cert(cl, user, groups, n_groups, &cert, &key);
	if (rc == 0)
		rc = file_write_atomic(cert_path, cert, strlen(cert), 0600);
	if (rc == 0)
		rc = file_write_atomic(key_path, key, strlen(key), 0600);
	free(cert);
	if (key)
		OPENSSL_cleanse(key, strlen(key));
	free(key);
	return rc;
}

/* The Node object of local-node, as a GKE node registers it: the node-pool label the
 * doctor (and `kubectl get nodes -L cloud.google.com/gke-nodepool`) reads, Ready. */
static int put_node(struct kube_cluster *cl, const char *location)
{
	const struct kube_resource *res = kube_resource_find("", "v1", "nodes");
	json_t *node = json_pack(
		"{s:s, s:s, s:{s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}},"
		" s:{s:[{s:s, s:s, s:s, s:s}], s:[{s:s, s:s}, {s:s, s:s}],"
		" s:{s:s, s:s, s:s, s:s}}}",
		"apiVersion", "v1", "kind", "Node", "metadata", "name", NODE_NAME, "labels",
		"cloud.google.com/gke-nodepool", "default-pool",
		"iam.gke.io/gke-metadata-server-enabled", "true", "kubernetes.io/hostname",
		NODE_NAME, "kubernetes.io/os", "linux", "topology.kubernetes.io/region", location,
		"node.kubernetes.io/instance-type", "e2-medium", "status", "conditions", "type",
		"Ready", "status", "True", "reason", "KubeletReady", "message",
		"kubelet is posting ready status", "addresses", "type", "InternalIP", "address",
		"127.0.0.1", "type", "Hostname", "address", NODE_NAME, "nodeInfo", "kubeletVersion",
		"v1.30.5-gke.1014001", "operatingSystem", "linux", "architecture", "amd64",
		"containerRuntimeVersion", "gkeid://1");
	int rc = res && node ? registry_put(cl, res, node) : -ENOMEM;
	json_decref(node);
	return rc;
}

/* Is the key file at path one the server still accepts (its account and key exist and
 * are enabled)? Then its URLs are pointed at this run's server (the port may have
 * changed) and 1 is returned; 0 when a new key is needed, or -errno. */
static int key_file_reuse(struct cloud *c, const char *path, const char *email)
{
	json_t *j = json_load_file(path, 0, NULL);
	const char *e = json_string_value(json_object_get(j, "client_email"));
	const char *kid = json_string_value(json_object_get(j, "private_key_id"));
	const char *uri = json_string_value(json_object_get(j, "token_uri"));
	char want[300], certs[300];
	int rc = 0;
	snprintf(want, sizeof(want), "%s/oauth2/token", c->base_url);
	snprintf(certs, sizeof(certs), "%s/oauth2/v1/certs", c->base_url);
	if (!e || !kid || !uri || strcmp(e, email) != 0 || !iamapi_key_usable(c, email, kid))
		goto out;
	rc = 1;
	if (strcmp(uri, want) == 0)
		goto out;
	char *enc = evhttp_uriencode(email, -1, 0), x509[1200];
	if (!enc) {
		rc = -ENOMEM;
		goto out;
	}
	snprintf(x509, sizeof(x509), "%s/service_accounts/v1/metadata/x509/%s", c->base_url, enc);
	free(enc);
	char *text = NULL;
	if (json_object_set_new(j, "token_uri", json_string(want)) != 0 ||
	    json_object_set_new(j, "auth_provider_x509_cert_url", json_string(certs)) != 0 ||
	    json_object_set_new(j, "client_x509_cert_url", json_string(x509)) != 0 ||
	    !(text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER))) {
		rc = -ENOMEM;
		goto out;
	}
	int w = file_write_atomic(path, text, strlen(text), 0600);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	if (w != 0)
		rc = w;
out:
	if (j) {
		/* the private key is in the parsed tree: no copy of it stays behind */
		json_t *pk = json_object_get(j, "private_key");
		const char *v = json_string_value(pk);
		if (v)
			OPENSSL_cleanse((void *)v, strlen(v));
	}
	json_decref(j);
	return rc;
}

/* Appends to argv (at most 8 entries, values in vals) the flags that repeat what was set
 * in lim, for the child `gkeid node`. Returns the number of entries. */
static size_t conn_limit_args(const struct http_limits *lim, char vals[4][32], char **argv)
{
	size_t n = 0;
	if (lim->max_conns > 0) {
		snprintf(vals[0], 32, "%ld", lim->max_conns);
		argv[n++] = "--max-connections";
		argv[n++] = vals[0];
	}
	const struct {
		const char *flag;
		int64_t ms;
	} d[] = {{"--handshake-timeout", lim->handshake_ms},
		 {"--header-timeout", lim->header_ms},
		 {"--idle-timeout", lim->idle_ms}};
	for (size_t i = 0; i < 3; i++)
		if (d[i].ms > 0) {
			snprintf(vals[i + 1], 32, "%lldms", (long long)d[i].ms);
			argv[n++] = (char *)d[i].flag;
			argv[n++] = vals[i + 1];
		}
	return n;
}

/* The node's Google identity: the project's Compute Engine default service account and
 * a key for it at path (0600), made once and reused while the server accepts it. */
static int node_identity(struct cloud *c, const char *project, const char *path)
{
	char email[320];
	char *file = NULL;
	int rc = iamapi_compute_sa_ensure(c, project, email, sizeof(email));
	if (rc != 0)
		return rc;
	if ((rc = key_file_reuse(c, path, email)) != 0)
		return rc < 0 ? rc : 0;
	if ((rc = iamapi_key_file_new(c, email, &file)) != 0)
		return rc;
	rc = file_write_atomic(path, file, strlen(file), 0600);
	OPENSSL_cleanse(file, strlen(file));
	free(file);
	return rc;
}

int upnode_start(struct kube *k, struct cloud *c, const char *dir, const char *project,
		 const char *location, const char *cluster, pid_t *pid)
{
	char cert_path[PATH_MAX], key_path[PATH_MAX], ca_path[PATH_MAX], state[PATH_MAX];
	char sa_key[PATH_MAX];
	char server[128], number[32] = "", self[PATH_MAX];
	const char *groups[] = {"system:nodes"};
	struct kube_cluster *cl = kube_cluster_find(k, project, location, cluster);
	int rc;
	*pid = 0;
	if (!cl)
		return -ENOENT;
	if ((rc = drop_old_node_rbac(cl)) != 0 ||
	    (rc = put_rbac(cl, "clusterroles", exec_role)) != 0 ||
	    (rc = put_rbac(cl, "clusterrolebindings", exec_binding)) != 0 ||
	    (rc = put_node(cl, location)) != 0)
		return rc;
	snprintf(cert_path, sizeof(cert_path), "%s/keys/node-" NODE_NAME ".pem", dir);
	snprintf(key_path, sizeof(key_path), "%s/keys/node-" NODE_NAME "-key.pem", dir);
	if ((rc = kube_tls_ca_path(cl, ca_path, sizeof(ca_path))) != 0 ||
	    (rc = write_client_cert(cl, dir, "node-" NODE_NAME, "system:node:" NODE_NAME, groups,
				    1)) != 0 ||
	    (rc = write_client_cert(cl, dir, "exec", EXEC_USER, NULL, 0)) != 0)
		return rc;
	snprintf(state, sizeof(state), "%s/nodes", dir);
	if (mkdir(state, 0700) != 0 && errno != EEXIST)
		return -errno;
	snprintf(sa_key, sizeof(sa_key), "%s/nodes/" NODE_NAME "-sa-key.json", dir);
	if ((rc = node_identity(c, project, sa_key)) != 0)
		return rc;
	snprintf(state, sizeof(state), "%s/nodes/" NODE_NAME ".json", dir);
	unlink(state); /* the node writes it once it serves */
	json_t *p = cloud_project_get(c, project);
	snprintf(number, sizeof(number), "%s",
		 json_string_value(json_object_get(p, "projectNumber")) ?: "");
	json_decref(p);
	snprintf(server, sizeof(server), "https://%s", cl->endpoint);
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -errno;
	self[n] = '\0';
	char *argv[] = {self,
			"node",
			"--node-name",
			NODE_NAME,
			"--kube-server",
			server,
			"--kube-ca",
			ca_path,
			"--kube-cert",
			cert_path,
			"--kube-key",
			key_path,
			"--cloud-url",
			c->base_url,
			"--project",
			(char *)project,
			"--project-number",
			number,
			"--location",
			(char *)location,
			"--cluster",
			(char *)cluster,
			"--cluster-uid",
			cl->uid,
			"--credentials",
			sa_key,
			"--pool-poll",
			"1s",
			"--listen",
			"local",
			"--port",
			"0",
			"--state-file",
			state,
			"--exit-with-parent",
			NULL};
	/* up's connection limits, as given, hold for the metadata server too */
	char *args[sizeof(argv) / sizeof(argv[0]) + 8], vals[4][32];
	size_t argc = 0;
	for (; argv[argc]; argc++)
		args[argc] = argv[argc];
	argc += conn_limit_args(&k->limits, vals, args + argc);
	args[argc] = NULL;
	rc = posix_spawn(pid, self, NULL, NULL, args, environ);
	return rc == 0 ? 0 : -rc;
}

int upnode_ready(const char *dir)
{
	char state[PATH_MAX];
	struct stat st;
	snprintf(state, sizeof(state), "%s/nodes/" NODE_NAME ".json", dir);
	return stat(state, &st) == 0 && st.st_size > 0;
}
