/*
 * mdtree.h - the metadata tree's pure parts (mdtree.c): the service-accounts
 * directory, path walks, recursive JSON, alt=text and directory listings.
 */
#ifndef GKEID_MDTREE_H
#define GKEID_MDTREE_H

#include <jansson.h>

struct evbuffer;

/* The service-accounts directory for an account email: "default" and the email, both
 * the account {aliases, email, scopes (a reference is taken), token: null, identity:
 * null}. New reference, or NULL. */
json_t *md_tree_accounts(const char *email, json_t *scopes);
/* "a b" or "a,b" (NULL: none) to the JSON array ["a", "b"]. New reference, or NULL. */
json_t *md_tree_scopes(const char *spaced);
/* Walks rel ("instance/attributes/cluster-name") down t: borrowed, or NULL when a
 * segment is missing, empty or longer than 399 bytes, or crosses a non-object. */
json_t *md_tree_walk(json_t *t, const char *rel);
/* GCE's recursive JSON of v: keys camelCased ("service-accounts" -> "serviceAccounts")
 * unless keep_keys, and never below "attributes" and "service-accounts"; null (virtual)
 * entries left out. New reference, or NULL (out of memory, or a key of 400 bytes or
 * more). */
json_t *md_tree_recursive(const json_t *v, int keep_keys);
/* alt=text of a recursive directory: a "path value" line per string or integer, arrays
 * one line per element, prefix first ("" at the top). 0, or -ENAMETOOLONG when a path
 * is longer than MD_TREE_PATH_MAX - 1 bytes (b then holds the lines before it). */
#define MD_TREE_PATH_MAX 1024
int md_tree_flatten(struct evbuffer *b, const char *prefix, const json_t *v);
/* A directory listing: entries sorted, directories with '/', "default" first (as GKE
 * lists service accounts); a line each, or one compact JSON array when as_json. */
void md_tree_listing(struct evbuffer *b, const json_t *dir, int as_json);

#endif
