/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OCI hooks (runtime.md "Lifecycle", config.md "POSIX-platform Hooks").
 *
 * Each hook is a fork+execve of hook.path with hook.args as argv ([path] when absent or
 * empty) and hook.env as the environment (the runtime's own environment when env is
 * absent, as runc does: Go's exec.Cmd uses the parent's for a nil Env; "env": [] is an
 * empty environment). The container state JSON goes to its stdin through a pipe that is
 * closed after the last byte, so `cat` sees EOF; stdout and stderr are inherited.
 * A timeout is enforced by polling a pidfd and SIGKILLing the hook when it expires; the
 * state is written from the same poll loop, so a hook that never reads its stdin cannot
 * block us past its timeout.
 *
 * Failure semantics follow runtime.md: prestart, createRuntime, createContainer and
 * startContainer stop at the first failing hook and log an error; poststart and poststop
 * run every hook, log each failure as a warning, and return -EIO at the end if any failed
 * (the caller must not treat that as fatal). */
#include "runtime/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

extern char **environ;

const char *hooks_kind_name(enum oci_hook_kind kind)
{
	return spec_hook_kind_name(kind);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fds_from(unsigned from, unsigned to, int max_fd)
{
	if (from > to)
		return;
	if (syscall(SYS_close_range, from, to, 0u) == 0)
		return;
	/* Before Linux 5.9. */
	for (long fd = from; fd <= (long)to && fd < max_fd; fd++)
		close((int)fd);
}

struct hook_exec {
	const char *path;
	char *const *argv, *const *envp;
	int stdin_fd; /* read end of the state pipe */
	int err_fd;   /* O_CLOEXEC write end: receives errno if execve fails */
	int max_fd;   /* for the close() fallback */
};

/* In the forked child: only async-signal-safe calls until execve. */
static _Noreturn void hook_child(const struct hook_exec *x)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigset_t none;
	int e;

	/* The runtime may block or ignore signals (SIGPIPE below, SIGCHLD for a signalfd);
	 * ignored dispositions and the mask survive execve, so reset both. */
	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);

	if (x->stdin_fd == STDIN_FILENO) {
		if (fcntl(STDIN_FILENO, F_SETFD, 0) < 0)
			goto fail;
	} else if (dup2(x->stdin_fd, STDIN_FILENO) < 0) {
		goto fail;
	}
	/* A hook runs with the runtime's host privileges: hand it nothing but stdio, even if
	 * some fd lacks O_CLOEXEC (CVE-2024-21626 class). err_fd closes itself on exec. */
	if (x->err_fd >= 3) {
		close_fds_from(3, (unsigned)x->err_fd - 1, x->max_fd);
		close_fds_from((unsigned)x->err_fd + 1, ~0u, x->max_fd);
	} else {
		close_fds_from(3, ~0u, x->max_fd);
	}
	execve(x->path, x->argv, x->envp);
fail:
	e = errno;
	(void)!write(x->err_fd, &e, sizeof(e));
	_exit(127);
}

struct hook_wait {
	pid_t pid;
	int pidfd;    /* -EBADF before Linux 5.3: then waitpid(WNOHANG) is polled */
	int state_fd; /* O_NONBLOCK write end; -EBADF once written or abandoned */
	const char *state;
	size_t state_len, state_off;
	int64_t deadline; /* CLOCK_MONOTONIC ms, -1 for none */
};

/* Write what the pipe takes; close it when done or when the hook stopped reading. */
static void feed_state(struct hook_wait *w)
{
	while (w->state_off < w->state_len) {
		ssize_t n = write(w->state_fd, w->state + w->state_off, w->state_len - w->state_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0)
			break; /* EPIPE: the hook exited or closed stdin; its choice */
		w->state_off += (size_t)n;
	}
	w->state_fd = safe_close(w->state_fd);
}

/* Returns 0 when the hook exited (status in *ret_status), 1 when it timed out (and was
 * killed and reaped), or -errno. */
static int wait_hook(struct hook_wait *w, int *ret_status)
{
	bool timed_out = false;

	if (w->state_len == 0)
		w->state_fd = safe_close(w->state_fd);
	for (;;) {
		struct pollfd pfd[2];
		nfds_t n = 0;
		int timeout = -1, r;

		if (w->deadline >= 0) {
			int64_t left = w->deadline - now_ms();
			if (left <= 0) {
				timed_out = true;
				break;
			}
			timeout = left > INT_MAX ? INT_MAX : (int)left;
		}
		if (w->pidfd >= 0) {
			pfd[n++] = (struct pollfd){.fd = w->pidfd, .events = POLLIN};
		} else {
			pid_t got = waitpid(w->pid, ret_status, WNOHANG);
			if (got == w->pid)
				return 0;
			if (got < 0 && errno != EINTR)
				return -errno;
			if (timeout < 0 || timeout > 10)
				timeout = 10;
		}
		if (w->state_fd >= 0)
			pfd[n++] = (struct pollfd){.fd = w->state_fd, .events = POLLOUT};
		if (n == 0) {
			nanosleep(&(struct timespec){.tv_nsec = (long)timeout * 1000000}, NULL);
			continue;
		}
		r = poll(pfd, n, timeout);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		for (nfds_t i = 0; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (pfd[i].fd == w->state_fd)
				feed_state(w);
			else if (pfd[i].fd == w->pidfd)
				goto reap;
		}
	}
reap:
	if (timed_out)
		(void)kill(w->pid, SIGKILL);
	for (;;) {
		if (waitpid(w->pid, ret_status, 0) == w->pid)
			return timed_out ? 1 : 0;
		if (errno != EINTR)
			return -errno;
	}
}

static int make_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	return 0;
}

static int run_one(const struct oci_hook *h, const char *what, bool fatal, const char *state_json)
{
	char *default_argv[] = {h->path, NULL};
	cleanup_close int in_rd = -EBADF, err_rd = -EBADF, in_wr = -EBADF, err_wr = -EBADF;
	struct hook_wait w = {.pidfd = -EBADF, .state_fd = -EBADF, .deadline = -1};
	struct hook_exec x;
	enum log_level level = fatal ? LOG_LEVEL_ERROR : LOG_LEVEL_WARN;
	sigset_t pipe_set, old_mask;
	int fds[2], status = 0, exec_errno = 0, r;
	long max_fd = sysconf(_SC_OPEN_MAX);

	if ((r = make_pipe(fds)) < 0)
		return log_internal(level, r, "%s '%s': cannot create a pipe: %m", what, h->path);
	in_rd = fds[0];
	in_wr = fds[1];
	if ((r = make_pipe(fds)) < 0)
		return log_internal(level, r, "%s '%s': cannot create a pipe: %m", what, h->path);
	err_rd = fds[0];
	err_wr = fds[1];
	if (fcntl(in_wr, F_SETFL, O_NONBLOCK) < 0)
		return log_internal(level, -errno, "%s '%s': cannot set up stdin: %m", what, h->path);

	x = (struct hook_exec){
	    .path = h->path,
	    .argv = h->args && h->args[0] ? h->args : default_argv,
	    .envp = h->env ? h->env : environ,
	    .stdin_fd = in_rd,
	    .err_fd = err_wr,
	    .max_fd = max_fd > 0 && max_fd < INT_MAX ? (int)max_fd : 65536,
	};

	/* SIGPIPE stays blocked while we feed the hook (a hook need not read its stdin); a
	 * SIGPIPE raised meanwhile is consumed below unless one was pending before. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old_mask);

	w.pid = fork();
	if (w.pid < 0) {
		r = -errno;
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		return log_internal(level, r, "%s '%s': cannot fork: %m", what, h->path);
	}
	if (w.pid == 0)
		hook_child(&x);

	in_rd = safe_close(in_rd);
	err_wr = safe_close(err_wr);
	w.pidfd = (int)syscall(SYS_pidfd_open, w.pid, 0);
	if (w.pidfd < 0)
		w.pidfd = -EBADF;
	w.state_fd = TAKE_FD(in_wr);
	w.state = state_json;
	w.state_len = state_json ? strlen(state_json) : 0;
	if (h->has_timeout)
		w.deadline = now_ms() + (int64_t)h->timeout * 1000;

	r = wait_hook(&w, &status);
	w.pidfd = safe_close(w.pidfd);
	w.state_fd = safe_close(w.state_fd);
	{
		sigset_t pending;
		if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) && !sigismember(&old_mask, SIGPIPE))
			(void)sigtimedwait(&pipe_set, NULL, &(struct timespec){0});
	}
	sigprocmask(SIG_SETMASK, &old_mask, NULL);

	if (r < 0)
		return log_internal(level, r, "%s '%s': cannot wait for the hook: %m", what, h->path);
	if (r == 1)
		return log_internal(level, -EIO, "%s '%s': timed out after %ds", what, h->path, h->timeout);
	if (read(err_rd, &exec_errno, sizeof(exec_errno)) == (ssize_t)sizeof(exec_errno) && exec_errno > 0)
		return log_internal(level, -EIO, "%s '%s': cannot execute: %s", what, h->path, strerror(exec_errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		return log_internal(level, -EIO, "%s '%s': exited with status %d", what, h->path, WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return log_internal(level, -EIO, "%s '%s': killed by signal %d (%s)", what, h->path, WTERMSIG(status),
				    strsignal(WTERMSIG(status)));
	return 0;
}

int hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json)
{
	/* runtime.md: failing poststart/poststop hooks are warnings; the rest are errors. */
	bool fatal = kind != OCI_HOOK_POSTSTART && kind != OCI_HOOK_POSTSTOP;
	const char *name = spec_hook_kind_name(kind);
	int ret = 0;

	if (!spec || !name)
		return -EINVAL;
	for (size_t i = 0; i < spec->hooks.n[kind]; i++) {
		char what[64];
		int r;

		snprintf(what, sizeof(what), "hooks.%s[%zu]", name, i);
		log_debug("running %s '%s'", what, spec->hooks.list[kind][i].path);
		r = run_one(&spec->hooks.list[kind][i], what, fatal, state_json);
		if (r < 0 && fatal)
			return r;
		if (r < 0 && ret == 0)
			ret = r;
	}
	return ret;
}
