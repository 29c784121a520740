/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for credentials files and WWW-Authenticate headers
 * (engine/image/auth.c). Build and run: see tests/fuzz/README.md.
 *
 * The input is split at the first NUL: before it a WWW-Authenticate value, after it an
 * auth.json. Contract: challenges have a lower-case scheme; a credential lookup returns
 * 0, 1 with both strings, or -EINVAL with a message; base64 round-trips. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/image/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t hlen = nul ? (size_t)(nul - data) : size;
	char *hdr = strndup((const char *)data, hlen);
	if (!hdr)
		return 0;
	struct auth_challenge c[8];
	int n = auth_parse_challenges(hdr, c, 8);
	for (int i = 0; i < n; i++) {
		for (const char *p = c[i].scheme; *p; p++)
			if (isupper((unsigned char)*p))
				__builtin_trap();
		auth_challenge_clear(&c[i]);
	}
	char *enc = auth_base64_encode(hdr, hlen), *dec = NULL;
	size_t dlen;
	if (enc && (auth_base64_decode(enc, &dec, &dlen) < 0 || dlen != hlen || memcmp(dec, hdr, hlen) != 0))
		__builtin_trap();
	free(enc);
	free(dec);
	free(hdr);
	if (nul) {
		const char *json = (const char *)nul + 1;
		size_t jlen = size - hlen - 1;
		char *u = NULL, *p = NULL, *err = NULL;
		int r = auth_lookup_in(json, jlen, "quay.io", "org/repo", &u, &p, &err);
		if (r == 1 && (!u || !p))
			__builtin_trap();
		if (r == -EINVAL && !err)
			__builtin_trap();
		if (r < -1 && r != -EINVAL && r != -ENOMEM)
			__builtin_trap();
		free(u);
		free(p);
		free(err);
	}
	return 0;
}
