/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container side of networking (engine/network/network.h): at create, which mode,
 * ports, DNS and hosts (config.json's network namespace, /etc/hosts, /etc/resolv.conf,
 * /etc/hostname, the record's settings); at each start, attaching the created container's
 * namespace before its process runs; at the end, detaching.
 *
 * The default mode: --network, else containers.conf [containers] netns (unless "private"),
 * else rootless [network] default_rootless_network_cmd (pasta, or slirp4netns), rootful a
 * bridge. When the rootless default cannot work because /dev/net/tun is not accessible,
 * one warning line says so and the container gets none; an explicit pasta/slirp4netns is an
 * error. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "engine/container/spec.h"
#include "engine/network/network.h"

struct json_object;

struct ctr_net {
	enum net_mode mode;
	char *arg; /* see network.h; container: the other container's ID */
	struct net_port *ports;
	size_t n_ports;
	bool dns_forward; /* pasta: a loopback resolver was translated to NET_PASTA_DNS */
	bool implicit;	  /* pasta/slirp4netns as the default, not asked for: a start on a host
			   * whose /dev/net/tun became inaccessible warns and runs without it */
	char host_ip[46]; /* the host as seen from the container, for host.containers.internal */
};
void ctr_net_clear(struct ctr_net *n);

/* Decides and validates everything network about o (errors name the option). */
int ctr_net_decide(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, struct ctr_net *ret);
/* Does the container get a network namespace of its own (none, pasta, slirp4netns, bridge)? */
bool ctr_net_private(const struct ctr_net *n);
/* Its entry of linux.namespaces (none for host). */
void ctr_net_add_ns(const struct ctr_net *n, struct json_object *namespaces);
/* userdata/hostname, resolv.conf and (unless no_hosts) hosts. */
int ctr_net_write_etc(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, struct ctr_net *n,
		      const char *hostname, const char *name, bool no_hosts);
/* rec->network (what ps/inspect show as the mode) and rec->net_settings. */
int ctr_net_record(const struct ctr_opts *o, const struct ctr_net *n, bool no_hosts, struct ctr_record *rec);

/* ---- at start (the monitor) ---- */

/* Does a start need `RUNTIME create`, ctr_net_start(), `RUNTIME start` (rather than one
 * `run --detach`)? */
bool ctr_net_needs_attach(const struct ctr_record *rec);
/* Before the runtime runs: --network container:ID gets that container's current namespace
 * path in config.json. Errors are logged (the other container not running). */
int ctr_net_prepare(struct store *s, const struct ctr_record *rec, const char *config_path);
/* With the init created (not started): net_attach(), /etc/hosts completed (bridge: the
 * address), rec->net_state set and the record saved (so that a crash from here on leaves
 * what teardown needs). */
int ctr_net_start(struct store *s, struct ctr_record *rec, pid_t pid, const char *userdata);
/* net_detach() of rec->net_state, which is cleared (not saved). */
void ctr_net_stop(struct store *s, struct ctr_record *rec);

/* ---- for ps, inspect, port ---- */

/* "0.0.0.0:8080->80/tcp, …" ("" without ports). Caller frees. */
char *ctr_net_ports_string(const struct ctr_record *rec);
/* The published ports (caller frees *ret). */
int ctr_net_ports(const struct ctr_record *rec, struct net_port **ret, size_t *ret_n);
/* The container's address and gateway when known (bridge), else NULL (caller frees). */
char *ctr_net_state_str(const struct ctr_record *rec, const char *key);
/* inspect's NetworkSettings (IPAddress, Gateway, MacAddress, Bridge while running; Ports). */
struct json_object *ctr_net_inspect(const struct ctr_record *rec, bool running);
/* HostConfig.PortBindings: {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}. */
struct json_object *ctr_net_port_bindings(const struct ctr_record *rec);
/* ps --format json "Ports": [{"host_ip", "host_port", "container_port", "range", "protocol"}]. */
struct json_object *ctr_net_ports_json(const struct ctr_record *rec);
