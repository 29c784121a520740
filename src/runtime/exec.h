/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `exec`: run another process in a running container. The runtime forks, the child joins
 * all of the init's namespaces at once through a pidfd (setns(pidfd, flags), Linux 5.8) and
 * forks again so the new pid namespace applies; that grandchild applies the process
 * attributes and execs. The container's seccomp filter and noNewPrivileges apply. */
#pragma once

#include <stdbool.h>

#include "oci/spec.h"

struct exec_opts {
	const char *root, *id;
	const struct oci_process *process;
	const struct oci_spec *spec; /* the container's saved config (seccomp) */
	const char *console_socket;
	const char *pid_file;
	bool detach;
	int preserve_fds;
};

/* Returns the process's exit status (0..255) when not detached, 0 when detached, or -errno. */
int container_exec(const struct exec_opts *o);
