/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A process's namespaces next to the host's, from the /proc/PID/ns/TYPE links.
 *
 * The host's: /proc/1/ns/TYPE when we may read it (it needs ptrace access to pid 1, which
 * even root lacks when pid 1 holds capabilities we do not). Otherwise, for the types the
 * kernel numbers statically (include/linux/proc_ns.h: the initial user, pid, ipc, uts,
 * cgroup and time namespaces have fixed inodes 0xEFFFFFFD.. ), that inode; for net and mnt
 * (dynamic), our own namespace, which is the host's when kakuri runs on the host. Each
 * entry says which reference it used. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/audit/proc-read.h"

struct audit_ns_entry {
	const char *type;
	uint64_t inode; /* 0: unknown */
	uint64_t host;	/* 0: unknown */
	bool shared;
	const char *reference; /* "/proc/1/ns", "initial namespace", "the auditor's own" */
};

/* The fixed inode of the initial namespace of type (AUDIT_NS_*), 0 if it has none. */
uint64_t audit_ns_initial_inode(int type);
/* The host's namespaces (see above). */
void audit_ns_host(uint64_t ret[AUDIT_NS_COUNT], const char *ret_ref[AUDIT_NS_COUNT]);
/* Pure: fills ret[] from a process's inodes and the host's. */
void audit_ns_compare(const uint64_t ns[AUDIT_NS_COUNT], const uint64_t host[AUDIT_NS_COUNT],
		      const char *const ref[AUDIT_NS_COUNT], struct audit_ns_entry ret[AUDIT_NS_COUNT]);

struct json_object;
/* [{"type","inode","host","shared","reference"}...]; a new array. */
struct json_object *audit_ns_json(const struct audit_ns_entry e[AUDIT_NS_COUNT]);
