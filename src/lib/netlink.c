/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lib/netlink.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

static struct nlmsghdr *hdr(struct nl_msg *m)
{
	return (struct nlmsghdr *)m->buf;
}

void *nl_msg_init(struct nl_msg *m, uint16_t type, uint16_t flags, size_t hdrlen)
{
	memset(m->buf, 0, NLMSG_SPACE(hdrlen));
	m->depth = 0;
	m->overflow = false;
	struct nlmsghdr *h = hdr(m);
	h->nlmsg_len = NLMSG_LENGTH(hdrlen);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	return NLMSG_DATA(h);
}

size_t nl_msg_len(const struct nl_msg *m)
{
	return ((const struct nlmsghdr *)m->buf)->nlmsg_len;
}

/* Appends len zeroed bytes (aligned) and returns them, or NULL when the buffer is full. */
static void *grow(struct nl_msg *m, size_t len)
{
	struct nlmsghdr *h = hdr(m);
	size_t off = NLMSG_ALIGN(h->nlmsg_len);
	if (m->overflow || off + RTA_ALIGN(len) > sizeof(m->buf)) {
		m->overflow = true;
		return NULL;
	}
	memset(m->buf + off, 0, RTA_ALIGN(len));
	h->nlmsg_len = off + RTA_ALIGN(len);
	return m->buf + off;
}

void nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len)
{
	struct rtattr *a = grow(m, RTA_LENGTH(len));
	if (!a)
		return;
	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
}

void nl_put_str(struct nl_msg *m, uint16_t type, const char *s)
{
	nl_put(m, type, s, strlen(s) + 1);
}

void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	nl_put(m, type, &v, sizeof(v));
}

void nl_put_u8(struct nl_msg *m, uint16_t type, uint8_t v)
{
	nl_put(m, type, &v, sizeof(v));
}

void nl_nest_start(struct nl_msg *m, uint16_t type)
{
	if (m->depth >= ELEMENTSOF(m->nest)) {
		m->overflow = true;
		return;
	}
	size_t off = NLMSG_ALIGN(hdr(m)->nlmsg_len);
	struct rtattr *a = grow(m, RTA_LENGTH(0));
	if (!a)
		return;
	a->rta_type = type | NLA_F_NESTED;
	m->nest[m->depth++] = off;
}

void *nl_nest_reserve(struct nl_msg *m, size_t len)
{
	return grow(m, len);
}

void nl_nest_end(struct nl_msg *m)
{
	if (m->overflow || m->depth == 0)
		return;
	size_t off = m->nest[--m->depth];
	struct rtattr *a = (struct rtattr *)(m->buf + off);
	a->rta_len = hdr(m)->nlmsg_len - off;
}

int nl_open(int *ret_fd)
{
	cleanup_close int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	int one = 1;
	/* Extended acks carry the kernel's reason ("Unknown device type", "Invalid prefix");
	 * capped acks keep them small. Old kernels lack them: not an error. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int nl_open_in_netns(int netns_fd, int *ret_fd)
{
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(sp[0]);
		close(sp[1]);
		return r;
	}
	if (pid == 0) {
		/* Child: only setns, socket and sendmsg; reports -errno as data when it fails. */
		close(sp[0]);
		int fd = -EBADF, r = 0;
		if (setns(netns_fd, CLONE_NEWNET) < 0)
			r = -errno;
		else
			r = nl_open(&fd);
		char cbuf[CMSG_SPACE(sizeof(int))] = {0};
		struct iovec iov = {&r, sizeof(r)};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
		if (r == 0) {
			mh.msg_control = cbuf;
			mh.msg_controllen = sizeof(cbuf);
			struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &fd, sizeof(int));
		}
		_exit(sendmsg(sp[1], &mh, MSG_NOSIGNAL) < 0 ? 1 : 0);
	}
	close(sp[1]);
	int r = 0, fd = -EBADF;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {&r, sizeof(r)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	ssize_t n;
	do
		n = recvmsg(sp[0], &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	int saved = n < 0 ? -errno : 0;
	close(sp[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (saved < 0)
		return saved;
	if (n != sizeof(r))
		return -EIO;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (r < 0) {
		safe_close(fd);
		return r;
	}
	if (fd < 0)
		return -EIO;
	*ret_fd = fd;
	return 0;
}

typedef int (*nl_reply_fn)(const struct nlmsghdr *h, void *userdata);

static void copy_extack(const struct nlmsghdr *h, struct nl_err *err)
{
	if (!err || !(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	while (off + sizeof(struct nlattr) <= h->nlmsg_len) {
		const struct nlattr *a = (const struct nlattr *)((const uint8_t *)h + off);
		if (a->nla_len < sizeof(*a) || off + a->nla_len > h->nlmsg_len)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			size_t len = a->nla_len - sizeof(*a);
			if (len >= sizeof(err->msg))
				len = sizeof(err->msg) - 1;
			memcpy(err->msg, (const uint8_t *)a + sizeof(*a), len);
			err->msg[len] = 0;
			return;
		}
		off += NLA_ALIGN(a->nla_len);
	}
}

/* Sends m and reads replies until its ack, error or NLMSG_DONE; data replies go to fn. */
static int nl_request(int fd, struct nl_msg *m, struct nl_err *err, nl_reply_fn fn, void *userdata)
{
	static uint32_t seq;
	if (err)
		err->msg[0] = 0;
	if (m->overflow || m->depth != 0)
		return -EMSGSIZE;
	struct nlmsghdr *h = hdr(m);
	h->nlmsg_flags |= NLM_F_ACK;
	h->nlmsg_seq = ++seq ? seq : ++seq;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	ssize_t n;
	do
		n = sendto(fd, h, h->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	cleanup_free uint8_t *buf = malloc(32768);
	if (!buf)
		return -ENOMEM;
	int cb_r = 0;
	for (;;) {
		n = recv(fd, buf, 32768, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		size_t left = (size_t)n;
		for (struct nlmsghdr *r = (struct nlmsghdr *)buf; NLMSG_OK(r, left); r = NLMSG_NEXT(r, left)) {
			if (r->nlmsg_seq != h->nlmsg_seq)
				continue;
			if (r->nlmsg_type == NLMSG_DONE)
				return cb_r;
			if (r->nlmsg_type == NLMSG_ERROR) {
				if (r->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
					return -EIO;
				const struct nlmsgerr *e = NLMSG_DATA(r);
				if (e->error == 0)
					return cb_r;
				copy_extack(r, err);
				return e->error;
			}
			if (fn && cb_r == 0)
				cb_r = fn(r, userdata);
		}
	}
}

int nl_transact(int fd, struct nl_msg *m, struct nl_err *err)
{
	return nl_request(fd, m, err, NULL, NULL);
}

static int link_index_cb(const struct nlmsghdr *h, void *userdata)
{
	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return 0;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	*(int *)userdata = ifi->ifi_index;
	return 0;
}

int nl_link_index(int fd, const char *name)
{
	struct nl_msg m;
	if (strlen(name) >= IFNAMSIZ)
		return -EINVAL;
	nl_msg_init(&m, RTM_GETLINK, 0, sizeof(struct ifinfomsg));
	nl_put_str(&m, IFLA_IFNAME, name);
	nl_put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	int idx = 0;
	int r = nl_request(fd, &m, NULL, link_index_cb, &idx);
	if (r < 0)
		return r;
	return idx > 0 ? idx : -ENODEV;
}

int nl_link_add_bridge(int fd, const char *name, struct nl_err *err)
{
	struct nl_msg m;
	if (strlen(name) >= IFNAMSIZ)
		return -EINVAL;
	nl_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct ifinfomsg));
	nl_put_str(&m, IFLA_IFNAME, name);
	nl_nest_start(&m, IFLA_LINKINFO);
	nl_put_str(&m, IFLA_INFO_KIND, "bridge");
	nl_nest_end(&m);
	return nl_transact(fd, &m, err);
}

int nl_link_add_veth(int fd, const char *host_name, int master_ifindex, const char *peer_name, int peer_netns_fd,
		     const uint8_t *peer_mac, struct nl_err *err)
{
	struct nl_msg m;
	if (strlen(host_name) >= IFNAMSIZ || strlen(peer_name) >= IFNAMSIZ)
		return -EINVAL;
	nl_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct ifinfomsg));
	nl_put_str(&m, IFLA_IFNAME, host_name);
	if (master_ifindex > 0)
		nl_put_u32(&m, IFLA_MASTER, (uint32_t)master_ifindex);
	nl_nest_start(&m, IFLA_LINKINFO);
	nl_put_str(&m, IFLA_INFO_KIND, "veth");
	nl_nest_start(&m, IFLA_INFO_DATA);
	nl_nest_start(&m, VETH_INFO_PEER);
	(void)nl_nest_reserve(&m, sizeof(struct ifinfomsg)); /* zeroed: AF_UNSPEC, no flags */
	nl_put_str(&m, IFLA_IFNAME, peer_name);
	if (peer_netns_fd >= 0)
		nl_put_u32(&m, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	if (peer_mac)
		nl_put(&m, IFLA_ADDRESS, peer_mac, 6);
	nl_nest_end(&m);
	nl_nest_end(&m);
	nl_nest_end(&m);
	return nl_transact(fd, &m, err);
}

int nl_link_set_up(int fd, int ifindex, struct nl_err *err)
{
	struct nl_msg m;
	struct ifinfomsg *ifi = nl_msg_init(&m, RTM_NEWLINK, 0, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nl_transact(fd, &m, err);
}

int nl_link_del(int fd, const char *name, struct nl_err *err)
{
	struct nl_msg m;
	if (strlen(name) >= IFNAMSIZ)
		return -EINVAL;
	nl_msg_init(&m, RTM_DELLINK, 0, sizeof(struct ifinfomsg));
	nl_put_str(&m, IFLA_IFNAME, name);
	return nl_transact(fd, &m, err);
}

int nl_addr_add(int fd, int ifindex, int family, const void *addr, unsigned prefix_len, struct nl_err *err)
{
	struct nl_msg m;
	size_t alen = family == AF_INET ? 4 : 16;
	if ((family != AF_INET && family != AF_INET6) || prefix_len > alen * 8)
		return -EINVAL;
	struct ifaddrmsg *ifa = nl_msg_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)prefix_len;
	ifa->ifa_index = (uint32_t)ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	nl_put(&m, IFA_LOCAL, addr, alen);
	nl_put(&m, IFA_ADDRESS, addr, alen);
	if (family == AF_INET && prefix_len < 31) {
		uint32_t a;
		memcpy(&a, addr, 4);
		uint32_t mask = prefix_len ? htonl(~0u << (32 - prefix_len)) : 0;
		uint32_t brd = a | ~mask;
		nl_put(&m, IFA_BROADCAST, &brd, 4);
	}
	return nl_transact(fd, &m, err);
}

struct addr_match {
	int ifindex;
	unsigned prefix_len;
	uint8_t addr[4];
	bool found;
};

static int addr_cb(const struct nlmsghdr *h, void *userdata)
{
	struct addr_match *am = userdata;
	if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifaddrmsg)))
		return 0;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	if ((int)ifa->ifa_index != am->ifindex || ifa->ifa_family != AF_INET || ifa->ifa_prefixlen != am->prefix_len)
		return 0;
	size_t len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa));
	for (const struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFA_LOCAL && RTA_PAYLOAD(a) == 4 && memcmp(RTA_DATA(a), am->addr, 4) == 0)
			am->found = true;
	return 0;
}

int nl_addr_has4(int fd, int ifindex, const void *addr, unsigned prefix_len)
{
	struct nl_msg m;
	struct ifaddrmsg *ifa = nl_msg_init(&m, RTM_GETADDR, NLM_F_DUMP, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	struct addr_match am = {.ifindex = ifindex, .prefix_len = prefix_len};
	memcpy(am.addr, addr, 4);
	int r = nl_request(fd, &m, NULL, addr_cb, &am);
	if (r < 0)
		return r;
	return am.found;
}

int nl_route_add_default(int fd, int family, const void *gw, int ifindex, struct nl_err *err)
{
	struct nl_msg m;
	if (family != AF_INET && family != AF_INET6)
		return -EINVAL;
	struct rtmsg *rt = nl_msg_init(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(*rt));
	rt->rtm_family = (uint8_t)family;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	nl_put(&m, RTA_GATEWAY, gw, family == AF_INET ? 4 : 16);
	nl_put_u32(&m, RTA_OIF, (uint32_t)ifindex);
	return nl_transact(fd, &m, err);
}

int nl_nft_table_exists(uint8_t family, const char *name)
{
	cleanup_close int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0)
		return -errno;
	int one = 1;
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	struct nl_msg m;
	struct nfgenmsg *g = nl_msg_init(&m, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE, 0, sizeof(*g));
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	nl_put_str(&m, NFTA_TABLE_NAME, name);
	int r = nl_request(fd, &m, NULL, NULL, NULL);
	if (r == -ENOENT)
		return 0;
	return r < 0 ? r : 1;
}

int nl_mac_parse(const char *s, uint8_t ret[6])
{
	unsigned v[6];
	char tail;
	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[i * 3]) || !isxdigit((unsigned char)s[i * 3 + 1]) ||
		    s[i * 3 + 2] != (i == 5 ? 0 : ':'))
			return -EINVAL;
		ret[i] = (uint8_t)v[i];
	}
	return 0;
}

void nl_mac_format(const uint8_t mac[6], char ret[18])
{
	snprintf(ret, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}
