/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/procfs.h"

/* lsm_list_modules(2), Linux 6.8; the same number in the x86 and the generic tables. */
#if !defined(SYS_lsm_list_modules) &&                                                                                  \
    (defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || (defined(__riscv) && __riscv_xlen == 64))
#define SYS_lsm_list_modules 461
#endif

/* uapi/linux/lsm.h */
#define LSM_ID_SELINUX	101
#define LSM_ID_SMACK	102
#define LSM_ID_APPARMOR 104
#define LSM_ID_LANDLOCK 110

#define SELINUX_MAGIC_ 0xf97cff8cU

static const struct {
	const char *name;
	uint64_t id;
	unsigned bit;
} lsm_table[] = {
    {"apparmor", LSM_ID_APPARMOR, LSM_APPARMOR},
    {"selinux", LSM_ID_SELINUX, LSM_SELINUX},
    {"smack", LSM_ID_SMACK, LSM_SMACK},
    {"landlock", LSM_ID_LANDLOCK, LSM_LANDLOCK},
};

unsigned lsm_parse_list(const char *text)
{
	unsigned mask = 0;

	for (const char *s = text; s && *s;) {
		size_t n = strcspn(s, ",\n");
		for (size_t i = 0; i < ELEMENTSOF(lsm_table); i++)
			if (strlen(lsm_table[i].name) == n && strncmp(s, lsm_table[i].name, n) == 0)
				mask |= lsm_table[i].bit;
		s += n;
		if (*s)
			s++;
	}
	return mask;
}

unsigned lsm_from_ids(const uint64_t *ids, size_t n)
{
	unsigned mask = 0;

	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < ELEMENTSOF(lsm_table); i++)
			if (ids[k] == lsm_table[i].id)
				mask |= lsm_table[i].bit;
	return mask;
}

static int detect_syscall(unsigned *ret)
{
#ifdef SYS_lsm_list_modules
	uint64_t ids[64];
	uint32_t size = sizeof(ids);
	long n = syscall(SYS_lsm_list_modules, ids, &size, 0);

	if (n < 0)
		return -errno;
	*ret = lsm_from_ids(ids, (size_t)n < ELEMENTSOF(ids) ? (size_t)n : ELEMENTSOF(ids));
	return 0;
#else
	return -ENOSYS;
#endif
}

unsigned lsm_detect(void)
{
	cleanup_free char *text = NULL;
	struct statfs sfs;
	unsigned mask = 0;
	int r;

	/* The kernel's own answer (Linux >= 6.8): only LSMs that are initialized are listed. */
	r = detect_syscall(&mask);
	if (r >= 0)
		return mask;
	log_debug_errno(r, "lsm_list_modules: %m, reading securityfs");
	r = fs_read_file_at(AT_FDCWD, "/sys/kernel/security/lsm", 4096, &text, NULL);
	if (r >= 0)
		return lsm_parse_list(text);
	log_debug_errno(r, "/sys/kernel/security/lsm: %m, checking the AppArmor module and selinuxfs");
	/* What runc and libselinux look at when securityfs is not mounted. */
	text = NULL;
	if (fs_read_file_at(AT_FDCWD, "/sys/module/apparmor/parameters/enabled", 64, &text, NULL) >= 0 &&
	    text[0] == 'Y')
		mask |= LSM_APPARMOR;
	if (statfs("/sys/fs/selinux", &sfs) == 0 && (unsigned)sfs.f_type == SELINUX_MAGIC_)
		mask |= LSM_SELINUX;
	return mask;
}

static int optional_labels(const struct oci_spec *spec, bool *ret)
{
	const char *v = spec_annotation(spec, LSM_OPTIONAL_ANNOTATION);

	*ret = false;
	if (!v || STREQ(v, "false"))
		return 0;
	if (STREQ(v, "true")) {
		*ret = true;
		return 0;
	}
	return log_error_errno(-EINVAL,
			       "config.json: annotations[\"" LSM_OPTIONAL_ANNOTATION "\"]: '%s' must be \"true\" or "
			       "\"false\"",
			       v);
}

/* One label: *slot keeps it when its LSM is active; else error, or warning when optional. */
static int check_label(const char *field, const char *lsm_name, bool active, bool optional, const char *label,
		       const char **slot)
{
	*slot = NULL;
	if (!label || !*label)
		return 0;
	/* A newline would end the kernel's parse of the attribute early. */
	if (strpbrk(label, "\n\""))
		return log_error_errno(-EINVAL, "%s '%s': must not contain a newline or '\"'", field, label);
	if (active) {
		*slot = label;
		return 0;
	}
	if (STREQ(field, "process.apparmorProfile") && STREQ(label, "unconfined")) {
		log_debug("%s 'unconfined': AppArmor is not enabled, nothing to do", field);
		return 0;
	}
	if (optional) {
		log_warn("%s '%s': %s is not enabled on this host; running without it (" LSM_OPTIONAL_ANNOTATION
			 " is true)",
			 field, label, lsm_name);
		return 0;
	}
	return log_error_errno(-EOPNOTSUPP,
			       "%s '%s': %s is not enabled on this host (remove the label, or set the annotation "
			       "" LSM_OPTIONAL_ANNOTATION "=true to run without it)",
			       field, label, lsm_name);
}

int lsm_plan_make(const struct oci_spec *spec, const struct oci_process *p, bool with_mount_label, unsigned active,
		  struct lsm_plan *ret)
{
	struct lsm_plan plan = {0};
	bool optional;
	int r;

	r = optional_labels(spec, &optional);
	if (r < 0)
		return r;
	if (p) {
		r = check_label("process.apparmorProfile", "AppArmor", active & LSM_APPARMOR, optional,
				p->apparmor_profile, &plan.apparmor_profile);
		if (r < 0)
			return r;
		r = check_label("process.selinuxLabel", "SELinux", active & LSM_SELINUX, optional, p->selinux_label,
				&plan.selinux_label);
		if (r < 0)
			return r;
	}
	if (with_mount_label && spec) {
		r = check_label("linux.mountLabel", "SELinux", active & LSM_SELINUX, optional, spec->linux_.mount_label,
				&plan.mount_label);
		if (r < 0)
			return r;
	}
	*ret = plan;
	return 0;
}

/* Write value to our own task's attribute file rel ("attr/exec") below the verified procfs
 * procfd: "<pid>/task/<tid>/…" rather than the thread-self symlink, because procfs_open_at
 * refuses every symlink on the way. One write: the kernel parses the label per write. */
static int write_attr(int procfd, const char *rel, const char *value)
{
	char path[128];
	cleanup_close int fd = -EBADF;
	size_t len = strlen(value);
	ssize_t n;

	snprintf(path, sizeof(path), "%d/task/%d/%s", (int)getpid(), (int)gettid(), rel);
	fd = procfs_open_at(procfd, path, O_WRONLY);
	if (fd < 0)
		return fd;
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int lsm_apply_exec(const struct lsm_plan *plan)
{
	cleanup_close int procfd = -EBADF;
	int r;

	if (!plan || (!plan->apparmor_profile && !plan->selinux_label))
		return 0;
	procfd = procfs_open();
	if (procfd < 0)
		return log_error_errno(procfd,
				       "%s: no trustworthy procfs to write the label through (a private "
				       "procfs instance is refused and /proc is not our procfs): %m",
				       plan->apparmor_profile ? "process.apparmorProfile" : "process.selinuxLabel");
	if (plan->apparmor_profile) {
		cleanup_free char *cmd = NULL;
		if (asprintf(&cmd, "exec %s", plan->apparmor_profile) < 0) {
			cmd = NULL;
			return log_error_errno(-ENOMEM, "Out of memory");
		}
		/* attr/apparmor/ exists since Linux 5.8 (LSM stacking); before, attr/exec. */
		r = write_attr(procfd, "attr/apparmor/exec", cmd);
		if (r == -ENOENT)
			r = write_attr(procfd, "attr/exec", cmd);
		if (r < 0)
			return log_error_errno(
			    r,
			    "process.apparmorProfile '%s': writing /proc/thread-self/attr/apparmor/exec "
			    "failed: %m (is the profile loaded?)",
			    plan->apparmor_profile);
	}
	if (plan->selinux_label) {
		r = write_attr(procfd, "attr/exec", plan->selinux_label);
		if (r < 0)
			return log_error_errno(
			    r, "process.selinuxLabel '%s': writing /proc/thread-self/attr/exec failed: %m",
			    plan->selinux_label);
	}
	return 0;
}

static bool has_option(char *const *options, const char *name)
{
	size_t n = strlen(name);

	for (char *const *o = options; o && *o; o++)
		if (STREQ(*o, name) || (name[n - 1] == '=' && strncmp(*o, name, n) == 0))
			return true;
	return false;
}

int lsm_mount_options(const struct oci_mount *m, const char *mount_label, char ***ret)
{
	static const char *const unlabeled[] = {"bind", "proc", "sysfs", "cgroup", "cgroup2", "mqueue", NULL};
	char **v;
	size_t n = 0;

	*ret = NULL;
	if (!mount_label || !*mount_label)
		return 0;
	for (size_t i = 0; unlabeled[i]; i++)
		if (m->type && STREQ(m->type, unlabeled[i]))
			return 0;
	/* Binds keep the source's labels (the engine relabels volumes); a remount changes an
	 * existing mount; an explicit context= (or fscontext=, …) is the config's choice. */
	if (has_option(m->options, "bind") || has_option(m->options, "rbind") || has_option(m->options, "remount") ||
	    has_option(m->options, "context=") || has_option(m->options, "fscontext=") ||
	    has_option(m->options, "defcontext=") || has_option(m->options, "rootcontext="))
		return 0;
	for (char *const *o = m->options; o && *o; o++)
		n++;
	v = calloc(n + 2, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		v[i] = strdup(m->options[i]);
		if (!v[i]) {
			cleanup_strvp(&v);
			return -ENOMEM;
		}
	}
	/* Quoted: MLS labels hold commas ("s0:c1,c2"), which would split the option list. */
	if (asprintf(&v[n], "context=\"%s\"", mount_label) < 0) {
		v[n] = NULL;
		cleanup_strvp(&v);
		return -ENOMEM;
	}
	*ret = v;
	return 0;
}
