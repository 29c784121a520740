/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/network/netconf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "engine/container/util.h"
#include "engine/network/ipam.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

bool netconf_name_valid(const char *name)
{
	static const char *const reserved[] = {"none", "host", "bridge", "pasta", "slirp4netns", "private", "default"};
	size_t n = strlen(name);
	if (n == 0 || n > 63 || !isalnum((unsigned char)name[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			return false;
	for (size_t i = 0; i < ELEMENTSOF(reserved); i++)
		if (STREQ(name, reserved[i]))
			return false;
	return true;
}

static void bridge_name_for(const char *name, char ret[16])
{
	if (strlen(name) <= 12) {
		snprintf(ret, 16, "kk-%s", name);
		return;
	}
	uint32_t h = 2166136261u; /* FNV-1a: stable, and short names never collide with it */
	for (const char *p = name; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	snprintf(ret, 16, "kk%08x", h);
}

static int fill_addrs(struct netconf *c, const char *subnet, const char *gateway)
{
	int r = ipam_parse_cidr("--subnet", subnet, &c->net, &c->prefix);
	if (r < 0)
		return r;
	snprintf(c->subnet, sizeof(c->subnet), "%s", subnet);
	if (gateway) {
		if (ipam_parse_ip4(gateway, &c->gw) < 0)
			return log_error_errno(-EINVAL, "--gateway '%s' is not an IPv4 address", gateway);
		if (!ipam_host_ok(c->gw, c->net, c->prefix))
			return log_error_errno(-EINVAL, "--gateway %s is not a usable address in subnet %s", gateway,
					       subnet);
	} else {
		c->gw = c->net + 1;
	}
	ipam_fmt_ip4(c->gw, c->gateway);
	return 0;
}

static int default_conf(struct netconf *ret)
{
	struct netconf c = {.is_default = true};
	snprintf(c.name, sizeof(c.name), "%s", NETCONF_DEFAULT_NAME);
	snprintf(c.bridge, sizeof(c.bridge), "%s", NETCONF_DEFAULT_BRIDGE);
	int r = fill_addrs(&c, NETCONF_DEFAULT_SUBNET, NULL);
	if (r < 0)
		return r;
	*ret = c;
	return 0;
}

static char *conf_path(const char *store_root, const char *name)
{
	char *p;
	if (asprintf(&p, "%s/networks/%s%s", store_root, name ? name : "", name ? "/network.json" : "") < 0)
		return NULL;
	return p;
}

static int parse_conf(const char *path, struct netconf *ret)
{
	cleanup_free char *text = NULL;
	int r = fs_read_file_at(AT_FDCWD, path, 1 << 20, &text, NULL);
	if (r < 0)
		return r;
	cleanup_json struct json_object *o = json_tokener_parse(text);
	const char *name = o ? ju_str(o, "name") : NULL, *bridge = o ? ju_str(o, "bridge") : NULL;
	if (!name || !bridge || strlen(bridge) > 15 || !ju_str(o, "subnet"))
		return log_error_errno(-EINVAL, "'%s' is not a valid network definition", path);
	struct netconf c = {0};
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.bridge, sizeof(c.bridge), "%s", bridge);
	r = fill_addrs(&c, ju_str(o, "subnet"), ju_str(o, "gateway"));
	if (r < 0)
		return log_error_errno(r, "'%s' is not a valid network definition", path);
	c.internal = ju_bool(o, "internal");
	c.host_loopback = ju_bool(o, "host_loopback");
	c.created = ju_int64(o, "created");
	*ret = c;
	return 0;
}

int netconf_load(const char *store_root, const char *name, struct netconf *ret)
{
	if (!name || STREQ(name, NETCONF_DEFAULT_NAME))
		return default_conf(ret);
	if (!netconf_name_valid(name))
		return log_error_errno(-ENOENT, "network '%s' not found", name);
	cleanup_free char *p = conf_path(store_root, name);
	if (!p)
		return -ENOMEM;
	int r = parse_conf(p, ret);
	if (r == -ENOENT)
		return log_error_errno(r, "network '%s' not found (see 'kakuri network ls')", name);
	if (r < 0)
		return log_error_errno(r, "Failed to read network '%s' (%s): %m", name, p);
	return 0;
}

static int lock_networks(const char *store_root)
{
	cleanup_free char *dir = conf_path(store_root, NULL), *p = NULL;
	if (!dir)
		return -ENOMEM;
	int r = fs_mkdir_p(dir, 0700);
	if (r < 0)
		return log_error_errno(r, "Failed to create '%s': %m", dir);
	if (asprintf(&p, "%s/networks.lock", dir) < 0)
		return -ENOMEM;
	cleanup_close int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return log_error_errno(-errno, "Failed to open '%s': %m", p);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return log_error_errno(-errno, "Failed to lock '%s': %m", p);
	return TAKE_FD(fd);
}

int netconf_list(const char *store_root, struct netconf **ret, size_t *ret_n)
{
	size_t n = 1, cap = 8;
	cleanup_free struct netconf *v = calloc(cap, sizeof(*v));
	if (!v)
		return -ENOMEM;
	int r = default_conf(&v[0]);
	if (r < 0)
		return r;
	cleanup_free char *dir = conf_path(store_root, NULL);
	if (!dir)
		return -ENOMEM;
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.' || !netconf_name_valid(de->d_name))
				continue;
			cleanup_free char *p = conf_path(store_root, de->d_name);
			if (!p)
				continue;
			if (n == cap) {
				struct netconf *nv = realloc(v, (cap *= 2) * sizeof(*v));
				if (!nv) {
					closedir(d);
					return -ENOMEM;
				}
				v = nv;
			}
			if (parse_conf(p, &v[n]) == 0)
				n++;
		}
		closedir(d);
	}
	/* Sorted by name after the default, for stable `network ls` output. */
	for (size_t i = 2; i < n; i++)
		for (size_t j = i; j > 1 && strcmp(v[j - 1].name, v[j].name) > 0; j--) {
			struct netconf t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*ret = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

int netconf_create(const char *store_root, const char *name, const char *subnet, const char *gateway, unsigned flags,
		   struct netconf *ret)
{
	if (!netconf_name_valid(name))
		return log_error_errno(
		    -EINVAL,
		    "invalid network name '%s': use [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 63 characters, not "
		    "none/host/bridge/pasta/slirp4netns/private/default",
		    name);
	if (STREQ(name, NETCONF_DEFAULT_NAME))
		return log_error_errno(-EEXIST, "network '%s' already exists (it is the default network)", name);
	if (!subnet && gateway)
		return log_error_errno(-EINVAL, "--gateway needs --subnet");
	cleanup_close int lock = lock_networks(store_root);
	if (lock < 0)
		return lock;
	cleanup_free struct netconf *all = NULL;
	size_t n = 0;
	int r = netconf_list(store_root, &all, &n);
	if (r < 0)
		return log_error_errno(r, "Failed to list networks: %m");
	struct netconf c = {0};
	snprintf(c.name, sizeof(c.name), "%s", name);
	bridge_name_for(name, c.bridge);
	c.internal = flags & NETCONF_INTERNAL;
	c.host_loopback = flags & NETCONF_HOST_LOOPBACK;
	if (c.internal && c.host_loopback)
		return log_error_errno(-EINVAL, "--host-loopback and --internal: an internal network does not reach the host");
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	c.created = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	char auto_subnet[32];
	if (!subnet) {
		for (unsigned k = 1; k < 256 && !subnet; k++) {
			snprintf(auto_subnet, sizeof(auto_subnet), "10.89.%u.0/24", k);
			uint32_t net = (10u << 24) | (89u << 16) | (k << 8);
			bool used = false;
			for (size_t i = 0; i < n; i++)
				used = used || ipam_overlap(net, 24, all[i].net, all[i].prefix);
			if (!used)
				subnet = auto_subnet;
		}
		if (!subnet)
			return log_error_errno(-ENOSPC, "No free subnet in 10.89.0.0/16 left; give one with --subnet");
	}
	r = fill_addrs(&c, subnet, gateway);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (STREQ(all[i].name, name))
			return log_error_errno(-EEXIST, "network '%s' already exists", name);
		if (STREQ(all[i].bridge, c.bridge))
			return log_error_errno(-EEXIST, "network '%s' would use bridge %s, which network '%s' uses",
					       name, c.bridge, all[i].name);
		if (ipam_overlap(c.net, c.prefix, all[i].net, all[i].prefix))
			return log_error_errno(-EEXIST, "--subnet %s overlaps subnet %s of network '%s'", c.subnet,
					       all[i].subnet, all[i].name);
	}
	cleanup_free char *p = conf_path(store_root, name), *dir = NULL;
	if (!p || asprintf(&dir, "%s/networks/%s", store_root, name) < 0)
		return -ENOMEM;
	r = fs_mkdir_p(dir, 0700);
	if (r < 0)
		return log_error_errno(r, "Failed to create '%s': %m", dir);
	cleanup_free char *json = netconf_to_json(&c);
	if (!json)
		return -ENOMEM;
	r = fs_write_atomic(p, json, strlen(json), 0600);
	if (r < 0) {
		(void)fs_rm_rf(dir);
		return log_error_errno(r, "Failed to write '%s': %m", p);
	}
	if (ret)
		*ret = c;
	return 0;
}

int netconf_remove(const char *store_root, const char *name)
{
	if (!name || STREQ(name, NETCONF_DEFAULT_NAME))
		return log_error_errno(-EPERM, "the default network '%s' cannot be removed", NETCONF_DEFAULT_NAME);
	if (!netconf_name_valid(name))
		return log_error_errno(-ENOENT, "network '%s' not found", name);
	cleanup_close int lock = lock_networks(store_root);
	if (lock < 0)
		return lock;
	cleanup_free char *dir = NULL;
	if (asprintf(&dir, "%s/networks/%s", store_root, name) < 0)
		return -ENOMEM;
	if (access(dir, F_OK) < 0)
		return log_error_errno(-ENOENT, "network '%s' not found", name);
	int r = fs_rm_rf(dir);
	if (r < 0)
		return log_error_errno(r, "Failed to remove '%s': %m", dir);
	return 0;
}

char *netconf_to_json(const struct netconf *c)
{
	cleanup_json struct json_object *o = json_object_new_object();
	char created[64] = "";
	ju_add_str(o, "name", c->name);
	ju_add_str(o, "driver", "bridge");
	ju_add_str(o, "bridge", c->bridge);
	ju_add_str(o, "subnet", c->subnet);
	ju_add_str(o, "gateway", c->gateway);
	json_object_object_add(o, "internal", json_object_new_boolean(c->internal));
	json_object_object_add(o, "host_loopback", json_object_new_boolean(c->host_loopback));
	json_object_object_add(o, "default", json_object_new_boolean(c->is_default));
	json_object_object_add(o, "created", json_object_new_int64(c->created));
	if (c->created) {
		cu_fmt_rfc3339(c->created, created);
		ju_add_str(o, "created_at", created);
	}
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	return s ? strdup(s) : NULL;
}
