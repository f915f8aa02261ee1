/*
 * groups.c - Google group membership for IAM checks (iam_group_has, iam_priv.h) and for
 * GKE's Google Groups for RBAC (iam_groups_under): an index of the direct memberships
 * recorded in the store (groups.h), kept by a store watch.
 *
 * The index points upwards: each member (a user or service account member string, or a
 * group) lists the groups that contain it directly. A check walks up from the
 * principal's member strings, breadth first, and stops at the group asked about; each
 * group is visited once (cycles end), at most IAM_GROUPS_MAX_DEPTH levels up and
 * IAM_GROUPS_MAX_VISIT groups, so the cost of a check depends on how many groups the
 * principal is in, never on how many members a group has. A walk allocates nothing.
 */
#include "iam/groups.h"
#include "iam/iam_priv.h"

#include "core/dbuf.h"
#include "core/hmap.h"
#include "core/store.h"

#define MEMBER_MAX 400 /* bytes of a member string */

struct gnode;

/* The groups that contain one member directly. */
struct plist {
	size_t n, cap;
	struct gnode **v;
};

/* A group, named once: its email and the groups that contain it (nested in them). Kept
 * until the index is freed, so a walk may hold pointers to it. */
struct gnode {
	struct plist up;
	char email[];
};

struct iam_groups {
	struct hmap *groups;  /* email -> struct gnode * */
	struct hmap *members; /* "user:E" / "serviceAccount:E" -> struct plist * */
	struct store_watch *watch;
};

/* Lower case into out (room for len); 0, or -ENAMETOOLONG. */
static int lower(const char *s, char *out, size_t len)
{
	size_t i = 0;

	for (; s[i]; i++) {
		if (i + 1 >= len)
			return -ENAMETOOLONG;
		out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
	}
	out[i] = '\0';
	return 0;
}

/* A member string with its email in lower case ("serviceAccount:" keeps its case). */
static int member_lower(const char *m, char *out, size_t len)
{
	const char *colon = strchr(m, ':');
	size_t k = colon ? (size_t)(colon - m) + 1 : 0;

	if (k >= len)
		return -ENAMETOOLONG;
	memcpy(out, m, k);
	return lower(m + k, out + k, len - k);
}

/* An email as a group's name: one '@', something on each side, no '/' or space. */
static int email_ok(const char *e)
{
	const char *at = e ? strchr(e, '@') : NULL;

	return at && at != e && at[1] && !strchr(at + 1, '@') && strlen(e) <= IAM_GROUP_EMAIL_MAX &&
	       token_ok(e, IAM_GROUP_EMAIL_MAX) && !strchr(e, '/');
}

static int member_ok(const char *m)
{
	static const char *const kinds[] = {"user:", "serviceAccount:", "group:"};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (has_prefix(m, kinds[i]))
			return email_ok(m + strlen(kinds[i])) && strlen(m) < MEMBER_MAX;
	return 0;
}

static struct gnode *gnode_get(struct iam_groups *g, const char *email, int make)
{
	struct gnode *n = hmap_get(g->groups, email);
	size_t len = strlen(email);

	if (n || !make)
		return n;
	if (!(n = calloc(1, sizeof(*n) + len + 1)))
		return NULL;
	memcpy(n->email, email, len + 1);
	if (hmap_put(g->groups, email, n) < 0) {
		free(n);
		return NULL;
	}
	return n;
}

/* The list of groups that contain member directly (made when make is set), or NULL. */
static struct plist *parents_of(struct iam_groups *g, const char *member, int make)
{
	struct plist *l;

	if (has_prefix(member, "group:")) {
		struct gnode *n = gnode_get(g, member + 6, make);
		return n ? &n->up : NULL;
	}
	if ((l = hmap_get(g->members, member)) || !make)
		return l;
	if (!(l = calloc(1, sizeof(*l))))
		return NULL;
	if (hmap_put(g->members, member, l) < 0) {
		free(l);
		return NULL;
	}
	return l;
}

static int plist_add(struct plist *l, struct gnode *p)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == p)
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		struct gnode **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = p;
	return 0;
}

static void plist_del(struct plist *l, const struct gnode *p)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (l->v[i] == p) {
			l->v[i] = l->v[--l->n];
			return;
		}
}

int iam_groups_edge(struct iam_groups *g, const char *group, const char *member, int present)
{
	char gl[IAM_GROUP_EMAIL_MAX + 1], ml[MEMBER_MAX];
	struct gnode *p;
	struct plist *l;

	if (!g || !group || !member || !email_ok(group) || !member_ok(member) ||
	    lower(group, gl, sizeof(gl)) < 0 || member_lower(member, ml, sizeof(ml)) < 0)
		return -EINVAL;
	if (!present) {
		p = gnode_get(g, gl, 0);
		if (p)
			plist_del(parents_of(g, ml, 0), p);
		return 0;
	}
	if (!(p = gnode_get(g, gl, 1)) || !(l = parents_of(g, ml, 1)))
		return -ENOMEM;
	return plist_add(l, p);
}

/* ---- walks ---------------------------------------------------------------------------- */

/* Groups seen by one walk, in the order seen, with their level. Small walks (most
 * principals are in a few groups) live on the stack and find seen groups by a scan; a
 * walk that outgrows WALK_SMALL is redone on the heap with a hash set. */
#define WALK_SMALL 64
struct walk {
	size_t n, cap, nslots;
	const struct gnode **order;
	unsigned char *depth;
	const struct gnode **slot; /* NULL: scan order */
	int full;		   /* a group was left out for want of room */
};

static void walk_small(struct walk *w, const struct gnode **order, unsigned char *depth)
{
	*w = (struct walk){.cap = WALK_SMALL, .order = order, .depth = depth};
}

static void walk_free(struct walk *w)
{
	free(w->order);
	free(w->depth);
	free(w->slot);
}

static int walk_big(struct walk *w)
{
	*w = (struct walk){.cap = IAM_GROUPS_MAX_VISIT, .nslots = 2 * IAM_GROUPS_MAX_VISIT};
	w->order = calloc(w->cap, sizeof(*w->order));
	w->depth = calloc(w->cap, 1);
	w->slot = calloc(w->nslots, sizeof(*w->slot));
	if (w->order && w->depth && w->slot)
		return 0;
	walk_free(w);
	*w = (struct walk){0};
	return -ENOMEM;
}

/* Adds n to the walk; 1 when new, 0 when seen or the walk is full. */
static int walk_add(struct walk *w, const struct gnode *n, unsigned depth)
{
	if (w->slot) {
		size_t h = (size_t)(((uintptr_t)n >> 4) * 0x9E3779B97F4A7C15ull) % w->nslots;
		while (w->slot[h]) {
			if (w->slot[h] == n)
				return 0;
			h = (h + 1) % w->nslots;
		}
		if (w->n >= w->cap)
			return w->full = 1, 0;
		w->slot[h] = n;
	} else {
		for (size_t i = 0; i < w->n; i++)
			if (w->order[i] == n)
				return 0;
		if (w->n >= w->cap)
			return w->full = 1, 0;
	}
	w->order[w->n] = n;
	w->depth[w->n++] = (unsigned char)depth;
	return 1;
}

/* Walks up from what the walk holds, breadth first; returns 1 as soon as target (may be
 * NULL: walk everything) is reached. */
static int walk_up(struct walk *w, const struct gnode *target)
{
	for (size_t i = 0; i < w->n; i++) {
		const struct gnode *n = w->order[i];

		if (n == target)
			return 1;
		if (w->depth[i] >= IAM_GROUPS_MAX_DEPTH)
			continue;
		for (size_t j = 0; j < n->up.n; j++)
			walk_add(w, n->up.v[j], w->depth[i] + 1u);
	}
	return 0;
}

/* Seeds a walk with the groups that contain p's member strings directly. */
static void walk_seed(const struct iam_groups *g, struct walk *w, const struct iam_principal *p)
{
	char buf[MEMBER_MAX];
	size_t n = p->n_members < IAM_MAX_MEMBERS ? p->n_members : IAM_MAX_MEMBERS;

	for (size_t i = 0; i < n; i++) {
		const char *m = p->members[i];
		const struct plist *l;

		if (!m || member_lower(m, buf, sizeof(buf)) < 0)
			continue;
		if (has_prefix(buf, "group:")) { /* a group asking: its enclosing groups */
			const struct gnode *self = hmap_get(g->groups, buf + 6);
			l = self ? &self->up : NULL;
		} else {
			l = hmap_get(g->members, buf);
		}
		for (size_t j = 0; l && j < l->n; j++)
			walk_add(w, l->v[j], 1);
	}
}

int iam_groups_has(const struct iam_groups *g, const char *group, const struct iam_principal *p)
{
	char gl[IAM_GROUP_EMAIL_MAX + 1];
	const struct gnode *target, *order[WALK_SMALL];
	unsigned char depth[WALK_SMALL];
	struct walk w;
	int found;

	if (!g || !group || !p || hmap_count(g->groups) == 0 || lower(group, gl, sizeof(gl)) < 0 ||
	    !(target = hmap_get(g->groups, gl)))
		return 0;
	walk_small(&w, order, depth);
	walk_seed(g, &w, p);
	found = walk_up(&w, target);
	if (found || !w.full)
		return found;
	/* in more groups than the small walk holds: once more, on the heap */
	found = walk_big(&w) == 0 ? (walk_seed(g, &w, p), walk_up(&w, target)) : 0;
	walk_free(&w);
	return found;
}

int iam_group_has(const struct iam *iam, const char *group, const struct iam_principal *p)
{
	return iam && iam_groups_has(iam->groups, group, p);
}

/* True when target is reached walking up from the groups that contain n (n itself not
 * counted): a small walk first, the heap's when it overflows. */
static int reaches(const struct gnode *n, const struct gnode *target)
{
	const struct gnode *order[WALK_SMALL];
	unsigned char depth[WALK_SMALL];
	struct walk w;
	int found;

	for (int big = 0; big < 2; big++) {
		if (big ? walk_big(&w) < 0 : (walk_small(&w, order, depth), 0))
			break;
		for (size_t j = 0; j < n->up.n; j++)
			walk_add(&w, n->up.v[j], 1);
		found = walk_up(&w, target);
		if (big)
			walk_free(&w);
		if (found || !w.full)
			return found;
	}
	return 0;
}

size_t iam_groups_under(const struct iam *iam, const struct iam_principal *p, const char *root,
			const char **out, size_t max)
{
	const struct iam_groups *g = iam ? iam->groups : NULL;
	char rl[IAM_GROUP_EMAIL_MAX + 1];
	const struct gnode *target, *order[WALK_SMALL];
	unsigned char depth[WALK_SMALL];
	struct walk mine;
	size_t k = 0;

	if (!g || !p || !root || !out || lower(root, rl, sizeof(rl)) < 0 ||
	    !(target = hmap_get(g->groups, rl)))
		return 0;
	/* every group p is in: on the stack, or on the heap for more than WALK_SMALL */
	walk_small(&mine, order, depth);
	walk_seed(g, &mine, p);
	walk_up(&mine, NULL);
	if (mine.full && walk_big(&mine) == 0) {
		walk_seed(g, &mine, p);
		walk_up(&mine, NULL);
	}
	for (size_t i = 0; i < mine.n && k < max; i++)
		if (mine.order[i] != target && reaches(mine.order[i], target))
			out[k++] = mine.order[i]->email;
	if (mine.slot)
		walk_free(&mine);
	return k;
}

/* ---- the store ------------------------------------------------------------------------ */

/* Splits "GROUP/MEMBER" (after the prefix) and applies it. */
static void apply_key(struct iam_groups *g, const char *rest, int present)
{
	const char *slash = strchr(rest, '/');
	char group[IAM_GROUP_EMAIL_MAX + 1];
	size_t n = slash ? (size_t)(slash - rest) : 0;

	if (!slash || n == 0 || n >= sizeof(group))
		return;
	memcpy(group, rest, n);
	group[n] = '\0';
	(void)iam_groups_edge(g, group, slash + 1, present);
}

static void on_event(void *arg, const struct store_event *ev)
{
	if (!ev || !ev->key || !has_prefix(ev->key, IAM_GROUPS_PREFIX))
		return;
	apply_key(arg, ev->key + strlen(IAM_GROUPS_PREFIX), ev->type == STORE_PUT);
}

int iam_groups_new(struct store *s, struct iam_groups **out)
{
	struct iam_groups *g = calloc(1, sizeof(*g));
	struct store_kv *kvs = NULL;
	size_t n = 0;
	int64_t rev = 0;
	int rc = -ENOMEM;

	*out = NULL;
	if (!g || !(g->groups = hmap_new(16)) || !(g->members = hmap_new(16)))
		goto out;
	rc = 0;
	if (s && (rc = store_range(s, IAM_GROUPS_PREFIX, 0, &kvs, &n, &rev)) == 0) {
		for (size_t i = 0; i < n; i++)
			apply_key(g, kvs[i].key + strlen(IAM_GROUPS_PREFIX), 1);
		rc = store_watch(s, IAM_GROUPS_PREFIX, rev, on_event, g, &g->watch);
	}
out:
	store_kvs_free(kvs, n);
	if (rc < 0) {
		iam_groups_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

void iam_groups_free(struct iam_groups *g)
{
	size_t pos = 0;
	void *v;

	if (!g)
		return;
	store_unwatch(g->watch);
	while (g->groups && hmap_next(g->groups, &pos, NULL, &v)) {
		free(((struct gnode *)v)->up.v);
		free(v);
	}
	pos = 0;
	while (g->members && hmap_next(g->members, &pos, NULL, &v)) {
		free(((struct plist *)v)->v);
		free(v);
	}
	hmap_free(g->groups);
	hmap_free(g->members);
	free(g);
}

int iam_group_member_put(struct store *s, const char *group, const char *member, int present)
{
	char gl[IAM_GROUP_EMAIL_MAX + 1], ml[MEMBER_MAX], key[sizeof(IAM_GROUPS_PREFIX) + 700];
	int rc;

	if (!s || !group || !member || !email_ok(group) || !member_ok(member))
		return -EINVAL;
	if ((rc = lower(group, gl, sizeof(gl))) < 0 ||
	    (rc = member_lower(member, ml, sizeof(ml))) < 0 ||
	    (rc = SFMT(key, "%s%s/%s", IAM_GROUPS_PREFIX, gl, ml)) < 0)
		return rc;
	if (present)
		return store_put(s, key, "", 0, STORE_ANY_REV, NULL) < 0 ? -EIO : 0;
	rc = store_delete(s, key, STORE_ANY_REV, NULL);
	return rc == -ENOENT ? 0 : rc;
}
