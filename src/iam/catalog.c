/*
 * catalog.c - the predefined role catalogue: loads it (JSON, or the compact text that
 * scripts/gen-roles.py compiles from Google's ~2,500 roles), adds gkeid's own role and
 * permissions, and answers the catalogue half of iam.h (roles, their permissions, the
 * permission table). Layout and contracts in catalog.h.
 *
 * Loading interns every permission name in a hash map as it comes, then sorts the
 * permission table by name and renumbers, so that ids follow names whatever the input
 * order was; roles are sorted by name too. Each role then gets its bitset, which the
 * policy compiler ORs into a member's row (iam.c).
 */
#include "iam/catalog.h"
#include "iam/iam.h"

#include "core/hmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 1024 /* role names */
#define MAX_PERM_NAME 256
#define MAX_TEXT 4096 /* a role's title or description */
#define MAX_ROLES 16384
#define MAX_PERMS 65536
#define COMPACT_MAGIC "gkeid-roles 1"

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* ---- names -------------------------------------------------------------------------- */

static int perm_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > MAX_PERM_NAME)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-' || c == '/'))
			return 0; /* '/': e.g. "iam.googleapis.com/workloadIdentityPools.get" */
	}
	return 1;
}

static int role_id_ok(const char *s)
{
	size_t n = 0;

	if (!s || !*s)
		return 0;
	for (; s[n]; n++) {
		char c = s[n];

		if (n >= MAX_NAME)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_'))
			return 0;
	}
	return 1;
}

int catalog_role_name_ok(const char *name)
{
	const char *rest, *slash;

	if (!name || strlen(name) > MAX_NAME)
		return 0;
	if (has_prefix(name, "roles/"))
		return role_id_ok(name + 6);
	if (has_prefix(name, "projects/"))
		rest = name + 9;
	else if (has_prefix(name, "organizations/"))
		rest = name + 14;
	else
		return 0;
	slash = strchr(rest, '/');
	if (!slash || slash == rest || !has_prefix(slash, "/roles/"))
		return 0;
	for (const char *c = rest; c < slash; c++)
		if (*c <= 0x20 || *c >= 0x7f)
			return 0;
	return role_id_ok(slash + 7);
}

/* ---- building ----------------------------------------------------------------------- */

/* The catalogue's strings live in chunks that are never moved and are freed together:
 * some 30,000 strings, which one malloc each would make a tenth of the load time. */
#define CHUNK_SIZE 65536

struct catalog_chunk {
	struct catalog_chunk *next;
	size_t used, cap;
	char data[];
};

/* Room for n bytes, or NULL. */
static char *chunk_alloc(struct iam_catalog *cat, size_t n)
{
	struct catalog_chunk *c = cat->strings;

	if (!c || c->cap - c->used < n) {
		size_t cap = n > CHUNK_SIZE ? n : CHUNK_SIZE;

		if (!(c = malloc(sizeof(*c) + cap)))
			return NULL;
		c->next = cat->strings;
		c->used = 0;
		c->cap = cap;
		cat->strings = c;
	}
	c->used += n;
	return c->data + c->used - n;
}

/* A copy of the n bytes at s, NUL-terminated, or NULL. */
static char *chunk_dup(struct iam_catalog *cat, const char *s, size_t n)
{
	char *d = chunk_alloc(cat, n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Interns the n bytes at name; *id is its id in arrival order. 0 or -errno. */
static int intern_perm(struct iam_catalog *cat, size_t *cap, const char *name, size_t n,
		       uint32_t *id)
{
	void *v = hmap_getn(cat->perm_ids, name, n);
	char *copy;
	int rc;

	if (v) {
		*id = (uint32_t)((uintptr_t)v - 1);
		return 0;
	}
	if (!perm_name_ok(name, n))
		return -EINVAL;
	if (cat->n_perms >= MAX_PERMS)
		return -E2BIG;
	if (cat->n_perms == *cap) {
		size_t c = *cap ? *cap * 2 : 1024;
		char **p = realloc(cat->perm_names, c * sizeof(*p));

		if (!p)
			return -ENOMEM;
		cat->perm_names = p;
		*cap = c;
	}
	copy = chunk_dup(cat, name, n);
	if (!copy)
		return -ENOMEM;
	rc = hmap_put(cat->perm_ids, copy, (void *)(uintptr_t)(cat->n_perms + 1));
	if (rc < 0)
		return rc;
	cat->perm_names[cat->n_perms] = copy;
	*id = (uint32_t)cat->n_perms++;
	return 0;
}

/* The next free role, its fields zeroed (n_roles counts it, so catalog_free frees it). */
static struct iam_role *new_role(struct iam_catalog *cat, size_t *cap)
{
	if (cat->n_roles >= MAX_ROLES)
		return NULL;
	if (cat->n_roles == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		struct iam_role *r = realloc(cat->roles, c * sizeof(*r));

		if (!r)
			return NULL;
		cat->roles = r;
		*cap = c;
	}
	memset(&cat->roles[cat->n_roles], 0, sizeof(cat->roles[0]));
	return &cat->roles[cat->n_roles++];
}

/* ---- JSON --------------------------------------------------------------------------- */

/* A string field of a catalog role: absent gives def; present must be a string. */
static int dup_field(struct iam_catalog *cat, const json_t *o, const char *field, const char *def,
		     const char **out)
{
	const json_t *v = json_object_get(o, field);
	const char *s = def;

	if (v) {
		if (!json_is_string(v) || json_string_length(v) > MAX_TEXT ||
		    strlen(json_string_value(v)) != json_string_length(v))
			return -EINVAL;
		s = json_string_value(v);
	}
	*out = chunk_dup(cat, s, strlen(s));
	return *out ? 0 : -ENOMEM;
}

static int load_json(struct iam_catalog *cat, const char *text, size_t len, size_t *rcap,
		     size_t *pcap)
{
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL), *arr;
	size_t i;
	const json_t *o;
	int rc = 0;

	arr = json_object_get(root, "roles");
	if (!json_is_array(arr)) {
		rc = -EINVAL;
		goto out;
	}
	if (json_array_size(arr) > MAX_ROLES) {
		rc = -E2BIG;
		goto out;
	}
	json_array_foreach(arr, i, o)
	{
		const json_t *perms = json_object_get(o, "includedPermissions"), *p;
		struct iam_role *r;
		size_t j;

		if (!json_is_object(o) || !json_is_string(json_object_get(o, "name")) ||
		    (perms && !json_is_array(perms))) {
			rc = -EINVAL;
			goto out;
		}
		if (!(r = new_role(cat, rcap))) {
			rc = -ENOMEM;
			goto out;
		}
		if ((rc = dup_field(cat, o, "name", "", &r->name)) < 0 ||
		    (rc = dup_field(cat, o, "title", "", &r->title)) < 0 ||
		    (rc = dup_field(cat, o, "description", "", &r->description)) < 0 ||
		    (rc = dup_field(cat, o, "stage", "GA", &r->stage)) < 0)
			goto out;
		if (!(r->perm = calloc(json_array_size(perms) + 1, sizeof(*r->perm)))) {
			rc = -ENOMEM;
			goto out;
		}
		json_array_foreach(perms, j, p)
		{
			if (!json_is_string(p)) {
				rc = -EINVAL;
				goto out;
			}
			rc = intern_perm(cat, pcap, json_string_value(p), json_string_length(p),
					 &r->perm[r->n_perm]);
			if (rc < 0)
				goto out;
			r->n_perm++;
		}
	}
out:
	json_decref(root);
	return rc;
}

/* ---- the compact text (format: scripts/gen-roles.py) ------------------------------- */

struct cursor {
	const char *p, *end;
};

/* The next line, without its '\n' (which every line must have). 0 or -EINVAL. */
static int next_line(struct cursor *c, const char **line, size_t *n)
{
	const char *nl = c->p < c->end ? memchr(c->p, '\n', (size_t)(c->end - c->p)) : NULL;

	if (!nl)
		return -EINVAL;
	*line = c->p;
	*n = (size_t)(nl - c->p);
	c->p = nl + 1;
	return 0;
}

/* "<word> <count>" with count in 0..max. */
static int count_line(struct cursor *c, const char *word, size_t max, size_t *count)
{
	const char *line;
	size_t n, w = strlen(word), v = 0;

	if (next_line(c, &line, &n) < 0 || n <= w + 1 || n > w + 8 || memcmp(line, word, w) != 0 ||
	    line[w] != ' ')
		return -EINVAL;
	for (size_t i = w + 1; i < n; i++) {
		if (line[i] < '0' || line[i] > '9')
			return -EINVAL;
		v = v * 10 + (size_t)(line[i] - '0');
	}
	if (v > max)
		return -E2BIG;
	*count = v;
	return 0;
}

/* The n bytes at s, with \\ \n \r \t undone, as a new string. NULL on a bad escape or no
 * memory (*rc says which). */
static char *unescape(struct iam_catalog *cat, const char *s, size_t n, int *rc)
{
	char *out, *o;

	*rc = -EINVAL;
	if (n > 2 * MAX_TEXT)
		return NULL;
	if (!(out = chunk_alloc(cat, n + 1))) {
		*rc = -ENOMEM;
		return NULL;
	}
	o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			*o++ = s[i];
			continue;
		}
		if (++i == n)
			goto bad;
		switch (s[i]) {
		case '\\':
			*o++ = '\\';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		default:
			goto bad;
		}
	}
	*o = '\0';
	if ((size_t)(o - out) > MAX_TEXT || memchr(out, '\0', (size_t)(o - out)))
		goto bad;
	*rc = 0;
	return out;
bad:
	return NULL; /* its bytes go with the chunk */
}

static int stage_ok(const char *s, size_t n)
{
	static const char *const stages[] = {"ALPHA",	   "BETA",     "GA",
					     "DEPRECATED", "DISABLED", "EAP"};

	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		if (strlen(stages[i]) == n && memcmp(stages[i], s, n) == 0)
			return 1;
	return 0;
}

/* The ids field: ascending ids as space-separated deltas, each below n_perms. */
static int parse_ids(struct iam_role *r, const char *s, size_t n, size_t n_perms)
{
	size_t count = 0, i;
	uint64_t id = 0;

	for (i = 0; i < n; i++)
		count += s[i] == ' ';
	if (n && !(r->perm = calloc(count + 1, sizeof(*r->perm))))
		return -ENOMEM;
	for (i = 0; i < n;) {
		uint64_t d = 0;
		size_t start = i;

		for (; i < n && s[i] >= '0' && s[i] <= '9' && i - start < 6; i++)
			d = d * 10 + (uint64_t)(s[i] - '0');
		if (i == start || (i < n && s[i] != ' ') || (r->n_perm > 0 && d == 0))
			return -EINVAL;
		id += d;
		if (id >= n_perms)
			return -EINVAL;
		r->perm[r->n_perm++] = (uint32_t)id;
		if (i < n && ++i == n)
			return -EINVAL; /* a trailing space */
	}
	return 0;
}

static int load_compact(struct iam_catalog *cat, const char *text, size_t len, size_t *rcap,
			size_t *pcap)
{
	struct cursor c = {text, text + len};
	const char *line, *f[5];
	size_t n, n_perms, n_roles, fl[5];
	int rc;

	if ((rc = next_line(&c, &line, &n)) < 0)
		return rc;
	if (n != strlen(COMPACT_MAGIC) || memcmp(line, COMPACT_MAGIC, n) != 0)
		return -EINVAL;
	if (c.end - c.p > 7 && memcmp(c.p, "source ", 7) == 0 &&
	    (rc = next_line(&c, &line, &n)) < 0)
		return rc;
	if ((rc = count_line(&c, "permissions", MAX_PERMS, &n_perms)) < 0)
		return rc;
	for (size_t i = 0; i < n_perms; i++) {
		uint32_t id;

		if ((rc = next_line(&c, &line, &n)) < 0 ||
		    (rc = intern_perm(cat, pcap, line, n, &id)) < 0)
			return rc;
		if (id != i || (i > 0 && strcmp(cat->perm_names[i - 1], cat->perm_names[i]) >= 0))
			return -EINVAL; /* a table out of order, or twice the same name */
	}
	if ((rc = count_line(&c, "roles", MAX_ROLES, &n_roles)) < 0)
		return rc;
	for (size_t i = 0; i < n_roles; i++) {
		struct iam_role *r;
		size_t k = 0;

		if ((rc = next_line(&c, &line, &n)) < 0)
			return rc;
		f[0] = line;
		for (size_t j = 0; j < n && k < 5; j++) {
			if (line[j] != '\t')
				continue;
			fl[k] = (size_t)(line + j - f[k]);
			if (++k < 5)
				f[k] = line + j + 1;
		}
		if (k != 4)
			return -EINVAL; /* five fields, four tabs */
		fl[4] = (size_t)(line + n - f[4]);
		if (!(r = new_role(cat, rcap)))
			return -ENOMEM;
		if (fl[0] > MAX_NAME || memchr(f[0], '\0', fl[0]) || !stage_ok(f[1], fl[1]))
			return -EINVAL;
		if (!(r->name = chunk_dup(cat, f[0], fl[0])) ||
		    !(r->stage = chunk_dup(cat, f[1], fl[1])))
			return -ENOMEM;
		if (!(r->title = unescape(cat, f[2], fl[2], &rc)) ||
		    !(r->description = unescape(cat, f[3], fl[3], &rc)))
			return rc;
		if ((rc = parse_ids(r, f[4], fl[4], n_perms)) < 0)
			return rc;
	}
	return c.p == c.end ? 0 : -EINVAL;
}

/* ---- gkeid's own permissions --------------------------------------------------------
 *
 * Permissions for what gkeid has and Google does not: the fault endpoint of `gkeid up`
 * (docs/faults.md). Added to the catalog as it loads, so the catalogue stays Google's.
 * Named as Google names permissions, service.resource.verb after the method each allows:
 * gkeid.faults.list (GET /gkeid/v1/faults), gkeid.faults.set (PUT .../NAME) and
 * gkeid.faults.clear (DELETE). roles/owner holds them, as it holds every permission of a
 * project, and so does roles/gkeid.faultInjector, which holds nothing else (for a CI
 * account that breaks gkeid on purpose); no other role does. */
static const char *const gkeid_perms[] = {"gkeid.faults.clear", "gkeid.faults.list",
					  "gkeid.faults.set"};
#define GKEID_N_PERMS (sizeof(gkeid_perms) / sizeof(gkeid_perms[0]))
#define GKEID_HOLDER "roles/owner"
#define GKEID_ROLE "roles/gkeid.faultInjector"

static int add_gkeid_roles(struct iam_catalog *cat, size_t *rcap, size_t *pcap)
{
	uint32_t ids[GKEID_N_PERMS];
	struct iam_role *r;
	int rc;

	for (size_t k = 0; k < GKEID_N_PERMS; k++)
		if ((rc = intern_perm(cat, pcap, gkeid_perms[k], strlen(gkeid_perms[k]), &ids[k])) <
		    0)
			return rc;
	for (size_t i = 0; i < cat->n_roles; i++) {
		uint32_t *p;

		r = &cat->roles[i];
		if (strcmp(r->name, GKEID_ROLE) == 0)
			return 0; /* a catalog that has it already */
		if (strcmp(r->name, GKEID_HOLDER) != 0)
			continue;
		if (!(p = realloc(r->perm, (r->n_perm + GKEID_N_PERMS) * sizeof(*p))))
			return -ENOMEM;
		r->perm = p;
		memcpy(p + r->n_perm, ids, sizeof(ids));
		r->n_perm += GKEID_N_PERMS; /* duplicates go when the role is finished */
	}
	if (!(r = new_role(cat, rcap)))
		return -ENOMEM;
	r->name = GKEID_ROLE;
	r->title = "gkeid Fault Injector";
	r->description = "Lists, sets and clears the faults of gkeid (gkeid fault). A role of "
			 "gkeid's: Google has no such role.";
	r->stage = "GA";
	r->perm = malloc(sizeof(ids));
	if (!r->perm)
		return -ENOMEM;
	memcpy(r->perm, ids, sizeof(ids));
	r->n_perm = GKEID_N_PERMS;
	return 0;
}

/* ---- finishing ---------------------------------------------------------------------- */

static const struct iam_catalog *sort_cat; /* qsort has no context argument */

static int cmp_perm_index(const void *a, const void *b)
{
	return strcmp(sort_cat->perm_names[*(const uint32_t *)a],
		      sort_cat->perm_names[*(const uint32_t *)b]);
}

int catalog_cmp_id(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_role(const void *a, const void *b)
{
	return strcmp(((const struct iam_role *)a)->name, ((const struct iam_role *)b)->name);
}

/* Sorts the permission table by name and renumbers the roles' ids to match. */
static int renumber(struct iam_catalog *cat)
{
	uint32_t *order = malloc((cat->n_perms + 1) * sizeof(*order));
	uint32_t *new_id = malloc((cat->n_perms + 1) * sizeof(*new_id));
	char **names = malloc((cat->n_perms + 1) * sizeof(*names));
	int rc = -ENOMEM;

	if (!order || !new_id || !names)
		goto out;
	/* The compact catalogue's table comes sorted, with gkeid's permissions after it:
	 * sort only what follows the sorted head, and merge. */
	size_t head = cat->n_perms ? 1 : 0, n = cat->n_perms;

	while (head < n && strcmp(cat->perm_names[head - 1], cat->perm_names[head]) < 0)
		head++;
	for (size_t i = 0; i < n; i++)
		new_id[i] = (uint32_t)i;
	sort_cat = cat;
	qsort(new_id + head, n - head, sizeof(*new_id), cmp_perm_index);
	for (size_t i = 0, a = 0, b = head; i < n; i++)
		order[i] = b == n || (a < head && cmp_perm_index(&new_id[a], &new_id[b]) < 0)
				   ? new_id[a++]
				   : new_id[b++];
	for (size_t k = 0; k < cat->n_perms; k++) {
		new_id[order[k]] = (uint32_t)k;
		names[k] = cat->perm_names[order[k]];
		if (order[k] != k &&
		    hmap_put(cat->perm_ids, names[k], (void *)(uintptr_t)(k + 1)) < 0)
			goto out;
	}
	free(cat->perm_names);
	cat->perm_names = names;
	names = NULL;
	for (size_t i = 0; i < cat->n_roles; i++) {
		struct iam_role *r = &cat->roles[i];
		int ascending = 1;

		for (size_t j = 0; j < r->n_perm; j++) {
			r->perm[j] = new_id[r->perm[j]];
			ascending &= j == 0 || r->perm[j] > r->perm[j - 1];
		}
		if (!ascending)
			qsort(r->perm, r->n_perm, sizeof(*r->perm), catalog_cmp_id);
	}
	rc = 0;
out:
	free(order);
	free(new_id);
	free(names);
	return rc;
}

/* Sorts the roles, indexes them by name, and gives each its unique ids and bitset. */
static int finish(struct iam_catalog *cat)
{
	int rc;

	if ((rc = renumber(cat)) < 0)
		return rc;
	qsort(cat->roles, cat->n_roles, sizeof(*cat->roles), cmp_role);
	cat->words = (cat->n_perms + 63) / 64;
	if (!(cat->role_by_name = hmap_new(cat->n_roles)))
		return -ENOMEM;
	for (size_t i = 0; i < cat->n_roles; i++) {
		struct iam_role *r = &cat->roles[i];
		size_t k = 0;

		if (!has_prefix(r->name, "roles/") || !catalog_role_name_ok(r->name) ||
		    (i > 0 && strcmp(cat->roles[i - 1].name, r->name) == 0))
			return -EINVAL;
		if ((rc = hmap_put(cat->role_by_name, r->name, r)) < 0)
			return rc;
		if (!(r->bits = calloc(cat->words ? cat->words : 1, sizeof(uint64_t))))
			return -ENOMEM;
		for (size_t j = 0; j < r->n_perm; j++) {
			uint32_t id = r->perm[j];

			if (k > 0 && r->perm[k - 1] == id)
				continue; /* a duplicate in the catalogue */
			r->bits[id >> 6] |= (uint64_t)1 << (id & 63);
			r->perm[k++] = id;
		}
		r->n_perm = k;
	}
	return 0;
}

int catalog_load(struct iam_catalog *cat, const char *text, size_t len)
{
	size_t rcap = 0, pcap = 0, skip = 0;
	int rc;

	memset(cat, 0, sizeof(*cat));
	if (!text)
		return -EINVAL;
	if (!(cat->perm_ids = hmap_new(len > 65536 ? 16384 : 1024)))
		return -ENOMEM;
	while (skip < len && (text[skip] == ' ' || text[skip] == '\n' || text[skip] == '\t'))
		skip++;
	rc = skip < len && text[skip] == '{' ? load_json(cat, text, len, &rcap, &pcap)
					     : load_compact(cat, text, len, &rcap, &pcap);
	if (!rc)
		rc = add_gkeid_roles(cat, &rcap, &pcap);
	if (!rc)
		rc = finish(cat);
	if (rc < 0)
		catalog_free(cat);
	return rc;
}

void catalog_free(struct iam_catalog *cat)
{
	for (size_t i = 0; i < cat->n_roles; i++) {
		free(cat->roles[i].perm);
		free(cat->roles[i].bits);
	}
	free(cat->roles);
	hmap_free(cat->role_by_name);
	free(cat->perm_names);
	hmap_free(cat->perm_ids);
	while (cat->strings) {
		struct catalog_chunk *next = cat->strings->next;

		free(cat->strings);
		cat->strings = next;
	}
	memset(cat, 0, sizeof(*cat));
}

/* ---- look-ups ----------------------------------------------------------------------- */

const struct iam_role *catalog_role(const struct iam_catalog *cat, const char *name)
{
	return name && cat->role_by_name ? hmap_get(cat->role_by_name, name) : NULL;
}

int catalog_perm_id(const struct iam_catalog *cat, const char *permission, uint32_t *id)
{
	void *v = permission && cat->perm_ids ? hmap_get(cat->perm_ids, permission) : NULL;

	if (!v)
		return 0;
	*id = (uint32_t)((uintptr_t)v - 1);
	return 1;
}

static int bit_test(const uint64_t *bits, uint32_t id)
{
	return (bits[id >> 6] >> (id & 63)) & 1;
}

static json_t *role_object(const struct iam_role *r, int with_perms)
{
	json_t *o = json_object(), *perms = NULL;

	if (!o)
		return NULL;
	if (json_object_set_new(o, "name", json_string(r->name)) < 0 ||
	    json_object_set_new(o, "title", json_string(r->title)) < 0 ||
	    json_object_set_new(o, "description", json_string(r->description)) < 0)
		goto fail;
	if (with_perms) {
		perms = json_array();
		if (!perms || json_object_set_new(o, "includedPermissions", perms) < 0)
			goto fail;
	}
	if (json_object_set_new(o, "stage", json_string(r->stage)) < 0 ||
	    json_object_set_new(o, "etag", json_string("AA==")) < 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

json_t *iam_role_json(struct iam *iam, const char *role_name)
{
	const struct iam_catalog *cat = iam ? iam_catalog_of(iam) : NULL;
	const struct iam_role *r = cat ? catalog_role(cat, role_name) : NULL;
	json_t *o, *perms;

	if (!r || !(o = role_object(r, 1)))
		return NULL;
	perms = json_object_get(o, "includedPermissions");
	for (size_t i = 0; i < r->n_perm; i++) {
		if (json_array_append_new(perms, json_string(cat->perm_names[r->perm[i]])) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

json_t *iam_roles_list(struct iam *iam)
{
	const struct iam_catalog *cat = iam ? iam_catalog_of(iam) : NULL;
	json_t *arr;

	if (!cat || !(arr = json_array()))
		return NULL;
	for (size_t i = 0; i < cat->n_roles; i++) {
		if (json_array_append_new(arr, role_object(&cat->roles[i], 0)) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

int iam_role_known(struct iam *iam, const char *role_name)
{
	return iam && catalog_role(iam_catalog_of(iam), role_name) != NULL;
}

int iam_role_has(struct iam *iam, const char *role_name, const char *permission)
{
	const struct iam_catalog *cat = iam ? iam_catalog_of(iam) : NULL;
	const struct iam_role *r = cat ? catalog_role(cat, role_name) : NULL;
	uint32_t id;

	return r && catalog_perm_id(cat, permission, &id) && bit_test(r->bits, id);
}

/* The first id whose name is not below s (n_perms when there is none). */
static size_t lower_bound(const struct iam_catalog *cat, const char *s)
{
	size_t lo = 0, hi = cat->n_perms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(cat->perm_names[mid], s) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int iam_role_has_prefix(struct iam *iam, const char *role_name, const char *prefix)
{
	const struct iam_catalog *cat = iam ? iam_catalog_of(iam) : NULL;
	const struct iam_role *r = cat ? catalog_role(cat, role_name) : NULL;
	size_t n = prefix ? strlen(prefix) : 0;

	if (!r || !prefix)
		return 0;
	/* the permissions with the prefix are the ids from lower_bound on, while they match */
	for (size_t id = lower_bound(cat, prefix);
	     id < cat->n_perms && strncmp(cat->perm_names[id], prefix, n) == 0; id++)
		if (bit_test(r->bits, (uint32_t)id))
			return 1;
	return 0;
}

json_t *iam_roles_granting(struct iam *iam, const char *permission)
{
	const struct iam_catalog *cat = iam ? iam_catalog_of(iam) : NULL;
	json_t *arr;
	uint32_t id;

	if (!cat || !(arr = json_array()))
		return NULL;
	if (!catalog_perm_id(cat, permission, &id))
		return arr;
	for (size_t i = 0; i < cat->n_roles; i++) {
		if (!bit_test(cat->roles[i].bits, id))
			continue;
		if (json_array_append_new(arr, json_string(cat->roles[i].name)) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

int iam_permission_known(struct iam *iam, const char *permission)
{
	uint32_t id;

	return iam && catalog_perm_id(iam_catalog_of(iam), permission, &id);
}

size_t iam_permissions(struct iam *iam, const char *const **names)
{
	const struct iam_catalog *cat = iam ? iam_catalog_of(iam) : NULL;

	*names = cat ? (const char *const *)cat->perm_names : NULL;
	return cat ? cat->n_perms : 0;
}

size_t iam_permission_after(struct iam *iam, const char *name)
{
	const struct iam_catalog *cat = iam ? iam_catalog_of(iam) : NULL;
	size_t i;

	if (!cat || !name)
		return 0;
	i = lower_bound(cat, name);
	return i < cat->n_perms && strcmp(cat->perm_names[i], name) == 0 ? i + 1 : i;
}
