/*
 * cloudidentity.c - the Cloud Identity Groups API v1 (cloudidentity.googleapis.com): groups
 * (create, lookup, get, list, patch, delete) and their memberships (create, lookup, get,
 * list, delete, modifyMembershipRoles, checkTransitiveMembership), enough for
 * `gcloud identity groups create|describe|update|delete` and `gcloud identity groups
 * memberships add|list|describe|delete|modify-membership-roles|check-transitive-membership`.
 * Store layout in cloudidentity.h. Writes answer with a done long-running operation whose
 * response is the resource, as Google's do.
 *
 * Who may do what. Google authorizes this API by the caller's place in the directory, not
 * by IAM (https://cloud.google.com/identity/docs/concepts/auth): a groups administrator may
 * do anything; by default any user may create a group (gkeid: a user of the group's own
 * domain; a service account only as administrator); non-members may read groups and
 * memberships; MANAGERs manage the memberships of non-owners; OWNERs also change and
 * delete the group and manage every membership. gkeid keeps the same rules, with one
 * stand-in: the groups administrators of customer C are the callers who hold
 * resourcemanager.organizations.setIamPolicy on an organization whose directoryCustomerId
 * is C (an Organization Administrator). Any well-formed customer ID is a customer.
 *
 * Google's texts, from public reports of the API's replies:
 *   403 Error(2028): Permission denied for resource groups/ID (or it may not exist).
 *       (terraform-google-modules/terraform-example-foundation#1206), also for a member
 *       that resolves to no identity (mesoform cloud_identity_group notes);
 *   409 Error(2018): Cannot create group 'E' because it already exists.
 *       (GoogleCloudPlatform/pbmm-on-gcp-onboarding#271);
 *   409 Error(4003): Cannot create membership 'E' in 'groups/ID' because it already exists.
 *       (salrashid123/iam_autorevoke#1);
 *   404 Error(4006): Membership does not exist. (greenpau/caddy-auth-portal#158);
 *   400 Error(2033): Group resource name has the correct format of `groups/{group_id}`, but
 *       it contains an invalid `{groupd_id}`. (pulumi/pulumi-google-native#509);
 *   400 MEMBER role must be specified (field resource.roles; kyma-project/test-infra#13819);
 *   400 security label cannot be specified directly
 *       (terraform-google-modules/terraform-google-group#2);
 *   Cannot remove the OWNER role in membership 'groups/G/memberships/M' because it's the
 *       last OWNER role in the Google Groups (mesoform notes; its status is not quoted:
 *       gkeid answers 400 FAILED_PRECONDITION).
 * The lookup of an unknown group key is answered with Error(2028) naming the key: gcloud
 * treats its 403 and 404 alike ("There is no such a group associated with ...").
 */
#include "cloud/cloudidentity.h"

#include <errno.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/gerrors.h"
#include "cloud/jsonschema.h"
#include "core/clock.h"
#include "core/dbuf.h"
#include "core/store.h"
#include "iam/groups.h"

#define SERVICE "cloudidentity.googleapis.com"
#define BASE "/cloudidentity/v1/"
#define TYPE_GROUP "cloudidentity.googleapis.com/Group"
#define TYPE_MEMBERSHIP "cloudidentity.googleapis.com/Membership"
#define OWNER_DOMAIN "domain:cloudidentity.googleapis.com"
#define LABEL_FORUM "cloudidentity.googleapis.com/groups.discussion_forum"
#define LABEL_SECURITY "cloudidentity.googleapis.com/groups.security"
#define LABEL_DYNAMIC "cloudidentity.googleapis.com/groups.dynamic"
#define ID_MAX 64
#define EMAIL_MAX IAM_GROUP_EMAIL_MAX

enum role { R_MEMBER = 1, R_MANAGER = 2, R_OWNER = 4 };

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int put_json(struct store *s, const char *key, const json_t *j, int64_t expected)
{
	char *v = json_dumps(j, JSON_COMPACT);
	int rc = v ? store_put(s, key, v, strlen(v), expected, NULL) : -ENOMEM;
	free(v);
	return rc < 0 ? rc : 0;
}

/* ---- request messages (jsonschema.h), from the cloudidentity v1 discovery document that
 * gcloud 528 is generated from (google.apps.cloudidentity.groups.v1) ----------------- */

#define PKG "google.apps.cloudidentity.groups.v1."
static const struct jschema_field F_EntityKey[] = {
	{"id", "id", JS_STRING, 0, NULL, NULL, NULL},
	{"namespace", "namespace", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_EntityKey = {PKG "EntityKey", F_EntityKey, 2};
static const struct jschema_field F_Group[] = {
	{"additional_group_keys", "additionalGroupKeys", JS_MESSAGE, JS_REPEATED, &M_EntityKey,
	 NULL, NULL},
	{"create_time", "createTime", JS_WKT, 0, NULL, NULL, "google.protobuf.Timestamp"},
	{"description", "description", JS_STRING, 0, NULL, NULL, NULL},
	{"display_name", "displayName", JS_STRING, 0, NULL, NULL, NULL},
	{"dynamic_group_metadata", "dynamicGroupMetadata", JS_ANY, 0, NULL, NULL, NULL},
	{"group_key", "groupKey", JS_MESSAGE, 0, &M_EntityKey, NULL, NULL},
	{"labels", "labels", JS_STRING, JS_MAP, NULL, NULL, PKG "Group.LabelsEntry"},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"parent", "parent", JS_STRING, 0, NULL, NULL, NULL},
	{"update_time", "updateTime", JS_WKT, 0, NULL, NULL, "google.protobuf.Timestamp"},
};
static const struct jschema_msg M_Group = {PKG "Group", F_Group, 10};
static const struct jschema_field F_ExpiryDetail[] = {
	{"expire_time", "expireTime", JS_WKT, 0, NULL, NULL, "google.protobuf.Timestamp"},
};
static const struct jschema_msg M_ExpiryDetail = {PKG "ExpiryDetail", F_ExpiryDetail, 1};
static const struct jschema_field F_MembershipRole[] = {
	{"expiry_detail", "expiryDetail", JS_MESSAGE, 0, &M_ExpiryDetail, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"restriction_evaluations", "restrictionEvaluations", JS_ANY, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_MembershipRole = {PKG "MembershipRole", F_MembershipRole, 3};
static const char *const type_values[] = {
	"TYPE_UNSPECIFIED", "USER", "SERVICE_ACCOUNT", "GROUP", "SHARED_DRIVE",
	"CBCM_BROWSER",	    "OTHER"};
static const struct jschema_enum E_Type = {PKG "Membership.Type", type_values, 7};
static const char *const delivery_values[] = {
	"DELIVERY_SETTING_UNSPECIFIED", "ALL_MAIL", "DIGEST", "DAILY", "NONE", "DISABLED"};
static const struct jschema_enum E_Delivery = {PKG "Membership.DeliverySetting", delivery_values,
					       6};
static const struct jschema_field F_Membership[] = {
	{"create_time", "createTime", JS_WKT, 0, NULL, NULL, "google.protobuf.Timestamp"},
	{"delivery_setting", "deliverySetting", JS_ENUM, 0, NULL, &E_Delivery, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"preferred_member_key", "preferredMemberKey", JS_MESSAGE, 0, &M_EntityKey, NULL, NULL},
	{"roles", "roles", JS_MESSAGE, JS_REPEATED, &M_MembershipRole, NULL, NULL},
	{"type", "type", JS_ENUM, 0, NULL, &E_Type, NULL},
	{"update_time", "updateTime", JS_WKT, 0, NULL, NULL, "google.protobuf.Timestamp"},
};
static const struct jschema_msg M_Membership = {PKG "Membership", F_Membership, 7};
static const struct jschema_field F_UpdateParams[] = {
	{"field_mask", "fieldMask", JS_WKT, 0, NULL, NULL, "google.protobuf.FieldMask"},
	{"membership_role", "membershipRole", JS_MESSAGE, 0, &M_MembershipRole, NULL, NULL},
};
static const struct jschema_msg M_UpdateParams = {PKG "UpdateMembershipRolesParams", F_UpdateParams,
						  2};
static const struct jschema_field F_Modify[] = {
	{"add_roles", "addRoles", JS_MESSAGE, JS_REPEATED, &M_MembershipRole, NULL, NULL},
	{"remove_roles", "removeRoles", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"update_roles_params", "updateRolesParams", JS_MESSAGE, JS_REPEATED, &M_UpdateParams, NULL,
	 NULL},
};
static const struct jschema_msg M_Modify = {PKG "ModifyMembershipRolesRequest", F_Modify, 3};

/* The requests whose HTTP body is one field of the request message (body: "group",
 * body: "membership"), so that a problem is reported at 'group.group_key', as Google's
 * front end reports it. */
static const struct jschema_field F_GroupBody[] = {
	{"group", "group", JS_MESSAGE, 0, &M_Group, NULL, NULL},
};
static const struct jschema_msg M_GroupBody = {PKG "CreateGroupRequest", F_GroupBody, 1};
static const struct jschema_field F_MembershipBody[] = {
	{"membership", "membership", JS_MESSAGE, 0, &M_Membership, NULL, NULL},
};
static const struct jschema_msg M_MembershipBody = {PKG "CreateMembershipRequest", F_MembershipBody,
						    1};

/* The call's body as the field of m's one field (M_GroupBody, M_MembershipBody), checked
 * and canonical in x->body. 0, or -EINVAL after replying 400. */
static int body_field(struct cloud_call *x, const struct jschema_msg *m)
{
	json_t *w = NULL, *v = NULL;
	int rc;

	if (cloud_call_body(x, 0, NULL) != 0)
		return -EINVAL;
	w = json_pack("{s:O}", m->fields[0].json, x->body);
	rc = w ? jschema_check(w, m, &v) : -ENOMEM;
	if (rc == -EINVAL && v)
		jschema_reply(x->r, v);
	else if (rc < 0)
		cloud_reply_internal(x->r);
	if (rc == 0) { /* the canonical form, wherever the check left it */
		json_t *in = json_incref(json_object_get(w, m->fields[0].json));
		json_decref(x->body);
		x->body = in;
	}
	json_decref(v);
	json_decref(w);
	return rc < 0 ? -EINVAL : 0;
}

/* ---- errors ----------------------------------------------------------------------- */

/* Google's error with a google.rpc.ResourceInfo detail (resource may be NULL); a 409 is a
 * create's ALREADY_EXISTS. */
static void reply_resource(struct http_req *r, int code, const char *type, const char *resource,
			   const char *msg)
{
	json_t *info = json_pack("{s:s, s:s, s:s, s:s}", "@type",
				 "type.googleapis.com/google.rpc.ResourceInfo", "description", msg,
				 "owner", OWNER_DOMAIN, "resourceType", type);
	if (info && resource)
		json_object_set_new(info, "resourceName", json_string(resource));
	http_reply_json(r, code,
			json_pack("{s:{s:i, s:s, s:s, s:[o]}}", "error", "code", code, "message",
				  msg, "status",
				  code == 409 ? "ALREADY_EXISTS" : http_gstatus(code), "details",
				  info));
}

/* 403 Error(2028) on a group (name "groups/GID", or a key being looked up). */
static void deny(struct http_req *r, const char *name)
{
	char msg[320], shown[GERR_ECHO_MAX];

	gerr_echo(shown, sizeof(shown), name);
	snprintf(msg, sizeof(msg),
		 "Error(2028): Permission denied for resource %s (or it may not exist).", shown);
	reply_resource(r, 403, TYPE_GROUP, shown, msg);
}

static void invalid(struct http_req *r, const char *field)
{
	gerr_bad_request(r, field, "Request contains an invalid argument.");
}

/* ---- names ------------------------------------------------------------------------- */

static int id_ok(const char *s)
{
	size_t n = s ? strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789") : 0;
	return n > 0 && n <= ID_MAX && s[n] == '\0';
}

/* Lower-case copy of an email; 0, or -EINVAL when it is none. */
static int email_norm(const char *e, char *out, size_t len)
{
	const char *at = e ? strchr(e, '@') : NULL;
	size_t n = e ? strlen(e) : 0;

	if (!at || at == e || !at[1] || strchr(at + 1, '@') || n > EMAIL_MAX || n >= len)
		return -EINVAL;
	for (size_t i = 0; i <= n; i++) {
		unsigned char c = (unsigned char)e[i];
		if (i < n && (c <= 0x20 || c >= 0x7f || c == '/' || c == '"' || c == '\''))
			return -EINVAL;
		out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : (char)c;
	}
	return 0;
}

/* A new group ID: 15 characters of [0-9a-z], as Google's look ("02grqrue4gb58m7"). */
static int new_gid(char out[16])
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	unsigned char b[15];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -EIO;
	for (size_t i = 0; i < sizeof(b); i++)
		out[i] = digits[b[i] % 36];
	out[0] = '0';
	out[15] = '\0';
	return 0;
}

/* A number from text (the membership ID of an email; a deleted group's uid). */
static unsigned long long num_of(const char *s)
{
	unsigned char d[SHA256_DIGEST_LENGTH];
	unsigned long long v = 0;

	SHA256((const unsigned char *)s, strlen(s), d);
	for (int i = 0; i < 8; i++)
		v = v << 8 | d[i];
	return v; /* 20 digits at most */
}

static int group_key(char *key, size_t len, const char *gid)
{
	return sfmt(key, len, "/cloudidentity/groups/%s", gid);
}

static int member_key(char *key, size_t len, const char *gid, const char *email)
{
	return sfmt(key, len, "/cloudidentity/memberships/%s/%llu", gid, num_of(email));
}

/* ---- the caller's standing ------------------------------------------------------------ */

/* The caller's email as a member (USER or SERVICE_ACCOUNT callers), or NULL. */
static const char *caller_email(const struct caller *who)
{
	return (who->kind == CALLER_USER || who->kind == CALLER_SERVICE_ACCOUNT) && who->email[0]
		       ? who->email
		       : NULL;
}

/* True when the caller is a groups administrator of the customer ("customers/C"). */
static int is_admin(struct cloud *c, const struct caller *who, const char *parent)
{
	const char *cust = parent && strncmp(parent, "customers/", 10) == 0 ? parent + 10 : NULL;
	struct store_kv *kvs = NULL;
	size_t n = 0;
	int yes = 0;

	if (!cust || store_range(c->store, "/organizations/", 0, &kvs, &n, NULL) != 0)
		return 0;
	for (size_t i = 0; i < n && !yes; i++) {
		json_t *o = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		const char *name = str(o, "name"), *dc = str(o, "directoryCustomerId");
		const char *res[] = {name};

		yes = name && dc && strcmp(dc, cust) == 0 &&
		      cloud_allowed(c, who, res, 1, "resourcemanager.organizations.setIamPolicy");
		json_decref(o);
	}
	store_kvs_free(kvs, n);
	return yes;
}

/* The roles (enum role bits) of a stored membership. */
static int roles_of(const json_t *m)
{
	size_t i;
	json_t *v;
	int bits = 0;

	json_array_foreach(json_object_get(m, "roles"), i, v)
	{
		const char *n = str(v, "name");
		bits |= !n			? 0
			: !strcmp(n, "OWNER")	? R_OWNER
			: !strcmp(n, "MANAGER") ? R_MANAGER
			: !strcmp(n, "MEMBER")	? R_MEMBER
						: 0;
	}
	return bits;
}

/* What the caller may do in a group: its roles there, or all of them for an admin. */
static int standing(struct cloud *c, const struct caller *who, const char *gid, const json_t *g)
{
	const char *email = caller_email(who);
	char em[EMAIL_MAX + 1], key[160];
	json_t *m;
	int bits;

	if (is_admin(c, who, str(g, "parent")))
		return R_OWNER | R_MANAGER | R_MEMBER;
	if (!email || email_norm(email, em, sizeof(em)) < 0 ||
	    member_key(key, sizeof(key), gid, em) < 0)
		return 0;
	m = cloud_store_get_json(c->store, key);
	bits = roles_of(m);
	json_decref(m);
	return bits;
}

/* ---- requests ------------------------------------------------------------------------ */

/* Starts a request: authenticated, and the group of the path (when the route has one)
 * loaded into *g with its ID in gid. 0, or -1 after replying. */
static int begin(struct cloud_call *x, struct http_req *r, char gid[ID_MAX + 1], json_t **g)
{
	const char *id = http_param(r, "group");
	char key[128];

	if (cloud_call_begin(x, r, &cloudidentity_api) != 0)
		return -1;
	if (!g)
		return 0;
	if (!id_ok(id)) {
		const char *m = "Error(2033): Group resource name has the correct format of "
				"`groups/{group_id}`, but it contains an invalid `{groupd_id}`.";
		gerr_bad_request(r, "resource.name", "%s", m);
		return -1;
	}
	snprintf(gid, ID_MAX + 1, "%s", id);
	if (group_key(key, sizeof(key), gid) < 0 ||
	    !(*g = cloud_store_get_json(x->c->store, key))) {
		char name[80];
		snprintf(name, sizeof(name), "groups/%s", gid);
		deny(r, name);
		return -1;
	}
	return 0;
}

/* A done operation whose response is obj (stolen), typed as type. */
static void reply_done(struct http_req *r, json_t *obj, const char *type)
{
	json_t *resp = json_pack("{s:s}", "@type", type);

	if (resp && obj)
		json_object_update(resp, obj);
	json_decref(obj);
	http_reply_json(r, 200, resp ? json_pack("{s:b, s:o}", "done", 1, "response", resp) : NULL);
}

#define V1 "type.googleapis.com/google.apps.cloudidentity.groups.v1."

/* ---- members ------------------------------------------------------------------------- */

/* A member's type and its IAM member string (in m, len bytes): a group when a group has
 * that email, a service account by its domain, else a user. */
static const char *member_type(struct cloud *c, const char *email, char *m, size_t len)
{
	char key[EMAIL_MAX + 40];
	json_t *k = NULL;
	const char *type = "USER", *prefix = "user";
	size_t n = strlen(email);

	if (sfmt(key, sizeof(key), "/cloudidentity/groupKeys/%s", email) >= 0 &&
	    (k = cloud_store_get_json(c->store, key))) {
		type = "GROUP";
		prefix = "group";
	} else if (n > 20 && strcmp(email + n - 20, ".gserviceaccount.com") == 0) {
		type = "SERVICE_ACCOUNT";
		prefix = "serviceAccount";
	}
	json_decref(k);
	return sfmt(m, len, "%s:%s", prefix, email) < 0 ? NULL : type;
}

/* The roles of a request ([{"name"}], borrowed) normalized, or NULL after replying 400. */
static json_t *roles_parse(struct http_req *r, const json_t *roles, int *bits)
{
	json_t *out = json_array(), *v;
	size_t i;

	*bits = 0;
	json_array_foreach(roles, i, v)
	{
		const char *n = str(v, "name");
		int b = !n			? 0
			: !strcmp(n, "OWNER")	? R_OWNER
			: !strcmp(n, "MANAGER") ? R_MANAGER
			: !strcmp(n, "MEMBER")	? R_MEMBER
						: 0;
		if (!b) {
			json_decref(out);
			invalid(r, "resource.roles");
			return NULL;
		}
		if (!(*bits & b))
			json_array_append_new(out, json_pack("{s:s}", "name", n));
		*bits |= b;
	}
	if (!(*bits & R_MEMBER)) {
		json_decref(out);
		gerr_bad_request(r, "resource.roles", "MEMBER role must be specified");
		return NULL;
	}
	return out;
}

/* Writes a new membership of member (lower-case email) in group gid (email gemail) with
 * roles (stolen) and its IAM edge. 0 with *out (new reference, may be NULL), -EEXIST when
 * it exists, or -errno. */
static int membership_put(struct cloud *c, const char *gid, const char *gemail, const char *member,
			  json_t *roles, json_t **out)
{
	char key[160], m[EMAIL_MAX + 20], name[160], now[CLOCK_RFC3339_LEN];
	const char *type = member_type(c, member, m, sizeof(m));
	json_t *rec = NULL;
	int rc;

	clock_rfc3339(cloud_now_ms() / 1000, now);
	if (!type || (rc = member_key(key, sizeof(key), gid, member)) < 0 ||
	    (rc = sfmt(name, sizeof(name), "groups/%s/memberships/%llu", gid, num_of(member))) <
		    0) {
		json_decref(roles);
		return -EINVAL;
	}
	rec = json_pack("{s:s, s:{s:s}, s:o, s:s, s:s, s:s}", "name", name, "preferredMemberKey",
			"id", member, "roles", roles, "type", type, "createTime", now, "updateTime",
			now);
	rc = rec ? put_json(c->store, key, rec, STORE_ABSENT) : -ENOMEM;
	if (rc == -ECANCELED || rc == -EEXIST)
		rc = -EEXIST;
	if (rc == 0)
		rc = iam_group_member_put(c->store, gemail, m, 1);
	if (rc == 0 && out)
		*out = json_incref(rec);
	json_decref(rec);
	return rc;
}

/* Removes a stored membership (key) and its IAM edge. */
static int membership_drop(struct cloud *c, const char *key, const json_t *mem, const char *gemail)
{
	char m[EMAIL_MAX + 20];
	const char *id = str(json_object_get(mem, "preferredMemberKey"), "id");
	const char *t = str(mem, "type");
	const char *prefix = !t				     ? "user"
			     : !strcmp(t, "GROUP")	     ? "group"
			     : !strcmp(t, "SERVICE_ACCOUNT") ? "serviceAccount"
							     : "user";
	int rc = store_delete(c->store, key, STORE_ANY_REV, NULL);

	if (rc < 0 && rc != -ENOENT)
		return rc;
	if (!id || sfmt(m, sizeof(m), "%s:%s", prefix, id) < 0)
		return 0;
	return iam_group_member_put(c->store, gemail, m, 0);
}

/* ---- groups ------------------------------------------------------------------------- */

/* A request's labels: known ones with empty values, discussion_forum (or dynamic) among
 * them, security only beside discussion_forum. 0, or -EINVAL after replying. */
static int labels_check(struct http_req *r, const json_t *labels)
{
	static const char *const known[] = {LABEL_FORUM, LABEL_SECURITY, LABEL_DYNAMIC,
					    "system/groups/external", NULL};
	const char *k;
	json_t *v;

	if (!json_is_object(labels) || gerr_unknown_name(labels, known)) {
		invalid(r, "labels");
		return -EINVAL;
	}
	json_object_foreach((json_t *)labels, k, v) if (!json_is_string(v))
	{
		invalid(r, "labels");
		return -EINVAL;
	}
	if (json_object_get(labels, LABEL_SECURITY) && !json_object_get(labels, LABEL_FORUM)) {
		http_reply_gerror(r, 400, "INVALID_ARGUMENT", NULL, NULL, NULL,
				  "security label cannot be specified directly");
		return -EINVAL;
	}
	if (!json_object_get(labels, LABEL_FORUM) && !json_object_get(labels, LABEL_DYNAMIC)) {
		invalid(r, "labels");
		return -EINVAL;
	}
	return 0;
}

/* "customers/C" from a request's parent ("customers/C", or gcloud's "customerId/C"). */
static int parent_norm(const char *p, char *out, size_t len)
{
	const char *id = !p				  ? NULL
			 : !strncmp(p, "customers/", 10)  ? p + 10
			 : !strncmp(p, "customerId/", 11) ? p + 11
							  : NULL;
	size_t n = id ? strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
		      : 0;

	if (!id || n == 0 || n > 32 || id[n])
		return -EINVAL;
	return sfmt(out, len, "customers/%s", id) < 0 ? -EINVAL : 0;
}

/* The new group of a create request, checked: 0 with *g, or -EINVAL after replying. */
static int group_new(struct http_req *r, const json_t *body, char *email, size_t elen, json_t **g)
{
	char parent[64];
	const json_t *dn = json_object_get(body, "displayName"),
		     *desc = json_object_get(body, "description");

	if (email_norm(str(json_object_get(body, "groupKey"), "id"), email, elen) < 0) {
		invalid(r, "group_key.id");
		return -EINVAL;
	}
	if (parent_norm(str(body, "parent"), parent, sizeof(parent)) < 0) {
		invalid(r, "parent");
		return -EINVAL;
	}
	if (labels_check(r, json_object_get(body, "labels")) != 0)
		return -EINVAL;
	if ((dn && (!json_is_string(dn) || json_string_length(dn) > 4096)) ||
	    (desc && (!json_is_string(desc) || json_string_length(desc) > 4096))) {
		invalid(r, dn && !json_is_string(dn) ? "display_name" : "description");
		return -EINVAL;
	}
	*g = json_pack("{s:{s:s}, s:s, s:O?, s:O?, s:O}", "groupKey", "id", email, "parent", parent,
		       "displayName", dn, "description", desc, "labels",
		       json_object_get(body, "labels"));
	return *g ? 0 : -ENOMEM;
}

/* Stores a new group: its key, its record and (with_owner) the caller as OWNER. */
static int group_store(struct cloud *c, json_t *g, const char *email, const char *owner)
{
	char gid[16], key[128], kkey[EMAIL_MAX + 40], name[40], now[CLOCK_RFC3339_LEN];
	json_t *k;
	int rc;

	if ((rc = new_gid(gid)) < 0 || (rc = SFMT(name, "groups/%s", gid)) < 0 ||
	    (rc = group_key(key, sizeof(key), gid)) < 0 ||
	    (rc = SFMT(kkey, "/cloudidentity/groupKeys/%s", email)) < 0)
		return rc;
	clock_rfc3339(cloud_now_ms() / 1000, now);
	json_object_set_new(g, "name", json_string(name));
	json_object_set_new(g, "createTime", json_string(now));
	json_object_set_new(g, "updateTime", json_string(now));
	k = json_pack("{s:s}", "name", name);
	rc = k ? put_json(c->store, kkey, k, STORE_ABSENT) : -ENOMEM;
	json_decref(k);
	if (rc == -ECANCELED || rc == -EEXIST)
		return -EEXIST;
	if (rc == 0)
		rc = put_json(c->store, key, g, STORE_ANY_REV);
	if (rc == 0 && owner)
		rc = membership_put(c, gid, email, owner,
				    json_pack("[{s:s},{s:s}]", "name", "OWNER", "name", "MEMBER"),
				    NULL);
	return rc;
}

/* POST v1/groups?initialGroupConfig=WITH_INITIAL_OWNER|EMPTY {Group} */
static void group_create(struct http_req *r)
{
	struct cloud_call x;
	const char *cfg = http_query(r, "initialGroupConfig");
	char email[EMAIL_MAX + 1], owner[EMAIL_MAX + 1];
	const char *me;
	json_t *g = NULL;
	int empty = cfg && strcmp(cfg, "EMPTY") == 0, rc;

	if (begin(&x, r, NULL, NULL) != 0 || body_field(&x, &M_GroupBody) != 0 ||
	    group_new(r, x.body, email, sizeof(email), &g) != 0)
		goto out;
	if (cfg && !empty && strcmp(cfg, "WITH_INITIAL_OWNER") != 0 &&
	    strcmp(cfg, "INITIAL_GROUP_CONFIG_UNSPECIFIED") != 0) {
		gerr_bad_param(r, "initial_group_config", "TYPE_ENUM", cfg, GERR_ECHO_MAX);
		goto out;
	}
	/* Who may create a group: a groups administrator of the customer, or (Google's
	 * default, users may create groups) a user of the group's own domain. A service
	 * account manages groups only as a Groups Administrator
	 * (https://cloud.google.com/identity/docs/how-to/setup, "Authenticating as a service
	 * account without domain-wide delegation"), and no one names a group in another
	 * domain: else anyone could create a group an IAM policy already names, and own it.
	 * An empty group (no initial owner) is an administrator's. */
	me = caller_email(&x.who);
	int admin = is_admin(x.c, &x.who, str(g, "parent"));
	if (!me || email_norm(me, owner, sizeof(owner)) < 0 || (empty && !admin) ||
	    (!admin && (x.who.kind != CALLER_USER ||
			strcmp(strchr(owner, '@'), strchr(email, '@')) != 0))) {
		deny(r, str(g, "parent"));
		goto out;
	}
	rc = group_store(x.c, g, email, empty ? NULL : owner);
	if (rc == -EEXIST) {
		char msg[400];
		snprintf(msg, sizeof(msg),
			 "Error(2018): Cannot create group '%s' because it already exists.", email);
		reply_resource(r, 409, TYPE_GROUP, NULL, msg);
	} else if (rc < 0) {
		cloud_reply_internal(r);
	} else {
		reply_done(r, json_incref(g), V1 "Group");
	}
out:
	json_decref(g);
	cloud_call_end(&x);
}

/* GET v1/groups:lookup?groupKey.id=EMAIL -> {"name":"groups/GID"} */
static void group_lookup(struct http_req *r)
{
	struct cloud_call x;
	const char *id = http_query(r, "groupKey.id");
	char email[EMAIL_MAX + 1], key[EMAIL_MAX + 40];
	json_t *k = NULL;

	if (begin(&x, r, NULL, NULL) != 0)
		goto out;
	if (email_norm(id, email, sizeof(email)) < 0) {
		invalid(r, "group_key.id");
		goto out;
	}
	if (SFMT(key, "/cloudidentity/groupKeys/%s", email) < 0 ||
	    !(k = cloud_store_get_json(x.c->store, key)))
		deny(r, email);
	else
		http_reply_json(r, 200, json_incref(k));
out:
	json_decref(k);
	cloud_call_end(&x);
}

/* GET v1/groups/{group}: any authenticated caller sees a group (Google's default). */
static void group_get(struct http_req *r)
{
	struct cloud_call x;
	char gid[ID_MAX + 1];
	json_t *g = NULL;

	if (begin(&x, r, gid, &g) == 0)
		http_reply_json(r, 200, json_incref(g));
	json_decref(g);
	cloud_call_end(&x);
}

/* GET v1/groups?parent=customers/C: the customer's groups. */
static void group_list(struct http_req *r)
{
	struct cloud_call x;
	char parent[64];
	struct store_kv *kvs = NULL;
	size_t n = 0;
	json_t *list = NULL;

	if (begin(&x, r, NULL, NULL) != 0)
		goto out;
	if (parent_norm(http_query(r, "parent"), parent, sizeof(parent)) < 0) {
		invalid(r, "parent");
		goto out;
	}
	if (!(list = json_array()) ||
	    store_range(x.c->store, "/cloudidentity/groups/", 0, &kvs, &n, NULL) != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *g = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		if (str(g, "parent") && strcmp(str(g, "parent"), parent) == 0)
			json_array_append(list, g);
		json_decref(g);
	}
	http_reply_json(r, 200,
			json_array_size(list) ? json_pack("{s:O}", "groups", list) : json_object());
out:
	store_kvs_free(kvs, n);
	json_decref(list);
	cloud_call_end(&x);
}

/* Applies a patch's fields (updateMask, comma-separated snake_case) to g. 0, or -EINVAL
 * after replying. */
static int group_apply(struct http_req *r, json_t *g, const json_t *body, const char *mask)
{
	char m[256];
	char *save = NULL;

	if (!mask || !*mask || sfmt(m, sizeof(m), "%s", mask) < 0) {
		invalid(r, "update_mask");
		return -EINVAL;
	}
	for (char *f = strtok_r(m, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		const char *field = !strcmp(f, "display_name") || !strcmp(f, "displayName")
					    ? "displayName"
				    : !strcmp(f, "description") ? "description"
				    : !strcmp(f, "labels")	? "labels"
								: NULL;
		const json_t *v = field ? json_object_get(body, field) : NULL;

		if (!field || (v && !json_is_string(v) && strcmp(field, "labels") != 0)) {
			invalid(r, "update_mask");
			return -EINVAL;
		}
		if (!strcmp(field, "labels")) {
			/* the security label, once set, stays (a security group stays one) */
			if (labels_check(r, v) != 0)
				return -EINVAL;
			if (json_object_get(json_object_get(g, "labels"), LABEL_SECURITY) &&
			    !json_object_get(v, LABEL_SECURITY)) {
				invalid(r, "labels");
				return -EINVAL;
			}
		}
		if (!v || (json_is_string(v) && json_string_length(v) == 0))
			json_object_del(g, field);
		else
			json_object_set(g, field, (json_t *)v);
	}
	return 0;
}

/* PATCH v1/groups/{group}?updateMask=... {Group}: the group's OWNERs (and admins). */
static void group_patch(struct http_req *r)
{
	struct cloud_call x;
	char gid[ID_MAX + 1], key[128], now[CLOCK_RFC3339_LEN];
	json_t *g = NULL;

	if (begin(&x, r, gid, &g) != 0 || body_field(&x, &M_GroupBody) != 0)
		goto out;
	if (!(standing(x.c, &x.who, gid, g) & R_OWNER)) {
		deny(r, str(g, "name"));
		goto out;
	}
	if (group_apply(r, g, x.body, http_query(r, "updateMask")) != 0)
		goto out;
	clock_rfc3339(cloud_now_ms() / 1000, now);
	json_object_set_new(g, "updateTime", json_string(now));
	if (group_key(key, sizeof(key), gid) < 0 || put_json(x.c->store, key, g, STORE_ANY_REV) < 0)
		cloud_reply_internal(r);
	else
		reply_done(r, json_incref(g), V1 "Group");
out:
	json_decref(g);
	cloud_call_end(&x);
}

/* Removes every membership of a group, and the group from the groups it is a member of. */
static int group_unlink(struct cloud *c, const char *gid, const char *email)
{
	struct store_kv *kvs = NULL;
	size_t n = 0;
	char prefix[128];
	int rc;

	if ((rc = SFMT(prefix, "/cloudidentity/memberships/%s/", gid)) < 0 ||
	    (rc = store_range(c->store, prefix, 0, &kvs, &n, NULL)) != 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		json_t *m = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		rc = membership_drop(c, kvs[i].key, m, email);
		json_decref(m);
	}
	store_kvs_free(kvs, n);
	kvs = NULL;
	n = 0;
	if (rc == 0 &&
	    (rc = store_range(c->store, "/cloudidentity/groups/", 0, &kvs, &n, NULL)) == 0)
		for (size_t i = 0; i < n && rc == 0; i++) {
			json_t *g = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
			const char *name = str(g, "name"),
				   *ge = str(json_object_get(g, "groupKey"), "id");
			char key[160];
			json_t *m = NULL;

			if (name && ge && strncmp(name, "groups/", 7) == 0 &&
			    member_key(key, sizeof(key), name + 7, email) >= 0 &&
			    (m = cloud_store_get_json(c->store, key)))
				rc = membership_drop(c, key, m, ge);
			json_decref(m);
			json_decref(g);
		}
	store_kvs_free(kvs, n);
	return rc;
}

/* DELETE v1/groups/{group}: its OWNERs (and admins). Its memberships go, and so does its
 * place in other groups; allow policies show it as "deleted:group:EMAIL?uid=N", as
 * Google shows a deleted group (iam.h, iam_member_replace). */
static void group_delete(struct http_req *r)
{
	struct cloud_call x;
	char gid[ID_MAX + 1], key[128], kkey[EMAIL_MAX + 40], member[EMAIL_MAX + 8],
		gone[EMAIL_MAX + 64];
	const char *email;
	json_t *g = NULL;
	int rc;

	if (begin(&x, r, gid, &g) != 0)
		goto out;
	email = str(json_object_get(g, "groupKey"), "id");
	if (!(standing(x.c, &x.who, gid, g) & R_OWNER) || !email) {
		deny(r, str(g, "name"));
		goto out;
	}
	rc = group_unlink(x.c, gid, email);
	if (rc == 0 && (rc = SFMT(kkey, "/cloudidentity/groupKeys/%s", email)) == 0)
		rc = store_delete(x.c->store, kkey, STORE_ANY_REV, NULL);
	if ((rc == 0 || rc == -ENOENT) && (rc = group_key(key, sizeof(key), gid)) == 0)
		rc = store_delete(x.c->store, key, STORE_ANY_REV, NULL);
	if (rc == 0 && SFMT(member, "group:%s", email) == 0 &&
	    SFMT(gone, "deleted:group:%s?uid=%llu", email, num_of(gid)) == 0)
		rc = iam_member_replace(x.c->iam, member, gone, cloud_now_ms());
	if (rc < 0 && rc != -ENOENT)
		cloud_reply_internal(r);
	else
		reply_done(r, NULL, "type.googleapis.com/google.protobuf.Empty");
out:
	json_decref(g);
	cloud_call_end(&x);
}

/* ---- memberships --------------------------------------------------------------------- */

/* False for a member that names no identity: a user-managed service account's email
 * (NAME@PROJECT.iam.gserviceaccount.com) with no such account. */
static int member_resolves(struct cloud *c, const char *email)
{
	size_t n = strlen(email), k = strlen(".iam.gserviceaccount.com");
	json_t *sa;

	if (n <= k || strcmp(email + n - k, ".iam.gserviceaccount.com") != 0)
		return 1;
	sa = cloud_sa_get(c, email);
	json_decref(sa);
	return sa != NULL;
}

static void membership_missing(struct http_req *r)
{
	http_reply_gerror(r, 404, "NOT_FOUND", NULL, NULL, NULL,
			  "Error(4006): Membership does not exist.");
}

/* POST v1/groups/{group}/memberships {Membership}: OWNERs and MANAGERs (who may not
 * give the OWNER role). */
static void membership_create(struct http_req *r)
{
	struct cloud_call x;
	char gid[ID_MAX + 1], member[EMAIL_MAX + 1];
	const json_t *key;
	json_t *g = NULL, *roles = NULL, *out = NULL;
	int bits, mine, rc;

	if (begin(&x, r, gid, &g) != 0 || body_field(&x, &M_MembershipBody) != 0)
		goto out;
	key = json_object_get(x.body, "preferredMemberKey");
	if (email_norm(str(key, "id"), member, sizeof(member)) < 0) {
		invalid(r, "preferred_member_key.id");
		goto out;
	}
	if (!(roles = roles_parse(r, json_object_get(x.body, "roles"), &bits)))
		goto out;
	mine = standing(x.c, &x.who, gid, g);
	/* a member that resolves to no identity (a service account that does not exist) is
	 * refused as Google refuses it: as if the group were not there */
	if (!(mine & (R_OWNER | R_MANAGER)) || ((bits & R_OWNER) && !(mine & R_OWNER)) ||
	    !member_resolves(x.c, member)) {
		deny(r, str(g, "name"));
		goto out;
	}
	rc = membership_put(x.c, gid, str(json_object_get(g, "groupKey"), "id"), member, roles,
			    &out);
	roles = NULL;
	if (rc == -EEXIST) {
		char msg[512];
		snprintf(msg, sizeof(msg),
			 "Error(4003): Cannot create membership '%s' in '%s' because it already "
			 "exists.",
			 member, str(g, "name"));
		reply_resource(r, 409, TYPE_MEMBERSHIP, NULL, msg);
	} else if (rc < 0) {
		cloud_reply_internal(r);
	} else {
		reply_done(r, json_incref(out), V1 "Membership");
	}
out:
	json_decref(out);
	json_decref(roles);
	json_decref(g);
	cloud_call_end(&x);
}

/* The membership of the path (or, member non-NULL, of that email), loaded: 0 with *m and
 * its store key, or -1 after replying 404. */
static int membership_open(struct http_req *r, struct cloud *c, const char *gid, const char *member,
			   char *key, size_t len, json_t **m)
{
	const char *mid = http_param(r, "membership");
	int rc = member ? member_key(key, len, gid, member)
			: (mid && strspn(mid, "0123456789") == strlen(mid) && *mid
				   ? sfmt(key, len, "/cloudidentity/memberships/%s/%s", gid, mid)
				   : -EINVAL);

	if (rc < 0 || !(*m = cloud_store_get_json(c->store, key))) {
		membership_missing(r);
		return -1;
	}
	return 0;
}

/* GET v1/groups/{group}/memberships:lookup?memberKey.id=EMAIL -> {"name"} */
static void membership_lookup(struct http_req *r)
{
	struct cloud_call x;
	char gid[ID_MAX + 1], member[EMAIL_MAX + 1], key[160];
	json_t *g = NULL, *m = NULL;

	if (begin(&x, r, gid, &g) != 0)
		goto out;
	if (email_norm(http_query(r, "memberKey.id"), member, sizeof(member)) < 0) {
		invalid(r, "member_key.id");
		goto out;
	}
	if (membership_open(r, x.c, gid, member, key, sizeof(key), &m) == 0)
		http_reply_json(r, 200, json_pack("{s:O}", "name", json_object_get(m, "name")));
out:
	json_decref(m);
	json_decref(g);
	cloud_call_end(&x);
}

/* GET v1/groups/{group}/memberships/{membership} */
static void membership_get(struct http_req *r)
{
	struct cloud_call x;
	char gid[ID_MAX + 1], key[160];
	json_t *g = NULL, *m = NULL;

	if (begin(&x, r, gid, &g) == 0 &&
	    membership_open(r, x.c, gid, NULL, key, sizeof(key), &m) == 0)
		http_reply_json(r, 200, json_incref(m));
	json_decref(m);
	json_decref(g);
	cloud_call_end(&x);
}

/* GET v1/groups/{group}/memberships?view=BASIC|FULL: BASIC shows name, member and roles. */
static void membership_list(struct http_req *r)
{
	struct cloud_call x;
	char gid[ID_MAX + 1], prefix[128];
	const char *view = http_query(r, "view");
	struct store_kv *kvs = NULL;
	size_t n = 0;
	json_t *g = NULL, *list = NULL;

	if (begin(&x, r, gid, &g) != 0)
		goto out;
	if (view && strcmp(view, "BASIC") && strcmp(view, "FULL") &&
	    strcmp(view, "VIEW_UNSPECIFIED")) {
		gerr_bad_param(r, "view", "TYPE_ENUM", view, GERR_ECHO_MAX);
		goto out;
	}
	if (SFMT(prefix, "/cloudidentity/memberships/%s/", gid) < 0 || !(list = json_array()) ||
	    store_range(x.c->store, prefix, 0, &kvs, &n, NULL) != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *m = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		if (m && !(view && !strcmp(view, "FULL")))
			json_array_append_new(
				list, json_pack("{s:O?, s:O?, s:O?}", "name",
						json_object_get(m, "name"), "preferredMemberKey",
						json_object_get(m, "preferredMemberKey"), "roles",
						json_object_get(m, "roles")));
		else if (m)
			json_array_append(list, m);
		json_decref(m);
	}
	http_reply_json(r, 200,
			json_array_size(list) ? json_pack("{s:O}", "memberships", list)
					      : json_object());
out:
	store_kvs_free(kvs, n);
	json_decref(list);
	json_decref(g);
	cloud_call_end(&x);
}

/* How many memberships of the group hold the OWNER role. */
static size_t owners_of(struct cloud *c, const char *gid)
{
	struct store_kv *kvs = NULL;
	size_t n = 0, k = 0;
	char prefix[128];

	if (SFMT(prefix, "/cloudidentity/memberships/%s/", gid) < 0 ||
	    store_range(c->store, prefix, 0, &kvs, &n, NULL) != 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		json_t *m = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		k += (roles_of(m) & R_OWNER) != 0;
		json_decref(m);
	}
	store_kvs_free(kvs, n);
	return k;
}

/* Refuses to take the OWNER role from the group's last owner. 0, or -1 after replying. */
static int last_owner(struct http_req *r, struct cloud *c, const char *gid, const json_t *m)
{
	if (!(roles_of(m) & R_OWNER) || owners_of(c, gid) > 1)
		return 0;
	http_reply_gerror(r, 400, "FAILED_PRECONDITION", NULL, NULL, NULL,
			  "Cannot remove the OWNER role in membership '%s' because it's the last "
			  "OWNER role in the Google Groups",
			  str(m, "name"));
	return -1;
}

/* DELETE v1/groups/{group}/memberships/{membership}: OWNERs, and MANAGERs for members
 * that are not owners. */
static void membership_delete(struct http_req *r)
{
	struct cloud_call x;
	char gid[ID_MAX + 1], key[160];
	json_t *g = NULL, *m = NULL;
	int mine;

	if (begin(&x, r, gid, &g) != 0)
		goto out;
	mine = standing(x.c, &x.who, gid, g);
	if (!(mine & (R_OWNER | R_MANAGER))) {
		deny(r, str(g, "name"));
		goto out;
	}
	if (membership_open(r, x.c, gid, NULL, key, sizeof(key), &m) != 0)
		goto out;
	if ((roles_of(m) & R_OWNER) && !(mine & R_OWNER)) {
		deny(r, str(g, "name"));
		goto out;
	}
	if (last_owner(r, x.c, gid, m) != 0)
		goto out;
	if (membership_drop(x.c, key, m, str(json_object_get(g, "groupKey"), "id")) < 0)
		cloud_reply_internal(r);
	else
		reply_done(r, NULL, "type.googleapis.com/google.protobuf.Empty");
out:
	json_decref(m);
	json_decref(g);
	cloud_call_end(&x);
}

/* The roles of m after a modifyMembershipRoles body ({"addRoles":[{"name"}],
 * "removeRoles":["NAME"]}), as a request's roles would be: new reference, or NULL after
 * replying 400. */
static json_t *roles_modified(struct http_req *r, const json_t *m, const json_t *body, int *bits)
{
	json_t *want = json_array(), *v, *out;
	size_t i;

	json_array_foreach(json_object_get(m, "roles"), i, v)
	{
		int removed = 0;
		size_t j;
		json_t *rm;
		json_array_foreach(json_object_get(body, "removeRoles"), j,
				   rm) if (json_is_string(rm) && str(v, "name") &&
					   strcmp(json_string_value(rm), str(v, "name")) == 0)
			removed = 1;
		if (!removed)
			json_array_append(want, v);
	}
	json_array_foreach(json_object_get(body, "addRoles"), i, v) json_array_append(want, v);
	out = roles_parse(r, want, bits);
	json_decref(want);
	return out;
}

/* POST v1/groups/{group}/memberships/{membership}:modifyMembershipRoles
 * -> {"membership": Membership} */
static void membership_modify(struct http_req *r)
{
	struct cloud_call x;
	char gid[ID_MAX + 1], key[160], now[CLOCK_RFC3339_LEN];
	json_t *g = NULL, *m = NULL, *roles = NULL;
	int mine, bits;

	if (begin(&x, r, gid, &g) != 0 || cloud_call_body(&x, 0, &M_Modify) != 0)
		goto out;
	mine = standing(x.c, &x.who, gid, g);
	if (!(mine & (R_OWNER | R_MANAGER))) {
		deny(r, str(g, "name"));
		goto out;
	}
	if (membership_open(r, x.c, gid, NULL, key, sizeof(key), &m) != 0 ||
	    !(roles = roles_modified(r, m, x.body, &bits)))
		goto out;
	/* a MANAGER manages the roles of non-owners only, and gives no one OWNER */
	if (((bits | roles_of(m)) & R_OWNER) && !(mine & R_OWNER)) {
		deny(r, str(g, "name"));
		goto out;
	}
	if (!(bits & R_OWNER) && last_owner(r, x.c, gid, m) != 0)
		goto out;
	clock_rfc3339(cloud_now_ms() / 1000, now);
	json_object_set(m, "roles", roles);
	json_object_set_new(m, "updateTime", json_string(now));
	if (put_json(x.c->store, key, m, STORE_ANY_REV) < 0)
		cloud_reply_internal(r);
	else
		http_reply_json(r, 200, json_pack("{s:O}", "membership", m));
out:
	json_decref(roles);
	json_decref(m);
	json_decref(g);
	cloud_call_end(&x);
}

/* GET v1/groups/{group}/memberships:checkTransitiveMembership?query=member_key_id=='E'
 * -> {"hasMembership":true} or {} (false, the proto3 default, is left out), by IAM's
 * group index: direct or nested. */
static void membership_check(struct http_req *r)
{
	struct cloud_call x;
	const char *q = http_query(r, "query"), *open, *close;
	char gid[ID_MAX + 1], raw[EMAIL_MAX + 1], member[EMAIL_MAX + 1], m[EMAIL_MAX + 20];
	json_t *g = NULL;

	if (begin(&x, r, gid, &g) != 0)
		goto out;
	open = q && strncmp(q, "member_key_id", 13) == 0 ? strchr(q, '\'') : NULL;
	close = open ? strchr(open + 1, '\'') : NULL;
	if (!close || (size_t)(close - open - 1) >= sizeof(raw) ||
	    sfmt(raw, sizeof(raw), "%.*s", (int)(close - open - 1), open + 1) < 0 ||
	    email_norm(raw, member, sizeof(member)) < 0 ||
	    !member_type(x.c, member, m, sizeof(m))) {
		invalid(r, "query");
		goto out;
	}
	struct iam_principal p = {.members = {m}, .n_members = 1, .authenticated = 1};
	http_reply_json(r, 200,
			iam_group_has(x.c->iam, str(json_object_get(g, "groupKey"), "id"), &p)
				? json_pack("{s:b}", "hasMembership", 1)
				: json_object());
out:
	json_decref(g);
	cloud_call_end(&x);
}

/* ---- routes --------------------------------------------------------------------------- */

#define WHY "Cloud Identity authorizes by the caller's roles in the group, not by IAM"
#define G BASE "groups/{group}"
static const struct cloud_route routes[] = {
	{"POST", BASE "groups", group_create, NULL, 0, WHY},
	{"GET", BASE "groups", group_list, NULL, 1, WHY},
	{"GET", BASE "groups:lookup", group_lookup, NULL, 1, WHY},
	{"GET", G, group_get, NULL, 1, WHY},
	{"PATCH", G, group_patch, NULL, 0, WHY},
	{"DELETE", G, group_delete, NULL, 0, WHY},
	{"POST", G "/memberships", membership_create, NULL, 0, WHY},
	{"GET", G "/memberships", membership_list, NULL, 1, WHY},
	{"GET", G "/memberships:lookup", membership_lookup, NULL, 1, WHY},
	{"GET", G "/memberships:checkTransitiveMembership", membership_check, NULL, 1, WHY},
	{"GET", G "/memberships/{membership}", membership_get, NULL, 1, WHY},
	{"DELETE", G "/memberships/{membership}", membership_delete, NULL, 0, WHY},
	{"POST", G "/memberships/{membership}:modifyMembershipRoles", membership_modify, NULL, 0,
	 WHY},
};
const struct cloud_api cloudidentity_api = CLOUD_API(SERVICE, routes);
