/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Process attributes of the container process (process.* of the spec), applied by the init
 * (and by exec) in the order given in docs/design.md. Each returns 0 or -errno after logging
 * one error that names the spec field, e.g. "process.rlimits: RLIMIT_NOFILE: cannot raise
 * hard limit to 1048576 (current 524288): Operation not permitted". */
#pragma once

#include "oci/spec.h"

/* rlimits, oomScoreAdj, ioPriority, scheduler. Before the uid switch (privileges needed). */
int process_apply_limits(const struct oci_process *p);

/* setgroups(additionalGids), setresgid, setresuid with PR_SET_KEEPCAPS so the capability sets
 * can be applied afterwards; umask. Called after caps_drop_bounding(). */
int process_switch_user(const struct oci_process *p);

/* chdir(process.cwd) and verify the result is inside the container root (CVE-2024-21626:
 * getcwd must not start with "(unreachable)" and must equal the requested path). */
int process_chdir(const struct oci_process *p);

/* Close every fd >= 3 + preserve_fds (close_range), then execvpe the args with process.env,
 * searching PATH from process.env (default "/usr/local/sbin:/usr/local/bin:/usr/sbin:
 * /usr/bin:/sbin:/bin"). Only returns on failure: -ENOENT (not found), -EACCES etc. */
int process_exec(const struct oci_process *p, int preserve_fds);

/* prctl(PR_SET_NO_NEW_PRIVS) when process.noNewPrivileges. */
int process_apply_no_new_privs(const struct oci_process *p);
