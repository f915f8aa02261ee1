/*
 * replay.c - runs a libFuzzer target without libFuzzer: each file named, or each file in
 * each directory named, is passed once to LLVMFuzzerTestOneInput, as libFuzzer replays a
 * seed corpus before it mutates. Linked with gcc's ASan and UBSan build of a target
 * (build/asan/fuzz/replay_NAME), it is how `make test` runs every corpus: a crash, a
 * sanitizer report or an abort() in a target ends the run with the input's name on
 * stderr. The mutation itself is `make fuzz` (clang, libFuzzer).
 * Prints "ran N inputs" on success; a file it cannot read (or over REPLAY_MAX bytes), or
 * an input that runs longer than REPLAY_ALARM seconds, fails the run.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"

#define REPLAY_ALARM 60
#define REPLAY_MAX (16u << 20) /* larger than any seed; a bigger file is an error */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	char *buf = NULL;
	size_t n = 0;
	int rc = file_read_small(path, REPLAY_MAX, &buf, &n);
	if (rc != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(-rc));
		return -1;
	}
	/* The input in a buffer of its own size (file_read_small's has a NUL after it), so
	 * that ASan sees a read past its end, as libFuzzer's buffers let it. */
	uint8_t *in = malloc(n ? n : 1);
	if (!in) {
		free(buf);
		return -1;
	}
	memcpy(in, buf, n);
	free(buf);
	fprintf(stderr, "replay: %s\n", path);
	alarm(REPLAY_ALARM);
	LLVMFuzzerTestOneInput(in, n);
	alarm(0);
	free(in);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of DIR, in name order (so that a failing run can be repeated). */
static int run_dir(const char *dir, unsigned *ran)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t count = 0, cap = 0;
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **nn = realloc(names, ncap * sizeof *nn);
			if (!nn) {
				rc = -1;
				break;
			}
			names = nn;
			cap = ncap;
		}
		size_t len = strlen(dir) + 1 + strlen(e->d_name) + 1;
		if (!(names[count] = malloc(len))) {
			rc = -1;
			break;
		}
		snprintf(names[count++], len, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (count)
		qsort(names, count, sizeof *names, cmp_names);
	for (size_t i = 0; i < count; i++) {
		struct stat st;
		if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			rc = run_file(names[i]);
			*ran += rc == 0;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned ran = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		int rc = S_ISDIR(st.st_mode) ? run_dir(argv[i], &ran) : run_file(argv[i]);
		ran += rc == 0 && !S_ISDIR(st.st_mode);
		if (rc != 0)
			return 1;
	}
	printf("ran %u inputs\n", ran);
	return 0;
}
