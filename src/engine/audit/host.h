/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `kakuri audit --host`: the host checks of NIST SP 800-190 that can be read locally, each
 * from the kernel or the file that decides it: kernel version, unprivileged user
 * namespaces (kernel.unprivileged_userns_clone, user.max_user_namespaces,
 * kernel.apparmor_restrict_unprivileged_userns), /etc/subuid and /etc/subgid (per user,
 * ranges under 65536 and overlaps flagged), newuidmap/newgidmap (setuid root, or the
 * security.capability xattr decoded here), seccomp actions, Landlock ABI
 * (landlock_create_ruleset(LANDLOCK_CREATE_RULESET_VERSION)), active LSMs, cgroup mode and
 * delegation to the caller, overlayfs in a user namespace (probed: a child mounts one),
 * container-engine sockets in /run and /var/run (world-writable flagged), and kakuri's own
 * running containers (this store only) that are privileged or run as host root. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "engine/image/store.h"

struct json_object;

/* Pure: decodes a security.capability xattr (vfs_cap_data, revisions 1-3) into the
 * permitted mask; -EINVAL if malformed. ret_rootid: revision 3's root uid, else 0. */
int audit_vfs_cap_parse(const void *data, size_t len, uint64_t *ret_permitted, uint32_t *ret_rootid);

/* s may be NULL (no container list). *ret: the report; *ret_max: highest finding
 * severity (-1: none). */
int audit_host(struct store *s, struct json_object **ret, int *ret_max);
