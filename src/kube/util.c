/*
 * util.c - small helpers shared by the Kubernetes API server's files (see util.h):
 * JSON lookups, bounded string appends and JSON reply framing.
 */
#include "kube/util.h"

#include <stdlib.h>
#include <string.h>

#include "kube/kube.h"

const char *kube_jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

const json_t *kube_json_path(const json_t *o, const char *path)
{
	char seg[128];
	const json_t *cur = o;
	while (cur && *path) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);
		if (len >= sizeof(seg))
			return NULL;
		memcpy(seg, path, len);
		seg[len] = '\0';
		cur = json_is_object(cur) ? json_object_get(cur, seg) : NULL;
		path = dot ? dot + 1 : path + len;
	}
	return cur;
}

int kube_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void kube_append(char *out, size_t len, size_t *pos, const char *s)
{
	size_t n = strlen(s);
	if (*pos >= len)
		return;
	if (n >= len - *pos)
		n = len - *pos - 1;
	memcpy(out + *pos, s, n);
	*pos += n;
	out[*pos] = '\0';
}

void kube_reply_json_text(struct http_req *r, int code, char *s)
{
	size_t len = strlen(s);
	char *nl = realloc(s, len + 2);
	if (nl) {
		s = nl;
		s[len++] = '\n';
		s[len] = '\0';
	}
	http_reply(r, code, "application/json", s, len);
	free(s);
}

void kube_reply_not_found(struct http_req *r, const struct kube_attrs *a)
{
	kube_reply_status(r, 404, "NotFound", "the server could not find the requested resource",
			  a);
}

void kube_reply_method_not_allowed(struct http_req *r, const struct kube_attrs *a)
{
	kube_reply_status(r, 405, "MethodNotAllowed",
			  "the server does not allow this method on the requested resource", a);
}

/* A version's place in apimachinery's CompareKubeAwareVersionStrings: v<major>
 * [(alpha|beta)<minor>]; stage 2 GA, 1 beta, 0 alpha; -1 for any other string. */
static int version_rank(const char *v, long *major, long *minor)
{
	char *end;
	*major = *minor = 0;
	if (v[0] != 'v' || v[1] < '1' || v[1] > '9')
		return -1;
	*major = strtol(v + 1, &end, 10);
	if (!*end)
		return 2;
	int stage = strncmp(end, "beta", 4) == 0 ? 1 : strncmp(end, "alpha", 5) == 0 ? 0 : -1;
	const char *m = end + (stage == 1 ? 4 : 5);
	if (stage < 0 || *m < '1' || *m > '9')
		return -1;
	*minor = strtol(m, &end, 10);
	return *end ? -1 : stage;
}

int kube_version_cmp(const char *x, const char *y)
{
	long xm, xn, ym, yn;
	int xs = version_rank(x, &xm, &xn), ys = version_rank(y, &ym, &yn);
	if (xs != ys)
		return xs < 0 ? 1 : ys < 0 ? -1 : ys - xs;
	if (xs < 0)
		return strcmp(x, y);
	if (xm != ym)
		return xm < ym ? 1 : -1;
	return xn == yn ? 0 : xn < yn ? 1 : -1;
}
