/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The user namespace of a container and the namespaces it shares with another one.
 *
 * Rootful:
 *   --userns host (default)   no user namespace, the host's ids;
 *   --userns auto[:size=N]    a range of N ids (65536 by default) of its own, taken from the
 *                             /etc/subuid and /etc/subgid entries of the user "containers"
 *                             (podman's convention), not overlapping any other container's
 *                             allocation (kept in the record, chosen under containers.lock,
 *                             given back when the record goes: rm);
 *   --uidmap/--gidmap C:H:N   container ids C.. are host ids H.. (one given: the other is the
 *                             same).
 * Rootless (a user namespace nested in the storage one, whose ids are 0 = the user, 1..R =
 * the subordinate range):
 *   host (default), keep-id (the user's uid is the user's), nomap (the user is not mapped:
 *   container root is the first subordinate id), --uidmap/--gidmap C:H:N with H an id of
 *   the storage namespace (podman's rootless semantics).
 *
 * With a mapping other than the storage one, the image's files would show the wrong
 * owners: ctr_rootfs_idshift() chowns the container's root filesystem through the mapping
 * once, before its first start. The overlay upper layer takes the chowned copies (copy-up),
 * the image's layers stay shared and untouched. Overlayfs itself cannot be idmapped
 * (mount_setattr(MOUNT_ATTR_IDMAP) on it is EINVAL on this kernel), and idmapped lower
 * layers would need the store's overlay mount to change; the copy works with every driver.
 *
 * --pid/--ipc/--uts container:NAME joins the namespace of NAME's init by path
 * (/proc/PID/ns/X); the PID is resolved again at every start, checked against the record's
 * start time. Rootless, the two containers live in different storage user namespaces: the
 * joining container's monitor enters NAME's storage namespace (the parent of its init's
 * user namespace) instead of making a new one, and the container joins NAME's user
 * namespace too, so the namespaces it joins are owned by its own user namespace. */
#pragma once

#include <stdbool.h>

#include "engine/container/spec.h"

struct json_object;

/* Adds the user namespace (linux.namespaces entry, uidMappings, gidMappings) for mode and
 * o->uidmap/gidmap, or nothing for the host's ids; sets rec->auto_* (saving the record under
 * containers.lock) and rec->idshift. Errors name the option. */
int ctr_spec_userns(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, const char *mode, struct ctr_record *rec,
		    struct json_object *linux_, struct json_object *ns);

/* Is v "container:…"? */
bool ctr_ns_is_container(const char *v);

/* --pid/--ipc/--uts container:NAME: checks that NAME runs, sets rec->pid_ctr/ipc_ctr/uts_ctr
 * and the paths of the entries of ns (which must already list pid/ipc/uts). Rootless, the
 * user namespace entry gets NAME's too (and uidMappings/gidMappings go). */
int ctr_spec_ns_join(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, struct ctr_record *rec,
		     struct json_object *linux_, struct json_object *ns);
/* The hostname of the container named by uts ("container:NAME"), which must run (caller
 * frees). */
int ctr_ns_join_hostname(const struct ctr_spec_ctx *ctx, const char *uts, char **ret);

/* The monitor, before anything else: rootless, enters the storage user namespace (a new
 * one, or the one of the container whose namespaces this one joins) with a private mount
 * namespace; then points config.json's joined namespaces at the other container's current
 * init. Errors are logged. */
int ctr_monitor_enter_namespaces(const char *store_root, const char *id);

/* Before the first start (rec->idshift): chowns every file of the root filesystem at rootfd
 * from its owner c to the host id that container id c maps to (linux.uidMappings/
 * gidMappings of config, the parsed config.json), keeping setuid/setgid bits. Ids outside
 * the mapping stay. Marks userdata (the directory of config_path) so that it runs once; an
 * interrupted one is an error (the container must be re-created). */
int ctr_rootfs_idshift(const char *config_path, int rootfd, struct json_object *config);
