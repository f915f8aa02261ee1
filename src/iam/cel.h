/*
 * cel.h - the subset of CEL (Common Expression Language) that IAM Conditions allow,
 * compiled once and evaluated per permission check. Pure: no store, no I/O but the time
 * zone database read by the C library.
 *
 * Attributes: request.time (a timestamp); resource.name, resource.type and
 * resource.service (strings). Functions: timestamp(s), duration(s); on a timestamp
 * getFullYear, getMonth, getDate, getDayOfMonth, getDayOfWeek, getDayOfYear, getHours,
 * getMinutes, getSeconds, getMilliseconds, each with an optional time zone (an IANA name
 * such as "Europe/Berlin", or a fixed offset "+05:30"); on a string startsWith, endsWith,
 * contains, matches (POSIX extended regular expressions standing in for RE2), extract
 * (Google's "prefix{name}suffix" template) and size. Operators: && || ! ?: == != < <= > >=
 * in + - (timestamp and duration arithmetic, integers, string concatenation), and
 * bool, int, string and list literals.
 *
 * Evaluation follows CEL: an error (a type mismatch, a bad time zone) propagates, except
 * that false && error is false and true || error is true; a condition grants only when
 * it evaluates to the boolean true.
 */
#ifndef GKEID_IAM_CEL_H
#define GKEID_IAM_CEL_H

#include <stddef.h>
#include <stdint.h>

#define CEL_MAX_EXPR 16384 /* bytes of an expression (the bound normalize.c enforces) */

struct cel_program;

/* The attributes of one request. Strings are borrowed; NULL reads as "" (an attribute
 * the request lacks, as an unset field of Google's AttributeContext). */
struct cel_activation {
	int64_t now_ms; /* request.time */
	const char *resource_name;
	const char *resource_type;
	const char *resource_service;
};

#define CEL_NO_OFFSET ((size_t)-1)

/* Compiles expr (len bytes, not necessarily NUL-terminated). Returns 0 and *out, or
 * -EINVAL with *err (malloc'd, when err is non-NULL) and *err_offset (the byte where the
 * problem is, or CEL_NO_OFFSET; when non-NULL), or -ENOMEM. The text is cel-go's report
 * as Google's linter shows it (docs: iam/docs/linting-policies):
 *   ERROR: Parse expression:1:4: token recognition error at: '=f'
 *     | true=false
 *     | ....^
 * (line from 1, column from 0), or "Logical operators count must not be more than 12"
 * for an expression with more than 12 && and ||. */
int cel_compile(const char *expr, size_t len, struct cel_program **out, char **err,
		size_t *err_offset);

/* 1 when the program evaluates to true for a, 0 otherwise (false or an error). */
int cel_eval(const struct cel_program *p, const struct cel_activation *a);

void cel_free(struct cel_program *p);

/* The attributes gkeid knows of a resource name it checks ("projects/P",
 * "projects/P/serviceAccounts/E", "projects/P/locations/L/clusters/C"): its
 * resource.type and resource.service, or NULL for both when unknown. */
void cel_resource_kind(const char *name, const char **type, const char **service);

#endif
