/*
 * patch.h - the three patch formats of Kubernetes' PATCH verb:
 *   JSON merge patch (RFC 7386, application/merge-patch+json),
 *   JSON patch (RFC 6902, application/json-patch+json),
 *   strategic merge patch (application/strategic-merge-patch+json): a merge patch
 *   whose lists merge by key where the upstream Go types say so (patchStrategy
 *   "merge", patchMergeKey), with the $patch, $setElementOrder, $retainKeys and
 *   $deleteFromPrimitiveList directives.
 * Inputs are borrowed and never modified; results are new references. Patches come
 * from the network: every type is checked, depth is bounded, nothing crashes.
 */
#ifndef GKEID_PATCH_H
#define GKEID_PATCH_H

#include <jansson.h>
#include <stddef.h>

/* RFC 7386. *out gets the patched document. 0 or -ENOMEM. */
int patch_merge(const json_t *doc, const json_t *patch, json_t **out);

/* RFC 6902: patch must be an array of operations. 0; -EINVAL for a malformed patch
 * or an operation that cannot apply (message in err, as evanphx/json-patch words it);
 * -ECANCELED for a failed "test"; -ENOMEM. */
int patch_json(const json_t *doc, const json_t *patch, json_t **out, char *err,
	       size_t err_len);

/* Strategic merge patch for an object of kind (group "" for core). Kinds without a
 * schema here merge as JSON merge patch does (lists replaced). 0, -EINVAL (message in
 * err), -ENOMEM. */
int patch_strategic(const json_t *doc, const json_t *patch, const char *group,
		    const char *kind, json_t **out, char *err, size_t err_len);

#endif
