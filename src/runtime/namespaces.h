/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.namespaces: new ones are unshared, paths are joined with setns(). Paths are opened
 * and type-checked (NS_GET_NSTYPE) in the runtime before any process is created, so a bad
 * path is an early error naming the field. */
#pragma once

#include <stdbool.h>

#include "oci/spec.h"

int ns_open_paths(const struct oci_linux *l, int fds[OCI_NS_MAX]);
void ns_close_all(int fds[OCI_NS_MAX]);
/* CLONE_NEW* flags of the namespaces to create (present, no path), without CLONE_NEWUSER and
 * CLONE_NEWCGROUP: the cgroup namespace is unshared by the init once it is in its cgroup, so
 * that cgroup becomes the namespace's root. */
int ns_new_flags(const struct oci_linux *l);
/* Join the user namespace fd (if any). */
int ns_join_user(int fds[OCI_NS_MAX]);
/* Join every other opened namespace; closes the fds it used. */
int ns_join_others(int fds[OCI_NS_MAX]);
/* In a network namespace we created: bring the loopback up, as runc and crun do (a fresh
 * namespace has "lo" down, and nearly every program expects 127.0.0.1 to work). */
int ns_loopback_up(void);
