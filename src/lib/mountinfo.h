/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /proc/PID/mountinfo parsing (proc(5)):
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 * Octal escapes (\040 etc.) in root, mount point and source are decoded.
 * lib layer: returns -errno, no logging. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct mountinfo_entry {
	int id, parent_id;
	unsigned major, minor;
	char *root;	  /* path of the mount's root within its filesystem */
	char *mountpoint; /* relative to the reader's root */
	char *options;	  /* per-mount options: "rw,nosuid,relatime" */
	char *optional;	  /* optional fields joined by ' ': "shared:1 master:2", or "" */
	char *fstype;
	char *source;
	char *super_options; /* per-superblock options */
};

struct mountinfo {
	struct mountinfo_entry *entries;
	size_t n;
};

/* Parse mountinfo text. Returns 0, -EINVAL for a malformed line, or -ENOMEM.
 * Release with mountinfo_done(). */
int mountinfo_parse(const char *text, struct mountinfo *ret);
/* Read and parse /proc/self/mountinfo (path NULL) or the given file. */
int mountinfo_read(const char *path, struct mountinfo *ret);
void mountinfo_done(struct mountinfo *mi);

const struct mountinfo_entry *mountinfo_find_id(const struct mountinfo *mi, int id);
/* True if the optional fields contain tag ("shared", "master", "propagate_from",
 * "unbindable") with any value. */
bool mountinfo_has_tag(const struct mountinfo_entry *e, const char *tag);
/* True if the comma-separated option list opts contains exactly opt. */
bool mountinfo_opts_has(const char *opts, const char *opt);
