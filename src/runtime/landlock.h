/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Landlock confinement of the container process (runtime-spec proposal #1111/#1241; no
 * runtime-spec release has it yet). The object is read from linux.landlock or, for engines
 * that cannot pass extension keys, from the annotation io.kakuri.landlock (the same JSON as
 * text). The annotation io.kakuri.landlock.abi=N caps the Landlock ABI kakuri uses (a
 * lower cap only removes rights, as on an older kernel: it pins behaviour across hosts).
 *
 * Best effort (the default, as in the proposal): rights the kernel's ABI lacks are dropped
 * from the ruleset and the rules with a warning; with "disableBestEffort": true that is an
 * error naming the right. A kernel without Landlock is the same case (warning, or error).
 *
 * Three steps, so that errors come before anything is created and the rules see the
 * container's filesystem:
 *   landlock_plan_new()       in the runtime, before the fork: parse, match the ABI, warn;
 *   landlock_build_ruleset()  in the container after pivot_root, as its root: open every
 *                             rule path inside the root and build the ruleset fd;
 *   landlock_restrict()       right before the seccomp filter is installed: needs
 *                             no_new_privs or CAP_SYS_ADMIN (the init calls it before the
 *                             uid switch when noNewPrivileges is false, after it otherwise).
 * Errors are logged once, naming the field ("linux.landlock.rules.pathBeneath[0].paths[1]").
 */
#pragma once

#include <stdint.h>

#include "oci/spec.h"

#define LANDLOCK_ANNOTATION	"io.kakuri.landlock"
#define LANDLOCK_ABI_ANNOTATION "io.kakuri.landlock.abi"

struct landlock_plan {
	struct oci_landlock *cfg; /* owned; rights already masked down to abi */
	int abi;		  /* the ABI used (kernel's, or lower with the cap annotation) */
	const char *field;	  /* "linux.landlock" or "annotations[\"io.kakuri.landlock\"]" */
};

/* *ret is NULL when the config asks for no Landlock, or when best effort leaves nothing to
 * enforce (kernel without Landlock, every handled right unknown to the ABI). */
int landlock_plan_new(const struct oci_spec *spec, struct landlock_plan **ret);
void landlock_plan_free(struct landlock_plan *plan);

/* The kernel's Landlock ABI version: >= 1, or 0 if Landlock is not built in or disabled. */
int landlock_abi_version(void);
/* The LANDLOCK_ACCESS_FS_* rights an ABI version knows (0 for abi < 1). */
uint64_t landlock_abi_fs_rights(int abi);

/* Mask cfg down to abi in place. *ret_dropped: the rights cfg names that abi lacks (0 if
 * none). ABI 1 always denies "refer" (renames and links across directories); if a rule
 * allows it there, honouring the config is impossible and *ret_unenforceable is set (the
 * caller then skips Landlock in best-effort mode or fails). Pure; for unit tests. */
void landlock_mask_to_abi(struct oci_landlock *cfg, int abi, uint64_t *ret_dropped, bool *ret_unenforceable);

/* In the container (after pivot_root): a ruleset fd (O_CLOEXEC) with every rule added.
 * plan NULL: returns -EBADF (nothing to restrict). */
int landlock_build_ruleset(const struct landlock_plan *plan);

/* landlock_restrict_self(ruleset_fd); a negative fd is a no-op. Does not close the fd. */
int landlock_restrict(const struct landlock_plan *plan, int ruleset_fd);
