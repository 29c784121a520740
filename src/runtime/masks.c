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

/* Everything below mounts through fds with the new mount API, never through
 * "/proc/self/fd/N": this runs after pivot_root, where that path resolves through the
 * container's /proc, and a config mount over /proc (a directory of symlinks) would make
 * masking cover, or a read-only remount hit, whatever those point at (CVE-2025-52881). */

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

/* An empty tmpfs (mode 0555), read-only, nosuid, nodev, noexec, attached onto dstfd. */
static int mount_empty_tmpfs(int dstfd)
{
	cleanup_close int fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC), mnt = -EBADF;

	if (fsfd < 0)
		return -errno;
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "mode", "0555", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	mnt = fsmount(fsfd, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		return -errno;
	if (move_mount(mnt, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

int masks_apply_masked(int rootfd, char *const *paths)
{
	cleanup_close int devnull = -EBADF;

	for (char *const *p = paths; p && *p; p++) {
		cleanup_close int fd = path_open_in_root(rootfd, *p, O_PATH, 0);
		struct stat st;
		int r;

		if (skippable(fd))
			continue;
		if (fd < 0)
			return log_error_errno(fd, "linux.maskedPaths: '%s': %m", *p);
		if (fstat(fd, &st) < 0)
			return log_error_errno(-errno, "linux.maskedPaths: '%s': %m", *p);

		if (S_ISDIR(st.st_mode)) {
			r = mount_empty_tmpfs(fd);
			if (r < 0)
				return log_error_errno(r,
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
		/* Exactly the verified inode: the fd, not a path (CVE-2025-31133). */
		r = mount_bind_fd_detached(devnull, fd, false, 0);
		if (r < 0)
			return log_error_errno(r, "linux.maskedPaths: '%s': bind mount of /dev/null failed: %m", *p);
	}
	return 0;
}

int masks_apply_readonly(int rootfd, char *const *paths)
{
	for (char *const *p = paths; p && *p; p++) {
		cleanup_close int fd = path_open_in_root(rootfd, *p, O_PATH, 0);
		int r;

		if (skippable(fd))
			continue;
		if (fd < 0)
			return log_error_errno(fd, "linux.readonlyPaths: '%s': %m", *p);
		/* A recursive clone of what is there, made read-only (submounts too) while still
		 * detached, then attached over the path. Adding ro is allowed even for mounts a
		 * user namespace locked. */
		r = mount_bind_fd_detached(fd, fd, true, MOUNT_ATTR_RDONLY);
		if (r == -EPERM || r == -EINVAL) {
			/* A submount that refuses: at least the mount itself. */
			log_debug_errno(r, "linux.readonlyPaths: '%s': recursive read-only clone failed: %m", *p);
			r = mount_bind_fd_detached(fd, fd, false, MOUNT_ATTR_RDONLY);
		}
		if (r < 0)
			return log_error_errno(r, "linux.readonlyPaths: '%s': read-only bind mount failed: %m", *p);
	}
	return 0;
}
