/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/path.h"

#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif

/* The rights per ABI version, by the kernel's bit numbers (uapi/linux/landlock.h): ABI 1
 * has bits 0-12, 2 adds REFER (13), 3 TRUNCATE (14), 5 IOCTL_DEV (15); 4, 6 and 7 add
 * network rights, scopes and logging flags, which the proposal has no schema for. Our
 * headers (Linux 6.1) stop at REFER, so the later bits are spelled out here. */
#define LL_FS_ABI1	((UINT64_C(1) << 13) - 1)
#define LL_FS_REFER	(UINT64_C(1) << 13)
#define LL_FS_TRUNCATE	(UINT64_C(1) << 14)
#define LL_FS_IOCTL_DEV (UINT64_C(1) << 15)
/* The rights that make sense on a file (the rest only on directories: landlock_add_rule(2)
 * refuses them with EINVAL on a non-directory). */
#define LL_FS_FILE_RIGHTS                                                                                              \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | LL_FS_TRUNCATE |  \
	 LL_FS_IOCTL_DEV)

/* Only the first member: the kernel takes a shorter struct from older callers, and a
 * zeroed handled_access_net (ABI 4) would mean the same. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
};

uint64_t landlock_abi_fs_rights(int abi)
{
	uint64_t m = 0;

	if (abi >= 1)
		m |= LL_FS_ABI1;
	if (abi >= 2)
		m |= LL_FS_REFER;
	if (abi >= 3)
		m |= LL_FS_TRUNCATE;
	if (abi >= 5)
		m |= LL_FS_IOCTL_DEV;
	return m;
}

int landlock_abi_version(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	/* ENOSYS: not built in; EOPNOTSUPP: built in but not enabled (lsm= boot parameter). */
	return v < 0 ? 0 : (int)v;
}

void landlock_mask_to_abi(struct oci_landlock *cfg, int abi, uint64_t *ret_dropped, bool *ret_unenforceable)
{
	uint64_t known = landlock_abi_fs_rights(abi), named = cfg->handled_access_fs;
	bool refer_allowed = false;

	for (size_t i = 0; i < cfg->n_path_beneath; i++) {
		named |= cfg->path_beneath[i].allowed_access;
		refer_allowed = refer_allowed || (cfg->path_beneath[i].allowed_access & LL_FS_REFER);
		cfg->path_beneath[i].allowed_access &= known;
	}
	cfg->handled_access_fs &= known;
	*ret_dropped = named & ~known;
	/* Landlock ABI 1 denies reparenting (rename/link into another directory) whatever the
	 * ruleset says: a rule that allows it cannot be honoured there. */
	*ret_unenforceable = abi == 1 && refer_allowed;
}

/* "truncate, ioctl_dev" */
static void access_names(uint64_t mask, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = 0;
	for (unsigned bit = 0; bit < 64 && n < size; bit++) {
		if (!(mask & (UINT64_C(1) << bit)))
			continue;
		const char *name = spec_landlock_access_name(bit);
		int w = name ? snprintf(buf + n, size - n, "%s'%s'", n ? ", " : "", name)
			     : snprintf(buf + n, size - n, "%sbit %u", n ? ", " : "", bit);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

void landlock_plan_free(struct landlock_plan *plan)
{
	if (!plan)
		return;
	spec_landlock_free(plan->cfg);
	free(plan);
}

static int abi_cap(const struct oci_spec *spec, int *ret)
{
	const char *s = spec_annotation(spec, LANDLOCK_ABI_ANNOTATION);
	char *end = NULL;
	long v;

	*ret = 0;
	if (!s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 1000)
		return log_error_errno(-EINVAL,
				       "config.json: annotations[\"" LANDLOCK_ABI_ANNOTATION "\"]: '%s' is not a "
				       "Landlock ABI version (an integer >= 1)",
				       s);
	*ret = (int)v;
	return 0;
}

/* Best effort down to abi (capped: lowered by the annotation). Returns 1 if cfg (masked in
 * place) is to be enforced, 0 if Landlock is to be skipped (warned), or -errno (logged). */
static int best_effort(struct oci_landlock *cfg, const char *field, int abi, bool capped)
{
	const char *cap_note = capped ? " (capped by " LANDLOCK_ABI_ANNOTATION ")" : "";
	uint64_t dropped;
	bool unenforceable;
	char names[256];

	if (abi == 0) {
		if (cfg->disable_best_effort)
			return log_error_errno(-EOPNOTSUPP,
					       "config.json: %s: disableBestEffort is true but this kernel has no "
					       "Landlock (not built in, or not enabled in the lsm= boot parameter)",
					       field);
		log_warn("config.json: %s: this kernel has no Landlock (not built in, or not enabled in "
			 "the lsm= boot parameter); running the container without it",
			 field);
		return 0;
	}
	landlock_mask_to_abi(cfg, abi, &dropped, &unenforceable);
	if (dropped) {
		bool several;

		access_names(dropped, names, sizeof(names));
		several = strchr(names, ',') != NULL;
		if (cfg->disable_best_effort)
			return log_error_errno(-EOPNOTSUPP,
					       "config.json: %s: disableBestEffort is true but Landlock ABI %d%s lacks "
					       "the access right%s %s",
					       field, abi, cap_note, several ? "s" : "", names);
		log_warn("config.json: %s: Landlock ABI %d%s lacks the access right%s %s; not enforcing "
			 "%s (best effort; set disableBestEffort to make this an error)",
			 field, abi, cap_note, several ? "s" : "", names, several ? "them" : "it");
	}
	if (unenforceable) {
		if (cfg->disable_best_effort)
			return log_error_errno(-EOPNOTSUPP,
					       "config.json: %s: a rule allows 'refer', which Landlock ABI 1 always "
					       "denies, and disableBestEffort is true",
					       field);
		log_warn("config.json: %s: a rule allows 'refer', which Landlock ABI 1 always denies; "
			 "running the container without Landlock (best effort)",
			 field);
		return 0;
	}
	if (cfg->handled_access_fs == 0) {
		log_debug("%s: no access right left to handle, Landlock not applied", field);
		return 0;
	}
	return 1;
}

int landlock_plan_new(const struct oci_spec *spec, struct landlock_plan **ret)
{
	const char *ann = spec_annotation(spec, LANDLOCK_ANNOTATION), *text, *field;
	struct oci_landlock *cfg = NULL;
	cleanup_free char *err = NULL, *name = NULL;
	struct landlock_plan *plan;
	int r, cap, abi;
	bool capped;

	*ret = NULL;
	if (spec->linux_.landlock_json && ann)
		return log_error_errno(-EINVAL, "config.json: linux.landlock and annotations[\"" LANDLOCK_ANNOTATION
						"\"] are both set; use one of them");
	if (spec->linux_.landlock_json) {
		text = spec->linux_.landlock_json;
		field = "linux.landlock";
	} else if (ann) {
		text = ann;
		field = "annotations[\"" LANDLOCK_ANNOTATION "\"]";
	} else {
		return 0;
	}
	if (asprintf(&name, "config.json: %s", field) < 0) {
		name = NULL;
		return log_error_errno(-ENOMEM, "Out of memory");
	}
	r = spec_landlock_parse(text, name, &cfg, &err);
	if (r < 0)
		return log_error_errno(r, "%s", err ? err : "Out of memory");
	r = abi_cap(spec, &cap);
	if (r < 0)
		goto fail;
	abi = landlock_abi_version();
	capped = cap > 0 && cap < abi;
	if (capped)
		abi = cap;
	r = best_effort(cfg, field, abi, capped);
	if (r <= 0)
		goto fail; /* skipped (0) or failed */

	plan = calloc(1, sizeof(*plan));
	if (!plan) {
		r = log_error_errno(-ENOMEM, "Out of memory");
		goto fail;
	}
	plan->cfg = cfg;
	plan->abi = abi;
	plan->field = field; /* a string literal */
	*ret = plan;
	return 0;

fail:
	spec_landlock_free(cfg);
	return r;
}

static int add_path_rule(const struct landlock_plan *plan, int rulesetfd, int rootfd, size_t i, size_t j)
{
	const struct oci_landlock_rule *rule = &plan->cfg->path_beneath[i];
	const char *path = rule->paths[j];
	struct landlock_path_beneath_attr pb = {.allowed_access = rule->allowed_access};
	cleanup_close int fd = -EBADF;
	struct stat st;
	char names[256];

	/* Resolved inside the container root: an image symlink cannot point a rule at
	 * something outside it, and /proc magic links are refused. */
	fd = path_open_in_root(rootfd, path, O_PATH, 0);
	if (fd < 0)
		return log_error_errno(fd,
				       "%s.rules.pathBeneath[%zu].paths[%zu] '%s': cannot open it in the container: %m",
				       plan->field, i, j, path);
	if (fstat(fd, &st) < 0)
		return log_error_errno(-errno, "%s.rules.pathBeneath[%zu].paths[%zu] '%s': %m", plan->field, i, j,
				       path);
	if (!S_ISDIR(st.st_mode) && (pb.allowed_access & ~LL_FS_FILE_RIGHTS)) {
		access_names(pb.allowed_access & ~LL_FS_FILE_RIGHTS, names, sizeof(names));
		if (plan->cfg->disable_best_effort)
			return log_error_errno(-EINVAL,
					       "%s.rules.pathBeneath[%zu].paths[%zu] '%s': not a directory, so the "
					       "directory rights %s cannot apply to it (disableBestEffort is true)",
					       plan->field, i, j, path, names);
		log_debug("%s.rules.pathBeneath[%zu].paths[%zu] '%s': not a directory, ignoring %s for it", plan->field,
			  i, j, path, names);
		pb.allowed_access &= LL_FS_FILE_RIGHTS;
	}
	if (pb.allowed_access == 0)
		return 0;
	pb.parent_fd = fd;
	if (syscall(SYS_landlock_add_rule, rulesetfd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
		return log_error_errno(-errno,
				       "%s.rules.pathBeneath[%zu].paths[%zu] '%s': landlock_add_rule failed: %m",
				       plan->field, i, j, path);
	return 0;
}

int landlock_build_ruleset(const struct landlock_plan *plan)
{
	struct ll_ruleset_attr attr;
	cleanup_close int rootfd = -EBADF, rulesetfd = -EBADF;
	int r;

	if (!plan)
		return -EBADF;
	attr.handled_access_fs = plan->cfg->handled_access_fs;
	rulesetfd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (rulesetfd < 0)
		return log_error_errno(-errno, "%s: landlock_create_ruleset failed: %m", plan->field);
	/* The new fd is close-on-exec already (the kernel makes it so). */
	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return log_error_errno(-errno, "%s: cannot open the container's /: %m", plan->field);
	for (size_t i = 0; i < plan->cfg->n_path_beneath; i++) {
		const struct oci_landlock_rule *rule = &plan->cfg->path_beneath[i];
		if (rule->allowed_access == 0)
			continue; /* everything it allowed was unknown to the ABI */
		for (size_t j = 0; rule->paths && rule->paths[j]; j++) {
			r = add_path_rule(plan, rulesetfd, rootfd, i, j);
			if (r < 0)
				return r;
		}
	}
	return TAKE_FD(rulesetfd);
}

int landlock_restrict(const struct landlock_plan *plan, int ruleset_fd)
{
	int r;

	if (!plan || ruleset_fd < 0)
		return 0;
	if (syscall(SYS_landlock_restrict_self, ruleset_fd, 0) == 0)
		return 0;
	r = -errno;
	if (r == -EPERM)
		return log_error_errno(r,
				       "%s: landlock_restrict_self failed: %m (it needs no_new_privs or "
				       "CAP_SYS_ADMIN: set process.noNewPrivileges to true)",
				       plan->field);
	return log_error_errno(r, "%s: landlock_restrict_self failed: %m", plan->field);
}
