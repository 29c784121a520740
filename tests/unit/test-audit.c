/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri audit's pure parts, from fixture text: /proc/PID/status and uid_map parsing,
 * capability mask decoding and severities, the tier decision table, the mountinfo danger
 * rules, the default device set, /proc/PID/cgroup paths and security.capability xattrs. */
#include <stdint.h>
#include <string.h>

#include "engine/audit/capset.h"
#include "engine/audit/cgroup.h"
#include "engine/audit/devices.h"
#include "engine/audit/findings.h"
#include "engine/audit/host.h"
#include "engine/audit/mounts.h"
#include "engine/audit/namespaces.h"
#include "engine/audit/proc-read.h"
#include "engine/audit/tier.h"
#include "engine/container/util.h"
#include "lib/mountinfo.h"
#include "tap.h"

/* A rootless container's init as the host sees it (kernel 6.18). */
static const char status_fixture[] = "Name:\tsleep\n"
				     "Umask:\t0022\n"
				     "State:\tS (sleeping)\n"
				     "Uid:\t100999\t100999\t100999\t100999\n"
				     "Gid:\t100999\t100999\t100999\t100999\n"
				     "NSpid:\t31942\t1\n"
				     "CapInh:\t0000000000000000\n"
				     "CapPrm:\t0000000000000000\n"
				     "CapEff:\t0000000000000000\n"
				     "CapBnd:\t00000000800405fb\n"
				     "CapAmb:\t0000000000000000\n"
				     "NoNewPrivs:\t1\n"
				     "Seccomp:\t2\n"
				     "Seccomp_filters:\t1\n"
				     "Speculation_Store_Bypass:\tvulnerable\n";

TEST(status_parses_ids_caps_seccomp_nnp)
{
	struct audit_status st;
	CHECK(audit_status_parse(status_fixture, &st) == 0);
	CHECK_STREQ(st.name, "sleep");
	CHECK(st.uid[0] == 100999 && st.uid[1] == 100999 && st.gid[3] == 100999);
	CHECK(st.cap_bnd == AUDIT_CAPS_DEFAULT);
	CHECK(st.cap_eff == 0 && st.cap_amb == 0);
	CHECK(st.no_new_privs == 1);
	CHECK(st.seccomp == 2);
	CHECK(st.seccomp_filters == 1);
}

TEST(status_old_kernel_fields_absent_are_unknown)
{
	struct audit_status st;
	CHECK(audit_status_parse("Name:\tx\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0\nCapPrm:\t3fffffffff\n"
				 "CapEff:\t3fffffffff\nCapBnd:\t3fffffffff\n",
				 &st) == 0);
	CHECK(st.no_new_privs == -1 && st.seccomp == -1 && st.seccomp_filters == -1);
	CHECK(st.cap_amb == 0 && st.cap_eff == UINT64_C(0x3fffffffff));
}

TEST(status_malformed_is_einval)
{
	struct audit_status st;
	CHECK(audit_status_parse("Name:\tx\nGid:\t0\t0\t0\t0\n", &st) == -EINVAL);
	CHECK(
	    audit_status_parse("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\tzz\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\n",
			       &st) == -EINVAL);
	CHECK(audit_status_parse("Uid:\t0\t0\nGid:\t0\t0\t0\t0\n", &st) == -EINVAL);
}

TEST(uid_map_nested_rootless_translates_both_ways)
{
	struct audit_idmap m;
	uint32_t x;
	CHECK(audit_idmap_parse("         0       1001          1\n         1     100000      65536\n", &m) == 0);
	CHECK(m.n == 2);
	CHECK(audit_idmap_to_outside(&m, 0, &x) == 0 && x == 1001);
	CHECK(audit_idmap_to_outside(&m, 1000, &x) == 0 && x == 100999);
	CHECK(audit_idmap_to_outside(&m, 65537, &x) == -ENOENT);
	CHECK(audit_idmap_to_inside(&m, 100999, &x) == 0 && x == 1000);
	CHECK(audit_idmap_to_inside(&m, 0, &x) == -ENOENT);
	CHECK(!audit_idmap_is_identity(&m));
	CHECK(audit_idmap_parse("0 0 4294967295\n", &m) == 0 && audit_idmap_is_identity(&m));
	CHECK(audit_idmap_parse("0 0\n", &m) == -EINVAL);
	CHECK(audit_idmap_parse("0 0 0\n", &m) == -EINVAL);
	CHECK(audit_idmap_parse("", &m) == 0 && m.n == 0);
}

TEST(stat_start_time_after_comm_with_parens)
{
	uint64_t t;
	char st;
	CHECK(audit_stat_start_time("42 (a) b (c)) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 1000 "
				    "200\n",
				    &t, &st) == 0);
	CHECK(t == 987654 && st == 'S');
	CHECK(audit_stat_start_time("42 (x) S 1", &t, NULL) == -EINVAL);
}

TEST(ns_link_inode_parse)
{
	CHECK(audit_ns_inode_parse("net:[4026531833]") == 4026531833ULL);
	CHECK(audit_ns_inode_parse("net:[]") == 0);
	CHECK(audit_ns_inode_parse("garbage") == 0);
	CHECK(audit_ns_initial_inode(AUDIT_NS_USER) == 4026531837ULL);
	CHECK(audit_ns_initial_inode(AUDIT_NS_NET) == 0);
}

TEST(ns_compare_marks_shared)
{
	uint64_t ns[AUDIT_NS_COUNT] = {0}, host[AUDIT_NS_COUNT] = {0};
	struct audit_ns_entry e[AUDIT_NS_COUNT];
	ns[AUDIT_NS_NET] = host[AUDIT_NS_NET] = 5;
	ns[AUDIT_NS_PID] = 6;
	host[AUDIT_NS_PID] = 7;
	host[AUDIT_NS_UTS] = 8; /* ours unknown: never "shared" */
	audit_ns_compare(ns, host, NULL, e);
	CHECK(e[AUDIT_NS_NET].shared);
	CHECK(!e[AUDIT_NS_PID].shared);
	CHECK(!e[AUDIT_NS_UTS].shared);
	CHECK_STREQ(e[AUDIT_NS_MNT].type, "mnt");
}

TEST(caps_mask_decodes_to_names)
{
	char **n = audit_caps_names(AUDIT_CAPS_DEFAULT);
	char *j = cu_strv_join(n, " ");
	CHECK_STREQ(j,
		    "CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP");
	free(j);
	cu_strv_free(n);
	n = audit_caps_names((UINT64_C(1) << 21) | (UINT64_C(1) << 62));
	j = cu_strv_join(n, " ");
	CHECK_STREQ(j, "SYS_ADMIN 62"); /* a bit no kernel knows is shown by number */
	free(j);
	cu_strv_free(n);
	n = audit_caps_names(0);
	CHECK(n && !n[0]);
	cu_strv_free(n);
}

TEST(caps_severity_table)
{
	CHECK(audit_cap_severity(21) == AUDIT_CRITICAL); /* SYS_ADMIN */
	CHECK(audit_cap_severity(16) == AUDIT_CRITICAL); /* SYS_MODULE */
	CHECK(audit_cap_severity(2) == AUDIT_CRITICAL);	 /* DAC_READ_SEARCH */
	CHECK(audit_cap_severity(19) == AUDIT_HIGH);	 /* SYS_PTRACE */
	CHECK(audit_cap_severity(12) == AUDIT_HIGH);	 /* NET_ADMIN */
	CHECK(audit_cap_severity(39) == AUDIT_HIGH);	 /* BPF */
	CHECK(audit_cap_severity(13) == AUDIT_MEDIUM);	 /* NET_RAW */
	CHECK(audit_cap_severity(29) == AUDIT_LOW);	 /* AUDIT_WRITE */
}

TEST(severity_names_round_trip)
{
	enum audit_severity s;
	CHECK(audit_severity_parse("HIGH", &s) == 0 && s == AUDIT_HIGH);
	CHECK(audit_severity_parse("info", &s) == 0 && s == AUDIT_INFO);
	CHECK(audit_severity_parse("severe", &s) == -EINVAL);
	CHECK_STREQ(audit_severity_name(AUDIT_CRITICAL), "critical");
}

TEST(findings_sort_by_severity_and_max)
{
	struct audit_findings f = {0};
	CHECK(audit_findings_max(&f) == -1);
	audit_findings_add(&f, "a", AUDIT_LOW, "r", "t%d", 1);
	audit_findings_add(&f, "b", AUDIT_CRITICAL, "r", "t");
	audit_findings_add(&f, "c", AUDIT_LOW, "r", "t");
	audit_findings_sort(&f);
	CHECK_STREQ(f.v[0].id, "b");
	CHECK_STREQ(f.v[1].id, "a");
	CHECK_STREQ(f.v[2].id, "c");
	CHECK(audit_findings_max(&f) == AUDIT_CRITICAL);
	CHECK(audit_findings_has(&f, "c") && !audit_findings_has(&f, "d"));
	audit_findings_done(&f);
}

/* ---- the tier decision table ---- */

struct tier_case {
	const char *what;
	struct audit_tier_input in;
	int tier;
	const char *mode;
};

TEST(tier_decision_table)
{
	const struct tier_case cases[] = {
	    {"privileged root", {true, true, 0, true, 0, 0, true, true, true, true}, 1, "privileged"},
	    {"privileged user", {true, true, 0, true, 1000, 1000, true, true, false, false}, 2, "privileged"},
	    {"full caps, seccomp on, /sys rw", {true, true, 0, true, 0, 0, true, false, true, false}, 1, "privileged"},
	    {"full caps only (all signals off)", {true, true, 0, true, 0, 0, true, false, false, false}, 3, "rootful"},
	    {"seccomp off, default caps", {true, true, 0, true, 0, 0, false, true, false, false}, 3, "rootful"},
	    {"rootful user", {true, true, 0, true, 1000, 1000, false, false, false, false}, 4, "rootful"},
	    {"userns mapping root to 0 is rootful",
	     {false, true, 0, true, 0, 0, false, false, false, false},
	     3,
	     "rootful"},
	    {"rootless root", {false, true, 1001, true, 0, 1001, false, false, false, false}, 5, "rootless"},
	    {"rootless user", {false, true, 1001, true, 1000, 100999, false, false, false, false}, 6, "rootless"},
	    {"rootless privileged stays rootless",
	     {false, true, 1001, true, 0, 1001, true, true, true, false},
	     5,
	     "rootless"},
	    {"root unmapped", {false, false, 0, true, 5, 100005, false, false, false, false}, 6, "rootless"},
	    {"uid inside unknown is not root",
	     {false, true, 1001, false, 0, 1002, false, false, false, false},
	     6,
	     "rootless"},
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct audit_tier t;
		audit_tier_decide(&cases[i].in, &t);
		if (t.tier != cases[i].tier || !STREQ(t.mode, cases[i].mode))
			printf("#   %s: tier %d (%s), expected %d (%s)\n", cases[i].what, t.tier, t.mode, cases[i].tier,
			       cases[i].mode);
		CHECK(t.tier == cases[i].tier);
		CHECK(STREQ(t.mode, cases[i].mode));
		CHECK(t.reason[0]);
	}
	struct audit_tier t;
	audit_tier_decide(&cases[9].in, &t);
	CHECK(t.privileged);
	CHECK_CONTAINS(t.reason, "privileged within its user namespace only");
	CHECK_CONTAINS(t.reason, "host uid 1001");
	audit_tier_decide(&cases[0].in, &t);
	CHECK_CONTAINS(t.reason, "seccomp off");
	CHECK_CONTAINS(t.reason, "no user namespace");
	CHECK_STREQ(audit_tier_name(4), "rootful + non-root inside");
}

/* ---- mountinfo danger rules ---- */

static const char host_mi[] = "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
			      "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
			      "23 27 0:22 / /sys rw,relatime - sysfs sysfs rw\n"
			      "24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,mode=755\n";

/* A rootful container with -v /:/rootfs:ro, docker.sock, and the rest of the rules. */
static const char ctr_mi[] = "400 300 0:90 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n"
			     "401 400 0:91 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
			     "402 400 0:92 / /dev rw,nosuid - tmpfs tmpfs rw,mode=755\n"
			     "403 400 0:22 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw\n"
			     "404 403 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
			     "405 400 254:0 / /rootfs ro,relatime - ext4 /dev/vda rw\n"
			     "406 400 254:0 /home/u/data /data rw,relatime - ext4 /dev/vda rw\n"
			     "407 400 0:25 /docker.sock /run/docker.sock rw - tmpfs tmpfs rw\n"
			     "408 400 0:21 / /host/proc rw - proc proc rw\n"
			     "409 402 0:6 / /dev/host rw - devtmpfs devtmpfs rw\n"
			     "410 402 0:6 /null /dev/null rw - devtmpfs devtmpfs rw\n"
			     "411 401 0:91 /sys /proc/sys ro,nosuid - proc proc rw\n"
			     "412 401 0:93 / /proc/kcore ro - tmpfs tmpfs rw\n"
			     "413 400 0:94 / /run/podman rw - tmpfs tmpfs rw\n";

static bool only_two(const char *p, void *data)
{
	return STREQ(p, "/proc/kcore") || STREQ(p, "/proc/keys") || STREQ(p, "/proc/sys") || STREQ(p, "/proc/irq");
}

static size_t count_kind(const struct audit_mounts *m, enum audit_mount_kind k, const char **ret_mp)
{
	size_t n = 0;
	for (size_t i = 0; i < m->n_issues; i++)
		if (m->issues[i].kind == k) {
			n++;
			if (ret_mp)
				*ret_mp = m->issues[i].mountpoint;
		}
	return n;
}

TEST(mountinfo_danger_rules)
{
	struct mountinfo h, c;
	struct audit_host_ref ref;
	struct audit_mounts m;
	const char *mp = NULL;
	CHECK(mountinfo_parse(host_mi, &h) == 0);
	audit_host_ref_from(&h, &ref);
	CHECK(ref.have_root && ref.root_major == 254 && ref.root_minor == 0);
	CHECK(ref.have_proc && ref.proc_minor == 21 && ref.have_dev && ref.dev_minor == 6);
	CHECK(mountinfo_parse(ctr_mi, &c) == 0);
	CHECK(audit_mounts_check(&c, &ref, false, false, only_two, NULL, &m) == 0);
	CHECK(m.have_rootfs && !m.rootfs_ro);
	CHECK_STREQ(m.rootfs_fstype, "overlay");
	/* the host's / at /rootfs, read-only; a subdirectory bind (/data) is not the host's / */
	CHECK(count_kind(&m, AUDIT_MNT_HOST_ROOT, &mp) == 1);
	CHECK_STREQ(mp, "/rootfs");
	CHECK(count_kind(&m, AUDIT_MNT_ROOTFS_HOST, NULL) == 0);
	for (size_t i = 0; i < m.n_issues; i++)
		if (m.issues[i].kind == AUDIT_MNT_HOST_ROOT)
			CHECK(m.issues[i].ro);
	/* docker.sock by name, /run/podman as an engine run directory */
	CHECK(count_kind(&m, AUDIT_MNT_ENGINE_SOCKET, NULL) == 1);
	CHECK(count_kind(&m, AUDIT_MNT_HOST_PROC, &mp) == 1);
	CHECK_STREQ(mp, "/host/proc");
	CHECK(count_kind(&m, AUDIT_MNT_SYS_RW, &mp) == 1);
	CHECK_STREQ(mp, "/sys");
	/* the host's sysfs superblock (0:22) in a network namespace of its own */
	CHECK(ref.have_sys && ref.sys_minor == 22);
	CHECK(count_kind(&m, AUDIT_MNT_HOST_SYS, &mp) == 1);
	CHECK_STREQ(mp, "/sys");
	/* the whole devtmpfs counts; a bound /dev/null from it does not */
	CHECK(count_kind(&m, AUDIT_MNT_HOST_DEV, &mp) == 1);
	CHECK_STREQ(mp, "/dev/host");
	CHECK(count_kind(&m, AUDIT_MNT_CGROUP_RW, NULL) == 1);
	/* masked: kcore yes, keys no; read-only: /proc/sys yes, /proc/irq no */
	CHECK(m.n_masked_checked == 2 && m.unmasked && m.unmasked[0] && !m.unmasked[1]);
	CHECK_STREQ(m.unmasked[0], "/proc/keys");
	CHECK(m.n_readonly_checked == 2 && m.writable && !m.writable[1]);
	CHECK_STREQ(m.writable[0], "/proc/irq");
	audit_mounts_done(&m);
	mountinfo_done(&c);

	/* /run/podman above is an engine directory: count it separately */
	CHECK(mountinfo_parse("1 0 0:90 / / ro - overlay o rw\n2 1 0:94 / /run/podman rw - tmpfs t rw\n", &c) == 0);
	CHECK(audit_mounts_check(&c, &ref, false, false, NULL, NULL, &m) == 0);
	CHECK(m.rootfs_ro);
	CHECK(count_kind(&m, AUDIT_MNT_ENGINE_SOCKET, NULL) == 0); /* root "/" of a tmpfs: not known */
	audit_mounts_done(&m);
	mountinfo_done(&c);

	/* a host process: its / is the host's; its /proc is the host's but it shares the pid
	 * namespace, so that is the namespace finding's business */
	CHECK(audit_mounts_check(&h, &ref, true, true, NULL, NULL, &m) == 0);
	CHECK(count_kind(&m, AUDIT_MNT_ROOTFS_HOST, NULL) == 1);
	CHECK(count_kind(&m, AUDIT_MNT_HOST_PROC, NULL) == 0);
	CHECK(count_kind(&m, AUDIT_MNT_HOST_DEV, NULL) == 1);
	CHECK(count_kind(&m, AUDIT_MNT_HOST_SYS, NULL) == 0); /* it shares the network namespace */
	audit_mounts_done(&m);
	/* ... and the same table in its own pid namespace (unshare --pid without --mount-proc) */
	CHECK(audit_mounts_check(&h, &ref, false, true, NULL, NULL, &m) == 0);
	CHECK(count_kind(&m, AUDIT_MNT_HOST_PROC, NULL) == 1);
	audit_mounts_done(&m);
	mountinfo_done(&h);
}

TEST(mountinfo_overmount_hides_the_lower_one)
{
	struct mountinfo c;
	struct audit_host_ref ref = {0};
	struct audit_mounts m;
	CHECK(mountinfo_parse("1 0 0:90 / / rw - overlay o rw\n2 1 0:22 / /sys rw - sysfs sysfs rw\n"
			      "3 1 0:95 / /sys ro - sysfs sysfs ro\n",
			      &c) == 0);
	CHECK(audit_mounts_check(&c, &ref, false, false, NULL, NULL, &m) == 0);
	CHECK(count_kind(&m, AUDIT_MNT_SYS_RW, NULL) == 0);
	audit_mounts_done(&m);
	mountinfo_done(&c);
}

TEST(engine_run_dir_bind_is_flagged)
{
	struct mountinfo c;
	struct audit_host_ref ref = {0};
	struct audit_mounts m;
	CHECK(mountinfo_parse("1 0 0:90 / / rw - overlay o rw\n2 1 0:25 /containerd /run/ctr rw - tmpfs t rw\n"
			      "3 1 0:25 /containerd /var/run/containerd rw - tmpfs t rw\n",
			      &c) == 0);
	CHECK(audit_mounts_check(&c, &ref, false, false, NULL, NULL, &m) == 0);
	/* the mount's root is /containerd of the tmpfs: not recognisable as /run/containerd */
	CHECK(count_kind(&m, AUDIT_MNT_ENGINE_SOCKET, NULL) == 0);
	audit_mounts_done(&m);
	mountinfo_done(&c);
	CHECK(mountinfo_parse("1 0 0:90 / / rw - overlay o rw\n2 1 0:25 /run/containerd /x rw - ext4 /dev/vda rw\n"
			      "3 1 0:25 /srv/podman.sock /tmp/s rw - ext4 /dev/vda rw\n",
			      &c) == 0);
	CHECK(audit_mounts_check(&c, &ref, false, false, NULL, NULL, &m) == 0);
	CHECK(count_kind(&m, AUDIT_MNT_ENGINE_SOCKET, NULL) == 2);
	audit_mounts_done(&m);
	mountinfo_done(&c);
}

TEST(default_devices)
{
	CHECK(audit_device_is_default("null", 'c', 1, 3));
	CHECK(audit_device_is_default("urandom", 'c', 1, 9));
	CHECK(audit_device_is_default("console", 'c', 136, 0));
	CHECK(audit_device_is_default("pts/ptmx", 'c', 5, 2));
	CHECK(!audit_device_is_default("null", 'b', 254, 0)); /* a "null" that is a disk */
	CHECK(!audit_device_is_default("null", 'c', 1, 1));   /* /dev/mem under a default name */
	CHECK(!audit_device_is_default("vda", 'b', 254, 0));
	CHECK(!audit_device_is_default("net/tun", 'c', 10, 200));
	CHECK(!audit_device_is_default("fuse", 'c', 10, 229));
}

TEST(cgroup_paths_v1_v2_and_lists)
{
	static const char text[] = "9:name=systemd:/kakuri/abc\n8:pids:/kakuri/abc\n2:cpu,cpuacct:/kakuri/abc\n"
				   "4:memory:/process_api/x\n0::/user.slice\n";
	char p[256];
	CHECK(audit_cgroup_path(text, "pids", p, sizeof(p)));
	CHECK_STREQ(p, "/kakuri/abc");
	CHECK(audit_cgroup_path(text, "cpu", p, sizeof(p)));
	CHECK_STREQ(p, "/kakuri/abc");
	CHECK(audit_cgroup_path(text, "memory", p, sizeof(p)));
	CHECK_STREQ(p, "/process_api/x");
	CHECK(audit_cgroup_path(text, "", p, sizeof(p)));
	CHECK_STREQ(p, "/user.slice");
	CHECK(!audit_cgroup_path(text, "cpuset", p, sizeof(p)));
	CHECK(!audit_cgroup_path(text, "cpuacc", p, sizeof(p)));
	CHECK(!audit_cgroup_path("4:memory:/x\n", "", p, sizeof(p)));
}

TEST(vfs_cap_xattr_revisions)
{
	/* setcap cap_setuid+ep: revision 2, effective flag, permitted bit 7 */
	unsigned char v2[20] = {0x01, 0x00, 0x00, 0x02, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	unsigned char v3[24] = {0x00, 0x00, 0x00, 0x03, 0x40, 0, 0, 0, 0,    0,	   0, 0,
				0x01, 0,    0,	  0,	0,    0, 0, 0, 0xe8, 0x03, 0, 0};
	uint64_t perm;
	uint32_t rootid;
	CHECK(audit_vfs_cap_parse(v2, sizeof(v2), &perm, &rootid) == 0);
	CHECK(perm == (UINT64_C(1) << 7) && rootid == 0);
	CHECK(audit_vfs_cap_parse(v3, sizeof(v3), &perm, &rootid) == 0);
	CHECK(perm == ((UINT64_C(1) << 6) | (UINT64_C(1) << 32)) && rootid == 1000);
	CHECK(audit_vfs_cap_parse(v2, 19, &perm, &rootid) == -EINVAL);
	CHECK(audit_vfs_cap_parse(v3, 3, &perm, &rootid) == -EINVAL);
}

TAP_MAIN
