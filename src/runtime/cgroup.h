/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A container's control group: where it goes, creating it with linux.resources applied,
 * moving processes in, and the operations behind pause/resume/update/ps/kill/delete.
 *
 * Hosts: unified (cgroup v2), legacy (v1) and hybrid (v1 controllers + a v2 hierarchy) are
 * all supported; see cgroup-layout.h for how each controller is chosen. The container joins
 * every hierarchy the host has (each v1 one, named ones like name=systemd included, and the
 * v2 one), so that ps, kill --all and the freezer see the same processes whichever serves.
 *
 * linux.cgroupsPath (the same path in every hierarchy):
 *   absent              "/kakuri/<id>"; rootless: relative "kakuri/<id>"
 *   "/a/b"              below the root of each cgroup mount (spec: "relative to the cgroups
 *                       mount point")
 *   "a/b"               v1: below the runtime's own cgroup in that hierarchy; v2: below the
 *                       *parent* of the runtime's own cgroup, as runc: the runtime's own
 *                       cgroup holds processes (us), and a v2 cgroup with processes cannot
 *                       enable controllers for children ("no internal processes" rule)
 *   "slice:prefix:name" the systemd form, placed where systemd would put that unit,
 *                       "/<slice path>/<prefix>-<name>.scope" ("a-b.slice" is
 *                       "/a.slice/a-b.slice"; an empty slice is system.slice, rootless
 *                       user.slice), so a config written for a systemd driver still works
 *   ".." anywhere, or the cgroup root itself, is refused.
 * Directories we made are removed by delete; intermediate ones ("/kakuri") stay, as a
 * concurrent create may be about to use them.
 *
 * --cgroup-manager: "cgroupfs" (default); "disabled": no cgroup at all, linux.resources is
 * ignored; "systemd": refused with an error saying why (kakuri does not implement the
 * D-Bus manager, and it needs systemd as PID 1).
 *
 * Rootless: a hierarchy is used only if the target dir (or its deepest existing ancestor)
 * is writable by us and moving the init in works. If none is usable the container runs
 * without a cgroup and one warning says limits are not enforced; a limit that needs an
 * unusable controller is an error naming the field and the reason instead. Device rules are
 * not applied rootless (a user namespace cannot create device nodes anyway).
 *
 * Creation: the init is moved in while it waits for SYNC_CGROUP_DONE, before it has run any
 * container code; it then unshares its cgroup namespace, so this cgroup is the container's
 * root. On a create (spec: config-linux.md "Control groups"), a pre-existing cgroup that has
 * processes or is frozen is refused.
 *
 * All functions log their own errors and return -errno. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "runtime/cgroup-layout.h"

struct cgroup;

struct cgroup_options {
	const char *manager;        /* "cgroupfs" (NULL: the default), "systemd", "disabled" */
	const char *id;
	const char *cgroups_path;   /* linux.cgroupsPath, may be NULL */
	const char *resources_json; /* linux.resources, may be NULL */
	bool rootless;              /* permission failures mean "not delegated", not an error */
	const struct oci_device *devices; /* linux.devices: allowed rwm in the device filter */
	size_t n_devices;
};

/* Decide everything (layout, paths, resource writes) and check the resources can be
 * applied on this host; no filesystem changes. *ret = NULL with 0 when the container runs
 * without a cgroup. */
int cgroup_prepare(const struct cgroup_options *o, struct cgroup **ret);
/* Create the directories, apply the resources and device filter, move pid in. Returns 1
 * if (rootless) no hierarchy turned out usable: the container runs without a cgroup and cg
 * can be freed. On failure the caller must still cgroup_destroy() cg (it may hold pid). */
int cgroup_enter(struct cgroup *cg, pid_t pid);
/* Move pid into the (existing) cgroup, e.g. for exec. */
int cgroup_attach(const struct cgroup *cg, pid_t pid);
/* Thaw, SIGKILL every process, wait for them to go, remove the directories we made. Works
 * on a frozen cgroup and after an OOM kill; NULL is a no-op. */
int cgroup_destroy(struct cgroup *cg);
void cgroup_free(struct cgroup *cg);

/* JSON text for state.json ("cgroup") and the pre-create record; caller frees. */
char *cgroup_serialize(const struct cgroup *cg);
int cgroup_deserialize(const char *text, struct cgroup **ret);

/* Freeze (v1 freezer.state, v2 cgroup.freeze) or thaw, and wait until the kernel is done. */
int cgroup_freeze(struct cgroup *cg, bool freeze);
/* 1 frozen (or freezing), 0 not, -errno (-ENOTSUP: no freezer). */
int cgroup_frozen(const struct cgroup *cg);
/* cgroup_frozen() of serialized text; false on any error. For state_status(). */
bool cgroup_serialized_frozen(const char *text);
/* Every process in the cgroup and its descendants (pids in our pid namespace). */
int cgroup_pids(const struct cgroup *cg, pid_t **ret, size_t *ret_n);
/* Signal every process: SIGKILL through cgroup.kill on v2 when the kernel has it, else
 * freeze, signal each, thaw (a forking process cannot escape between listing and signal). */
int cgroup_kill(const struct cgroup *cg, int sig);
/* Apply a linux.resources object: its sections are merged into the resources recorded in
 * cg (so a later --memory-swap still knows the memory limit) and the merged sections are
 * written. what prefixes messages ("update"). */
int cgroup_update(struct cgroup *cg, const char *resources_json, const char *what);

/* The directory serving controller c (CGROUP_CORE: the v2 one), or NULL. */
const char *cgroup_dir(const struct cgroup *cg, int c, bool *ret_v2);
enum cgroup_mode cgroup_get_mode(const struct cgroup *cg);
