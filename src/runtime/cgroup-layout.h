/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host's cgroup layout, and where a container's cgroup goes in it.
 *
 * Layouts (cgroup_layout_detect): "unified" (only a cgroup2 hierarchy), "legacy" (only v1
 * hierarchies), "hybrid" (v1 controller hierarchies plus a cgroup2 one, usually at
 * /sys/fs/cgroup/unified). Every controller is served from where the host has it: the v1
 * hierarchy it is mounted in, else the v2 hierarchy if the v2 root's cgroup.controllers lists
 * it. The parts of v2 that are not controllers (freezing with cgroup.freeze, the BPF device
 * filter, cpu.stat usage) serve freezer/devices/cpuacct when no v1 hierarchy holds them.
 *
 * Paths: linux.cgroupsPath is resolved once into a "hierarchy path" (cgroup_path_resolve),
 * then joined per hierarchy (cgroup_hierarchy_path) and turned into a directory under that
 * hierarchy's mount point (cgroup_hierarchy_dir). See cgroup.h for the semantics.
 *
 * The parsers take text so that unit tests can feed them any host's files. Returns -errno;
 * no logging above debug. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cgroup_controller {
	CGROUP_CPU,
	CGROUP_CPUACCT,
	CGROUP_CPUSET,
	CGROUP_MEMORY,
	CGROUP_DEVICES,
	CGROUP_FREEZER,
	CGROUP_BLKIO, /* "io" on cgroup v2 */
	CGROUP_PIDS,
	CGROUP_HUGETLB,
	CGROUP_RDMA,
	CGROUP_NET_CLS,
	CGROUP_NET_PRIO,
	CGROUP_MISC,
	CGROUP_CONTROLLER_MAX,
	/* cgroup.* and other interface files of the v2 hierarchy that need no controller */
	CGROUP_CORE = CGROUP_CONTROLLER_MAX,
};

enum cgroup_mode {
	CGROUP_MODE_NONE,
	CGROUP_MODE_LEGACY,
	CGROUP_MODE_HYBRID,
	CGROUP_MODE_UNIFIED,
};

struct cgroup_hierarchy {
	bool v2;
	char *mountpoint; /* "/sys/fs/cgroup/memory" */
	char *mount_root; /* the hierarchy path the mount shows at its mountpoint ("/") */
	char *own;        /* the runtime's own cgroup in this hierarchy (/proc/self/cgroup), or NULL */
	char *names;      /* v1: sorted, comma-separated subsystems as in /proc/self/cgroup
			   * ("cpu,cpuacct", "name=systemd"); v2: "" */
	unsigned major, minor; /* of the mount (st_dev check against shadowing) */
	uint32_t controllers;  /* v1: mounted controllers; v2: listed in the root's cgroup.controllers */
};

struct cgroup_layout {
	enum cgroup_mode mode;
	struct cgroup_hierarchy *h;
	size_t n;
	int v2;                            /* index of the v2 hierarchy, or -1 */
	int ctrl[CGROUP_CONTROLLER_MAX];   /* hierarchy serving each controller, or -1 */
};

#define CGROUP_BIT(c) (1u << (c))

/* "memory", "blkio"/"io" (v2), …; NULL if out of range. */
const char *cgroup_controller_name(int c, bool v2);
/* v1 or v2 name ("io" and "blkio" both give CGROUP_BLKIO); -1 if unknown. */
int cgroup_controller_from_name(const char *name);
const char *cgroup_mode_name(enum cgroup_mode m);

/* Build the layout from /proc/self/mountinfo text, /proc/self/cgroup text and the v2 root's
 * cgroup.controllers text (NULL: none). A mount hidden by a later mount on the same or a
 * parent mount point is ignored. */
int cgroup_layout_parse(const char *mountinfo, const char *proc_cgroup, const char *v2_controllers,
			struct cgroup_layout *ret);
/* The same from this process's files; also drops hierarchies whose mount point's st_dev
 * does not match (shadowed in ways mountinfo order does not show). */
int cgroup_layout_detect(struct cgroup_layout *ret);
void cgroup_layout_done(struct cgroup_layout *l);

/* linux.cgroupsPath → a hierarchy path. Absolute: cleaned. Relative: returned as is with
 * *ret_relative = true. NULL/"" → "/kakuri/ID" (rootless: relative "kakuri/ID").
 * "slice:prefix:name" → cgroup_systemd_path(). ".." components and control characters are
 * refused (-EINVAL with a message in *ret_err, caller frees). */
int cgroup_path_resolve(const char *cgroups_path, const char *id, bool rootless, char **ret, bool *ret_relative,
			char **ret_err);
/* systemd's path of "slice:prefix:name": "/a.slice/a-b.slice/prefix-name.scope". An empty
 * slice is system.slice (rootless: user.slice). -EINVAL if not of that form. */
int cgroup_systemd_path(const char *spec, bool rootless, char **ret);
/* Join path into hierarchy h: absolute as is; relative below h->own (v1) or below the parent
 * of h->own (v2, see cgroup.h). */
int cgroup_hierarchy_path(const struct cgroup_hierarchy *h, const char *path, bool relative, char **ret);
/* The directory of hierarchy path hpath: mountpoint + (hpath below mount_root). -EXDEV if
 * hpath is not below the mount's root (not reachable through this mount). */
int cgroup_hierarchy_dir(const struct cgroup_hierarchy *h, const char *hpath, char **ret);
