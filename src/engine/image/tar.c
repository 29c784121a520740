/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tar.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/fs.h"

#define BLOCK 512

struct tar_reader {
	tar_read_fn read_fn;
	tar_skip_fn skip_fn;
	void *userdata;
	struct tar_limits lim;
	struct tar_entry e;
	uint64_t data_left; /* bytes of the current entry's data not yet consumed */
	uint64_t pad_left;  /* padding after it */
	bool ended;
	uint64_t n_entries;
	char err[512];
};

static void entry_clear(struct tar_entry *e)
{
	free(e->path);
	free(e->linkname);
	for (size_t i = 0; i < e->n_xattrs; i++) {
		free(e->xattrs[i].name);
		free(e->xattrs[i].value);
	}
	free(e->xattrs);
	*e = (struct tar_entry){0};
}

__attribute__((format(printf, 3, 4))) static int fail(struct tar_reader *tr, int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tr->err, sizeof(tr->err), fmt, ap);
	va_end(ap);
	/* Entry names are hostile: no control bytes (line or escape injection) in messages. */
	for (char *c = tr->err; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return r;
}

int tar_reader_new(tar_read_fn read_fn, void *userdata, const struct tar_limits *lim, struct tar_reader **ret)
{
	struct tar_reader *tr = calloc(1, sizeof(*tr));
	if (!tr)
		return -ENOMEM;
	tr->read_fn = read_fn;
	tr->userdata = userdata;
	if (lim)
		tr->lim = *lim;
	if (!tr->lim.max_path)
		tr->lim.max_path = 4096;
	if (!tr->lim.max_pax)
		tr->lim.max_pax = 1u << 20;
	if (!tr->lim.max_xattr_size)
		tr->lim.max_xattr_size = 64u << 10;
	if (!tr->lim.max_xattrs)
		tr->lim.max_xattrs = 128;
	*ret = tr;
	return 0;
}

void tar_reader_free(struct tar_reader *tr)
{
	if (!tr)
		return;
	entry_clear(&tr->e);
	free(tr);
}

const char *tar_reader_error(const struct tar_reader *tr)
{
	return tr->err[0] ? tr->err : NULL;
}

/* Fills len bytes. Returns 1, 0 if the input ended before the first byte, -EIO if it
 * ended in the middle. */
static int read_full(struct tar_reader *tr, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t n = tr->read_fn(tr->userdata, p + got, len - got);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return got == 0 ? 0 : -EIO;
		got += (size_t)n;
	}
	return 1;
}

void tar_reader_set_skip(struct tar_reader *tr, tar_skip_fn skip_fn)
{
	tr->skip_fn = skip_fn;
}

static int skip_bytes(struct tar_reader *tr, uint64_t n)
{
	char buf[16384];
	if (tr->skip_fn && n > 0)
		return tr->skip_fn(tr->userdata, n);
	while (n > 0) {
		size_t k = n > sizeof(buf) ? sizeof(buf) : (size_t)n;
		int r = read_full(tr, buf, k);
		if (r <= 0)
			return r == 0 ? -EIO : r;
		n -= k;
	}
	return 0;
}

/* Numeric header field: octal (NUL/space terminated, leading spaces allowed) or GNU
 * base-256 (high bit of the first byte set). -ERANGE on overflow, -EINVAL on junk. */
static int parse_number(const char *f, size_t len, bool allow_negative, int64_t *ret)
{
	if ((unsigned char)f[0] & 0x80) {
		bool neg = (unsigned char)f[0] == 0xff;
		uint64_t v = neg ? UINT64_MAX : 0;
		if (neg && !allow_negative)
			return -ERANGE;
		/* The first byte contributes its low 7 bits (0x80 marker), or is all-ones. */
		size_t i = 0;
		if (!neg) {
			v = (unsigned char)f[0] & 0x7f;
			i = 1;
		}
		for (; i < len; i++) {
			if (!neg && v > (UINT64_MAX >> 8))
				return -ERANGE;
			v = (v << 8) | (unsigned char)f[i];
		}
		if (!neg && v > INT64_MAX)
			return -ERANGE;
		*ret = (int64_t)v;
		return 0;
	}
	size_t i = 0;
	while (i < len && f[i] == ' ')
		i++;
	uint64_t v = 0;
	bool any = false;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (UINT64_MAX >> 3))
			return -ERANGE;
		v = (v << 3) | (uint64_t)(f[i] - '0');
		any = true;
	}
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != 0)
			return -EINVAL;
	if (v > INT64_MAX)
		return -ERANGE;
	*ret = any ? (int64_t)v : 0;
	return 0;
}

static bool checksum_ok(const unsigned char *h)
{
	int64_t want;
	if (parse_number((const char *)h + 148, 8, false, &want) < 0)
		return false;
	uint64_t u = 0;
	int64_t s = 0;
	for (int i = 0; i < BLOCK; i++) {
		unsigned char c = (i >= 148 && i < 156) ? ' ' : h[i];
		u += c;
		s += (signed char)c;
	}
	return (int64_t)u == want || s == want;
}

static bool all_zero(const unsigned char *h)
{
	for (int i = 0; i < BLOCK; i++)
		if (h[i])
			return false;
	return true;
}

static char *field_dup(const char *f, size_t len)
{
	return strndup(f, strnlen(f, len));
}

/* Overrides collected from pax 'x' and GNU 'L'/'K' headers for the next entry. */
struct pending {
	char *path, *linkname;
	bool has_size, has_uid, has_gid, has_mtime;
	int64_t size, uid, gid, mtime;
	long mtime_nsec;
	struct tar_xattr *xattrs;
	size_t n_xattrs, xattr_bytes;
};

static void pending_clear(struct pending *p)
{
	free(p->path);
	free(p->linkname);
	for (size_t i = 0; i < p->n_xattrs; i++) {
		free(p->xattrs[i].name);
		free(p->xattrs[i].value);
	}
	free(p->xattrs);
	*p = (struct pending){0};
}

/* Reads an extended header's data (size bytes + padding) into a NUL-terminated buffer. */
static int read_ext_data(struct tar_reader *tr, int64_t size, size_t max, char **ret, const char *what)
{
	if (size < 0 || (uint64_t)size > max)
		return fail(tr, -E2BIG, "%s header of %lld bytes exceeds the limit of %zu", what, (long long)size, max);
	cleanup_free char *buf = malloc((size_t)size + 1);
	if (!buf)
		return -ENOMEM;
	int r = size ? read_full(tr, buf, (size_t)size) : 1;
	if (r <= 0)
		return fail(tr, r == 0 ? -EIO : r, "truncated %s header", what);
	buf[size] = 0;
	uint64_t pad = (BLOCK - ((uint64_t)size % BLOCK)) % BLOCK;
	r = skip_bytes(tr, pad);
	if (r < 0)
		return fail(tr, r, "truncated %s header", what);
	*ret = TAKE_PTR(buf);
	return (int)size;
}

static int parse_decimal(const char *s, size_t len, bool frac, int64_t *ret, long *ret_nsec)
{
	size_t i = 0;
	bool neg = false;
	uint64_t v = 0;
	long ns = 0;
	if (frac && i < len && s[i] == '-') {
		neg = true;
		i++;
	}
	if (i >= len || s[i] < '0' || s[i] > '9')
		return -EINVAL;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (uint64_t)INT64_MAX / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > INT64_MAX)
		return -ERANGE;
	if (frac && i < len && s[i] == '.') {
		int digits = 0;
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			if (digits < 9) {
				ns = ns * 10 + (s[i] - '0');
				digits++;
			}
		for (; digits < 9; digits++)
			ns *= 10;
	}
	if (i != len)
		return -EINVAL;
	*ret = neg ? -(int64_t)v : (int64_t)v;
	if (ret_nsec)
		*ret_nsec = neg ? 0 : ns;
	return 0;
}

static int pax_record(struct tar_reader *tr, struct pending *p, const char *key, const char *val, size_t vlen)
{
	int64_t n;
	if (STREQ(key, "path") || STREQ(key, "linkpath")) {
		if (memchr(val, 0, vlen))
			return fail(tr, -EINVAL, "pax %s contains a NUL byte", key);
		if (vlen > tr->lim.max_path)
			return fail(tr, -ENAMETOOLONG, "pax %s of %zu bytes exceeds the limit of %zu", key, vlen,
				    tr->lim.max_path);
		char **dst = STREQ(key, "path") ? &p->path : &p->linkname;
		free(*dst);
		*dst = strndup(val, vlen);
		return *dst ? 0 : -ENOMEM;
	}
	if (STREQ(key, "size") || STREQ(key, "uid") || STREQ(key, "gid")) {
		if (parse_decimal(val, vlen, false, &n, NULL) < 0)
			return fail(tr, -EINVAL, "pax %s '%.*s' is not a number", key, (int)(vlen > 32 ? 32 : vlen),
				    val);
		if (key[0] == 's') {
			p->size = n;
			p->has_size = true;
		} else if (key[0] == 'u') {
			p->uid = n;
			p->has_uid = true;
		} else {
			p->gid = n;
			p->has_gid = true;
		}
		return 0;
	}
	if (STREQ(key, "mtime")) {
		if (parse_decimal(val, vlen, true, &p->mtime, &p->mtime_nsec) < 0)
			return fail(tr, -EINVAL, "pax mtime '%.*s' is not a time", (int)(vlen > 32 ? 32 : vlen), val);
		p->has_mtime = true;
		return 0;
	}
	if (strncmp(key, "GNU.sparse.", 11) == 0)
		return fail(tr, -EOPNOTSUPP, "sparse files (pax %s) are not supported in image layers", key);
	if (strncmp(key, "SCHILY.xattr.", 13) == 0) {
		const char *name = key + 13;
		if (!name[0])
			return fail(tr, -EINVAL, "pax xattr record without a name");
		if (p->n_xattrs >= tr->lim.max_xattrs)
			return fail(tr, -E2BIG, "more than %zu xattrs on one entry", tr->lim.max_xattrs);
		if (vlen > tr->lim.max_xattr_size || p->xattr_bytes + vlen > tr->lim.max_xattr_size)
			return fail(tr, -E2BIG, "xattrs of one entry exceed %zu bytes", tr->lim.max_xattr_size);
		struct tar_xattr *nx = realloc(p->xattrs, (p->n_xattrs + 1) * sizeof(*nx));
		if (!nx)
			return -ENOMEM;
		p->xattrs = nx;
		char *nm = strdup(name), *v = malloc(vlen ? vlen : 1);
		if (!nm || !v) {
			free(nm);
			free(v);
			return -ENOMEM;
		}
		memcpy(v, val, vlen);
		nx[p->n_xattrs++] = (struct tar_xattr){nm, v, vlen};
		p->xattr_bytes += vlen;
		return 0;
	}
	/* atime, ctime, uname, gname, comment, charset, SCHILY.dev/ino/nlink, LIBARCHIVE.*:
	 * nothing an image layer needs. */
	return 0;
}

/* "%d %s=%s\n" records; the length counts the whole record including itself. */
static int parse_pax(struct tar_reader *tr, struct pending *p, char *buf, size_t len, bool global)
{
	size_t off = 0;
	while (off < len) {
		if (buf[off] == 0) /* some writers pad with NULs */
			break;
		size_t i = off, rlen = 0;
		while (i < len && buf[i] >= '0' && buf[i] <= '9' && i - off < 12)
			rlen = rlen * 10 + (size_t)(buf[i++] - '0');
		if (i >= len || buf[i] != ' ' || rlen == 0 || rlen > len - off)
			return fail(tr, -EINVAL, "malformed pax record at offset %zu", off);
		char *rec = buf + i + 1, *end = buf + off + rlen - 1;
		if (*end != '\n' || rec > end)
			return fail(tr, -EINVAL, "malformed pax record at offset %zu", off);
		char *eq = memchr(rec, '=', (size_t)(end - rec));
		if (!eq || eq == rec)
			return fail(tr, -EINVAL, "malformed pax record at offset %zu", off);
		*eq = 0;
		if (!global) {
			int r = pax_record(tr, p, rec, eq + 1, (size_t)(end - eq - 1));
			if (r < 0)
				return r;
		} else if (strncmp(rec, "GNU.sparse.", 11) == 0) {
			return fail(tr, -EOPNOTSUPP, "sparse files (pax %s) are not supported in image layers", rec);
		}
		off += rlen;
	}
	return 0;
}

static int finish_entry(struct tar_reader *tr, const unsigned char *h, bool ustar, struct pending *p)
{
	struct tar_entry *e = &tr->e;
	int64_t n;
	char t = (char)h[156];

	switch (t) {
	case 0:
	case '0':
	case '7':
		e->type = TAR_REG;
		break;
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
		e->type = (enum tar_type)t;
		break;
	case 'S':
		return fail(tr, -EOPNOTSUPP, "sparse files (GNU type 'S') are not supported in image layers");
	default:
		if (t >= 32 && t < 127)
			return fail(tr, -EOPNOTSUPP, "unsupported tar entry type '%c'", t);
		return fail(tr, -EOPNOTSUPP, "unsupported tar entry type 0x%02x", (unsigned char)t);
	}

	if (p->path) {
		e->path = TAKE_PTR(p->path);
	} else {
		cleanup_free char *name = field_dup((const char *)h, 100);
		if (!name)
			return -ENOMEM;
		if (ustar && h[345]) {
			cleanup_free char *prefix = field_dup((const char *)h + 345, 155);
			if (!prefix || asprintf(&e->path, "%s/%s", prefix, name) < 0)
				return -ENOMEM;
		} else {
			e->path = TAKE_PTR(name);
		}
	}
	if (!e->path[0])
		return fail(tr, -EINVAL, "entry with an empty name");
	if (p->linkname)
		e->linkname = TAKE_PTR(p->linkname);
	else if (h[157] && (e->type == TAR_LNK || e->type == TAR_SYM) &&
		 !(e->linkname = field_dup((const char *)h + 157, 100)))
		return -ENOMEM;
	if ((e->type == TAR_LNK || e->type == TAR_SYM) && (!e->linkname || !e->linkname[0]))
		return fail(tr, -EINVAL, "entry '%s': link without a target", e->path);

	if (parse_number((const char *)h + 100, 8, false, &n) < 0)
		return fail(tr, -EINVAL, "entry '%s': bad mode field", e->path);
	e->mode = (mode_t)(n & 07777);
#define NUM(off, len, has, pv, dst, what, neg)                                                                         \
	do {                                                                                                           \
		if (has) {                                                                                             \
			dst = pv;                                                                                      \
		} else if (parse_number((const char *)h + (off), len, neg, &n) < 0) {                                  \
			return fail(tr, -EINVAL, "entry '%s': bad %s field", e->path, what);                           \
		} else {                                                                                               \
			dst = n;                                                                                       \
		}                                                                                                      \
	} while (0)
	int64_t uid, gid, size, mtime;
	NUM(108, 8, p->has_uid, p->uid, uid, "uid", false);
	NUM(116, 8, p->has_gid, p->gid, gid, "gid", false);
	NUM(124, 12, p->has_size, p->size, size, "size", false);
	NUM(136, 12, p->has_mtime, p->mtime, mtime, "mtime", true);
#undef NUM
	if (uid < 0 || gid < 0 || size < 0)
		return fail(tr, -EINVAL, "entry '%s': negative uid, gid or size", e->path);
	e->uid = (uint64_t)uid;
	e->gid = (uint64_t)gid;
	e->mtime = mtime;
	e->mtime_nsec = p->has_mtime ? p->mtime_nsec : 0;
	if (e->type == TAR_CHR || e->type == TAR_BLK) {
		int64_t ma, mi;
		if (parse_number((const char *)h + 329, 8, false, &ma) < 0 ||
		    parse_number((const char *)h + 337, 8, false, &mi) < 0 || ma > 0xfff || mi > 0xfffff)
			return fail(tr, -EINVAL, "entry '%s': bad device number", e->path);
		e->dev_major = (unsigned)ma;
		e->dev_minor = (unsigned)mi;
	}
	/* Only regular files carry data. A size on anything else (GNU dumpdir, "hard link
	 * with data") would be bytes the caller never accounts for: refuse it. */
	if (e->type != TAR_REG && size > 0)
		return fail(tr, -EINVAL, "entry '%s': data on a non-regular entry (type '%c', %lld bytes)", e->path,
			    (char)e->type, (long long)size);
	tr->data_left = (uint64_t)size;
	tr->pad_left = (BLOCK - ((uint64_t)size % BLOCK)) % BLOCK;
	e->size = e->type == TAR_REG ? (uint64_t)size : 0;
	e->xattrs = TAKE_PTR(p->xattrs);
	e->n_xattrs = p->n_xattrs;
	p->n_xattrs = 0;
	return 1;
}

int tar_reader_next(struct tar_reader *tr, const struct tar_entry **ret)
{
	unsigned char h[BLOCK];
	struct pending p = {0};
	int r;

	if (tr->ended)
		return 0;
	r = skip_bytes(tr, tr->data_left + tr->pad_left);
	if (r < 0)
		return fail(tr, r, "entry '%s': truncated data", tr->e.path ? tr->e.path : "?");
	tr->data_left = tr->pad_left = 0;
	entry_clear(&tr->e);
	tr->err[0] = 0;

	for (;;) {
		r = read_full(tr, h, BLOCK);
		if (r < 0) {
			pending_clear(&p);
			return fail(tr, r, "truncated tar header after %llu entries",
				    (unsigned long long)tr->n_entries);
		}
		if (r == 0) {
			pending_clear(&p);
			if (tr->n_entries == 0)
				return fail(tr, -EIO, "empty input: not a tar archive");
			/* No end-of-archive blocks at all: accepted, as GNU tar does. */
			tr->ended = true;
			return 0;
		}
		if (all_zero(h)) {
			pending_clear(&p);
			/* A second zero block, or end of input, ends the archive. */
			r = read_full(tr, h, BLOCK);
			if (r < 0)
				return fail(tr, r, "read error after end-of-archive block");
			tr->ended = true;
			return 0;
		}
		if (!checksum_ok(h)) {
			pending_clear(&p);
			return fail(tr, -EINVAL,
				    "bad tar header checksum after %llu entries (not a tar archive, or corrupt)",
				    (unsigned long long)tr->n_entries);
		}
		bool ustar = memcmp(h + 257, "ustar\0", 6) == 0; /* POSIX: has the prefix field */
		char t = (char)h[156];
		if (t == 'x' || t == 'g' || t == 'L' || t == 'K') {
			int64_t size;
			cleanup_free char *data = NULL;
			if (parse_number((const char *)h + 124, 12, false, &size) < 0) {
				pending_clear(&p);
				return fail(tr, -EINVAL, "bad size in an extended header");
			}
			size_t max = (t == 'L' || t == 'K') ? tr->lim.max_path + 1 : tr->lim.max_pax;
			const char *what = t == 'x'   ? "pax"
					   : t == 'g' ? "pax global"
					   : t == 'L' ? "GNU long name"
						      : "GNU long link";
			r = read_ext_data(tr, size, max, &data, what);
			if (r < 0) {
				pending_clear(&p);
				return r;
			}
			if (t == 'L' || t == 'K') {
				char **dst = t == 'L' ? &p.path : &p.linkname;
				free(*dst);
				*dst = strdup(data); /* up to the first NUL */
				if (!*dst) {
					pending_clear(&p);
					return -ENOMEM;
				}
			} else {
				r = parse_pax(tr, &p, data, (size_t)size, t == 'g');
				if (r < 0) {
					pending_clear(&p);
					return r;
				}
			}
			continue;
		}
		if (t == 'M' || t == 'V') {
			pending_clear(&p);
			return fail(tr, -EOPNOTSUPP, "multi-volume tar archives are not supported");
		}
		r = finish_entry(tr, h, ustar, &p);
		pending_clear(&p);
		if (r < 0)
			return r;
		tr->n_entries++;
		*ret = &tr->e;
		return 1;
	}
}

ssize_t tar_reader_read(struct tar_reader *tr, void *buf, size_t len)
{
	if (tr->e.type != TAR_REG || tr->data_left == 0)
		return 0;
	if (len > tr->data_left)
		len = (size_t)tr->data_left;
	int r = read_full(tr, buf, len);
	if (r <= 0)
		return fail(tr, r == 0 ? -EIO : r, "entry '%s': truncated data", tr->e.path);
	tr->data_left -= len;
	return (ssize_t)len;
}

/* ---- writer ---- */

static void put_octal(char *f, size_t len, uint64_t v)
{
	/* len-1 digits and a NUL; numbers that do not fit use base-256 (GNU). */
	if (v < (1ull << (3 * (len - 1)))) {
		/* zero-padded octal, NUL-terminated */
		f[len - 1] = 0;
		for (size_t i = len - 1; i > 0; i--, v >>= 3)
			f[i - 1] = (char)('0' + (v & 7));
		return;
	}
	memset(f, 0, len);
	f[0] = (char)0x80;
	for (size_t i = len - 1; i > 0; i--, v >>= 8)
		f[i] = (char)(v & 0xff);
}

static int write_block_header(int fd, const char *name, size_t nlen, char type, mode_t mode, uint64_t size,
			      int64_t mtime)
{
	char h[BLOCK] = {0};
	if (nlen > 100) {
		/* ustar prefix/name split at a '/' */
		const char *slash = NULL;
		for (const char *s = name + nlen - 1; s > name; s--)
			if (*s == '/' && (size_t)(s - name) <= 155 && (size_t)(name + nlen - s - 1) <= 100) {
				slash = s;
				break;
			}
		if (!slash)
			return -ENAMETOOLONG;
		memcpy(h + 345, name, (size_t)(slash - name));
		memcpy(h, slash + 1, (size_t)(name + nlen - slash - 1));
	} else {
		memcpy(h, name, nlen);
	}
	put_octal(h + 100, 8, mode & 07777);
	put_octal(h + 108, 8, 0);
	put_octal(h + 116, 8, 0);
	put_octal(h + 124, 12, size);
	put_octal(h + 136, 12, mtime < 0 ? 0 : (uint64_t)mtime);
	h[156] = type;
	memcpy(h + 257,
	       "ustar\0"
	       "00",
	       8);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < BLOCK; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	return fs_write_all(fd, h, BLOCK);
}

int tar_write_pad(int fd, uint64_t size)
{
	static const char zero[BLOCK];
	size_t pad = (BLOCK - (size % BLOCK)) % BLOCK;
	return pad ? fs_write_all(fd, zero, pad) : 0;
}

int tar_write_header(int fd, const char *name, enum tar_type type, mode_t mode, uint64_t size, int64_t mtime)
{
	size_t nlen = strlen(name);
	int r = write_block_header(fd, name, nlen, (char)type, mode, size, mtime);
	if (r != -ENAMETOOLONG)
		return r;
	/* pax "path" record: "LEN path=NAME\n" where LEN counts itself. */
	char rec[8192];
	size_t body = nlen + strlen(" path=\n"), digits = 1;
	if (nlen > 4000)
		return -ENAMETOOLONG;
	while (1) {
		size_t total = body + digits, d = 1;
		for (size_t t = total; t >= 10; t /= 10)
			d++;
		if (d == digits)
			break;
		digits = d;
	}
	int len = snprintf(rec, sizeof(rec), "%zu path=%s\n", body + digits, name);
	r = write_block_header(fd, "././@PaxHeader", 14, 'x', 0644, (uint64_t)len, mtime);
	if (r < 0)
		return r;
	r = fs_write_all(fd, rec, (size_t)len);
	if (r < 0)
		return r;
	r = tar_write_pad(fd, (uint64_t)len);
	if (r < 0)
		return r;
	char shortname[100];
	snprintf(shortname, sizeof(shortname), "%.99s", name);
	return write_block_header(fd, shortname, strlen(shortname), (char)type, mode, size, mtime);
}

int tar_write_end(int fd)
{
	static const char zero[2 * BLOCK];
	return fs_write_all(fd, zero, sizeof(zero));
}
