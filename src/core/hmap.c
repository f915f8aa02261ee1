/*
 * hmap.c - string-keyed open-addressing hash map: FNV-1a 64, linear probing,
 * power-of-two capacity, at most 70% of slots used (live entries plus tombstones).
 *
 * Each slot keeps the full hash and the key length, so a probe compares 8 bytes before
 * it touches a key. The slot index comes from the hash's high bits: FNV-1a's low k bits
 * depend only on the low k bits of each input byte, its high bits on all of them.
 * Deletion leaves a tombstone, so deleting the entry hmap_next just returned is safe;
 * tombstones are dropped whenever the table is rebuilt.
 */
#include "core/hmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MIN_CAP 8
#define MAX_CAP ((size_t)1 << 60)

struct slot {
	uint64_t hash;
	char *key; /* NULL: empty; TOMB: deleted; else owned, NUL-terminated */
	size_t len;
	void *value;
};

struct hmap {
	struct slot *slots;
	size_t cap; /* a power of two */
	unsigned shift; /* 64 - log2(cap) */
	size_t count; /* live entries */
	size_t used;  /* live entries + tombstones */
};

static char tomb_mark;
#define TOMB (&tomb_mark)

uint64_t hmap_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Slots above this many used ones force a rebuild: 70% of cap. */
static size_t limit(size_t cap)
{
	return cap / 10 * 7 + cap % 10 * 7 / 10;
}

static unsigned log2_of(size_t cap)
{
	unsigned k = 0;

	while (((size_t)1 << k) < cap)
		k++;
	return k;
}

/* The smallest capacity that holds n entries under 35% load, so that a rebuilt table
 * takes as many inserts again before the next rebuild. */
static size_t cap_for(size_t n)
{
	size_t cap = MIN_CAP;

	while (cap < MAX_CAP && limit(cap) / 2 < n)
		cap <<= 1;
	return cap;
}

struct hmap *hmap_new(size_t hint)
{
	struct hmap *m = calloc(1, sizeof *m);
	size_t cap = MIN_CAP;

	if (!m)
		return NULL;
	while (cap < MAX_CAP && limit(cap) < hint)
		cap <<= 1;
	m->slots = calloc(cap, sizeof *m->slots);
	if (!m->slots) {
		free(m);
		return NULL;
	}
	m->cap = cap;
	m->shift = 64 - log2_of(cap);
	return m;
}

void hmap_free(struct hmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key && m->slots[i].key != TOMB)
			free(m->slots[i].key);
	free(m->slots);
	free(m);
}

static size_t home(const struct hmap *m, uint64_t hash)
{
	return (size_t)(hash >> m->shift);
}

/* The slot holding key, or NULL. */
static struct slot *find(const struct hmap *m, const char *key, size_t len, uint64_t hash)
{
	size_t mask = m->cap - 1;

	for (size_t i = home(m, hash);; i = (i + 1) & mask) {
		struct slot *s = &m->slots[i];

		if (!s->key)
			return NULL;
		if (s->hash == hash && s->key != TOMB && s->len == len &&
		    memcmp(s->key, key, len) == 0)
			return s;
	}
}

/* Rebuilds the table with new_cap slots, dropping tombstones. 0 or -ENOMEM (then the
 * map is unchanged). */
static int rebuild(struct hmap *m, size_t new_cap)
{
	struct slot *old = m->slots, *slots = calloc(new_cap, sizeof *slots);
	unsigned shift = 64 - log2_of(new_cap);
	size_t mask = new_cap - 1;

	if (!slots)
		return -ENOMEM;
	for (size_t j = 0; j < m->cap; j++) {
		size_t i;

		if (!old[j].key || old[j].key == TOMB)
			continue;
		for (i = (size_t)(old[j].hash >> shift); slots[i].key; i = (i + 1) & mask)
			;
		slots[i] = old[j];
	}
	free(old);
	m->slots = slots;
	m->cap = new_cap;
	m->shift = shift;
	m->used = m->count;
	return 0;
}

int hmap_put(struct hmap *m, const char *key, void *value)
{
	size_t len, mask, i;
	uint64_t hash;
	struct slot *s, *tomb = NULL;
	char *copy;

	if (!m || !key)
		return -EINVAL;
	len = strlen(key);
	hash = hmap_hash(key, len);
	mask = m->cap - 1;
	for (i = home(m, hash);; i = (i + 1) & mask) {
		s = &m->slots[i];
		if (!s->key)
			break;
		if (s->key == TOMB) {
			if (!tomb)
				tomb = s;
		} else if (s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0) {
			s->value = value; /* replace: the key stays */
			return 0;
		}
	}
	if (!tomb && m->used + 1 > limit(m->cap)) {
		if (rebuild(m, cap_for(m->count + 1)) < 0)
			return -ENOMEM;
		/* Find the empty slot in the new table. */
		mask = m->cap - 1;
		for (i = home(m, hash); m->slots[i].key; i = (i + 1) & mask)
			;
		s = &m->slots[i];
	}
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, key, len + 1);
	if (tomb)
		s = tomb;
	else
		m->used++;
	s->hash = hash;
	s->key = copy;
	s->len = len;
	s->value = value;
	m->count++;
	return 0;
}

void *hmap_getn(const struct hmap *m, const char *key, size_t len)
{
	struct slot *s;

	if (!m || !key)
		return NULL;
	s = find(m, key, len, hmap_hash(key, len));
	return s ? s->value : NULL;
}

void *hmap_get(const struct hmap *m, const char *key)
{
	return key ? hmap_getn(m, key, strlen(key)) : NULL;
}

void *hmap_del(struct hmap *m, const char *key)
{
	struct slot *s;
	size_t len;
	void *v;

	if (!m || !key)
		return NULL;
	len = strlen(key);
	s = find(m, key, len, hmap_hash(key, len));
	if (!s)
		return NULL;
	v = s->value;
	free(s->key);
	/* A tombstone is needed only when a probe may run past this slot. */
	if (!m->slots[(size_t)(s - m->slots + 1) & (m->cap - 1)].key) {
		s->key = NULL;
		m->used--;
	} else {
		s->key = TOMB;
	}
	s->value = NULL;
	s->len = 0;
	s->hash = 0;
	m->count--;
	return v;
}

size_t hmap_count(const struct hmap *m)
{
	return m ? m->count : 0;
}

int hmap_next(const struct hmap *m, size_t *pos, const char **key, void **value)
{
	if (!m || !pos)
		return 0;
	for (size_t i = *pos; i < m->cap; i++) {
		const struct slot *s = &m->slots[i];

		if (s->key && s->key != TOMB) {
			if (key)
				*key = s->key;
			if (value)
				*value = s->value;
			*pos = i + 1;
			return 1;
		}
	}
	*pos = m->cap;
	return 0;
}
