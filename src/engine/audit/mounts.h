/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Danger rules for a process's mount table (its /proc/PID/mountinfo, so mount points are
 * as the process sees them). Pure: the host's reference mounts and path existence are
 * passed in. Only the top mount at each mount point counts (one mounted over another
 * hides it).
 *
 *   host-root      a mount of the host's root filesystem's root directory (same device as
 *                  the host's "/", root "/") anywhere but "/" : `-v /:/x`
 *   rootfs-host    "/" itself is the host's root filesystem (a process outside containers)
 *   engine-socket  a container engine's socket (docker.sock, podman.sock, containerd.sock,
 *                  crio.sock, ...) or its run directory bind-mounted in
 *   host-proc      the host's procfs (same superblock as the host's /proc) while the process
 *                  has its own pid namespace: it sees and signals host processes
 *   host-sys       the host's sysfs (same superblock as the host's /sys: sysfs has one per
 *                  network namespace) while the process has its own network namespace
 *   sys-rw         sysfs mounted read-write
 *   host-dev       the root of the host's devtmpfs (all of the host's devices; single
 *                  device files bound from it are left to the device scan)
 *   cgroup-rw      cgroupfs (v1 or v2) mounted read-write: v1 release_agent, limits
 * plus the read-only-ness of "/" and the SECURITY-NOTES masked and read-only paths. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/mountinfo.h"

struct audit_host_ref {
	bool have_root, have_proc, have_dev, have_sys;
	unsigned root_major, root_minor, proc_major, proc_minor, dev_major, dev_minor, sys_major, sys_minor;
};

/* From the host's mountinfo (the top mounts at "/", "/proc", "/dev"). */
void audit_host_ref_from(const struct mountinfo *host, struct audit_host_ref *ret);

enum audit_mount_kind {
	AUDIT_MNT_HOST_ROOT,
	AUDIT_MNT_ROOTFS_HOST,
	AUDIT_MNT_ENGINE_SOCKET,
	AUDIT_MNT_HOST_PROC,
	AUDIT_MNT_HOST_SYS,
	AUDIT_MNT_SYS_RW,
	AUDIT_MNT_HOST_DEV,
	AUDIT_MNT_CGROUP_RW,
};

struct audit_mount_issue {
	enum audit_mount_kind kind;
	const char *mountpoint; /* points into the mountinfo */
	const char *root;
	const char *fstype;
	bool ro;
};

struct audit_mounts {
	bool have_rootfs;
	bool rootfs_ro;
	const char *rootfs_fstype;
	struct audit_mount_issue *issues;
	size_t n_issues;
	bool have_proc; /* a procfs is mounted at /proc */
	/* SECURITY-NOTES masked / read-only paths that exist (per the exists callback) but are
	 * not masked / not read-only: NULL-terminated arrays of static strings. */
	const char **unmasked;
	const char **writable;
	size_t n_masked_checked, n_readonly_checked;
};

/* The SECURITY-NOTES lists (NULL-terminated). */
extern const char *const audit_masked_paths[];
extern const char *const audit_readonly_paths[];

/* exists(path, data) tells whether a masked/read-only path exists at all (they are kernel
 * paths; the caller checks the host's /proc and /sys); NULL: assume they all do.
 * pidns_shared, netns_shared: the process shares the host's pid / network namespace (or
 * that is unknown). -ENOMEM. */
int audit_mounts_check(const struct mountinfo *mi, const struct audit_host_ref *host, bool pidns_shared,
		       bool netns_shared, bool (*exists)(const char *path, void *data), void *data,
		       struct audit_mounts *ret);
void audit_mounts_done(struct audit_mounts *m);
/* The top mount at mountpoint, or NULL. */
const struct mountinfo_entry *audit_mount_top(const struct mountinfo *mi, const char *mountpoint);
/* "host-root", "engine-socket", ... */
const char *audit_mount_kind_id(enum audit_mount_kind k);
