/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The config.json written by `kakuri-runtime spec [--rootless]`, modelled on `runc spec`. */
#pragma once

#include <stdbool.h>

/* A pretty-printed (tab-indented, newline-terminated) config.json; caller frees, NULL on
 * allocation failure.
 *
 * Rootful: pid, network, ipc, uts, mount and cgroup namespaces; /proc, /dev (tmpfs),
 * /dev/pts, /dev/shm, /dev/mqueue, /sys (ro), /sys/fs/cgroup (ro); a deny-all device
 * cgroup rule in linux.resources.
 *
 * rootless = true applies what `runc spec --rootless` applies:
 *  - adds a user namespace mapping container 0 to the caller's effective uid/gid (size 1:
 *    the only mapping an unprivileged process may write without newuidmap);
 *  - drops the network namespace: an unprivileged user cannot configure one, and without
 *    a network namespace of its own sysfs cannot be mounted either, hence
 *  - /sys becomes an rbind of the host's /sys (ro, nosuid, noexec, nodev);
 *  - removes uid=/gid= mount options (devpts gid=5 is unmapped in a size-1 map);
 *  - removes linux.resources (cgroup limits need a delegated cgroup).
 * The /sys/fs/cgroup mount is kept, as in runc. */
char *spec_default_json(bool rootless);
