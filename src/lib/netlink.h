/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small rtnetlink (NETLINK_ROUTE) client: just what bridge networking needs. No libmnl.
 *
 * Every request is sent with NLM_F_ACK and answered by one NLMSG_ERROR; a failure returns
 * -errno and, when the kernel sent an extended ack (NETLINK_EXT_ACK), copies its message
 * into the caller's buffer (struct nl_err), so the caller can log "…: %m (kernel: MSG)".
 *
 * Links in another network namespace: nl_open_in_netns() forks a short-lived child that
 * setns()es into the namespace, opens a netlink socket there and passes it back over a
 * socketpair (SCM_RIGHTS). A netlink socket stays bound to the namespace it was created in,
 * so the caller works on the container's links without ever entering the namespace itself
 * (setns on a thread of a multi-threaded engine would be wrong, and racy for the caller).
 *
 * Nothing here logs above debug. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nl_err {
	char msg[256]; /* the kernel's extack message, "" if none */
};

/* A request being built. buf holds the nlmsghdr and its payload. */
struct nl_msg {
	uint8_t buf[4096];
	size_t nest[8]; /* offsets of open nested attributes */
	unsigned depth;
	bool overflow; /* an attribute did not fit: nl_send fails with -EMSGSIZE */
};

/* Starts a message of type (RTM_*), flags (NLM_F_*), with a zeroed family header of hdrlen
 * bytes (e.g. sizeof(struct ifinfomsg)); returns a pointer to that header to fill in. */
void *nl_msg_init(struct nl_msg *m, uint16_t type, uint16_t flags, size_t hdrlen);
void nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len);
void nl_put_str(struct nl_msg *m, uint16_t type, const char *s); /* with the NUL */
void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v);
void nl_put_u8(struct nl_msg *m, uint16_t type, uint8_t v);
void nl_nest_start(struct nl_msg *m, uint16_t type);
/* Zeroed room for a family header inside a nest (VETH_INFO_PEER starts with an ifinfomsg);
 * returns it to fill in, or NULL on overflow. */
void *nl_nest_reserve(struct nl_msg *m, size_t len);
void nl_nest_end(struct nl_msg *m);
size_t nl_msg_len(const struct nl_msg *m);

/* A NETLINK_ROUTE socket in the caller's namespace (O_CLOEXEC, extended acks on). */
int nl_open(int *ret_fd);
/* The same, in the network namespace netns_fd (see above). */
int nl_open_in_netns(int netns_fd, int *ret_fd);

/* Sends m (NLM_F_ACK added) and waits for its ack. 0 or -errno; err optional. */
int nl_transact(int fd, struct nl_msg *m, struct nl_err *err);

/* ---- links ---- */
/* ifindex of name, or -ENODEV. */
int nl_link_index(int fd, const char *name);
/* A bridge named name (EEXIST if it exists). */
int nl_link_add_bridge(int fd, const char *name, struct nl_err *err);
/* A veth pair: host_name here (enslaved to master_ifindex if > 0), peer_name in the network
 * namespace peer_netns_fd (here if < 0) with MAC peer_mac (6 bytes, or NULL: random). */
int nl_link_add_veth(int fd, const char *host_name, int master_ifindex, const char *peer_name, int peer_netns_fd,
		     const uint8_t *peer_mac, struct nl_err *err);
/* Sets IFF_UP on ifindex. */
int nl_link_set_up(int fd, int ifindex, struct nl_err *err);
/* Deletes the link named name; -ENODEV if there is none. */
int nl_link_del(int fd, const char *name, struct nl_err *err);

/* ---- addresses and routes ---- */
/* family AF_INET or AF_INET6, addr in network order (4 or 16 bytes). */
int nl_addr_add(int fd, int ifindex, int family, const void *addr, unsigned prefix_len, struct nl_err *err);
/* Does ifindex carry addr/prefix_len (IPv4)? 1 yes, 0 no, -errno. */
int nl_addr_has4(int fd, int ifindex, const void *addr, unsigned prefix_len);
/* Default route via gw (onlink not needed: gw is in the interface's subnet). */
int nl_route_add_default(int fd, int family, const void *gw, int ifindex, struct nl_err *err);

/* ---- nftables (NETLINK_NETFILTER) ---- */
/* Does the nftables table family/name exist (family NFPROTO_INET, …)? 1, 0, or -errno. One
 * request on a short-lived socket: cheap enough to check before trusting a cache. */
int nl_nft_table_exists(uint8_t family, const char *name);

/* "02:42:ac:11:00:02" <-> 6 bytes. */
int nl_mac_parse(const char *s, uint8_t ret[6]);
void nl_mac_format(const uint8_t mac[6], char ret[18]);
