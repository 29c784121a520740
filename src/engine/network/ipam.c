/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/network/ipam.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

void ipam_leases_free(struct ipam_leases *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].hosts);
		free(l->v[i].store);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int ipam_parse_ip4(const char *s, uint32_t *ret)
{
	struct in_addr a;
	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*ret = ntohl(a.s_addr);
	return 0;
}

void ipam_fmt_ip4(uint32_t a, char ret[16])
{
	snprintf(ret, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static uint32_t mask_of(unsigned prefix)
{
	return prefix ? ~0u << (32 - prefix) : 0;
}

bool ipam_in_subnet(uint32_t a, uint32_t net, unsigned prefix)
{
	return (a & mask_of(prefix)) == net;
}

bool ipam_host_ok(uint32_t a, uint32_t net, unsigned prefix)
{
	return ipam_in_subnet(a, net, prefix) && a != net && a != (net | ~mask_of(prefix));
}

bool ipam_overlap(uint32_t a, unsigned pa, uint32_t b, unsigned pb)
{
	unsigned p = pa < pb ? pa : pb;
	return (a & mask_of(p)) == (b & mask_of(p));
}

int ipam_parse_cidr(const char *field, const char *s, uint32_t *ret_net, unsigned *ret_prefix)
{
	char ip[32];
	const char *slash = s ? strchr(s, '/') : NULL;
	if (!slash || (size_t)(slash - s) >= sizeof(ip))
		return log_error_errno(-EINVAL, "%s '%s' is not an IPv4 subnet in CIDR form (like 10.89.0.0/24)", field,
				       s ? s : "");
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = 0;
	char *end;
	errno = 0;
	unsigned long pl = strtoul(slash + 1, &end, 10);
	uint32_t a;
	if (ipam_parse_ip4(ip, &a) < 0 || !slash[1] || *end || errno || pl > 32)
		return log_error_errno(-EINVAL, "%s '%s' is not an IPv4 subnet in CIDR form (like 10.89.0.0/24)", field,
				       s);
	if (pl < 8 || pl > 30)
		return log_error_errno(-EINVAL, "%s '%s': the prefix length must be between 8 and 30", field, s);
	if (a & ~mask_of((unsigned)pl)) {
		char netb[16];
		ipam_fmt_ip4(a & mask_of((unsigned)pl), netb);
		return log_error_errno(-EINVAL, "%s '%s' has host bits set (did you mean %s/%lu?)", field, s, netb, pl);
	}
	*ret_net = a;
	*ret_prefix = (unsigned)pl;
	return 0;
}

static char *path_in(const char *dir, const char *name)
{
	char *p;
	return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

static const char *boot_id(void)
{
	static char id[64];
	if (!id[0]) {
		cleanup_free char *s = NULL;
		if (fs_read_file_at(AT_FDCWD, "/proc/sys/kernel/random/boot_id", 256, &s, NULL) == 0)
			snprintf(id, sizeof(id), "%.*s", (int)strcspn(s, "\n"), s);
	}
	return id;
}

int ipam_lock(const char *dir)
{
	int r = fs_mkdir_p(dir, 0700);
	if (r < 0)
		return log_error_errno(r, "Failed to create '%s': %m", dir);
	cleanup_free char *p = path_in(dir, "leases.lock");
	if (!p)
		return log_error_errno(-ENOMEM, "Out of memory");
	cleanup_close int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return log_error_errno(-errno, "Failed to open '%s': %m", p);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return log_error_errno(-errno, "Failed to lock '%s': %m", p);
	return TAKE_FD(fd);
}

static void copy_str(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

int ipam_load(const char *dir, struct ipam_leases *ret)
{
	cleanup_free char *p = path_in(dir, "leases.json"), *text = NULL;
	if (!p)
		return -ENOMEM;
	*ret = (struct ipam_leases){0};
	int r = fs_read_file_at(AT_FDCWD, p, 0, &text, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return log_error_errno(r, "Failed to read '%s': %m", p);
	cleanup_json struct json_object *o = json_tokener_parse(text);
	if (!o || !json_object_is_type(o, json_type_object))
		return log_error_errno(-EINVAL, "'%s' is not valid JSON; remove it to reset the network's leases", p);
	const char *bid = ju_str(o, "boot_id");
	if (bid && boot_id()[0] && !STREQ(bid, boot_id()))
		return 0; /* written before a reboot: every veth of then is gone */
	struct json_object *arr;
	if (!json_object_object_get_ex(o, "leases", &arr) || !json_object_is_type(arr, json_type_array))
		return 0;
	size_t n = json_object_array_length(arr);
	struct ipam_leases l = {calloc(n ? n : 1, sizeof(struct ipam_lease)), 0};
	if (!l.v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct ipam_lease *x = &l.v[l.n];
		if (!ju_str(e, "id") || !ju_str(e, "ip"))
			continue;
		copy_str(x->id, sizeof(x->id), ju_str(e, "id"));
		copy_str(x->name, sizeof(x->name), ju_str(e, "name"));
		copy_str(x->ip, sizeof(x->ip), ju_str(e, "ip"));
		copy_str(x->mac, sizeof(x->mac), ju_str(e, "mac"));
		x->hosts = ju_dup_str(e, "hosts");
		x->store = ju_dup_str(e, "store");
		x->n_ports = (unsigned)ju_int64(e, "ports");
		l.n++;
	}
	*ret = l;
	return 0;
}

int ipam_save(const char *dir, const struct ipam_leases *l)
{
	cleanup_free char *p = path_in(dir, "leases.json");
	if (!p)
		return -ENOMEM;
	cleanup_json struct json_object *o = json_object_new_object();
	ju_add_str(o, "boot_id", boot_id());
	struct json_object *arr = ju_arr(o, "leases");
	for (size_t i = 0; i < l->n; i++) {
		struct json_object *e = json_object_new_object();
		ju_add_str(e, "id", l->v[i].id);
		ju_add_str(e, "name", l->v[i].name);
		ju_add_str(e, "ip", l->v[i].ip);
		ju_add_str(e, "mac", l->v[i].mac);
		ju_add_str(e, "hosts", l->v[i].hosts);
		ju_add_str(e, "store", l->v[i].store);
		json_object_object_add(e, "ports", json_object_new_int64(l->v[i].n_ports));
		json_object_array_add(arr, e);
	}
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	int r = fs_write_atomic(p, s, strlen(s), 0600);
	if (r < 0)
		return log_error_errno(r, "Failed to write '%s': %m", p);
	return 0;
}

static int lease_copy(struct ipam_lease *dst, const struct ipam_lease *src)
{
	*dst = *src;
	dst->hosts = src->hosts ? strdup(src->hosts) : NULL;
	dst->store = src->store ? strdup(src->store) : NULL;
	if ((src->hosts && !dst->hosts) || (src->store && !dst->store)) {
		free(dst->hosts);
		free(dst->store);
		return -ENOMEM;
	}
	return 0;
}

/* Moves l->v[i] to the end of out (or frees it) and closes the gap. */
static int lease_take(struct ipam_leases *l, size_t i, struct ipam_leases *out)
{
	if (out) {
		struct ipam_lease *nv = realloc(out->v, (out->n + 1) * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		out->v = nv;
		out->v[out->n++] = l->v[i];
	} else {
		free(l->v[i].hosts);
		free(l->v[i].store);
	}
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(l->v[0]));
	l->n--;
	return 0;
}

static const struct ipam_lease *lease_with_ip(const struct ipam_leases *l, uint32_t a)
{
	for (size_t i = 0; i < l->n; i++) {
		uint32_t b;
		if (ipam_parse_ip4(l->v[i].ip, &b) == 0 && a == b)
			return &l->v[i];
	}
	return NULL;
}

int ipam_allocate(const char *dir, const struct ipam_pool *p, const struct ipam_lease *want, ipam_alive_fn alive,
		  void *userdata, struct ipam_lease *ret, struct ipam_leases *ret_reclaimed)
{
	char cidr[32], gw[16];
	ipam_fmt_ip4(p->net, cidr);
	snprintf(cidr + strlen(cidr), sizeof(cidr) - strlen(cidr), "/%u", p->prefix);
	ipam_fmt_ip4(p->gateway, gw);

	uint32_t req = 0;
	if (want->ip[0]) {
		if (ipam_parse_ip4(want->ip, &req) < 0)
			return log_error_errno(-EINVAL, "--ip '%s' is not an IPv4 address", want->ip);
		if (!ipam_host_ok(req, p->net, p->prefix))
			return log_error_errno(-EINVAL, "--ip %s is not a usable address in subnet %s of network '%s'",
					       want->ip, cidr, p->network);
		if (req == p->gateway)
			return log_error_errno(-EADDRINUSE, "--ip %s is the gateway of network '%s' (subnet %s)",
					       want->ip, p->network, cidr);
	}

	cleanup_close int lock = ipam_lock(dir);
	if (lock < 0)
		return lock;
	struct ipam_leases l = {0}, reclaimed = {0};
	int r = ipam_load(dir, &l);
	if (r < 0)
		return r;
	for (size_t i = 0; i < l.n;) {
		if (STREQ(l.v[i].id, want->id))
			r = lease_take(&l, i, NULL);
		else if (alive && !alive(&l.v[i], userdata))
			r = lease_take(&l, i, &reclaimed);
		else {
			i++;
			continue;
		}
		if (r < 0)
			goto out;
	}

	uint32_t a = 0;
	if (req) {
		const struct ipam_lease *o = lease_with_ip(&l, req);
		if (o) {
			r = log_error_errno(
			    -EADDRINUSE,
			    "--ip %s is already in use on network '%s' (subnet %s) by container %s (%.12s)", want->ip,
			    p->network, cidr, o->name[0] ? o->name : "?", o->id);
			goto out;
		}
		a = req;
	} else {
		uint32_t bcast = p->net | ~mask_of(p->prefix);
		for (uint32_t c = p->net + 1; c < bcast; c++)
			if (c != p->gateway && !lease_with_ip(&l, c)) {
				a = c;
				break;
			}
		if (!a) {
			r = log_error_errno(-ENOSPC, "No free address left in subnet %s of network '%s'", cidr,
					    p->network);
			goto out;
		}
	}

	struct ipam_lease *nv = realloc(l.v, (l.n + 1) * sizeof(*nv));
	if (!nv) {
		r = -ENOMEM;
		goto out;
	}
	l.v = nv;
	r = lease_copy(&l.v[l.n], want);
	if (r < 0)
		goto out;
	ipam_fmt_ip4(a, l.v[l.n].ip);
	l.n++;
	r = ipam_save(dir, &l);
	if (r < 0)
		goto out;
	r = lease_copy(ret, &l.v[l.n - 1]);
	if (r < 0)
		goto out;
	if (ret_reclaimed) {
		*ret_reclaimed = reclaimed;
		reclaimed = (struct ipam_leases){0};
	}
out:
	ipam_leases_free(&l);
	ipam_leases_free(&reclaimed);
	return r;
}

int ipam_release(const char *dir, const char *id, struct ipam_leases *ret_old)
{
	cleanup_close int lock = ipam_lock(dir);
	if (lock < 0)
		return lock;
	struct ipam_leases l = {0}, old = {0};
	int r = ipam_load(dir, &l);
	if (r < 0)
		return r;
	bool changed = false;
	for (size_t i = 0; i < l.n;) {
		if (!STREQ(l.v[i].id, id)) {
			i++;
			continue;
		}
		r = lease_take(&l, i, &old);
		if (r < 0)
			goto out;
		changed = true;
	}
	if (changed)
		r = ipam_save(dir, &l);
	if (r >= 0 && ret_old) {
		*ret_old = old;
		old = (struct ipam_leases){0};
	}
out:
	ipam_leases_free(&l);
	ipam_leases_free(&old);
	return r;
}
