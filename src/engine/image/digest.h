/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Content digests as the OCI image spec writes them: "sha256:" + 64 lower-case hex digits.
 * Only sha256 is accepted (sha512 is allowed by the spec but no registry or tool in use
 * emits it; refusing it is clearer than half-supporting it). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/sha256.h"

#define DIGEST_PREFIX	   "sha256:"
#define DIGEST_STRING_SIZE (7 + 64 + 1) /* "sha256:" + hex + NUL */

/* True for "sha256:" followed by exactly 64 lower-case hex digits. */
bool digest_valid(const char *d);
/* The hex part of a valid digest (points into d). */
const char *digest_hex(const char *d);
/* "sha256:<hex>" of a finished context / of a buffer. */
void digest_final(struct sha256_ctx *c, char ret[DIGEST_STRING_SIZE]);
void digest_buffer(const void *data, size_t len, char ret[DIGEST_STRING_SIZE]);
/* True if s is 1..64 lower-case hex digits (an image ID or a prefix of one). */
bool digest_is_hex_prefix(const char *s);
