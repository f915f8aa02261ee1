/*
 * tls.c - each Kubernetes API server's certificate authority: one CA per cluster, as
 * every GKE cluster has its own root (masterAuth.clusterCaCertificate), made once in
 * data_dir/keys (<project>-<location>-<name>-ca.pem, -ca-key.pem 0600) and loaded on
 * restart; fresh CA-signed serving certificates as SSL_CTXs that ask for (but do not
 * require) client certificates; and client certificates (CN=user, O=groups) for nodes,
 * admins and tests. A client certificate of one cluster is no credential at another.
 * Keys are EC P-256; certificates are X.509 v3; TLS 1.2 is the minimum.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dbuf.h"
#include "core/file.h"
#include "core/jwt.h"
#include "kube/kube.h"

#define CA_DAYS (365 * 10)
#define LEAF_DAYS 365
#define PEM_CAP (64 * 1024)

/* A certificate for key valid from an hour ago for days, signed by (issuer, issuer_key),
 * or self-signed when issuer is NULL (key_cert_x509 in jwt.c). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, const char *const *orgs, size_t n_orgs,
		       int is_ca, const char *sans, const char *eku, long days, X509 *issuer,
		       EVP_PKEY *issuer_key)
{
	time_t now = time(NULL);
	struct key_cert c = {.cn = cn,
			     .orgs = orgs,
			     .n_orgs = n_orgs,
			     .not_before = now - 3600,
			     .not_after = now + days * 24 * 3600,
			     .kind = is_ca ? KEY_CERT_CA : KEY_CERT_LEAF,
			     .sans = sans,
			     .eku = eku,
			     .issuer = issuer,
			     .issuer_key = issuer_key};
	return key_cert_x509(key, &c);
}

static int load_ca(struct kube_cluster *k, const char *cert_path, const char *key_path)
{
	char *cpem = NULL, *kpem = NULL;
	size_t clen = 0, klen = 0;
	BIO *b = NULL;
	int rc = file_read_small(cert_path, PEM_CAP, &cpem, &clen);
	if (rc)
		goto out;
	rc = file_read_small(key_path, PEM_CAP, &kpem, &klen);
	if (rc)
		goto out;
	rc = -EINVAL;
	b = BIO_new_mem_buf(cpem, (int)clen);
	if (!b)
		goto out;
	k->ca_cert = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	b = BIO_new_mem_buf(kpem, (int)klen); /* a private key only, never a public one */
	if (!b)
		goto out;
	k->ca_key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	if (!k->ca_cert || !k->ca_key || X509_check_private_key(k->ca_cert, k->ca_key) != 1)
		goto out;
	rc = 0;
out:
	BIO_free(b);
	free(cpem);
	if (kpem)
		OPENSSL_cleanse(kpem, klen);
	free(kpem);
	if (rc) {
		X509_free(k->ca_cert);
		EVP_PKEY_free(k->ca_key);
		k->ca_cert = NULL;
		k->ca_key = NULL;
	}
	return rc;
}

static int create_ca(struct kube_cluster *k, const char *cert_path, const char *key_path)
{
	int rc = -ENOMEM;
	char *cpem = NULL, *kpem = NULL, cn[128];
	EVP_PKEY *key = key_generate_ec();
	X509 *x = NULL;
	if (!key)
		goto out;
	/* a subject of its own, as a GKE cluster's CA has (its CN is the cluster's id) */
	if (SFMT(cn, "gkeid-kubernetes-ca %s", k->uid) < 0) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	x = make_cert(key, cn, NULL, 0, 1, NULL, NULL, CA_DAYS, NULL, NULL);
	if (!x)
		goto out;
	cpem = key_x509_pem(x);
	kpem = key_private_pem(key);
	if (!cpem || !kpem)
		goto out;
	/* The key first: a certificate without its key is useless on restart. */
	rc = file_write_atomic(key_path, kpem, strlen(kpem), 0600);
	if (rc)
		goto out;
	rc = file_write_atomic(cert_path, cpem, strlen(cpem), 0644);
	if (rc)
		goto out;
	k->ca_cert = x;
	k->ca_key = key;
	x = NULL;
	key = NULL;
out:
	if (kpem)
		OPENSSL_cleanse(kpem, strlen(kpem));
	free(kpem);
	free(cpem);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

int kube_tls_init(struct kube *k)
{
	char dir[4200];
	if (SFMT(dir, "%s/keys", k->data_dir) < 0)
		return -ENAMETOOLONG;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* keys/<project>-<location>-<name>-<what>. 0 or -ENAMETOOLONG. */
static int cluster_path(const struct kube_cluster *cl, const char *what, char *out, size_t len)
{
	const struct kube *k = cl->kube;
	if (!k)
		return -EINVAL;
	return sfmt(out, len, "%s/keys/%s-%s-%s-%s", k->data_dir, cl->project, cl->location,
		    cl->name, what);
}

int kube_tls_ca_path(const struct kube_cluster *cl, char *out, size_t len)
{
	return cluster_path(cl, "ca.pem", out, len);
}

/* A data dir from before per-cluster CAs: its one CA (keys/ca.pem, ca-key.pem) moves to
 * the reopened cluster that finds it first. The certificate moves first, and a half-done
 * move (certificate moved, key not) is finished on the next start. 0, or -errno. */
static int adopt_legacy_ca(const struct kube_cluster *cl, const char *cert_path,
			   const char *key_path)
{
	char legacy_cert[4300], legacy_key[4300];
	const struct kube *k = cl->kube;
	if (SFMT(legacy_cert, "%s/keys/ca.pem", k->data_dir) < 0 ||
	    SFMT(legacy_key, "%s/keys/ca-key.pem", k->data_dir) < 0)
		return -ENAMETOOLONG;
	if (access(key_path, F_OK) == 0 || access(legacy_key, F_OK) != 0)
		return 0;
	if (access(cert_path, F_OK) != 0 && rename(legacy_cert, cert_path) != 0)
		return -errno;
	if (rename(legacy_key, key_path) != 0)
		return -errno;
	fprintf(stderr,
		"kube[%s]: took over the CA that the clusters of this data directory shared "
		"(keys/ca.pem); every other cluster gets a CA of its own (run `gcloud container "
		"clusters get-credentials` again for them)\n",
		cl->name);
	return 0;
}

int kube_tls_cluster_init(struct kube_cluster *cl, int reopened)
{
	char cert_path[4300], key_path[4300];
	char *pem = NULL, *b64 = NULL;
	int rc;
	if ((rc = kube_tls_init(cl->kube)) != 0 ||
	    (rc = cluster_path(cl, "ca.pem", cert_path, sizeof(cert_path))) != 0 ||
	    (rc = cluster_path(cl, "ca-key.pem", key_path, sizeof(key_path))) != 0)
		return rc;
	if (reopened && (rc = adopt_legacy_ca(cl, cert_path, key_path)) != 0)
		return rc;
	if (access(cert_path, F_OK) == 0 || access(key_path, F_OK) == 0)
		rc = load_ca(cl, cert_path, key_path); /* never silently replace a CA */
	else
		rc = create_ca(cl, cert_path, key_path);
	if (rc)
		return rc;
	pem = key_x509_pem(cl->ca_cert);
	b64 = pem ? b64_encode(pem, strlen(pem)) : NULL;
	if (!b64 || strlen(b64) >= sizeof(cl->ca_pem_b64)) {
		rc = b64 ? -E2BIG : -ENOMEM;
		goto out;
	}
	memcpy(cl->ca_pem_b64, b64, strlen(b64) + 1);
out:
	free(pem);
	free(b64);
	return rc;
}

int kube_tls_cluster_purge(const struct kube_cluster *cl)
{
	char path[4300];
	int rc = 0;
	const char *what[] = {"ca-key.pem", "ca.pem"};
	for (size_t i = 0; i < 2; i++) {
		int r = cluster_path(cl, what[i], path, sizeof(path));
		if (!r && unlink(path) != 0 && errno != ENOENT)
			r = -errno;
		if (r && !rc)
			rc = r;
	}
	return rc;
}

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		       const unsigned char *in, unsigned int inlen, void *arg)
{
	(void)ssl;
	(void)arg;
	/* Only HTTP/1.1: evhttp speaks no HTTP/2. */
	for (unsigned int i = 0; i < inlen;) {
		unsigned int l = in[i];
		if (i + 1 + l > inlen)
			break;
		if (l == 8 && memcmp(in + i + 1, "http/1.1", 8) == 0) {
			*out = in + i + 1;
			*outlen = (unsigned char)l;
			return SSL_TLSEXT_ERR_OK;
		}
		i += 1 + l;
	}
	return SSL_TLSEXT_ERR_NOACK;
}

/* Any client certificate passes the handshake; authn.c verifies it against the CA and
 * answers 401 when it does not verify (kube-apiserver's tls.RequestClientCert). */
static int accept_any(int preverify_ok, X509_STORE_CTX *x)
{
	(void)preverify_ok;
	(void)x;
	return 1;
}

void *kube_tls_server_ctx(struct kube_cluster *k)
{
	SSL_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	STACK_OF(X509_NAME) *cas = NULL;
	if (!k->ca_cert || !k->ca_key)
		return NULL;
	key = key_generate_ec();
	if (!key)
		goto fail;
	x = make_cert(key, "kube-apiserver", NULL, 0, 0,
		      "IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,"
		      "DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local",
		      "serverAuth", LEAF_DAYS, k->ca_cert, k->ca_key);
	if (!x)
		goto fail;
	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx)
		goto fail;
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION))
		goto fail;
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_use_certificate(ctx, x) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		goto fail;
	/* Client certificates: asked for (naming this CA), not required; authn.c verifies. */
	X509_STORE *st = SSL_CTX_get_cert_store(ctx);
	if (!st || X509_STORE_add_cert(st, k->ca_cert) != 1)
		goto fail;
	cas = sk_X509_NAME_new_null();
	X509_NAME *cn = X509_NAME_dup(X509_get_subject_name(k->ca_cert));
	if (!cas || !cn || !sk_X509_NAME_push(cas, cn)) {
		X509_NAME_free(cn);
		goto fail;
	}
	SSL_CTX_set_client_CA_list(ctx, cas);
	cas = NULL;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any);
	SSL_CTX_set_verify_depth(ctx, 4);
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
fail:
	sk_X509_NAME_pop_free(cas, X509_NAME_free);
	SSL_CTX_free(ctx);
	X509_free(x);
	EVP_PKEY_free(key);
	return NULL;
}

int kube_tls_client_cert(struct kube_cluster *k, const char *user, const char *const *groups,
			 size_t n_groups, char **cert_pem_out, char **key_pem_out)
{
	int rc = -ENOMEM;
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	char *c = NULL, *kp = NULL;
	*cert_pem_out = NULL;
	*key_pem_out = NULL;
	if (!k->ca_cert || !k->ca_key || !user || !*user || strlen(user) > 256 || n_groups > 16)
		return -EINVAL;
	key = key_generate_ec();
	if (!key)
		goto out;
	x = make_cert(key, user, groups, n_groups, 0, NULL, "clientAuth", LEAF_DAYS, k->ca_cert,
		      k->ca_key);
	if (!x) {
		rc = -EINVAL;
		goto out;
	}
	c = key_x509_pem(x);
	kp = key_private_pem(key);
	if (!c || !kp)
		goto out;
	*cert_pem_out = c;
	*key_pem_out = kp;
	c = kp = NULL;
	rc = 0;
out:
	free(c);
	free(kp);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}
