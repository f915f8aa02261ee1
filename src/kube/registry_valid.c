/*
 * registry_valid.c - what kube-apiserver checks and fills in before an object is
 * stored: name rules (RFC 1123 subdomain and label, DNS-1035, path segment names),
 * ObjectMeta (labels, annotations, their sizes), the typed decoding of the kinds gkeid
 * knows, each kind's own validation (Pods, ConfigMaps, Secrets, Services, ...), and
 * the defaults the defaulting functions and admission give (pod spec, container
 * fields, Secret stringData). Texts are upstream's (k8s.io/apimachinery validation,
 * pkg/apis/core/validation, Kubernetes 1.30).
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/dbuf.h"
#include "core/hmap.h"
#include "core/jwt.h"
#include "core/store.h"
#include "kube/crdserve.h"
#include "kube/kube.h"
#include "kube/nodeauthz.h"
#include "kube/patch.h"
#include "kube/rbac.h"
#include "kube/registry_impl.h"
#include "kube/schema.h"
#include "kube/selectors.h"
#include "kube/table.h"
#include "kube/util.h"

/* --- validation --- */

static const char MSG_SUBDOMAIN[] =
	"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
	"'-' or '.', and must start and end with an alphanumeric character (e.g. "
	"'example.com', regex used for validation is "
	"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
static const char MSG_LABEL[] =
	"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
	"and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
	"regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
static const char MSG_DNS1035[] =
	"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
	"an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
	"'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
static const char MSG_QNAME[] =
	"name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
	"end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
	"used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
static const char MSG_LVALUE[] =
	"a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
	"or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
	"'my_value',  or '12345', regex used for validation is "
	"'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

static int lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int any_alnum(char c)
{
	return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static int is_label(const char *s, size_t len)
{
	if (!len || !lower_alnum(s[0]) || !lower_alnum(s[len - 1]))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!lower_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static int is_subdomain(const char *s)
{
	const char *p = s;
	if (!*s)
		return 0;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if (!is_label(p, len))
			return 0;
		if (!dot)
			return 1;
		p = dot + 1;
	}
}

static int is_dns1035(const char *s)
{
	return is_label(s, strlen(s)) && s[0] >= 'a' && s[0] <= 'z';
}

/* Validates a name by the kind's rule; adds field errors. */
void reg_validate_name(enum name_rule rule, const char *name, const char *field, json_t *errs)
{
	size_t len = strlen(name);
	switch (rule) {
	case N_SUBDOMAIN:
		if (len > 253)
			ERR_INVALID(errs, field, name, "must be no more than 253 characters");
		if (!is_subdomain(name))
			ERR_INVALID(errs, field, name, MSG_SUBDOMAIN);
		break;
	case N_LABEL:
		if (len > 63)
			ERR_INVALID(errs, field, name, "must be no more than 63 characters");
		if (!is_label(name, len))
			ERR_INVALID(errs, field, name, MSG_LABEL);
		break;
	case N_DNS1035:
		if (len > 63)
			ERR_INVALID(errs, field, name, "must be no more than 63 characters");
		if (!is_dns1035(name))
			ERR_INVALID(errs, field, name, MSG_DNS1035);
		break;
	case N_PATH:
		/* not Kubernetes' (path.IsValidPathSegmentName has no length): see KUBE_NAME_MAX */
		if (len >= KUBE_NAME_MAX)
			ERR_INVALID(errs, field, name, "must be no more than 1023 characters");
		if (strcmp(name, ".") == 0)
			ERR_INVALID(errs, field, name, "may not be '.'");
		else if (strcmp(name, "..") == 0)
			ERR_INVALID(errs, field, name, "may not be '..'");
		if (strchr(name, '/'))
			ERR_INVALID(errs, field, name, "may not contain '/'");
		if (strchr(name, '%'))
			ERR_INVALID(errs, field, name, "may not contain '%'");
		break;
	}
}

static int name_part_ok(const char *s, size_t len)
{
	if (!len || len > 63 || !any_alnum(s[0]) || !any_alnum(s[len - 1]))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!any_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

/* IsQualifiedName: "" when fine, else the first message. */
static const char *qualified_name_error(const char *k)
{
	const char *slash = strchr(k, '/');
	const char *name = slash ? slash + 1 : k;
	if (slash) {
		char prefix[300];
		size_t pl = (size_t)(slash - k);
		if (strchr(name, '/'))
			return "a qualified name must consist of alphanumeric characters, '-', '_' "
			       "or "
			       "'.', and must start and end with an alphanumeric character (e.g. "
			       "'MyName',  or 'my.name',  or '123-abc', regex used for validation "
			       "is "
			       "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
			       "subdomain prefix and '/' (e.g. 'example.com/MyName')";
		if (pl == 0)
			return "prefix part must be non-empty";
		if (pl >= sizeof(prefix) || pl > 253)
			return "prefix part must be no more than 253 characters";
		memcpy(prefix, k, pl);
		prefix[pl] = '\0';
		if (!is_subdomain(prefix))
			return "prefix part a lowercase RFC 1123 subdomain must consist of lower "
			       "case "
			       "alphanumeric characters, '-' or '.', and must start and end with "
			       "an "
			       "alphanumeric character (e.g. 'example.com', regex used for "
			       "validation is "
			       "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'"
			       ")";
	}
	size_t nl = strlen(name);
	if (!nl)
		return "name part must be non-empty";
	if (nl > 63)
		return "name part must be no more than 63 characters";
	if (!name_part_ok(name, nl))
		return MSG_QNAME;
	return "";
}

/* A decode error: what the JSON decoder of kube-apiserver says about a wrong type. */
static int type_error(char *msg, size_t len, const struct kube_resource *res, const char *jtype,
		      const char *field, const char *gotype)
{
	snprintf(
		msg, len,
		"%s in version \"%s\" cannot be handled as a %s: json: cannot unmarshal %s into Go "
		"struct field %s of type %s",
		res->kind, res->version, res->kind, jtype, field, gotype);
	return -EINVAL;
}

const char *reg_jtype(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	default:
		return "null";
	}
}

static int check_string_map(const json_t *m, const struct kube_resource *res, const char *field,
			    char *msg, size_t len)
{
	const char *k;
	json_t *v;
	if (!m || json_is_null(m))
		return 0;
	if (!json_is_object(m))
		return type_error(msg, len, res, reg_jtype(m), field, "map[string]string");
	json_object_foreach((json_t *)m, k, v)
	{
		if (!json_is_string(v))
			return type_error(msg, len, res, reg_jtype(v), field, "string");
	}
	return 0;
}

/* The JSON types of ObjectMeta and of the fields gkeid reads: -EINVAL with a 400 message. */
int reg_check_types(const json_t *obj, const struct kube_resource *res, char *msg, size_t len)
{
	const json_t *m = json_object_get(obj, "metadata");
	static const char *const strs[] = {"name",
					   "generateName",
					   "namespace",
					   "uid",
					   "resourceVersion",
					   "creationTimestamp",
					   "deletionTimestamp",
					   NULL};
	if (m && !json_is_object(m) && !json_is_null(m))
		return type_error(msg, len, res, reg_jtype(m), "ObjectMeta.metadata",
				  "v1.ObjectMeta");
	for (size_t i = 0; m && strs[i]; i++) {
		const json_t *v = json_object_get(m, strs[i]);
		char f[64];
		snprintf(f, sizeof(f), "ObjectMeta.metadata.%s", strs[i]);
		if (v && !json_is_string(v) && !json_is_null(v))
			return type_error(msg, len, res, reg_jtype(v), f, "string");
	}
	if (m && check_string_map(json_object_get(m, "labels"), res, "ObjectMeta.metadata.labels",
				  msg, len))
		return -EINVAL;
	if (m && check_string_map(json_object_get(m, "annotations"), res,
				  "ObjectMeta.metadata.annotations", msg, len))
		return -EINVAL;
	const json_t *fin = m ? json_object_get(m, "finalizers") : NULL;
	if (fin && !json_is_array(fin) && !json_is_null(fin))
		return type_error(msg, len, res, reg_jtype(fin), "ObjectMeta.metadata.finalizers",
				  "[]string");
	const json_t *spec = json_object_get(obj, "spec");
	if (spec && !json_is_object(spec) && !json_is_null(spec))
		return type_error(msg, len, res, reg_jtype(spec), "spec", "struct");
	const json_t *status = json_object_get(obj, "status");
	if (status && !json_is_object(status) && !json_is_null(status))
		return type_error(msg, len, res, reg_jtype(status), "status", "struct");
	if (reg_is_core(res, "pods") && json_is_object(spec)) {
		static const char *const lists[] = {"containers", "initContainers", "volumes",
						    NULL};
		for (size_t i = 0; lists[i]; i++) {
			const json_t *l = json_object_get(spec, lists[i]);
			size_t k;
			const json_t *c;
			char f[64];
			snprintf(f, sizeof(f), "PodSpec.spec.%s", lists[i]);
			if (l && !json_is_array(l) && !json_is_null(l))
				return type_error(msg, len, res, reg_jtype(l), f, "[]v1.Container");
			json_array_foreach(l, k, c)
			{
				if (!json_is_object(c))
					return type_error(msg, len, res, reg_jtype(c), f,
							  "v1.Container");
				const json_t *nm = json_object_get(c, "name");
				const json_t *im = json_object_get(c, "image");
				if (nm && !json_is_string(nm))
					return type_error(msg, len, res, reg_jtype(nm),
							  "Container.spec.containers.name",
							  "string");
				if (im && !json_is_string(im))
					return type_error(msg, len, res, reg_jtype(im),
							  "Container.spec.containers.image",
							  "string");
			}
		}
	}
	if ((reg_is_core(res, "configmaps") || reg_is_core(res, "secrets"))) {
		if (check_string_map(json_object_get(obj, "data"), res, "data", msg, len) ||
		    check_string_map(json_object_get(obj, "stringData"), res, "stringData", msg,
				     len) ||
		    check_string_map(json_object_get(obj, "binaryData"), res, "binaryData", msg,
				     len))
			return -EINVAL;
		const json_t *t = json_object_get(obj, "type");
		if (t && !json_is_string(t))
			return type_error(msg, len, res, reg_jtype(t), "type", "string");
	}
	if (!strcmp(res->group, "rbac.authorization.k8s.io")) {
		const json_t *rules = json_object_get(obj, "rules");
		const json_t *subjects = json_object_get(obj, "subjects");
		const json_t *ref = json_object_get(obj, "roleRef");
		if (rules && !json_is_array(rules) && !json_is_null(rules))
			return type_error(msg, len, res, reg_jtype(rules), "rules",
					  "[]v1.PolicyRule");
		if (subjects && !json_is_array(subjects) && !json_is_null(subjects))
			return type_error(msg, len, res, reg_jtype(subjects), "subjects",
					  "[]v1.Subject");
		if (ref && !json_is_object(ref))
			return type_error(msg, len, res, reg_jtype(ref), "roleRef", "v1.RoleRef");
	}
	return 0;
}

void reg_validate_meta(const json_t *obj, json_t *errs)
{
	const json_t *m = json_object_get(obj, "metadata");
	const json_t *labels = json_object_get(m, "labels");
	const json_t *ann = json_object_get(m, "annotations");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)labels, k, v)
	{
		const char *e = qualified_name_error(k);
		const char *val = json_string_value(v);
		if (*e)
			ERR_INVALID(errs, "metadata.labels", k, e);
		if (val && strlen(val) > 63)
			ERR_INVALID(errs, "metadata.labels", val,
				    "must be no more than 63 characters");
		else if (val && *val && !name_part_ok(val, strlen(val)))
			ERR_INVALID(errs, "metadata.labels", val, MSG_LVALUE);
	}
	size_t total = 0;
	json_object_foreach((json_t *)ann, k, v)
	{
		const char *e = qualified_name_error(k);
		if (*e) {
			/* the key whole, in lower case (a key of any length) */
			char *lower = strdup(k);
			for (char *p = lower; p && *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p + 32);
			ERR_INVALID(errs, "metadata.annotations", lower ? lower : k, e);
			free(lower);
		}
		total += strlen(k) + (json_string_value(v) ? strlen(json_string_value(v)) : 0);
	}
	if (total > ANNOTATIONS_MAX)
		reg_field_err(errs, "metadata.annotations", "FieldValueTooLong",
			      "Too long: must have at most %d bytes", ANNOTATIONS_MAX);
	const json_t *fin = json_object_get(m, "finalizers");
	size_t i;
	json_array_foreach(fin, i, v)
	{
		char f[64];
		snprintf(f, sizeof(f), "metadata.finalizers[%zu]", i);
		if (!json_is_string(v))
			reg_field_err(errs, f, "FieldValueInvalid", "Invalid value: %s",
				      "must be a string");
		else if (*qualified_name_error(json_string_value(v)))
			ERR_INVALID(errs, f, json_string_value(v),
				    qualified_name_error(json_string_value(v)));
	}
}

static int valid_config_key(const char *k)
{
	if (!*k || strlen(k) > 253 || strcmp(k, ".") == 0 || strcmp(k, "..") == 0 ||
	    strncmp(k, "..", 2) == 0)
		return 0;
	for (const char *p = k; *p; p++)
		if (!any_alnum(*p) && *p != '-' && *p != '_' && *p != '.')
			return 0;
	return 1;
}

static void validate_containers(const json_t *list, const char *field, json_t *errs)
{
	size_t i, j;
	const json_t *c;
	char f[128];
	json_array_foreach(list, i, c)
	{
		const char *name = json_string_value(json_object_get(c, "name"));
		const char *image = json_string_value(json_object_get(c, "image"));
		snprintf(f, sizeof(f), "%s[%zu].name", field, i);
		if (!name || !*name)
			ERR_REQUIRED(errs, f);
		else {
			if (!is_label(name, strlen(name)) || strlen(name) > 63)
				ERR_INVALID(errs, f, name, MSG_LABEL);
			for (j = 0; j < i; j++) {
				const char *o = json_string_value(
					json_object_get(json_array_get(list, j), "name"));
				if (o && strcmp(o, name) == 0) {
					reg_field_err(errs, f, "FieldValueDuplicate",
						      "Duplicate value: \"%s\"", name);
					break;
				}
			}
		}
		snprintf(f, sizeof(f), "%s[%zu].image", field, i);
		if (!image || !*image)
			ERR_REQUIRED(errs, f);
	}
}

/* A pod's spec may change only in images, activeDeadlineSeconds, tolerations and
 * terminationGracePeriodSeconds (ValidatePodUpdate). */
static int pod_spec_update_ok(const json_t *old, const json_t *next)
{
	static const char *const loose[] = {"activeDeadlineSeconds", "tolerations",
					    "terminationGracePeriodSeconds", NULL};
	static const char *const lists[] = {"containers", "initContainers", NULL};
	json_t *a = json_is_object(old) ? json_deep_copy(old) : json_object();
	json_t *b = json_is_object(next) ? json_deep_copy(next) : json_object();
	int ok = 0;
	if (!a || !b)
		goto out;
	for (size_t i = 0; loose[i]; i++) {
		json_object_del(a, loose[i]);
		json_object_del(b, loose[i]);
	}
	for (size_t i = 0; lists[i]; i++) {
		json_t *la = json_object_get(a, lists[i]), *lb = json_object_get(b, lists[i]);
		size_t k;
		json_t *c;
		if (json_array_size(la) != json_array_size(lb))
			continue; /* differs: json_equal below says so */
		json_array_foreach(lb, k, c)
		{
			json_t *img = json_object_get(json_array_get(la, k), "image");
			if (json_is_object(c) && img)
				json_object_set(c, "image", img);
		}
	}
	ok = json_equal(a, b);
out:
	json_decref(a);
	json_decref(b);
	return ok;
}

/* The kind's own rules on a whole object (create and update). old is NULL on create. */
static void validate_pod(const json_t *obj, const json_t *old, json_t *errs)
{
	const json_t *spec = json_object_get(obj, "spec");
	const json_t *cs = json_object_get(spec, "containers");
	if (!json_array_size(cs))
		ERR_REQUIRED(errs, "spec.containers");
	else
		validate_containers(cs, "spec.containers", errs);
	validate_containers(json_object_get(spec, "initContainers"), "spec.initContainers", errs);
	if (old && !pod_spec_update_ok(json_object_get(old, "spec"), spec))
		reg_field_err(errs, "spec", "FieldValueForbidden",
			      "Forbidden: pod updates may not change fields other than "
			      "`spec.containers[*].image`,`spec.initContainers[*].image`,"
			      "`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
			      "additions to "
			      "existing tolerations),`spec.terminationGracePeriodSeconds` "
			      "(allow it "
			      "to be set to 1 if it was previously negative)");
}

/* ConfigMaps and Secrets: their keys, immutable data, a Secret's type. */
static void validate_config(const struct kube_resource *res, const json_t *obj, const json_t *old,
			    json_t *errs)
{
	const char *k;
	json_t *v;
	static const char *const maps[] = {"data", "binaryData", "stringData", NULL};
	for (size_t i = 0; maps[i]; i++) {
		json_object_foreach(json_object_get(obj, maps[i]), k, v)
		{
			if (!valid_config_key(k)) {
				struct dbuf fb = DBUF_INIT(0); /* data[KEY], the key whole */
				dbuf_printf(&fb, "%s[%s]", maps[i], k);
				const char *f = fb.p && !fb.oom ? fb.p : maps[i];
				ERR_INVALID(errs, f, k,
					    "a valid config key must consist of alphanumeric "
					    "characters, '-', '_' or '.' (e.g. 'key.name',  or "
					    "'KEY_NAME',  or 'key-name', regex used for "
					    "validation "
					    "is '[-._a-zA-Z0-9]+')");
				dbuf_free(&fb);
			}
		}
	}
	if (old && json_is_true(json_object_get(old, "immutable")) &&
	    (!json_equal(json_object_get(old, "data"), json_object_get(obj, "data")) ||
	     !json_equal(json_object_get(old, "binaryData"), json_object_get(obj, "binaryData"))))
		reg_field_err(errs, "data", "FieldValueForbidden",
			      "Forbidden: field is immutable when `immutable` is set");
	if (old && reg_is_core(res, "secrets") &&
	    !json_equal(json_object_get(old, "type"), json_object_get(obj, "type")))
		reg_field_err(errs, "type", "FieldValueInvalid",
			      "Invalid value: \"%s\": field is immutable",
			      json_string_value(json_object_get(obj, "type"))
				      ? json_string_value(json_object_get(obj, "type"))
				      : "");
}

/* Roles, ClusterRoles and their bindings. */
static void validate_rbac(const struct kube_resource *res, const json_t *obj, const json_t *old,
			  json_t *errs)
{
	size_t i;
	const json_t *rule;
	json_array_foreach(json_object_get(obj, "rules"), i, rule)
	{
		char f[64];
		snprintf(f, sizeof(f), "rules[%zu].verbs", i);
		if (!json_array_size(json_object_get(rule, "verbs")))
			ERR_REQUIRED(errs, f);
		if (!json_array_size(json_object_get(rule, "nonResourceURLs")) &&
		    !json_array_size(json_object_get(rule, "apiGroups")) &&
		    strcmp(res->resource, "roles") == 0) {
			snprintf(f, sizeof(f), "rules[%zu].apiGroups", i);
			ERR_REQUIRED(errs, f);
		}
	}
	if (strstr(res->resource, "bindings")) {
		const json_t *ref = json_object_get(obj, "roleRef");
		const char *rk = json_string_value(json_object_get(ref, "kind"));
		const char *rn = json_string_value(json_object_get(ref, "name"));
		if (!rn || !*rn)
			ERR_REQUIRED(errs, "roleRef.name");
		if (!rk || !*rk)
			ERR_REQUIRED(errs, "roleRef.kind");
		else if (strcmp(rk, "ClusterRole") != 0 &&
			 (strcmp(rk, "Role") != 0 ||
			  strcmp(res->resource, "clusterrolebindings") == 0))
			reg_field_err(errs, "roleRef.kind", "FieldValueNotSupported",
				      "Unsupported value: \"%s\": supported values: %s", rk,
				      strcmp(res->resource, "clusterrolebindings") == 0
					      ? "\"ClusterRole\""
					      : "\"Role\", \"ClusterRole\"");
		if (old && !json_equal(json_object_get(old, "roleRef"), (json_t *)ref))
			reg_field_err(errs, "roleRef", "FieldValueInvalid",
				      "Invalid value: %s: cannot change roleRef", "{...}");
		const json_t *s;
		json_array_foreach(json_object_get(obj, "subjects"), i, s)
		{
			char f[64];
			const char *sk = json_string_value(json_object_get(s, "kind"));
			const char *sn = json_string_value(json_object_get(s, "name"));
			snprintf(f, sizeof(f), "subjects[%zu].name", i);
			if (!sn || !*sn)
				ERR_REQUIRED(errs, f);
			snprintf(f, sizeof(f), "subjects[%zu].kind", i);
			if (!sk || (strcmp(sk, "User") && strcmp(sk, "Group") &&
				    strcmp(sk, "ServiceAccount")))
				reg_field_err(errs, f, "FieldValueNotSupported",
					      "Unsupported value: \"%s\": supported values: "
					      "\"ServiceAccount\", \"User\", \"Group\"",
					      sk ? sk : "");
		}
	}
}

void reg_validate_kind(const struct kube_resource *res, const json_t *obj, const json_t *old,
		       json_t *errs)
{
	/* CRDs and custom resources (crdserve.c): defaults, pruning, schema validation */
	if (crd_object_hook(res, (json_t *)obj, old, errs))
		reg_field_err(errs, "", "InternalError", "out of memory");
	if (reg_is_core(res, "pods"))
		validate_pod(obj, old, errs);
	else if (reg_is_core(res, "configmaps") || reg_is_core(res, "secrets"))
		validate_config(res, obj, old, errs);
	else if (!strcmp(res->group, "rbac.authorization.k8s.io"))
		validate_rbac(res, obj, old, errs);
}

/* --- defaults, as kube-apiserver's defaulting and admission give them --- */

static void set_default(json_t *o, const char *k, json_t *v)
{
	if (!v)
		return;
	if (!json_object_get(o, k))
		json_object_set_new(o, k, v);
	else
		json_decref(v);
}

void reg_default_containers(json_t *list)
{
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c)
	{
		if (!json_is_object(c))
			continue;
		const char *image = json_string_value(json_object_get(c, "image"));
		const char *slash = image ? strrchr(image, '/') : NULL;
		const char *colon = image ? strrchr(slash ? slash : image, ':') : NULL;
		int latest =
			image && !strchr(image, '@') && (!colon || strcmp(colon, ":latest") == 0);
		set_default(c, "imagePullPolicy", json_string(latest ? "Always" : "IfNotPresent"));
		set_default(c, "resources", json_object());
		set_default(c, "terminationMessagePath", json_string("/dev/termination-log"));
		set_default(c, "terminationMessagePolicy", json_string("File"));
		json_t *ports = json_object_get(c, "ports");
		size_t j;
		json_t *p;
		json_array_foreach(ports, j, p)
		{
			if (json_is_object(p))
				set_default(p, "protocol", json_string("TCP"));
		}
	}
}

static int has_resources(const json_t *spec)
{
	size_t i;
	const json_t *c;
	json_array_foreach(json_object_get(spec, "containers"), i, c)
	{
		const json_t *r = json_object_get(c, "resources");
		if (json_object_size(json_object_get(r, "requests")) ||
		    json_object_size(json_object_get(r, "limits")))
			return 1;
	}
	return 0;
}

void reg_pod_defaults(json_t *obj, int reset_status)
{
	json_t *spec = json_object_get(obj, "spec");
	if (!json_is_object(spec))
		return;
	reg_default_containers(json_object_get(spec, "containers"));
	reg_default_containers(json_object_get(spec, "initContainers"));
	set_default(spec, "restartPolicy", json_string("Always"));
	set_default(spec, "terminationGracePeriodSeconds", json_integer(30));
	set_default(spec, "dnsPolicy", json_string("ClusterFirst"));
	set_default(spec, "securityContext", json_object());
	set_default(spec, "schedulerName", json_string("default-scheduler"));
	const char *sa = json_string_value(json_object_get(spec, "serviceAccountName"));
	if (!sa || !*sa)
		sa = json_string_value(json_object_get(spec, "serviceAccount"));
	/* the ServiceAccount admission plugin leaves a mirror pod's spec alone */
	int mirror =
		json_object_get(json_object_get(json_object_get(obj, "metadata"), "annotations"),
				"kubernetes.io/config.mirror") != NULL;
	if ((!sa || !*sa) && !mirror)
		sa = "default";
	json_t *sav = sa && *sa ? json_string(sa) : NULL;
	if (sav) {
		json_object_set(spec, "serviceAccountName", sav);
		json_object_set_new(spec, "serviceAccount", sav);
	}
	set_default(spec, "enableServiceLinks", json_true());
	set_default(spec, "priority", json_integer(0));
	set_default(spec, "preemptionPolicy", json_string("PreemptLowerPriority"));
	if (!json_object_get(spec, "tolerations"))
		json_object_set_new(spec, "tolerations",
				    json_pack("[{s:s, s:s, s:s, s:i}, {s:s, s:s, s:s, s:i}]", "key",
					      "node.kubernetes.io/not-ready", "operator", "Exists",
					      "effect", "NoExecute", "tolerationSeconds", 300,
					      "key", "node.kubernetes.io/unreachable", "operator",
					      "Exists", "effect", "NoExecute", "tolerationSeconds",
					      300));
	json_t *status = json_object_get(obj, "status");
	if (reset_status || !json_is_object(status)) {
		status = json_object();
		if (!status || json_object_set_new(obj, "status", status))
			return;
	}
	set_default(status, "phase", json_string("Pending"));
	set_default(status, "qosClass",
		    json_string(has_resources(spec) ? "Burstable" : "BestEffort"));
}

/* Secret stringData is write-only: merged into data, base64-encoded. */
static int secret_string_data(json_t *obj)
{
	json_t *sd = json_object_get(obj, "stringData");
	const char *k;
	json_t *v;
	if (!sd)
		return 0;
	json_t *data = json_object_get(obj, "data");
	if (!json_is_object(data)) {
		data = json_object();
		if (!data || json_object_set_new(obj, "data", data))
			return -ENOMEM;
	}
	json_object_foreach(sd, k, v)
	{
		const char *s = json_string_value(v);
		char *b = b64_encode(s ? s : "", s ? strlen(s) : 0);
		if (!b)
			return -ENOMEM;
		json_object_set_new(data, k, json_string(b));
		free(b);
	}
	json_object_del(obj, "stringData");
	return 0;
}

int reg_apply_defaults(const struct kube_resource *res, json_t *obj, int create)
{
	if (reg_is_core(res, "pods")) {
		reg_pod_defaults(obj, 0);
	} else if (reg_is_core(res, "namespaces")) {
		json_t *m = reg_meta_of(obj), *labels, *spec, *status;
		if (!m)
			return -ENOMEM;
		labels = json_object_get(m, "labels");
		if (!json_is_object(labels)) {
			labels = json_object();
			if (!labels || json_object_set_new(m, "labels", labels))
				return -ENOMEM;
		}
		json_object_set_new(labels, "kubernetes.io/metadata.name",
				    json_string(reg_mstr(obj, "name")));
		spec = json_object_get(obj, "spec");
		if (!json_is_object(spec)) {
			spec = json_object();
			if (!spec || json_object_set_new(obj, "spec", spec))
				return -ENOMEM;
		}
		if (create)
			set_default(spec, "finalizers", json_pack("[s]", "kubernetes"));
		status = json_object_get(obj, "status");
		if (!json_is_object(status)) {
			status = json_object();
			if (!status || json_object_set_new(obj, "status", status))
				return -ENOMEM;
		}
		set_default(status, "phase", json_string("Active"));
	} else if (reg_is_core(res, "secrets")) {
		if (secret_string_data(obj))
			return -ENOMEM;
		set_default(obj, "type", json_string("Opaque"));
	} else if (reg_is_core(res, "services")) {
		json_t *spec = json_object_get(obj, "spec");
		if (json_is_object(spec)) {
			set_default(spec, "type", json_string("ClusterIP"));
			set_default(spec, "sessionAffinity", json_string("None"));
		}
	} else if (!strcmp(res->group, "networking.k8s.io") &&
		   !strcmp(res->resource, "networkpolicies")) {
		json_t *spec = json_object_get(obj, "spec");
		if (json_is_object(spec)) {
			set_default(spec, "podSelector", json_object());
			if (!json_object_get(spec, "policyTypes")) {
				json_t *pt = json_pack("[s]", "Ingress");
				if (pt && json_object_get(spec, "egress"))
					json_array_append_new(pt, json_string("Egress"));
				set_default(spec, "policyTypes", pt);
			}
		}
	} else {
		return reg_builtin_defaults(res, obj);
	}
	return 0;
}

/* Fills server-set metadata on a new object. */
int reg_fill_create_meta(const struct kube_resource *res, json_t *obj)
{
	char uid[37], ts[32];
	json_t *m = reg_meta_of(obj);
	if (!m)
		return -ENOMEM;
	if (random_uuid4(uid) != 0)
		return -EIO;
	reg_now_rfc3339(ts);
	json_object_set_new(m, "uid", json_string(uid));
	json_object_set_new(m, "creationTimestamp", json_string(ts));
	json_object_del(m, "deletionTimestamp");
	json_object_del(m, "deletionGracePeriodSeconds");
	json_object_del(m, "resourceVersion");
	json_object_del(m, "selfLink");
	if (reg_kind_of(res)->generation)
		json_object_set_new(m, "generation", json_integer(1));
	else
		json_object_del(m, "generation");
	return 0;
}

/* A name from generateName: the prefix (cut to 58 bytes) and 5 random characters. */
int reg_generate_name(const char *prefix, char *out, size_t len)
{
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
	unsigned char rnd[5];
	size_t pl = strlen(prefix);
	if (pl > 58)
		pl = 58;
	if (pl + 6 > len || random_bytes(rnd, sizeof(rnd)) != 0)
		return -EINVAL;
	memcpy(out, prefix, pl);
	for (size_t i = 0; i < 5; i++)
		out[pl + i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
	out[pl + 5] = '\0';
	return 0;
}
