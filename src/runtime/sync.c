/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sync.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"

int sync_pair(int fds[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return -errno;
	int one = 1;
	if (setsockopt(fds[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		return -errno;
	return 0;
}

int sync_send(int fd, int type, int value, const char *text)
{
	struct sync_msg m = { .type = type, .value = value };
	size_t len = offsetof(struct sync_msg, text);
	if (text) {
		snprintf(m.text, sizeof(m.text), "%s", text);
		len += strlen(m.text) + 1;
	}
	for (;;) {
		ssize_t w = send(fd, &m, len, MSG_NOSIGNAL);
		if (w >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

int sync_send_pid(int fd, int type)
{
	struct sync_msg m = { .type = type, .value = 0 };
	struct ucred cred = { .pid = getpid(), .uid = geteuid(), .gid = getegid() };
	char cbuf[CMSG_SPACE(sizeof(cred))] = { 0 };
	struct iovec iov = { .iov_base = &m, .iov_len = offsetof(struct sync_msg, text) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(cred));
	memcpy(CMSG_DATA(c), &cred, sizeof(cred));
	for (;;) {
		if (sendmsg(fd, &mh, MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

int sync_recv(int fd, struct sync_msg *ret, pid_t *ret_pid)
{
	char cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { .iov_base = ret, .iov_len = sizeof(*ret) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	ssize_t n;

	memset(ret, 0, offsetof(struct sync_msg, text) + 1);
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	if ((size_t)n < offsetof(struct sync_msg, text))
		return -EBADMSG;
	if ((size_t)n < sizeof(*ret))
		((char *)ret)[n] = 0;
	ret->text[sizeof(ret->text) - 1] = 0;
	if (ret_pid) {
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
				struct ucred cred;
				memcpy(&cred, CMSG_DATA(c), sizeof(cred));
				*ret_pid = cred.pid;
			}
	}
	return 0;
}

int sync_expect(int fd, int want, struct sync_msg *ret, pid_t *ret_pid)
{
	int r = sync_recv(fd, ret, ret_pid);
	if (r < 0)
		return r;
	if (ret->type == SYNC_ERROR)
		return ret->value < 0 ? ret->value : -EIO;
	if (ret->type != want)
		return -EBADMSG;
	return 0;
}

void sync_fail(int fd, int r)
{
	const char *msg = log_captured();
	char buf[256];
	if (!msg || !*msg) {
		snprintf(buf, sizeof(buf), "container setup failed: %s", strerror(r < 0 ? -r : EIO));
		msg = buf;
	}
	sync_send(fd, SYNC_ERROR, r < 0 ? r : -EIO, msg);
	_exit(1);
}
