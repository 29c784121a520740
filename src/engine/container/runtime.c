/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <json-c/json.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/container/record.h"
#include "engine/container/util.h"
#include "engine/image/idmap.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

int ctr_join_userns(pid_t pid, uint64_t start, bool parent)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/ns/user", (int)pid);
	cleanup_close int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* The namespace fd is pinned now: if pid was reused between our check and the open,
	 * the start time tells. */
	if (start && !ctr_proc_alive(pid, start))
		return -ESRCH;
	if (parent) {
		int pfd = ioctl(fd, NS_GET_PARENT);
		if (pfd < 0)
			return -errno;
		close(fd);
		fd = pfd;
	}
	if (setns(fd, CLONE_NEWUSER) < 0)
		return -errno;
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return -errno;
	setgroups(0, NULL);
	char buf[16];
	snprintf(buf, sizeof(buf), "%u", (unsigned)idmap_user_uid());
	setenv(IDMAP_ENV, buf, 1);
	return 0;
}

static char **build_argv(const struct ctr_rt *rt, char *const *args)
{
	char **v = calloc(1, sizeof(char *));
	int r = v ? 0 : -ENOMEM;
	if (r >= 0)
		r = cu_strv_append(&v, rt->path);
	if (r >= 0 && rt->root) {
		r = cu_strv_append(&v, "--root");
		if (r >= 0)
			r = cu_strv_append(&v, rt->root);
	}
	if (r >= 0 && rt->log) {
		r = cu_strv_append(&v, "--log");
		if (r >= 0)
			r = cu_strv_append(&v, rt->log);
		if (r >= 0)
			r = cu_strv_append(&v, "--log-format");
		if (r >= 0)
			r = cu_strv_append(&v, "json");
	}
	if (r >= 0 && rt->rootless)
		r = cu_strv_append(&v, "--rootless=true");
	for (size_t i = 0; r >= 0 && args[i]; i++)
		r = cu_strv_append(&v, args[i]);
	if (r < 0) {
		cu_strv_free(v);
		return NULL;
	}
	return v;
}

static void child_exec(const struct ctr_rt *rt, char **argv, const struct ctr_rt_io *io, int out_w, int err_w)
{
	if (io->pdeathsig)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (rt->rootless && !idmap_in_userns() && rt->join_pid > 0) {
		int r = ctr_join_userns(rt->join_pid, rt->join_start, rt->join_parent);
		if (r < 0) {
			dprintf(STDERR_FILENO, "kakuri: cannot join the user namespace of process %d: %s\n",
				(int)rt->join_pid, strerror(-r));
			_exit(125);
		}
	}
	int in = io->in, out = out_w >= 0 ? out_w : io->out, err = err_w >= 0 ? err_w : io->err;
	/* dup2 onto 0/1/2 in an order that cannot clobber a source fd that is itself 0..2. */
	int fds[3] = {in, out, err};
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0 && fds[i] <= 2 && fds[i] != i) {
			int d = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
			if (d >= 0)
				fds[i] = d;
		}
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0 && fds[i] != i)
			dup2(fds[i], i);
		else if (fds[i] == i)
			fcntl(i, F_SETFD, 0);
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	execv(argv[0], argv);
	dprintf(STDERR_FILENO, "kakuri: cannot run the OCI runtime %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static pid_t spawn(const struct ctr_rt *rt, char *const *args, const struct ctr_rt_io *io, int out_w, int err_w)
{
	cleanup_strv char **argv = build_argv(rt, args);
	if (!argv)
		return -ENOMEM;
	pid_t pid;
	if (rt->rootless && !idmap_in_userns() && rt->join_pid <= 0) {
		struct idmap m;
		int r = idmap_load(&m);
		if (r < 0)
			return r;
		pid = idmap_fork(&m, false);
		if (pid < 0)
			return pid;
	} else if (rt->rootless && !idmap_in_userns()) {
		pid = fork(); /* joins a user namespace: setenv() must not touch our memory */
		if (pid < 0)
			return -errno;
	} else {
		/* vfork: the child only sets up fds and execs, and a fork of a process with all of
		 * the engine's libraries mapped costs more than the exec it precedes. */
		pid = vfork();
		if (pid < 0)
			return -errno;
	}
	if (pid == 0)
		child_exec(rt, argv, io, out_w, err_w);
	return pid;
}

pid_t ctr_rt_spawn(const struct ctr_rt *rt, char *const *args, const struct ctr_rt_io *io)
{
	return spawn(rt, args, io, -1, -1);
}

static int wait_status(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

/* Appends what fd has to *buf until EOF. */
static bool slurp(int fd, char **buf, size_t *len)
{
	char tmp[4096];
	ssize_t n = read(fd, tmp, sizeof(tmp));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	char *nb = realloc(*buf, *len + (size_t)n + 1);
	if (!nb)
		return false;
	memcpy(nb + *len, tmp, (size_t)n);
	*len += (size_t)n;
	nb[*len] = 0;
	*buf = nb;
	return true;
}

int ctr_rt_run(const struct ctr_rt *rt, char *const *args, const struct ctr_rt_io *io)
{
	int op[2] = {-1, -1}, ep[2] = {-1, -1};
	if ((io->ret_out && pipe2(op, O_CLOEXEC) < 0) || (io->ret_err && pipe2(ep, O_CLOEXEC) < 0)) {
		safe_close(op[0]);
		safe_close(op[1]);
		return -errno;
	}
	pid_t pid = spawn(rt, args, io, op[1], ep[1]);
	safe_close(op[1]);
	safe_close(ep[1]);
	if (pid < 0) {
		safe_close(op[0]);
		safe_close(ep[0]);
		return (int)pid;
	}
	char *out = NULL, *err = NULL;
	size_t ol = 0, el = 0;
	while (op[0] >= 0 || ep[0] >= 0) {
		struct pollfd p[2] = {{.fd = op[0], .events = POLLIN}, {.fd = ep[0], .events = POLLIN}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents && !slurp(op[0], &out, &ol))
			op[0] = safe_close(op[0]);
		if (p[1].revents && !slurp(ep[0], &err, &el))
			ep[0] = safe_close(ep[0]);
	}
	int st = wait_status(pid);
	if (io->ret_out)
		*io->ret_out = out ? out : strdup("");
	else
		free(out);
	if (io->ret_err)
		*io->ret_err = err ? err : strdup("");
	else
		free(err);
	return st;
}

int ctr_rt_state(const struct ctr_rt *rt, const char *id, char **ret_status, pid_t *ret_pid)
{
	cleanup_free char *out = NULL, *err = NULL;
	struct ctr_rt_io io = {.in = -1, .out = -1, .err = -1, .ret_out = &out, .ret_err = &err};
	int st = ctr_rt_run(rt, (char *[]){"state", (char *)id, NULL}, &io);
	if (st < 0)
		return st;
	if (st != 0)
		return -ENOENT;
	cleanup_json json_object *o = json_tokener_parse(out);
	const char *s = ju_str(o, "status");
	if (!s)
		return -EBADMSG;
	if (ret_status && !(*ret_status = strdup(s)))
		return -ENOMEM;
	if (ret_pid)
		*ret_pid = (pid_t)ju_int64(o, "pid");
	return 0;
}

int ctr_rt_kill(const struct ctr_rt *rt, const char *id, int sig, bool all)
{
	char s[16];
	cleanup_free char *err = NULL;
	snprintf(s, sizeof(s), "%d", sig);
	struct ctr_rt_io io = {.in = -1, .out = -1, .err = -1, .ret_err = &err};
	char *args[] = {"kill", all ? "--all" : (char *)id, all ? (char *)id : s, all ? s : NULL, NULL};
	int st = ctr_rt_run(rt, args, &io);
	if (st < 0)
		return st;
	if (st != 0) {
		log_debug("%s kill %s %d: %s", rt->path, id, sig, err);
		return -ESRCH;
	}
	return 0;
}

int ctr_rt_delete(const struct ctr_rt *rt, const char *id)
{
	cleanup_free char *err = NULL;
	struct ctr_rt_io io = {.in = -1, .out = -1, .err = -1, .ret_err = &err};
	int st = ctr_rt_run(rt, (char *[]){"delete", "--force", (char *)id, NULL}, &io);
	if (st < 0)
		return st;
	if (st != 0) {
		/* "does not exist" (in any runtime's wording) is what we wanted anyway. */
		if (err && (strstr(err, "does not exist") || strstr(err, "not exist") || strstr(err, "not found")))
			return 0;
		log_debug("%s delete --force %s: %s", rt->path, id, err);
		return -EIO;
	}
	return 0;
}

char *ctr_rt_log_error(const char *log_path, const char *fallback)
{
	cleanup_free char *data = NULL;
	char *found = NULL;
	if (log_path && fs_read_file_at(AT_FDCWD, log_path, 4u << 20, &data, NULL) == 0) {
		char *save = NULL;
		for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			cleanup_json json_object *o = json_tokener_parse(line);
			const char *lvl = ju_str(o, "level"), *msg = ju_str(o, "msg");
			if (lvl && msg && (STREQ(lvl, "error") || STREQ(lvl, "fatal"))) {
				free(found);
				found = strdup(msg);
			}
		}
	}
	if (found || !fallback)
		return found;
	/* The last non-empty line of the text. */
	const char *end = fallback + strlen(fallback);
	while (end > fallback && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	const char *start = end;
	while (start > fallback && start[-1] != '\n')
		start--;
	return end > start ? strndup(start, (size_t)(end - start)) : NULL;
}
