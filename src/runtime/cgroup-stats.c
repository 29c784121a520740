/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cgroup-stats.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "runtime/cgroup-internal.h"

/* A number file; "max" is UINT64_MAX as runc reports it. Absent → 0, has = false. */
static uint64_t read_u64(const char *dir, const char *file, bool *has)
{
	cleanup_free char *s = NULL;
	if (has)
		*has = false;
	if (cgroup_read(dir, file, &s) < 0)
		return 0;
	if (has)
		*has = true;
	if (STREQ(s, "max"))
		return UINT64_MAX;
	return strtoull(s, NULL, 10);
}

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static struct json_object *u64_list(const char *text)
{
	struct json_object *a = json_object_new_array();
	for (const char *p = text; p && *p;) {
		char *end;
		unsigned long long v = strtoull(p, &end, 10);
		if (end == p)
			break;
		json_object_array_add(a, json_object_new_uint64(v));
		p = end;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	return a;
}

/* "key value" lines into an object of numbers. */
static struct json_object *keyed(const char *text)
{
	struct json_object *o = json_object_new_object();
	cleanup_free char *copy = strdup(text ? text : "");
	char *save = NULL;
	for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = 0;
		add_u64(o, line, strtoull(sp + 1, NULL, 10));
	}
	return o;
}

static uint64_t get_key(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

static struct json_object *cpu_stats(const char *acct, bool acct_v2, const char *cpu, bool cpu_v2)
{
	struct json_object *cpuo = json_object_new_object(), *usage = json_object_new_object(),
			   *thr = json_object_new_object();
	cleanup_free char *s = NULL;
	if (acct && acct_v2) {
		if (cgroup_read(acct, "cpu.stat", &s) >= 0) {
			struct json_object *k = keyed(s);
			add_u64(usage, "total", get_key(k, "usage_usec") * 1000);
			add_u64(usage, "kernel", get_key(k, "system_usec") * 1000);
			add_u64(usage, "user", get_key(k, "user_usec") * 1000);
			json_object_put(k);
		}
	} else if (acct) {
		long hz = sysconf(_SC_CLK_TCK);
		add_u64(usage, "total", read_u64(acct, "cpuacct.usage", NULL));
		static const char *const per[][2] = { { "cpuacct.usage_percpu", "percpu" },
						       { "cpuacct.usage_percpu_sys", "percpu_kernel" },
						       { "cpuacct.usage_percpu_user", "percpu_user" } };
		for (size_t i = 0; i < ELEMENTSOF(per); i++) {
			cleanup_free char *t = NULL;
			if (cgroup_read(acct, per[i][0], &t) >= 0)
				json_object_object_add(usage, per[i][1], u64_list(t));
		}
		if (cgroup_read(acct, "cpuacct.stat", &s) >= 0 && hz > 0) {
			struct json_object *k = keyed(s);
			add_u64(usage, "kernel", get_key(k, "system") * 1000000000ULL / (uint64_t)hz);
			add_u64(usage, "user", get_key(k, "user") * 1000000000ULL / (uint64_t)hz);
			json_object_put(k);
		}
	}
	free(s);
	s = NULL;
	if (cpu && cgroup_read(cpu, "cpu.stat", &s) >= 0) {
		struct json_object *k = keyed(s);
		add_u64(thr, "periods", get_key(k, "nr_periods"));
		add_u64(thr, "throttled_periods", get_key(k, "nr_throttled"));
		add_u64(thr, "throttled_time", cpu_v2 ? get_key(k, "throttled_usec") * 1000 : get_key(k, "throttled_time"));
		json_object_put(k);
	}
	json_object_object_add(cpuo, "usage", usage);
	json_object_object_add(cpuo, "throttling", thr);
	return cpuo;
}

static struct json_object *mem_entry(const char *dir, const char *usage, const char *max, const char *limit,
				     const char *failcnt)
{
	struct json_object *e = json_object_new_object();
	bool has;
	uint64_t v = read_u64(dir, limit, &has);
	add_u64(e, "limit", has ? v : UINT64_MAX);
	add_u64(e, "usage", read_u64(dir, usage, NULL));
	if (max)
		add_u64(e, "max", read_u64(dir, max, NULL));
	add_u64(e, "failcnt", failcnt ? read_u64(dir, failcnt, NULL) : 0);
	return e;
}

static struct json_object *memory_stats(const char *dir, bool v2)
{
	struct json_object *m = json_object_new_object(), *raw = NULL;
	cleanup_free char *st = NULL;
	if (cgroup_read(dir, "memory.stat", &st) >= 0)
		raw = keyed(st);
	if (v2) {
		json_object_object_add(m, "usage", mem_entry(dir, "memory.current", "memory.peak", "memory.max", NULL));
		json_object_object_add(m, "swap", mem_entry(dir, "memory.swap.current", "memory.swap.peak", "memory.swap.max", NULL));
		if (raw)
			add_u64(m, "cache", get_key(raw, "file"));
	} else {
		json_object_object_add(m, "usage", mem_entry(dir, "memory.usage_in_bytes", "memory.max_usage_in_bytes",
							     "memory.limit_in_bytes", "memory.failcnt"));
		json_object_object_add(m, "swap", mem_entry(dir, "memory.memsw.usage_in_bytes", "memory.memsw.max_usage_in_bytes",
							    "memory.memsw.limit_in_bytes", "memory.memsw.failcnt"));
		json_object_object_add(m, "kernel", mem_entry(dir, "memory.kmem.usage_in_bytes", "memory.kmem.max_usage_in_bytes",
							      "memory.kmem.limit_in_bytes", "memory.kmem.failcnt"));
		json_object_object_add(m, "kernelTCP",
				       mem_entry(dir, "memory.kmem.tcp.usage_in_bytes", "memory.kmem.tcp.max_usage_in_bytes",
						 "memory.kmem.tcp.limit_in_bytes", "memory.kmem.tcp.failcnt"));
		if (raw)
			add_u64(m, "cache", get_key(raw, "cache"));
	}
	if (raw)
		json_object_object_add(m, "raw", raw);
	return m;
}

static struct json_object *pids_stats(const char *dir)
{
	struct json_object *p = json_object_new_object();
	uint64_t limit = read_u64(dir, "pids.max", NULL);
	add_u64(p, "current", read_u64(dir, "pids.current", NULL));
	add_u64(p, "limit", limit == UINT64_MAX ? 0 : limit);
	return p;
}

static void blk_entry(struct json_object *arr, unsigned maj, unsigned min, const char *op, uint64_t v)
{
	struct json_object *e = json_object_new_object();
	add_u64(e, "major", maj);
	add_u64(e, "minor", min);
	json_object_object_add(e, "op", json_object_new_string(op));
	add_u64(e, "value", v);
	json_object_array_add(arr, e);
}

static struct json_object *v1_blk_list(const char *dir, const char *file)
{
	struct json_object *a = json_object_new_array();
	cleanup_free char *s = NULL;
	char *save = NULL;
	if (cgroup_read(dir, file, &s) < 0)
		return a;
	for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		char op[32];
		unsigned long long v;
		if (sscanf(line, "%u:%u %31s %llu", &maj, &min, op, &v) == 4)
			blk_entry(a, maj, min, op, v);
	}
	return a;
}

static struct json_object *blkio_stats(const char *dir, bool v2)
{
	struct json_object *b = json_object_new_object();
	if (!v2) {
		json_object_object_add(b, "ioServiceBytesRecursive", v1_blk_list(dir, "blkio.throttle.io_service_bytes_recursive"));
		json_object_object_add(b, "ioServicedRecursive", v1_blk_list(dir, "blkio.throttle.io_serviced_recursive"));
		return b;
	}
	struct json_object *bytes = json_object_new_array(), *ios = json_object_new_array();
	cleanup_free char *s = NULL;
	char *save = NULL;
	if (cgroup_read(dir, "io.stat", &s) >= 0)
		for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			unsigned maj, min;
			unsigned long long rb = 0, wb = 0, ri = 0, wi = 0;
			if (sscanf(line, "%u:%u", &maj, &min) != 2)
				continue;
			char *p;
			if ((p = strstr(line, "rbytes=")))
				rb = strtoull(p + 7, NULL, 10);
			if ((p = strstr(line, "wbytes=")))
				wb = strtoull(p + 7, NULL, 10);
			if ((p = strstr(line, "rios=")))
				ri = strtoull(p + 5, NULL, 10);
			if ((p = strstr(line, "wios=")))
				wi = strtoull(p + 5, NULL, 10);
			blk_entry(bytes, maj, min, "Read", rb);
			blk_entry(bytes, maj, min, "Write", wb);
			blk_entry(ios, maj, min, "Read", ri);
			blk_entry(ios, maj, min, "Write", wi);
		}
	json_object_object_add(b, "ioServiceBytesRecursive", bytes);
	json_object_object_add(b, "ioServicedRecursive", ios);
	return b;
}

static struct json_object *hugetlb_stats(const char *dir, bool v2)
{
	struct json_object *h = json_object_new_object();
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char size[32], f[96];
		const char *suffix = v2 ? ".current" : ".usage_in_bytes";
		size_t n = strlen(de->d_name), sl = strlen(suffix);
		if (strncmp(de->d_name, "hugetlb.", 8) != 0 || n <= 8 + sl || strcmp(de->d_name + n - sl, suffix) != 0 ||
		    strstr(de->d_name, ".rsvd."))
			continue;
		snprintf(size, sizeof(size), "%.*s", (int)(n - 8 - sl), de->d_name + 8);
		struct json_object *e = json_object_new_object();
		add_u64(e, "usage", read_u64(dir, de->d_name, NULL));
		if (!v2) {
			snprintf(f, sizeof(f), "hugetlb.%s.max_usage_in_bytes", size);
			add_u64(e, "max", read_u64(dir, f, NULL));
			snprintf(f, sizeof(f), "hugetlb.%s.failcnt", size);
			add_u64(e, "failcnt", read_u64(dir, f, NULL));
		} else {
			uint64_t v = 0;
			snprintf(f, sizeof(f), "hugetlb.%s.events", size);
			(void)cgroup_read_keyed(dir, f, "max", &v);
			add_u64(e, "failcnt", v);
		}
		json_object_object_add(h, size, e);
	}
	if (d)
		closedir(d);
	return h;
}

int cgroup_stats_json(const struct cgroup *cg, char **ret)
{
	struct json_object *o = json_object_new_object();
	bool v2a = false, v2c = false, v2;
	const char *acct = cgroup_dir(cg, CGROUP_CPUACCT, &v2a), *cpu = cgroup_dir(cg, CGROUP_CPU, &v2c), *d;
	if (acct || cpu)
		json_object_object_add(o, "cpu", cpu_stats(acct, v2a, cpu, v2c));
	if ((d = cgroup_dir(cg, CGROUP_MEMORY, &v2)))
		json_object_object_add(o, "memory", memory_stats(d, v2));
	if ((d = cgroup_dir(cg, CGROUP_PIDS, &v2)))
		json_object_object_add(o, "pids", pids_stats(d));
	if ((d = cgroup_dir(cg, CGROUP_BLKIO, &v2)))
		json_object_object_add(o, "blkio", blkio_stats(d, v2));
	if ((d = cgroup_dir(cg, CGROUP_HUGETLB, &v2)))
		json_object_object_add(o, "hugetlb", hugetlb_stats(d, v2));
	char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}

int cgroup_oom_count(const struct cgroup *cg, uint64_t *ret)
{
	bool v2 = false;
	const char *d = cgroup_dir(cg, CGROUP_MEMORY, &v2);
	uint64_t kills = 0, ooms = 0;
	if (!d)
		return -ENOTSUP;
	if (v2) {
		int r1 = cgroup_read_keyed(d, "memory.events", "oom_kill", &kills);
		int r2 = cgroup_read_keyed(d, "memory.events", "oom", &ooms);
		if (r1 < 0 && r2 < 0)
			return r1;
	} else {
		int r = cgroup_read_keyed(d, "memory.oom_control", "oom_kill", &kills);
		if (r < 0)
			return r;
	}
	*ret = kills > ooms ? kills : ooms;
	return 0;
}

int cgroup_oom_watch(const struct cgroup *cg)
{
	bool v2 = false;
	const char *d = cgroup_dir(cg, CGROUP_MEMORY, &v2);
	cleanup_free char *path = NULL;
	char buf[64];
	if (!d)
		return -ENOTSUP;
	if (v2) {
		int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (fd < 0)
			return -errno;
		if (asprintf(&path, "%s/memory.events", d) < 0 || inotify_add_watch(fd, path, IN_MODIFY) < 0) {
			int r = path ? -errno : -ENOMEM;
			close(fd);
			return r;
		}
		return fd;
	}
	cleanup_close int ofd = -EBADF;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return -errno;
	if (asprintf(&path, "%s/memory.oom_control", d) < 0) {
		close(efd);
		return -ENOMEM;
	}
	ofd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(buf, sizeof(buf), "%d %d", efd, ofd);
	int r = ofd < 0 ? -errno : cgroup_write(d, "cgroup.event_control", buf);
	if (r < 0) {
		close(efd);
		return r;
	}
	/* The registration holds its own reference to memory.oom_control: ofd may go. */
	return efd;
}

void cgroup_oom_watch_drain(int fd)
{
	char buf[4096];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}
