/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Keep the host's runtime binary out of reach of containers that can ptrace us
 * (CVE-2019-5736).
 *
 * The container init and the process `exec` starts are forks of the runtime: until they
 * execve the container's program, /proc/PID/exe of each names the runtime binary. They are
 * non-dumpable, which hides that link from the container, except from a process holding
 * CAP_SYS_PTRACE in the runtime's user namespace: a rootful container without a user
 * namespace that was given CAP_SYS_PTRACE (`--cap-add SYS_PTRACE`). Such a process can open
 * the link with O_PATH and, once no runtime process executes the file any more, reopen it
 * for writing and replace the host's runtime binary.
 *
 * For those containers only, the runtime re-executes itself from a memfd holding a copy of
 * its binary, sealed against writes, growing and shrinking, before it enters the
 * container: the only file the container can reach is that copy, and it cannot be changed.
 * The copy costs about a millisecond plus one execve, so the default case (no
 * CAP_SYS_PTRACE in the bounding set, or a user namespace) does not pay it. Where the
 * kernel refuses executable memfds (vm.memfd_noexec = 2) the runtime refuses to go on. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "oci/spec.h"

/* True if /proc/self/exe (pid 0) or /proc/PID/exe is a memfd carrying our seals. */
bool exe_seal_is_sealed(pid_t pid);

/* create/run: true if the container's processes could hold CAP_SYS_PTRACE in our user
 * namespace (no new user namespace, or joining ours; CAP_SYS_PTRACE in the bounding set). */
bool exe_seal_needed_for_create(const struct oci_spec *spec);

/* exec into the container whose init is init_pid: true if the container shares our user
 * namespace and the new process's bounding set (p) or that of any process already in the
 * container (same mount namespace as the init) holds CAP_SYS_PTRACE. */
bool exe_seal_needed_for_exec(pid_t init_pid, const struct oci_process *p);

/* When needed (one of the checks above), re-executes the runtime (argv from
 * /proc/self/cmdline, the current environment) from a sealed memfd copy of /proc/self/exe,
 * unless already running from one. Returns 0 when nothing is to be done, else only on
 * failure, logged (-errno). Call it unconditionally (it also clears its re-exec marker) and
 * before anything is created: the command starts over. fds without O_CLOEXEC
 * (--preserve-fds) survive the re-exec. */
int exe_seal_ensure(bool needed);
