/*
 * mdh1.c - the fast path's HTTP/1.1 bytes (mdh1.h): the narrow request-head parser and
 * the token answer's writer. Pure: no I/O, no allocation, every length checked.
 */
#include "node/mdh1.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* name[0..len) equals lit (lower case), ignoring case. */
static int name_is(const char *name, size_t len, const char *lit)
{
	size_t i = 0;
	for (; i < len && lit[i]; i++)
		if (lower((unsigned char)name[i]) != lit[i])
			return 0;
	return i == len && !lit[i];
}

/* RFC 9110's tchar. */
static int tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The bytes of a target the fast path takes (no '%', '?', '#': nothing to decode). */
static int target_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '/' || c == '-' || c == '.' || c == '_' || c == '~' || c == '@';
}

static int value_char(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c < 0x7f);
}

static int more_or_not(size_t len)
{
	return len < MDH1_HEAD_MAX ? MDH1_MORE : MDH1_NOT_FAST;
}

/* The request line at buf[0..len): its length (CRLF included), MDH1_MORE or
 * MDH1_NOT_FAST. */
static int request_line(const char *buf, size_t len, struct mdh1_req *r)
{
	static const char get[] = "GET /", ver[] = " HTTP/1.1\r\n";
	size_t i = 0;
	for (; i < sizeof(get) - 1; i++) {
		if (i == len)
			return MDH1_MORE;
		if (buf[i] != get[i])
			return MDH1_NOT_FAST;
	}
	r->target = buf + 4;
	while (i < len && target_char((unsigned char)buf[i]))
		i++;
	r->target_len = (size_t)(buf + i - r->target);
	for (size_t k = 0; k < sizeof(ver) - 1; k++, i++) {
		if (i == len)
			return more_or_not(len);
		if (buf[i] != ver[k])
			return MDH1_NOT_FAST;
	}
	return (int)i;
}

/* One header's effect on r: 0, or MDH1_NOT_FAST for a header the fast path leaves to
 * evhttp (a body, Expect, a proxy, a Connection other than keep-alive). */
static int header(struct mdh1_req *r, const char *name, size_t nlen, const char *val, size_t vlen)
{
	static const char *const refused[] = {"content-length", "transfer-encoding", "expect",
					      "x-forwarded-for", "forwarded"};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (name_is(name, nlen, refused[i]))
			return MDH1_NOT_FAST;
	if (name_is(name, nlen, "connection") && !name_is(val, vlen, "keep-alive"))
		return MDH1_NOT_FAST;
	if (name_is(name, nlen, "metadata-flavor") && !r->flavor) {
		r->flavor = val;
		r->flavor_len = vlen;
	}
	return 0;
}

int mdh1_parse(const char *buf, size_t len, struct mdh1_req *r)
{
	struct mdh1_req q = {0};
	int rc = request_line(buf, len, &q);
	if (rc <= 0)
		return rc;
	size_t i = (size_t)rc;
	for (;;) {
		if (i >= MDH1_HEAD_MAX)
			return MDH1_NOT_FAST;
		if (i == len)
			return MDH1_MORE;
		if (buf[i] == '\r') { /* the blank line */
			if (i + 1 == len)
				return more_or_not(len);
			if (buf[i + 1] != '\n' || i + 2 > MDH1_HEAD_MAX)
				return MDH1_NOT_FAST;
			*r = q;
			return (int)(i + 2);
		}
		const char *name = buf + i;
		while (i < len && tchar((unsigned char)buf[i]))
			i++;
		if (i == len)
			return more_or_not(len);
		size_t nlen = (size_t)(buf + i - name);
		if (!nlen || buf[i] != ':' || ++q.n_headers > MDH1_HEADERS_MAX)
			return MDH1_NOT_FAST;
		i++;
		while (i < len && buf[i] == ' ') /* evhttp skips spaces only */
			i++;
		const char *val = buf + i;
		while (i < len && value_char((unsigned char)buf[i]))
			i++;
		if (i + 1 >= len)
			return more_or_not(len);
		if (buf[i] != '\r' || buf[i + 1] != '\n')
			return MDH1_NOT_FAST;
		size_t vlen = (size_t)(buf + i - val);
		while (vlen && (val[vlen - 1] == ' ' || val[vlen - 1] == '\t'))
			vlen--; /* evhttp's trailing trim */
		if (header(&q, name, nlen, val, vlen) != 0)
			return MDH1_NOT_FAST;
		i += 2;
	}
}

int mdh1_token_account(const char *target, size_t len, const char **acct, size_t *acct_len)
{
	static const char pre[] = "/computeMetadata/v1/instance/service-accounts/",
			  post[] = "/token";
	size_t pl = sizeof(pre) - 1, sl = sizeof(post) - 1;
	if (len <= pl + sl || memcmp(target, pre, pl) != 0 ||
	    memcmp(target + len - sl, post, sl) != 0)
		return -EINVAL;
	const char *a = target + pl;
	size_t al = len - pl - sl;
	for (size_t i = 0; i < al; i++)
		if (a[i] == '/' || !target_char((unsigned char)a[i]) || a[i] == '~')
			return -EINVAL;
	if ((al == 1 && a[0] == '.') || (al == 2 && a[0] == '.' && a[1] == '.'))
		return -EINVAL;
	*acct = a;
	*acct_len = al;
	return 0;
}

static char *two(char *p, int v)
{
	*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

void mdh1_date(int64_t t, char out[MDH1_DATE_LEN + 1])
{
	static const char days[] = "SunMonTueWedThuFriSat",
			  months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
		memset(&tm, 0, sizeof(tm)); /* beyond RFC 1123's four digits: 1900 */
	char *p = out;
	memcpy(p, days + 3 * tm.tm_wday, 3);
	p += 3;
	*p++ = ',';
	*p++ = ' ';
	p = two(p, tm.tm_mday);
	*p++ = ' ';
	memcpy(p, months + 3 * tm.tm_mon, 3);
	p += 3;
	*p++ = ' ';
	p = two(p, (tm.tm_year + 1900) / 100);
	p = two(p, (tm.tm_year + 1900) % 100);
	*p++ = ' ';
	p = two(p, tm.tm_hour);
	*p++ = ':';
	p = two(p, tm.tm_min);
	*p++ = ':';
	p = two(p, tm.tm_sec);
	memcpy(p, " GMT", 5);
}

/* Appends len bytes of s at *off in out[0..cap). 0, or -ENAMETOOLONG. */
static int put(char *out, size_t cap, size_t *off, const char *s, size_t len)
{
	if (len > cap - *off)
		return -ENAMETOOLONG;
	memcpy(out + *off, s, len);
	*off += len;
	return 0;
}

/* v in decimal into d (at least 21 bytes); its length. */
static size_t decimal(int64_t v, char *d)
{
	char tmp[24];
	size_t n = 0, k = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		d[k++] = '-';
	while (n)
		d[k++] = tmp[--n];
	return k;
}

#define LIT(s) s, sizeof(s) - 1

int mdh1_token_reply(char *out, size_t cap, const char *date, const char *token, size_t token_len,
		     int64_t expires_in)
{
	static const char b1[] = "{\"access_token\":\"",
			  b2[] = "\",\"expires_in\":", b3[] = ",\"token_type\":\"Bearer\"}";
	char exp[24], clen[24];
	size_t el = decimal(expires_in, exp), off = 0;
	size_t body = sizeof(b1) - 1 + token_len + sizeof(b2) - 1 + el + sizeof(b3) - 1;
	size_t cl = decimal((int64_t)body, clen);
	int rc = put(out, cap, &off,
		     LIT("HTTP/1.1 200 OK\r\nMetadata-Flavor: Google\r\nServer: GKE Metadata "
			 "Server\r\nContent-Type: application/json\r\nDate: "));
	if (!rc)
		rc = put(out, cap, &off, date, strlen(date));
	if (!rc)
		rc = put(out, cap, &off, LIT("\r\nContent-Length: "));
	if (!rc)
		rc = put(out, cap, &off, clen, cl);
	if (!rc)
		rc = put(out, cap, &off, LIT("\r\n\r\n"));
	if (!rc)
		rc = put(out, cap, &off, LIT(b1));
	if (!rc)
		rc = put(out, cap, &off, token, token_len);
	if (!rc)
		rc = put(out, cap, &off, LIT(b2));
	if (!rc)
		rc = put(out, cap, &off, exp, el);
	if (!rc)
		rc = put(out, cap, &off, LIT(b3));
	if (!rc && off > (size_t)INT32_MAX)
		rc = -ENAMETOOLONG;
	return rc ? rc : (int)off;
}
