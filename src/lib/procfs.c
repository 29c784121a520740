/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"

#define PROC_ROOT_INO 1

bool procfs_fd_is_proc(int fd, bool root)
{
	struct statfs sfs;
	struct stat st;

	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
		return false;
	if (!root)
		return true;
	return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && st.st_ino == PROC_ROOT_INO;
}

/* A new procfs instance of our active pid namespace, never attached anywhere. Needs
 * CAP_SYS_ADMIN over the pid namespace's user namespace; fails (EPERM) e.g. in a new user
 * namespace that shares the host's pid namespace. */
static int procfs_open_private(void)
{
	cleanup_close int fsfd = fsopen("proc", FSOPEN_CLOEXEC);
	cleanup_close int mntfd = -EBADF;

	if (fsfd < 0)
		return -errno;
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	mntfd = fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mntfd < 0)
		return -errno;
	return TAKE_FD(mntfd);
}

static bool procfs_self_is_us(int procfd)
{
	char buf[32], want[32];
	ssize_t n = readlinkat(procfd, "self", buf, sizeof(buf) - 1);

	if (n < 0)
		return false;
	buf[n] = 0;
	snprintf(want, sizeof(want), "%d", (int)getpid());
	return strcmp(buf, want) == 0;
}

int procfs_open(void)
{
	int fd = procfs_open_private();

	if (fd >= 0) {
		if (procfs_fd_is_proc(fd, true))
			return fd;
		safe_close(fd);
		return -EXDEV;
	}
	log_debug_errno(fd, "procfs: cannot create a private procfs instance, using /proc: %m");

	fd = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!procfs_fd_is_proc(fd, true) || !procfs_self_is_us(fd)) {
		safe_close(fd);
		return -EXDEV;
	}
	return fd;
}

int procfs_open_at(int procfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (uint64_t)(unsigned)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	long fd = -1;

	for (int i = 0; i < 64; i++) {
		fd = syscall(SYS_openat2, procfd, path, &how, sizeof(how));
		if (fd >= 0 || (errno != EAGAIN && errno != EINTR))
			break;
	}
	if (fd < 0)
		return -errno;
	if (!procfs_fd_is_proc((int)fd, false)) {
		safe_close((int)fd);
		return -EXDEV;
	}
	return (int)fd;
}
