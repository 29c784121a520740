/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Seccomp profile recording (annotation io.kakuri.seccomp.record=/abs/path/profile.json).
 *
 * The init installs, after the container's own filter (if any), a second filter that
 * answers SECCOMP_RET_USER_NOTIF for every syscall. The kernel runs the whole stack and
 * takes the strongest action, and ERRNO/KILL/TRAP are stronger than USER_NOTIF: what the
 * configured filter denies is denied and never recorded. Everything else reaches a recorder
 * process, which notes (architecture, number) and lets it run (SECCOMP_USER_NOTIF_FLAG_
 * CONTINUE). Threads and children inherit the filter, so all of the container's processes
 * are covered. When the listener reports POLLHUP (no task uses the filter any more) the
 * recorder writes a Docker-format profile atomically and exits.
 *
 * The recorder is spawned by `create` before the clone, in the runtime's own namespaces
 * and credentials (rootless: as the user; under the engine: in its storage user namespace),
 * double-forked and in its own session, holding nothing but its socket, the output
 * directory and /dev/null as stdio: it outlives create/start and never holds the
 * container's stdio. The init hands it the listener over a SOCK_SEQPACKET socketpair.
 *
 * Recorded too: the runtime's own syscalls between the filter install and execve (close,
 * close_range, fcntl, execve, allocation; with noNewPrivileges=false also the uid switch
 * and capset, as the filter then goes in before them). `exec` processes are not recorded
 * (they get the configured filter only). Incompatible with linux.seccomp.listenerPath: the
 * recording filter, installed last, would take every notification of the agent's. If the
 * recorder is killed, the kernel answers the container's syscalls with ENOSYS from then on
 * (a listener-less USER_NOTIF filter): the container ends, it does not hang. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/spec.h"

#define SECCOMP_RECORD_ANNOTATION "io.kakuri.seccomp.record"
/* Syscall numbers at or above this are counted but not named (no architecture has any). */
#define SECCOMP_RECORD_MAX_NR	1024
#define SECCOMP_RECORD_MAX_ARCH 4

/* The observed syscalls: per architecture (libseccomp token = AUDIT_ARCH_*; x32 is its own
 * token), a bitmap of numbers (x32's __X32_SYSCALL_BIT stripped). */
struct seccomp_record_set {
	struct {
		uint32_t arch;
		uint8_t seen[SECCOMP_RECORD_MAX_NR / 8];
	} a[SECCOMP_RECORD_MAX_ARCH];
	size_t n;
	uint64_t dropped; /* numbers out of range or a fifth architecture */
};

/* Notes one syscall as the kernel reports it (seccomp_data.arch, .nr). */
void seccomp_record_set_add(struct seccomp_record_set *set, uint32_t audit_arch, int nr);

/* The profile for set, as JSON text (caller frees): defaultAction SCMP_ACT_ERRNO,
 * defaultErrnoRet 38 (ENOSYS), archMap with the native architecture and, as its
 * sub-architectures, the other architectures observed; one SCMP_ACT_ALLOW rule with the
 * observed names, sorted. base (a Docker-format profile, normally kakuri's default; may be
 * NULL) keeps its restrictions: an observed name that base only allows under conditions
 * (args, includes, excludes: clone and unshare without namespace flags, personality) gets
 * base's rules for it, restricted to that name, instead of the unconditional allow. */
int seccomp_record_profile_json(const struct seccomp_record_set *set, const char *base, char **ret);

/* Runtime side (create, before the clone): if spec has the annotation, checks it (an
 * absolute path in a writable directory; no listenerPath), spawns the recorder and returns
 * the init's end of its socket (O_CLOEXEC) in *ret_fd; else *ret_fd = -EBADF. Errors name
 * the annotation. */
int seccomp_record_spawn(const struct oci_spec *spec, int *ret_fd);

/* Init side, after the configured filter (same conditions: no_new_privs or CAP_SYS_ADMIN):
 * installs the recording filter and sends its listener over fd. Takes fd (closed). */
int seccomp_record_install(int fd);
