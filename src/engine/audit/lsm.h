/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LSM state: which LSMs are active on the host (/sys/kernel/security/lsm when securityfs
 * is mounted, else the AppArmor module parameter and selinuxfs), and a process's label
 * (attr/apparmor/current, attr/current). Without a labelling LSM (AppArmor, SELinux,
 * Smack) attr/current answers EINVAL: reported as "inactive", not as a finding. */
#pragma once

#include <stdbool.h>

struct audit_lsm {
	char active[128]; /* "lockdown,capability,landlock", or "" */
	bool from_securityfs;
	bool confinable;   /* a labelling LSM is active */
	bool confined;	   /* its label is not "unconfined"/"unconfined_t"/"_"... */
	const char *label; /* the process's label (points into the caller's text), or NULL */
	const char *state; /* "confined", "unconfined", "inactive" */
};

/* Host LSMs into ret->active/confinable (no process). */
void audit_lsm_host(struct audit_lsm *ret);
/* label/label_errno from audit_proc (label may be NULL). */
void audit_lsm_read(const char *label, int label_errno, struct audit_lsm *ret);

struct json_object;
struct json_object *audit_lsm_json(const struct audit_lsm *l);
