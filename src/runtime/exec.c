/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "runtime/container-cgroup.h"
#include "runtime/container.h"
#include "runtime/exe-seal.h"
#include "runtime/init.h"
#include "runtime/landlock.h"
#include "runtime/lsm.h"
#include "runtime/process.h"
#include "runtime/seccomp.h"
#include "runtime/seccomp-cache.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"

/* Namespaces of pid that differ from ours: joining our own user namespace is EINVAL. */
static int differing_ns(pid_t pid)
{
	static const struct {
		const char *name;
		int flag;
	} types[] = {
		{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },     { "pid", CLONE_NEWPID },
		{ "net", CLONE_NEWNET },   { "ipc", CLONE_NEWIPC },    { "uts", CLONE_NEWUTS },
		{ "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
	};
	int flags = 0;
	for (size_t i = 0; i < ELEMENTSOF(types); i++) {
		char a[64], b[64];
		struct stat sa, sb;
		snprintf(a, sizeof(a), "/proc/%d/ns/%s", (int)pid, types[i].name);
		snprintf(b, sizeof(b), "/proc/self/ns/%s", types[i].name);
		if (stat(a, &sa) < 0 || stat(b, &sb) < 0)
			continue;
		if (sa.st_ino != sb.st_ino || sa.st_dev != sb.st_dev)
			flags |= types[i].flag;
	}
	return flags;
}

__attribute__((noreturn)) static void exec_child(const struct exec_opts *o, int pidfd, int nsflags, int sync_fd,
						  int console_fd, int agent_fd, struct seccomp_prog *seccomp,
						  const struct lsm_plan *lsm, const struct landlock_plan *landlock)
{
	int r;

	log_set_capture(true);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (nsflags && setns(pidfd, nsflags) < 0)
		sync_fail(sync_fd, log_error_errno(-errno, "Failed to join the container's namespaces: %m"));
	close(pidfd);
	pid_t pid = fork();
	if (pid < 0)
		sync_fail(sync_fd, log_error_errno(-errno, "fork failed: %m"));
	if (pid > 0)
		_exit(0);

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* Root of the container's user namespace first: until then our ids may be unmapped
	 * there (65534), and SCM_CREDENTIALS refuses to send ids we do not hold. */
	if ((nsflags & CLONE_NEWUSER) && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		sync_fail(sync_fd, log_error_errno(-errno, "Failed to become root in the container's user namespace: %m"));
	if (sync_send_pid(sync_fd, SYNC_PID) < 0)
		_exit(1);
	if (o->process->terminal) {
		r = terminal_setup(console_fd, o->process->has_console_size ? &o->process->console_size : NULL, false);
		if (r < 0)
			sync_fail(sync_fd, r);
		close(console_fd);
	}
	r = process_apply_limits(o->process);
	if (r < 0)
		sync_fail(sync_fd, r);
	r = init_exec_process(o->process, o->spec, seccomp, agent_fd, "{}", o->preserve_fds, lsm, landlock, -EBADF);
	sync_fail(sync_fd, r);
}

int container_exec(const struct exec_opts *o)
{
	struct container_state *st = NULL;
	struct seccomp_prog *seccomp = NULL;
	struct landlock_plan *landlock = NULL;
	struct lsm_plan lsm = {0};
	cleanup_close int pidfd = -EBADF, console_fd = -EBADF, agent_fd = -EBADF;
	int sync_fds[2] = { -EBADF, -EBADF };
	int r = state_load(o->root, o->id, &st);
	if (r < 0)
		return r;

	enum container_status s = state_status(o->root, st);
	if (s == STATUS_PAUSED) {
		r = log_error_errno(-EBUSY, "cannot exec in container '%s': it is paused (resume it first)", o->id);
		goto out;
	}
	if (s == STATUS_STOPPED) {
		r = log_error_errno(-ESRCH, "cannot exec in container '%s': it is stopped", o->id);
		goto out;
	}
	pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (pidfd < 0) {
		r = log_error_errno(-errno, "cannot exec in container '%s': %m", o->id);
		goto out;
	}
	int nsflags = differing_ns(st->pid);
	/* Re-check after pinning the pid: the init must still be the same process. */
	if (!state_init_alive(st)) {
		r = log_error_errno(-ESRCH, "cannot exec in container '%s': it is stopped", o->id);
		goto out;
	}
	/* CVE-2019-5736: if anything in the container may ptrace us, run from a sealed copy of
	 * the binary (exe-seal.h; may re-execute the command from the start). Before `start`
	 * the init itself still runs runtime code: a ptrace-capable process must not join it
	 * unless that init runs from a sealed copy too. */
	bool seal = exe_seal_needed_for_exec(st->pid, o->process);
	if (seal && s == STATUS_CREATED && !exe_seal_is_sealed(st->pid)) {
		r = log_error_errno(-EPERM,
				    "cannot exec in container '%s' before it is started: a process with "
				    "CAP_SYS_PTRACE could reach the runtime binary through the init (CVE-2019-5736)",
				    o->id);
		goto out;
	}
	r = exe_seal_ensure(seal);
	if (r < 0)
		goto out;
	/* The exec'd process gets the container's Landlock ruleset and its own labels, checked
	 * here in the host's mount namespace (lsm.h). */
	r = lsm_plan_make(o->spec, o->process, false, lsm_detect(), &lsm);
	if (r < 0)
		goto out;
	if (o->spec) {
		r = landlock_plan_new(o->spec, &landlock);
		if (r < 0)
			goto out;
		cleanup_free char *cache = seccomp_cache_dir(o->root);
		r = seccomp_compile_cached(&o->spec->linux_.seccomp, cache, &seccomp);
		if (r < 0)
			goto out;
		if (o->spec->linux_.seccomp.listener_path) {
			agent_fd = seccomp_connect_listener(&o->spec->linux_.seccomp);
			if (agent_fd < 0) {
				r = agent_fd;
				goto out;
			}
		}
	}
	if (o->process->terminal) {
		if (!o->console_socket) {
			r = log_error_errno(-EINVAL, "exec --tty needs --console-socket");
			goto out;
		}
		console_fd = terminal_connect(o->console_socket);
		if (console_fd < 0) {
			r = console_fd;
			goto out;
		}
	}
	r = sync_pair(sync_fds);
	if (r < 0) {
		log_error_errno(r, "socketpair failed: %m");
		goto out;
	}
	/* The exec'd process is our grandchild: be its subreaper so we can wait for it. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	fflush(NULL);
	pid_t child = fork();
	if (child < 0) {
		r = log_error_errno(-errno, "fork failed: %m");
		goto out;
	}
	if (child == 0) {
		sync_fds[0] = safe_close(sync_fds[0]);
		/* Join the container's cgroup while host cgroup paths still resolve (before
		 * setns), so its limits cover the exec'd process from the first instruction. */
		log_set_capture(true);
		r = container_cgroup_join(st, getpid());
		if (r < 0)
			sync_fail(sync_fds[1], r);
		exec_child(o, pidfd, nsflags, sync_fds[1], console_fd, agent_fd, seccomp, &lsm, landlock);
	}
	sync_fds[1] = safe_close(sync_fds[1]);
	console_fd = safe_close(console_fd);
	agent_fd = safe_close(agent_fd);

	struct sync_msg m;
	pid_t pid = 0;
	r = sync_recv(sync_fds[0], &m, &pid);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	if (r < 0 || m.type != SYNC_PID || pid <= 0) {
		r = log_error_errno(r < 0 ? r : (m.type == SYNC_ERROR ? m.value : -EPROTO), "%s",
				    m.type == SYNC_ERROR ? m.text : "exec: the process did not start");
		goto out;
	}
	/* EOF means the exec succeeded (the sync fd is O_CLOEXEC); a message is an error. */
	r = sync_recv(sync_fds[0], &m, NULL);
	if (r >= 0 && m.type == SYNC_ERROR) {
		int err = m.value;
		log_error_errno(err, "%s", m.text);
		int status = container_wait(pid);
		r = status == 127 || err == -ENOENT ? -ENOENT : (err < 0 ? err : -EIO);
		goto out;
	}
	if (o->pid_file) {
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
		r = fs_write_atomic(o->pid_file, buf, (size_t)n, 0644);
		if (r < 0) {
			log_error_errno(r, "--pid-file '%s': %m", o->pid_file);
			goto out;
		}
	}
	if (o->detach) {
		r = 0;
		goto out;
	}
	r = container_wait(pid);
out:
	safe_close(sync_fds[0]);
	safe_close(sync_fds[1]);
	seccomp_prog_free(seccomp);
	landlock_plan_free(landlock);
	state_free(st);
	return r;
}
