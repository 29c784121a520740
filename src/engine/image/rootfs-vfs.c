/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rootfs-vfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

struct link_seen {
	ino_t ino;
	char *path; /* relative to the target root */
};

struct copier {
	int dst_root;
	struct link_seen *links;
	size_t n_links;
};


static void clear_dir(int dfd)
{
	int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	if (!d) {
		safe_close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (!STREQ(de->d_name, ".") && !STREQ(de->d_name, ".."))
			fs_rm_rf_at(dfd, de->d_name);
	closedir(d);
}

static bool opaque(int fd)
{
	char v[4];
	ssize_t n = fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v));
	if (n <= 0)
		n = fgetxattr(fd, "user.overlay.opaque", v, sizeof(v));
	return n == 1 && v[0] == 'y';
}

static void copy_xattrs(int src, int dst)
{
	char names[8192], val[65536];
	ssize_t n = flistxattr(src, names, sizeof(names));
	for (ssize_t o = 0; n > 0 && o < n; o += (ssize_t)strlen(names + o) + 1) {
		const char *nm = names + o;
		if (strstr(nm, ".overlay."))
			continue;
		ssize_t vl = fgetxattr(src, nm, val, sizeof(val));
		if (vl >= 0)
			fsetxattr(dst, nm, val, (size_t)vl, 0);
	}
}

static int copy_file(struct copier *c, int sdir, int ddir, const char *name, const struct stat *st, const char *rel)
{
	if (st->st_nlink > 1)
		for (size_t i = 0; i < c->n_links; i++)
			if (c->links[i].ino == st->st_ino)
				return linkat(c->dst_root, c->links[i].path, ddir, name, 0) < 0 ? -errno : 0;
	cleanup_close int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -errno;
	cleanup_close int out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return -errno;
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1u << 30, 0);
		if (n < 0) {
			/* cross-device or unsupported: plain copy */
			char buf[65536];
			ssize_t k;
			while ((k = read(in, buf, sizeof(buf))) > 0)
				if (fs_write_all(out, buf, (size_t)k) < 0)
					return -errno;
			if (k < 0)
				return -errno;
			break;
		}
		if (n == 0)
			break;
	}
	if (fchown(out, st->st_uid, st->st_gid) < 0 || fchmod(out, st->st_mode & 07777) < 0)
		return -errno;
	copy_xattrs(in, out);
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	futimens(out, ts);
	if (st->st_nlink > 1) {
		struct link_seen *nl = realloc(c->links, (c->n_links + 1) * sizeof(*nl));
		if (nl) {
			c->links = nl;
			nl[c->n_links].ino = st->st_ino;
			nl[c->n_links].path = strdup(rel);
			if (nl[c->n_links].path)
				c->n_links++;
		}
	}
	return 0;
}

static int copy_tree(struct copier *c, int sdir, int ddir, const char *prefix)
{
	int fd = fcntl(sdir, F_DUPFD_CLOEXEC, 3);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int r = 0;
	if (!d) {
		safe_close(fd);
		return -errno;
	}
	while (r >= 0 && (de = readdir(d))) {
		struct stat st, dst;
		const char *name = de->d_name;
		char rel[4096];
		if (STREQ(name, ".") || STREQ(name, ".."))
			continue;
		snprintf(rel, sizeof(rel), "%s%s%s", prefix, *prefix ? "/" : "", name);
		if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			break;
		}
		bool exists = fstatat(ddir, name, &dst, AT_SYMLINK_NOFOLLOW) == 0;
		if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
			fs_rm_rf_at(ddir, name); /* whiteout */
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (exists && !S_ISDIR(dst.st_mode)) {
				fs_rm_rf_at(ddir, name);
				exists = false;
			}
			if (!exists && mkdirat(ddir, name, 0700) < 0) {
				r = -errno;
				break;
			}
			cleanup_close int s2 = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			cleanup_close int d2 = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (s2 < 0 || d2 < 0) {
				r = -errno;
				break;
			}
			if (exists && opaque(s2))
				clear_dir(d2);
			r = copy_tree(c, s2, d2, rel);
			if (r < 0)
				break;
			if (fchown(d2, st.st_uid, st.st_gid) < 0 || fchmod(d2, st.st_mode & 07777) < 0) {
				r = -errno;
				break;
			}
			copy_xattrs(s2, d2);
			struct timespec ts[2] = {st.st_atim, st.st_mtim};
			futimens(d2, ts);
			continue;
		}
		if (exists)
			fs_rm_rf_at(ddir, name);
		struct timespec ts[2] = {st.st_atim, st.st_mtim};
		if (S_ISREG(st.st_mode)) {
			r = copy_file(c, sdir, ddir, name, &st, rel);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4097];
			ssize_t n = readlinkat(sdir, name, target, sizeof(target) - 1);
			if (n < 0 || (target[n] = 0, symlinkat(target, ddir, name) < 0) ||
			    fchownat(ddir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
				r = -errno;
			else
				utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW);
		} else {
			if (mknodat(ddir, name, st.st_mode, st.st_rdev) < 0 ||
			    fchownat(ddir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
				r = -errno;
			else
				utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW);
		}
		if (r < 0)
			log_error_errno(r, "vfs copy of %s failed: %m", rel);
	}
	closedir(d);
	return r;
}

static int populate(char **lowers, const char *target)
{
	size_t n = 0;
	while (lowers[n])
		n++;
	cleanup_close int dst = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dst < 0)
		return -errno;
	umask(0);
	for (size_t i = n; i > 0; i--) {
		struct copier c = {.dst_root = dst};
		cleanup_close int src = open(lowers[i - 1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (src < 0)
			return -errno;
		int r = copy_tree(&c, src, dst, "");
		for (size_t k = 0; k < c.n_links; k++)
			free(c.links[k].path);
		free(c.links);
		if (r < 0)
			return r;
		struct stat st;
		if (fstat(src, &st) == 0 &&
		    (fchown(dst, st.st_uid, st.st_gid) < 0 || fchmod(dst, st.st_mode & 07777) < 0))
			return -errno;
	}
	return 0;
}

int rootfs_vfs_populate(struct store *s, char **lowers, const char *target)
{
	pid_t pid = idmap_fork(&s->idmap, false);
	if (pid < 0)
		return (int)pid;
	if (pid == 0)
		_exit(-populate(lowers, target));
	int r = idmap_wait(pid);
	if (r < 0)
		return log_error_errno(r, "Failed to copy the image layers into %s: %m", target);
	return 0;
}
