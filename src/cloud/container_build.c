/*
 * container_build.c - building clusters and node pools from a create request with GKE's
 * defaults and validations, running the on_cluster hook, and the entry points of
 * container.h: seeding clusters from a state file and resuming stored clusters.
 */
#include "cloud/container_int.h"

static const char *const default_scopes[] = {
	"https://www.googleapis.com/auth/devstorage.read_only",
	"https://www.googleapis.com/auth/logging.write",
	"https://www.googleapis.com/auth/monitoring",
	"https://www.googleapis.com/auth/servicecontrol",
	"https://www.googleapis.com/auth/service.management.readonly",
	"https://www.googleapis.com/auth/trace.append",
};
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
	if (container_is_zone(loc)) {
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
int container_mode_ok(const json_t *mode, const char *field, struct gerr *e)
{
	const char *m = json_string_value(mode);
	if (m && (strcmp(m, "GKE_METADATA") == 0 || strcmp(m, "GCE_METADATA") == 0 ||
		  strcmp(m, "MODE_UNSPECIFIED") == 0))
		return 0;
	char shown[ECHO_MAX];
	container_echo_json(shown, sizeof(shown), mode);
	container_seterr(
		e, 400,
		"Invalid value at '%s' "
		"(type.googleapis.com/google.container.v1.WorkloadMetadataConfig.Mode), %s",
		field, shown);
	return -EINVAL;
}

/* The settings of a new node pool np that the request may carry, else GKE's defaults. */
static void pool_defaults(json_t *np, const json_t *req)
{
	static const char *const kept[] = {"autoscaling",     "management",    "maxPodsConstraint",
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
}

/* A node pool as GKE creates it from a request's NodePool (borrowed). field is the
 * request's path to it for errors ("node_pool", "cluster.node_pools[0]"). cl is the
 * (assembled) cluster it joins. New reference, or NULL with e set. */
json_t *container_pool_build(const struct proj *p, const char *loc, const json_t *cl,
			     const json_t *req, const char *field, struct gerr *e)
{
	char self[900];
	json_t *np = NULL, *cfg = NULL, *scopes = NULL;
	if (!json_is_object(req)) {
		container_seterr(e, 400,
				 "Invalid value for field \"%s\": a node pool must be an object.",
				 field);
		return NULL;
	}
	const char *name = json_string_value(json_object_get(req, "name"));
	if (!container_name_ok(name)) {
		char shown[ECHO_MAX];
		gerr_echo(shown, sizeof(shown), name ? name : "");
		container_seterr(e, 400, "Invalid value for field \"%s.name\": \"%s\". " NAME_RULE,
				 field, shown);
		return NULL;
	}
	json_t *count = json_object_get(req, "initialNodeCount");
	if (count && (!json_is_integer(count) || json_integer_value(count) < 0 ||
		      json_integer_value(count) > NODES_MAX)) {
		char shown[ECHO_MAX];
		container_echo_json(shown, sizeof(shown), count);
		container_seterr(
			e, 400,
			"Invalid value for field \"%s.initial_node_count\": %s. Must be between 0 "
			"and %d.",
			field, shown, NODES_MAX);
		return NULL;
	}
	json_t *rcfg = json_object_get(req, "config");
	if (rcfg && !json_is_object(rcfg)) {
		container_seterr(
			e, 400, "Invalid value for field \"%s.config\": must be an object.", field);
		return NULL;
	}
	json_t *wmc = json_object_get(rcfg, "workloadMetadataConfig");
	if (wmc) {
		char f[160];
		snprintf(f, sizeof(f), "%s.config.workload_metadata_config.mode", field);
		if (!json_is_object(wmc) ||
		    container_mode_ok(json_object_get(wmc, "mode"), f, e) != 0) {
			if (!json_is_object(wmc))
				container_seterr(
					e, 400,
					"Invalid value for field \"%s\": must be an object.", f);
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
	const char *pool = json_string_value(
		json_object_get(json_object_get(cl, "workloadIdentityConfig"), "workloadPool"));
	if (!wmc && pool && *pool)
		json_object_set_new(cfg, "workloadMetadataConfig",
				    json_pack("{s:s}", "mode", "GKE_METADATA"));
	json_t *locs = json_object_get(req, "locations");
	if (!json_is_array(locs) || json_array_size(locs) == 0)
		locs = json_object_get(cl, "locations");
	const char *seg = container_is_zone(loc) ? "zones" : "locations";
	snprintf(self, sizeof(self), GOOGLE "projects/%s/%s/%s/clusters/%s/nodePools/%s", p->id,
		 seg, loc, json_string_value(json_object_get(cl, "name")), name);
	const char *ver = json_string_value(json_object_get(req, "version"));
	if (!ver || !container_version_ok(ver))
		ver = json_string_value(json_object_get(cl, "currentMasterVersion"));
	np = json_pack("{s:s, s:O, s:I, s:o, s:s, s:s, s:s}", "name", name, "config", cfg,
		       "initialNodeCount", count ? json_integer_value(count) : (json_int_t)3,
		       "locations", locs ? json_deep_copy(locs) : json_array(), "selfLink", self,
		       "version", ver ? container_version_resolve(ver) : DEFAULT_VERSION, "status",
		       "RUNNING");
	if (!np)
		goto nomem;
	pool_defaults(np, req);
	json_decref(cfg);
	return np;
nomem:
	json_decref(cfg);
	json_decref(np);
	container_seterr(e, 500, "Internal error encountered.");
	return NULL;
}

/* Fields of a Cluster that GKE sets itself: a create request's values are ignored. */
static const char *const output_only[] = {"selfLink",
					  "zone",
					  "endpoint",
					  "currentMasterVersion",
					  "currentNodeVersion",
					  "createTime",
					  "status",
					  "statusMessage",
					  "nodeIpv4CidrSize",
					  "servicesIpv4Cidr",
					  "instanceGroupUrls",
					  "currentNodeCount",
					  "expireTime",
					  "location",
					  "id",
					  "etag",
					  "conditions",
					  "masterAuth",
					  "nodePools",
					  "initialNodeCount",
					  "nodeConfig",
					  "initialClusterVersion",
					  "workloadIdentityConfig",
					  "networkConfig",
					  "locations"};

/* What a create request names, once checked. */
struct cluster_req {
	const char *name, *pool, *dps, *version;
	const json_t *ncfg, *locs;
};

/* Checks a create request's cluster as GKE does before it builds anything. 0, or
 * -EINVAL with e set. */
static int cluster_check(const struct proj *p, const json_t *req, struct cluster_req *q,
			 struct gerr *e)
{
	char shown[ECHO_MAX], want[160];
	memset(q, 0, sizeof(*q));
	if (!json_is_object(req)) {
		container_seterr(e, 400, "Cluster must be specified.");
		return -EINVAL;
	}
	const char *name = q->name = json_string_value(json_object_get(req, "name"));
	if (!container_name_ok(name)) {
		gerr_echo(shown, sizeof(shown), name ? name : "");
		container_seterr(e, 400,
				 "Invalid value for field \"cluster.name\": \"%s\". " NAME_RULE,
				 shown);
		return -EINVAL;
	}
	/* Workload Identity: the only pool a cluster may use is its project's. */
	snprintf(want, sizeof(want), "%s.svc.id.goog", p->id);
	json_t *wic = json_object_get(req, "workloadIdentityConfig");
	const char *pool = q->pool = json_string_value(json_object_get(wic, "workloadPool"));
	if (wic && !json_is_object(wic)) {
		container_seterr(e, 400,
				 "Invalid value for field \"cluster.workload_identity_config\".");
		return -EINVAL;
	}
	if (pool && *pool && strcmp(pool, want) != 0) {
		gerr_echo(shown, sizeof(shown), pool);
		container_seterr(e, 400,
				 "Invalid value for field "
				 "\"cluster.workload_identity_config.workload_pool\": "
				 "\"%s\". Workload Identity pool must be \"%s\".",
				 shown, want);
		return -EINVAL;
	}
	json_t *ncfg = json_object_get(req, "networkConfig");
	q->ncfg = ncfg;
	if (ncfg && !json_is_object(ncfg)) {
		container_seterr(e, 400, "Invalid value for field \"cluster.network_config\".");
		return -EINVAL;
	}
	json_t *dp = json_object_get(ncfg, "datapathProvider");
	const char *dps = q->dps = json_string_value(dp);
	if (dp && !(dps &&
		    (strcmp(dps, "ADVANCED_DATAPATH") == 0 || strcmp(dps, "LEGACY_DATAPATH") == 0 ||
		     strcmp(dps, "DATAPATH_PROVIDER_UNSPECIFIED") == 0))) {
		container_echo_json(shown, sizeof(shown), dp);
		container_seterr(e, 400,
				 "Invalid value at 'cluster.network_config.datapath_provider' "
				 "(type.googleapis.com/google.container.v1.DatapathProvider), %s",
				 shown);
		return -EINVAL;
	}
	json_t *iv = json_object_get(req, "initialClusterVersion");
	if (iv && !json_is_null(iv) &&
	    !(json_is_string(iv) &&
	      (!*json_string_value(iv) || container_version_ok(json_string_value(iv))))) {
		container_echo_json(shown, sizeof(shown), iv);
		container_seterr(e, 400, "Master version %s is unsupported.", shown);
		return -EINVAL;
	}
	q->version = container_version_resolve(json_string_value(iv));
	json_t *locs = json_object_get(req, "locations");
	q->locs = locs;
	size_t i;
	json_t *v;
	if (locs && !json_is_array(locs)) {
		container_seterr(e, 400, "Invalid value for field \"cluster.locations\".");
		return -EINVAL;
	}
	if (json_array_size(locs) > LOCS_MAX) {
		container_seterr(e, 400,
				 "Invalid value for field \"cluster.locations\": at most %d.",
				 LOCS_MAX);
		return -EINVAL;
	}
	json_array_foreach(locs, i, v)
	{
		if (!container_loc_ok(json_string_value(v)) ||
		    !container_is_zone(json_string_value(v))) {
			container_echo_json(shown, sizeof(shown), v);
			container_seterr(e, 400,
					 "Invalid value for field \"cluster.locations[%zu]\": %s.",
					 i, shown);
			return -EINVAL;
		}
	}

	return 0;
}

/* Sets what the request may set, then what GKE sets, on the new cluster cl. 0 or
 * -ENOMEM. */
static int cluster_fields(json_t *cl, const struct proj *p, const char *loc, const json_t *req,
			  const struct cluster_req *q)
{
	char self[600], created[48], hex[33];
	json_t *v;
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
	json_object_set_new(cl, "locations",
			    json_array_size(q->locs) ? json_deep_copy(q->locs) : zones_of(loc));
	if (!json_object_get(cl, "legacyAbac"))
		json_object_set_new(cl, "legacyAbac", json_object());
	if (!json_object_get(cl, "labelFingerprint"))
		json_object_set_new(cl, "labelFingerprint", json_string("a9dc16a7"));
	char region[64];
	snprintf(region, sizeof(region), "%s", loc);
	if (container_is_zone(loc))
		region[strlen(region) - 2] = '\0';
	char net[256], subnet[300];
	snprintf(net, sizeof(net), "projects/%s/global/networks/default", p->id);
	snprintf(subnet, sizeof(subnet), "projects/%s/regions/%s/subnetworks/default", p->id,
		 region);
	json_t *nc = json_pack(
		"{s:s, s:s, s:s}", "network", net, "subnetwork", subnet, "datapathProvider",
		q->dps && strcmp(q->dps, "ADVANCED_DATAPATH") == 0 ? "ADVANCED_DATAPATH"
								   : "LEGACY_DATAPATH");
	if (!nc)
		return -ENOMEM;
	if (q->ncfg) {
		json_t *dcopy = json_deep_copy(q->ncfg);
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
	if (q->pool && *q->pool)
		json_object_set_new(cl, "workloadIdentityConfig",
				    json_pack("{s:s}", "workloadPool", q->pool));
	snprintf(self, sizeof(self), GOOGLE "projects/%s/%s/%s/clusters/%s", p->id,
		 container_is_zone(loc) ? "zones" : "locations", loc, q->name);
	container_stamp(created, sizeof(created), 0);
	if (container_random_hex(hex, 16) != 0)
		return -ENOMEM;
	json_object_set_new(cl, "selfLink", json_string(self));
	json_object_set_new(cl, "zone", json_string(loc));
	json_object_set_new(cl, "initialClusterVersion", json_string(q->version));
	json_object_set_new(cl, "currentMasterVersion", json_string(q->version));
	json_object_set_new(cl, "createTime", json_string(created));
	json_object_set_new(cl, "status", json_string("RUNNING"));
	json_object_set_new(cl, "id", json_string(hex));
	json_object_set_new(cl, "location", json_string(loc));

	return 0;
}

/* The cluster's node pools: the request's, else one "default-pool" from the deprecated
 * fields. 0, or -errno with e set. */
static int cluster_pools(json_t *cl, const struct proj *p, const char *loc, const json_t *req,
			 struct gerr *e)
{
	json_t *pools = NULL, *v;
	size_t i;
	json_t *rpools = json_object_get(req, "nodePools");
	if (rpools && !json_is_array(rpools)) {
		container_seterr(e, 400, "Invalid value for field \"cluster.node_pools\".");
		goto out;
	}
	if (json_array_size(rpools) > POOLS_MAX) {
		container_seterr(e, 400, "A cluster may have at most %d node pools.", POOLS_MAX);
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
		json_t *np = def ? container_pool_build(p, loc, cl, def, "cluster", e) : NULL;
		json_decref(def);
		if (!np)
			goto out;
		json_array_append_new(pools, np);
	}
	json_array_foreach(rpools, i, v)
	{
		char field[64];
		snprintf(field, sizeof(field), "cluster.node_pools[%zu]", i);
		json_t *np = container_pool_build(p, loc, cl, v, field, e);
		if (!np)
			goto out;
		const char *pn = json_string_value(json_object_get(np, "name"));
		size_t k;
		json_t *other;
		json_array_foreach(pools, k, other)
		{
			if (strcmp(json_string_value(json_object_get(other, "name")), pn) == 0) {
				container_seterr(
					e, 400,
					"Node pool names must be unique: \"%s\" appears twice.",
					pn);
				json_decref(np);
				goto out;
			}
		}
		json_array_append_new(pools, np);
	}
	json_object_set(cl, "nodeConfig", json_object_get(json_array_get(pools, 0), "config"));
	json_decref(pools);
	return 0;
nomem:
	container_seterr(e, 500, "Internal error encountered.");
out:
	json_decref(pools);
	return -EINVAL;
}

/* A cluster as GKE creates it from a request's Cluster (borrowed), with its node pools
 * embedded. New reference, or NULL with e set. */
json_t *container_cluster_build(const struct proj *p, const char *loc, const json_t *req,
				struct gerr *e)
{
	struct cluster_req q;
	if (cluster_check(p, req, &q, e) != 0)
		return NULL;
	json_t *cl = json_pack("{s:s}", "name", q.name);
	if (!cl || cluster_fields(cl, p, loc, req, &q) != 0) {
		container_seterr(e, 500, "Internal error encountered.");
		json_decref(cl);
		return NULL;
	}
	if (cluster_pools(cl, p, loc, req, e) != 0) {
		json_decref(cl);
		return NULL;
	}
	return cl;
}

/* Calls the on_cluster hook; a message for the operation when it fails. */
int container_run_hook(struct cloud *c, const char *event, json_t *cl, char *msg, size_t len)
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
int container_create_commit(struct cloud *c, const char *key, json_t *cl, char *msg, size_t len)
{
	struct store_kv kv;
	if (store_get(c->store, key, &kv) == 0) {
		store_kv_free(&kv);
		return -EEXIST;
	}
	if (container_run_hook(c, "create", cl, msg, len) != 0)
		return -EIO;
	int rc = container_store_cluster(c->store, key, cl, STORE_ABSENT);
	if (rc != 0 && c->on_cluster)
		c->on_cluster(c->on_cluster_arg, "delete", cl);
	return rc;
}

/* The node pools of a state-file cluster (docs/state.md) as a create request's
 * nodePools, set on req. 0; -EINVAL with err set; -ENOMEM. */
static int spec_pools(json_t *req, const json_t *pools, char *err, size_t errlen)
{
	static const char *const pool_fields[] = {"name", "workloadMetadataMode", "nodeCount",
						  "machineType", NULL};
	const char *k;
	json_t *v;
	size_t i;
	if (!json_array_size(pools))
		return 0;
	json_t *rp = json_array(), *sp;
	json_object_set_new(req, "nodePools", rp);
	json_array_foreach(pools, i, sp)
	{
		size_t f;
		if (!json_is_object(sp)) {
			snprintf(err, errlen, "each node pool must be a mapping");
			return -EINVAL;
		}
		json_object_foreach(sp, k, v)
		{
			for (f = 0; pool_fields[f] && strcmp(pool_fields[f], k) != 0; f++)
				;
			if (!pool_fields[f]) {
				snprintf(err, errlen, "unknown node pool field \"%s\"", k);
				return -EINVAL;
			}
		}
		json_t *cfg = json_object();
		json_t *np = json_pack("{s:O?, s:o}", "name", json_object_get(sp, "name"), "config",
				       cfg);
		if (!rp || !cfg || !np) {
			json_decref(np);
			return -ENOMEM;
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
	return 0;
}

/* ---- seeding and restart ------------------------------------------------------------- */

/* A state file's cluster: a mapping of the known fields, in the location it is listed
 * under. 0, or -EINVAL with err set. */
static int spec_check(const json_t *spec, const char *location, char *err, size_t errlen)
{
	static const char *const fields[] = {"name",
					     "location",
					     "workloadPool",
					     "workloadIdentity",
					     "datapathProvider",
					     "currentMasterVersion",
					     "nodePools",
					     NULL};
	const char *k;
	json_t *v;
	size_t i;
	if (!json_is_object(spec)) {
		snprintf(err, errlen, "a cluster must be a mapping");
		return -EINVAL;
	}
	json_object_foreach((json_t *)spec, k, v)
	{
		for (i = 0; fields[i] && strcmp(fields[i], k) != 0; i++)
			;
		if (!fields[i]) {
			snprintf(err, errlen, "unknown cluster field \"%s\"", k);
			return -EINVAL;
		}
	}
	const char *sl = json_string_value(json_object_get(spec, "location"));
	if (sl && strcmp(sl, location) != 0) {
		snprintf(err, errlen, "cluster location \"%s\" differs from \"%s\"", sl, location);
		return -EINVAL;
	}
	return 0;
}

/* The clusters.create request a state file's cluster stands for, into *out (new). 0,
 * -ENOMEM, or -EINVAL with err set. */
static int spec_request(const json_t *spec, const struct proj *p, json_t **out, char *err,
			size_t errlen)
{
	json_t *v, *req = json_pack("{s:O?}", "name", json_object_get(spec, "name"));
	int rc = -EINVAL;
	*out = NULL;
	if (!req)
		return -ENOMEM;
	json_t *pool = json_object_get(spec, "workloadPool");
	json_t *wi = json_object_get(spec, "workloadIdentity");
	if ((pool && !json_is_string(pool)) || (wi && !json_is_boolean(wi))) {
		snprintf(err, errlen,
			 "workloadPool must be a string and workloadIdentity a boolean");
		goto out;
	}
	if (pool || json_is_true(wi)) {
		char want[160];
		snprintf(want, sizeof(want), "%s.svc.id.goog", p->id);
		json_object_set_new(
			req, "workloadIdentityConfig",
			json_pack("{s:s}", "workloadPool", pool ? json_string_value(pool) : want));
	}
	if ((v = json_object_get(spec, "datapathProvider")))
		json_object_set_new(req, "networkConfig",
				    json_pack("{s:O}", "datapathProvider", v));
	if ((v = json_object_get(spec, "currentMasterVersion")))
		json_object_set(req, "initialClusterVersion", v);
	json_t *pools = json_object_get(spec, "nodePools");
	if (pools && !json_is_array(pools)) {
		snprintf(err, errlen, "nodePools must be a list");
		goto out;
	}
	if ((rc = spec_pools(req, pools, err, errlen)) != 0)
		goto out;
	*out = req;
	req = NULL;
out:
	json_decref(req);
	return rc;
}

int container_cluster_create(struct cloud *c, const char *project, const char *location,
			     const json_t *spec, char *err, size_t errlen)
{
	struct proj p;
	struct gerr e = {0};
	json_t *proj = NULL, *req = NULL, *cl = NULL;
	char key[KEY_MAX], msg[300] = "", target[200];
	int rc = -EINVAL;
	err[0] = '\0';
	if (!container_loc_ok(location)) {
		snprintf(err, errlen, "invalid location \"%s\"", location ? location : "");
		goto out;
	}
	proj = cloud_project_get(c, project);
	if (!proj || container_proj_of(proj, &p) != 0) {
		snprintf(err, errlen, "unknown project \"%s\"", project ? project : "");
		rc = -ENOENT;
		goto out;
	}
	if ((rc = spec_check(spec, location, err, errlen)) != 0 ||
	    (rc = spec_request(spec, &p, &req, err, errlen)) != 0)
		goto out;
	cl = container_cluster_build(&p, location, req, &e);
	if (!cl) {
		snprintf(err, errlen, "%s", e.msg);
		rc = e.code == 500 ? -ENOMEM : -EINVAL;
		goto out;
	}
	const char *name = json_string_value(json_object_get(cl, "name"));
	rc = container_cluster_key(key, sizeof(key), &p, location, name);
	if (rc == 0)
		rc = container_create_commit(c, key, cl, msg, sizeof(msg));
	if (rc == -EEXIST)
		snprintf(err, errlen, "cluster %s already exists", name);
	else if (rc == -EIO)
		snprintf(err, errlen, "cluster %s: %s", name, msg);
	else if (rc != 0)
		snprintf(err, errlen, "cluster %s: %s", name, strerror(-rc));
	snprintf(target, sizeof(target), "clusters/%s", name);
	json_decref(
		container_op_record(c, &p, location, "CREATE_CLUSTER", target, rc ? err : NULL));
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
		if (!container_is_cluster_key(kvs[i].key, prefix))
			continue;
		json_t *cl = container_assemble(c->store, kvs[i].key);
		if (!cl)
			continue;
		rc = c->on_cluster(c->on_cluster_arg, "create", cl);
		if (rc == 0)
			rc = container_store_cluster(c->store, kvs[i].key, cl, STORE_ANY_REV);
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
