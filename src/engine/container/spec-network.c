/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Networking decisions at create and the network steps of a start (spec-network.h). */
#include "spec-network.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/container/spec-internal.h"
#include "engine/container/util.h"
#include "engine/network/etcfiles.h"
#include "engine/network/netconf.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

#define OOM() log_error_errno(-ENOMEM, "Out of memory")

void ctr_net_clear(struct ctr_net *n)
{
	free(n->arg);
	free(n->ports);
	*n = (struct ctr_net){0};
}

static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	cleanup_strv char **dirs = cu_strv_split(path && *path ? path : ENGINE_CONFIG_DEFAULT_PATH, ':');
	for (size_t i = 0; dirs && dirs[i]; i++) {
		cleanup_free char *p = NULL;
		if (*dirs[i] && asprintf(&p, "%s/%s", dirs[i], prog) >= 0 && access(p, X_OK) == 0)
			return true;
	}
	return false;
}

/* slirp4netns:OPTS as podman spells them. */
static int slirp_opts_check(const char *arg)
{
	cleanup_strv char **opts = arg ? cu_strv_split(arg, ',') : NULL;
	for (size_t i = 0; opts && opts[i]; i++) {
		const char *o = opts[i];
		if (STREQ(o, "allow_host_loopback=true") || STREQ(o, "allow_host_loopback=false") ||
		    STREQ(o, "enable_ipv6=true") || STREQ(o, "enable_ipv6=false") || STREQ(o, "port_handler=slirp4netns"))
			continue;
		if (strncmp(o, "mtu=", 4) == 0) {
			char *end;
			long v = strtol(o + 4, &end, 10);
			if (end != o + 4 && !*end && v >= 68 && v <= 65521)
				continue;
		}
		return log_error_errno(-EINVAL,
				       "--network slirp4netns: unsupported option '%s' (supported: allow_host_loopback=true|false, "
				       "mtu=N, enable_ipv6=true|false, port_handler=slirp4netns)",
				       o);
	}
	return 0;
}

static int decide_mode(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, struct ctr_net *n)
{
	const char *spec = o->network, *what = "--network";
	bool implicit = false;
	if (!spec && ctx->cfg->netns && *ctx->cfg->netns && !STREQ(ctx->cfg->netns, "private")) {
		spec = ctx->cfg->netns;
		what = "containers.conf [containers] netns";
	}
	if (!spec || STREQ(spec, "private") || STREQ(spec, "default")) {
		implicit = true;
		if (ctx->rootless) {
			spec = ctx->cfg->rootless_network_cmd ? ctx->cfg->rootless_network_cmd : "pasta";
			if (!STREQ(spec, "pasta") && !STREQ(spec, "slirp4netns"))
				return log_error_errno(-EINVAL,
						       "containers.conf [network] default_rootless_network_cmd = \"%s\": "
						       "expected \"pasta\" or \"slirp4netns\"",
						       spec);
		} else {
			spec = "bridge";
		}
	}
	int r = net_mode_parse(spec, &n->mode, &n->arg);
	if (r == -ENOMEM)
		return OOM();
	if (r < 0)
		return log_error_errno(r,
				       "%s %s: unknown network mode; expected none, host, pasta[:OPTIONS], "
				       "slirp4netns[:OPTIONS], bridge[:NETWORK], NETWORK, container:NAME or ns:PATH",
				       what, spec);
	if (n->mode == NET_MODE_BRIDGE && ctx->rootless)
		return log_error_errno(-EPERM,
				       "%s %s: a rootless user cannot create bridges and veths on the host; use "
				       "--network pasta (or slirp4netns), none or host",
				       what, spec);
	if (n->mode == NET_MODE_PASTA || n->mode == NET_MODE_SLIRP) {
		const char *prog = n->mode == NET_MODE_PASTA ? "pasta" : "slirp4netns";
		cleanup_free char *msg = NULL;
		if (!in_path(prog)) {
			if (asprintf(&msg, "%s is not installed (Debian package %s); use --network none or host", prog,
				     n->mode == NET_MODE_PASTA ? "passt" : "slirp4netns") < 0)
				return OOM();
			r = -ENOENT;
		} else {
			r = net_tun_check(&msg);
		}
		if (r < 0 && !implicit)
			return log_error_errno(r, "%s %s: %s", what, spec, msg ? msg : "/dev/net/tun is not accessible");
		n->implicit = implicit;
		if (r < 0) {
			/* The default must not make every rootless container fail on such a host;
			 * it must not be silent either. */
			log_warn("default network %s unavailable: %s; the container gets --network none (loopback only)",
				 prog, msg ? msg : "/dev/net/tun is not accessible");
			n->mode = NET_MODE_NONE;
			free(n->arg);
			n->arg = NULL;
		}
	}
	if (n->mode == NET_MODE_SLIRP && slirp_opts_check(n->arg) < 0)
		return -EINVAL;
	if (n->mode == NET_MODE_CONTAINER) {
		cleanup_store struct store *s = NULL;
		cleanup_free char *id = NULL;
		if (ctx->rootless)
			return log_error_errno(-EOPNOTSUPP,
					       "%s container:%s: not supported for rootless containers yet (their user "
					       "namespaces live in different storage namespaces); use a published port "
					       "or --network host",
					       what, n->arg);
		r = store_open(ctx->store_root, &s);
		if (r < 0)
			return r;
		r = ctr_lookup(s, n->arg, &id);
		if (r < 0)
			return r;
		if (STREQ(id, ctx->id))
			return log_error_errno(-EINVAL, "%s container:%s: a container cannot join itself", what, n->arg);
		free(n->arg);
		n->arg = TAKE_PTR(id);
	}
	if (n->mode == NET_MODE_NS) {
		struct stat st;
		if (stat(n->arg, &st) < 0)
			return log_error_errno(-errno, "%s ns:%s: %m", what, n->arg);
	}
	return 0;
}

static int decide_ports(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, struct ctr_net *n)
{
	size_t np = cu_strv_length(o->publish), ne = o->publish_all ? cu_strv_length(ctx->image->exposed_ports) : 0;
	n->ports = calloc(np + ne + 1, sizeof(*n->ports));
	if (!n->ports)
		return OOM();
	for (size_t i = 0; i < np; i++) {
		const char *why = NULL;
		int r = net_port_parse(o->publish[i], &n->ports[n->n_ports], &why);
		if (r == -ENOMEM)
			return OOM();
		if (r < 0)
			return log_error_errno(r, "-p %s: %s (expected [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp])",
					       o->publish[i], why);
		n->n_ports++;
	}
	for (size_t i = 0; i < ne; i++) {
		const char *why = NULL;
		struct net_port p;
		/* "80/tcp": a container port only, a random host port. */
		if (net_port_parse(ctx->image->exposed_ports[i], &p, &why) < 0 || p.host_port) {
			log_warn("-P: ignoring the image's exposed port '%s'", ctx->image->exposed_ports[i]);
			continue;
		}
		bool dup = false;
		for (size_t k = 0; k < n->n_ports; k++)
			dup |= n->ports[k].ctr_port == p.ctr_port && n->ports[k].udp == p.udp;
		if (!dup)
			n->ports[n->n_ports++] = p;
	}
	if (n->n_ports == 0)
		return 0;
	if (n->mode != NET_MODE_PASTA && n->mode != NET_MODE_SLIRP && n->mode != NET_MODE_BRIDGE)
		return log_error_errno(-EINVAL,
				       "-p/-P: ports cannot be published with --network %s (only pasta, slirp4netns and "
				       "bridge networks forward ports)",
				       net_mode_name(n->mode));
	if (ctx->rootless) {
		unsigned start = net_unprivileged_port_start();
		for (size_t i = 0; i < n->n_ports; i++)
			if (n->ports[i].host_port && n->ports[i].host_port < start)
				return log_error_errno(
				    -EACCES,
				    "-p: host port %u is below net.ipv4.ip_unprivileged_port_start (%u here): a rootless "
				    "user cannot bind it; publish a host port >= %u, or lower the limit as root "
				    "(sysctl net.ipv4.ip_unprivileged_port_start=%u)",
				    n->ports[i].host_port, start, start, n->ports[i].host_port);
	}
	int r = net_ports_pick_random(n->ports, n->n_ports);
	if (r < 0)
		return log_error_errno(r, "-p/-P: cannot find a free host port: %m");
	return 0;
}

int ctr_net_decide(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, struct ctr_net *ret)
{
	struct ctr_net n = {0};
	int r = decide_mode(o, ctx, &n);
	if (r >= 0)
		r = decide_ports(o, ctx, &n);
	if (r >= 0 && (o->ip || o->mac_address) && n.mode != NET_MODE_BRIDGE && n.mode != NET_MODE_PASTA)
		r = log_error_errno(-EINVAL, "%s: only supported with --network bridge (or a network name) and pasta",
				    o->ip ? "--ip" : "--mac-address");
	if (r >= 0 && o->ip) {
		struct in_addr a;
		if (inet_pton(AF_INET, o->ip, &a) != 1)
			r = log_error_errno(-EINVAL, "--ip %s: not an IPv4 address", o->ip);
	}
	if (r >= 0 && o->mac_address) {
		unsigned b[6];
		char c;
		if (sscanf(o->mac_address, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &c) != 6 ||
		    strlen(o->mac_address) != 17)
			r = log_error_errno(-EINVAL, "--mac-address %s: expected six hex bytes, aa:bb:cc:dd:ee:ff",
					    o->mac_address);
		else if (b[0] & 1)
			r = log_error_errno(-EINVAL, "--mac-address %s: a multicast address (the first byte is odd)",
					    o->mac_address);
	}
	/* The host as the container can reach it: only where the mode routes there. */
	if (r >= 0) {
		if (n.mode == NET_MODE_PASTA) {
			/* pasta maps the gateway address to the host's loopback unless --no-map-gw. */
			if (!n.arg || !strstr(n.arg, "--no-map-gw"))
				net_host_gateway(n.host_ip);
		} else if (n.mode == NET_MODE_SLIRP) {
			if (n.arg && strstr(n.arg, "allow_host_loopback=true"))
				snprintf(n.host_ip, sizeof(n.host_ip), "%s", NET_SLIRP_HOST);
		} else if (n.mode == NET_MODE_BRIDGE) {
			struct netconf c;
			r = netconf_load(ctx->store_root, n.arg, &c);
			if (r >= 0)
				snprintf(n.host_ip, sizeof(n.host_ip), "%s", c.gateway);
		}
	}
	for (size_t i = 0; r >= 0 && o->add_host && o->add_host[i]; i++) {
		const char *why = NULL;
		if (!net_add_host_valid(o->add_host[i], &why))
			r = log_error_errno(-EINVAL, "--add-host %s: %s", o->add_host[i], why);
		else if (strstr(o->add_host[i], ":host-gateway") && !n.host_ip[0])
			r = log_error_errno(-EINVAL, "--add-host %s: --network %s has no route to the host", o->add_host[i],
					    net_mode_name(n.mode));
	}
	if (r < 0) {
		ctr_net_clear(&n);
		return r;
	}
	*ret = n;
	return 0;
}

bool ctr_net_private(const struct ctr_net *n)
{
	return n->mode == NET_MODE_NONE || n->mode == NET_MODE_PASTA || n->mode == NET_MODE_SLIRP ||
	       n->mode == NET_MODE_BRIDGE;
}

void ctr_net_add_ns(const struct ctr_net *n, json_object *namespaces)
{
	if (n->mode == NET_MODE_HOST)
		return;
	json_object *e = json_object_new_object();
	ju_add_str(e, "type", "network");
	if (n->mode == NET_MODE_NS)
		ju_add_str(e, "path", n->arg);
	else if (n->mode == NET_MODE_CONTAINER)
		ju_add_str(e, "path", "/proc/self/ns/net"); /* the other's, set at each start */
	json_object_array_add(namespaces, e);
}

/* ---- files ---- */

static int write_userdata_file(const char *userdata, const char *name, const char *data)
{
	cleanup_free char *p = NULL;
	if (asprintf(&p, "%s/%s", userdata, name) < 0)
		return -ENOMEM;
	int r = fs_write_atomic(p, data, strlen(data), 0644);
	if (r < 0)
		return log_error_errno(r, "Failed to write %s: %m", p);
	/* fs_write_atomic's mode is subject to the umask: the container's users must read it. */
	chmod(p, 0644);
	return 0;
}

/* In place: the file is bind-mounted into the container once it exists. */
static int rewrite_in_place(const char *path, const char *data)
{
	cleanup_close int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fs_write_all(fd, data, strlen(data)) < 0)
		return log_error_errno(-errno, "Failed to write %s: %m", path);
	return 0;
}

int ctr_net_write_etc(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, struct ctr_net *n,
		      const char *hostname, const char *name, bool no_hosts)
{
	cleanup_free char *hn = NULL, *host_resolv = NULL, *resolv = NULL;
	int r;
	if (asprintf(&hn, "%s\n", hostname) < 0)
		return -ENOMEM;
	r = write_userdata_file(ctx->userdata, "hostname", hn);
	if (r < 0)
		return r;
	if (!no_hosts) {
		cleanup_free char *base = NULL, *hosts = NULL;
		if (n->mode == NET_MODE_HOST && fs_read_file_at(AT_FDCWD, "/etc/hosts", 1u << 20, &base, NULL) < 0)
			base = NULL;
		/* A bridge's address is known at start (ctr_net_start adds it). */
		hosts = net_hosts_text(base, n->mode == NET_MODE_BRIDGE ? NULL : "127.0.1.1", hostname, name,
				       n->host_ip[0] ? n->host_ip : NULL, o->add_host);
		if (!hosts)
			return -ENOMEM;
		r = write_userdata_file(ctx->userdata, "hosts", hosts);
		if (r < 0)
			return r;
	}
	if (fs_read_file_at(AT_FDCWD, "/etc/resolv.conf", 1u << 20, &host_resolv, NULL) < 0)
		host_resolv = NULL;
	resolv = net_resolv_conf(host_resolv, n->mode, o->dns, o->dns_search, o->dns_opt, &n->dns_forward);
	if (!resolv)
		return -ENOMEM;
	return write_userdata_file(ctx->userdata, "resolv.conf", resolv);
}

int ctr_net_record(const struct ctr_opts *o, const struct ctr_net *n, bool no_hosts, struct ctr_record *rec)
{
	cleanup_json json_object *s = json_object_new_object();
	cleanup_free char *display = NULL;
	if (!s)
		return -ENOMEM;
	ju_add_str(s, "mode", net_mode_name(n->mode));
	ju_add_str(s, "arg", n->arg);
	json_object_object_add(s, "ports", net_ports_to_json(n->ports, n->n_ports));
	ju_add_str(s, "ip", o->ip);
	ju_add_str(s, "mac", o->mac_address);
	json_object_object_add(s, "dns_forward", json_object_new_boolean(n->dns_forward));
	json_object_object_add(s, "no_hosts", json_object_new_boolean(no_hosts));
	json_object_object_add(s, "implicit", json_object_new_boolean(n->implicit));
	if (n->host_ip[0])
		ju_add_str(s, "host_ip", n->host_ip);
	if (o->add_host)
		ju_add_strv(s, "add_host", o->add_host);
	if (n->mode == NET_MODE_CONTAINER || n->mode == NET_MODE_NS || (n->mode == NET_MODE_BRIDGE && n->arg))
		if (asprintf(&display, "%s:%s", net_mode_name(n->mode), n->arg) < 0)
			return -ENOMEM;
	if (!display && !(display = strdup(net_mode_name(n->mode))))
		return -ENOMEM;
	char *text = strdup(json_object_to_json_string_ext(s, JSON_C_TO_STRING_PLAIN));
	if (!text)
		return -ENOMEM;
	free(rec->net_settings);
	rec->net_settings = text;
	free(rec->network);
	rec->network = TAKE_PTR(display);
	return 0;
}

/* ---- at start ---- */

static json_object *settings_of(const struct ctr_record *rec)
{
	json_object *s = rec->net_settings ? json_tokener_parse(rec->net_settings) : NULL;
	if (!s) { /* a record from before networking: none/host only */
		s = json_object_new_object();
		ju_add_str(s, "mode", rec->network && STREQ(rec->network, "host") ? "host" : "none");
	}
	return s;
}

bool ctr_net_needs_attach(const struct ctr_record *rec)
{
	cleanup_json json_object *s = settings_of(rec);
	const char *m = ju_str(s, "mode");
	/* none: the runtime brings the loopback of the namespace it makes up itself (kakuri-
	 * runtime, runc and crun all do), so `run` in one go, without create + attach + start. */
	return m && (STREQ(m, "pasta") || STREQ(m, "slirp4netns") || STREQ(m, "bridge"));
}

int ctr_net_prepare(struct store *s, const struct ctr_record *rec, const char *config_path)
{
	cleanup_json json_object *set = settings_of(rec);
	const char *m = ju_str(set, "mode"), *other = ju_str(set, "arg");
	if (!m || !STREQ(m, "container") || !other)
		return 0;
	struct ctr_record *o = NULL;
	int r = ctr_record_load(s, other, &o);
	if (r < 0)
		return log_error_errno(r == -ENOENT ? -ENOENT : r,
				       "--network container:%.12s: that container no longer exists", other);
	bool running = ctr_status(o) == CTR_STATUS_RUNNING;
	pid_t pid = o->pid;
	char name[256];
	snprintf(name, sizeof(name), "%s", o->name);
	ctr_record_free(o);
	if (!running)
		return log_error_errno(-ESRCH, "--network container:%s: the container is not running", name);
	cleanup_json json_object *cfg = json_object_from_file(config_path);
	json_object *ns = NULL;
	if (!cfg || !json_object_object_get_ex(json_object_object_get(cfg, "linux"), "namespaces", &ns))
		return log_error_errno(-EBADMSG, "Cannot read %s", config_path);
	for (size_t i = 0; i < json_object_array_length(ns); i++) {
		json_object *e = json_object_array_get_idx(ns, i);
		if (ju_str(e, "type") && STREQ(ju_str(e, "type"), "network")) {
			char p[64];
			snprintf(p, sizeof(p), "/proc/%d/ns/net", (int)pid);
			ju_add_str(e, "path", p);
		}
	}
	return ctr_spec_write_json(config_path, cfg);
}

int ctr_net_start(struct store *s, struct ctr_record *rec, pid_t pid, const char *userdata)
{
	cleanup_json json_object *set = settings_of(rec);
	cleanup_free char *hosts_path = NULL, *ip = NULL, *gw = NULL;
	json_object *state = NULL;
	bool bridge = ju_str(set, "mode") && STREQ(ju_str(set, "mode"), "bridge");
	bool hosts = !ju_bool(set, "no_hosts");
	int r;
	if (asprintf(&hosts_path, "%s/hosts", userdata) < 0)
		return OOM();
	if (bridge && hosts) {
		/* Back to the create-time text (a previous start added its address and peers). */
		cleanup_strv char **add = ju_dup_strv(set, "add_host");
		cleanup_free char *text =
		    net_hosts_text(NULL, NULL, rec->hostname, rec->name, ju_str(set, "host_ip"), add);
		if (!text)
			return OOM();
		r = rewrite_in_place(hosts_path, text);
		if (r < 0)
			return r;
	}
	struct net_attach_req req = {
	    .store_root = s->root,
	    .id = rec->id,
	    .name = rec->name,
	    .userdata = userdata,
	    .pid = pid,
	    .rootless = rec->rootless,
	    .settings = set,
	};
	r = net_attach(&req, &state, &ip, &gw);
	if (r < 0)
		return r;
	if (bridge && hosts && ip) {
		cleanup_close int fd = open(hosts_path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
		cleanup_free char *line = NULL;
		if (asprintf(&line, "%s\t%s %s\n", ip, rec->hostname, rec->name) < 0 || fd < 0 ||
		    fs_write_all(fd, line, strlen(line)) < 0)
			log_warn("Cannot add the container's address to %s", hosts_path);
	}
	if (!state)
		return 0;
	free(rec->net_state);
	rec->net_state = strdup(json_object_to_json_string_ext(state, JSON_C_TO_STRING_PLAIN));
	r = rec->net_state ? ctr_record_save(s, rec) : -ENOMEM;
	if (r < 0) {
		net_detach(s->root, rec->id, state);
		free(rec->net_state);
		rec->net_state = NULL;
	}
	json_object_put(state);
	return r;
}

void ctr_net_stop(struct store *s, struct ctr_record *rec)
{
	if (!rec || !rec->net_state)
		return;
	cleanup_json json_object *st = json_tokener_parse(rec->net_state);
	net_detach(s ? s->root : NULL, rec->id, st);
	free(rec->net_state);
	rec->net_state = NULL;
}

/* ---- ps, inspect, port ---- */

int ctr_net_ports(const struct ctr_record *rec, struct net_port **ret, size_t *ret_n)
{
	cleanup_json json_object *s = settings_of(rec);
	json_object *p = NULL;
	json_object_object_get_ex(s, "ports", &p);
	return net_ports_from_json(p, ret, ret_n);
}

char *ctr_net_ports_string(const struct ctr_record *rec)
{
	struct net_port *p = NULL;
	size_t n = 0;
	if (ctr_net_ports(rec, &p, &n) < 0)
		return strdup("");
	char *s = net_ports_format(p, n);
	free(p);
	return s;
}

char *ctr_net_state_str(const struct ctr_record *rec, const char *key)
{
	cleanup_json json_object *st = rec->net_state ? json_tokener_parse(rec->net_state) : NULL;
	json_object *b = NULL;
	if (!st || !json_object_object_get_ex(st, "bridge", &b))
		return NULL;
	const char *v = ju_str(b, key);
	return v && *v ? strdup(v) : NULL;
}

/* {"80/tcp": [{"HostIp": "", "HostPort": "8080"}], …}, each port of a range on its own. */
static json_object *port_map(const struct ctr_record *rec)
{
	json_object *m = json_object_new_object();
	struct net_port *p = NULL;
	size_t n = 0;
	if (ctr_net_ports(rec, &p, &n) < 0)
		return m;
	for (size_t i = 0; i < n; i++)
		for (unsigned k = 0; k < p[i].count; k++) {
			char key[32], hp[8];
			snprintf(key, sizeof(key), "%u/%s", p[i].ctr_port + k, p[i].udp ? "udp" : "tcp");
			snprintf(hp, sizeof(hp), "%u", p[i].host_port + k);
			json_object *arr = ju_arr(m, key), *b = json_object_new_object();
			ju_add_str(b, "HostIp", p[i].host_ip);
			ju_add_str(b, "HostPort", hp);
			json_object_array_add(arr, b);
		}
	free(p);
	return m;
}

json_object *ctr_net_inspect(const struct ctr_record *rec, bool running)
{
	json_object *o = json_object_new_object();
	cleanup_free char *ip = running ? ctr_net_state_str(rec, "ip") : NULL;
	cleanup_free char *gw = running ? ctr_net_state_str(rec, "gateway") : NULL;
	cleanup_free char *mac = running ? ctr_net_state_str(rec, "mac") : NULL;
	cleanup_free char *bridge = running ? ctr_net_state_str(rec, "bridge") : NULL;
	ju_add_str(o, "IPAddress", ip ? ip : "");
	ju_add_str(o, "Gateway", gw ? gw : "");
	ju_add_str(o, "MacAddress", mac ? mac : "");
	ju_add_str(o, "Bridge", bridge ? bridge : "");
	json_object_object_add(o, "Ports", port_map(rec));
	return o;
}

json_object *ctr_net_port_bindings(const struct ctr_record *rec)
{
	return port_map(rec);
}

json_object *ctr_net_ports_json(const struct ctr_record *rec)
{
	struct net_port *p = NULL;
	size_t n = 0;
	if (ctr_net_ports(rec, &p, &n) < 0)
		return json_object_new_array();
	json_object *a = net_ports_to_json(p, n);
	free(p);
	return a;
}
