/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "masks.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/path.h"
#include "runtime/mount.h"

static bool skippable(int r)
{
	/* ENOTDIR: a component is a file, i.e. the path does not exist either. */
	return r == -ENOENT || r == -ENOTDIR;
}

static int open_verified_devnull(int rootfd)
{
	cleanup_close int fd = path_open_in_root(rootfd, "/dev/null", O_PATH | O_NOFOLLOW, 0);
	struct stat st;

	if (fd < 0)
		return log_error_errno(fd, "linux.maskedPaths: cannot open /dev/null in the container: %m");
	if (fstat(fd, &st) < 0)
		return log_error_errno(-errno, "linux.maskedPaths: fstat of /dev/null failed: %m");
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
		return log_error_errno(-EPERM, "linux.maskedPaths: /dev/null in the container is not the null "
					       "device (char 1:3); refusing to mask paths with it");
	return TAKE_FD(fd);
}

int masks_apply_masked(int rootfd, char *const *paths)
{
	cleanup_close int devnull = -EBADF;

	for (char *const *p = paths; p && *p; p++) {
		cleanup_close int fd = path_open_in_root(rootfd, *p, O_PATH, 0);
		char path[PATH_PROC_FD_MAX];
		struct stat st;
		int r;

		if (skippable(fd))
			continue;
		if (fd < 0)
			return log_error_errno(fd, "linux.maskedPaths: '%s': %m", *p);
		if (fstat(fd, &st) < 0)
			return log_error_errno(-errno, "linux.maskedPaths: '%s': %m", *p);

		if (S_ISDIR(st.st_mode)) {
			path_proc_fd(fd, path);
			if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0555") <
			    0)
				return log_error_errno(-errno,
						       "linux.maskedPaths: '%s': mounting an empty "
						       "read-only tmpfs failed: %m",
						       *p);
			continue;
		}
		if (devnull < 0) {
			devnull = open_verified_devnull(rootfd);
			if (devnull < 0)
				return devnull;
		}
		r = mount_bind_fd(devnull, fd, false);
		if (r < 0)
			return log_error_errno(r, "linux.maskedPaths: '%s': bind mount of /dev/null failed: %m", *p);
	}
	return 0;
}

int masks_apply_readonly(int rootfd, char *const *paths)
{
	for (char *const *p = paths; p && *p; p++) {
		cleanup_close int fd = path_open_in_root(rootfd, *p, O_PATH, 0);
		cleanup_close int mfd = -EBADF;
		int r;

		if (skippable(fd))
			continue;
		if (fd < 0)
			return log_error_errno(fd, "linux.readonlyPaths: '%s': %m", *p);
		r = mount_bind_fd(fd, fd, true);
		if (r < 0)
			return log_error_errno(r, "linux.readonlyPaths: '%s': bind mount onto itself failed: %m", *p);
		mfd = mount_reopen_mounted(rootfd, *p, fd);
		if (mfd < 0)
			return log_error_errno(mfd, "linux.readonlyPaths: '%s': re-opening after the bind failed: %m",
					       *p);
		r = mount_remount_bind_fd(mfd, MS_RDONLY, 0, false);
		if (r < 0)
			return log_error_errno(r, "linux.readonlyPaths: '%s': remount read-only failed: %m", *p);
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
		if (mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
			log_debug_errno(-errno, "linux.readonlyPaths: '%s': making submounts read-only: %m", *p);
	}
	return 0;
}
