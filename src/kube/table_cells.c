/*
 * table_cells.c - the cells of a Table row, per kind: what kube-apiserver's printers
 * (pkg/printers/internalversion/printers.go) print for a pod, an event, a node, a
 * deployment, ... (the columns are table.c's). Also Go's HumanDuration and the RFC 3339
 * parse that the ages use (table.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "kube/convert.h"
#include "kube/selectors.h"
#include "kube/table.h"
#include "kube/table_impl.h"
#include "kube/util.h"

/* --- helpers --- */

static const char *str(const json_t *o, const char *path)
{
	const json_t *v = kube_json_path(o, path);
	return json_is_string(v) ? json_string_value(v) : "";
}

static const json_t *get(const json_t *o, const char *path)
{
	return kube_json_path(o, path);
}

static long long num(const json_t *o, const char *path)
{
	const json_t *v = get(o, path);
	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

static size_t count(const json_t *v)
{
	if (json_is_array(v))
		return json_array_size(v);
	if (json_is_object(v))
		return json_object_size(v);
	return 0;
}

/* "<a><ua>" or, when b is not 0, "<a><ua><b><ub>" ("3m", "3m20s"). */
static void two_units(char *out, size_t len, long long a, char ua, long long b, char ub)
{
	if (b == 0)
		snprintf(out, len, "%lld%c", a, ua);
	else
		snprintf(out, len, "%lld%c%lld%c", a, ua, b, ub);
}

/* Go's k8s.io/apimachinery/pkg/util/duration.HumanDuration, step for step. */
void table_human_duration(int64_t s, char *out, size_t len)
{
	if (s < -1) {
		snprintf(out, len, "<invalid>");
		return;
	}
	if (s < 0)
		s = 0;
	long long minutes = s / 60, hours = s / 3600, days = hours / 24, years = days / 365;
	if (s < 120)
		two_units(out, len, s, 's', 0, 0);
	else if (minutes < 10)
		two_units(out, len, minutes, 'm', s % 60, 's');
	else if (minutes < 180)
		two_units(out, len, minutes, 'm', 0, 0);
	else if (hours < 8)
		two_units(out, len, hours, 'h', minutes % 60, 'm');
	else if (hours < 48)
		two_units(out, len, hours, 'h', 0, 0);
	else if (hours < 24 * 8)
		two_units(out, len, days, 'd', hours % 24, 'h');
	else if (hours < 24 * 365 * 2)
		two_units(out, len, days, 'd', 0, 0);
	else if (hours < 24 * 365 * 8)
		two_units(out, len, years, 'y', days % 365, 'd');
	else
		two_units(out, len, years, 'y', 0, 0);
}

int table_parse_time(const char *s, time_t *out)
{
	int64_t secs = 0;
	int rc = clock_parse_rfc3339(s, &secs);
	*out = (time_t)secs;
	return rc;
}

/* translateTimestampSince: "<unknown>" for a zero time. */
static void since(const char *ts, time_t now, char *out, size_t len)
{
	time_t t;
	if (!ts || !*ts || table_parse_time(ts, &t) != 0) {
		snprintf(out, len, "<unknown>");
		return;
	}
	table_human_duration((int64_t)(now - t), out, len);
}

static json_t *s_(const char *s)
{
	json_t *j = json_string(s ? s : "");
	return j ? j : json_string("");
}

/* --- rows, per kind --- */

static int condition_true(const json_t *conds, const char *type)
{
	size_t i;
	const json_t *c;
	json_array_foreach(conds, i, c) {
		if (strcmp(str(c, "type"), type) == 0)
			return strcmp(str(c, "status"), "True") == 0;
	}
	return 0;
}

/* The later of *last and the container's last termination time. */
static void last_restart(const json_t *cs, time_t *last)
{
	time_t t;
	const char *fin = str(cs, "lastState.terminated.finishedAt");
	if (*fin && table_parse_time(fin, &t) == 0 && t > *last)
		*last = t;
}

static void terminated_reason(const json_t *term, const char *prefix, char *reason, size_t len)
{
	const char *r = str(term, "reason");
	if (*r)
		snprintf(reason, len, "%s%s", prefix, r);
	else if (num(term, "signal"))
		snprintf(reason, len, "%sSignal:%lld", prefix, num(term, "signal"));
	else
		snprintf(reason, len, "%sExitCode:%lld", prefix, num(term, "exitCode"));
}

/* printPod's init containers: 1 when one is still initializing (reason set), with the
 * restarts and the last restart of those it read. */
static int pod_init_reason(const json_t *pod, char *reason, size_t len, long long *restarts,
			   time_t *last)
{
	size_t i;
	const json_t *cs;
	const json_t *ics = get(pod, "status.initContainerStatuses");
	json_array_foreach(ics, i, cs) {
		*restarts += num(cs, "restartCount");
		last_restart(cs, last);
		const json_t *term = get(cs, "state.terminated");
		const char *wr = str(cs, "state.waiting.reason");
		if (term && num(term, "exitCode") == 0)
			continue;
		if (term) {
			terminated_reason(term, "Init:", reason, len);
		} else if (*wr && strcmp(wr, "PodInitializing") != 0) {
			snprintf(reason, len, "Init:%s", wr);
		} else if (json_is_true(get(cs, "started")) &&
			   /* a sidecar (restartable init container) that runs */
			   get(cs, "state.running")) {
			continue;
		} else {
			snprintf(reason, len, "Init:%zu/%zu", i,
				 count(get(pod, "spec.initContainers")));
		}
		return 1;
	}
	return 0;
}

/* printPod's containers, last first: the reason, the restarts, the last restart and how
 * many are ready. */
static void pod_containers_reason(const json_t *pod, char *reason, size_t len,
				  long long *restarts, time_t *last, size_t *ready)
{
	int has_running = 0;
	*restarts = 0;
	const json_t *css = get(pod, "status.containerStatuses");
	for (size_t k = json_array_size(css); k-- > 0;) {
		const json_t *cs = json_array_get(css, k);
		*restarts += num(cs, "restartCount");
		last_restart(cs, last);
		const json_t *term = get(cs, "state.terminated");
		const char *wr = str(cs, "state.waiting.reason");
		if (*wr) {
			snprintf(reason, len, "%s", wr);
		} else if (term) {
			terminated_reason(term, "", reason, len);
		} else if (json_is_true(get(cs, "ready")) && get(cs, "state.running")) {
			has_running = 1;
			(*ready)++;
		}
	}
	if (strcmp(reason, "Completed") == 0 && has_running)
		snprintf(reason, len, "%s",
			 condition_true(get(pod, "status.conditions"), "Ready") ? "Running"
										 : "NotReady");
}

/* READINESS GATES: "<none>", or how many of the gates' conditions are True. */
static void pod_gates(const json_t *pod, char *out, size_t len)
{
	const json_t *rg = get(pod, "spec.readinessGates");
	size_t i;
	snprintf(out, len, "<none>");
	if (count(rg) && json_is_array(rg)) {
		size_t t = 0;
		const json_t *g;
		json_array_foreach(rg, i, g) {
			const char *ct = str(g, "conditionType");
			size_t j;
			const json_t *c;
			json_array_foreach(get(pod, "status.conditions"), j, c) {
				if (strcmp(str(c, "type"), ct) == 0) {
					if (strcmp(str(c, "status"), "True") == 0)
						t++;
					break;
				}
			}
		}
		snprintf(out, len, "%zu/%zu", t, json_array_size(rg));
	}
}

static int pod_cells(const json_t *pod, json_t *cells, json_t *row, time_t now)
{
	char reason[256], restarts_s[96], age[32], ready_s[32], gates[32], ago[32];
	long long restarts = 0;
	size_t total = count(get(pod, "spec.containers")), ready = 0;
	time_t last = 0;
	const char *phase = str(pod, "status.phase");
	snprintf(reason, sizeof(reason), "%s", *str(pod, "status.reason") ? str(pod, "status.reason") : phase);
	if (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0) {
		int ok = strcmp(phase, "Succeeded") == 0;
		json_object_set_new(
			row, "conditions",
			json_pack("[{s:s, s:s, s:s, s:s}]", "type", "Completed", "status", "True",
				  "reason", phase, "message",
				  ok ? "The pod has completed successfully." : "The pod failed."));
	}
	if (!pod_init_reason(pod, reason, sizeof(reason), &restarts, &last))
		pod_containers_reason(pod, reason, sizeof(reason), &restarts, &last, &ready);
	if (*str(pod, "metadata.deletionTimestamp")) {
		if (strcmp(str(pod, "status.reason"), "NodeLost") == 0)
			snprintf(reason, sizeof(reason), "Unknown");
		else if (strcmp(phase, "Succeeded") != 0 && strcmp(phase, "Failed") != 0)
			snprintf(reason, sizeof(reason), "Terminating");
	}
	snprintf(restarts_s, sizeof(restarts_s), "%lld", restarts);
	if (restarts && last) {
		table_human_duration((int64_t)(now - last), ago, sizeof(ago));
		snprintf(restarts_s, sizeof(restarts_s), "%lld (%s ago)", restarts, ago);
	}
	snprintf(ready_s, sizeof(ready_s), "%zu/%zu", ready, total);
	since(str(pod, "metadata.creationTimestamp"), now, age, sizeof(age));
	const char *ip = str(json_array_get(get(pod, "status.podIPs"), 0), "ip");
	if (!*ip)
		ip = str(pod, "status.podIP");
	const char *node = str(pod, "spec.nodeName");
	const char *nominated = str(pod, "status.nominatedNodeName");
	pod_gates(pod, gates, sizeof(gates));
	json_array_append_new(cells, s_(str(pod, "metadata.name")));
	json_array_append_new(cells, s_(ready_s));
	json_array_append_new(cells, s_(reason));
	json_array_append_new(cells, s_(restarts_s));
	json_array_append_new(cells, s_(age));
	json_array_append_new(cells, s_(*ip ? ip : "<none>"));
	json_array_append_new(cells, s_(*node ? node : "<none>"));
	json_array_append_new(cells, s_(*nominated ? nominated : "<none>"));
	json_array_append_new(cells, s_(gates));
	return 0;
}

static void event_source(const json_t *ev, char *out, size_t len)
{
	const char *comp = str(ev, "source.component");
	const char *host = str(ev, "source.host");
	if (!*comp)
		comp = str(ev, "reportingComponent");
	if (!*host)
		host = str(ev, "reportingInstance");
	if (*host)
		snprintf(out, len, "%s, %s", comp, host);
	else
		snprintf(out, len, "%s", comp);
}

static int event_cells(const json_t *ev, json_t *cells, time_t now)
{
	char first[32], last[32], source[512], target[600], kind[128];
	const char *ft = str(ev, "firstTimestamp");
	since(*ft ? ft : str(ev, "eventTime"), now, first, sizeof(first));
	const char *lt = str(ev, "lastTimestamp");
	if (*lt)
		since(lt, now, last, sizeof(last));
	else
		snprintf(last, sizeof(last), "%s", first);
	long long n = num(ev, "count");
	if (get(ev, "series")) {
		since(str(ev, "series.lastObservedTime"), now, last, sizeof(last));
		n = num(ev, "series.count");
	} else if (n == 0) {
		n = 1;
	}
	const json_t *io = get(ev, "involvedObject");
	if (!io)
		io = get(ev, "regarding");
	snprintf(kind, sizeof(kind), "%s", str(io, "kind"));
	for (char *p = kind; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	if (*str(io, "name"))
		snprintf(target, sizeof(target), "%s/%s", kind, str(io, "name"));
	else
		snprintf(target, sizeof(target), "%s", kind);
	event_source(ev, source, sizeof(source));
	/* strings.TrimSpace(message) */
	const char *msg = str(ev, "message");
	if (!*msg)
		msg = str(ev, "note");
	while (*msg == ' ' || *msg == '\n' || *msg == '\t' || *msg == '\r')
		msg++;
	size_t ml = strlen(msg);
	while (ml && (msg[ml - 1] == ' ' || msg[ml - 1] == '\n' || msg[ml - 1] == '\t' ||
		      msg[ml - 1] == '\r'))
		ml--;
	json_array_append_new(cells, s_(last));
	json_array_append_new(cells, s_(str(ev, "type")));
	json_array_append_new(cells, s_(str(ev, "reason")));
	json_array_append_new(cells, s_(target));
	json_array_append_new(cells, s_(str(io, "fieldPath")));
	json_array_append_new(cells, s_(source));
	json_t *m = json_stringn(msg, ml);
	json_array_append_new(cells, m ? m : json_string(""));
	json_array_append_new(cells, s_(first));
	json_array_append_new(cells, json_integer(n));
	json_array_append_new(cells, s_(str(ev, "metadata.name")));
	return 0;
}

static void node_address(const json_t *node, const char *type, char *out, size_t len)
{
	size_t i;
	const json_t *a;
	json_array_foreach(get(node, "status.addresses"), i, a) {
		if (strcmp(str(a, "type"), type) == 0) {
			snprintf(out, len, "%s", str(a, "address"));
			return;
		}
	}
	snprintf(out, len, "<none>");
}

static int node_cells(const json_t *node, json_t *cells, time_t now)
{
	char status[128], roles[1024], age[32], iip[64], eip[64];
	const char *rl[64];
	size_t nr = 0, pos = 0, i;
	const json_t *c;
	status[0] = '\0';
	json_array_foreach(get(node, "status.conditions"), i, c) {
		if (strcmp(str(c, "type"), "Ready") == 0) {
			snprintf(status, sizeof(status), "%s",
				 strcmp(str(c, "status"), "True") == 0 ? "Ready" : "NotReady");
			break;
		}
	}
	if (!status[0])
		snprintf(status, sizeof(status), "Unknown");
	if (json_is_true(get(node, "spec.unschedulable")))
		strncat(status, ",SchedulingDisabled", sizeof(status) - strlen(status) - 1);
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)get(node, "metadata.labels"), k, v) {
		if (nr >= 64)
			break;
		if (strncmp(k, "node-role.kubernetes.io/", 24) == 0 && k[24])
			rl[nr++] = k + 24;
		else if (strcmp(k, "kubernetes.io/role") == 0 && json_string_value(v) &&
			 *json_string_value(v))
			rl[nr++] = json_string_value(v);
	}
	qsort(rl, nr, sizeof(rl[0]), kube_cmp_str);
	roles[0] = '\0';
	for (i = 0; i < nr; i++) {
		if (i && strcmp(rl[i], rl[i - 1]) == 0)
			continue;
		if (pos)
			kube_append(roles, sizeof(roles), &pos, ",");
		kube_append(roles, sizeof(roles), &pos, rl[i]);
	}
	since(str(node, "metadata.creationTimestamp"), now, age, sizeof(age));
	node_address(node, "InternalIP", iip, sizeof(iip));
	node_address(node, "ExternalIP", eip, sizeof(eip));
	const char *os = str(node, "status.nodeInfo.osImage");
	const char *kv = str(node, "status.nodeInfo.kernelVersion");
	const char *cr = str(node, "status.nodeInfo.containerRuntimeVersion");
	json_array_append_new(cells, s_(str(node, "metadata.name")));
	json_array_append_new(cells, s_(status));
	json_array_append_new(cells, s_(nr ? roles : "<none>"));
	json_array_append_new(cells, s_(age));
	json_array_append_new(cells, s_(str(node, "status.nodeInfo.kubeletVersion")));
	json_array_append_new(cells, s_(iip));
	json_array_append_new(cells, s_(eip));
	json_array_append_new(cells, s_(*os ? os : "<unknown>"));
	json_array_append_new(cells, s_(*kv ? kv : "<unknown>"));
	json_array_append_new(cells, s_(*cr ? cr : "<unknown>"));
	return 0;
}

static int binding_cells(const json_t *b, json_t *cells, time_t now)
{
	char role[600], age[32], users[4096], groups[4096], sas[4096];
	size_t pu = 0, pg = 0, ps = 0, i;
	const json_t *s;
	users[0] = groups[0] = sas[0] = '\0';
	snprintf(role, sizeof(role), "%s/%s", str(b, "roleRef.kind"), str(b, "roleRef.name"));
	json_array_foreach(get(b, "subjects"), i, s) {
		const char *kind = str(s, "kind");
		if (strcmp(kind, "User") == 0) {
			if (pu)
				kube_append(users, sizeof(users), &pu, ", ");
			kube_append(users, sizeof(users), &pu, str(s, "name"));
		} else if (strcmp(kind, "Group") == 0) {
			if (pg)
				kube_append(groups, sizeof(groups), &pg, ", ");
			kube_append(groups, sizeof(groups), &pg, str(s, "name"));
		} else if (strcmp(kind, "ServiceAccount") == 0) {
			if (ps)
				kube_append(sas, sizeof(sas), &ps, ", ");
			kube_append(sas, sizeof(sas), &ps, str(s, "namespace"));
			kube_append(sas, sizeof(sas), &ps, "/");
			kube_append(sas, sizeof(sas), &ps, str(s, "name"));
		}
	}
	since(str(b, "metadata.creationTimestamp"), now, age, sizeof(age));
	json_array_append_new(cells, s_(str(b, "metadata.name")));
	json_array_append_new(cells, s_(role));
	json_array_append_new(cells, s_(age));
	json_array_append_new(cells, s_(users));
	json_array_append_new(cells, s_(groups));
	json_array_append_new(cells, s_(sas));
	return 0;
}

/* labels.FormatLabels: "k=v,..." sorted by key, "<none>" when empty. */
static void format_labels(const json_t *m, char *out, size_t len)
{
	const char *keys[256];
	size_t n = 0, pos = 0;
	const char *k;
	const json_t *v;
	out[0] = '\0';
	json_object_foreach((json_t *)m, k, v) {
		if (n < 256)
			keys[n++] = k;
	}
	if (!n) {
		snprintf(out, len, "<none>");
		return;
	}
	qsort(keys, n, sizeof(keys[0]), kube_cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (i)
			kube_append(out, len, &pos, ",");
		kube_append(out, len, &pos, keys[i]);
		kube_append(out, len, &pos, "=");
		kube_append(out, len, &pos, str(m, keys[i]));
	}
}

static int service_cells(const json_t *svc, json_t *cells, time_t now)
{
	char ports[2048], ext[1024], sel[2048], age[32], buf[128];
	size_t pp = 0, pe = 0, i;
	const json_t *p;
	const char *type = str(svc, "spec.type");
	if (!*type)
		type = "ClusterIP";
	const char *cip = str(svc, "spec.clusterIP");
	ports[0] = ext[0] = '\0';
	json_array_foreach(get(svc, "spec.ports"), i, p) {
		const char *proto = str(p, "protocol");
		if (pp)
			kube_append(ports, sizeof(ports), &pp, ",");
		if (num(p, "nodePort"))
			snprintf(buf, sizeof(buf), "%lld:%lld/%s", num(p, "port"), num(p, "nodePort"),
				 *proto ? proto : "TCP");
		else
			snprintf(buf, sizeof(buf), "%lld/%s", num(p, "port"), *proto ? proto : "TCP");
		kube_append(ports, sizeof(ports), &pp, buf);
	}
	const json_t *e;
	json_array_foreach(get(svc, "spec.externalIPs"), i, e) {
		if (pe)
			kube_append(ext, sizeof(ext), &pe, ",");
		kube_append(ext, sizeof(ext), &pe, json_string_value(e) ? json_string_value(e) : "");
	}
	if (strcmp(type, "ExternalName") == 0)
		snprintf(ext, sizeof(ext), "%s", str(svc, "spec.externalName"));
	else if (strcmp(type, "LoadBalancer") == 0 && !pe)
		snprintf(ext, sizeof(ext), "<pending>");
	format_labels(get(svc, "spec.selector"), sel, sizeof(sel));
	since(str(svc, "metadata.creationTimestamp"), now, age, sizeof(age));
	json_array_append_new(cells, s_(str(svc, "metadata.name")));
	json_array_append_new(cells, s_(type));
	json_array_append_new(cells, s_(*cip ? cip : "<none>"));
	json_array_append_new(cells, s_(*ext ? ext : "<none>"));
	json_array_append_new(cells, s_(*ports ? ports : "<none>"));
	json_array_append_new(cells, s_(age));
	json_array_append_new(cells, s_(sel));
	return 0;
}

/* The template's container names and images, comma separated (printers.go
 * layoutContainerCells). */
static void template_containers(const json_t *o, char *names, char *images, size_t len)
{
	size_t i, np = 0, ip = 0;
	const json_t *c;
	names[0] = images[0] = '\0';
	json_array_foreach(get(o, "spec.template.spec.containers"), i, c)
	{
		const char *n = json_string_value(json_object_get(c, "name"));
		const char *im = json_string_value(json_object_get(c, "image"));
		int a = snprintf(names + np, np < len ? len - np : 0, "%s%s", i ? "," : "",
				 n ? n : "");
		int b = snprintf(images + ip, ip < len ? len - ip : 0, "%s%s", i ? "," : "",
				 im ? im : "");
		np += a > 0 ? (size_t)a : 0;
		ip += b > 0 ? (size_t)b : 0;
	}
}

static void deployment_cells(const json_t *o, json_t *cells, time_t now)
{
	char age[32], buf[64], names[1024], images[1024], sel[1024];
	since(str(o, "metadata.creationTimestamp"), now, age, sizeof(age));
	snprintf(buf, sizeof(buf), "%lld/%lld", num(o, "status.readyReplicas"),
		 num(o, "spec.replicas"));
	template_containers(o, names, images, sizeof(names));
	selector_format_label_selector(get(o, "spec.selector"), sel, sizeof(sel));
	json_array_append_new(cells, s_(str(o, "metadata.name")));
	json_array_append_new(cells, s_(buf));
	json_array_append_new(cells, json_integer(num(o, "status.updatedReplicas")));
	json_array_append_new(cells, json_integer(num(o, "status.availableReplicas")));
	json_array_append_new(cells, s_(age));
	json_array_append_new(cells, s_(names));
	json_array_append_new(cells, s_(images));
	json_array_append_new(cells, s_(sel));
}

static void replicaset_cells(const json_t *o, json_t *cells, time_t now)
{
	char age[32], names[1024], images[1024], sel[1024];
	since(str(o, "metadata.creationTimestamp"), now, age, sizeof(age));
	template_containers(o, names, images, sizeof(names));
	selector_format_label_selector(get(o, "spec.selector"), sel, sizeof(sel));
	json_array_append_new(cells, s_(str(o, "metadata.name")));
	json_array_append_new(cells, json_integer(num(o, "spec.replicas")));
	json_array_append_new(cells, json_integer(num(o, "status.replicas")));
	json_array_append_new(cells, json_integer(num(o, "status.readyReplicas")));
	json_array_append_new(cells, s_(age));
	json_array_append_new(cells, s_(names));
	json_array_append_new(cells, s_(images));
	json_array_append_new(cells, s_(sel));
}

static void statefulset_cells(const json_t *o, json_t *cells, time_t now)
{
	char age[32], buf[64], names[1024], images[1024];
	since(str(o, "metadata.creationTimestamp"), now, age, sizeof(age));
	snprintf(buf, sizeof(buf), "%lld/%lld", num(o, "status.readyReplicas"),
		 num(o, "spec.replicas"));
	template_containers(o, names, images, sizeof(names));
	json_array_append_new(cells, s_(str(o, "metadata.name")));
	json_array_append_new(cells, s_(buf));
	json_array_append_new(cells, s_(age));
	json_array_append_new(cells, s_(names));
	json_array_append_new(cells, s_(images));
}

static void daemonset_cells(const json_t *o, json_t *cells, time_t now)
{
	char age[32], names[1024], images[1024], sel[1024], nodesel[1024];
	since(str(o, "metadata.creationTimestamp"), now, age, sizeof(age));
	template_containers(o, names, images, sizeof(names));
	selector_format_label_selector(get(o, "spec.selector"), sel, sizeof(sel));
	format_labels(get(o, "spec.template.spec.nodeSelector"), nodesel, sizeof(nodesel));
	json_array_append_new(cells, s_(str(o, "metadata.name")));
	json_array_append_new(cells, json_integer(num(o, "status.desiredNumberScheduled")));
	json_array_append_new(cells, json_integer(num(o, "status.currentNumberScheduled")));
	json_array_append_new(cells, json_integer(num(o, "status.numberReady")));
	json_array_append_new(cells, json_integer(num(o, "status.updatedNumberScheduled")));
	json_array_append_new(cells, json_integer(num(o, "status.numberAvailable")));
	json_array_append_new(cells, s_(nodesel));
	json_array_append_new(cells, s_(age));
	json_array_append_new(cells, s_(names));
	json_array_append_new(cells, s_(images));
	json_array_append_new(cells, s_(sel));
}

/* printers.go printJob: the first true condition of Complete, Failed, then deletion,
 * Suspended, FailureTarget; otherwise Running. */
static const char *job_status(const json_t *o)
{
	const json_t *conds = get(o, "status.conditions");
	if (condition_true(conds, "Complete"))
		return "Complete";
	if (condition_true(conds, "Failed"))
		return "Failed";
	if (*str(o, "metadata.deletionTimestamp"))
		return "Terminating";
	if (condition_true(conds, "Suspended"))
		return "Suspended";
	if (condition_true(conds, "FailureTarget"))
		return "FailureTarget";
	return "Running";
}

static void job_cells(const json_t *o, json_t *cells, time_t now)
{
	char age[32], comp[64], dur[32] = "", names[1024], images[1024], sel[1024];
	time_t start, end;
	const json_t *completions = get(o, "spec.completions");
	long long par =
		json_is_integer(get(o, "spec.parallelism")) ? num(o, "spec.parallelism") : 0;
	if (json_is_integer(completions))
		snprintf(comp, sizeof(comp), "%lld/%lld", num(o, "status.succeeded"),
			 (long long)json_integer_value(completions));
	else if (par > 1)
		snprintf(comp, sizeof(comp), "%lld/1 of %lld", num(o, "status.succeeded"), par);
	else
		snprintf(comp, sizeof(comp), "%lld/1", num(o, "status.succeeded"));
	if (table_parse_time(str(o, "status.startTime"), &start) == 0) {
		if (table_parse_time(str(o, "status.completionTime"), &end) != 0)
			end = now;
		table_human_duration((int64_t)(end - start), dur, sizeof(dur));
	}
	since(str(o, "metadata.creationTimestamp"), now, age, sizeof(age));
	template_containers(o, names, images, sizeof(names));
	selector_format_label_selector(get(o, "spec.selector"), sel, sizeof(sel));
	json_array_append_new(cells, s_(str(o, "metadata.name")));
	json_array_append_new(cells, s_(job_status(o)));
	json_array_append_new(cells, s_(comp));
	json_array_append_new(cells, s_(dur));
	json_array_append_new(cells, s_(age));
	json_array_append_new(cells, s_(names));
	json_array_append_new(cells, s_(images));
	json_array_append_new(cells, s_(sel));
}

static void cronjob_cells(const json_t *o, json_t *cells, time_t now)
{
	char age[32], last[32] = "<none>", names[1024], images[1024], sel[1024];
	const json_t *jt = get(o, "spec.jobTemplate");
	const json_t *suspend = get(o, "spec.suspend");
	const char *tz = str(o, "spec.timeZone");
	if (*str(o, "status.lastScheduleTime"))
		since(str(o, "status.lastScheduleTime"), now, last, sizeof(last));
	since(str(o, "metadata.creationTimestamp"), now, age, sizeof(age));
	template_containers(jt, names, images, sizeof(names));
	selector_format_label_selector(get(jt, "spec.selector"), sel, sizeof(sel));
	json_array_append_new(cells, s_(str(o, "metadata.name")));
	json_array_append_new(cells, s_(str(o, "spec.schedule")));
	json_array_append_new(cells, s_(*tz ? tz : "<none>"));
	/* printBoolPtr */
	json_array_append_new(cells, s_(!json_is_boolean(suspend) ? "<unset>"
					: json_is_true(suspend)	  ? "True"
								  : "False"));
	json_array_append_new(cells, json_integer((json_int_t)count(get(o, "status.active"))));
	json_array_append_new(cells, s_(last));
	json_array_append_new(cells, s_(age));
	json_array_append_new(cells, s_(names));
	json_array_append_new(cells, s_(images));
	json_array_append_new(cells, s_(sel));
}

/* One metric of printers.go formatHPAMetrics (autoscaling/v2): "<name>: current/target"
 * for Resource and ContainerResource, "current/target" for Pods, Object and External
 * ("(avg)" after an averageValue target). */
static void hpa_metric(const json_t *spec, const json_t *st, char *out, size_t len)
{
	const char *type = str(spec, "type");
	static const struct {
		const char *type, *key, *skey;
	} src[] = {{"Resource", "resource", "resource"},
		   {"ContainerResource", "containerResource", "containerResource"},
		   {"Pods", "pods", "pods"},
		   {"Object", "object", "object"},
		   {"External", "external", "external"}};
	for (size_t i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		if (strcmp(type, src[i].type) != 0)
			continue;
		const json_t *m = json_object_get(spec, src[i].key);
		const json_t *cur = json_object_get(json_object_get(st, src[i].skey), "current");
		int named = i < 2, has_cur = json_object_get(st, src[i].skey) != NULL;
		char prefix[256] = "";
		if (named)
			snprintf(prefix, sizeof(prefix), "%s: ", str(m, "name"));
		if (*str(m, "target.averageValue")) {
			const char *c = has_cur && *str(cur, "averageValue")
						? str(cur, "averageValue")
						: "<unknown>";
			snprintf(out, len, "%s%s/%s%s", prefix, c, str(m, "target.averageValue"),
				 named || i == 2 ? "" : " (avg)");
		} else if (named) {
			char c[32] = "<unknown>", t[32] = "<auto>";
			if (json_is_integer(get(cur, "averageUtilization")))
				snprintf(c, sizeof(c), "%lld%%", num(cur, "averageUtilization"));
			if (json_is_integer(get(m, "target.averageUtilization")))
				snprintf(t, sizeof(t), "%lld%%",
					 num(m, "target.averageUtilization"));
			snprintf(out, len, "%s%s/%s", prefix, c, t);
		} else {
			const char *c =
				has_cur && *str(cur, "value") ? str(cur, "value") : "<unknown>";
			snprintf(out, len, "%s/%s", c, str(m, "target.value"));
		}
		return;
	}
	snprintf(out, len, "<unknown type>");
}

static void hpa_cells(const json_t *obj, json_t *cells, time_t now)
{
	char age[32], ref[512], targets[1024] = "", one[512], minp[32] = "<unset>";
	/* printers.go prints the internal type: an autoscaling/v1 object as its v2 form */
	json_t *v2 = strcmp(str(obj, "apiVersion"), "autoscaling/v1") == 0
			     ? convert_hpa_to_v2(obj)
			     : json_incref((json_t *)obj);
	const json_t *o = v2 ? v2 : obj;
	const json_t *specs = get(o, "spec.metrics"), *sts = get(o, "status.currentMetrics");
	size_t i, n = json_array_size(specs), pos = 0;
	for (i = 0; i < n && i < 2; i++) {
		hpa_metric(json_array_get(specs, i), json_array_get(sts, i), one, sizeof(one));
		if (i)
			kube_append(targets, sizeof(targets), &pos, ", ");
		kube_append(targets, sizeof(targets), &pos, one);
	}
	if (n > 2) {
		snprintf(one, sizeof(one), " + %zu more...", n - 2);
		kube_append(targets, sizeof(targets), &pos, one);
	}
	if (json_is_integer(get(o, "spec.minReplicas")))
		snprintf(minp, sizeof(minp), "%lld", num(o, "spec.minReplicas"));
	snprintf(ref, sizeof(ref), "%s/%s", str(o, "spec.scaleTargetRef.kind"),
		 str(o, "spec.scaleTargetRef.name"));
	since(str(o, "metadata.creationTimestamp"), now, age, sizeof(age));
	json_array_append_new(cells, s_(str(o, "metadata.name")));
	json_array_append_new(cells, s_(ref));
	json_array_append_new(cells, s_(n ? targets : "<none>"));
	json_array_append_new(cells, s_(minp));
	json_array_append_new(cells, json_integer(num(o, "spec.maxReplicas")));
	json_array_append_new(cells, json_integer(num(o, "status.currentReplicas")));
	json_array_append_new(cells, s_(age));
	json_decref(v2);
}

/* printers.go printIngress: formatHosts (three at most, "*" when none), the load
 * balancer's IPs or hostnames, formatPorts. */
static void ingress_cells(const json_t *o, json_t *cells, time_t now)
{
	char age[32], hosts[1024] = "", addr[1024] = "", more[64];
	size_t i, hp = 0, ap = 0, listed = 0;
	const json_t *r, *lb;
	const json_t *rules = get(o, "spec.rules");
	const char *cls = str(o, "spec.ingressClassName");
	json_array_foreach(rules, i, r)
	{
		const char *h = str(r, "host");
		if (listed == 3 || !*h)
			continue;
		if (listed++)
			kube_append(hosts, sizeof(hosts), &hp, ",");
		kube_append(hosts, sizeof(hosts), &hp, h);
	}
	if (!listed)
		snprintf(hosts, sizeof(hosts), "*");
	else if (json_array_size(rules) > 3) {
		snprintf(more, sizeof(more), " + %zu more...", json_array_size(rules) - 3);
		kube_append(hosts, sizeof(hosts), &hp, more);
	}
	json_array_foreach(get(o, "status.loadBalancer.ingress"), i, lb)
	{
		const char *a = *str(lb, "ip") ? str(lb, "ip") : str(lb, "hostname");
		if (!*a)
			continue;
		if (ap)
			kube_append(addr, sizeof(addr), &ap, ",");
		kube_append(addr, sizeof(addr), &ap, a);
	}
	since(str(o, "metadata.creationTimestamp"), now, age, sizeof(age));
	json_array_append_new(cells, s_(str(o, "metadata.name")));
	json_array_append_new(cells, s_(*cls ? cls : "<none>"));
	json_array_append_new(cells, s_(hosts));
	json_array_append_new(cells, s_(addr));
	json_array_append_new(cells, s_(json_array_size(get(o, "spec.tls")) ? "80, 443" : "80"));
	json_array_append_new(cells, s_(age));
}

/* RFC3339 in UTC, as metav1.Time marshals ("2006-01-02T15:04:05Z"). */
static void created_at(const json_t *o, char *out, size_t len)
{
	int64_t t;
	char ts[CLOCK_RFC3339_LEN] = "";
	if (clock_parse_rfc3339(str(o, "metadata.creationTimestamp"), &t) == 0)
		clock_rfc3339(t, ts);
	snprintf(out, len, "%s", *ts ? ts : str(o, "metadata.creationTimestamp"));
}

json_t *table_cells(enum printer p, const json_t *o, json_t *row, time_t now)
{
	char age[32], buf[1024];
	json_t *cells = json_array();
	if (!cells)
		return NULL;
	const char *name = str(o, "metadata.name");
	switch (p) {
	case P_POD:
		pod_cells(o, cells, row, now);
		break;
	case P_EVENT:
		event_cells(o, cells, now);
		break;
	case P_NODE:
		node_cells(o, cells, now);
		break;
	case P_BINDING:
		binding_cells(o, cells, now);
		break;
	case P_SVC:
		service_cells(o, cells, now);
		break;
	case P_DEPLOY:
		deployment_cells(o, cells, now);
		break;
	case P_RS:
		replicaset_cells(o, cells, now);
		break;
	case P_STS:
		statefulset_cells(o, cells, now);
		break;
	case P_DS:
		daemonset_cells(o, cells, now);
		break;
	case P_JOB:
		job_cells(o, cells, now);
		break;
	case P_CJ:
		cronjob_cells(o, cells, now);
		break;
	case P_HPA:
		hpa_cells(o, cells, now);
		break;
	case P_ING:
		ingress_cells(o, cells, now);
		break;
	case P_NS:
		since(str(o, "metadata.creationTimestamp"), now, age, sizeof(age));
		json_array_append_new(cells, s_(name));
		json_array_append_new(cells, s_(str(o, "status.phase")));
		json_array_append_new(cells, s_(age));
		break;
	case P_SA:
		since(str(o, "metadata.creationTimestamp"), now, age, sizeof(age));
		json_array_append_new(cells, s_(name));
		json_array_append_new(cells, json_integer((json_int_t)count(get(o, "secrets"))));
		json_array_append_new(cells, s_(age));
		break;
	case P_CM:
		since(str(o, "metadata.creationTimestamp"), now, age, sizeof(age));
		json_array_append_new(cells, s_(name));
		json_array_append_new(cells, json_integer((json_int_t)(count(get(o, "data")) +
								       count(get(o, "binaryData")))));
		json_array_append_new(cells, s_(age));
		break;
	case P_SECRET:
		since(str(o, "metadata.creationTimestamp"), now, age, sizeof(age));
		json_array_append_new(cells, s_(name));
		json_array_append_new(cells, s_(str(o, "type")));
		json_array_append_new(cells, json_integer((json_int_t)count(get(o, "data"))));
		json_array_append_new(cells, s_(age));
		break;
	case P_NETPOL:
		since(str(o, "metadata.creationTimestamp"), now, age, sizeof(age));
		selector_format_label_selector(get(o, "spec.podSelector"), buf, sizeof(buf));
		json_array_append_new(cells, s_(name));
		json_array_append_new(cells, s_(buf));
		json_array_append_new(cells, s_(age));
		break;
	case P_ROLE:
	case P_DEFAULT:
		created_at(o, buf, sizeof(buf));
		json_array_append_new(cells, s_(name));
		json_array_append_new(cells, s_(buf));
		break;
	}
	return cells;
}
