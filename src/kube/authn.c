/*
 * authn.c - who is asking the Kubernetes API server, as GKE's authenticators say, tried
 * in kube-apiserver's order:
 *   - a client certificate verified against the cluster's own CA: CN is the user, O the
 *     groups (one that does not verify is a 401 unless a valid token follows, as
 *     kube-apiserver's x509 authenticator fails the union);
 *   - "Authorization: Bearer" with a service-account JWT of this cluster (iss = the
 *     cluster's issuer, signed by its key, audience the issuer; the service account and
 *     a bound secret or pod must still exist, with the uids the token names):
 *     system:serviceaccount:NS:NAME with the service-account groups;
 *   - or with a gkeid Google access token: the email (for a federated token, its
 *     principal:// identifier), group system:authenticated, and the IAM member that
 *     the IAM fallback checks;
 *   - else system:anonymous in system:unauthenticated.
 * A bearer token that is present but invalid is -EACCES (401), as kube-apiserver does.
 */
#include "core/dbuf.h"
#include "kube/auth.h"
#include "kube/groupsrbac.h"

#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cloud/cloud.h"
#include "core/jwt.h"
#include "kube/util.h"

#define TOKEN_MAX 16384

static void add_group(struct kube_user *u, const char *g)
{
	if (u->n_groups >= KUBE_MAX_GROUPS || !g)
		return;
	for (size_t i = 0; i < u->n_groups; i++)
		if (strcmp(u->groups[i], g) == 0)
			return;
	/* a group that does not fit is left out, never shortened into another's name */
	if (SFMT(u->groups[u->n_groups], "%s", g) == 0)
		u->n_groups++;
}

static void anonymous(struct kube_user *u)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "system:anonymous");
	add_group(u, "system:unauthenticated");
}

/* The bound objects of a service-account token, as kube-apiserver's validator
 * (pkg/serviceaccount/claims.go) checks them: the service account (its NotFound is
 * the getter's error), then a bound secret and a bound pod, by name and uid. 0, or
 * -EACCES with why set to upstream's error. Objects here are removed at once on delete
 * (no deletionTimestamp to wait on). */
static int bound_objects_live(struct kube_cluster *cl, const char *ns, const json_t *k8s, char *why,
			      size_t why_len)
{
	static const struct {
		const char *claim, *resource;
	} refs[] = {{"secret", "secrets"}, {"pod", "pods"}};
	const json_t *sa = json_object_get(k8s, "serviceaccount");
	const char *sa_name = kube_jstr(sa, "name"), *sa_uid = kube_jstr(sa, "uid");
	const struct kube_resource *res = kube_resource_find("", "v1", "serviceaccounts");
	json_t *o = res ? registry_get(cl, res, ns, sa_name) : NULL;
	const char *have;
	int rc = -EACCES;
	if (!o) {
		snprintf(why, why_len, "serviceaccounts \"%s\" not found", sa_name);
		return -EACCES;
	}
	have = kube_jstr(json_object_get(o, "metadata"), "uid");
	if (strcmp(have, sa_uid) != 0) {
		snprintf(why, why_len, "service account UID (%s) does not match claim (%s)", have,
			 sa_uid);
		goto out;
	}
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		const json_t *ref = json_object_get(k8s, refs[i].claim);
		const char *ref_uid = kube_jstr(ref, "uid");
		if (!json_is_object(ref))
			continue;
		json_decref(o);
		res = kube_resource_find("", "v1", refs[i].resource);
		o = res ? registry_get(cl, res, ns, kube_jstr(ref, "name")) : NULL;
		if (!o) {
			snprintf(why, why_len, "service account token has been invalidated");
			goto out;
		}
		have = kube_jstr(json_object_get(o, "metadata"), "uid");
		if (strcmp(have, ref_uid) != 0) {
			snprintf(why, why_len,
				 "%s UID (%s) does not match service account %s ref claim (%s)",
				 refs[i].claim, have, refs[i].claim, ref_uid);
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(o);
	return rc;
}

/* The audiences of aud (asked; none: the cluster's issuer) that the token names, as a
 * new array; NULL when none. */
static json_t *audience_match(struct kube_cluster *cl, const struct jwt *t, const char *const *aud,
			      size_t n_aud)
{
	json_t *out = json_array();
	if (!out)
		return NULL;
	if (n_aud == 0) {
		if (jwt_has_audience(t, cl->issuer))
			json_array_append_new(out, json_string(cl->issuer));
	} else {
		for (size_t i = 0; i < n_aud; i++)
			if (aud[i] && jwt_has_audience(t, aud[i]))
				json_array_append_new(out, json_string(aud[i]));
	}
	if (json_array_size(out) == 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* A service-account token of this cluster. 0, -ENOENT (not ours: another issuer or not
 * a JWT), -EACCES (ours but invalid, err says why). */
static int sa_token(struct kube_cluster *cl, const char *token, const char *const *aud,
		    size_t n_aud, struct kube_user *u, json_t **extra, json_t **audiences,
		    char *err, size_t err_len)
{
	struct jwt t;
	int rc = -EACCES;
	char name[600], why[800];
	json_t *auds = NULL;
	if (jwt_parse(token, &t) != 0)
		return -ENOENT;
	const char *iss = kube_jstr(t.claims, "iss");
	if (strcmp(iss, cl->issuer) != 0) {
		jwt_free(&t);
		return -ENOENT;
	}
	json_t *k8s = json_object_get(t.claims, "kubernetes.io");
	json_t *sa = json_object_get(k8s, "serviceaccount"), *pod = json_object_get(k8s, "pod");
	const char *sub = kube_jstr(t.claims, "sub"), *ns = kube_jstr(k8s, "namespace");
	const char *sa_name = kube_jstr(sa, "name"), *sa_uid = kube_jstr(sa, "uid");
	snprintf(err, err_len, "invalid bearer token");
	if (!cl->sa_key || jwt_verify(&t, cl->sa_key) != 0)
		goto out;
	if (jwt_check_time(&t, (int64_t)time(NULL), 60) != 0) {
		snprintf(err, err_len, "[invalid bearer token, service account token has expired]");
		goto out;
	}
	if (!(auds = audience_match(cl, &t, aud, n_aud))) {
		snprintf(err, err_len,
			 "[invalid bearer token, token audiences is invalid for the "
			 "target audiences]");
		goto out;
	}
	if (!*ns || !*sa_name || strlen(ns) > 63 || strlen(sa_name) > 230)
		goto out;
	if (SFMT(name, "system:serviceaccount:%s:%s", ns, sa_name) < 0 || strcmp(sub, name) != 0)
		goto out;
	/* the service account, and the secret or pod the token is bound to, must still be
	 * the ones it was issued for */
	if (bound_objects_live(cl, ns, k8s, why, sizeof(why)) != 0) {
		snprintf(err, err_len, "[invalid bearer token, %s]", why);
		goto out;
	}
	if (strlen(name) >= sizeof(u->name) || strlen(sa_uid) >= sizeof(u->uid))
		goto out;
	memset(u, 0, sizeof(*u));
	memcpy(u->name, name, strlen(name) + 1);
	memcpy(u->uid, sa_uid, strlen(sa_uid) + 1);
	add_group(u, "system:serviceaccounts");
	if (SFMT(name, "system:serviceaccounts:%s", ns) == 0)
		add_group(u, name);
	add_group(u, "system:authenticated");
	if (extra && json_is_object(pod))
		*extra = json_pack("{s:[s],s:[s]}", "authentication.kubernetes.io/pod-name",
				   kube_jstr(pod, "name"), "authentication.kubernetes.io/pod-uid",
				   kube_jstr(pod, "uid"));
	if (audiences) {
		*audiences = auds;
		auds = NULL;
	}
	err[0] = '\0';
	rc = 0;
out:
	json_decref(auds);
	jwt_free(&t);
	return rc;
}

/* A gkeid Google access token. 0 or -EACCES. */
static int google_token(struct kube_cluster *cl, const char *token, struct kube_user *u)
{
	struct cloud *c = cl->kube ? cl->kube->cloud : NULL;
	json_t *rec = c ? cloud_token_lookup(c, token) : NULL;
	int rc = -EACCES;
	if (!rec)
		return -EACCES;
	const char *kind = kube_jstr(rec, "kind"), *email = kube_jstr(rec, "email");
	memset(u, 0, sizeof(*u));
	/* A token whose scopes do not reach the cluster (devstorage.read_only, say) is not an
	 * identity GKE accepts. */
	if (!cloud_scope_ok(kube_jstr(rec, "scope"), CLOUD_SCOPE_KUBERNETES, 0))
		goto out;
	if (strcmp(kind, "user") == 0 && *email) {
		if (SFMT(u->name, "%s", email) < 0 || SFMT(u->google_member, "user:%s", email) < 0)
			goto out;
	} else if (strcmp(kind, "serviceAccount") == 0 && *email) {
		/* a disabled or deleted (or deleted and re-made) account's tokens stop working */
		if (!cloud_token_sa_live(c, rec))
			goto out;
		if (SFMT(u->name, "%s", email) < 0 ||
		    SFMT(u->google_member, "serviceAccount:%s", email) < 0)
			goto out;
	} else if (strcmp(kind, "federated") == 0) {
		const char *num = kube_jstr(rec, "projectNumber"), *pool = kube_jstr(rec, "pool");
		const char *subject = kube_jstr(rec, "subject");
		if (!*num || !*pool || !*subject)
			goto out;
		if (SFMT(u->name,
			 "principal://iam.googleapis.com/projects/%s/locations/global/"
			 "workloadIdentityPools/%s/subject/%s",
			 num, pool, subject) < 0 ||
		    SFMT(u->google_member, "%s", u->name) < 0)
			goto out;
	} else {
		goto out;
	}
	u->google = 1;
	add_group(u, "system:authenticated");
	groupsrbac_add(cl, u); /* Google Groups for RBAC */
	rc = 0;
out:
	json_decref(rec);
	if (rc != 0)
		memset(u, 0, sizeof(*u));
	return rc;
}

/*
 * A TLS connection's verified client certificate. kube-apiserver's x509 authenticator
 * verifies the chain on every request; the certificate cannot change within a
 * connection (renegotiation is off, SSL_OP_NO_RENEGOTIATION in tls.c, and TLS 1.3
 * post-handshake authentication is never asked for), so a chain that verified is kept
 * on the connection's SSL (ex_data, freed with it) with the user it gives, for the CA
 * and the peer certificate it was verified with, while every certificate of the chain
 * is within its validity; outside it, it is verified again (and refused as expired). A
 * certificate that does not verify is verified again on each request, as before.
 */
struct cert_memo {
	X509 *ca, *peer;    /* referenced: what the chain was verified with */
	time_t from, until; /* verify again outside [from, until) */
	struct kube_user user;
};

static void memo_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	struct cert_memo *m = ptr;
	(void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
	if (!m)
		return;
	X509_free(m->ca);
	X509_free(m->peer);
	free(m);
}

/* The SSL ex_data index of the memo: a process-wide OpenSSL registration, made once
 * (the API servers run on the event loop's thread). -1 when OpenSSL gives none. */
static int memo_index(void)
{
	static int idx = -1;
	if (idx < 0)
		idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, memo_free);
	return idx;
}

/* A certificate time as a time_t, or 0 when it cannot be read. */
static time_t cert_time(const ASN1_TIME *a)
{
	struct tm tm;
	time_t t;
	if (!a || ASN1_TIME_to_tm(a, &tm) != 1 || (t = timegm(&tm)) == (time_t)-1)
		return 0;
	return t;
}

/* When every certificate of a verified chain is valid: [*from, *until). 0, or -EINVAL
 * when a time cannot be read. */
static int chain_window(STACK_OF(X509) * chain, time_t *from, time_t *until)
{
	*from = *until = 0;
	for (int i = 0; i < sk_X509_num(chain); i++) {
		time_t nb = cert_time(X509_get0_notBefore(sk_X509_value(chain, i)));
		time_t na = cert_time(X509_get0_notAfter(sk_X509_value(chain, i)));
		if (!nb || !na)
			return -EINVAL;
		if (nb > *from)
			*from = nb;
		if (!*until || na < *until)
			*until = na;
	}
	return *until ? 0 : -EINVAL;
}

/* Keeps a verified chain's user on the connection (nothing when it cannot). */
static void memo_keep(SSL *ssl, struct kube_cluster *cl, X509 *peer, STACK_OF(X509) * chain,
		      const struct kube_user *u)
{
	int idx = memo_index();
	struct cert_memo *m, *old;
	time_t from, until;
	if (idx < 0 || chain_window(chain, &from, &until) != 0 || !(m = calloc(1, sizeof(*m))))
		return;
	if (X509_up_ref(cl->ca_cert) != 1) {
		free(m);
		return;
	}
	m->ca = cl->ca_cert;
	if (X509_up_ref(peer) != 1) {
		memo_free(NULL, m, NULL, 0, 0, NULL);
		return;
	}
	m->peer = peer;
	m->from = from;
	m->until = until;
	m->user = *u;
	old = SSL_get_ex_data(ssl, idx);
	if (SSL_set_ex_data(ssl, idx, m) != 1) {
		memo_free(NULL, m, NULL, 0, 0, NULL); /* the old one stays, still owned */
		return;
	}
	memo_free(NULL, old, NULL, 0, 0, NULL);
}

/* The user of the connection's memo when it holds for this CA, peer and time. */
static int memo_user(SSL *ssl, const struct kube_cluster *cl, const X509 *peer, struct kube_user *u)
{
	int idx = memo_index();
	const struct cert_memo *m = idx >= 0 ? SSL_get_ex_data(ssl, idx) : NULL;
	time_t now = time(NULL);
	if (!m || !cl->ca_cert || m->ca != cl->ca_cert || m->peer != peer || now < m->from ||
	    now >= m->until)
		return 0;
	*u = m->user;
	return 1;
}

/* The peer certificate of the request's TLS connection, verified against the cluster's
 * CA: CN is the user, O the groups. 0; -ENOENT when there is none; -EACCES when it does
 * not verify (another cluster's certificate, a stranger's). */
static int client_cert(struct kube_cluster *cl, struct http_req *r, struct kube_user *u)
{
	struct evhttp_connection *conn;
	struct bufferevent *bev;
	SSL *ssl;
	X509 *peer = NULL;
	X509_STORE *st = NULL;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) * chain;
	int rc = -ENOENT, idx = -1;
	if (!r || !r->ev)
		return -ENOENT;
	if (!(conn = evhttp_request_get_connection(r->ev)) ||
	    !(bev = evhttp_connection_get_bufferevent(conn)) ||
	    !(ssl = bufferevent_openssl_get_ssl(bev)) || !(peer = SSL_get1_peer_certificate(ssl)))
		return -ENOENT;
	if (memo_user(ssl, cl, peer, u)) {
		X509_free(peer);
		return 0;
	}
	rc = -EACCES;
	if (!cl->ca_cert)
		goto out;
	st = X509_STORE_new();
	ctx = X509_STORE_CTX_new();
	chain = SSL_get_peer_cert_chain(ssl);
	if (!st || !ctx || X509_STORE_add_cert(st, cl->ca_cert) != 1 ||
	    X509_STORE_CTX_init(ctx, st, peer, chain) != 1)
		goto out;
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
	if (X509_verify_cert(ctx) != 1)
		goto out;
	X509_NAME *subj = X509_get_subject_name(peer);
	char cn[320] = "";
	rc = -ENOENT; /* verified, but no user in it: on to the next authenticator */
	/* (with no buffer, the CN's whole length: a longer one would come back cut short) */
	int cnlen = subj ? X509_NAME_get_text_by_NID(subj, NID_commonName, NULL, 0) : -1;
	if (cnlen > 0 && (size_t)cnlen >= sizeof(cn))
		rc = -EACCES; /* a name gkeid cannot hold is refused, not cut short */
	if (cnlen <= 0 || (size_t)cnlen >= sizeof(cn) ||
	    X509_NAME_get_text_by_NID(subj, NID_commonName, cn, sizeof(cn)) != cnlen || !cn[0] ||
	    strlen(cn) != (size_t)cnlen)
		goto out;
	memset(u, 0, sizeof(*u));
	if (SFMT(u->name, "%s", cn) < 0)
		goto out;
	while ((idx = X509_NAME_get_index_by_NID(subj, NID_organizationName, idx)) >= 0) {
		ASN1_STRING *d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx));
		unsigned char *utf8 = NULL;
		int n = d ? ASN1_STRING_to_UTF8(&utf8, d) : -1;
		if (n > 0 && (size_t)n < sizeof(u->groups[0]) && !memchr(utf8, 0, (size_t)n))
			add_group(u, (const char *)utf8);
		OPENSSL_free(utf8);
	}
	add_group(u, "system:authenticated");
	memo_keep(ssl, cl, peer, X509_STORE_CTX_get0_chain(ctx), u);
	rc = 0;
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	X509_free(peer);
	return rc;
}

int authn_token(struct kube_cluster *cl, const char *token, const char *const *aud, size_t n_aud,
		struct kube_user *u, json_t **extra, json_t **audiences, char *err, size_t err_len)
{
	char dummy[8];
	int rc;
	if (!err || !err_len) {
		err = dummy;
		err_len = sizeof(dummy);
	}
	err[0] = '\0';
	if (extra)
		*extra = NULL;
	if (audiences)
		*audiences = NULL;
	anonymous(u);
	if (!token || !*token || strlen(token) > TOKEN_MAX) {
		snprintf(err, err_len, "invalid bearer token");
		return -EACCES;
	}
	rc = sa_token(cl, token, aud, n_aud, u, extra, audiences, err, err_len);
	if (rc == -ENOENT) {
		rc = google_token(cl, token, u);
		if (rc == 0 && audiences) {
			json_t *a = json_array();
			if (n_aud == 0)
				json_array_append_new(a, json_string(cl->issuer));
			for (size_t i = 0; i < n_aud; i++)
				json_array_append_new(a, json_string(aud[i] ? aud[i] : ""));
			*audiences = a;
		}
		if (rc != 0)
			snprintf(err, err_len, "invalid bearer token");
	}
	if (rc != 0) {
		anonymous(u);
		return -EACCES;
	}
	return 0;
}

int kube_authenticate(struct kube_cluster *cl, struct http_req *r, struct kube_user *u)
{
	const char *h = r ? http_header(r, "Authorization") : NULL;
	/* kube-apiserver's union: a verified client certificate first, then the token; a
	 * certificate that does not verify fails the union (401) unless the token passes */
	int cert = client_cert(cl, r, u);
	if (cert == 0)
		return 0;
	anonymous(u);
	if (h && strncasecmp(h, "Bearer ", 7) == 0) {
		const char *token = h + 7;
		while (*token == ' ')
			token++;
		size_t len = strlen(token);
		while (len && (token[len - 1] == ' ' || token[len - 1] == '\t'))
			len--;
		if (len > 0) {
			char buf[TOKEN_MAX + 1];
			if (len > TOKEN_MAX)
				return -EACCES;
			memcpy(buf, token, len);
			buf[len] = '\0';
			return authn_token(cl, buf, NULL, 0, u, NULL, NULL, NULL, 0) == 0 ? 0
											  : -EACCES;
		}
	}
	return cert == -EACCES ? -EACCES : 0;
}
