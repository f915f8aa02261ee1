/*
 * groups.c - Google group membership for IAM checks (iam_group_has, iam_priv.h). Google
 * groups (Cloud Identity) are not modelled yet, so a group: member matches no one; the
 * group directory resolves (group email, principal) here when it is.
 */
#include "iam/iam_priv.h"

int iam_group_has(const struct iam *iam, const char *group, const struct iam_principal *p)
{
	(void)iam;
	(void)group;
	(void)p;
	return 0;
}
