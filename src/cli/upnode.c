/*
 * upnode.c - how `gkeid up` runs the node agent for its demo cluster: a client
 * certificate for system:node:local-node (group system:nodes) signed by the cluster CA,
 * the RBAC a Node authorizer would give it, and `gkeid node` as a child process that
 * talks to the server only through its public APIs.
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

#include "cli/cli.h"
#include "cli/gcloudcfg.h"
#include "cloud/cloud.h"
#include "kube/kube.h"

extern char **environ;

#define NODE_NAME "local-node"

/* What the node needs from the Kubernetes API: its pods (and, for `gkeid exec`, to
 * create and delete them and set their status), service accounts and their tokens,
 * and events (warnings about a pod, as the kubelet posts). */
static const char node_role[] =
	"{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\","
	"\"metadata\":{\"name\":\"gkeid:node-metadata\"},\"rules\":["
	"{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],"
	"\"verbs\":[\"get\",\"list\",\"watch\",\"create\",\"delete\"]},"
	"{\"apiGroups\":[\"\"],\"resources\":[\"pods/status\"],\"verbs\":[\"get\",\"update\",\"patch\"]},"
	"{\"apiGroups\":[\"\"],\"resources\":[\"serviceaccounts\"],\"verbs\":[\"get\"]},"
	"{\"apiGroups\":[\"\"],\"resources\":[\"serviceaccounts/token\"],\"verbs\":[\"create\"]},"
	"{\"apiGroups\":[\"\"],\"resources\":[\"events\"],\"verbs\":[\"create\",\"patch\"]}]}";
static const char node_binding[] =
	"{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRoleBinding\","
	"\"metadata\":{\"name\":\"gkeid:node-metadata\"},"
	"\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\","
	"\"name\":\"gkeid:node-metadata\"},"
	"\"subjects\":[{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"Group\","
	"\"name\":\"system:nodes\"}]}";

static int put_rbac(struct kube_cluster *cl, const char *resource, const char *text)
{
	const struct kube_resource *res =
		kube_resource_find("rbac.authorization.k8s.io", "v1", resource);
	json_t *obj = json_loads(text, 0, NULL);
	int rc = res && obj ? registry_put(cl, res, obj) : -EINVAL;
	json_decref(obj);
	return rc;
}

int upnode_start(struct kube *k, struct cloud *c, const char *dir, const char *project,
		 const char *location, const char *cluster, pid_t *pid)
{
	char cert_path[PATH_MAX], key_path[PATH_MAX], ca_path[PATH_MAX], state[PATH_MAX];
	char server[128], number[32] = "", self[PATH_MAX];
	char *cert = NULL, *key = NULL;
	const char *groups[] = {"system:nodes"};
	struct kube_cluster *cl = kube_cluster_find(k, project, location, cluster);
	int rc;
	*pid = 0;
	if (!cl)
		return -ENOENT;
	if ((rc = put_rbac(cl, "clusterroles", node_role)) != 0 ||
	    (rc = put_rbac(cl, "clusterrolebindings", node_binding)) != 0)
		return rc;
	snprintf(cert_path, sizeof(cert_path), "%s/keys/node-" NODE_NAME ".pem", dir);
	snprintf(key_path, sizeof(key_path), "%s/keys/node-" NODE_NAME "-key.pem", dir);
	snprintf(ca_path, sizeof(ca_path), "%s/keys/ca.pem", dir);
	rc = kube_tls_client_cert(k, "system:node:" NODE_NAME, groups, 1, &cert, &key);
	if (rc == 0)
		rc = gcloudcfg_write_file(cert_path, cert, strlen(cert), 0600);
	if (rc == 0)
		rc = gcloudcfg_write_file(key_path, key, strlen(key), 0600);
	free(cert);
	free(key);
	if (rc != 0)
		return rc;
	snprintf(state, sizeof(state), "%s/nodes", dir);
	if (mkdir(state, 0700) != 0 && errno != EEXIST)
		return -errno;
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
	char *argv[] = {self, "node", "--node-name", NODE_NAME, "--kube-server", server,
			"--kube-ca", ca_path, "--kube-cert", cert_path, "--kube-key", key_path,
			"--cloud-url", c->base_url, "--project", (char *)project,
			"--project-number", number, "--location", (char *)location,
			"--cluster", (char *)cluster, "--cluster-uid", cl->uid,
			"--listen", "local", "--port", "0", "--state-file", state,
			"--exit-with-parent", NULL};
	rc = posix_spawn(pid, self, NULL, NULL, argv, environ);
	return rc == 0 ? 0 : -rc;
}

int upnode_ready(const char *dir)
{
	char state[PATH_MAX];
	struct stat st;
	snprintf(state, sizeof(state), "%s/nodes/" NODE_NAME ".json", dir);
	return stat(state, &st) == 0 && st.st_size > 0;
}
