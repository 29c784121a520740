/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Driving the OCI runtime binary (kakuri-runtime, runc, crun: anything runc-compatible),
 * never the runtime library: `RUNTIME --root R [--rootless=true] VERB ARGS…`.
 *
 * Rootless, the runtime must run as root of the user namespace the container lives in (the
 * storage user namespace its monitor made, see monitor.h), as podman runs it in its own:
 * join_pid names a live process in it (the monitor), or the container's init, whose own user
 * namespace is nested in that one (join_parent); we setns() into it in the forked child.
 * join_pid 0 makes a fresh storage user namespace (for cleaning up after a container whose
 * processes are all gone). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct ctr_rt {
	const char *path;
	const char *root;
	bool rootless;
	pid_t join_pid;	     /* rootless: a process in the container's user namespace (0: fresh one) */
	uint64_t join_start; /* its start time, checked after opening its namespace */
	bool join_parent;    /* join_pid is the container's init: its namespace's parent */
	const char *log;     /* --log FILE --log-format json, or NULL */
};

struct ctr_rt_io {
	int in, out, err;	   /* fds for the child's stdio; -1: ours */
	char **ret_out, **ret_err; /* capture instead (caller frees) */
	bool pdeathsig;		   /* the runtime dies with us */
};

/* Runs the runtime with args (after the global options) and waits. Returns the exit status
 * (>= 0: exit code, 128+N: killed by signal N) or -errno if it could not be run. */
int ctr_rt_run(const struct ctr_rt *rt, char *const *args, const struct ctr_rt_io *io);
/* Starts it without waiting: returns the pid. */
pid_t ctr_rt_spawn(const struct ctr_rt *rt, char *const *args, const struct ctr_rt_io *io);

/* `state ID`: status ("created", "running", "stopped", "paused") and pid; -ENOENT when the
 * runtime does not know the container. *ret_status caller frees. */
int ctr_rt_state(const struct ctr_rt *rt, const char *id, char **ret_status, pid_t *ret_pid);
/* `kill ID SIG` (all: --all). Errors are returned, not logged. */
int ctr_rt_kill(const struct ctr_rt *rt, const char *id, int sig, bool all);
/* `delete --force ID`; a container the runtime does not know is fine. */
int ctr_rt_delete(const struct ctr_rt *rt, const char *id);

/* The first error message of a runtime JSON log (--log-format json) or, failing that, the
 * last line of text; NULL if none. Caller frees. */
char *ctr_rt_log_error(const char *log_path, const char *fallback_text);

/* setns() into pid's user namespace (parent: the parent of that one) and become root there
 * (rootless helpers use it in a forked child). start: pid's start time (0: unchecked). */
int ctr_join_userns(pid_t pid, uint64_t start, bool parent);
