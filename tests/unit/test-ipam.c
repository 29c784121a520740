/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/network/ipam: subnet parsing, allocation order, --ip conflicts, release,
 * persistence across processes (the lease file), stale-lease reclaim; netconf names and
 * subnets; the nft scripts for ports. No root needed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/network/ipam.h"
#include "engine/network/netconf.h"
#include "engine/network/nft.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "tap.h"

static char *tmpdir(void)
{
	char t[] = "/tmp/kk-ipam-XXXXXX";
	char *d = mkdtemp(t);
	return d ? strdup(d) : NULL;
}

static struct ipam_pool pool24(void)
{
	struct ipam_pool p = {"testnet", 0, 24, 0};
	(void)ipam_parse_ip4("10.77.0.0", &p.net);
	p.gateway = p.net + 1;
	return p;
}

static int alloc(const char *dir, const struct ipam_pool *p, const char *id, const char *ip, char out[16])
{
	struct ipam_lease want = {0}, got = {0};
	snprintf(want.id, sizeof(want.id), "%s", id);
	snprintf(want.name, sizeof(want.name), "name-%s", id);
	snprintf(want.ip, sizeof(want.ip), "%s", ip ? ip : "");
	int r = ipam_allocate(dir, p, &want, NULL, NULL, &got, NULL);
	if (r == 0 && out)
		memcpy(out, got.ip, 16);
	free(got.hosts);
	free(got.store);
	return r;
}

TEST(cidr_parsing_accepts_networks_and_names_bad_input)
{
	uint32_t net;
	unsigned pl;
	CHECK(ipam_parse_cidr("--subnet", "10.89.0.0/24", &net, &pl) == 0);
	CHECK(net == 0x0a590000 && pl == 24);
	CHECK(ipam_parse_cidr("--subnet", "172.16.0.0/12", &net, &pl) == 0 && pl == 12);
	log_set_capture(true);
	CHECK(ipam_parse_cidr("--subnet", "10.89.0.1/24", &net, &pl) == -EINVAL);
	CHECK_CONTAINS(log_captured(), "host bits set (did you mean 10.89.0.0/24?)");
	CHECK(ipam_parse_cidr("--subnet", "10.89.0.0/31", &net, &pl) == -EINVAL);
	CHECK_CONTAINS(log_captured(), "between 8 and 30");
	CHECK(ipam_parse_cidr("--subnet", "10.89.0.0", &net, &pl) == -EINVAL);
	CHECK_CONTAINS(log_captured(), "'10.89.0.0'");
	CHECK(ipam_parse_cidr("--subnet", "10.89.0.0/", &net, &pl) == -EINVAL);
	CHECK(ipam_parse_cidr("--subnet", "10.89.0.0/24x", &net, &pl) == -EINVAL);
	CHECK(ipam_parse_cidr("--subnet", "300.1.1.0/24", &net, &pl) == -EINVAL);
	CHECK(ipam_parse_cidr("--subnet", "fd00::/64", &net, &pl) == -EINVAL);
	log_set_capture(false);
	CHECK(ipam_overlap(0x0a590000, 24, 0x0a590080, 25));
	CHECK(!ipam_overlap(0x0a590000, 24, 0x0a590100, 24));
	CHECK(ipam_host_ok(0x0a590001, 0x0a590000, 24));
	CHECK(!ipam_host_ok(0x0a590000, 0x0a590000, 24));
	CHECK(!ipam_host_ok(0x0a5900ff, 0x0a590000, 24));
}

TEST(allocation_is_lowest_free_and_skips_the_gateway)
{
	char *d = tmpdir();
	struct ipam_pool p = pool24();
	char ip[16];
	CHECK(alloc(d, &p, "a", NULL, ip) == 0);
	CHECK_STREQ(ip, "10.77.0.2");
	CHECK(alloc(d, &p, "b", NULL, ip) == 0);
	CHECK_STREQ(ip, "10.77.0.3");
	CHECK(alloc(d, &p, "c", NULL, ip) == 0);
	CHECK_STREQ(ip, "10.77.0.4");
	CHECK(ipam_release(d, "b", NULL) == 0);
	CHECK(alloc(d, &p, "d", NULL, ip) == 0);
	CHECK_STREQ(ip, "10.77.0.3"); /* the hole is reused */
	/* A gateway in the middle is skipped; .1 is then free for containers. */
	p.gateway = p.net + 5;
	CHECK(alloc(d, &p, "e", NULL, ip) == 0);
	CHECK_STREQ(ip, "10.77.0.1");
	CHECK(alloc(d, &p, "f", NULL, ip) == 0);
	CHECK_STREQ(ip, "10.77.0.6");
	fs_rm_rf(d);
	free(d);
}

TEST(requested_ip_conflicts_and_range_errors_name_address_and_subnet)
{
	char *d = tmpdir();
	struct ipam_pool p = pool24();
	char ip[16];
	CHECK(alloc(d, &p, "a", "10.77.0.50", ip) == 0);
	CHECK_STREQ(ip, "10.77.0.50");
	log_set_capture(true);
	CHECK(alloc(d, &p, "b", "10.77.0.50", ip) == -EADDRINUSE);
	CHECK_CONTAINS(log_captured(), "--ip 10.77.0.50 is already in use on network 'testnet' (subnet 10.77.0.0/24)");
	CHECK_CONTAINS(log_captured(), "name-a");
	CHECK(alloc(d, &p, "b", "10.78.0.5", ip) == -EINVAL);
	CHECK_CONTAINS(log_captured(),
		       "--ip 10.78.0.5 is not a usable address in subnet 10.77.0.0/24 of network 'testnet'");
	CHECK(alloc(d, &p, "b", "10.77.0.255", ip) == -EINVAL);
	CHECK(alloc(d, &p, "b", "10.77.0.1", ip) == -EADDRINUSE);
	CHECK_CONTAINS(log_captured(), "gateway");
	CHECK(alloc(d, &p, "b", "nonsense", ip) == -EINVAL);
	CHECK_CONTAINS(log_captured(), "'nonsense'");
	log_set_capture(false);
	/* Nothing was left by the failures: b gets the lowest free address. */
	CHECK(alloc(d, &p, "b", NULL, ip) == 0);
	CHECK_STREQ(ip, "10.77.0.2");
	fs_rm_rf(d);
	free(d);
}

TEST(leases_persist_in_the_file_and_release_is_idempotent)
{
	char *d = tmpdir();
	struct ipam_pool p = pool24();
	struct ipam_lease want = {0}, got = {0};
	snprintf(want.id, sizeof(want.id), "ctr1");
	snprintf(want.name, sizeof(want.name), "web");
	snprintf(want.mac, sizeof(want.mac), "02:00:00:00:00:01");
	want.hosts = (char *)"/x/hosts";
	want.store = (char *)"/x/store";
	want.n_ports = 2;
	CHECK(ipam_allocate(d, &p, &want, NULL, NULL, &got, NULL) == 0);
	CHECK_STREQ(got.hosts, "/x/hosts");
	free(got.hosts);
	free(got.store);
	struct ipam_leases l = {0};
	CHECK(ipam_load(d, &l) == 0);
	CHECK(l.n == 1);
	if (l.n == 1) {
		CHECK_STREQ(l.v[0].id, "ctr1");
		CHECK_STREQ(l.v[0].name, "web");
		CHECK_STREQ(l.v[0].ip, "10.77.0.2");
		CHECK_STREQ(l.v[0].mac, "02:00:00:00:00:01");
		CHECK_STREQ(l.v[0].store, "/x/store");
		CHECK(l.v[0].n_ports == 2);
	}
	ipam_leases_free(&l);
	/* The same id again replaces its lease instead of taking a second address. */
	CHECK(ipam_allocate(d, &p, &want, NULL, NULL, &got, NULL) == 0);
	CHECK_STREQ(got.ip, "10.77.0.2");
	free(got.hosts);
	free(got.store);
	struct ipam_leases old = {0};
	CHECK(ipam_release(d, "ctr1", &old) == 0);
	CHECK(old.n == 1 && old.v[0].n_ports == 2);
	ipam_leases_free(&old);
	CHECK(ipam_release(d, "ctr1", &old) == 0);
	CHECK(old.n == 0);
	CHECK(ipam_load(d, &l) == 0 && l.n == 0);
	ipam_leases_free(&l);
	fs_rm_rf(d);
	free(d);
}

TEST(leases_from_another_boot_are_dropped)
{
	char *d = tmpdir(), path[256];
	snprintf(path, sizeof(path), "%s/leases.json", d);
	const char *j = "{\"boot_id\":\"not-this-boot\",\"leases\":[{\"id\":\"x\",\"ip\":\"10.77.0.2\"}]}";
	CHECK(fs_write_atomic(path, j, strlen(j), 0600) == 0);
	struct ipam_leases l = {0};
	CHECK(ipam_load(d, &l) == 0);
	CHECK(l.n == 0);
	fs_rm_rf(d);
	free(d);
}

static bool alive_unless_dead(const struct ipam_lease *l, void *userdata)
{
	return !STREQ(l->id, (const char *)userdata);
}

TEST(stale_leases_are_reclaimed_and_returned)
{
	char *d = tmpdir();
	struct ipam_pool p = pool24();
	CHECK(alloc(d, &p, "gone", NULL, NULL) == 0);
	CHECK(alloc(d, &p, "here", NULL, NULL) == 0);
	struct ipam_lease want = {0}, got = {0};
	struct ipam_leases dead = {0};
	snprintf(want.id, sizeof(want.id), "new");
	CHECK(ipam_allocate(d, &p, &want, alive_unless_dead, (void *)"gone", &got, &dead) == 0);
	CHECK_STREQ(got.ip, "10.77.0.2"); /* the dead one's address */
	CHECK(dead.n == 1 && STREQ(dead.v[0].id, "gone"));
	ipam_leases_free(&dead);
	free(got.hosts);
	free(got.store);
	fs_rm_rf(d);
	free(d);
}

TEST(a_full_subnet_is_enospc)
{
	char *d = tmpdir();
	struct ipam_pool p = {"tiny", 0, 30, 0};
	(void)ipam_parse_ip4("10.77.0.0", &p.net);
	p.gateway = p.net + 1;
	char ip[16];
	CHECK(alloc(d, &p, "a", NULL, ip) == 0);
	CHECK_STREQ(ip, "10.77.0.2");
	log_set_capture(true);
	CHECK(alloc(d, &p, "b", NULL, ip) == -ENOSPC);
	CHECK_CONTAINS(log_captured(), "No free address left in subnet 10.77.0.0/30 of network 'tiny'");
	log_set_capture(false);
	fs_rm_rf(d);
	free(d);
}

TEST(netconf_names_subnets_overlap_and_default)
{
	char *d = tmpdir();
	struct netconf c;
	CHECK(netconf_name_valid("web-1.x_y"));
	CHECK(!netconf_name_valid("host"));
	CHECK(!netconf_name_valid("-x"));
	CHECK(!netconf_name_valid("a/b"));
	CHECK(!netconf_name_valid(""));
	CHECK(netconf_load(d, NULL, &c) == 0);
	CHECK(c.is_default);
	CHECK_STREQ(c.bridge, "kakuri0");
	CHECK_STREQ(c.subnet, "10.89.0.0/24");
	CHECK_STREQ(c.gateway, "10.89.0.1");
	CHECK(netconf_create(d, "one", NULL, NULL, false, &c) == 0);
	CHECK_STREQ(c.subnet, "10.89.1.0/24"); /* the default's is taken */
	CHECK_STREQ(c.bridge, "kk-one");
	CHECK(netconf_create(d, "averyveryverylongname", "192.168.77.0/24", "192.168.77.254", true, &c) == 0);
	CHECK(strlen(c.bridge) < 16 && strncmp(c.bridge, "kk", 2) == 0);
	CHECK_STREQ(c.gateway, "192.168.77.254");
	log_set_capture(true);
	CHECK(netconf_create(d, "two", "10.89.1.128/25", NULL, false, &c) == -EEXIST);
	CHECK_CONTAINS(log_captured(), "overlaps subnet 10.89.1.0/24 of network 'one'");
	CHECK(netconf_create(d, "one", "10.50.0.0/24", NULL, false, &c) == -EEXIST);
	CHECK(netconf_create(d, "three", "10.51.0.0/24", "10.52.0.1", false, &c) == -EINVAL);
	CHECK_CONTAINS(log_captured(), "--gateway 10.52.0.1 is not a usable address in subnet 10.51.0.0/24");
	CHECK(netconf_create(d, "bridge", NULL, NULL, false, &c) == -EINVAL);
	CHECK(netconf_load(d, "nope", &c) == -ENOENT);
	CHECK_CONTAINS(log_captured(), "network 'nope' not found");
	CHECK(netconf_remove(d, "kakuri") == -EPERM);
	log_set_capture(false);
	struct netconf *all = NULL;
	size_t n = 0;
	CHECK(netconf_list(d, &all, &n) == 0);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_STREQ(all[0].name, "kakuri");
		CHECK_STREQ(all[1].name, "averyveryverylongname");
		CHECK_STREQ(all[2].name, "one");
		CHECK(all[1].internal);
	}
	free(all);
	CHECK(netconf_load(d, "one", &c) == 0 && STREQ(c.subnet, "10.89.1.0/24"));
	CHECK(netconf_remove(d, "one") == 0);
	log_set_capture(true);
	CHECK(netconf_load(d, "one", &c) == -ENOENT);
	log_set_capture(false);
	fs_rm_rf(d);
	free(d);
}

TEST(port_rules_are_tagged_per_container)
{
	struct net_port ports[3] = {
	    {"127.0.0.1", 18080, 80, 1, false},
	    {"", 5000, 5000, 3, true},
	    {"", 7000, 80, 2, false},
	};
	char *s = NULL;
	CHECK(nft_ports_script("abc", "10.89.0.2", ports, 3, &s) == 0);
	CHECK_CONTAINS(s, "ip daddr 127.0.0.1 tcp dport 18080 dnat ip to 10.89.0.2:80 comment \"kakuri:ctr:abc\"");
	CHECK_CONTAINS(s, "udp dport 5000-5002 dnat ip to 10.89.0.2 comment");
	CHECK_CONTAINS(s, "tcp dport 7001 dnat ip to 10.89.0.2:81 comment");
	free(s);
	struct net_port v6 = {"::1", 8080, 80, 1, false};
	log_set_capture(true);
	CHECK(nft_ports_script("abc", "10.89.0.2", &v6, 1, &s) == -EINVAL);
	CHECK_CONTAINS(log_captured(), "IPv6 host addresses are not supported");
	log_set_capture(false);
	char *n = nft_network_script("kk-x", "10.9.0.0/24", true, "");
	CHECK_CONTAINS(n, "iifname \"kk-x\" ip daddr 127.0.0.0/8 drop");
	CHECK(strstr(n, "masquerade comment \"kakuri:net:kk-x\"") != NULL);
	CHECK(strstr(n, "oifname != \"kk-x\" ip saddr 10.9.0.0/24 masquerade") == NULL); /* internal */
	free(n);
}

TAP_MAIN
