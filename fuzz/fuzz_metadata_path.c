/*
 * fuzz_metadata_path.c - libFuzzer target for the metadata server's request target
 * (node/mdpath.c): the input, split at its first '?', is a raw path and a raw query as
 * a pod may send them. The path must decode and classify without fault, a path below
 * /computeMetadata/v1/ must yield a relative path that lies inside it and never ends in
 * '/', and the query's values must stay within their bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/mdpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *query = strchr(buf, '?');
	if (query)
		*query++ = '\0';

	struct md_path p;
	if (md_path_parse(buf, &p) == 0) {
		size_t pl = strlen(p.path);
		if (p.path[0] != '/')
			abort();
		if (p.t == MD_T_V1 || p.t == MD_T_V1_REDIRECT) {
			/* rel (and the '/' that made it a directory) ends the path, after
			 * "/computeMetadata/v1/" */
			size_t rl = strlen(p.rel), tl = rl + (p.dir ? 1 : 0);
			if (strncmp(p.path, "/computeMetadata/v1", 19) != 0 || tl + 19 > pl)
				abort();
			const char *tail = p.path + pl - tl;
			if (memcmp(tail, p.rel, rl) != 0 || (p.dir && tail[rl] != '/'))
				abort();
			if (p.t == MD_T_V1_REDIRECT && (rl || p.dir))
				abort();
		} else if (p.rel) {
			abort();
		}
		md_path_free(&p);
	}

	struct md_query q;
	int status = 0;
	const char *text = NULL;
	if (md_query_parse(query, &q, &status, &text) == 0) {
		if ((q.scopes && strlen(q.scopes) >= MD_SCOPES_MAX) ||
		    (q.audience && strlen(q.audience) > MD_AUDIENCE_MAX) ||
		    q.have_audience != (q.audience != NULL) || q.wait_s < 0 ||
		    q.wait_s > MD_WAIT_MAX_SECONDS || strlen(q.last_etag) >= sizeof(q.last_etag))
			abort();
		md_query_free(&q);
	} else if (!text || (status != 400 && status != 500) || text[strlen(text) - 1] != '\n') {
		abort();
	}
	free(buf);
	return 0;
}
