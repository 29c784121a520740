/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Named bridge networks: their definitions, one per network, in
 * STORE/networks/NAME/network.json (replaced atomically; STORE/networks/networks.lock is
 * held while one is created or removed). The default network "kakuri" (bridge kakuri0,
 * 10.89.0.0/24: podman's default 10.88.0.0/16 is left alone) needs no file: it exists in
 * every store, and cannot be removed.
 *
 * A definition is only configuration; the bridge, its nftables rules and its leases are
 * made on first use (bridge.c). Bridge names are host-wide: "kk-NAME" when that fits in
 * IFNAMSIZ, else "kk" and a hash of the name. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETCONF_DEFAULT_NAME   "kakuri"
#define NETCONF_DEFAULT_BRIDGE "kakuri0"
#define NETCONF_DEFAULT_SUBNET "10.89.0.0/24"

struct netconf {
	char name[64];
	char bridge[16];
	char subnet[32]; /* "10.89.0.0/24" */
	char gateway[16];
	uint32_t net, gw; /* host byte order */
	unsigned prefix;
	bool internal; /* no masquerade, no route out: containers reach only each other */
	/* --host-loopback: connections to the gateway (host.containers.internal) go to the
	 * host's 127.0.0.1, so that services listening only on the host's loopback are
	 * reachable; off by default (they are not). */
	bool host_loopback;
	bool is_default;
	int64_t created; /* ns since the epoch, 0 for the default network */
};

/* [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 63, and not a --network mode (none, host, bridge,
 * pasta, slirp4netns, private, default). */
bool netconf_name_valid(const char *name);

/* The network NAME (NULL: the default). -ENOENT logged as "network 'NAME' not found". */
int netconf_load(const char *store_root, const char *name, struct netconf *ret);
/* Creates NAME. subnet NULL: the first free 10.89.N.0/24 (N >= 1); gateway NULL: the
 * subnet's first address; flags: NETCONF_*. Refuses bad names, bad or overlapping subnets (naming the other
 * network), a gateway outside the subnet, an existing name. */
#define NETCONF_INTERNAL      1u
#define NETCONF_HOST_LOOPBACK 2u
int netconf_create(const char *store_root, const char *name, const char *subnet, const char *gateway, unsigned flags,
		   struct netconf *ret);
/* Every network, the default first. Caller frees *ret. */
int netconf_list(const char *store_root, struct netconf **ret, size_t *ret_n);
/* Removes the definition (the default network: -EPERM, logged). Missing: -ENOENT, logged. */
int netconf_remove(const char *store_root, const char *name);
/* The definition as JSON (podman's network inspect shape, roughly). Caller frees. */
char *netconf_to_json(const struct netconf *c);
