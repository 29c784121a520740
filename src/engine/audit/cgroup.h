/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cgroup limits of a process, from /proc/PID/cgroup and the cgroup filesystems the auditor
 * sees (v1, v2 or hybrid, found in its own mountinfo): memory, pids and cpu, each set or
 * not. A limit on an ancestor cgroup constrains the process too, so the walk goes from the
 * process's cgroup up to the hierarchy's root and reports the tightest limit and where it
 * is set. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { AUDIT_CG_MEMORY, AUDIT_CG_PIDS, AUDIT_CG_CPU, AUDIT_CG_COUNT };
extern const char *const audit_cg_names[AUDIT_CG_COUNT];

struct audit_cg_limit {
	bool known;	       /* the controller's hierarchy and the process's place in it were found */
	bool set;	       /* a limit applies */
	char value[160];       /* "536870912", "2048", "50000/100000" (quota/period µs) */
	char cgroup[512];      /* the process's cgroup in that hierarchy */
	char where[512];       /* the cgroup that sets the limit */
	const char *hierarchy; /* "v1", "v2" */
};

/* Pure: the path of controller ("memory", or "" for the v2 line "0::") in /proc/PID/cgroup
 * text. Returns false if absent. */
bool audit_cgroup_path(const char *text, const char *controller, char *ret, size_t len);
/* Reads the three limits for a process whose /proc/PID/cgroup is cgroup_text. */
void audit_cgroup_limits(const char *cgroup_text, struct audit_cg_limit ret[AUDIT_CG_COUNT]);
