/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A procfs handle we can trust. Writes to procfs (sysctls, uid_map, LSM attrs) must never
 * go through a path the container image or another container can influence: /proc may be
 * a tmpfs or a symlink in the image (CVE-2019-16884), or have something mounted over
 * /proc/sys or /proc/self/attr (CVE-2025-52881). So we prefer a private, detached procfs
 * instance (fsopen/fsmount: not reachable by anybody's path lookup), and verify whatever
 * we end up with by fstatfs (PROC_SUPER_MAGIC) and the procfs root inode number.
 * lib layer: returns -errno, logs at most at debug.
 */
#pragma once

#include <stdbool.h>

/* True if fd is on procfs (fstatfs). If root is true, also that fd is procfs's root
 * directory (inode 1). */
bool procfs_fd_is_proc(int fd, bool root);

/* An O_PATH|O_DIRECTORY fd of a procfs root in which our own pid is valid ("self" names
 * us): a fresh detached procfs mount of our pid namespace when the kernel lets us make one,
 * else the "/proc" mount of our mount namespace after checking it is procfs and that
 * /proc/self is our pid (i.e. it belongs to our pid namespace). Caller closes. */
int procfs_open(void);

/* openat2 below a procfs fd: no symlinks, no magic links, no crossing into another mount
 * (something mounted over /proc/sys/… is refused with -EXDEV), and the result verified to
 * be on procfs. flags gets O_CLOEXEC. Returns fd or -errno. */
int procfs_open_at(int procfd, const char *path, int flags);
