/*
 * cli.h - the gkeid subcommands and the small helpers they share.
 */
#ifndef GKEID_CLI_H
#define GKEID_CLI_H

#include <stdint.h>
#include <sys/types.h>

int cmd_up(int argc, char **argv);
/* `gkeid node` (node.c) and `gkeid exec` (exec.c). Return the process exit status. */
int cmd_node(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_doctor(int argc, char **argv);	/* doctor.c */
int cmd_explain(int argc, char **argv); /* explain.c */
/* `gkeid fault` (fault.c): list, set and clear faults through up's admin endpoint. */
int cmd_fault(int argc, char **argv);

/* Parses a duration: "0", "250ms", "5s", "2m", "1h", or a bare number of seconds.
 * Returns 0 and milliseconds in *ms, or -EINVAL. */
int parse_duration_ms(const char *s, int64_t *ms);
/* Parses a TCP port 0-65535. 0 or -EINVAL. */
int parse_port(const char *s, int *port);

/* The connection-limit flags that `up` and `node` share (core/httpconn.h): put
 * CONN_LIMIT_OPTIONS in a getopt_long table, and hand every option to
 * parse_conn_limit: 1 when it was one of them (stored in lim), 0 when not, -EINVAL for a
 * bad value (err says why). */
/* clang-format off */
#define CONN_LIMIT_OPT_BASE 0x200
#define CONN_LIMIT_OPTIONS                                                                         \
	{"max-connections", required_argument, NULL, CONN_LIMIT_OPT_BASE},                         \
		{"handshake-timeout", required_argument, NULL, CONN_LIMIT_OPT_BASE + 1},           \
		{"header-timeout", required_argument, NULL, CONN_LIMIT_OPT_BASE + 2},              \
		{"idle-timeout", required_argument, NULL, CONN_LIMIT_OPT_BASE + 3}
#define CONN_LIMIT_USAGE(HANDSHAKE, HEADER, IDLE)                                                  \
	"  --max-connections N       connections served at once, all listeners together\n"     \
	"                            (default: the descriptor limit less max(64, limit/8));\n" \
	"                            a new one closes the longest-waiting idle one\n"           \
	"  --handshake-timeout DUR   TLS handshake deadline (default " HANDSHAKE ")\n"          \
	"  --header-timeout DUR      deadline for a request's headers (default " HEADER ")\n"   \
	"  --idle-timeout DUR        keep-alive connections idle longer are closed (default " IDLE \
	")\n"
/* clang-format on */
struct http_limits;
int parse_conn_limit(int opt, const char *value, struct http_limits *lim, char *err, size_t len);

/* One synchronous HTTP call (httpc.c, libcurl; curl_global_init is the caller's):
 * Accept: application/json, a 30 s timeout. */
struct httpc_req {
	const char *method, *url;
	const char *body;	     /* sent as application/json; NULL: none */
	const char *ca, *cert, *key; /* CA file, client certificate and key; NULL: none */
	const char *bearer;	     /* sent as "Authorization: Bearer"; NULL: none */
	size_t cap;		     /* a longer response body fails the call */
};
struct httpc_resp {
	long status;
	char *body; /* NUL-terminated, or NULL when empty; the caller frees it */
	size_t len;
};
/* 0 with *out filled when an answer came (any status); -ENOMEM when libcurl cannot
 * start; -EIO with curl's message in err when there was no answer. */
int httpc_call(const struct httpc_req *q, struct httpc_resp *out, char *err, size_t errlen);

#endif
