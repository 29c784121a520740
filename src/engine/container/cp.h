/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `cp` between the host and a container, with every path inside the container resolved in
 * its root (CVE-2018-15664 class: a container swapping a directory for a symlink while we
 * copy must not redirect us to host files):
 *
 *   - the container side starts from a dirfd of its root (/proc/PID/root of its init when it
 *     runs, so volumes are included; its mounted root filesystem otherwise) and is walked
 *     with openat2(RESOLVE_IN_ROOT) for the given path, then one component at a time with
 *     O_NOFOLLOW relative to already-open directory fds;
 *   - rootless, the copy runs in a child inside the container's user namespace (running) or
 *     a fresh storage user namespace (stopped), so owners map as the container sees them;
 *   - files copied in belong to the container's root (-a: keep the source's owners), files
 *     copied out to the caller; symlinks are copied as symlinks, never followed.
 * docker's rules for the destination: an existing directory receives SRC's basename (or
 * SRC's contents for "SRC/."); otherwise DST is created. */
#pragma once

#include <stdbool.h>

#include "engine/container/record.h"

int ctr_cp(struct store *s, const struct ctr_record *rec, const char *host_path, const char *ctr_path,
	   bool to_container, bool archive);
