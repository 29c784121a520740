/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "decompress.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define INBUF		    (256u << 10)
#define ZSTD_WINDOW_LOG_MAX 27

struct dstream {
	int fd;
	off_t offset;
	int64_t left; /* bytes of input still allowed, < 0: unbounded */
	enum compression kind;
	bool detected, in_eof, z_end, no_in_hash;
	unsigned char *in;
	size_t in_pos, in_len;
	z_stream z;
	bool z_init;
	ZSTD_DStream *zs;
	struct sha256_ctx in_hash, out_hash;
	uint64_t in_bytes, out_bytes;
	char err[256];
};

int dstream_new(int fd, off_t offset, int64_t length, struct dstream **ret)
{
	struct dstream *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->in = malloc(INBUF);
	if (!d->in) {
		free(d);
		return -ENOMEM;
	}
	d->fd = fd;
	d->offset = length >= 0 ? offset : -1;
	d->left = length;
	sha256_init(&d->in_hash);
	sha256_init(&d->out_hash);
	*ret = d;
	return 0;
}

void dstream_free(struct dstream *d)
{
	if (!d)
		return;
	if (d->z_init)
		inflateEnd(&d->z);
	ZSTD_freeDStream(d->zs);
	free(d->in);
	free(d);
}

const char *dstream_error(const struct dstream *d)
{
	return d->err[0] ? d->err : NULL;
}

enum compression dstream_compression(const struct dstream *d)
{
	return d->kind;
}

const char *dstream_compression_name(enum compression c)
{
	return c == COMPRESSION_GZIP ? "gzip" : c == COMPRESSION_ZSTD ? "zstd" : "none";
}

uint64_t dstream_in_bytes(const struct dstream *d)
{
	return d->in_bytes;
}

uint64_t dstream_out_bytes(const struct dstream *d)
{
	return d->out_bytes;
}

/* Refills the input buffer when it is empty. Returns bytes available, 0 at EOF. */
static ssize_t fill(struct dstream *d)
{
	if (d->in_pos < d->in_len)
		return (ssize_t)(d->in_len - d->in_pos);
	if (d->in_eof)
		return 0;
	size_t want = INBUF;
	if (d->left >= 0 && (uint64_t)d->left < want)
		want = (size_t)d->left;
	ssize_t n;
	for (;;) {
		if (want == 0)
			n = 0;
		else if (d->offset >= 0)
			n = pread(d->fd, d->in, want, d->offset);
		else
			n = read(d->fd, d->in, want);
		if (n >= 0 || errno != EINTR)
			break;
	}
	if (n < 0)
		return -errno;
	if (n == 0) {
		d->in_eof = true;
		return 0;
	}
	if (d->offset >= 0)
		d->offset += n;
	if (d->left >= 0)
		d->left -= n;
	if (!d->no_in_hash)
		sha256_update(&d->in_hash, d->in, (size_t)n);
	d->in_bytes += (uint64_t)n;
	d->in_pos = 0;
	d->in_len = (size_t)n;
	return n;
}

static int detect(struct dstream *d)
{
	/* Gather up to 4 bytes for the magic (a pipe may deliver fewer at first). */
	while (d->in_len - d->in_pos < 4 && !d->in_eof) {
		if (d->in_pos > 0) {
			memmove(d->in, d->in + d->in_pos, d->in_len - d->in_pos);
			d->in_len -= d->in_pos;
			d->in_pos = 0;
		}
		size_t want = INBUF - d->in_len;
		if (d->left >= 0 && (uint64_t)d->left < want)
			want = (size_t)d->left;
		ssize_t n;
		do
			n = want == 0	     ? 0
			    : d->offset >= 0 ? pread(d->fd, d->in + d->in_len, want, d->offset)
					     : read(d->fd, d->in + d->in_len, want);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -errno;
		if (n == 0) {
			d->in_eof = true;
			break;
		}
		if (!d->no_in_hash)
			sha256_update(&d->in_hash, d->in + d->in_len, (size_t)n);
		d->in_bytes += (uint64_t)n;
		if (d->offset >= 0)
			d->offset += n;
		if (d->left >= 0)
			d->left -= n;
		d->in_len += (size_t)n;
	}
	const unsigned char *m = d->in + d->in_pos;
	size_t avail = d->in_len - d->in_pos;
	d->detected = true;
	if (avail >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
		d->kind = COMPRESSION_GZIP;
		if (inflateInit2(&d->z, 15 + 16) != Z_OK)
			return -ENOMEM;
		d->z_init = true;
	} else if (avail >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
		d->kind = COMPRESSION_ZSTD;
		d->zs = ZSTD_createDStream();
		if (!d->zs)
			return -ENOMEM;
		ZSTD_DCtx_setParameter(d->zs, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG_MAX);
	} else {
		d->kind = COMPRESSION_NONE;
	}
	return 0;
}

static ssize_t read_gzip(struct dstream *d, void *buf, size_t len)
{
	d->z.next_out = buf;
	d->z.avail_out = (uInt)(len > (1u << 30) ? (1u << 30) : len);
	while (d->z.avail_out > 0) {
		ssize_t n = fill(d);
		if (n < 0)
			return n;
		if (n == 0) {
			if (!d->z_end) {
				snprintf(d->err, sizeof(d->err), "gzip stream truncated");
				return -EBADMSG;
			}
			break;
		}
		if (d->z_end) {
			/* Another gzip member follows (pigz, concatenated streams). */
			inflateReset(&d->z);
			d->z_end = false;
		}
		d->z.next_in = d->in + d->in_pos;
		d->z.avail_in = (uInt)(d->in_len - d->in_pos);
		int zr = inflate(&d->z, Z_NO_FLUSH);
		d->in_pos = d->in_len - d->z.avail_in;
		if (zr == Z_STREAM_END) {
			d->z_end = true;
		} else if (zr == Z_BUF_ERROR) {
			continue;
		} else if (zr != Z_OK) {
			snprintf(d->err, sizeof(d->err), "corrupt gzip data: %s", d->z.msg ? d->z.msg : zError(zr));
			return -EBADMSG;
		}
		if (d->z.avail_out < len)
			break; /* return what we have rather than block for more input */
	}
	return (ssize_t)(len - d->z.avail_out);
}

static ssize_t read_zstd(struct dstream *d, void *buf, size_t len)
{
	ZSTD_outBuffer out = {buf, len, 0};
	while (out.pos == 0) {
		ssize_t n = fill(d);
		if (n < 0)
			return n;
		if (n == 0) {
			if (!d->z_end) {
				snprintf(d->err, sizeof(d->err), "zstd stream truncated");
				return -EBADMSG;
			}
			break;
		}
		ZSTD_inBuffer in = {d->in + d->in_pos, d->in_len - d->in_pos, 0};
		size_t zr = ZSTD_decompressStream(d->zs, &out, &in);
		d->in_pos += in.pos;
		if (ZSTD_isError(zr)) {
			snprintf(d->err, sizeof(d->err), "corrupt zstd data: %s", ZSTD_getErrorName(zr));
			return -EBADMSG;
		}
		d->z_end = zr == 0; /* a frame ended exactly here */
	}
	return (ssize_t)out.pos;
}

ssize_t dstream_read(struct dstream *d, void *buf, size_t len)
{
	ssize_t n;
	if (!d->detected) {
		int r = detect(d);
		if (r < 0)
			return r;
	}
	if (len == 0)
		return 0;
	switch (d->kind) {
	case COMPRESSION_GZIP:
		n = read_gzip(d, buf, len);
		break;
	case COMPRESSION_ZSTD:
		n = read_zstd(d, buf, len);
		break;
	default:
		n = fill(d);
		if (n > 0) {
			if ((size_t)n > len)
				n = (ssize_t)len;
			memcpy(buf, d->in + d->in_pos, (size_t)n);
			d->in_pos += (size_t)n;
		}
		break;
	}
	if (n > 0) {
		sha256_update(&d->out_hash, buf, (size_t)n);
		d->out_bytes += (uint64_t)n;
	}
	return n;
}

void dstream_skip_input_digest(struct dstream *d)
{
	d->no_in_hash = true;
}

int dstream_drain(struct dstream *d)
{
	char buf[65536];
	ssize_t n;
	while ((n = dstream_read(d, buf, sizeof(buf))) > 0)
		;
	return n < 0 ? (int)n : 0;
}

void dstream_digests(struct dstream *d, char ret_in[DIGEST_STRING_SIZE], char ret_out[DIGEST_STRING_SIZE])
{
	if (d->no_in_hash)
		ret_in[0] = 0;
	else
		digest_final(&d->in_hash, ret_in);
	digest_final(&d->out_hash, ret_out);
}
