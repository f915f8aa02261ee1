/*
 * test_cel.c - unit tests of the IAM Conditions evaluator (src/iam/cel.c): a table of
 * expressions from Google's IAM Conditions documentation (conditions-overview,
 * conditions-attribute-reference, conditions-resource-attributes; a few written in the
 * same shapes), each with a request that makes it true and one that makes it false;
 * then the errors reported when a policy is set.
 */
#include "t.h"

#include "iam/cel.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OPERAND                                                                                    \
	"{'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, "   \
	"STRING, BYTES, IDENTIFIER}"

/* A request: "TIME|resource.name|resource.type|resource.service" (empty parts absent). */
struct req {
	char buf[512];
	struct cel_activation a;
};

static int64_t ms_of(const char *rfc3339);

static void req_parse(struct req *r, const char *spec)
{
	char *part[4] = {0}, *s;
	int i = 0;

	snprintf(r->buf, sizeof(r->buf), "%s", spec);
	s = r->buf;
	part[i++] = s;
	while (i < 4 && (s = strchr(s, '|'))) {
		*s++ = '\0';
		part[i++] = s;
	}
	memset(&r->a, 0, sizeof(r->a));
	r->a.now_ms = ms_of(part[0]);
	r->a.resource_name = part[1] && *part[1] ? part[1] : NULL;
	r->a.resource_type = part[2] && *part[2] ? part[2] : NULL;
	r->a.resource_service = part[3] && *part[3] ? part[3] : NULL;
}

/* Time through the evaluator itself is circular; use timegm. */
static int64_t ms_of(const char *s)
{
	struct tm tm = {0};
	int ms = 0;

	if (sscanf(s, "%d-%d-%dT%d:%d:%d.%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec, &ms) < 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * 1000 + ms;
}

#define BUCKET "projects/_/buckets/exampleco-site-assets"
#define NOON "2021-03-15T12:00:00Z" /* a Monday */
#define P "projects/demo-project"

static const struct {
	const char *expr, *yes, *no;
} cases[] = {
	/* Temporary access (conditions-overview, "date/time attributes"). */
	{"request.time < timestamp(\"2021-04-01T00:00:00.000Z\")", NOON, "2021-04-01T00:00:00Z"},
	{"request.time > timestamp(\"2021-01-01T00:00:00Z\")", NOON, "2020-12-31T23:59:59Z"},
	{"request.time >= timestamp(\"2021-03-15T12:00:00Z\")", NOON, "2021-03-15T11:59:59.999Z"},
	{"request.time <= timestamp(\"2021-03-15T12:00:00Z\")", NOON, "2021-03-15T12:00:00.001Z"},
	{"request.time > timestamp(\"2021-01-01T00:00:00Z\") && request.time < "
	 "timestamp(\"2021-02-01T00:00:00Z\")",
	 "2021-01-15T00:00:00Z", NOON},
	{"request.time < timestamp(\"2021-03-15T13:00:00+01:00\")", "2021-03-15T11:59:00Z", NOON},
	{"request.time < timestamp(\"2021-03-15T00:00:00Z\") + duration(\"86400s\")", NOON,
	 "2021-03-16T00:00:00Z"},
	{"request.time - duration(\"3600s\") > timestamp(\"2021-03-15T10:00:00Z\")", NOON,
	 "2021-03-15T11:00:00Z"},
	{"request.time < timestamp(\"2021-03-15T00:00:00Z\") + duration(\"12h30m\")", NOON,
	 "2021-03-15T12:30:00Z"},
	/* Working hours in a time zone (conditions-attribute-reference, "getHours()"). */
	{"request.time.getHours(\"Europe/Berlin\") >= 9 && "
	 "request.time.getHours(\"Europe/Berlin\") <= 17",
	 NOON, "2021-03-15T20:00:00Z"},
	{"request.time.getHours(\"America/Los_Angeles\") >= 9 && "
	 "request.time.getHours(\"America/Los_Angeles\") < 17",
	 "2021-03-15T17:00:00Z", NOON},
	{"request.time.getDayOfWeek(\"Europe/Berlin\") >= 1 && "
	 "request.time.getDayOfWeek(\"Europe/Berlin\") <= 5",
	 NOON, "2021-03-14T12:00:00Z"},
	{"request.time.getDayOfWeek(\"America/New_York\") == 0", "2021-03-14T12:00:00Z", NOON},
	{"request.time.getHours() == 12", NOON, "2021-03-15T13:00:00Z"},
	{"request.time.getHours(\"UTC\") < 12", "2021-03-15T11:59:59Z", NOON},
	{"request.time.getHours(\"+05:30\") == 17", NOON, "2021-03-15T11:00:00Z"},
	{"request.time.getHours(\"Asia/Tokyo\") == 21", NOON, "2021-03-15T13:00:00Z"},
	{"request.time.getMinutes() == 30", "2021-03-15T12:30:00Z", NOON},
	{"request.time.getSeconds() < 30", NOON, "2021-03-15T12:00:45Z"},
	{"request.time.getMilliseconds() == 250", "2021-03-15T12:00:00.250Z", NOON},
	{"request.time.getFullYear(\"Europe/Berlin\") == 2021", NOON, "2020-06-01T00:00:00Z"},
	{"request.time.getFullYear(\"Asia/Tokyo\") == 2022", "2021-12-31T20:00:00Z",
	 "2021-12-31T12:00:00Z"},
	{"request.time.getMonth(\"Europe/Berlin\") == 2", NOON, "2021-04-15T12:00:00Z"},
	{"request.time.getDate(\"Europe/Berlin\") == 15", NOON, "2021-03-16T12:00:00Z"},
	{"request.time.getDayOfMonth() == 14", NOON, "2021-03-14T12:00:00Z"},
	{"request.time.getDayOfYear() == 73", NOON, "2021-03-16T12:00:00Z"},
	{"request.time.getHours(\"America/New_York\") == 8", NOON /* EDT from 2021-03-14 */,
	 "2021-03-01T12:00:00Z"},
	/* Resource attributes (conditions-resource-attributes). */
	{"resource.name.startsWith(\"" BUCKET "/\")", NOON "|" BUCKET "/objects/a.jpg",
	 NOON "|projects/_/buckets/other/objects/a.jpg"},
	{"resource.name.endsWith(\".jpg\")", NOON "|" BUCKET "/objects/a.jpg",
	 NOON "|" BUCKET "/objects/a.png"},
	{"resource.type == \"storage.googleapis.com/Bucket\"",
	 NOON "|" BUCKET "|storage.googleapis.com/Bucket",
	 NOON "|" BUCKET "|storage.googleapis.com/Object"},
	{"resource.service == \"compute.googleapis.com\"", NOON "|||compute.googleapis.com",
	 NOON "|||storage.googleapis.com"},
	{"resource.type != \"compute.googleapis.com/Instance\" || "
	 "resource.name.startsWith(\"projects/project-123/zones/us-central1-a/instances/prod-\")",
	 NOON "|projects/project-123/zones/us-central1-a/instances/prod-1|compute.googleapis.com/"
	      "Instance",
	 NOON "|projects/project-123/zones/us-central1-a/instances/dev-1|compute.googleapis.com/"
	      "Instance"},
	{"resource.type in [\"compute.googleapis.com/Instance\", \"compute.googleapis.com/Disk\"]",
	 NOON "||compute.googleapis.com/Disk", NOON "||compute.googleapis.com/Image"},
	{"resource.name.extract(\"projects/_/buckets/{name}/\") == \"exampleco-site-assets\"",
	 NOON "|" BUCKET "/objects/x", NOON "|projects/_/buckets/other/objects/x"},
	{"resource.name.extract(\"/objects/{name}\").startsWith(\"reports/\")",
	 NOON "|" BUCKET "/objects/reports/q1.csv", NOON "|" BUCKET "/objects/img/q1.png"},
	{"resource.name.extract(\"projects/{project}/\") in [\"demo-project\", \"prod\"]",
	 NOON "|" P "/serviceAccounts/a@b", NOON "|projects/other/serviceAccounts/a@b"},
	{"resource.name.extract(\"locations/{location}/\") == \"us-central1\"",
	 NOON "|" P "/locations/us-central1/clusters/c",
	 NOON "|" P "/locations/europe-west1/clusters/c"},
	{"resource.name.matches(\"^projects/[a-z-]+/serviceAccounts/ci-.*$\")",
	 NOON "|" P "/serviceAccounts/ci-bot@demo-project.iam.gserviceaccount.com",
	 NOON "|" P "/serviceAccounts/app@demo-project.iam.gserviceaccount.com"},
	{"resource.name.contains(\"/clusters/\")", NOON "|" P "/locations/l/clusters/c",
	 NOON "|" P},
	{"!resource.name.startsWith(\"projects/secret/\")", NOON "|" P, NOON "|projects/secret/x"},
	{"resource.name == \"\"", NOON, NOON "|" P}, /* an attribute the request lacks is "" */
	{"resource.service != \"storage.googleapis.com\" || resource.name.endsWith(\".pdf\")",
	 NOON "|x|y|iam.googleapis.com", NOON "|x.txt||storage.googleapis.com"},
	{"resource.name.size() < 30", NOON "|" P, NOON "|" P "/serviceAccounts/long@x"},
	{"(resource.type == \"cloudresourcemanager.googleapis.com/Project\") ? "
	 "request.time.getHours() < "
	 "13 : false",
	 NOON "||cloudresourcemanager.googleapis.com/Project",
	 NOON "||iam.googleapis.com/ServiceAccount"},
	{"true", NOON, NULL},
	{"false || request.time.getHours() == 12", NOON, "2021-03-15T11:00:00Z"},
	{"1 + 2 == 3 && 'single' == \"single\"", NOON, NULL},
	/* Errors deny: a type mismatch is an error, and an error is not true. */
	{"resource.name < 3 || request.time.getHours() == 12", NOON, "2021-03-15T11:00:00Z"},
	{"resource.name == 3", NULL, NOON "|" P},
};

static void test_table(void)
{
	size_t n = sizeof(cases) / sizeof(cases[0]), pairs = 0;

	for (size_t i = 0; i < n; i++) {
		struct cel_program *p = NULL;
		char *err = NULL;
		struct req r;
		int rc = cel_compile(cases[i].expr, strlen(cases[i].expr), &p, &err, NULL);

		if (rc != 0)
			fprintf(stderr, "#%zu %s: %s\n", i, cases[i].expr, err ? err : "?");
		CHECK_EQ_INT(rc, 0);
		free(err);
		if (cases[i].yes) {
			req_parse(&r, cases[i].yes);
			if (!cel_eval(p, &r.a))
				fprintf(stderr, "#%zu should be true: %s on %s\n", i, cases[i].expr,
					cases[i].yes);
			CHECK(cel_eval(p, &r.a));
		}
		if (cases[i].no) {
			req_parse(&r, cases[i].no);
			if (cel_eval(p, &r.a))
				fprintf(stderr, "#%zu should be false: %s on %s\n", i,
					cases[i].expr, cases[i].no);
			CHECK(!cel_eval(p, &r.a));
		}
		pairs += cases[i].yes && cases[i].no;
		cel_free(p);
	}
	CHECK(pairs >= 40);
}

/* The first line of the report: "ERROR: Parse expression:LINE:COLUMN: message". */
static const struct {
	const char *expr, *err;
} bad[] = {
	{"", "ERROR: Parse expression:1:0: mismatched input '<EOF>' expecting " OPERAND},
	{"foo == 1",
	 "ERROR: Parse expression:1:0: undeclared reference to 'foo' (in container '')"},
	{"request.ip == \"1.2.3.4\"",
	 "ERROR: Parse expression:1:0: undeclared reference to 'request.ip' (in container '')"},
	{"resource.name.startsWith()",
	 "ERROR: Parse expression:1:14: found no matching overload for 'startsWith' applied to 0 "
	 "argument(s)"},
	{"resource.name.frobnicate(\"x\")",
	 "ERROR: Parse expression:1:14: undeclared reference to 'frobnicate' (in container '')"},
	{"request.time < timestamp(\"2021-13-01T00:00:00Z\")",
	 "ERROR: Parse expression:1:15: invalid timestamp \"2021-13-01T00:00:00Z\""},
	{"request.time < timestamp(\"2021-02-29T00:00:00Z\")",
	 "ERROR: Parse expression:1:15: invalid timestamp \"2021-02-29T00:00:00Z\""},
	{"duration(\"5 minutes\") > duration(\"1s\")",
	 "ERROR: Parse expression:1:0: invalid duration \"5 minutes\""},
	{"request.time.getHours(\"Mars/Olympus\") > 1",
	 "ERROR: Parse expression:1:13: invalid time zone 'Mars/Olympus'"},
	{"resource.name.matches(\"(\")",
	 "ERROR: Parse expression:1:14: invalid regular expression \"(\""},
	{"resource.name.extract(\"no-placeholder\") == \"\"",
	 "ERROR: Parse expression:1:14: invalid extract template \"no-placeholder\""},
	{"true &&\n  false )", "ERROR: Parse expression:2:8: extraneous input ')' expecting <EOF>"},
	{"\"unterminated",
	 "ERROR: Parse expression:1:0: token recognition error at: '\"unterminated'"},
	{"1.5 > 1", "ERROR: Parse expression:1:0: only integer literals are supported here"},
	{"a = 1", "ERROR: Parse expression:1:2: token recognition error at: '= '"},
	{"'\\q'", "ERROR: Parse expression:1:1: token recognition error at: '\\q'"},
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cel_program *p = NULL;
		char *err = NULL, *nl;

		CHECK_EQ_INT(cel_compile(bad[i].expr, strlen(bad[i].expr), &p, &err, NULL), -22);
		CHECK(p == NULL);
		if (err && (nl = strchr(err, '\n')))
			*nl = '\0';
		CHECK_STR(err, bad[i].err);
		free(err);
	}
}

/* Google's linting examples (iam/docs/linting-policies): the whole report, the offset. */
static void test_google_lint_examples(void)
{
	static const struct {
		const char *expr, *err;
		size_t at;
	} ex[] = {
		{"true=false",
		 "ERROR: Parse expression:1:4: token recognition error at: '=f'\n  | true=false\n  "
		 "| ....^",
		 4},
		{"1 <",
		 "ERROR: Parse expression:1:3: mismatched input '<EOF>' expecting " OPERAND
		 "\n  | 1 <\n  | ...^",
		 3},
		{"1<2 || 2<3 || 3<4 || 4<5 || 5<6 || 6<7 || 7<8 || 8<9 || 9<10 || 10<11 || 11<12 "
		 "|| "
		 "12<13 || 13<14 || 14<15",
		 "Logical operators count must not be more than 12", CEL_NO_OFFSET},
	};
	struct cel_program *p = NULL;

	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		char *err = NULL;
		size_t at = 0;

		CHECK_EQ_INT(cel_compile(ex[i].expr, strlen(ex[i].expr), &p, &err, &at), -22);
		CHECK_STR(err, ex[i].err);
		CHECK(at == ex[i].at);
		free(err);
	}
	/* twelve are allowed */
	CHECK_EQ_INT(
		cel_compile(
			"1<2 || 2<3 || 3<4 || 4<5 || 5<6 || 6<7 || 7<8 || 8<9 || 9<10 || "
			"10<11 || 11<12 || 12<13 && true",
			strlen("1<2 || 2<3 || 3<4 || 4<5 || 5<6 || 6<7 || 7<8 || 8<9 || 9<10 || "
			       "10<11 || 11<12 || 12<13 && true"),
			&p, NULL, NULL),
		0);
	cel_free(p);
}

static void test_limits(void)
{
	char deep[600], *big;
	struct cel_program *p = NULL;
	char *err = NULL;
	size_t i;

	for (i = 0; i < 200; i++)
		deep[i] = '(';
	deep[i++] = '1';
	deep[i] = '\0';
	CHECK_EQ_INT(cel_compile(deep, strlen(deep), &p, &err, NULL), -22);
	CHECK(err && strstr(err, "nested too deeply"));
	free(err);
	big = malloc(CEL_MAX_EXPR + 2);
	memset(big, ' ', CEL_MAX_EXPR + 1);
	big[0] = '1';
	CHECK_EQ_INT(cel_compile(big, CEL_MAX_EXPR + 1, &p, &err, NULL), -22);
	free(err);
	free(big);
	CHECK_EQ_INT(cel_compile("tr\0ue", 5, &p, &err, NULL), -22);
	free(err);
}

static void test_resource_kind(void)
{
	const char *t, *s;

	cel_resource_kind("projects/demo-project", &t, &s);
	CHECK_STR(t, "cloudresourcemanager.googleapis.com/Project");
	CHECK_STR(s, "cloudresourcemanager.googleapis.com");
	cel_resource_kind("projects/p/serviceAccounts/a@p.iam.gserviceaccount.com", &t, &s);
	CHECK_STR(t, "iam.googleapis.com/ServiceAccount");
	cel_resource_kind("projects/p/locations/us-central1/clusters/c", &t, &s);
	CHECK_STR(t, "container.googleapis.com/Cluster");
	cel_resource_kind("organizations/1", &t, &s);
	CHECK(t == NULL && s == NULL);
}

int main(void)
{
	RUN(test_table);
	RUN(test_errors);
	RUN(test_google_lint_examples);
	RUN(test_limits);
	RUN(test_resource_kind);
	return t_done();
}
