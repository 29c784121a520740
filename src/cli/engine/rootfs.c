/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container root filesystems from the command line:
 *   kakuri image mount IMAGE          mounts the image (a writable overlay), prints the path
 *   kakuri image umount IMAGE
 *   kakuri rootfs create [--driver overlay|fuse-overlayfs|vfs] IMAGE ID | mount ID |
 *                 umount ID | rm ID | path ID
 * The second is the API of rootfs.h as a command, for tests and scripts. Rootless, mounts
 * need `kakuri unshare`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/image/rootfs.h"
#include "lib/cleanup.h"
#include "lib/log.h"

static int image_cid(struct store *s, const char *ref, char ret[80])
{
	struct image_list l = {0};
	if (store_lock(s, false) < 0)
		return -EIO;
	int r = store_images_load(s, &l);
	store_unlock(s);
	if (r < 0)
		return r;
	int i = image_list_find(&l, ref);
	if (i < 0) {
		image_list_clear(&l);
		return log_error_errno(-ENOENT, "%s: image not known", ref);
	}
	snprintf(ret, 80, "image-%.64s", l.v[i].id);
	image_list_clear(&l);
	return 0;
}

int verb_image_mount(int argc, char **argv)
{
	char cid[80];
	cleanup_free char *path = NULL;
	if (argc != 2 || argv[1][0] == '-') {
		if (argc == 2 && (STREQ(argv[1], "-h") || cli_flag(argv[1], "help"))) {
			printf("usage: kakuri image mount IMAGE\n");
			return 0;
		}
		return cli_usage_error("image mount", "expected one image");
	}
	cleanup_store struct store *s = NULL;
	if (cli_open_store(&s) < 0 || image_cid(s, argv[1], cid) < 0)
		return EXIT_ENGINE;
	if (!image_rootfs_exists(s, cid) && image_rootfs_create(s, argv[1], cid, ROOTFS_AUTO, NULL) < 0)
		return EXIT_ENGINE;
	if (image_rootfs_mount(s, cid, &path) < 0)
		return EXIT_ENGINE;
	printf("%s\n", path);
	return 0;
}

int verb_image_umount(int argc, char **argv)
{
	char cid[80];
	if (argc != 2 || argv[1][0] == '-')
		return cli_usage_error("image umount", "expected one image");
	cleanup_store struct store *s = NULL;
	if (cli_open_store(&s) < 0 || image_cid(s, argv[1], cid) < 0)
		return EXIT_ENGINE;
	return image_rootfs_remove(s, cid) < 0 ? EXIT_ENGINE : 0;
}

int verb_rootfs(int argc, char **argv)
{
	enum rootfs_driver d = ROOTFS_AUTO;
	const char *v;
	int i = 2;
	if (argc < 3) {
		printf("usage: kakuri rootfs create [--driver overlay|fuse-overlayfs|vfs] IMAGE ID | mount ID | umount "
		       "ID | rm ID | path ID\n");
		return argc < 2 ? EXIT_ENGINE : (STREQ(argv[1], "-h") || cli_flag(argv[1], "help")) ? 0 : EXIT_ENGINE;
	}
	const char *sub = argv[1];
	if (STREQ(sub, "create") && cli_opt(argc, argv, &i, "driver", &v)) {
		if (!v || rootfs_driver_parse(v, &d) < 0)
			return cli_usage_error("rootfs", "--driver: expected overlay, fuse-overlayfs or vfs");
		i++;
	}
	cleanup_store struct store *s = NULL;
	if (cli_open_store(&s) < 0)
		return EXIT_ENGINE;
	if (STREQ(sub, "create")) {
		struct image_rootfs_info info = {0};
		if (argc - i != 2)
			return cli_usage_error("rootfs", "create needs IMAGE and ID");
		if (image_rootfs_create(s, argv[i], argv[i + 1], d, &info) < 0)
			return EXIT_ENGINE;
		printf("%s %s\n", rootfs_driver_name(info.driver), info.path);
		image_rootfs_info_clear(&info);
		return 0;
	}
	if (argc != 3)
		return cli_usage_error("rootfs", "%s needs an ID", sub);
	if (STREQ(sub, "mount")) {
		cleanup_free char *path = NULL;
		if (image_rootfs_mount(s, argv[2], &path) < 0)
			return EXIT_ENGINE;
		printf("%s\n", path);
		return 0;
	}
	if (STREQ(sub, "umount"))
		return image_rootfs_umount(s, argv[2]) < 0 ? EXIT_ENGINE : 0;
	if (STREQ(sub, "rm"))
		return image_rootfs_remove(s, argv[2]) < 0 ? EXIT_ENGINE : 0;
	if (STREQ(sub, "path")) {
		struct image_rootfs_info info = {0};
		if (image_rootfs_get(s, argv[2], &info) < 0)
			return EXIT_ENGINE;
		printf("%s %s %s\n", rootfs_driver_name(info.driver), info.image_id, info.path);
		image_rootfs_info_clear(&info);
		return 0;
	}
	return cli_usage_error("rootfs", "unknown subcommand '%s'", sub);
}
