/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container root filesystems made from images: the API the containers side uses.
 *
 *   image_rootfs_create(store, "busybox", "CID", ROOTFS_AUTO, &info)   record + dirs
 *   image_rootfs_mount(store, "CID", &path)        → R/rootfs/CID/merged (config.json root.path)
 *   ... run the container ...
 *   image_rootfs_umount(store, "CID")
 *   image_rootfs_remove(store, "CID")               unmount, delete, let GC reclaim layers
 *
 * Layout: R/rootfs/CID/{rootfs.json, upper/, work/, merged/}. rootfs.json records the image
 * ID, its layers (bottom first) and the driver; while it exists those layers are never
 * garbage-collected and `rmi` of the image is refused (without --force).
 *
 * Drivers, chosen at create time (ROOTFS_AUTO, or $KAKURI_STORAGE_DRIVER):
 *  - overlay: native overlayfs, layers as lowerdirs (fsconfig "lowerdir+" one per layer on
 *    Linux >= 6.8, so there is no page-size limit on the number of layers; the mount(2)
 *    option string with relative paths otherwise). Rootless it needs Linux >= 5.11 and runs
 *    in the storage user namespace with "userxattr" (opaque dirs are user.overlay.opaque).
 *    Probed once by a test mount; the answer is cached in R/overlay-probe.
 *  - fuse-overlayfs: the Debian package's binary, when native overlay is refused.
 *  - vfs: a full copy of the layers with whiteouts applied, made at create time; nothing
 *    to mount. Slow and large, but works everywhere.
 *
 * Mounting rootless: the mount must happen in a mount namespace owned by the storage user
 * namespace, i.e. in a process that called idmap_unshare_self() (as `kakuri unshare` does),
 * and the container must then be started from that process (or share its namespaces), with
 * the user namespace mapping of idmap.h, so that the subuid owners on disk appear as the
 * image's owners inside. As root the mount is made in the caller's mount namespace. */
#pragma once

#include <stdbool.h>

#include "engine/image/store.h"

enum rootfs_driver { ROOTFS_AUTO, ROOTFS_OVERLAY, ROOTFS_FUSE_OVERLAYFS, ROOTFS_VFS };

struct image_rootfs_info {
	char *image_id;
	char *path; /* absolute path of merged/ */
	enum rootfs_driver driver;
};

const char *rootfs_driver_name(enum rootfs_driver d);
int rootfs_driver_parse(const char *s, enum rootfs_driver *ret);
void image_rootfs_info_clear(struct image_rootfs_info *i);

/* cid: [A-Za-z0-9][A-Za-z0-9_.-]{0,127}. -EEXIST if a root filesystem of that id exists.
 * ret optional. */
int image_rootfs_create(struct store *s, const char *image, const char *cid, enum rootfs_driver driver,
			struct image_rootfs_info *ret);
/* Is there a root filesystem record for cid? */
bool image_rootfs_exists(struct store *s, const char *cid);
/* Reads the record of cid. */
int image_rootfs_get(struct store *s, const char *cid, struct image_rootfs_info *ret);
/* Mounts (no-op for vfs or when already mounted); *ret_path optional (caller frees). */
int image_rootfs_mount(struct store *s, const char *cid, char **ret_path);
int image_rootfs_umount(struct store *s, const char *cid);
/* Unmounts if needed, removes the directory and the record, then collects garbage. */
int image_rootfs_remove(struct store *s, const char *cid);
