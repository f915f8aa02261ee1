/*
 * rbac_rule.c - RBAC rule matching, pure (no store, no index): PolicyRules compiled into
 * arrays of borrowed strings and matched against a request as upstream's RuleAllows
 * (pkg/apis/rbac/v1/evaluation_helpers.go: VerbMatches, APIGroupMatches,
 * ResourceMatches, ResourceNameMatches, NonResourceURLMatches), and the text helpers the
 * messages share.
 */
#include "kube/rbac.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/cloud.h"
#include "core/dbuf.h"
#include "core/embed.h"
#include "core/hmap.h"
#include "core/store.h"
#include "kube/rbac_impl.h"
#include "kube/util.h"

/* ---- small helpers ---- */

void rbac_appendf(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	if (*pos >= len)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*pos += (size_t)n;
	if (*pos >= len)
		*pos = len - 1;
}

/* Go's %q of a string, for the ASCII names RBAC deals in. */
void rbac_appendq(char *buf, size_t len, size_t *pos, const char *s)
{
	rbac_appendf(buf, len, pos, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			rbac_appendf(buf, len, pos, "\\%c", c);
		else if (c == '\n')
			rbac_appendf(buf, len, pos, "\\n");
		else if (c < 0x20 || c == 0x7f)
			rbac_appendf(buf, len, pos, "\\x%02x", c);
		else
			rbac_appendf(buf, len, pos, "%c", c);
	}
	rbac_appendf(buf, len, pos, "\"");
}

/* ---- compiled rules ---- */

static int compile_list(const json_t *rule, const char *field, const char ***out, uint16_t *n)
{
	json_t *arr = json_object_get(rule, field);
	size_t i, m = json_array_size(arr), k = 0;
	*out = NULL;
	*n = 0;
	if (m == 0)
		return 0;
	if (m > 4096)
		m = 4096;
	*out = calloc(m, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (i = 0; i < m; i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		if (s)
			(*out)[k++] = s;
	}
	*n = (uint16_t)k;
	return 0;
}

static void crule_clear(struct crule *r)
{
	free(r->verbs);
	free(r->groups);
	free(r->resources);
	free(r->names);
	free(r->urls);
	memset(r, 0, sizeof(*r));
}

static int crule_compile(const json_t *rule, struct crule *r)
{
	memset(r, 0, sizeof(*r));
	r->json = rule;
	if (compile_list(rule, "verbs", &r->verbs, &r->n_verbs) ||
	    compile_list(rule, "apiGroups", &r->groups, &r->n_groups) ||
	    compile_list(rule, "resources", &r->resources, &r->n_resources) ||
	    compile_list(rule, "resourceNames", &r->names, &r->n_names) ||
	    compile_list(rule, "nonResourceURLs", &r->urls, &r->n_urls)) {
		crule_clear(r);
		return -ENOMEM;
	}
	return 0;
}

void rbac_crules_free(struct crule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++)
		crule_clear(&rules[i]);
	free(rules);
}

/* Compiles a JSON array of PolicyRules. */
int rbac_crules_compile(const json_t *arr, struct crule **out, size_t *n)
{
	size_t m = json_array_size(arr), i;
	*out = NULL;
	*n = 0;
	if (m == 0)
		return 0;
	struct crule *r = calloc(m, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (i = 0; i < m; i++) {
		if (crule_compile(json_array_get(arr, i), &r[i]) != 0) {
			rbac_crules_free(r, i);
			return -ENOMEM;
		}
	}
	*out = r;
	*n = m;
	return 0;
}

int rbac_has(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

/* evaluation_helpers.go */
static int verb_matches(const struct crule *r, const char *verb)
{
	for (size_t i = 0; i < r->n_verbs; i++)
		if (strcmp(r->verbs[i], "*") == 0 || strcmp(r->verbs[i], verb) == 0)
			return 1;
	return 0;
}

static int group_matches(const struct crule *r, const char *group)
{
	for (size_t i = 0; i < r->n_groups; i++)
		if (strcmp(r->groups[i], "*") == 0 || strcmp(r->groups[i], group) == 0)
			return 1;
	return 0;
}

static int resource_matches(const struct crule *r, const char *combined, const char *sub)
{
	size_t sublen = strlen(sub);
	for (size_t i = 0; i < r->n_resources; i++) {
		const char *rr = r->resources[i];
		if (strcmp(rr, "*") == 0 || strcmp(rr, combined) == 0)
			return 1;
		if (sublen == 0)
			continue;
		/* "*\/sub" matches any resource's sub */
		if (strlen(rr) == sublen + 2 && rr[0] == '*' && rr[1] == '/' &&
		    strcmp(rr + 2, sub) == 0)
			return 1;
	}
	return 0;
}

static int name_matches(const struct crule *r, const char *name)
{
	if (r->n_names == 0)
		return 1;
	for (size_t i = 0; i < r->n_names; i++)
		if (strcmp(r->names[i], name) == 0)
			return 1;
	return 0;
}

static int url_matches(const struct crule *r, const char *path)
{
	for (size_t i = 0; i < r->n_urls; i++) {
		const char *u = r->urls[i];
		size_t ul = strlen(u);
		if (strcmp(u, "*") == 0 || strcmp(u, path) == 0)
			return 1;
		if (ul > 0 && u[ul - 1] == '*') {
			/* strings.TrimRight(rule, "*") */
			while (ul > 0 && u[ul - 1] == '*')
				ul--;
			if (strncmp(path, u, ul) == 0)
				return 1;
		}
	}
	return 0;
}

void rbac_req_init(struct req *q, const struct kube_attrs *a)
{
	size_t rl = strnlen(a->resource, sizeof(a->resource));
	size_t sl = strnlen(a->subresource, sizeof(a->subresource));
	q->a = a;
	if (rl + 1 + sl >= sizeof(q->combined))
		rl = sl = 0;
	memcpy(q->combined, a->resource, rl);
	if (sl) {
		q->combined[rl] = '/';
		memcpy(q->combined + rl + 1, a->subresource, sl);
		rl += 1 + sl;
	}
	q->combined[rl] = '\0';
}

int rbac_crule_allows(const struct crule *r, const struct req *q)
{
	const struct kube_attrs *a = q->a;
	if (a->resource_request)
		return verb_matches(r, a->verb) && group_matches(r, a->group) &&
		       resource_matches(r, q->combined, a->subresource) && name_matches(r, a->name);
	return verb_matches(r, a->verb) && url_matches(r, a->path);
}

int rbac_rule_allows(const json_t *rule, const struct kube_attrs *a)
{
	struct crule r;
	struct req q;
	if (!json_is_object(rule) || crule_compile(rule, &r) != 0)
		return 0;
	rbac_req_init(&q, a);
	int ok = rbac_crule_allows(&r, &q);
	crule_clear(&r);
	return ok;
}

int rbac_cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}
