/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What `kakuri audit` reads about a process, straight from the kernel: /proc/PID/status
 * (ids, capability sets, no_new_privs, seccomp), /proc/PID/uid_map and gid_map,
 * /proc/PID/stat (start time), /proc/PID/ns/TYPE, /proc/PID/mountinfo, /proc/PID/cgroup and
 * the LSM attribute files. Nothing comes from kakuri's records.
 *
 * Ids in status and the "outside" column of uid_map are shown by the kernel relative to the
 * *reader's* user namespace (user_namespaces(7)); run from the initial user namespace (any
 * host process, root or not) that is the host's view, even for nested user namespaces. So
 * the host uid of container root is simply uid_map's translation of 0, and the uid inside is
 * the reverse translation of status's effective uid.
 *
 * The parsers are pure (unit-tested from fixture text); audit_proc_read() does the I/O and
 * returns -errno (-ESRCH when the process is gone), logging nothing above debug. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct audit_status {
	char name[64];
	uint32_t uid[4], gid[4]; /* real, effective, saved, fs: as the reader sees them */
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	int no_new_privs;    /* 0/1, -1: field absent */
	int seccomp;	     /* 0 off, 1 strict, 2 filter; -1: absent (kernel without seccomp) */
	int seccomp_filters; /* -1: absent (kernels before 5.9) */
	bool have_ids, have_caps;
};

/* Parses /proc/PID/status text. -EINVAL when the Uid or Cap* lines are missing/malformed. */
int audit_status_parse(const char *text, struct audit_status *ret);

#define AUDIT_IDMAP_MAX 340 /* the kernel's limit of extents per map */
struct audit_idmap_extent {
	uint32_t inside, outside, count;
};
struct audit_idmap {
	size_t n;
	struct audit_idmap_extent e[AUDIT_IDMAP_MAX];
};

/* Parses uid_map/gid_map text ("0 1000 1\n1 100000 65536\n"). -EINVAL if malformed. */
int audit_idmap_parse(const char *text, struct audit_idmap *ret);
/* inside → outside; -ENOENT when unmapped. */
int audit_idmap_to_outside(const struct audit_idmap *m, uint32_t inside, uint32_t *ret);
/* outside → inside; -ENOENT when unmapped. */
int audit_idmap_to_inside(const struct audit_idmap *m, uint32_t outside, uint32_t *ret);
/* The identity map of the initial user namespace: "0 0 4294967295". */
bool audit_idmap_is_identity(const struct audit_idmap *m);

/* Namespace types in a fixed order (audit_ns_names[i]). */
enum {
	AUDIT_NS_CGROUP,
	AUDIT_NS_IPC,
	AUDIT_NS_MNT,
	AUDIT_NS_NET,
	AUDIT_NS_PID,
	AUDIT_NS_TIME,
	AUDIT_NS_USER,
	AUDIT_NS_UTS,
	AUDIT_NS_COUNT
};
extern const char *const audit_ns_names[AUDIT_NS_COUNT];

struct audit_proc {
	pid_t pid;
	uint64_t start_time; /* field 22 of /proc/PID/stat */
	struct audit_status st;
	struct audit_idmap uidmap, gidmap;
	uint64_t ns[AUDIT_NS_COUNT]; /* inode, 0: not readable or not supported */
	int ns_errno;		     /* the first error reading /proc/PID/ns/TYPE (e.g. EACCES), 0 */
	char *mountinfo;	     /* text; NULL if unreadable (mountinfo_errno) */
	int mountinfo_errno;
	char *cgroup;	 /* /proc/PID/cgroup text, or NULL */
	char *lsm_label; /* attr/current (or attr/apparmor/current), trimmed; NULL: none */
	int lsm_errno;	 /* why lsm_label is NULL (EINVAL: no LSM provides it) */
};

/* Reads everything above for pid. -ESRCH if it does not exist (or is a zombie). Caller
 * calls audit_proc_done(). */
int audit_proc_read(pid_t pid, struct audit_proc *ret);
void audit_proc_done(struct audit_proc *p);
/* Is pid still the process that started at start (not gone, not a zombie, not reused)? */
bool audit_proc_same(pid_t pid, uint64_t start);

/* "net:[4026531840]" → 4026531840; 0 if malformed. */
uint64_t audit_ns_inode_parse(const char *link);
/* Inode of /proc/PID/ns/TYPE (pid 0: self); -errno. */
int audit_ns_inode(pid_t pid, const char *type, uint64_t *ret);
/* Field 22 of a /proc/PID/stat text (after the parenthesised comm); -EINVAL. */
int audit_stat_start_time(const char *stat_text, uint64_t *ret, char *ret_state);
