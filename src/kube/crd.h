/*
 * crd.h - CustomResourceDefinitions (apiextensions.k8s.io/v1) as pure functions over
 * jansson values: a CRD's defaults, validation and status as kube-apiserver's
 * apiextensions-apiserver (v0.30) gives them, and for its custom resources the
 * structural schema's pruning, defaulting and validation, the Table columns of
 * additionalPrinterColumns, and the merge types that server-side apply uses.
 *
 * Errors are appended to an array of {"field", "reason", "body"} objects, the form of
 * k8s.io/apimachinery's field.Error (body is ErrorBody(): "Invalid value: ..."), which
 * registry.c turns into a 422 Invalid Status. Inputs come from the network: every
 * walk is bounded by CRD_MAX_DEPTH, and values of the wrong JSON type are errors, never
 * crashes.
 */
#ifndef GKEID_KUBE_CRD_H
#define GKEID_KUBE_CRD_H

#include <jansson.h>

#define CRD_MAX_DEPTH 128

/* --- the CRD itself --- */

/* SetDefaults_CustomResourceDefinition(Spec): names.singular (the kind in lower case),
 * names.listKind (kind + "List"), conversion {"strategy": "None"}, a column's priority.
 * crd is modified. */
void crd_defaults(json_t *crd);

/* ValidateCustomResourceDefinition (a subset: the name, group, scope, names, versions,
 * the storage version, schemas present and of type object at the root, printer
 * columns' types). Appends to errs. */
void crd_validate(const json_t *crd, json_t *errs);

/* The status a new or changed CRD gets once its names are accepted: conditions
 * NamesAccepted and Established (True, with upstream's reasons and messages, time now
 * in RFC 3339), acceptedNames, storedVersions (kept from old, plus the storage version).
 * crd is modified; old may be NULL. 0 or -ENOMEM. */
int crd_set_status(json_t *crd, const json_t *old, const char *now);

/* The entry of spec.versions named version that is served, or NULL. */
const json_t *crd_version(const json_t *crd, const char *version);
/* The Warning text of a request to a served version that is deprecated, as
 * apiextensions-apiserver's crdHandler adds it (customresource_handler.go): the
 * version's deprecationWarning, or defaultDeprecationWarning's "G/V Kind is deprecated"
 * with "; use G/V2 Kind" for the newest served version that is not deprecated and is
 * newer in kube-aware order. malloc'd; NULL when there is none (not deprecated, an
 * empty deprecationWarning, or no memory). */
char *crd_deprecation_warning(const json_t *crd, const char *version);
/* The storage version's name, or NULL. */
const char *crd_storage_version(const json_t *crd);

/* --- custom resources --- */

/* Drops every field the schema (a version's schema.openAPIV3Schema) does not declare,
 * except under x-kubernetes-preserve-unknown-fields, and apiVersion, kind and metadata
 * at the root and in embedded resources. obj is modified. */
void crd_prune(json_t *obj, const json_t *schema);

/* Sets the schema's defaults where obj lacks the field (top down: a default is
 * defaulted further). obj is modified. 0 or -ENOMEM. */
int crd_default(json_t *obj, const json_t *schema);

/* Validates obj against the schema as kube-openapi's validator words it
 * ("spec.replicas in body must be of type integer: \"string\"", Required value,
 * Unsupported value, minimum, maximum, lengths, item counts, pattern). Appends to errs. */
void crd_validate_object(const json_t *obj, const json_t *schema, json_t *errs);

/* The Table columns of a version: Name, then additionalPrinterColumns, or Age when it
 * has none: [{"name", "type", "format", "description", "priority", "jsonPath"}]. New
 * reference, NULL when out of memory. */
json_t *crd_columns(const json_t *version);

/* The value at a printer column's jsonPath in obj (".spec.replicas",
 * ".status.conditions[0].type", ".status.conditions[?(@.type==\"Ready\")].status"), or
 * NULL when there is none. Borrowed. */
const json_t *crd_cell(const json_t *obj, const char *path);

/* The merge types of a version's schema in data/kube-apply.json's form (see
 * scripts/gen-kube-apply.py): {"types": {TYPE: {field: FIELD}}, "root": TYPE}, TYPE
 * names starting with prefix. New reference or NULL. */
json_t *crd_apply_types(const json_t *schema, const char *prefix);

#endif
