/*
 * execpod.h - the Pod that `gkeid exec` creates, built without any I/O from its
 * options: the command, the service account and node, --label, --annotation and --env
 * (each "K=V", checked and bounded here), and Istio's injection (the istio-proxy and
 * istio-init containers and the sidecar.istio.io/status annotation). exec.c posts it;
 * tests/unit/cli/test_execpod.c checks it.
 */
#ifndef GKEID_EXECPOD_H
#define GKEID_EXECPOD_H

#include <jansson.h>
#include <stddef.h>

#define EXEC_KV_MAX 64		 /* --annotation, --label, --env: each at most this many */
#define EXEC_KV_VALUE_MAX 8192	 /* bytes of one value */
#define EXEC_CMD_SHOWN_MAX 16384 /* bytes of the command recorded in the spec */
#define EXEC_ISTIO_IMAGE "docker.io/istio/proxyv2:1.24.0"

struct exec_kvs {
	const char *arg[EXEC_KV_MAX]; /* "K=V", borrowed (argv) */
	size_t n;
};

/* Adds "K=V" (a key of 1..253 printable bytes, a bounded value) to a; what names the
 * flag in err. 0, or -EINVAL / -E2BIG with err filled. */
int exec_kv_add(struct exec_kvs *a, const char *arg, const char *what, char *err, size_t errlen);
/* The last value given for key, or NULL. */
const char *exec_kv_get(const struct exec_kvs *a, const char *key);
/* True when the pod asks for Istio's sidecar (annotation or label
 * sidecar.istio.io/inject=true). */
int exec_istio_injected(const struct exec_kvs *ann, const struct exec_kvs *lab);

struct exec_pod_spec {
	const char *name; /* NULL: generateName exec- */
	const char *ksa, *node;
	char *const *cmd; /* cmd[0..ncmd) */
	size_t ncmd;
	const struct exec_kvs *ann, *lab, *envs;
};

/* The Pod to create (new reference), or NULL when out of memory. */
json_t *exec_pod_manifest(const struct exec_pod_spec *s);

#endif
