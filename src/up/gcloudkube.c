/*
 * gcloudkube.c - the kubeconfig that gcloud 528's `gcloud container clusters
 * get-credentials CLUSTER --location LOCATION` writes for a cluster, written by `gkeid up`
 * itself when it can be sure of gcloud's result, so that a start does not run gcloud
 * (about two CPU-seconds) to rewrite it.
 *
 * gcloud's writer (googlecloudsdk/api_lib/container/kubeconfig.py) names the cluster,
 * context and user gke_PROJECT_LOCATION_CLUSTER, points the server at https://ENDPOINT
 * with the cluster's CA, authenticates with the exec plugin gke-gcloud-auth-plugin
 * (_ExecAuthPlugin), makes the context current, and dumps the whole file with PyYAML
 * (keys sorted, long plain scalars folded at 80 columns). That result is written here
 * byte for byte when the file is new or holds nothing but this cluster's own entries.
 * Anything else (other clusters' entries to merge, a [container] property in the gcloud
 * configuration that changes the user entry, a cluster reached by its DNS endpoint, a name
 * PyYAML would quote) is left to gcloud: gcloudcfg_kubeconfig then answers 1.
 */
#include "up/gcloudcfg.h"
#include "core/dbuf.h"
#include "core/file.h"
#include "core/gcloudfiles.h"
#include "core/yaml.h"

#include <errno.h>
#include <limits.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The exec plugin's installHint as PyYAML folds it (kubeconfig.py's
 * GKE_GCLOUD_AUTH_INSTALL_HINT). */
#define INSTALL_HINT                                                                       \
	"Install gke-gcloud-auth-plugin for use with kubectl by following\n"               \
	"        https://cloud.google.com/kubernetes-engine/docs/how-to/"                  \
	"cluster-access-for-kubectl#install_plugin"

/* True when s is non-empty and every byte is in set: a plain scalar PyYAML writes as is. */
static int plain(const char *s, const char *set)
{
	return s && *s && strspn(s, set) == strlen(s);
}

/* True when the list (null, or an array of {"name":...}) holds only name's entry. */
static int only_entry(json_t *list, const char *name)
{
	size_t i;
	json_t *e;
	if (!list || json_is_null(list))
		return 1;
	if (!json_is_array(list) || json_array_size(list) > 1)
		return 0;
	json_array_foreach(list, i, e)
	{
		const char *n = json_string_value(json_object_get(e, "name"));
		if (!n || strcmp(n, name) != 0)
			return 0;
	}
	return 1;
}

/* True when the kubeconfig at path is absent or holds only name's entries (what an
 * earlier start wrote), so that writing it whole loses nothing. */
static int only_ours(const char *path, const char *name)
{
	static const char *const keys[] = {"apiVersion", "clusters", "contexts",	"current-context",
					   "kind",	 "preferences", "users"};
	char *text = NULL, err[128];
	size_t len, i;
	json_t *doc = NULL, *v;
	const char *k;
	int rc = file_read_small(path, 1 << 20, &text, &len), ours = 0;
	if (rc == -ENOENT)
		return 1;
	if (rc != 0 || yaml_to_json(text, len, &doc, err, sizeof(err)) != 0 ||
	    !json_is_object(doc))
		goto out;
	json_object_foreach(doc, k, v)
	{
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && strcmp(k, keys[i]) != 0; i++)
			;
		if (i == sizeof(keys) / sizeof(keys[0]))
			goto out;
	}
	v = json_object_get(doc, "preferences");
	ours = (!v || json_is_null(v) || (json_is_object(v) && json_object_size(v) == 0)) &&
	       only_entry(json_object_get(doc, "clusters"), name) &&
	       only_entry(json_object_get(doc, "contexts"), name) &&
	       only_entry(json_object_get(doc, "users"), name);
out:
	json_decref(doc);
	free(text);
	return ours;
}

int gcloudcfg_context(char *out, size_t len, const char *project, const char *location,
		      const char *cluster)
{
	return sfmt(out, len, "gke_%s_%s_%s", project, location, cluster);
}

int gcloudcfg_kubeconfig(const char *path, const char *gcloud_dir, const char *project,
			 const char *location, const json_t *cluster)
{
	static const char name_set[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
	static const char b64_set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				      "0123456789+/=";
	const char *cname = json_string_value(json_object_get(cluster, "name"));
	const char *endpoint = json_string_value(json_object_get(cluster, "endpoint"));
	const char *ca = json_string_value(
		json_object_get(json_object_get(cluster, "masterAuth"), "clusterCaCertificate"));
	json_t *ip = json_object_get(json_object_get(cluster, "controlPlaneEndpointsConfig"),
				     "ipEndpointsConfig");
	char name[300];
	struct dbuf b = DBUF_INIT(64 * 1024);
	/* gcloud reaches a cluster whose IP endpoints are off by its DNS endpoint. */
	if (json_is_false(json_object_get(ip, "enabled")) || !plain(project, name_set) ||
	    !plain(location, name_set) || !plain(cname, name_set) ||
	    !plain(endpoint, "0123456789.:abcdef[]") || !plain(ca, b64_set) ||
	    gcloudcfg_context(name, sizeof(name), project, location, cname) != 0 ||
	    !only_ours(path, name))
		return 1;
	struct gcloud_active cfg;
	gcloud_active_read(gcloud_dir, &cfg);
	if (cfg.container)
		return 1;
	dbuf_printf(&b,
		    "apiVersion: v1\n"
		    "clusters:\n"
		    "- cluster:\n"
		    "    certificate-authority-data: %s\n"
		    "    server: https://%s\n"
		    "  name: %s\n"
		    "contexts:\n"
		    "- context:\n"
		    "    cluster: %s\n"
		    "    user: %s\n"
		    "  name: %s\n"
		    "current-context: %s\n"
		    "kind: Config\n"
		    "preferences: {}\n"
		    "users:\n"
		    "- name: %s\n"
		    "  user:\n"
		    "    exec:\n"
		    "      apiVersion: client.authentication.k8s.io/v1beta1\n"
		    "      command: gke-gcloud-auth-plugin\n"
		    "      installHint: " INSTALL_HINT "\n"
		    "      provideClusterInfo: true\n",
		    ca, endpoint, name, name, name, name, name, name);
	int rc = b.oom ? -ENOMEM : file_write_atomic(path, b.p, b.len, 0600);
	dbuf_free(&b);
	return rc;
}

/* The exec plugin's cache (cmd/gke-gcloud-auth-plugin in kubernetes/cloud-provider-gcp:
 * gke_gcloud_auth_plugin_cache beside the kubeconfig, its cache struct marshalled with
 * json.MarshalIndent and four spaces, no newline at the end, written atomically 0600).
 * token_expiry is config-helper's token_expiry ("%Y-%m-%dT%H:%M:%SZ") through Go's
 * RFC3339Nano, which for whole seconds is the same text. */
int gcloudcfg_plugin_cache(const char *kubeconfig, const char *gcloud_dir, const char *context,
			   const char *account, const char *token, time_t expiry)
{
	static const char token_set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					"0123456789-._~+/=";
	char path[PATH_MAX + 64], when[32];
	struct gcloud_active cfg;
	struct tm tm;
	const char *slash = strrchr(kubeconfig, '/');
	int rc = slash ? SFMT(path, "%.*s/gke_gcloud_auth_plugin_cache",
			      (int)(slash - kubeconfig), kubeconfig)
		       : SFMT(path, "gke_gcloud_auth_plugin_cache");
	if (rc != 0)
		return rc;
	gcloud_active_read(gcloud_dir, &cfg);
	if (!token || cfg.auth || strcmp(cfg.account, account) != 0 ||
	    !plain(token, token_set) || !plain(context, "abcdefghijklmnopqrstuvwxyz0123456789-_") ||
	    !gmtime_r(&expiry, &tm) || !strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return unlink(path) == 0 || errno == ENOENT ? 0 : -errno;
	struct dbuf b = DBUF_INIT(8192);
	dbuf_printf(&b,
		    "{\n"
		    "    \"current_context\": \"%s\",\n"
		    "    \"access_token\": \"%s\",\n"
		    "    \"token_expiry\": \"%s\",\n"
		    "    \"extra_args\": \"\"\n"
		    "}",
		    context, token, when);
	rc = b.oom ? -ENOMEM : file_write_atomic(path, b.p, b.len, 0600);
	dbuf_free(&b);
	return rc;
}
