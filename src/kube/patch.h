/*
 * patch.h - the three patch formats of Kubernetes' PATCH verb:
 *   JSON merge patch (RFC 7386, application/merge-patch+json),
 *   JSON patch (RFC 6902, application/json-patch+json),
 *   strategic merge patch (application/strategic-merge-patch+json): a merge patch
 *   whose lists merge by key where the upstream Go types say so (patchStrategy
 *   "merge", patchMergeKey), with the $patch, $setElementOrder, $retainKeys and
 *   $deleteFromPrimitiveList directives.
 * Inputs are borrowed and never modified; results are new references. Patches come
 * from the network: every type is checked, nesting and work are bounded (the limits
 * below), nothing crashes.
 */
#ifndef GKEID_PATCH_H
#define GKEID_PATCH_H

#include <jansson.h>
#include <stddef.h>

/*
 * Limits, as kube-apiserver has them (the fix for CVE-2019-1002100):
 * - PATCH_MAX_OPERATIONS: maxJSONPatchOperations in
 *   k8s.io/apiserver/pkg/endpoints/handlers/patch.go; more operations get 413
 *   RequestEntityTooLarge "The allowed maximum operations in a JSON patch is 10000, got N".
 * - PATCH_MAX_COPY_BYTES: JSONPatchMaxCopyBytes (k8s.io/apiserver/pkg/server/config.go,
 *   3 MiB), which becomes evanphx/json-patch's AccumulatedCopySizeLimit: the encoded size
 *   of all values that "copy" operations duplicate, counted before each copy is made.
 * - PATCH_MAX_DEPTH: how many arrays and objects may be open at once in a request body,
 *   a patch or a patched object. kube-apiserver's JSON decoder stops at 10000 (Go's
 *   encoding/json and sigs.k8s.io/json: "invalid character '{' exceeded max depth"), and
 *   its typed decoding bounds built-in kinds far below that by dropping unknown fields.
 *   gkeid stores objects as JSON, so it bounds depth itself, where the clients that read
 *   lists still parse them: jq 1.6 stops at 256 levels, Python's json near 1000.
 */
#define PATCH_MAX_OPERATIONS 10000
#define PATCH_MAX_COPY_BYTES (3 * 1024 * 1024)
#define PATCH_MAX_DEPTH 128

/* Scans JSON text as Go's encoding/json scanner counts nesting (brackets outside
 * strings): -ELOOP when more than PATCH_MAX_DEPTH arrays and objects are open at once,
 * with *open (when not NULL) the bracket that went one level too deep; else 0. The text
 * need not be valid JSON; nothing is allocated. */
int patch_text_depth(const char *text, size_t len, char *open);

/* The same for a parsed value: -ELOOP (*open as above, in iteration order) or 0. The
 * walk stops one level past the limit, so any value is safe to pass. */
int patch_depth(const json_t *v, char *open);

/* RFC 7386. *out gets the patched document. 0; -ELOOP for a patch nested deeper than
 * PATCH_MAX_DEPTH; -ENOMEM. */
int patch_merge(const json_t *doc, const json_t *patch, json_t **out);

/* RFC 6902: patch must be an array of operations. 0; -E2BIG for more than
 * PATCH_MAX_OPERATIONS operations (message in err, as kube-apiserver words it); -EINVAL
 * for a malformed patch, an operation that cannot apply, copies beyond
 * PATCH_MAX_COPY_BYTES, or a result nested deeper than PATCH_MAX_DEPTH (message in err,
 * as evanphx/json-patch words it); -ECANCELED for a failed "test"; -ENOMEM. */
int patch_json(const json_t *doc, const json_t *patch, json_t **out, char *err, size_t err_len);

/* Strategic merge patch for an object of kind (group "" for core). Kinds without a
 * schema here merge as JSON merge patch does (lists replaced). 0, -EINVAL (message in
 * err), -ELOOP for a patch nested deeper than PATCH_MAX_DEPTH, -ENOMEM. */
int patch_strategic(const json_t *doc, const json_t *patch, const char *group, const char *kind,
		    json_t **out, char *err, size_t err_len);

#endif
