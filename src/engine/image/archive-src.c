/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "archive-src.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/image/decompress.h"
#include "engine/image/tar.h"
#include "engine/image/unpack.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/path.h"

#define MAX_MEMBERS 100000

struct reader {
	int fd;
	off_t pos;
};

static ssize_t rd(void *ud, void *buf, size_t len)
{
	struct reader *r = ud;
	ssize_t n;
	do
		n = pread(r->fd, buf, len, r->pos);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	r->pos += n;
	return n;
}

static int skip(void *ud, uint64_t n)
{
	struct reader *r = ud;
	r->pos += (off_t)n;
	return 0;
}

void archive_src_close(struct archive_src *a)
{
	a->dirfd = safe_close(a->dirfd);
	a->fd = safe_close(a->fd);
	for (size_t i = 0; i < a->n; i++) {
		free(a->m[i].name);
		free(a->m[i].link);
	}
	free(a->m);
	a->m = NULL;
	a->n = 0;
}

static struct archive_member *lookup(const struct archive_src *a, const char *name)
{
	/* Last one wins, as when extracting. */
	for (size_t i = a->n; i > 0; i--)
		if (STREQ(a->m[i - 1].name, name))
			return &a->m[i - 1];
	return NULL;
}

static int add_member(struct archive_src *a, const char *clean, off_t off, int64_t size, const char *link)
{
	if (a->n >= MAX_MEMBERS)
		return -E2BIG;
	struct archive_member *nm = realloc(a->m, (a->n + 1) * sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	a->m = nm;
	nm[a->n] = (struct archive_member){strdup(clean), off, size, link ? strdup(link) : NULL};
	if (!nm[a->n].name)
		return -ENOMEM;
	a->n++;
	return 0;
}

/* "dir/x" with symlink target "../y/z" → "y/z"; NULL if it leaves the archive. */
static char *resolve_link(const char *member, const char *target)
{
	cleanup_free char *joined = NULL, *norm = NULL;
	if (target[0] == '/')
		return NULL;
	const char *slash = strrchr(member, '/');
	if (asprintf(&joined, "%.*s%s%s", slash ? (int)(slash - member) : 0, member, slash ? "/" : "", target) < 0)
		return NULL;
	if (path_normalize(joined, &norm) < 0 || path_escapes(norm))
		return NULL;
	return TAKE_PTR(norm);
}

static int index_tar(struct archive_src *a, const char *path)
{
	struct reader rr = {a->fd, 0};
	struct tar_reader *tr = NULL;
	const struct tar_entry *e;
	int r = tar_reader_new(rd, &rr, NULL, &tr);
	if (r < 0)
		return r;
	tar_reader_set_skip(tr, skip);
	while ((r = tar_reader_next(tr, &e)) > 0) {
		cleanup_free char *clean = NULL;
		if (unpack_clean_name(e->path, &clean) < 0 || !*clean)
			continue; /* names leaving the archive are never looked up */
		if (e->type == TAR_REG)
			r = add_member(a, clean, rr.pos, (int64_t)e->size, NULL);
		else if (e->type == TAR_SYM) {
			cleanup_free char *t = resolve_link(clean, e->linkname);
			r = t ? add_member(a, clean, 0, -1, t) : 0;
		} else if (e->type == TAR_LNK) {
			cleanup_free char *t = NULL;
			struct archive_member *m;
			if (unpack_clean_name(e->linkname, &t) == 0 && (m = lookup(a, t)) && !m->link)
				r = add_member(a, clean, m->offset, m->size, NULL);
		}
		if (r < 0)
			break;
	}
	if (r < 0) {
		const char *why = tar_reader_error(tr);
		tar_reader_free(tr);
		return log_error_errno(r, "%s: not a readable image archive: %s", path, why ? why : strerror(-r));
	}
	tar_reader_free(tr);
	/* Resolve symlink members (docker save links duplicate layers), one level deep. */
	for (size_t i = 0; i < a->n; i++) {
		struct archive_member *m = &a->m[i];
		if (!m->link)
			continue;
		struct archive_member *t = lookup(a, m->link);
		if (t && !t->link) {
			m->offset = t->offset;
			m->size = t->size;
		}
		free(m->link);
		m->link = NULL;
		if (!t || m->size < 0) {
			free(m->name);
			m->name = strdup(""); /* unresolvable: never matches */
			if (!m->name)
				return -ENOMEM;
		}
	}
	return 0;
}

/* Compressed or not a regular file: decompress into the scratch dir, return that fd. */
static int spool(struct store *s, int fd, const char *path)
{
	cleanup_free char *name = NULL;
	int r = store_tmp_mkdir(s, "archive", &name);
	if (r < 0)
		return r;
	char rel[256];
	snprintf(rel, sizeof(rel), "%s/archive.tar", name);
	int out = openat(s->tmpfd, rel, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0)
		return log_error_errno(-errno, "Failed to create a scratch file: %m");
	struct dstream *d = NULL;
	r = dstream_new(fd, 0, -1, &d);
	if (r < 0) {
		close(out);
		return r;
	}
	char buf[65536];
	ssize_t n;
	while ((n = dstream_read(d, buf, sizeof(buf))) > 0) {
		r = fs_write_all(out, buf, (size_t)n);
		if (r < 0)
			break;
	}
	if (n < 0)
		r = log_error_errno((int)n, "%s: %s", path, dstream_error(d) ? dstream_error(d) : strerror((int)-n));
	else if (r < 0)
		r = log_error_errno(r, "Failed to write a scratch file: %m");
	dstream_free(d);
	if (r < 0) {
		close(out);
		return r;
	}
	return out;
}

int archive_src_open(struct store *s, const char *path, struct archive_src *ret)
{
	struct archive_src a = {.dirfd = -EBADF, .fd = -EBADF};
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return log_error_errno(-errno, "Cannot open %s: %m", path);
	if (fstat(fd, &st) < 0) {
		int r = -errno;
		close(fd);
		return log_error_errno(r, "Cannot stat %s: %m", path);
	}
	if (S_ISDIR(st.st_mode)) {
		a.dirfd = fd;
		*ret = a;
		return 0;
	}
	unsigned char magic[4] = {0};
	bool compressed = false;
	if (S_ISREG(st.st_mode)) {
		ssize_t n = pread(fd, magic, sizeof(magic), 0);
		compressed = n >= 2 &&
			     ((magic[0] == 0x1f && magic[1] == 0x8b) ||
			      (n == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd));
	}
	if (!S_ISREG(st.st_mode) || compressed) {
		int out = spool(s, fd, path);
		close(fd);
		if (out < 0)
			return out;
		fd = out;
	}
	a.fd = fd;
	int r = index_tar(&a, path);
	if (r < 0) {
		archive_src_close(&a);
		return r;
	}
	*ret = a;
	return 0;
}

int archive_src_find(const struct archive_src *a, const char *name, int *ret_fd, bool *ret_owned, off_t *ret_offset,
		     int64_t *ret_size)
{
	if (a->dirfd >= 0) {
		int fd = path_open_in_root(a->dirfd, name, O_RDONLY | O_NOCTTY, 0);
		struct stat st;
		if (fd < 0)
			return fd;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			return -ENOENT;
		}
		*ret_fd = fd;
		*ret_owned = true;
		*ret_offset = 0;
		*ret_size = st.st_size;
		return 0;
	}
	const struct archive_member *m = lookup(a, name);
	if (!m || m->size < 0)
		return -ENOENT;
	*ret_fd = a->fd;
	*ret_owned = false;
	*ret_offset = m->offset;
	*ret_size = m->size;
	return 0;
}

int archive_src_read(const struct archive_src *a, const char *name, size_t max, char **ret, size_t *ret_len)
{
	int fd;
	bool owned;
	off_t off;
	int64_t size;
	int r = archive_src_find(a, name, &fd, &owned, &off, &size);
	if (r < 0)
		return r;
	if (size < 0 || (uint64_t)size > max) {
		if (owned)
			close(fd);
		return -EFBIG;
	}
	char *buf = malloc((size_t)size + 1);
	if (!buf) {
		if (owned)
			close(fd);
		return -ENOMEM;
	}
	size_t got = 0;
	while (got < (size_t)size) {
		ssize_t n = pread(fd, buf + got, (size_t)size - got, off + (off_t)got);
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			break;
		}
		got += (size_t)n;
	}
	if (owned)
		close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[size] = 0;
	*ret = buf;
	if (ret_len)
		*ret_len = (size_t)size;
	return 0;
}

int archive_src_copy(struct store *s, const struct archive_src *a, const char *name, char **ret_name,
		     char ret_digest[DIGEST_STRING_SIZE], int64_t *ret_size)
{
	int fd;
	bool owned;
	off_t off;
	int64_t size;
	int r = archive_src_find(a, name, &fd, &owned, &off, &size);
	if (r < 0)
		return r;
	const char *tmp;
	int tfd = store_tmp(s, &tmp);
	if (tfd < 0) {
		if (owned)
			close(fd);
		return tfd;
	}
	static unsigned seq;
	char fname[64];
	snprintf(fname, sizeof(fname), "blob-%u-%d", ++seq, (int)getpid());
	cleanup_close int out = openat(tfd, fname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		r = -errno;
		if (owned)
			close(fd);
		return log_error_errno(r, "Failed to create a scratch file: %m");
	}
	struct sha256_ctx c;
	sha256_init(&c);
	cleanup_free char *buf = malloc(1u << 20);
	int64_t left = size;
	r = buf ? 0 : -ENOMEM;
	while (r == 0 && left > 0) {
		size_t want = left > (1 << 20) ? (1u << 20) : (size_t)left;
		ssize_t n = pread(fd, buf, want, off + (size - left));
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			break;
		}
		sha256_update(&c, buf, (size_t)n);
		r = fs_write_all(out, buf, (size_t)n);
		left -= n;
	}
	if (owned)
		close(fd);
	if (r < 0) {
		unlinkat(tfd, fname, 0);
		return log_error_errno(r, "Failed to copy %s out of the archive: %m", name);
	}
	digest_final(&c, ret_digest);
	*ret_name = strdup(fname);
	if (ret_size)
		*ret_size = size;
	return *ret_name ? 0 : -ENOMEM;
}
