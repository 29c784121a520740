/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.maskedPaths and linux.readonlyPaths, applied after pivot_root (rootfd is the
 * container's "/"). Paths are resolved inside the root; a path that does not exist is
 * skipped silently (the lists are generic defaults).
 * Errors are logged once, naming the field and path. */
#pragma once

/* Cover each path: a directory with an empty read-only tmpfs (mode 0555, nosuid, nodev,
 * noexec); anything else with a bind mount of the container's /dev/null, which is first
 * opened without following symlinks and verified by fstat to be the char device 1:3, so an
 * image that replaced /dev/null with a symlink to a procfs file cannot turn masking into
 * a writable bind of that file (CVE-2025-31133). */
int masks_apply_masked(int rootfd, char *const *paths);

/* Make each path read-only: bind it onto itself recursively, remount MS_RDONLY keeping the
 * flags the mount has (locked in a user namespace), then make the submounts read-only too
 * (mount_setattr AT_RECURSIVE, best effort). */
int masks_apply_readonly(int rootfd, char *const *paths);
