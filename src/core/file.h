/*
 * file.h - small files written whole and read whole: the keys, certificates, state and
 * configuration files gkeid keeps in its data dir.
 */
#ifndef GKEID_FILE_H
#define GKEID_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* Writes len bytes of data to path with mode, atomically: into PATH.tmp (made with mode,
 * fsynced), then renamed over path, so a reader sees the old file or the new one, never
 * a part. 0 or -errno (-ENAMETOOLONG for a path too long); PATH.tmp is removed on
 * failure. */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* Reads the whole file at path, at most max bytes (-EFBIG past that), into a malloc'd,
 * NUL-terminated *out of *len bytes. 0 or -errno. */
int file_read_small(const char *path, size_t max, char **out, size_t *len);

#endif
