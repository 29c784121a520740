/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cgroup.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/mountinfo.h"

const char *const audit_cg_names[AUDIT_CG_COUNT] = {"memory", "pids", "cpu"};

bool audit_cgroup_path(const char *text, const char *controller, char *ret, size_t len)
{
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *c1 = memchr(p, ':', n);
		const char *c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - p)) : NULL;
		if (c2) {
			const char *ctl = c1 + 1;
			size_t cl = (size_t)(c2 - ctl);
			bool match;
			if (!*controller) {
				match = cl == 0 && c1 - p == 1 && p[0] == '0';
			} else {
				/* "cpu,cpuacct": a comma-separated list */
				match = false;
				for (const char *q = ctl; q < c2;) {
					const char *comma = memchr(q, ',', (size_t)(c2 - q));
					const char *end = comma ? comma : c2;
					if ((size_t)(end - q) == strlen(controller) &&
					    !strncmp(q, controller, (size_t)(end - q)))
						match = true;
					q = end + 1;
				}
			}
			if (match) {
				size_t pl = n - (size_t)(c2 + 1 - p);
				if (pl >= len)
					return false;
				memcpy(ret, c2 + 1, pl);
				ret[pl] = 0;
				return true;
			}
		}
		p = nl ? nl + 1 : p + n;
	}
	return false;
}

/* The auditor's mount of controller's v1 hierarchy (ctl NULL: the v2 one). */
static const struct mountinfo_entry *find_mount(const struct mountinfo *mi, const char *ctl)
{
	for (size_t i = 0; i < mi->n; i++) {
		const struct mountinfo_entry *e = &mi->entries[i];
		if (!ctl && STREQ(e->fstype, "cgroup2"))
			return e;
		if (ctl && STREQ(e->fstype, "cgroup") && mountinfo_opts_has(e->super_options, ctl))
			return e;
	}
	return NULL;
}

static bool read_val(const char *dir, const char *file, char *buf, size_t len)
{
	char path[1200];
	cleanup_free char *d = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (fs_read_file_at(AT_FDCWD, path, 256, &d, NULL) < 0)
		return false;
	d[strcspn(d, "\n")] = 0;
	snprintf(buf, len, "%s", d);
	return true;
}

/* A limit value as a number (UINT64_MAX: none) for comparing. */
static uint64_t limit_of(int kind, bool v2, const char *v)
{
	if (STREQ(v, "max") || strncmp(v, "max ", 4) == 0 || STREQ(v, "-1"))
		return UINT64_MAX;
	if (kind == AUDIT_CG_CPU) {
		/* quota/period as a fraction of a CPU, in millis */
		unsigned long long q = 0, per = 100000;
		if (v2 ? sscanf(v, "%llu %llu", &q, &per) < 1 : sscanf(v, "%llu", &q) != 1)
			return UINT64_MAX;
		return per ? q * 1000 / per : UINT64_MAX;
	}
	unsigned long long x = strtoull(v, NULL, 10);
	/* v1's "unlimited" memory is PAGE_COUNTER_MAX pages: anything near 2^63. */
	if (kind == AUDIT_CG_MEMORY && x >= (UINT64_C(1) << 62))
		return UINT64_MAX;
	return x;
}

static void one_limit(const struct mountinfo *mi, const char *text, int kind, struct audit_cg_limit *ret)
{
	static const char *const v1_files[] = {"memory.limit_in_bytes", "pids.max", "cpu.cfs_quota_us"};
	static const char *const v2_files[] = {"memory.max", "pids.max", "cpu.max"};
	const struct mountinfo_entry *m = find_mount(mi, audit_cg_names[kind]);
	bool v2 = false;
	char path[512];
	*ret = (struct audit_cg_limit){0};
	if (!m || !audit_cgroup_path(text, audit_cg_names[kind], path, sizeof(path))) {
		m = find_mount(mi, NULL);
		v2 = true;
		if (!m || !audit_cgroup_path(text, "", path, sizeof(path)))
			return;
	}
	size_t rl = STREQ(m->root, "/") ? 0 : strlen(m->root);
	if (rl && strncmp(path, m->root, rl) != 0)
		return;
	ret->known = true;
	ret->hierarchy = v2 ? "v2" : "v1";
	snprintf(ret->cgroup, sizeof(ret->cgroup), "%s", path);
	uint64_t best = UINT64_MAX;
	char cur[512];
	snprintf(cur, sizeof(cur), "%s", path);
	for (;;) {
		char dir[1100], val[64];
		snprintf(dir, sizeof(dir), "%s%s", m->mountpoint, STREQ(cur, "/") ? "" : cur + rl);
		if (read_val(dir, v2 ? v2_files[kind] : v1_files[kind], val, sizeof(val))) {
			uint64_t l = limit_of(kind, v2, val);
			if (l < best) {
				best = l;
				ret->set = true;
				if (kind == AUDIT_CG_CPU && !v2) {
					char per[32] = "100000";
					read_val(dir, "cpu.cfs_period_us", per, sizeof(per));
					snprintf(ret->value, sizeof(ret->value), "%s/%s", val, per);
				} else if (kind == AUDIT_CG_CPU) {
					snprintf(ret->value, sizeof(ret->value), "%s", val);
					char *sp = strchr(ret->value, ' ');
					if (sp)
						*sp = '/';
				} else {
					snprintf(ret->value, sizeof(ret->value), "%s", val);
				}
				snprintf(ret->where, sizeof(ret->where), "%s", cur);
			}
		}
		if (STREQ(cur, "/") || strlen(cur) <= rl)
			break;
		char *slash = strrchr(cur, '/');
		if (!slash)
			break;
		if (slash == cur)
			cur[1] = 0;
		else
			*slash = 0;
	}
}

void audit_cgroup_limits(const char *text, struct audit_cg_limit ret[AUDIT_CG_COUNT])
{
	struct mountinfo mi = {0};
	for (int k = 0; k < AUDIT_CG_COUNT; k++)
		ret[k] = (struct audit_cg_limit){0};
	if (!text || mountinfo_read(NULL, &mi) < 0)
		return;
	for (int k = 0; k < AUDIT_CG_COUNT; k++)
		one_limit(&mi, text, k, &ret[k]);
	mountinfo_done(&mi);
}
