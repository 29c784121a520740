/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "copyup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/path.h"

#define COPYUP_MAX_DEPTH 128

static void copy_owner_mode(int dirfd, const char *name, const struct stat *st, bool is_link)
{
	/* EPERM/EINVAL: an id not mapped in our user namespace; keep ours. */
	if (fchownat(dirfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		log_debug_errno(-errno, "tmpcopyup: chown '%s': %m", name);
	if (!is_link && fchmodat(dirfd, name, st->st_mode & 07777, 0) < 0)
		log_debug_errno(-errno, "tmpcopyup: chmod '%s': %m", name);
}

static int copy_file(int srcdir, int dstdir, const char *name, const struct stat *st)
{
	cleanup_close int in = openat(srcdir, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	cleanup_close int out = -EBADF;
	char buf[65536];

	if (in < 0)
		return -errno;
	out = openat(dstdir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		int r = fs_write_all(out, buf, (size_t)n);
		if (r < 0)
			return r;
	}
	copy_owner_mode(dstdir, name, st, false);
	return 0;
}

static int copy_dir(int srcfd, int dstfd, unsigned depth);

static int copy_entry(int srcdir, int dstdir, const char *name, unsigned depth)
{
	struct stat st;
	char target[PATH_MAX];
	ssize_t n;

	if (fstatat(srcdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		return copy_file(srcdir, dstdir, name, &st);
	case S_IFLNK:
		n = readlinkat(srcdir, name, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = 0;
		if (symlinkat(target, dstdir, name) < 0)
			return -errno;
		copy_owner_mode(dstdir, name, &st, true);
		return 0;
	case S_IFIFO:
		if (mkfifoat(dstdir, name, 0600) < 0)
			return -errno;
		copy_owner_mode(dstdir, name, &st, false);
		return 0;
	case S_IFDIR: {
		cleanup_close int s = -EBADF, d = -EBADF;
		if (mkdirat(dstdir, name, 0700) < 0)
			return -errno;
		s = path_open_in_root(srcdir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
		d = path_open_in_root(dstdir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
		if (s < 0 || d < 0)
			return s < 0 ? s : d;
		return copy_dir(s, d, depth + 1);
	}
	default:
		log_debug("tmpcopyup: skipping '%s' (device node or socket)", name);
		return 0;
	}
}

static int copy_dir(int srcfd, int dstfd, unsigned depth)
{
	struct stat st;
	DIR *d;
	int fd, r = 0;

	if (depth > COPYUP_MAX_DEPTH)
		return -ELOOP;
	fd = openat(srcfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	for (struct dirent *de; r >= 0 && (errno = 0, de = readdir(d));) {
		if (STREQ(de->d_name, ".") || STREQ(de->d_name, ".."))
			continue;
		r = copy_entry(srcfd, dstfd, de->d_name, depth);
		if (r < 0)
			log_debug_errno(r, "tmpcopyup: copying '%s' failed: %m", de->d_name);
	}
	if (r >= 0 && errno != 0)
		r = -errno;
	closedir(d);
	if (r < 0)
		return r;
	if (fstat(srcfd, &st) < 0)
		return -errno;
	/* dstfd may be O_PATH: change it through its magic link. */
	char path[PATH_PROC_FD_MAX];
	path_proc_fd(dstfd, path);
	if (chmod(path, st.st_mode & 07777) < 0 || fchownat(dstfd, "", st.st_uid, st.st_gid, AT_EMPTY_PATH) < 0)
		log_debug_errno(-errno, "tmpcopyup: setting the directory's mode/owner: %m");
	return 0;
}

int copyup_tree(int srcfd, int dstfd)
{
	return copy_dir(srcfd, dstfd, 0);
}
