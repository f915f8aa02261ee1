/*
 * execpod.c - the Pod `gkeid exec` creates (execpod.h), from its options alone: pure,
 * no I/O.
 */
#include "cli/execpod.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/dbuf.h"

int exec_kv_add(struct exec_kvs *a, const char *arg, const char *what, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	size_t kl = eq ? (size_t)(eq - arg) : 0;
	if (!eq || kl == 0 || kl > 253 || strlen(eq + 1) > EXEC_KV_VALUE_MAX) {
		snprintf(err, errlen, "--%s wants KEY=VALUE, got \"%.200s\"", what, arg);
		return -EINVAL;
	}
	for (size_t i = 0; i < kl; i++)
		if ((unsigned char)arg[i] <= ' ' || (unsigned char)arg[i] >= 0x7f) {
			snprintf(err, errlen, "--%s: invalid key \"%.*s\"", what, (int)kl, arg);
			return -EINVAL;
		}
	if (a->n >= EXEC_KV_MAX) {
		snprintf(err, errlen, "at most %d --%s flags", EXEC_KV_MAX, what);
		return -E2BIG;
	}
	a->arg[a->n++] = arg;
	return 0;
}

const char *exec_kv_get(const struct exec_kvs *a, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = a->n; i > 0; i--)
		if (strncmp(a->arg[i - 1], key, kl) == 0 && a->arg[i - 1][kl] == '=')
			return a->arg[i - 1] + kl + 1;
	return NULL;
}

static json_t *kv_object(const struct exec_kvs *a, json_t *o)
{
	for (size_t i = 0; o && i < a->n; i++) {
		const char *eq = strchr(a->arg[i], '=');
		char key[256]; /* exec_kv_add took keys of at most 253 bytes */
		if (SFMT(key, "%.*s", (int)(eq - a->arg[i]), a->arg[i]) != 0)
			continue; /* cannot be */
		json_object_set_new(o, key, json_string(eq + 1));
	}
	return o;
}

int exec_istio_injected(const struct exec_kvs *ann, const struct exec_kvs *lab)
{
	const char *a = exec_kv_get(ann, "sidecar.istio.io/inject");
	const char *l = exec_kv_get(lab, "sidecar.istio.io/inject");
	return (a && strcmp(a, "true") == 0) || (l && strcmp(l, "true") == 0);
}

/* The command as the spec records it: its first arguments, up to EXEC_CMD_SHOWN_MAX
 * bytes. */
static json_t *command(const struct exec_pod_spec *s)
{
	json_t *cmd = json_array();
	size_t shown = 0;
	for (size_t i = 0; i < s->ncmd && cmd; i++) {
		shown += strlen(s->cmd[i]);
		if (shown > EXEC_CMD_SHOWN_MAX)
			break;
		json_array_append_new(cmd, json_string(s->cmd[i]));
	}
	return cmd ? cmd : json_array();
}

static void add_istio(json_t *pod, json_t *annotations)
{
	json_t *spec = json_object_get(pod, "spec");
	json_object_set_new(annotations, "sidecar.istio.io/status",
			    json_string("{\"initContainers\":[\"istio-init\"],\"containers\":"
					"[\"istio-proxy\"],\"volumes\":[\"istio-envoy\"],"
					"\"imagePullSecrets\":null,\"revision\":\"default\"}"));
	json_array_append_new(json_object_get(spec, "containers"),
			      json_pack("{s:s, s:s, s:[s,s]}", "name", "istio-proxy", "image",
					EXEC_ISTIO_IMAGE, "args", "proxy", "sidecar"));
	json_object_set_new(spec, "initContainers",
			    json_pack("[{s:s, s:s, s:[s]}]", "name", "istio-init", "image",
				      EXEC_ISTIO_IMAGE, "args", "istio-iptables"));
}

json_t *exec_pod_manifest(const struct exec_pod_spec *s)
{
	/* the Pod, as a kubelet would see it: the command, the service account, the node */
	json_t *pod =
		json_pack("{s:s, s:s, s:{s:{s:s}}, s:{s:s, s:s, s:s, s:[{s:s, s:s, s:o}]}}",
			  "apiVersion", "v1", "kind", "Pod", "metadata", "labels",
			  "app.kubernetes.io/managed-by", "gkeid-exec", "spec", "nodeName", s->node,
			  "serviceAccountName", s->ksa, "restartPolicy", "Never", "containers",
			  "name", "main", "image", "gkeid/exec", "command", command(s));
	if (!pod)
		return NULL;
	json_t *meta = json_object_get(pod, "metadata");
	json_t *ctr0 =
		json_array_get(json_object_get(json_object_get(pod, "spec"), "containers"), 0);
	int istio = exec_istio_injected(s->ann, s->lab);
	kv_object(s->lab, json_object_get(meta, "labels"));
	if (s->ann->n || istio) {
		json_t *a = kv_object(s->ann, json_object());
		if (a && istio)
			add_istio(pod, a);
		json_object_set_new(meta, "annotations", a ? a : json_object());
	}
	if (s->envs->n) {
		json_t *e = json_array();
		for (size_t i = 0; e && i < s->envs->n; i++) {
			const char *arg = s->envs->arg[i], *eq = strchr(arg, '=');
			json_array_append_new(e, json_pack("{s:s%, s:s}", "name", arg,
							   (size_t)(eq - arg), "value", eq + 1));
		}
		json_object_set_new(ctr0, "env", e ? e : json_array());
	}
	if (s->name)
		json_object_set_new(meta, "name", json_string(s->name));
	else
		json_object_set_new(meta, "generateName", json_string("exec-"));
	return pod;
}
