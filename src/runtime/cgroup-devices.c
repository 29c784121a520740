/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cgroup-devices.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

static int fmt_err(char **ret_err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fmt_err(char **ret_err, const char *fmt, ...)
{
	va_list ap;
	if (ret_err) {
		va_start(ap, fmt);
		if (vasprintf(ret_err, fmt, ap) < 0)
			*ret_err = NULL;
		va_end(ap);
	}
	return -EINVAL;
}

int cgroup_device_access_parse(const char *s, unsigned *ret)
{
	unsigned a = 0;
	if (!s || !*s) {
		*ret = CGROUP_DEV_RWM;
		return 0;
	}
	for (; *s; s++) {
		switch (*s) {
		case 'r':
			a |= CGROUP_DEV_READ;
			break;
		case 'w':
			a |= CGROUP_DEV_WRITE;
			break;
		case 'm':
			a |= CGROUP_DEV_MKNOD;
			break;
		default:
			return -EINVAL;
		}
	}
	*ret = a;
	return 0;
}

/* Type 'a' means every device with every access, whatever else the rule says. */
static void normalize(struct cgroup_device_rule *r)
{
	if (r->type == 'a') {
		r->major = r->minor = -1;
		r->access = CGROUP_DEV_RWM;
	}
}

static int get_num(struct json_object *o, const char *key, size_t i, int64_t *ret, char **ret_err)
{
	struct json_object *v;
	*ret = -1;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return fmt_err(ret_err, "devices[%zu].%s: must be an integer", i, key);
	int64_t n = json_object_get_int64(v);
	if (n < -1 || n > UINT32_MAX)
		return fmt_err(ret_err, "devices[%zu].%s: %" PRId64 " is out of range", i, key, n);
	*ret = n;
	return 0;
}

int cgroup_device_rules_from_json(struct json_object *arr, struct cgroup_device_rule **ret, size_t *ret_n,
				  char **ret_err)
{
	if (!json_object_is_type(arr, json_type_array))
		return fmt_err(ret_err, "devices: must be an array");
	size_t n = json_object_array_length(arr);
	cleanup_free struct cgroup_device_rule *v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *x;
		struct cgroup_device_rule *r = &v[i];
		int e;
		if (!json_object_is_type(o, json_type_object))
			return fmt_err(ret_err, "devices[%zu]: must be an object", i);
		if (!json_object_object_get_ex(o, "allow", &x) || !json_object_is_type(x, json_type_boolean))
			return fmt_err(ret_err, "devices[%zu].allow: required, true or false", i);
		r->allow = json_object_get_boolean(x);
		r->type = 'a';
		if (json_object_object_get_ex(o, "type", &x) && !json_object_is_type(x, json_type_null)) {
			const char *t = json_object_is_type(x, json_type_string) ? json_object_get_string(x) : "";
			if (strlen(t) != 1 || !strchr("acb", t[0]))
				return fmt_err(ret_err, "devices[%zu].type: must be \"a\", \"c\" or \"b\"", i);
			r->type = t[0];
		}
		if ((e = get_num(o, "major", i, &r->major, ret_err)) < 0 ||
		    (e = get_num(o, "minor", i, &r->minor, ret_err)) < 0)
			return e;
		const char *acc = NULL;
		if (json_object_object_get_ex(o, "access", &x) && !json_object_is_type(x, json_type_null)) {
			if (!json_object_is_type(x, json_type_string))
				return fmt_err(ret_err, "devices[%zu].access: must be a string of r, w, m", i);
			acc = json_object_get_string(x);
		}
		if (cgroup_device_access_parse(acc, &r->access) < 0)
			return fmt_err(ret_err, "devices[%zu].access: '%s' is not made of r, w, m", i, acc);
		normalize(r);
	}
	*ret = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

void cgroup_device_rule_format(const struct cgroup_device_rule *r, char *buf, size_t size)
{
	char maj[24], min[24], acc[4];
	int k = 0;
	if (r->type == 'a') {
		snprintf(buf, size, "a");
		return;
	}
	if (r->major < 0)
		snprintf(maj, sizeof(maj), "*");
	else
		snprintf(maj, sizeof(maj), "%" PRId64, r->major);
	if (r->minor < 0)
		snprintf(min, sizeof(min), "*");
	else
		snprintf(min, sizeof(min), "%" PRId64, r->minor);
	if (r->access & CGROUP_DEV_READ)
		acc[k++] = 'r';
	if (r->access & CGROUP_DEV_WRITE)
		acc[k++] = 'w';
	if (r->access & CGROUP_DEV_MKNOD)
		acc[k++] = 'm';
	acc[k] = 0;
	snprintf(buf, size, "%c %s:%s %s", r->type, maj, min, acc);
}

static int parse_devnum(const char *s, size_t n, int64_t *ret)
{
	if (n == 1 && s[0] == '*') {
		*ret = -1;
		return 0;
	}
	if (n == 0 || n > 10)
		return -EINVAL;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -EINVAL;
	*ret = v;
	return 0;
}

int cgroup_device_rule_parse(const char *s, bool allow, struct cgroup_device_rule *ret)
{
	struct cgroup_device_rule r = { .allow = allow, .type = s[0] };
	if (s[0] == 'a' && (s[1] == 0 || s[1] == ' ')) {
		normalize(&r);
		*ret = r;
		return 0;
	}
	if ((s[0] != 'c' && s[0] != 'b') || s[1] != ' ')
		return -EINVAL;
	const char *colon = strchr(s + 2, ':'), *sp = colon ? strchr(colon, ' ') : NULL;
	if (!colon || !sp)
		return -EINVAL;
	if (parse_devnum(s + 2, (size_t)(colon - s - 2), &r.major) < 0 ||
	    parse_devnum(colon + 1, (size_t)(sp - colon - 1), &r.minor) < 0 ||
	    cgroup_device_access_parse(sp + 1, &r.access) < 0 || !sp[1])
		return -EINVAL;
	*ret = r;
	return 0;
}

static const struct cgroup_device_rule defaults[] = {
	{ true, 'c', 1, 3, CGROUP_DEV_RWM },  /* /dev/null */
	{ true, 'c', 1, 5, CGROUP_DEV_RWM },  /* /dev/zero */
	{ true, 'c', 1, 7, CGROUP_DEV_RWM },  /* /dev/full */
	{ true, 'c', 1, 8, CGROUP_DEV_RWM },  /* /dev/random */
	{ true, 'c', 1, 9, CGROUP_DEV_RWM },  /* /dev/urandom */
	{ true, 'c', 5, 0, CGROUP_DEV_RWM },  /* /dev/tty */
	{ true, 'c', 5, 1, CGROUP_DEV_RWM },  /* /dev/console */
	{ true, 'c', 5, 2, CGROUP_DEV_RWM },  /* /dev/ptmx */
	{ true, 'c', 136, -1, CGROUP_DEV_RWM }, /* /dev/pts/N */
};

const struct cgroup_device_rule *cgroup_device_defaults(size_t *ret_n)
{
	*ret_n = ELEMENTSOF(defaults);
	return defaults;
}

int cgroup_device_rules_effective(const struct cgroup_device_rule *cfg, size_t n_cfg,
				  const struct cgroup_device_rule *extra, size_t n_extra,
				  struct cgroup_device_rule **ret, size_t *ret_n)
{
	size_t n = 1 + n_cfg + ELEMENTSOF(defaults) + n_extra, k = 0;
	struct cgroup_device_rule *v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v[k++] = (struct cgroup_device_rule){ false, 'a', -1, -1, CGROUP_DEV_RWM };
	for (size_t i = 0; i < n_cfg; i++)
		v[k++] = cfg[i];
	for (size_t i = 0; i < ELEMENTSOF(defaults); i++)
		v[k++] = defaults[i];
	for (size_t i = 0; i < n_extra; i++)
		v[k++] = extra[i];
	*ret = v;
	*ret_n = n;
	return 0;
}

static bool rule_matches(const struct cgroup_device_rule *r, char type, uint32_t major, uint32_t minor)
{
	return (r->type == 'a' || r->type == type) && (r->major < 0 || r->major == major) &&
	       (r->minor < 0 || r->minor == minor);
}

bool cgroup_devices_allowed(const struct cgroup_device_rule *rules, size_t n, char type, uint32_t major,
			    uint32_t minor, unsigned access)
{
	static const unsigned bits[] = { CGROUP_DEV_READ, CGROUP_DEV_WRITE, CGROUP_DEV_MKNOD };
	for (size_t b = 0; b < ELEMENTSOF(bits); b++) {
		if (!(access & bits[b]))
			continue;
		bool allowed = false;
		for (size_t i = n; i-- > 0;)
			if ((rules[i].access & bits[b]) && rule_matches(&rules[i], type, major, minor)) {
				allowed = rules[i].allow;
				break;
			}
		if (!allowed)
			return false;
	}
	return true;
}

/* ---- BPF ----------------------------------------------------------------------------- */

struct prog {
	struct bpf_insn *v;
	size_t n, cap;
};

static int emit(struct prog *p, struct bpf_insn insn)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct bpf_insn *v = realloc(p->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = insn;
	return 0;
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
}

#define LDX_W(dst, src, off) insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define MOV_REG(dst, src) insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV_IMM(dst, imm) insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define AND_IMM(dst, imm) insn(BPF_ALU64 | BPF_AND | BPF_K, dst, 0, 0, imm)
#define RSH_IMM(dst, imm) insn(BPF_ALU64 | BPF_RSH | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, off) insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JEQ_IMM(dst, imm, off) insn(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, off, imm)
#define JA(off) insn(BPF_JMP | BPF_JA, 0, 0, off, 0)
#define EXIT() insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers: r1 ctx, r3 device type, r4 access bits, r5 major, r6 minor, r7 scratch. */
int cgroup_devices_bpf_build(const struct cgroup_device_rule *rules, size_t n, struct bpf_insn **ret,
			     size_t *ret_n)
{
	static const unsigned bits[] = { CGROUP_DEV_READ, CGROUP_DEV_WRITE, CGROUP_DEV_MKNOD };
	struct prog p = { 0 };
	size_t *fix = NULL, n_fix = 0;
	int r = 0;

	fix = calloc(n + 2, sizeof(*fix));
	if (!fix)
		return -ENOMEM;
	r |= emit(&p, LDX_W(BPF_REG_2, BPF_REG_1, 0)); /* access_type: (access << 16) | type */
	r |= emit(&p, MOV_REG(BPF_REG_3, BPF_REG_2));
	r |= emit(&p, AND_IMM(BPF_REG_3, 0xffff));
	r |= emit(&p, MOV_REG(BPF_REG_4, BPF_REG_2));
	r |= emit(&p, RSH_IMM(BPF_REG_4, 16));
	r |= emit(&p, LDX_W(BPF_REG_5, BPF_REG_1, 4));
	r |= emit(&p, LDX_W(BPF_REG_6, BPF_REG_1, 8));
	for (size_t b = 0; b < ELEMENTSOF(bits) && r == 0; b++) {
		n_fix = 0;
		r |= emit(&p, MOV_REG(BPF_REG_7, BPF_REG_4));
		r |= emit(&p, AND_IMM(BPF_REG_7, (int32_t)bits[b]));
		fix[n_fix++] = p.n;
		r |= emit(&p, JEQ_IMM(BPF_REG_7, 0, 0)); /* bit not requested: next bit */
		/* The verifier refuses unreachable code: stop after a rule matching every device. */
		bool decided = false;
		for (size_t i = n; i-- > 0 && r == 0 && !decided;) {
			const struct cgroup_device_rule *rl = &rules[i];
			if (!(rl->access & bits[b]))
				continue;
			int conds = (rl->type != 'a') + (rl->major >= 0) + (rl->minor >= 0);
			decided = conds == 0;
			int len = conds + (rl->allow ? 1 : 2), k = 0;
			if (rl->type != 'a') {
				int t = rl->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
				r |= emit(&p, JNE_IMM(BPF_REG_3, t, (int16_t)(len - k - 1)));
				k++;
			}
			if (rl->major >= 0) {
				r |= emit(&p, JNE_IMM(BPF_REG_5, (int32_t)(uint32_t)rl->major, (int16_t)(len - k - 1)));
				k++;
			}
			if (rl->minor >= 0) {
				r |= emit(&p, JNE_IMM(BPF_REG_6, (int32_t)(uint32_t)rl->minor, (int16_t)(len - k - 1)));
				k++;
			}
			if (rl->allow) {
				fix[n_fix++] = p.n;
				r |= emit(&p, JA(0)); /* this bit is allowed: next bit */
			} else {
				r |= emit(&p, MOV_IMM(BPF_REG_0, 0));
				r |= emit(&p, EXIT());
			}
		}
		/* No rule holds this bit for the device: denied. */
		if (!decided) {
			r |= emit(&p, MOV_IMM(BPF_REG_0, 0));
			r |= emit(&p, EXIT());
		}
		for (size_t f = 0; f < n_fix && r == 0; f++) {
			long off = (long)p.n - (long)fix[f] - 1;
			if (off > INT16_MAX) {
				r = -E2BIG;
				break;
			}
			p.v[fix[f]].off = (int16_t)off;
		}
	}
	r |= emit(&p, MOV_IMM(BPF_REG_0, 1));
	r |= emit(&p, EXIT());
	free(fix);
	if (r != 0) {
		free(p.v);
		return r < 0 ? r : -ENOMEM;
	}
	*ret = p.v;
	*ret_n = p.n;
	return 0;
}

static int bpf_(int cmd, union bpf_attr *attr)
{
	long r = syscall(SYS_bpf, cmd, attr, sizeof(*attr));
	return r < 0 ? -errno : (int)r;
}

static int prog_load(const struct bpf_insn *prog, size_t n, char *log, size_t log_size)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)prog;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t) "GPL";
	if (log) {
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = (uint32_t)log_size;
		a.log_level = 1;
		log[0] = 0;
	}
	int fd = bpf_(BPF_PROG_LOAD, &a);
	if (fd >= 0) {
		int cfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		close(fd);
		fd = cfd < 0 ? -errno : cfd;
	}
	return fd;
}

/* The ids of the device programs attached to the cgroup now (at most 64). */
static int query_attached(int cgroup_fd, uint32_t *ids, uint32_t *n)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)cgroup_fd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uint64_t)(uintptr_t)ids;
	a.query.prog_cnt = *n;
	int r = bpf_(BPF_PROG_QUERY, &a);
	if (r < 0)
		return r;
	*n = a.query.prog_cnt;
	return 0;
}

static int detach_id(int cgroup_fd, uint32_t id)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	int pfd = bpf_(BPF_PROG_GET_FD_BY_ID, &a);
	if (pfd < 0)
		return pfd;
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgroup_fd;
	a.attach_bpf_fd = (uint32_t)pfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	int r = bpf_(BPF_PROG_DETACH, &a);
	close(pfd);
	return r;
}

int cgroup_devices_bpf_apply(int cgroup_fd, const char *dir, const struct bpf_insn *prog, size_t n)
{
	uint32_t old[64], n_old = ELEMENTSOF(old);
	union bpf_attr a;
	int r;

	if (query_attached(cgroup_fd, old, &n_old) < 0)
		n_old = 0;
	cleanup_close int pfd = prog_load(prog, n, NULL, 0);
	if (pfd == -EPERM || pfd == -EACCES)
		return log_error_errno(pfd, "linux.resources.devices: this host does not let kakuri load the cgroup v2 device "
					    "filter (bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE): %m); it needs CAP_BPF or "
					    "CAP_SYS_ADMIN and no seccomp/LSM policy forbidding bpf()");
	if (pfd == -ENOSYS)
		return log_error_errno(pfd, "linux.resources.devices: the kernel has no bpf() (CONFIG_BPF_SYSCALL), which cgroup "
					    "v2 needs to restrict devices");
	if (pfd < 0) {
		cleanup_free char *log = calloc(1, 1 << 16);
		int r2 = log ? prog_load(prog, n, log, 1 << 16) : pfd;
		if (r2 >= 0)
			close(r2);
		return log_error_errno(pfd, "linux.resources.devices: the kernel rejected the device filter program: %m%s%s",
				       log && *log ? ": " : "", log ? log : "");
	}
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgroup_fd;
	a.attach_bpf_fd = (uint32_t)pfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	r = bpf_(BPF_PROG_ATTACH, &a);
	if (r < 0)
		return log_error_errno(r, "linux.resources.devices: attaching the device filter to '%s' failed: %m", dir);
	for (uint32_t i = 0; i < n_old; i++) {
		r = detach_id(cgroup_fd, old[i]);
		if (r < 0)
			log_debug_errno(r, "detaching the previous device filter %u from '%s': %m", old[i], dir);
	}
	return 0;
}

int cgroup_devices_v1_apply(const char *dir, const struct cgroup_device_rule *rules, size_t n)
{
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[64];
	if (dfd < 0)
		return log_error_errno(-errno, "Failed to open '%s': %m", dir);
	for (size_t i = 0; i < n; i++) {
		const char *file = rules[i].allow ? "devices.allow" : "devices.deny";
		cgroup_device_rule_format(&rules[i], buf, sizeof(buf));
		int r = fs_write_file_at(dfd, file, buf, strlen(buf));
		if (r < 0)
			return log_error_errno(r, "linux.resources.devices: writing '%s' to %s/%s failed: %m", buf, dir, file);
	}
	return 0;
}
