/*
 * mdreq.h - the metadata request's life as a state machine, without any I/O: the
 * states a request of metadata.c passes through, the events its steps end with, and
 * the one transition function. metadata.c owns the request (struct mreq) and runs each
 * state's step in advance(); this table says what comes next. Unit-tested in
 * tests/unit/node/test_mdreq.c.
 *
 *   START  the connection's caller named; a pod the watch knows ----KNOWN_POD--> GATE
 *          else ------------------------------------------------------NEXT--> PARSE
 *   GATE   NetworkPolicy egress judged (once per request): ALLOWED -> PARSE when it
 *          came from START, else HOLD's successor (KSA); DENIED -> DROP
 *   PARSE  limits, method, proxies, the path, Metadata-Flavor, fixed answers, the query
 *          ------------------------------------------------------------NEXT--> ROUTE
 *   ROUTE  what the answer needs: nothing of the pod (TREE), the accounts known
 *          already (ACCOUNTS: GCE_METADATA mode, a held wait), or the pod (NEED_POD)
 *   POD    the pod looked up by address (held until the watch has it) --NEXT--> HOLD
 *   HOLD   held while faults.c slows down new pods -----NEXT--> GATE, or KSA if judged
 *   KSA    the pod's Kubernetes service account ----------------------NEXT--> ANSWER
 *   ANSWER from the tree, or a token / identity ------------------ANSWERED--> DONE;
 *          a wait_for_change whose value has not changed -----------CHANGE--> WAIT
 *   WAIT   held until the timer --------------------------------------NEXT--> ROUTE
 *
 * ANSWERED from any state ends the request (DONE: a reply was sent); DROP ends it
 * unanswered (the connection is held, then closed). Both go through metadata.c's one
 * finish path. An event a state does not expect is a bug: it ends in DONE with
 * md_sm_next's MD_S_INVALID, which metadata.c answers with a 500.
 */
#ifndef GKEID_MDREQ_H
#define GKEID_MDREQ_H

enum md_state {
	MD_S_NEW,
	MD_S_START,
	MD_S_GATE,
	MD_S_PARSE,
	MD_S_ROUTE,
	MD_S_POD,
	MD_S_HOLD,
	MD_S_KSA,
	MD_S_ANSWER,
	MD_S_WAIT,
	MD_S_DONE,    /* answered */
	MD_S_DROP,    /* dropped unanswered (NetworkPolicy) */
	MD_S_INVALID, /* an event the state does not expect */
};

enum md_ev {
	MD_EV_ASYNC,	 /* the step waits for a callback, which calls advance() */
	MD_EV_NEXT,	 /* the step is done: the state's successor */
	MD_EV_ANSWERED,	 /* a reply was sent (a refusal, an error, an answer) */
	MD_EV_KNOWN_POD, /* START: the caller is a pod the watch knows */
	MD_EV_ALLOWED,	 /* GATE */
	MD_EV_DENIED,	 /* GATE */
	MD_EV_TREE,	 /* ROUTE: answered from the tree, no pod needed */
	MD_EV_ACCOUNTS,	 /* ROUTE: the accounts are known without a lookup */
	MD_EV_NEED_POD,	 /* ROUTE */
	MD_EV_CHANGE,	 /* ANSWER: wait_for_change, value unchanged: held */
};

struct md_sm {
	enum md_state state;
	int judged; /* NetworkPolicy egress judged (allowed) */
	int early;  /* the gate ran before the request was parsed (a known pod) */
};

/* The state after sm's state ends with ev (MD_EV_ASYNC: unchanged); updates sm. */
enum md_state md_sm_next(struct md_sm *sm, enum md_ev ev);
/* The state's name, for logs and tests ("START"). */
const char *md_state_name(enum md_state s);

#endif
