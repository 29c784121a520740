/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to lib/sha256.c and its unit test: which block function sha256_update() and
 * sha256_final() use. Production code never calls this; the library picks the fastest one
 * the CPU supports on first use. The test forces each in turn to compare them on a machine
 * where the hardware path would otherwise always win. */
#pragma once

enum sha256_impl {
	SHA256_IMPL_AUTO,     /* the fastest the CPU supports; the default */
	SHA256_IMPL_PORTABLE, /* plain C, FIPS 180-4 6.2.2 as written */
	SHA256_IMPL_X86_SHA,  /* x86 SHA extensions (SHA-NI) with SSSE3/SSE4.1 */
};

/* Makes every later hash in the process use impl. Returns 0, or -ENOTSUP if this build or
 * CPU lacks it (the selection is then unchanged). Not safe to call while another thread is
 * inside sha256_update()/sha256_final(); a context may switch implementation between calls,
 * since all of them keep the same state in struct sha256_ctx. */
int sha256_impl_set(enum sha256_impl impl);
/* The implementation in use (resolving SHA256_IMPL_AUTO first); never SHA256_IMPL_AUTO. */
enum sha256_impl sha256_impl_get(void);
/* "portable", "x86-sha", ...: for test and benchmark output. */
const char *sha256_impl_name(enum sha256_impl impl);
