/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.seccomp compiled with libseccomp. The filter is compiled early (seccomp_compile, may
 * run before the fork) and installed as late as possible (seccomp_install: after the uid
 * switch and no_new_privs, right before exec) so the runtime's own syscalls are not
 * constrained. Unknown syscall names are skipped with a debug message, never fatal. */
#pragma once

#include "oci/spec.h"

struct seccomp_prog; /* opaque: a compiled BPF program + flags */

/* NULL *ret when spec has no seccomp. Errors name the field: "linux.seccomp.syscalls[2]...". */
int seccomp_compile(const struct oci_seccomp *spec, struct seccomp_prog **ret);
/* Same, through the filter cache in cache_dir (seccomp_cache_dir(root), see
 * seccomp-cache.h): a hit loads the stored BPF instead of running libseccomp, a miss
 * compiles and stores it. The cache never makes this fail; cache_dir NULL = no cache. */
int seccomp_compile_cached(const struct oci_seccomp *spec, const char *cache_dir, struct seccomp_prog **ret);
/* Installs the filter; if the action set uses NOTIFY, *ret_listener_fd receives the
 * listener fd (else -EBADF). */
int seccomp_install(struct seccomp_prog *prog, int *ret_listener_fd);
/* Connect to listenerPath (a host path: done by the runtime before pivot_root). Returns the
 * socket fd. */
int seccomp_connect_listener(const struct oci_seccomp *spec);
/* Send the listener fd with the container process state JSON over sock (SCM_RIGHTS). */
int seccomp_send_listener(const struct oci_seccomp *spec, int sock, int listener_fd, const char *state_json);
void seccomp_prog_free(struct seccomp_prog *prog);
