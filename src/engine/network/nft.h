/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nftables rules for bridge networks, applied through `nft -f -` (Debian's nftables) as one
 * transaction each, all in the table "inet kakuri":
 *
 *   prerouting, output (nat)   fib daddr type local jump ports
 *   ports (regular)            one DNAT rule per published port, comment "kakuri:ctr:ID"
 *   postrouting (nat)          per network (comment "kakuri:net:BRIDGE"): masquerade what
 *                              leaves the subnet (not for --internal), masquerade 127.0.0.0/8
 *                              sources going into the bridge (host loopback → published port)
 *                              and hairpinned DNAT traffic
 *   forward (filter)           per network: same bridge accept, other kakuri bridges drop
 *                              (isolation), out accept (not --internal), in only for
 *                              established/related or DNATed traffic
 *   raw (filter, prerouting)   per network: drop 127.0.0.0/8 destinations arriving on the
 *                              bridge: route_localnet=1 (needed for the loopback DNAT) would
 *                              otherwise let a container reach the host's loopback services
 *                              with a hand-made route (the CVE-2020-8558 class)
 *   set bridges                every kakuri bridge
 *
 * Rules are removed by their comment: list the table (nft -j -a), delete the handles. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "engine/network/bridge.h"

#define NFT_TABLE "kakuri"

/* The nft script that (re)installs a network's rules (replacing old ones with the same tag:
 * pass their deletion lines in del, may be ""). Caller frees. */
char *nft_network_script(const char *bridge, const char *subnet, bool internal, const char *del);
/* host_loopback (netconf.h): the gateway's connections from the bridge are DNATed to the
 * host's 127.0.0.1 (the raw-table drop sees the gateway address, before the DNAT). */
char *nft_network_script_hl(const char *bridge, const char *subnet, bool internal, const char *gateway,
			    const char *del);
/* The rules for a container's published ports. -EINVAL (logged) for an IPv6 host address.
 * Caller frees *ret. */
int nft_ports_script(const char *ctr_id, const char *ctr_ip, const struct net_port *ports, size_t n, char **ret);

/* Installs (idempotently) the table, base chains and the network's rules; host_loopback_gw:
 * the gateway address for --host-loopback, or NULL. */
int nft_network_setup(const char *bridge, const char *subnet, bool internal, const char *host_loopback_gw);
/* Removes a network's rules and its set element; a missing table is fine. */
int nft_network_remove(const char *bridge);
int nft_ports_add(const char *ctr_id, const char *ctr_ip, const struct net_port *ports, size_t n);
/* Removes every rule tagged for ctr_id; a missing table is fine. */
int nft_ports_remove(const char *ctr_id);
/* Deletes the whole table (tests, `network prune` of the last network). */
int nft_table_delete(void);
