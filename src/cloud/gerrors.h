/*
 * gerrors.h - Google-shaped request validation errors: the 400 INVALID_ARGUMENT replies
 * with a google.rpc.BadRequest field violation that Google's v1 APIs give for a bad
 * field, a value of the wrong type or an unknown name, and the clipping of the client
 * text those messages echo (UTF-8-safe, so that the reply stays valid JSON).
 */
#ifndef GKEID_GERRORS_H
#define GKEID_GERRORS_H

#include <jansson.h>
#include <stddef.h>

#include "core/http.h"

#define GERR_ECHO_MAX 200 /* bytes of client text echoed in an error, with its NUL */

/* Copies at most cap-1 bytes of src (UTF-8) into dst, never splitting a character, and
 * NUL-terminates it. cap must be at least 1. */
void gerr_clip(char *dst, size_t cap, const char *src);

/* Client text for an error message: src clipped into dst (cap bytes), or "?" when src
 * is NULL or not valid UTF-8. */
void gerr_echo(char *dst, size_t cap, const char *src);

/* Replies 400 INVALID_ARGUMENT whose message is the formatted text (at most 1023 bytes),
 * with a google.rpc.BadRequest detail holding one field violation for field (NULL: a
 * violation with a description only). Arguments are the caller's to clip. */
void gerr_bad_request(struct http_req *r, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Google's answer to a JSON value of the wrong type, as gerr_bad_request on field:
 * Invalid value at 'policy' (type.googleapis.com/google.iam.v1.Policy), "x"
 * v (borrowed) is shown as compact JSON, clipped to GERR_ECHO_MAX. */
void gerr_bad_value(struct http_req *r, const char *field, const char *type, const json_t *v);

/* The same for a query parameter's text (borrowed), shown quoted and echoed within cap
 * bytes (gerr_echo): Invalid value at 'page_size' (TYPE_INT32), "abc" */
void gerr_bad_param(struct http_req *r, const char *field, const char *type, const char *text,
		    size_t cap);

/* The first member name of obj that is not in allowed (NULL-terminated), or NULL when
 * there is none. The name is borrowed from obj. */
const char *gerr_unknown_name(const json_t *obj, const char *const *allowed);

/* Rejects a member of obj not in allowed, as Google rejects unknown names: replies
 * (gerr_bad_request, no field) "Invalid JSON payload received. Unknown name "x"WHERE:
 * Cannot find field." where is "" at the top level or e.g. " at 'options'".
 * 0, or -EINVAL after replying. */
int gerr_check_names(struct http_req *r, const json_t *obj, const char *where,
		     const char *const *allowed);

#endif
