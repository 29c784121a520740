/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Linux security module labels: process.apparmorProfile, process.selinuxLabel and
 * linux.mountLabel.
 *
 * Which LSMs are active is decided in the runtime, before the fork and in the host's mount
 * namespace (lsm_list_modules(2), else securityfs's "lsm" file, else the AppArmor module
 * parameter and a mounted selinuxfs), never from files the image controls. A label for an
 * LSM that is not active is an error naming the field, unless the annotation
 * io.kakuri.lsm.optional is "true": then it is a warning and the container runs without
 * that label. An apparmorProfile of "unconfined" on a host without AppArmor is what the
 * host gives anyway and is accepted silently.
 *
 * The exec labels are written by the container init (and by exec) right before the exec,
 * before any seccomp filter, through a private procfs instance verified by fstatfs
 * (lib/procfs.h) and a path without symlinks: an image with a fake /proc, or something
 * mounted over /proc/self/attr, cannot make the write go nowhere (CVE-2019-16884,
 * CVE-2023-27561). The mount label is added to the container's non-bind mounts as a
 * context="…" option, only when SELinux is active. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/spec.h"

#define LSM_OPTIONAL_ANNOTATION "io.kakuri.lsm.optional"

enum {
	LSM_APPARMOR = 1U << 0,
	LSM_SELINUX = 1U << 1,
	LSM_SMACK = 1U << 2,
	LSM_LANDLOCK = 1U << 3,
};

/* The comma-separated list of securityfs's "lsm" file ("lockdown,capability,landlock,
 * apparmor\n") as LSM_* bits; names we do not track are ignored. */
unsigned lsm_parse_list(const char *text);
/* The LSM ids lsm_list_modules(2) returns (LSM_ID_SELINUX = 101, …) as LSM_* bits. */
unsigned lsm_from_ids(const uint64_t *ids, size_t n);
/* The LSMs active on this host. Call it in the host's mount namespace. */
unsigned lsm_detect(void);

/* What the container process gets; the strings point into the spec/process. NULL: nothing
 * to apply. */
struct lsm_plan {
	const char *apparmor_profile; /* written as "exec <profile>" to attr/apparmor/exec */
	const char *selinux_label;    /* written to attr/exec */
	const char *mount_label;      /* context="…" on mounts */
};

/* Check p's labels (and linux.mountLabel when with_mount_label) against the active LSMs
 * (lsm_detect()). Logs the error, or the warnings when optional. */
int lsm_plan_make(const struct oci_spec *spec, const struct oci_process *p, bool with_mount_label, unsigned active,
		  struct lsm_plan *ret);

/* In the container, right before the exec and before seccomp; needs CAP_SYS_ADMIN in the
 * container's user namespace for the private procfs (the init still has it). */
int lsm_apply_exec(const struct lsm_plan *plan);

/* The options of mount m with context="<mount_label>" appended, or *ret = NULL when the
 * label does not apply to it (bind mounts, proc, sysfs, cgroup, mqueue, a remount, an
 * explicit context= option, or no label). *ret caller frees (strv). */
int lsm_mount_options(const struct oci_mount *m, const char *mount_label, char ***ret);
