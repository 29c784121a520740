/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup layout detection, cgroupsPath semantics, linux.resources → v1/v2 writes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cgroup-layout.h"
#include "runtime/cgroup-resources.h"
#include "tap.h"

/* This machine: tmpfs at /sys/fs/cgroup, one v1 mount per controller, name=systemd, and
 * cgroup2 at /sys/fs/cgroup/unified with only hugetlb. */
static const char hybrid_mi[] =
	"23 1 0:21 / /sys rw - sysfs sysfs rw\n"
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
	"37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
	"38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
	"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n";
static const char hybrid_pc[] = "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n"
				"4:memory:/process_api/abc\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n0::/\n";

static const char unified_mi[] = "23 1 0:21 / /sys rw - sysfs sysfs rw\n"
				 "30 23 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";

/* Debian's usual legacy layout: cpu,cpuacct and net_cls,net_prio comounted. */
static const char legacy_mi[] =
	"31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
	"33 31 0:30 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
	"34 31 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	"35 31 0:32 / /sys/fs/cgroup/perf_event rw - cgroup cgroup rw,perf_event\n";
static const char legacy_pc[] = "4:perf_event:/\n3:memory:/user/x\n2:net_cls,net_prio:/\n1:cpu,cpuacct:/a/b\n";

TEST(hybrid_host_uses_v1_controllers_and_v2_for_the_rest)
{
	struct cgroup_layout l;
	CHECK(cgroup_layout_parse(hybrid_mi, hybrid_pc, "hugetlb\n", &l) == 0);
	CHECK(l.mode == CGROUP_MODE_HYBRID);
	CHECK(l.n == 10);
	CHECK(l.v2 >= 0);
	CHECK_STREQ(l.h[l.v2].mountpoint, "/sys/fs/cgroup/unified");
	CHECK(l.ctrl[CGROUP_MEMORY] >= 0 && !l.h[l.ctrl[CGROUP_MEMORY]].v2);
	CHECK_STREQ(l.h[l.ctrl[CGROUP_MEMORY]].mountpoint, "/sys/fs/cgroup/memory");
	CHECK_STREQ(l.h[l.ctrl[CGROUP_MEMORY]].own, "/process_api/abc");
	CHECK_STREQ(l.h[l.ctrl[CGROUP_CPUACCT]].mountpoint, "/sys/fs/cgroup/cpuacct");
	CHECK(l.ctrl[CGROUP_HUGETLB] == l.v2);
	CHECK(l.ctrl[CGROUP_FREEZER] != l.v2); /* the v1 freezer is preferred */
	CHECK(l.ctrl[CGROUP_RDMA] < 0);
	CHECK(l.ctrl[CGROUP_NET_CLS] < 0);
	bool named = false;
	for (size_t i = 0; i < l.n; i++)
		named |= strcmp(l.h[i].names, "name=systemd") == 0;
	CHECK(named);
	cgroup_layout_done(&l);
}

TEST(v2_cannot_have_a_controller_bound_to_v1)
{
	struct cgroup_layout l;
	CHECK(cgroup_layout_parse(hybrid_mi, hybrid_pc, "memory hugetlb", &l) == 0);
	CHECK(!l.h[l.ctrl[CGROUP_MEMORY]].v2);
	CHECK((l.h[l.v2].controllers & CGROUP_BIT(CGROUP_MEMORY)) == 0);
	cgroup_layout_done(&l);
}

TEST(unified_host_serves_freezer_and_devices_from_v2)
{
	struct cgroup_layout l;
	CHECK(cgroup_layout_parse(unified_mi, "0::/user.slice/x.scope\n", "cpuset cpu io memory hugetlb pids rdma misc\n", &l) == 0);
	CHECK(l.mode == CGROUP_MODE_UNIFIED);
	CHECK(l.n == 1 && l.v2 == 0);
	for (int c = 0; c < CGROUP_CONTROLLER_MAX; c++)
		if (c != CGROUP_NET_CLS && c != CGROUP_NET_PRIO)
			CHECK(l.ctrl[c] == 0);
	CHECK(l.ctrl[CGROUP_NET_CLS] < 0);
	CHECK_STREQ(l.h[0].own, "/user.slice/x.scope");
	cgroup_layout_done(&l);
}

TEST(unified_host_without_controllers_still_freezes)
{
	struct cgroup_layout l;
	CHECK(cgroup_layout_parse(unified_mi, "0::/\n", "", &l) == 0);
	CHECK(l.ctrl[CGROUP_MEMORY] < 0 && l.ctrl[CGROUP_PIDS] < 0);
	CHECK(l.ctrl[CGROUP_FREEZER] == 0 && l.ctrl[CGROUP_DEVICES] == 0 && l.ctrl[CGROUP_CPUACCT] == 0);
	cgroup_layout_done(&l);
}

TEST(legacy_host_with_comounted_controllers)
{
	struct cgroup_layout l;
	CHECK(cgroup_layout_parse(legacy_mi, legacy_pc, NULL, &l) == 0);
	CHECK(l.mode == CGROUP_MODE_LEGACY);
	CHECK(l.v2 < 0);
	CHECK(l.n == 4);
	CHECK(l.ctrl[CGROUP_CPU] == l.ctrl[CGROUP_CPUACCT]);
	CHECK_STREQ(l.h[l.ctrl[CGROUP_CPU]].names, "cpu,cpuacct");
	CHECK_STREQ(l.h[l.ctrl[CGROUP_CPU]].own, "/a/b");
	CHECK_STREQ(l.h[l.ctrl[CGROUP_NET_PRIO]].own, "/");
	CHECK(l.ctrl[CGROUP_FREEZER] < 0 && l.ctrl[CGROUP_DEVICES] < 0);
	cgroup_layout_done(&l);
}

TEST(a_cgroup2_mounted_over_the_v1_tmpfs_hides_it)
{
	/* What the pure-v2 test does in a private mount namespace. */
	char mi[4096];
	snprintf(mi, sizeof(mi), "%s%s", hybrid_mi, "90 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
	struct cgroup_layout l;
	CHECK(cgroup_layout_parse(mi, hybrid_pc, "hugetlb", &l) == 0);
	CHECK(l.mode == CGROUP_MODE_UNIFIED);
	CHECK(l.n == 1);
	CHECK_STREQ(l.h[0].mountpoint, "/sys/fs/cgroup");
	cgroup_layout_done(&l);
}

TEST(no_cgroup_mounts_is_mode_none)
{
	struct cgroup_layout l;
	CHECK(cgroup_layout_parse("23 1 0:21 / /sys rw - sysfs sysfs rw\n", "", NULL, &l) == 0);
	CHECK(l.mode == CGROUP_MODE_NONE && l.n == 0);
	cgroup_layout_done(&l);
}

/* ---- paths ---- */

static char *resolve(const char *p, const char *id, bool rootless, bool *rel, int *r)
{
	char *out = NULL, *err = NULL;
	*r = cgroup_path_resolve(p, id, rootless, &out, rel, &err);
	free(err);
	return out;
}

TEST(default_path_is_kakuri_id)
{
	bool rel;
	int r;
	char *p = resolve(NULL, "c1", false, &rel, &r);
	CHECK(r == 0 && !rel);
	CHECK_STREQ(p, "/kakuri/c1");
	free(p);
	p = resolve("", "c1", true, &rel, &r);
	CHECK(r == 0 && rel);
	CHECK_STREQ(p, "kakuri/c1");
	free(p);
}

TEST(absolute_and_relative_paths_are_cleaned)
{
	bool rel;
	int r;
	char *p = resolve("//a/./b//", "x", false, &rel, &r);
	CHECK(r == 0 && !rel);
	CHECK_STREQ(p, "/a/b");
	free(p);
	p = resolve("pods/x", "x", false, &rel, &r);
	CHECK(r == 0 && rel);
	CHECK_STREQ(p, "pods/x");
	free(p);
}

TEST(dotdot_and_root_are_refused)
{
	bool rel;
	int r;
	char *err = NULL, *out = NULL;
	CHECK(cgroup_path_resolve("/a/../../etc", "x", false, &out, &rel, &err) == -EINVAL);
	CHECK_CONTAINS(err, "linux.cgroupsPath");
	CHECK_CONTAINS(err, "..");
	free(err);
	err = NULL;
	CHECK(cgroup_path_resolve("/", "x", false, &out, &rel, &err) == -EINVAL);
	CHECK_CONTAINS(err, "root");
	free(err);
	free(resolve("a\nb", "x", false, &rel, &r));
	CHECK(r == -EINVAL);
}

TEST(systemd_slice_form_maps_to_systemds_layout)
{
	char *p = NULL;
	CHECK(cgroup_systemd_path("machine-pods-abc.slice:crio:123", false, &p) == 0);
	CHECK_STREQ(p, "/machine.slice/machine-pods.slice/machine-pods-abc.slice/crio-123.scope");
	free(p);
	CHECK(cgroup_systemd_path(":docker:abc", false, &p) == 0);
	CHECK_STREQ(p, "/system.slice/docker-abc.scope");
	free(p);
	CHECK(cgroup_systemd_path(":docker:abc", true, &p) == 0);
	CHECK_STREQ(p, "/user.slice/docker-abc.scope");
	free(p);
	CHECK(cgroup_systemd_path("system.slice::abc", false, &p) == 0);
	CHECK_STREQ(p, "/system.slice/abc.scope");
	free(p);
	CHECK(cgroup_systemd_path("-.slice:p:n", false, &p) == 0);
	CHECK_STREQ(p, "/p-n.scope");
	free(p);
	CHECK(cgroup_systemd_path("system.slice:x:sub.slice", false, &p) == 0);
	CHECK_STREQ(p, "/system.slice/sub.slice");
	free(p);
	CHECK(cgroup_systemd_path("notaslice:p:n", false, &p) == -EINVAL);
	CHECK(cgroup_systemd_path("a--b.slice:p:n", false, &p) == -EINVAL);
	CHECK(cgroup_systemd_path("a.slice:p/q:n", false, &p) == -EINVAL);
	CHECK(cgroup_systemd_path("a.slice:p:n:x", false, &p) == -EINVAL);
	CHECK(cgroup_systemd_path("a.slice:p:", false, &p) == -EINVAL);
}

TEST(systemd_form_through_resolve)
{
	bool rel;
	int r;
	char *p = resolve("system.slice:kk:c1", "c1", false, &rel, &r);
	CHECK(r == 0 && !rel);
	CHECK_STREQ(p, "/system.slice/kk-c1.scope");
	free(p);
	char *err = NULL, *out = NULL;
	CHECK(cgroup_path_resolve("bad:x", "c1", false, &out, &rel, &err) == -EINVAL);
	CHECK_CONTAINS(err, "slice:prefix:name");
	free(err);
}

TEST(relative_paths_join_own_cgroup_v1_and_its_parent_v2)
{
	struct cgroup_hierarchy v1 = { .v2 = false, .mountpoint = "/sys/fs/cgroup/memory", .mount_root = "/", .own = "/process_api/abc" };
	struct cgroup_hierarchy v2 = { .v2 = true, .mountpoint = "/sys/fs/cgroup", .mount_root = "/", .own = "/user.slice/u.service/app.scope" };
	struct cgroup_hierarchy v2root = { .v2 = true, .mountpoint = "/sys/fs/cgroup/unified", .mount_root = "/", .own = "/" };
	char *p = NULL, *d = NULL;
	CHECK(cgroup_hierarchy_path(&v1, "kakuri/c1", true, &p) == 0);
	CHECK_STREQ(p, "/process_api/abc/kakuri/c1");
	CHECK(cgroup_hierarchy_dir(&v1, p, &d) == 0);
	CHECK_STREQ(d, "/sys/fs/cgroup/memory/process_api/abc/kakuri/c1");
	free(p);
	free(d);
	CHECK(cgroup_hierarchy_path(&v2, "kakuri/c1", true, &p) == 0);
	CHECK_STREQ(p, "/user.slice/u.service/kakuri/c1");
	free(p);
	CHECK(cgroup_hierarchy_path(&v2root, "kakuri/c1", true, &p) == 0);
	CHECK_STREQ(p, "/kakuri/c1");
	CHECK(cgroup_hierarchy_dir(&v2root, p, &d) == 0);
	CHECK_STREQ(d, "/sys/fs/cgroup/unified/kakuri/c1");
	free(p);
	free(d);
	CHECK(cgroup_hierarchy_path(&v1, "/kakuri/c1", false, &p) == 0);
	CHECK_STREQ(p, "/kakuri/c1");
	free(p);
}

TEST(a_mount_of_a_subtree_maps_paths_below_its_root)
{
	struct cgroup_hierarchy h = { .v2 = true, .mountpoint = "/sys/fs/cgroup", .mount_root = "/ctr" };
	char *d = NULL;
	CHECK(cgroup_hierarchy_dir(&h, "/ctr/kakuri/x", &d) == 0);
	CHECK_STREQ(d, "/sys/fs/cgroup/kakuri/x");
	free(d);
	CHECK(cgroup_hierarchy_dir(&h, "/other/x", &d) == -EXDEV);
	CHECK(cgroup_hierarchy_dir(&h, "/ctrx/y", &d) == -EXDEV);
}

/* ---- conversions ---- */

TEST(cpu_shares_to_weight_as_runc)
{
	CHECK(cgroup_cpu_shares_to_weight(0) == 0);
	CHECK(cgroup_cpu_shares_to_weight(2) == 1);
	CHECK(cgroup_cpu_shares_to_weight(1024) == 39);
	CHECK(cgroup_cpu_shares_to_weight(262144) == 10000);
	CHECK(cgroup_cpu_shares_to_weight(1000000) == 10000);
}

TEST(blkio_weight_to_io_weight_as_runc)
{
	CHECK(cgroup_blkio_weight_to_io_weight(0) == 0);
	CHECK(cgroup_blkio_weight_to_io_weight(10) == 1);
	CHECK(cgroup_blkio_weight_to_io_weight(500) == 4950);
	CHECK(cgroup_blkio_weight_to_io_weight(1000) == 10000);
}

TEST(swap_conversion_to_v2)
{
	int64_t v;
	const char *why = NULL;
	CHECK(cgroup_swap_to_v2(true, 96 << 20, true, 64 << 20, &v, &why) == 1 && v == 32 << 20);
	CHECK(cgroup_swap_to_v2(true, 64 << 20, true, 64 << 20, &v, &why) == 1 && v == 0);
	CHECK(cgroup_swap_to_v2(true, -1, true, 64 << 20, &v, &why) == 1 && v == -1);
	CHECK(cgroup_swap_to_v2(false, 0, true, -1, &v, &why) == 1 && v == -1);
	CHECK(cgroup_swap_to_v2(false, 0, true, 64 << 20, &v, &why) == 0);
	CHECK(cgroup_swap_to_v2(true, 32 << 20, true, 64 << 20, &v, &why) == -EINVAL);
	CHECK_CONTAINS(why, ">= memory.limit");
	CHECK(cgroup_swap_to_v2(true, 32 << 20, false, 0, &v, &why) == -EINVAL);
	CHECK_CONTAINS(why, "without a memory limit");
}

TEST(sizes_parse_like_runc)
{
	int64_t v;
	CHECK(cgroup_parse_size("1024", &v) == 0 && v == 1024);
	CHECK(cgroup_parse_size("64m", &v) == 0 && v == 64 << 20);
	CHECK(cgroup_parse_size("64MiB", &v) == 0 && v == 64 << 20);
	CHECK(cgroup_parse_size("1g", &v) == 0 && v == 1 << 30);
	CHECK(cgroup_parse_size("1.5k", &v) == 0 && v == 1536);
	CHECK(cgroup_parse_size("512kb", &v) == 0 && v == 512 << 10);
	CHECK(cgroup_parse_size("-1", &v) == 0 && v == -1);
	CHECK(cgroup_parse_size("", &v) < 0);
	CHECK(cgroup_parse_size("m", &v) < 0);
	CHECK(cgroup_parse_size("12x", &v) < 0);
	CHECK(cgroup_parse_size("-5", &v) < 0);
	CHECK(cgroup_parse_size("99999999999p", &v) == -ERANGE);
}

TEST(hugepage_sizes)
{
	CHECK(cgroup_hugepage_size_valid("2MB"));
	CHECK(cgroup_hugepage_size_valid("1GB"));
	CHECK(cgroup_hugepage_size_valid("64KB"));
	CHECK(!cgroup_hugepage_size_valid("2M"));
	CHECK(!cgroup_hugepage_size_valid("MB"));
	CHECK(!cgroup_hugepage_size_valid("2MB/../x"));
}

/* ---- plans ---- */

static int ver_v1[CGROUP_CONTROLLER_MAX], ver_v2[CGROUP_CONTROLLER_MAX], ver_hybrid[CGROUP_CONTROLLER_MAX];

__attribute__((constructor)) static void init_versions(void)
{
	for (int c = 0; c < CGROUP_CONTROLLER_MAX; c++) {
		ver_v1[c] = 1;
		ver_v2[c] = c == CGROUP_NET_CLS || c == CGROUP_NET_PRIO ? 0 : 2;
		ver_hybrid[c] = 1;
	}
	ver_hybrid[CGROUP_HUGETLB] = 2;
	ver_hybrid[CGROUP_RDMA] = 0;
}

/* The value written to file, or NULL. */
static const char *planned(const struct cgroup_plan *p, const char *file)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->w[i].file, file) == 0)
			return p->w[i].value;
	return NULL;
}

static int build(const char *json, const int *ver, struct cgroup_plan *p, char **err)
{
	*err = NULL;
	return cgroup_plan_build(json, ver, p, err);
}

TEST(memory_on_v1)
{
	struct cgroup_plan p;
	char *err;
	CHECK(build("{\"memory\":{\"limit\":33554432,\"swap\":33554432,\"reservation\":-1,\"swappiness\":10,"
		    "\"disableOOMKiller\":true,\"kernel\":1000}}",
		    ver_v1, &p, &err) == 0);
	CHECK_STREQ(planned(&p, "memory.limit_in_bytes"), "33554432");
	CHECK_STREQ(planned(&p, "memory.memsw.limit_in_bytes"), "33554432");
	CHECK_STREQ(planned(&p, "memory.soft_limit_in_bytes"), "-1");
	CHECK_STREQ(planned(&p, "memory.swappiness"), "10");
	CHECK_STREQ(planned(&p, "memory.oom_control"), "1");
	CHECK(planned(&p, "memory.kmem.limit_in_bytes") == NULL);
	CHECK(p.warnings && strstr(p.warnings[0], "memory.kernel"));
	/* limit and memsw are ordered at apply time */
	CHECK((p.w[0].flags & CGROUP_W_SWAP_PAIR) && (p.w[1].flags & CGROUP_W_SWAP_PAIR));
	CHECK(p.w[0].controller == CGROUP_MEMORY);
	CHECK_STREQ(p.w[0].field, "memory.limit");
	cgroup_plan_done(&p);
}

TEST(memory_on_v2)
{
	struct cgroup_plan p;
	char *err;
	CHECK(build("{\"memory\":{\"limit\":67108864,\"swap\":100663296,\"reservation\":1048576,\"swappiness\":10}}", ver_v2,
		    &p, &err) == 0);
	CHECK_STREQ(planned(&p, "memory.max"), "67108864");
	CHECK_STREQ(planned(&p, "memory.swap.max"), "33554432");
	CHECK_STREQ(planned(&p, "memory.low"), "1048576");
	CHECK(planned(&p, "memory.swappiness") == NULL);
	CHECK(p.warnings && strstr(p.warnings[0], "swappiness"));
	cgroup_plan_done(&p);
	CHECK(build("{\"memory\":{\"limit\":-1}}", ver_v2, &p, &err) == 0);
	CHECK_STREQ(planned(&p, "memory.max"), "max");
	CHECK_STREQ(planned(&p, "memory.swap.max"), "max");
	cgroup_plan_done(&p);
	CHECK(build("{\"memory\":{\"swap\":1000}}", ver_v2, &p, &err) == -EINVAL);
	CHECK_CONTAINS(err, "memory.swap");
	free(err);
}

TEST(bad_types_name_the_field)
{
	struct cgroup_plan p;
	char *err;
	CHECK(build("{\"memory\":{\"limit\":\"32m\"}}", ver_v1, &p, &err) == -EINVAL);
	CHECK_STREQ(err, "memory.limit: must be an integer");
	free(err);
	CHECK(build("{\"memory\":{\"limit\":-7}}", ver_v1, &p, &err) == -EINVAL);
	CHECK_CONTAINS(err, "memory.limit");
	free(err);
	CHECK(build("{\"cpu\":[]}", ver_v1, &p, &err) == -EINVAL);
	CHECK_STREQ(err, "cpu: must be an object");
	free(err);
	CHECK(build("[1]", ver_v1, &p, &err) == -EINVAL);
	free(err);
	CHECK(build("{\"pids\":{\"limit\":true}}", ver_v1, &p, &err) == -EINVAL);
	CHECK_STREQ(err, "pids.limit: must be an integer");
	free(err);
	CHECK(build("{\"memory\":{\"swappiness\":101}}", ver_v1, &p, &err) == -EINVAL);
	CHECK_CONTAINS(err, "swappiness");
	free(err);
}

TEST(cpu_on_v1_and_v2)
{
	struct cgroup_plan p;
	char *err;
	const char *cfg = "{\"cpu\":{\"shares\":1024,\"quota\":20000,\"period\":100000,\"cpus\":\"0\",\"mems\":\"0\",\"idle\":0}}";
	CHECK(build(cfg, ver_v1, &p, &err) == 0);
	CHECK_STREQ(planned(&p, "cpu.shares"), "1024");
	CHECK_STREQ(planned(&p, "cpu.cfs_quota_us"), "20000");
	CHECK_STREQ(planned(&p, "cpu.cfs_period_us"), "100000");
	CHECK_STREQ(planned(&p, "cpuset.cpus"), "0");
	CHECK_STREQ(planned(&p, "cpu.idle"), "0");
	/* period before quota */
	size_t ip = 0, iq = 0;
	for (size_t i = 0; i < p.n; i++) {
		if (!strcmp(p.w[i].file, "cpu.cfs_period_us"))
			ip = i;
		if (!strcmp(p.w[i].file, "cpu.cfs_quota_us"))
			iq = i;
	}
	CHECK(ip < iq);
	for (size_t i = 0; i < p.n; i++)
		if (!strcmp(p.w[i].file, "cpuset.cpus"))
			CHECK(p.w[i].controller == CGROUP_CPUSET);
	cgroup_plan_done(&p);
	CHECK(build(cfg, ver_v2, &p, &err) == 0);
	CHECK_STREQ(planned(&p, "cpu.weight"), "39");
	CHECK_STREQ(planned(&p, "cpu.max"), "20000 100000");
	CHECK_STREQ(planned(&p, "cpuset.mems"), "0");
	cgroup_plan_done(&p);
	CHECK(build("{\"cpu\":{\"quota\":-1}}", ver_v2, &p, &err) == 0);
	CHECK_STREQ(planned(&p, "cpu.max"), "max");
	cgroup_plan_done(&p);
	CHECK(build("{\"cpu\":{\"realtimeRuntime\":950000}}", ver_v2, &p, &err) == -EINVAL);
	CHECK_CONTAINS(err, "cgroup v2");
	free(err);
	CHECK(build("{\"cpu\":{\"realtimeRuntime\":950000,\"realtimePeriod\":1000000}}", ver_v1, &p, &err) == 0);
	CHECK_STREQ(planned(&p, "cpu.rt_runtime_us"), "950000");
	cgroup_plan_done(&p);
	CHECK(build("{\"cpu\":{\"quota\":1000,\"burst\":2000}}", ver_v1, &p, &err) == -EINVAL);
	CHECK_CONTAINS(err, "burst");
	free(err);
}

TEST(pids_limit_values)
{
	struct cgroup_plan p;
	char *err;
	CHECK(build("{\"pids\":{\"limit\":20}}", ver_v1, &p, &err) == 0);
	CHECK_STREQ(planned(&p, "pids.max"), "20");
	cgroup_plan_done(&p);
	CHECK(build("{\"pids\":{\"limit\":-1}}", ver_v2, &p, &err) == 0);
	CHECK_STREQ(planned(&p, "pids.max"), "max");
	cgroup_plan_done(&p);
	CHECK(build("{\"pids\":{\"limit\":0}}", ver_v2, &p, &err) == 0);
	CHECK(p.n == 0);
	cgroup_plan_done(&p);
}

TEST(blkio_weights_and_throttles)
{
	struct cgroup_plan p;
	char *err;
	const char *cfg = "{\"blockIO\":{\"weight\":500,\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":300}],"
			  "\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1048576}],"
			  "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":16,\"rate\":0}]}}";
	CHECK(build(cfg, ver_v1, &p, &err) == 0);
	CHECK_STREQ(planned(&p, "blkio.weight"), "500");
	CHECK_STREQ(planned(&p, "blkio.bfq.weight"), "500");
	CHECK_STREQ(planned(&p, "blkio.weight_device"), "8:0 300");
	CHECK_STREQ(planned(&p, "blkio.throttle.read_bps_device"), "8:0 1048576");
	CHECK_STREQ(planned(&p, "blkio.throttle.write_iops_device"), "8:16 0");
	CHECK(p.w[0].flags & CGROUP_W_ALT);
	CHECK(p.w[0].group == p.w[1].group);
	CHECK(p.w[1].group != p.w[2].group);
	cgroup_plan_done(&p);
	CHECK(build(cfg, ver_v2, &p, &err) == 0);
	CHECK_STREQ(planned(&p, "io.bfq.weight"), "500");
	CHECK_STREQ(planned(&p, "io.weight"), "4950");
	const char *io_max[2] = { 0 };
	size_t k = 0;
	for (size_t i = 0; i < p.n && k < 2; i++)
		if (!strcmp(p.w[i].file, "io.max"))
			io_max[k++] = p.w[i].value;
	CHECK_STREQ(io_max[0], "8:0 rbps=1048576");
	CHECK_STREQ(io_max[1], "8:16 wiops=max");
	cgroup_plan_done(&p);
	CHECK(build("{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"rate\":1}]}}", ver_v1, &p, &err) == -EINVAL);
	CHECK_CONTAINS(err, "throttleReadBpsDevice[0]");
	free(err);
}

TEST(hugetlb_in_hybrid_is_v2)
{
	struct cgroup_plan p;
	char *err;
	CHECK(build("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}]}", ver_hybrid, &p, &err) == 0);
	CHECK_STREQ(planned(&p, "hugetlb.2MB.max"), "4194304");
	CHECK_STREQ(planned(&p, "hugetlb.2MB.rsvd.max"), "4194304");
	CHECK(p.w[1].flags & CGROUP_W_OPTIONAL);
	cgroup_plan_done(&p);
	CHECK(build("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}]}", ver_v1, &p, &err) == 0);
	CHECK_STREQ(planned(&p, "hugetlb.2MB.limit_in_bytes"), "4194304");
	cgroup_plan_done(&p);
	CHECK(build("{\"hugepageLimits\":[{\"pageSize\":\"../x\",\"limit\":1}]}", ver_v2, &p, &err) == -EINVAL);
	CHECK_CONTAINS(err, "pageSize");
	free(err);
}

TEST(network_rdma_unified)
{
	struct cgroup_plan p;
	char *err;
	CHECK(build("{\"network\":{\"classID\":1048577,\"priorities\":[{\"name\":\"eth0\",\"priority\":5}]}}", ver_v1, &p, &err) == 0);
	CHECK_STREQ(planned(&p, "net_cls.classid"), "1048577");
	CHECK_STREQ(planned(&p, "net_prio.ifpriomap"), "eth0 5");
	cgroup_plan_done(&p);
	CHECK(build("{\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3,\"hcaObjects\":10000}}}", ver_v2, &p, &err) == 0);
	CHECK_STREQ(planned(&p, "rdma.max"), "mlx5_1 hca_handle=3 hca_object=10000");
	cgroup_plan_done(&p);
	CHECK(build("{\"unified\":{\"memory.high\":\"1000000\",\"io.max\":\"8:0 rbps=1\",\"cgroup.max.depth\":\"3\"}}", ver_v2, &p,
		    &err) == 0);
	CHECK(p.n == 3);
	for (size_t i = 0; i < p.n; i++) {
		if (!strcmp(p.w[i].file, "memory.high"))
			CHECK(p.w[i].controller == CGROUP_MEMORY);
		if (!strcmp(p.w[i].file, "io.max"))
			CHECK(p.w[i].controller == CGROUP_BLKIO);
		if (!strcmp(p.w[i].file, "cgroup.max.depth"))
			CHECK(p.w[i].controller == CGROUP_CORE);
	}
	cgroup_plan_done(&p);
	/* hybrid: memory is on v1, so memory.high does not exist */
	CHECK(build("{\"unified\":{\"memory.high\":\"1\"}}", ver_hybrid, &p, &err) == -EINVAL);
	CHECK_CONTAINS(err, "cgroup v1");
	free(err);
	CHECK(build("{\"unified\":{\"hugetlb.2MB.max\":\"0\"}}", ver_hybrid, &p, &err) == 0);
	CHECK(p.n == 1 && p.w[0].controller == CGROUP_HUGETLB);
	cgroup_plan_done(&p);
	CHECK(build("{\"unified\":{\"../../etc/passwd\":\"x\"}}", ver_v2, &p, &err) == -EINVAL);
	free(err);
	CHECK(build("{\"unified\":{\"cgroup.procs\":\"1\"}}", ver_v2, &p, &err) == -EINVAL);
	CHECK_CONTAINS(err, "managed by the runtime");
	free(err);
	CHECK(build("{\"unified\":{\"memory.high\":5}}", ver_v2, &p, &err) == -EINVAL);
	CHECK_CONTAINS(err, "must be a string");
	free(err);
}

TEST(devices_are_parsed_into_rules)
{
	struct cgroup_plan p;
	char *err;
	CHECK(build("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\",\"major\":10,"
		    "\"minor\":229,\"access\":\"rw\"}]}",
		    ver_v1, &p, &err) == 0);
	CHECK(p.has_devices && p.n_dev == 2 && p.n == 0);
	CHECK(!p.dev[0].allow && p.dev[0].type == 'a');
	CHECK(p.dev[1].allow && p.dev[1].type == 'c' && p.dev[1].major == 10 && p.dev[1].minor == 229);
	cgroup_plan_done(&p);
	CHECK(build("{\"devices\":[{\"access\":\"rwm\"}]}", ver_v1, &p, &err) == -EINVAL);
	CHECK_STREQ(err, "devices[0].allow: required, true or false");
	free(err);
	CHECK(build("{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}", ver_v1, &p, &err) == -EINVAL);
	CHECK_CONTAINS(err, "devices[0].access");
	free(err);
}

TEST(empty_resources_plan_nothing)
{
	struct cgroup_plan p;
	char *err;
	CHECK(build(NULL, ver_v1, &p, &err) == 0 && p.n == 0 && !p.has_devices);
	cgroup_plan_done(&p);
	CHECK(build("{}", ver_v2, &p, &err) == 0 && p.n == 0);
	cgroup_plan_done(&p);
}

TAP_MAIN
