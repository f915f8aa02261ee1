/*
 * mdpath.c - the metadata server's path and query, parsed without I/O (see mdpath.h).
 */
#include "node/mdpath.h"

#include <errno.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

static const char v1[] = "/computeMetadata/v1";

static enum md_target classify(const char *path)
{
	if (strcmp(path, "/") == 0)
		return MD_T_ROOT;
	int legacy_api = strncmp(path, "/computeMetadata/v1beta1", 24) == 0 ||
			 strncmp(path, "/0.1/", 5) == 0 || strcmp(path, "/0.1") == 0;
	if (legacy_api || strstr(path, "/attributes/kube-env") ||
	    strstr(path, "/attributes/kubelet-config"))
		return MD_T_CONCEALED;
	if (strcmp(path, "/computeMetadata") == 0)
		return MD_T_CM_REDIRECT;
	if (strcmp(path, "/computeMetadata/") == 0)
		return MD_T_CM_DIR;
	if (strncmp(path, v1, sizeof(v1) - 1) != 0 ||
	    (path[sizeof(v1) - 1] != '\0' && path[sizeof(v1) - 1] != '/'))
		return MD_T_NOT_FOUND;
	return MD_T_V1;
}

int md_path_parse(const char *raw_path, struct md_path *p)
{
	size_t plen = 0;
	memset(p, 0, sizeof(*p));
	if (!raw_path)
		return -EINVAL;
	char *path = evhttp_uridecode(raw_path, 0, &plen);
	if (!path)
		return -ENOMEM;
	if (plen != strlen(path) || path[0] != '/') {
		free(path);
		return -EINVAL;
	}
	p->path = path;
	p->t = classify(path);
	if (p->t != MD_T_V1)
		return 0;
	const char *rel = path + sizeof(v1) - 1;
	if (*rel == '/')
		rel++;
	size_t rl = strlen(rel);
	p->dir = rl == 0 ? path[sizeof(v1) - 1] == '/' : rel[rl - 1] == '/';
	p->rel = strdup(rel);
	if (!p->rel) {
		md_path_free(p);
		return -ENOMEM;
	}
	if (p->dir && rl > 0)
		p->rel[rl - 1] = '\0';
	if (rl == 0 && !p->dir)
		p->t = MD_T_V1_REDIRECT; /* "/computeMetadata/v1" */
	return 0;
}

void md_path_free(struct md_path *p)
{
	free(p->path);
	free(p->rel);
	p->path = p->rel = NULL;
}

static int query_true(const char *v)
{
	return v && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

int md_query_parse(const char *query, struct md_query *q, int *status, const char **text)
{
	struct evkeyvalq kv;
	int rc = -EINVAL;
	TAILQ_INIT(&kv);
	memset(q, 0, sizeof(*q));
	*status = 400;
	if (!query)
		return 0;
	if (evhttp_parse_query_str(query, &kv) != 0) {
		*text = "GKE Metadata Server encountered an error: malformed query\n";
		goto out;
	}
	const char *v;
	q->recursive = query_true(evhttp_find_header(&kv, "recursive"));
	v = evhttp_find_header(&kv, "alt");
	if (v && strcmp(v, "json") == 0)
		q->alt = MD_ALT_JSON;
	else if (v && strcmp(v, "text") == 0)
		q->alt = MD_ALT_TEXT;
	const char *scopes = evhttp_find_header(&kv, "scopes");
	if (scopes && strlen(scopes) >= MD_SCOPES_MAX) {
		*text = "GKE Metadata Server encountered an error: scopes too long\n";
		goto out;
	}
	const char *audience = evhttp_find_header(&kv, "audience");
	if (audience && strlen(audience) > MD_AUDIENCE_MAX) {
		*text = "GKE Metadata Server encountered an error: audience too long\n";
		goto out;
	}
	q->have_audience = audience && *audience;
	q->scopes = scopes && *scopes ? strdup(scopes) : NULL;
	q->audience = q->have_audience ? strdup(audience) : NULL;
	if ((scopes && *scopes && !q->scopes) || (q->have_audience && !q->audience)) {
		*status = 500;
		*text = "GKE Metadata Server encountered an error: out of memory\n";
		rc = -ENOMEM;
		goto out;
	}
	v = evhttp_find_header(&kv, "format");
	if (v && strcmp(v, "full") == 0)
		q->full = 1;
	else if (v && *v && strcmp(v, "standard") != 0)
		q->bad_format = 1;
	q->wait = query_true(evhttp_find_header(&kv, "wait_for_change"));
	v = evhttp_find_header(&kv, "last_etag");
	snprintf(q->last_etag, sizeof(q->last_etag), "%s",
		 v && strlen(v) < sizeof(q->last_etag) ? v : "");
	v = evhttp_find_header(&kv, "timeout_sec");
	if (v) {
		char *end;
		long t = strtol(v, &end, 10);
		if (*end || t < 0) {
			*text = "GKE Metadata Server encountered an error: invalid timeout_sec\n";
			goto out;
		}
		q->wait_s = t > MD_WAIT_MAX_SECONDS ? MD_WAIT_MAX_SECONDS : t;
	}
	rc = 0;
out:
	evhttp_clear_headers(&kv);
	if (rc)
		md_query_free(q);
	return rc;
}

void md_query_free(struct md_query *q)
{
	free(q->scopes);
	free(q->audience);
	q->scopes = q->audience = NULL;
}
