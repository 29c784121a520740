/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rootful bridge networks: a Linux bridge per network ("kakuri0" for the default network
 * "kakuri"), one veth pair per container, addresses from the network's subnet (IPAM, leases
 * stored atomically under the network's state), nftables masquerade for egress and DNAT for
 * published ports. Named networks (kakuri network create/ls/rm/inspect) are records under
 * STORE/networks/. All netlink work is done directly (lib/netlink), nftables through
 * `nft -f -` with one table per engine ("inet kakuri").
 *
 * The caller (network.c) made the container's network namespace and passes it as an open fd;
 * bridge code never enters it by pid. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One published port range: host [ip:]port[-end] → container port[-end], tcp or udp. */
struct net_port {
	char host_ip[46];		     /* "" = all addresses */
	uint16_t host_port, ctr_port, count; /* count >= 1 */
	bool udp;
};

/* What a container gets on a bridge network; stored in the container's record (as JSON, by
 * network.c) so that teardown works after a crash. */
struct bridge_attachment {
	char network[64];   /* network name */
	char bridge[16];    /* host bridge interface */
	char host_veth[16]; /* host end of the veth pair */
	char ip[46], gateway[46], mac[18];
	unsigned prefix_len;
};

struct bridge_request {
	const char *network; /* NULL: the default network "kakuri" */
	const char *ctr_id, *ctr_name;
	int netns_fd;	      /* the container's network namespace */
	const char *ip, *mac; /* --ip, --mac-address, or NULL */
	const struct net_port *ports;
	size_t n_ports;
	const char *hosts_path; /* the container's /etc/hosts on the host (peers by name) */
	bool no_reclaim;	/* no container record backs it (network connect-netns): its lease is
				 * never taken for stale, only disconnect-netns frees it */
};

/* Creates the bridge/table if needed, allocates the address, makes the veth pair (the
 * container end is eth0, up, with address and default route), installs the port rules.
 * On failure nothing is left (no lease, veth or rule). Errors are logged once. */
int bridge_attach(const char *store_root, const struct bridge_request *req, struct bridge_attachment *ret);
/* Removes what attach made (idempotent: missing pieces are not errors). */
int bridge_detach(const char *store_root, const char *ctr_id, const struct bridge_attachment *a);

/* ---- for `kakuri network` (cli/engine/network.c) ---- */
/* The bridge's runtime state directory (its leases, ipam.h): /run/kakuri-engine/networks/BRIDGE. */
void bridge_state_dir(const char *bridge, char ret[512]);
/* Drops the leases of containers that are gone (their veth and port rules too); returns the
 * number of live leases left, or -errno. */
int bridge_reclaim(const char *bridge);
/* Deletes the bridge, its nft rules and its state, for `network rm`/`prune`. -EBUSY (logged,
 * naming a container) while a live lease exists; a missing bridge is fine. */
int bridge_network_teardown(const char *network, const char *bridge);
