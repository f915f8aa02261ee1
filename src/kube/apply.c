/*
 * apply.c - server-side apply, its entry points: the typed conversion of an applied
 * object (TypeConverter.ObjectToTyped), Apply as the structured merge manager runs it
 * (conflicts, pruning, kubectl's last-applied allowance), the request checks of
 * k8s.io/apimachinery's validation, and the request side registry.c calls (see apply.h).
 *
 * The parts it builds on, split by job (their shared internals in apply_impl.h): the
 * merge types and path elements (apply_types.c), field sets (apply_set.c), Merge,
 * Compare and RemoveItems (apply_merge.c), managedFields and the updater
 * (apply_managers.c), all after sigs.k8s.io/structured-merge-diff v4 and
 * k8s.io/apimachinery/pkg/util/managedfields (v0.30).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/dbuf.h"
#include "core/http.h"
#include "core/yaml.h"
#include "kube/apply.h"
#include "kube/apply_impl.h"
#include "kube/crdserve.h"
#include "kube/kube.h"
#include "kube/util.h"

#define MANAGER_MAX_LEN 128 /* validation.FieldManagerMaxLength */
#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"

/* --- the typed conversion of an applied object (TypeConverter.ObjectToTyped) --- */

struct vwalk {
	struct dbuf *errs;
	char path[2048];
};

/* ValidationError.Error(): "<path>: <message>", one a line. */
static void verr(struct vwalk *w, const char *msg)
{
	if (w->errs->len)
		dbuf_str(w->errs, "\n");
	dbuf_printf(w->errs, "%s: %s", w->path, msg);
}

static int typed_check(const json_t *v, const struct ty *t, struct vwalk *w, int depth);

/* Descends into child (path element text pe, as fieldpath prints it). */
static int typed_child(const json_t *v, const struct ty *ct, const char *pe, struct vwalk *w,
		       int depth)
{
	size_t n = strlen(w->path);
	if (sfmt(w->path + n, sizeof(w->path) - n, "%s", pe))
		return -ELOOP;
	int rc = typed_check(v, ct, w, depth + 1);
	w->path[n] = '\0';
	return rc;
}

static int typed_list(const json_t *v, const struct ty *t, struct vwalk *w, int depth)
{
	struct ty et;
	char err[256];
	size_t i;
	json_t *x;
	int rc = 0;
	json_t *seen = json_object();
	if (!seen)
		return -ENOMEM;
	ap_resolve(t->elem, &et);
	json_array_foreach(v, i, x)
	{
		char *pe = ap_item_pe(t, x, &rc, err, sizeof(err));
		if (!pe) {
			if (rc == -EINVAL) {
				char msg[300];
				snprintf(msg, sizeof(msg), "element %zu: %s", i, err);
				verr(w, msg);
				rc = 0;
				continue;
			}
			break;
		}
		struct dbuf b = DBUF_INIT(4096);
		ap_pe_string(&b, pe);
		if (json_object_get(seen, pe)) {
			char msg[600];
			snprintf(msg, sizeof(msg), "duplicate entries for key %s", b.p ? b.p : "");
			verr(w, msg);
		} else if (!json_object_set(seen, pe, json_true()))
			rc = typed_child(x, &et, b.p ? b.p : "", w, depth);
		dbuf_free(&b);
		free(pe);
		if (rc)
			break;
	}
	json_decref(seen);
	return rc;
}

static int typed_check(const json_t *v, const struct ty *t, struct vwalk *w, int depth)
{
	if (depth > MAX_DEPTH)
		return -ELOOP;
	if (ap_is_leaf(t, v))
		return 0;
	if (t->k == 'l')
		return typed_list(v, t, w, depth);
	const char *k;
	json_t *x;
	json_object_foreach((json_t *)v, k, x)
	{
		struct ty ct;
		char pe[600];
		if (t->k == 's' && t->fields && !json_object_get(t->fields, k) &&
		    !json_object_get(t->fields, "$open")) {
			size_t n = strlen(w->path);
			if (sfmt(w->path + n, sizeof(w->path) - n, ".%s", k) == 0)
				verr(w, "field not declared in schema");
			w->path[n] = '\0';
			continue;
		}
		ap_child_type(t, k, &ct);
		if (sfmt(pe, sizeof(pe), ".%s", k))
			return -ELOOP;
		int rc = typed_child(x, &ct, pe, w, depth);
		if (rc)
			return rc;
	}
	return 0;
}

/* The 500 that upstream's structured merge manager answers for an applied object its
 * type cannot hold ("failed to create typed patch object (ns/name; apps/v1,
 * Kind=Deployment): .spec.foo: field not declared in schema"). NULL when it fits. */
static json_t *typed_status(const json_t *config, const struct apply_request *req, int *rc)
{
	struct ty t;
	struct dbuf errs = DBUF_INIT(1 << 16);
	struct vwalk w = {.errs = &errs, .path = ""};
	json_t *st = NULL;
	ap_root_type(req->type, &t);
	*rc = typed_check(config, &t, &w, 0);
	if (!*rc && errs.len && !errs.oom) {
		const json_t *meta = json_object_get(config, "metadata");
		const char *av = req->api_version, *slash = strchr(av, '/');
		const char *ns = json_string_value(json_object_get(meta, "namespace"));
		const char *name = json_string_value(json_object_get(meta, "name"));
		struct dbuf msg = DBUF_INIT(1 << 17);
		dbuf_printf(&msg,
			    "failed to create typed patch object (%s/%s; %.*s/%s, Kind=%s): %s",
			    ns ? ns : "", name ? name : "", slash ? (int)(slash - av) : 0, av,
			    slash ? slash + 1 : av, req->kind, errs.p);
		st = msg.oom ? NULL
			     : json_pack("{s:s, s:s, s:{}, s:s, s:s, s:i}", "kind", "Status",
					 "apiVersion", "v1", "metadata", "status", "Failure",
					 "message", msg.p, "code", 500);
		dbuf_free(&msg);
		if (!st)
			*rc = -ENOMEM;
	}
	if (errs.oom)
		*rc = -ENOMEM;
	dbuf_free(&errs);
	return st;
}

/* --- Apply --- */

static json_t *status_of(int code, const char *reason, const char *message)
{
	return json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:i}", "kind", "Status", "apiVersion",
			 "v1", "metadata", "status", "Failure", "message", message, "reason",
			 reason, "code", code);
}

/* ToFieldSet with named fields made members (EnsureNamedFieldsAreMembers). */
static json_t *named_set(const json_t *v, const struct ty *t, int *rc)
{
	json_t *s = NULL, *e = NULL;
	if (!*rc)
		*rc = ap_explicit_set(v, t, &s);
	if (!*rc)
		e = ap_ensure_named(s, t, 0, rc);
	json_decref(s);
	return e;
}

static json_t *removed(const json_t *v, const json_t *set, const struct ty *t, int nulls, int *rc)
{
	json_t *out = *rc ? NULL : ap_remove_items(v, set ? set : json_null(), t, 0, nulls, rc);
	if (!*rc && !out && !(out = json_object()))
		*rc = -ENOMEM;
	return out;
}

/* Updater.prune: fields the manager applied last time and no longer applies leave the
 * object, unless another manager (or this one, again) owns them. */
static json_t *prune(const json_t *merged, const struct mgrs *m, const json_t *last,
		     const struct ty *t, int *rc)
{
	json_t *lastE = NULL, *pruned = NULL, *ms = NULL, *ps = NULL, *managed = NULL, *all = NULL,
	       *keep = NULL, *x = NULL, *pruned2 = NULL, *ps2 = NULL, *gone = NULL, *y = NULL,
	       *out = NULL;
	if (!json_object_size(last))
		return json_deep_copy(merged);
	lastE = ap_ensure_named(last, t, 0, rc);
	pruned = removed(merged, lastE, t, 1, rc);
	ms = named_set(merged, t, rc);
	ps = named_set(pruned, t, rc);
	all = json_object();
	for (size_t i = 0; !*rc && all && i < m->n; i++)
		*rc = ap_set_union_into(all, m->v[i].set, 0);
	managed = *rc || !all ? NULL : ap_ensure_named(all, t, 0, rc);
	keep = json_object();
	if (!*rc &&
	    (!keep || ap_set_union_into(keep, ps, 0) || ap_set_union_into(keep, managed, 0)))
		*rc = -ENOMEM;
	x = *rc ? NULL : ap_set_diff(ms, keep, rc);
	pruned2 = removed(merged, x, t, 1, rc);
	ps2 = named_set(pruned2, t, rc);
	gone = *rc ? NULL : ap_set_diff(ms, ps2, rc);
	y = *rc || !gone ? NULL : ap_set_inter(gone, lastE, rc);
	out = removed(merged, y, t, 0, rc);
	json_decref(lastE);
	json_decref(pruned);
	json_decref(ms);
	json_decref(ps);
	json_decref(managed);
	json_decref(all);
	json_decref(keep);
	json_decref(x);
	json_decref(pruned2);
	json_decref(ps2);
	json_decref(gone);
	json_decref(y);
	if (*rc) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* printManager: "name", with its subresource, and "using V" for an Update. */
static int print_manager(struct dbuf *b, const char *id)
{
	json_t *e = json_loads(id, 0, NULL);
	const char *mg = json_string_value(json_object_get(e, "manager"));
	const char *op = json_string_value(json_object_get(e, "operation"));
	const char *sub = json_string_value(json_object_get(e, "subresource"));
	const char *av = json_string_value(json_object_get(e, "apiVersion"));
	json_t *name = json_string(mg ? mg : "");
	ap_to_string(b, name);
	if (sub && *sub)
		dbuf_printf(b, " with subresource \"%s\"", sub);
	if (op && strcmp(op, "Update") == 0)
		dbuf_printf(b, " using %s", av ? av : "");
	json_decref(name);
	json_decref(e);
	return b->oom ? -ENOMEM : 0;
}

struct conflict_walk {
	struct dbuf *msg;
	json_t *causes;
	const char *who; /* printManager of the manager */
	int single;
	size_t n;
};

static int count_path(const char *path, void *arg)
{
	(void)path;
	((struct conflict_walk *)arg)->n++;
	return 0;
}

static int conflict_path(const char *path, void *arg)
{
	struct conflict_walk *w = arg;
	char cm[600];
	if (sfmt(cm, sizeof(cm), "conflict with %s", w->who) < 0)
		return -ENOMEM;
	if (json_array_append_new(w->causes,
				  json_pack("{s:s, s:s, s:s}", "reason", "FieldManagerConflict",
					    "message", cm, "field", path)))
		return -ENOMEM;
	if (w->single)
		dbuf_printf(w->msg, "conflict with %s: %s", w->who, path);
	else
		dbuf_printf(w->msg, "\n- %s", path);
	return w->msg->oom ? -ENOMEM : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The 409 of NewConflictError (managedfields/internal/conflict.go). */
static json_t *conflict_status(const json_t *found)
{
	struct dbuf msg = DBUF_INIT(1 << 20), who = DBUF_INIT(4096);
	struct conflict_walk w = {.msg = &msg, .causes = json_array()};
	size_t n = json_object_size(found), i = 0;
	const char **ids = calloc(n ? n : 1, sizeof(*ids));
	const char *k;
	json_t *v, *st = NULL;
	int rc = ids && w.causes ? 0 : -ENOMEM;
	json_object_foreach((json_t *)found, k, v)
	{
		if (ids)
			ids[i++] = k;
		if (!rc)
			rc = ap_paths_of(v, count_path, &w);
	}
	if (ids)
		qsort(ids, n, sizeof(*ids), cmp_str);
	w.single = w.n == 1;
	if (w.single)
		dbuf_str(&msg, "Apply failed with 1 conflict: ");
	else
		dbuf_printf(&msg, "Apply failed with %zu conflicts: ", w.n);
	for (i = 0; !rc && i < n; i++) {
		dbuf_free(&who);
		who = (struct dbuf)DBUF_INIT(4096);
		rc = print_manager(&who, ids[i]);
		w.who = who.p ? who.p : "";
		if (!w.single)
			dbuf_printf(&msg, "%sconflicts with %s:", i ? "\n" : "", w.who);
		if (!rc)
			rc = ap_paths_of(json_object_get(found, ids[i]), conflict_path, &w);
	}
	if (!rc && !msg.oom)
		st = status_of(409, "Conflict", msg.p ? msg.p : "");
	if (st)
		json_object_set_new(st, "details", json_pack("{s:O}", "causes", w.causes));
	if (st && json_object_get(st, "code")) { /* code last, as metav1.Status orders it */
		json_t *code = json_incref(json_object_get(st, "code"));
		json_object_del(st, "code");
		json_object_set_new(st, "code", code);
	}
	json_decref(w.causes);
	free(ids);
	dbuf_free(&msg);
	dbuf_free(&who);
	return st;
}

/* VersionCheckManager and the structured merge manager's checks of the applied
 * object. NULL when fine, else the 400 Status. */
static json_t *check_applied(const json_t *config, const struct apply_request *req)
{
	char msg[600];
	const char *av = json_string_value(json_object_get(config, "apiVersion"));
	const char *kind = json_string_value(json_object_get(config, "kind"));
	const char *slash = av ? strchr(av, '/') : NULL;
	av = av ? av : "";
	if (!kind || strcmp(kind, req->kind) || strcmp(av, req->api_version)) {
		/* schema.GroupVersionKind's String(): "group/version, Kind=kind" */
		if (sfmt(msg, sizeof(msg), "invalid object type: %.*s/%s, Kind=%s",
			 slash ? (int)(slash - av) : 0, av, slash ? slash + 1 : av,
			 kind ? kind : "") < 0)
			return NULL;
		return status_of(400, "BadRequest", msg);
	}
	json_t *mf = json_object_get(json_object_get(config, "metadata"), "managedFields");
	if (mf && !json_is_null(mf))
		return status_of(400, "BadRequest", "metadata.managedFields must be nil");
	return NULL;
}

/* The live object's managedFields into m: 0, or -EINVAL with *status upstream's 500
 * (m then freed), or -ENOMEM. */
static int live_managers(const json_t *live, struct mgrs *m, json_t **status)
{
	char err[512];
	int rc = ap_mgrs_decode(json_object_get(json_object_get(live, "metadata"), "managedFields"), m,
				err, sizeof(err));
	if (rc == -EINVAL) {
		char msg[600];
		snprintf(msg, sizeof(msg), "failed to decode managed fields: %s", err);
		*status = status_of(500, "InternalError", msg);
		ap_mgrs_free(m);
	}
	return rc;
}

/* The applied object (*out): the live one when nothing changed, else the pruned merge with
 * the acting manager's time now; then managedFields encoded from m. 0 or -ENOMEM. */
static int applied_result(const json_t *live, json_t *lv, json_t *pruned, struct mgrs *m,
			  const char *act, const struct apply_request *req, json_t **out)
{
	char now[CLOCK_RFC3339_LEN];
	int rc = 0, same = json_equal(lv, pruned);
	*out = same ? json_deep_copy(live ? live : lv) : json_incref(pruned);
	clock_rfc3339(req->now, now);
	struct mgr *g = ap_mgrs_find(m, act);
	char *nt = g && !same ? strdup(now) : NULL;
	if (g && !same && !nt)
		rc = -ENOMEM;
	else if (nt) {
		free(g->time);
		g->time = nt;
	}
	if (!rc)
		rc = *out ? ap_strip_acting(m, act) : -ENOMEM;
	if (!rc && !json_object_get(*out, "metadata"))
		json_object_set_new(*out, "metadata", json_object());
	if (!rc)
		rc = ap_mgrs_encode(m, *out);
	return rc;
}

/* One run of the structured merge manager: on conflicts -EBUSY with *conflicts (the
 * conflicting fields by manager identifier, explicit sets). */
static int apply_once(const json_t *live, const json_t *config, int force,
		      const struct apply_request *req, json_t **out, json_t **status,
		      json_t **conflicts)
{
	struct mgrs m;
	struct ty t;
	char err[512], *prev_time = NULL;
	json_t *lv = NULL, *merged = NULL, *last = NULL, *set = NULL, *pruned = NULL, *found = NULL,
	       *entry = NULL;
	char *id = NULL;
	int rc;

	*out = *status = NULL;
	ap_root_type(req->type, &t);
	if (!json_is_object(config)) {
		*status = status_of(400, "BadRequest", "error decoding YAML: not an object");
		return *status ? -EINVAL : -ENOMEM;
	}
	if ((*status = check_applied(config, req)))
		return -EINVAL;
	if ((*status = typed_status(config, req, &rc)))
		return -EINVAL;
	if (rc)
		return rc;
	if ((rc = live_managers(live, &m, status)) == -EINVAL)
		return -EINVAL;
	lv = !rc && live ? ap_without_managed(live) : json_object();
	if (!rc && !lv)
		rc = -ENOMEM;
	if (!rc)
		rc = apply_merge(lv, config, req->type, &merged, err, sizeof(err));
	if (rc == -EINVAL) {
		char msg[700];
		snprintf(msg, sizeof(msg), "failed to create typed patch object: %s", err);
		*status = status_of(500, "InternalError", msg);
	}
	if (!rc)
		rc = ap_acting_id(req, "Apply", &id, &entry);
	char *act = rc ? NULL : strdup(id);
	if (!rc && !act)
		rc = -ENOMEM;
	struct mgr *g = rc ? NULL : ap_mgrs_find(&m, id);
	if (g) {
		last = json_incref(g->set);
		if (!(prev_time = strdup(g->time)))
			rc = -ENOMEM;
	}
	if (!rc)
		rc = ap_explicit_set(config, &t, &set);
	if (!rc)
		rc = ap_filter_reset(&set, req);
	if (!rc) {
		rc = ap_mgrs_put(&m, id, entry, set, 1, prev_time ? prev_time : "");
		id = NULL;
		entry = NULL;
		set = NULL;
	}
	if (!rc)
		pruned = prune(merged, &m, last, &t, &rc);
	if (!rc)
		rc = ap_update(lv, pruned, &m, act, req, force, &found, NULL);
	if (rc == -EBUSY) {
		*conflicts = found;
		found = NULL;
	}
	if (!rc)
		rc = applied_result(live, lv, pruned, &m, act, req, out);
	if (rc && rc != -EBUSY && rc != -EINVAL) {
		json_decref(*out);
		*out = NULL;
	}
	free(act);
	free(prev_time);
	free(id);
	json_decref(entry);
	json_decref(set);
	json_decref(lv);
	json_decref(merged);
	json_decref(last);
	json_decref(pruned);
	json_decref(found);
	ap_mgrs_free(&m);
	return rc;
}

/* lastAppliedManager's allowance for kubectl: the fields of the live object's
 * kubectl.kubernetes.io/last-applied-configuration that still hold their applied values
 * (explicit set), or NULL when there is none to go by. */
static json_t *last_applied_allowed(const json_t *live, const struct apply_request *req)
{
	const char *text = json_string_value(json_object_get(
		json_object_get(json_object_get(live, "metadata"), "annotations"), LAST_APPLIED));
	json_t *last = text && *text ? json_loads(text, 0, NULL) : NULL, *lv = NULL, *set = NULL,
	       *allowed = NULL;
	struct ty t;
	struct cmp c = {0};
	int rc = 0;
	ap_root_type(req->type, &t);
	const char *av = json_string_value(json_object_get(last, "apiVersion"));
	if (!json_is_object(last) || !av || strcmp(av, req->api_version))
		goto out;
	lv = ap_without_managed(live);
	rc = lv ? ap_explicit_set(last, &t, &set) : -ENOMEM;
	if (!rc)
		rc = ap_compare_explicit(last, lv, &t, &c);
	json_t *changed = rc ? NULL : json_object();
	if (changed && !ap_set_union_into(changed, c.modified, 0) &&
	    !ap_set_union_into(changed, c.added, 0) && !ap_set_union_into(changed, c.removed, 0))
		allowed = ap_set_diff(set, changed, &rc);
	if (!allowed && !rc && changed)
		allowed = json_object(); /* nothing of it holds */
	json_decref(changed);
out:
	ap_cmp_free(&c);
	json_decref(last);
	json_decref(lv);
	json_decref(set);
	return allowed;
}

/* lastAppliedUpdater: kubectl's apply keeps an existing last-applied annotation the
 * applied object, as client-side apply would write it (sorted keys, a newline). */
static int update_last_applied(const json_t *live, const json_t *config, json_t *out)
{
	const json_t *ann = json_object_get(json_object_get(live, "metadata"), "annotations");
	const char *have = json_string_value(json_object_get(ann, LAST_APPLIED));
	json_t *meta = json_object_get(out, "metadata"), *oa, *copy;
	if (!have || !*have || !json_is_object(meta))
		return 0;
	copy = json_deep_copy(config);
	json_t *ca = json_object_get(json_object_get(copy, "metadata"), "annotations");
	if (json_is_object(ca)) {
		json_object_del(ca, LAST_APPLIED);
		if (!json_object_size(ca))
			json_object_del(json_object_get(copy, "metadata"), "annotations");
	}
	char *text = copy ? json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(copy);
	if (!text)
		return -ENOMEM;
	size_t n = strlen(text);
	char *line = malloc(n + 2);
	if (line) {
		memcpy(line, text, n);
		memcpy(line + n, "\n", 2);
	}
	free(text);
	oa = json_object_get(meta, "annotations");
	if (!json_is_object(oa)) {
		oa = json_object();
		json_object_set_new(meta, "annotations", oa);
	}
	int rc = line && oa && !json_object_set_new(oa, LAST_APPLIED, json_string(line)) ? 0
											 : -ENOMEM;
	free(line);
	return rc;
}

int apply_apply(const json_t *live, const json_t *config, int force,
		const struct apply_request *req, json_t **out, json_t **status)
{
	json_t *found = NULL, *allowed = NULL;
	int kubectl = strcmp(req->manager, "kubectl") == 0;
	int rc = apply_once(live, config, force, req, out, status, &found);
	if (rc == -EBUSY && kubectl && (allowed = last_applied_allowed(live, req))) {
		/* conflicts with what kubectl's client-side apply last set are kubectl's own */
		const char *k;
		json_t *v, *rest = json_object();
		void *tmp;
		json_object_foreach_safe(found, tmp, k, v)
		{
			json_t *d = ap_set_diff(v, allowed, &rc);
			if (d)
				json_object_set_new(rest, k, d);
		}
		if (!json_object_size(rest)) {
			json_decref(found);
			found = NULL;
			rc = apply_once(live, config, 1, req, out, status, &found);
		} else {
			json_decref(found);
			found = rest;
			rest = NULL;
			rc = -EBUSY;
		}
		json_decref(rest);
	}
	if (rc == -EBUSY) {
		*status = conflict_status(found);
		rc = *status ? -EBUSY : -ENOMEM;
	}
	if (!rc && kubectl)
		rc = update_last_applied(live, config, *out);
	json_decref(found);
	json_decref(allowed);
	return rc;
}

/* --- request checks --- */

int apply_manager_name(const char *field_manager, const char *user_agent, char *out, size_t len)
{
	size_t n = 0;
	if (!len)
		return -ENAMETOOLONG;
	out[0] = '\0';
	if (field_manager && *field_manager) /* (longer than 128 bytes is refused earlier) */
		return sfmt(out, len, "%s", field_manager);
	/* prefixFromUserAgent: up to the first '/', printable characters, 128 bytes */
	for (const char *p = user_agent ? user_agent : ""; *p && *p != '/'; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch < 0x20 || ch == 0x7f)
			continue;
		if (n + 1 >= len || n >= MANAGER_MAX_LEN)
			break;
		out[n++] = (char)ch;
	}
	out[n] = '\0';
	return 0;
}

/* errors.NewInvalid of an options kind ("PatchOptions") for one field error: the 422
 * Status `KIND.meta.k8s.io "" is invalid: FIELD: MESSAGE`, with details {group, kind,
 * causes} before code. */
static json_t *options_invalid(const char *kind, const char *field, const char *reason,
			       const char *message)
{
	char msg[1024];
	snprintf(msg, sizeof(msg), "%s.meta.k8s.io \"\" is invalid: %s: %s", kind, field, message);
	json_t *st = status_of(422, "Invalid", msg);
	json_t *code = st ? json_incref(json_object_get(st, "code")) : NULL;
	if (st) {
		json_object_del(st, "code");
		json_object_set_new(st, "details",
				    json_pack("{s:s, s:s, s:[{s:s, s:s, s:s}]}", "group",
					      "meta.k8s.io", "kind", kind, "causes", "reason",
					      reason, "message", message, "field", field));
		json_object_set_new(st, "code", code);
	}
	return st;
}

/* ValidateFieldManager's length (FieldManagerMaxLength): NULL, or the 422 of kind. */
static json_t *check_manager(const char *kind, const char *field_manager)
{
	char msg[64];
	if (!field_manager || strlen(field_manager) <= MANAGER_MAX_LEN)
		return NULL;
	snprintf(msg, sizeof(msg), "Too long: must have at most %d bytes", MANAGER_MAX_LEN);
	return options_invalid(kind, "fieldManager", "FieldValueTooLong", msg);
}

json_t *apply_check_options(int is_apply, const char *field_manager, const char *force)
{
	if (!is_apply && force)
		return options_invalid("PatchOptions", "force", "FieldValueForbidden",
				       "Forbidden: may not be specified for non-apply patch");
	if (is_apply && (!field_manager || !*field_manager))
		return options_invalid("PatchOptions", "fieldManager", "FieldValueRequired",
				       "Required value: is required for apply patch");
	return check_manager("PatchOptions", field_manager);
}

/* --- the request side --- */

static void reply_status(struct http_req *r, json_t *st)
{
	char *body = st ? json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	int code = (int)json_integer_value(json_object_get(st, "code"));
	if (body)
		kube_reply_json_text(r, code ? code : 500, body);
	else
		kube_reply_status(r, 500, "InternalError", "out of memory", NULL);
}

static int request_of(struct http_req *r, const struct kube_attrs *a,
		      const struct kube_resource *res, int has_status, char *manager, size_t mlen,
		      char *api_version, size_t alen, struct apply_request *q)
{
	if (apply_manager_name(http_query(r, "fieldManager"), http_header(r, "User-Agent"),
			       manager, mlen) < 0)
		return -ENAMETOOLONG;
	if (*res->group ? sfmt(api_version, alen, "%s/%s", res->group, res->version)
			: sfmt(api_version, alen, "%s", res->version))
		return -ENAMETOOLONG;
	memset(q, 0, sizeof(*q));
	q->manager = *manager ? manager : "unknown"; /* buildManagerInfo */
	q->api_version = api_version;
	q->kind = res->kind;
	q->subresource = a->subresource;
	q->type = apply_type_of(res->group, res->version, res->kind);
	if (!q->type)
		q->type = crd_apply_type(res); /* a custom resource's schema */
	q->reset = strcmp(a->subresource, "status") == 0 ? APPLY_RESET_ALL_BUT_STATUS
		   : has_status				 ? APPLY_RESET_STATUS
							 : APPLY_RESET_NONE;
	q->now = (long long)time(NULL);
	return 0;
}

int apply_track(struct http_req *r, const struct kube_attrs *a, const struct kube_resource *res,
		int has_status, const json_t *live, json_t *obj)
{
	char manager[MANAGER_MAX_LEN + 1], av[300];
	struct apply_request q;
	if (request_of(r, a, res, has_status, manager, sizeof(manager), av, sizeof(av), &q))
		return 0;
	return apply_update(live, obj, &q);
}

int apply_patch(struct http_req *r, const struct kube_attrs *a, const struct kube_resource *res,
		int has_status, const json_t *live, const json_t *config, json_t **out)
{
	char manager[MANAGER_MAX_LEN + 1], av[300];
	struct apply_request q;
	json_t *st = NULL;
	const char *f = http_query(r, "force");
	int rc = request_of(r, a, res, has_status, manager, sizeof(manager), av, sizeof(av), &q);
	if (rc) {
		kube_reply_status(r, 500, "InternalError", "the request could not be processed", a);
		return -EINVAL;
	}
	rc = apply_apply(live, config, f && strcmp(f, "true") == 0, &q, out, &st);
	if (rc == -EINVAL || rc == -EBUSY) {
		reply_status(r, st);
		rc = -EINVAL;
	}
	json_decref(st);
	return rc;
}

int apply_manager_options(struct http_req *r, const char *kind)
{
	json_t *st = check_manager(kind, http_query(r, "fieldManager"));
	if (!st)
		return 0;
	reply_status(r, st);
	json_decref(st);
	return -EINVAL;
}

int apply_options(struct http_req *r, int is_apply)
{
	json_t *st = apply_check_options(is_apply, http_query(r, "fieldManager"),
					 http_query(r, "force"));
	if (!st)
		return 0;
	reply_status(r, st);
	json_decref(st);
	return -EINVAL;
}

int apply_body(struct http_req *r, json_t **out)
{
	char err[300], msg[400];
	*out = NULL;
	int rc = yaml_to_json((const char *)r->body, r->body_len, out, err, sizeof(err));
	if (!rc && json_is_null(*out)) { /* yaml.Unmarshal leaves the map empty */
		json_decref(*out);
		*out = json_object();
		rc = *out ? 0 : -ENOMEM;
	}
	if (!rc && !json_is_object(*out)) {
		snprintf(err, sizeof(err),
			 "json: cannot unmarshal %s into Go value of type "
			 "map[string]interface {}",
			 json_is_array(*out)	? "array"
			 : json_is_string(*out) ? "string"
						: "number");
		rc = -EINVAL;
	}
	if (!rc)
		return 0;
	json_decref(*out);
	*out = NULL;
	snprintf(msg, sizeof(msg), "error decoding YAML: %s", err);
	kube_reply_status(r, 400, "BadRequest", msg, NULL);
	return -EINVAL;
}
