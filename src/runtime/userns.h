/* SPDX-License-Identifier: GPL-2.0-or-later */
/* User-namespace id maps. As root the maps are written directly to /proc/PID/{uid,gid}_map.
 * Rootless, a single mapping of the caller's own id is written directly (with setgroups
 * "deny" first, as the kernel requires for gid_map); anything else goes through the setuid
 * helpers newuidmap/newgidmap (Debian `uidmap`), after checking /etc/subuid and /etc/subgid
 * so that a missing range is a clear error naming the file and the user. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "oci/spec.h"

/* Fill in default maps when a new user namespace is requested without any: rootless maps
 * container 0 to the caller's uid/gid (size 1). Root without maps is an error. */
int userns_default_maps(struct oci_linux *l, bool rootless);
/* Pre-flight check (before any process is created): rootless multi-range maps need
 * newuidmap/newgidmap and delegated ranges. */
int userns_check_maps(const struct oci_linux *l);
int userns_write_maps(pid_t pid, const struct oci_linux *l);
/* Does this process already run in a user namespace other than the initial one (a rootless
 * engine's, a CI sandbox's)? Then even a config without a user namespace must not mknod
 * devices or expect host-root privileges (runc and crun check the same). Cached. */
bool userns_running_nested(void);
