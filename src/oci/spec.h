/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OCI runtime-spec 1.2 config.json, parsed into plain C structs.
 *
 * spec_parse_file()/spec_parse_string() parse and validate; on failure they return -errno
 * and write a one-line message naming the JSON field path into ret_err (caller frees), e.g.
 *   "config.json: process.args: must be a non-empty array".
 * ret_err may be NULL; it is written only on failure (and is NULL then only after an
 * allocation failure). *ret is written only on success.
 * Everything in a struct oci_spec is owned by it; spec_free() releases all of it.
 * Arrays are (pointer, count) pairs; string vectors are NULL-terminated (strv).
 * Absent optional integers are marked by a has_* flag.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum oci_ns_type {
	OCI_NS_PID,
	OCI_NS_NETWORK,
	OCI_NS_MOUNT,
	OCI_NS_IPC,
	OCI_NS_UTS,
	OCI_NS_USER,
	OCI_NS_CGROUP,
	OCI_NS_TIME,
	OCI_NS_MAX
};

struct oci_namespace {
	bool present;  /* listed in linux.namespaces */
	char *path;    /* NULL: create a new one; else join this one (setns) */
};

struct oci_id_mapping {
	uint32_t container_id, host_id, size;
};

struct oci_mount {
	char *destination;   /* absolute or relative-to-root path inside the container */
	char *type;          /* may be NULL (then "bind" if options say bind, else "none") */
	char *source;        /* may be NULL */
	char **options;      /* strv, raw as in the config */
	struct oci_id_mapping *uid_mappings, *gid_mappings; /* idmapped mounts */
	size_t n_uid_mappings, n_gid_mappings;
};

struct oci_rlimit {
	int resource;  /* RLIMIT_* */
	char *type;    /* "RLIMIT_NOFILE" as written */
	uint64_t soft, hard;
};

struct oci_user {
	uid_t uid;
	gid_t gid;
	bool has_umask;
	mode_t umask;
	gid_t *additional_gids;
	size_t n_additional_gids;
	char *username; /* informational (Windows field), may be NULL */
};

struct oci_capabilities {
	/* Each is a strv of "CAP_*" names, or NULL when the set is absent (= empty). */
	char **bounding, **effective, **permitted, **inheritable, **ambient;
};

struct oci_console_size {
	unsigned height, width;
};

struct oci_io_priority {
	bool present;
	int class_; /* IOPRIO_CLASS_RT/BE/IDLE */
	int priority;
};

struct oci_scheduler {
	bool present;
	int policy; /* SCHED_* */
	int nice;
	int priority;
	uint32_t flags; /* SCHED_FLAG_* bitmask */
	uint64_t runtime, deadline, period;
};

struct oci_process {
	bool terminal;
	bool has_console_size;
	struct oci_console_size console_size;
	struct oci_user user;
	char **args;   /* strv, non-empty */
	char **env;    /* strv, may be NULL */
	char *cwd;     /* absolute */
	struct oci_capabilities caps;
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	bool has_oom_score_adj;
	int oom_score_adj;
	char *selinux_label;
	struct oci_io_priority io_priority;
	struct oci_scheduler scheduler;
};

struct oci_hook {
	char *path;
	char **args;
	char **env;
	bool has_timeout;
	int timeout; /* seconds, > 0 */
};

enum oci_hook_kind {
	OCI_HOOK_PRESTART,
	OCI_HOOK_CREATE_RUNTIME,
	OCI_HOOK_CREATE_CONTAINER,
	OCI_HOOK_START_CONTAINER,
	OCI_HOOK_POSTSTART,
	OCI_HOOK_POSTSTOP,
	OCI_HOOK_MAX
};

struct oci_hooks {
	struct oci_hook *list[OCI_HOOK_MAX];
	size_t n[OCI_HOOK_MAX];
};

struct oci_device {
	char *path;      /* absolute, inside the container */
	char type;       /* 'c', 'b', 'u', 'p' */
	int64_t major, minor;
	bool has_file_mode;
	mode_t file_mode;
	bool has_uid, has_gid;
	uid_t uid;
	gid_t gid;
};

struct oci_sysctl {
	char *key, *value;
};

struct oci_time_offset {
	bool present;
	int64_t secs;
	uint32_t nanosecs;
};

/* seccomp (linux.seccomp). The rule set is applied by runtime/seccomp.c. */
struct oci_seccomp_arg {
	unsigned index; /* 0..5 */
	uint64_t value, value_two;
	int op; /* enum oci_seccomp_op */
};

enum oci_seccomp_op {
	OCI_SCMP_CMP_NE,
	OCI_SCMP_CMP_LT,
	OCI_SCMP_CMP_LE,
	OCI_SCMP_CMP_EQ,
	OCI_SCMP_CMP_GE,
	OCI_SCMP_CMP_GT,
	OCI_SCMP_CMP_MASKED_EQ
};

enum oci_seccomp_action {
	OCI_SCMP_ACT_KILL, /* = KILL_THREAD */
	OCI_SCMP_ACT_KILL_PROCESS,
	OCI_SCMP_ACT_KILL_THREAD,
	OCI_SCMP_ACT_TRAP,
	OCI_SCMP_ACT_ERRNO,
	OCI_SCMP_ACT_TRACE,
	OCI_SCMP_ACT_ALLOW,
	OCI_SCMP_ACT_LOG,
	OCI_SCMP_ACT_NOTIFY
};

struct oci_seccomp_syscall {
	char **names; /* strv, non-empty */
	int action;   /* enum oci_seccomp_action */
	bool has_errno_ret;
	uint32_t errno_ret;
	struct oci_seccomp_arg *args;
	size_t n_args;
};

struct oci_seccomp {
	bool present;
	int default_action;
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures; /* strv of "SCMP_ARCH_*", may be NULL */
	char **flags;         /* strv of "SECCOMP_FILTER_FLAG_*", may be NULL */
	char *listener_path;
	char *listener_metadata;
	struct oci_seccomp_syscall *syscalls;
	size_t n_syscalls;
};

/* linux.resources: kept as raw JSON text for runtime/cgroup*.c to interpret, so the
 * cgroup layer owns the v1/v2 conversions. NULL when absent. */
struct oci_linux {
	struct oci_namespace namespaces[OCI_NS_MAX];
	struct oci_id_mapping *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct oci_device *devices;
	size_t n_devices;
	char *cgroups_path;
	char *resources_json;
	char *rootfs_propagation; /* "shared", "slave", "private", "unbindable" (or the
				   * r-prefixed spellings runc accepts), or NULL */
	char **masked_paths;
	char **readonly_paths;
	char *mount_label;
	struct oci_sysctl *sysctls;
	size_t n_sysctls;
	struct oci_time_offset time_monotonic, time_boottime;
	struct oci_seccomp seccomp;
	char *personality_domain; /* "LINUX" or "LINUX32", or NULL */
	char *intel_rdt_json;     /* unsupported pieces kept raw, for a clear error */
	char *landlock_json;      /* linux.landlock (runtime-spec proposal #1111/#1241, see struct
				   * oci_landlock): validated by the parser, kept raw, NULL if absent */
};

/* Landlock (runtime-spec proposal, not in 1.2; accepted as linux.landlock or the
 * io.kakuri.landlock annotation). Access masks use the kernel's LANDLOCK_ACCESS_FS_* bit
 * numbers: bit i is named spec_landlock_access_name(i) ("execute", "write_file", …). */
struct oci_landlock_rule {
	uint64_t allowed_access; /* a subset of handled_access_fs (checked) */
	char **paths;		 /* strv of absolute paths inside the container, may be NULL */
};

struct oci_landlock {
	uint64_t handled_access_fs;
	struct oci_landlock_rule *path_beneath;
	size_t n_path_beneath;
	bool disable_best_effort;
};

struct oci_annotation {
	char *key, *value;
};

struct oci_spec {
	char *oci_version;
	char *root_path;     /* as written (may be relative to the bundle) */
	bool root_readonly;
	struct oci_process *process; /* NULL if absent (allowed for create, not for run/start) */
	char *hostname;
	char *domainname;
	struct oci_mount *mounts;
	size_t n_mounts;
	struct oci_hooks hooks;
	struct oci_annotation *annotations;
	size_t n_annotations;
	struct oci_linux linux_;
};

/* Parse config.json text. name is used as the message prefix ("config.json").
 * On error returns -EINVAL (or -ENOMEM) and *ret_err = "name: field.path: what is wrong". */
int spec_parse_string(const char *text, const char *name, struct oci_spec **ret, char **ret_err);
/* Read and parse a file; ENOENT/EACCES produce a message naming the path
 * ("/b/config.json: No such file or directory"). Parse errors use path as the prefix. */
int spec_parse_file(const char *path, struct oci_spec **ret, char **ret_err);
/* Parse a process object alone (exec --process FILE): same rules as config.json's
 * "process". */
int spec_parse_process_string(const char *text, const char *name, struct oci_process **ret,
			      char **ret_err);
void spec_free(struct oci_spec *spec);
void spec_process_free(struct oci_process *p);

const char *spec_ns_name(enum oci_ns_type t); /* "pid", "network", … */
const char *spec_seccomp_action_name(int action); /* "SCMP_ACT_ERRNO", …, or "?" */
int spec_ns_clone_flag(enum oci_ns_type t);    /* CLONE_NEWPID, … */
const char *spec_annotation(const struct oci_spec *spec, const char *key); /* or NULL */
/* "prestart", "createRuntime", …: the config.json key of a hook kind (NULL if out of range). */
const char *spec_hook_kind_name(enum oci_hook_kind kind);

/* Parse a Landlock object (JSON text: linux.landlock as kept in landlock_json, or the
 * io.kakuri.landlock annotation). Errors are "name: field.path: what is wrong", e.g.
 * "config.json: annotations[\"io.kakuri.landlock\"]: ruleset.handledAccessFS[1]: unknown
 * Landlock access right 'exec'"; *ret_err caller frees, *ret freed with spec_landlock_free. */
int spec_landlock_parse(const char *text, const char *name, struct oci_landlock **ret, char **ret_err);
void spec_landlock_free(struct oci_landlock *l);
/* "execute" for bit 0, …, "ioctl_dev" for bit 15; NULL for bits this parser does not know. */
const char *spec_landlock_access_name(unsigned bit);
