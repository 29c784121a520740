/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The vfs root filesystem driver: copies the layers, bottom first, into one directory,
 * applying their overlay-form whiteouts (char 0:0 devices remove, opaque directories
 * clear what lower layers put there). Owners, modes, times, hard links within a layer and
 * xattrs (except the overlay ones) are kept. Runs in a child process, in the storage user
 * namespace when rootless. */
#pragma once

#include "engine/image/store.h"

/* lowers: absolute layer diff paths, top first (as for overlay); target: an empty dir. */
int rootfs_vfs_populate(struct store *s, char **lowers, const char *target);
