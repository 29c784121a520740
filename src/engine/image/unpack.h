/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Secure layer extraction: a (compressed) tar stream into an empty directory, in the
 * overlayfs on-disk form.
 *
 * The layer is hostile input. Defences (each one a known CVE class in other engines):
 *  - names: absolute paths and any ".." component are refused, not "cleaned" (a layer
 *    that spells an escape is malicious, whatever the resolution would make of it);
 *  - resolution: every parent is walked from the layer root fd with openat2
 *    RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_XDEV, so an entry
 *    written through a symlink that the same layer planted ("x -> /", then "x/etc/passwd")
 *    is refused; the last component is created with O_EXCL|O_NOFOLLOW / *at calls on that
 *    parent fd, never through a path string;
 *  - hard links: the target obeys the same rules and must already exist in this layer;
 *  - whiteouts: ".wh.NAME" becomes an overlay whiteout (char device 0:0), ".wh..wh..opq"
 *    an opaque directory (xattr trusted.overlay.opaque, rootless user.overlay.opaque);
 *    ".wh." of "", "." or ".." is refused; other ".wh..wh." names are aufs metadata and
 *    skipped; xattrs in the overlay namespaces coming from the layer itself are dropped
 *    (they would let a layer forge whiteouts or redirects);
 *  - device nodes: created as root; rootless they are skipped with a note;
 *  - xattrs: user.*, trusted.* (root only) and security.capability are kept, others
 *    (security.selinux, system.*) are dropped;
 *  - bombs: the uncompressed size, the entry count and (past the first 256 MiB) the
 *    decompression ratio are bounded (struct unpack_limits); an entry whose declared size
 *    exceeds what is left of the budget is refused before any of its data is read.
 * An error names the entry ("layer entry 'etc/../x': ..."); the caller discards the
 * directory, so a rejected layer leaves nothing behind.
 *
 * Ownership is applied as written in the layer: rootless callers run this inside the
 * storage user namespace (idmap.h), where the kernel maps the ids to subuids on disk.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/image/decompress.h"
#include "engine/image/digest.h"

struct unpack_limits {
	uint64_t max_bytes;   /* uncompressed tar bytes (default 32 GiB) */
	uint64_t max_entries; /* tar entries (default 2,000,000) */
	uint64_t max_ratio;   /* uncompressed / compressed, past 256 MiB (default 200) */
};

struct unpack_opts {
	struct unpack_limits limits;
	bool rootless;	   /* skip device nodes; user.overlay.* for opaque dirs */
	bool quiet;	   /* no notes on stderr for skipped entries */
	uid_t max_id;	   /* highest uid/gid that is mapped (rootless; 0: no check) */
	bool no_in_digest; /* the caller verifies the blob digest: in_digest stays "" */
};

struct unpack_result {
	char diff_id[DIGEST_STRING_SIZE];   /* sha256 of the uncompressed stream */
	char in_digest[DIGEST_STRING_SIZE]; /* sha256 of the bytes read from fd */
	uint64_t tar_bytes, in_bytes, entries;
	enum compression compression;
	unsigned skipped_devices;
};

/* Limits from the environment (KAKURI_MAX_LAYER_SIZE bytes with an optional K/M/G/T
 * suffix, KAKURI_MAX_LAYER_ENTRIES, KAKURI_MAX_LAYER_RATIO), else the defaults. */
void unpack_limits_default(struct unpack_limits *ret);

/* Extracts fd (offset/length as in dstream_new) into the empty directory dirfd (an
 * O_RDONLY|O_DIRECTORY fd). Returns 0 and *res, or -errno with a one-line message in err. */
int unpack_layer(int fd, off_t offset, int64_t length, int dirfd, const struct unpack_opts *o,
		 struct unpack_result *res, char *err, size_t errlen);

/* ---- pieces exposed for the unit tests ---- */
enum unpack_whiteout {
	UNPACK_WH_NONE,	   /* an ordinary name */
	UNPACK_WH_FILE,	   /* ".wh.NAME": *ret_target = NAME */
	UNPACK_WH_OPAQUE,  /* ".wh..wh..opq" */
	UNPACK_WH_META,	   /* other ".wh..wh." names (aufs): skipped */
	UNPACK_WH_INVALID, /* ".wh.", ".wh..", ".wh..." */
};
enum unpack_whiteout unpack_whiteout_kind(const char *basename, const char **ret_target);

/* Validates and normalises an entry name: strips "./" prefixes, repeated and trailing
 * slashes and "." components; "" (the layer root) for "./". -EINVAL for absolute names,
 * ".." components and NUL-length components after normalisation would change meaning.
 * *ret caller frees. */
int unpack_clean_name(const char *name, char **ret);
