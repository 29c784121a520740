/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A cache of compiled seccomp filters, so that a container with a large profile does not pay
 * libseccomp's compile (tens of milliseconds for the default profile on three architectures)
 * on every start: the exported BPF program is stored under the state root, content-addressed
 * by
 *
 *   SHA-256( format version, kakuri version, libseccomp version, uname machine + release,
 *            canonical serialization of what shapes the program: defaultAction,
 *            defaultErrnoRet, architectures, every rule with names, action, errnoRet, args )
 *
 * flags and listenerPath/Metadata are not part of the program, so not of the key.
 *
 * Trust: a cache file is a filter we are about to install on a container, so it is used only
 * if the directory and the file belong to the caller (effective uid) and are writable by no
 * one else, the file is regular (no symlink followed), and its size is a non-zero multiple of
 * sizeof(struct sock_filter) within BPF_MAXINSNS. Anything else is a miss (the filter is
 * compiled again), never an error. Files are written with fs_write_atomic (0600). */
#pragma once

#include <linux/filter.h>
#include <stddef.h>

#include "lib/sha256.h"
#include "oci/spec.h"

/* The cache directory for a state root: ROOT/.cache/seccomp (container ids cannot start with
 * '.', so this never collides with a container). Caller frees; NULL on ENOMEM. */
char *seccomp_cache_dir(const char *root);
/* The key of spec on this system, as lower-case hex. -errno (uname) on failure. */
int seccomp_cache_key(const struct oci_seccomp *spec, char ret_key[SHA256_HEX_SIZE]);
/* Loads DIR/KEY.bpf. -ENOENT: not cached; -EPERM: the directory or file is not trusted;
 * -EBADMSG: wrong size. *ret (caller frees) and *ret_n written on success only. */
int seccomp_cache_load(const char *dir, const char *key, struct sock_filter **ret, size_t *ret_n);
/* Stores insns as DIR/KEY.bpf, creating DIR (0700) if needed. When DIR holds
 * SECCOMP_CACHE_MAX_ENTRIES files already, they are all removed first: a cache that churns
 * (profiles generated per container) must not grow without bound. */
int seccomp_cache_store(const char *dir, const char *key, const struct sock_filter *insns, size_t n);

#define SECCOMP_CACHE_MAX_ENTRIES 128
