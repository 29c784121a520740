/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container lifecycle operations behind the runtime CLI verbs. Each logs its own errors and
 * returns -errno; on failure of create nothing is left behind (state dir, processes). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "oci/spec.h"

struct create_opts {
	const char *root;           /* state root */
	const char *id;
	const char *bundle;         /* default "." */
	const char *config_path;    /* default BUNDLE/config.json */
	const char *pid_file;       /* may be NULL */
	const char *console_socket; /* may be NULL */
	int console_fd;             /* instead of console_socket: a connected socket (> 2), or 0 */
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
	bool rootless;
	const char *cgroup_manager; /* "cgroupfs" (NULL: default), "systemd", "disabled" */
};

/* *ret_terminal (optional) tells whether process.terminal is set. */
int container_create(const struct create_opts *o, pid_t *ret_pid, bool *ret_terminal);
int container_start(const char *root, const char *id);
int container_kill(const char *root, const char *id, int sig, bool all);
int container_delete(const char *root, const char *id, bool force);
/* Wait for the init (a child of ours: the caller set PR_SET_CHILD_SUBREAPER), forwarding
 * signals; returns the exit status as a shell would (128+sig when killed). */
int container_wait(pid_t pid);
/* The pids of every process in the container (pid namespace scan). *ret caller frees. */
int container_pids(const char *root, const char *id, pid_t **ret, size_t *ret_n);
/* Load the container's saved config.json. */
int container_load_spec(const char *root, const char *id, struct oci_spec **ret);
/* Parse a signal: "9", "KILL", "SIGKILL" (case-insensitive). -EINVAL if unknown. */
int container_parse_signal(const char *s);
