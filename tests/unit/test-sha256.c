/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 against the FIPS 180-4 example messages (NIST's "SHA-256" examples: one-block
 * "abc", two-block 448-bit message, and the one-million-'a' long message), the 896-bit
 * message of the SHA-2 test set, and messages around the padding boundaries (55/56/63/64
 * bytes), hashed in one call and fed in every chunking. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sha256.h"
#include "tap.h"

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

TEST(fips_180_4_examples)
{
	char hex[SHA256_HEX_SIZE];
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		hex_of(vectors[i].msg, strlen(vectors[i].msg), hex);
		CHECK_STREQ(hex, vectors[i].digest);
	}
}

TEST(one_million_a)
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

/* Lengths where the padding needs one more block (56 mod 64 and up) or exactly fills one. */
TEST(padding_boundaries)
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

TEST(empty_updates_change_nothing)
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

TAP_MAIN
