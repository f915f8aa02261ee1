/*
 * util.h - small helpers shared by the Kubernetes API server's files (src/kube/):
 * JSON member and path lookups, bounded string building, and the framing of a JSON
 * reply. Internal to the module; the public contracts stay in kube.h.
 */
#ifndef GKEID_KUBE_UTIL_H
#define GKEID_KUBE_UTIL_H

#include <jansson.h>
#include <stddef.h>

#include "core/http.h"

struct kube_attrs;

/* o[k] as a string (borrowed from o), or "" when o is not an object, k is absent or its
 * value is not a string. */
const char *kube_jstr(const json_t *o, const char *k);

/* The value at a dotted path of object members ("status.podIPs"), borrowed from o, or
 * NULL when a step is missing or not an object, or a segment is 128 bytes or longer.
 * An empty path gives o. */
const json_t *kube_json_path(const json_t *o, const char *path);

/* qsort comparator for an array of const char * (strcmp order). */
int kube_cmp_str(const void *a, const void *b);

/* Versions in apimachinery's CompareKubeAwareVersionStrings order, highest priority
 * first: GA before beta before alpha, higher numbers first within each, then other
 * strings in lexical order (v2, v1, v1beta1, v1alpha1, foo). < 0 when x comes before y
 * (x is the preferred one), 0 when equal, > 0 after. */
int kube_version_cmp(const char *x, const char *y);

/* Appends s to out (len bytes, NUL-terminated at *pos), advancing *pos; what does not
 * fit is dropped, and out stays NUL-terminated. */
void kube_append(char *out, size_t len, size_t *pos, const char *s);

/* Replies code with body s (malloc'd JSON text, not NULL) and a trailing newline as
 * "application/json". Takes ownership of s and frees it. */
void kube_reply_json_text(struct http_req *r, int code, char *s);

/* Status replies that many handlers give, as kube_reply_status with a (may be NULL):
 * 404 NotFound "the server could not find the requested resource" and 405
 * MethodNotAllowed "the server does not allow this method on the requested resource". */
void kube_reply_not_found(struct http_req *r, const struct kube_attrs *a);
void kube_reply_method_not_allowed(struct http_req *r, const struct kube_attrs *a);

#endif
