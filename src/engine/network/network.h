/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container networking: the modes of --network, published ports, and attaching a started
 * container's network namespace to pasta, slirp4netns or a bridge (bridge.h).
 *
 * The network namespace is the runtime's: config.json asks for a new one ({"type":
 * "network"} without a path), so it is owned by the container's own user namespace when
 * rootless, as podman's rootless containers have it: container root holds CAP_NET_ADMIN and
 * CAP_NET_BIND_SERVICE over its interfaces, sysfs can be mounted, and net.* sysctls from
 * config.json apply. The monitor runs `RUNTIME create`, then net_attach() with the init's
 * pid (loopback up, the helper or the veth attached, ports published), then `RUNTIME
 * start`: the container's process never runs before its network is there. Nothing is bound
 * to the file system, so a crash leaks no netns file; what teardown needs (helper pid + start
 * time, the bridge attachment) is returned as JSON for the container record, and
 * net_detach() undoes it, idempotently, from any process (stop, rm, after a crash).
 *
 * Settings (decided at create, stored in the record as JSON, see net_settings_to_json):
 *   mode, arg (bridge: network name; container: ID; ns: path; pasta/slirp4netns: options),
 *   ports, ip, mac, dns, dns_search, dns_opt, add_host, no_hosts. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/network/bridge.h"

struct json_object;

enum net_mode {
	NET_MODE_NONE,	    /* loopback only (up) */
	NET_MODE_HOST,	    /* the host's network namespace */
	NET_MODE_PASTA,	    /* pasta (passt package), rootless default */
	NET_MODE_SLIRP,	    /* slirp4netns */
	NET_MODE_BRIDGE,    /* rootful default: bridge.h */
	NET_MODE_CONTAINER, /* another container's network namespace */
	NET_MODE_NS,	    /* a namespace file */
};

const char *net_mode_name(enum net_mode m); /* "none", "host", "pasta", "slirp4netns", … */

/* The DNS forwarder address pasta maps to the host's first resolver (--dns-forward), put in
 * resolv.conf in place of loopback resolvers. */
#define NET_PASTA_DNS "169.254.1.1"
/* slirp4netns' built-in addresses (10.0.2.0/24). */
#define NET_SLIRP_DNS  "10.0.2.3"
#define NET_SLIRP_HOST "10.0.2.2"
#define NET_SLIRP_IP   "10.0.2.100"

/* Parses a --network value: none, host, pasta[:OPTS], slirp4netns[:OPTS], bridge,
 * bridge:NAME, container:NAME, ns:PATH, private (= the default), or a network name (a
 * bridge). *ret_arg (caller frees) is the part after ':' or the network name; NULL if none.
 * -EINVAL (not logged) for an empty NAME/PATH. */
int net_mode_parse(const char *s, enum net_mode *ret_mode, char **ret_arg);

/* One -p value: [ip:][hostport[-end]:]containerport[-end][/tcp|/udp]. A missing host port
 * gives host_port 0 (to be chosen: net_ports_pick_random). Errors: -EINVAL with *ret_why (a
 * static text). */
int net_port_parse(const char *spec, struct net_port *ret, const char **ret_why);
/* Host ports 0 get a free port of the host (bound once to port 0, as podman picks them). */
int net_ports_pick_random(struct net_port *ports, size_t n);
/* "0.0.0.0:8080->80/tcp" (ranges: "0.0.0.0:8080-8081->80-81/tcp"), ", "-joined. Caller frees. */
char *net_ports_format(const struct net_port *ports, size_t n);
struct json_object *net_ports_to_json(const struct net_port *ports, size_t n);
int net_ports_from_json(struct json_object *a, struct net_port **ret, size_t *ret_n);

/* /proc/sys/net/ipv4/ip_unprivileged_port_start (1024 if unreadable). */
unsigned net_unprivileged_port_start(void);

/* Can this process open /dev/net/tun read-write? 0, or -EACCES/-ENOENT with *ret_msg (caller
 * frees) naming the device, its mode, the fix and the alternatives. */
int net_tun_check(char **ret_msg);

/* The host's default IPv4 gateway ("" if none), from /proc/net/route. */
void net_host_gateway(char ret[46]);

/* What a start attaches, from the record's settings. */
struct net_attach_req {
	const char *store_root;
	const char *id, *name;
	const char *userdata;	  /* log files; hosts (bridge peers) */
	pid_t pid;		  /* the container's init (created, not started) */
	bool rootless;
	struct json_object *settings; /* the record's "net" object */
};

/* Brings loopback up in pid's network namespace and attaches it as the mode says. On
 * success *ret_state (caller puts) describes what to undo (may be NULL: nothing), and
 * *ret_ip and *ret_gw (caller frees, may be NULL) the container's address and its route to the
 * host for /etc/hosts. On failure nothing is left and the error is logged once. */
int net_attach(const struct net_attach_req *req, struct json_object **ret_state, char **ret_ip, char **ret_gw);
/* Undoes net_attach: stops the helper (if it is still the one started: pid + start time),
 * detaches the bridge. Missing pieces are fine. */
void net_detach(const char *store_root, const char *id, struct json_object *state);
