/*
 * test_execpod.c - the Pod `gkeid exec` creates (cli/execpod.c), built from its options
 * without any I/O: the fixed shape (Never restarts, the managed-by label, one "main"
 * container running the command), the name or generateName, --label, --annotation and
 * --env in the order given, the command cut at its byte bound, Istio's injection (by
 * annotation or label), and the K=V checks of the flags.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

#include "cli/execpod.h"

static char *dumps(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return s;
}

static void test_plain(void)
{
	char *cmd[] = {"sh", "-c", "echo hi", NULL};
	struct exec_kvs none = {0};
	struct exec_pod_spec s = {.ksa = "app",
				  .node = "local-node",
				  .cmd = cmd,
				  .ncmd = 3,
				  .ann = &none,
				  .lab = &none,
				  .envs = &none};
	char *got = dumps(exec_pod_manifest(&s));
	CHECK_STR(got, "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"labels\":{\"app."
		       "kubernetes.io/managed-by\":\"gkeid-exec\"},\"generateName\":\"exec-\"},"
		       "\"spec\":{\"nodeName\":\"local-node\",\"serviceAccountName\":\"app\","
		       "\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"main\",\"image\":"
		       "\"gkeid/exec\",\"command\":[\"sh\",\"-c\",\"echo hi\"]}]}}");
	free(got);
}

static void test_extras(void)
{
	char *cmd[] = {"true", NULL}, err[400];
	struct exec_kvs ann = {0}, lab = {0}, envs = {0};
	CHECK_EQ_INT(exec_kv_add(&lab, "tier=web", "label", err, sizeof(err)), 0);
	CHECK_EQ_INT(exec_kv_add(&ann, "a.example/x=1", "annotation", err, sizeof(err)), 0);
	CHECK_EQ_INT(
		exec_kv_add(&envs, "GCE_METADATA_HOST=169.254.169.254", "env", err, sizeof(err)),
		0);
	CHECK_EQ_INT(exec_kv_add(&envs, "EMPTY=", "env", err, sizeof(err)), 0);
	struct exec_pod_spec s = {.name = "probe",
				  .ksa = "default",
				  .node = "n1",
				  .cmd = cmd,
				  .ncmd = 1,
				  .ann = &ann,
				  .lab = &lab,
				  .envs = &envs};
	json_t *pod = exec_pod_manifest(&s);
	json_t *meta = json_object_get(pod, "metadata");
	CHECK_STR(json_string_value(json_object_get(meta, "name")), "probe");
	CHECK(json_object_get(meta, "generateName") == NULL);
	CHECK_STR(json_string_value(json_object_get(json_object_get(meta, "labels"), "tier")),
		  "web");
	CHECK_STR(json_string_value(
			  json_object_get(json_object_get(meta, "annotations"), "a.example/x")),
		  "1");
	char *env = dumps(json_incref(json_object_get(
		json_array_get(json_object_get(json_object_get(pod, "spec"), "containers"), 0),
		"env")));
	CHECK_STR(env, "[{\"name\":\"GCE_METADATA_HOST\",\"value\":\"169.254.169.254\"},"
		       "{\"name\":\"EMPTY\",\"value\":\"\"}]");
	free(env);
	json_decref(pod);
}

static void test_istio(void)
{
	char *cmd[] = {"true", NULL}, err[400];
	struct exec_kvs ann = {0}, lab = {0}, none = {0};
	CHECK_EQ_INT(exec_kv_add(&lab, "sidecar.istio.io/inject=true", "label", err, sizeof(err)),
		     0);
	CHECK(exec_istio_injected(&none, &lab));
	CHECK(!exec_istio_injected(&none, &none));
	struct exec_pod_spec s = {.ksa = "default",
				  .node = "n1",
				  .cmd = cmd,
				  .ncmd = 1,
				  .ann = &ann,
				  .lab = &lab,
				  .envs = &none};
	json_t *pod = exec_pod_manifest(&s), *spec = json_object_get(pod, "spec");
	json_t *ctrs = json_object_get(spec, "containers");
	CHECK_EQ_INT(json_array_size(ctrs), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(ctrs, 1), "name")),
		  "istio-proxy");
	CHECK_STR(json_string_value(json_object_get(json_array_get(ctrs, 1), "image")),
		  EXEC_ISTIO_IMAGE);
	CHECK_STR(json_string_value(json_object_get(
			  json_array_get(json_object_get(spec, "initContainers"), 0), "name")),
		  "istio-init");
	const char *st = json_string_value(
		json_object_get(json_object_get(json_object_get(pod, "metadata"), "annotations"),
				"sidecar.istio.io/status"));
	CHECK(st && strstr(st, "\"containers\":[\"istio-proxy\"]"));
	json_decref(pod);
}

static void test_command_bound(void)
{
	char *big = malloc(EXEC_CMD_SHOWN_MAX);
	memset(big, 'x', EXEC_CMD_SHOWN_MAX - 1);
	big[EXEC_CMD_SHOWN_MAX - 1] = '\0';
	char *cmd[] = {"sh", big, "tail", NULL};
	struct exec_kvs none = {0};
	struct exec_pod_spec s = {.ksa = "default",
				  .node = "n1",
				  .cmd = cmd,
				  .ncmd = 3,
				  .ann = &none,
				  .lab = &none,
				  .envs = &none};
	json_t *pod = exec_pod_manifest(&s);
	json_t *c = json_object_get(
		json_array_get(json_object_get(json_object_get(pod, "spec"), "containers"), 0),
		"command");
	/* "sh" fits; with the big argument the bound is passed: the rest is left out */
	CHECK_EQ_INT(json_array_size(c), 1);
	json_decref(pod);
	free(big);
}

static void test_kv_checks(void)
{
	struct exec_kvs a = {0};
	char err[400];
	CHECK_EQ_INT(exec_kv_add(&a, "novalue", "label", err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "--label wants KEY=VALUE, got \"novalue\"");
	CHECK_EQ_INT(exec_kv_add(&a, "=v", "label", err, sizeof(err)), -EINVAL);
	CHECK_EQ_INT(exec_kv_add(&a, "bad key=v", "env", err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "--env: invalid key \"bad key\"");
	for (int i = 0; i < EXEC_KV_MAX; i++)
		CHECK_EQ_INT(exec_kv_add(&a, i % 2 ? "k=1" : "k=2", "env", err, sizeof(err)), 0);
	CHECK_EQ_INT(exec_kv_add(&a, "k=3", "env", err, sizeof(err)), -E2BIG);
	CHECK_STR(err, "at most 64 --env flags");
	CHECK_STR(exec_kv_get(&a, "k"), "1"); /* the last one given */
	CHECK(exec_kv_get(&a, "kk") == NULL);
}

int main(void)
{
	RUN(test_plain);
	RUN(test_extras);
	RUN(test_istio);
	RUN(test_command_bound);
	RUN(test_kv_checks);
	return t_done();
}
