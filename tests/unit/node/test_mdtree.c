/*
 * test_mdtree.c - the metadata tree's pure parts (node/mdtree.c) on a tree shaped as
 * metadata.c builds it: the service-accounts directory, path walks, ?recursive=true
 * JSON (GCE's camelCase keys, attribute names and emails kept), ?alt=text lines and
 * directory listings (instance/ as GKE lists it: attributes/ hostname id
 * service-accounts/ zone; default/ first among the accounts).
 */
#include <errno.h>
#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>

#include "node/mdtree.h"
#include "t.h"

#define EMAIL "app-gsa@demo-project.iam.gserviceaccount.com"

/* The tree of a pod whose KSA is annotated with EMAIL. */
static json_t *tree(void)
{
	json_t *scopes = md_tree_scopes("https://www.googleapis.com/auth/cloud-platform "
					"https://www.googleapis.com/auth/userinfo.email");
	json_t *acc = md_tree_accounts(EMAIL, scopes);
	json_decref(scopes);
	json_t *t = json_pack(
		"{s:{s:{s:s, s:s, s:s}, s:s, s:I, s:o, s:s}, s:{s:I, s:s}}", "instance",
		"attributes", "cluster-location", "us-central1", "cluster-name", "demo-cluster",
		"cluster-uid", "uid-1", "hostname",
		"gke-demo-cluster-default-pool-0.us-central1-a.c.demo-project.internal", "id",
		(json_int_t)1234567890123, "service-accounts", acc, "zone",
		"projects/123456789012/zones/us-central1-a", "project", "numeric-project-id",
		(json_int_t)123456789012, "project-id", "demo-project");
	CHECK(t != NULL);
	return t;
}

/* The buffer's text (malloc'd) and empties it. */
static char *text(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	char *s = malloc(n + 1);
	evbuffer_remove(b, s, n);
	s[n] = '\0';
	return s;
}

static void check_dump(const json_t *v, const char *want)
{
	char *d = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
	CHECK_STR(d, want);
	free(d);
}

static void test_scopes(void)
{
	json_t *a = md_tree_scopes("a b");
	check_dump(a, "[\"a\",\"b\"]");
	json_decref(a);
	a = md_tree_scopes(",a,, b ,");
	check_dump(a, "[\"a\",\"b\"]");
	json_decref(a);
	a = md_tree_scopes(NULL);
	check_dump(a, "[]");
	json_decref(a);
}

static void test_accounts(void)
{
	json_t *scopes = md_tree_scopes("s1 s2");
	json_t *d = md_tree_accounts(EMAIL, scopes);
	json_decref(scopes);
	CHECK_EQ_INT(json_object_size(d), 2);
	/* "default" and the email name the same account */
	CHECK(json_object_get(d, "default") == json_object_get(d, EMAIL));
	check_dump(json_object_get(d, "default"),
		   "{\"aliases\":[\"default\"],\"email\":\"" EMAIL
		   "\",\"identity\":null,\"scopes\":[\"s1\",\"s2\"],\"token\":null}");
	json_decref(d);
}

static void test_walk(void)
{
	json_t *t = tree();
	CHECK_STR(json_string_value(md_tree_walk(t, "instance/attributes/cluster-name")),
		  "demo-cluster");
	CHECK(md_tree_walk(t, "") == t);
	CHECK(md_tree_walk(t, "instance") == json_object_get(t, "instance"));
	CHECK_STR(json_string_value(md_tree_walk(t, "instance/service-accounts/" EMAIL "/email")),
		  EMAIL);
	CHECK(md_tree_walk(t, "instance/nope") == NULL);
	CHECK(md_tree_walk(t, "instance//attributes") == NULL);	   /* an empty segment */
	CHECK(md_tree_walk(t, "project/project-id/more") == NULL); /* below a value */
	CHECK(md_tree_walk(t, "/instance") == NULL);		   /* a leading '/' */
	char longseg[600];
	memset(longseg, 'a', sizeof(longseg) - 1);
	longseg[sizeof(longseg) - 1] = '\0';
	CHECK(md_tree_walk(t, longseg) == NULL); /* a segment longer than any key */
	json_decref(t);
}

static void test_recursive(void)
{
	json_t *t = tree();
	/* default/?recursive=true: what GKE answers (token and identity left out) */
	json_t *r = md_tree_recursive(md_tree_walk(t, "instance/service-accounts/default"), 0);
	check_dump(r, "{\"aliases\":[\"default\"],\"email\":\"" EMAIL
		      "\",\"scopes\":[\"https://www.googleapis.com/auth/cloud-platform\","
		      "\"https://www.googleapis.com/auth/userinfo.email\"]}");
	json_decref(r);
	/* instance/?recursive=true: keys camelCased, attribute names and emails kept */
	r = md_tree_recursive(md_tree_walk(t, "instance"), 0);
	CHECK(json_object_get(r, "serviceAccounts") != NULL);
	CHECK(json_object_get(r, "service-accounts") == NULL);
	CHECK(json_object_get(json_object_get(r, "attributes"), "cluster-name") != NULL);
	CHECK(json_object_get(json_object_get(r, "serviceAccounts"), EMAIL) != NULL);
	CHECK_EQ_INT(json_integer_value(json_object_get(r, "id")), 1234567890123);
	json_decref(r);
	r = md_tree_recursive(md_tree_walk(t, "project"), 0);
	check_dump(r, "{\"numericProjectId\":123456789012,\"projectId\":\"demo-project\"}");
	json_decref(r);
	/* a value is itself */
	r = md_tree_recursive(md_tree_walk(t, "project/project-id"), 0);
	check_dump(r, "\"demo-project\"");
	json_decref(r);
	json_decref(t);
}

static void test_flatten(void)
{
	json_t *t = tree();
	struct evbuffer *b = evbuffer_new();
	md_tree_flatten(b, "", md_tree_walk(t, "instance/attributes"));
	char *s = text(b);
	CHECK_STR(s,
		  "cluster-location us-central1\ncluster-name demo-cluster\ncluster-uid uid-1\n");
	free(s);
	md_tree_flatten(b, "", md_tree_walk(t, "instance/service-accounts/default"));
	s = text(b);
	CHECK_STR(s, "aliases default\nemail " EMAIL
		     "\nscopes https://www.googleapis.com/auth/cloud-platform\n"
		     "scopes https://www.googleapis.com/auth/userinfo.email\n");
	free(s);
	md_tree_flatten(b, "", md_tree_walk(t, "project"));
	s = text(b);
	CHECK_STR(s, "numeric-project-id 123456789012\nproject-id demo-project\n");
	free(s);
	evbuffer_free(b);
	json_decref(t);
}

static void test_listing(void)
{
	json_t *t = tree();
	struct evbuffer *b = evbuffer_new();
	/* instance/, byte for byte as GKE lists it */
	md_tree_listing(b, md_tree_walk(t, "instance"), 0);
	char *s = text(b);
	CHECK_STR(s, "attributes/\nhostname\nid\nservice-accounts/\nzone\n");
	free(s);
	md_tree_listing(b, md_tree_walk(t, "instance"), 1);
	s = text(b);
	CHECK_STR(s, "[\"attributes/\",\"hostname\",\"id\",\"service-accounts/\",\"zone\"]");
	free(s);
	/* service-accounts/: default/ first, though "app-gsa@..." sorts before it */
	md_tree_listing(b, md_tree_walk(t, "instance/service-accounts"), 0);
	s = text(b);
	CHECK_STR(s, "default/\n" EMAIL "/\n");
	free(s);
	md_tree_listing(b, md_tree_walk(t, "instance/service-accounts/default"), 0);
	s = text(b);
	CHECK_STR(s, "aliases\nemail\nidentity\nscopes\ntoken\n");
	free(s);
	json_t *empty = json_object();
	md_tree_listing(b, empty, 0);
	CHECK_EQ_INT(evbuffer_get_length(b), 0);
	md_tree_listing(b, empty, 1);
	s = text(b);
	CHECK_STR(s, "[]");
	free(s);
	json_decref(empty);
	evbuffer_free(b);
	json_decref(t);
}

/* Nothing built from the tree is cut short: a path or key too long for its buffer is an
 * error (issue 10 section 7); a listing has no fixed buffer at all. */
static void test_too_long(void)
{
	struct evbuffer *b = evbuffer_new();
	char *k = malloc(MD_TREE_PATH_MAX + 1);
	memset(k, 'k', MD_TREE_PATH_MAX);
	k[MD_TREE_PATH_MAX] = '\0';
	/* flatten: the path "a/KKK...K" at exactly MD_TREE_PATH_MAX - 1 bytes fits, one more
	 * does not; the lines before it stay */
	k[MD_TREE_PATH_MAX - 3] = '\0';
	json_t *v = json_pack("{s:s, s:{s:s}}", "0", "x", "a", k, "y");
	CHECK_EQ_INT(md_tree_flatten(b, "", v), 0);
	char *s = text(b);
	CHECK_EQ_INT(strlen(s), 4 + 2 + (MD_TREE_PATH_MAX - 3) + 3); /* "0 x\n" "a/K.. y\n" */
	free(s);
	json_decref(v);
	k[MD_TREE_PATH_MAX - 3] = 'k';
	k[MD_TREE_PATH_MAX - 2] = '\0';
	v = json_pack("{s:s, s:{s:s}}", "0", "x", "a", k, "y");
	CHECK_EQ_INT(md_tree_flatten(b, "", v), -ENAMETOOLONG);
	s = text(b);
	CHECK_STR(s, "0 x\n");
	free(s);
	json_decref(v);

	/* recursive JSON: a key of 399 bytes is kept whole, one of 400 is an error */
	k[400] = '\0';
	v = json_pack("{s:s}", k, "v");
	CHECK(md_tree_recursive(v, 1) == NULL);
	json_decref(v);
	k[399] = '\0';
	v = json_pack("{s:s}", k, "v");
	json_t *r = md_tree_recursive(v, 1);
	CHECK(r && json_object_get(r, k) != NULL);
	json_decref(r);
	json_decref(v);

	/* a listing names a 700-byte key whole (it was cut at 599 bytes) */
	memset(k, 'k', 700);
	k[700] = '\0';
	v = json_pack("{s:{}}", k);
	md_tree_listing(b, v, 0);
	s = text(b);
	CHECK_EQ_INT(strlen(s), 702);
	CHECK(s[700] == '/' && s[701] == '\n');
	free(s);
	md_tree_listing(b, v, 1);
	s = text(b);
	CHECK_EQ_INT(strlen(s), 705); /* ["KKK.../"] */
	free(s);
	json_decref(v);
	free(k);
	evbuffer_free(b);
}

int main(void)
{
	RUN(test_scopes);
	RUN(test_accounts);
	RUN(test_walk);
	RUN(test_recursive);
	RUN(test_flatten);
	RUN(test_listing);
	RUN(test_too_long);
	return t_done();
}
