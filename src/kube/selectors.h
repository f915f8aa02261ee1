/*
 * selectors.h - Kubernetes label and field selectors: parsing (the syntax of
 * k8s.io/apimachinery/pkg/labels and pkg/fields), matching against objects, and the
 * per-kind field selector support kube-apiserver has (pods: spec.nodeName,
 * status.phase, ...; events: involvedObject.*; secrets: type).
 *
 * A selector is parsed once per request and matched against many objects; it owns
 * its strings. Error messages are written as kube-apiserver words them, for a 400
 * BadRequest Status.
 */
#ifndef GKEID_SELECTORS_H
#define GKEID_SELECTORS_H

#include <jansson.h>
#include <stddef.h>

struct selector;

/* Parses a label selector ("a=b,c!=d,e in (f,g),!h,i"). NULL or "" selects
 * everything (*out is then an empty selector, never NULL on success).
 * Returns 0, -EINVAL (message in err), or -ENOMEM. */
int selector_parse_labels(const char *s, struct selector **out, char *err, size_t err_len);
/* Parses a field selector ("metadata.name=x,status.phase!=Running") and checks its
 * fields against what kind supports (kind as the resource's Kind, group its API group;
 * NULL kind accepts any field). Returns 0, -EINVAL (message in err), or -ENOMEM. */
int selector_parse_fields(const char *s, const char *group, const char *kind,
			  struct selector **out, char *err, size_t err_len);
void selector_free(struct selector *sel);
/* 1 when the field selector text s holds the requirement field=value (or field==value),
 * so that everything it selects has that value: what the Node authorizer reads from a
 * list's fieldSelector (attrs.GetFieldSelector()). 0 otherwise, and for text that does
 * not parse. The field is taken as written (no per-kind aliases such as spec.host). */
int selector_fields_require(const char *s, const char *field, const char *value);

/* 1 when the selector selects everything. */
int selector_empty(const struct selector *sel);

/* Label selectors: 1 when the labels object (may be NULL) matches. */
int selector_match_labels(const struct selector *sel, const json_t *labels);
/* Field selectors: 1 when the object matches. */
int selector_match_fields(const struct selector *sel, const json_t *obj);

/* A label selector object ({matchLabels, matchExpressions}, as in NetworkPolicy's
 * podSelector) as text, as metav1.FormatLabelSelector prints it ("<none>" when empty).
 * Writes at most len bytes (NUL included). */
void selector_format_label_selector(const json_t *sel, char *out, size_t len);

/* The value of a supported field of obj as a string (metadata.name, spec.nodeName,
 * involvedObject.kind, ...); "" when absent. Writes into buf (len bytes). */
const char *selector_field_value(const json_t *obj, const char *field, char *buf, size_t len);

#endif
