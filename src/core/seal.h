/*
 * seal.h - secrets at rest: AES-256-GCM sealing of small secrets (the private halves of
 * system-managed service-account keys) before they go into the store, and the 0600
 * file that holds the 32-byte sealing key.
 *
 * A sealed value is bound to a context string (the store key it is written under), so
 * a sealed blob copied to another record does not open there. Store contents can then
 * be shared (etcd, backups) without sharing what they protect.
 */
#ifndef GKEID_SEAL_H
#define GKEID_SEAL_H

#include <stddef.h>

#define SEAL_KEY_LEN 32

/* Loads the sealing key at path, or creates one (random, file mode 0600, never
 * replacing a file another process created first). 0 or -errno; -EINVAL when the file
 * exists with another size. */
int seal_key_load_or_create(const char *path, unsigned char key[SEAL_KEY_LEN]);

/* Seals len bytes of data under key, bound to context (a NUL-terminated string).
 * Returns malloc'd base64 of nonce || ciphertext || tag, or NULL. */
char *seal(const unsigned char key[SEAL_KEY_LEN], const void *data, size_t len,
	   const char *context);

/* Opens what seal() made with the same key and context: 0 with *out (malloc'd,
 * NUL-terminated; *out_len excludes the NUL; the caller cleanses and frees it), or
 * -EBADMSG when the blob is malformed, altered or sealed for another context, -ENOMEM. */
int unseal(const unsigned char key[SEAL_KEY_LEN], const char *b64, const char *context,
	   unsigned char **out, size_t *out_len);

#endif
