/*
 * fuzz_route.c - libFuzzer target for http_match, the route pattern matcher that every
 * request path goes through: the input is split at its first newline into a pattern
 * and a path (both untrusted here), and every capture must lie inside the path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *nl = strchr(buf, '\n');
	const char *pattern = buf, *path = "";
	if (nl) {
		*nl = '\0';
		path = nl + 1;
	}
	const char *names[HTTP_MAX_PARAMS];
	char *values[HTTP_MAX_PARAMS];
	size_t n = 0;
	if (http_match(pattern, path, names, values, &n)) {
		for (size_t i = 0; i < n; i++) {
			if (strlen(values[i]) > strlen(path))
				abort();
			free(values[i]);
		}
	}
	free(buf);
	return 0;
}
