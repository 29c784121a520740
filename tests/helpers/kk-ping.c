/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kk-ping ADDR: one ICMP echo over an unprivileged ICMP datagram socket (socket(AF_INET,
 * SOCK_DGRAM, IPPROTO_ICMP)), which the kernel allows to the groups in the network
 * namespace's net.ipv4.ping_group_range: no CAP_NET_RAW involved (busybox's ping only tries a
 * raw socket). Prints "ok" and exits 0 on a reply within 2 s, else "errno=NAME"/"timeout"
 * and exits 1. Static, for use inside containers. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in to = {.sin_family = AF_INET};
	if (argc != 2 || inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
		fprintf(stderr, "usage: kk-ping IPV4ADDR\n");
		return 2;
	}
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (s < 0) {
		printf("errno=%s\n", errno == EACCES ? "EACCES" : errno == EPERM ? "EPERM" : strerror(errno));
		return 1;
	}
	struct icmphdr h = {.type = ICMP_ECHO};
	h.un.echo.sequence = htons(1);
	if (sendto(s, &h, sizeof(h), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		printf("errno=%s\n", strerror(errno));
		return 1;
	}
	struct pollfd p = {.fd = s, .events = POLLIN};
	char buf[256];
	if (poll(&p, 1, 2000) <= 0) {
		printf("timeout\n");
		return 1;
	}
	ssize_t n = recv(s, buf, sizeof(buf), 0);
	if (n < (ssize_t)sizeof(h) || ((struct icmphdr *)buf)->type != ICMP_ECHOREPLY) {
		printf("bad reply\n");
		return 1;
	}
	printf("ok\n");
	return 0;
}
