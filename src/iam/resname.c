/*
 * resname.c - IAM resource names: gkeid's names of the resources it checks ("projects/P",
 * "projects/P/serviceAccounts/E", "projects/P/locations/L/clusters/C", "folders/F",
 * "organizations/O"), Google's full resource names of them
 * (cloud.google.com/iam/docs/full-resource-names), and the chain of resources a check
 * walks. Pure: contract in troubleshoot.h.
 */
#include "iam/troubleshoot.h"

#include "core/dbuf.h"

#include <errno.h>
#include <string.h>

static const struct {
	const char *host;
	const char *prefix; /* the names it holds start so ... */
	const char *infix;  /* ... and hold this after the project (NULL: none) */
} services[] = {
	{"iam.googleapis.com", "projects/", "/serviceAccounts/"},
	{"container.googleapis.com", "projects/", "/locations/"},
	{"cloudresourcemanager.googleapis.com", "projects/", NULL},
	{"cloudresourcemanager.googleapis.com", "folders/", NULL},
	{"cloudresourcemanager.googleapis.com", "organizations/", NULL},
};

/* The service of a resource name, or -1. */
static int service_of(const char *r)
{
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		size_t pl = strlen(services[i].prefix);
		const char *rest = r + pl, *slash;

		if (strncmp(r, services[i].prefix, pl) != 0 || !*rest || *rest == '/')
			continue;
		slash = strchr(rest, '/');
		if (services[i].infix
			    ? slash && !strncmp(slash, services[i].infix, strlen(services[i].infix))
			    : !slash)
			return (int)i;
	}
	return -1;
}

int iam_full_name(const char *resource, char *out, size_t len)
{
	int s = resource ? service_of(resource) : -1;

	if (s < 0)
		return -EINVAL;
	return sfmt(out, len, "//%s/%s", services[s].host, resource);
}

int iam_resource_of(const char *full, char *out, size_t len)
{
	for (size_t i = 0; full && i < sizeof(services) / sizeof(services[0]); i++) {
		size_t hl = strlen(services[i].host);

		if (strncmp(full, "//", 2) != 0 || strncmp(full + 2, services[i].host, hl) != 0 ||
		    full[2 + hl] != '/')
			continue;
		if (service_of(full + 3 + hl) >= 0 &&
		    !strcmp(services[service_of(full + 3 + hl)].host, services[i].host))
			return sfmt(out, len, "%s", full + 3 + hl);
	}
	return -EINVAL;
}

size_t iam_resource_chain(const char *resource, char bufs[2][256], const char *out[2])
{
	const char *slash;
	size_t n = 0;

	if (!resource || sfmt(bufs[0], 256, "%s", resource) < 0)
		return 0;
	out[n++] = bufs[0];
	if (!strncmp(resource, "projects/", 9) && (slash = strchr(resource + 9, '/')) &&
	    sfmt(bufs[1], 256, "%.*s", (int)(slash - resource), resource) == 0)
		out[n++] = bufs[1];
	return n;
}
