/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --network and -p parsing, port formatting and the host facts networking depends on
 * (unprivileged port start, /dev/net/tun access, the default gateway). Nothing here logs:
 * callers name the option. */
#include "network.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"

const char *net_mode_name(enum net_mode m)
{
	static const char *const names[] = {
	    [NET_MODE_NONE] = "none",	      [NET_MODE_HOST] = "host",		  [NET_MODE_PASTA] = "pasta",
	    [NET_MODE_SLIRP] = "slirp4netns", [NET_MODE_BRIDGE] = "bridge",	  [NET_MODE_CONTAINER] = "container",
	    [NET_MODE_NS] = "ns",
	};
	return (unsigned)m < ELEMENTSOF(names) ? names[m] : "none";
}

int net_mode_parse(const char *s, enum net_mode *ret_mode, char **ret_arg)
{
	static const struct {
		const char *prefix;
		enum net_mode mode;
		bool needs_arg;
	} modes[] = {
	    {"none", NET_MODE_NONE, false},	    {"host", NET_MODE_HOST, false},
	    {"pasta", NET_MODE_PASTA, false},	    {"slirp4netns", NET_MODE_SLIRP, false},
	    {"bridge", NET_MODE_BRIDGE, false},	    {"container", NET_MODE_CONTAINER, true},
	    {"ns", NET_MODE_NS, true},
	};
	for (size_t i = 0; i < ELEMENTSOF(modes); i++) {
		size_t l = strlen(modes[i].prefix);
		if (strncmp(s, modes[i].prefix, l) != 0 || (s[l] && s[l] != ':'))
			continue;
		const char *arg = s[l] == ':' ? s + l + 1 : NULL;
		if ((modes[i].needs_arg && (!arg || !*arg)) || (arg && !*arg))
			return -EINVAL;
		if ((modes[i].mode == NET_MODE_NONE || modes[i].mode == NET_MODE_HOST) && arg)
			return -EINVAL;
		if (modes[i].mode == NET_MODE_NS && arg[0] != '/')
			return -EINVAL;
		char *a = arg ? strdup(arg) : NULL;
		if (arg && !a)
			return -ENOMEM;
		*ret_mode = modes[i].mode;
		*ret_arg = a;
		return 0;
	}
	/* Anything else names a bridge network (podman: --network NAME). */
	if (!*s || strchr(s, ':') || strchr(s, '/'))
		return -EINVAL;
	char *a = strdup(s);
	if (!a)
		return -ENOMEM;
	*ret_mode = NET_MODE_BRIDGE;
	*ret_arg = a;
	return 0;
}

/* "N" or "N-M" (1..65535, N <= M). */
static int parse_range(const char *s, size_t len, uint16_t *ret_first, uint16_t *ret_count)
{
	char buf[16];
	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	char *dash = strchr(buf, '-'), *end;
	if (dash)
		*dash = 0;
	errno = 0;
	unsigned long a = strtoul(buf, &end, 10), b = a;
	if (end == buf || *end || errno || a < 1 || a > 65535 || buf[0] == '+')
		return -EINVAL;
	if (dash) {
		b = strtoul(dash + 1, &end, 10);
		if (end == dash + 1 || *end || errno || b < a || b > 65535 || dash[1] == '+')
			return -EINVAL;
	}
	*ret_first = (uint16_t)a;
	*ret_count = (uint16_t)(b - a + 1);
	return 0;
}

int net_port_parse(const char *spec, struct net_port *ret, const char **ret_why)
{
	struct net_port p = {.count = 1};
	cleanup_free char *s = strdup(spec);
	if (!s)
		return -ENOMEM;
	char *slash = strrchr(s, '/');
	if (slash) {
		*slash = 0;
		if (strcmp(slash + 1, "udp") == 0)
			p.udp = true;
		else if (strcmp(slash + 1, "tcp") != 0) {
			*ret_why = "the protocol must be tcp or udp";
			return -EINVAL;
		}
	}
	char *hostpart = NULL, *ctr = s;
	if (s[0] == '[') { /* [v6]:host:ctr */
		char *rb = strchr(s, ']');
		if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof(p.host_ip)) {
			*ret_why = "an IPv6 address must be written [ADDR]:HOSTPORT:CONTAINERPORT";
			return -EINVAL;
		}
		memcpy(p.host_ip, s + 1, (size_t)(rb - s - 1));
		hostpart = rb + 2;
		ctr = strchr(hostpart, ':');
		if (!ctr) {
			*ret_why = "expected [ADDR]:HOSTPORT:CONTAINERPORT";
			return -EINVAL;
		}
		*ctr++ = 0;
	} else {
		char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 && strchr(c2 + 1, ':')) {
			*ret_why = "too many ':' (write an IPv6 address in brackets)";
			return -EINVAL;
		}
		if (c2) { /* ip:host:ctr */
			if ((size_t)(c1 - s) >= sizeof(p.host_ip)) {
				*ret_why = "the host address is too long";
				return -EINVAL;
			}
			memcpy(p.host_ip, s, (size_t)(c1 - s));
			hostpart = c1 + 1;
			*c2 = 0;
			ctr = c2 + 1;
		} else if (c1) { /* host:ctr */
			*c1 = 0;
			hostpart = s;
			ctr = c1 + 1;
		}
	}
	if (p.host_ip[0]) {
		struct in6_addr a6;
		struct in_addr a4;
		if (inet_pton(AF_INET, p.host_ip, &a4) != 1 && inet_pton(AF_INET6, p.host_ip, &a6) != 1) {
			*ret_why = "the host address is not an IP address";
			return -EINVAL;
		}
		if (strcmp(p.host_ip, "0.0.0.0") == 0)
			p.host_ip[0] = 0;
	}
	if (parse_range(ctr, strlen(ctr), &p.ctr_port, &p.count) < 0) {
		*ret_why = "the container port must be a number 1-65535 or a range N-M";
		return -EINVAL;
	}
	if (hostpart && *hostpart) {
		uint16_t hc;
		if (parse_range(hostpart, strlen(hostpart), &p.host_port, &hc) < 0) {
			*ret_why = "the host port must be a number 1-65535 or a range N-M";
			return -EINVAL;
		}
		if (hc != p.count) {
			*ret_why = "the host and container port ranges must have the same length";
			return -EINVAL;
		}
	} else if (p.count > 1) {
		*ret_why = "a container port range needs a host port range of the same length";
		return -EINVAL;
	}
	*ret = p;
	return 0;
}

int net_ports_pick_random(struct net_port *ports, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (ports[i].host_port)
			continue;
		int fd = socket(AF_INET, (ports[i].udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		struct sockaddr_in a = {.sin_family = AF_INET};
		socklen_t l = sizeof(a);
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || getsockname(fd, (struct sockaddr *)&a, &l) < 0) {
			int r = -errno;
			close(fd);
			return r;
		}
		close(fd);
		ports[i].host_port = ntohs(a.sin_port);
	}
	return 0;
}

char *net_ports_format(const struct net_port *ports, size_t n)
{
	char *out = strdup("");
	for (size_t i = 0; out && i < n; i++) {
		const struct net_port *p = &ports[i];
		char hp[16], cp[16];
		const char *ip = p->host_ip[0] ? p->host_ip : "0.0.0.0";
		bool v6 = strchr(ip, ':') != NULL;
		if (p->count > 1) {
			snprintf(hp, sizeof(hp), "%u-%u", p->host_port, p->host_port + p->count - 1);
			snprintf(cp, sizeof(cp), "%u-%u", p->ctr_port, p->ctr_port + p->count - 1);
		} else {
			snprintf(hp, sizeof(hp), "%u", p->host_port);
			snprintf(cp, sizeof(cp), "%u", p->ctr_port);
		}
		char *next = NULL;
		if (asprintf(&next, "%s%s%s%s%s:%s->%s/%s", out, i ? ", " : "", v6 ? "[" : "", ip, v6 ? "]" : "", hp,
			     cp, p->udp ? "udp" : "tcp") < 0)
			next = NULL;
		free(out);
		out = next;
	}
	return out;
}

struct json_object *net_ports_to_json(const struct net_port *ports, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; a && i < n; i++) {
		json_object *e = json_object_new_object();
		ju_add_str(e, "host_ip", ports[i].host_ip);
		json_object_object_add(e, "host_port", json_object_new_int(ports[i].host_port));
		json_object_object_add(e, "container_port", json_object_new_int(ports[i].ctr_port));
		json_object_object_add(e, "range", json_object_new_int(ports[i].count));
		ju_add_str(e, "protocol", ports[i].udp ? "udp" : "tcp");
		json_object_array_add(a, e);
	}
	return a;
}

int net_ports_from_json(struct json_object *a, struct net_port **ret, size_t *ret_n)
{
	size_t n = a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
	struct net_port *v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		const char *ip = ju_str(e, "host_ip"), *proto = ju_str(e, "protocol");
		if (ip)
			snprintf(v[i].host_ip, sizeof(v[i].host_ip), "%s", ip);
		v[i].host_port = (uint16_t)ju_int64(e, "host_port");
		v[i].ctr_port = (uint16_t)ju_int64(e, "container_port");
		v[i].count = (uint16_t)ju_int64(e, "range");
		if (v[i].count == 0)
			v[i].count = 1;
		v[i].udp = proto && strcmp(proto, "udp") == 0;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

unsigned net_unprivileged_port_start(void)
{
	cleanup_free char *d = NULL;
	if (fs_read_file_at(AT_FDCWD, "/proc/sys/net/ipv4/ip_unprivileged_port_start", 64, &d, NULL) < 0)
		return 1024;
	return (unsigned)strtoul(d, NULL, 10);
}

int net_tun_check(char **ret_msg)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	int r = -errno;
	struct stat st;
	char *msg = NULL;
	if (stat("/dev/net/tun", &st) < 0) {
		if (asprintf(&msg,
			     "/dev/net/tun does not exist (modprobe tun, or mknod /dev/net/tun c 10 200): "
			     "pasta and slirp4netns need it; use --network none or --network host instead") < 0)
			msg = NULL;
	} else if (asprintf(&msg,
			    "/dev/net/tun (mode %04o, owner %u:%u) is not accessible to uid %u: pasta and slirp4netns "
			    "need to open it; fix: `chmod 0666 /dev/net/tun` (or a udev rule: KERNEL==\"tun\", "
			    "MODE=\"0666\"), or use --network none or --network host",
			    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)st.st_gid,
			    (unsigned)getuid()) < 0) {
		msg = NULL;
	}
	*ret_msg = msg;
	return r;
}

void net_host_gateway(char ret[46])
{
	cleanup_free char *d = NULL;
	ret[0] = 0;
	if (fs_read_file_at(AT_FDCWD, "/proc/net/route", 1u << 20, &d, NULL) < 0)
		return;
	char *save = NULL;
	for (char *line = strtok_r(d, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char ifn[64];
		unsigned dst, gw, flags;
		if (sscanf(line, "%63s %x %x %x", ifn, &dst, &gw, &flags) != 4)
			continue;
		if (dst == 0 && gw != 0 && (flags & 0x2 /* RTF_GATEWAY */)) {
			struct in_addr a = {.s_addr = gw};
			inet_ntop(AF_INET, &a, ret, 46);
			return;
		}
	}
}
