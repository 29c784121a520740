/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri network create|ls|rm|inspect|prune: named bridge networks (engine/network/netconf.h),
 * plus two low-level verbs that attach a network namespace made elsewhere (`ip netns add`,
 * `unshare --net`) to a network and detach it again: connect-netns, disconnect-netns. They
 * drive exactly what `run --network NAME` does (bridge.h) and serve debugging and tests. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/engine/cli.h"
#include "engine/container/record.h"
#include "engine/container/util.h"
#include "engine/network/bridge.h"
#include "engine/network/ipam.h"
#include "engine/network/netconf.h"
#include "engine/network/network.h"
#include "lib/cleanup.h"
#include "lib/log.h"

static void netconf_listp(struct netconf **p)
{
	free(*p);
}

/* Containers whose record asks for network name (configured, running or not). */
static int users_of(struct store *s, const struct netconf *c, char **ret_first)
{
	struct ctr_record **list = NULL;
	size_t n = 0;
	int r = ctr_list(s, &list, &n), users = 0;
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (!list[i]->net_settings)
			continue;
		cleanup_json struct json_object *o = json_tokener_parse(list[i]->net_settings);
		const char *mode = o ? ju_str(o, "mode") : NULL, *arg = o ? ju_str(o, "arg") : NULL;
		if (!mode || !STREQ(mode, "bridge"))
			continue;
		if ((arg && STREQ(arg, c->name)) || (!arg && c->is_default)) {
			if (users++ == 0 && ret_first)
				*ret_first = strdup(list[i]->name ? list[i]->name : list[i]->id);
		}
	}
	ctr_list_free(list, n);
	return users;
}

static int net_create(int argc, char **argv, struct store *s)
{
	static const struct cli_option opts[] = {
	    {"subnet", 0, true, 1},	 {"gateway", 0, true, 2},	   {"internal", 0, false, 3},
	    {"driver", 'd', true, 4}, {"host-loopback", 0, false, 5}, {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "network create", false};
	const char *v, *subnet = NULL, *gateway = NULL;
	unsigned flags = 0;
	int id;
	while ((id = cli_next(&p, &v)) > 0) {
		if (id == 1)
			subnet = v;
		else if (id == 2)
			gateway = v;
		else if (id == 3 && cli_bool_val(v))
			flags |= NETCONF_INTERNAL;
		else if (id == 5 && cli_bool_val(v))
			flags |= NETCONF_HOST_LOOPBACK;
		else if (id == 4 && !STREQ(v, "bridge"))
			return cli_usage_error("network create", "--driver '%s' is not supported (only bridge)", v);
	}
	if (id < 0)
		return EXIT_ENGINE;
	if (p.i + 1 != argc)
		return cli_usage_error("network create", "expected exactly one network name");
	if (geteuid() != 0) {
		log_error("network create: bridge networks need root; rootless containers use --network pasta or "
			  "slirp4netns");
		return EXIT_ENGINE;
	}
	struct netconf c;
	if (netconf_create(s->root, argv[p.i], subnet, gateway, flags, &c) < 0)
		return EXIT_ENGINE;
	printf("%s\n", c.name);
	return 0;
}

static int net_ls(int argc, char **argv, struct store *s)
{
	static const struct cli_option opts[] = {{"quiet", 'q', false, 1}, {"format", 0, true, 2}, {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "network ls", false};
	const char *v, *format = NULL;
	bool quiet = false;
	int id;
	while ((id = cli_next(&p, &v)) > 0) {
		if (id == 1)
			quiet = cli_bool_val(v);
		else
			format = v;
	}
	if (id < 0)
		return EXIT_ENGINE;
	if (p.i != argc)
		return cli_usage_error("network ls", "no arguments expected");
	if (format && !STREQ(format, "json") && !STREQ(format, "table"))
		return cli_usage_error("network ls", "--format must be json or table");
	CLEANUP(netconf_listp) struct netconf *all = NULL;
	size_t n;
	if (netconf_list(s->root, &all, &n) < 0)
		return EXIT_ENGINE;
	cleanup_json struct json_object *arr = json_object_new_array();
	if (!quiet && !format)
		printf("%-20s %-8s %-15s %-18s %-15s %s\n", "NAME", "DRIVER", "BRIDGE", "SUBNET", "GATEWAY",
		       "INTERNAL");
	for (size_t i = 0; i < n; i++) {
		if (quiet)
			printf("%s\n", all[i].name);
		else if (format && STREQ(format, "json")) {
			cleanup_free char *j = netconf_to_json(&all[i]);
			json_object_array_add(arr, j ? json_tokener_parse(j) : NULL);
		} else
			printf("%-20s %-8s %-15s %-18s %-15s %s\n", all[i].name, "bridge", all[i].bridge, all[i].subnet,
			       all[i].gateway, all[i].internal ? "true" : "false");
	}
	if (!quiet && format && STREQ(format, "json"))
		printf("%s\n",
		       json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

static struct json_object *inspect_one(const struct netconf *c)
{
	cleanup_free char *j = netconf_to_json(c);
	struct json_object *o = j ? json_tokener_parse(j) : NULL;
	if (!o)
		return NULL;
	char dir[512];
	bridge_state_dir(c->bridge, dir);
	struct json_object *ctrs = ju_obj(o, "containers");
	struct ipam_leases l = {0};
	if (geteuid() == 0 && access(dir, F_OK) == 0) {
		cleanup_close int lock = ipam_lock(dir);
		if (lock >= 0 && ipam_load(dir, &l) == 0)
			for (size_t i = 0; i < l.n; i++) {
				struct json_object *e = ju_obj(ctrs, l.v[i].id);
				ju_add_str(e, "name", l.v[i].name);
				ju_add_str(e, "ip", l.v[i].ip);
				ju_add_str(e, "mac", l.v[i].mac);
			}
		ipam_leases_free(&l);
	}
	return o;
}

static int net_inspect(int argc, char **argv, struct store *s)
{
	if (argc < 2)
		return cli_usage_error("network inspect", "expected at least one network name");
	cleanup_json struct json_object *arr = json_object_new_array();
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		struct netconf c;
		if (netconf_load(s->root, argv[i], &c) < 0) {
			rc = EXIT_ENGINE;
			continue;
		}
		json_object_array_add(arr, inspect_one(&c));
	}
	printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	return rc;
}

/* Removes a network nobody uses; quiet: in use is not an error (prune). 1 when skipped. */
static int remove_one(struct store *s, const struct netconf *c, bool quiet)
{
	cleanup_free char *user = NULL;
	int n = users_of(s, c, &user);
	if (n < 0)
		return n;
	if (n > 0) {
		if (quiet)
			return 1;
		return log_error_errno(-EBUSY, "network '%s' is used by container %s%s: remove it first (kakuri rm)",
				       c->name, user ? user : "?", n > 1 ? " and others" : "");
	}
	if (quiet && geteuid() == 0 && bridge_reclaim(c->bridge) > 0)
		return 1;
	int r = bridge_network_teardown(c->name, c->bridge);
	if (r < 0)
		return r;
	return c->is_default ? 0 : netconf_remove(s->root, c->name);
}

static int net_rm(int argc, char **argv, struct store *s)
{
	if (argc < 2)
		return cli_usage_error("network rm", "expected at least one network name");
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		struct netconf c;
		if (netconf_load(s->root, argv[i], &c) < 0) {
			rc = EXIT_ENGINE;
			continue;
		}
		if (c.is_default) {
			log_error("the default network '%s' cannot be removed", c.name);
			rc = EXIT_ENGINE;
			continue;
		}
		if (remove_one(s, &c, false) < 0)
			rc = EXIT_ENGINE;
		else
			printf("%s\n", c.name);
	}
	return rc;
}

static int net_prune(int argc, char **argv, struct store *s)
{
	CLEANUP(netconf_listp) struct netconf *all = NULL;
	size_t n;
	for (int i = 1; i < argc; i++)
		if (!STREQ(argv[i], "-f") && !STREQ(argv[i], "--force"))
			return cli_usage_error("network prune", "unknown argument '%s'", argv[i]);
	if (netconf_list(s->root, &all, &n) < 0)
		return EXIT_ENGINE;
	int rc = 0;
	for (size_t i = 1; i < n; i++) {
		int r = remove_one(s, &all[i], true);
		if (r < 0)
			rc = EXIT_ENGINE;
		else if (r == 0)
			printf("%s\n", all[i].name);
	}
	return rc;
}

static int net_connect_netns(int argc, char **argv, struct store *s)
{
	static const struct cli_option opts[] = {{"ip", 0, true, 1},	    {"mac-address", 0, true, 2},
						 {"publish", 'p', true, 3}, {"hosts", 0, true, 4},
						 {"name", 0, true, 5},	    {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "network connect-netns", false};
	const char *v;
	struct bridge_request req = {.netns_fd = -EBADF, .no_reclaim = true};
	struct net_port ports[16];
	int id;
	while ((id = cli_next(&p, &v)) > 0) {
		const char *why = NULL;
		if (id == 1)
			req.ip = v;
		else if (id == 2)
			req.mac = v;
		else if (id == 3) {
			if (req.n_ports == ELEMENTSOF(ports))
				return cli_usage_error("network connect-netns", "at most %zu -p", ELEMENTSOF(ports));
			if (net_port_parse(v, &ports[req.n_ports], &why) < 0)
				return cli_usage_error("network connect-netns", "-p '%s': %s", v,
						       why ? why : "invalid");
			req.n_ports++;
		} else if (id == 4)
			req.hosts_path = v;
		else
			req.ctr_name = v;
	}
	if (id < 0)
		return EXIT_ENGINE;
	if (p.i + 3 != argc)
		return cli_usage_error("network connect-netns", "expected NETWORK NETNS_PATH ID");
	req.network = argv[p.i];
	req.ctr_id = argv[p.i + 2];
	req.ports = ports;
	cleanup_close int fd = open(argv[p.i + 1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_error_errno(-errno, "Failed to open network namespace '%s': %m", argv[p.i + 1]);
		return EXIT_ENGINE;
	}
	req.netns_fd = fd;
	struct bridge_attachment a;
	if (bridge_attach(s->root, &req, &a) < 0)
		return EXIT_ENGINE;
	cleanup_json struct json_object *o = json_object_new_object();
	ju_add_str(o, "network", a.network);
	ju_add_str(o, "bridge", a.bridge);
	ju_add_str(o, "host_veth", a.host_veth);
	ju_add_str(o, "ip", a.ip);
	ju_add_str(o, "gateway", a.gateway);
	ju_add_str(o, "mac", a.mac);
	json_object_object_add(o, "prefix_len", json_object_new_int((int)a.prefix_len));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

static int net_disconnect_netns(int argc, char **argv, struct store *s)
{
	if (argc != 3)
		return cli_usage_error("network disconnect-netns", "expected NETWORK ID");
	struct netconf c;
	if (netconf_load(s->root, argv[1], &c) < 0)
		return EXIT_ENGINE;
	struct bridge_attachment a = {0};
	snprintf(a.network, sizeof(a.network), "%s", c.name);
	snprintf(a.bridge, sizeof(a.bridge), "%s", c.bridge);
	return bridge_detach(s->root, argv[2], &a) < 0 ? EXIT_ENGINE : 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: kakuri network COMMAND\n\n"
		   "  create [--subnet CIDR] [--gateway IP] [--internal] [--host-loopback] NAME\n"
		   "  ls [-q] [--format json]\n"
		   "  inspect NAME...\n"
		   "  rm NAME...                  refused while a container uses the network\n"
		   "  prune [-f]                  removes every unused network but the default\n"
		   "  connect-netns [--ip IP] [--mac-address MAC] [-p SPEC]... [--hosts FILE] [--name N]\n"
		   "                NETWORK NETNS_PATH ID      attach a network namespace made elsewhere\n"
		   "  disconnect-netns NETWORK ID\n");
}

int verb_network(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **, struct store *);
	} subs[] = {{"create", net_create},
		    {"ls", net_ls},
		    {"list", net_ls},
		    {"inspect", net_inspect},
		    {"rm", net_rm},
		    {"remove", net_rm},
		    {"prune", net_prune},
		    {"connect-netns", net_connect_netns},
		    {"disconnect-netns", net_disconnect_netns}};
	if (argc < 2 || STREQ(argv[1], "--help") || STREQ(argv[1], "-h") || STREQ(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_ENGINE : 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(subs); i++)
		if (STREQ(argv[1], subs[i].name)) {
			cleanup_store struct store *s = NULL;
			if (cli_open_store(&s) < 0)
				return EXIT_ENGINE;
			return subs[i].fn(argc - 1, argv + 1, s);
		}
	log_error("network: unknown command '%s' (see 'kakuri network --help')", argv[1]);
	return EXIT_ENGINE;
}
