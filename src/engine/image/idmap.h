/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The engine's user namespace for rootless storage.
 *
 * Rootless, every process that writes image content (layer unpack, removal, container
 * root filesystems) runs as root of a user namespace that maps
 *     0 → the user's own uid/gid (size 1), 1..N → the user's /etc/subuid and /etc/subgid range,
 * the same mapping podman uses, so files in layers carry the mapped subuids on disk and a
 * container started with that mapping sees the image's owners. The maps are written by the
 * setuid helpers newuidmap/newgidmap (package uidmap) through runtime/userns.c.
 *
 * `kakuri unshare` puts a whole kakuri process (and the command it runs) into that
 * namespace; it exports KAKURI_USERNS_UID so that nested kakuri commands know they are
 * the rootless user already inside its namespace (euid 0 there, but not host root). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define IDMAP_ENV "KAKURI_USERNS_UID"

struct idmap {
	uid_t uid; /* the user's own ids (mapped to 0) */
	gid_t gid;
	uint32_t uid_start, uid_count; /* /etc/subuid range (mapped from 1) */
	uint32_t gid_start, gid_count;
};

/* Acting for an unprivileged user: euid != 0, or inside the namespace of `kakuri unshare`. */
bool idmap_rootless(void);
/* Inside the namespace made by idmap_unshare_self() (this process or an ancestor). */
bool idmap_in_userns(void);
/* The unprivileged user's uid (the real one when inside the namespace). */
uid_t idmap_user_uid(void);

/* Reads the user's ranges from /etc/subuid and /etc/subgid. A missing range is an error
 * that names the file and the command that adds one. */
int idmap_load(struct idmap *ret);

/* fork(): the child is root in a fresh user namespace with the mapping above (also in a new
 * mount namespace when new_mountns) before fork returns 0 in it. As host root, or already
 * inside the namespace, it is a plain fork (plus CLONE_NEWNS when asked). Returns the
 * child's pid in the parent, 0 in the child, -errno on failure (logged). */
pid_t idmap_fork(const struct idmap *m, bool new_mountns);
/* Moves the calling (single-threaded) process into a fresh user + mount namespace with
 * the mapping, as root there, and sets IDMAP_ENV. */
int idmap_unshare_self(const struct idmap *m);
/* Waits for a child of idmap_fork(); returns its exit status as -errno (the child exits
 * with the errno value of its failure, 0 on success) or -ECHILD if it was killed. */
int idmap_wait(pid_t pid);
