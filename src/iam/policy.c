/*
 * policy.c - allow policies in the store (contract in iam.h): getIamPolicy's views,
 * etags, the stored record and its kept versions, setIamPolicy, seeds, deletes and the
 * rewrite of a deleted principal.
 *
 * The policy record, the value at "/iam/policies/<resource>" (compact JSON):
 *
 *   {"effectiveAt": <ms from which "policy" is in effect for checks>,
 *    "policy":   {"version": 1|3,
 *                 "bindings": [{"role", "members": [...], "condition"?}, ...],
 *                 "auditConfigs": [...]?},
 *    "previous": [{"effectiveAt": <ms>, "bindings": [...]}, ...]}
 *
 * "policy" is what getIamPolicy shows: normalized (normalize.c).
 * "previous" holds older versions, oldest first, that may still be in effect for checks:
 * a version written at w with the propagation delay then in force takes effect at
 * w + delay (its effectiveAt, fixed when it is written: changing the delay later moves
 * no grant or revocation already made) and stays in effect until a later one does. A
 * write keeps every version that takes effect after now plus the newest in effect now
 * (at most MAX_PREVIOUS). Seeded records have effectiveAt 0 and no previous versions.
 * A version also keeps its write time ("writtenAt"): when the delay is lowered later (a
 * cleared iam-propagation fault), a version takes effect at the earlier of effectiveAt
 * and writtenAt + the delay now. Records of older releases have only writtenAt, read as
 * both. The etag is the standard base64 of the key's
 * store mod_rev as 8 big-endian bytes; an absent policy has etag "ACAB".
 */
#include "iam/iam_priv.h"

#include "core/jwt.h"
#include "core/store.h"

static char *policy_key(const char *resource)
{
	return errf("%s%s", POLICY_PREFIX, resource);
}

/* ---- etags and views ---------------------------------------------------------------- */

char *iam_etag_of(int64_t rev)
{
	unsigned char b[8];

	for (int i = 7; i >= 0; i--, rev >>= 8)
		b[i] = (unsigned char)(rev & 0xff);
	return b64_encode(b, sizeof(b));
}

/* The revision an etag names: 0 for "ACAB" (no policy). -EINVAL when it is not base64,
 * -ECANCELED when it can name no revision of ours (so it is stale). */
int iam_etag_parse(const char *s, int64_t *rev)
{
	unsigned char *raw = NULL;
	size_t n = 0;
	int64_t r = 0;
	int rc;

	if (strcmp(s, ABSENT_ETAG) == 0) {
		*rev = 0;
		return 0;
	}
	rc = b64_decode(s, strlen(s), &raw, &n);
	if (rc < 0)
		return rc == -ENOMEM ? rc : -EINVAL;
	if (n != 8 || (raw[0] & 0x80)) {
		free(raw);
		return -ECANCELED;
	}
	for (size_t i = 0; i < 8; i++)
		r = (int64_t)(((uint64_t)r << 8) | raw[i]);
	free(raw);
	*rev = r;
	return r > 0 ? 0 : -ECANCELED;
}

static int bindings_have_conditions(const json_t *bindings)
{
	size_t i;
	const json_t *b;

	json_array_foreach(bindings, i, b)
	{
		const json_t *c = json_object_get(b, "condition");

		if (c && !json_is_null(c))
			return 1;
	}
	return 0;
}

/* A conditional binding as a version 1 policy shows it: "<role>_withcond_<hash>". */
static json_t *withcond_binding(const json_t *b)
{
	json_t *o = json_deep_copy(b);
	char *cond = json_dumps(json_object_get(b, "condition"), JSON_COMPACT | JSON_SORT_KEYS);
	const char *name = json_string_value(json_object_get(b, "role"));
	char hex[65], *role = NULL;
	int ok = 0;

	if (o && cond) {
		sha256_hex(cond, strlen(cond), hex);
		hex[20] = '\0';
		role = errf("%s_withcond_%s", name ? name : "", hex);
		ok = role && hex[0] && json_object_set_new(o, "role", json_string(role)) == 0 &&
		     json_object_del(o, "condition") == 0;
	}
	free(cond);
	free(role);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The policy as getIamPolicy returns it. */
static json_t *policy_view(const json_t *bindings, const json_t *audit, int64_t rev,
			   int requested_version)
{
	int cond = bindings_have_conditions(bindings);
	int version = cond && requested_version >= 3 ? 3 : 1;
	json_t *o = json_object(), *arr = NULL;
	char *etag = iam_etag_of(rev);
	size_t i;
	const json_t *b;

	if (!o || !etag || json_object_set_new(o, "version", json_integer(version)) < 0 ||
	    json_object_set_new(o, "etag", json_string(etag)) < 0)
		goto fail;
	if (json_array_size(bindings) > 0) {
		if (cond && version < 3) {
			if (!(arr = json_array()))
				goto fail;
			json_array_foreach(bindings, i, b)
			{
				const json_t *c = json_object_get(b, "condition");
				json_t *copy = c && !json_is_null(c) ? withcond_binding(b)
								     : json_deep_copy(b);

				if (json_array_append_new(arr, copy) < 0)
					goto fail;
			}
		} else if (!(arr = json_deep_copy(bindings))) {
			goto fail;
		}
		if (json_object_set_new(o, "bindings", arr) < 0) {
			arr = NULL;
			goto fail;
		}
		arr = NULL;
	}
	if (json_array_size(audit) > 0 &&
	    json_object_set_new(o, "auditConfigs", json_deep_copy(audit)) < 0)
		goto fail;
	free(etag);
	return o;
fail:
	free(etag);
	json_decref(arr);
	json_decref(o);
	return NULL;
}

static json_t *unset_view(void)
{
	return json_pack("{s:s}", "etag", ABSENT_ETAG);
}
/* ---- records ------------------------------------------------------------------------ */

int iam_record_parse(const char *data, size_t len, struct record *r)
{
	json_error_t jerr;
	const json_t *pol, *w;

	memset(r, 0, sizeof(*r));
	r->root = json_loadb(data, len, 0, &jerr);
	if (!r->root)
		return -EIO;
	pol = json_object_get(r->root, "policy");
	w = effective_at(r->root);
	r->bindings = json_object_get(pol, "bindings");
	r->audit = json_object_get(pol, "auditConfigs");
	r->previous = json_object_get(r->root, "previous");
	if (!json_is_object(pol) || !json_is_integer(w) ||
	    (r->bindings && !json_is_array(r->bindings)) ||
	    (r->previous && !json_is_array(r->previous))) {
		json_decref(r->root);
		r->root = NULL;
		return -EIO;
	}
	r->effective_at = json_integer_value(w);
	r->written_at = json_is_integer(written_at(r->root))
				? json_integer_value(written_at(r->root))
				: r->effective_at;
	return 0;
}

static json_t *version_entry(json_int_t effective, json_int_t written, const json_t *bindings)
{
	json_t *o = json_object(), *b = bindings ? json_deep_copy(bindings) : json_array();

	if (!o || !b || json_object_set_new(o, "effectiveAt", json_integer(effective)) < 0 ||
	    json_object_set_new(o, "writtenAt", json_integer(written)) < 0 ||
	    json_object_set_new(o, "bindings", b) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The versions of old (previous ones, then its current) still needed once a version that
 * takes effect at `effective` exists: all that take effect after now, and the newest in
 * effect at now; none when the new version is in effect at once. */
static json_t *kept_versions(const struct record *old, int64_t now, int64_t effective)
{
	json_t *all = json_array(), *kept = json_array(), *v;
	size_t n, from = 0, i;

	if (!all || !kept)
		goto fail;
	if (old && old->root) {
		json_array_foreach(old->previous, i, v)
		{
			if (json_is_object(v) && json_is_integer(effective_at(v)) &&
			    json_array_append(all, v) < 0)
				goto fail;
		}
		if (json_array_append_new(all, version_entry(old->effective_at, old->written_at,
							     old->bindings)) < 0)
			goto fail;
	}
	/* Counting the new version (last): the newest in effect at now. */
	n = json_array_size(all);
	if (effective <= now) {
		from = n; /* the new version is in effect at once: nothing older is needed */
	} else {
		for (i = n; i-- > 0;) {
			json_int_t w = json_integer_value(effective_at(json_array_get(all, i)));
			if (w <= now) {
				from = i;
				break;
			}
		}
	}
	if (n - from > MAX_PREVIOUS)
		from = n - MAX_PREVIOUS;
	for (i = from; i < n; i++)
		if (json_array_append(kept, json_array_get(all, i)) < 0)
			goto fail;
	json_decref(all);
	return kept;
fail:
	json_decref(all);
	json_decref(kept);
	return NULL;
}

static char *record_build(const struct normalized *p, int64_t effective, int64_t written,
			  json_t *previous)
{
	json_t *pol = json_object(), *root = json_object();
	char *data = NULL;

	if (!pol || !root || !previous ||
	    json_object_set_new(pol, "version", json_integer(p->has_cond ? 3 : 1)) < 0 ||
	    json_object_set(pol, "bindings", p->bindings) < 0 ||
	    (p->audit && json_object_set(pol, "auditConfigs", p->audit) < 0) ||
	    json_object_set_new(root, "effectiveAt", json_integer(effective)) < 0 ||
	    json_object_set_new(root, "writtenAt", json_integer(written)) < 0)
		goto out;
	if (json_object_set_new(root, "policy", pol) < 0) {
		pol = NULL;
		goto out;
	}
	pol = NULL;
	if (json_object_set(root, "previous", previous) < 0)
		goto out;
	data = json_dumps(root, JSON_COMPACT);
out:
	json_decref(pol);
	json_decref(root);
	return data;
}
/* ---- policies ----------------------------------------------------------------------- */

int iam_get_policy(struct iam *iam, const char *resource, int requested_version, json_t **out)
{
	struct store_kv kv = {0};
	struct record r = {0};
	char *key = NULL;
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!iam || !resource_ok(resource) ||
	    (requested_version != 0 && requested_version != 1 && requested_version != 3))
		return -EINVAL;
	if (!iam->store)
		return -ENODEV;
	if (!(key = policy_key(resource)))
		return -ENOMEM;
	rc = store_get(iam->store, key, &kv);
	if (rc == -ENOENT) {
		*out = unset_view();
		rc = *out ? 0 : -ENOMEM;
		goto out;
	}
	if (rc < 0)
		goto out;
	if ((rc = iam_record_parse(kv.value, kv.value_len, &r)) < 0)
		goto out;
	*out = policy_view(r.bindings, r.audit, kv.mod_rev, requested_version);
	rc = *out ? 0 : -ENOMEM;
out:
	json_decref(r.root);
	store_kv_free(&kv);
	free(key);
	return rc;
}

/* The revision a policy's etag names (*has_etag 0 when it has none). 0 or -errno. */
static int wanted_etag(const json_t *etag, int64_t *want, int *has_etag, char **err)
{
	int rc;

	*has_etag = 0;
	if (!etag || json_is_null(etag) || (json_is_string(etag) && json_string_length(etag) == 0))
		return 0;
	if (!json_is_string(etag))
		return fail(err, strdup("Invalid value at 'policy.etag' (TYPE_BYTES)."));
	rc = iam_etag_parse(json_string_value(etag), want);
	if (rc == -EINVAL)
		rc = fail(err, errf("Invalid value at 'policy.etag' (TYPE_BYTES), \"%s\"",
				    json_string_value(etag)));
	*has_etag = rc == 0;
	return rc;
}

/* setIamPolicy, or a seed (written at 0, no etag, no history). */
static int write_policy(struct iam *iam, const char *resource, const json_t *policy, int64_t now_ms,
			int seed, json_t **out, char **err)
{
	struct normalized np = {0};
	char *key = NULL, *data = NULL;
	int64_t want = 0, new_rev = 0;
	int has_etag = 0, rc;
	const json_t *etag;

	if (out)
		*out = NULL;
	if (err)
		*err = NULL;
	if (!iam || !resource_ok(resource))
		return -EINVAL;
	if (!iam->store)
		return -ENODEV;
	if ((rc = iam_normalize(iam, resource, policy, &np, err)) < 0)
		return rc;
	etag = seed ? NULL : json_object_get(policy, "etag");
	if ((rc = wanted_etag(etag, &want, &has_etag, err)) < 0)
		goto out;
	if (!(key = policy_key(resource))) {
		rc = -ENOMEM;
		goto out;
	}
	for (int attempt = 0; attempt < MAX_SET_ATTEMPTS; attempt++) {
		struct store_kv kv = {0};
		struct record old = {0};
		json_t *previous;
		int exists;

		rc = store_get(iam->store, key, &kv);
		if (rc < 0 && rc != -ENOENT)
			goto out;
		exists = rc == 0;
		if (has_etag && want != (exists ? kv.mod_rev : 0)) {
			store_kv_free(&kv);
			rc = -ECANCELED;
			goto out;
		}
		if (exists && !seed && iam_record_parse(kv.value, kv.value_len, &old) < 0)
			memset(&old, 0, sizeof(old)); /* an unreadable record has no history */
		if (has_etag && np.version < 3 && old.root &&
		    bindings_have_conditions(old.bindings)) {
			json_decref(old.root);
			store_kv_free(&kv);
			rc = fail(err, errf("Specified policy version (%d) cannot be less than the "
					    "existing policy version (3). For more information, "
					    "please refer to "
					    "https://cloud.google.com/iam/docs/policies#versions.",
					    np.version));
			goto out;
		}
		if (np.hash_role) {
			json_decref(old.root);
			store_kv_free(&kv);
			rc = fail(err, errf("Role %s is not supported for this resource.",
					    np.hash_role));
			goto out;
		}
		previous = seed ? json_array()
				: kept_versions(&old, now_ms,
						takes_effect(now_ms, iam->propagation_ms));
		json_decref(old.root);
		free(data);
		data = record_build(&np, seed ? 0 : takes_effect(now_ms, iam->propagation_ms),
				    seed ? 0 : now_ms, previous);
		json_decref(previous);
		if (!data) {
			store_kv_free(&kv);
			rc = -ENOMEM;
			goto out;
		}
		rc = store_put(iam->store, key, data, strlen(data),
			       seed	? STORE_ANY_REV
			       : exists ? kv.mod_rev
					: STORE_ABSENT,
			       &new_rev);
		store_kv_free(&kv);
		if (rc == -EEXIST)
			rc = -ECANCELED;
		if (rc != -ECANCELED || has_etag)
			break;
	}
	if (rc < 0)
		goto out;
	if (out && !(*out = policy_view(np.bindings, np.audit, new_rev, 3)))
		rc = -ENOMEM;
out:
	iam_normalized_free(&np);
	free(data);
	free(key);
	return rc;
}

int iam_set_policy(struct iam *iam, const char *resource, const json_t *policy, int64_t now_ms,
		   json_t **out, char **err)
{
	return write_policy(iam, resource, policy, now_ms, 0, out, err);
}

int iam_seed_policy(struct iam *iam, const char *resource, const json_t *policy)
{
	return write_policy(iam, resource, policy, 0, 1, NULL, NULL);
}

int iam_delete_policy(struct iam *iam, const char *resource)
{
	char *key;
	int rc;

	if (!iam || !resource_ok(resource))
		return -EINVAL;
	if (!iam->store)
		return -ENODEV;
	if (!(key = policy_key(resource)))
		return -ENOMEM;
	rc = store_delete(iam->store, key, STORE_ANY_REV, NULL);
	free(key);
	return rc == -ENOENT ? 0 : rc;
}

/* Replaces member in one policy's bindings; *changed says whether it held it. */
static int replace_in_policy(json_t *policy, const char *member, const char *replacement,
			     int *changed)
{
	size_t i, j;
	json_t *b, *m;
	json_array_foreach(json_object_get(policy, "bindings"), i, b)
	{
		json_t *members = json_object_get(b, "members");
		json_array_foreach(members, j, m)
		{
			if (json_is_string(m) && strcmp(json_string_value(m), member) == 0) {
				if (json_array_set_new(members, j, json_string(replacement)) != 0)
					return -ENOMEM;
				*changed = 1;
			}
		}
	}
	return 0;
}

int iam_member_replace(struct iam *iam, const char *member, const char *replacement, int64_t now_ms)
{
	struct store_kv *kvs = NULL;
	size_t n = 0, plen = strlen(POLICY_PREFIX);
	int rc;
	if (!iam || !iam->store || !iam_member_valid(replacement))
		return -EINVAL;
	if ((rc = store_range(iam->store, POLICY_PREFIX, 0, &kvs, &n, NULL)) != 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *resource = kvs[i].key + plen;
		json_t *policy = NULL, *out = NULL;
		char *err = NULL;
		int changed = 0;
		/* A concurrent change of this policy: read it again and retry. */
		for (int attempt = 0; attempt < 5; attempt++) {
			changed = 0;
			json_decref(policy);
			policy = NULL;
			if ((rc = iam_get_policy(iam, resource, 3, &policy)) != 0 ||
			    (rc = replace_in_policy(policy, member, replacement, &changed)) != 0 ||
			    !changed)
				break;
			rc = iam_set_policy(iam, resource, policy, now_ms, &out, &err);
			json_decref(out);
			out = NULL;
			free(err);
			err = NULL;
			if (rc != -ECANCELED)
				break;
		}
		json_decref(policy);
	}
	store_kvs_free(kvs, n);
	return rc;
}
