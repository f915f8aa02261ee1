/*
 * iam.c - Google IAM: allow policies kept in the store, the propagation model and
 * permission checks (contract in iam.h), over the role catalogue of catalog.c.
 *
 * One file, because the policy compiler and the check path share the compiled form.
 * Sections: members; policy records; compiled policies and their cache; the public
 * policy API; checks.
 *
 * The policy record, the value at "/iam/policies/<resource>" (compact JSON):
 *
 *   {"effectiveAt": <ms from which "policy" is in effect for checks>,
 *    "policy":   {"version": 1|3,
 *                 "bindings": [{"role", "members": [...], "condition"?}, ...],
 *                 "auditConfigs": [...]?},
 *    "previous": [{"effectiveAt": <ms>, "bindings": [...]}, ...]}
 *
 * "policy" is what getIamPolicy shows: normalized (bindings with the same role and
 * condition merged, sorted by role, members unique and sorted, empty bindings dropped).
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
 *
 * Checks: every version of every policy is compiled into a hash map from member string
 * to a permission bitset (the union of the roles of the unconditional bindings naming
 * it; members with the same roles share one), plus rows for the union of all grants,
 * allUsers, allAuthenticatedUsers, groups, and a map of "domain:" grants. The cache
 * (resource -> compiled policy) is loaded with store_range in iam_new and replaced per
 * key by a store_watch on "/iam/policies/". The version in effect is picked per check
 * from now_ms, so time needs no invalidation. A check allocates nothing and reads no
 * JSON and no store.
 *
 * Deliberate limits:
 * - conditional bindings are validated, stored and returned, but grant nothing in checks
 *   (no CEL evaluator here: failing closed is the safe reading);
 * - group: members grant nothing until group membership can be resolved (group_has);
 * - Google's 1,500-principal limit per policy is not enforced;
 * - a record that cannot be compiled (malformed, or out of memory in the watch) leaves
 *   its resource with no cached policy, so checks on it fail closed.
 *
 * iam_free must run before store_close (it cancels its watch on the store).
 */
#include "iam/iam.h"
#include "iam/ancestry.h"
#include "iam/catalog.h"

#include "core/hmap.h"
#include "core/jwt.h"
#include "core/store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLICY_PREFIX "/iam/policies/"
#define MAX_NAME 1024            /* resource, role and member strings */
#define MAX_PREVIOUS 32          /* older versions kept per record */
#define MAX_ENTRIES (1u << 22)   /* member entries per policy version */
#define MAX_CONDITION 16384      /* bytes of a condition field */
#define MAX_SET_ATTEMPTS 8       /* read-modify-write retries of an etag-less set */
#define ABSENT_ETAG "ACAB"

/* Rows of a compiled version, before the per-member rows. */
enum { ROW_ANY, ROW_ALL_USERS, ROW_ALL_AUTH, ROW_GROUPS, N_FIXED_ROWS };

/* One version of a policy, compiled. */
struct cver {
	int64_t effective_at; /* when it takes effect, by the delay in force at its write */
	int64_t written_at;
	uint64_t *rows;       /* n_rows * words; NULL when the catalog has no permissions */
	struct hmap *members; /* member string -> row */
	struct hmap *domains; /* lower-case domain -> row; NULL when none */
	struct hmap *groups;  /* group email -> row; NULL when none */
};

struct cpolicy {
	size_t n;
	struct cver v[]; /* oldest first; the last is the current policy */
};

struct iam {
	struct store *store;
	int64_t propagation_ms;

	struct iam_catalog cat;

	struct hmap *cache; /* resource -> struct cpolicy * */
	struct store_watch *watch;
	struct iam_ancestry *ancestry; /* parents of projects and folders (ancestry.h) */
};

/* ---- helpers ------------------------------------------------------------------------ */

static char *errf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *errf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* Sets *err (when err is non-NULL) and returns -EINVAL, or -ENOMEM if the message
 * could not be made. */
static int fail(char **err, char *msg)
{
	if (!msg)
		return -ENOMEM;
	if (err)
		*err = msg;
	else
		free(msg);
	return -EINVAL;
}

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* Printable ASCII without spaces, 1..max bytes. */
static int token_ok(const char *s, size_t max)
{
	size_t n = 0;

	if (!s || !*s)
		return 0;
	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (n >= max || c <= 0x20 || c >= 0x7f)
			return 0;
	}
	return 1;
}

static int resource_ok(const char *r)
{
	return token_ok(r, MAX_NAME) && r[0] != '/';
}

static char *policy_key(const char *resource)
{
	return errf("%s%s", POLICY_PREFIX, resource);
}

/* When a version takes effect: its "effectiveAt" ("writtenAt" in older records). */
static const json_t *effective_at(const json_t *v)
{
	const json_t *e = json_object_get(v, "effectiveAt");
	return e ? e : json_object_get(v, "writtenAt");
}

/* When a version was written: "writtenAt" (the effective time in records without it). */
static const json_t *written_at(const json_t *v)
{
	const json_t *w = json_object_get(v, "writtenAt");
	return w ? w : json_object_get(v, "effectiveAt");
}

/* now + propagation, saturated. */
static int64_t takes_effect(int64_t now, int64_t propagation)
{
	if (propagation <= 0)
		return now;
	return now > INT64_MAX - propagation ? INT64_MAX : now + propagation;
}

/* ---- catalog (catalog.c) ---------------------------------------------------------- */

const struct iam_catalog *iam_catalog_of(const struct iam *iam)
{
	return &iam->cat;
}

static const struct iam_role *find_role(const struct iam *iam, const char *name)
{
	return catalog_role(&iam->cat, name);
}

static int perm_id(const struct iam *iam, const char *permission, uint32_t *id)
{
	return catalog_perm_id(&iam->cat, permission, id);
}

/* ---- members ------------------------------------------------------------------------ */

static int dns_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

/* A domain of at least two dot-separated labels of [A-Za-z0-9-], [s, s+n). */
static int domain_ok(const char *s, size_t n)
{
	size_t label = 0, labels = 0;

	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return 0;
			labels++;
			label = 0;
		} else if (dns_char(s[i]) && label < 63) {
			label++;
		} else {
			return 0;
		}
	}
	return label > 0 && labels >= 1;
}

/* local@domain: a printable local part without separators, and a domain. */
static int email_ok(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);

	if (!at || at == s)
		return 0;
	for (const char *c = s; c < at; c++)
		if (*c <= 0x20 || *c >= 0x7f || strchr("@()<>,;:\\\"[]", *c))
			return 0;
	return domain_ok(at + 1, n - (size_t)(at + 1 - s));
}

/* A Kubernetes workload's service-account member: PROJECT.svc.id.goog[NS/KSA]. */
static int wi_member_ok(const char *s, size_t n)
{
	const char *open = memchr(s, '[', n), *slash;
	static const char pool[] = ".svc.id.goog";

	if (!open || open - s <= (ptrdiff_t)sizeof(pool) - 1 || s[n - 1] != ']')
		return 0;
	if (memcmp(open - (sizeof(pool) - 1), pool, sizeof(pool) - 1) != 0)
		return 0;
	for (const char *c = s; c < open - (sizeof(pool) - 1); c++)
		if (!dns_char(*c) && *c != ':' && *c != '.')
			return 0;
	slash = memchr(open, '/', (size_t)(s + n - open));
	if (!slash || slash == open + 1 || slash + 1 >= s + n - 1)
		return 0;
	for (const char *c = open + 1; c < s + n - 1; c++)
		if (c != slash && !dns_char(*c) && *c != '.')
			return 0;
	return 1;
}

/* "principal://host/path..." or "principalSet://host/path...". */
static int principal_uri_ok(const char *rest)
{
	const char *slash = strchr(rest, '/');

	return slash && slash != rest && slash[1] != '\0';
}

int iam_member_valid(const char *m)
{
	const char *rest, *q;
	size_t n;

	if (!token_ok(m, MAX_NAME))
		return 0;
	if (strcmp(m, "allUsers") == 0 || strcmp(m, "allAuthenticatedUsers") == 0)
		return 1;
	if (has_prefix(m, "user:") || has_prefix(m, "group:")) {
		rest = strchr(m, ':') + 1;
		return email_ok(rest, strlen(rest));
	}
	if (has_prefix(m, "serviceAccount:")) {
		rest = m + 15;
		n = strlen(rest);
		return email_ok(rest, n) || wi_member_ok(rest, n);
	}
	if (has_prefix(m, "domain:"))
		return domain_ok(m + 7, strlen(m + 7));
	if (has_prefix(m, "principal://"))
		return principal_uri_ok(m + 12);
	if (has_prefix(m, "principalSet://"))
		return principal_uri_ok(m + 15);
	if (has_prefix(m, "deleted:")) {
		/* deleted:{user|serviceAccount|group}:EMAIL?uid=DIGITS */
		rest = m + 8;
		if (has_prefix(rest, "user:") || has_prefix(rest, "group:") ||
		    has_prefix(rest, "serviceAccount:"))
			rest = strchr(rest, ':') + 1;
		else
			return 0;
		q = strstr(rest, "?uid=");
		if (!q || !email_ok(rest, (size_t)(q - rest)) || !q[5])
			return 0;
		for (q += 5; *q; q++)
			if (*q < '0' || *q > '9')
				return 0;
		return 1;
	}
	return 0;
}

/* ---- policy normalization ----------------------------------------------------------- */

/* A binding being merged: key is role "\n" canonical condition. */
struct nbind {
	char *key;
	const char *role;
	json_t *cond;    /* normalized condition or NULL */
	json_t *members; /* object used as a set */
};

static int nbind_cmp(const void *a, const void *b)
{
	return strcmp(((const struct nbind *)a)->key, ((const struct nbind *)b)->key);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Copies the known fields of a condition, checking them. NULL on a bad condition (with
 * *err) or no memory. */
static json_t *norm_condition(const json_t *c, size_t bi, int *rc, char **err)
{
	static const char *const fields[] = { "expression", "title", "description", "location" };
	const json_t *expr = json_object_get(c, "expression");
	json_t *out;
	const char *key;
	const json_t *v;

	if (!json_is_object(c)) {
		*rc = fail(err, errf("Invalid value at 'policy.bindings[%zu].condition'.", bi));
		return NULL;
	}
	json_object_foreach((json_t *)c, key, v)
	{
		size_t k;

		for (k = 0; k < 4 && strcmp(key, fields[k]) != 0; k++)
			;
		if (k == 4) {
			*rc = fail(err, errf("Invalid JSON payload received. Unknown name \"%s\" at "
					     "'policy.bindings[%zu].condition': Cannot find field.",
					     key, bi));
			return NULL;
		}
		if (!json_is_string(v) || json_string_length(v) > MAX_CONDITION) {
			*rc = fail(err, errf("Invalid value at 'policy.bindings[%zu].condition.%s'.",
					     bi, key));
			return NULL;
		}
	}
	if (!expr || json_string_length(expr) == 0) {
		*rc = fail(err, errf("Condition expression is required in "
				     "'policy.bindings[%zu].condition'.",
				     bi));
		return NULL;
	}
	out = json_object();
	if (!out) {
		*rc = -ENOMEM;
		return NULL;
	}
	for (size_t k = 0; k < 4; k++) {
		v = json_object_get(c, fields[k]);
		if (v && json_string_length(v) > 0 &&
		    json_object_set_new(out, fields[k], json_string(json_string_value(v))) < 0) {
			json_decref(out);
			*rc = -ENOMEM;
			return NULL;
		}
	}
	return out;
}

struct normalized {
	json_t *bindings; /* normalized array */
	json_t *audit;    /* copy of auditConfigs, or NULL */
	int version;      /* as sent: 0, 1 or 3 */
	int has_cond;
};

static void normalized_free(struct normalized *n)
{
	json_decref(n->bindings);
	json_decref(n->audit);
	memset(n, 0, sizeof(*n));
}

static int check_role(const struct iam *iam, const json_t *role, char **err)
{
	const char *name = json_string_value(role);

	if (!name || !catalog_role_name_ok(name))
		return fail(err, strdup("The role name must be in the form \"roles/{role}\", "
					"\"organizations/{organization_id}/roles/{role}\", or "
					"\"projects/{project_id}/roles/{role}\"."));
	if (!find_role(iam, name))
		return fail(err, errf("Role %s is not supported for this resource.", name));
	return 0;
}

/* Validates and normalizes a policy as setIamPolicy receives it. */
static int normalize(const struct iam *iam, const json_t *policy, struct normalized *out,
		     char **err)
{
	const json_t *bindings = NULL, *b, *version, *audit;
	json_t *index = NULL;
	struct nbind *nb = NULL;
	size_t n_nb = 0, bi, total = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (policy && !json_is_object(policy))
		return fail(err, strdup("Invalid JSON payload received. 'policy' is not an object."));
	version = json_object_get(policy, "version");
	if (version && !json_is_null(version)) {
		json_int_t v = json_is_integer(version) ? json_integer_value(version) : -1;

		if (v != 0 && v != 1 && v != 3)
			return fail(err, errf("Invalid policy version. Valid values are 0, 1, and 3."));
		out->version = (int)v;
	}
	audit = json_object_get(policy, "auditConfigs");
	if (audit && !json_is_null(audit)) {
		if (!json_is_array(audit))
			return fail(err, strdup("Invalid value at 'policy.audit_configs'."));
		if (json_array_size(audit) > 0 && !(out->audit = json_deep_copy(audit)))
			return -ENOMEM;
	}
	bindings = json_object_get(policy, "bindings");
	if (bindings && !json_is_null(bindings) && !json_is_array(bindings)) {
		rc = fail(err, strdup("Invalid value at 'policy.bindings'."));
		goto out;
	}
	index = json_object();
	nb = calloc(json_array_size(bindings) + 1, sizeof(*nb));
	if (!index || !nb) {
		rc = -ENOMEM;
		goto out;
	}
	json_array_foreach(bindings, bi, b)
	{
		const json_t *role = json_object_get(b, "role"), *members, *m, *cond;
		json_t *ncond = NULL, *at;
		char *ckey = NULL, *key;
		struct nbind *t;
		size_t mi;

		if (!json_is_object(b)) {
			rc = fail(err, errf("Invalid value at 'policy.bindings[%zu]'.", bi));
			goto out;
		}
		if ((rc = check_role(iam, role, err)) < 0)
			goto out;
		members = json_object_get(b, "members");
		if (members && !json_is_null(members) && !json_is_array(members)) {
			rc = fail(err, errf("Invalid value at 'policy.bindings[%zu].members'.", bi));
			goto out;
		}
		json_array_foreach(members, mi, m)
		{
			if (!json_is_string(m)) {
				rc = fail(err, errf("Invalid value at 'policy.bindings[%zu].members[%zu]'.",
						    bi, mi));
				goto out;
			}
			if (!iam_member_valid(json_string_value(m))) {
				rc = fail(err, errf("The member %s is of an unknown type. Please set a "
						    "valid type prefix for the member.",
						    json_string_value(m)));
				goto out;
			}
		}
		cond = json_object_get(b, "condition");
		if (cond && !json_is_null(cond)) {
			if (!(ncond = norm_condition(cond, bi, &rc, err)))
				goto out;
			out->has_cond = 1;
			ckey = json_dumps(ncond, JSON_COMPACT | JSON_SORT_KEYS);
			if (!ckey) {
				json_decref(ncond);
				rc = -ENOMEM;
				goto out;
			}
		}
		key = errf("%s\n%s", json_string_value(role), ckey ? ckey : "");
		free(ckey);
		if (!key) {
			json_decref(ncond);
			rc = -ENOMEM;
			goto out;
		}
		at = json_object_get(index, key);
		if (at) {
			t = &nb[json_integer_value(at)];
			free(key);
			json_decref(ncond);
		} else {
			t = &nb[n_nb];
			t->key = key;
			t->role = json_string_value(role);
			t->cond = ncond;
			t->members = json_object();
			if (!t->members ||
			    json_object_set_new(index, key, json_integer((json_int_t)n_nb)) < 0) {
				n_nb++;
				rc = -ENOMEM;
				goto out;
			}
			n_nb++;
		}
		json_array_foreach(members, mi, m)
		{
			if (++total > MAX_ENTRIES) {
				rc = fail(err, strdup("The policy has too many members."));
				goto out;
			}
			if (json_object_set_new(t->members, json_string_value(m), json_true()) < 0) {
				rc = -ENOMEM;
				goto out;
			}
		}
	}
	qsort(nb, n_nb, sizeof(*nb), nbind_cmp);
	out->bindings = json_array();
	if (!out->bindings) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n_nb; i++) {
		size_t n = json_object_size(nb[i].members), k = 0;
		const char **names;
		const char *name;
		json_t *v, *o, *arr;

		if (n == 0)
			continue; /* an empty binding grants nothing: dropped */
		names = malloc(n * sizeof(*names));
		o = json_object();
		arr = json_array();
		if (!names || !o || !arr) {
			free(names);
			json_decref(o);
			json_decref(arr);
			rc = -ENOMEM;
			goto out;
		}
		json_object_foreach(nb[i].members, name, v)
			names[k++] = name;
		qsort(names, n, sizeof(*names), str_cmp);
		for (k = 0; k < n && rc == 0; k++)
			if (json_array_append_new(arr, json_string(names[k])) < 0)
				rc = -ENOMEM;
		free(names);
		if (rc == 0 && json_object_set_new(o, "role", json_string(nb[i].role)) < 0)
			rc = -ENOMEM;
		if (rc < 0) {
			json_decref(arr);
			json_decref(o);
			goto out;
		}
		/* The _new setters take their value's reference even when they fail. */
		if (json_object_set_new(o, "members", arr) < 0 ||
		    (nb[i].cond && json_object_set(o, "condition", nb[i].cond) < 0)) {
			json_decref(o);
			rc = -ENOMEM;
			goto out;
		}
		if (json_array_append_new(out->bindings, o) < 0) {
			rc = -ENOMEM;
			goto out;
		}
	}
	if (out->has_cond && out->version < 3)
		rc = fail(err, errf("Specified policy version (%d) must be at least 3 based on the "
				    "policy's contents. For more information, please refer to "
				    "https://cloud.google.com/iam/help/allow-policies/versions.",
				    out->version));
out:
	for (size_t i = 0; i < n_nb; i++) {
		free(nb[i].key);
		json_decref(nb[i].cond);
		json_decref(nb[i].members);
	}
	free(nb);
	json_decref(index);
	if (rc < 0)
		normalized_free(out);
	return rc;
}

/* ---- etags and views ---------------------------------------------------------------- */

static char *etag_of(int64_t rev)
{
	unsigned char b[8];

	for (int i = 7; i >= 0; i--, rev >>= 8)
		b[i] = (unsigned char)(rev & 0xff);
	return b64_encode(b, sizeof(b));
}

/* The revision an etag names: 0 for "ACAB" (no policy). -EINVAL when it is not base64,
 * -ECANCELED when it can name no revision of ours (so it is stale). */
static int etag_parse(const char *s, int64_t *rev)
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
	char *etag = etag_of(rev);
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

struct record {
	json_t *root;
	json_int_t effective_at;
	json_int_t written_at;
	const json_t *bindings; /* policy.bindings (borrowed from root), may be NULL */
	const json_t *audit;
	const json_t *previous;
};

static int record_parse(const char *data, size_t len, struct record *r)
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
	r->written_at = json_is_integer(written_at(r->root)) ? json_integer_value(written_at(r->root))
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
		if (json_array_append_new(all, version_entry(old->effective_at, old->written_at, old->bindings)) < 0)
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

/* ---- compiled policies -------------------------------------------------------------- */

static void cver_clear(struct cver *v)
{
	hmap_free(v->members);
	hmap_free(v->domains);
	hmap_free(v->groups);
	free(v->rows);
	memset(v, 0, sizeof(*v));
}

static void cpolicy_free(struct cpolicy *cp)
{
	if (!cp)
		return;
	for (size_t i = 0; i < cp->n; i++)
		cver_clear(&cp->v[i]);
	free(cp);
}

static void row_or(uint64_t *dst, const uint64_t *src, size_t words)
{
	for (size_t i = 0; i < words; i++)
		dst[i] |= src[i];
}

/* What a key (a member, a domain or a group) is granted while a version compiles: the
 * catalogue indices of the roles of the unconditional bindings that name it. Keys with
 * the same set of roles share one row, so a version costs a row per distinct set, not
 * per member: a row has a bit for each permission of the catalogue (1.7 KB for Google's
 * 13,790), and most members of a large policy share their roles with others. */
struct grant {
	uint32_t *roles;
	size_t n, cap;
	size_t set; /* its row is N_FIXED_ROWS + set */
	int group;
};

static int grant_add(struct grant *g, uint32_t role)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 4;
		uint32_t *r = realloc(g->roles, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		g->roles = r;
		g->cap = cap;
	}
	g->roles[g->n++] = role;
	return 0;
}

/* The grant of key in *map (created on first use), taking the next free one. */
static struct grant *grant_for(struct hmap **map, const char *key, struct grant *grants,
			       size_t *next, size_t max)
{
	struct grant *g;

	if (!*map && !(*map = hmap_new(16)))
		return NULL;
	g = hmap_get(*map, key);
	if (g)
		return g;
	if (*next >= max)
		return NULL;
	g = &grants[*next];
	if (hmap_put(*map, key, g) < 0)
		return NULL;
	(*next)++;
	return g;
}

/* Sorts and dedups g's roles and finds its set in sets (text of the ids -> set + 1),
 * adding it as the next when new. 0 or -ENOMEM. */
static int grant_set(struct grant *g, struct hmap *sets, struct grant **firsts, size_t *n_sets)
{
	char *key, *k;
	size_t j, u = 0;
	void *v;
	int rc = 0;

	qsort(g->roles, g->n, sizeof(*g->roles), catalog_cmp_id);
	for (j = 0; j < g->n; j++)
		if (u == 0 || g->roles[u - 1] != g->roles[j])
			g->roles[u++] = g->roles[j];
	g->n = u;
	if (!(key = malloc(g->n * 11 + 1)))
		return -ENOMEM;
	k = key;
	for (j = 0; j < g->n; j++)
		k += sprintf(k, "%u,", g->roles[j]);
	*k = '\0';
	if ((v = hmap_get(sets, key))) {
		g->set = (size_t)((uintptr_t)v - 1);
	} else if ((rc = hmap_put(sets, key, (void *)(uintptr_t)(*n_sets + 1))) == 0) {
		firsts[*n_sets] = g;
		g->set = (*n_sets)++;
	}
	free(key);
	return rc;
}

static void roles_or(const struct iam *iam, uint64_t *row, const struct grant *g)
{
	for (size_t j = 0; j < g->n; j++)
		row_or(row, iam->cat.roles[g->roles[j]].bits, iam->cat.words);
}

/* Gives every key of map its set's row in place of its grant. */
static void map_rows(struct hmap *map, uint64_t *rows, size_t words)
{
	size_t pos = 0;
	const char *key;
	void *v;

	while (map && hmap_next(map, &pos, &key, &v))
		hmap_put(map, key, rows + (N_FIXED_ROWS + ((struct grant *)v)->set) * words);
}

static int compile_version(const struct iam *iam, json_int_t effective, json_int_t written,
			   const json_t *bindings, struct cver *cv)
{
	size_t words = iam->cat.words, entries = 0, next = 0, n_sets = 0, i, j;
	struct grant *grants = NULL, everyone[2] = {{0}}, **firsts = NULL;
	struct hmap *sets = NULL;
	const json_t *b, *m;
	int rc = -ENOMEM;

	memset(cv, 0, sizeof(*cv));
	cv->effective_at = effective;
	cv->written_at = written;
	if (words == 0)
		return 0; /* nothing can be granted */
	json_array_foreach(bindings, i, b)
	{
		size_t n = json_array_size(json_object_get(b, "members"));

		if (n > MAX_ENTRIES || entries > MAX_ENTRIES - n)
			return -E2BIG;
		entries += n;
	}
	grants = calloc(entries + 1, sizeof(*grants));
	cv->members = hmap_new(entries);
	if (!grants || !cv->members)
		goto out;
	/* Pass 1: each key's roles. */
	json_array_foreach(bindings, i, b)
	{
		const json_t *cond = json_object_get(b, "condition");
		const struct iam_role *r = find_role(iam, json_string_value(json_object_get(b, "role")));

		/* Conditional bindings grant nothing here (see the top of the file); a role the
		 * catalog no longer has grants nothing. */
		if (!r || (cond && !json_is_null(cond)))
			continue;
		json_array_foreach(json_object_get(b, "members"), j, m)
		{
			const char *s = json_string_value(m);
			struct grant *g;
			char dom[256];

			if (!s)
				continue;
			if (strcmp(s, "allUsers") == 0) {
				g = &everyone[0];
			} else if (strcmp(s, "allAuthenticatedUsers") == 0) {
				g = &everyone[1];
			} else if (has_prefix(s, "domain:")) {
				size_t k, n = strlen(s + 7);

				if (n >= sizeof(dom))
					continue;
				for (k = 0; k < n; k++) {
					char c = s[7 + k];

					dom[k] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
				}
				dom[n] = '\0';
				g = grant_for(&cv->domains, dom, grants, &next, entries);
				if (!g)
					goto out;
			} else if (has_prefix(s, "group:")) {
				g = grant_for(&cv->groups, s + 6, grants, &next, entries);
				if (!g)
					goto out;
				g->group = 1;
			} else if (has_prefix(s, "deleted:")) {
				continue; /* a deleted principal matches no one */
			} else {
				g = grant_for(&cv->members, s, grants, &next, entries);
				if (!g)
					goto out;
			}
			if (grant_add(g, (uint32_t)(r - iam->cat.roles)) < 0)
				goto out;
		}
	}
	/* Pass 2: one row per distinct set of roles, after the fixed rows. */
	sets = hmap_new(next);
	firsts = calloc(next + 1, sizeof(*firsts));
	if (!sets || !firsts)
		goto out;
	for (i = 0; i < next; i++)
		if (grant_set(&grants[i], sets, firsts, &n_sets) < 0)
			goto out;
	cv->rows = calloc((N_FIXED_ROWS + n_sets) * words, sizeof(uint64_t));
	if (!cv->rows)
		goto out;
	for (i = 0; i < n_sets; i++) {
		uint64_t *row = cv->rows + (N_FIXED_ROWS + i) * words;

		roles_or(iam, row, firsts[i]);
		row_or(cv->rows + ROW_ANY * words, row, words);
	}
	for (i = 0; i < next; i++)
		if (grants[i].group)
			row_or(cv->rows + ROW_GROUPS * words,
			       cv->rows + (N_FIXED_ROWS + grants[i].set) * words, words);
	roles_or(iam, cv->rows + ROW_ALL_USERS * words, &everyone[0]);
	roles_or(iam, cv->rows + ROW_ALL_AUTH * words, &everyone[1]);
	row_or(cv->rows + ROW_ANY * words, cv->rows + ROW_ALL_USERS * words, words);
	row_or(cv->rows + ROW_ANY * words, cv->rows + ROW_ALL_AUTH * words, words);
	map_rows(cv->members, cv->rows, words);
	map_rows(cv->domains, cv->rows, words);
	map_rows(cv->groups, cv->rows, words);
	rc = 0;
out:
	for (i = 0; grants && i < next; i++)
		free(grants[i].roles);
	free(everyone[0].roles);
	free(everyone[1].roles);
	free(grants);
	free(firsts);
	hmap_free(sets);
	if (rc < 0)
		cver_clear(cv);
	return rc;
}

static int compile_record(const struct iam *iam, const char *data, size_t len,
			  struct cpolicy **out)
{
	struct record r;
	struct cpolicy *cp = NULL;
	size_t n, i, k = 0;
	const json_t *v;
	int rc;

	*out = NULL;
	if ((rc = record_parse(data, len, &r)) < 0)
		return rc;
	n = json_array_size(r.previous) + 1;
	cp = calloc(1, sizeof(*cp) + n * sizeof(cp->v[0]));
	if (!cp) {
		rc = -ENOMEM;
		goto out;
	}
	json_array_foreach(r.previous, i, v)
	{
		const json_t *w = effective_at(v), *wr = written_at(v), *b = json_object_get(v, "bindings");

		if (!json_is_integer(w) || (b && !json_is_array(b)))
			continue;
		if ((rc = compile_version(iam, json_integer_value(w),
					  json_is_integer(wr) ? json_integer_value(wr) : json_integer_value(w),
					  b, &cp->v[k])) < 0)
			goto out;
		cp->n = ++k;
	}
	if ((rc = compile_version(iam, r.effective_at, r.written_at, r.bindings, &cp->v[k])) < 0)
		goto out;
	cp->n = ++k;
	*out = cp;
	cp = NULL;
out:
	cpolicy_free(cp);
	json_decref(r.root);
	return rc;
}

/* Replaces the cached policy of resource (cp NULL: drops it). Takes cp. */
static void cache_set(struct iam *iam, const char *resource, struct cpolicy *cp)
{
	struct cpolicy *old = hmap_get(iam->cache, resource);

	if (cp) {
		if (hmap_put(iam->cache, resource, cp) < 0) {
			cpolicy_free(cp); /* fail closed: no policy rather than a stale one */
			hmap_del(iam->cache, resource);
		}
	} else {
		hmap_del(iam->cache, resource);
	}
	cpolicy_free(old);
}

static void on_policy_event(void *arg, const struct store_event *ev)
{
	struct iam *iam = arg;
	const char *resource;
	struct cpolicy *cp = NULL;

	if (!ev || !ev->key || !has_prefix(ev->key, POLICY_PREFIX))
		return;
	resource = ev->key + strlen(POLICY_PREFIX);
	if (ev->type == STORE_PUT && ev->value &&
	    compile_record(iam, ev->value, ev->value_len, &cp) < 0)
		cp = NULL;
	cache_set(iam, resource, cp);
}

static int cache_load(struct iam *iam)
{
	struct store_kv *kvs = NULL;
	size_t n = 0;
	int64_t rev = 0;
	int rc;

	rc = store_range(iam->store, POLICY_PREFIX, 0, &kvs, &n, &rev);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct cpolicy *cp = NULL;

		rc = compile_record(iam, kvs[i].value, kvs[i].value_len, &cp);
		if (rc == -ENOMEM)
			goto out;
		rc = 0; /* a malformed record: no policy (fail closed) */
		cache_set(iam, kvs[i].key + strlen(POLICY_PREFIX), cp);
	}
	rc = store_watch(iam->store, POLICY_PREFIX, rev, on_policy_event, iam, &iam->watch);
out:
	store_kvs_free(kvs, n);
	return rc;
}

/* ---- lifecycle ---------------------------------------------------------------------- */

int iam_new(struct store *s, const char *catalog_json, size_t catalog_len, int64_t propagation_ms,
	    struct iam **out)
{
	struct iam *iam;
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	iam = calloc(1, sizeof(*iam));
	if (!iam)
		return -ENOMEM;
	iam->store = s;
	iam->propagation_ms = propagation_ms > 0 ? propagation_ms : 0;
	if ((rc = catalog_load(&iam->cat, catalog_json, catalog_len)) < 0)
		goto fail;
	iam->cache = hmap_new(64);
	if (!iam->cache) {
		rc = -ENOMEM;
		goto fail;
	}
	if ((s && (rc = cache_load(iam)) < 0) || (rc = iam_ancestry_new(s, &iam->ancestry)) < 0)
		goto fail;
	*out = iam;
	return 0;
fail:
	iam_free(iam);
	return rc;
}

void iam_free(struct iam *iam)
{
	size_t pos = 0;
	void *v;

	if (!iam)
		return;
	store_unwatch(iam->watch);
	iam_ancestry_free(iam->ancestry);
	while (hmap_next(iam->cache, &pos, NULL, &v))
		cpolicy_free(v);
	hmap_free(iam->cache);
	catalog_free(&iam->cat);
	free(iam);
}

void iam_set_propagation(struct iam *iam, int64_t propagation_ms)
{
	if (iam)
		iam->propagation_ms = propagation_ms > 0 ? propagation_ms : 0;
}

/* ---- policies ----------------------------------------------------------------------- */

int iam_get_policy(struct iam *iam, const char *resource, int requested_version, json_t **out)
{
	struct store_kv kv = { 0 };
	struct record r = { 0 };
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
	if ((rc = record_parse(kv.value, kv.value_len, &r)) < 0)
		goto out;
	*out = policy_view(r.bindings, r.audit, kv.mod_rev, requested_version);
	rc = *out ? 0 : -ENOMEM;
out:
	json_decref(r.root);
	store_kv_free(&kv);
	free(key);
	return rc;
}

/* setIamPolicy, or a seed (written at 0, no etag, no history). */
static int write_policy(struct iam *iam, const char *resource, const json_t *policy,
			int64_t now_ms, int seed, json_t **out, char **err)
{
	struct normalized np = { 0 };
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
	if ((rc = normalize(iam, policy, &np, err)) < 0)
		return rc;
	etag = seed ? NULL : json_object_get(policy, "etag");
	if (etag && !json_is_null(etag) && !(json_is_string(etag) && json_string_length(etag) == 0)) {
		if (!json_is_string(etag)) {
			rc = fail(err, strdup("Invalid value at 'policy.etag' (TYPE_BYTES)."));
			goto out;
		}
		rc = etag_parse(json_string_value(etag), &want);
		if (rc == -EINVAL)
			rc = fail(err, errf("Invalid value at 'policy.etag' (TYPE_BYTES), \"%s\"",
					    json_string_value(etag)));
		if (rc < 0)
			goto out;
		has_etag = 1;
	}
	if (!(key = policy_key(resource))) {
		rc = -ENOMEM;
		goto out;
	}
	for (int attempt = 0; attempt < MAX_SET_ATTEMPTS; attempt++) {
		struct store_kv kv = { 0 };
		struct record old = { 0 };
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
		if (exists && !seed && record_parse(kv.value, kv.value_len, &old) < 0)
			memset(&old, 0, sizeof(old)); /* an unreadable record has no history */
		if (has_etag && np.version < 3 && old.root && bindings_have_conditions(old.bindings)) {
			json_decref(old.root);
			store_kv_free(&kv);
			rc = fail(err, errf("Specified policy version (%d) cannot be less than the "
					    "existing policy version (3). For more information, "
					    "please refer to "
					    "https://cloud.google.com/iam/docs/policies#versions.",
					    np.version));
			goto out;
		}
		previous = seed ? json_array()
				: kept_versions(&old, now_ms, takes_effect(now_ms, iam->propagation_ms));
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
			       seed ? STORE_ANY_REV : exists ? kv.mod_rev : STORE_ABSENT, &new_rev);
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
	normalized_free(&np);
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

int iam_member_replace(struct iam *iam, const char *member, const char *replacement,
		       int64_t now_ms)
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

/* ---- checks ------------------------------------------------------------------------- */

/* Group membership hook. Google groups (Cloud Identity) are not modelled yet, so a
 * group: binding grants no one; resolve (group email, principal) here when they are. */
static int group_has(const struct iam *iam, const char *group, const struct iam_principal *p)
{
	(void)iam;
	(void)group;
	(void)p;
	return 0;
}

/* True when "domain:" bindings can match p: "domain:D" names the users of the G Suite
 * domain D (google/iam/v1/policy.proto, Binding.members), so only a user principal (one with
 * a "user:" member) matches by its email's domain; a service account never does, whatever
 * its email. */
static int domain_member(const struct iam_principal *p)
{
	for (size_t i = 0; i < p->n_members && i < IAM_MAX_MEMBERS; i++)
		if (p->members[i] && has_prefix(p->members[i], "user:"))
			return 1;
	return 0;
}

/* The version in effect at t (the newest to take effect at or before it: at the earlier
 * of its effectiveAt and its write plus the delay now), or NULL. */
static const struct cver *in_effect(const struct cpolicy *cp, int64_t t, int64_t delay)
{
	for (size_t i = cp->n; i-- > 0;) {
		int64_t now_rule = takes_effect(cp->v[i].written_at, delay);
		if (cp->v[i].effective_at <= t || now_rule <= t)
			return &cp->v[i];
	}
	return NULL;
}

int iam_check(struct iam *iam, const char *const *resources, size_t n_resources,
	      const struct iam_principal *p, const char *permission, int64_t now_ms)
{
	const size_t words = iam ? iam->cat.words : 0;
	size_t n_members, w;
	uint64_t bit;
	uint32_t id;
	int64_t t;
	char dom[256];
	int dom_state = 0; /* 0 not computed, 1 in dom, -1 none */

	const char *all[IAM_ANCESTRY_MAX];

	if (!iam || !resources || !p || !perm_id(iam, permission, &id))
		return 0;
	/* Bindings on an ancestor (folder, organization) hold below it. */
	n_resources =
		iam_ancestry_expand(iam->ancestry, resources, n_resources, all, IAM_ANCESTRY_MAX);
	resources = all;
	w = id >> 6;
	bit = (uint64_t)1 << (id & 63);
	t = now_ms;
	n_members = p->n_members < IAM_MAX_MEMBERS ? p->n_members : IAM_MAX_MEMBERS;
	for (size_t i = 0; i < n_resources; i++) {
		const struct cpolicy *cp = resources[i] ? hmap_get(iam->cache, resources[i]) : NULL;
		const struct cver *cv = cp ? in_effect(cp, t, iam->propagation_ms) : NULL;
		const uint64_t *row;

		if (!cv || !cv->rows || !(cv->rows[ROW_ANY * words + w] & bit))
			continue;
		if (cv->rows[ROW_ALL_USERS * words + w] & bit)
			return 1;
		if (p->authenticated && (cv->rows[ROW_ALL_AUTH * words + w] & bit))
			return 1;
		for (size_t j = 0; j < n_members; j++) {
			row = p->members[j] ? hmap_get(cv->members, p->members[j]) : NULL;
			if (row && (row[w] & bit))
				return 1;
		}
		if (cv->domains && p->email && domain_member(p)) {
			if (dom_state == 0) {
				const char *at = strrchr(p->email, '@');
				size_t n = at ? strlen(at + 1) : 0;

				dom_state = -1;
				if (n > 0 && n < sizeof(dom)) {
					for (size_t k = 0; k <= n; k++) {
						char c = at[1 + k];

						dom[k] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
					}
					dom_state = 1;
				}
			}
			row = dom_state > 0 ? hmap_get(cv->domains, dom) : NULL;
			if (row && (row[w] & bit))
				return 1;
		}
		if (cv->groups && (cv->rows[ROW_GROUPS * words + w] & bit)) {
			size_t pos = 0;
			const char *g;
			void *v;

			while (hmap_next(cv->groups, &pos, &g, &v))
				if ((((const uint64_t *)v)[w] & bit) && group_has(iam, g, p))
					return 1;
		}
	}
	return 0;
}
