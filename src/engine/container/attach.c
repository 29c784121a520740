/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

int ctr_msg_send(int fd, char type, const void *data, size_t len)
{
	char buf[CTR_MSG_MAX];
	if (len > CTR_MSG_MAX - 1)
		return -EMSGSIZE;
	buf[0] = type;
	if (len)
		memcpy(buf + 1, data, len);
	for (;;) {
		ssize_t k = send(fd, buf, len + 1, MSG_NOSIGNAL);
		if (k >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			poll(&p, 1, 1000);
			continue;
		}
		return -errno;
	}
}

int ctr_attach_connect(const char *userdata, bool send_stdin)
{
	cleanup_close int dfd = open(userdata, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "/proc/self/fd/%d/attach", dfd);
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int r = -errno;
		close(s);
		return r;
	}
	int r = ctr_msg_send(s, CTR_MSG_HELLO, send_stdin ? "io" : "o", send_stdin ? 2 : 1);
	if (r < 0) {
		close(s);
		return r;
	}
	return s;
}

/* ---- terminal ---- */

int ctr_tty_raw(int fd, void **ret_saved)
{
	struct termios *t = malloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (tcgetattr(fd, t) < 0) {
		free(t);
		return -errno;
	}
	struct termios raw = *t;
	/* Output processing off too: the container's own pty already turns \n into \r\n. */
	cfmakeraw(&raw);
	if (tcsetattr(fd, TCSANOW, &raw) < 0) {
		free(t);
		return -errno;
	}
	*ret_saved = t;
	return 0;
}

void ctr_tty_restore(int fd, void *saved)
{
	if (saved)
		tcsetattr(fd, TCSANOW, (struct termios *)saved);
	free(saved);
}

bool ctr_tty_size(unsigned short *ret_rows, unsigned short *ret_cols)
{
	struct winsize w;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &w) < 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) < 0)
		return false;
	*ret_rows = w.ws_row;
	*ret_cols = w.ws_col;
	return true;
}

static void winsize_msg(int sock)
{
	struct winsize w;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &w) < 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) < 0)
		return;
	char b[32];
	int n = snprintf(b, sizeof(b), "%u %u", w.ws_row, w.ws_col);
	ctr_msg_send(sock, CTR_MSG_RESIZE, b, (size_t)n);
}

/* Finds the detach sequence in buf (state carried over between reads in *matched). Returns
 * the number of bytes before the sequence when it completed in buf, or -1. */
static ssize_t detach_seen(const char *keys, size_t *matched, const char *buf, size_t n)
{
	size_t kl = keys ? strlen(keys) : 0;
	if (kl == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == keys[*matched]) {
			if (++*matched == kl)
				return i + 1 >= kl ? (ssize_t)(i + 1 - kl) : 0;
		} else {
			*matched = buf[i] == keys[0] ? 1 : 0;
		}
	}
	return -1;
}

int ctr_attach_relay(int sock, const struct ctr_relay_opts *o, pid_t *ret_pid)
{
	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	if (o->sig_proxy && !o->tty) {
		sigaddset(&mask, SIGINT);
		sigaddset(&mask, SIGTERM);
		sigaddset(&mask, SIGHUP);
		sigaddset(&mask, SIGQUIT);
		sigaddset(&mask, SIGUSR1);
		sigaddset(&mask, SIGUSR2);
	}
	sigprocmask(SIG_BLOCK, &mask, &old);
	cleanup_close int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	void *saved = NULL;
	bool stdin_open = o->send_stdin, raw = false;
	size_t matched = 0;
	int result = -EPIPE;
	char *buf = malloc(CTR_MSG_MAX);
	if (!buf)
		return -ENOMEM;
	if (o->tty && isatty(STDIN_FILENO) && !o->until_started) {
		raw = ctr_tty_raw(STDIN_FILENO, &saved) == 0;
		winsize_msg(sock);
	}
	for (;;) {
		struct pollfd p[3] = {
		    {.fd = sock, .events = POLLIN},
		    {.fd = sfd, .events = POLLIN},
		    {.fd = stdin_open && !o->until_started ? STDIN_FILENO : -1, .events = POLLIN},
		};
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			result = -errno;
			break;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGWINCH) {
					if (o->tty)
						winsize_msg(sock);
				} else {
					char b[16];
					int n = snprintf(b, sizeof(b), "%u", si.ssi_signo);
					ctr_msg_send(sock, CTR_MSG_SIGNAL, b, (size_t)n);
				}
			}
		}
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(STDIN_FILENO, buf, CTR_MSG_MAX - 1);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				stdin_open = false;
				ctr_msg_send(sock, CTR_MSG_STDIN_EOF, NULL, 0);
			} else {
				ssize_t before = o->tty ? detach_seen(o->detach_keys, &matched, buf, (size_t)n) : -1;
				if (before >= 0) {
					/* What was typed before the keys still goes to the container. */
					if (before > 0)
						ctr_msg_send(sock, CTR_MSG_STDIN, buf, (size_t)before);
					result = -EAGAIN;
					break;
				}
				if (ctr_msg_send(sock, CTR_MSG_STDIN, buf, (size_t)n) < 0)
					stdin_open = false;
			}
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = recv(sock, buf, CTR_MSG_MAX, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				result = -EPIPE;
				break;
			}
			char type = buf[0];
			const char *d = buf + 1;
			size_t len = (size_t)n - 1;
			if (type == CTR_MSG_STDOUT) {
				fs_write_all(STDOUT_FILENO, d, len);
			} else if (type == CTR_MSG_STDERR) {
				fs_write_all(STDERR_FILENO, d, len);
			} else if (type == CTR_MSG_STARTED) {
				char num[32];
				snprintf(num, sizeof(num), "%.*s", (int)(len < 31 ? len : 31), d);
				if (ret_pid)
					*ret_pid = (pid_t)strtol(num, NULL, 10);
				if (o->until_started) {
					result = 0;
					break;
				}
			} else if (type == CTR_MSG_ERROR) {
				if (raw) {
					ctr_tty_restore(STDIN_FILENO, saved);
					raw = false;
					saved = NULL;
				}
				log_error("%.*s", (int)len, d);
				result = -EIO;
				break;
			} else if (type == CTR_MSG_EXIT) {
				char num[32];
				snprintf(num, sizeof(num), "%.*s", (int)(len < 31 ? len : 31), d);
				result = (int)strtol(num, NULL, 10);
				if (result < 0)
					result = 255;
				break;
			}
		}
	}
	if (raw)
		ctr_tty_restore(STDIN_FILENO, saved);
	else
		free(saved);
	free(buf);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return result;
}

int ctr_pty_relay(int master, int stop_fd)
{
	char buf[16384];
	bool in_open = true;
	for (;;) {
		struct pollfd p[3] = {
		    {.fd = master, .events = POLLIN},
		    {.fd = in_open ? STDIN_FILENO : -1, .events = POLLIN},
		    {.fd = stop_fd, .events = POLLIN},
		};
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(master, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return 0; /* EIO: every slave is closed */
			fs_write_all(STDOUT_FILENO, buf, (size_t)n);
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0)
				in_open = false;
			else
				fs_write_all(master, buf, (size_t)n);
		}
		if (p[2].revents)
			return 0;
	}
}
