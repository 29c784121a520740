/* SPDX-License-Identifier: GPL-2.0-or-later */
/* resolv.conf and hosts text for containers (etcfiles.h). */
#include "etcfiles.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/container/util.h"
#include "lib/cleanup.h"

static bool is_loopback(const char *ip)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, ip, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, ip, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

static int append(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int append(char **out, const char *fmt, ...)
{
	char *next = NULL;
	cleanup_free char *line = NULL;
	va_list ap;
	va_start(ap, fmt);
	int k = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (k < 0 || asprintf(&next, "%s%s", *out, line) < 0)
		return -1;
	free(*out);
	*out = next;
	return 0;
}

char *net_resolv_conf(const char *host_text, enum net_mode mode, char *const *dns, char *const *search,
		      char *const *options, bool *ret_forward)
{
	char *out = strdup("");
	cleanup_free char *copy = strdup(host_text ? host_text : "");
	cleanup_strv char **servers = calloc(1, sizeof(char *)), **srch = NULL, **opts = NULL;
	bool translate = mode == NET_MODE_PASTA || mode == NET_MODE_SLIRP || mode == NET_MODE_BRIDGE;
	bool dropped = false;
	*ret_forward = false;
	if (!out || !copy || !servers)
		goto oom;
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char key[32], val[256];
		if (line[0] == '#' || line[0] == ';' || sscanf(line, "%31s %255[^\n]", key, val) != 2)
			continue;
		if (STREQ(key, "nameserver")) {
			char ip[64];
			if (sscanf(val, "%63s", ip) != 1)
				continue;
			if (translate && is_loopback(ip)) {
				const char *to = mode == NET_MODE_PASTA ? NET_PASTA_DNS
						 : mode == NET_MODE_SLIRP ? NET_SLIRP_DNS
									  : NULL;
				dropped |= !to;
				if (to && !cu_strv_contains(servers, to) && cu_strv_append(&servers, to) < 0)
					goto oom;
				if (to && mode == NET_MODE_PASTA)
					*ret_forward = true;
				continue;
			}
			if (cu_strv_append(&servers, ip) < 0)
				goto oom;
		} else if (STREQ(key, "search") || STREQ(key, "domain")) {
			cu_strv_free(srch);
			srch = cu_strv_split(val, ' ');
		} else if (STREQ(key, "options")) {
			cleanup_strv char **o = cu_strv_split(val, ' ');
			for (size_t i = 0; o && o[i]; i++)
				if (*o[i] && cu_strv_append(&opts, o[i]) < 0)
					goto oom;
		}
	}
	if (dns && dns[0]) {
		cu_strv_free(servers);
		servers = cu_strv_copy_of(dns);
		*ret_forward = false;
		dropped = false;
	}
	if (search && search[0]) {
		cu_strv_free(srch);
		/* --dns-search . clears the list (podman). */
		srch = STREQ(search[0], ".") ? NULL : cu_strv_copy_of(search);
	}
	if (options && options[0]) {
		cu_strv_free(opts);
		opts = cu_strv_copy_of(options);
	}
	if (!servers)
		goto oom;
	if (dropped && !servers[0] &&
	    append(&out, "# the host's only resolvers are on its loopback, unreachable from this network: use --dns\n") < 0)
		goto oom;
	if (srch && srch[0]) {
		cleanup_free char *j = cu_strv_join(srch, " ");
		if (!j || append(&out, "search %s\n", j) < 0)
			goto oom;
	}
	for (size_t i = 0; servers[i]; i++)
		if (*servers[i] && append(&out, "nameserver %s\n", servers[i]) < 0)
			goto oom;
	if (opts && opts[0]) {
		cleanup_free char *j = cu_strv_join(opts, " ");
		if (!j || append(&out, "options %s\n", j) < 0)
			goto oom;
	}
	return out;
oom:
	free(out);
	return NULL;
}

bool net_add_host_valid(const char *entry, const char **ret_why)
{
	/* NAME:IP, split at the first ':' (IPv6 addresses have more). */
	const char *c = strchr(entry, ':');
	struct in_addr a4;
	struct in6_addr a6;
	if (!c || c == entry) {
		*ret_why = "expected NAME:IP";
		return false;
	}
	for (const char *p = entry; p < c; p++)
		if (*p == ' ' || *p == '\t') {
			*ret_why = "the name must not contain blanks";
			return false;
		}
	const char *ip = c + 1;
	if (STREQ(ip, "host-gateway") || inet_pton(AF_INET, ip, &a4) == 1 || inet_pton(AF_INET6, ip, &a6) == 1)
		return true;
	*ret_why = "the address must be an IPv4 or IPv6 address, or host-gateway";
	return false;
}

char *net_hosts_text(const char *base, const char *self_ip, const char *hostname, const char *name,
		     const char *host_ip, char *const *add_host)
{
	char *out = strdup("");
	if (!out)
		return NULL;
	/* --add-host first: the resolver takes the first match (podman's order). */
	for (size_t i = 0; add_host && add_host[i]; i++) {
		const char *c = strchr(add_host[i], ':');
		if (!c)
			continue;
		cleanup_free char *n = strndup(add_host[i], (size_t)(c - add_host[i]));
		const char *ip = STREQ(c + 1, "host-gateway") ? host_ip : c + 1;
		if (!n || (ip && append(&out, "%s\t%s\n", ip, n) < 0))
			goto oom;
	}
	if (base) {
		if (append(&out, "%s%s", base, base[0] && base[strlen(base) - 1] != '\n' ? "\n" : "") < 0)
			goto oom;
	} else if (append(&out, "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
				"::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n") < 0) {
		goto oom;
	}
	if (self_ip) {
		char *next = NULL;
		if (asprintf(&next, "%s%s\t%s %s\n", out, self_ip, hostname, name) < 0)
			goto oom;
		free(out);
		out = next;
	}
	if (host_ip && append(&out, "%s\thost.containers.internal host.docker.internal\n", host_ip) < 0)
		goto oom;
	return out;
oom:
	free(out);
	return NULL;
}
