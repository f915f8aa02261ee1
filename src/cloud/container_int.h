/*
 * container_int.h - private to the Container API's files: container.c (the request
 * context, the methods and their routes), container_store.c (names, the store, and
 * operations) and container_build.c (building clusters and node pools, seeding and
 * restart). Other modules use container.h.
 */
#ifndef GKEID_CONTAINER_INT_H
#define GKEID_CONTAINER_INT_H

#include "cloud/container.h"

#include <errno.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cloud/cloud.h"
#include "cloud/gerrors.h"
#include "cloud/jsonschema.h"
#include "core/dbuf.h"
#include "core/store.h"

#define SERVICE "container.googleapis.com"
#define GOOGLE "https://container.googleapis.com/v1/"
#define DEFAULT_VERSION "1.30.5-gke.1014001"
#define NAME_RULE                                                                                  \
	"Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?)' (only lowercase "        \
	"alphanumerics and '-' allowed, must start with a letter and end with an "                 \
	"alphanumeric, and must be no longer than 40 characters)."
#define ECHO_MAX 200   /* bytes of client text echoed in an error */
#define POOLS_MAX 100  /* node pools per cluster */
#define NODES_MAX 1000 /* nodes per zone in a node pool */
#define LOCS_MAX 16    /* node locations of a cluster */
#define VERSION_MAX 64 /* bytes of a version string */
#define KEY_MAX 800

/* An error to reply with: HTTP code and Google's message. */
struct gerr {
	int code;
	char msg[1024];
};

/* The project's ID and number. */
struct proj {
	char id[128];
	char num[32];
};

void container_seterr(struct gerr *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void container_reply_err(struct http_req *r, const struct gerr *e);
/* A JSON value as text for an error message ("Invalid value at ... , 5"). */
void container_echo_json(char *dst, size_t cap, const json_t *v);
/* A region or zone: lower-case letters, digits and '-', starting with a letter, with at
 * least one '-', 3..63 bytes ("us-central1", "europe-west4-a"). */
int container_loc_ok(const char *s);
/* "us-central1-a" is a zone; "us-central1" a region. */
int container_is_zone(const char *loc);
/* GKE's cluster and node pool names: (?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?) */
int container_name_ok(const char *s);
/* A path segment that may name something (and be echoed): [A-Za-z0-9._-], 1..100. */
int container_token_ok(const char *s);
/* A GKE version, "1.30.5-gke.1014001", "1.30", "latest" or "-". */
int container_version_ok(const char *s);
/* The version a request asks for, resolved: full GKE versions stay, aliases and
 * prefixes of the default ("1.30", "latest", "-", "") give the default. */
const char *container_version_resolve(const char *v);
/* RFC 3339 now: "2024-05-01T12:34:56+00:00" (resources) or with nanoseconds and "Z"
 * (operations), as GKE writes them. */
void container_stamp(char *buf, size_t len, int nanos);
int container_random_hex(char *buf, size_t nbytes);
json_t *container_load(struct store *s, const char *key, int64_t *create_rev);
int container_proj_of(const json_t *p, struct proj *out);
/* The store key of cluster name in loc of p, into buf: 0 or -ENAMETOOLONG. */
int container_cluster_key(char *buf, size_t len, const struct proj *p, const char *loc,
			  const char *name);
/* The cluster at key with its node pools embedded (creation order) and the counts GKE
 * derives from them; new reference or NULL. */
json_t *container_assemble(struct store *s, const char *key);
/* Writes an assembled cluster: the cluster without its pools, and each pool. */
int container_store_cluster(struct store *s, const char *key, const json_t *cl, int64_t expected);
/* Deletes a cluster and its node pools from the store. */
int container_unstore_cluster(struct store *s, const char *key);
/* A finished operation on target ("clusters/C" or "clusters/C/nodePools/N") in loc,
 * stored for operations.get. failure (may be NULL) fails it with that text.
 * New reference, or NULL. */
json_t *container_op_record(struct cloud *c, const struct proj *p, const char *loc,
			    const char *type, const char *target, const char *failure);
/* Records the operation and replies with it. */
void container_reply_op(struct http_req *r, struct cloud *c, const struct proj *p, const char *loc,
			const char *type, const char *target, const char *failure);
/* The keys of clusters: "/projects/P/locations/L/clusters/C" and nothing deeper. */
int container_is_cluster_key(const char *key, const char *prefix);
/* Checks a workloadMetadataConfig.mode value; field names it in the error. */
int container_mode_ok(const json_t *mode, const char *field, struct gerr *e);
/* A node pool as GKE creates it from a request's NodePool (borrowed). field is the
 * request's path to it for errors ("node_pool", "cluster.node_pools[0]"). cl is the
 * (assembled) cluster it joins. New reference, or NULL with e set. */
json_t *container_pool_build(const struct proj *p, const char *loc, const json_t *cl,
			     const json_t *req, const char *field, struct gerr *e);
/* A cluster as GKE creates it from a request's Cluster (borrowed), with its node pools
 * embedded. New reference, or NULL with e set. */
json_t *container_cluster_build(const struct proj *p, const char *loc, const json_t *req,
				struct gerr *e);
/* Calls the on_cluster hook; a message for the operation when it fails. */
int container_run_hook(struct cloud *c, const char *event, json_t *cl, char *msg, size_t len);
/* Creates a built cluster: the hook first (it fills endpoint and masterAuth), then the
 * store. 0; -EEXIST; -EIO with msg when the hook failed; other -errno. */
int container_create_commit(struct cloud *c, const char *key, json_t *cl, char *msg, size_t len);

#endif
