/*
 * member.c - the IAM member strings setIamPolicy accepts ("user:a@b", "allUsers",
 * "principal://...", "deleted:...?uid=N"): iam_member_valid (contract in iam.h).
 */
#include "iam/iam_priv.h"

/* ---- members ------------------------------------------------------------------------ */

static int dns_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

/* A domain of at least two dot-separated labels of [A-Za-z0-9-], [s, s+n). */
static int domain_ok(const char *s, size_t n)
{
	size_t label = 0, labels = 0;

	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return 0;
			labels++;
			label = 0;
		} else if (dns_char(s[i]) && label < 63) {
			label++;
		} else {
			return 0;
		}
	}
	return label > 0 && labels >= 1;
}

/* local@domain: a printable local part without separators, and a domain. */
static int email_ok(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);

	if (!at || at == s)
		return 0;
	for (const char *c = s; c < at; c++)
		if (*c <= 0x20 || *c >= 0x7f || strchr("@()<>,;:\\\"[]", *c))
			return 0;
	return domain_ok(at + 1, n - (size_t)(at + 1 - s));
}

/* A Kubernetes workload's service-account member: PROJECT.svc.id.goog[NS/KSA]. */
static int wi_member_ok(const char *s, size_t n)
{
	const char *open = memchr(s, '[', n), *slash;
	static const char pool[] = ".svc.id.goog";

	if (!open || open - s <= (ptrdiff_t)sizeof(pool) - 1 || s[n - 1] != ']')
		return 0;
	if (memcmp(open - (sizeof(pool) - 1), pool, sizeof(pool) - 1) != 0)
		return 0;
	for (const char *c = s; c < open - (sizeof(pool) - 1); c++)
		if (!dns_char(*c) && *c != ':' && *c != '.')
			return 0;
	slash = memchr(open, '/', (size_t)(s + n - open));
	if (!slash || slash == open + 1 || slash + 1 >= s + n - 1)
		return 0;
	for (const char *c = open + 1; c < s + n - 1; c++)
		if (c != slash && !dns_char(*c) && *c != '.')
			return 0;
	return 1;
}

/* "principal://host/path..." or "principalSet://host/path...". */
static int principal_uri_ok(const char *rest)
{
	const char *slash = strchr(rest, '/');

	return slash && slash != rest && slash[1] != '\0';
}

int iam_member_valid(const char *m)
{
	const char *rest, *q;
	size_t n;

	if (!token_ok(m, MAX_NAME))
		return 0;
	if (strcmp(m, "allUsers") == 0 || strcmp(m, "allAuthenticatedUsers") == 0)
		return 1;
	if (has_prefix(m, "user:") || has_prefix(m, "group:")) {
		rest = strchr(m, ':') + 1;
		return email_ok(rest, strlen(rest));
	}
	if (has_prefix(m, "serviceAccount:")) {
		rest = m + 15;
		n = strlen(rest);
		return email_ok(rest, n) || wi_member_ok(rest, n);
	}
	if (has_prefix(m, "domain:"))
		return domain_ok(m + 7, strlen(m + 7));
	if (has_prefix(m, "principal://"))
		return principal_uri_ok(m + 12);
	if (has_prefix(m, "principalSet://"))
		return principal_uri_ok(m + 15);
	if (has_prefix(m, "deleted:")) {
		/* deleted:{user|serviceAccount|group}:EMAIL?uid=DIGITS */
		rest = m + 8;
		if (has_prefix(rest, "user:") || has_prefix(rest, "group:") ||
		    has_prefix(rest, "serviceAccount:"))
			rest = strchr(rest, ':') + 1;
		else
			return 0;
		q = strstr(rest, "?uid=");
		if (!q || !email_ok(rest, (size_t)(q - rest)) || !q[5])
			return 0;
		for (q += 5; *q; q++)
			if (*q < '0' || *q > '9')
				return 0;
		return 1;
	}
	return 0;
}
