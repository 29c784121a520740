/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Safe path resolution inside a container root filesystem.
 *
 * Every lookup is done by the kernel with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
 * relative to an open directory fd of the root: ".." and absolute symlinks are clamped at
 * that root, so an image that ships "dev -> /" or "x -> ../../../etc" cannot redirect us to
 * host paths, and /proc magic links are refused. Creation is done with mkdirat()/openat()
 * on the already-resolved parent fd, never on a string path that could be re-resolved
 * differently (CVE-2021-30465 class).
 *
 * Needs Linux >= 5.6 (openat2). Every fd returned is O_CLOEXEC and owned by the caller.
 * Functions return a fd (>= 0) or -errno and never log above debug.
 */
#pragma once

#include <stdint.h>

#include <stdbool.h>
#include <sys/types.h>

/* Size of a "/proc/self/fd/N" buffer (path_proc_fd). */
#define PATH_PROC_FD_MAX 64

/* openat2(rootfd, path, flags | O_CLOEXEC, mode) resolved in root, magic links refused.
 * mode is only passed with O_CREAT/O_TMPFILE (openat2 rejects it otherwise). path may be
 * absolute ("/" = rootfd itself) or relative to rootfd; an empty path means "/".
 * O_NOFOLLOW in flags applies to the last component only, as with open(2).
 * Retries the kernel's -EAGAIN (a concurrent rename during an in-root walk). */
/* openat2(dirfd, path, flags|O_CLOEXEC, mode, resolve), retried while the kernel answers
 * EAGAIN (a rename or mount raced the walk); "" means ".". Returns fd or -errno. */
int path_openat2(int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve);
int path_open_in_root(int rootfd, const char *path, int flags, mode_t mode);

/* mkdir -p inside the root: every missing component is created with mkdirat() on its
 * parent's fd (resolved in root), symlinks on the way, dangling ones included, are followed
 * but clamped at the root. mode is subject to the umask. Returns an O_PATH|O_DIRECTORY fd
 * of the final directory; -ENOTDIR if a component is not a directory, -ELOOP after too
 * many symlinks. */
int path_mkdir_p_in_root(int rootfd, const char *path, mode_t mode);

/* Like path_mkdir_p_in_root() for the parent, then creates the last component as an empty
 * regular file (mode, subject to the umask) if it does not exist: a bind-mount target for a
 * file source. An existing non-directory (file, device node, …) is accepted as is; an
 * existing directory gives -EISDIR. Returns an O_PATH fd of the file. */
int path_mkfile_in_root(int rootfd, const char *path, mode_t mode);

/* Open the parent directory of path in root, creating it (mkdir -p, mode) when create is
 * true, and store a pointer to the last component of path in *ret_name (points into path,
 * trailing slashes excluded: use ret_name_len). Returns an O_PATH|O_DIRECTORY fd.
 * -EINVAL if the last component is empty, "." or ".." (nothing to create there). */
int path_open_parent_in_root(int rootfd, const char *path, bool create, mode_t mode, const char **ret_name,
			     size_t *ret_name_len);

/* Writes "/proc/self/fd/N" into buf: the path through which mount(2) and friends reach
 * exactly the inode fd refers to, without re-resolving a path. Returns 0, -EBADF if fd < 0. */
int path_proc_fd(int fd, char buf[static PATH_PROC_FD_MAX]);

/* True if the path, read lexically, climbs above its starting point through ".."
 * ("../x", "a/../../b", "/.."). Validation uses it to reject destinations that can only
 * be meant to escape, even though in-root resolution would clamp them. */
bool path_escapes(const char *path);

/* True if any component of path is exactly "..". */
bool path_has_dotdot(const char *path);

/* Lexically clean path: collapse "//", drop "." components, apply ".." (clamped at the
 * start for absolute paths, kept as leading ".." for relative ones), drop a trailing "/".
 * "" becomes "." ; *ret caller frees. Returns 0 or -ENOMEM. */
int path_normalize(const char *path, char **ret);
