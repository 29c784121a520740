/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "unpack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "engine/image/tar.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/path.h"

#define RATIO_GRACE (256ull << 20)
#define COPY_BUF    (256u << 10)

struct dir_time {
	char *path;
	struct timespec ts[2];
};

struct unpacker {
	const struct unpack_opts *o;
	int rootfd;
	struct dstream *ds;
	struct tar_reader *tr;
	uint64_t declared; /* sum of declared entry sizes */
	char *err;
	size_t errlen;
	/* Cache of the last parent directory resolved: most entries share it. */
	char *cached_parent;
	int cached_fd;
	int tmp_fd; /* a parent fd taken out of the cache, see invalidate_parent_cache() */
	struct dir_time *times;
	size_t n_times, cap_times;
	unsigned skipped_devices;
	char *buf;
};

static ssize_t ds_read(void *userdata, void *buf, size_t len)
{
	return dstream_read(userdata, buf, len);
}

static uint64_t parse_size(const char *s, uint64_t def)
{
	if (!s || !*s)
		return def;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	switch (*end) {
	case 'T':
	case 't':
		v <<= 10; /* fall through */
	case 'G':
	case 'g':
		v <<= 10; /* fall through */
	case 'M':
	case 'm':
		v <<= 10; /* fall through */
	case 'K':
	case 'k':
		v <<= 10;
		end++;
		break;
	default:
		break;
	}
	if ((*end && !STREQ(end, "B") && !STREQ(end, "iB")) || v == 0)
		return def;
	return v;
}

void unpack_limits_default(struct unpack_limits *ret)
{
	ret->max_bytes = parse_size(getenv("KAKURI_MAX_LAYER_SIZE"), 32ull << 30);
	ret->max_entries = parse_size(getenv("KAKURI_MAX_LAYER_ENTRIES"), 2000000);
	ret->max_ratio = parse_size(getenv("KAKURI_MAX_LAYER_RATIO"), 200);
}

__attribute__((format(printf, 3, 4))) static int failf(struct unpacker *u, int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(u->err, u->errlen, fmt, ap);
	va_end(ap);
	/* Entry names are hostile: no control bytes (line or escape injection) in messages. */
	for (char *c = u->err; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return r < 0 ? r : -EINVAL;
}

enum unpack_whiteout unpack_whiteout_kind(const char *base, const char **ret_target)
{
	if (strncmp(base, ".wh.", 4) != 0)
		return UNPACK_WH_NONE;
	const char *t = base + 4;
	if (STREQ(t, ".wh..opq"))
		return UNPACK_WH_OPAQUE;
	if (strncmp(t, ".wh.", 4) == 0)
		return UNPACK_WH_META;
	if (!*t || STREQ(t, ".") || STREQ(t, ".."))
		return UNPACK_WH_INVALID;
	if (ret_target)
		*ret_target = t;
	return UNPACK_WH_FILE;
}

int unpack_clean_name(const char *name, char **ret)
{
	if (name[0] == '/')
		return -EINVAL;
	size_t n = strlen(name);
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return -ENOMEM;
	const char *p = name;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchrnul(p, '/');
		size_t len = (size_t)(e - p);
		if (len == 1 && p[0] == '.') {
			p = e;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			free(out);
			return -EINVAL;
		}
		if (o != out)
			*o++ = '/';
		memcpy(o, p, len);
		o += len;
		p = e;
	}
	*o = 0;
	*ret = out;
	return 0;
}

/* Layer paths never follow a symlink, nor leave the layer root or its filesystem. */
static int openat2_beneath(int dirfd, const char *path, int flags)
{
	return path_openat2(dirfd, path, flags | O_NOFOLLOW, 0,
			    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
}

/* Opens (creating missing components, mode 0755, owner 0:0) the directory parent
 * (a clean relative path, "" = the root). Returns a cached fd the caller must not close. */
static int open_parent(struct unpacker *u, const char *entry, const char *parent)
{
	if (u->cached_parent && STREQ(u->cached_parent, parent))
		return u->cached_fd;
	free(u->cached_parent);
	u->cached_parent = NULL;
	u->cached_fd = safe_close(u->cached_fd);

	int fd =
	    *parent ? openat2_beneath(u->rootfd, parent, O_RDONLY | O_DIRECTORY) : fcntl(u->rootfd, F_DUPFD_CLOEXEC, 3);
	if (fd == -ENOENT) {
		/* Walk and create, component by component. */
		cleanup_free char *copy = strdup(parent);
		if (!copy)
			return -ENOMEM;
		cleanup_close int cur = fcntl(u->rootfd, F_DUPFD_CLOEXEC, 3);
		if (cur < 0)
			return -errno;
		for (char *s = copy, *save = NULL, *c = strtok_r(s, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
			int next = openat2_beneath(cur, c, O_RDONLY | O_DIRECTORY);
			if (next == -ENOENT) {
				if (mkdirat(cur, c, 0755) < 0 && errno != EEXIST)
					return failf(u, -errno,
						     "layer entry '%s': cannot create parent directory '%s': %s", entry,
						     c, strerror(errno));
				next = openat2_beneath(cur, c, O_RDONLY | O_DIRECTORY);
			}
			if (next < 0) {
				fd = next;
				break;
			}
			safe_close(cur);
			cur = next;
		}
		if (fd == -ENOENT)
			fd = TAKE_FD(cur);
	}
	if (fd == -ELOOP || fd == -ENOTDIR) {
		/* Name the culprit: openat2 says ENOTDIR for a symlink opened with O_DIRECTORY. */
		cleanup_free char *walk = strdup(parent);
		if (!walk)
			return -ENOMEM;
		for (char *slash = walk;; slash++) {
			slash = strchr(slash, '/');
			if (slash)
				*slash = 0;
			struct stat st;
			if (fstatat(u->rootfd, walk, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
				return failf(u, -ELOOP, "layer entry '%s': '%s' is %s: writing through it is refused",
					     entry, walk, S_ISLNK(st.st_mode) ? "a symlink" : "not a directory");
			if (!slash)
				break;
			*slash = '/';
		}
		return failf(u, fd, "layer entry '%s': a component of '%s' is a symlink or not a directory", entry,
			     parent);
	}
	if (fd == -EXDEV)
		return failf(u, -EXDEV, "layer entry '%s': '%s' crosses a mount point", entry, parent);
	if (fd < 0)
		return failf(u, fd, "layer entry '%s': cannot open '%s': %s", entry, parent, strerror(-fd));
	u->cached_parent = strdup(parent);
	if (!u->cached_parent) {
		close(fd);
		return -ENOMEM;
	}
	u->cached_fd = fd;
	return fd;
}


static bool xattr_allowed(const struct unpacker *u, const char *name)
{
	if (strncmp(name, "trusted.overlay.", 16) == 0 || strncmp(name, "user.overlay.", 13) == 0)
		return false; /* forged whiteouts, redirects, metacopy */
	if (strncmp(name, "user.", 5) == 0 || STREQ(name, "security.capability"))
		return true;
	return !u->o->rootless && strncmp(name, "trusted.", 8) == 0;
}

static int apply_xattrs(struct unpacker *u, const struct tar_entry *e, int fd)
{
	for (size_t i = 0; i < e->n_xattrs; i++) {
		const struct tar_xattr *x = &e->xattrs[i];
		if (!xattr_allowed(u, x->name))
			continue;
		if (fsetxattr(fd, x->name, x->value, x->len, 0) < 0) {
			/* A filesystem without user xattrs, or a capability the namespace cannot
			 * express: the file is still usable, but say so. */
			if (!u->o->quiet)
				fprintf(stderr, "note: layer entry '%s': xattr %s not set: %s\n", e->path, x->name,
					strerror(errno));
		}
	}
	return 0;
}

static int check_ids(struct unpacker *u, const struct tar_entry *e)
{
	if (e->uid > UINT32_MAX - 1 || e->gid > UINT32_MAX - 1)
		return failf(u, -EINVAL, "layer entry '%s': uid/gid %llu/%llu out of range", e->path,
			     (unsigned long long)e->uid, (unsigned long long)e->gid);
	if (u->o->max_id && (e->uid > u->o->max_id || e->gid > u->o->max_id))
		return failf(u, -EOVERFLOW,
			     "layer entry '%s': owner %llu:%llu is outside the %u ids of your subordinate range "
			     "(/etc/subuid, /etc/subgid): ask for a larger range",
			     e->path, (unsigned long long)e->uid, (unsigned long long)e->gid,
			     (unsigned)u->o->max_id + 1);
	return 0;
}

static int chown_fail(struct unpacker *u, const struct tar_entry *e)
{
	int r = -errno;
	return failf(u, r, "layer entry '%s': cannot set owner %llu:%llu: %s", e->path, (unsigned long long)e->uid,
		     (unsigned long long)e->gid, strerror(-r));
}

static int write_file(struct unpacker *u, const struct tar_entry *e, int pfd, const char *name)
{
	cleanup_close int fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return failf(u, -errno, "layer entry '%s': cannot create: %s", e->path, strerror(errno));
	uint64_t left = e->size;
	bool hole = false;
	while (left > 0) {
		ssize_t n = tar_reader_read(u->tr, u->buf, COPY_BUF);
		if (n < 0)
			return failf(u, (int)n, "%s",
				     dstream_error(u->ds) ? dstream_error(u->ds) : tar_reader_error(u->tr));
		if (n == 0)
			return failf(u, -EIO, "layer entry '%s': truncated data", e->path);
		left -= (uint64_t)n;
		uint64_t out = dstream_out_bytes(u->ds), in = dstream_in_bytes(u->ds);
		if (out > RATIO_GRACE && in > 0 && out / in > u->o->limits.max_ratio)
			return failf(u, -EFBIG,
				     "layer entry '%s': decompression ratio above %llu:1 after %llu MiB (a "
				     "decompression bomb?); "
				     "raise KAKURI_MAX_LAYER_RATIO if the layer is genuine",
				     e->path, (unsigned long long)u->o->limits.max_ratio,
				     (unsigned long long)(out >> 20));
		/* Whole zero chunks become holes: an image's preallocated files stay sparse. */
		bool zero = (size_t)n == COPY_BUF && u->buf[0] == 0 && memcmp(u->buf, u->buf + 1, (size_t)n - 1) == 0;
		if (zero) {
			if (lseek(fd, n, SEEK_CUR) < 0)
				return failf(u, -errno, "layer entry '%s': seek failed: %s", e->path, strerror(errno));
			hole = true;
			continue;
		}
		int r = fs_write_all(fd, u->buf, (size_t)n);
		if (r < 0)
			return failf(u, r, "layer entry '%s': write failed: %s", e->path, strerror(-r));
		hole = false;
	}
	if (hole && ftruncate(fd, (off_t)e->size) < 0)
		return failf(u, -errno, "layer entry '%s': truncate failed: %s", e->path, strerror(errno));
	if (fchown(fd, (uid_t)e->uid, (gid_t)e->gid) < 0)
		return chown_fail(u, e);
	/* chmod after chown: chown clears setuid/setgid bits. */
	if (fchmod(fd, e->mode) < 0)
		return failf(u, -errno, "layer entry '%s': chmod failed: %s", e->path, strerror(errno));
	apply_xattrs(u, e, fd);
	struct timespec ts[2] = {{e->mtime, e->mtime_nsec}, {e->mtime, e->mtime_nsec}};
	futimens(fd, ts);
	return 0;
}

static int remember_dir_time(struct unpacker *u, const char *path, const struct tar_entry *e)
{
	if (u->n_times == u->cap_times) {
		size_t nc = u->cap_times ? u->cap_times * 2 : 256;
		struct dir_time *n = realloc(u->times, nc * sizeof(*n));
		if (!n)
			return -ENOMEM;
		u->times = n;
		u->cap_times = nc;
	}
	char *p = strdup(path);
	if (!p)
		return -ENOMEM;
	u->times[u->n_times++] = (struct dir_time){p, {{e->mtime, e->mtime_nsec}, {e->mtime, e->mtime_nsec}}};
	return 0;
}

static int make_dir(struct unpacker *u, const struct tar_entry *e, int pfd, const char *name, const char *clean)
{
	int fd;
	if (!*clean) {
		fd = fcntl(u->rootfd, F_DUPFD_CLOEXEC, 3);
	} else {
		if (mkdirat(pfd, name, 0700) < 0 && errno != EEXIST)
			return failf(u, -errno, "layer entry '%s': mkdir failed: %s", e->path, strerror(errno));
		fd = openat2_beneath(pfd, name, O_RDONLY | O_DIRECTORY);
	}
	if (fd < 0)
		return failf(u, fd, "layer entry '%s': cannot open directory: %s", e->path, strerror(-fd));
	cleanup_close int dfd = fd;
	if (fchown(dfd, (uid_t)e->uid, (gid_t)e->gid) < 0)
		return chown_fail(u, e);
	if (fchmod(dfd, e->mode) < 0)
		return failf(u, -errno, "layer entry '%s': chmod failed: %s", e->path, strerror(errno));
	apply_xattrs(u, e, dfd);
	return remember_dir_time(u, clean, e);
}

/* A removal may take away the cached parent (or one of its ancestors): forget it. The fd
 * the caller holds stays valid; it becomes owned by *ret_pfd's caller scope via u->tmp_fd. */
static void invalidate_parent_cache(struct unpacker *u, int pfd, int *ret_pfd)
{
	if (u->cached_fd == pfd) {
		safe_close(u->tmp_fd);
		u->tmp_fd = u->cached_fd; /* kept open until the next invalidation or the end */
		u->cached_fd = -EBADF;
		free(u->cached_parent);
		u->cached_parent = NULL;
		*ret_pfd = u->tmp_fd;
	}
}

static int make_whiteout(struct unpacker *u, const struct tar_entry *e, int pfd, const char *target)
{
	invalidate_parent_cache(u, pfd, &pfd);
	int r = fs_rm_rf_at(pfd, target);
	if (r < 0)
		return failf(u, r, "layer entry '%s': cannot replace '%s': %s", e->path, target, strerror(-r));
	/* Unprivileged creation of the 0:0 whiteout device is allowed since Linux 5.8. */
	if (mknodat(pfd, target, S_IFCHR | 0, makedev(0, 0)) < 0)
		return failf(u, -errno, "layer entry '%s': cannot create the overlay whiteout: %s", e->path,
			     strerror(errno));
	return 0;
}

static int make_opaque(struct unpacker *u, const struct tar_entry *e, int pfd)
{
	const char *x = u->o->rootless ? "user.overlay.opaque" : "trusted.overlay.opaque";
	if (fsetxattr(pfd, x, "y", 1, 0) < 0)
		return failf(u, -errno, "layer entry '%s': cannot mark the directory opaque (%s): %s", e->path, x,
			     strerror(errno));
	return 0;
}

static int make_hardlink(struct unpacker *u, const struct tar_entry *e, int pfd, const char *name)
{
	cleanup_free char *target = NULL;
	if (e->linkname[0] == '/' || unpack_clean_name(e->linkname, &target) < 0 || !*target)
		return failf(u, -EINVAL, "layer entry '%s': hard link target '%s' is outside the layer", e->path,
			     e->linkname);
	char *slash = strrchr(target, '/');
	const char *tname = slash ? slash + 1 : target;
	cleanup_close int tfd = -EBADF;
	if (slash) {
		*slash = 0;
		tfd = openat2_beneath(u->rootfd, target, O_PATH | O_DIRECTORY);
		*slash = '/';
		if (tfd < 0)
			return failf(u, tfd, "layer entry '%s': hard link target '%s' %s", e->path, e->linkname,
				     tfd == -ELOOP ? "goes through a symlink" : "does not exist in this layer");
	}
	struct stat st;
	if (fstatat(slash ? tfd : u->rootfd, tname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return failf(u, -errno, "layer entry '%s': hard link target '%s' does not exist in this layer", e->path,
			     e->linkname);
	if (S_ISDIR(st.st_mode))
		return failf(u, -EPERM, "layer entry '%s': hard link to the directory '%s'", e->path, e->linkname);
	if (linkat(slash ? tfd : u->rootfd, tname, pfd, name, 0) < 0)
		return failf(u, -errno, "layer entry '%s': link to '%s' failed: %s", e->path, e->linkname,
			     strerror(errno));
	return 0;
}

static int apply_entry(struct unpacker *u, const struct tar_entry *e)
{
	cleanup_free char *clean = NULL;
	int r;

	if (e->path[0] == '/')
		return failf(u, -EINVAL, "layer entry '%s': absolute path refused", e->path);
	r = unpack_clean_name(e->path, &clean);
	if (r == -EINVAL)
		return failf(u, r, "layer entry '%s': '..' in a path is refused", e->path);
	if (r < 0)
		return r;
	r = check_ids(u, e);
	if (r < 0)
		return r;
	if (!*clean) {
		if (e->type != TAR_DIR)
			return failf(u, -EINVAL, "layer entry '%s': the layer root must be a directory", e->path);
		return make_dir(u, e, u->rootfd, ".", clean);
	}

	char *slash = strrchr(clean, '/');
	const char *name = slash ? slash + 1 : clean;
	const char *target = NULL;
	enum unpack_whiteout wh = unpack_whiteout_kind(name, &target);
	if (slash)
		*slash = 0;
	int pfd = open_parent(u, e->path, slash ? clean : "");
	if (slash)
		*slash = '/';
	if (pfd < 0)
		return pfd;

	switch (wh) {
	case UNPACK_WH_INVALID:
		return failf(u, -EINVAL, "layer entry '%s': whiteout of the directory itself or its parent is refused",
			     e->path);
	case UNPACK_WH_META:
		return 0;
	case UNPACK_WH_OPAQUE:
		return make_opaque(u, e, pfd);
	case UNPACK_WH_FILE:
		return make_whiteout(u, e, pfd, target);
	case UNPACK_WH_NONE:
		break;
	}

	/* Replace what an earlier entry of this layer put there (a directory is kept when a
	 * directory entry comes again: only its metadata changes). */
	struct stat st;
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !(S_ISDIR(st.st_mode) && e->type == TAR_DIR)) {
		invalidate_parent_cache(u, pfd, &pfd);
		r = fs_rm_rf_at(pfd, name);
		if (r < 0)
			return failf(u, r, "layer entry '%s': cannot replace the existing entry: %s", e->path,
				     strerror(-r));
	}
	struct timespec ts[2] = {{e->mtime, e->mtime_nsec}, {e->mtime, e->mtime_nsec}};
	switch (e->type) {
	case TAR_REG:
		return write_file(u, e, pfd, name);
	case TAR_DIR:
		return make_dir(u, e, pfd, name, clean);
	case TAR_LNK:
		return make_hardlink(u, e, pfd, name);
	case TAR_SYM:
		if (symlinkat(e->linkname, pfd, name) < 0)
			return failf(u, -errno, "layer entry '%s': symlink failed: %s", e->path, strerror(errno));
		if (fchownat(pfd, name, (uid_t)e->uid, (gid_t)e->gid, AT_SYMLINK_NOFOLLOW) < 0)
			return chown_fail(u, e);
		utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW);
		return 0;
	case TAR_CHR:
	case TAR_BLK:
	case TAR_FIFO: {
		mode_t type = e->type == TAR_CHR ? S_IFCHR : e->type == TAR_BLK ? S_IFBLK : S_IFIFO;
		bool whiteout_dev = e->type == TAR_CHR && e->dev_major == 0 && e->dev_minor == 0;
		if (u->o->rootless && e->type != TAR_FIFO && !whiteout_dev) {
			if (!u->o->quiet)
				fprintf(stderr,
					"note: layer entry '%s': device node %u:%u skipped (rootless: cannot create "
					"devices)\n",
					e->path, e->dev_major, e->dev_minor);
			u->skipped_devices++;
			return 0;
		}
		if (mknodat(pfd, name, type | (e->mode & 07777), makedev(e->dev_major, e->dev_minor)) < 0)
			return failf(u, -errno, "layer entry '%s': mknod failed: %s", e->path, strerror(errno));
		if (fchownat(pfd, name, (uid_t)e->uid, (gid_t)e->gid, AT_SYMLINK_NOFOLLOW) < 0)
			return chown_fail(u, e);
		/* No fchmodat on the path: the node was just created by us and mknod took the mode
		 * (umask is 0 in the unpacker). */
		utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	}
	return failf(u, -EINVAL, "layer entry '%s': unknown type", e->path);
}

static void restore_dir_times(struct unpacker *u)
{
	/* Deepest first is not needed: setting a directory's times does not touch its parent. */
	for (size_t i = 0; i < u->n_times; i++) {
		const char *p = u->times[i].path;
		int fd =
		    *p ? openat2_beneath(u->rootfd, p, O_RDONLY | O_DIRECTORY) : fcntl(u->rootfd, F_DUPFD_CLOEXEC, 3);
		if (fd >= 0) {
			futimens(fd, u->times[i].ts);
			close(fd);
		}
	}
}

int unpack_layer(int fd, off_t offset, int64_t length, int dirfd, const struct unpack_opts *o,
		 struct unpack_result *res, char *err, size_t errlen)
{
	struct unpacker u = {
	    .o = o, .rootfd = dirfd, .err = err, .errlen = errlen, .cached_fd = -EBADF, .tmp_fd = -EBADF};
	const struct tar_entry *e;
	uint64_t n = 0;
	int r;

	err[0] = 0;
	*res = (struct unpack_result){0};
	u.buf = malloc(COPY_BUF);
	if (!u.buf)
		return -ENOMEM;
	r = dstream_new(fd, offset, length, &u.ds);
	if (r < 0)
		goto out;
	if (o->no_in_digest)
		dstream_skip_input_digest(u.ds);
	r = tar_reader_new(ds_read, u.ds, NULL, &u.tr);
	if (r < 0)
		goto out;
	mode_t old_umask = umask(0);
	for (;;) {
		r = tar_reader_next(u.tr, &e);
		if (r < 0) {
			const char *m = dstream_error(u.ds) ? dstream_error(u.ds) : tar_reader_error(u.tr);
			failf(&u, r, "%s", m ? m : strerror(-r));
			break;
		}
		if (r == 0)
			break;
		if (++n > o->limits.max_entries) {
			r = failf(&u, -EFBIG, "layer entry '%s': more than %llu entries (KAKURI_MAX_LAYER_ENTRIES)",
				  e->path, (unsigned long long)o->limits.max_entries);
			break;
		}
		if (e->size > o->limits.max_bytes || u.declared + e->size > o->limits.max_bytes) {
			r = failf(&u, -EFBIG,
				  "layer entry '%s': its %llu bytes take the layer past the size limit of %llu bytes "
				  "(KAKURI_MAX_LAYER_SIZE)",
				  e->path, (unsigned long long)e->size, (unsigned long long)o->limits.max_bytes);
			break;
		}
		u.declared += e->size;
		r = apply_entry(&u, e);
		if (r < 0)
			break;
	}
	umask(old_umask);
	if (r < 0)
		goto out;
	/* The diff_id covers the whole stream, padding after the end-of-archive blocks
	 * included; that padding is bounded like the rest. */
	for (;;) {
		ssize_t k = dstream_read(u.ds, u.buf, COPY_BUF);
		if (k < 0) {
			r = failf(&u, (int)k, "%s", dstream_error(u.ds) ? dstream_error(u.ds) : strerror((int)-k));
			goto out;
		}
		if (k == 0)
			break;
		uint64_t out = dstream_out_bytes(u.ds), in = dstream_in_bytes(u.ds);
		if (out > o->limits.max_bytes || (out > RATIO_GRACE && in > 0 && out / in > o->limits.max_ratio)) {
			r = failf(&u, -EFBIG,
				  "layer data after the end of the tar archive exceeds the size or ratio limit "
				  "(a decompression bomb?)");
			goto out;
		}
	}
	restore_dir_times(&u);
	dstream_digests(u.ds, res->in_digest, res->diff_id);
	res->tar_bytes = dstream_out_bytes(u.ds);
	res->in_bytes = dstream_in_bytes(u.ds);
	res->entries = n;
	res->compression = dstream_compression(u.ds);
	res->skipped_devices = u.skipped_devices;
	r = 0;
out:
	tar_reader_free(u.tr);
	dstream_free(u.ds);
	free(u.buf);
	free(u.cached_parent);
	safe_close(u.cached_fd);
	safe_close(u.tmp_fd);
	for (size_t i = 0; i < u.n_times; i++)
		free(u.times[i].path);
	free(u.times);
	if (r < 0 && !err[0])
		snprintf(err, errlen, "%s", strerror(-r));
	return r;
}
