/*
 * normalize.c - validates and normalizes a policy as setIamPolicy receives it: bindings
 * with the same role and condition merged, sorted by role, members unique and sorted,
 * empty bindings dropped, conditions checked; Google's INVALID_ARGUMENT texts.
 */
#include "iam/cel.h"
#include "iam/iam_priv.h"

/* ---- policy normalization ----------------------------------------------------------- */

/* A binding being merged: key is role "\n" canonical condition. */
struct nbind {
	char *key;
	const char *role;
	json_t *cond;	 /* normalized condition or NULL */
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

/* The expression compiles as IAM's CEL subset (cel.c). Google's INVALID_ARGUMENT text
 * for a condition that does not compile was not found; the message is the CEL checker's
 * own, in cel-go's format ("ERROR: <input>:1:5: undeclared reference to 'x' ..."). */
static int check_expression(const json_t *expr, char **err)
{
	struct cel_program *prog = NULL;
	char *msg = NULL;
	int rc = cel_compile(json_string_value(expr), json_string_length(expr), &prog, &msg, NULL);

	cel_free(prog);
	if (rc == -EINVAL)
		return fail(err, msg);
	free(msg);
	return rc;
}

/* Copies the known fields of a condition, checking them. NULL on a bad condition (with
 * *err) or no memory. */
static json_t *norm_condition(const json_t *c, size_t bi, int *rc, char **err)
{
	static const char *const fields[] = {"expression", "title", "description", "location"};
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
			*rc = fail(err,
				   errf("Invalid JSON payload received. Unknown name \"%s\" at "
					"'policy.bindings[%zu].condition': Cannot find field.",
					key, bi));
			return NULL;
		}
		if (!json_is_string(v) || json_string_length(v) > MAX_CONDITION) {
			*rc = fail(err,
				   errf("Invalid value at 'policy.bindings[%zu].condition.%s'.", bi,
					key));
			return NULL;
		}
	}
	if (!expr || json_string_length(expr) == 0) {
		*rc = fail(err, errf("Condition expression is required in "
				     "'policy.bindings[%zu].condition'.",
				     bi));
		return NULL;
	}
	if ((*rc = check_expression(expr, err)) < 0)
		return NULL;
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

void iam_normalized_free(struct normalized *n)
{
	json_decref(n->bindings);
	json_decref(n->audit);
	memset(n, 0, sizeof(*n));
}

static int check_role(const struct iam *iam, const json_t *role, const char *resource, char **err)
{
	const char *name = json_string_value(role);

	if (!name || !catalog_role_name_ok(name))
		return fail(err, strdup("The role name must be in the form \"roles/{role}\", "
					"\"organizations/{organization_id}/roles/{role}\", or "
					"\"projects/{project_id}/roles/{role}\"."));
	if (!find_role(iam, name) || !iam_custom_role_fits(iam, name, resource))
		return fail(err, errf("Role %s is not supported for this resource.", name));
	return 0;
}

/* The bindings being merged, by role and condition. */
struct merge {
	json_t *index; /* key -> index in nb */
	struct nbind *nb;
	size_t n, total;
	const char *hash_role; /* the first "<role>_withcond_<hash>" (a version 1 view's) */
	const char *resource;  /* whose policy this is */
};

static int check_members(const json_t *members, size_t bi, char **err)
{
	const json_t *m;
	size_t mi;

	if (members && !json_is_null(members) && !json_is_array(members))
		return fail(err, errf("Invalid value at 'policy.bindings[%zu].members'.", bi));
	json_array_foreach(members, mi, m)
	{
		if (!json_is_string(m))
			return fail(err,
				    errf("Invalid value at 'policy.bindings[%zu].members[%zu]'.",
					 bi, mi));
		if (!iam_member_valid(json_string_value(m)))
			return fail(err, errf("The member %s is of an unknown type. Please set a "
					      "valid type prefix for the member.",
					      json_string_value(m)));
	}
	return 0;
}

/* The merge entry of (role, ncond), created when new. Takes ncond. */
static int merge_entry(struct merge *mg, const json_t *role, json_t *ncond, struct nbind **t)
{
	char *ckey = NULL, *key;
	const json_t *at;

	if (ncond && !(ckey = json_dumps(ncond, JSON_COMPACT | JSON_SORT_KEYS))) {
		json_decref(ncond);
		return -ENOMEM;
	}
	key = errf("%s\n%s", json_string_value(role), ckey ? ckey : "");
	free(ckey);
	if (!key) {
		json_decref(ncond);
		return -ENOMEM;
	}
	at = json_object_get(mg->index, key);
	if (at) {
		*t = &mg->nb[json_integer_value(at)];
		free(key);
		json_decref(ncond);
		return 0;
	}
	*t = &mg->nb[mg->n];
	(*t)->key = key;
	(*t)->role = json_string_value(role);
	(*t)->cond = ncond;
	(*t)->members = json_object();
	mg->n++;
	if (!(*t)->members ||
	    json_object_set_new(mg->index, key, json_integer((json_int_t)(mg->n - 1))) < 0)
		return -ENOMEM;
	return 0;
}

static int basic_role(const char *role)
{
	return strcmp(role, "roles/owner") == 0 || strcmp(role, "roles/editor") == 0 ||
	       strcmp(role, "roles/viewer") == 0;
}

/* Checks binding bi and merges its members into the entry of its role and condition. */
static int merge_binding(const struct iam *iam, struct merge *mg, const json_t *b, size_t bi,
			 struct normalized *out, char **err)
{
	const json_t *role = json_object_get(b, "role"), *members, *m, *cond;
	json_t *ncond = NULL;
	struct nbind *t;
	size_t mi;
	int rc;

	if (!json_is_object(b))
		return fail(err, errf("Invalid value at 'policy.bindings[%zu]'.", bi));
	if (json_is_string(role) && strstr(json_string_value(role), "_withcond_")) {
		if (!mg->hash_role)
			mg->hash_role = json_string_value(role);
		return 0; /* refused once the whole policy is read (iam_normalize) */
	}
	if ((rc = check_role(iam, role, mg->resource, err)) < 0)
		return rc;
	members = json_object_get(b, "members");
	if ((rc = check_members(members, bi, err)) < 0)
		return rc;
	cond = json_object_get(b, "condition");
	if (cond && !json_is_null(cond) && basic_role(json_string_value(role)))
		/* Google's text, as googleapi shows it (e.g. terraform-provider-google users'
		 * reports): a basic role takes no condition. */
		return fail(err, strdup("LintValidationUnits/BindingRoleAllowConditionCheck Error: "
					"Conditions can't be set on primitive roles."));
	if (cond && !json_is_null(cond)) {
		if (!(ncond = norm_condition(cond, bi, &rc, err)))
			return rc;
		out->has_cond = 1;
	}
	if ((rc = merge_entry(mg, role, ncond, &t)) < 0)
		return rc;
	json_array_foreach(members, mi, m)
	{
		if (++mg->total > MAX_ENTRIES)
			return fail(err, strdup("The policy has too many members."));
		if (json_object_set_new(t->members, json_string_value(m), json_true()) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Appends the binding of a merge entry (members sorted) to bindings; none when empty. */
static int emit_binding(const struct nbind *nb, json_t *bindings)
{
	size_t n = json_object_size(nb->members), k = 0;
	const char **names;
	const char *name;
	json_t *v, *o, *arr;
	int rc = 0;

	if (n == 0)
		return 0; /* an empty binding grants nothing: dropped */
	names = malloc(n * sizeof(*names));
	o = json_object();
	arr = json_array();
	if (!names || !o || !arr) {
		free(names);
		json_decref(o);
		json_decref(arr);
		return -ENOMEM;
	}
	json_object_foreach(nb->members, name, v) names[k++] = name;
	qsort(names, n, sizeof(*names), str_cmp);
	for (k = 0; k < n && rc == 0; k++)
		if (json_array_append_new(arr, json_string(names[k])) < 0)
			rc = -ENOMEM;
	free(names);
	if (rc == 0 && json_object_set_new(o, "role", json_string(nb->role)) < 0)
		rc = -ENOMEM;
	if (rc < 0) {
		json_decref(arr);
		json_decref(o);
		return rc;
	}
	/* The _new setters take their value's reference even when they fail. */
	if (json_object_set_new(o, "members", arr) < 0 ||
	    (nb->cond && json_object_set(o, "condition", nb->cond) < 0)) {
		json_decref(o);
		return -ENOMEM;
	}
	return json_array_append_new(bindings, o) < 0 ? -ENOMEM : 0;
}

/* version and auditConfigs. */
static int normalize_head(const json_t *policy, struct normalized *out, char **err)
{
	const json_t *version, *audit;

	if (policy && !json_is_object(policy))
		return fail(err,
			    strdup("Invalid JSON payload received. 'policy' is not an object."));
	version = json_object_get(policy, "version");
	if (version && !json_is_null(version)) {
		json_int_t v = json_is_integer(version) ? json_integer_value(version) : -1;

		if (v != 0 && v != 1 && v != 3)
			return fail(err,
				    errf("Invalid policy version. Valid values are 0, 1, and 3."));
		out->version = (int)v;
	}
	audit = json_object_get(policy, "auditConfigs");
	if (audit && !json_is_null(audit)) {
		if (!json_is_array(audit))
			return fail(err, strdup("Invalid value at 'policy.audit_configs'."));
		if (json_array_size(audit) > 0 && !(out->audit = json_deep_copy(audit)))
			return -ENOMEM;
	}
	return 0;
}

/* Validates and normalizes a policy as setIamPolicy receives it. */
int iam_normalize(const struct iam *iam, const char *resource, const json_t *policy,
		  struct normalized *out, char **err)
{
	const json_t *bindings = NULL, *b;
	struct merge mg = {.resource = resource};
	size_t bi;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = normalize_head(policy, out, err)) < 0)
		goto out;
	bindings = json_object_get(policy, "bindings");
	if (bindings && !json_is_null(bindings) && !json_is_array(bindings)) {
		rc = fail(err, strdup("Invalid value at 'policy.bindings'."));
		goto out;
	}
	mg.index = json_object();
	mg.nb = calloc(json_array_size(bindings) + 1, sizeof(*mg.nb));
	if (!mg.index || !mg.nb) {
		rc = -ENOMEM;
		goto out;
	}
	json_array_foreach(bindings, bi, b)
	{
		if ((rc = merge_binding(iam, &mg, b, bi, out, err)) < 0)
			goto out;
	}
	/* A version 1 view of a conditional policy written back: Google's refusal when it
	 * also has conditions (seen in GoogleCloudPlatform/k8s-config-connector#766). */
	if (mg.hash_role && out->has_cond) {
		rc = fail(err,
			  strdup("Policy cannot contain both conditions and condition hashes. "
				 "Please update your client to request version 3 policy. For more "
				 "information, please refer to "
				 "https://cloud.google.com/iam/help/allow-policies/versions."));
		goto out;
	}
	out->hash_role = mg.hash_role;
	qsort(mg.nb, mg.n, sizeof(*mg.nb), nbind_cmp);
	if (!(out->bindings = json_array())) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < mg.n && rc == 0; i++)
		rc = emit_binding(&mg.nb[i], out->bindings);
	if (rc == 0 && out->has_cond && out->version < 3)
		rc = fail(err, errf("Specified policy version (%d) must be at least 3 based on the "
				    "policy's contents. For more information, please refer to "
				    "https://cloud.google.com/iam/help/allow-policies/versions.",
				    out->version));
out:
	for (size_t i = 0; i < mg.n; i++) {
		free(mg.nb[i].key);
		json_decref(mg.nb[i].cond);
		json_decref(mg.nb[i].members);
	}
	free(mg.nb);
	json_decref(mg.index);
	if (rc < 0)
		iam_normalized_free(out);
	return rc;
}
