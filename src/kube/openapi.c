/*
 * openapi.c - /openapi/v3 and /openapi/v2 of a cluster's API server, with the schemas of
 * every served kind (data/kube-openapi.json, generated from the 1.30 models by
 * scripts/gen-kube-schema.py --openapi), which is what `kubectl explain` reads and what
 * `kubectl apply` checks before it hands validation to the server.
 *
 * As kube-openapi's handler3 (pkg/handler3/handler.go): /openapi/v3 lists each
 * group-version as {"serverRelativeURL": "/openapi/v3/apis/G/V?hash=H"} where H is the
 * upper-case hex SHA-512 of that document's JSON; a document is served with `Etag: "H"`
 * (If-None-Match answers 304), and when asked with ?hash=H also with `Cache-Control:
 * public, immutable` and an Expires a year ahead; a stale hash is a 301 to the current
 * URL. A group-version document holds its paths (discovery_openapi_gv) and every schema
 * its kinds reach. /openapi/v2 holds all definitions as JSON; asked for protobuf (kubectl
 * 1.27 and 1.28), it answers an empty openapi_v2.Document (zero bytes), as before.
 *
 * The documents are built once per cluster (cl->openapi) and freed with it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/dbuf.h"
#include "core/embed.h"
#include "core/jwt.h"
#include "kube/crdserve.h"
#include "kube/kube.h"

#define DEFS_PREFIX "#/definitions/"
#define V3_PREFIX "#/components/schemas/"

struct openapi_doc {
	char path[200]; /* "api/v1", "apis/apps/v1", or "" for /openapi/v2 */
	char *text;
	size_t len;
	char etag[129];
};

struct kube_openapi {
	struct openapi_doc *docs; /* the group-versions, then /openapi/v3, then /openapi/v2 */
	size_t n;
	time_t built;
	unsigned long crd_gen; /* crd_generation() when built: rebuilt when CRDs change */
};

#define OBJECT_META "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

/* A custom resource's definition name, as apiextensions-apiserver's OpenAPI builder
 * names it (util.ToRESTFriendlyName of group/version/kind): the group's labels
 * reversed, then version and kind ("acme.example.io" v1 Certificate ->
 * "io.example.acme.v1.Certificate"). 0 or -ENAMETOOLONG. */
static int cr_def_name(const struct kube_resource *res, char *out, size_t len)
{
	size_t pos = 0;
	const char *g = res->group, *end = g + strlen(g);
	out[0] = '\0';
	while (end > g) {
		const char *dot = end;
		while (dot > g && dot[-1] != '.')
			dot--;
		int n = snprintf(out + pos, len - pos, "%.*s.", (int)(end - dot), dot);
		if (n < 0 || (size_t)n >= len - pos)
			return -ENAMETOOLONG;
		pos += (size_t)n;
		end = dot > g ? dot - 1 : g;
	}
	return sfmt(out + pos, len - pos, "%s.%s", res->version, res->kind);
}

/* A custom resource's definition (the v2 form, "#/definitions/" references), as the
 * builder's buildKubeNative makes it: the CRD's schema with metadata a reference to
 * ObjectMeta, apiVersion and kind described, and x-kubernetes-group-version-kind.
 * NULL when out of memory. */
static json_t *cr_definition(const struct kube_resource *res)
{
	const json_t *schema = crd_schema(res);
	json_t *d = json_is_object(schema) ? json_deep_copy(schema)
					   : json_pack("{s:s}", "type", "object");
	json_t *props = json_object_get(d, "properties");
	if (!d)
		return NULL;
	if (json_is_object(props)) {
		json_object_set_new(
			props, "apiVersion",
			json_pack(
				"{s:s, s:s}", "description",
				"APIVersion defines the versioned schema of this representation of "
				"an "
				"object. Servers should convert recognized schemas to the latest "
				"internal value, and may reject unrecognized values. More info: "
				"https://git.k8s.io/community/contributors/devel/sig-architecture/"
				"api-conventions.md#resources",
				"type", "string"));
		json_object_set_new(
			props, "kind",
			json_pack(
				"{s:s, s:s}", "description",
				"Kind is a string value representing the REST resource this object "
				"represents. Servers may infer this from the endpoint the client "
				"submits requests to. Cannot be updated. In CamelCase. More info: "
				"https://git.k8s.io/community/contributors/devel/sig-architecture/"
				"api-conventions.md#types-kinds",
				"type", "string"));
		json_object_set_new(
			props, "metadata",
			json_pack(
				"{s:s, s:[{s:s}]}", "description",
				"Standard object's metadata. More info: "
				"https://git.k8s.io/community/contributors/devel/sig-architecture/"
				"api-conventions.md#metadata",
				"allOf", "$ref", DEFS_PREFIX OBJECT_META));
	}
	json_object_set_new(d, "x-kubernetes-group-version-kind",
			    json_pack("[{s:s, s:s, s:s}]", "group", res->group, "version",
				      res->version, "kind", res->kind));
	return d;
}

/* Adds name and every definition it reaches to want (a set: name -> true). */
static void reach(const json_t *defs, const json_t *v, json_t *want)
{
	const char *k;
	json_t *x;
	size_t i;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) reach(defs, x, want);
		return;
	}
	if (!json_is_object(v))
		return;
	json_object_foreach((json_t *)v, k, x)
	{
		const char *ref = json_string_value(x);
		if (strcmp(k, "$ref") == 0 && ref && strncmp(ref, DEFS_PREFIX, 14) == 0) {
			const char *name = ref + 14;
			if (!json_object_get(want, name) && json_object_get(defs, name)) {
				json_object_set_new(want, name, json_true());
				reach(defs, json_object_get(defs, name), want);
			}
		} else {
			reach(defs, x, want);
		}
	}
}

/* A deep copy of a schema with "#/definitions/X" refs as "#/components/schemas/X". */
static json_t *v3_copy(const json_t *v)
{
	const char *k;
	json_t *x;
	if (json_is_object(v)) {
		json_t *o = json_object();
		json_object_foreach((json_t *)v, k, x)
		{
			const char *ref = json_string_value(x);
			json_t *c;
			if (strcmp(k, "$ref") == 0 && ref && strncmp(ref, DEFS_PREFIX, 14) == 0) {
				char buf[512];
				c = sfmt(buf, sizeof(buf), V3_PREFIX "%s", ref + 14) == 0
					    ? json_string(buf)
					    : NULL;
			} else {
				c = v3_copy(x);
			}
			if (!o || !c || json_object_set_new(o, k, c)) {
				json_decref(o);
				return NULL;
			}
		}
		return o;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *a = json_array();
		json_array_foreach(v, i, x)
		{
			if (!a || json_array_append_new(a, v3_copy(x))) {
				json_decref(a);
				return NULL;
			}
		}
		return a;
	}
	return json_deep_copy(v);
}

static int doc_set(struct openapi_doc *d, const char *path, json_t *j, size_t flags)
{
	char *s = j ? json_dumps(j, JSON_COMPACT | flags) : NULL;
	json_decref(j);
	if (!s || sfmt(d->path, sizeof(d->path), "%s", path) < 0) {
		free(s);
		return -ENOMEM;
	}
	d->text = s;
	d->len = strlen(s);
	sha512_hex_upper(s, d->len, d->etag);
	return 0;
}

/* The document of group/version: its paths and the schemas its kinds reach. */
static json_t *gv_doc(const json_t *data, const char *group, const char *version)
{
	const json_t *defs = json_object_get(data, "definitions");
	const json_t *kinds = json_object_get(data, "kinds");
	json_t *doc = discovery_openapi_gv(group, version);
	json_t *schemas = json_object_get(json_object_get(doc, "components"), "schemas");
	json_t *want = json_object();
	size_t n;
	const struct kube_resource *rs = kube_resources(&n);
	if (!doc || !schemas || !want)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		char key[300];
		if (strcmp(rs[i].group, group) != 0 || strcmp(rs[i].version, version) != 0 ||
		    sfmt(key, sizeof(key), "%s/%s/%s", group, version, rs[i].kind) < 0)
			continue;
		const char *name = json_string_value(json_object_get(kinds, key));
		char cr[400];
		if (crd_schema(&rs[i]) && cr_def_name(&rs[i], cr, sizeof(cr)) == 0) {
			/* a custom resource: its schema, and the ObjectMeta it refers to */
			json_t *d = cr_definition(&rs[i]);
			if (!d || json_object_set_new(schemas, cr, v3_copy(d))) {
				json_decref(d);
				goto fail;
			}
			json_decref(d);
			name = OBJECT_META;
		}
		if (name && json_object_get(defs, name) && !json_object_get(want, name)) {
			json_object_set_new(want, name, json_true());
			reach(defs, json_object_get(defs, name), want);
		}
	}
	const char *k;
	json_t *x;
	json_object_foreach(want, k, x)
	{
		if (json_object_set_new(schemas, k, v3_copy(json_object_get(defs, k))))
			goto fail;
	}
	json_decref(want);
	return doc;
fail:
	json_decref(want);
	json_decref(doc);
	return NULL;
}

static int build_gvs(struct kube_openapi *o, const json_t *data, json_t *root_paths)
{
	size_t n;
	const struct kube_resource *rs = kube_resources(&n);
	for (size_t i = 0; i < n; i++) {
		char p[200], url[400];
		if (discovery_gv_path(rs[i].group, rs[i].version, p, sizeof(p)) < 0)
			return -ENAMETOOLONG;
		if (json_object_get(root_paths, p))
			continue;
		struct openapi_doc *d = &o->docs[o->n];
		if (doc_set(d, p, gv_doc(data, rs[i].group, rs[i].version), JSON_PRESERVE_ORDER))
			return -ENOMEM;
		o->n++;
		if (sfmt(url, sizeof(url), "/openapi/v3/%s?hash=%s", p, d->etag) < 0 ||
		    json_object_set_new(root_paths, p,
					json_pack("{s:s}", "serverRelativeURL", url)))
			return -ENOMEM;
	}
	return 0;
}

static struct kube_openapi *build(void)
{
	size_t n;
	kube_resources(&n);
	struct kube_openapi *o = calloc(1, sizeof(*o));
	json_t *data = json_loadb(embed_kube_openapi_json, EMBED_LEN(kube_openapi_json), 0, NULL);
	json_t *root_paths = json_object();
	if (!o || !data || !root_paths || !(o->docs = calloc(n + 2, sizeof(*o->docs))))
		goto fail;
	o->built = time(NULL);
	o->crd_gen = crd_generation();
	if (build_gvs(o, data, root_paths))
		goto fail;
	if (doc_set(&o->docs[o->n], "/openapi/v3", json_pack("{s:O}", "paths", root_paths),
		    JSON_SORT_KEYS))
		goto fail;
	o->n++;
	json_t *v2 = json_pack("{s:s, s:{s:s, s:s}, s:{}, s:O}", "swagger", "2.0", "info", "title",
			       "Kubernetes", "version", "v1.30.5", "paths", "definitions",
			       json_object_get(data, "definitions"));
	/* (v2's definitions are data's: the custom resources' join them) */
	json_t *v2defs = json_object_get(v2, "definitions");
	const struct kube_resource *rs = kube_resources(&n);
	for (size_t i = 0; v2defs && i < n; i++) {
		char cr[400];
		if (crd_schema(&rs[i]) && cr_def_name(&rs[i], cr, sizeof(cr)) == 0)
			json_object_set_new(v2defs, cr, cr_definition(&rs[i]));
	}
	if (doc_set(&o->docs[o->n], "/openapi/v2", v2, JSON_SORT_KEYS))
		goto fail;
	o->n++;
	json_decref(root_paths);
	json_decref(data);
	return o;
fail:
	json_decref(root_paths);
	json_decref(data);
	if (o) {
		for (size_t i = 0; i < o->n; i++)
			free(o->docs[i].text);
		free(o->docs);
		free(o);
	}
	return NULL;
}

void openapi_forget(struct kube_cluster *cl)
{
	struct kube_openapi *o = cl ? cl->openapi : NULL;
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++)
		free(o->docs[i].text);
	free(o->docs);
	free(o);
	cl->openapi = NULL;
}

static const struct openapi_doc *find(const struct kube_openapi *o, const char *path)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->docs[i].path, path) == 0)
			return &o->docs[i];
	return NULL;
}

/* http.ServeContent's part: Etag, Last-Modified, 304 on a matching If-None-Match. */
static void serve_doc(struct http_req *r, const struct kube_openapi *o, const struct openapi_doc *d,
		      const char *content_type)
{
	char etag[140], lm[64];
	struct tm tm;
	sfmt(etag, sizeof(etag), "\"%s\"", d->etag);
	http_add_header(r, "Etag", etag);
	if (gmtime_r(&o->built, &tm) && strftime(lm, sizeof(lm), "%a, %d %b %Y %H:%M:%S GMT", &tm))
		http_add_header(r, "Last-Modified", lm);
	const char *inm = http_header(r, "If-None-Match");
	if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0)) {
		http_reply(r, 304, NULL, NULL, 0);
		return;
	}
	http_reply(r, 200, content_type, d->text, d->len);
}

/* /openapi/v3/<gv>: JSON only (a client that accepts only protobuf gets 406). */
static void serve_gv(struct http_req *r, const struct kube_openapi *o, const struct openapi_doc *d)
{
	const char *accept = http_header(r, "Accept");
	http_add_header(r, "Vary", "Accept");
	if (accept && *accept && !strstr(accept, "json") && !strstr(accept, "*/*") &&
	    !strstr(accept, "application/*")) {
		http_reply(r, 406, NULL, NULL, 0);
		return;
	}
	const char *hash = http_query(r, "hash");
	if (hash && *hash) {
		if (strcmp(hash, d->etag) != 0) {
			char url[400];
			if (sfmt(url, sizeof(url), "/openapi/v3/%s?hash=%s", d->path, d->etag) == 0)
				http_add_header(r, "Location", url);
			http_reply(r, 301, NULL, NULL, 0);
			return;
		}
		char exp[64];
		time_t later = time(NULL) + 365 * 24 * 3600;
		struct tm tm;
		http_add_header(r, "Cache-Control", "public, immutable");
		/* Go's time.RFC1123 of the server's local time, UTC here */
		if (gmtime_r(&later, &tm) &&
		    strftime(exp, sizeof(exp), "%a, %d %b %Y %H:%M:%S UTC", &tm))
			http_add_header(r, "Expires", exp);
	}
	serve_doc(r, o, d, "application/json");
}

int openapi_serve(struct kube_cluster *cl, struct http_req *r)
{
	const char *p = r->path;
	if (cl->openapi && cl->openapi->crd_gen != crd_generation())
		openapi_forget(cl); /* a CRD changed: its schemas with it */
	if (!cl->openapi)
		cl->openapi = build();
	struct kube_openapi *o = cl->openapi;
	if (!o) {
		kube_reply_status(r, 500, "InternalError",
				  "the OpenAPI documents could not be built", NULL);
		return 1;
	}
	if (strcmp(p, "/openapi/v2") == 0) {
		const char *accept = http_header(r, "Accept");
		if (accept && strstr(accept, "protobuf")) {
			http_reply(r, 200,
				   "application/com.github.proto-openapi.spec.v2.v1.0+protobuf", "",
				   0);
			return 1;
		}
		serve_doc(r, o, find(o, "/openapi/v2"), "application/json");
		return 1;
	}
	if (strcmp(p, "/openapi/v3") == 0 || strcmp(p, "/openapi/v3/") == 0) {
		serve_doc(r, o, find(o, "/openapi/v3"), "application/json");
		return 1;
	}
	if (strncmp(p, "/openapi/v3/", 12) != 0)
		return 0;
	const struct openapi_doc *d = find(o, p + 12);
	if (!d || d->path[0] == '/')
		return 0;
	serve_gv(r, o, d);
	return 1;
}
