/*
 * mdpath.h - the metadata server's request target, read without any I/O: the path
 * decoded and classified as GKE's metadata server routes it, and the query's
 * parameters (recursive, alt, scopes, audience, format, wait_for_change, last_etag,
 * timeout_sec) with their bounds. metadata.c answers from the result;
 * fuzz/fuzz_metadata_path.c feeds it arbitrary bytes.
 */
#ifndef GKEID_MDPATH_H
#define GKEID_MDPATH_H

#include <stddef.h>
#include <stdint.h>

#define MD_AUDIENCE_MAX 2048
#define MD_SCOPES_MAX 8192
#define MD_WAIT_MAX_SECONDS 3600

enum md_target {
	MD_T_ROOT,	  /* "/" */
	MD_T_CONCEALED,	  /* v1beta1, 0.1, kube-env, kubelet-config: 403 */
	MD_T_CM_REDIRECT, /* "/computeMetadata": 301 to "/computeMetadata/" */
	MD_T_CM_DIR,	  /* "/computeMetadata/": "v1/" */
	MD_T_NOT_FOUND,	  /* outside /computeMetadata/v1 */
	MD_T_V1_REDIRECT, /* "/computeMetadata/v1": 301 to ".../v1/" */
	MD_T_V1,	  /* below /computeMetadata/v1/: rel and dir */
};

struct md_path {
	char *path; /* decoded, NUL-free, starts with '/' (malloc'd) */
	enum md_target t;
	char *rel; /* MD_T_V1: the path below /computeMetadata/v1/ without its final '/'
		      (malloc'd; NULL otherwise) */
	int dir;   /* MD_T_V1: the path ended in '/' */
};

/* Decodes and classifies raw_path (as sent, before percent-decoding). 0; -EINVAL for a
 * missing path, one that decodes to a NUL or does not start with '/' (400 "malformed
 * path"); -ENOMEM. p is filled (and must be freed) only on 0. */
int md_path_parse(const char *raw_path, struct md_path *p);
void md_path_free(struct md_path *p);

enum md_alt { MD_ALT_DEFAULT, MD_ALT_JSON, MD_ALT_TEXT };

struct md_query {
	int recursive;
	enum md_alt alt;
	char *scopes;	/* NULL: the default scopes (malloc'd) */
	char *audience; /* NULL: none (malloc'd) */
	int have_audience, full, bad_format;
	int wait;
	char last_etag[80];
	int64_t wait_s; /* timeout_sec, at most MD_WAIT_MAX_SECONDS; 0: not given */
};

/* Reads a raw query (NULL: none) into q. 0; or -EINVAL / -ENOMEM with *status and *text
 * (GKE's wording, ending in a newline) to answer with; q then holds nothing to free. */
int md_query_parse(const char *query, struct md_query *q, int *status, const char **text);
void md_query_free(struct md_query *q);

#endif
