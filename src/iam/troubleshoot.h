/*
 * troubleshoot.h - explanations of IAM decisions: the Policy Troubleshooter's answer
 * (troubleshoot.c) and Google's full resource names (resname.c), for the
 * policytroubleshooter API (cloud/troubleshoot.c) and `gkeid explain`.
 */
#ifndef GKEID_IAM_TROUBLESHOOT_H
#define GKEID_IAM_TROUBLESHOOT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct iam;
struct iam_principal;
struct iam_decision;

/* Why p has or lacks permission (v1 form) on resources (gkeid names, most specific first,
 * e.g. {"projects/P/serviceAccounts/E", "projects/P"}) at now_ms: a new
 * {"overallAccessState","allowPolicyExplanation","denyPolicyExplanation"} in the shape of
 * google.cloud.policytroubleshooter.iam.v3.TroubleshootIamPolicyResponse, policies and
 * resources named by gkeid's names (the caller turns them into full names). The verdict
 * is iam_check_explain's, returned in *d too (may be NULL). NULL on bad arguments or no
 * memory. */
json_t *iam_troubleshoot(struct iam *iam, const char *const *resources, size_t n,
			 const struct iam_principal *p, const char *permission, int64_t now_ms,
			 struct iam_decision *d);

/* True when the member string of an allow binding names p. */
int iam_member_names(const struct iam *iam, const char *member, const struct iam_principal *p);

/* Google's full resource name of a gkeid resource name (iam/docs/full-resource-names):
 * "projects/P", "folders/F", "organizations/O" -> "//cloudresourcemanager.googleapis.com/...";
 * "projects/P/serviceAccounts/E" -> "//iam.googleapis.com/..."; "projects/P/locations/L/
 * clusters/C" -> "//container.googleapis.com/...". 0, -EINVAL for another name,
 * -ENAMETOOLONG. */
int iam_full_name(const char *resource, char *out, size_t len);

/* The other way: the resource name of a full name of those services. 0, -EINVAL,
 * -ENAMETOOLONG. */
int iam_resource_of(const char *full_name, char *out, size_t len);

/* The resources a check of resource looks at, as the APIs pass them: the resource, then
 * its project when it is under one ("projects/P/..."). Writes at most 2 into out (each
 * pointing into bufs, which has room for 2 names of len bytes) and returns the number. */
size_t iam_resource_chain(const char *resource, char bufs[2][256], const char *out[2]);

#endif
