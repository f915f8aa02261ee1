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
 *
 * This file holds the request context, the methods and their routes; container_store.c
 * and container_build.c the rest (container_int.h).
 */
#include "cloud/container_int.h"
#include "cloud/hier.h"

/* What the patch that turns Workload Identity on needs of the service agent: it deploys
 * gke-metadata-server (a DaemonSet and its RBAC) and acts as node service accounts. Of the
 * predefined roles only roles/container.serviceAgent (and owner) grants all three. */
static const char *const deploy_permissions[] = {
	"container.daemonSets.update",
	"container.clusterRoleBindings.create",
	"iam.serviceAccounts.actAs",
};

/* ---- request context --------------------------------------------------------------- */

enum res { RES_PROJECT, RES_CLUSTER, RES_OPERATION };

struct call {
	struct cloud_call cc;
	struct cloud *c; /* cc.c */
	struct proj p;
	const char *pp;	     /* the project as the path names it */
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

/* Authenticates, checks the path, finds the project, checks the route's permission on it
 * and that the API is enabled (in that order, as GKE). Replies itself on failure. 0 or
 * -errno; end(x) either way. */
static int begin(struct http_req *r, struct call *x, enum res what, int any_loc)
{
	char res[KEY_MAX];
	memset(x, 0, sizeof(*x));
	if (cloud_call_begin(&x->cc, r, NULL) != 0)
		return -EACCES;
	x->c = x->cc.c;
	const char *permission = x->cc.permission;
	x->pp = http_param(r, "project");
	x->loc = http_param(r, "location");
	x->cluster = http_param(r, "cluster");
	x->pool = http_param(r, "pool");
	x->op = http_param(r, "operation");
	x->seg = r->route && strstr(r->route->pattern, "/zones/") ? "zones" : "locations";
	if (!cloud_id_ok(x->pp) || !x->loc || (x->cluster && !container_token_ok(x->cluster)) ||
	    (x->pool && !container_token_ok(x->pool)) || (x->op && !container_token_ok(x->op))) {
		char shown[ECHO_MAX];
		gerr_echo(shown, sizeof(shown), r->path);
		http_reply_gerror(r, 400, NULL, NULL, NULL, NULL, "Invalid resource name: \"%s\".",
				  shown);
		return -EINVAL;
	}
	if (!container_loc_ok(x->loc) && !(any_loc && strcmp(x->loc, "-") == 0)) {
		char shown[ECHO_MAX];
		gerr_echo(shown, sizeof(shown), x->loc);
		http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
				  "Location \"%s\" is not a valid region or zone.", shown);
		return -EINVAL;
	}
	int rc = SFMT(x->name, "projects/%s/%s/%s/clusters/%s", x->pp, x->seg, x->loc,
		      x->cluster ? x->cluster : "");
	if (rc == 0 && what == RES_PROJECT)
		rc = SFMT(res, "projects/%s", x->pp);
	else if (rc == 0 && what == RES_CLUSTER)
		rc = SFMT(res, "%s", x->name);
	else if (rc == 0)
		rc = SFMT(res, "projects/%s/%s/%s/operations/%s", x->pp, x->seg, x->loc,
			  x->op ? x->op : "");
	if (rc != 0) {
		char shown[ECHO_MAX];
		gerr_echo(shown, sizeof(shown), r->path);
		http_reply_gerror(r, 400, NULL, NULL, NULL, NULL, "Invalid resource name: \"%s\".",
				  shown);
		return -EINVAL;
	}
	if (cloud_call_project(&x->cc, x->pp) != 0 ||
	    container_proj_of(x->cc.project, &x->p) != 0) {
		deny(r, permission, res);
		return -EACCES;
	}
	const char *resources[] = {x->cc.project_res};
	if (!cloud_call_allowed(&x->cc, NULL, resources, 1)) {
		deny(r, permission, res);
		return -EACCES;
	}
	if (cloud_call_service(&x->cc) != 0)
		return -EPERM;
	if (x->cluster &&
	    container_cluster_key(x->key, sizeof(x->key), &x->p, x->loc, x->cluster)) {
		cloud_reply_internal(r); /* cannot be: the parts were checked */
		return -ENAMETOOLONG;
	}
	return 0;
}

static void end(struct call *x)
{
	cloud_call_end(&x->cc);
}

static void reply_not_found(struct http_req *r, const char *what)
{
	http_reply_gerror(r, 404, NULL, NULL, NULL, NULL, "Not found: %s.", what);
}

/* The cluster of the path, assembled; replies 404 when there is none. */
static json_t *cluster_of(struct http_req *r, struct call *x)
{
	json_t *cl = container_assemble(x->c->store, x->key);
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
	if (container_run_hook(x->c, "update", cl, msg, sizeof(msg)) == 0) {
		int rc = container_store_cluster(x->c->store, x->key, cl, STORE_ANY_REV);
		if (rc == 0 && gone_pool) {
			char pkey[KEY_MAX + 64];
			rc = SFMT(pkey, "%s/nodePools/%s", x->key, gone_pool);
			if (rc == 0)
				rc = store_delete(x->c->store, pkey, STORE_ANY_REV, NULL);
		}
		if (rc != 0) {
			cloud_reply_internal(r);
			return;
		}
	}
	container_reply_op(r, x->c, &x->p, x->loc, type, target, msg[0] ? msg : NULL);
}

/* ---- clusters ---------------------------------------------------------------------- */

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
	if (begin(r, &x, RES_PROJECT, 1) != 0)
		goto out;
	list = json_array();
	if (!list || SFMT(prefix, "/projects/%s/locations/", x.p.id) != 0 ||
	    store_range(x.c->store, prefix, 0, &kvs, &n, NULL) != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	size_t llen = strlen(x.loc);
	for (size_t i = 0; i < n; i++) {
		const char *k = kvs[i].key;
		if (!container_is_cluster_key(k, prefix))
			continue;
		if (strcmp(x.loc, "-") != 0 && (strncmp(k + strlen(prefix), x.loc, llen) != 0 ||
						k[strlen(prefix) + llen] != '/'))
			continue;
		json_t *cl = container_assemble(x.c->store, k);
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
	if (begin(r, &x, RES_CLUSTER, 0) == 0) {
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
	if (begin(r, &x, RES_PROJECT, 0) != 0)
		goto out;
	if (cloud_call_body(&x.cc, 0, &jschema_container_CreateClusterRequest) != 0)
		goto out;
	body = x.cc.body;
	cl = container_cluster_build(&x.p, x.loc, json_object_get(body, "cluster"), &e);
	if (!cl) {
		container_reply_err(r, &e);
		goto out;
	}
	if (cloud_cluster_check(r, x.c, NULL, cl, NULL) != 0)
		goto out;
	const char *name = json_string_value(json_object_get(cl, "name"));
	int rc = container_cluster_key(key, sizeof(key), &x.p, x.loc, name);
	if (rc == 0)
		rc = container_create_commit(x.c, key, cl, msg, sizeof(msg));
	if (rc == -EEXIST) {
		http_reply_gerror(r, 409, NULL, NULL, NULL, NULL,
				  "Already exists: projects/%s/%s/%s/clusters/%s.", x.pp, x.seg,
				  x.loc, name);
		goto out;
	}
	if (rc != 0 && rc != -EIO) {
		cloud_reply_internal(r);
		goto out;
	}
	snprintf(target, sizeof(target), "clusters/%s", name);
	container_reply_op(r, x.c, &x.p, x.loc, "CREATE_CLUSTER", target, rc == -EIO ? msg : NULL);
out:
	json_decref(cl);
	end(&x);
}

/* DELETE /v1/projects/{project}/locations/{location}/clusters/{cluster} */
static void clusters_delete(struct http_req *r)
{
	struct call x;
	json_t *cl = NULL;
	char msg[300] = "", target[200];
	if (begin(r, &x, RES_CLUSTER, 0) != 0 || !(cl = cluster_of(r, &x)))
		goto out;
	if (container_run_hook(x.c, "delete", cl, msg, sizeof(msg)) == 0 &&
	    container_unstore_cluster(x.c->store, x.key) != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	snprintf(target, sizeof(target), "clusters/%s", x.cluster);
	container_reply_op(r, x.c, &x.p, x.loc, "DELETE_CLUSTER", target, msg[0] ? msg : NULL);
out:
	json_decref(cl);
	end(&x);
}

/* True when the Kubernetes Engine service agent may deploy the Workload Identity patch
 * (holds the permissions that roles/container.serviceAgent gives it). */
static int agent_ready(struct cloud *c, const struct proj *p)
{
	char member[200], email[160], resource[160];
	if (SFMT(email, "service-%s@container-engine-robot.iam.gserviceaccount.com", p->num) ||
	    SFMT(member, "serviceAccount:%s", email) || SFMT(resource, "projects/%s", p->id))
		return 0;
	struct iam_principal agent = {
		.members = {member}, .n_members = 1, .email = email, .authenticated = 1};
	const char *resources[] = {resource};
	for (size_t i = 0; i < sizeof(deploy_permissions) / sizeof(deploy_permissions[0]); i++)
		if (!iam_check(c->iam, resources, 1, &agent, deploy_permissions[i], cloud_now_ms()))
			return 0;
	return 1;
}

/* Fields that a generic desiredX may not overwrite. */
static const char *const protected_fields[] = {"name",
					       "selfLink",
					       "endpoint",
					       "masterAuth",
					       "status",
					       "nodePools",
					       "id",
					       "location",
					       "zone",
					       "createTime",
					       "currentNodeCount",
					       "currentNodeVersion",
					       "initialClusterVersion",
					       "networkConfig",
					       "workloadIdentityConfig"};

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

/* update.desiredWorkloadIdentityConfig: only the project's own pool, or none. */
static int upd_workload_identity(struct http_req *r, struct call *x, json_t *cl, const json_t *v,
				 int *enable_wi)
{
	char shown[ECHO_MAX], want[160];
	const char *pool = json_string_value(json_object_get(v, "workloadPool"));
	const char *old = json_string_value(
		json_object_get(json_object_get(cl, "workloadIdentityConfig"), "workloadPool"));
	snprintf(want, sizeof(want), "%s.svc.id.goog", x->p.id);
	if (!json_is_object(v) || (json_object_get(v, "workloadPool") && !pool &&
				   !json_is_null(json_object_get(v, "workloadPool")))) {
		http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
				  "Invalid value for field "
				  "\"update.desired_workload_identity_config\".");
		return -EINVAL;
	}
	if (!pool || !*pool) {
		json_object_del(cl, "workloadIdentityConfig");
		return 0;
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
	json_object_set_new(cl, "workloadIdentityConfig", json_pack("{s:s}", "workloadPool", pool));
	return 0;
}

/* update.desiredMasterVersion and desiredNodeVersion ("-": the master's). */
static int upd_version(struct http_req *r, struct call *x, json_t *cl, const char *key,
		       const json_t *v, const char *pool_id)
{
	char shown[ECHO_MAX];
	const char *ver = json_string_value(v);
	if (!container_version_ok(ver)) {
		container_echo_json(shown, sizeof(shown), v);
		http_reply_gerror(r, 400, NULL, NULL, NULL, NULL, "%s version %s is unsupported.",
				  key[7] == 'M' ? "Master" : "Node", shown);
		return -EINVAL;
	}
	if (strcmp(ver, "-") == 0 && key[7] == 'N')
		ver = json_string_value(json_object_get(cl, "currentMasterVersion"));
	json_t *resolved = json_string(container_version_resolve(ver));
	int rc = key[7] == 'M' ? json_object_set(cl, "currentMasterVersion", resolved)
			       : update_pools(cl, pool_id, "version", resolved, x, r);
	json_decref(resolved);
	if (rc != 0)
		return rc;
	return 0;
}

/* update.desiredLocations: the zones of the cluster and of its node pools. */
static int upd_locations(struct http_req *r, json_t *cl, json_t *v)
{
	char shown[ECHO_MAX];
	size_t i;
	json_t *z;
	if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > LOCS_MAX) {
		http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
				  "Invalid value for field \"update.desired_locations\".");
		return -EINVAL;
	}
	json_array_foreach(v, i, z)
	{
		if (!container_loc_ok(json_string_value(z)) ||
		    !container_is_zone(json_string_value(z))) {
			container_echo_json(shown, sizeof(shown), z);
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
	return 0;
}

/* update.desiredDatapathProvider. */
static int upd_datapath(struct http_req *r, json_t *cl, json_t *v)
{
	char shown[ECHO_MAX];
	const char *d = json_string_value(v);
	if (!d || (strcmp(d, "ADVANCED_DATAPATH") && strcmp(d, "LEGACY_DATAPATH"))) {
		container_echo_json(shown, sizeof(shown), v);
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
	return 0;
}

/* Applies a ClusterUpdate to an assembled cluster. *enable_wi is set when it turns
 * Workload Identity on (or changes the pool). 0, or -errno after replying. */
static int apply_update(struct http_req *r, struct call *x, json_t *cl, const json_t *u,
			int *enable_wi)
{
	char shown[ECHO_MAX];
	const char *key;
	json_t *v;
	const char *pool_id = json_string_value(json_object_get(u, "desiredNodePoolId"));
	if (pool_id && !container_token_ok(pool_id)) {
		gerr_echo(shown, sizeof(shown), pool_id);
		http_reply_gerror(
			r, 400, NULL, NULL, NULL, NULL,
			"Invalid value for field \"update.desired_node_pool_id\": \"%s\".", shown);
		return -EINVAL;
	}
	if (pool_id && !*pool_id)
		pool_id = NULL;
	json_object_foreach((json_t *)u, key, v)
	{
		int rc = 0;
		if (strcmp(key, "desiredWorkloadIdentityConfig") == 0) {
			rc = upd_workload_identity(r, x, cl, v, enable_wi);
		} else if (strcmp(key, "desiredMasterVersion") == 0 ||
			   strcmp(key, "desiredNodeVersion") == 0) {
			rc = upd_version(r, x, cl, key, v, pool_id);
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
			rc = update_pools(cl, pool_id, image ? "imageType" : "autoscaling", v, x,
					  r);
		} else if (strcmp(key, "desiredLocations") == 0) {
			rc = upd_locations(r, cl, v);
		} else if (strcmp(key, "desiredDatapathProvider") == 0) {
			rc = upd_datapath(r, cl, v);
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
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* PUT /v1/projects/{project}/locations/{location}/clusters/{cluster} {"update":{...}} */
static void clusters_update(struct http_req *r)
{
	struct call x;
	json_t *body = NULL, *cl = NULL, *next = NULL;
	char target[200];
	if (begin(r, &x, RES_CLUSTER, 0) != 0)
		goto out;
	if (cloud_call_body(&x.cc, 0, &jschema_container_UpdateClusterRequest) != 0)
		goto out;
	body = x.cc.body;
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
		cloud_reply_internal(r);
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
		container_reply_op(r, x.c, &x.p, x.loc, "UPDATE_CLUSTER", target,
				   "DeployPatch failed");
		goto out;
	}
	update_commit(r, &x, next, "UPDATE_CLUSTER", target, NULL);
out:
	json_decref(next);
	json_decref(cl);
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
	{"setMaintenancePolicy", "maintenancePolicy", "maintenancePolicy", "SET_MAINTENANCE_POLICY",
	 &jschema_container_SetMaintenancePolicyRequest},
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
	if (begin(r, &x, RES_CLUSTER, 0) != 0)
		goto out;
	if (!s) {
		cloud_reply_internal(r);
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
			if (!container_version_ok(json_string_value(v))) {
				http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
						  "Master version is unsupported.");
				goto out;
			}
			json_object_set_new(
				cl, s->field,
				json_string(container_version_resolve(json_string_value(v))));
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
	if (begin(r, &x, RES_CLUSTER, 0) == 0 && (cl = cluster_of(r, &x))) {
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
	if (begin(r, &x, RES_CLUSTER, 0) == 0 && (cl = cluster_of(r, &x)) &&
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
	if (begin(r, &x, RES_CLUSTER, 0) != 0)
		goto out;
	body = jschema_body(r, 0, &jschema_container_CreateNodePoolRequest);
	if (!body || !(cl = cluster_of(r, &x)))
		goto out;
	np = container_pool_build(&x.p, x.loc, cl, json_object_get(body, "nodePool"), "node_pool",
				  &e);
	if (!np) {
		container_reply_err(r, &e);
		goto out;
	}
	const char *name = json_string_value(json_object_get(np, "name"));
	if (pool_in(cl, name, NULL)) {
		http_reply_gerror(r, 409, NULL, NULL, NULL, NULL,
				  "Already exists: %s/nodePools/%s.", x.name, name);
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
	if (begin(r, &x, RES_CLUSTER, 0) != 0 || !(cl = cluster_of(r, &x)) ||
	    !pool_of(r, &x, cl, &index))
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
		    container_mode_ok(json_object_get(v, "mode"), "workload_metadata_config.mode",
				      &e) != 0) {
			if (!json_is_object(v))
				container_seterr(
					&e, 400,
					"Invalid value for field \"workload_metadata_config\".");
			container_reply_err(r, &e);
			return -EINVAL;
		}
		json_object_set_new(cfg, "workloadMetadataConfig",
				    json_pack("{s:O}", "mode", json_object_get(v, "mode")));
	}
	if ((v = json_object_get(body, "nodeVersion")) && !json_is_null(v)) {
		const char *ver = json_string_value(v);
		if (!container_version_ok(ver)) {
			char shown[ECHO_MAX];
			container_echo_json(shown, sizeof(shown), v);
			http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
					  "Node version %s is unsupported.", shown);
			return -EINVAL;
		}
		if (strcmp(ver, "-") == 0)
			ver = json_string_value(json_object_get(cl, "currentMasterVersion"));
		json_object_set_new(np, "version", json_string(container_version_resolve(ver)));
	}
	if ((v = json_object_get(body, "locations")) && json_array_size(v)) {
		size_t i;
		json_t *z;
		json_array_foreach(v, i, z)
		{
			if (!container_loc_ok(json_string_value(z)) ||
			    !container_is_zone(json_string_value(z)) || i >= LOCS_MAX) {
				http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
						  "Invalid value for field \"locations[%zu]\".", i);
				return -EINVAL;
			}
		}
		json_object_set(np, "locations", v);
	}
	/* Members that land in the node config as they are. */
	static const char *const plain[] = {"imageType",  "machineType",    "diskType",
					    "diskSizeGb", "kubeletConfig",  "linuxNodeConfig",
					    "gvnic",	  "resourceLabels", "loggingConfig"};
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
	if (begin(r, &x, RES_CLUSTER, 0) != 0)
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
	if (begin(r, &x, RES_CLUSTER, 0) != 0)
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
			http_reply_gerror(
				r, 400, NULL, NULL, NULL, NULL,
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
	if (begin(r, &x, RES_OPERATION, 0) == 0) {
		json_t *op = NULL;
		if (SFMT(key, "/projects/%s/locations/%s/operations/%s", x.p.id, x.loc, x.op))
			cloud_reply_internal(r); /* cannot be: the parts were checked */
		else if ((op = container_load(x.c->store, key, NULL))) {
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
	if (begin(r, &x, RES_PROJECT, 1) != 0)
		goto out;
	list = json_array();
	if (!list || SFMT(prefix, "/projects/%s/locations/", x.p.id) != 0 ||
	    store_range(x.c->store, prefix, 0, &kvs, &n, NULL) != 0) {
		cloud_reply_internal(r);
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
	if (begin(r, &x, RES_PROJECT, 0) == 0) {
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
		json_t *resp =
			vs && channels
				? json_pack("{s:s, s:O, s:s, s:[s,s,s,s], s:O, s:O}",
					    "defaultClusterVersion", DEFAULT_VERSION,
					    "validNodeVersions", vs, "defaultImageType",
					    "COS_CONTAINERD", "validImageTypes", "COS_CONTAINERD",
					    "UBUNTU_CONTAINERD", "WINDOWS_LTSC_CONTAINERD",
					    "WINDOWS_SAC_CONTAINERD", "validMasterVersions", vs,
					    "channels", channels)
				: NULL;
		http_reply_json(r, 200, resp);
		json_decref(channels);
		json_decref(vs);
	}
	end(&x);
}

/* ---- routes ------------------------------------------------------------------------ */

#define L "/container/v1/projects/{project}/locations/{location}"
#define Z "/container/v1/projects/{project}/zones/{location}"
#define C "/clusters/{cluster}"
#define NP "/clusters/{cluster}/nodePools/{pool}"

static const struct cloud_route routes[] = {
	{"GET", L "/clusters", clusters_list, "container.clusters.list", 1, NULL},
	{"POST", L "/clusters", clusters_create, "container.clusters.create", 0, NULL},
	{"GET", L C, clusters_get, "container.clusters.get", 1, NULL},
	{"PUT", L C, clusters_update, "container.clusters.update", 0, NULL},
	{"DELETE", L C, clusters_delete, "container.clusters.delete", 0, NULL},
	{"POST", L C ":setResourceLabels", clusters_set, "container.clusters.update", 0, NULL},
	{"POST", L C ":setLegacyAbac", clusters_set, "container.clusters.update", 0, NULL},
	{"POST", L C ":setNetworkPolicy", clusters_set, "container.clusters.update", 0, NULL},
	{"POST", L C ":setMaintenancePolicy", clusters_set, "container.clusters.update", 0, NULL},
	{"POST", L C ":setLogging", clusters_set, "container.clusters.update", 0, NULL},
	{"POST", L C ":setMonitoring", clusters_set, "container.clusters.update", 0, NULL},
	{"POST", L C ":setLocations", clusters_set, "container.clusters.update", 0, NULL},
	{"POST", L C ":setAddons", clusters_set, "container.clusters.update", 0, NULL},
	{"POST", L C ":setMasterAuth", clusters_set, "container.clusters.update", 0, NULL},
	{"POST", L C ":startIpRotation", clusters_set, "container.clusters.update", 0, NULL},
	{"POST", L C ":completeIpRotation", clusters_set, "container.clusters.update", 0, NULL},
	{"POST", L C ":updateMaster", clusters_set, "container.clusters.update", 0, NULL},
	{"GET", L C "/nodePools", pools_list, "container.clusters.get", 1, NULL},
	{"POST", L C "/nodePools", pools_create, "container.clusters.update", 0, NULL},
	{"GET", L NP, pools_get, "container.clusters.get", 1, NULL},
	{"PUT", L NP, pools_update, "container.clusters.update", 0, NULL},
	{"DELETE", L NP, pools_delete, "container.clusters.update", 0, NULL},
	{"POST", L NP ":setSize", pools_set, "container.clusters.update", 0, NULL},
	{"POST", L NP ":setManagement", pools_set, "container.clusters.update", 0, NULL},
	{"POST", L NP ":setAutoscaling", pools_set, "container.clusters.update", 0, NULL},
	{"GET", L "/operations", operations_list, "container.operations.list", 1, NULL},
	{"GET", L "/operations/{operation}", operations_get, "container.operations.get", 1, NULL},
	{"GET", L "/serverConfig", server_config, "container.clusters.list", 1, NULL},
	/* The legacy zonal API, for the same resources. */
	{"GET", Z "/clusters", clusters_list, "container.clusters.list", 1, NULL},
	{"POST", Z "/clusters", clusters_create, "container.clusters.create", 0, NULL},
	{"GET", Z C, clusters_get, "container.clusters.get", 1, NULL},
	{"PUT", Z C, clusters_update, "container.clusters.update", 0, NULL},
	{"DELETE", Z C, clusters_delete, "container.clusters.delete", 0, NULL},
	{"GET", Z C "/nodePools", pools_list, "container.clusters.get", 1, NULL},
	{"POST", Z C "/nodePools", pools_create, "container.clusters.update", 0, NULL},
	{"GET", Z NP, pools_get, "container.clusters.get", 1, NULL},
	{"DELETE", Z NP, pools_delete, "container.clusters.update", 0, NULL},
	{"GET", Z "/operations", operations_list, "container.operations.list", 1, NULL},
	{"GET", Z "/operations/{operation}", operations_get, "container.operations.get", 1, NULL},
	{"GET", Z "/serverconfig", server_config, "container.clusters.list", 1, NULL},
};
const struct cloud_api container_api = CLOUD_API(SERVICE, routes);
