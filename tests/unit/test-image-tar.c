/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/image/tar and unpack: the tar parser on well-formed and malformed input, entry
 * name validation, whiteout classification, and extraction of a small layer into a
 * temporary directory (whiteouts in overlay form, hostile entries refused). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "engine/image/tar.h"
#include "engine/image/unpack.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "tap.h"

/* ---- building archives in memory ---- */

struct buf {
	char *p;
	size_t len, cap, pos;
};

static void put(struct buf *b, const void *d, size_t n)
{
	if (n == 0)
		return;
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void pad(struct buf *b)
{
	static const char zero[512];
	if (b->len % 512)
		put(b, zero, 512 - b->len % 512);
}

static void header(struct buf *b, const char *name, char type, unsigned long long size, const char *link, bool base256)
{
	char h[512] = {0};
	snprintf(h, 100, "%s", name);
	snprintf(h + 100, 8, "%07o", 0644);
	snprintf(h + 108, 8, "%07o", 1000);
	snprintf(h + 116, 8, "%07o", 1000);
	if (base256) {
		h[124] = (char)0x80;
		for (int i = 11; i > 0; i--, size >>= 8)
			h[124 + i] = (char)(size & 0xff);
	} else {
		snprintf(h + 124, 12, "%011llo", size & 077777777777ull);
	}
	snprintf(h + 136, 12, "%011o", 0);
	h[156] = type;
	if (link)
		snprintf(h + 157, 100, "%s", link);
	memcpy(h + 257,
	       "ustar\0"
	       "00",
	       8);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	put(b, h, 512);
}

static void file(struct buf *b, const char *name, const char *data)
{
	header(b, name, '0', strlen(data), NULL, false);
	put(b, data, strlen(data));
	pad(b);
}

static void pax(struct buf *b, const char *records)
{
	header(b, "././@PaxHeader", 'x', strlen(records), NULL, false);
	put(b, records, strlen(records));
	pad(b);
}

/* Appends one "LEN key=value\n" record (LEN counts the whole record, itself included). */
static void rec(char *out, size_t len, const char *k, const char *v)
{
	size_t body = strlen(k) + strlen(v) + 3, n = body + 1;
	while (snprintf(NULL, 0, "%zu", n) + body != n)
		n++;
	size_t o = strlen(out);
	snprintf(out + o, len - o, "%zu %s=%s\n", n, k, v);
}

static void end(struct buf *b)
{
	static const char zero[1024];
	put(b, zero, sizeof(zero));
}

static ssize_t rd(void *ud, void *out, size_t n)
{
	struct buf *b = ud;
	if (n > b->len - b->pos)
		n = b->len - b->pos;
	if (n == 0)
		return 0;
	memcpy(out, b->p + b->pos, n);
	b->pos += n;
	return (ssize_t)n;
}

/* Parses b fully; returns the number of entries or -errno; *err gets the message. */
static int parse_all(struct buf *b, char names[][256], size_t max, char *err, size_t errlen)
{
	struct tar_reader *tr = NULL;
	const struct tar_entry *e;
	int n = 0, r;
	b->pos = 0;
	CHECK(tar_reader_new(rd, b, NULL, &tr) == 0);
	while ((r = tar_reader_next(tr, &e)) > 0) {
		if ((size_t)n < max)
			snprintf(names[n], 256, "%s", e->path);
		char data[64];
		while (tar_reader_read(tr, data, sizeof(data)) > 0)
			;
		n++;
	}
	if (r < 0 && err)
		snprintf(err, errlen, "%s", tar_reader_error(tr) ? tar_reader_error(tr) : "?");
	tar_reader_free(tr);
	return r < 0 ? r : n;
}

TEST(tar_reads_ustar_pax_and_gnu)
{
	struct buf b = {0};
	char names[8][256] = {{0}}, err[256];
	char longname[300];
	memset(longname, 'a', 250);
	strcpy(longname + 250, "/file");
	file(&b, "./etc/hostname", "kakuri\n");
	/* pax path beyond 100 bytes + xattr */
	char rec[600];
	/* "LEN path=VALUE\n": LEN counts itself (3 digits here), the space, key, '=' and '\n' */
	snprintf(rec, sizeof(rec), "%zu path=%s\n", strlen(longname) + 3 + 1 + 5 + 1, longname);
	pax(&b, rec);
	file(&b, "placeholder", "x");
	/* GNU long name */
	header(&b, "././@LongLink", 'L', 11, NULL, false);
	put(&b, "gnu/longish", 11);
	pad(&b);
	file(&b, "short", "y");
	end(&b);
	CHECK(parse_all(&b, names, 8, err, sizeof(err)) == 3);
	CHECK_STREQ(names[0], "./etc/hostname");
	CHECK_STREQ(names[1], longname);
	CHECK_STREQ(names[2], "gnu/longish");
	free(b.p);
}

TEST(tar_pax_overrides_and_xattrs)
{
	struct buf b = {0};
	struct tar_reader *tr = NULL;
	const struct tar_entry *e;
	char r[256] = "";
	rec(r, sizeof(r), "uid", "4294967294");
	rec(r, sizeof(r), "mtime", "12.5");
	rec(r, sizeof(r), "SCHILY.xattr.user.kk", "val");
	pax(&b, r);
	file(&b, "f", "data");
	end(&b);
	CHECK(tar_reader_new(rd, &b, NULL, &tr) == 0);
	CHECK(tar_reader_next(tr, &e) == 1);
	CHECK(e->uid == 4294967294ull);
	CHECK(e->mtime == 12 && e->mtime_nsec == 500000000);
	CHECK(e->n_xattrs == 1);
	if (e->n_xattrs == 1) {
		CHECK_STREQ(e->xattrs[0].name, "user.kk");
		CHECK(e->xattrs[0].len == 3 && memcmp(e->xattrs[0].value, "val", 3) == 0);
	}
	CHECK(tar_reader_next(tr, &e) == 0);
	tar_reader_free(tr);
	free(b.p);
}

TEST(tar_base256_size)
{
	struct buf b = {0};
	struct tar_reader *tr = NULL;
	const struct tar_entry *e;
	header(&b, "big", '0', 10ull << 30, NULL, true);
	CHECK(tar_reader_new(rd, &b, NULL, &tr) == 0);
	CHECK(tar_reader_next(tr, &e) == 1);
	CHECK(e->size == 10ull << 30);
	tar_reader_free(tr);
	free(b.p);
}

TEST(tar_rejects_malformed)
{
	char names[4][256], err[256];
	struct buf b = {0};
	/* bad checksum */
	file(&b, "f", "x");
	b.p[148] = '7';
	end(&b);
	CHECK(parse_all(&b, names, 4, err, sizeof(err)) == -EINVAL);
	CHECK_CONTAINS(err, "checksum");
	free(b.p);
	/* truncated data */
	b = (struct buf){0};
	header(&b, "f", '0', 5000, NULL, false);
	put(&b, "abc", 3);
	CHECK(parse_all(&b, names, 4, err, sizeof(err)) < 0);
	CHECK_CONTAINS(err, "truncated");
	free(b.p);
	/* sparse */
	b = (struct buf){0};
	header(&b, "s", 'S', 0, NULL, false);
	end(&b);
	CHECK(parse_all(&b, names, 4, err, sizeof(err)) == -EOPNOTSUPP);
	CHECK_CONTAINS(err, "sparse");
	free(b.p);
	/* pax sparse */
	b = (struct buf){0};
	char sp[64] = "";
	rec(sp, sizeof(sp), "GNU.sparse.major", "1");
	pax(&b, sp);
	file(&b, "f", "x");
	end(&b);
	CHECK(parse_all(&b, names, 4, err, sizeof(err)) == -EOPNOTSUPP);
	free(b.p);
	/* malformed pax record length */
	b = (struct buf){0};
	pax(&b, "99 path=x\n");
	file(&b, "f", "x");
	end(&b);
	CHECK(parse_all(&b, names, 4, err, sizeof(err)) == -EINVAL);
	CHECK_CONTAINS(err, "pax record");
	free(b.p);
	/* data on a directory */
	b = (struct buf){0};
	header(&b, "d/", '5', 512, NULL, false);
	end(&b);
	CHECK(parse_all(&b, names, 4, err, sizeof(err)) == -EINVAL);
	CHECK_CONTAINS(err, "non-regular");
	free(b.p);
	/* empty input */
	b = (struct buf){0};
	put(&b, "", 0);
	CHECK(parse_all(&b, names, 4, err, sizeof(err)) == -EIO);
	free(b.p);
}

TEST(whiteout_kinds)
{
	const char *t = NULL;
	CHECK(unpack_whiteout_kind("file", &t) == UNPACK_WH_NONE);
	CHECK(unpack_whiteout_kind(".wh.file", &t) == UNPACK_WH_FILE);
	CHECK_STREQ(t, "file");
	CHECK(unpack_whiteout_kind(".wh..wh..opq", &t) == UNPACK_WH_OPAQUE);
	CHECK(unpack_whiteout_kind(".wh..wh.plnk", &t) == UNPACK_WH_META);
	CHECK(unpack_whiteout_kind(".wh.", &t) == UNPACK_WH_INVALID);
	CHECK(unpack_whiteout_kind(".wh..", &t) == UNPACK_WH_INVALID);
	CHECK(unpack_whiteout_kind(".wh...", &t) == UNPACK_WH_INVALID);
	CHECK(unpack_whiteout_kind(".wh.x.wh.", &t) == UNPACK_WH_FILE);
	CHECK(unpack_whiteout_kind(".whfile", &t) == UNPACK_WH_NONE);
}

TEST(clean_names)
{
	char *c = NULL;
	CHECK(unpack_clean_name("./etc//passwd", &c) == 0);
	CHECK_STREQ(c, "etc/passwd");
	free(c);
	CHECK(unpack_clean_name("./", &c) == 0);
	CHECK_STREQ(c, "");
	free(c);
	CHECK(unpack_clean_name("a/./b/", &c) == 0);
	CHECK_STREQ(c, "a/b");
	free(c);
	CHECK(unpack_clean_name("a/../b", &c) == -EINVAL);
	CHECK(unpack_clean_name("..", &c) == -EINVAL);
	CHECK(unpack_clean_name("/etc/passwd", &c) == -EINVAL);
	CHECK(unpack_clean_name("a/..b", &c) == 0);
	CHECK_STREQ(c, "a/..b");
	free(c);
}

/* ---- extraction ---- */

static int memfd_of(struct buf *b)
{
	int fd = memfd_create("layer", MFD_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(fs_write_all(fd, b->p, b->len) == 0);
	return fd;
}

static int unpack_buf(struct buf *b, const char *dir, char *err, size_t errlen)
{
	struct unpack_opts o = {.rootless = true, .quiet = true};
	struct unpack_result res;
	unpack_limits_default(&o.limits);
	cleanup_close int fd = memfd_of(b);
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(dfd >= 0);
	return unpack_layer(fd, 0, (int64_t)b->len, dfd, &o, &res, err, errlen);
}

static char *mktmp(void)
{
	char *d = strdup("/tmp/kk-test-unpack-XXXXXX");
	CHECK(mkdtemp(d) != NULL);
	return d;
}

TEST(unpack_layer_overlay_form)
{
	struct buf b = {0};
	char err[512], p[512];
	struct stat st;
	cleanup_free char *d = mktmp();
	header(&b, "dir/", '5', 0, NULL, false);
	file(&b, "dir/a", "A");
	header(&b, "dir/hard", '1', 0, "dir/a", false);
	header(&b, "dir/sym", '2', 0, "/nowhere", false);
	file(&b, "dir/.wh.gone", "");
	file(&b, "dir/.wh..wh..opq", "");
	file(&b, "dir/.wh..wh.plnk", "");
	end(&b);
	int r = unpack_buf(&b, d, err, sizeof(err));
	CHECK(r == 0);
	if (r < 0)
		printf("# %s\n", err);
	snprintf(p, sizeof(p), "%s/dir/gone", d);
	CHECK(lstat(p, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
	snprintf(p, sizeof(p), "%s/dir", d);
	char v[4] = {0};
	CHECK(getxattr(p, "user.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y');
	snprintf(p, sizeof(p), "%s/dir/hard", d);
	CHECK(lstat(p, &st) == 0 && st.st_nlink == 2);
	snprintf(p, sizeof(p), "%s/dir/sym", d);
	CHECK(lstat(p, &st) == 0 && S_ISLNK(st.st_mode));
	snprintf(p, sizeof(p), "%s/dir/.wh..wh.plnk", d);
	CHECK(lstat(p, &st) < 0);
	fs_rm_rf(d);
	free(b.p);
}

static void expect_refused(void (*build)(struct buf *), const char *phrase)
{
	struct buf b = {0};
	char err[512];
	cleanup_free char *d = mktmp();
	build(&b);
	end(&b);
	CHECK(unpack_buf(&b, d, err, sizeof(err)) < 0);
	CHECK_CONTAINS(err, phrase);
	fs_rm_rf(d);
	free(b.p);
}

static void b_dotdot(struct buf *b)
{
	file(b, "../x", "x");
}
static void b_abs(struct buf *b)
{
	file(b, "/x", "x");
}
static void b_symlink(struct buf *b)
{
	header(b, "l", '2', 0, "/", false);
	file(b, "l/x", "x");
}
static void b_hardlink(struct buf *b)
{
	header(b, "h", '1', 0, "/etc/passwd", false);
}
static void b_whparent(struct buf *b)
{
	file(b, "d/.wh..", "");
}

TEST(unpack_refuses_hostile_entries)
{
	expect_refused(b_dotdot, "'..' in a path is refused");
	expect_refused(b_abs, "absolute path refused");
	expect_refused(b_symlink, "'l' is a symlink");
	expect_refused(b_hardlink, "outside the layer");
	expect_refused(b_whparent, "whiteout of the directory itself");
}

TEST(unpack_size_limit)
{
	struct buf b = {0};
	char err[512];
	struct unpack_opts o = {.quiet = true, .rootless = true};
	struct unpack_result res;
	cleanup_free char *d = mktmp();
	unpack_limits_default(&o.limits);
	o.limits.max_bytes = 1000;
	header(&b, "big", '0', 5000, NULL, false);
	end(&b);
	cleanup_close int fd = memfd_of(&b);
	cleanup_close int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(unpack_layer(fd, 0, (int64_t)b.len, dfd, &o, &res, err, sizeof(err)) == -EFBIG);
	CHECK_CONTAINS(err, "size limit");
	fs_rm_rf(d);
	free(b.p);
}

TAP_MAIN
