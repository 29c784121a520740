/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container-side half of `create`: stage-1 (namespaces) and stage-2 (the init, pid 1),
 * as drawn in docs/design.md. Both run in forked children and never return: failures are
 * sent to the parent over sync_fd ({-errno, message}) and the child _exit()s. */
#pragma once

#include <stdbool.h>

#include "oci/spec.h"
#include "runtime/landlock.h"
#include "runtime/lsm.h"
#include "runtime/seccomp.h"

struct init_ctx {
	const struct oci_spec *spec;
	const char *rootfs;  /* absolute */
	const char *bundle;  /* absolute */
	int sync_fd;         /* child end of the sync socketpair */
	int fifo_fd;         /* exec.fifo opened O_RDWR: the init blocks reading it until start */
	int console_fd;      /* connected --console-socket, or -EBADF */
	int ns_fds[OCI_NS_MAX];
	struct seccomp_prog *seccomp;
	int agent_fd;        /* connected linux.seccomp.listenerPath, or -EBADF */
	int record_fd;       /* the seccomp recorder's socket (seccomp-record.h), or -EBADF */
	struct lsm_plan lsm; /* labels checked against the host's LSMs before the fork */
	const struct landlock_plan *landlock; /* NULL: no Landlock */
	int preserve_fds;
	bool no_pivot;
	bool no_new_keyring;
	bool new_userns;     /* create a user namespace (parent writes the maps) */
};

__attribute__((noreturn)) void init_stage1(struct init_ctx *ctx);

/* Shared with exec: apply process attributes in the container and exec. Only returns on
 * failure (-errno, logged). seccomp may be NULL; agent_fd is the connected seccomp agent
 * socket when the filter uses SCMP_ACT_NOTIFY; state_json goes to the agent. lsm holds the
 * exec labels to write (may be NULL), landlock the ruleset to apply (may be NULL); record_fd
 * (or -EBADF) the seccomp recorder's socket: the recording filter goes in right after seccomp. */
int init_exec_process(const struct oci_process *p, const struct oci_spec *spec, struct seccomp_prog *seccomp,
		      int agent_fd, const char *state_json, int preserve_fds, const struct lsm_plan *lsm,
		      const struct landlock_plan *landlock, int record_fd);
