/*
 * cel.c - the CEL subset of IAM Conditions (contract in cel.h): a lexer, a recursive
 * descent parser that builds a flat node array (literals folded: timestamp("..."),
 * duration("..."), regular expressions and time zones are checked and prepared once),
 * and an evaluator that allocates nothing.
 *
 * The grammar (cel-spec langdef.md, without macros, maps, doubles and bytes):
 *   expr   = or ["?" or ":" expr]
 *   or     = and {"||" and}          and = rel {"&&" rel}
 *   rel    = add {("<"|"<="|">"|">="|"=="|"!="|"in") add}
 *   add    = unary {("+"|"-") unary} unary = ("!"|"-") unary | member
 *   member = primary {"." IDENT ["(" args ")"]}
 *   primary = IDENT ["(" args ")"] | "(" expr ")" | "[" [expr {"," expr}] "]" | literal
 * Errors carry cel-go's location prefix, "ERROR: <input>:LINE:COLUMN: ".
 */
#include "iam/cel.h"

#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/dbuf.h"

#define MAX_NODES 4096
#define MAX_DEPTH 64
#define MAX_ARGS 2
/* What ANTLR's CEL grammar expects where an operand is missing (Google's lint example). */
#define OPERAND                                                                                    \
	"{'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, "   \
	"STRING, "                                                                                 \
	"BYTES, IDENTIFIER}"
#define MAX_LOGIC 12 /* logical operators (Google's ConditionComplexityCheck) */
#define DOTS                                                                                       \
	"........................................................................................" \
	"........"                                                                                 \
	"........................................................................................" \
	"........"                                                                                 \
	"........................................................................................" \
	"........"                                                                                 \
	"........................................................................................" \
	"........"                                                                                 \
	"........................................................................................" \
	"........"                                                                                 \
	"................................"
#define US_PER_S 1000000LL
#define MIN_TS (-62135596800LL * US_PER_S)	    /* 0001-01-01T00:00:00Z */
#define MAX_TS (253402300799LL * US_PER_S + 999999) /* 9999-12-31T23:59:59.999999Z */

enum op {
	N_BOOL,
	N_INT,
	N_STR,
	N_TS,
	N_DUR,
	N_NULL,
	N_LIST,
	N_TIME,
	N_RNAME,
	N_RTYPE,
	N_RSERVICE,
	N_NOT,
	N_NEG,
	N_AND,
	N_OR,
	N_COND,
	N_EQ,
	N_NE,
	N_LT,
	N_LE,
	N_GT,
	N_GE,
	N_IN,
	N_ADD,
	N_SUB,
	N_CALL,
};

enum fn {
	F_TIMESTAMP,
	F_DURATION,
	F_STARTS,
	F_ENDS,
	F_CONTAINS,
	F_MATCHES,
	F_EXTRACT,
	F_SIZE,
	F_YEAR,
	F_MONTH,
	F_DATE,
	F_DAY_OF_MONTH,
	F_DAY_OF_WEEK,
	F_DAY_OF_YEAR,
	F_HOURS,
	F_MINUTES,
	F_SECONDS,
	F_MILLIS,
	N_FNS
};

static const struct {
	const char *name;
	int method;   /* called on a target */
	int min, max; /* arguments */
} fns[N_FNS] = {
	[F_TIMESTAMP] = {"timestamp", 0, 1, 1},
	[F_DURATION] = {"duration", 0, 1, 1},
	[F_STARTS] = {"startsWith", 1, 1, 1},
	[F_ENDS] = {"endsWith", 1, 1, 1},
	[F_CONTAINS] = {"contains", 1, 1, 1},
	[F_MATCHES] = {"matches", 1, 1, 1},
	[F_EXTRACT] = {"extract", 1, 1, 1},
	[F_SIZE] = {"size", 1, 0, 0},
	[F_YEAR] = {"getFullYear", 1, 0, 1},
	[F_MONTH] = {"getMonth", 1, 0, 1},
	[F_DATE] = {"getDate", 1, 0, 1},
	[F_DAY_OF_MONTH] = {"getDayOfMonth", 1, 0, 1},
	[F_DAY_OF_WEEK] = {"getDayOfWeek", 1, 0, 1},
	[F_DAY_OF_YEAR] = {"getDayOfYear", 1, 0, 1},
	[F_HOURS] = {"getHours", 1, 0, 1},
	[F_MINUTES] = {"getMinutes", 1, 0, 1},
	[F_SECONDS] = {"getSeconds", 1, 0, 1},
	[F_MILLIS] = {"getMilliseconds", 1, 0, 1},
};

/* Time zones of the accessors: a fixed offset, or a named zone (index into zones). */
enum { TZ_NONE, TZ_FIXED, TZ_NAMED };

struct node {
	uint8_t op, fn, tz;
	int32_t k[3];  /* children (-1: none); a call's target is k[0], its argument k[1] */
	int64_t i;     /* int, timestamp or duration (µs); a fixed offset (s); a regex index */
	const char *s; /* a string literal (in the program's pool) */
	size_t n;      /* its length; a list's element count */
	int32_t first; /* a list's first element in elems */
};

struct cel_program {
	struct node *nodes;
	size_t n_nodes, cap_nodes;
	int32_t *elems;
	size_t n_elems, cap_elems;
	regex_t *res;
	size_t n_res;
	char **strs; /* decoded string literals */
	size_t n_strs;
	int32_t root;
};

/* ---- lexer ------------------------------------------------------------------------- */

enum tok { T_END, T_IDENT, T_INT, T_STR, T_PUNCT, T_BAD };

struct parser {
	const char *src;
	size_t len, pos;
	enum tok t;
	size_t start, tlen; /* the current token's bytes */
	int64_t ival;
	char *sval; /* a decoded string token (owned until taken) */
	size_t slen;
	int depth;
	int logic; /* && and || seen */
	struct cel_program *p;
	char *err;
	size_t err_at;
	int rc;
};

static int perr(struct parser *ps, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int perr(struct parser *ps, size_t at, const char *fmt, ...)
{
	char msg[256];
	size_t line = 1, col = 0, bol = 0, eol;
	va_list ap;
	int n;

	if (ps->rc < 0)
		return ps->rc;
	if (at > ps->len)
		at = ps->len;
	for (size_t i = 0; i < at; i++) {
		if (ps->src[i] == '\n') {
			line++;
			col = 0;
			bol = i + 1;
		} else {
			col++;
		}
	}
	for (eol = bol; eol < ps->len && ps->src[eol] != '\n'; eol++)
		;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ps->err_at = at;
	/* cel-go's report: the message, then the line and a caret under the column. */
	n = asprintf(&ps->err, "ERROR: Parse expression:%zu:%zu: %s\n  | %.*s\n  | %.*s^", line,
		     col, msg, (int)(eol - bol > 512 ? 512 : eol - bol), ps->src + bol,
		     (int)(col > 512 ? 512 : col), DOTS);
	if (n < 0) {
		ps->err = NULL;
		return ps->rc = -ENOMEM;
	}
	return ps->rc = -EINVAL;
}

static int is_ident(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* A quoted string from ps->pos (at the quote): decoded into ps->sval. */
static int lex_string(struct parser *ps)
{
	char q = ps->src[ps->pos], *out = malloc(ps->len - ps->pos + 1);
	size_t i = ps->pos + 1, n = 0;

	if (!out)
		return ps->rc = -ENOMEM;
	for (; i < ps->len && ps->src[i] != q; i++) {
		char c = ps->src[i];

		if (c == '\n') {
			break;
		} else if (c == '\\' && i + 1 < ps->len) {
			static const char from[] = "nrt\\\"'`?", to[] = "\n\r\t\\\"'`?";
			const char *at = strchr(from, ps->src[++i]);

			if (!at || !ps->src[i]) {
				free(out);
				return perr(ps, i - 1, "token recognition error at: '\\%c'",
					    ps->src[i]);
			}
			out[n++] = to[at - from];
		} else {
			out[n++] = c;
		}
	}
	if (i >= ps->len || ps->src[i] != q) {
		free(out);
		return perr(ps, ps->pos, "token recognition error at: '%.*s'",
			    (int)(i - ps->pos > 40 ? 40 : i - ps->pos), ps->src + ps->pos);
	}
	out[n] = '\0';
	free(ps->sval);
	ps->sval = out;
	ps->slen = n;
	ps->t = T_STR;
	ps->pos = i + 1;
	return 0;
}

static int lex(struct parser *ps)
{
	static const char *const two[] = {"&&", "||", "==", "!=", "<=", ">="};
	const char *s = ps->src;

	while (ps->pos < ps->len && strchr(" \t\r\n", s[ps->pos]))
		ps->pos++;
	ps->start = ps->pos;
	if (ps->pos >= ps->len) {
		ps->t = T_END;
		ps->tlen = 0;
		return 0;
	}
	if (is_ident(s[ps->pos], 1)) {
		while (ps->pos < ps->len && is_ident(s[ps->pos], 0))
			ps->pos++;
		ps->t = T_IDENT;
	} else if (s[ps->pos] >= '0' && s[ps->pos] <= '9') {
		int64_t v = 0;

		for (; ps->pos < ps->len && s[ps->pos] >= '0' && s[ps->pos] <= '9'; ps->pos++) {
			if (v > (INT64_MAX - (s[ps->pos] - '0')) / 10)
				return perr(ps, ps->start, "integer literal out of range");
			v = v * 10 + (s[ps->pos] - '0');
		}
		if (ps->pos < ps->len &&
		    (s[ps->pos] == '.' || s[ps->pos] == 'e' || s[ps->pos] == 'u'))
			return perr(ps, ps->start, "only integer literals are supported here");
		ps->ival = v;
		ps->t = T_INT;
	} else if (s[ps->pos] == '"' || s[ps->pos] == '\'') {
		if (lex_string(ps) < 0)
			return ps->rc;
	} else {
		ps->t = T_PUNCT;
		for (size_t k = 0; k < sizeof(two) / sizeof(two[0]); k++)
			if (ps->pos + 1 < ps->len && s[ps->pos] == two[k][0] &&
			    s[ps->pos + 1] == two[k][1]) {
				ps->pos += 2;
				goto done;
			}
		if (!strchr("()[],.!-+<>?:", s[ps->pos]))
			return perr(ps, ps->pos, "token recognition error at: '%.*s'",
				    strchr("=&|", s[ps->pos]) && ps->pos + 1 < ps->len ? 2 : 1,
				    s + ps->pos);
		ps->pos++;
	}
done:
	ps->tlen = ps->pos - ps->start;
	return 0;
}

static int is(const struct parser *ps, const char *punct)
{
	size_t n = strlen(punct);

	return (ps->t == T_PUNCT || ps->t == T_IDENT) && ps->tlen == n &&
	       memcmp(ps->src + ps->start, punct, n) == 0;
}

static int expect(struct parser *ps, const char *punct)
{
	if (!is(ps, punct))
		return perr(ps, ps->start, "missing '%s' at '%.*s'", punct,
			    ps->t == T_END ? 5 : (int)ps->tlen,
			    ps->t == T_END ? "<EOF>" : ps->src + ps->start);
	return lex(ps);
}

/* ---- time -------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, size_t n, int *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

/* "+HH:MM" or "-HH:MM" (also a time stamp's offset): seconds east of UTC. */
static int parse_offset(const char *s, size_t n, int64_t *off)
{
	int h, m;

	if (n != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' || !digits(s + 1, 2, &h) ||
	    !digits(s + 4, 2, &m) || h > 23 || m > 59)
		return 0;
	*off = (s[0] == '-' ? -1 : 1) * (int64_t)(h * 3600 + m * 60);
	return 1;
}

/* RFC 3339, as CEL's timestamp(): "2006-01-02T15:04:05[.frac](Z|±hh:mm)". µs since epoch. */
static int parse_timestamp(const char *s, size_t n, int64_t *us)
{
	int y, mo, d, h, mi, se, frac = 0, scale = 100000;
	size_t i = 19;
	int64_t off = 0, days;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (n < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
		return 0;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
	    se > 59)
		return 0;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 0;
	if (s[i] == '.') {
		size_t k = ++i;

		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			if (scale > 0) {
				frac += (s[i] - '0') * scale;
				scale /= 10;
			}
		}
		if (i == k || i - k > 9)
			return 0;
	}
	if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z'))
		off = 0;
	else if (!parse_offset(s + i, n - i, &off))
		return 0;
	days = days_from_civil(y, mo, d);
	*us = ((days * 86400 + h * 3600 + mi * 60 + se) - off) * US_PER_S + frac;
	return *us >= MIN_TS && *us <= MAX_TS;
}

/* CEL's duration(): [-]{number[.fraction]unit}, units h m s ms us ns. µs. */
static int parse_duration(const char *s, size_t n, int64_t *us)
{
	static const struct {
		const char *u;
		double f;
	} units[] = {{"ns", 1e-3}, {"us", 1}, {"ms", 1e3}, {"h", 3600e6}, {"m", 60e6}, {"s", 1e6}};
	size_t i = 0;
	double total = 0;
	int neg = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i >= n)
		return 0;
	while (i < n) {
		double v = 0, scale = 1;
		size_t k = i, u;

		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			v = v * 10 + (s[i] - '0');
		if (i < n && s[i] == '.')
			for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
				v += (s[i] - '0') * (scale /= 10);
		if (i == k)
			return 0;
		for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
			size_t ul = strlen(units[u].u);

			if (n - i >= ul && memcmp(s + i, units[u].u, ul) == 0) {
				total += v * units[u].f;
				i += ul;
				break;
			}
		}
		if (u == sizeof(units) / sizeof(units[0]))
			return 0;
	}
	/* CEL's range: about 10,000 years. */
	if (total > 315576000000.0 * 1e6)
		return 0;
	*us = (int64_t)(neg ? -total : total);
	return 1;
}

/* Named zones: the C library's database, behind one lock (TZ is process state), with the
 * offset of the last quarter hour asked kept per zone (no zone changes offset inside
 * one). */
#define MAX_ZONES 64
static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char name[64];
	int64_t bucket, offset;
	int valid;
} zones[MAX_ZONES];
static size_t n_zones;

static int zone_name_ok(const char *s, size_t n)
{
	char path[128];

	if (n == 0 || n >= sizeof(zones[0].name) || s[0] == '/' || memmem(s, n, "..", 2))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_ident(s[i], 0) && !strchr("/+-", s[i]))
			return 0;
	return SFMT(path, "/usr/share/zoneinfo/%.*s", (int)n, s) == 0 && access(path, R_OK) == 0;
}

/* The zone's index (added when new), or -1. */
static int zone_index(const char *s, size_t n)
{
	int idx = -1;

	pthread_mutex_lock(&zone_lock);
	for (size_t i = 0; i < n_zones; i++)
		if (strlen(zones[i].name) == n && memcmp(zones[i].name, s, n) == 0)
			idx = (int)i;
	if (idx < 0 && n_zones < MAX_ZONES) {
		memcpy(zones[n_zones].name, s, n);
		zones[n_zones].name[n] = '\0';
		zones[n_zones].valid = 0;
		idx = (int)n_zones++;
	}
	pthread_mutex_unlock(&zone_lock);
	return idx;
}

static int64_t zone_offset(int idx, int64_t sec)
{
	int64_t bucket = sec / 900, off;

	pthread_mutex_lock(&zone_lock);
	if (!zones[idx].valid || zones[idx].bucket != bucket) {
		char *old = getenv("TZ"), saved[256] = "";
		struct tm tm;
		time_t t = (time_t)sec;

		if (old)
			snprintf(saved, sizeof(saved), "%s", old);
		setenv("TZ", zones[idx].name, 1);
		tzset();
		zones[idx].offset = localtime_r(&t, &tm) ? tm.tm_gmtoff : 0;
		if (old)
			setenv("TZ", saved, 1);
		else
			unsetenv("TZ");
		tzset();
		zones[idx].bucket = bucket;
		zones[idx].valid = 1;
	}
	off = zones[idx].offset;
	pthread_mutex_unlock(&zone_lock);
	return off;
}

/* Prepares a time zone literal of an accessor in node x. 0 or a parse error. */
static int prepare_zone(struct parser *ps, struct node *x, const char *s, size_t n, size_t at)
{
	int idx;

	if (n == 3 && memcmp(s, "UTC", 3) == 0) {
		x->tz = TZ_FIXED;
		x->i = 0;
	} else if (parse_offset(s, n, &x->i)) {
		x->tz = TZ_FIXED;
	} else if (zone_name_ok(s, n) && (idx = zone_index(s, n)) >= 0) {
		x->tz = TZ_NAMED;
		x->i = idx;
	} else {
		return perr(ps, at, "invalid time zone '%.*s'", (int)(n > 64 ? 64 : n), s);
	}
	return 0;
}

/* ---- parser ------------------------------------------------------------------------ */

static int32_t node_new(struct parser *ps, enum op op)
{
	struct cel_program *p = ps->p;

	if (ps->rc < 0)
		return -1;
	if (p->n_nodes >= MAX_NODES) {
		perr(ps, ps->start, "expression is too complex");
		return -1;
	}
	if (p->n_nodes == p->cap_nodes) {
		size_t cap = p->cap_nodes ? p->cap_nodes * 2 : 16;
		struct node *nn = realloc(p->nodes, cap * sizeof(*nn));

		if (!nn) {
			ps->rc = -ENOMEM;
			return -1;
		}
		p->nodes = nn;
		p->cap_nodes = cap;
	}
	memset(&p->nodes[p->n_nodes], 0, sizeof(p->nodes[0]));
	p->nodes[p->n_nodes].op = (uint8_t)op;
	p->nodes[p->n_nodes].k[0] = p->nodes[p->n_nodes].k[1] = p->nodes[p->n_nodes].k[2] = -1;
	return (int32_t)p->n_nodes++;
}

static int32_t binary(struct parser *ps, enum op op, int32_t a, int32_t b)
{
	int32_t x;

	if (a < 0 || b < 0 || (x = node_new(ps, op)) < 0)
		return -1;
	ps->p->nodes[x].k[0] = a;
	ps->p->nodes[x].k[1] = b;
	return x;
}

/* Takes the current string token into the program's pool. */
static int32_t string_node(struct parser *ps)
{
	struct cel_program *p = ps->p;
	char **strs;
	int32_t x = node_new(ps, N_STR);

	if (x < 0)
		return -1;
	strs = realloc(p->strs, (p->n_strs + 1) * sizeof(*strs));
	if (!strs) {
		ps->rc = -ENOMEM;
		return -1;
	}
	p->strs = strs;
	p->strs[p->n_strs++] = ps->sval;
	p->nodes[x].s = ps->sval;
	p->nodes[x].n = ps->slen;
	ps->sval = NULL;
	return lex(ps) < 0 ? -1 : x;
}

static int32_t expr(struct parser *ps);

static int fn_lookup(const char *s, size_t n, int method)
{
	for (int f = 0; f < N_FNS; f++)
		if (fns[f].method == method && strlen(fns[f].name) == n &&
		    memcmp(fns[f].name, s, n) == 0)
			return f;
	return -1;
}

/* Literal arguments are checked and prepared at compile time. */
static int fold_call(struct parser *ps, int32_t x, size_t at)
{
	struct node *c = &ps->p->nodes[x];
	const struct node *arg = c->k[1] >= 0 ? &ps->p->nodes[c->k[1]] : NULL;
	int64_t v;

	if (!arg || arg->op != N_STR)
		return 0;
	switch (c->fn) {
	case F_TIMESTAMP:
		if (!parse_timestamp(arg->s, arg->n, &v))
			return perr(ps, at, "invalid timestamp \"%.*s\"",
				    (int)(arg->n > 64 ? 64 : arg->n), arg->s);
		c->op = N_TS;
		c->i = v;
		return 0;
	case F_DURATION:
		if (!parse_duration(arg->s, arg->n, &v))
			return perr(ps, at, "invalid duration \"%.*s\"",
				    (int)(arg->n > 64 ? 64 : arg->n), arg->s);
		c->op = N_DUR;
		c->i = v;
		return 0;
	case F_MATCHES: {
		struct cel_program *p = ps->p;
		regex_t *res = realloc(p->res, (p->n_res + 1) * sizeof(*res));

		if (!res)
			return ps->rc = -ENOMEM;
		p->res = res;
		if (memchr(arg->s, '\0', arg->n) ||
		    regcomp(&p->res[p->n_res], arg->s, REG_EXTENDED | REG_NOSUB) != 0)
			return perr(ps, at, "invalid regular expression \"%.*s\"",
				    (int)(arg->n > 64 ? 64 : arg->n), arg->s);
		c->i = (int64_t)p->n_res++;
		c->tz = 1; /* prepared */
		return 0;
	}
	case F_EXTRACT: {
		const char *open = memchr(arg->s, '{', arg->n),
			   *close = memchr(arg->s, '}', arg->n);

		if (!open || !close || close < open ||
		    memchr(close + 1, '{', arg->n - (size_t)(close + 1 - arg->s)))
			return perr(ps, at, "invalid extract template \"%.*s\"",
				    (int)(arg->n > 64 ? 64 : arg->n), arg->s);
		return 0;
	}
	default:
		if (c->fn >= F_YEAR)
			return prepare_zone(ps, c, arg->s, arg->n, at);
		return 0;
	}
}

/* A call of name [s, s+n) on target (-1: a global function), at "(" . */
static int32_t call(struct parser *ps, const char *s, size_t n, int32_t target, size_t at)
{
	int f = fn_lookup(s, n, target >= 0);
	int32_t x, args[MAX_ARGS + 1];
	int nargs = 0;

	if (f < 0) {
		perr(ps, at, "undeclared reference to '%.*s' (in container '')",
		     (int)(n > 64 ? 64 : n), s);
		return -1;
	}
	if (lex(ps) < 0)
		return -1;
	while (!is(ps, ")")) {
		if (nargs > MAX_ARGS || (nargs > 0 && expect(ps, ",") < 0))
			break;
		if ((args[nargs++] = expr(ps)) < 0)
			return -1;
	}
	if (expect(ps, ")") < 0)
		return -1;
	if (nargs < fns[f].min || nargs > fns[f].max) {
		perr(ps, at, "found no matching overload for '%s' applied to %d argument(s)",
		     fns[f].name, nargs);
		return -1;
	}
	if ((x = node_new(ps, N_CALL)) < 0)
		return -1;
	ps->p->nodes[x].fn = (uint8_t)f;
	ps->p->nodes[x].k[0] = target;
	ps->p->nodes[x].k[1] = nargs ? args[0] : -1;
	return fold_call(ps, x, at) < 0 ? -1 : x;
}

/* request.time, resource.name, resource.type, resource.service. */
static int32_t attribute(struct parser *ps, const char *s, size_t n, size_t at)
{
	static const struct {
		const char *name;
		enum op op;
	} attrs[] = {{"request.time", N_TIME},
		     {"resource.name", N_RNAME},
		     {"resource.type", N_RTYPE},
		     {"resource.service", N_RSERVICE}};
	char full[64];
	size_t fl;

	if (lex(ps) < 0 || expect(ps, ".") < 0)
		return -1;
	if (ps->t != T_IDENT) {
		perr(ps, ps->start, "no viable alternative at input '.'");
		return -1;
	}
	fl = (size_t)snprintf(full, sizeof(full), "%.*s.%.*s", (int)n, s,
			      (int)(ps->tlen > 40 ? 40 : ps->tlen), ps->src + ps->start);
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (strlen(attrs[i].name) == fl && memcmp(attrs[i].name, full, fl) == 0)
			return lex(ps) < 0 ? -1 : node_new(ps, attrs[i].op);
	perr(ps, at, "undeclared reference to '%s' (in container '')", full);
	return -1;
}

static int32_t list(struct parser *ps)
{
	struct cel_program *p = ps->p;
	int32_t x = node_new(ps, N_LIST), e, items[256];
	size_t n = 0;

	if (x < 0 || lex(ps) < 0)
		return -1;
	while (!is(ps, "]")) {
		if (n > 0 && expect(ps, ",") < 0)
			return -1;
		if (n >= sizeof(items) / sizeof(items[0])) {
			perr(ps, ps->start, "list literal is too long");
			return -1;
		}
		if ((e = expr(ps)) < 0)
			return -1;
		items[n++] = e;
	}
	if (expect(ps, "]") < 0)
		return -1;
	if (p->n_elems + n > p->cap_elems) {
		size_t cap = (p->cap_elems + n) * 2;
		int32_t *el = realloc(p->elems, cap * sizeof(*el));

		if (!el) {
			ps->rc = -ENOMEM;
			return -1;
		}
		p->elems = el;
		p->cap_elems = cap;
	}
	memcpy(p->elems + p->n_elems, items, n * sizeof(*items));
	p->nodes[x].first = (int32_t)p->n_elems;
	p->nodes[x].n = n;
	p->n_elems += n;
	return x;
}

static int32_t primary(struct parser *ps)
{
	const char *s = ps->src + ps->start;
	size_t n = ps->tlen, at = ps->start;
	int32_t x;

	switch (ps->t) {
	case T_INT:
		if ((x = node_new(ps, N_INT)) >= 0)
			ps->p->nodes[x].i = ps->ival;
		return x < 0 || lex(ps) < 0 ? -1 : x;
	case T_STR:
		return string_node(ps);
	case T_IDENT:
		if ((n == 4 && memcmp(s, "true", 4) == 0) ||
		    (n == 5 && memcmp(s, "false", 5) == 0)) {
			if ((x = node_new(ps, N_BOOL)) >= 0)
				ps->p->nodes[x].i = n == 4;
			return x < 0 || lex(ps) < 0 ? -1 : x;
		}
		if (n == 4 && memcmp(s, "null", 4) == 0)
			return lex(ps) < 0 ? -1 : node_new(ps, N_NULL);
		if ((n == 7 && memcmp(s, "request", 7) == 0) ||
		    (n == 8 && memcmp(s, "resource", 8) == 0))
			return attribute(ps, s, n, at);
		if (lex(ps) < 0)
			return -1;
		if (is(ps, "("))
			return call(ps, s, n, -1, at);
		perr(ps, at, "undeclared reference to '%.*s' (in container '')",
		     (int)(n > 64 ? 64 : n), s);
		return -1;
	case T_PUNCT:
		if (is(ps, "(")) {
			if (lex(ps) < 0 || (x = expr(ps)) < 0 || expect(ps, ")") < 0)
				return -1;
			return x;
		}
		if (is(ps, "["))
			return list(ps);
		/* fall through */
	default:
		perr(ps, at, "mismatched input '%.*s' expecting " OPERAND,
		     ps->t == T_END ? 5 : (int)(n > 64 ? 64 : n), ps->t == T_END ? "<EOF>" : s);
		return -1;
	}
}

static int32_t member(struct parser *ps)
{
	int32_t x = primary(ps);

	while (x >= 0 && is(ps, ".")) {
		const char *s;
		size_t n, at;

		if (lex(ps) < 0)
			return -1;
		s = ps->src + ps->start;
		n = ps->tlen;
		at = ps->start;
		if (ps->t != T_IDENT || lex(ps) < 0) {
			perr(ps, at, "no viable alternative at input '.'");
			return -1;
		}
		if (!is(ps, "(")) {
			perr(ps, at, "type has no field '%.*s'", (int)(n > 64 ? 64 : n), s);
			return -1;
		}
		x = call(ps, s, n, x, at);
	}
	return x;
}

static int32_t unary(struct parser *ps)
{
	enum op op;
	int32_t a, x;

	if (is(ps, "!"))
		op = N_NOT;
	else if (is(ps, "-"))
		op = N_NEG;
	else
		return member(ps);
	if (++ps->depth > MAX_DEPTH) {
		perr(ps, ps->start, "expression is nested too deeply");
		return -1;
	}
	if (lex(ps) < 0 || (a = unary(ps)) < 0 || (x = node_new(ps, op)) < 0)
		return -1;
	ps->depth--;
	ps->p->nodes[x].k[0] = a;
	return x;
}

static int32_t additive(struct parser *ps)
{
	int32_t x = unary(ps);

	while (x >= 0 && (is(ps, "+") || is(ps, "-"))) {
		enum op op = is(ps, "+") ? N_ADD : N_SUB;

		if (lex(ps) < 0)
			return -1;
		x = binary(ps, op, x, unary(ps));
	}
	return x;
}

static int32_t relation(struct parser *ps)
{
	static const struct {
		const char *t;
		enum op op;
	} rel[] = {{"==", N_EQ}, {"!=", N_NE}, {"<=", N_LE}, {">=", N_GE},
		   {"<", N_LT},	 {">", N_GT},  {"in", N_IN}};
	int32_t x = additive(ps);

	for (size_t i = 0; x >= 0 && i < sizeof(rel) / sizeof(rel[0]); i++) {
		if (is(ps, rel[i].t)) {
			if (lex(ps) < 0)
				return -1;
			x = binary(ps, rel[i].op, x, additive(ps));
			i = (size_t)-1; /* again from the first */
		}
	}
	return x;
}

static int32_t conjunction(struct parser *ps)
{
	int32_t x = relation(ps);

	while (x >= 0 && is(ps, "&&")) {
		ps->logic++;
		if (lex(ps) < 0)
			return -1;
		x = binary(ps, N_AND, x, relation(ps));
	}
	return x;
}

static int32_t disjunction(struct parser *ps)
{
	int32_t x = conjunction(ps);

	while (x >= 0 && is(ps, "||")) {
		ps->logic++;
		if (lex(ps) < 0)
			return -1;
		x = binary(ps, N_OR, x, conjunction(ps));
	}
	return x;
}

static int32_t expr(struct parser *ps)
{
	int32_t c, a, b, x;

	if (++ps->depth > MAX_DEPTH) {
		perr(ps, ps->start, "expression is nested too deeply");
		return -1;
	}
	c = disjunction(ps);
	if (c >= 0 && is(ps, "?")) {
		if (lex(ps) < 0 || (a = disjunction(ps)) < 0 || expect(ps, ":") < 0 ||
		    (b = expr(ps)) < 0 || (x = node_new(ps, N_COND)) < 0)
			return -1;
		ps->p->nodes[x].k[0] = c;
		ps->p->nodes[x].k[1] = a;
		ps->p->nodes[x].k[2] = b;
		c = x;
	}
	ps->depth--;
	return c;
}

int cel_compile(const char *src, size_t len, struct cel_program **out, char **err,
		size_t *err_offset)
{
	struct parser ps = {.src = src, .len = len, .err_at = CEL_NO_OFFSET};
	int rc;

	*out = NULL;
	if (err)
		*err = NULL;
	if (err_offset)
		*err_offset = CEL_NO_OFFSET;
	if (!(ps.p = calloc(1, sizeof(*ps.p))))
		return -ENOMEM;
	if (len > CEL_MAX_EXPR)
		perr(&ps, 0, "expression is longer than %d bytes", CEL_MAX_EXPR);
	else if (memchr(src, '\0', len))
		perr(&ps, (size_t)((const char *)memchr(src, '\0', len) - src),
		     "token recognition error at: '\\0'");
	else if (lex(&ps) == 0 && (ps.p->root = expr(&ps)) >= 0 && ps.t != T_END)
		perr(&ps, ps.start, "extraneous input '%.*s' expecting <EOF>",
		     (int)(ps.tlen > 64 ? 64 : ps.tlen), src + ps.start);
	if (ps.rc == 0 && ps.p->root < 0)
		ps.rc = -ENOMEM;
	if (ps.rc == 0 && ps.logic > MAX_LOGIC) { /* Google's text, without a location */
		ps.rc = (ps.err = strdup("Logical operators count must not be more than 12"))
				? -EINVAL
				: -ENOMEM;
		ps.err_at = CEL_NO_OFFSET;
	}
	free(ps.sval);
	rc = ps.rc;
	if (rc < 0) {
		cel_free(ps.p);
		if (err_offset)
			*err_offset = ps.err_at;
		if (err)
			*err = ps.err;
		else
			free(ps.err);
		return rc;
	}
	*out = ps.p;
	return 0;
}

void cel_free(struct cel_program *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_res; i++)
		regfree(&p->res[i]);
	for (size_t i = 0; i < p->n_strs; i++)
		free(p->strs[i]);
	free(p->res);
	free(p->strs);
	free(p->nodes);
	free(p->elems);
	free(p);
}

/* ---- evaluation -------------------------------------------------------------------- */

enum vt { V_ERR, V_BOOL, V_INT, V_STR, V_TS, V_DUR, V_NULL, V_LIST };

struct val {
	uint8_t t;
	int64_t i;     /* bool, int, timestamp, duration (µs) */
	const char *s; /* a string (borrowed) */
	size_t n;      /* its length */
	int32_t list;  /* a list's node */
};

static const struct val err_val = {.t = V_ERR};

static struct val eval(const struct cel_program *p, int32_t x, const struct cel_activation *a);

static struct val mk(enum vt t, int64_t i)
{
	struct val v = {.t = (uint8_t)t, .i = i};
	return v;
}

static struct val mks(const char *s, size_t n)
{
	struct val v = {.t = V_STR, .s = s ? s : "", .n = s ? n : 0};
	return v;
}

/* -1, 0, 1, or 2 when the values cannot be ordered. */
static int compare(struct val l, struct val r)
{
	if (l.t != r.t)
		return 2;
	switch (l.t) {
	case V_BOOL:
	case V_INT:
	case V_TS:
	case V_DUR:
		return l.i < r.i ? -1 : l.i > r.i;
	case V_STR: {
		int c = memcmp(l.s, r.s, l.n < r.n ? l.n : r.n);

		return c ? (c < 0 ? -1 : 1) : l.n < r.n ? -1 : l.n > r.n;
	}
	case V_NULL:
		return 0;
	default:
		return 2;
	}
}

static struct val equality(struct val l, struct val r)
{
	if (l.t == V_ERR || r.t == V_ERR || l.t == V_LIST || r.t == V_LIST)
		return err_val;		       /* lists compare only through "in" here */
	return mk(V_BOOL, compare(l, r) == 0); /* heterogeneous equality is false, as CEL's */
}

static struct val membership(const struct cel_program *p, struct val l, struct val r,
			     const struct cel_activation *a)
{
	const struct node *ln;

	if (l.t == V_ERR || r.t != V_LIST)
		return err_val;
	ln = &p->nodes[r.list];
	for (size_t i = 0; i < ln->n; i++) {
		struct val e = eval(p, p->elems[ln->first + (int32_t)i], a);

		if (e.t == V_ERR)
			return err_val;
		if (compare(l, e) == 0)
			return mk(V_BOOL, 1);
	}
	return mk(V_BOOL, 0);
}

static struct val arith(enum op op, struct val l, struct val r)
{
	int64_t res;
	int neg = op == N_SUB;

	if (l.t == V_ERR || r.t == V_ERR)
		return err_val;
	if (l.t == V_INT && r.t == V_INT) {
		if (neg ? __builtin_sub_overflow(l.i, r.i, &res)
			: __builtin_add_overflow(l.i, r.i, &res))
			return err_val;
		return mk(V_INT, res);
	}
	if ((l.t == V_TS || l.t == V_DUR) && r.t == V_DUR) {
		if (neg ? __builtin_sub_overflow(l.i, r.i, &res)
			: __builtin_add_overflow(l.i, r.i, &res))
			return err_val;
		if (l.t == V_TS && (res < MIN_TS || res > MAX_TS))
			return err_val;
		return mk(l.t, res);
	}
	if (!neg && l.t == V_DUR && r.t == V_TS)
		return arith(N_ADD, r, l);
	if (neg && l.t == V_TS && r.t == V_TS)
		return mk(V_DUR, l.i - r.i);
	return err_val;
}

/* A timestamp's field in the node's time zone. */
static struct val accessor(const struct node *c, struct val t)
{
	int64_t off = 0, sec, days, y, rem;
	int m, d;

	if (t.t == V_DUR) { /* a duration's totals */
		switch (c->fn) {
		case F_HOURS:
			return mk(V_INT, t.i / (3600 * US_PER_S));
		case F_MINUTES:
			return mk(V_INT, t.i / (60 * US_PER_S));
		case F_SECONDS:
			return mk(V_INT, t.i / US_PER_S);
		case F_MILLIS:
			return mk(V_INT, t.i / 1000 % 1000);
		default:
			return err_val;
		}
	}
	if (t.t != V_TS)
		return err_val;
	sec = t.i >= 0 ? t.i / US_PER_S : -((-t.i + US_PER_S - 1) / US_PER_S);
	if (c->tz == TZ_FIXED)
		off = c->i;
	else if (c->tz == TZ_NAMED)
		off = zone_offset((int)c->i, sec);
	sec += off;
	days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
	rem = sec - days * 86400;
	civil_from_days(days, &y, &m, &d);
	switch (c->fn) {
	case F_YEAR:
		return mk(V_INT, y);
	case F_MONTH:
		return mk(V_INT, m - 1);
	case F_DATE:
		return mk(V_INT, d);
	case F_DAY_OF_MONTH:
		return mk(V_INT, d - 1);
	case F_DAY_OF_WEEK:
		return mk(V_INT, ((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday (4) */
	case F_DAY_OF_YEAR:
		return mk(V_INT, days - days_from_civil(y, 1, 1));
	case F_HOURS:
		return mk(V_INT, rem / 3600);
	case F_MINUTES:
		return mk(V_INT, rem / 60 % 60);
	case F_SECONDS:
		return mk(V_INT, rem % 60);
	case F_MILLIS:
		return mk(V_INT, (t.i % US_PER_S + US_PER_S) % US_PER_S / 1000);
	default:
		return err_val;
	}
}

/* Google's extract("prefix{name}suffix"): what follows the first prefix, up to the next
 * suffix (or the end when the suffix is empty); "" when either is missing. */
static struct val extract(struct val s, struct val tmpl)
{
	const char *open = memchr(tmpl.s, '{', tmpl.n), *close = memchr(tmpl.s, '}', tmpl.n);
	size_t plen, slen;
	const char *start, *end;

	if (!open || !close || close < open)
		return err_val;
	plen = (size_t)(open - tmpl.s);
	slen = tmpl.n - (size_t)(close + 1 - tmpl.s);
	start = plen ? memmem(s.s, s.n, tmpl.s, plen) : s.s;
	if (!start)
		return mks("", 0);
	start += plen;
	if (slen == 0)
		return mks(start, s.n - (size_t)(start - s.s));
	end = memmem(start, s.n - (size_t)(start - s.s), close + 1, slen);
	return end ? mks(start, (size_t)(end - start)) : mks("", 0);
}

static struct val string_fn(const struct cel_program *p, const struct node *c, struct val t,
			    struct val arg)
{
	if (t.t != V_STR || (c->fn != F_SIZE && arg.t != V_STR))
		return err_val;
	switch (c->fn) {
	case F_STARTS:
		return mk(V_BOOL, arg.n <= t.n && memcmp(t.s, arg.s, arg.n) == 0);
	case F_ENDS:
		return mk(V_BOOL, arg.n <= t.n && memcmp(t.s + t.n - arg.n, arg.s, arg.n) == 0);
	case F_CONTAINS:
		return mk(V_BOOL, arg.n == 0 || memmem(t.s, t.n, arg.s, arg.n) != NULL);
	case F_SIZE:
		return mk(V_INT, (int64_t)t.n);
	case F_EXTRACT:
		return extract(t, arg);
	case F_MATCHES: {
		char buf[1024];

		/* A pattern that is not a literal was not compiled: an error, as cel-go's
		 * checker would not see it either. */
		if (!c->tz || t.n >= sizeof(buf) || memchr(t.s, '\0', t.n))
			return err_val;
		memcpy(buf, t.s, t.n);
		buf[t.n] = '\0';
		return mk(V_BOOL, regexec(&p->res[c->i], buf, 0, NULL, 0) == 0);
	}
	default:
		return err_val;
	}
}

static struct val call_eval(const struct cel_program *p, const struct node *c,
			    const struct cel_activation *a)
{
	struct val t = c->k[0] >= 0 ? eval(p, c->k[0], a) : err_val;
	struct val arg = c->k[1] >= 0 ? eval(p, c->k[1], a) : err_val;
	int64_t v;

	if ((c->k[0] >= 0 && t.t == V_ERR) || (c->k[1] >= 0 && arg.t == V_ERR))
		return err_val;
	switch (c->fn) {
	case F_TIMESTAMP: /* a non-literal argument */
		if (arg.t == V_TS)
			return arg;
		return arg.t == V_STR && parse_timestamp(arg.s, arg.n, &v) ? mk(V_TS, v) : err_val;
	case F_DURATION:
		if (arg.t == V_DUR)
			return arg;
		return arg.t == V_STR && parse_duration(arg.s, arg.n, &v) ? mk(V_DUR, v) : err_val;
	default:
		if (c->fn >= F_YEAR) {
			if (c->k[1] >= 0 && c->tz == TZ_NONE)
				return err_val; /* a zone that is not a literal */
			return accessor(c, t);
		}
		return string_fn(p, c, t, arg);
	}
}

static struct val eval(const struct cel_program *p, int32_t x, const struct cel_activation *a)
{
	const struct node *n = &p->nodes[x];
	struct val l, r;
	int c;

	switch (n->op) {
	case N_BOOL:
		return mk(V_BOOL, n->i);
	case N_INT:
		return mk(V_INT, n->i);
	case N_TS:
		return mk(V_TS, n->i);
	case N_DUR:
		return mk(V_DUR, n->i);
	case N_NULL:
		return mk(V_NULL, 0);
	case N_STR:
		return mks(n->s, n->n);
	case N_LIST: {
		struct val v = {.t = V_LIST, .list = x};
		return v;
	}
	case N_TIME: /* µs, within CEL's range */
		if (a->now_ms > MAX_TS / 1000 || a->now_ms < MIN_TS / 1000)
			return err_val;
		return mk(V_TS, a->now_ms * 1000);
	case N_RNAME:
		return mks(a->resource_name, a->resource_name ? strlen(a->resource_name) : 0);
	case N_RTYPE:
		return mks(a->resource_type, a->resource_type ? strlen(a->resource_type) : 0);
	case N_RSERVICE:
		return mks(a->resource_service,
			   a->resource_service ? strlen(a->resource_service) : 0);
	case N_NOT:
		l = eval(p, n->k[0], a);
		return l.t == V_BOOL ? mk(V_BOOL, !l.i) : err_val;
	case N_NEG:
		l = eval(p, n->k[0], a);
		if (l.t == V_INT && l.i != INT64_MIN)
			return mk(V_INT, -l.i);
		return l.t == V_DUR ? mk(V_DUR, -l.i) : err_val;
	case N_AND:
	case N_OR: {
		int stop = n->op == N_OR; /* the value that decides alone */

		l = eval(p, n->k[0], a);
		if (l.t == V_BOOL && l.i == stop)
			return l;
		r = eval(p, n->k[1], a);
		if (r.t == V_BOOL && r.i == stop)
			return r;
		return l.t == V_BOOL && r.t == V_BOOL ? r : err_val;
	}
	case N_COND:
		l = eval(p, n->k[0], a);
		if (l.t != V_BOOL)
			return err_val;
		return eval(p, n->k[l.i ? 1 : 2], a);
	case N_EQ:
	case N_NE:
		l = equality(eval(p, n->k[0], a), eval(p, n->k[1], a));
		return l.t == V_BOOL && n->op == N_NE ? mk(V_BOOL, !l.i) : l;
	case N_LT:
	case N_LE:
	case N_GT:
	case N_GE:
		l = eval(p, n->k[0], a);
		r = eval(p, n->k[1], a);
		if (l.t == V_ERR || r.t == V_ERR || (c = compare(l, r)) == 2 || l.t == V_NULL)
			return err_val;
		return mk(V_BOOL, n->op == N_LT	  ? c < 0
				  : n->op == N_LE ? c <= 0
				  : n->op == N_GT ? c > 0
						  : c >= 0);
	case N_IN:
		return membership(p, eval(p, n->k[0], a), eval(p, n->k[1], a), a);
	case N_ADD:
	case N_SUB:
		return arith((enum op)n->op, eval(p, n->k[0], a), eval(p, n->k[1], a));
	case N_CALL:
		return call_eval(p, n, a);
	default:
		return err_val;
	}
}

int cel_eval(const struct cel_program *p, const struct cel_activation *a)
{
	struct val v;

	if (!p || !a || p->root < 0)
		return 0;
	v = eval(p, p->root, a);
	return v.t == V_BOOL && v.i == 1;
}

void cel_resource_kind(const char *name, const char **type, const char **service)
{
	const char *rest;

	*type = *service = NULL;
	if (!name || strncmp(name, "projects/", 9) != 0 || !name[9])
		return;
	rest = strchr(name + 9, '/');
	if (!rest) {
		*type = "cloudresourcemanager.googleapis.com/Project";
		*service = "cloudresourcemanager.googleapis.com";
	} else if (strncmp(rest, "/serviceAccounts/", 17) == 0) {
		*type = "iam.googleapis.com/ServiceAccount";
		*service = "iam.googleapis.com";
	} else if (strncmp(rest, "/locations/", 11) == 0 && strstr(rest, "/clusters/")) {
		*type = "container.googleapis.com/Cluster";
		*service = "container.googleapis.com";
	}
}
