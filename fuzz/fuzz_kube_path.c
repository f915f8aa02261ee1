/*
 * fuzz_kube_path.c - libFuzzer target for kube_parse_path, the Kubernetes request-path
 * parser (RequestInfo) every API request goes through. The input is three lines: the
 * method, the URL path, the query string (parsed by libevent as evhttp does). Every field
 * of kube_attrs must stay NUL-terminated inside its array, a path that parses must be
 * kept whole, and a namespace, name, resource or subresource is one path segment.
 *   make build/fuzz/fuzz_kube_path && build/fuzz/fuzz_kube_path fuzz/corpus/kube_path
 */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kube/kube.h"

#define TERMINATED(field) (memchr((field), '\0', sizeof(field)) != NULL)

static void check_segment(const char *s, size_t cap)
{
	if (!memchr(s, '\0', cap) || strchr(s, '/'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kube_attrs a;
	struct evkeyvalq q;
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *method = buf, *path = strchr(buf, '\n'), *query = NULL;
	if (path) {
		*path++ = '\0';
		query = strchr(path, '\n');
		if (query)
			*query++ = '\0';
	} else {
		path = buf + size;
	}
	TAILQ_INIT(&q);
	int have_query = query && evhttp_parse_query_str(query, &q) == 0;
	int rc = kube_parse_path(method, path, have_query ? &q : NULL, &a);
	if (!TERMINATED(a.verb) || !TERMINATED(a.group) || !TERMINATED(a.version) ||
	    !TERMINATED(a.path))
		abort();
	check_segment(a.resource, sizeof(a.resource));
	check_segment(a.subresource, sizeof(a.subresource));
	check_segment(a.namespace_, sizeof(a.namespace_));
	check_segment(a.name, sizeof(a.name));
	if (rc == 0 && strcmp(a.path, path) != 0)
		abort();
	if (rc == 0 && a.resource_request && !a.version[0])
		abort();
	/* the same path without a query parses the same way or fails the same way */
	struct kube_attrs b;
	if ((kube_parse_path(method, path, NULL, &b) == 0) != (rc == 0))
		abort();
	evhttp_clear_headers(&q);
	free(buf);
	return 0;
}
