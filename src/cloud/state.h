/*
 * state.h - the initial state that `gkeid up` writes into an empty store: projects,
 * their enabled services and IAM policies, users, and workload-identity issuers.
 * The format is YAML, documented in docs/state.md; data/demo.yaml is the default.
 */
#ifndef GKEID_STATE_H
#define GKEID_STATE_H

#include <jansson.h>
#include <stddef.h>

struct cloud;

/* Parses and validates state (YAML text). base_dir resolves relative file names (may be
 * NULL). On success returns 0 and the parsed document (new reference) in *out; on error
 * -EINVAL with a message in err. */
int state_parse(const char *text, size_t len, json_t **out, char *err, size_t errlen);

/* Writes a parsed state into the (empty) store. 0 or -errno with a message in err. */
int state_apply(struct cloud *c, const json_t *state, const char *base_dir, char *err,
		size_t errlen);

/* The admin account (state "admin", else the first user) and default project of a state,
 * borrowed from it; NULL when absent. */
const char *state_admin(const json_t *state);
const char *state_default_project(const json_t *state);

#endif
