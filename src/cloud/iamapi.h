/*
 * iamapi.h - private to the IAM API's files (iamapi.c and iamapi_*.c): its limits, the
 * context of a call on a service account, and the replies and helpers they share.
 * Not for other modules: cloud.h declares the API (iamapi_*_api) and its entry points.
 */
#ifndef GKEID_IAMAPI_H
#define GKEID_IAMAPI_H

#include "cloud/cloud.h"
#include "cloud/jsonschema.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "core/clock.h"
#include "core/dbuf.h"
#include "core/jwt.h"
#include "core/store.h"

#define IAMAPI_SERVICE "iam.googleapis.com"
#define SERVICE IAMAPI_SERVICE
#define SA_DOMAIN ".iam.gserviceaccount.com"
#define SA_ETAG "MDEwMjE5MjA="		     /* Google's (deprecated) constant etag */
#define VALID_FOREVER "9999-12-31T23:59:59Z" /* user-managed keys do not expire */
#define ID_MAX 320			     /* an email or unique ID in a path */
#define PROJECT_MAX 128
#define DISPLAY_NAME_MAX 100 /* bytes, as Google */
#define DESCRIPTION_MAX 256
#define USER_KEYS_MAX 10 /* user-managed keys per service account, as Google */
#define SA_PAGE_DEFAULT 20
#define SA_PAGE_MAX 100
#define ROLE_PAGE_DEFAULT 300
#define ROLE_PAGE_MAX 1000
#define PERM_PAGE_DEFAULT 100 /* queryTestablePermissions, as Google */
#define TEST_PERMISSIONS_MAX 1000
#define PERMISSION_MAX 256
#define P12_PASSWORD "notasecret" /* Google's, for every .p12 key */

#define SA_PATH "/iam/v1/projects/{project}/serviceAccounts/{sa}"

/* A call on the service account the path names (iamapi_sa_open). */
struct sa_ctx {
	struct cloud_call cc; /* the caller, and the owning project (NULL when unknown) */
	json_t *sa;	      /* the stored record (new reference), NULL when unknown */
	int64_t rev;	      /* its mod revision */
	const char *project_id;
	const char *email;
	char key[1040];	     /* store key of the record */
	char resource[1024]; /* "projects/P/serviceAccounts/EMAIL" */
};

#define IAMAPI_SA_PERM_PREFIXES 2
/* The permissions that apply to a service account: on it, and on its keys. */
extern const char *const iamapi_sa_perm_prefixes[IAMAPI_SA_PERM_PREFIXES];

void iamapi_reply_status(struct http_req *r, int code, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Google's text for a field of the wrong JSON type or an unknown enum value:
 * Invalid value at 'service_account.display_name' (TYPE_STRING), 5 */
void iamapi_reply_bad_value(struct http_req *r, const char *field, const char *type,
			    const json_t *value);
void iamapi_reply_bad_query(struct http_req *r, const char *field, const char *type,
			    const char *value);
void iamapi_reply_unknown_sa(struct http_req *r);
/* 409 ALREADY_EXISTS with the ResourceInfo detail Google adds. */
void iamapi_reply_sa_exists(struct http_req *r, const char *account_id, const char *project,
			    const char *resource);
int iamapi_printable(const char *s);
int iamapi_is_hex(const char *s, size_t len);
const char *iamapi_str(const json_t *obj, const char *name);
/* The stored JSON at key and its mod revision. 0, -ENOENT or -EIO. */
int iamapi_load_json(struct store *s, const char *key, json_t **out, int64_t *rev);
int iamapi_put_json(struct store *s, const char *key, const json_t *j, int64_t expected);
/* A page size from the query: 0 (absent) gives def, larger than max gives max. */
int iamapi_page_size(struct http_req *r, int def, int max, int *out);
/* Page tokens are opaque to clients: base64url of the last name returned. Decodes t
 * (NULL or empty: no token) into *cursor, which the caller frees (NULL when there is no
 * token). 0, or -EINVAL after replying. */
int iamapi_page_cursor(struct http_req *r, const char *t, char **cursor);
/* Replies with a page of a list: resp (stolen) with items (borrowed) as its member name
 * when there are any and, when more follow, the token of the page after last. */
void iamapi_reply_page(struct http_req *r, json_t *resp, const char *name, json_t *items, int more,
		       const char *last);
void iamapi_sa_ctx_free(struct sa_ctx *x);
/* The record of a service account by email or unique ID, and its revision. */
json_t *iamapi_sa_lookup(struct cloud *c, const char *id, int64_t *rev);
/* Authenticates, finds the service account named by {project} and {sa}, checks that the
 * IAM API is enabled in its project and that the caller holds the route's permission
 * (none: none needed) on it or its project. As Google: a caller who may not see the account gets
 * 403 whether or not it exists; one who may gets 404 when it does not. 0, or -errno after replying.
 */
int iamapi_sa_open(struct http_req *r, struct sa_ctx *x);
/* Authenticates and finds the project {project} with the IAM API enabled, where the
 * caller holds the route's permission. 0, or -errno after replying; cloud_call_end
 * either way. */
int iamapi_project_open(struct http_req *r, struct cloud_call *x);
/* True when a predefined role can be granted on a service account: it must hold some
 * permission on service accounts or their keys. */
int iamapi_role_fits_sa(struct iam *iam, const char *role);

#endif
