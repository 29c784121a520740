/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between cgroup.c (prepare, create, serialize), cgroup-ops.c (freeze, kill, pids,
 * destroy, update) and cgroup-stats.c. Not an API: use cgroup.h. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "runtime/cgroup-devices.h"
#include "runtime/cgroup-layout.h"
#include "runtime/cgroup-resources.h"
#include "runtime/cgroup.h"

struct cgroup_dir {
	char *path;     /* the container's directory in one hierarchy */
	char *base;     /* that hierarchy's mount point (a prefix of path) */
	bool v2;
	uint32_t roles; /* CGROUP_BIT()s of the controllers served from here */
	bool create;    /* did not exist when prepared: ours to remove */
	bool usable;    /* prepare only: writable by us */
};

struct cgroup {
	char *manager;
	enum cgroup_mode mode;
	char *path;      /* the resolved linux.cgroupsPath */
	bool rootless;
	bool devices;    /* we manage the device filter */
	bool owned;      /* ours to kill and remove: entered, or loaded from a record */
	struct cgroup_dir *dirs;
	size_t n_dirs;
	char *resources; /* JSON object text: the resources applied so far */
	struct cgroup_device_rule *extra; /* linux.devices, allowed rwm */
	size_t n_extra;
	struct cgroup_plan plan;          /* prepare → enter only */
};

/* Index of the dir serving controller c (CGROUP_CORE: the v2 dir), or -1. */
int cgroup_dir_index(const struct cgroup *cg, int c);
/* versions[c] = 1/2 for the dir serving c, 0 if none (cgroup_plan_build's input). */
void cgroup_versions(const struct cgroup *cg, int versions[CGROUP_CONTROLLER_MAX]);
/* Check every write of p has a dir; logs "WHAT.field: reason" otherwise. */
int cgroup_check_plan(const struct cgroup *cg, const struct cgroup_plan *p, const char *what);
/* Perform p's writes. Logs "WHAT.field: …" on failure. */
int cgroup_apply_plan(const struct cgroup *cg, const struct cgroup_plan *p, const char *what);
/* Apply the device filter: deny-all + cfg + defaults + cg->extra. */
int cgroup_apply_devices(const struct cgroup *cg, const struct cgroup_device_rule *cfg, size_t n_cfg);

/* DIR/FILE helpers. Reads strip one trailing newline. */
int cgroup_read(const char *dir, const char *file, char **ret);
int cgroup_write(const char *dir, const char *file, const char *value);
bool cgroup_has_file(const char *dir, const char *file);
/* "key value" lines (memory.events, cpu.stat, …): the value of key, or -ENOENT. */
int cgroup_read_keyed(const char *dir, const char *file, const char *key, uint64_t *ret);
