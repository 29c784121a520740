/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 as specified in FIPS 180-4, sections 4.1.2 (functions), 4.2.2 (constants),
 * 5.1.1 (padding), 5.3.3 (initial hash value) and 6.2.2 (hash computation).
 *
 * Two block functions compute 6.2.2: a portable one, and on x86 one built on the SHA
 * extensions (SHA256RNDS2/MSG1/MSG2, Intel SDM vol. 2). Image pulls spend most of their CPU
 * time here, and the instructions are ~8x faster than the C. The choice is made once, on
 * first use, from cpuid; only the x86 function is compiled for those instruction sets
 * (target attribute), so the build needs no -m flags and runs on any x86 CPU. */
#include "lib/sha256.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "lib/sha256-impl.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define HAVE_X86_SHA 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define HAVE_X86_SHA 0
#endif

/* 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64
 * primes. */
static const uint32_t k256[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t rotr(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static inline uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void compress(uint32_t h[8], const uint8_t block[64])
{
	uint32_t w[64], a, b, c, d, e, f, g, hh;

	for (unsigned t = 0; t < 16; t++)
		w[t] = load_be32(block + 4 * t);
	for (unsigned t = 16; t < 64; t++) {
		uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
		uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (unsigned t = 0; t < 64; t++) {
		uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k256[t] + w[t];
		uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

static void blocks_portable(uint32_t h[8], const uint8_t *p, size_t n_blocks)
{
	for (; n_blocks > 0; n_blocks--, p += 64)
		compress(h, p);
}

#if HAVE_X86_SHA
/* The instructions keep the eight working variables in two registers, highest dword first:
 * "abef" = {A, B, E, F} and "cdgh" = {C, D, G, H}. SHA256RNDS2 takes cdgh, abef and
 * W[t]+K[t], W[t+1]+K[t+1] in the low two dwords of a third register, does rounds t and t+1
 * and returns the new abef; the old abef is then the new cdgh (after two rounds C, D, G, H
 * are the old A, B, E, F). So x86_sha_rounds4() stores its first result in cdgh and its
 * second in abef, and both names are true again after every four rounds. */
#define X86_SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))
#define X86_SHA_INLINE static inline __attribute__((always_inline)) X86_SHA_TARGET

/* Rounds 4g..4g+3, with w = W[4g..4g+3] (W[4g] in the lowest dword). */
X86_SHA_INLINE void x86_sha_rounds4(__m128i *abef, __m128i *cdgh, __m128i w, unsigned g)
{
	__m128i wk = _mm_add_epi32(w, _mm_load_si128((const __m128i *)&k256[4 * g]));

	*cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, wk);
	*abef = _mm_sha256rnds2_epu32(*abef, *cdgh, _mm_shuffle_epi32(wk, 0x0e)); /* dwords 2, 3 */
}

/* 6.2.2 step 1 for W[t..t+3], given w0..w3 = W[t-16..t-1] four at a time:
 * W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16]. MSG1 gives
 * W[t-16+j] + sigma0(W[t-15+j]); W[t-7..t-4] straddles w2 and w3; MSG2 adds sigma1 of
 * W[t-2], W[t-1] (from w3) and of its own first two results. */
X86_SHA_INLINE __m128i x86_sha_schedule(__m128i w0, __m128i w1, __m128i w2, __m128i w3)
{
	__m128i x = _mm_sha256msg1_epu32(w0, w1);

	x = _mm_add_epi32(x, _mm_alignr_epi8(w3, w2, 4));
	return _mm_sha256msg2_epu32(x, w3);
}

static X86_SHA_TARGET void blocks_x86_sha(uint32_t h[8], const uint8_t *p, size_t n_blocks)
{
	/* The message is big-endian (3.1); byte-swap each dword. */
	const __m128i bswap32 = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
	/* Comments list dwords lowest first. h[] is {A..D}, {E..H}; make {F E B A}, {H G D C}. */
	__m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xb1); /* B A D C */
	__m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1b); /* H G F E */
	__m128i abef = _mm_alignr_epi8(abcd, efgh, 8);
	__m128i cdgh = _mm_blend_epi16(efgh, abcd, 0xf0);

	for (; n_blocks > 0; n_blocks--, p += 64) {
		__m128i abef_in = abef, cdgh_in = cdgh;
		__m128i w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), bswap32);
		__m128i w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), bswap32);
		__m128i w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), bswap32);
		__m128i w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), bswap32);

		x86_sha_rounds4(&abef, &cdgh, w0, 0);
		x86_sha_rounds4(&abef, &cdgh, w1, 1);
		x86_sha_rounds4(&abef, &cdgh, w2, 2);
		x86_sha_rounds4(&abef, &cdgh, w3, 3);
		for (unsigned g = 4; g < 16; g += 4) {
			w0 = x86_sha_schedule(w0, w1, w2, w3);
			x86_sha_rounds4(&abef, &cdgh, w0, g);
			w1 = x86_sha_schedule(w1, w2, w3, w0);
			x86_sha_rounds4(&abef, &cdgh, w1, g + 1);
			w2 = x86_sha_schedule(w2, w3, w0, w1);
			x86_sha_rounds4(&abef, &cdgh, w2, g + 2);
			w3 = x86_sha_schedule(w3, w0, w1, w2);
			x86_sha_rounds4(&abef, &cdgh, w3, g + 3);
		}
		abef = _mm_add_epi32(abef, abef_in);
		cdgh = _mm_add_epi32(cdgh, cdgh_in);
	}

	abef = _mm_shuffle_epi32(abef, 0x1b); /* A B E F */
	cdgh = _mm_shuffle_epi32(cdgh, 0xb1); /* G H C D */
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(abef, cdgh, 0xf0));
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(cdgh, abef, 8));
}

static bool cpu_has_x86_sha(void)
{
	unsigned eax, ebx, ecx, edx;

	/* Leaf 1 ECX: bit 9 SSSE3 (pshufb, palignr), bit 19 SSE4.1 (pblendw). Every CPU with
	 * SHA has both, but a hypervisor may mask bits one by one. */
	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
		return false;
	if (!(ecx & (1u << 9)) || !(ecx & (1u << 19)))
		return false;
	/* Leaf 7 subleaf 0 EBX bit 29: SHA. __get_cpuid_count checks the maximum leaf. */
	if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
		return false;
	return ebx & (1u << 29);
}
#endif

typedef void blocks_fn(uint32_t h[8], const uint8_t *p, size_t n_blocks);

static blocks_fn *blocks_best(void)
{
#if HAVE_X86_SHA
	if (cpu_has_x86_sha())
		return blocks_x86_sha;
#endif
	return blocks_portable;
}

static void blocks_resolve(uint32_t h[8], const uint8_t *p, size_t n_blocks);

/* Starts at the resolver, which replaces itself on first use. Threads racing there all store
 * the same pointer (cpuid does not change under a process); the atomics only keep that race
 * defined. Cached because cpuid traps to the hypervisor in a VM and costs microseconds. */
static blocks_fn *blocks_cur = blocks_resolve;

static void blocks_resolve(uint32_t h[8], const uint8_t *p, size_t n_blocks)
{
	blocks_fn *fn = blocks_best();

	__atomic_store_n(&blocks_cur, fn, __ATOMIC_RELAXED);
	fn(h, p, n_blocks);
}

static void blocks(uint32_t h[8], const uint8_t *p, size_t n_blocks)
{
	__atomic_load_n(&blocks_cur, __ATOMIC_RELAXED)(h, p, n_blocks);
}

int sha256_impl_set(enum sha256_impl impl)
{
	blocks_fn *fn;

	switch (impl) {
	case SHA256_IMPL_AUTO:
		fn = blocks_best();
		break;
	case SHA256_IMPL_PORTABLE:
		fn = blocks_portable;
		break;
	case SHA256_IMPL_X86_SHA:
#if HAVE_X86_SHA
		if (!cpu_has_x86_sha())
			return -ENOTSUP;
		fn = blocks_x86_sha;
		break;
#else
		return -ENOTSUP;
#endif
	default:
		return -EINVAL;
	}
	__atomic_store_n(&blocks_cur, fn, __ATOMIC_RELAXED);
	return 0;
}

enum sha256_impl sha256_impl_get(void)
{
	blocks_fn *fn = __atomic_load_n(&blocks_cur, __ATOMIC_RELAXED);

	if (fn == blocks_resolve)
		fn = blocks_best();
#if HAVE_X86_SHA
	if (fn == blocks_x86_sha)
		return SHA256_IMPL_X86_SHA;
#endif
	return SHA256_IMPL_PORTABLE;
}

const char *sha256_impl_name(enum sha256_impl impl)
{
	switch (impl) {
	case SHA256_IMPL_AUTO:
		return "auto";
	case SHA256_IMPL_PORTABLE:
		return "portable";
	case SHA256_IMPL_X86_SHA:
		return "x86-sha";
	}
	return "unknown";
}

void sha256_init(struct sha256_ctx *c)
{
	/* 5.3.3: the first 32 bits of the fractional parts of the square roots of the first 8
	 * primes. */
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	memcpy(c->h, iv, sizeof(iv));
	c->n_bytes = 0;
	c->n_block = 0;
}

void sha256_update(struct sha256_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (len == 0) /* data may be NULL then; memcpy must not see it */
		return;
	c->n_bytes += len;
	if (c->n_block > 0) {
		size_t take = 64 - c->n_block < len ? 64 - c->n_block : len;
		memcpy(c->block + c->n_block, p, take);
		c->n_block += take;
		p += take;
		len -= take;
		if (c->n_block < 64)
			return;
		blocks(c->h, c->block, 1);
		c->n_block = 0;
	}
	if (len >= 64) {
		blocks(c->h, p, len / 64);
		p += len / 64 * 64;
		len %= 64;
	}
	if (len > 0) {
		memcpy(c->block, p, len);
		c->n_block = len;
	}
}

void sha256_final(struct sha256_ctx *c, uint8_t ret_digest[SHA256_DIGEST_SIZE])
{
	uint64_t bits = c->n_bytes * 8;

	/* 5.1.1: a 1 bit, zeros up to 56 mod 64 bytes, then the length in bits, big-endian. */
	c->block[c->n_block++] = 0x80;
	if (c->n_block > 56) {
		memset(c->block + c->n_block, 0, 64 - c->n_block);
		blocks(c->h, c->block, 1);
		c->n_block = 0;
	}
	memset(c->block + c->n_block, 0, 56 - c->n_block);
	store_be32(c->block + 56, (uint32_t)(bits >> 32));
	store_be32(c->block + 60, (uint32_t)bits);
	blocks(c->h, c->block, 1);
	for (unsigned i = 0; i < 8; i++)
		store_be32(ret_digest + 4 * i, c->h[i]);
	memset(c, 0, sizeof(*c));
}

void sha256(const void *data, size_t len, uint8_t ret_digest[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final(&c, ret_digest);
}

void sha256_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char ret_hex[SHA256_HEX_SIZE])
{
	static const char hex[] = "0123456789abcdef";

	for (unsigned i = 0; i < SHA256_DIGEST_SIZE; i++) {
		ret_hex[2 * i] = hex[digest[i] >> 4];
		ret_hex[2 * i + 1] = hex[digest[i] & 0xf];
	}
	ret_hex[2 * SHA256_DIGEST_SIZE] = 0;
}
