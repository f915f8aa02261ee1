/*
 * test_mdreq.c - the metadata request's state machine (node/mdreq.c): each path a
 * request takes through START, GATE, PARSE, ROUTE, POD, HOLD, KSA, ANSWER and WAIT,
 * written as the events its steps end with, and the states that must follow. The
 * NetworkPolicy gate runs once per request, before the parse for a pod the watch knows
 * and after the lookup (and the startup hold) for one it does not; a denial is the one
 * way to DROP; an answer from any state ends in DONE; an unexpected event is INVALID.
 */
#include <stddef.h>

#include "t.h"

#include "node/mdreq.h"

/* Runs events from NEW; the names of the states visited, space-separated, into out. */
static const char *walk(const enum md_ev *evs, size_t n, char *out, size_t len)
{
	struct md_sm sm = {.state = MD_S_NEW};
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		enum md_state s = md_sm_next(&sm, evs[i]);
		int w = snprintf(out + used, len - used, "%s%s", used ? " " : "", md_state_name(s));
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
	return out;
}

#define WALK(...)                                                                                  \
	walk((const enum md_ev[]){__VA_ARGS__},                                                    \
	     sizeof((const enum md_ev[]){__VA_ARGS__}) / sizeof(enum md_ev), buf, sizeof(buf))

static void test_known_pod_token(void)
{
	char buf[400];
	/* a pod the watch knows, asking for its token: gated first, then everything */
	CHECK_STR(WALK(MD_EV_NEXT, MD_EV_KNOWN_POD, MD_EV_ALLOWED, MD_EV_NEXT, MD_EV_NEED_POD,
		       MD_EV_NEXT, MD_EV_NEXT, MD_EV_NEXT, MD_EV_ASYNC, MD_EV_ANSWERED),
		  "START GATE PARSE ROUTE POD HOLD KSA ANSWER ANSWER DONE");
}

static void test_new_pod_gated_after_lookup(void)
{
	char buf[400];
	/* not known yet: parsed, looked up (held), then gated once, then its KSA */
	CHECK_STR(WALK(MD_EV_NEXT, MD_EV_NEXT, MD_EV_NEXT, MD_EV_NEED_POD, MD_EV_ASYNC, MD_EV_NEXT,
		       MD_EV_NEXT, MD_EV_ALLOWED, MD_EV_NEXT, MD_EV_ANSWERED),
		  "START PARSE ROUTE POD POD HOLD GATE KSA ANSWER DONE");
	/* known from the start: HOLD goes straight to KSA, the gate does not run twice */
	CHECK_STR(WALK(MD_EV_NEXT, MD_EV_KNOWN_POD, MD_EV_ALLOWED, MD_EV_NEXT, MD_EV_NEED_POD,
		       MD_EV_NEXT, MD_EV_NEXT),
		  "START GATE PARSE ROUTE POD HOLD KSA");
}

static void test_denied_is_dropped(void)
{
	char buf[400];
	CHECK_STR(WALK(MD_EV_NEXT, MD_EV_KNOWN_POD, MD_EV_DENIED), "START GATE DROP");
	CHECK_STR(WALK(MD_EV_NEXT, MD_EV_NEXT, MD_EV_NEXT, MD_EV_NEED_POD, MD_EV_NEXT, MD_EV_NEXT,
		       MD_EV_DENIED),
		  "START PARSE ROUTE POD HOLD GATE DROP");
	/* the only way into DROP is a denial at the gate (ASYNC changes no state) */
	for (int s = MD_S_NEW; s <= MD_S_INVALID; s++)
		for (int e = MD_EV_ASYNC; e <= MD_EV_CHANGE; e++) {
			struct md_sm sm = {.state = (enum md_state)s};
			if (md_sm_next(&sm, (enum md_ev)e) == MD_S_DROP)
				CHECK((s == MD_S_GATE && e == MD_EV_DENIED) ||
				      (s == MD_S_DROP && e == MD_EV_ASYNC));
		}
}

static void test_tree_and_waits(void)
{
	char buf[400];
	/* a value of the tree: no pod needed */
	CHECK_STR(WALK(MD_EV_NEXT, MD_EV_NEXT, MD_EV_NEXT, MD_EV_TREE, MD_EV_ANSWERED),
		  "START PARSE ROUTE ANSWER DONE");
	/* wait_for_change, unchanged: held, then routed again with the accounts known */
	CHECK_STR(WALK(MD_EV_NEXT, MD_EV_NEXT, MD_EV_NEXT, MD_EV_ACCOUNTS, MD_EV_CHANGE,
		       MD_EV_ASYNC, MD_EV_NEXT, MD_EV_ACCOUNTS, MD_EV_ANSWERED),
		  "START PARSE ROUTE ANSWER WAIT WAIT ROUTE ANSWER DONE");
}

static void test_answered_anywhere(void)
{
	/* a refusal or an error ends the request from every live state */
	for (int s = MD_S_NEW; s < MD_S_DONE; s++) {
		struct md_sm sm = {.state = (enum md_state)s};
		CHECK_EQ_INT(md_sm_next(&sm, MD_EV_ANSWERED), MD_S_DONE);
	}
	/* ASYNC leaves the state as it is */
	for (int s = MD_S_NEW; s <= MD_S_INVALID; s++) {
		struct md_sm sm = {.state = (enum md_state)s};
		CHECK_EQ_INT(md_sm_next(&sm, MD_EV_ASYNC), s);
	}
}

static void test_unexpected_is_invalid(void)
{
	char buf[400];
	struct md_sm sm = {.state = MD_S_PARSE};
	CHECK_EQ_INT(md_sm_next(&sm, MD_EV_ALLOWED), MD_S_INVALID);
	sm = (struct md_sm){.state = MD_S_DONE};
	CHECK_EQ_INT(md_sm_next(&sm, MD_EV_NEXT), MD_S_INVALID);
	sm = (struct md_sm){.state = MD_S_DROP};
	CHECK_EQ_INT(md_sm_next(&sm, MD_EV_ANSWERED), MD_S_INVALID);
	CHECK_STR(WALK(MD_EV_NEXT, MD_EV_NEXT, MD_EV_KNOWN_POD), "START PARSE INVALID");
	CHECK_STR(md_state_name(MD_S_KSA), "KSA");
	CHECK_STR(md_state_name((enum md_state)99), "?");
}

/* Every path through the table (each event a state accepts, up to 16 steps; ASYNC
 * changes nothing and ANSWERED ends it, so neither is followed): the NetworkPolicy gate
 * runs at most once, and no pod's KSA (so no token or identity of it) is reached unless
 * the gate allowed the pod. Returns the number of paths walked. */
static long walk_all(struct md_sm sm, int gates, int allowed, int depth)
{
	long paths = 1;
	if (depth == 16)
		return paths;
	for (int e = MD_EV_NEXT; e <= MD_EV_CHANGE; e++) {
		if (e == MD_EV_ANSWERED)
			continue;
		struct md_sm next = sm;
		enum md_state s = md_sm_next(&next, (enum md_ev)e);
		if (s == MD_S_INVALID)
			continue;
		int g = gates + (s == MD_S_GATE);
		int a = allowed || (sm.state == MD_S_GATE && e == MD_EV_ALLOWED);
		CHECK(g <= 1);
		if (s == MD_S_KSA)
			CHECK(a);
		if (s == MD_S_DROP)
			CHECK(sm.state == MD_S_GATE);
		if (s != MD_S_DROP && s != MD_S_DONE)
			paths += walk_all(next, g, a, depth + 1);
	}
	return paths;
}

static void test_every_path(void)
{
	int failed = t_failed;
	long paths = walk_all((struct md_sm){.state = MD_S_NEW}, 0, 0, 0);
	CHECK(paths > 20); /* the walk went somewhere: known pods, new pods, waits */
	CHECK_EQ_INT(t_failed, failed);
}

int main(void)
{
	RUN(test_known_pod_token);
	RUN(test_new_pod_gated_after_lookup);
	RUN(test_denied_is_dropped);
	RUN(test_tree_and_waits);
	RUN(test_answered_anywhere);
	RUN(test_unexpected_is_invalid);
	RUN(test_every_path);
	return t_done();
}
