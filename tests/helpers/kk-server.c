/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A minimal server for the seccomp recording tests (static, runs in any rootfs).
 *   kk-server PATH          listens on the unix socket PATH, serves one request (reads a
 *                           line, answers "hello, LINE"), removes PATH and exits 0.
 *   kk-server --client PATH MSG   connects, sends MSG, prints the answer. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int addr_of(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		fprintf(stderr, "kk-server: %s: path too long\n", path);
		return -1;
	}
	strcpy(sa->sun_path, path);
	return 0;
}

static int client(const char *path, const char *msg)
{
	struct sockaddr_un sa;
	char buf[256];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || addr_of(path, &sa) < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("kk-server --client");
		return 1;
	}
	char line[200];
	int len = snprintf(line, sizeof(line), "%s\n", msg);
	/* One write: the server reads once and closes, and a unix socket closed with unread
	 * data resets its peer. */
	if (len < 0 || (size_t)len >= sizeof(line) || write(fd, line, (size_t)len) != len) {
		perror("kk-server --client: write");
		return 1;
	}
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0) {
		fprintf(stderr, "kk-server --client: no answer\n");
		return 1;
	}
	buf[n] = 0;
	fputs(buf, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--client"))
		return client(argv[2], argv[3]);
	if (argc != 2) {
		fprintf(stderr, "usage: kk-server PATH | kk-server --client PATH MSG\n");
		return 2;
	}
	struct sockaddr_un sa;
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || addr_of(argv[1], &sa) < 0) {
		perror("kk-server: socket");
		return 1;
	}
	unlink(argv[1]);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 1) < 0) {
		perror("kk-server: bind/listen");
		return 1;
	}
	int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0) {
		perror("kk-server: accept");
		return 1;
	}
	char req[200], resp[256];
	ssize_t n = read(c, req, sizeof(req) - 1);
	if (n <= 0) {
		fprintf(stderr, "kk-server: empty request\n");
		return 1;
	}
	req[n] = 0;
	req[strcspn(req, "\n")] = 0;
	int len = snprintf(resp, sizeof(resp), "hello, %s\n", req);
	if (write(c, resp, (size_t)len) != len) {
		perror("kk-server: write");
		return 1;
	}
	close(c);
	close(s);
	unlink(argv[1]);
	printf("served\n");
	return 0;
}
