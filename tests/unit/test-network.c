/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/network: --network modes, -p specs (forms, ranges, bad input), the ports' ps/JSON
 * forms, resolv.conf translation per mode, /etc/hosts text and --add-host validation. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/network/etcfiles.h"
#include "engine/network/network.h"
#include "lib/cleanup.h"
#include "tap.h"

static int mode_of(const char *s, enum net_mode *m, char **arg)
{
	free(*arg);
	*arg = NULL;
	return net_mode_parse(s, m, arg);
}

TEST(network_modes_parse_with_their_arguments)
{
	enum net_mode m;
	cleanup_free char *a = NULL;
	CHECK(mode_of("none", &m, &a) == 0 && m == NET_MODE_NONE && !a);
	CHECK(mode_of("host", &m, &a) == 0 && m == NET_MODE_HOST);
	CHECK(mode_of("pasta", &m, &a) == 0 && m == NET_MODE_PASTA && !a);
	CHECK(mode_of("pasta:--no-map-gw,-m,1500", &m, &a) == 0 && m == NET_MODE_PASTA);
	CHECK_STREQ(a, "--no-map-gw,-m,1500");
	CHECK(mode_of("slirp4netns:allow_host_loopback=true", &m, &a) == 0 && m == NET_MODE_SLIRP);
	CHECK(mode_of("bridge", &m, &a) == 0 && m == NET_MODE_BRIDGE && !a);
	CHECK(mode_of("bridge:backend", &m, &a) == 0 && m == NET_MODE_BRIDGE);
	CHECK_STREQ(a, "backend");
	CHECK(mode_of("mynet", &m, &a) == 0 && m == NET_MODE_BRIDGE);
	CHECK_STREQ(a, "mynet");
	CHECK(mode_of("container:web", &m, &a) == 0 && m == NET_MODE_CONTAINER);
	CHECK_STREQ(a, "web");
	CHECK(mode_of("ns:/run/netns/x", &m, &a) == 0 && m == NET_MODE_NS);
	CHECK(mode_of("container:", &m, &a) == -EINVAL);
	CHECK(mode_of("container", &m, &a) == -EINVAL);
	CHECK(mode_of("ns:relative", &m, &a) == -EINVAL);
	CHECK(mode_of("none:x", &m, &a) == -EINVAL);
	CHECK(mode_of("bogus:x", &m, &a) == -EINVAL);
	CHECK(mode_of("", &m, &a) == -EINVAL);
	CHECK(mode_of("hostile", &m, &a) == 0 && m == NET_MODE_BRIDGE); /* a network name, not "host" */
}

static int port(const char *s, struct net_port *p)
{
	const char *why = NULL;
	*p = (struct net_port){0};
	return net_port_parse(s, p, &why);
}

TEST(publish_specs_parse_every_form)
{
	struct net_port p;
	CHECK(port("80", &p) == 0 && p.ctr_port == 80 && p.host_port == 0 && p.count == 1 && !p.udp);
	CHECK(port("8080:80", &p) == 0 && p.host_port == 8080 && p.ctr_port == 80 && !p.host_ip[0]);
	CHECK(port("127.0.0.1:8080:80/udp", &p) == 0 && p.udp && p.host_port == 8080);
	CHECK_STREQ(p.host_ip, "127.0.0.1");
	CHECK(port("127.0.0.1::80", &p) == 0 && p.host_port == 0);
	CHECK(port("0.0.0.0:8080:80", &p) == 0 && !p.host_ip[0]);
	CHECK(port("[::1]:8080:80/tcp", &p) == 0 && p.host_port == 8080);
	CHECK_STREQ(p.host_ip, "::1");
	CHECK(port("8000-8002:80-82", &p) == 0 && p.host_port == 8000 && p.ctr_port == 80 && p.count == 3);
	CHECK(port("70000:80", &p) == -EINVAL);
	CHECK(port("0:80", &p) == -EINVAL);
	CHECK(port("8000-8001:80", &p) == -EINVAL);
	CHECK(port("80-81", &p) == -EINVAL);
	CHECK(port("8001-8000:80-79", &p) == -EINVAL);
	CHECK(port("80/sctp", &p) == -EINVAL);
	CHECK(port("1.2.3:80:80", &p) == -EINVAL);
	CHECK(port("::1:80:80", &p) == -EINVAL);
	CHECK(port("+80", &p) == -EINVAL);
	CHECK(port("a:b:c:d", &p) == -EINVAL);
}

TEST(ports_format_like_podman_and_round_trip_json)
{
	struct net_port v[3];
	CHECK(port("127.0.0.1:8080:80", &v[0]) == 0);
	CHECK(port("9000-9001:90-91/udp", &v[1]) == 0);
	CHECK(port("[::1]:8443:443", &v[2]) == 0);
	cleanup_free char *s = net_ports_format(v, 3);
	CHECK_STREQ(s, "127.0.0.1:8080->80/tcp, 0.0.0.0:9000-9001->90-91/udp, [::1]:8443->443/tcp");
	json_object *j = net_ports_to_json(v, 3);
	struct net_port *back = NULL;
	size_t n = 0;
	CHECK(net_ports_from_json(j, &back, &n) == 0 && n == 3);
	CHECK(memcmp(back, v, sizeof(v)) == 0);
	free(back);
	json_object_put(j);
	struct net_port r = {.ctr_port = 80, .count = 1};
	CHECK(net_ports_pick_random(&r, 1) == 0 && r.host_port > 0);
}

static const char host_resolv[] = "# from the host\n"
				  "nameserver 127.0.0.53\n"
				  "nameserver 192.0.2.53\n"
				  "search corp.test\n"
				  "options edns0 trust-ad\n";

TEST(resolv_conf_translates_loopback_resolvers_per_mode)
{
	bool fwd;
	cleanup_free char *pasta = net_resolv_conf(host_resolv, NET_MODE_PASTA, NULL, NULL, NULL, &fwd);
	CHECK_STREQ(pasta, "search corp.test\nnameserver " NET_PASTA_DNS "\nnameserver 192.0.2.53\noptions edns0 trust-ad\n");
	CHECK(fwd);
	cleanup_free char *slirp = net_resolv_conf(host_resolv, NET_MODE_SLIRP, NULL, NULL, NULL, &fwd);
	CHECK_CONTAINS(slirp, "nameserver " NET_SLIRP_DNS "\nnameserver 192.0.2.53\n");
	CHECK(!fwd);
	cleanup_free char *bridge = net_resolv_conf(host_resolv, NET_MODE_BRIDGE, NULL, NULL, NULL, &fwd);
	CHECK_STREQ(bridge, "search corp.test\nnameserver 192.0.2.53\noptions edns0 trust-ad\n");
	cleanup_free char *only_lo = net_resolv_conf("nameserver 127.0.0.53\n", NET_MODE_BRIDGE, NULL, NULL, NULL, &fwd);
	CHECK_CONTAINS(only_lo, "use --dns");
	CHECK(!strstr(only_lo, "nameserver"));
	cleanup_free char *none = net_resolv_conf(host_resolv, NET_MODE_NONE, NULL, NULL, NULL, &fwd);
	CHECK_CONTAINS(none, "nameserver 127.0.0.53\nnameserver 192.0.2.53\n");
	char *dns[] = {"198.51.100.1", NULL}, *search[] = {"a.test", "b.test", NULL}, *opts[] = {"ndots:2", NULL};
	cleanup_free char *given = net_resolv_conf(host_resolv, NET_MODE_PASTA, dns, search, opts, &fwd);
	CHECK_STREQ(given, "search a.test b.test\nnameserver 198.51.100.1\noptions ndots:2\n");
	CHECK(!fwd);
	char *dot[] = {".", NULL};
	cleanup_free char *cleared = net_resolv_conf(host_resolv, NET_MODE_NONE, NULL, dot, NULL, &fwd);
	CHECK(!strstr(cleared, "search"));
}

TEST(hosts_text_and_add_host)
{
	const char *why;
	CHECK(net_add_host_valid("db:192.0.2.1", &why));
	CHECK(net_add_host_valid("v6:2001:db8::1", &why));
	CHECK(net_add_host_valid("gw:host-gateway", &why));
	CHECK(!net_add_host_valid("db", &why));
	CHECK(!net_add_host_valid(":1.2.3.4", &why));
	CHECK(!net_add_host_valid("db:300.1.1.1", &why));
	CHECK(!net_add_host_valid("a b:1.2.3.4", &why));
	char *add[] = {"db:192.0.2.1", "gw:host-gateway", NULL};
	cleanup_free char *h = net_hosts_text(NULL, "127.0.1.1", "h1", "n1", "10.89.0.1", add);
	CHECK_STREQ(h, "192.0.2.1\tdb\n10.89.0.1\tgw\n"
		       "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
		       "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n"
		       "127.0.1.1\th1 n1\n10.89.0.1\thost.containers.internal host.docker.internal\n");
	cleanup_free char *nohost = net_hosts_text("127.0.0.1 localhost", NULL, "h1", "n1", NULL, NULL);
	CHECK_STREQ(nohost, "127.0.0.1 localhost\n");
}

TAP_MAIN
