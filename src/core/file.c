/*
 * file.c - small files written whole (atomically, with their mode) and read whole, with
 * a size cap (contract in file.h).
 */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dbuf.h"

int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[4200];
	int rc = 0;
	if (SFMT(tmp, "%s.tmp", path))
		return -ENAMETOOLONG;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) != 0) { /* an old PATH.tmp keeps its mode; open's is umasked */
		rc = -errno;
		goto out;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, (const char *)data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0)
		rc = -errno;
out:
	if (close(fd) != 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) != 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

int file_read_small(const char *path, size_t max, char **out, size_t *len)
{
	int rc = 0;
	char *buf = NULL;
	*out = NULL;
	*len = 0;
	if (max >= SIZE_MAX)
		return -EINVAL;
	FILE *f = fopen(path, "rbe");
	if (!f)
		return -errno;
	buf = malloc(max + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	size_t n = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		rc = ferror(f) ? -EIO : -EFBIG;
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	fclose(f);
	return rc;
}
