/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container root filesystem, in three steps called by the init process (see
 * docs/design.md, "init sequence"). All run inside the container's new mount namespace,
 * as root of the container's user namespace (if any). Every path inside the rootfs is
 * resolved from an open dirfd with openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS) (lib/path.h);
 * mounts are made onto the resolved fd (/proc/self/fd/N), never onto a string-built path.
 * On failure: return -errno after log_error_errno() naming the field and path
 * (e.g. "mounts[3].destination '/x/../..': ..."); the caller exits the container init. */
#pragma once

#include <stdbool.h>

#include "oci/spec.h"

struct rootfs_ctx {
	const struct oci_spec *spec;
	const char *rootfs;  /* absolute host path of root.path (already verified a directory) */
	const char *bundle;  /* absolute bundle dir: relative mount sources resolve against it */
	bool no_pivot;       /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
	bool in_userns;      /* new user namespace: mknod is impossible, bind-mount devices */
	bool terminal;       /* process.terminal: create /dev/console as a mount point */
	const char *mount_label; /* linux.mountLabel when SELinux is active (lsm.h), else NULL */
};

/* Before pivot: set / to rslave (or rprivate/rshared per rootfsPropagation), bind the rootfs
 * onto itself, perform spec->mounts in order (bind/rbind, tmpfs, proc, sysfs, devpts,
 * mqueue, cgroup, any fs type; flags ro,nosuid,nodev,noexec,…, propagation flags, data
 * options), then default devices (/dev/null zero full random urandom tty, /dev/ptmx ->
 * pts/ptmx, /dev/fd, stdin/out/err symlinks, /dev/shm when absent) and linux.devices.
 * /proc destinations must be real directories in the image (CVE-2019-16884 class). */
int rootfs_prepare(const struct rootfs_ctx *ctx);

/* pivot_root into the rootfs (or MS_MOVE+chroot when no_pivot) and detach the old root.
 * After this the cwd is "/" of the container. */
int rootfs_pivot(const struct rootfs_ctx *ctx);

/* After pivot and console setup: linux.sysctl (via a verified procfs handle),
 * maskedPaths (bind of the real /dev/null verified as char 1:3 by fstat, or an empty ro
 * tmpfs for directories), readonlyPaths (bind + remount ro), root.readonly (remount / ro),
 * and linux.rootfsPropagation. */
int rootfs_finalize(const struct rootfs_ctx *ctx);
