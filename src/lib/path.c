/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"

/* Same limit as the kernel's MAXSYMLINKS, for the symlinks we follow ourselves while
 * creating through dangling links. */
#define PATH_MAX_SYMLINKS 40

int path_openat2(int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve)
{
	struct open_how how = {
	    .flags = (uint64_t)(unsigned)(flags | O_CLOEXEC),
	    .mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode : 0,
	    .resolve = resolve,
	};

	if (!path || !*path)
		path = ".";
	/* With RESOLVE_IN_ROOT/BENEATH the kernel answers -EAGAIN when a rename or mount
	 * happened during the walk (it cannot prove ".." stayed inside): just retry. */
	for (int i = 0; i < 64; i++) {
		long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
	}
	return -EAGAIN;
}

int path_open_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
	return path_openat2(rootfd, path, flags, mode, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

/* Open a child we just created through its parent fd, refusing anything that is not
 * exactly that entry (a symlink swapped in meanwhile gives -ELOOP). */
static int open_created(int parentfd, const char *name, int flags)
{
	return path_openat2(parentfd, name, flags | O_NOFOLLOW, 0,
			     RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
}

/* name in parentfd is a dangling symlink (it exists for mkdirat but not for an in-root
 * open): build the path we must create instead, target + rest, where a relative target is
 * relative to the parent's in-root path parent_prefix[0..parent_len). *ret caller frees. */
static int redirect_dangling(int parentfd, const char *name, const char *parent_prefix, size_t parent_len,
			     const char *rest, char **ret)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(parentfd, name, target, sizeof(target) - 1);
	char *out;
	int k;

	if (n < 0)
		/* EINVAL: not a symlink, yet the in-root open said ENOENT: something raced. */
		return errno == EINVAL ? -EEXIST : -errno;
	target[n] = 0;
	if (target[0] == '/')
		k = asprintf(&out, "%s%s", target, rest);
	else
		k = asprintf(&out, "%.*s/%s%s", (int)parent_len, parent_prefix, target, rest);
	if (k < 0)
		return -ENOMEM;
	*ret = out;
	return 0;
}

/* The mkdir -p walk. prefix accumulates the in-root path of the components handled so far;
 * each component is opened from the root (so symlinks and ".." are resolved by the kernel,
 * clamped at the root) and created with mkdirat() on the fd of its resolved parent. */
static int mkdir_walk(int rootfd, const char *path, mode_t mode, unsigned *nlinks)
{
	size_t len = strlen(path);
	cleanup_free char *prefix = malloc(len + 2);
	cleanup_close int cur = -EBADF;
	size_t plen = 0;

	if (!prefix)
		return -ENOMEM;
	prefix[0] = 0;
	cur = path_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0);
	if (cur < 0)
		return cur;

	for (const char *p = path;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *end = strchrnul(p, '/');
		size_t clen = (size_t)(end - p), parent_len = plen;
		int fd;

		prefix[plen++] = '/';
		memcpy(prefix + plen, p, clen);
		plen += clen;
		prefix[plen] = 0;

		fd = path_open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY, 0);
		if (fd == -ENOENT) {
			cleanup_free char *name = strndup(p, clen);
			if (!name)
				return -ENOMEM;
			if (mkdirat(cur, name, mode) == 0) {
				fd = open_created(cur, name, O_PATH | O_DIRECTORY);
			} else if (errno == EEXIST) {
				/* Lost a race with another creator, or a dangling symlink. */
				fd = path_open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY, 0);
				if (fd == -ENOENT) {
					cleanup_free char *next = NULL;
					int r;
					if (++*nlinks > PATH_MAX_SYMLINKS)
						return -ELOOP;
					r = redirect_dangling(cur, name, prefix, parent_len, end, &next);
					if (r < 0)
						return r;
					return mkdir_walk(rootfd, next, mode, nlinks);
				}
			} else {
				return -errno;
			}
		}
		if (fd < 0)
			return fd;
		safe_close(cur);
		cur = fd;
		p = end;
	}
	return TAKE_FD(cur);
}

int path_mkdir_p_in_root(int rootfd, const char *path, mode_t mode)
{
	unsigned nlinks = 0;
	if (!path)
		return -EINVAL;
	return mkdir_walk(rootfd, path, mode, &nlinks);
}

/* Split path into the parent part [0..*ret_parent_len) and the last component. */
static int split_last(const char *path, size_t *ret_parent_len, const char **ret_name, size_t *ret_name_len)
{
	size_t len = strlen(path), start;

	while (len > 0 && path[len - 1] == '/')
		len--;
	start = len;
	while (start > 0 && path[start - 1] != '/')
		start--;
	if (len == start)
		return -EINVAL; /* "" or "/" */
	if ((len - start == 1 && path[start] == '.') ||
	    (len - start == 2 && path[start] == '.' && path[start + 1] == '.'))
		return -EINVAL;
	*ret_parent_len = start;
	*ret_name = path + start;
	*ret_name_len = len - start;
	return 0;
}

int path_open_parent_in_root(int rootfd, const char *path, bool create, mode_t mode, const char **ret_name,
			     size_t *ret_name_len)
{
	cleanup_free char *parent = NULL;
	size_t parent_len, name_len;
	const char *name;
	int r, fd;

	if (!path)
		return -EINVAL;
	r = split_last(path, &parent_len, &name, &name_len);
	if (r < 0)
		return r;
	parent = strndup(path, parent_len);
	if (!parent)
		return -ENOMEM;
	if (create)
		fd = path_mkdir_p_in_root(rootfd, parent, mode);
	else
		fd = path_open_in_root(rootfd, parent, O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	*ret_name = name;
	*ret_name_len = name_len;
	return fd;
}

static int mkfile_walk(int rootfd, const char *path, mode_t mode, unsigned *nlinks)
{
	cleanup_close int parent = -EBADF;
	cleanup_free char *name = NULL;
	const char *n;
	size_t nlen;
	struct stat st;
	int fd;

	fd = path_open_in_root(rootfd, path, O_PATH, 0);
	if (fd >= 0)
		goto check;
	if (fd != -ENOENT)
		return fd;

	parent = path_open_parent_in_root(rootfd, path, true, 0755, &n, &nlen);
	if (parent < 0)
		return parent;
	name = strndup(n, nlen);
	if (!name)
		return -ENOMEM;
	/* mknodat(S_IFREG) creates the file without opening it for writing, and like
	 * O_CREAT|O_EXCL it never follows a symlink in the last component. */
	if (mknodat(parent, name, S_IFREG | (mode & 07777), 0) == 0)
		return open_created(parent, name, O_PATH);
	if (errno != EEXIST)
		return -errno;
	fd = path_open_in_root(rootfd, path, O_PATH, 0);
	if (fd == -ENOENT) {
		cleanup_free char *next = NULL;
		int r;
		if (++*nlinks > PATH_MAX_SYMLINKS)
			return -ELOOP;
		r = redirect_dangling(parent, name, path, (size_t)(n - path), "", &next);
		if (r < 0)
			return r;
		return mkfile_walk(rootfd, next, mode, nlinks);
	}
	if (fd < 0)
		return fd;
check:
	if (fstat(fd, &st) < 0) {
		int r = -errno;
		safe_close(fd);
		return r;
	}
	if (S_ISDIR(st.st_mode)) {
		safe_close(fd);
		return -EISDIR;
	}
	return fd;
}

int path_mkfile_in_root(int rootfd, const char *path, mode_t mode)
{
	unsigned nlinks = 0;
	if (!path)
		return -EINVAL;
	return mkfile_walk(rootfd, path, mode, &nlinks);
}

int path_proc_fd(int fd, char buf[static PATH_PROC_FD_MAX])
{
	if (fd < 0)
		return -EBADF;
	snprintf(buf, PATH_PROC_FD_MAX, "/proc/self/fd/%d", fd);
	return 0;
}

bool path_escapes(const char *path)
{
	long depth = 0;

	if (!path)
		return false;
	for (const char *p = path;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return false;
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return true;
		} else if (!(n == 1 && p[0] == '.')) {
			depth++;
		}
		p = end;
	}
}

bool path_has_dotdot(const char *path)
{
	if (!path)
		return false;
	for (const char *p = path;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return false;
		const char *end = strchrnul(p, '/');
		if (end - p == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p = end;
	}
}

int path_normalize(const char *path, char **ret)
{
	size_t len = strlen(path);
	bool absolute = path[0] == '/';
	/* Output never grows beyond the input, except "" -> "." */
	char *out = malloc(len + 2);
	size_t o = 0, floor;

	if (!out)
		return -ENOMEM;
	if (absolute)
		out[o++] = '/';
	floor = o; /* ".." never removes below this (absolute) or below leading ".."s */
	for (const char *p = path;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		if (n == 1 && p[0] == '.') {
			/* skip */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (o > floor) {
				while (o > floor && out[o - 1] != '/')
					o--;
				if (o > floor)
					o--; /* the separator */
			} else if (!absolute) {
				if (o > 0)
					out[o++] = '/';
				out[o++] = '.';
				out[o++] = '.';
				floor = o;
			}
		} else {
			if (o > 0 && out[o - 1] != '/')
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = end;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = 0;
	*ret = out;
	return 0;
}
