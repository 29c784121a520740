/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 against the FIPS 180-4 example messages (NIST's "SHA-256" examples: one-block
 * "abc", two-block 448-bit message, and the one-million-'a' long message), the 896-bit
 * message of the SHA-2 test set, and messages around the padding boundaries (55/56/63/64
 * bytes), hashed in one call and fed in every chunking. Each check runs once per block
 * implementation the CPU has (portable, x86 SHA extensions), and the implementations are
 * compared with each other on random messages, alignments and update splits. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/sha256-impl.h"
#include "lib/sha256.h"
#include "tap.h"

/* Every implementation this build and CPU have, portable first. */
static size_t available_impls(enum sha256_impl ret[3])
{
	size_t n = 0;

	ret[n++] = SHA256_IMPL_PORTABLE;
	if (sha256_impl_set(SHA256_IMPL_X86_SHA) == 0)
		ret[n++] = SHA256_IMPL_X86_SHA;
	sha256_impl_set(SHA256_IMPL_AUTO);
	return n;
}

/* Runs check() under each implementation and says which one a failure came from. */
static void for_each_impl(void (*check)(void))
{
	enum sha256_impl impl[3];
	size_t n = available_impls(impl);

	for (size_t k = 0; k < n; k++) {
		int failed_before = tap_cur_failed;

		tap_cur_failed = 0;
		CHECK(sha256_impl_set(impl[k]) == 0);
		CHECK(sha256_impl_get() == impl[k]);
		check();
		if (tap_cur_failed)
			printf("#   ^ with the %s implementation\n", sha256_impl_name(impl[k]));
		tap_cur_failed |= failed_before;
	}
	sha256_impl_set(SHA256_IMPL_AUTO);
}

/* Whether /proc/cpuinfo lists flag for the first CPU (the kernel's names: "sha_ni",
 * "sse4_1", "ssse3"). */
static bool cpuinfo_has_flag(const char *flag)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[8192];
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "flags", 5) != 0 || !colon)
			continue;
		for (char *tok = strtok(colon + 1, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
			if (strcmp(tok, flag) == 0)
				found = true;
		break;
	}
	fclose(f);
	return found;
}

/* Without this, a broken cpuid check would quietly test the portable code twice. */
TEST(hardware_path_is_used_where_the_cpu_has_it)
{
	bool x86 = false;
#if defined(__x86_64__) || defined(__i386__)
	x86 = true;
#endif
	bool has = x86 && cpuinfo_has_flag("sha_ni") && cpuinfo_has_flag("sse4_1") && cpuinfo_has_flag("ssse3");

	printf("# cpu %s sha_ni+sse4_1+ssse3; default implementation: %s\n", has ? "has" : "lacks",
	       sha256_impl_name(sha256_impl_get()));
	CHECK(sha256_impl_set(SHA256_IMPL_X86_SHA) == (has ? 0 : -ENOTSUP));
	CHECK(sha256_impl_set(SHA256_IMPL_AUTO) == 0);
	CHECK(sha256_impl_get() == (has ? SHA256_IMPL_X86_SHA : SHA256_IMPL_PORTABLE));
	CHECK(sha256_impl_set(SHA256_IMPL_PORTABLE) == 0);
	CHECK(sha256_impl_get() == SHA256_IMPL_PORTABLE);
	CHECK(sha256_impl_set((enum sha256_impl)42) == -EINVAL);
	CHECK(sha256_impl_get() == SHA256_IMPL_PORTABLE);
	CHECK(sha256_impl_set(SHA256_IMPL_AUTO) == 0);
}

static void hex_of(const void *data, size_t len, char out[SHA256_HEX_SIZE])
{
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256(data, len, d);
	sha256_hex(d, out);
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	if (s) {
		memset(s, c, n);
		s[n] = 0;
	}
	return s;
}

static const struct {
	const char *msg, *digest;
} vectors[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};

static void check_fips_180_4_examples(void)
{
	char hex[SHA256_HEX_SIZE];
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		hex_of(vectors[i].msg, strlen(vectors[i].msg), hex);
		CHECK_STREQ(hex, vectors[i].digest);
	}
}

TEST(fips_180_4_examples)
{
	for_each_impl(check_fips_180_4_examples);
}

static void check_one_million_a(void)
{
	char *m = repeat('a', 1000000), hex[SHA256_HEX_SIZE];
	CHECK(m != NULL);
	if (!m)
		return;
	hex_of(m, 1000000, hex);
	CHECK_STREQ(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

	/* The same message in uneven pieces crosses every buffer boundary. */
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];
	size_t off = 0, step = 1;
	sha256_init(&c);
	while (off < 1000000) {
		size_t n = step < 1000000 - off ? step : 1000000 - off;
		sha256_update(&c, m + off, n);
		off += n;
		step = step * 7 % 131 + 1;
	}
	sha256_final(&c, d);
	sha256_hex(d, hex);
	CHECK_STREQ(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(m);
}

TEST(one_million_a)
{
	for_each_impl(check_one_million_a);
}

/* Lengths where the padding needs one more block (56 mod 64 and up) or exactly fills one. */
static void check_padding_boundaries(void)
{
	static const struct {
		size_t n;
		const char *digest;
	} v[] = {
	    {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
	    {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
	    {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
	    {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
	    {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
	    {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
	    {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *m = repeat('a', v[i].n), hex[SHA256_HEX_SIZE];
		if (!m) {
			CHECK(m != NULL);
			return;
		}
		hex_of(m, v[i].n, hex);
		CHECK_STREQ(hex, v[i].digest);
		/* byte by byte */
		struct sha256_ctx c;
		uint8_t d[SHA256_DIGEST_SIZE];
		sha256_init(&c);
		for (size_t j = 0; j < v[i].n; j++)
			sha256_update(&c, m + j, 1);
		sha256_final(&c, d);
		sha256_hex(d, hex);
		CHECK_STREQ(hex, v[i].digest);
		free(m);
	}
}

TEST(padding_boundaries)
{
	for_each_impl(check_padding_boundaries);
}

static void check_empty_updates_change_nothing(void)
{
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];
	char hex[SHA256_HEX_SIZE];
	sha256_init(&c);
	sha256_update(&c, "", 0);
	sha256_update(&c, "ab", 2);
	sha256_update(&c, NULL, 0);
	sha256_update(&c, "c", 1);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	CHECK_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(empty_updates_change_nothing)
{
	for_each_impl(check_empty_updates_change_nothing);
}

/* xorshift64*: reproducible across runs and libcs, unlike rand(). */
static uint64_t rng_state = 0x9e3779b97f4a7c15;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1d;
}

/* Feeds m to c in random pieces: mostly short ones that leave and fill the partial block,
 * sometimes long runs of whole blocks, sometimes empty. If switch_impls, each piece goes
 * through a randomly chosen implementation: they must share the context's state format. */
static void hash_in_pieces(const uint8_t *m, size_t len, const enum sha256_impl *impl, size_t n_impl, bool switch_impls,
			   uint8_t ret_digest[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx c;
	size_t off = 0;

	sha256_init(&c);
	while (off < len) {
		size_t left = len - off, n;
		switch (rng() % 4) {
		case 0:
			n = rng() % 8;
			break;
		case 1:
			n = rng() % 130;
			break;
		default:
			n = rng() % (left + 1);
			break;
		}
		if (n > left)
			n = left;
		if (switch_impls)
			sha256_impl_set(impl[rng() % n_impl]);
		sha256_update(&c, m + off, n);
		off += n;
	}
	if (switch_impls)
		sha256_impl_set(impl[rng() % n_impl]);
	sha256_final(&c, ret_digest);
}

TEST(implementations_agree_on_random_messages_and_splits)
{
	enum sha256_impl impl[3];
	size_t n_impl = available_impls(impl), mismatches = 0;

	if (n_impl < 2)
		printf("# only the portable implementation here: checking it against itself\n");
	for (unsigned iter = 0; iter < 1500 && mismatches < 5; iter++) {
		size_t len = rng() % 5001, align = rng() % 16;
		/* Exactly sized, so the sanitizer build catches any read past the message; the
		 * offset makes the hardware path's unaligned loads meet every alignment. */
		uint8_t *buf = malloc(align + len > 0 ? align + len : 1), ref[SHA256_DIGEST_SIZE],
			d[SHA256_DIGEST_SIZE];
		uint8_t *m = buf + align;

		CHECK(buf != NULL);
		if (!buf)
			return;
		for (size_t i = 0; i < len; i++)
			m[i] = (uint8_t)rng();
		sha256_impl_set(SHA256_IMPL_PORTABLE);
		sha256(m, len, ref);
		for (size_t k = 0; k < n_impl; k++) {
			sha256_impl_set(impl[k]);
			sha256(m, len, d);
			bool one_shot_ok = memcmp(d, ref, sizeof(d)) == 0;
			hash_in_pieces(m, len, impl, n_impl, false, d);
			bool pieces_ok = memcmp(d, ref, sizeof(d)) == 0;
			if (!one_shot_ok || !pieces_ok) {
				printf("#   %s: length %zu, alignment %zu: %s differs from portable\n",
				       sha256_impl_name(impl[k]), len, align,
				       one_shot_ok ? "split update" : "one-shot digest");
				tap_cur_failed = 1;
				mismatches++;
			}
		}
		hash_in_pieces(m, len, impl, n_impl, true, d);
		if (memcmp(d, ref, sizeof(d)) != 0) {
			printf("#   length %zu: switching implementations mid-message changes the digest\n", len);
			tap_cur_failed = 1;
			mismatches++;
		}
		free(buf);
	}
	sha256_impl_set(SHA256_IMPL_AUTO);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Throughput for the record (bench/pull.sh depends on it); no assertion, since shared CI
 * machines and the sanitizer build make any threshold flaky. */
TEST(throughput)
{
	enum sha256_impl impl[3];
	size_t n_impl = available_impls(impl), size = 1 << 20;
	uint8_t *buf = malloc(size), d[SHA256_DIGEST_SIZE];

	CHECK(buf != NULL);
	if (!buf)
		return;
	for (size_t i = 0; i < size; i++)
		buf[i] = (uint8_t)rng();
	for (size_t k = 0; k < n_impl; k++) {
		size_t bytes = 0;
		double t0, t;

		sha256_impl_set(impl[k]);
		sha256(buf, size, d); /* warm up caches and the resolver */
		t0 = now();
		do {
			sha256(buf, size, d);
			bytes += size;
			t = now() - t0;
		} while (t < 0.3);
		printf("# sha256 %s: %.0f MB/s\n", sha256_impl_name(impl[k]), (double)bytes / t / 1e6);
	}
	sha256_impl_set(SHA256_IMPL_AUTO);
	free(buf);
}

TAP_MAIN
