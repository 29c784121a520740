/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small file helpers. All fds are O_CLOEXEC. These never follow paths inside a container
 * rootfs: for that use path.h (openat2 RESOLVE_IN_ROOT). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Read a whole file (at most max bytes, 0 = 64 MiB) into a NUL-terminated buffer.
 * dirfd may be AT_FDCWD. *ret caller frees; *ret_len optional. */
int fs_read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len);
/* Write data to an existing file (O_WRONLY|O_TRUNC unless flags override), one write. */
int fs_write_file_at(int dirfd, const char *path, const char *data, size_t len);
/* Atomically replace path with data: write path.tmpXXXXXX, fsync-free, rename. mode 0600. */
int fs_write_atomic(const char *path, const char *data, size_t len, mode_t mode);
/* mkdir -p for host paths (not inside a container rootfs). */
int fs_mkdir_p(const char *path, mode_t mode);
/* rm -rf of a host directory tree (no symlink following: uses openat/unlinkat). */
int fs_rm_rf(const char *path);
/* The same for the entry name in the directory dfd; the first error is returned. */
int fs_rm_rf_at(int dfd, const char *name);
/* Write all bytes, retrying on EINTR/short writes. */
int fs_write_all(int fd, const void *buf, size_t len);
/* Read exactly len bytes; returns -EIO on early EOF. */
int fs_read_exact(int fd, void *buf, size_t len);
