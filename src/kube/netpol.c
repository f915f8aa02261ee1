/*
 * netpol.c - Kubernetes NetworkPolicy egress semantics, evaluated without I/O: which
 * policies govern a pod's egress (podSelector, policyTypes with the implicit Egress only
 * when egress rules exist), whether a destination matches a rule (ipBlock cidr/except,
 * podSelector/namespaceSelector peers, ports with protocol and endPort), and the seed's
 * rule for where pods reach the GKE metadata server by version and Dataplane V2.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/netpol.h"

static const char *label_value(const json_t *labels, const char *key)
{
	if (!json_is_object(labels))
		return NULL;
	return json_string_value(json_object_get(labels, key));
}

int netpol_selector_matches(const json_t *selector, const json_t *labels)
{
	if (!json_is_object(selector))
		return 0;
	const json_t *ml = json_object_get(selector, "matchLabels");
	const char *k;
	json_t *v;
	if (ml && !json_is_object(ml) && !json_is_null(ml))
		return -EINVAL;
	json_object_foreach((json_t *)ml, k, v)
	{
		const char *want = json_string_value(v);
		const char *have = label_value(labels, k);
		if (!want)
			return -EINVAL;
		if (!have || strcmp(want, have) != 0)
			return 0;
	}
	const json_t *me = json_object_get(selector, "matchExpressions");
	if (me && !json_is_array(me) && !json_is_null(me))
		return -EINVAL;
	size_t i;
	json_t *e;
	json_array_foreach(me, i, e)
	{
		const char *key = json_string_value(json_object_get(e, "key"));
		const char *op = json_string_value(json_object_get(e, "operator"));
		const json_t *vals = json_object_get(e, "values");
		if (!key || !op)
			return -EINVAL;
		const char *have = label_value(labels, key);
		int in = 0;
		size_t j;
		json_t *x;
		json_array_foreach(vals, j, x)
		{
			const char *s = json_string_value(x);
			if (s && have && strcmp(s, have) == 0)
				in = 1;
		}
		size_t nvals = json_is_array(vals) ? json_array_size(vals) : 0;
		if (strcmp(op, "In") == 0) {
			if (nvals == 0)
				return -EINVAL;
			if (!in)
				return 0;
		} else if (strcmp(op, "NotIn") == 0) {
			if (nvals == 0)
				return -EINVAL;
			if (in)
				return 0;
		} else if (strcmp(op, "Exists") == 0) {
			if (!have)
				return 0;
		} else if (strcmp(op, "DoesNotExist") == 0) {
			if (have)
				return 0;
		} else {
			return -EINVAL;
		}
	}
	return 1;
}

/* Parses "addr/len" into bytes; family 4 or 6. */
static int parse_cidr(const char *cidr, unsigned char addr[16], int *fam, int *bits)
{
	char host[64];
	const char *slash = strchr(cidr, '/');
	if (!slash || (size_t)(slash - cidr) >= sizeof(host))
		return -EINVAL;
	memcpy(host, cidr, (size_t)(slash - cidr));
	host[slash - cidr] = '\0';
	char *end = NULL;
	errno = 0;
	long n = strtol(slash + 1, &end, 10);
	if (errno || !slash[1] || *end)
		return -EINVAL;
	if (inet_pton(AF_INET, host, addr) == 1) {
		*fam = 4;
		if (n < 0 || n > 32)
			return -EINVAL;
	} else if (inet_pton(AF_INET6, host, addr) == 1) {
		*fam = 6;
		if (n < 0 || n > 128)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	*bits = (int)n;
	return 0;
}

int netpol_cidr_contains(const char *cidr, const char *ip)
{
	unsigned char net[16], a[16];
	int fam, bits, afam;
	if (!cidr || !ip || parse_cidr(cidr, net, &fam, &bits) != 0)
		return -EINVAL;
	if (inet_pton(AF_INET, ip, a) == 1)
		afam = 4;
	else if (inet_pton(AF_INET6, ip, a) == 1)
		afam = 6;
	else
		return -EINVAL;
	if (afam != fam)
		return 0;
	for (int i = 0; i < bits; i++) {
		unsigned char m = (unsigned char)(0x80 >> (i % 8));
		if ((net[i / 8] & m) != (a[i / 8] & m))
			return 0;
	}
	return 1;
}

/* Does the policy's policyTypes include Egress (explicitly, or implicitly because the
 * policy has egress rules)? */
static int has_egress_type(const json_t *spec)
{
	const json_t *types = json_object_get(spec, "policyTypes");
	if (json_is_array(types) && json_array_size(types) > 0) {
		size_t i;
		json_t *t;
		json_array_foreach(types, i, t)
		{
			const char *s = json_string_value(t);
			if (s && strcmp(s, "Egress") == 0)
				return 1;
		}
		return 0;
	}
	const json_t *eg = json_object_get(spec, "egress");
	return json_is_array(eg) && json_array_size(eg) > 0;
}

int netpol_applies_egress(const json_t *policy, const char *ns, const json_t *labels)
{
	const json_t *meta = json_object_get(policy, "metadata");
	const json_t *spec = json_object_get(policy, "spec");
	const char *pns = json_string_value(json_object_get(meta, "namespace"));
	if (!json_is_object(spec) || !pns || !ns || strcmp(pns, ns) != 0)
		return 0;
	if (!has_egress_type(spec))
		return 0;
	const json_t *sel = json_object_get(spec, "podSelector");
	/* podSelector is required; absent (or null) selects every pod, as {} does */
	if (!sel || json_is_null(sel))
		return 1;
	return netpol_selector_matches(sel, labels) == 1;
}

static int port_matches(const json_t *p, const struct netpol_dest *d)
{
	const char *proto = json_string_value(json_object_get(p, "protocol"));
	const char *dproto = d->protocol ? d->protocol : "TCP";
	if (strcmp(proto ? proto : "TCP", dproto) != 0)
		return 0;
	const json_t *port = json_object_get(p, "port");
	if (!port || json_is_null(port))
		return 1; /* every port of that protocol */
	if (json_is_string(port))
		return 0; /* a named port names a container port of a pod; never the node's */
	if (!json_is_integer(port))
		return 0;
	json_int_t lo = json_integer_value(port), hi = lo;
	const json_t *end = json_object_get(p, "endPort");
	if (json_is_integer(end) && json_integer_value(end) >= lo)
		hi = json_integer_value(end);
	return d->port >= lo && d->port <= hi;
}

static int peer_matches(const json_t *peer, const char *policy_ns, const struct netpol_dest *d)
{
	const json_t *ipb = json_object_get(peer, "ipBlock");
	if (ipb) {
		const char *cidr = json_string_value(json_object_get(ipb, "cidr"));
		if (!cidr || netpol_cidr_contains(cidr, d->ip) != 1)
			return 0;
		size_t i;
		json_t *x;
		json_array_foreach(json_object_get(ipb, "except"), i, x)
		{
			const char *ex = json_string_value(x);
			if (ex && netpol_cidr_contains(ex, d->ip) == 1)
				return 0;
		}
		return 1;
	}
	const json_t *ps = json_object_get(peer, "podSelector");
	const json_t *nss = json_object_get(peer, "namespaceSelector");
	if (!ps && !nss)
		return 0;
	if (!d->pod_labels)
		return 0; /* selectors choose pods; the destination is not one */
	if (nss) {
		if (netpol_selector_matches(nss, d->ns_labels) != 1)
			return 0;
	} else if (!d->ns || !policy_ns || strcmp(d->ns, policy_ns) != 0) {
		return 0; /* podSelector alone: pods of the policy's own namespace */
	}
	if (ps && netpol_selector_matches(ps, d->pod_labels) != 1)
		return 0;
	return 1;
}

/* Does one egress rule allow dest? Empty/absent `to` = every destination; empty/absent
 * `ports` = every port. */
static int rule_allows(const json_t *rule, const char *policy_ns, const struct netpol_dest *d)
{
	const json_t *ports = json_object_get(rule, "ports");
	if (json_is_array(ports) && json_array_size(ports) > 0) {
		int any = 0;
		size_t i;
		json_t *p;
		json_array_foreach(ports, i, p) any |= port_matches(p, d);
		if (!any)
			return 0;
	}
	const json_t *to = json_object_get(rule, "to");
	if (!json_is_array(to) || json_array_size(to) == 0)
		return 1;
	size_t i;
	json_t *peer;
	json_array_foreach(to, i, peer)
	{
		if (peer_matches(peer, policy_ns, d))
			return 1;
	}
	return 0;
}

static void append(char *buf, size_t len, const char *s)
{
	size_t have = strnlen(buf, len);
	if (have + 1 >= len)
		return;
	snprintf(buf + have, len - have, "%s", s);
}

int netpol_egress_allowed(const json_t *policies, const char *ns, const json_t *labels,
			  const struct netpol_dest *dest, char *why, size_t whylen)
{
	char names[1024] = "";
	int governing = 0;
	size_t i;
	json_t *pol;
	if (whylen)
		why[0] = '\0';
	json_array_foreach(policies, i, pol)
	{
		if (!netpol_applies_egress(pol, ns, labels))
			continue;
		const char *name = json_string_value(
			json_object_get(json_object_get(pol, "metadata"), "name"));
		const json_t *spec = json_object_get(pol, "spec");
		governing++;
		if (governing > 1)
			append(names, sizeof(names), ", ");
		append(names, sizeof(names), name ? name : "?");
		size_t j;
		json_t *rule;
		json_array_foreach(json_object_get(spec, "egress"), j, rule)
		{
			if (rule_allows(rule,
					json_string_value(json_object_get(
						json_object_get(pol, "metadata"), "namespace")),
					dest)) {
				if (whylen)
					snprintf(why, whylen,
						 "allowed by NetworkPolicy %s/%s (egress rule %zu)",
						 ns, name ? name : "?", j + 1);
				return 1;
			}
		}
	}
	if (!governing) {
		if (whylen)
			snprintf(why, whylen, "no NetworkPolicy in %s selects the pod for egress",
				 ns);
		return 1;
	}
	if (whylen)
		snprintf(why, whylen,
			 "denied: NetworkPolicy %s in %s select%s the pod for egress and none "
			 "allows %s/%d:%s",
			 names, ns, governing > 1 ? "" : "s",
			 dest->protocol ? dest->protocol : "TCP", dest->port, dest->ip);
	return 0;
}

/* "1.21.0-gke.1000" -> {1, 21, 0, 1000}; missing parts are 0. */
static int parse_version(const char *v, long out[4])
{
	memset(out, 0, 4 * sizeof(long));
	if (!v || !*v)
		return -EINVAL;
	if (*v == 'v')
		v++;
	char *end = NULL;
	for (int i = 0; i < 3; i++) {
		errno = 0;
		out[i] = strtol(v, &end, 10);
		if (errno || end == v || out[i] < 0)
			return -EINVAL;
		v = end;
		if (i < 2) {
			if (*v != '.')
				return i >= 1 ? 0 : -EINVAL;
			v++;
		}
	}
	if (strncmp(v, "-gke.", 5) == 0) {
		errno = 0;
		out[3] = strtol(v + 5, &end, 10);
		if (errno || end == v + 5 || out[3] < 0)
			return -EINVAL;
	}
	return 0;
}

int netpol_version_cmp(const char *a, const char *b)
{
	long x[4], y[4];
	parse_version(a, x);
	parse_version(b, y);
	for (int i = 0; i < 4; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

int netpol_metadata_target(const char *version, const char *datapath, const char **ip, int *port)
{
	long v[4];
	int rc = parse_version(version, v);
	if (datapath && strcmp(datapath, "ADVANCED_DATAPATH") == 0) {
		*ip = "169.254.169.254";
		*port = 80;
		return rc;
	}
	if (rc == 0 && netpol_version_cmp(version, "1.21.0-gke.1000") < 0) {
		*ip = "127.0.0.1";
		*port = 988;
		return 0;
	}
	*ip = "169.254.169.252";
	*port = 988;
	return rc;
}
