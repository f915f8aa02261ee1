/*
 * fuzz_protobuf.c - libFuzzer target for the Kubernetes API server's protobuf request
 * bodies (application/vnd.kubernetes.protobuf, kube/apiserver.c pb_to_json): arbitrary
 * bytes are transcoded; the transcoder never crashes, answers 0, -EINVAL, -ENOTSUP or
 * -ENOMEM, and what it answers 0 for is a JSON object naming the kind it decoded (strings
 * may hold NUL, written \u0000).
 * pb_to_json is static, so this file includes apiserver.c and is linked with the rest of
 * the library without it (see `make fuzz`).
 */
#include "kube/apiserver.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL;
	size_t len = 0;
	int rc = pb_to_json(data, size, &out, &len);
	if (rc == 0) {
		json_t *j = json_loadb(out, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
		if (!json_is_object(j) || !json_is_string(json_object_get(j, "kind")) ||
		    !json_is_string(json_object_get(j, "apiVersion")) || strlen(out) != len)
			__builtin_trap();
		json_decref(j);
		free(out);
	} else if (rc != -EINVAL && rc != -ENOTSUP && rc != -ENOMEM) {
		__builtin_trap();
	}
	return 0;
}
