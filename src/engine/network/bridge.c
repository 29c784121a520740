/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rootful bridge attach/detach (bridge.h). The pieces: netconf (which network), lib/netlink
 * (bridge, veth, addresses, route), ipam (the lease), nft (masquerade, isolation, DNAT).
 *
 * Concurrency: every attach and detach holds one host-wide flock
 * (/run/kakuri-engine/networks/lock) from the bridge check to the /etc/hosts rewrite, so two
 * `kakuri run`s never race on creating a bridge, on nft rule handles, or on the peers'
 * hosts files; the work under it is a handful of netlink messages (and one nft run only for
 * a new bridge or published ports), so the lock is held for milliseconds. */
#include "engine/network/bridge.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include "engine/network/ipam.h"
#include "engine/network/netconf.h"
#include "engine/network/nft.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/netlink.h"

#define RUN_DIR	    "/run/kakuri-engine/networks"
#define HOSTS_BEGIN "# kakuri network peers (rewritten when a container joins or leaves)\n"
#define HOSTS_END   "# end of kakuri network peers\n"

static const char *run_dir(void)
{
	const char *e = getenv("KAKURI_NETWORK_RUN_DIR"); /* tests only */
	return e && e[0] == '/' ? e : RUN_DIR;
}

static int global_lock(void)
{
	char p[512];
	int r = fs_mkdir_p(run_dir(), 0700);
	if (r < 0)
		return log_error_errno(r, "Failed to create '%s': %m", run_dir());
	snprintf(p, sizeof(p), "%s/lock", run_dir());
	cleanup_close int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return log_error_errno(-errno, "Failed to open '%s': %m", p);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return log_error_errno(-errno, "Failed to lock '%s': %m", p);
	return TAKE_FD(fd);
}

static void net_dir(const char *bridge, char ret[512])
{
	snprintf(ret, 512, "%s/%s", run_dir(), bridge);
}

/* kk + the first 12 characters of the id: unique enough, fits IFNAMSIZ, and says whose. */
static void veth_name(const char *ctr_id, char ret[16])
{
	size_t k = 0;
	ret[k++] = 'k';
	ret[k++] = 'k';
	for (const char *p = ctr_id; *p && k < 14; p++)
		if (isalnum((unsigned char)*p))
			ret[k++] = *p;
	ret[k] = 0;
}

static void log_nl(int r, const struct nl_err *e, const char *what)
{
	if (e->msg[0])
		log_error_errno(r, "Failed to %s: %m (kernel: %s)", what, e->msg);
	else
		log_error_errno(r, "Failed to %s: %m", what);
}

static int sysctl_set(const char *path, const char *want)
{
	cleanup_free char *cur = NULL;
	if (fs_read_file_at(AT_FDCWD, path, 64, &cur, NULL) == 0 && strncmp(cur, want, strlen(want)) == 0)
		return 0;
	int r = fs_write_file_at(AT_FDCWD, path, want, strlen(want));
	if (r < 0)
		return log_error_errno(r, "Failed to write '%s' to %s: %m", want, path);
	return 0;
}

static int reclaim_locked(int nl, const char *bridge, struct ipam_lease *ret_first);

/* The bridge exists, is up and carries the gateway address; its nft rules are there. The
 * nft run is skipped when DIR/nft.ok names this bridge's ifindex, subnet and internal flag:
 * the rules were installed for this very interface and definition (a re-created bridge gets
 * a new index, so they are reinstalled). */
static int bridge_ensure(int nl, const struct netconf *c, int *ret_idx)
{
	struct nl_err e;
	char what[128], dir[512], marker[600], path[256];
	bool fresh = false;
again:;
	int idx = nl_link_index(nl, c->bridge);
	if (idx == -ENODEV) {
		fresh = true;
		int r = nl_link_add_bridge(nl, c->bridge, &e);
		if (r < 0 && r != -EEXIST) {
			snprintf(what, sizeof(what), "create bridge %s", c->bridge);
			log_nl(r, &e, what);
			return r;
		}
		idx = nl_link_index(nl, c->bridge);
	}
	if (idx < 0)
		return log_error_errno(idx, "Failed to find bridge %s: %m", c->bridge);
	/* Bridge names are host-wide but definitions are per store: a network of the same
	 * name in another store with another subnet must not be mixed into this one. */
	net_dir(c->bridge, dir);
	snprintf(marker, sizeof(marker), "%s/nft.ok", dir);
	char want[80], old_subnet[32] = "";
	snprintf(want, sizeof(want), "%d %s %d %d\n", idx, c->subnet, c->internal, c->host_loopback);
	cleanup_free char *have = NULL;
	int old_idx = 0, old_internal = 0;
	if (!fresh && fs_read_file_at(AT_FDCWD, marker, 128, &have, NULL) == 0 &&
	    sscanf(have, "%d %31s %d", &old_idx, old_subnet, &old_internal) == 3 && old_idx == idx &&
	    (!STREQ(old_subnet, c->subnet) || old_internal != c->internal)) {
		struct ipam_lease first = {0};
		int n = reclaim_locked(nl, c->bridge, &first);
		if (n > 0)
			return log_error_errno(
			    -EEXIST,
			    "bridge %s is in use with subnet %s%s by container %s (%.12s), from a network '%s' "
			    "of another store: remove it there first, or use another network name",
			    c->bridge, old_subnet, old_internal ? " (internal)" : "", first.name[0] ? first.name : "?",
			    first.id, c->name);
		if (n < 0)
			return n;
		/* Unused: start over with a bridge of this definition (no stale gateway). */
		int r = nl_link_del(nl, c->bridge, &e);
		if (r < 0 && r != -ENODEV) {
			snprintf(what, sizeof(what), "delete bridge %s", c->bridge);
			log_nl(r, &e, what);
			return r;
		}
		free(TAKE_PTR(have)); /* whether or not the backward goto runs its cleanup */
		goto again;
	}
	uint32_t gw = htonl(c->gw);
	int r = nl_addr_has4(nl, idx, &gw, c->prefix);
	if (r < 0)
		return log_error_errno(r, "Failed to list the addresses of %s: %m", c->bridge);
	if (r == 0) {
		r = nl_addr_add(nl, idx, AF_INET, &gw, c->prefix, &e);
		if (r < 0 && r != -EEXIST) {
			snprintf(what, sizeof(what), "add %s/%u to bridge %s", c->gateway, c->prefix, c->bridge);
			log_nl(r, &e, what);
			return r;
		}
	}
	r = nl_link_set_up(nl, idx, &e);
	if (r < 0) {
		snprintf(what, sizeof(what), "bring bridge %s up", c->bridge);
		log_nl(r, &e, what);
		return r;
	}
	/* route_localnet: the output-chain DNAT of 127.0.0.1:PORT sends packets with a
	 * loopback source into the bridge; without it the kernel drops them as martians. */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/route_localnet", c->bridge);
	r = sysctl_set(path, "1");
	if (r < 0)
		return r;
	if (!c->internal) {
		r = sysctl_set("/proc/sys/net/ipv4/ip_forward", "1");
		if (r < 0)
			return r;
	}
	r = fs_mkdir_p(dir, 0700);
	if (r < 0)
		return log_error_errno(r, "Failed to create '%s': %m", dir);
	/* The table check (one netlink request) catches `nft delete table inet kakuri` and
	 * `nft flush ruleset` behind our back. */
	if (!have || !STREQ(have, want) || nl_nft_table_exists(NFPROTO_INET, NFT_TABLE) == 0) {
		r = nft_network_setup(c->bridge, c->subnet, c->internal, c->host_loopback ? c->gateway : NULL);
		if (r < 0)
			return r;
		r = fs_write_atomic(marker, want, strlen(want), 0600);
		if (r < 0)
			return log_error_errno(r, "Failed to write '%s': %m", marker);
	}
	*ret_idx = idx;
	return 0;
}

/* Replaces the peers block of path with one line per other lease; the file is rewritten in
 * place (it is bind-mounted into the container: a rename would not be seen there). */
static void hosts_rewrite(const char *path, const char *self_id, const struct ipam_leases *l)
{
	cleanup_free char *text = NULL;
	if (fs_read_file_at(AT_FDCWD, path, 1u << 20, &text, NULL) < 0)
		return; /* container gone or --no-hosts */
	size_t cap = strlen(text) + l->n * 220 + sizeof(HOSTS_BEGIN) + sizeof(HOSTS_END) + 1;
	cleanup_free char *out = malloc(cap);
	if (!out)
		return;
	char *b = strstr(text, HOSTS_BEGIN), *e = b ? strstr(b, HOSTS_END) : NULL;
	size_t n;
	if (b && e) {
		memcpy(out, text, (size_t)(b - text));
		n = (size_t)(b - text);
		size_t rest = strlen(e + strlen(HOSTS_END));
		memcpy(out + n, e + strlen(HOSTS_END), rest);
		n += rest;
	} else {
		n = strlen(text);
		memcpy(out, text, n);
	}
	if (n && out[n - 1] != '\n')
		out[n++] = '\n';
	size_t peers = 0;
	for (size_t i = 0; i < l->n; i++)
		peers += !STREQ(l->v[i].id, self_id);
	if (peers) {
		n += (size_t)snprintf(out + n, cap - n, "%s", HOSTS_BEGIN);
		for (size_t i = 0; i < l->n; i++)
			if (!STREQ(l->v[i].id, self_id))
				n += (size_t)snprintf(out + n, cap - n, "%s\t%s%s%.12s\n", l->v[i].ip, l->v[i].name,
						      l->v[i].name[0] ? " " : "", l->v[i].id);
		n += (size_t)snprintf(out + n, cap - n, "%s", HOSTS_END);
	}
	cleanup_close int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fs_write_all(fd, out, n) < 0)
		log_warn_errno(-errno, "Failed to update the peers in %s: %m", path);
}

static void hosts_rewrite_all(const char *dir)
{
	struct ipam_leases l = {0};
	cleanup_close int lock = ipam_lock(dir);
	if (lock < 0 || ipam_load(dir, &l) < 0)
		return;
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].hosts)
			hosts_rewrite(l.v[i].hosts, l.v[i].id, &l);
	ipam_leases_free(&l);
}

/* A lease is stale when its container's directory is gone from its store. */
static bool lease_alive(const struct ipam_lease *l, void *userdata)
{
	char p[4096];
	if (!l->store || !l->store[0])
		return true;
	snprintf(p, sizeof(p), "%s/containers/%s", l->store, l->id);
	return access(p, F_OK) == 0 || errno != ENOENT;
}

static void del_link(int nl, const char *name)
{
	struct nl_err e;
	int r = nl_link_del(nl, name, &e);
	if (r < 0 && r != -ENODEV)
		log_warn_errno(r, "Failed to delete %s: %m%s%s", name, e.msg[0] ? " " : "", e.msg);
}

static void reclaim(int nl, struct ipam_leases *dead)
{
	for (size_t i = 0; i < dead->n; i++) {
		char v[16];
		log_debug("Reclaiming the lease %s of removed container %.12s", dead->v[i].ip, dead->v[i].id);
		veth_name(dead->v[i].id, v);
		del_link(nl, v);
		if (dead->v[i].n_ports)
			(void)nft_ports_remove(dead->v[i].id);
	}
}

/* Inside the container's namespace (a socket opened there): eth0 and lo up, the address,
 * the default route. */
static int setup_inside(int netns_fd, const struct netconf *c, uint32_t ip)
{
	cleanup_close int cnl = -EBADF;
	struct nl_err e;
	int r = nl_open_in_netns(netns_fd, &cnl);
	if (r < 0)
		return log_error_errno(r, "Failed to open a netlink socket in the container's network namespace: %m");
	int idx = nl_link_index(cnl, "eth0");
	if (idx < 0)
		return log_error_errno(idx, "Failed to find eth0 in the container: %m");
	uint32_t a = htonl(ip), gw = htonl(c->gw);
	r = nl_addr_add(cnl, idx, AF_INET, &a, c->prefix, &e);
	if (r < 0) {
		log_nl(r, &e, "set the container's address");
		return r;
	}
	r = nl_link_set_up(cnl, idx, &e);
	if (r < 0) {
		log_nl(r, &e, "bring the container's eth0 up");
		return r;
	}
	if (!c->internal) {
		r = nl_route_add_default(cnl, AF_INET, &gw, idx, &e);
		if (r < 0) {
			log_nl(r, &e, "add the container's default route");
			return r;
		}
	}
	return 0;
}

static int make_mac(const char *want, uint8_t mac[6])
{
	if (want) {
		if (nl_mac_parse(want, mac) < 0)
			return log_error_errno(
			    -EINVAL, "--mac-address '%s' is not a MAC address (like 02:42:ac:11:00:02)", want);
		if (mac[0] & 1)
			return log_error_errno(-EINVAL, "--mac-address %s is a multicast address", want);
		return 0;
	}
	if (getrandom(mac, 6, 0) != 6)
		return log_error_errno(-errno, "Failed to get random bytes: %m");
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02); /* unicast, locally administered */
	return 0;
}

/* The host end joins bridge br and comes up; the other end is eth0 in the namespace. */
static int make_veth(int nl, const char *hveth, int br, int netns_fd, const uint8_t mac[6])
{
	struct nl_err e;
	char what[96];
	del_link(nl, hveth); /* a leftover of a crashed attach of this container */
	int r = nl_link_add_veth(nl, hveth, br, "eth0", netns_fd, mac, &e);
	if (r < 0) {
		snprintf(what, sizeof(what), "create the veth pair %s/eth0", hveth);
		log_nl(r, &e, what);
		return r;
	}
	int hidx = nl_link_index(nl, hveth);
	r = hidx < 0 ? hidx : nl_link_set_up(nl, hidx, &e);
	if (r < 0) {
		snprintf(what, sizeof(what), "bring %s up", hveth);
		log_nl(r, &e, what);
	}
	return r;
}

int bridge_attach(const char *store_root, const struct bridge_request *req, struct bridge_attachment *ret)
{
	struct netconf c;
	char dir[512], hveth[16];
	if (geteuid() != 0)
		return log_error_errno(-EPERM, "bridge networks need root: rootless containers use --network pasta or "
					       "slirp4netns (or none/host)");
	if (!req->ctr_id || !req->ctr_id[0])
		return log_error_errno(-EINVAL, "bridge_attach: no container id");
	int r = netconf_load(store_root, req->network, &c);
	if (r < 0)
		return r;
	uint8_t mac[6];
	r = make_mac(req->mac, mac);
	if (r < 0)
		return r;
	if (req->n_ports) {
		cleanup_free char *check = NULL; /* bad -p values fail before anything is made */
		r = nft_ports_script(req->ctr_id, "10.0.0.1", req->ports, req->n_ports, &check);
		if (r < 0)
			return r;
	}
	cleanup_close int lock = global_lock();
	if (lock < 0)
		return lock;
	cleanup_close int nl = -EBADF;
	r = nl_open(&nl);
	if (r < 0)
		return log_error_errno(r, "Failed to open a netlink socket: %m");
	int br = -1;
	r = bridge_ensure(nl, &c, &br);
	if (r < 0)
		return r;

	net_dir(c.bridge, dir);
	struct ipam_pool pool = {c.name, c.net, c.prefix, c.gw};
	struct ipam_lease want = {0}, got = {0};
	struct ipam_leases dead = {0};
	snprintf(want.id, sizeof(want.id), "%s", req->ctr_id);
	snprintf(want.name, sizeof(want.name), "%s", req->ctr_name ? req->ctr_name : "");
	snprintf(want.ip, sizeof(want.ip), "%s", req->ip ? req->ip : "");
	nl_mac_format(mac, want.mac);
	want.hosts = (char *)req->hosts_path;
	want.store = req->no_reclaim ? NULL : (char *)store_root;
	want.n_ports = (unsigned)req->n_ports;
	if (req->ip && strlen(req->ip) >= sizeof(want.ip))
		return log_error_errno(-EINVAL, "--ip '%s' is not an IPv4 address", req->ip);
	r = ipam_allocate(dir, &pool, &want, lease_alive, NULL, &got, &dead);
	if (r < 0)
		return r;
	reclaim(nl, &dead);
	ipam_leases_free(&dead);
	free(got.hosts);
	free(got.store);

	/* From here on a failure undoes: veth, port rules, lease. */
	veth_name(req->ctr_id, hveth);
	r = make_veth(nl, hveth, br, req->netns_fd, mac);
	if (r < 0)
		goto fail;
	uint32_t ip;
	(void)ipam_parse_ip4(got.ip, &ip);
	r = setup_inside(req->netns_fd, &c, ip);
	if (r < 0)
		goto fail;
	if (req->n_ports) {
		r = nft_ports_add(req->ctr_id, got.ip, req->ports, req->n_ports);
		if (r < 0)
			goto fail;
	}
	hosts_rewrite_all(dir);

	struct bridge_attachment a = {0};
	snprintf(a.network, sizeof(a.network), "%s", c.name);
	snprintf(a.bridge, sizeof(a.bridge), "%s", c.bridge);
	snprintf(a.host_veth, sizeof(a.host_veth), "%s", hveth);
	snprintf(a.ip, sizeof(a.ip), "%s", got.ip);
	snprintf(a.gateway, sizeof(a.gateway), "%s", c.gateway);
	snprintf(a.mac, sizeof(a.mac), "%s", got.mac);
	a.prefix_len = c.prefix;
	if (ret)
		*ret = a;
	log_debug("Attached %.12s to %s (%s): %s/%u via %s, %s", req->ctr_id, c.name, c.bridge, a.ip, a.prefix_len,
		  hveth, a.mac);
	return 0;
fail:
	if (req->n_ports)
		(void)nft_ports_remove(req->ctr_id);
	del_link(nl, hveth);
	(void)ipam_release(dir, req->ctr_id, NULL);
	return r;
}

int bridge_detach(const char *store_root, const char *ctr_id, const struct bridge_attachment *a)
{
	char dir[512], hveth[16];
	if (!a || !a->bridge[0] || !ctr_id)
		return 0;
	if (geteuid() != 0)
		return log_error_errno(-EPERM, "bridge networks need root");
	cleanup_close int lock = global_lock();
	if (lock < 0)
		return lock;
	net_dir(a->bridge, dir);
	struct ipam_leases old = {0};
	int r = 0;
	if (access(dir, F_OK) == 0)
		r = ipam_release(dir, ctr_id, &old);
	bool ports = false;
	for (size_t i = 0; i < old.n; i++)
		ports = ports || old.v[i].n_ports > 0;
	ipam_leases_free(&old);
	if (ports) {
		int k = nft_ports_remove(ctr_id);
		if (r >= 0)
			r = k;
	}
	cleanup_close int nl = -EBADF;
	int k = nl_open(&nl);
	if (k < 0)
		return log_error_errno(k, "Failed to open a netlink socket: %m");
	veth_name(ctr_id, hveth);
	del_link(nl, a->host_veth[0] ? a->host_veth : hveth);
	if (access(dir, F_OK) == 0)
		hosts_rewrite_all(dir);
	return r;
}

void bridge_state_dir(const char *bridge, char ret[512])
{
	net_dir(bridge, ret);
}

/* Under the global lock: reclaims dead leases, returns how many live ones are left and (if
 * ret_first is not NULL) the first of them. */
static int reclaim_locked(int nl, const char *bridge, struct ipam_lease *ret_first)
{
	char dir[512];
	net_dir(bridge, dir);
	if (access(dir, F_OK) < 0)
		return 0;
	cleanup_close int lock = ipam_lock(dir);
	if (lock < 0)
		return lock;
	struct ipam_leases l = {0}, live = {0}, dead = {0};
	int r = ipam_load(dir, &l);
	if (r < 0)
		return r;
	for (size_t i = 0; i < l.n; i++) {
		struct ipam_leases *to = lease_alive(&l.v[i], NULL) ? &live : &dead;
		struct ipam_lease *nv = realloc(to->v, (to->n + 1) * sizeof(*nv));
		if (!nv) {
			r = -ENOMEM;
			break;
		}
		to->v = nv;
		to->v[to->n++] = l.v[i];
	}
	if (r == 0 && dead.n) {
		r = ipam_save(dir, &live);
		if (r == 0)
			reclaim(nl, &dead);
	}
	if (r == 0 && live.n && ret_first) {
		*ret_first = live.v[0];
		ret_first->hosts = ret_first->store = NULL;
	}
	if (r == 0)
		r = (int)live.n;
	free(l.v); /* the strings moved to live/dead */
	ipam_leases_free(&live);
	ipam_leases_free(&dead);
	return r;
}

int bridge_reclaim(const char *bridge)
{
	cleanup_close int lock = global_lock();
	if (lock < 0)
		return lock;
	cleanup_close int nl = -EBADF;
	int r = nl_open(&nl);
	if (r < 0)
		return log_error_errno(r, "Failed to open a netlink socket: %m");
	return reclaim_locked(nl, bridge, NULL);
}

int bridge_network_teardown(const char *network, const char *bridge)
{
	if (geteuid() != 0)
		return 0; /* rootless: nothing of a bridge network was ever made */
	cleanup_close int lock = global_lock();
	if (lock < 0)
		return lock;
	cleanup_close int nl = -EBADF;
	int r = nl_open(&nl);
	if (r < 0)
		return log_error_errno(r, "Failed to open a netlink socket: %m");
	struct ipam_lease first = {0};
	r = reclaim_locked(nl, bridge, &first);
	if (r < 0)
		return r;
	if (r > 0)
		return log_error_errno(-EBUSY, "network '%s' is in use by container %s (%.12s)%s: remove it first",
				       network, first.name[0] ? first.name : "?", first.id, r > 1 ? " and others" : "");
	r = nft_network_remove(bridge);
	if (r < 0)
		return r;
	del_link(nl, bridge);
	char dir[512];
	net_dir(bridge, dir);
	r = fs_rm_rf(dir);
	if (r < 0 && r != -ENOENT)
		return log_error_errno(r, "Failed to remove '%s': %m", dir);
	return 0;
}
