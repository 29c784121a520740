/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cgroup-resources.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "runtime/cgroup-layout.h"

uint64_t cgroup_cpu_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cgroup_blkio_weight_to_io_weight(uint64_t weight)
{
	if (weight == 0)
		return 0;
	if (weight <= 10)
		return 1;
	if (weight >= 1000)
		return 10000;
	return 1 + ((weight - 10) * 9999) / 990;
}

int cgroup_swap_to_v2(bool has_swap, int64_t swap, bool has_limit, int64_t limit, int64_t *ret, const char **ret_why)
{
	/* As with v1: unlimited memory and no explicit swap means unlimited swap too. */
	if (!has_swap || swap == 0) {
		if (has_limit && limit == -1) {
			*ret = -1;
			return 1;
		}
		return 0;
	}
	if (swap == -1) {
		*ret = -1;
		return 1;
	}
	if (swap < -1) {
		*ret_why = "must be -1 or a byte count";
		return -EINVAL;
	}
	if (!has_limit || limit == 0 || limit == -1) {
		*ret_why = "cannot limit swap without a memory limit (memory.swap is memory+swap)";
		return -EINVAL;
	}
	if (limit < 0) {
		*ret_why = "memory.limit is invalid";
		return -EINVAL;
	}
	if (swap < limit) {
		*ret_why = "must be >= memory.limit (it is the memory+swap limit)";
		return -EINVAL;
	}
	*ret = swap - limit;
	return 1;
}

int cgroup_parse_size(const char *s, int64_t *ret)
{
	if (!s || !*s)
		return -EINVAL;
	if (STREQ(s, "-1")) {
		*ret = -1;
		return 0;
	}
	const char *p = s;
	uint64_t whole = 0;
	double frac = 0, scale = 0.1;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++, scale /= 10)
			frac += (*p - '0') * scale;
	}
	while (*p == ' ')
		p++;
	uint64_t mult = 1;
	switch (tolower((unsigned char)*p)) {
	case 'k':
		mult = 1ULL << 10;
		break;
	case 'm':
		mult = 1ULL << 20;
		break;
	case 'g':
		mult = 1ULL << 30;
		break;
	case 't':
		mult = 1ULL << 40;
		break;
	case 'p':
		mult = 1ULL << 50;
		break;
	default:
		break;
	}
	if (mult != 1) {
		p++;
		if (*p == 'i' || *p == 'I')
			p++;
	}
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p)
		return -EINVAL;
	if (whole > (uint64_t)INT64_MAX / mult)
		return -ERANGE;
	*ret = (int64_t)(whole * mult + (uint64_t)(frac * (double)mult));
	return 0;
}

bool cgroup_hugepage_size_valid(const char *s)
{
	const char *p = s;
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p && strchr("KMGTP", *p))
		p++;
	return STREQ(p, "B");
}

/* ---- the builder ---------------------------------------------------------------------- */

struct builder {
	struct cgroup_plan *p;
	const int *ver;
	char **err;
	int group;
};

static int fail(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct builder *b, const char *fmt, ...)
{
	va_list ap;
	if (b->err) {
		va_start(ap, fmt);
		if (vasprintf(b->err, fmt, ap) < 0)
			*b->err = NULL;
		va_end(ap);
	}
	return -EINVAL;
}

static int warn(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int warn(struct builder *b, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	size_t n = 0;
	va_start(ap, fmt);
	int r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	while (b->p->warnings && b->p->warnings[n])
		n++;
	char **v = realloc(b->p->warnings, (n + 2) * sizeof(char *));
	if (!v) {
		free(msg);
		return -ENOMEM;
	}
	v[n] = msg;
	v[n + 1] = NULL;
	b->p->warnings = v;
	return 0;
}

static int add(struct builder *b, int ctrl, const char *field, unsigned flags, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static int add(struct builder *b, int ctrl, const char *field, unsigned flags, const char *file, const char *fmt, ...)
{
	struct cgroup_plan *p = b->p;
	struct cgroup_write w = { .controller = ctrl, .flags = flags, .group = b->group };
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&w.value, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	w.file = strdup(file);
	w.field = strdup(field);
	struct cgroup_write *v = realloc(p->w, (p->n + 1) * sizeof(*v));
	if (!w.file || !w.field || !v) {
		free(w.value);
		free(w.file);
		free(w.field);
		if (v)
			p->w = v;
		return -ENOMEM;
	}
	p->w = v;
	p->w[p->n++] = w;
	return 0;
}

static bool v2(struct builder *b, int ctrl)
{
	return b->ver[ctrl] != 1;
}

/* Optional members. *has is false when absent or null. */
static int get_i64(struct builder *b, struct json_object *o, const char *sect, const char *key, bool *has, int64_t *v)
{
	struct json_object *x;
	*has = false;
	if (!json_object_object_get_ex(o, key, &x) || json_object_is_type(x, json_type_null))
		return 0;
	if (!json_object_is_type(x, json_type_int))
		return fail(b, "%s.%s: must be an integer", sect, key);
	*v = json_object_get_int64(x);
	*has = true;
	return 0;
}

static int get_u64(struct builder *b, struct json_object *o, const char *sect, const char *key, bool *has, uint64_t *v)
{
	struct json_object *x;
	*has = false;
	if (!json_object_object_get_ex(o, key, &x) || json_object_is_type(x, json_type_null))
		return 0;
	if (!json_object_is_type(x, json_type_int))
		return fail(b, "%s.%s: must be a non-negative integer", sect, key);
	if (json_object_get_int64(x) < 0) {
		/* -1 is written by some engines for "unset" in uint64 fields. */
		if (json_object_get_int64(x) == -1) {
			*v = UINT64_MAX;
			*has = true;
			return 0;
		}
		return fail(b, "%s.%s: must be a non-negative integer", sect, key);
	}
	*v = json_object_get_uint64(x);
	*has = true;
	return 0;
}

static int get_bool(struct builder *b, struct json_object *o, const char *sect, const char *key, bool *has, bool *v)
{
	struct json_object *x;
	*has = false;
	if (!json_object_object_get_ex(o, key, &x) || json_object_is_type(x, json_type_null))
		return 0;
	if (!json_object_is_type(x, json_type_boolean))
		return fail(b, "%s.%s: must be true or false", sect, key);
	*v = json_object_get_boolean(x);
	*has = true;
	return 0;
}

static int get_str(struct builder *b, struct json_object *o, const char *sect, const char *key, const char **v)
{
	struct json_object *x;
	*v = NULL;
	if (!json_object_object_get_ex(o, key, &x) || json_object_is_type(x, json_type_null))
		return 0;
	if (!json_object_is_type(x, json_type_string))
		return fail(b, "%s.%s: must be a string", sect, key);
	*v = json_object_get_string(x);
	return 0;
}

static int get_section(struct builder *b, struct json_object *o, const char *key, json_type type,
		       struct json_object **ret)
{
	*ret = NULL;
	if (!json_object_object_get_ex(o, key, ret) || json_object_is_type(*ret, json_type_null)) {
		*ret = NULL;
		return 0;
	}
	if (!json_object_is_type(*ret, type))
		return fail(b, "%s: must be %s", key, type == json_type_array ? "an array" : "an object");
	return 0;
}

/* A byte count for memory files: -1 is unlimited ("-1" on v1, "max" on v2). */
static int mem_value(struct builder *b, const char *field, int64_t v, bool is_v2, char *buf, size_t size)
{
	if (v < -1)
		return fail(b, "%s: %" PRId64 " is neither -1 (unlimited) nor a byte count", field, v);
	if (v == -1)
		snprintf(buf, size, "%s", is_v2 ? "max" : "-1");
	else
		snprintf(buf, size, "%" PRId64, v);
	return 0;
}

static int plan_memory(struct builder *b, struct json_object *m)
{
	bool has_limit, has_res, has_swap, has_kernel, has_tcp, has_swappiness, has_oom, has_hier, has_check, oom, hier, check;
	int64_t limit = 0, res = 0, swap = 0, kernel = 0, tcp = 0;
	uint64_t swappiness = 0;
	char val[32];
	int r;
	bool is_v2 = v2(b, CGROUP_MEMORY);

	if ((r = get_i64(b, m, "memory", "limit", &has_limit, &limit)) < 0 ||
	    (r = get_i64(b, m, "memory", "reservation", &has_res, &res)) < 0 ||
	    (r = get_i64(b, m, "memory", "swap", &has_swap, &swap)) < 0 ||
	    (r = get_i64(b, m, "memory", "kernel", &has_kernel, &kernel)) < 0 ||
	    (r = get_i64(b, m, "memory", "kernelTCP", &has_tcp, &tcp)) < 0 ||
	    (r = get_u64(b, m, "memory", "swappiness", &has_swappiness, &swappiness)) < 0 ||
	    (r = get_bool(b, m, "memory", "disableOOMKiller", &has_oom, &oom)) < 0 ||
	    (r = get_bool(b, m, "memory", "useHierarchy", &has_hier, &hier)) < 0 ||
	    (r = get_bool(b, m, "memory", "checkBeforeUpdate", &has_check, &check)) < 0)
		return r;
	b->p->check_before_update = has_check && check;
	b->p->has_memory_limit = has_limit;
	b->p->memory_limit = limit;
	(void)hier;
	(void)has_hier; /* memory.use_hierarchy is always 1 on current kernels */

	if (has_limit) {
		if ((r = mem_value(b, "memory.limit", limit, is_v2, val, sizeof(val))) < 0)
			return r;
		r = add(b, CGROUP_MEMORY, "memory.limit", is_v2 ? 0 : CGROUP_W_SWAP_PAIR,
			is_v2 ? "memory.max" : "memory.limit_in_bytes", "%s", val);
		if (r < 0)
			return r;
	}
	if (is_v2) {
		int64_t sw;
		const char *why = NULL;
		r = cgroup_swap_to_v2(has_swap, swap, has_limit, limit, &sw, &why);
		if (r < 0)
			return fail(b, "memory.swap: %s", why);
		if (r > 0) {
			/* No swap.max without swap support: fine if no swap is allowed anyway. */
			unsigned fl = sw <= 0 ? CGROUP_W_OPTIONAL : 0;
			if (sw < 0)
				r = add(b, CGROUP_MEMORY, "memory.swap", fl, "memory.swap.max", "max");
			else
				r = add(b, CGROUP_MEMORY, "memory.swap", fl, "memory.swap.max", "%" PRId64, sw);
			if (r < 0)
				return r;
		}
	} else if (has_swap && swap != 0) {
		if ((r = mem_value(b, "memory.swap", swap, false, val, sizeof(val))) < 0)
			return r;
		if (has_limit && limit > 0 && swap > 0 && swap < limit)
			return fail(b, "memory.swap: must be >= memory.limit (it is the memory+swap limit)");
		r = add(b, CGROUP_MEMORY, "memory.swap", CGROUP_W_SWAP_PAIR | (swap == -1 ? CGROUP_W_OPTIONAL : 0),
			"memory.memsw.limit_in_bytes", "%s", val);
		if (r < 0)
			return r;
	}
	if (has_res) {
		if ((r = mem_value(b, "memory.reservation", res, is_v2, val, sizeof(val))) < 0)
			return r;
		r = add(b, CGROUP_MEMORY, "memory.reservation", 0, is_v2 ? "memory.low" : "memory.soft_limit_in_bytes", "%s", val);
		if (r < 0)
			return r;
	}
	if (has_kernel && kernel > 0 && (r = warn(b, "memory.kernel: kernel memory limits no longer exist in the kernel: ignored")) < 0)
		return r;
	if (has_tcp && tcp != 0) {
		if (is_v2)
			r = warn(b, "memory.kernelTCP: no cgroup v2 equivalent: ignored");
		else if ((r = mem_value(b, "memory.kernelTCP", tcp, false, val, sizeof(val))) >= 0)
			r = add(b, CGROUP_MEMORY, "memory.kernelTCP", 0, "memory.kmem.tcp.limit_in_bytes", "%s", val);
		if (r < 0)
			return r;
	}
	if (has_swappiness && swappiness != UINT64_MAX) {
		if (swappiness > 100)
			return fail(b, "memory.swappiness: %" PRIu64 " is not between 0 and 100", swappiness);
		if (is_v2)
			r = warn(b, "memory.swappiness: no cgroup v2 equivalent: ignored");
		else
			r = add(b, CGROUP_MEMORY, "memory.swappiness", 0, "memory.swappiness", "%" PRIu64, swappiness);
		if (r < 0)
			return r;
	}
	if (has_oom) {
		if (is_v2)
			r = oom ? warn(b, "memory.disableOOMKiller: no cgroup v2 equivalent: ignored") : 0;
		else
			r = add(b, CGROUP_MEMORY, "memory.disableOOMKiller", 0, "memory.oom_control", "%d", oom ? 1 : 0);
		if (r < 0)
			return r;
	}
	return 0;
}

static int plan_cpu(struct builder *b, struct json_object *c)
{
	bool has_shares, has_quota, has_burst, has_period, has_rtr, has_rtp, has_idle;
	uint64_t shares = 0, burst = 0, period = 0, rtp = 0;
	int64_t quota = 0, rtr = 0, idle = 0;
	const char *cpus, *mems;
	bool is_v2 = v2(b, CGROUP_CPU);
	int r;

	if ((r = get_u64(b, c, "cpu", "shares", &has_shares, &shares)) < 0 ||
	    (r = get_i64(b, c, "cpu", "quota", &has_quota, &quota)) < 0 ||
	    (r = get_u64(b, c, "cpu", "burst", &has_burst, &burst)) < 0 ||
	    (r = get_u64(b, c, "cpu", "period", &has_period, &period)) < 0 ||
	    (r = get_i64(b, c, "cpu", "realtimeRuntime", &has_rtr, &rtr)) < 0 ||
	    (r = get_u64(b, c, "cpu", "realtimePeriod", &has_rtp, &rtp)) < 0 ||
	    (r = get_i64(b, c, "cpu", "idle", &has_idle, &idle)) < 0 ||
	    (r = get_str(b, c, "cpu", "cpus", &cpus)) < 0 || (r = get_str(b, c, "cpu", "mems", &mems)) < 0)
		return r;
	if (has_shares && shares == UINT64_MAX)
		has_shares = false;
	if (has_period && period == UINT64_MAX)
		has_period = false;
	if (has_quota && quota > 0 && has_burst && burst != UINT64_MAX && burst > (uint64_t)quota)
		return fail(b, "cpu.burst: must not be larger than cpu.quota");

	if (has_shares && shares != 0) {
		if (is_v2)
			r = add(b, CGROUP_CPU, "cpu.shares", 0, "cpu.weight", "%" PRIu64, cgroup_cpu_shares_to_weight(shares));
		else
			r = add(b, CGROUP_CPU, "cpu.shares", 0, "cpu.shares", "%" PRIu64, shares);
		if (r < 0)
			return r;
	}
	if (is_v2) {
		if ((has_quota && quota != 0) || (has_period && period != 0)) {
			char q[32] = "max";
			if (has_quota && quota > 0)
				snprintf(q, sizeof(q), "%" PRId64, quota);
			if (has_period && period != 0)
				r = add(b, CGROUP_CPU, "cpu.quota", 0, "cpu.max", "%s %" PRIu64, q, period);
			else
				r = add(b, CGROUP_CPU, "cpu.quota", 0, "cpu.max", "%s", q);
			if (r < 0)
				return r;
		}
		if (has_burst && (r = add(b, CGROUP_CPU, "cpu.burst", 0, "cpu.max.burst", "%" PRIu64,
					   burst == UINT64_MAX ? 0 : burst)) < 0)
			return r;
		if ((has_rtr && rtr != 0) || (has_rtp && rtp != 0 && rtp != UINT64_MAX))
			return fail(b, "cpu.realtimeRuntime/realtimePeriod: not supported on cgroup v2 (the kernel has no "
				       "realtime group scheduling there)");
	} else {
		/* Period before quota: the kernel checks the quota against the current period. */
		if (has_period && period != 0 && (r = add(b, CGROUP_CPU, "cpu.period", 0, "cpu.cfs_period_us", "%" PRIu64, period)) < 0)
			return r;
		if (has_quota && quota != 0 &&
		    (r = add(b, CGROUP_CPU, "cpu.quota", 0, "cpu.cfs_quota_us", "%" PRId64, quota < 0 ? -1 : quota)) < 0)
			return r;
		if (has_burst && (r = add(b, CGROUP_CPU, "cpu.burst", 0, "cpu.cfs_burst_us", "%" PRIu64,
					   burst == UINT64_MAX ? 0 : burst)) < 0)
			return r;
		if (has_rtp && rtp != 0 && rtp != UINT64_MAX &&
		    (r = add(b, CGROUP_CPU, "cpu.realtimePeriod", 0, "cpu.rt_period_us", "%" PRIu64, rtp)) < 0)
			return r;
		if (has_rtr && rtr != 0 && (r = add(b, CGROUP_CPU, "cpu.realtimeRuntime", 0, "cpu.rt_runtime_us", "%" PRId64, rtr)) < 0)
			return r;
	}
	if (has_idle) {
		if (idle != 0 && idle != 1)
			return fail(b, "cpu.idle: must be 0 or 1");
		if ((r = add(b, CGROUP_CPU, "cpu.idle", 0, "cpu.idle", "%" PRId64, idle)) < 0)
			return r;
	}
	if (cpus && *cpus && (r = add(b, CGROUP_CPUSET, "cpu.cpus", 0, "cpuset.cpus", "%s", cpus)) < 0)
		return r;
	if (mems && *mems && (r = add(b, CGROUP_CPUSET, "cpu.mems", 0, "cpuset.mems", "%s", mems)) < 0)
		return r;
	return 0;
}

/* Two alternatives for a weight: v1 blkio.weight / blkio.bfq.weight; v2 io.bfq.weight (same
 * scale as v1) / io.weight (converted). dev is "M:m " or "". */
static int add_weight(struct builder *b, const char *field, const char *dev, uint64_t w, bool device)
{
	int r;
	b->group++;
	if (v2(b, CGROUP_BLKIO)) {
		r = add(b, CGROUP_BLKIO, field, CGROUP_W_ALT, "io.bfq.weight", "%s%" PRIu64, dev, w);
		if (r >= 0)
			r = add(b, CGROUP_BLKIO, field, CGROUP_W_ALT, "io.weight", "%s%" PRIu64, dev,
				cgroup_blkio_weight_to_io_weight(w));
	} else {
		r = add(b, CGROUP_BLKIO, field, CGROUP_W_ALT, device ? "blkio.weight_device" : "blkio.weight", "%s%" PRIu64, dev, w);
		if (r >= 0)
			r = add(b, CGROUP_BLKIO, field, CGROUP_W_ALT, device ? "blkio.bfq.weight_device" : "blkio.bfq.weight",
				"%s%" PRIu64, dev, w);
	}
	b->group++;
	return r;
}

static int get_devnum(struct builder *b, struct json_object *o, const char *sect, char *buf, size_t size)
{
	bool hm, hn;
	int64_t maj = 0, min = 0;
	int r;
	if ((r = get_i64(b, o, sect, "major", &hm, &maj)) < 0 || (r = get_i64(b, o, sect, "minor", &hn, &min)) < 0)
		return r;
	if (!hm || !hn || maj < 0 || min < 0)
		return fail(b, "%s: major and minor are required (non-negative)", sect);
	snprintf(buf, size, "%" PRId64 ":%" PRId64, maj, min);
	return 0;
}

static int plan_blkio(struct builder *b, struct json_object *o)
{
	static const struct {
		const char *key, *v1file, *v2key;
	} thr[] = {
		{ "throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps" },
		{ "throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps" },
		{ "throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops" },
		{ "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops" },
	};
	bool is_v2 = v2(b, CGROUP_BLKIO), has;
	uint64_t w;
	char sect[96], dev[48], field[128];
	struct json_object *arr;
	int r;

	if ((r = get_u64(b, o, "blockIO", "weight", &has, &w)) < 0)
		return r;
	if (has && w != 0 && w != UINT64_MAX && (r = add_weight(b, "blockIO.weight", "", w, false)) < 0)
		return r;
	if ((r = get_u64(b, o, "blockIO", "leafWeight", &has, &w)) < 0)
		return r;
	if (has && w != 0 && w != UINT64_MAX) {
		r = is_v2 ? warn(b, "blockIO.leafWeight: no cgroup v2 equivalent: ignored")
			  : add(b, CGROUP_BLKIO, "blockIO.leafWeight", 0, "blkio.leaf_weight", "%" PRIu64, w);
		if (r < 0)
			return r;
	}
	if ((r = get_section(b, o, "weightDevice", json_type_array, &arr)) < 0)
		return fail(b, "blockIO.weightDevice: must be an array");
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		uint64_t lw;
		bool has_lw;
		snprintf(sect, sizeof(sect), "blockIO.weightDevice[%zu]", i);
		if (!json_object_is_type(e, json_type_object))
			return fail(b, "%s: must be an object", sect);
		if ((r = get_devnum(b, e, sect, dev, sizeof(dev))) < 0 || (r = get_u64(b, e, sect, "weight", &has, &w)) < 0 ||
		    (r = get_u64(b, e, sect, "leafWeight", &has_lw, &lw)) < 0)
			return r;
		if (!has && !has_lw)
			return fail(b, "%s: needs weight or leafWeight", sect);
		strcat(dev, " ");
		snprintf(field, sizeof(field), "%s.weight", sect);
		if (has && (r = add_weight(b, field, dev, w, true)) < 0)
			return r;
		if (has_lw) {
			snprintf(field, sizeof(field), "%s.leafWeight", sect);
			r = is_v2 ? warn(b, "%s: no cgroup v2 equivalent: ignored", field)
				  : add(b, CGROUP_BLKIO, field, 0, "blkio.leaf_weight_device", "%s%" PRIu64, dev, lw);
			if (r < 0)
				return r;
		}
	}
	for (size_t t = 0; t < ELEMENTSOF(thr); t++) {
		if ((r = get_section(b, o, thr[t].key, json_type_array, &arr)) < 0)
			return fail(b, "blockIO.%s: must be an array", thr[t].key);
		for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
			struct json_object *e = json_object_array_get_idx(arr, i);
			snprintf(sect, sizeof(sect), "blockIO.%s[%zu]", thr[t].key, i);
			if (!json_object_is_type(e, json_type_object))
				return fail(b, "%s: must be an object", sect);
			if ((r = get_devnum(b, e, sect, dev, sizeof(dev))) < 0 || (r = get_u64(b, e, sect, "rate", &has, &w)) < 0)
				return r;
			if (!has)
				return fail(b, "%s.rate: required", sect);
			if (is_v2) {
				if (w == 0 || w == UINT64_MAX)
					r = add(b, CGROUP_BLKIO, sect, 0, "io.max", "%s %s=max", dev, thr[t].v2key);
				else
					r = add(b, CGROUP_BLKIO, sect, 0, "io.max", "%s %s=%" PRIu64, dev, thr[t].v2key, w);
			} else {
				r = add(b, CGROUP_BLKIO, sect, 0, thr[t].v1file, "%s %" PRIu64, dev, w == UINT64_MAX ? 0 : w);
			}
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int plan_hugetlb(struct builder *b, struct json_object *arr)
{
	bool is_v2 = v2(b, CGROUP_HUGETLB);
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		char sect[64], file[96], rsvd[96];
		const char *size;
		bool has;
		uint64_t limit;
		int r;
		snprintf(sect, sizeof(sect), "hugepageLimits[%zu]", i);
		if (!json_object_is_type(e, json_type_object))
			return fail(b, "%s: must be an object", sect);
		if ((r = get_str(b, e, sect, "pageSize", &size)) < 0 || (r = get_u64(b, e, sect, "limit", &has, &limit)) < 0)
			return r;
		if (!size || !cgroup_hugepage_size_valid(size))
			return fail(b, "%s.pageSize: '%s' is not a size like \"2MB\" or \"1GB\"", sect, size ? size : "");
		if (!has)
			return fail(b, "%s.limit: required", sect);
		snprintf(file, sizeof(file), is_v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes", size);
		snprintf(rsvd, sizeof(rsvd), is_v2 ? "hugetlb.%s.rsvd.max" : "hugetlb.%s.rsvd.limit_in_bytes", size);
		char val[32];
		if (limit == UINT64_MAX)
			snprintf(val, sizeof(val), "%s", is_v2 ? "max" : "-1");
		else
			snprintf(val, sizeof(val), "%" PRIu64, limit);
		if ((r = add(b, CGROUP_HUGETLB, sect, 0, file, "%s", val)) < 0 ||
		    (r = add(b, CGROUP_HUGETLB, sect, CGROUP_W_OPTIONAL, rsvd, "%s", val)) < 0)
			return r;
	}
	return 0;
}

static int plan_network(struct builder *b, struct json_object *o)
{
	bool has;
	uint64_t classid;
	struct json_object *arr;
	int r;
	if ((r = get_u64(b, o, "network", "classID", &has, &classid)) < 0)
		return r;
	if ((r = get_section(b, o, "priorities", json_type_array, &arr)) < 0)
		return fail(b, "network.priorities: must be an array");
	if (!has && !arr)
		return 0;
	/* There is no v2 form; on a host without these v1 controllers the caller says so. */
	if (b->ver[CGROUP_NET_CLS] == 2 || b->ver[CGROUP_NET_PRIO] == 2)
		return fail(b, "network: net_cls/net_prio do not exist on cgroup v2 (classify traffic with eBPF instead)");
	if (has && (r = add(b, CGROUP_NET_CLS, "network.classID", 0, "net_cls.classid", "%" PRIu64, classid)) < 0)
		return r;
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		char sect[64];
		const char *name;
		uint64_t prio;
		snprintf(sect, sizeof(sect), "network.priorities[%zu]", i);
		if (!json_object_is_type(e, json_type_object))
			return fail(b, "%s: must be an object", sect);
		if ((r = get_str(b, e, sect, "name", &name)) < 0 || (r = get_u64(b, e, sect, "priority", &has, &prio)) < 0)
			return r;
		if (!name || !*name || strpbrk(name, " \n") || !has)
			return fail(b, "%s: needs an interface name and a priority", sect);
		if ((r = add(b, CGROUP_NET_PRIO, sect, 0, "net_prio.ifpriomap", "%s %" PRIu64, name, prio)) < 0)
			return r;
	}
	return 0;
}

static int plan_rdma(struct builder *b, struct json_object *o)
{
	json_object_object_foreach(o, dev, e)
	{
		char sect[160], val[64] = "";
		bool hh, ho;
		uint64_t h, obj;
		int r, n = 0;
		snprintf(sect, sizeof(sect), "rdma.%s", dev);
		if (!*dev || strpbrk(dev, " \n"))
			return fail(b, "rdma: '%s' is not a device name", dev);
		if (!json_object_is_type(e, json_type_object))
			return fail(b, "%s: must be an object", sect);
		if ((r = get_u64(b, e, sect, "hcaHandles", &hh, &h)) < 0 || (r = get_u64(b, e, sect, "hcaObjects", &ho, &obj)) < 0)
			return r;
		if (!hh && !ho)
			return fail(b, "%s: needs hcaHandles or hcaObjects", sect);
		if (hh)
			n += snprintf(val + n, sizeof(val) - (size_t)n, " hca_handle=%" PRIu64, h);
		if (ho)
			snprintf(val + n, sizeof(val) - (size_t)n, " hca_object=%" PRIu64, obj);
		if ((r = add(b, CGROUP_RDMA, sect, 0, "rdma.max", "%s%s", dev, val)) < 0)
			return r;
	}
	return 0;
}

static int plan_unified(struct builder *b, struct json_object *o)
{
	json_object_object_foreach(o, key, v)
	{
		char sect[300], prefix[64];
		snprintf(sect, sizeof(sect), "unified.%s", key);
		const char *dot = strchr(key, '.');
		if (!dot || dot == key || strchr(key, '/') || key[0] == '.' || STREQ(key, "..") || strlen(key) > 200)
			return fail(b, "%s: not a cgroup v2 interface file name", sect);
		if (STREQ(key, "cgroup.procs") || STREQ(key, "cgroup.threads") || STREQ(key, "cgroup.kill") ||
		    STREQ(key, "cgroup.subtree_control"))
			return fail(b, "%s: managed by the runtime, cannot be set", sect);
		if (!json_object_is_type(v, json_type_string))
			return fail(b, "%s: must be a string", sect);
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(dot - key), key);
		int c = cgroup_controller_from_name(prefix);
		if (c == CGROUP_BLKIO && !STREQ(prefix, "io"))
			c = -1; /* "blkio.*" is a v1 file name */
		if (c >= 0 && b->ver[c] == 1)
			return fail(b, "%s: the %s controller is on cgroup v1 on this host, so its cgroup v2 files do not exist",
				    sect, cgroup_controller_name(c, false));
		int r = add(b, c >= 0 ? c : CGROUP_CORE, sect, 0, key, "%s", json_object_get_string(v));
		if (r < 0)
			return r;
	}
	return 0;
}

void cgroup_plan_done(struct cgroup_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->w[i].file);
		free(p->w[i].value);
		free(p->w[i].field);
	}
	free(p->w);
	free(p->dev);
	for (size_t i = 0; p->warnings && p->warnings[i]; i++)
		free(p->warnings[i]);
	free(p->warnings);
	memset(p, 0, sizeof(*p));
}

int cgroup_plan_build(const char *json, const int versions[], struct cgroup_plan *ret, char **ret_err)
{
	struct cgroup_plan plan = { 0 };
	struct builder b = { .p = &plan, .ver = versions, .err = ret_err };
	struct json_object *o = NULL, *s;
	int r = 0;

	if (ret_err)
		*ret_err = NULL;
	if (!json || !*json) {
		*ret = plan;
		return 0;
	}
	o = json_tokener_parse(json);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return fail(&b, "must be an object");
	}
	if ((r = get_section(&b, o, "memory", json_type_object, &s)) < 0 || (s && (r = plan_memory(&b, s)) < 0))
		goto out;
	if ((r = get_section(&b, o, "cpu", json_type_object, &s)) < 0 || (s && (r = plan_cpu(&b, s)) < 0))
		goto out;
	if ((r = get_section(&b, o, "pids", json_type_object, &s)) < 0)
		goto out;
	if (s) {
		bool has;
		int64_t limit = 0;
		if ((r = get_i64(&b, s, "pids", "limit", &has, &limit)) < 0)
			goto out;
		if (has && limit != 0 &&
		    (r = limit < 0 ? add(&b, CGROUP_PIDS, "pids.limit", 0, "pids.max", "max")
				   : add(&b, CGROUP_PIDS, "pids.limit", 0, "pids.max", "%" PRId64, limit)) < 0)
			goto out;
	}
	if ((r = get_section(&b, o, "blockIO", json_type_object, &s)) < 0 || (s && (r = plan_blkio(&b, s)) < 0))
		goto out;
	if ((r = get_section(&b, o, "hugepageLimits", json_type_array, &s)) < 0 || (s && (r = plan_hugetlb(&b, s)) < 0))
		goto out;
	if ((r = get_section(&b, o, "network", json_type_object, &s)) < 0 || (s && (r = plan_network(&b, s)) < 0))
		goto out;
	if ((r = get_section(&b, o, "rdma", json_type_object, &s)) < 0 || (s && (r = plan_rdma(&b, s)) < 0))
		goto out;
	if ((r = get_section(&b, o, "unified", json_type_object, &s)) < 0 || (s && (r = plan_unified(&b, s)) < 0))
		goto out;
	if ((r = get_section(&b, o, "devices", json_type_array, &s)) < 0)
		goto out;
	if (s) {
		plan.has_devices = true;
		r = cgroup_device_rules_from_json(s, &plan.dev, &plan.n_dev, ret_err);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	json_object_put(o);
	if (r < 0) {
		cgroup_plan_done(&plan);
		return r;
	}
	*ret = plan;
	return 0;
}
