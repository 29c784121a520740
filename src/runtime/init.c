/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "runtime/caps.h"
#include "runtime/hooks.h"
#include "runtime/namespaces.h"
#include "runtime/process.h"
#include "runtime/rootfs.h"
#include "runtime/seccomp-record.h"
#include "runtime/userns.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"

static int set_time_offsets(const struct oci_linux *l)
{
	char buf[128];
	int n = 0;
	if (l->time_monotonic.present)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "monotonic %lld %u\n",
			      (long long)l->time_monotonic.secs, l->time_monotonic.nanosecs);
	if (l->time_boottime.present)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "boottime %lld %u\n",
			      (long long)l->time_boottime.secs, l->time_boottime.nanosecs);
	if (n == 0)
		return 0;
	/* One write per clock: the kernel accepts several lines, but reports errors per write. */
	int r = fs_write_file_at(AT_FDCWD, "/proc/self/timens_offsets", buf, (size_t)n);
	if (r < 0)
		return log_error_errno(r, "config.json: linux.timeOffsets: writing /proc/self/timens_offsets failed: %m");
	return 0;
}

static int install_seccomp(const struct oci_spec *spec, struct seccomp_prog *seccomp, int agent_fd,
			   const char *state_json)
{
	int listener = -EBADF;
	int r = seccomp_install(seccomp, &listener);
	if (r < 0)
		return r;
	if (listener >= 0) {
		/* The agent gets the listener with the container's state, over the socket the
		 * runtime connected before pivot_root (listenerPath is a host path). */
		if (agent_fd < 0)
			r = log_error_errno(-ENOTCONN, "linux.seccomp.listenerPath: no connection to the agent");
		else
			r = seccomp_send_listener(&spec->linux_.seccomp, agent_fd, listener, state_json);
		close(listener);
	}
	return r;
}

int init_exec_process(const struct oci_process *p, const struct oci_spec *spec, struct seccomp_prog *seccomp,
		      int agent_fd, const char *state_json, int preserve_fds, const struct lsm_plan *lsm,
		      const struct landlock_plan *landlock, int record_fd)
{
	cleanup_close int ruleset = -EBADF;
	int r;

	r = caps_drop_bounding(&p->caps);
	if (r < 0)
		return r;
	/* Early chdir as container root: creates a missing cwd like runc; permission errors are
	 * deferred to the second call, after the uid switch. */
	r = process_chdir(p);
	if (r < 0)
		return r;
	/* The exec labels take effect at execve; written now, while we can still make a private
	 * procfs (CAP_SYS_ADMIN) and before any seccomp filter. */
	r = lsm_apply_exec(lsm);
	if (r < 0)
		return r;
	/* Landlock rule paths are opened as the container's root; the ruleset is enforced
	 * right before the seccomp filter, at either of its two places below. */
	if (landlock) {
		ruleset = landlock_build_ruleset(landlock);
		if (ruleset < 0)
			return ruleset;
	}
	/* Without no_new_privs, installing a filter needs CAP_SYS_ADMIN: do it while we still
	 * hold it (the filter then has to allow the remaining setup syscalls). With
	 * no_new_privs it goes last, right before exec. landlock_restrict_self has the same
	 * requirement, so it follows the same rule. */
	if (!p->no_new_privileges) {
		r = landlock_restrict(landlock, ruleset);
		if (r < 0)
			return r;
		ruleset = safe_close(ruleset);
	}
	if (seccomp && !p->no_new_privileges) {
		r = install_seccomp(spec, seccomp, agent_fd, state_json);
		if (r < 0)
			return r;
	}
	/* The recording filter goes last, so what the configured one denies stays denied
	 * (ERRNO outranks USER_NOTIF) and is not recorded; same placement rule. */
	if (record_fd >= 0 && !p->no_new_privileges) {
		r = seccomp_record_install(record_fd);
		if (r < 0)
			return r;
	}
	r = process_switch_user(p);
	if (r < 0)
		return r;
	r = caps_apply(&p->caps);
	if (r < 0)
		return r;
	r = process_chdir(p);
	if (r < 0)
		return r;
	r = process_apply_no_new_privs(p);
	if (r < 0)
		return r;
	if (p->no_new_privileges) {
		r = landlock_restrict(landlock, ruleset);
		if (r < 0)
			return r;
		ruleset = safe_close(ruleset);
	}
	if (seccomp && p->no_new_privileges) {
		r = install_seccomp(spec, seccomp, agent_fd, state_json);
		if (r < 0)
			return r;
	}
	if (record_fd >= 0 && p->no_new_privileges) {
		r = seccomp_record_install(record_fd);
		if (r < 0)
			return r;
	}
	return process_exec(p, preserve_fds); /* logs its own error */
}

__attribute__((noreturn)) static void init_stage2(struct init_ctx *ctx)
{
	const struct oci_spec *spec = ctx->spec;
	const struct oci_process *p = spec->process;
	struct sync_msg m;
	char buf;
	int r;

	/* Nothing in the container may open /proc/<init>/exe (the runtime binary) while we
	 * still run it (CVE-2019-5736 class). execve() resets this for the container process. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	r = sync_send_pid(ctx->sync_fd, SYNC_PID);
	if (r < 0 || sync_expect(ctx->sync_fd, SYNC_CGROUP_DONE, &m, NULL) < 0)
		_exit(1);
	if (spec->linux_.namespaces[OCI_NS_CGROUP].present && !spec->linux_.namespaces[OCI_NS_CGROUP].path &&
	    unshare(CLONE_NEWCGROUP) < 0)
		sync_fail(ctx->sync_fd, log_error_errno(-errno, "Failed to create the cgroup namespace: %m"));
	if (ctx->new_userns || ctx->ns_fds[OCI_NS_USER] >= 0 || spec->linux_.namespaces[OCI_NS_USER].present) {
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			sync_fail(ctx->sync_fd, log_error_errno(-errno, "Failed to become root in the user namespace: %m"));
	}
	if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		sync_fail(ctx->sync_fd, log_error_errno(-errno, "config.json: hostname '%s': %m", spec->hostname));
	if (spec->linux_.namespaces[OCI_NS_NETWORK].present && !spec->linux_.namespaces[OCI_NS_NETWORK].path &&
	    (r = ns_loopback_up()) < 0)
		sync_fail(ctx->sync_fd, r);
	if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
		sync_fail(ctx->sync_fd, log_error_errno(-errno, "config.json: domainname '%s': %m", spec->domainname));
	if (!ctx->no_new_keyring && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0)
		log_debug("new session keyring: %m");

	struct rootfs_ctx rc = {
		.spec = spec,
		.rootfs = ctx->rootfs,
		.bundle = ctx->bundle,
		.no_pivot = ctx->no_pivot,
		.in_userns = spec->linux_.namespaces[OCI_NS_USER].present || userns_running_nested(),
		.terminal = p && p->terminal,
		.mount_label = ctx->lsm.mount_label,
	};
	r = rootfs_prepare(&rc);
	if (r < 0)
		sync_fail(ctx->sync_fd, r);

	/* prestart + createRuntime hooks run in the runtime's namespaces, by the parent. */
	r = sync_send(ctx->sync_fd, SYNC_HOOKS, 0, NULL);
	if (r < 0 || (r = sync_expect(ctx->sync_fd, SYNC_HOOKS_DONE, &m, NULL)) < 0)
		_exit(1);
	/* m.text is the container state JSON, for the hooks that run in here. */
	char state_json[sizeof(m.text)];
	memcpy(state_json, m.text, sizeof(state_json));

	/* createContainer hooks: in the container namespaces, before pivot_root. */
	if (spec->hooks.n[OCI_HOOK_CREATE_CONTAINER] > 0) {
		r = hooks_run(spec, OCI_HOOK_CREATE_CONTAINER, state_json);
		if (r < 0)
			sync_fail(ctx->sync_fd, r);
	}

	r = rootfs_pivot(&rc);
	if (r < 0)
		sync_fail(ctx->sync_fd, r);
	if (p && p->terminal) {
		if (ctx->console_fd < 0)
			sync_fail(ctx->sync_fd, log_error_errno(-EINVAL, "process.terminal is true but no --console-socket was given"));
		r = terminal_setup(ctx->console_fd, p->has_console_size ? &p->console_size : NULL, true);
		if (r < 0)
			sync_fail(ctx->sync_fd, r);
		ctx->console_fd = safe_close(ctx->console_fd);
	}
	r = rootfs_finalize(&rc);
	if (r < 0)
		sync_fail(ctx->sync_fd, r);
	if (p) {
		r = process_apply_limits(p);
		if (r < 0)
			sync_fail(ctx->sync_fd, r);
	}

	r = sync_send(ctx->sync_fd, SYNC_CREATED, 0, NULL);
	if (r < 0)
		_exit(1);
	/* Keep the sync socket until start: nothing more is sent, but an early error after
	 * this point goes to the log only. */
	ctx->sync_fd = safe_close(ctx->sync_fd);
	log_set_capture(false);

	/* Block (no busy wait) until `start` writes to exec.fifo. */
	for (;;) {
		ssize_t n = read(ctx->fifo_fd, &buf, 1);
		if (n == 1)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		_exit(1);
	}
	/* ctx->fifo_fd stays open (O_CLOEXEC) until execve: `start` waits for the last reader
	 * of exec.fifo to go away to know the process was executed (poststart ordering). */

	if (!p)
		_exit(1);
	if (spec->hooks.n[OCI_HOOK_START_CONTAINER] > 0) {
		cleanup_free char *created = state_json_with_status(state_json, STATUS_CREATED);
		if (hooks_run(spec, OCI_HOOK_START_CONTAINER, created ? created : state_json) < 0)
			_exit(1);
	}
	r = init_exec_process(p, spec, ctx->seccomp, ctx->agent_fd, state_json, ctx->preserve_fds, &ctx->lsm,
			      ctx->landlock, ctx->record_fd);
	_exit(r == -ENOENT ? 127 : 126);
}

void init_stage1(struct init_ctx *ctx)
{
	const struct oci_linux *l = &ctx->spec->linux_;
	struct sync_msg m;
	int r;

	log_set_capture(true);
	r = ns_join_user(ctx->ns_fds);
	if (r < 0)
		sync_fail(ctx->sync_fd, r);
	if (ctx->new_userns) {
		if (unshare(CLONE_NEWUSER) < 0)
			sync_fail(ctx->sync_fd, log_error_errno(-errno, "Failed to create a user namespace: %m"));
		r = sync_send(ctx->sync_fd, SYNC_USERMAP, 0, NULL);
		if (r < 0 || sync_expect(ctx->sync_fd, SYNC_USERMAP_DONE, &m, NULL) < 0)
			_exit(1);
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			sync_fail(ctx->sync_fd, log_error_errno(-errno, "Failed to become root in the user namespace: %m"));
	}
	r = ns_join_others(ctx->ns_fds);
	if (r < 0)
		sync_fail(ctx->sync_fd, r);
	int flags = ns_new_flags(l);
	if (flags && unshare(flags) < 0)
		sync_fail(ctx->sync_fd, log_error_errno(-errno, "Failed to create namespaces (flags 0x%x): %m", flags));
	if ((flags & CLONE_NEWTIME) && (r = set_time_offsets(l)) < 0)
		sync_fail(ctx->sync_fd, r);

	pid_t pid = fork();
	if (pid < 0)
		sync_fail(ctx->sync_fd, log_error_errno(-errno, "fork failed: %m"));
	if (pid == 0)
		init_stage2(ctx);
	_exit(0);
}
