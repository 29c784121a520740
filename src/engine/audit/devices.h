/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Device nodes in a process's /dev beyond the default set (null, zero, full, random,
 * urandom, tty, console, ptmx, pts): read through /proc/PID/root (needs ptrace-read access
 * to the process, as /proc/PID/root always does), resolved in that root (an image's
 * "dev -> /" cannot redirect us). A default name with the wrong device numbers (a "null"
 * that is really a disk) counts as extra. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define AUDIT_DEV_REL_MAX 256 /* below /dev, 3 levels */

struct audit_device {
	char path[AUDIT_DEV_REL_MAX + 8]; /* "/dev/vda" */
	char type;			  /* 'c' or 'b' */
	unsigned major, minor;
};

struct audit_devices {
	int error; /* errno when /dev could not be read (EACCES, ENOENT): the list is empty */
	struct audit_device *extra;
	size_t n_extra, n_block;
};

/* Pure: is relpath (below /dev, e.g. "null", "pts/ptmx") with that type and numbers part
 * of the default set? */
bool audit_device_is_default(const char *relpath, char type, unsigned major, unsigned minor);
/* Scans /proc/PID/root/dev (3 levels deep; pts, shm and mqueue are skipped). Errors land
 * in ret->error; returns -ENOMEM only. */
int audit_devices_scan(pid_t pid, struct audit_devices *ret);
void audit_devices_done(struct audit_devices *d);
