/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 (FIPS 180-4), streaming. Used for content-addressed caches (the seccomp filter
 * cache, later the image store's blob digests). Not constant-time in any way that matters
 * for secrets: do not use it for MACs over secret keys.
 *
 *   struct sha256_ctx c;
 *   sha256_init(&c);
 *   sha256_update(&c, buf, n);      any number of times
 *   sha256_final(&c, digest);       c must be re-initialized before reuse
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_HEX_SIZE	   (2 * SHA256_DIGEST_SIZE + 1) /* with the terminating NUL */

struct sha256_ctx {
	uint32_t h[8];
	uint64_t n_bytes; /* message length so far */
	uint8_t block[64];
	size_t n_block; /* bytes buffered in block[] */
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c, uint8_t ret_digest[SHA256_DIGEST_SIZE]);
/* One-shot digest of a buffer. */
void sha256(const void *data, size_t len, uint8_t ret_digest[SHA256_DIGEST_SIZE]);
/* Lower-case hex of a digest, NUL-terminated. */
void sha256_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char ret_hex[SHA256_HEX_SIZE]);
