/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The defense-in-depth tier of SECURITY-NOTES.md, decided from kernel facts (pure):
 *
 *   mode     rootless   container root (uid 0 of its user namespace) is not host uid 0:
 *                       uid_map translates 0 to a non-zero host uid, or does not map it
 *            privileged otherwise, if the bounding set holds every capability the host's
 *                       init has (/proc/1/status CapBnd; all of this kernel's if unreadable)
 *                       AND at least one more privileged signal: seccomp off, /sys mounted
 *                       read-write, or host devices (block devices, or devices outside the
 *                       default set) in its /dev
 *            rootful    otherwise: container root is host root
 *   inside   root       the effective uid, translated into the process's user namespace, is 0
 *
 *   tier 1 privileged+root, 2 privileged+non-root, 3 rootful+root, 4 rootful+non-root,
 *        5 rootless+root, 6 rootless+non-root.
 *
 * Rootless wins over privileged: a privileged container in a user namespace holds its
 * capabilities over that namespace only, and a breakout lands as the unprivileged host uid
 * (SECURITY-NOTES: "in rootless mode it can never exceed the invoking user's own rights").
 * The reason line says so. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct audit_tier_input {
	bool in_initial_userns; /* the process shares the host's (initial) user namespace */
	bool root_mapped;	/* uid 0 of its user namespace maps to a host uid */
	uint32_t host_uid_of_root;
	bool uid_inside_known;
	uint32_t uid_inside; /* effective uid inside its user namespace */
	uint32_t host_euid;  /* effective uid as the host sees it */
	bool full_caps;	     /* bounding set ⊇ the host's */
	bool seccomp_off, sys_rw, host_devices;
};

struct audit_tier {
	int tier;	  /* 1..6 */
	const char *mode; /* "privileged", "rootful", "rootless" */
	bool privileged;  /* the privileged signals hold (also reported for rootless) */
	bool root_inside;
	char reason[320];
};

void audit_tier_decide(const struct audit_tier_input *in, struct audit_tier *ret);
/* "privileged + root inside", ... for tier 1..6. */
const char *audit_tier_name(int tier);
