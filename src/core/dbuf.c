/*
 * dbuf.c - the growing byte buffer of dbuf.h: capacity doubles from 256 bytes, and a
 * size that would overflow counts as a failed allocation.
 */
#include "core/dbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MIN_CAP 256

void dbuf_add(struct dbuf *b, const void *s, size_t n)
{
	if (b->oom)
		return;
	if (n > SIZE_MAX / 2 - b->len - 1) {
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

char *dbuf_take(struct dbuf *b)
{
	char *s = b->oom ? NULL : b->p ? b->p : strdup("");
	if (b->oom)
		free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
	return s;
}

void dbuf_free(struct dbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}
