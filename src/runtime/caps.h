/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Linux capabilities from process.capabilities, without libcap (raw capget/capset/prctl).
 *
 * Order (called by the init and exec):
 *   caps_drop_bounding()  before the uid switch: PR_CAPBSET_DROP for every cap not in
 *                         bounding (needs CAP_SETPCAP, which we still hold);
 *   process_switch_user() keeps permitted across setuid (PR_SET_KEEPCAPS);
 *   caps_apply()          after it: capset(permitted, effective, inheritable), then
 *                         PR_CAP_AMBIENT_CLEAR_ALL and raise each ambient cap.
 * Inheritable is empty unless listed (CVE-2022-29162). */
#pragma once

#include <stdint.h>

#include "oci/spec.h"

/* "CAP_SYS_ADMIN" -> 21; -ENOENT for unknown names. Case-sensitive, as the spec writes them. */
int caps_from_name(const char *name);
const char *caps_to_name(int cap); /* NULL if unknown */
/* Highest capability this kernel knows (/proc/sys/kernel/cap_last_cap). */
int caps_last_cap(void);
/* Convert a strv of names to a mask. Unknown name -> -EINVAL and *ret_bad (points into
 * names). Names the kernel is too old for are dropped with a warning. */
int caps_mask_from_strv(char **names, uint64_t *ret_mask, const char **ret_bad);
/* Validate every set; logs "process.capabilities.bounding: unknown capability 'CAP_FOO'". */
int caps_validate(const struct oci_capabilities *caps);
int caps_drop_bounding(const struct oci_capabilities *caps);
int caps_apply(const struct oci_capabilities *caps);
