/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The monitor process; see monitor.h for the sequence. It never returns into the CLI's
 * code: every path ends in _exit(), so none of the CLI's cleanup handlers (its store's
 * scratch dir, its locks) run twice. */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/container/attach.h"
#include "engine/container/logfile.h"
#include "engine/container/record.h"
#include "engine/container/runtime.h"
#include "engine/container/spec-userns.h"
#include "engine/container/spec.h"
#include "engine/container/spec-network.h"
#include "engine/container/util.h"
#include "engine/image/idmap.h"
#include "engine/image/rootfs.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

#define MAX_CLIENTS 32
#define MAX_STASH   64
#define DRAIN_MS    2000

struct client {
	int fd;
	bool out;
	bool hello; /* attach-socket clients say hello first */
};

struct monitor {
	char *store_root, *id;
	struct store *s;
	struct ctr_record *rec;
	char *userdata, *config, *logpath, *pidfile, *rtlog, *console_dir;
	int lockfd, sigfd, listen_fd, console_fd;
	int out_r, err_r, in_w, master;
	struct client clients[MAX_CLIENTS];
	size_t n_clients;
	pid_t rt_pid, init_pid;
	int rt_status, init_status;
	bool rt_done, init_done;
	struct {
		pid_t pid;
		int status;
	} stash[MAX_STASH];
	size_t n_stash;
	struct ctr_log log;
	char *pending;
	size_t pending_len;
	bool close_in_pending;
	struct ctr_rt rt;
	bool mounted;
	unsigned short rows, cols;
};

static int status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

static void broadcast(struct monitor *m, char type, const void *d, size_t len, bool output_only)
{
	for (size_t i = 0; i < m->n_clients; i++) {
		struct client *c = &m->clients[i];
		if (c->fd < 0 || (output_only && !c->out))
			continue;
		if (ctr_msg_send(c->fd, type, d, len) < 0)
			c->fd = safe_close(c->fd);
	}
}

static void drop_closed_clients(struct monitor *m)
{
	size_t o = 0;
	for (size_t i = 0; i < m->n_clients; i++)
		if (m->clients[i].fd >= 0)
			m->clients[o++] = m->clients[i];
	m->n_clients = o;
}

/* Removes what a failed or finished start leaves: the runtime's state, the mount, and with
 * remove the whole container. `RUNTIME delete` runs while we unmount and remove (it only
 * needs its own state dir): that overlap is a few ms of every `run --rm`. */
static void teardown(struct monitor *m, bool remove, const char *exit_code)
{
	if (m->rt_pid > 0 && !m->rt_done) {
		kill(m->rt_pid, SIGKILL);
		waitpid(m->rt_pid, NULL, 0);
		m->rt_done = true;
	}
	if (m->init_pid > 0 && !m->init_done) {
		kill(m->init_pid, SIGKILL);
		int st;
		if (waitpid(m->init_pid, &st, 0) == m->init_pid) {
			m->init_done = true;
			m->init_status = st;
		}
	}
	ctr_net_stop(m->s, m->rec);
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct ctr_rt_io io = {.in = devnull, .out = devnull, .err = devnull};
	/* No runtime yet when the start failed before the record was read. */
	pid_t del = m->rt.path ? ctr_rt_spawn(&m->rt, (char *[]){"delete", "--force", m->id, NULL}, &io) : -1;
	safe_close(devnull);
	if (m->mounted && m->s)
		image_rootfs_umount(m->s, m->id);
	m->mounted = false;
	if (m->console_dir) {
		cleanup_free char *sock = NULL;
		if (asprintf(&sock, "%s/c", m->console_dir) >= 0)
			unlink(sock);
		rmdir(m->console_dir);
	}
	if (m->listen_fd >= 0) {
		cleanup_free char *p = NULL;
		if (asprintf(&p, "%s/attach", m->userdata) >= 0)
			unlink(p);
		m->listen_fd = safe_close(m->listen_fd);
	}
	if (remove && m->s)
		ctr_storage_remove(m->s, m->id);
	/* What users can see is done (the record, the mount, --rm's removal): the exit code may
	 * go out while the runtime still deletes its own state (invisible: `start` and `rm`
	 * wait for this monitor or delete again). */
	if (exit_code) {
		m->lockfd = safe_close(m->lockfd);
		broadcast(m, CTR_MSG_EXIT, exit_code, strlen(exit_code), false);
		for (size_t i = 0; i < m->n_clients; i++)
			m->clients[i].fd = safe_close(m->clients[i].fd);
	}
	while (del > 0 && waitpid(del, NULL, 0) < 0 && errno == EINTR)
		;
}

static _Noreturn void fail(struct monitor *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static _Noreturn void fail(struct monitor *m, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bool rm = m->rec && m->rec->auto_remove;
	if (m->s && m->rec && !rm) {
		if (m->lockfd < 0)
			m->lockfd = ctr_lock(m->s, m->id);
		struct ctr_record *cur = NULL;
		if (ctr_record_load(m->s, m->id, &cur) == 0) {
			cur->state = CTR_CREATED;
			cur->monitor_pid = 0;
			cur->pid = 0;
			free(cur->net_state); /* teardown() detaches below */
			cur->net_state = NULL;
			free(cur->error);
			cur->error = strdup(msg);
			ctr_record_save(m->s, cur);
			ctr_record_free(cur);
		}
	}
	teardown(m, rm, NULL);
	broadcast(m, CTR_MSG_ERROR, msg, strlen(msg), false);
	_exit(1);
}

static void reap(struct monitor *m)
{
	int st;
	pid_t p;
	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == m->rt_pid) {
			m->rt_done = true;
			m->rt_status = st;
		} else if (p == m->init_pid) {
			m->init_done = true;
			m->init_status = st;
		} else if (m->n_stash < MAX_STASH) {
			/* Maybe the init, exiting before we know its pid (a container running
			 * `true` is gone before `run --detach` returns). */
			m->stash[m->n_stash].pid = p;
			m->stash[m->n_stash++].status = st;
		}
	}
}

static void handle_signals(struct monitor *m)
{
	struct signalfd_siginfo si;
	while (read(m->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
	reap(m);
}

/* ---- set-up ---- */

static int listen_at(const char *dir, const char *name)
{
	cleanup_close int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	unlinkat(dfd, name, 0);
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -errno;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "/proc/self/fd/%d/%s", dfd, name);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 16) < 0) {
		int r = -errno;
		close(s);
		return r;
	}
	return s;
}

/* The console socket the runtime sends the pty master to: a short path (sun_path is 108
 * bytes; the store may be deeper than that). */
static int console_listen(struct monitor *m, char **ret_path)
{
	char tmpl[] = "/tmp/kakuri-console-XXXXXX";
	if (!mkdtemp(tmpl))
		return -errno;
	m->console_dir = strdup(tmpl);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -errno;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/c", tmpl);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 1) < 0) {
		int r = -errno;
		close(s);
		return r;
	}
	*ret_path = strdup(a.sun_path);
	return s;
}

static int recv_fd(int sock)
{
	char data[256];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	for (int tries = 0; tries < 200; tries++) {
		ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd p = {.fd = sock, .events = POLLIN};
			poll(&p, 1, 50);
			continue;
		}
		if (n < 0)
			return -errno;
		break;
	}
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void make_stdio(struct monitor *m, int child_fds[3])
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int p[2];
	child_fds[0] = child_fds[1] = child_fds[2] = devnull;
	if (m->rec->tty)
		return; /* the pty comes through the console socket */
	if (pipe2(p, O_CLOEXEC) == 0) {
		m->out_r = p[0];
		child_fds[1] = p[1];
	}
	if (pipe2(p, O_CLOEXEC) == 0) {
		m->err_r = p[0];
		child_fds[2] = p[1];
	}
	if (m->rec->stdin_open && pipe2(p, O_CLOEXEC) == 0) {
		child_fds[0] = p[0];
		m->in_w = p[1];
		fcntl(m->in_w, F_SETFL, O_NONBLOCK);
	}
	fcntl(m->out_r, F_SETFL, O_NONBLOCK);
	fcntl(m->err_r, F_SETFL, O_NONBLOCK);
}

static pid_t read_pid_file(const char *path)
{
	cleanup_free char *d = NULL;
	if (fs_read_file_at(AT_FDCWD, path, 64, &d, NULL) < 0)
		return -1;
	long v = strtol(d, NULL, 10);
	return v > 0 ? (pid_t)v : -1;
}

/* The network of the created container, then `RUNTIME start`. */
static void start_created(struct monitor *m)
{
	if (m->init_done)
		fail(m, "the container's init exited before it was started");
	if (ctr_net_start(m->s, m->rec, m->init_pid, m->userdata) < 0)
		fail(m, "%s", log_captured()[0] ? log_captured() : "cannot set up the container's network");
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct ctr_rt_io io = {.in = devnull, .out = devnull, .err = devnull, .pdeathsig = true};
	unlink(m->rtlog);
	m->rt.log = m->rtlog;
	int r = ctr_rt_run(&m->rt, (char *[]){"start", m->id, NULL}, &io);
	m->rt.log = NULL;
	safe_close(devnull);
	if (r != 0) {
		cleanup_free char *msg = ctr_rt_log_error(m->rtlog, NULL);
		fail(m, "%s", msg ? msg : "the OCI runtime failed to start the created container");
	}
}

/* `RUNTIME run --detach` (or `create`, see start_created), accepting the console connection
 * while it runs. */
static void start_container(struct monitor *m)
{
	int fds[3];
	cleanup_free char *console = NULL;
	make_stdio(m, fds);
	if (m->rec->tty) {
		m->console_fd = console_listen(m, &console);
		if (m->console_fd < 0)
			fail(m, "cannot create the console socket: %s", strerror(-m->console_fd));
	}
	unlink(m->pidfile);
	unlink(m->rtlog);
	char *args[16];
	size_t n = 0;
	/* A network to attach: create, attach, start (the process must not run before). */
	bool net_attach = ctr_net_needs_attach(m->rec);
	args[n++] = net_attach ? "create" : "run";
	if (!net_attach)
		args[n++] = "--detach";
	args[n++] = "--bundle";
	args[n++] = m->userdata;
	args[n++] = "--pid-file";
	args[n++] = m->pidfile;
	if (console) {
		args[n++] = "--console-socket";
		args[n++] = console;
	}
	args[n++] = m->id;
	args[n] = NULL;
	struct ctr_rt_io io = {.in = fds[0], .out = fds[1], .err = fds[2], .pdeathsig = true};
	m->rt.log = m->rtlog;
	m->rt_pid = ctr_rt_spawn(&m->rt, args, &io);
	m->rt.log = NULL;
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0 && (i == 0 || fds[i] != fds[0]))
			close(fds[i]);
	if (m->rt_pid < 0)
		fail(m, "cannot run the OCI runtime %s: %s", m->rt.path, strerror((int)-m->rt_pid));
	while (!m->rt_done) {
		struct pollfd p[2] = {{.fd = m->sigfd, .events = POLLIN}, {.fd = m->console_fd, .events = POLLIN}};
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			handle_signals(m);
		if (p[1].revents & POLLIN) {
			int c = accept4(m->console_fd, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0) {
				m->master = recv_fd(c);
				close(c);
			}
			m->console_fd = safe_close(m->console_fd);
		}
	}
	if (status_code(m->rt_status) != 0) {
		cleanup_free char *msg = ctr_rt_log_error(m->rtlog, NULL);
		fail(m, "%s", msg ? msg : "the OCI runtime failed to start the container");
	}
	if (m->rec->tty && m->master < 0)
		fail(m, "the OCI runtime did not send the container's terminal");
	if (m->master >= 0) {
		m->out_r = m->master;
		m->in_w = fcntl(m->master, F_DUPFD_CLOEXEC, 3);
		fcntl(m->master, F_SETFL, O_NONBLOCK);
	}
	m->init_pid = read_pid_file(m->pidfile);
	if (m->init_pid <= 0)
		fail(m, "the OCI runtime wrote no pid file");
	for (size_t i = 0; i < m->n_stash; i++)
		if (m->stash[i].pid == m->init_pid) {
			m->init_done = true;
			m->init_status = m->stash[i].status;
		}
	if (net_attach)
		start_created(m);
}

/* ---- the relay loop ---- */

static void add_client(struct monitor *m, int fd, bool hello_done)
{
	if (m->n_clients >= MAX_CLIENTS) {
		close(fd);
		return;
	}
	int big = 1 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	m->clients[m->n_clients++] = (struct client){.fd = fd, .out = hello_done, .hello = hello_done};
}

static void flush_stdin(struct monitor *m)
{
	while (m->pending_len > 0 && m->in_w >= 0) {
		ssize_t k = write(m->in_w, m->pending, m->pending_len);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			m->pending_len = 0; /* the container closed its stdin */
			break;
		}
		memmove(m->pending, m->pending + k, m->pending_len - (size_t)k);
		m->pending_len -= (size_t)k;
	}
	if (m->pending_len == 0 && m->close_in_pending && m->in_w >= 0 && m->master < 0) {
		m->in_w = safe_close(m->in_w);
		m->close_in_pending = false;
	}
}

static void client_message(struct monitor *m, struct client *c, const char *buf, size_t n)
{
	char type = buf[0];
	const char *d = buf + 1;
	size_t len = n - 1;
	char tmp[64];
	switch (type) {
	case CTR_MSG_HELLO:
		c->hello = true;
		c->out = memchr(d, 'o', len) != NULL;
		break;
	case CTR_MSG_STDIN:
		if (m->in_w < 0 || m->close_in_pending)
			break;
		if (!m->pending && !(m->pending = malloc(CTR_MSG_MAX)))
			break;
		if (m->pending_len + len > CTR_MSG_MAX)
			len = CTR_MSG_MAX - m->pending_len;
		memcpy(m->pending + m->pending_len, d, len);
		m->pending_len += len;
		flush_stdin(m);
		break;
	case CTR_MSG_STDIN_EOF:
		m->close_in_pending = true;
		flush_stdin(m);
		break;
	case CTR_MSG_RESIZE:
		if (m->master >= 0 && len < sizeof(tmp)) {
			unsigned rows = 0, cols = 0;
			memcpy(tmp, d, len);
			tmp[len] = 0;
			if (sscanf(tmp, "%u %u", &rows, &cols) == 2) {
				struct winsize w = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
				ioctl(m->master, TIOCSWINSZ, &w);
			}
		}
		break;
	case CTR_MSG_SIGNAL:
		if (len < sizeof(tmp) && m->init_pid > 0 && !m->init_done) {
			memcpy(tmp, d, len);
			tmp[len] = 0;
			int sig = atoi(tmp);
			if (sig > 0 && sig < 65)
				kill(m->init_pid, sig);
		}
		break;
	default:
		break;
	}
}

/* Reads what the container wrote on fd; false at EOF. */
static bool pump_output(struct monitor *m, int *fd, enum ctr_stream s, char *buf)
{
	for (int rounds = 0; rounds < 16; rounds++) {
		ssize_t n = read(*fd, buf, CTR_MSG_MAX - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0) { /* EOF, or EIO from a pty whose slaves are all closed */
			if (*fd == m->master)
				m->master = -1;
			*fd = safe_close(*fd);
			return false;
		}
		ctr_log_write(&m->log, s, buf, (size_t)n);
		broadcast(m, s == CTR_STDERR ? CTR_MSG_STDERR : CTR_MSG_STDOUT, buf, (size_t)n, true);
	}
	return true;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void relay(struct monitor *m)
{
	char *buf = malloc(CTR_MSG_MAX);
	int64_t deadline = -1;
	if (!buf)
		return;
	for (;;) {
		if (m->init_done && deadline < 0)
			deadline = mono_ms() + DRAIN_MS;
		if (m->init_done && ((m->out_r < 0 && m->err_r < 0) || mono_ms() >= deadline))
			break;
		struct pollfd p[4 + MAX_CLIENTS];
		size_t n = 0;
		p[n++] = (struct pollfd){.fd = m->sigfd, .events = POLLIN};
		p[n++] = (struct pollfd){.fd = m->out_r, .events = POLLIN};
		p[n++] = (struct pollfd){.fd = m->err_r, .events = POLLIN};
		p[n++] = (struct pollfd){.fd = m->pending_len ? m->in_w : m->listen_fd,
					 .events = m->pending_len ? POLLOUT : POLLIN};
		for (size_t i = 0; i < m->n_clients; i++)
			p[n++] = (struct pollfd){.fd = m->pending_len ? -1 : m->clients[i].fd, .events = POLLIN};
		int timeout = deadline < 0 ? -1 : (int)(deadline - mono_ms() > 0 ? deadline - mono_ms() : 0);
		if (poll(p, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			handle_signals(m);
		if (p[1].revents)
			pump_output(m, &m->out_r, CTR_STDOUT, buf);
		if (p[2].revents)
			pump_output(m, &m->err_r, CTR_STDERR, buf);
		if (p[3].revents) {
			if (m->pending_len) {
				flush_stdin(m);
			} else {
				int c = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC);
				if (c >= 0)
					add_client(m, c, false);
			}
		}
		for (size_t i = 4; i < n; i++) {
			struct client *c = &m->clients[i - 4];
			if (!p[i].revents || c->fd < 0)
				continue;
			ssize_t k = recv(c->fd, buf, CTR_MSG_MAX, MSG_DONTWAIT);
			if (k < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (k <= 0) {
				c->fd = safe_close(c->fd);
				continue;
			}
			client_message(m, c, buf, (size_t)k);
		}
		drop_closed_clients(m);
	}
	free(buf);
}

/* ---- the end ---- */

static _Noreturn void finish(struct monitor *m)
{
	int code = status_code(m->init_status);
	char num[16];
	ctr_log_close(&m->log);
	ctr_net_stop(m->s, m->rec); /* the init is gone: its helper or veth too */
	m->out_r = safe_close(m->out_r);
	m->err_r = safe_close(m->err_r);
	m->lockfd = ctr_lock(m->s, m->id);
	struct ctr_record *cur = NULL;
	bool rm = false;
	if (m->lockfd >= 0 && ctr_record_load(m->s, m->id, &cur) == 0) {
		/* Only if it is still ours (a `start` after an `rm -f` + re-create has its own),
		 * and not when it is about to be removed anyway (--rm). */
		if (cur->monitor_pid == getpid() && !cur->auto_remove) {
			cur->state = CTR_EXITED;
			cur->exit_code = code;
			free(cur->net_state);
			cur->net_state = NULL;
			cur->finished_at = ctr_now_ns();
			cur->pid = m->init_pid;
			if (m->rec && !cur->started_at)
				cur->started_at = m->rec->started_at;
			ctr_record_save(m->s, cur);
		}
		rm = cur->auto_remove;
		ctr_record_free(cur);
	}
	snprintf(num, sizeof(num), "%d", code);
	teardown(m, rm, num);
	_exit(0);
}

static _Noreturn void monitor_main(struct monitor *m)
{
	int r;
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	m->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	/* The init is the runtime's grandchild: as subreaper we get it back to wait for. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	log_set_capture(true);

	/* rootful: the host's mount namespace, where `rm -f` can unmount; rootless: the storage
	 * user namespace (a new one, or the one of the container whose namespaces this one
	 * joins: spec-userns.h) with a mount namespace of our own. */
	if (ctr_monitor_enter_namespaces(m->store_root, m->id) < 0)
		fail(m, "%s", log_captured()[0] ? log_captured() : "cannot create the storage user namespace");
	r = store_open(m->store_root, &m->s);
	if (r < 0)
		fail(m, "%s", log_captured()[0] ? log_captured() : "cannot open the store");
	m->lockfd = ctr_lock(m->s, m->id);
	if (m->lockfd < 0)
		fail(m, "%s", log_captured());
	r = ctr_record_load(m->s, m->id, &m->rec);
	if (r < 0)
		fail(m, "no container with ID %s found: no such container", m->id);
	enum ctr_status st = ctr_status(m->rec);
	if (st == CTR_STATUS_RUNNING || st == CTR_STATUS_STARTING) {
		/* Not fail(): the record belongs to the running instance. */
		const char *msg = "the container is already running";
		broadcast(m, CTR_MSG_ERROR, msg, strlen(msg), false);
		_exit(1);
	}
	if (st == CTR_STATUS_REMOVING)
		fail(m, "the container is being removed");
	bool stale = m->rec->state == CTR_STARTING || m->rec->state == CTR_RUNNING;
	uint64_t self_start = 0;
	ctr_proc_start_time(getpid(), &self_start);
	m->rec->state = CTR_STARTING;
	m->rec->monitor_pid = getpid();
	m->rec->monitor_start = self_start;
	free(m->rec->boot_id);
	m->rec->boot_id = strdup(ctr_boot_id());
	free(m->rec->error);
	m->rec->error = NULL;
	m->rec->pid = 0;
	if (ctr_record_save(m->s, m->rec) < 0)
		fail(m, "%s", log_captured());
	m->rt.path = m->rec->runtime;
	m->rt.root = m->rec->runtime_root;
	m->rt.rootless = m->rec->rootless;
	m->userdata = ctr_path(m->s, m->id, "userdata");
	if (!m->userdata || asprintf(&m->config, "%s/config.json", m->userdata) < 0 ||
	    asprintf(&m->logpath, "%s/ctr.log", m->userdata) < 0 ||
	    asprintf(&m->pidfile, "%s/pidfile", m->userdata) < 0 ||
	    asprintf(&m->rtlog, "%s/runtime.log", m->userdata) < 0)
		fail(m, "out of memory");
	if (m->rt.root && fs_mkdir_p(m->rt.root, 0700) < 0)
		fail(m, "cannot create the runtime state directory %s", m->rt.root);

	/* A runtime container left behind by a monitor that was killed mid-start (any other
	 * way out of "starting"/"running" went through a delete already). */
	if (!stale && m->rt.root) {
		/* Or one killed between recording the exit and deleting (runc, crun and
		 * kakuri-runtime all keep ROOT/ID). */
		cleanup_free char *d = NULL;
		stale = asprintf(&d, "%s/%s", m->rt.root, m->id) >= 0 && access(d, F_OK) == 0;
	}
	if (stale)
		ctr_rt_delete(&m->rt, m->id);
	cleanup_free char *merged = NULL;
	r = image_rootfs_mount(m->s, m->id, &merged);
	if (r < 0)
		fail(m, "%s", log_captured()[0] ? log_captured() : "cannot mount the container's root filesystem");
	m->mounted = true;
	{
		cleanup_close int rootfd = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
		cleanup_free char *err = NULL;
		if (rootfd < 0)
			fail(m, "cannot open %s: %s", merged, strerror(errno));
		r = ctr_spec_finalize(m->config, rootfd, m->rec, m->rows, m->cols, &err);
		if (r < 0)
			fail(m, "%s", err ? err : log_captured()[0] ? log_captured() : "cannot finish config.json");
		if (ctr_net_prepare(m->s, m->rec, m->config) < 0)
			fail(m, "%s", log_captured()[0] ? log_captured() : "cannot prepare the container's network");
	}
	r = ctr_log_open(&m->log, m->logpath, m->rec->log_size_max);
	if (r < 0)
		fail(m, "cannot open the log %s: %s", m->logpath, strerror(-r));
	m->listen_fd = listen_at(m->userdata, "attach");
	if (m->listen_fd < 0)
		fail(m, "cannot create the attach socket in %s: %s", m->userdata, strerror(-m->listen_fd));

	start_container(m);

	uint64_t start = 0;
	if (!m->init_done)
		ctr_proc_start_time(m->init_pid, &start);
	m->rec->state = CTR_RUNNING;
	m->rec->pid = m->init_pid;
	m->rec->pid_start = start;
	m->rec->started_at = ctr_now_ns();
	/* A container already gone (`true`) needs no "running" record: "exited" follows at once,
	 * and a pid without a start time could pass for a reused one. */
	if (!m->init_done && ctr_record_save(m->s, m->rec) < 0)
		fail(m, "%s", log_captured());
	m->lockfd = safe_close(m->lockfd);
	char num[16];
	snprintf(num, sizeof(num), "%d", (int)m->init_pid);
	broadcast(m, CTR_MSG_STARTED, num, strlen(num), false);
	drop_closed_clients(m);

	relay(m);
	finish(m);
}

int ctr_monitor_spawn(const char *store_root, const char *id, const struct ctr_start_opts *o, int *ret_client)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return log_error_errno(-errno, "socketpair failed: %m");
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(sv[0]);
		close(sv[1]);
		return log_error_errno(r, "fork failed: %m");
	}
	if (pid == 0) {
		/* Detach from the CLI's session and terminal, then fork again so that the
		 * monitor is nobody's child but init's (or a subreaper's). */
		setsid();
		pid_t p2 = fork();
		if (p2 != 0)
			_exit(p2 < 0 ? 1 : 0);
		/* Its name in ps/top (argv stays the CLI's: we never exec). */
		prctl(PR_SET_NAME, "kakuri-monitor", 0, 0, 0);
		struct monitor m = {
		    .lockfd = -1,
		    .sigfd = -1,
		    .listen_fd = -1,
		    .console_fd = -1,
		    .out_r = -1,
		    .err_r = -1,
		    .in_w = -1,
		    .master = -1,
		    .log = {.fd = -1},
		};
		if (o) {
			m.rows = o->rows;
			m.cols = o->cols;
		}
		m.store_root = strdup(store_root);
		m.id = strdup(id);
		/* Only the client socket survives; stdio is /dev/null from now on. */
		int c = fcntl(sv[1], F_DUPFD_CLOEXEC, 3);
		int devnull = open("/dev/null", O_RDWR);
		if (c < 0 || devnull < 0 || !m.store_root || !m.id)
			_exit(1);
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		if (c != 3) {
			dup2(c, 3);
			fcntl(3, F_SETFD, FD_CLOEXEC);
		}
		close_range(4, ~0U, 0);
		if (chdir("/") < 0)
			_exit(1);
		umask(022);
		add_client(&m, 3, true);
		monitor_main(&m);
	}
	close(sv[1]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	*ret_client = sv[0];
	return 0;
}
