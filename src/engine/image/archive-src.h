/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Read access to the members of an image archive: a directory (resolved in root with
 * openat2, so symlinks in an OCI layout cannot reach outside it) or a tar file (members
 * located once; symlinks and hard links between members resolved inside the archive). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/image/store.h"

struct archive_member {
	char *name; /* clean, relative */
	off_t offset;
	int64_t size;
	char *link; /* symlink target (clean, archive-relative) before resolution */
};

struct archive_src {
	int dirfd; /* directory input, else -EBADF */
	int fd;	   /* tar input */
	struct archive_member *m;
	size_t n;
};

/* Opens path; compressed or non-seekable archives are first decompressed into the store's
 * scratch dir. */
int archive_src_open(struct store *s, const char *path, struct archive_src *ret);
void archive_src_close(struct archive_src *a);
/* Locates a member: *ret_fd (close it with safe_close when *ret_owned), offset, size.
 * -ENOENT if absent. */
int archive_src_find(const struct archive_src *a, const char *name, int *ret_fd, bool *ret_owned, off_t *ret_offset,
		     int64_t *ret_size);
/* Reads a small member fully (at most max bytes). */
int archive_src_read(const struct archive_src *a, const char *name, size_t max, char **ret, size_t *ret_len);
/* Copies a member into a new file of the store's scratch dir, hashing it on the way;
 * *ret_name is the file's name there (caller frees), ret_digest its sha256. */
int archive_src_copy(struct store *s, const struct archive_src *a, const char *name, char **ret_name,
		     char ret_digest[DIGEST_STRING_SIZE], int64_t *ret_size);
