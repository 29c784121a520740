/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kk-seccomp-agent SOCKET ERRNO [STATE_FILE]: a minimal seccomp notify agent for the
 * integration tests of linux.seccomp.listenerPath (runtime-spec config-linux.md, "seccomp
 * listener").
 *
 * Listens on the unix socket SOCKET, accepts one connection from the runtime, receives the
 * listener fd (SCM_RIGHTS) with the container process state JSON (written to STATE_FILE when
 * given), then answers one notification with errno ERRNO and exits 0. It prints
 * "notified: syscall NR pid PID" for the answered call. Exit status 1 on any error; 3 when no
 * notification arrives within 20 s. Static: it runs on the host, as root or as the rootless
 * test user. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "kk-seccomp-agent: %s: %s\n", what, strerror(errno));
	return 1;
}

/* Reads the state message and the fd that came with it. The state may span several reads
 * (stream socket); the runtime closes its end after sending, so read to EOF. */
static int receive(int conn, int *ret_fd, char *buf, size_t size)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = buf, .iov_len = size - 1};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.b, .msg_controllen = sizeof(control.b)};
	size_t len = 0;
	ssize_t n;

	*ret_fd = -1;
	n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -1;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(ret_fd, CMSG_DATA(cm), sizeof(int));
	len = (size_t)n;
	while (len < size - 1) {
		struct pollfd p = {.fd = conn, .events = POLLIN};
		/* The message is complete once the JSON object closes; do not wait for EOF
		 * forever if the runtime keeps the socket open. */
		if (len > 0 && buf[len - 1] == '}' && poll(&p, 1, 200) == 0)
			break;
		n = read(conn, buf + len, size - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	return *ret_fd >= 0 ? 0 : (errno = EBADMSG, -1);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	static char state[65536];
	int lsock, conn, fd, err;

	if (argc < 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: kk-seccomp-agent SOCKET ERRNO [STATE_FILE]\n");
		return 2;
	}
	err = atoi(argv[2]);
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lsock < 0 || bind(lsock, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lsock, 1) < 0)
		return die("listen");
	conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return die("accept");
	if (receive(conn, &fd, state, sizeof(state)) < 0)
		return die("receiving the listener fd");
	close(conn);
	close(lsock);
	unlink(argv[1]);
	if (argc > 3) {
		FILE *f = fopen(argv[3], "we");
		if (!f || fputs(state, f) < 0 || fclose(f) != 0)
			return die(argv[3]);
	}

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return die("SECCOMP_GET_NOTIF_SIZES");
	req = calloc(1, sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif : sizeof(*req));
	resp = calloc(1, sizes.seccomp_notif_resp > sizeof(*resp) ? sizes.seccomp_notif_resp : sizeof(*resp));
	if (!req || !resp)
		return die("calloc");

	struct pollfd p = {.fd = fd, .events = POLLIN};
	int pr = poll(&p, 1, 20000);
	if (pr == 0) {
		fprintf(stderr, "kk-seccomp-agent: no notification within 20 s\n");
		return 3;
	}
	if (pr < 0 || !(p.revents & POLLIN))
		return die("waiting for a notification");
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
		return die("SECCOMP_IOCTL_NOTIF_RECV");
	resp->id = req->id;
	resp->error = -err;
	resp->val = 0;
	resp->flags = 0;
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0)
		return die("SECCOMP_IOCTL_NOTIF_SEND");
	printf("notified: syscall %d pid %u\n", req->data.nr, req->pid);
	fflush(stdout);
	return 0;
}
