/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A streaming tar reader for image layers (untrusted input) and a minimal writer for
 * `kakuri save`.
 *
 * Reads ustar, GNU (long names 'L'/'K', base-256 numbers) and POSIX pax ('x' per entry,
 * 'g' global) archives from a read callback, one 512-byte block at a time; nothing is
 * seeked, so it works on a pipe from a decompressor. Every field is bounds-checked: header
 * checksums, octal/base-256 overflow, pax record lengths, path and xattr sizes (limits
 * below). Sparse entries (GNU 'S', pax GNU.sparse.*) and multi-volume archives are refused
 * rather than half-understood: a layer is never written differently from how another tool
 * would read it.
 *
 * The reader only parses. It does not judge paths (that is unpack.c's job), but it returns
 * names exactly as the archive spells them, with no NUL or truncation games: a name with an
 * embedded NUL in a pax record is an error.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum tar_type {
	TAR_REG = '0',
	TAR_LNK = '1',
	TAR_SYM = '2',
	TAR_CHR = '3',
	TAR_BLK = '4',
	TAR_DIR = '5',
	TAR_FIFO = '6',
};

struct tar_xattr {
	char *name;
	char *value; /* not NUL-terminated in general: use len */
	size_t len;
};

struct tar_entry {
	char *path;	    /* never NULL or empty */
	char *linkname;	    /* hard link / symlink target, or NULL */
	enum tar_type type; /* normalised: '\0' and '7' are TAR_REG */
	mode_t mode;	    /* permission bits incl. setuid/setgid/sticky (07777) */
	uint64_t uid, gid;
	uint64_t size; /* data bytes that follow (0 for everything but TAR_REG) */
	int64_t mtime;
	long mtime_nsec;
	unsigned dev_major, dev_minor;
	struct tar_xattr *xattrs;
	size_t n_xattrs;
};

struct tar_limits {
	size_t max_path;       /* bytes of a path or link name (default 4096) */
	size_t max_pax;	       /* bytes of one pax extended header (default 1 MiB) */
	size_t max_xattr_size; /* bytes of all xattr values of one entry (default 64 KiB) */
	size_t max_xattrs;     /* xattrs per entry (default 128) */
};

/* Read up to len bytes into buf; returns the number read (0 only at end of input) or
 * -errno. */
typedef ssize_t (*tar_read_fn)(void *userdata, void *buf, size_t len);

struct tar_reader;

/* lim may be NULL (defaults). *ret caller frees with tar_reader_free(). */
int tar_reader_new(tar_read_fn read_fn, void *userdata, const struct tar_limits *lim, struct tar_reader **ret);
void tar_reader_free(struct tar_reader *tr);

/* Optional: advance the input by n bytes without reading them (a seekable file), used
 * to skip entry data when only the index of an archive is wanted. */
typedef int (*tar_skip_fn)(void *userdata, uint64_t n);
void tar_reader_set_skip(struct tar_reader *tr, tar_skip_fn skip_fn);

/* Next entry: 1 and *ret (owned by the reader, valid until the next call), 0 at the end
 * of the archive (two zero blocks, or one zero block followed by end of input), -errno on
 * error with tar_reader_error() set. Unread data of the previous entry is skipped. */
int tar_reader_next(struct tar_reader *tr, const struct tar_entry **ret);
/* Data of the current entry: up to len bytes, 0 at its end, -errno on error. */
ssize_t tar_reader_read(struct tar_reader *tr, void *buf, size_t len);
/* The last error as one line ("entry 'a/b': bad header checksum"), or NULL. */
const char *tar_reader_error(const struct tar_reader *tr);

/* ---- writer (trusted input only: files of the store) ---- */
/* Writes a ustar header for a directory or regular file (name < 100 bytes or split with
 * the prefix field; longer names get a pax 'x' record). Returns 0 or -errno. */
int tar_write_header(int fd, const char *name, enum tar_type type, mode_t mode, uint64_t size, int64_t mtime);
/* Pads the data of an entry of size bytes to the block size. */
int tar_write_pad(int fd, uint64_t size);
/* The two zero blocks that end an archive. */
int tar_write_end(int fd);
