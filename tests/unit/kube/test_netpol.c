/*
 * test_netpol.c - the NetworkPolicy evaluator (kube/netpol.c): label selectors, which policies
 * govern egress (policyTypes, implicit Egress), ipBlock with except, peers by pod and
 * namespace selectors, ports with protocol and endPort, deny-all; and the seed's rule
 * for the metadata server address by GKE version and Dataplane V2.
 */
#include <string.h>

#include "kube/netpol.h"
#include "t.h"

static json_t *J(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);
	if (!j)
		fprintf(stderr, "bad test JSON: %s: %s\n", e.text, s);
	return j;
}

static int sel(const char *selector, const char *labels)
{
	json_t *s = J(selector), *l = labels ? J(labels) : NULL;
	int r = netpol_selector_matches(s, l);
	json_decref(s);
	json_decref(l);
	return r;
}

static void test_selectors(void)
{
	CHECK_EQ_INT(sel("{}", "{\"app\":\"web\"}"), 1);
	CHECK_EQ_INT(sel("{}", NULL), 1);
	CHECK_EQ_INT(netpol_selector_matches(NULL, NULL), 0);
	CHECK_EQ_INT(sel("{\"matchLabels\":{\"app\":\"web\"}}", "{\"app\":\"web\",\"x\":\"y\"}"),
		     1);
	CHECK_EQ_INT(sel("{\"matchLabels\":{\"app\":\"web\"}}", "{\"app\":\"db\"}"), 0);
	CHECK_EQ_INT(sel("{\"matchLabels\":{\"app\":\"web\"}}", "{}"), 0);
	const char *in = "{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"In\","
			 "\"values\":[\"a\",\"b\"]}]}";
	CHECK_EQ_INT(sel(in, "{\"tier\":\"b\"}"), 1);
	CHECK_EQ_INT(sel(in, "{\"tier\":\"c\"}"), 0);
	CHECK_EQ_INT(sel(in, "{}"), 0);
	const char *notin = "{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"NotIn\","
			    "\"values\":[\"a\"]}]}";
	CHECK_EQ_INT(sel(notin, "{\"tier\":\"b\"}"), 1);
	CHECK_EQ_INT(sel(notin, "{}"), 1); /* absent key is not in the set */
	CHECK_EQ_INT(sel(notin, "{\"tier\":\"a\"}"), 0);
	CHECK_EQ_INT(sel("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"Exists\"}]}",
			 "{\"k\":\"\"}"),
		     1);
	CHECK_EQ_INT(sel("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"Exists\"}]}", "{}"),
		     0);
	CHECK_EQ_INT(
		sel("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"DoesNotExist\"}]}", "{}"),
		1);
	CHECK_EQ_INT(sel("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"DoesNotExist\"}]}",
			 "{\"k\":\"v\"}"),
		     0);
	/* matchLabels and matchExpressions are ANDed */
	CHECK_EQ_INT(sel("{\"matchLabels\":{\"a\":\"1\"},\"matchExpressions\":[{\"key\":\"b\","
			 "\"operator\":\"Exists\"}]}",
			 "{\"a\":\"1\"}"),
		     0);
	/* malformed */
	CHECK(sel("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"Like\"}]}", "{}") < 0);
	CHECK(sel("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"In\",\"values\":[]}]}",
		  "{}") < 0);
	CHECK(sel("{\"matchLabels\":{\"a\":1}}", "{\"a\":\"1\"}") < 0);
}

static void test_cidr(void)
{
	CHECK_EQ_INT(netpol_cidr_contains("169.254.169.254/32", "169.254.169.254"), 1);
	CHECK_EQ_INT(netpol_cidr_contains("169.254.169.254/32", "169.254.169.252"), 0);
	CHECK_EQ_INT(netpol_cidr_contains("169.254.0.0/16", "169.254.169.252"), 1);
	CHECK_EQ_INT(netpol_cidr_contains("0.0.0.0/0", "127.0.0.1"), 1);
	CHECK_EQ_INT(netpol_cidr_contains("10.0.0.0/8", "11.0.0.1"), 0);
	CHECK_EQ_INT(netpol_cidr_contains("169.254.169.248/29", "169.254.169.254"), 1);
	CHECK_EQ_INT(netpol_cidr_contains("169.254.169.248/30", "169.254.169.254"), 0);
	CHECK_EQ_INT(netpol_cidr_contains("fd00::/8", "fd12::1"), 1);
	CHECK_EQ_INT(netpol_cidr_contains("fd00::/8", "10.0.0.1"), 0); /* family mismatch */
	CHECK(netpol_cidr_contains("10.0.0.0", "10.0.0.1") < 0);
	CHECK(netpol_cidr_contains("10.0.0.0/33", "10.0.0.1") < 0);
	CHECK(netpol_cidr_contains("10.0.0.0/8x", "10.0.0.1") < 0);
	CHECK(netpol_cidr_contains("bogus/8", "10.0.0.1") < 0);
	CHECK(netpol_cidr_contains("10.0.0.0/8", "ten") < 0);
}

/* Evaluates policies (JSON array) for a pod in ns "app" with labels, to ip:port/proto. */
static int eg(const char *policies, const char *labels, const char *ip, int port, const char *proto,
	      char *why, size_t wl)
{
	json_t *p = J(policies), *l = J(labels);
	struct netpol_dest d = {.ip = ip, .port = port, .protocol = proto};
	int r = netpol_egress_allowed(p, "app", l, &d, why, wl);
	json_decref(p);
	json_decref(l);
	return r;
}

#define POL(name, spec)                                                                            \
	"{\"metadata\":{\"name\":\"" name "\",\"namespace\":\"app\"},\"spec\":" spec "}"
#define MD_ALLOW                                                                                   \
	"{\"to\":[{\"ipBlock\":{\"cidr\":\"169.254.169.252/32\"}}],\"ports\":[{\"protocol\":"      \
	"\"TCP\",\"port\":988}]}"

static void test_policy_types(void)
{
	char why[512];
	/* no policies: everything is allowed */
	CHECK_EQ_INT(eg("[]", "{}", "169.254.169.252", 988, "TCP", why, sizeof(why)), 1);
	CHECK(strstr(why, "no NetworkPolicy") != NULL);
	/* an explicit Egress policy with an empty egress list denies all egress */
	const char *deny =
		"[" POL("deny-all", "{\"podSelector\":{},\"policyTypes\":[\"Egress\"]}") "]";
	CHECK_EQ_INT(eg(deny, "{}", "169.254.169.252", 988, "TCP", why, sizeof(why)), 0);
	CHECK(strstr(why, "deny-all") != NULL);
	const char *deny2 = "[" POL(
		"deny-all", "{\"podSelector\":{},\"policyTypes\":[\"Egress\"],\"egress\":[]}") "]";
	CHECK_EQ_INT(eg(deny2, "{}", "169.254.169.252", 988, "TCP", why, sizeof(why)), 0);
	/* no policyTypes and no egress rules: an Ingress-only policy, egress untouched */
	const char *ing = "[" POL("ingress-only", "{\"podSelector\":{},\"ingress\":[]}") "]";
	CHECK_EQ_INT(eg(ing, "{}", "169.254.169.252", 988, "TCP", why, sizeof(why)), 1);
	const char *ing2 = "[" POL("ingress-only", "{\"podSelector\":{},\"egress\":[]}") "]";
	CHECK_EQ_INT(eg(ing2, "{}", "169.254.169.252", 988, "TCP", why, sizeof(why)), 1);
	/* policyTypes [Ingress] with egress rules: still not an egress policy */
	const char *ingt = "[" POL(
		"t", "{\"podSelector\":{},\"policyTypes\":[\"Ingress\"],"
		     "\"egress\":[{\"to\":[{\"ipBlock\":{\"cidr\":\"10.0.0.0/8\"}}]}]}") "]";
	CHECK_EQ_INT(eg(ingt, "{}", "169.254.169.252", 988, "TCP", why, sizeof(why)), 1);
	/* implicit Egress: egress rules without policyTypes make it an egress policy */
	const char *impl =
		"[" POL("web-egress", "{\"podSelector\":{},\"egress\":[{\"to\":[{\"ipBlock\":"
				      "{\"cidr\":\"10.0.0.0/8\"}}]}]}") "]";
	CHECK_EQ_INT(eg(impl, "{}", "169.254.169.252", 988, "TCP", why, sizeof(why)), 0);
	CHECK_EQ_INT(eg(impl, "{}", "10.1.2.3", 443, "TCP", why, sizeof(why)), 1);
	/* the policy's podSelector decides whom it governs */
	const char *only_db = "[" POL("db", "{\"podSelector\":{\"matchLabels\":{\"app\":\"db\"}},"
					    "\"policyTypes\":[\"Egress\"]}") "]";
	CHECK_EQ_INT(
		eg(only_db, "{\"app\":\"web\"}", "169.254.169.252", 988, "TCP", why, sizeof(why)),
		1);
	CHECK_EQ_INT(
		eg(only_db, "{\"app\":\"db\"}", "169.254.169.252", 988, "TCP", why, sizeof(why)),
		0);
	const char *expr = "[" POL("e", "{\"podSelector\":{\"matchExpressions\":[{\"key\":\"app\","
					"\"operator\":\"NotIn\",\"values\":[\"web\"]}]},"
					"\"policyTypes\":[\"Egress\"]}") "]";
	CHECK_EQ_INT(eg(expr, "{\"app\":\"web\"}", "169.254.169.252", 988, "TCP", why, sizeof(why)),
		     1);
	CHECK_EQ_INT(eg(expr, "{\"app\":\"api\"}", "169.254.169.252", 988, "TCP", why, sizeof(why)),
		     0);
	/* a policy of another namespace never applies */
	const char *other = "[{\"metadata\":{\"name\":\"x\",\"namespace\":\"other\"},\"spec\":"
			    "{\"podSelector\":{},\"policyTypes\":[\"Egress\"]}}]";
	CHECK_EQ_INT(eg(other, "{}", "169.254.169.252", 988, "TCP", why, sizeof(why)), 1);
	/* policies add up: deny-all plus an allow for the metadata server */
	const char *both =
		"[" POL("deny-all", "{\"podSelector\":{},\"policyTypes\":[\"Egress\"]}") "," POL(
			"allow-md",
			"{\"podSelector\":{},\"policyTypes\":[\"Egress\"],\"egress\":[" MD_ALLOW
			"]}") "]";
	CHECK_EQ_INT(eg(both, "{}", "169.254.169.252", 988, "TCP", why, sizeof(why)), 1);
	CHECK(strstr(why, "allow-md") != NULL);
	CHECK_EQ_INT(eg(both, "{}", "169.254.169.254", 80, "TCP", why, sizeof(why)), 0);
	CHECK(strstr(why, "deny-all, allow-md") != NULL);
}

static void test_rules(void)
{
	char why[512];
	/* an empty rule allows everything */
	const char *all = "[" POL(
		"all", "{\"podSelector\":{},\"policyTypes\":[\"Egress\"],\"egress\":[{}]}") "]";
	CHECK_EQ_INT(eg(all, "{}", "8.8.8.8", 53, "UDP", why, sizeof(why)), 1);
	/* ipBlock with except */
	const char *exc =
		"[" POL("exc", "{\"podSelector\":{},\"policyTypes\":[\"Egress\"],\"egress\":"
			       "[{\"to\":[{\"ipBlock\":{\"cidr\":\"169.254.0.0/16\",\"except\":"
			       "[\"169.254.169.254/32\"]}}]}]}") "]";
	CHECK_EQ_INT(eg(exc, "{}", "169.254.169.252", 988, "TCP", why, sizeof(why)), 1);
	CHECK_EQ_INT(eg(exc, "{}", "169.254.169.254", 80, "TCP", why, sizeof(why)), 0);
	/* ports: protocol defaults to TCP; UDP rules do not allow TCP */
	const char *udp =
		"[" POL("udp", "{\"podSelector\":{},\"policyTypes\":[\"Egress\"],\"egress\":"
			       "[{\"ports\":[{\"protocol\":\"UDP\",\"port\":988}]}]}") "]";
	CHECK_EQ_INT(eg(udp, "{}", "169.254.169.252", 988, "TCP", why, sizeof(why)), 0);
	CHECK_EQ_INT(eg(udp, "{}", "169.254.169.252", 988, "UDP", why, sizeof(why)), 1);
	const char *deftcp =
		"[" POL("p", "{\"podSelector\":{},\"policyTypes\":[\"Egress\"],\"egress\":"
			     "[{\"ports\":[{\"port\":988}]}]}") "]";
	CHECK_EQ_INT(eg(deftcp, "{}", "169.254.169.252", 988, NULL, why, sizeof(why)), 1);
	CHECK_EQ_INT(eg(deftcp, "{}", "169.254.169.252", 989, "TCP", why, sizeof(why)), 0);
	/* endPort makes a range */
	const char *range =
		"[" POL("r", "{\"podSelector\":{},\"policyTypes\":[\"Egress\"],\"egress\":"
			     "[{\"ports\":[{\"protocol\":\"TCP\",\"port\":900,\"endPort\":"
			     "1000}]}]}") "]";
	CHECK_EQ_INT(eg(range, "{}", "169.254.169.252", 988, "TCP", why, sizeof(why)), 1);
	CHECK_EQ_INT(eg(range, "{}", "169.254.169.254", 80, "TCP", why, sizeof(why)), 0);
	CHECK_EQ_INT(eg(range, "{}", "169.254.169.252", 1000, "TCP", why, sizeof(why)), 1);
	CHECK_EQ_INT(eg(range, "{}", "169.254.169.252", 1001, "TCP", why, sizeof(why)), 0);
	/* a protocol-only port entry allows every port of it */
	const char *anyport =
		"[" POL("a", "{\"podSelector\":{},\"policyTypes\":[\"Egress\"],\"egress\":"
			     "[{\"ports\":[{\"protocol\":\"TCP\"}]}]}") "]";
	CHECK_EQ_INT(eg(anyport, "{}", "169.254.169.254", 80, "TCP", why, sizeof(why)), 1);
	/* a named port never matches the node's metadata server */
	const char *named =
		"[" POL("n", "{\"podSelector\":{},\"policyTypes\":[\"Egress\"],\"egress\":"
			     "[{\"ports\":[{\"port\":\"http\"}]}]}") "]";
	CHECK_EQ_INT(eg(named, "{}", "169.254.169.254", 80, "TCP", why, sizeof(why)), 0);
	/* ports and to must both match */
	const char *both = "[" POL(
		"b",
		"{\"podSelector\":{},\"policyTypes\":[\"Egress\"],\"egress\":[" MD_ALLOW "]}") "]";
	CHECK_EQ_INT(eg(both, "{}", "169.254.169.252", 988, "TCP", why, sizeof(why)), 1);
	CHECK_EQ_INT(eg(both, "{}", "169.254.169.252", 80, "TCP", why, sizeof(why)), 0);
	CHECK_EQ_INT(eg(both, "{}", "127.0.0.1", 988, "TCP", why, sizeof(why)), 0);
	/* pod/namespace selectors never match the metadata server (not a pod) */
	const char *sels =
		"[" POL("s", "{\"podSelector\":{},\"policyTypes\":[\"Egress\"],\"egress\":"
			     "[{\"to\":[{\"namespaceSelector\":{}},{\"podSelector\":{}}]}]}") "]";
	CHECK_EQ_INT(eg(sels, "{}", "169.254.169.252", 988, "TCP", why, sizeof(why)), 0);
}

static void test_pod_peers(void)
{
	char why[512];
	json_t *pols = J(
		"[" POL("p", "{\"podSelector\":{},\"policyTypes\":[\"Egress\"],\"egress\":"
			     "[{\"to\":[{\"namespaceSelector\":{\"matchLabels\":{\"team\":\"x\"}},"
			     "\"podSelector\":{\"matchLabels\":{\"role\":\"db\"}}},"
			     "{\"podSelector\":{\"matchExpressions\":[{\"key\":\"role\","
			     "\"operator\":\"In\",\"values\":[\"cache\"]}]}}]}]}") "]");
	json_t *db = J("{\"role\":\"db\"}"), *cache = J("{\"role\":\"cache\"}");
	json_t *tx = J("{\"team\":\"x\"}"), *ty = J("{\"team\":\"y\"}");
	json_t *none = J("{}");
	struct netpol_dest d = {
		.ip = "10.4.0.9", .port = 5432, .ns = "data", .pod_labels = db, .ns_labels = tx};
	/* namespaceSelector AND podSelector in one peer */
	CHECK_EQ_INT(netpol_egress_allowed(pols, "app", none, &d, why, sizeof(why)), 1);
	d.ns_labels = ty;
	CHECK_EQ_INT(netpol_egress_allowed(pols, "app", none, &d, why, sizeof(why)), 0);
	/* podSelector alone: only pods of the policy's own namespace */
	d.pod_labels = cache;
	d.ns = "data";
	CHECK_EQ_INT(netpol_egress_allowed(pols, "app", none, &d, why, sizeof(why)), 0);
	d.ns = "app";
	CHECK_EQ_INT(netpol_egress_allowed(pols, "app", none, &d, why, sizeof(why)), 1);
	/* not a pod */
	d.pod_labels = NULL;
	CHECK_EQ_INT(netpol_egress_allowed(pols, "app", none, &d, why, sizeof(why)), 0);
	json_decref(pols);
	json_decref(db);
	json_decref(cache);
	json_decref(tx);
	json_decref(ty);
	json_decref(none);
}

static void test_version_rule(void)
{
	const char *ip;
	int port;
	CHECK(netpol_version_cmp("1.21.0-gke.1000", "1.21.0-gke.1000") == 0);
	CHECK(netpol_version_cmp("1.21.0-gke.999", "1.21.0-gke.1000") < 0);
	CHECK(netpol_version_cmp("1.20.15-gke.9000", "1.21.0-gke.1000") < 0);
	CHECK(netpol_version_cmp("1.30.5-gke.1014001", "1.21.0-gke.1000") > 0);
	CHECK(netpol_version_cmp("1.21.1", "1.21.0-gke.1000") > 0);
	CHECK_EQ_INT(netpol_metadata_target("1.20.15-gke.9000", "LEGACY_DATAPATH", &ip, &port), 0);
	CHECK_STR(ip, "127.0.0.1");
	CHECK_EQ_INT(port, 988);
	CHECK_EQ_INT(netpol_metadata_target("1.21.0-gke.999", NULL, &ip, &port), 0);
	CHECK_STR(ip, "127.0.0.1");
	CHECK_EQ_INT(netpol_metadata_target("1.21.0-gke.1000", NULL, &ip, &port), 0);
	CHECK_STR(ip, "169.254.169.252");
	CHECK_EQ_INT(port, 988);
	CHECK_EQ_INT(netpol_metadata_target("1.30.5-gke.1014001", "LEGACY_DATAPATH", &ip, &port),
		     0);
	CHECK_STR(ip, "169.254.169.252");
	/* Dataplane V2: 169.254.169.254:80, whatever the version */
	CHECK_EQ_INT(netpol_metadata_target("1.30.5-gke.1014001", "ADVANCED_DATAPATH", &ip, &port),
		     0);
	CHECK_STR(ip, "169.254.169.254");
	CHECK_EQ_INT(port, 80);
	CHECK_EQ_INT(netpol_metadata_target("1.20.15-gke.9000", "ADVANCED_DATAPATH", &ip, &port),
		     0);
	CHECK_STR(ip, "169.254.169.254");
	/* unparseable: the current answer, and an error */
	CHECK(netpol_metadata_target("latest", NULL, &ip, &port) < 0);
	CHECK_STR(ip, "169.254.169.252");
}

int main(void)
{
	RUN(test_selectors);
	RUN(test_cidr);
	RUN(test_policy_types);
	RUN(test_rules);
	RUN(test_pod_peers);
	RUN(test_version_rule);
	return t_done();
}
