/*
 * iamcredentials.h - the decide step of the IAM Credentials API (iamcredentials.c),
 * apart from HTTP so that tests can run it: may a caller act as a service account,
 * directly or through a chain of delegates?
 */
#ifndef GKEID_IAMCREDENTIALS_H
#define GKEID_IAMCREDENTIALS_H

#include <jansson.h>
#include <stddef.h>

#include "cloud/cloud.h"

#define PERM_DELEGATE "iam.serviceAccounts.implicitDelegation"

/* A service account resolved from a request, with its project. */
struct iamcred_target {
	json_t *sa; /* the stored service account (owned; NULL in a target made by hand) */
	const char *email;
	const char *unique_id;
	char project[128];
};

/* The decision of every method: who needs permission on t (or its project); with
 * delegates chain[0..n-1], who needs implicitDelegation on chain[0], each chain[i] on
 * chain[i+1], and the last one permission on t. Only t's and the chain's email and
 * project are read. 0; -EACCES with *denied the permission that is missing (Google names
 * it in the 403); -ENOMEM. */
int iamcredentials_decide(struct cloud *c, const struct caller *who, const struct iamcred_target *t,
			  const struct iamcred_target *chain, size_t n, const char *permission,
			  const char **denied);

#endif
