/*
 * apply_managers.c - managedFields: decoding, encoding and capping the field managers'
 * entries (k8s.io/apimachinery/pkg/util/managedfields v0.30) and the updater of
 * merge/update.go that records an update's changed fields and finds the conflicts of
 * the other managers with them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "kube/apply.h"
#include "kube/apply_impl.h"

#define MAX_UPDATERS 10 /* DefaultMaxUpdateManagers */

/* --- managers --- */

void ap_mgrs_free(struct mgrs *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].id);
		json_decref(m->v[i].entry);
		json_decref(m->v[i].set);
		free(m->v[i].time);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* The identifier of an entry (manager, operation, apiVersion unless Apply, subresource),
 * as encoding/json writes metav1.ManagedFieldsEntry with its omitempty fields. */
static char *identifier(const char *manager, const char *op, const char *api_version,
			const char *sub, json_t **entry)
{
	json_t *e = json_object();
	if (!e)
		return NULL;
	json_object_set_new(e, "manager", json_string(manager));
	json_object_set_new(e, "operation", json_string(op));
	if (strcmp(op, "Apply") && api_version && *api_version)
		json_object_set_new(e, "apiVersion", json_string(api_version));
	if (sub && *sub)
		json_object_set_new(e, "subresource", json_string(sub));
	char *id = json_dumps(e, JSON_COMPACT);
	/* the entry keeps the version even for Apply (encodeManagerVersionedSet) */
	if (api_version && *api_version)
		json_object_set_new(e, "apiVersion", json_string(api_version));
	*entry = e;
	return id;
}

struct mgr *ap_mgrs_find(struct mgrs *m, const char *id)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].id, id) == 0)
			return &m->v[i];
	return NULL;
}

/* Adds or replaces id's set (taken). */
int ap_mgrs_put(struct mgrs *m, char *id, json_t *entry, json_t *set, int applied, const char *time)
{
	struct mgr *g = ap_mgrs_find(m, id);
	char *t = strdup(time ? time : ""); /* (before g's own time may be freed) */
	if (!t) {
		free(id);
		json_decref(entry);
		json_decref(set);
		return -ENOMEM;
	}
	if (!g) {
		if (m->n == m->cap) {
			size_t cap = m->cap ? m->cap * 2 : 8;
			struct mgr *v = realloc(m->v, cap * sizeof(*v));
			if (!v) {
				free(t);
				free(id);
				json_decref(entry);
				json_decref(set);
				return -ENOMEM;
			}
			m->v = v;
			m->cap = cap;
		}
		g = &m->v[m->n++];
		memset(g, 0, sizeof(*g));
	} else {
		free(g->id);
		json_decref(g->entry);
		json_decref(g->set);
		free(g->time);
	}
	g->id = id;
	g->entry = entry;
	g->set = set;
	g->applied = applied;
	g->time = t;
	return 0;
}

static void mgrs_drop(struct mgrs *m, size_t i)
{
	free(m->v[i].id);
	json_decref(m->v[i].entry);
	json_decref(m->v[i].set);
	free(m->v[i].time);
	memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(m->v[0]));
	m->n--;
}

/* DecodeManagedFields: -EINVAL for a malformed list (upstream's words in err). */
int ap_mgrs_decode(const json_t *list, struct mgrs *m, char *err, size_t errlen)
{
	size_t i;
	json_t *e;
	memset(m, 0, sizeof(*m));
	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list)) {
		snprintf(err, errlen, "managedFields must be a list");
		return -EINVAL;
	}
	json_array_foreach(list, i, e)
	{
		const char *op = json_string_value(json_object_get(e, "operation"));
		const char *av = json_string_value(json_object_get(e, "apiVersion"));
		const char *ft = json_string_value(json_object_get(e, "fieldsType"));
		const char *mg = json_string_value(json_object_get(e, "manager"));
		const char *sub = json_string_value(json_object_get(e, "subresource"));
		const char *tm = json_string_value(json_object_get(e, "time"));
		json_t *entry = NULL, *set = NULL;
		int rc = 0;
		if (!op || (strcmp(op, "Apply") && strcmp(op, "Update"))) {
			snprintf(err, errlen, "operation must be `Apply` or `Update`");
			return -EINVAL;
		}
		if (!av || !*av) {
			snprintf(err, errlen, "apiVersion must not be empty");
			return -EINVAL;
		}
		if (!ft || strcmp(ft, "FieldsV1")) {
			if (!ft || !*ft)
				snprintf(err, errlen,
					 "missing fieldsType in managed fields entry %zu", i);
			else
				snprintf(err, errlen,
					 "invalid fieldsType \"%s\" in managed fields entry %zu",
					 ft, i);
			return -EINVAL;
		}
		json_t *f1 = json_object_get(e, "fieldsV1");
		if (f1 && !json_is_object(f1)) {
			snprintf(err, errlen, "error decoding set: fieldsV1 must be an object");
			return -EINVAL;
		}
		set = f1 ? ap_set_from_v1(f1, 0, &rc) : json_object();
		if (rc == -EINVAL)
			snprintf(err, errlen, "error decoding set");
		if (rc || !set) {
			json_decref(set);
			return rc ? rc : -ENOMEM;
		}
		json_object_del(set, ".");
		char *id = identifier(mg ? mg : "", op, av, sub, &entry);
		if (!id || ap_mgrs_put(m, id, entry, set, strcmp(op, "Apply") == 0, tm))
			return -ENOMEM;
	}
	return 0;
}

/* The paths stripMetaManager takes from the acting manager's set. */
static json_t *strip_set(void)
{
	static const char text[] =
		"{\"f:apiVersion\":{\".\":{}},\"f:kind\":{\".\":{}},\"f:metadata\":{\".\":{},"
		"\"f:name\":{\".\":{}},\"f:namespace\":{\".\":{}},\"f:creationTimestamp\":{\".\":{}"
		"},"
		"\"f:selfLink\":{\".\":{}},\"f:uid\":{\".\":{}},\"f:clusterName\":{\".\":{}},"
		"\"f:generation\":{\".\":{}},\"f:managedFields\":{\".\":{}},"
		"\"f:resourceVersion\":{\".\":{}}}}";
	return json_loads(text, 0, NULL);
}

/* Leaves in g's set only what the reset fields of req allow. */
int ap_filter_reset(json_t **set, const struct apply_request *req)
{
	int rc = 0;
	if (req->reset == APPLY_RESET_STATUS) {
		json_object_del(*set, "f:status");
	} else if (req->reset == APPLY_RESET_ALL_BUT_STATUS) {
		json_t *st = json_incref(json_object_get(*set, "f:status"));
		json_object_clear(*set);
		if (st && json_object_set_new(*set, "f:status", st))
			rc = -ENOMEM;
	}
	return rc;
}

int ap_strip_acting(struct mgrs *m, const char *id)
{
	struct mgr *g = ap_mgrs_find(m, id);
	int rc = 0;
	if (!g)
		return 0;
	json_t *strip = strip_set();
	json_t *d = strip ? ap_set_diff(g->set, strip, &rc) : NULL;
	json_decref(strip);
	if (!strip || rc) {
		json_decref(d);
		return -ENOMEM;
	}
	json_decref(g->set);
	g->set = d;
	if (!d)
		mgrs_drop(m, (size_t)(g - m->v));
	return 0;
}

static int cmp_entries(const void *a, const void *b)
{
	const struct mgr *p = a, *q = b;
	const char *po = json_string_value(json_object_get(p->entry, "operation"));
	const char *qo = json_string_value(json_object_get(q->entry, "operation"));
	int c = strcmp(po ? po : "", qo ? qo : "");
	if (c)
		return c;
	c = strcmp(p->time, q->time); /* RFC 3339 UTC text sorts as its seconds */
	if (c)
		return c;
	static const char *const keys[] = {"manager", "apiVersion", "subresource"};
	for (size_t i = 0; i < 3; i++) {
		const char *x = json_string_value(json_object_get(p->entry, keys[i]));
		const char *y = json_string_value(json_object_get(q->entry, keys[i]));
		c = strcmp(x ? x : "", y ? y : "");
		if (c)
			return c;
	}
	return 0;
}

/* encodeManagedFields: the entries sorted as sortEncodedManagedFields does, in
 * metav1.ManagedFieldsEntry's field order; into obj's metadata (none when empty). */
int ap_mgrs_encode(struct mgrs *m, json_t *obj)
{
	json_t *meta = json_object_get(obj, "metadata");
	json_t *list = json_array();
	int rc = list ? 0 : -ENOMEM;
	if (!json_is_object(meta)) {
		json_decref(list);
		return 0;
	}
	if (m->n)
		qsort(m->v, m->n, sizeof(m->v[0]), cmp_entries);
	for (size_t i = 0; i < m->n && !rc; i++) {
		const struct mgr *g = &m->v[i];
		json_t *f1 = ap_set_to_v1(g->set, &rc);
		json_t *e = json_object();
		if (!f1 || !e) {
			json_decref(f1);
			json_decref(e);
			rc = rc ? rc : f1 ? -ENOMEM : 0;
			continue;
		}
		static const char *const head[] = {"manager", "operation", "apiVersion"};
		for (size_t j = 0; j < 3; j++) {
			json_t *v = json_object_get(g->entry, head[j]);
			if (v)
				json_object_set(e, head[j], v);
		}
		if (g->time[0])
			json_object_set_new(e, "time", json_string(g->time));
		json_object_set_new(e, "fieldsType", json_string("FieldsV1"));
		json_object_set_new(e, "fieldsV1", f1);
		json_t *sub = json_object_get(g->entry, "subresource");
		if (sub)
			json_object_set(e, "subresource", sub);
		if (json_array_append_new(list, e))
			rc = -ENOMEM;
	}
	if (!rc && json_array_size(list))
		rc = json_object_set(meta, "managedFields", list) ? -ENOMEM : 0;
	else if (!rc)
		json_object_del(meta, "managedFields");
	json_decref(list);
	return rc;
}

/* capManagersManager: beyond MAX_UPDATERS Update entries, the oldest merge into
 * "ancient-changes" (one per apiVersion). */
static int cap_updaters(struct mgrs *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->n; i++)
		n += !m->v[i].applied;
	while (n > MAX_UPDATERS) {
		size_t old = m->n;
		for (size_t i = 0; i < m->n; i++) {
			if (m->v[i].applied || strstr(m->v[i].id, "\"ancient-changes\""))
				continue;
			if (old == m->n || strcmp(m->v[i].time, m->v[old].time) < 0 ||
			    (strcmp(m->v[i].time, m->v[old].time) == 0 &&
			     strcmp(m->v[i].id, m->v[old].id) < 0))
				old = i;
		}
		if (old == m->n)
			break;
		const char *av = json_string_value(json_object_get(m->v[old].entry, "apiVersion"));
		json_t *entry = NULL;
		char *id = identifier("ancient-changes", "Update", av, NULL, &entry);
		char *time = m->v[old].time; /* taken from the dropped entry */
		json_t *set = json_incref(m->v[old].set);
		m->v[old].time = NULL;
		mgrs_drop(m, old);
		struct mgr *b = id ? ap_mgrs_find(m, id) : NULL;
		if (!id) {
			free(time);
			json_decref(set);
			json_decref(entry);
			return -ENOMEM;
		}
		if (b) {
			int rc = ap_set_union_into(b->set, set, 0);
			json_decref(set);
			free(id);
			json_decref(entry);
			free(b->time);
			b->time = time;
			if (rc)
				return rc;
			n--;
		} else {
			int rc = ap_mgrs_put(m, id, entry, set, 0, time);
			free(time);
			if (rc)
				return -ENOMEM;
		}
	}
	return 0;
}

/* --- the updater (merge/update.go) --- */

/* A copy of obj without metadata.managedFields (the field manager's own record). */
json_t *ap_without_managed(const json_t *obj)
{
	json_t *c = json_deep_copy(obj ? obj : json_null());
	json_t *meta = json_object_get(c, "metadata");
	if (json_is_object(meta))
		json_object_del(meta, "managedFields");
	return c;
}

/* Drops the reset fields from a comparison (Comparison.ExcludeFields). */
static int exclude_reset(struct cmp *c, const struct apply_request *req)
{
	int rc = ap_filter_reset(&c->added, req);
	if (!rc)
		rc = ap_filter_reset(&c->modified, req);
	if (!rc)
		rc = ap_filter_reset(&c->removed, req);
	return rc;
}

/* Conflicts of the other managers with what changed from old to new; unless force,
 * they are returned (explicit sets by manager index, in *conflicts) and nothing
 * changes. Otherwise the changed fields leave the other managers, and removed fields
 * leave every other manager. */
int ap_update(const json_t *old, const json_t *new, struct mgrs *m, const char *acting,
	      const struct apply_request *req, int force, json_t **conflicts, struct cmp *out)
{
	struct ty t;
	struct cmp c;
	int rc;
	ap_root_type(req->type, &t);
	*conflicts = NULL;
	rc = ap_compare_explicit(old, new, &t, &c);
	if (!rc)
		rc = exclude_reset(&c, req);
	json_t *changed = rc ? NULL : json_object();
	if (!rc && (!changed || ap_set_union_into(changed, c.added, 0) ||
		    ap_set_union_into(changed, c.modified, 0)))
		rc = -ENOMEM;
	json_t *found = rc ? NULL : json_object();
	for (size_t i = 0; !rc && found && i < m->n; i++) {
		if (strcmp(m->v[i].id, acting) == 0)
			continue;
		json_t *x = ap_set_inter(m->v[i].set, changed, &rc);
		if (x && json_object_set_new(found, m->v[i].id, x))
			rc = -ENOMEM;
	}
	if (!rc && !found)
		rc = -ENOMEM;
	if (!rc && !force && json_object_size(found)) {
		*conflicts = found;
		found = NULL;
		rc = -EBUSY;
	}
	for (size_t i = 0; !rc && i < m->n;) {
		struct mgr *g = &m->v[i];
		json_t *s = g->set, *x = json_object_get(found, g->id);
		if (strcmp(g->id, acting) == 0) {
			i++;
			continue;
		}
		json_incref(s);
		if (x) {
			json_t *d = ap_set_diff(s, x, &rc);
			json_decref(s);
			s = d;
		}
		if (s && json_object_size(c.removed)) {
			json_t *d = ap_set_diff(s, c.removed, &rc);
			json_decref(s);
			s = d;
		}
		json_decref(g->set);
		g->set = s;
		if (!s)
			mgrs_drop(m, i);
		else
			i++;
	}
	json_decref(found);
	json_decref(changed);
	if (!rc && out) {
		*out = c;
	} else {
		ap_cmp_free(&c);
	}
	return rc;
}

int ap_acting_id(const struct apply_request *req, const char *op, char **id, json_t **entry)
{
	*id = identifier(req->manager, op, req->api_version, req->subresource, entry);
	return *id ? 0 : -ENOMEM;
}

/* decodeLiveOrNew: the client's managedFields when it sent a valid, non-empty list; none
 * when it sent [] or [{}]; else live's. A malformed list gives none. */
static void decode_live_or_new(const json_t *live, const json_t *obj, int subresource,
			       struct mgrs *m)
{
	char err[256];
	const json_t *mine = json_object_get(json_object_get(obj, "metadata"), "managedFields");
	const json_t *theirs = json_object_get(json_object_get(live, "metadata"), "managedFields");
	memset(m, 0, sizeof(*m));
	if (!subresource && json_is_array(mine)) {
		if (!json_array_size(mine) ||
		    (json_array_size(mine) == 1 && json_is_object(json_array_get(mine, 0)) &&
		     !json_object_size(json_array_get(mine, 0))))
			return;
		if (ap_mgrs_decode(mine, m, err, sizeof(err)) == 0 && m->n)
			return;
		ap_mgrs_free(m);
	}
	if (ap_mgrs_decode(theirs, m, err, sizeof(err)))
		ap_mgrs_free(m);
}

int apply_update(const json_t *live, json_t *obj, const struct apply_request *req)
{
	struct mgrs m;
	struct cmp c = {0};
	json_t *conflicts = NULL, *l = NULL, *n = NULL, *entry = NULL;
	char *id = NULL, *self = NULL;
	char now[CLOCK_RFC3339_LEN];
	int rc;

	decode_live_or_new(live, obj, req->subresource && *req->subresource, &m);
	l = live ? ap_without_managed(live) : json_object();
	n = ap_without_managed(obj);
	rc = l && n ? ap_acting_id(req, "Update", &id, &entry) : -ENOMEM;
	/* managedFieldsUpdater: the change is worked out as "current-operation", then
	 * joins what the manager had */
	self = rc ? NULL : strdup("current-operation");
	if (!rc && !self)
		rc = -ENOMEM;
	if (!rc)
		rc = ap_update(l, n, &m, self, req, 1, &conflicts, &c);
	if (!rc) {
		json_t *set = json_object(), *strip = strip_set(), *cur = NULL;
		struct mgr *prev = ap_mgrs_find(&m, id);
		if (!set || !strip || ap_set_union_into(set, c.modified, 0) ||
		    ap_set_union_into(set, c.added, 0))
			rc = -ENOMEM;
		if (!rc)
			rc = ap_filter_reset(&set, req);
		if (!rc)
			cur = ap_set_diff(set, strip, &rc);
		/* nothing changed: the manager keeps its entry and its time */
		if (!rc && cur && prev)
			rc = ap_set_union_into(cur, prev->set, 0);
		clock_rfc3339(req->now, now);
		if (!rc && cur) {
			rc = ap_mgrs_put(&m, id, entry, cur, 0, now);
			cur = NULL;
			id = NULL;
			entry = NULL;
		}
		json_decref(cur);
		json_decref(set);
		json_decref(strip);
	}
	if (!rc)
		rc = cap_updaters(&m);
	if (!rc)
		rc = ap_mgrs_encode(&m, obj);
	if (rc && rc != -ENOMEM) { /* UpdateNoErrors: the object goes without them */
		json_t *meta = json_object_get(obj, "metadata");
		if (json_is_object(meta))
			json_object_del(meta, "managedFields");
		rc = 0;
	}
	ap_cmp_free(&c);
	json_decref(conflicts);
	json_decref(l);
	json_decref(n);
	json_decref(entry);
	free(id);
	free(self);
	ap_mgrs_free(&m);
	return rc;
}
