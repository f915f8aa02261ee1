/*
 * mdreq.c - the metadata request's transitions (mdreq.h has the diagram): what state
 * follows a state's step, given the event it ended with. Pure: no I/O, no allocation.
 */
#include "node/mdreq.h"

#include <stddef.h>

static enum md_state after_gate(const struct md_sm *sm)
{
	return sm->early ? MD_S_PARSE : MD_S_KSA;
}

static enum md_state next(struct md_sm *sm, enum md_ev ev)
{
	switch (sm->state) {
	case MD_S_NEW:
		return ev == MD_EV_NEXT ? MD_S_START : MD_S_INVALID;
	case MD_S_START:
		if (ev == MD_EV_KNOWN_POD) {
			sm->early = 1;
			return MD_S_GATE;
		}
		return ev == MD_EV_NEXT ? MD_S_PARSE : MD_S_INVALID;
	case MD_S_GATE:
		if (ev == MD_EV_ALLOWED) {
			sm->judged = 1;
			return after_gate(sm);
		}
		return ev == MD_EV_DENIED ? MD_S_DROP : MD_S_INVALID;
	case MD_S_PARSE:
		return ev == MD_EV_NEXT ? MD_S_ROUTE : MD_S_INVALID;
	case MD_S_ROUTE:
		if (ev == MD_EV_TREE || ev == MD_EV_ACCOUNTS)
			return MD_S_ANSWER;
		return ev == MD_EV_NEED_POD ? MD_S_POD : MD_S_INVALID;
	case MD_S_POD:
		return ev == MD_EV_NEXT ? MD_S_HOLD : MD_S_INVALID;
	case MD_S_HOLD:
		if (ev != MD_EV_NEXT)
			return MD_S_INVALID;
		return sm->judged ? MD_S_KSA : MD_S_GATE;
	case MD_S_KSA:
		return ev == MD_EV_NEXT ? MD_S_ANSWER : MD_S_INVALID;
	case MD_S_ANSWER:
		return ev == MD_EV_CHANGE ? MD_S_WAIT : MD_S_INVALID;
	case MD_S_WAIT:
		return ev == MD_EV_NEXT ? MD_S_ROUTE : MD_S_INVALID;
	default: /* DONE, DROP, INVALID: ended */
		return MD_S_INVALID;
	}
}

enum md_state md_sm_next(struct md_sm *sm, enum md_ev ev)
{
	if (ev == MD_EV_ASYNC)
		return sm->state;
	if (ev == MD_EV_ANSWERED && sm->state < MD_S_DONE)
		sm->state = MD_S_DONE;
	else
		sm->state = next(sm, ev);
	return sm->state;
}

const char *md_state_name(enum md_state s)
{
	static const char *const names[] = {"NEW",  "START", "GATE",   "PARSE",	 "ROUTE",
					    "POD",  "HOLD",  "KSA",    "ANSWER", "WAIT",
					    "DONE", "DROP",  "INVALID"};
	return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}
