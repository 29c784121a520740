/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Mounting cgroupfs into the container (spec mounts of type "cgroup" or "cgroup2").
 *
 * What the container sees is decided per hierarchy from /proc/self/cgroup, which by now
 * reflects the container's cgroup (and cgroup namespace, if it has one):
 * - our path in the hierarchy is "/" (a cgroup namespace rooted at our cgroup, or no
 *   cgroup at all): mount that hierarchy afresh; the kernel roots it at the namespace root;
 * - otherwise (no cgroup namespace): bind the host's directory of our own cgroup, so the
 *   container sees only its own subtree, as runc does.
 * A pure cgroup v2 host gets one cgroup2 mount at the destination. A hybrid or v1 host
 * (v1 controllers under /sys/fs/cgroup/<ctrl>, v2 at /sys/fs/cgroup/unified) gets a tmpfs
 * at the destination with one such mount per hierarchy mounted under /sys/fs/cgroup on
 * the host, plus "cpu" -> "cpu,cpuacct" style symlinks for co-mounted controllers; the tmpfs
 * is made read-only afterwards if the options say ro.
 * In a user namespace anything the kernel refuses makes us fall back to a recursive bind of
 * the host's /sys/fs/cgroup with ro/nosuid/nodev/noexec applied recursively, logged at debug.
 */
#pragma once

#include <stdbool.h>

#include "runtime/mount.h"

/* dest: the mount destination inside rootfd; prefix: "mounts[N] (destination '…')" for
 * errors (logged here). */
int mount_cgroup_apply(int rootfd, const char *dest, const struct mount_options *o, const char *prefix, bool in_userns);
