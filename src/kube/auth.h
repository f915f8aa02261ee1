/*
 * auth.h - what authn.c, authz.c and tokens.c offer beyond kube.h's contracts: token
 * authentication without a request (TokenReview), GKE's IAM permission for a
 * request, and TokenRequest's expiration rule.
 */
#ifndef GKEID_KUBE_AUTH_H
#define GKEID_KUBE_AUTH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "kube/kube.h"

/* authn.c: authenticates a bearer token as kube_authenticate does, for TokenReview.
 * aud/n_aud are the audiences asked for (n_aud 0: the cluster's issuer, the API
 * server's audience). On success fills u, *extra (user.extra for a pod-bound
 * service-account token, new object, or NULL) and *audiences (the asked audiences the
 * token is good for, new array) and returns 0; else -EACCES with err set to the reason
 * kube-apiserver gives (extra and audiences NULL). extra/audiences may be NULL. */
int authn_token(struct kube_cluster *cl, const char *token, const char *const *aud, size_t n_aud,
		struct kube_user *u, json_t **extra, json_t **audiences, char *err, size_t err_len);

/* authz.c: GKE's IAM permission for a resource request (container.<iamResource>.<verb>,
 * with patch -> update, deletecollection -> delete, watch -> list, and the subresource
 * verbs: pods/exec -> pods.exec, pods/log -> pods.getLogs, pods/portforward ->
 * pods.portForward, serviceaccounts/token -> serviceAccounts.createToken, status ->
 * getStatus/updateStatus, scale -> getScale/updateScale, ...). 0, -ENOENT for a
 * non-resource request, or -ENAMETOOLONG when it does not fit in len. */
int authz_iam_permission(const struct kube_attrs *a, char *out, size_t len);

/* tokens.c: TokenRequest's spec.expirationSeconds as kube-apiserver takes it:
 * validation (ValidateTokenRequest: at least 600 s, at most 2^32 s; else -EINVAL with
 * *detail upstream's text), then --service-account-max-token-expiration, which GKE sets
 * to 48 h: *granted is requested, or 172800 when longer (then 1: the reply carries
 * upstream's warning `requested expiration of N seconds shortened to 172800 seconds`).
 * 0, 1 or -EINVAL. */
int tokens_expiration(int64_t requested, int64_t *granted, const char **detail);

#endif
