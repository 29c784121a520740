/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.resources (config-linux.md) → the cgroup file writes that implement it, for each
 * controller in its host's version (v1 or v2). Pure: no filesystem access, so the
 * conversions are unit-tested; cgroup.c performs the writes.
 *
 * v1 → v2 conversions follow runc:
 *   cpu.shares S      → cpu.weight 1 + (S - 2) * 9999 / 262142   (2..262144 → 1..10000)
 *   blkio weight W    → io.bfq.weight W when BFQ is there, else io.weight 1 + (W - 10) * 9999 / 990
 *   memory.swap (mem+swap) → memory.swap.max = swap - limit ("max" for -1)
 *   memory.reservation → memory.low; cpu quota/period → cpu.max "QUOTA|max PERIOD"
 * Fields with no equivalent on the host's version are either an error (a limit that would
 * not be enforced: realtime cpu, network classes on v2, unified keys on v1) or ignored with
 * a warning (swappiness, disableOOMKiller, kernelTCP on v2; kernel memory everywhere: the
 * kernel removed it).
 * Values: -1 means "unlimited" where the spec says so; pids.limit 0 leaves pids.max alone
 * (runc's behaviour, also for `update`). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/cgroup-devices.h"

enum {
	CGROUP_W_ALT = 1 << 0,       /* alternatives sharing .group: the first whose file exists is written */
	CGROUP_W_OPTIONAL = 1 << 1,  /* skip when the file does not exist */
	CGROUP_W_SWAP_PAIR = 1 << 2, /* v1 memory limit + memsw: if the first write fails, do the other first */
};

struct cgroup_write {
	int controller; /* enum cgroup_controller or CGROUP_CORE */
	char *file;     /* "memory.max" */
	char *value;
	char *field;    /* "memory.limit": the linux.resources field, for messages */
	unsigned flags;
	int group;
};

struct cgroup_plan {
	struct cgroup_write *w;
	size_t n;
	bool has_devices;                 /* linux.resources.devices present (maybe empty) */
	struct cgroup_device_rule *dev;   /* its rules, in order */
	size_t n_dev;
	char **warnings;                  /* strv: fields ignored on this host, or NULL */
	bool check_before_update;         /* memory.checkBeforeUpdate */
	bool has_memory_limit;
	int64_t memory_limit;
};

/* versions[c] is 1 or 2 for the hierarchy version controller c is served from, 0 if the
 * host lacks it (the v2 form is planned then; the caller reports the controller missing).
 * json NULL or "" gives an empty plan. On a malformed value: -EINVAL and *ret_err =
 * "memory.limit: must be an integer" (relative to linux.resources; caller frees). */
int cgroup_plan_build(const char *json, const int versions[], struct cgroup_plan *ret, char **ret_err);
void cgroup_plan_done(struct cgroup_plan *p);

uint64_t cgroup_cpu_shares_to_weight(uint64_t shares);
uint64_t cgroup_blkio_weight_to_io_weight(uint64_t weight);
/* memory.swap (memory+swap, v1 meaning) → memory.swap.max; *ret -1 = "max". -EINVAL (with
 * *ret_why static text) when not convertible, as runc. has_* tell which are set. */
int cgroup_swap_to_v2(bool has_swap, int64_t swap, bool has_limit, int64_t limit, int64_t *ret, const char **ret_why);
/* "64m", "1.5g", "512k", "1024", "-1" (runc's RAMInBytes: binary units, optional i/b). */
int cgroup_parse_size(const char *s, int64_t *ret);
/* "2MB", "64KB", "1GB": the hugetlb file name part. */
bool cgroup_hugepage_size_valid(const char *s);
