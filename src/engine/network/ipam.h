/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4 address management for bridge networks.
 *
 * One lease file per network: DIR/leases.json, replaced atomically (write a temp file,
 * rename) under an flock on DIR/leases.lock, so concurrent `kakuri run`s never hand out one
 * address twice. DIR is the network's runtime state (bridge.c: /run/kakuri-engine/networks/
 * BRIDGE), because a lease lives exactly as long as the container's veth: both vanish at a
 * reboot. The file also records the boot id; leases from another boot are dropped on load.
 *
 * A lease records the container (id, name, the store it belongs to, its /etc/hosts on the
 * host, how many published ports it has), so a lease whose container no longer exists can be
 * reclaimed and the peers' /etc/hosts rewritten. The gateway is the first address of the
 * subnet unless the network says otherwise; allocation hands out the lowest free address.
 *
 * Errors a user can act on (bad CIDR, --ip taken or outside the subnet) are logged here,
 * naming the address, the subnet and the network. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipam_pool {
	const char *network; /* for messages */
	uint32_t net;	     /* host byte order */
	unsigned prefix;     /* 8..30 */
	uint32_t gateway;    /* host byte order */
};

struct ipam_lease {
	char id[65];
	char name[129];
	char ip[16];
	char mac[18];
	char *hosts; /* the container's /etc/hosts on the host, or NULL */
	char *store; /* the store root the container belongs to, or NULL */
	unsigned n_ports;
};

struct ipam_leases {
	struct ipam_lease *v;
	size_t n;
};
void ipam_leases_free(struct ipam_leases *l); /* leaves it empty */

/* "10.89.0.0/24" → net, prefix (8..30, host bits zero). Logs naming the text and field. */
int ipam_parse_cidr(const char *field, const char *s, uint32_t *ret_net, unsigned *ret_prefix);
/* Dotted quad → host byte order; -EINVAL (not logged). */
int ipam_parse_ip4(const char *s, uint32_t *ret);
void ipam_fmt_ip4(uint32_t a, char ret[16]);
bool ipam_in_subnet(uint32_t a, uint32_t net, unsigned prefix);
/* Usable as a host address: inside, not the network or broadcast address. */
bool ipam_host_ok(uint32_t a, uint32_t net, unsigned prefix);
/* Do the two subnets overlap? */
bool ipam_overlap(uint32_t a, unsigned pa, uint32_t b, unsigned pb);

/* Reads DIR/leases.json (missing: none). The caller holds the lock (ipam_lock). */
int ipam_load(const char *dir, struct ipam_leases *ret);
int ipam_save(const char *dir, const struct ipam_leases *l);
/* flock(DIR/leases.lock, LOCK_EX), creating DIR; returns the fd (close to unlock). */
int ipam_lock(const char *dir);

/* Is the lease's container still there? NULL: every lease is alive. */
typedef bool (*ipam_alive_fn)(const struct ipam_lease *l, void *userdata);

/* Gives want->id an address: want->ip if set (must be a free host address of the pool),
 * else the lowest free one. Leases whose container is gone (alive() false) are dropped
 * first and, if ret_reclaimed is not NULL, returned there (caller frees) so that their
 * rules can be removed; an older lease of the same id is replaced. Takes the lock itself.
 * *ret is the new lease (ret->hosts/store are copies, caller frees via a one-element
 * ipam_leases or free()). -EADDRINUSE: --ip taken; -EINVAL: outside; -ENOSPC: full. */
int ipam_allocate(const char *dir, const struct ipam_pool *p, const struct ipam_lease *want, ipam_alive_fn alive,
		  void *userdata, struct ipam_lease *ret, struct ipam_leases *ret_reclaimed);
/* Drops id's lease; a missing one is fine (returns 0). If ret_old is not NULL the removed
 * lease is copied there (n == 0 when there was none). Takes the lock itself. */
int ipam_release(const char *dir, const char *id, struct ipam_leases *ret_old);
