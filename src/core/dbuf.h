/*
 * dbuf.h - a growing, NUL-terminated byte buffer (curl's dynbuf): appends never fail
 * loudly; the first allocation that fails sets oom, and every later append does
 * nothing, so a caller checks once, at the end.
 *
 * Start with a zeroed struct dbuf. The bytes are b->p (NULL until something was added),
 * b->len long, always NUL-terminated. Free with dbuf_free, or take them with dbuf_take.
 */
#ifndef GKEID_DBUF_H
#define GKEID_DBUF_H

#include <stddef.h>

struct dbuf {
	char *p;
	size_t len, cap;
	int oom;
};

void dbuf_add(struct dbuf *b, const void *s, size_t n);
void dbuf_str(struct dbuf *b, const char *s);
/* The string, malloc'd ("" when nothing was added), the buffer left empty; NULL when an
 * append failed (the bytes are freed then). */
char *dbuf_take(struct dbuf *b);
void dbuf_free(struct dbuf *b);

#endif
