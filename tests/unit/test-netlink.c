/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/netlink: message layout (no root), and, as root, the real thing in private network
 * namespaces made by the test (a bridge, a veth pair with one end moved into another
 * namespace by fd, addresses, the default route, the kernel's extended ack). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/netlink.h"
#include "tap.h"

TEST(nested_attributes_have_the_right_lengths)
{
	struct nl_msg m;
	struct ifinfomsg *ifi = nl_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE, sizeof(*ifi));
	ifi->ifi_index = 7;
	size_t base = nl_msg_len(&m);
	CHECK(base == NLMSG_LENGTH(sizeof(*ifi)));
	nl_put_str(&m, IFLA_IFNAME, "abc"); /* 4 + 4 bytes */
	CHECK(nl_msg_len(&m) == base + 8);
	nl_nest_start(&m, IFLA_LINKINFO);
	nl_put_str(&m, IFLA_INFO_KIND, "veth"); /* 4 + 5 → 12 */
	nl_nest_start(&m, IFLA_INFO_DATA);
	nl_nest_start(&m, VETH_INFO_PEER);
	CHECK(nl_nest_reserve(&m, sizeof(struct ifinfomsg)) != NULL); /* 16 */
	nl_nest_end(&m);
	nl_nest_end(&m);
	nl_nest_end(&m);
	const uint8_t *p = m.buf + base + 8;
	const struct rtattr *li = (const struct rtattr *)p;
	CHECK(li->rta_type == (IFLA_LINKINFO | NLA_F_NESTED));
	CHECK(li->rta_len == 4 + 12 + 4 + 4 + 16);
	const struct rtattr *kind = (const struct rtattr *)(p + 4);
	CHECK(kind->rta_len == 9 && STREQ((const char *)RTA_DATA(kind), "veth"));
	const struct rtattr *data = (const struct rtattr *)(p + 16);
	CHECK(data->rta_len == 4 + 4 + 16);
	CHECK(nl_msg_len(&m) == base + 8 + li->rta_len);
	const struct nlmsghdr *h = (const struct nlmsghdr *)m.buf;
	CHECK(h->nlmsg_flags == (NLM_F_REQUEST | NLM_F_CREATE));
}

TEST(overflow_is_detected_not_written_past)
{
	struct nl_msg m;
	char big[1000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	nl_msg_init(&m, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	for (int i = 0; i < 6; i++)
		nl_put_str(&m, IFLA_IFALIAS, big);
	CHECK(m.overflow);
	CHECK(nl_msg_len(&m) <= sizeof(m.buf));
	CHECK(nl_transact(-1, &m, NULL) == -EMSGSIZE);
}

TEST(mac_addresses_parse_and_format)
{
	uint8_t mac[6];
	char s[18];
	CHECK(nl_mac_parse("02:42:ac:11:00:0A", mac) == 0);
	CHECK(mac[0] == 2 && mac[5] == 10);
	nl_mac_format(mac, s);
	CHECK_STREQ(s, "02:42:ac:11:00:0a");
	CHECK(nl_mac_parse("02:42:ac:11:00", mac) == -EINVAL);
	CHECK(nl_mac_parse("02:42:ac:11:00:0g", mac) == -EINVAL);
	CHECK(nl_mac_parse("02-42-ac-11-00-0a", mac) == -EINVAL);
	CHECK(nl_mac_parse(" 2:42:ac:11:00:0a", mac) == -EINVAL);
}

#define FAIL_UNLESS(c)                                                                                                 \
	do {                                                                                                           \
		if (!(c)) {                                                                                            \
			printf("#   %s:%d: %s failed (errno-ish r=%d)\n", __FILE__, __LINE__, #c, r);                  \
			return 1;                                                                                      \
		}                                                                                                      \
	} while (0)

/* In a child: ns1 (the "container") and ns2 (the "host"), both private to this test. */
static int real_links(void)
{
	int r = 0;
	struct nl_err e;
	FAIL_UNLESS(unshare(CLONE_NEWNET) == 0);
	cleanup_close int ns1 = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	FAIL_UNLESS(ns1 >= 0);
	FAIL_UNLESS(unshare(CLONE_NEWNET) == 0);
	cleanup_close int nl = -EBADF, cnl = -EBADF;
	FAIL_UNLESS((r = nl_open(&nl)) == 0);
	FAIL_UNLESS((r = nl_link_add_bridge(nl, "kktest0", &e)) == 0);
	FAIL_UNLESS((r = nl_link_add_bridge(nl, "kktest0", &e)) == -EEXIST);
	int br = nl_link_index(nl, "kktest0");
	FAIL_UNLESS(br > 0);
	uint32_t gw = htonl(0x0a630001), ip = htonl(0x0a630002);
	FAIL_UNLESS(nl_addr_has4(nl, br, &gw, 24) == 0);
	FAIL_UNLESS((r = nl_addr_add(nl, br, AF_INET, &gw, 24, &e)) == 0);
	FAIL_UNLESS(nl_addr_has4(nl, br, &gw, 24) == 1);
	FAIL_UNLESS((r = nl_link_set_up(nl, br, &e)) == 0);
	uint8_t mac[6] = {2, 0, 0, 0, 0, 9};
	FAIL_UNLESS((r = nl_link_add_veth(nl, "kkvethtest", br, "eth0", ns1, mac, &e)) == 0);
	FAIL_UNLESS(nl_link_index(nl, "eth0") == -ENODEV); /* it went to ns1 */
	FAIL_UNLESS(nl_link_index(nl, "kkvethtest") > 0);

	FAIL_UNLESS((r = nl_open_in_netns(ns1, &cnl)) == 0);
	int eth0 = nl_link_index(cnl, "eth0");
	FAIL_UNLESS(eth0 > 0);
	FAIL_UNLESS((r = nl_addr_add(cnl, eth0, AF_INET, &ip, 24, &e)) == 0);
	FAIL_UNLESS((r = nl_link_set_up(cnl, eth0, &e)) == 0);
	FAIL_UNLESS((r = nl_route_add_default(cnl, AF_INET, &gw, eth0, &e)) == 0);
	FAIL_UNLESS((r = nl_route_add_default(cnl, AF_INET, &gw, eth0, &e)) == -EEXIST);
	FAIL_UNLESS(nl_addr_has4(cnl, eth0, &ip, 24) == 1);

	/* The kernel's reason comes back through the extended ack. */
	struct nl_msg m;
	nl_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct ifinfomsg));
	nl_put_str(&m, IFLA_IFNAME, "kkbad");
	nl_nest_start(&m, IFLA_LINKINFO);
	nl_put_str(&m, IFLA_INFO_KIND, "no-such-kind");
	nl_nest_end(&m);
	r = nl_transact(nl, &m, &e);
	FAIL_UNLESS(r == -EOPNOTSUPP);
	printf("#   extack for an unknown kind: '%s'\n", e.msg);
	FAIL_UNLESS(strstr(e.msg, "Unknown device type") != NULL);

	/* nftables tables, in this private namespace only. */
	FAIL_UNLESS(nl_nft_table_exists(NFPROTO_INET, "kktest") == 0);
	if (system("nft add table inet kktest") == 0) {
		FAIL_UNLESS(nl_nft_table_exists(NFPROTO_INET, "kktest") == 1);
		FAIL_UNLESS(nl_nft_table_exists(NFPROTO_IPV4, "kktest") == 0);
	} else {
		printf("#   nft not usable here: table check only tested for absence\n");
	}

	/* Deleting the host end removes both ends. */
	FAIL_UNLESS((r = nl_link_del(nl, "kkvethtest", &e)) == 0);
	FAIL_UNLESS((r = nl_link_del(nl, "kkvethtest", &e)) == -ENODEV);
	FAIL_UNLESS(nl_link_index(cnl, "eth0") == -ENODEV);
	FAIL_UNLESS((r = nl_link_del(nl, "kktest0", &e)) == 0);
	return 0;
}

TEST(bridge_veth_into_another_namespace_addresses_route_extack)
{
	if (geteuid() != 0) {
		printf("# skip: needs root to make network namespaces\n");
		return;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int r = real_links();
		fflush(stdout);
		_exit(r);
	}
	int st = 0;
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

TEST(open_in_netns_with_a_bad_fd_fails_cleanly)
{
	int fd = -EBADF;
	CHECK(nl_open_in_netns(-1, &fd) < 0);
	CHECK(fd == -EBADF);
	cleanup_close int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK(nl_open_in_netns(devnull, &fd) == -EINVAL);
}

TAP_MAIN
