/*
 * fuzz_state.c - libFuzzer target for the YAML paths that read user files: yaml_to_json
 * on arbitrary bytes, then state_parse (the state file validator) on the same bytes.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc fuzz/fuzz_state.c \
 *         src/core/yaml.c src/cloud/state.c ... (see `make fuzz`)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/state.h"
#include "core/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	json_t *j = NULL;
	if (yaml_to_json((const char *)data, size, &j, err, sizeof(err)) == 0)
		json_decref(j);
	j = NULL;
	if (state_parse((const char *)data, size, &j, err, sizeof(err)) == 0)
		json_decref(j);
	return 0;
}
