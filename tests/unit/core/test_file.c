/*
 * test_file.c - file_write_atomic and file_read_small (core/file.h) on real files: the
 * mode is set even over an old temporary file, a rewrite replaces the whole file, a
 * temporary name that is a symlink is refused (nothing written through it), a path too
 * long is -ENAMETOOLONG, and reads are capped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "t.h"

static char dir[64];

static void test_write_read(void)
{
	char path[128], tmp[140], *s = NULL;
	size_t n = 0;
	struct stat st;
	snprintf(path, sizeof(path), "%s/a", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* an old temporary file, world-readable: the key must not inherit that */
	FILE *f = fopen(tmp, "w");
	if (f)
		fclose(f);
	chmod(tmp, 0644);
	CHECK_EQ_INT(file_write_atomic(path, "first version", 13, 0600), 0);
	CHECK_EQ_INT(stat(path, &st), 0);
	CHECK_EQ_INT((int)(st.st_mode & 0777), 0600);
	CHECK(access(tmp, F_OK) != 0);
	CHECK_EQ_INT(file_write_atomic(path, "v2", 2, 0600), 0);
	CHECK_EQ_INT(file_read_small(path, 100, &s, &n), 0);
	CHECK_STR(s, "v2");
	CHECK_EQ_INT((int)n, 2);
	free(s);
	CHECK_EQ_INT(file_read_small(path, 1, &s, &n), -EFBIG);
	CHECK(s == NULL);
	CHECK_EQ_INT(file_read_small(path, 2, &s, &n), 0);
	free(s);
	snprintf(tmp, sizeof(tmp), "%s/missing", dir);
	CHECK_EQ_INT(file_read_small(tmp, 10, &s, &n), -ENOENT);
}

static void test_refusals(void)
{
	char path[128], tmp[140], target[128], longp[5000];
	struct stat st;
	snprintf(path, sizeof(path), "%s/b", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(target, sizeof(target), "%s/target", dir);
	CHECK_EQ_INT(symlink(target, tmp), 0);
	CHECK_EQ_INT(file_write_atomic(path, "x", 1, 0600), -ELOOP);
	CHECK(stat(target, &st) != 0); /* nothing was written through the link */
	CHECK(stat(path, &st) != 0);
	unlink(tmp);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	CHECK_EQ_INT(file_write_atomic(longp, "x", 1, 0600), -ENAMETOOLONG);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/gkeid-test-file.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_write_read);
	RUN(test_refusals);
	t_rmtree(dir);
	return t_done();
}
