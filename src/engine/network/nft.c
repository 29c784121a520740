/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/network/nft.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

#define T "inet " NFT_TABLE

/* A growing string; on ENOMEM s becomes NULL and stays so. */
struct buf {
	char *s;
	size_t len, cap;
	bool oom;
};

__attribute__((format(printf, 2, 3))) static void bprintf(struct buf *b, const char *fmt, ...)
{
	if (b->oom)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			break;
		}
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = (b->cap + (size_t)n + 1) * 2;
		char *ns = realloc(b->s, cap);
		if (!ns) {
			b->oom = true;
			break;
		}
		b->s = ns;
		b->cap = cap;
	}
	free(b->s);
	b->s = NULL;
}

static char *bdone(struct buf *b)
{
	if (b->oom)
		return NULL;
	if (!b->s)
		return strdup("");
	return b->s;
}

/* Runs nft with args, script (or NULL) on stdin; stdout+stderr into *ret_out (optional).
 * Returns nft's exit status (>= 0) or -errno when it could not run. */
static int nft_run(const char *script, char **ret_out, const char *const *args)
{
	cleanup_close int in = memfd_create("kakuri-nft-in", MFD_CLOEXEC);
	cleanup_close int out = memfd_create("kakuri-nft-out", MFD_CLOEXEC);
	if (in < 0 || out < 0)
		return -errno;
	if (script) {
		int r = fs_write_all(in, script, strlen(script));
		if (r < 0)
			return r;
		if (lseek(in, 0, SEEK_SET) < 0)
			return -errno;
	}
	char *argv[16];
	size_t n = 0;
	argv[n++] = (char *)"nft";
	for (; args[n - 1] && n < ELEMENTSOF(argv) - 1; n++)
		argv[n] = (char *)args[n - 1];
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
			_exit(127);
		execv("/usr/sbin/nft", argv);
		execvp("nft", argv);
		dprintf(2, "nft: not found (install Debian's nftables: scripts/install-deps.sh build)");
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (ret_out) {
		struct stat sb;
		*ret_out = NULL;
		if (fstat(out, &sb) == 0) {
			char *s = malloc((size_t)sb.st_size + 1);
			if (!s)
				return -ENOMEM;
			ssize_t k = pread(out, s, (size_t)sb.st_size, 0);
			s[k > 0 ? k : 0] = 0;
			*ret_out = s;
		}
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* nft -f - with script; a failure is logged with nft's own message. */
static int nft_apply(const char *what, const char *script)
{
	cleanup_free char *out = NULL;
	static const char *const args[] = {"-f", "-", NULL};
	int r = nft_run(script, &out, args);
	if (r < 0)
		return log_error_errno(r, "Failed to run nft for %s: %m", what);
	if (r != 0) {
		if (out)
			out[strcspn(out, "\n")] = 0; /* the first line says what is wrong */
		log_debug("nft script for %s:\n%s", what, script);
		return log_error_errno(-EIO, "nft failed to %s: %s", what, out && out[0] ? out : "(no message)");
	}
	return 0;
}

/* The table as JSON, or NULL when it does not exist. */
static int nft_list(struct json_object **ret)
{
	cleanup_free char *out = NULL;
	static const char *const args[] = {"-j", "-a", "list", "table", "inet", NFT_TABLE, NULL};
	int r = nft_run(NULL, &out, args);
	if (r < 0)
		return log_error_errno(r, "Failed to run nft: %m");
	*ret = NULL;
	if (r != 0)
		return 0; /* "No such file or directory": no table, nothing to delete */
	*ret = out ? json_tokener_parse(out) : NULL;
	if (!*ret)
		return log_error_errno(-EIO, "nft -j printed something that is not JSON");
	return 0;
}

/* "delete rule …" lines for every rule whose comment is tag; set_elem: also delete that
 * element of the set "bridges" if present. */
static void deletions(struct json_object *list, const char *tag, const char *set_elem, struct buf *b)
{
	struct json_object *arr;
	if (!list || !json_object_object_get_ex(list, "nftables", &arr) || !json_object_is_type(arr, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i), *x;
		if (json_object_object_get_ex(e, "rule", &x)) {
			const char *c = ju_str(x, "comment"), *chain = ju_str(x, "chain");
			if (c && chain && STREQ(c, tag))
				bprintf(b, "delete rule " T " %s handle %lld\n", chain,
					(long long)ju_int64(x, "handle"));
		} else if (set_elem && json_object_object_get_ex(e, "set", &x) && ju_str(x, "name") &&
			   STREQ(ju_str(x, "name"), "bridges")) {
			struct json_object *el;
			if (!json_object_object_get_ex(x, "elem", &el) || !json_object_is_type(el, json_type_array))
				continue;
			for (size_t k = 0; k < json_object_array_length(el); k++) {
				const char *s = json_object_get_string(json_object_array_get_idx(el, k));
				if (s && STREQ(s, set_elem))
					bprintf(b, "delete element " T " bridges { \"%s\" }\n", set_elem);
			}
		}
	}
}

char *nft_network_script(const char *bridge, const char *subnet, bool internal, const char *del)
{
	return nft_network_script_hl(bridge, subnet, internal, NULL, del);
}

char *nft_network_script_hl(const char *bridge, const char *subnet, bool internal, const char *gateway,
			    const char *del)
{
	struct buf b = {0};
	const char *tag = "comment \"kakuri:net:";
	bprintf(&b,
		"add table " T "\n"
		"add set " T " bridges { type ifname; }\n"
		"add chain " T " ports\n"
		"add chain " T " prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
		"add chain " T " output { type nat hook output priority -100; policy accept; }\n"
		"add chain " T " postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
		"add chain " T " forward { type filter hook forward priority filter; policy accept; }\n"
		"add chain " T " raw { type filter hook prerouting priority raw; policy accept; }\n"
		"%s"
		"add rule " T " prerouting fib daddr type local jump ports comment \"kakuri:base\"\n"
		"add rule " T " output fib daddr type local jump ports comment \"kakuri:base\"\n"
		"add element " T " bridges { \"%s\" }\n",
		del ? del : "", bridge);
	bprintf(&b, "add rule " T " raw iifname \"%s\" ip daddr 127.0.0.0/8 drop %s%s\"\n", bridge, tag, bridge);
	/* Inserted before the base rule: published ports on the gateway address stay the
	 * containers', everything else to it goes to the host's loopback. */
	if (gateway && !internal)
		bprintf(&b,
			"insert rule " T " prerouting iifname \"%s\" ip daddr %s fib daddr type local dnat ip to "
			"127.0.0.1 %s%s\"\n",
			bridge, gateway, tag, bridge);
	bprintf(&b, "add rule " T " forward iifname \"%s\" oifname \"%s\" accept %s%s\"\n", bridge, bridge, tag,
		bridge);
	bprintf(&b, "add rule " T " forward iifname \"%s\" oifname @bridges drop %s%s\"\n", bridge, tag, bridge);
	if (internal) {
		bprintf(&b, "add rule " T " forward iifname \"%s\" drop %s%s\"\n", bridge, tag, bridge);
		bprintf(&b, "add rule " T " forward oifname \"%s\" drop %s%s\"\n", bridge, tag, bridge);
	} else {
		bprintf(&b, "add rule " T " forward iifname \"%s\" accept %s%s\"\n", bridge, tag, bridge);
		bprintf(&b, "add rule " T " forward oifname \"%s\" ct state established,related accept %s%s\"\n",
			bridge, tag, bridge);
		bprintf(&b, "add rule " T " forward oifname \"%s\" ct status dnat accept %s%s\"\n", bridge, tag,
			bridge);
		bprintf(&b, "add rule " T " forward oifname \"%s\" drop %s%s\"\n", bridge, tag, bridge);
		bprintf(&b,
			"add rule " T " postrouting iifname \"%s\" oifname != \"%s\" ip saddr %s masquerade %s%s\"\n",
			bridge, bridge, subnet, tag, bridge);
	}
	bprintf(&b, "add rule " T " postrouting oifname \"%s\" ip saddr 127.0.0.0/8 masquerade %s%s\"\n", bridge, tag,
		bridge);
	bprintf(&b, "add rule " T " postrouting oifname \"%s\" ip saddr %s ct status dnat masquerade %s%s\"\n", bridge,
		subnet, tag, bridge);
	return bdone(&b);
}

int nft_ports_script(const char *ctr_id, const char *ctr_ip, const struct net_port *ports, size_t n, char **ret)
{
	struct buf b = {0};
	for (size_t i = 0; i < n; i++) {
		const struct net_port *p = &ports[i];
		char match[80] = "";
		struct in_addr a;
		if (p->host_ip[0] && !STREQ(p->host_ip, "0.0.0.0")) {
			if (inet_pton(AF_INET, p->host_ip, &a) != 1) {
				free(b.s);
				return log_error_errno(-EINVAL, "-p %s:%u: %s on a bridge network", p->host_ip,
						       p->host_port,
						       strchr(p->host_ip, ':') ? "IPv6 host addresses are not supported"
									       : "not an IPv4 address");
			}
			snprintf(match, sizeof(match), "ip daddr %s ", p->host_ip);
		}
		unsigned count = p->count ? p->count : 1;
		const char *proto = p->udp ? "udp" : "tcp";
		if (count > 1 && p->host_port == p->ctr_port) {
			bprintf(&b,
				"add rule " T
				" ports meta nfproto ipv4 %s%s dport %u-%u dnat ip to %s comment \"kakuri:ctr:%s\"\n",
				match, proto, p->host_port, p->host_port + count - 1, ctr_ip, ctr_id);
			continue;
		}
		for (unsigned k = 0; k < count; k++)
			bprintf(&b,
				"add rule " T
				" ports meta nfproto ipv4 %s%s dport %u dnat ip to %s:%u comment \"kakuri:ctr:%s\"\n",
				match, proto, p->host_port + k, ctr_ip, p->ctr_port + k, ctr_id);
	}
	char *s = bdone(&b);
	if (!s)
		return log_error_errno(-ENOMEM, "Out of memory");
	*ret = s;
	return 0;
}

static int deletion_script(const char *tag, const char *set_elem, char **ret)
{
	cleanup_json struct json_object *list = NULL;
	int r = nft_list(&list);
	if (r < 0)
		return r;
	struct buf b = {0};
	deletions(list, tag, set_elem, &b);
	*ret = bdone(&b);
	return *ret ? 0 : -ENOMEM;
}

int nft_network_setup(const char *bridge, const char *subnet, bool internal, const char *host_loopback_gw)
{
	char tag[64];
	cleanup_free char *del = NULL, *base = NULL, *script = NULL;
	snprintf(tag, sizeof(tag), "kakuri:net:%s", bridge);
	int r = deletion_script(tag, NULL, &del);
	if (r < 0)
		return r;
	r = deletion_script("kakuri:base", NULL, &base);
	if (r < 0)
		return r;
	cleanup_free char *both = NULL;
	if (asprintf(&both, "%s%s", del, base) < 0)
		return -ENOMEM;
	script = nft_network_script_hl(bridge, subnet, internal, host_loopback_gw, both);
	if (!script)
		return -ENOMEM;
	char what[80];
	snprintf(what, sizeof(what), "set up the rules of bridge %s", bridge);
	return nft_apply(what, script);
}

int nft_network_remove(const char *bridge)
{
	char tag[64];
	cleanup_free char *del = NULL;
	snprintf(tag, sizeof(tag), "kakuri:net:%s", bridge);
	int r = deletion_script(tag, bridge, &del);
	if (r < 0 || !del[0])
		return r;
	char what[80];
	snprintf(what, sizeof(what), "remove the rules of bridge %s", bridge);
	return nft_apply(what, del);
}

int nft_ports_add(const char *ctr_id, const char *ctr_ip, const struct net_port *ports, size_t n)
{
	cleanup_free char *script = NULL;
	int r = nft_ports_script(ctr_id, ctr_ip, ports, n, &script);
	if (r < 0 || !script[0])
		return r;
	return nft_apply("publish the container's ports", script);
}

int nft_ports_remove(const char *ctr_id)
{
	char tag[96];
	cleanup_free char *del = NULL;
	snprintf(tag, sizeof(tag), "kakuri:ctr:%s", ctr_id);
	int r = deletion_script(tag, NULL, &del);
	if (r < 0 || !del[0])
		return r;
	return nft_apply("remove the container's port rules", del);
}

int nft_table_delete(void)
{
	cleanup_json struct json_object *list = NULL;
	int r = nft_list(&list);
	if (r < 0 || !list)
		return r;
	return nft_apply("delete table " T, "delete table " T "\n");
}
