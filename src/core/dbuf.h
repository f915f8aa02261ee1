/*
 * dbuf.h - a growing, NUL-terminated byte buffer (curl's dynbuf), and sfmt, snprintf
 * that reports truncation.
 *
 * A dbuf's appends never fail loudly: the first one that fails (no memory, or past the
 * buffer's maximum) sets oom, and every later append does nothing, so a caller checks
 * once, at the end. Every buffer declares its maximum: start with
 * `struct dbuf b = DBUF_INIT(max)` (a zeroed struct has the default maximum,
 * DBUF_DEFAULT_MAX). The bytes are b->p (NULL until something was added), b->len long,
 * always NUL-terminated. Free with dbuf_free, or take them with dbuf_take.
 *
 * sfmt is the way to build a key, path, URL or header into a fixed array (OpenBSD's
 * habit): a result that does not fit is an error, never a silently shorter string.
 *     if ((rc = SFMT(path, "/projects/%s", id)) < 0) goto out;
 */
#ifndef GKEID_DBUF_H
#define GKEID_DBUF_H

#include <stddef.h>

#define DBUF_DEFAULT_MAX ((size_t)64 << 20)

struct dbuf {
	char *p;
	size_t len, cap;
	size_t max; /* the most bytes it may hold; 0 means DBUF_DEFAULT_MAX */
	int oom;
};

#define DBUF_INIT(maximum) {.p = NULL, .len = 0, .cap = 0, .max = (maximum), .oom = 0}

void dbuf_add(struct dbuf *b, const void *s, size_t n);
void dbuf_str(struct dbuf *b, const char *s);
/* printf into the buffer. */
void dbuf_printf(struct dbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The string, malloc'd ("" when nothing was added), the buffer left empty; NULL when an
 * append failed (the bytes are freed then). */
char *dbuf_take(struct dbuf *b);
void dbuf_free(struct dbuf *b);

/* A libcurl CURLOPT_WRITEFUNCTION (with CURLOPT_WRITEDATA a struct dbuf *): appends the
 * bytes to the buffer, and fails the transfer (returns 0) once an append fails, so that
 * the buffer's maximum caps a response body. No libcurl needed here: the signature is
 * curl_write_callback's. */
size_t dbuf_curl_write(char *ptr, size_t size, size_t nmemb, void *dbuf);

/* snprintf into buf of size n: 0, or -ENAMETOOLONG when the result did not fit (buf then
 * holds "") and -EINVAL on an encoding error. */
int sfmt(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* sfmt into an array, sized by the compiler. */
#define SFMT(arr, ...) sfmt((arr), sizeof(arr), __VA_ARGS__)

#endif
