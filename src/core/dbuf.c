/*
 * dbuf.c - the growing byte buffer of dbuf.h: capacity doubles from 256 bytes, and a
 * size past the buffer's maximum counts as a failed allocation; libcurl's write callback
 * into one; and sfmt.
 */
#include "core/dbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_CAP 256

void dbuf_add(struct dbuf *b, const void *s, size_t n)
{
	if (b->oom)
		return;
	size_t max = b->max ? b->max : DBUF_DEFAULT_MAX;
	if (max > SIZE_MAX / 2)
		max = SIZE_MAX / 2;
	if (b->len > max || n > max - b->len) {
		b->oom = 1;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : MIN_CAP;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void dbuf_str(struct dbuf *b, const char *s)
{
	dbuf_add(b, s, strlen(s));
}

void dbuf_printf(struct dbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	if (b->oom)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		dbuf_add(b, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		b->oom = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	dbuf_add(b, big, (size_t)n);
	free(big);
}

size_t dbuf_curl_write(char *ptr, size_t size, size_t nmemb, void *dbuf)
{
	struct dbuf *b = dbuf;
	if (nmemb && size > SIZE_MAX / nmemb) {
		b->oom = 1;
		return 0;
	}
	dbuf_add(b, ptr, size * nmemb);
	return b->oom ? 0 : size * nmemb;
}

int sfmt(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	if (!n)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	int r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	if (r < 0) {
		buf[0] = '\0';
		return -EINVAL;
	}
	if ((size_t)r >= n) {
		buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}

char *dbuf_take(struct dbuf *b)
{
	char *s = b->oom ? NULL : b->p ? b->p : strdup("");
	if (b->oom)
		free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = 0; /* the maximum stays: the buffer can be filled again */
	return s;
}

void dbuf_free(struct dbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}
