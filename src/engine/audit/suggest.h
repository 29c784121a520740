/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capability advice from a recorded seccomp profile (`kakuri audit --suggest`).
 *
 * The method, sound by construction: for some capabilities, every kernel path that checks
 * the capability is reached only through a known set of syscalls (capabilities(7), and the
 * kernel's capable()/ns_capable() call sites). If the recorded run made none of them, the
 * capability was not needed during that run: advice "drop". If it made one, "keep". For the
 * capabilities checked on paths reached from common syscalls (DAC_OVERRIDE, FOWNER and
 * FSETID on any file access, SYS_ADMIN, NET_ADMIN through ioctl/setsockopt/netlink, …) the
 * answer is "unknown": it cannot be determined from syscall names, and no guess is made.
 *
 * Conservative extras: SETUID/SETGID/SETFCAP also govern writing a nested user namespace's
 * id maps, so unshare, clone3 and (unless the container's filter denies CLONE_NEWUSER)
 * clone count for them; SCM_CREDENTIALS forging counts sendmsg/sendmmsg for SETUID/SETGID.
 * Any io_uring syscall makes every answer "unknown" (its operations bypass syscalls). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum audit_cap_advice {
	AUDIT_CAP_DROP,	   /* none of its syscalls observed */
	AUDIT_CAP_KEEP,	   /* one of them observed */
	AUDIT_CAP_UNKNOWN, /* not determinable from syscalls */
};

struct audit_cap_result {
	char *cap; /* "CAP_SYS_CHROOT" */
	enum audit_cap_advice advice;
	char **checked;	 /* the syscalls that can need it here (strv; NULL for UNKNOWN) */
	char **observed; /* the ones of them the run made (strv, may be NULL) */
	const char *why; /* one line: what the capability is checked by */
};

struct audit_suggest_input {
	char *const *caps;	   /* the container's capabilities ("CAP_*"), strv */
	char *const *observed;	   /* syscall names the recorded profile allows, strv */
	bool clone_newuser_denied; /* the container's filter answers clone(CLONE_NEWUSER) with an error */
};

/* The syscalls that can need cap ("CAP_X" or "X"), NULL-terminated; NULL if the capability
 * cannot be decided from syscalls. *ret_why gets the one-line explanation (may be NULL). */
const char *const *audit_cap_syscalls(const char *cap, const char **ret_why);

/* One result per capability of in->caps, in that order. Caller frees with
 * audit_suggest_free(). */
int audit_suggest(const struct audit_suggest_input *in, struct audit_cap_result **ret, size_t *ret_n);
void audit_suggest_free(struct audit_cap_result *r, size_t n);

/* The syscall names a Docker-format profile allows (any SCMP_ACT_ALLOW rule, whatever its
 * conditions), sorted and unique (strv, caller frees). -EINVAL if text is not a profile. */
int audit_profile_allowed(const char *text, char ***ret);

/* Whether a config.json linux.seccomp object (JSON text of the whole config) has a rule
 * answering clone with CLONE_NEWUSER set by an error or a kill. */
bool audit_config_denies_clone_newuser(const char *config_text);

const char *audit_cap_advice_name(enum audit_cap_advice a); /* "drop", "keep", "unknown" */
