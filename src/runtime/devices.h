/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Device nodes in the container's /dev (the default set and linux.devices).
 *
 * Everything is created under a parent dirfd resolved in the root with lib/path.h, so an
 * image whose /dev (or /dev/x) is a symlink to a host path cannot redirect the creation
 * ("image /dev symlink" advisories): it stays inside the rootfs.
 * Outside a user namespace nodes are made with mknod and get their fileMode/uid/gid; in a
 * user namespace mknod is impossible, so an empty file is created and the host's node of
 * the same path is bind-mounted onto it (its mode and owner are the host's; we never chmod
 * or chown a host node). FIFOs ('p') are always mknod'ed.
 * Errors are logged once, naming the field ("linux.devices[2] '/dev/fuse': …").
 */
#pragma once

#include <stdbool.h>

#include "oci/spec.h"

/* Create d->path. field names it in errors. */
int devices_create(int rootfd, const struct oci_device *d, const char *field, bool in_userns);

/* The default devices /dev/{null,zero,full,random,urandom,tty} (0666; skipped when
 * linux.devices lists the same path), the symlinks /dev/fd -> /proc/self/fd,
 * /dev/std{in,out,err} -> /proc/self/fd/{0,1,2}, /dev/ptmx -> pts/ptmx (replacing what the
 * image has there), /dev/shm (a 1777 directory) when absent, /dev/console (an empty file,
 * for the console bind mount) when terminal. */
int devices_setup_defaults(int rootfd, const struct oci_linux *lnx, bool in_userns, bool terminal);

/* linux.devices, in order. */
int devices_setup_spec(int rootfd, const struct oci_linux *lnx, bool in_userns);
