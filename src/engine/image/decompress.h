/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A decompressing reader over a file descriptor: gzip (zlib, multi-member), zstd (libzstd,
 * multi-frame, window limited to 128 MiB so a crafted frame cannot demand gigabytes of
 * memory) or plain, detected from the first bytes. It keeps SHA-256 digests of the
 * compressed input and of the decompressed output as they stream by (the blob digest and
 * the diff_id of a layer) and counts both, for the size and ratio limits of unpack.c. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "engine/image/digest.h"

enum compression { COMPRESSION_NONE, COMPRESSION_GZIP, COMPRESSION_ZSTD };

struct dstream;

/* Reads fd from offset (pread) for at most length bytes when length >= 0; from the current
 * position to EOF (read) when length < 0. Takes no ownership of fd. */
int dstream_new(int fd, off_t offset, int64_t length, struct dstream **ret);
void dstream_free(struct dstream *d);
/* Decompressed bytes: up to len, 0 at the end of the input, -errno (-EBADMSG: corrupt
 * data, message in dstream_error()). */
ssize_t dstream_read(struct dstream *d, void *buf, size_t len);
/* Stop hashing the compressed input (before the first read): for callers that verify the
 * blob digest themselves, so the same bytes are not hashed twice. Its digest is then "". */
void dstream_skip_input_digest(struct dstream *d);
/* Reads and hashes what is left (after a tar's end-of-archive blocks). */
int dstream_drain(struct dstream *d);
enum compression dstream_compression(const struct dstream *d);
const char *dstream_compression_name(enum compression c);
uint64_t dstream_in_bytes(const struct dstream *d);
uint64_t dstream_out_bytes(const struct dstream *d);
/* Digests of everything read so far (call at the end). */
void dstream_digests(struct dstream *d, char ret_in[DIGEST_STRING_SIZE], char ret_out[DIGEST_STRING_SIZE]);
const char *dstream_error(const struct dstream *d);
