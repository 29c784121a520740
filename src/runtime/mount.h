/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container's mounts (spec "mounts"): option parsing and performing one mount.
 *
 * Options follow runtime-spec 1.2 config.md (mount(8) names): flag options (ro, nosuid,
 * relatime, …) become MS_* flags, propagation options (rprivate, shared, …) are applied
 * after the mount, the recursive r* options (rro, rnosuid, rnoatime, …) become a
 * mount_setattr(AT_RECURSIVE) attribute change, idmap/ridmap request an idmapped bind,
 * and anything else ("mode=755", "size=65536k", "newinstance", …) goes to the fs-specific
 * data string, in order.
 *
 * Every destination is resolved inside the root with lib/path.h and the mount is made
 * onto the resolved fd (/proc/self/fd/N), never onto a string path (CVE-2021-30465).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/spec.h"

#define MOUNT_MAX_PROPAGATION 4

struct mount_options {
	unsigned long flags;   /* MS_* to set: MS_BIND, MS_REC, MS_RDONLY, MS_NOSUID, … */
	unsigned long cleared; /* MS_* explicitly turned off (rw, suid, dev, exec, atime, …):
				* a bind remount keeps the source's flag unless it is here */
	bool has_atime;	       /* an atime option was given: don't inherit the source's */
	unsigned long propagation[MOUNT_MAX_PROPAGATION]; /* MS_SHARED|MS_REC, …, in order */
	size_t n_propagation;
	uint64_t attr_set, attr_clr; /* MOUNT_ATTR_* for mount_setattr(AT_RECURSIVE) */
	bool idmap;		     /* idmap or ridmap */
	bool idmap_recursive;	     /* ridmap */
	bool tmpcopyup;		     /* runc extension: copy the destination's content into a tmpfs */
	char *data;		     /* comma-joined unknown options, NULL if none; owned */
};

/* Parse a strv of options (NULL = none) into *ret (zeroed first). Only fails with -ENOMEM;
 * on success the caller releases it with mount_options_done(). A repeated propagation
 * option beyond MOUNT_MAX_PROPAGATION replaces the last one. */
int mount_options_parse(char *const *options, struct mount_options *ret);
void mount_options_done(struct mount_options *o);

/* rootfsPropagation and the propagation mount options: "shared", "rslave", … to MS_*
 * (with MS_REC for the r- forms). Returns 0 or -EINVAL. */
int mount_propagation_parse(const char *s, unsigned long *ret);

/* Flags of the mount fd is on (fstatvfs), as MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|
 * atime flags|MS_NOSYMFOLLOW: the ones a user namespace locks and a bind remount must
 * repeat. Returns 0 or -errno. */
int mount_fd_flags(int fd, unsigned long *ret);

/* MS_RDONLY/NOSUID/NODEV/NOEXEC/NODIRATIME/NOSYMFOLLOW in ms as MOUNT_ATTR_* bits (for
 * applying them recursively with mount_setattr). */
uint64_t mount_flags_to_attr(unsigned long ms);

/* Bind mount what srcfd refers to onto dstfd (both may be O_PATH), MS_REC if recursive,
 * through /proc/self/fd paths. Returns 0 or -errno, no logging. */
int mount_bind_fd(int srcfd, int dstfd, bool recursive);

/* Bind what srcfd refers to onto dstfd with the new mount API (open_tree(OPEN_TREE_CLONE),
 * then move_mount): no path is resolved at all. After pivot_root "/proc/self/fd/N" goes
 * through the container's /proc, which a config mount can replace with symlinks
 * (CVE-2025-52881), so mounts made there use this. attr_set: MOUNT_ATTR_* set on the clone
 * (recursively when recursive) before it is attached. Returns 0 or -errno, no logging. */
int mount_bind_fd_detached(int srcfd, int dstfd, bool recursive, uint64_t attr_set);

/* MS_REMOUNT|MS_BIND the mount whose root fd refers to with set flags, keeping the flags
 * the mount already has (mount_fd_flags) except those in cleared; atime flags are taken
 * from set when has_atime. Returns 0 or -errno, no logging. */
int mount_remount_bind_fd(int fd, unsigned long set, unsigned long cleared, bool has_atime);

/* Re-resolve path in root after something was mounted on it: the O_PATH fd held before
 * the mount still refers to the covered inode, so a remount or propagation change through
 * it would hit the parent mount. Fails with -EXDEV if the new fd is on the same mount as
 * before_fd (the destination changed under us). Returns an O_PATH fd. */
int mount_reopen_mounted(int rootfd, const char *path, int before_fd);

enum {
	MOUNT_APPLY_IN_USERNS = 1 << 0,	   /* init is in a new user namespace */
	MOUNT_APPLY_DEFER_RDONLY = 1 << 1, /* mount rw now, rootfs_finalize remounts ro (/dev) */
};

/* Perform spec mounts[index] under rootfd (an O_PATH fd of the rootfs bind mount):
 * - the destination is created inside the root (a directory, or an empty file when a bind
 *   source is not a directory); "proc" and "sysfs" destinations must be real directories
 *   in the image (CVE-2019-16884 class: no symlink, no file);
 * - relative bind sources are relative to bundle;
 * - binds: mount, then MS_REMOUNT|MS_BIND for ro/nosuid/… keeping the source's locked
 *   flags; idmap/ridmap via open_tree + mount_setattr(MOUNT_ATTR_IDMAP) + move_mount;
 * - then propagation options, then the recursive attributes (mount_setattr AT_RECURSIVE);
 * - tmpfs with tmpcopyup starts with a copy of the covered directory (copyup.h);
 * - "cgroup"/"cgroup2": see mount-cgroup.h; "sysfs" and "mqueue" that the kernel refuses in
 *   a user namespace (no owned netns/ipcns) fall back to an rbind of the host's /sys or
 *   /dev/mqueue with the requested flags, as runc does rootless.
 * Errors are logged once, naming the mount: "mounts[3] (destination '/data'): …". */
int mount_apply(int rootfd, const struct oci_mount *m, size_t index, const char *bundle, bool in_userns);
/* mount_apply with MOUNT_APPLY_* flags. */
int mount_apply_full(int rootfd, const struct oci_mount *m, size_t index, const char *bundle, unsigned apply_flags);

/* Shared with mount-cgroup.c: the remount/propagation/recursive-attribute tail of a mount,
 * on fd (the mounted destination's root, from mount_reopen_mounted). prefix names the mount
 * in errors. */
int mount_finish(int fd, const struct mount_options *o, bool is_bind, const char *prefix);
