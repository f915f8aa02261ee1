/*
 * gerrors.c - Google-shaped request validation errors (see gerrors.h): BadRequest
 * replies for bad fields, wrong value types and unknown names, and the UTF-8-safe
 * clipping of the client text they echo.
 */
#include "cloud/gerrors.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gerr_clip(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void gerr_echo(char *dst, size_t cap, const char *src)
{
	json_t *probe = src ? json_string(src) : NULL; /* jansson validates UTF-8 */
	gerr_clip(dst, cap, probe ? src : "?");
	json_decref(probe);
}

void gerr_bad_request(struct http_req *r, const char *field, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_t *fv = field ? json_pack("{s:s, s:s}", "field", field, "description", msg)
			   : json_pack("{s:s}", "description", msg);
	json_t *j = json_pack("{s:{s:i, s:s, s:s, s:[{s:s, s:[o]}]}}", "error", "code", 400,
			      "message", msg, "status", "INVALID_ARGUMENT", "details", "@type",
			      "type.googleapis.com/google.rpc.BadRequest", "fieldViolations", fv);
	http_reply_json(r, 400, j);
}

void gerr_bad_value(struct http_req *r, const char *field, const char *type, const json_t *v)
{
	char shown[GERR_ECHO_MAX];
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	gerr_clip(shown, sizeof(shown), s ? s : "?");
	free(s);
	gerr_bad_request(r, field, "Invalid value at '%s' (%s), %s", field, type, shown);
}

void gerr_bad_param(struct http_req *r, const char *field, const char *type, const char *text,
		    size_t cap)
{
	char shown[GERR_ECHO_MAX];
	gerr_echo(shown, cap < sizeof(shown) ? cap : sizeof(shown), text);
	gerr_bad_request(r, field, "Invalid value at '%s' (%s), \"%s\"", field, type, shown);
}

const char *gerr_unknown_name(const json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v) {
		size_t i;
		for (i = 0; allowed[i]; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (!allowed[i])
			return key;
	}
	return NULL;
}

int gerr_check_names(struct http_req *r, const json_t *obj, const char *where,
		     const char *const *allowed)
{
	const char *key = gerr_unknown_name(obj, allowed);
	if (!key)
		return 0;
	char name[GERR_ECHO_MAX];
	gerr_clip(name, sizeof(name), key);
	gerr_bad_request(r, NULL,
			 "Invalid JSON payload received. Unknown name \"%s\"%s: Cannot find field.",
			 name, where);
	return -EINVAL;
}
