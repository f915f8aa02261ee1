/*
 * doctor.c - the doctor's report: capped growable strings for evidence, the list of
 * checks with their status, and its two renderings (text blocks, or JSON
 * {"checks":[{"id","status","title","evidence","fix"}],"failed":N}).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/doctor.h"

void dr_buf_printf(struct dr_buf *b, const char *fmt, ...)
{
	va_list ap;
	if (b->oom)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || b->len + (size_t)n + 1 > DR_BUF_CAP) {
		b->oom = 1;
		return;
	}
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *dr_buf_str(const struct dr_buf *b)
{
	return b->p ? b->p : "";
}

void dr_buf_free(struct dr_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int dr_add(struct dr_report *r, const char *id, enum dr_status st, const char *title,
	   const char *evidence, const char *fix)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct dr_check *nv = realloc(r->v, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		r->v = nv;
		r->cap = cap;
	}
	struct dr_check *c = &r->v[r->n];
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->status = st;
	c->title = strdup(title ? title : "");
	c->evidence = strdup(evidence ? evidence : "");
	c->fix = fix && *fix ? strdup(fix) : NULL;
	if (!c->title || !c->evidence || (fix && *fix && !c->fix)) {
		free(c->title);
		free(c->evidence);
		free(c->fix);
		return -ENOMEM;
	}
	r->n++;
	return 0;
}

void dr_add_buf(struct dr_report *r, const char *id, enum dr_status st, const char *title,
		struct dr_buf *ev, struct dr_buf *fix)
{
	dr_add(r, id, st, title, dr_buf_str(ev), fix ? dr_buf_str(fix) : NULL);
	dr_buf_free(ev);
	if (fix)
		dr_buf_free(fix);
}

void dr_skip_down(const struct dr_ctx *c, const char *id, struct dr_report *r)
{
	struct dr_buf ev = {0};
	dr_buf_printf(&ev, "the Kubernetes API is unreachable: %s", c->kube_err);
	dr_add_buf(r, id, DR_SKIP, "skipped: the control plane does not answer", &ev, NULL);
}

const struct dr_check *dr_find(const struct dr_report *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].id, id) == 0)
			return &r->v[i];
	return NULL;
}

void dr_report_free(struct dr_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].title);
		free(r->v[i].evidence);
		free(r->v[i].fix);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

int dr_failed(const struct dr_report *r)
{
	int n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->v[i].status == DR_FAIL;
	return n;
}

static const char *status_name(enum dr_status s)
{
	return s == DR_PASS ? "pass" : s == DR_FAIL ? "fail" : "skip";
}

/* Prints text with every line after the first indented by ind. */
static void indented(FILE *out, const char *text, const char *ind)
{
	for (const char *p = text; *p; p++) {
		fputc(*p, out);
		if (*p == '\n' && p[1])
			fputs(ind, out);
	}
	fputc('\n', out);
}

void dr_print(const struct dr_report *r, int json, FILE *out)
{
	if (json) {
		json_t *root = json_object(), *arr = json_array();
		if (!root || !arr) {
			json_decref(root);
			json_decref(arr);
			fputs("{\"error\":\"out of memory\"}\n", out);
			return;
		}
		for (size_t i = 0; i < r->n; i++) {
			const struct dr_check *c = &r->v[i];
			json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", c->id, "status",
					      status_name(c->status), "title", c->title, "evidence",
					      c->evidence, "fix",
					      c->fix ? json_string(c->fix) : json_null());
			if (o)
				json_array_append_new(arr, o);
		}
		json_object_set_new(root, "checks", arr);
		json_object_set_new(root, "failed", json_integer(dr_failed(r)));
		char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (s)
			fprintf(out, "%s\n", s);
		free(s);
		json_decref(root);
		return;
	}
	int pass = 0, skip = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct dr_check *c = &r->v[i];
		pass += c->status == DR_PASS;
		skip += c->status == DR_SKIP;
		fprintf(out, "[%s] %s: ",
			c->status == DR_PASS   ? "PASS"
			: c->status == DR_FAIL ? "FAIL"
					       : "SKIP",
			c->id);
		indented(out, c->title, "    ");
		fputs("    evidence: ", out);
		indented(out, c->evidence, "      ");
		if (c->fix) {
			fputs("    fix:\n      ", out);
			indented(out, c->fix, "      ");
		}
		fputc('\n', out);
	}
	fprintf(out, "doctor: %zu checks: %d pass, %d fail, %d skip\n", r->n, pass, dr_failed(r),
		skip);
}

static json_t *jwalk(const json_t *j, va_list ap)
{
	const char *k;
	json_t *cur = (json_t *)j;
	while ((k = va_arg(ap, const char *)) != NULL) {
		if (!json_is_object(cur))
			return NULL;
		cur = json_object_get(cur, k);
	}
	return cur;
}

json_t *dr_jpath(const json_t *j, ...)
{
	va_list ap;
	va_start(ap, j);
	json_t *r = jwalk(j, ap);
	va_end(ap);
	return r;
}

const char *dr_jstr(const json_t *j, ...)
{
	va_list ap;
	va_start(ap, j);
	json_t *r = jwalk(j, ap);
	va_end(ap);
	return json_string_value(r);
}
