/*
 * impersonate.h - kube-apiserver's impersonation filter (k8s.io/apiserver
 * pkg/endpoints/filters/impersonation.go, WithImpersonation): the Impersonate-User,
 * Impersonate-Group, Impersonate-Uid and Impersonate-Extra-<key> headers (kubectl --as,
 * --as-group, --as-uid), each authorized as the verb "impersonate" through the normal
 * chain (RBAC, then GKE's IAM: container.clusters.impersonate), after which the request
 * runs as the user they name. Internal to src/kube.
 */
#ifndef GKEID_KUBE_IMPERSONATE_H
#define GKEID_KUBE_IMPERSONATE_H

#include <event2/keyvalq_struct.h>
#include <stddef.h>

#include "kube/kube.h"

/* gkeid's limits (upstream has none): what a struct kube_user and kube_attrs hold. */
#define IMP_MAX 32	 /* impersonation requests (headers) per request */
#define IMP_NAME_MAX 255 /* a user, group, service-account or extra value (kube_attrs.name) */
#define IMP_KEY_MAX 63	 /* an extra key (kube_attrs.subresource) */
#define IMP_UID_MAX 127	 /* Impersonate-Uid (kube_user.uid) */

/* One thing asked for, as buildImpersonationRequests' v1.ObjectReference. */
enum imp_kind {
	IMP_USER,	     /* Impersonate-User; resource "users" */
	IMP_SERVICE_ACCOUNT, /* Impersonate-User system:serviceaccount:NS:NAME; "serviceaccounts" */
	IMP_GROUP,	     /* each Impersonate-Group; "groups" */
	IMP_USER_EXTRA,	     /* each Impersonate-Extra-<key> value; "userextras/<key>" */
	IMP_UID,	     /* Impersonate-Uid; "uids" */
};

struct imp_request {
	enum imp_kind kind;
	char namespace_[64];	     /* IMP_SERVICE_ACCOUNT: NS */
	char name[IMP_NAME_MAX + 1]; /* the user, SA name, group, extra value or uid */
	char key[IMP_KEY_MAX + 1];   /* IMP_USER_EXTRA: the key, lower case, %-unescaped */
};

struct imp_set {
	struct imp_request req[IMP_MAX]; /* user first, then groups, extras, uid */
	size_t n;			 /* 0: the request impersonates nobody */
	int groups_specified;		 /* an Impersonate-Group header was present */
};

/* Reads the Impersonate-* headers (names case-insensitive) into set, in upstream's
 * order. 0 (set->n 0 when there are none); -EINVAL with msg set to upstream's
 * `requested [{Group  g    }] without impersonating a user` when a group, extra or uid
 * comes without Impersonate-User (a 400 BadRequest since Kubernetes 1.35; a 500 before);
 * -E2BIG with msg when a value is longer than gkeid holds or there are too many;
 * -ENOMEM. */
int impersonate_parse(const struct evkeyvalq *headers, struct imp_set *set, char *msg, size_t len);

/* The authorization attributes of one request: verb "impersonate", resource users,
 * groups, serviceaccounts (namespaced, group "") or userextras/<key> and uids (group
 * authentication.k8s.io, version v1), name the value. */
void impersonate_attrs(const struct imp_request *q, struct kube_attrs *a);

/* The user set names, as WithImpersonation builds it: a service account gets
 * system:serviceaccounts and system:serviceaccounts:NS unless groups are given; any user
 * but system:anonymous gets system:authenticated unless system:authenticated or
 * system:unauthenticated is among its groups; system:anonymous gets
 * system:unauthenticated. Extras become u->extra (JSON). An email-like or principal://
 * name is a Google identity (kube_user_google_by_name). 0, or -E2BIG when the extras do
 * not fit u->extra. */
int impersonate_user(const struct imp_set *set, struct kube_user *u);

/* GKE's IAM authorizer judges a user by name alone: a principal:// identifier, or an
 * email (service account when it ends in .gserviceaccount.com), is a Google identity.
 * Sets u->google and u->google_member from u->name when it is one. */
void kube_user_google_by_name(struct kube_user *u);

/* The filter: with Impersonate-* headers on r, authorizes each as *u (kube_authorize)
 * and replaces *u by the impersonated user. 0 (no headers, or all allowed); otherwise
 * it has replied - 400 BadRequest (-EINVAL, -E2BIG) or 403 Forbidden with upstream's
 * text, e.g. `users "X" is forbidden: User "Y" cannot impersonate resource "users" in API
 * group "" at the cluster scope` (-EACCES) - and *u is unchanged. */
int kube_impersonate(struct kube_cluster *cl, struct http_req *r, struct kube_user *u);

#endif
