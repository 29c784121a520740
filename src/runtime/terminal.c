/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "terminal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "runtime/mount.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int terminal_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return log_error_errno(-ENAMETOOLONG, "--console-socket '%s': path too long", path);
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return log_error_errno(-errno, "Failed to create socket: %m");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;
		close(fd);
		return log_error_errno(r, "--console-socket '%s': connect failed: %m", path);
	}
	return fd;
}

int terminal_send_fd(int sock, int fd, const char *name)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int terminal_recv_fd(int sock, int *ret_fd)
{
	char buf[256], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
			return 0;
		}
	return -EBADMSG;
}

int terminal_setup(int console_sock, const struct oci_console_size *size, bool mount_console)
{
	cleanup_close int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	cleanup_close int slave = -EBADF;
	int unlock = 0;

	if (master < 0)
		return log_error_errno(-errno, "process.terminal: cannot open /dev/ptmx in the container: %m");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return log_error_errno(-errno, "process.terminal: unlockpt failed: %m");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return log_error_errno(-errno, "process.terminal: cannot open the pty peer: %m");
	if (size && size->height && size->width) {
		struct winsize ws = { .ws_row = (unsigned short)size->height, .ws_col = (unsigned short)size->width };
		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			return log_error_errno(-errno, "process.consoleSize: TIOCSWINSZ failed: %m");
	}
	if (mount_console) {
		/* /dev/console was created as an empty file by rootfs_prepare(); bind the pty
		 * over it fd to fd (open_tree + move_mount) so no image path is followed, not
		 * even /proc/self/fd/N, which after pivot_root goes through the container's
		 * /proc (CVE-2025-52881). */
		cleanup_close int target = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (target >= 0) {
			int r = mount_bind_fd_detached(slave, target, false, 0);
			if (r < 0)
				return log_error_errno(r, "process.terminal: bind-mount of the pty on /dev/console failed: %m");
		}
	}
	int r = terminal_send_fd(console_sock, master, "console");
	if (r < 0)
		return log_error_errno(r, "--console-socket: sending the pty master failed: %m");
	if (setsid() < 0 && errno != EPERM)
		return log_error_errno(-errno, "setsid failed: %m");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return log_error_errno(-errno, "process.terminal: TIOCSCTTY failed: %m");
	for (int i = 0; i < 3; i++)
		if (dup2(slave, i) < 0)
			return log_error_errno(-errno, "dup2 of the pty failed: %m");
	return 0;
}

static void copy_winsize(int from, int to)
{
	struct winsize ws;
	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

static volatile sig_atomic_t winch_pending;
static void on_winch(int sig)
{
	winch_pending = 1;
}

/* Copy what is readable from in to out; returns false on EOF/error. */
static bool pump(int in, int out)
{
	char buf[8192];
	ssize_t n = read(in, buf, sizeof(buf));
	if (n <= 0)
		return n < 0 && (errno == EINTR || errno == EAGAIN);
	return fs_write_all(out, buf, (size_t)n) >= 0;
}

int terminal_proxy(int master, int pidfd)
{
	struct termios saved, raw;
	bool is_tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	struct sigaction sa = { .sa_handler = on_winch };
	bool in_open = true;

	if (is_tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		copy_winsize(STDIN_FILENO, master);
		sigaction(SIGWINCH, &sa, NULL);
	}
	for (;;) {
		struct pollfd p[3] = { { .fd = master, .events = POLLIN },
				       { .fd = pidfd, .events = POLLIN },
				       { .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN } };
		if (winch_pending) {
			winch_pending = 0;
			copy_winsize(STDIN_FILENO, master);
		}
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents & POLLIN) {
			if (!pump(master, STDOUT_FILENO))
				break;
		} else if (p[0].revents & (POLLHUP | POLLERR)) {
			break;
		}
		if (p[2].revents & (POLLIN | POLLHUP))
			in_open = pump(STDIN_FILENO, master);
		if (p[1].revents & POLLIN) {
			/* Drain what the process left in the pty, without blocking. */
			int fl = fcntl(master, F_GETFL);
			fcntl(master, F_SETFL, fl | O_NONBLOCK);
			while (pump(master, STDOUT_FILENO))
				;
			break;
		}
	}
	if (is_tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return 0;
}
