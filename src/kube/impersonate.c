/*
 * impersonate.c - kube-apiserver's impersonation filter (WithImpersonation in
 * k8s.io/apiserver/pkg/endpoints/filters/impersonation.go): reads the Impersonate-*
 * headers, authorizes the verb "impersonate" on each thing they name through the
 * normal chain (RBAC, then GKE's IAM, where it is container.clusters.impersonate), and
 * hands the rest of the request the user they describe. See impersonate.h.
 */
#include "core/dbuf.h"
#include "kube/impersonate.h"

#include <ctype.h>
#include <errno.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kube/util.h"

#define SA_PREFIX "system:serviceaccount:"
#define EXTRA_PREFIX "Impersonate-Extra-"
#define AUTHN_GROUP "authentication.k8s.io"

/* --- parsing: buildImpersonationRequests --- */

static int lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A DNS-1123 label of s[0..len) (a-z0-9 and '-', alphanumeric at both ends). */
static int dns_label(const char *s, size_t len)
{
	if (!len || !lower_alnum(s[0]) || !lower_alnum(s[len - 1]))
		return 0;
	for (size_t i = 1; i + 1 < len; i++)
		if (!lower_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

/* serviceaccount.SplitUsername: "system:serviceaccount:NS:NAME" with exactly two parts,
 * NS a namespace name (DNS-1123 label, at most 63) and NAME a service-account name
 * (DNS-1123 subdomain, at most 253). 1 when user is one (ns and name filled). */
static int split_sa(const char *user, char ns[64], char name[IMP_NAME_MAX + 1])
{
	const char *rest, *colon, *p;
	size_t ns_len, name_len;
	if (strncmp(user, SA_PREFIX, sizeof(SA_PREFIX) - 1) != 0)
		return 0;
	rest = user + sizeof(SA_PREFIX) - 1;
	if (!(colon = strchr(rest, ':')) || strchr(colon + 1, ':'))
		return 0;
	ns_len = (size_t)(colon - rest);
	name_len = strlen(colon + 1);
	if (ns_len > 63 || !dns_label(rest, ns_len) || name_len > 253)
		return 0;
	for (p = colon + 1;;) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (!dns_label(p, l))
			return 0;
		if (!dot)
			break;
		p = dot + 1;
	}
	memcpy(ns, rest, ns_len);
	ns[ns_len] = '\0';
	memcpy(name, colon + 1, name_len + 1);
	return 1;
}

/* unescapeExtraKey(strings.ToLower(rest)): lower case, then url.PathUnescape (evhttp's
 * decoder, '+' kept), keeping the lower-cased text when an escape is malformed. 0,
 * -E2BIG when the key is longer than IMP_KEY_MAX, -EILSEQ when it decodes to a NUL
 * byte, or -ENOMEM. */
static int extra_key(const char *rest, char out[IMP_KEY_MAX + 1])
{
	char low[IMP_KEY_MAX * 3 + 1], *dec;
	size_t n = strlen(rest), dec_len = 0;
	int valid = 1, rc = 0;
	if (n >= sizeof(low))
		return -E2BIG;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)rest[i]);
	for (size_t i = 0; i < n && valid; i++)
		if (low[i] == '%')
			valid = isxdigit((unsigned char)low[i + 1]) && i + 2 < n &&
				isxdigit((unsigned char)low[i + 2]);
	if (!valid) { /* url.PathUnescape's error: the key as sent */
		if (n > IMP_KEY_MAX)
			return -E2BIG;
		memcpy(out, low, n + 1);
		return 0;
	}
	if (!(dec = evhttp_uridecode(low, 0, &dec_len)))
		return -ENOMEM;
	if (memchr(dec, '\0', dec_len))
		rc = -EILSEQ;
	else if (dec_len > IMP_KEY_MAX)
		rc = -E2BIG;
	else
		memcpy(out, dec, dec_len + 1);
	free(dec);
	return rc;
}

static int add(struct imp_set *set, enum imp_kind kind, const char *name, char *msg, size_t len)
{
	struct imp_request *q;
	size_t max = kind == IMP_UID ? IMP_UID_MAX : IMP_NAME_MAX;
	if (set->n >= IMP_MAX) {
		snprintf(msg, len, "too many impersonation headers: gkeid takes at most %d",
			 IMP_MAX);
		return -E2BIG;
	}
	if (strlen(name) > max) {
		snprintf(msg, len, "an impersonation header's value is longer than %zu bytes", max);
		return -E2BIG;
	}
	q = &set->req[set->n++];
	memset(q, 0, sizeof(*q));
	q->kind = kind;
	memcpy(q->name, name, strlen(name) + 1);
	return 0;
}

/* Go's %v of a v1.ObjectReference {Kind Namespace Name UID APIVersion ResourceVersion
 * FieldPath}, as upstream's error message prints each request. */
static void describe(const struct imp_request *q, int first, char *out, size_t len, size_t *pos)
{
	static const char *const kinds[] = {"User", "ServiceAccount", "Group", "UserExtra", "UID"};
	int authn = q->kind == IMP_USER_EXTRA || q->kind == IMP_UID;
	kube_append(out, len, pos, first ? "{" : " {");
	kube_append(out, len, pos, kinds[q->kind]);
	kube_append(out, len, pos, " ");
	kube_append(out, len, pos, q->namespace_);
	kube_append(out, len, pos, " ");
	kube_append(out, len, pos, q->name);
	kube_append(out, len, pos, "  "); /* UID */
	kube_append(out, len, pos, authn ? AUTHN_GROUP "/v1" : "");
	kube_append(out, len, pos, "  "); /* ResourceVersion */
	kube_append(out, len, pos, q->key);
	kube_append(out, len, pos, "}");
}

int impersonate_parse(const struct evkeyvalq *headers, struct imp_set *set, char *msg, size_t len)
{
	const struct evkeyval *kv;
	const char *user = NULL, *uid = NULL;
	int rc;
	set->n = 0;
	set->groups_specified = 0;
	if (len)
		msg[0] = '\0';
	TAILQ_FOREACH(kv, headers, next)
	{
		if (!user && strcasecmp(kv->key, "Impersonate-User") == 0)
			user = kv->value;
		else if (!uid && strcasecmp(kv->key, "Impersonate-Uid") == 0)
			uid = kv->value;
	}
	if (user && *user) {
		char ns[64], name[IMP_NAME_MAX + 1];
		if (strlen(user) >= sizeof(((struct kube_user *)0)->name)) {
			snprintf(msg, len, "Impersonate-User is longer than %zu bytes",
				 sizeof(((struct kube_user *)0)->name) - 1);
			return -E2BIG;
		}
		if (split_sa(user, ns, name)) {
			if ((rc = add(set, IMP_SERVICE_ACCOUNT, name, msg, len)) != 0)
				return rc;
			memcpy(set->req[0].namespace_, ns, strlen(ns) + 1);
		} else if ((rc = add(set, IMP_USER, user, msg, len)) != 0) {
			return rc;
		}
	}
	TAILQ_FOREACH(kv, headers, next)
	{
		if (strcasecmp(kv->key, "Impersonate-Group") != 0)
			continue;
		set->groups_specified++;
		if (set->groups_specified >= KUBE_MAX_GROUPS) {
			snprintf(msg, len, "too many impersonated groups: gkeid takes at most %d",
				 KUBE_MAX_GROUPS - 1);
			return -E2BIG;
		}
		if ((rc = add(set, IMP_GROUP, kv->value, msg, len)) != 0)
			return rc;
	}
	TAILQ_FOREACH(kv, headers, next)
	{
		char key[IMP_KEY_MAX + 1];
		if (strncasecmp(kv->key, EXTRA_PREFIX, sizeof(EXTRA_PREFIX) - 1) != 0)
			continue;
		if ((rc = extra_key(kv->key + sizeof(EXTRA_PREFIX) - 1, key)) != 0) {
			if (rc == -ENOMEM)
				return rc;
			if (rc == -EILSEQ)
				snprintf(msg, len, "an impersonated extra key holds a NUL byte");
			else
				snprintf(msg, len,
					 "an impersonated extra key is longer than %d bytes",
					 IMP_KEY_MAX);
			return -E2BIG;
		}
		if ((rc = add(set, IMP_USER_EXTRA, kv->value, msg, len)) != 0)
			return rc;
		memcpy(set->req[set->n - 1].key, key, strlen(key) + 1);
	}
	if (uid && *uid && (rc = add(set, IMP_UID, uid, msg, len)) != 0)
		return rc;
	if (set->n && !(user && *user)) {
		/* fmt.Sprintf("requested %v without impersonating a user", requests) */
		size_t pos = 0;
		kube_append(msg, len, &pos, "requested [");
		for (size_t i = 0; i < set->n; i++)
			describe(&set->req[i], i == 0, msg, len, &pos);
		kube_append(msg, len, &pos, "] without impersonating a user");
		set->n = 0;
		return -EINVAL;
	}
	return 0;
}

/* --- authorization and the new user --- */

void impersonate_attrs(const struct imp_request *q, struct kube_attrs *a)
{
	static const char *const resources[] = {"users", "serviceaccounts", "groups", "userextras",
						"uids"};
	memset(a, 0, sizeof(*a));
	a->resource_request = 1;
	/* constants, each shorter than its field */
	memcpy(a->verb, "impersonate", sizeof("impersonate"));
	memcpy(a->resource, resources[q->kind], strlen(resources[q->kind]) + 1);
	if (q->kind == IMP_USER_EXTRA || q->kind == IMP_UID) {
		memcpy(a->group, AUTHN_GROUP, sizeof(AUTHN_GROUP));
		memcpy(a->version, "v1", sizeof("v1"));
	}
	/* the sizes of imp_request's fields are those of kube_attrs' */
	memcpy(a->subresource, q->key, sizeof(q->key));
	memcpy(a->namespace_, q->namespace_, sizeof(q->namespace_));
	memcpy(a->name, q->name, sizeof(q->name));
}

static int has_group(const struct kube_user *u, const char *g)
{
	for (size_t i = 0; i < u->n_groups; i++)
		if (strcmp(u->groups[i], g) == 0)
			return 1;
	return 0;
}

/* A group that does not fit is left out, never shortened into another's name. */
static void push_group(struct kube_user *u, const char *g)
{
	if (u->n_groups < KUBE_MAX_GROUPS && SFMT(u->groups[u->n_groups], "%s", g) == 0)
		u->n_groups++;
}

void kube_user_google_by_name(struct kube_user *u)
{
	static const char sfx[] = ".gserviceaccount.com";
	size_t n = strlen(u->name);
	/* (a member that does not fit leaves the user not a Google identity) */
	if (strncmp(u->name, "principal://", 12) == 0) {
		u->google = SFMT(u->google_member, "%s", u->name) == 0;
	} else if (strchr(u->name, '@') && !strchr(u->name, ':')) {
		int sa = n > sizeof(sfx) - 1 && strcmp(u->name + n - (sizeof(sfx) - 1), sfx) == 0;
		u->google = SFMT(u->google_member, "%s:%s", sa ? "serviceAccount" : "user",
				 u->name) == 0;
	}
}

int impersonate_user(const struct imp_set *set, struct kube_user *u)
{
	json_t *extra = NULL;
	char *text = NULL;
	int rc = -ENOMEM;
	memset(u, 0, sizeof(*u));
	for (size_t i = 0; i < set->n; i++) {
		const struct imp_request *q = &set->req[i];
		switch (q->kind) {
		case IMP_SERVICE_ACCOUNT:
			if (SFMT(u->name, SA_PREFIX "%s:%s", q->namespace_, q->name) < 0) {
				rc = -ENAMETOOLONG;
				goto out;
			}
			if (!set->groups_specified) {
				char g[128];
				u->n_groups = 0;
				push_group(u, "system:serviceaccounts");
				if (SFMT(g, "system:serviceaccounts:%s", q->namespace_) == 0)
					push_group(u, g);
			}
			break;
		case IMP_USER:
			if (SFMT(u->name, "%s", q->name) < 0) {
				rc = -ENAMETOOLONG;
				goto out;
			}
			break;
		case IMP_GROUP:
			push_group(u, q->name);
			break;
		case IMP_USER_EXTRA: {
			json_t *vals;
			if (!extra && !(extra = json_object()))
				goto out;
			if (!(vals = json_object_get(extra, q->key))) {
				vals = json_array();
				if (!vals || json_object_set_new(extra, q->key, vals) != 0)
					goto out;
			}
			/* a value that is not UTF-8 cannot be JSON: it is dropped, as the
			 * JSON encoding of user.extra would replace it */
			json_array_append_new(vals, json_string(q->name));
			break;
		}
		case IMP_UID:
			if (SFMT(u->uid, "%s", q->name) < 0) {
				rc = -ENAMETOOLONG;
				goto out;
			}
			break;
		}
	}
	if (strcmp(u->name, "system:anonymous") != 0) {
		if (!has_group(u, "system:authenticated") &&
		    !has_group(u, "system:unauthenticated"))
			push_group(u, "system:authenticated");
	} else if (!has_group(u, "system:unauthenticated")) {
		push_group(u, "system:unauthenticated");
	}
	if (extra) {
		if (!(text = json_dumps(extra, JSON_COMPACT | JSON_PRESERVE_ORDER)))
			goto out;
		if (strlen(text) >= sizeof(u->extra)) {
			rc = -E2BIG;
			goto out;
		}
		memcpy(u->extra, text, strlen(text) + 1);
	}
	kube_user_google_by_name(u);
	rc = 0;
out:
	free(text);
	json_decref(extra);
	return rc;
}

int kube_impersonate(struct kube_cluster *cl, struct http_req *r, struct kube_user *u)
{
	struct imp_set *set = NULL;
	struct kube_user *nu = NULL;
	struct kube_attrs a;
	char msg[4096], reason[2048];
	int rc;
	const struct evkeyvalq *h = r && r->ev ? evhttp_request_get_input_headers(r->ev) : NULL;
	if (!h)
		return 0;
	if (!(set = malloc(sizeof(*set))) || !(nu = malloc(sizeof(*nu)))) {
		kube_reply_status(r, 500, "InternalError", "out of memory", NULL);
		rc = -ENOMEM;
		goto out;
	}
	rc = impersonate_parse(h, set, msg, sizeof(msg));
	if (rc == -ENOMEM) {
		kube_reply_status(r, 500, "InternalError", "out of memory", NULL);
		goto out;
	}
	if (rc != 0) {
		kube_reply_status(r, 400, "BadRequest", msg, NULL);
		goto out;
	}
	for (size_t i = 0; i < set->n; i++) {
		impersonate_attrs(&set->req[i], &a);
		reason[0] = '\0';
		if (kube_authorize(cl, u, &a, reason, sizeof(reason)) != KUBE_ALLOW) {
			/* responsewriters.Forbidden(actingAsAttributes, ..., reason) */
			kube_forbidden_message(u, &a, reason, msg, sizeof(msg));
			kube_reply_status(r, 403, "Forbidden", msg, &a);
			rc = -EACCES;
			goto out;
		}
	}
	if (set->n) {
		rc = impersonate_user(set, nu);
		if (rc == -E2BIG) {
			snprintf(msg, sizeof(msg),
				 "the impersonated user's extra is longer than %zu bytes",
				 sizeof(nu->extra) - 1);
			kube_reply_status(r, 400, "BadRequest", msg, NULL);
			goto out;
		}
		if (rc != 0) {
			kube_reply_status(r, 500, "InternalError",
					  rc == -ENAMETOOLONG ? "the impersonated user does not fit"
							      : "out of memory",
					  NULL);
			goto out;
		}
		*u = *nu;
	}
	rc = 0;
out:
	free(nu);
	free(set);
	return rc;
}
