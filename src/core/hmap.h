/*
 * hmap.h - a string-keyed open-addressing hash map (FNV-1a, linear probing).
 *
 * For the hot paths that need O(1) lookups: compiled IAM policies, the role catalog,
 * token caches. Keys are copied and owned by the map; values are borrowed pointers
 * (the caller owns what they point to, and frees it before or after hmap_free).
 */
#ifndef GKEID_HMAP_H
#define GKEID_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap;

struct hmap *hmap_new(size_t hint);
void hmap_free(struct hmap *m);
/* Inserts or replaces. Returns 0 or -ENOMEM. */
int hmap_put(struct hmap *m, const char *key, void *value);
/* NULL when absent. */
void *hmap_get(const struct hmap *m, const char *key);
void *hmap_getn(const struct hmap *m, const char *key, size_t len);
/* Removes; returns the old value or NULL. */
void *hmap_del(struct hmap *m, const char *key);
size_t hmap_count(const struct hmap *m);
/* Iterates: *pos starts at 0; returns 1 with *key and *value set, 0 at the end. */
int hmap_next(const struct hmap *m, size_t *pos, const char **key, void **value);
uint64_t hmap_hash(const char *s, size_t len);

#endif
