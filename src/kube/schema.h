/*
 * schema.h - the field structure of the built-in kinds (data/kube-schema.json, from
 * Kubernetes 1.30's OpenAPI types) and what kube-apiserver's typed decoding does with
 * it: fields a kind's type does not declare are dropped before an object is stored, and
 * the request's fieldValidation (Ignore, Warn, Strict; Warn when absent) says whether
 * they, and duplicate fields, pass silently, come back as `Warning: 299 - "unknown
 * field \"spec.foo\""` headers, or refuse the request. Maps keep any key, and leaves
 * (strings, numbers, IntOrString, Quantity, date-times, FieldsV1) keep any value.
 *
 * Sources: k8s.io/apiserver/pkg/endpoints/handlers (create.go, update.go, patch.go,
 * rest.go: fieldValidation, transformDecodeError, addStrictDecodingWarnings),
 * k8s.io/apiserver/pkg/endpoints/filters/warning.go (the Warning headers) and
 * sigs.k8s.io/json (the strict decoder's error texts and paths), Kubernetes 1.30.
 */
#ifndef GKEID_KUBE_SCHEMA_H
#define GKEID_KUBE_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

#include "core/http.h"

struct kube_resource;

enum schema_mode { SCHEMA_WARN, SCHEMA_IGNORE, SCHEMA_STRICT };
enum schema_patch { SCHEMA_PATCH_JSON, SCHEMA_PATCH_MERGE, SCHEMA_PATCH_STRATEGIC };

/* The strict decoding errors of one request, in document order, as sigs.k8s.io/json
 * words them (`unknown field "spec.containers[0].foo"`, `duplicate field
 * "metadata.name"`): deduplicated, at most SCHEMA_MAX_ERRORS, as its decoder keeps.
 * Start zeroed; free the texts with schema_errors_free. */
#define SCHEMA_MAX_ERRORS 100
struct schema_errors {
	char *text[SCHEMA_MAX_ERRORS];
	size_t n;
};
void schema_errors_free(struct schema_errors *e);

/* The type name of a kind ("V1Pod" for "", "v1", "Pod"), or NULL when none is known. */
const char *schema_type_of(const char *group, const char *version, const char *kind);

/* Drops from obj, in place, every field that type (a name from schema_type_of) does not
 * declare, at every depth the type describes, and appends an `unknown field` error for
 * each to errs (may be NULL). A value of the wrong JSON type is left alone (the type
 * checks of the caller refuse it). 0 or -ENOMEM. */
int schema_prune(json_t *obj, const char *type, struct schema_errors *errs);

/* The strict errors of JSON text (already accepted by jansson) decoded as type: unknown
 * and duplicate fields in document order, as Go's strict decoder meets them. type is a
 * name from schema_type_of, "*" for an untyped value (a merge patch: duplicates only)
 * or SCHEMA_JSON_PATCH (a JSON patch's operations; each error then starts "json patch
 * "). 0 or -ENOMEM. */
#define SCHEMA_JSON_PATCH "[#JSONPatchOp"
int schema_scan(const char *text, size_t len, const char *type, struct schema_errors *errs);

/* json_loadb that keeps the last of duplicate keys, as Go's decoder does (which would
 * merge two objects under one struct field; here the last wins whole); *dups is set to
 * 1 when the text had any, else 0. NULL with e filled on a parse error. */
json_t *schema_loadb(const char *text, size_t len, int *dups, json_error_t *e);

/* fieldValidation's value: NULL or "" is Warn (the default since 1.27). -EINVAL for a
 * value upstream refuses. */
int schema_mode_parse(const char *v, enum schema_mode *mode);

/* What decoding a request object does: prunes obj (the parsed text, type type) and,
 * unless mode is Ignore, fills errs (duplicates from text when dups). Strict leaves obj
 * as it is: any error refuses it, and without one there is nothing to drop. 0 or
 * -ENOMEM. */
int schema_decode(json_t *obj, const char *type, const char *text, size_t len, int dups,
		  enum schema_mode mode, struct schema_errors *errs);

/* The same for a patch: prunes patched (the result of applying the patch, of type
 * type) after the patch's own errors (text: the patch; its duplicates when dups, and a
 * JSON patch's unknown operation fields). Strict leaves patched as it is. 0 or
 * -ENOMEM. */
int schema_decode_patch(json_t *patched, const char *type, const char *text, size_t len,
			enum schema_patch pt, int dups, enum schema_mode mode,
			struct schema_errors *errs);

/* --- upstream's texts (malloc'd or new references; NULL when out of memory) --- */

/* "strict decoding error: E1, E2" (runtime.strictDecodingError). */
char *schema_strict_text(const struct schema_errors *e);
/* The 400 of a create or update: `Pod in version "v1" cannot be handled as a Pod:
 * strict decoding error: ...` (transformDecodeError). */
char *schema_body_message(const char *kind, const char *version, const struct schema_errors *e);
/* The 422 Status of a patch: `"" is invalid: patch: Invalid value: "<value>": strict
 * decoding error: ...`, where value is the patched object's JSON, or for a strategic
 * merge patch the patch as Go's %+v prints a map. */
json_t *schema_patch_status(const json_t *patched, const json_t *patch, enum schema_patch pt,
			    const struct schema_errors *e);
/* The 422 Status of an unsupported fieldValidation value, about options
 * ("CreateOptions", "UpdateOptions", "PatchOptions"). */
json_t *schema_options_status(const char *options, const char *value);
/* The Warning header values for e, as the apiserver's warning recorder writes them
 * (`299 - "unknown field \"spec.foo\""`; past 4096 runes in all, each is cut to 256
 * runes). Fills hdr (malloc'd, at most SCHEMA_MAX_ERRORS); returns how many. */
size_t schema_warnings(const struct schema_errors *e, char **hdr);
/* Adds the Warning header `299 - "text"` (quotes and backslashes escaped) to the reply
 * unless it has that one already (the warning recorder's dedup). */
void schema_warn(struct http_req *r, const char *text);

/* --- the request side: replies as kube-apiserver does --- */

/* Reads ?fieldValidation= into *mode. An unsupported value is answered 422 Invalid about
 * options and -EINVAL returned. */
int schema_mode(struct http_req *r, const char *options, enum schema_mode *mode);

/* Create and update: schema_decode of body (the request's object of res, parsed from
 * r's body by schema_loadb; dups from there). Warn adds the Warning headers; Strict
 * replies 400 BadRequest and returns -EINVAL. 0 to go on; -ENOMEM (nothing replied). */
int schema_check_body(struct http_req *r, const struct kube_resource *res, json_t *body, int dups,
		      enum schema_mode mode);

/* Patch: schema_decode_patch of patched (patch parsed from r's body; dups from there).
 * Warn adds the Warning headers; Strict replies 422 Invalid and returns -EINVAL. 0 to go
 * on; -ENOMEM (nothing replied). */
int schema_check_patch(struct http_req *r, const struct kube_resource *res, json_t *patched,
		       const json_t *patch, enum schema_patch pt, int dups, enum schema_mode mode);

#endif
