/*
 * container_store.c - the Container API's names and texts (locations, versions, Google's
 * error texts), its store (a cluster and its node pools under separate keys, assembled
 * as the API shows them) and its operations, which finish at once.
 */
#include "cloud/container_int.h"

/* ---- text and names ---------------------------------------------------------------- */

void container_seterr(struct gerr *e, int code, const char *fmt, ...)
{
	va_list ap;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void container_reply_err(struct http_req *r, const struct gerr *e)
{
	http_reply_gerror(r, e->code ? e->code : 500, NULL, NULL, NULL, NULL, "%s",
			  e->msg[0] ? e->msg : "Internal error encountered.");
}

/* A JSON value as text for an error message ("Invalid value at ... , 5"). */
void container_echo_json(char *dst, size_t cap, const json_t *v)
{
	char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	gerr_clip(dst, cap, s ? s : "null");
	free(s);
}

static int is_lower(char ch)
{
	return ch >= 'a' && ch <= 'z';
}
static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* A region or zone: lower-case letters, digits and '-', starting with a letter, with at
 * least one '-', 3..63 bytes ("us-central1", "europe-west4-a"). */
int container_loc_ok(const char *s)
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
int container_is_zone(const char *loc)
{
	size_t n = strlen(loc);
	return n >= 3 && is_lower(loc[n - 1]) && loc[n - 2] == '-';
}

/* GKE's cluster and node pool names: (?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?) */
int container_name_ok(const char *s)
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
int container_token_ok(const char *s)
{
	return cloud_id_ok(s);
}

/* A GKE version, "1.30.5-gke.1014001", "1.30", "latest" or "-". */
int container_version_ok(const char *s)
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
const char *container_version_resolve(const char *v)
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
void container_stamp(char *buf, size_t len, int nanos)
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

int container_random_hex(char *buf, size_t nbytes)
{
	unsigned char b[32];
	if (nbytes > sizeof(b) || RAND_bytes(b, (int)nbytes) != 1)
		return -EIO;
	for (size_t i = 0; i < nbytes; i++)
		snprintf(buf + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/* ---- store --------------------------------------------------------------------------- */

json_t *container_load(struct store *s, const char *key, int64_t *create_rev)
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

int container_proj_of(const json_t *p, struct proj *out)
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

int container_cluster_key(char *buf, size_t len, const struct proj *p, const char *loc,
			  const char *name)
{
	return sfmt(buf, len, "/projects/%s/locations/%s/clusters/%s", p->id, loc, name);
}

/* The cluster at key with its node pools embedded (creation order) and the counts GKE
 * derives from them; new reference or NULL. */
json_t *container_assemble(struct store *s, const char *key)
{
	char prefix[KEY_MAX + 16];
	struct store_kv *kvs = NULL;
	size_t n = 0;
	json_t *cl = container_load(s, key, NULL), *pools = NULL;
	if (!cl)
		return NULL;
	if (SFMT(prefix, "%s/nodePools/", key) != 0 ||
	    store_range(s, prefix, 0, &kvs, &n, NULL) != 0 || !(pools = json_array()))
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
int container_store_cluster(struct store *s, const char *key, const json_t *cl, int64_t expected)
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
		if ((rc = SFMT(pkey, "%s/nodePools/%s", key, name)) == 0)
			rc = save(s, pkey, np, STORE_ANY_REV);
	}
	return rc;
}

/* Deletes a cluster and its node pools from the store. */
int container_unstore_cluster(struct store *s, const char *key)
{
	char prefix[KEY_MAX + 16];
	int rc = SFMT(prefix, "%s/nodePools/", key);
	if (rc == 0)
		rc = store_delete_prefix(s, prefix, NULL, NULL);
	if (rc == 0)
		rc = store_delete(s, key, STORE_ANY_REV, NULL);
	return rc;
}

/* ---- operations ---------------------------------------------------------------------- */

/* A finished operation on target ("clusters/C" or "clusters/C/nodePools/N") in loc,
 * stored for operations.get. failure (may be NULL) fails it with that text.
 * New reference, or NULL. */
json_t *container_op_record(struct cloud *c, const struct proj *p, const char *loc,
			    const char *type, const char *target, const char *failure)
{
	char hex[9], name[64], self[600], tlink[700], key[KEY_MAX], start[48], end[48];
	const char *seg = container_is_zone(loc) ? "zones" : "locations";
	if (container_random_hex(hex, 4) != 0)
		return NULL;
	if (SFMT(name, "operation-%lld-%s", (long long)cloud_now_ms(), hex) != 0 ||
	    SFMT(self, GOOGLE "projects/%s/%s/%s/operations/%s", p->num, seg, loc, name) != 0 ||
	    SFMT(tlink, GOOGLE "projects/%s/%s/%s/%s", p->num, seg, loc, target) != 0 ||
	    SFMT(key, "/projects/%s/locations/%s/operations/%s", p->id, loc, name) != 0)
		return NULL;
	container_stamp(start, sizeof(start), 1);
	container_stamp(end, sizeof(end), 1);
	json_t *op =
		json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", name, "zone",
			  loc, "operationType", type, "status", "DONE", "selfLink", self,
			  "targetLink", tlink, "location", loc, "startTime", start, "endTime", end);
	if (!op)
		return NULL;
	if (failure) {
		/* GKE reports a failed operation in statusMessage (what gcloud and Terraform
		 * print) and, newer, in error. */
		json_object_set_new(op, "statusMessage", json_string(failure));
		json_object_set_new(op, "error",
				    json_pack("{s:i, s:s}", "code", 13, "message", failure));
	}
	if (save(c->store, key, op, STORE_ABSENT) != 0) {
		json_decref(op);
		return NULL;
	}
	return op;
}

/* Records the operation and replies with it. */
void container_reply_op(struct http_req *r, struct cloud *c, const struct proj *p, const char *loc,
			const char *type, const char *target, const char *failure)
{
	json_t *op = container_op_record(c, p, loc, type, target, failure);
	if (!op)
		cloud_reply_internal(r);
	else
		http_reply_json(r, 200, op);
}

/* The keys of clusters: "/projects/P/locations/L/clusters/C" and nothing deeper. */
int container_is_cluster_key(const char *key, const char *prefix)
{
	const char *rest = key + strlen(prefix); /* "L/clusters/C" after ".../locations/" */
	const char *s = strchr(rest, '/');
	if (!s || strncmp(s, "/clusters/", 10) != 0)
		return 0;
	return s[10] && !strchr(s + 10, '/');
}
