/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define IOPRIO_WHO_PROCESS_ 1
#define IOPRIO_CLASS_SHIFT_ 13

static inline void *mfree(void *p)
{
	free(p);
	return NULL;
}

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Our own copy: glibc only declares struct sched_attr from 2.41 on. Layout of the kernel's
 * SCHED_ATTR_SIZE_VER0 (48 bytes); util clamps are not in the runtime-spec. */
struct kk_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

static int kk_openat2(int dirfd, const char *path, int flags, uint64_t resolve)
{
	struct open_how how = {.flags = (uint64_t)flags | O_CLOEXEC, .resolve = resolve};
	int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

static bool fd_is_procfs(int fd)
{
	struct statfs sfs;
	return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

/* Open a file under /proc (as the caller sees it: after pivot_root, the container's), with
 * the directory and the file both verified to be procfs, not crossing mounts, no magic
 * links: an image cannot redirect the write with a fake /proc or an overmount
 * (CVE-2019-16884 class). rel is relative, e.g. "self/oom_score_adj". */
static int proc_open(const char *rel, int flags)
{
	cleanup_close int procfd = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int fd;

	if (procfd < 0)
		return -errno;
	if (!fd_is_procfs(procfd))
		return -EXDEV;
	fd = kk_openat2(procfd, rel, flags | O_NOFOLLOW, RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS);
	if (fd == -ENOSYS) { /* kernel < 5.6: the fstatfs below still catches a non-procfs file */
		fd = openat(procfd, rel, flags | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			fd = -errno;
	}
	if (fd < 0)
		return fd;
	if (!fd_is_procfs(fd)) {
		close(fd);
		return -EXDEV;
	}
	return fd;
}

/* Small procfs files only (one read). *ret caller frees. */
static int proc_read(const char *rel, char **ret)
{
	cleanup_close int fd = proc_open(rel, O_RDONLY);
	char buf[256];
	ssize_t n;

	if (fd < 0)
		return fd;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

static bool have_effective_cap(int cap)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {};
	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[cap / 32].effective & (1U << (cap % 32));
}

static void fmt_rlim(char *buf, size_t n, rlim_t v)
{
	if (v == RLIM_INFINITY)
		snprintf(buf, n, "unlimited");
	else
		snprintf(buf, n, "%" PRIu64, (uint64_t)v);
}

static int apply_rlimit(const struct oci_rlimit *rl)
{
	const char *name = rl->type ?: "rlimit";
	struct rlimit cur = {}, want = {.rlim_cur = rl->soft, .rlim_max = rl->hard};
	char a[32], b[32], c[32], d[32];

	if (want.rlim_cur > want.rlim_max) {
		fmt_rlim(a, sizeof(a), want.rlim_cur);
		fmt_rlim(b, sizeof(b), want.rlim_max);
		return log_error_errno(-EINVAL, "process.rlimits: %s: soft limit %s is above hard limit %s", name, a,
				       b);
	}
	(void)getrlimit(rl->resource, &cur);
	if (setrlimit(rl->resource, &want) == 0)
		return 0;

	int r = -errno;
	fmt_rlim(a, sizeof(a), want.rlim_max);
	fmt_rlim(b, sizeof(b), cur.rlim_max);
	fmt_rlim(c, sizeof(c), want.rlim_cur);
	fmt_rlim(d, sizeof(d), cur.rlim_cur);
	if (r == -EPERM && want.rlim_max > cur.rlim_max) {
		const char *hint;
		if (!have_effective_cap(CAP_SYS_RESOURCE))
			hint = "the runtime lacks CAP_SYS_RESOURCE, so a hard limit can only be lowered; "
			       "lower the value or run with CAP_SYS_RESOURCE";
		else if (rl->resource == RLIMIT_NOFILE)
			hint = "RLIMIT_NOFILE cannot exceed the fs.nr_open sysctl";
		else
			hint = "the kernel refused it";
		return log_error_errno(r, "process.rlimits: %s: cannot raise hard limit to %s (current %s): %m; %s",
				       name, a, b, hint);
	}
	return log_error_errno(r, "process.rlimits: %s: cannot set soft %s, hard %s (current soft %s, hard %s): %m",
			       name, c, a, d, b);
}

static int apply_oom_score_adj(int value)
{
	cleanup_close int fd = -EBADF;
	char buf[32];
	int n, r;

	/* The init and exec children are non-dumpable (CVE-2019-5736 defence), which makes
	 * /proc/self entries owned by the host's root: in a user namespace we could not open our own
	 * oom_score_adj. Be dumpable just for the open; the fd keeps working afterwards. */
	int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	if (dumpable == 0)
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	fd = proc_open("self/oom_score_adj", O_WRONLY);
	if (dumpable == 0)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (fd == -EXDEV)
		return log_error_errno(
		    fd, "process.oomScoreAdj: /proc/self/oom_score_adj is not on procfs, refusing to write it");
	if (fd < 0)
		return log_error_errno(fd, "process.oomScoreAdj: cannot open /proc/self/oom_score_adj: %m");
	n = snprintf(buf, sizeof(buf), "%d", value);
	r = fs_write_all(fd, buf, (size_t)n);
	if (r < 0) {
		cleanup_free char *cur = NULL;
		if (proc_read("self/oom_score_adj", &cur) >= 0 && cur)
			cur[strcspn(cur, "\n")] = 0;
		if (r == -EACCES || r == -EPERM)
			return log_error_errno(
			    r,
			    "process.oomScoreAdj: cannot set %d (current %s): %m; lowering it needs CAP_SYS_RESOURCE",
			    value, cur ?: "?");
		return log_error_errno(r, "process.oomScoreAdj: cannot set %d (current %s): %m", value, cur ?: "?");
	}
	return 0;
}

static int apply_io_priority(const struct oci_io_priority *io)
{
	int value = (io->class_ << IOPRIO_CLASS_SHIFT_) | io->priority;
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS_, 0, value) < 0) {
		int r = -errno;
		if (r == -EPERM)
			return log_error_errno(r,
					       "process.ioPriority: cannot set class %d priority %d: %m; the realtime "
					       "class needs CAP_SYS_ADMIN or CAP_SYS_NICE",
					       io->class_, io->priority);
		return log_error_errno(r, "process.ioPriority: cannot set class %d priority %d: %m", io->class_,
				       io->priority);
	}
	return 0;
}

static int apply_scheduler(const struct oci_scheduler *s)
{
	struct kk_sched_attr attr = {
	    .size = sizeof(attr),
	    .sched_policy = (uint32_t)s->policy,
	    .sched_flags = s->flags,
	    .sched_nice = s->nice,
	    .sched_priority = (uint32_t)s->priority,
	    .sched_runtime = s->runtime,
	    .sched_deadline = s->deadline,
	    .sched_period = s->period,
	};
	if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0) {
		int r = -errno;
		if (r == -EPERM)
			return log_error_errno(r,
					       "process.scheduler: cannot set policy %d (nice %d, priority %d): %m; "
					       "realtime policies and lowering nice need CAP_SYS_NICE",
					       s->policy, s->nice, s->priority);
		return log_error_errno(
		    r, "process.scheduler: cannot set policy %d (nice %d, priority %d, flags 0x%" PRIx32 "): %m",
		    s->policy, s->nice, s->priority, s->flags);
	}
	return 0;
}

int process_apply_limits(const struct oci_process *p)
{
	int r;

	for (size_t i = 0; i < p->n_rlimits; i++) {
		r = apply_rlimit(&p->rlimits[i]);
		if (r < 0)
			return r;
	}
	if (p->has_oom_score_adj) {
		r = apply_oom_score_adj(p->oom_score_adj);
		if (r < 0)
			return r;
	}
	if (p->io_priority.present) {
		r = apply_io_priority(&p->io_priority);
		if (r < 0)
			return r;
	}
	if (p->scheduler.present) {
		r = apply_scheduler(&p->scheduler);
		if (r < 0)
			return r;
	}
	return 0;
}

/* "deny" in /proc/self/setgroups: a user namespace whose gid map was written without
 * CAP_SETGID in the parent (rootless, single mapping), where setgroups(2) is refused. */
static bool setgroups_denied(void)
{
	cleanup_free char *s = NULL;
	if (proc_read("self/setgroups", &s) < 0 || !s)
		return false;
	return strncmp(s, "deny", 4) == 0;
}

static int set_groups(const struct oci_user *u)
{
	if (setgroups(u->n_additional_gids, u->additional_gids) == 0)
		return 0;
	int r = -errno;
	if (r == -EPERM && setgroups_denied()) {
		/* Nothing asked for, nothing lost: the supplementary groups inherited from the
		 * runtime are unmapped (shown as the overflow gid) and cannot be used. */
		if (u->n_additional_gids == 0)
			return 0;
		return log_error_errno(r, "process.user.additionalGids: setgroups is denied in this user namespace "
					  "(/proc/self/setgroups is \"deny\", as with a rootless single-id mapping); "
					  "remove additionalGids or map a gid range with newgidmap");
	}
	if (r == -EINVAL)
		return log_error_errno(r,
				       "process.user.additionalGids: cannot set %zu groups: %m (a gid is not mapped in "
				       "the user namespace, or there are too many)",
				       u->n_additional_gids);
	return log_error_errno(r, "process.user.additionalGids: cannot set %zu groups: %m", u->n_additional_gids);
}

int process_switch_user(const struct oci_process *p)
{
	const struct oci_user *u = &p->user;
	int r;

	/* Keep permitted across the uid change so caps_apply() can still set the spec's sets;
	 * the kernel clears effective on 0 -> non-0 regardless. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return log_error_errno(-errno, "process.user: PR_SET_KEEPCAPS failed: %m");
	r = set_groups(u);
	if (r < 0)
		return r;
	if (setresgid(u->gid, u->gid, u->gid) < 0) {
		r = -errno;
		if (r == -EINVAL)
			return log_error_errno(r,
					       "process.user.gid: cannot switch to gid %u: %m (not mapped in the "
					       "container's user namespace)",
					       (unsigned)u->gid);
		return log_error_errno(r, "process.user.gid: cannot switch to gid %u: %m", (unsigned)u->gid);
	}
	if (setresuid(u->uid, u->uid, u->uid) < 0) {
		r = -errno;
		if (r == -EINVAL)
			return log_error_errno(r,
					       "process.user.uid: cannot switch to uid %u: %m (not mapped in the "
					       "container's user namespace)",
					       (unsigned)u->uid);
		return log_error_errno(r, "process.user.uid: cannot switch to uid %u: %m", (unsigned)u->uid);
	}
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return log_error_errno(-errno, "process.user: PR_SET_KEEPCAPS failed: %m");
	umask(u->has_umask ? u->umask : 0022);
	return 0;
}

/* mkdir -p of an absolute path inside the root "/" (after pivot_root, the container's),
 * every prefix resolved with RESOLVE_IN_ROOT so ".." and absolute symlinks stay inside
 * and /proc magic links are refused. Directories are 0755 (minus umask), owned by the
 * caller's current fsuid. */
static int mkdir_p_in_root(int rootfd, const char *path)
{
	cleanup_free char *buf = strdup(path);
	size_t len;

	if (!buf)
		return -ENOMEM;
	len = strlen(buf);
	for (size_t i = 0; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != 0)
			continue;
		if (i == 0 || buf[i - 1] == '/')
			continue;
		char saved = buf[i];
		buf[i] = 0;
		int fd = kk_openat2(rootfd, buf, O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
		if (fd >= 0) {
			close(fd);
		} else if (fd == -ENOENT) {
			char *slash = strrchr(buf, '/');
			const char *name = slash ? slash + 1 : buf;
			cleanup_close int parent = -EBADF;
			if (slash && slash != buf) {
				*slash = 0;
				parent = kk_openat2(rootfd, buf, O_PATH | O_DIRECTORY,
						    RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
				*slash = '/';
				if (parent < 0)
					return parent;
			}
			if (mkdirat(parent >= 0 ? parent : rootfd, name, 0755) < 0 && errno != EEXIST)
				return -errno;
		} else {
			return fd;
		}
		buf[i] = saved;
	}
	return 0;
}

/* Lexically clean an absolute path: no "//", "/./", trailing "/"; ".." pops a component (as
 * Go's filepath.Clean, which is how runc compares). Caller frees. */
static char *path_clean(const char *path)
{
	size_t n = strlen(path);
	char *out = malloc(n + 2);
	size_t o = 0;

	if (!out)
		return NULL;
	for (const char *s = path; *s;) {
		while (*s == '/')
			s++;
		const char *e = strchrnul(s, '/');
		size_t len = (size_t)(e - s);
		if (len == 0 || (len == 1 && s[0] == '.')) {
			/* nothing */
		} else if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			out[o++] = '/';
			memcpy(out + o, s, len);
			o += len;
		}
		s = e;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = 0;
	return out;
}

/* CVE-2024-21626: the cwd must be reachable from our root. A cwd outside it (a leaked host
 * fd) makes the kernel report "(unreachable)/...", which glibc turns into ENOENT, so a
 * successful getcwd of an absolute path is the proof. As a cross-check the path must name,
 * from our root, the directory we are in; that needs search permission, which the
 * container user may lack (runc keeps a cwd like /root 0700 entered as root), so EACCES
 * skips the cross-check. *ret_got caller frees. Returns -EPERM (not logged) if outside. */
static int cwd_verify(char **ret_got)
{
	cleanup_free char *got = getcwd(NULL, 0);
	struct stat here, there;

	if (!got)
		return errno == ENOENT ? -EPERM : -errno;
	if (got[0] != '/')
		return -EPERM;
	if (stat(".", &here) == 0 && stat(got, &there) == 0) {
		if (here.st_dev != there.st_dev || here.st_ino != there.st_ino)
			return -EPERM;
	} else if (errno != EACCES) {
		return -errno;
	}
	*ret_got = TAKE_PTR(got);
	return 0;
}

/* May be called twice, as runc does it: before process_switch_user() (as the container's
 * root: creates a missing cwd, root-owned 0755, and enters it; a permission error is then
 * deferred, not reported) and after it (enters it as the container user unless already
 * there, and verifies). Called only after the switch, the cwd is created as the container
 * user, which fails where that user cannot write. */
int process_chdir(const struct oci_process *p)
{
	const char *cwd = p->cwd && *p->cwd ? p->cwd : "/";
	cleanup_close int rootfd = -EBADF, fd = -EBADF;
	cleanup_free char *clean = NULL, *got = NULL;
	/* euid 0 but the container user is not root: this is the early call. */
	bool early = geteuid() == 0 && p->user.uid != 0;
	int r;

	if (cwd[0] != '/')
		return log_error_errno(-EINVAL, "process.cwd '%s': must be an absolute path", cwd);
	clean = path_clean(cwd);
	if (!clean)
		return log_error_errno(-ENOMEM, "Out of memory");

	/* Already entered by the early call: the container user may not be able to resolve
	 * the path again (e.g. /root 0700), and runc keeps such a cwd too. */
	if (!early && cwd_verify(&got) >= 0 && STREQ(got, clean))
		return 0;
	got = mfree(got);

	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return log_error_errno(-errno, "process.cwd '%s': cannot open /: %m", cwd);

	/* runc creates a missing cwd; so do we, but resolved inside the root only. */
	fd = kk_openat2(rootfd, cwd, O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (fd == -ENOENT) {
		r = mkdir_p_in_root(rootfd, cwd);
		if (r < 0) {
			if (early && (r == -EACCES || r == -EPERM))
				goto defer;
			return log_error_errno(r, "process.cwd '%s': cannot create it as uid %u: %m", cwd,
					       (unsigned)geteuid());
		}
		fd = kk_openat2(rootfd, cwd, O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	}
	if (fd == -ENOSYS) {
		/* Kernel < 5.6. "/" is the container root here, so a plain chdir cannot leave
		 * it; cwd_verify() still catches a leaked-fd cwd. */
		fd = open(cwd, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			fd = -errno;
	}
	if (fd == -ELOOP || fd == -EXDEV)
		return log_error_errno(
		    fd, "process.cwd '%s': resolves through a /proc magic link or outside the root, refusing: %m", cwd);
	if (fd < 0) {
		if (early && fd == -EACCES)
			goto defer;
		return log_error_errno(fd, "process.cwd '%s': cannot resolve it as uid %u: %m", cwd,
				       (unsigned)geteuid());
	}
	if (fchdir(fd) < 0) {
		r = -errno;
		if (early && (r == -EACCES || r == -EPERM))
			goto defer;
		return log_error_errno(r, "process.cwd '%s': cannot enter it as uid %u: %m", cwd, (unsigned)geteuid());
	}

	r = cwd_verify(&got);
	if (r == -EPERM)
		return log_error_errno(
		    r, "process.cwd '%s': the working directory is outside the container root, refusing", cwd);
	if (r < 0)
		return log_error_errno(r, "process.cwd '%s': cannot verify the working directory: %m", cwd);
	if (!STREQ(got, clean))
		log_debug("process.cwd '%s': resolved to '%s'", cwd, got);
	return 0;

defer:
	log_debug("process.cwd '%s': not accessible as uid 0, entering it after the switch to uid %u", cwd,
		  (unsigned)p->user.uid);
	return 0;
}

/* Mark every fd >= from close-on-exec rather than closing it: a failed execve can still
 * report over the sync socket and the log fd, and a successful one closes them all. */
static int cloexec_from(unsigned from)
{
	if (close_range(from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;

	/* Kernel < 5.11: walk our fd table. */
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		if (close_range(from, ~0U, 0) < 0)
			return -errno;
		return 0;
	}
	int dfd = dirfd(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		if (*end || end == de->d_name || fd < (long)from || fd == dfd)
			continue;
		int fl = fcntl((int)fd, F_GETFD);
		if (fl >= 0)
			(void)fcntl((int)fd, F_SETFD, fl | FD_CLOEXEC);
	}
	closedir(d);
	return 0;
}

static const char *env_path(char **env)
{
	for (char **e = env; e && *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			return *e + 5;
	return DEFAULT_PATH;
}

static int exec_log(int r, const char *arg0)
{
	if (r == -ENOENT)
		return log_error_errno(r, "process.args[0] '%s': no such file or directory", arg0);
	if (r == -EACCES)
		return log_error_errno(r, "process.args[0] '%s': permission denied", arg0);
	return log_error_errno(r, "process.args[0] '%s': cannot execute: %m", arg0);
}

int process_exec(const struct oci_process *p, int preserve_fds)
{
	static char *empty_env[] = {NULL};
	char **env = p->env ?: empty_env;
	const char *arg0, *path;
	bool seen_eacces = false;
	int r;

	if (!p->args || !p->args[0] || !p->args[0][0])
		return log_error_errno(-EINVAL, "process.args: must be a non-empty array");
	if (preserve_fds < 0)
		preserve_fds = 0;
	arg0 = p->args[0];

	r = cloexec_from(3U + (unsigned)preserve_fds);
	if (r < 0)
		return log_error_errno(r, "Failed to mark fds close-on-exec: %m");
	for (int fd = 3; fd < 3 + preserve_fds; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
			return log_error_errno(-errno, "--preserve-fds: cannot keep fd %d open: %m", fd);
	}

	if (strchr(arg0, '/')) {
		execve(arg0, p->args, env);
		return exec_log(-errno, arg0);
	}

	/* execvpe semantics with the container's PATH, not the runtime's. */
	path = env_path(env);
	size_t alen = strlen(arg0);
	for (const char *s = path;;) {
		const char *e = strchrnul(s, ':');
		size_t dlen = (size_t)(e - s);
		cleanup_free char *full = malloc(dlen + alen + 2);
		if (!full)
			return log_error_errno(-ENOMEM, "Out of memory");
		if (dlen == 0) /* empty element: the current directory (POSIX legacy) */
			memcpy(full, arg0, alen + 1);
		else {
			memcpy(full, s, dlen);
			full[dlen] = '/';
			memcpy(full + dlen + 1, arg0, alen + 1);
		}
		execve(full, p->args, env);
		r = -errno;
		switch (r) {
		case -EACCES:
			seen_eacces = true;
			break;
		case -ENOENT:
		case -ENOTDIR:
		case -ESTALE:
		case -ENODEV:
		case -ETIMEDOUT:
		case -ELOOP:
		case -ENAMETOOLONG:
			break;
		default:
			return exec_log(r, full);
		}
		if (!*e)
			break;
		s = e + 1;
	}
	if (seen_eacces)
		return exec_log(-EACCES, arg0);
	return log_error_errno(-ENOENT, "process.args[0] '%s': executable file not found in $PATH (%s)", arg0, path);
}

int process_apply_no_new_privs(const struct oci_process *p)
{
	if (!p->no_new_privileges)
		return 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return log_error_errno(-errno, "process.noNewPrivileges: prctl(PR_SET_NO_NEW_PRIVS) failed: %m");
	return 0;
}
