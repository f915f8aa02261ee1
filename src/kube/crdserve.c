/*
 * crdserve.c - the custom resources a cluster serves: each cluster's table of resources
 * made from its stored CustomResourceDefinitions (built with store_range, kept fresh by
 * a store_watch on the CRD prefix, so a CRD written by any replica is served at once),
 * and the hooks through which resources.c, the registry, discovery, OpenAPI and the table
 * printer treat a CRD and its custom resources (crd.c's pure functions do the work):
 * a version's status and scale subresources and schema, its storage version, and the
 * cleanup of a deleted CRD's objects.
 *
 * The table is the cluster's (cl->crd, made on its first request, freed by crd_forget).
 * Which cluster a lookup is for: the API server's request handler calls crd_enter(cl)
 * first; the lookups of that thread then see that cluster's custom resources (the
 * resource lookups take no cluster, so the request's cluster is this thread's).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/dbuf.h"
#include "core/store.h"
#include "kube/apply.h"
#include "kube/crd.h"
#include "kube/crdserve.h"
#include "kube/kube.h"
#include "kube/table.h"

#define CRD_GROUP "apiextensions.k8s.io"
#define CRD_CLEANUP                                                                                \
	"customresourcecleanup.apiextensions.k8s.io" /* CustomResourceCleanupFinalizer */

struct served {
	struct kube_resource res; /* its strings point into text */
	char *text;		  /* group, version, plural, kind, singular, short names */
	json_t *crd;		  /* the CRD (owned) */
	const json_t *version;	  /* its served version's entry */
	const struct apply_type *type;
	int status, scale;
};

struct retired { /* tables that requests and watches may still point into */
	struct served *v;
	size_t n;
	struct kube_resource *table;
	struct retired *next;
};

struct crd_state {
	struct kube_cluster *cl;
	struct served *v;
	size_t n;
	struct retired *old;
	struct kube_resource *table; /* resources.c's table, then the served ones */
	size_t table_n;
	struct store_watch *watch;
	int loaded;
	unsigned long gen; /* counts rebuilds: what OpenAPI documents were built from */
};

static _Thread_local struct crd_state *current;

static void release(struct served *v, size_t n, struct kube_resource *table)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].text);
		json_decref(v[i].crd);
	}
	free(v);
	free(table);
}

/* Retires the current table: a watch of a custom resource keeps its resource until the
 * cluster goes (crd_forget). */
static void clear(struct crd_state *s)
{
	struct retired *r = s->v || s->table ? malloc(sizeof(*r)) : NULL;
	if (r) {
		*r = (struct retired){s->v, s->n, s->table, s->old};
		s->old = r;
	} else {
		release(s->v, s->n, s->table);
	}
	s->v = NULL;
	s->table = NULL;
	s->n = s->table_n = 0;
}

static int crd_prefix(const struct kube_cluster *cl, char *out, size_t len)
{
	return sfmt(out, len, "%s/registry/customresourcedefinitions.%s/", cl->prefix, CRD_GROUP);
}

/* The text block of a served resource: its strings one after another. */
static char *strings(const char *const *in, size_t n, const char **out)
{
	size_t len = 0, at = 0;
	for (size_t i = 0; i < n; i++)
		len += strlen(in[i]) + 1;
	char *t = malloc(len ? len : 1);
	for (size_t i = 0; t && i < n; i++) {
		size_t l = strlen(in[i]) + 1;
		memcpy(t + at, in[i], l);
		out[i] = t + at;
		at += l;
	}
	return t;
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* Adds one served version of crd. */
static int add(struct crd_state *s, json_t *crd, const json_t *version)
{
	const json_t *spec = json_object_get(crd, "spec");
	const json_t *names = json_object_get(json_object_get(crd, "status"), "acceptedNames");
	const json_t *subs = json_object_get(version, "subresources");
	struct dbuf sn = DBUF_INIT(4096);
	size_t i;
	json_t *x;
	if (!json_is_object(names))
		names = json_object_get(spec, "names");
	json_array_foreach(json_object_get(names, "shortNames"), i, x) dbuf_printf(
		&sn, "%s%s", i ? "," : "", json_string_value(x) ? json_string_value(x) : "");
	const char *in[6] = {jstr(spec, "group"), jstr(version, "name"),   jstr(names, "plural"),
			     jstr(names, "kind"), jstr(names, "singular"), sn.p ? sn.p : ""};
	const char *out[6];
	struct served *v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (!v) {
		dbuf_free(&sn);
		return -ENOMEM;
	}
	s->v = v;
	struct served *e = &s->v[s->n];
	memset(e, 0, sizeof(*e));
	e->text = strings(in, 6, out);
	dbuf_free(&sn);
	if (!e->text)
		return -ENOMEM;
	e->res = (struct kube_resource){
		.group = out[0],
		.version = out[1],
		.resource = out[2],
		.kind = out[3],
		.singular = out[4],
		.namespaced = strcmp(jstr(spec, "scope"), "Namespaced") == 0,
		.short_names = *out[5] ? out[5] : NULL,
		.verbs = "delete,deletecollection,get,list,patch,create,update,watch",
		.iam_name = "thirdPartyObjects", /* GKE: container.thirdPartyObjects.<verb> */
		.stored = 1,
	};
	e->crd = json_incref(crd);
	e->version = version;
	e->status = json_object_get(subs, "status") != NULL;
	e->scale = json_object_get(subs, "scale") != NULL;
	char key[700];
	json_t *types = crd_apply_types(
		json_object_get(json_object_get(version, "schema"), "openAPIV3Schema"), "crd:");
	if (types &&
	    sfmt(key, sizeof(key), "%s|%s/%s/%s", s->cl->prefix, out[0], out[1], out[3]) == 0) {
		/* TYPE names unique to this cluster and version */
		json_t *renamed = json_object(), *tt = json_object();
		const char *k;
		json_t *val;
		char name[1600];
		json_object_foreach(json_object_get(types, "types"), k, val)
		{
			if (sfmt(name, sizeof(name), "%s%s", key, k) == 0)
				json_object_set(tt, name, val);
		}
		/* field texts name their types: rewrite "crd:" references */
		json_object_foreach(tt, k, val)
		{
			const char *f;
			json_t *fv;
			json_object_foreach(val, f, fv)
			{
				const char *t = json_string_value(fv);
				const char *at = t ? strstr(t, "crd:") : NULL;
				if (!at)
					continue;
				char nt[2048];
				if (sfmt(nt, sizeof(nt), "%.*s%s%s", (int)(at - t), t, key, at) ==
				    0)
					json_object_set_new(val, f, json_string(nt));
			}
		}
		if (sfmt(name, sizeof(name), "%s%s", key, jstr(types, "root")) == 0)
			json_object_set_new(renamed, "root", json_string(name));
		json_object_set_new(renamed, "types", tt);
		e->type = apply_type_add(key, renamed);
		json_decref(renamed);
	}
	json_decref(types);
	s->n++;
	return 0;
}

static int rebuild(struct crd_state *s)
{
	char prefix[600];
	struct store_kv *kvs = NULL;
	size_t n = 0;
	int rc = crd_prefix(s->cl, prefix, sizeof(prefix));
	if (!rc)
		rc = store_range(s->cl->kube->store, prefix, 0, &kvs, &n, NULL);
	if (rc)
		return rc;
	clear(s);
	s->gen++;
	for (size_t i = 0; i < n && !rc; i++) {
		json_t *crd = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		size_t j;
		json_t *v;
		json_array_foreach(json_object_get(json_object_get(crd, "spec"), "versions"), j, v)
		{
			if (json_is_true(json_object_get(v, "served")) && (rc = add(s, crd, v)))
				break;
		}
		json_decref(crd);
	}
	store_kvs_free(kvs, n);
	size_t base_n;
	const struct kube_resource *base = kube_builtin_resources(&base_n);
	s->table = calloc(base_n + s->n + 1, sizeof(*s->table));
	if (!s->table)
		return -ENOMEM;
	memcpy(s->table, base, base_n * sizeof(*base));
	for (size_t i = 0; i < s->n; i++)
		s->table[base_n + i] = s->v[i].res;
	s->table_n = base_n + s->n;
	return rc;
}

static void on_event(void *arg, const struct store_event *ev)
{
	(void)ev;
	rebuild(arg);
}

static struct crd_state *state_of(struct kube_cluster *cl)
{
	if (!cl->crd && (cl->crd = calloc(1, sizeof(*cl->crd))))
		cl->crd->cl = cl;
	return cl->crd;
}

void crd_enter(struct kube_cluster *cl)
{
	struct crd_state *s = cl ? state_of(cl) : NULL;
	current = s;
	if (!s || s->loaded)
		return;
	char prefix[600];
	if (rebuild(s) == 0 && crd_prefix(cl, prefix, sizeof(prefix)) == 0 &&
	    store_watch(cl->kube->store, prefix, 0, on_event, s, &s->watch) == 0)
		s->loaded = 1;
}

void crd_forget(struct kube_cluster *cl)
{
	struct crd_state *s = cl ? cl->crd : NULL;
	if (!s)
		return;
	store_unwatch(s->watch);
	release(s->v, s->n, s->table);
	for (struct retired *r = s->old, *next; r; r = next) {
		next = r->next;
		release(r->v, r->n, r->table);
		free(r);
	}
	if (current == s)
		current = NULL;
	free(s);
	cl->crd = NULL;
}

const struct kube_resource *crd_resources(size_t *n)
{
	if (!current || !current->table)
		return NULL;
	*n = current->table_n;
	return current->table;
}

static const struct served *served_of(const struct kube_resource *res)
{
	for (size_t i = 0; current && res && i < current->n; i++)
		if (&current->v[i].res == res ||
		    current->table + (current->table_n - current->n + i) == res)
			return &current->v[i];
	return NULL;
}

const struct kube_resource *crd_find(const char *group, const char *version, const char *resource)
{
	for (size_t i = 0; current && i < current->n; i++) {
		const struct kube_resource *r = &current->v[i].res;
		if (strcmp(r->group, group) == 0 && strcmp(r->resource, resource) == 0 &&
		    (!version || !*version || strcmp(r->version, version) == 0))
			return r;
	}
	return NULL;
}

int crd_has_status(const struct kube_resource *res)
{
	const struct served *s = served_of(res);
	return s && s->status;
}

const struct kube_resource *crd_storage_of(const struct kube_resource *res)
{
	const struct served *s = served_of(res);
	for (size_t i = 0; s && i < current->n; i++) {
		const struct served *o = &current->v[i];
		if (o->crd == s->crd && json_is_true(json_object_get(o->version, "storage")))
			return &o->res;
	}
	return NULL;
}

unsigned long crd_generation(void)
{
	return current ? current->gen : 0;
}

char *crd_warning(const struct kube_resource *res)
{
	const struct served *s = served_of(res);
	return s ? crd_deprecation_warning(s->crd, res->version) : NULL;
}

const json_t *crd_schema(const struct kube_resource *res)
{
	const struct served *s = served_of(res);
	return s ? json_object_get(json_object_get(s->version, "schema"), "openAPIV3Schema") : NULL;
}

int crd_scale_paths(const struct kube_resource *res, const char **spec, const char **status,
		    const char **selector)
{
	const struct served *s = served_of(res);
	const json_t *sc =
		s && s->scale
			? json_object_get(json_object_get(s->version, "subresources"), "scale")
			: NULL;
	if (!json_is_object(sc))
		return 0;
	if (spec)
		*spec = jstr(sc, "specReplicasPath");
	if (status)
		*status = jstr(sc, "statusReplicasPath");
	if (selector)
		*selector = jstr(sc, "labelSelectorPath");
	return 1;
}

const struct apply_type *crd_apply_type(const struct kube_resource *res)
{
	const struct served *s = served_of(res);
	return s ? s->type : NULL;
}

json_t *crd_table_columns(const struct kube_resource *res)
{
	const struct served *s = served_of(res);
	return s ? crd_columns(s->version) : NULL;
}

static int is_crd(const struct kube_resource *res)
{
	return strcmp(res->group, CRD_GROUP) == 0 &&
	       strcmp(res->resource, "customresourcedefinitions") == 0;
}

int crd_object_hook(const struct kube_resource *res, json_t *obj, const json_t *old, json_t *errs)
{
	if (is_crd(res)) {
		char now[CLOCK_RFC3339_LEN];
		crd_defaults(obj);
		crd_validate(obj, errs);
		clock_rfc3339((int64_t)time(NULL), now);
		return json_array_size(errs) ? 0 : crd_set_status(obj, old, now);
	}
	const struct served *s = served_of(res);
	if (!s)
		return 0;
	const json_t *schema =
		json_object_get(json_object_get(s->version, "schema"), "openAPIV3Schema");
	crd_prune(obj, schema);
	int rc = crd_default(obj, schema);
	if (!rc)
		crd_validate_object(obj, schema, errs);
	return rc;
}

/* The cleanup of a deleted CRD: apiextensions-apiserver's Delete
 * (pkg/registry/customresourcedefinition/etcd.go) stamps the CRD, adds the
 * customresourcecleanup.apiextensions.k8s.io finalizer and a Terminating condition, and
 * its finalizer controller then deletes every custom object before the CRD goes. Here
 * the controller's part is immediate. */
static void crd_terminating(json_t *crd)
{
	char ts[CLOCK_RFC3339_LEN];
	json_t *md = json_object_get(crd, "metadata"), *st = json_object_get(crd, "status");
	if (!json_is_object(md))
		return;
	clock_rfc3339(time(NULL), ts);
	if (!json_object_get(md, "deletionTimestamp"))
		json_object_set_new(md, "deletionTimestamp", json_string(ts));
	json_t *fin = json_object_get(md, "finalizers");
	if (!json_is_array(fin)) {
		fin = json_array();
		json_object_set_new(md, "finalizers", fin);
	}
	size_t i;
	json_t *f, *c;
	int have = 0;
	json_array_foreach(fin, i, f)
	{
		if (json_is_string(f) && strcmp(json_string_value(f), CRD_CLEANUP) == 0)
			have = 1;
	}
	if (!have)
		json_array_append_new(fin, json_string(CRD_CLEANUP));
	if (!json_is_object(st)) {
		st = json_object();
		json_object_set_new(crd, "status", st);
	}
	json_t *conds = json_object_get(st, "conditions");
	if (!json_is_array(conds)) {
		conds = json_array();
		json_object_set_new(st, "conditions", conds);
	}
	json_t *t =
		json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "Terminating", "status", "True",
			  "lastTransitionTime", ts, "reason", "InstanceDeletionPending", "message",
			  "CustomResourceDefinition marked for deletion; CustomResource "
			  "deletion will begin soon");
	json_array_foreach(conds, i, c)
	{
		if (strcmp(jstr(c, "type"), "Terminating") == 0) {
			if (strcmp(jstr(c, "status"), "True") == 0)
				json_object_set(t, "lastTransitionTime",
						json_object_get(c, "lastTransitionTime"));
			json_array_set_new(conds, i, t);
			return;
		}
	}
	json_array_append_new(conds, t);
}

int crd_delete_hook(struct kube_cluster *cl, const struct kube_resource *res, json_t *crd)
{
	char prefix[1024];
	struct store_kv *kvs = NULL;
	size_t n = 0;
	if (!is_crd(res))
		return 0;
	const json_t *spec = json_object_get(crd, "spec");
	const char *group = jstr(spec, "group");
	const char *plural = jstr(json_object_get(spec, "names"), "plural");
	/* every version of the kind, in every namespace: registry_key's collection prefix */
	struct kube_resource cr = {.group = group, .resource = plural, .namespaced = 0};
	crd_terminating(crd);
	if (!*group || !*plural)
		return 0;
	registry_key(cl, &cr, NULL, NULL, prefix, sizeof(prefix));
	int rc = *prefix ? store_range(cl->kube->store, prefix, 0, &kvs, &n, NULL) : -EINVAL;
	for (size_t i = 0; rc == 0 && i < n; i++)
		store_delete(cl->kube->store, kvs[i].key, STORE_ANY_REV, NULL);
	store_kvs_free(kvs, n);
	return rc;
}

/* cellForJSONValue (apiextensions' tableconvertor): a value as its column's type shows
 * it; strings as JSONPath prints them; dates as ages. */
static json_t *cell(const json_t *v, const char *type, time_t now)
{
	if (!v || json_is_null(v))
		return json_null();
	if (!strcmp(type, "string")) {
		if (json_is_string(v))
			return json_incref((json_t *)v);
		char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		json_t *s = json_string(t ? t : "");
		free(t);
		return s;
	}
	if (!strcmp(type, "integer") && json_is_number(v))
		return json_integer((json_int_t)json_number_value(v));
	if (!strcmp(type, "number") && json_is_number(v))
		return json_real(json_number_value(v));
	if (!strcmp(type, "boolean") && json_is_boolean(v))
		return json_incref((json_t *)v);
	if (!strcmp(type, "date") && json_is_string(v)) {
		time_t t;
		char age[32];
		if (table_parse_time(json_string_value(v), &t))
			return json_string("<invalid>");
		table_human_duration((int64_t)(now - t), age, sizeof(age));
		return json_string(age);
	}
	return json_null();
}

int crd_table(const struct kube_resource *res, json_t *table, const json_t *items, int headers,
	      time_t now)
{
	json_t *cols = crd_table_columns(res);
	json_t *rows = json_object_get(table, "rows");
	size_t i, j;
	json_t *c;
	if (!cols)
		return 0;
	if (headers) {
		json_t *defs = json_array();
		json_array_foreach(cols, i, c)
		{
			json_t *d = json_deep_copy(c);
			json_object_del(d, "jsonPath");
			json_array_append_new(defs, d);
		}
		json_object_set_new(table, "columnDefinitions", defs);
	}
	for (i = 0; i < json_array_size(items) && i < json_array_size(rows); i++) {
		const json_t *o = json_array_get(items, i);
		json_t *cells = json_array();
		json_array_foreach(cols, j, c)
		{
			const json_t *v = crd_cell(o, jstr(c, "jsonPath"));
			json_array_append_new(cells, cell(v, jstr(c, "type"), now));
		}
		json_object_set_new(json_array_get(rows, i), "cells", cells);
	}
	json_decref(cols);
	return 1;
}
