/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "digest.h"

#include <string.h>

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool digest_valid(const char *d)
{
	if (!d || strncmp(d, DIGEST_PREFIX, 7) != 0)
		return false;
	d += 7;
	for (int i = 0; i < 64; i++)
		if (!is_hex(d[i]))
			return false;
	return d[64] == 0;
}

const char *digest_hex(const char *d)
{
	return d + 7;
}

bool digest_is_hex_prefix(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!is_hex(s[n]) || n >= 64)
			return false;
	return n > 0;
}

void digest_final(struct sha256_ctx *c, char ret[DIGEST_STRING_SIZE])
{
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_final(c, d);
	memcpy(ret, DIGEST_PREFIX, 7);
	sha256_hex(d, ret + 7);
}

void digest_buffer(const void *data, size_t len, char ret[DIGEST_STRING_SIZE])
{
	struct sha256_ctx c;
	sha256_init(&c);
	sha256_update(&c, data, len);
	digest_final(&c, ret);
}
