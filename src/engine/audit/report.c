/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/landlock.h>

#include "engine/audit/capset.h"
#include "engine/audit/cgroup.h"
#include "engine/audit/devices.h"
#include "engine/audit/findings.h"
#include "engine/audit/lsm.h"
#include "engine/audit/mounts.h"
#include "engine/audit/namespaces.h"
#include "engine/audit/proc-read.h"
#include "engine/audit/tier.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/mountinfo.h"

/* Everything gathered about one process. */
struct facts {
	struct audit_proc p;
	struct audit_ns_entry ns[AUDIT_NS_COUNT];
	struct mountinfo mi;
	bool have_mi;
	struct audit_mounts mounts;
	struct audit_devices dev;
	struct audit_cg_limit cg[AUDIT_CG_COUNT];
	struct audit_tier tier;
	uint64_t ref_bnd; /* the host's bounding set */
	uint64_t held;	  /* effective | permitted | ambient */
	bool rootless;
	bool in_initial_userns;
	bool root_mapped;
	uint32_t host_uid_of_root;
	struct audit_lsm lsm;
};

static void facts_done(struct facts *f)
{
	audit_proc_done(&f->p);
	audit_mounts_done(&f->mounts);
	if (f->have_mi)
		mountinfo_done(&f->mi);
	audit_devices_done(&f->dev);
}

/* The host's bounding set: pid 1's (status is world-readable), else every capability. */
static uint64_t host_bounding(void)
{
	cleanup_free char *s = NULL;
	struct audit_status st;
	if (fs_read_file_at(AT_FDCWD, "/proc/1/status", 1u << 16, &s, NULL) == 0 && audit_status_parse(s, &st) == 0)
		return st.cap_bnd;
	return audit_caps_all();
}

/* Kernel paths exist the same for every procfs/sysfs: check the auditor's own. */
static bool host_path_exists(const char *path, void *data)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* The reader's ids are not the host's when the auditor itself runs in a user namespace
 * (uid_map and status are relative to the reader): translate once more through our own
 * map, which, read by ourselves, is relative to our parent. */
static uint32_t to_host(uint32_t id, const struct audit_idmap *self)
{
	uint32_t out;
	if (!self || audit_idmap_is_identity(self))
		return id;
	return audit_idmap_to_outside(self, id, &out) == 0 ? out : UINT32_MAX;
}

static int gather(const struct audit_target *t, struct facts *f)
{
	int r = audit_proc_read(t->pid, &f->p);
	if (r < 0)
		return r;
	if (t->start_time && f->p.start_time != t->start_time)
		return -ESRCH;

	uint64_t host_ns[AUDIT_NS_COUNT];
	const char *ref[AUDIT_NS_COUNT];
	audit_ns_host(host_ns, ref);
	audit_ns_compare(f->p.ns, host_ns, ref, f->ns);

	struct audit_idmap self = {0};
	cleanup_free char *sm = NULL;
	bool have_self = fs_read_file_at(AT_FDCWD, "/proc/self/uid_map", 1u << 16, &sm, NULL) == 0 &&
			 audit_idmap_parse(sm, &self) == 0;
	uint32_t out;
	f->root_mapped = audit_idmap_to_outside(&f->p.uidmap, 0, &out) == 0;
	f->host_uid_of_root = f->root_mapped ? to_host(out, have_self ? &self : NULL) : UINT32_MAX;
	f->root_mapped = f->root_mapped && f->host_uid_of_root != UINT32_MAX;
	f->rootless = !f->root_mapped || f->host_uid_of_root != 0;

	struct mountinfo host_mi = {0};
	struct audit_host_ref href = {0};
	if (mountinfo_read("/proc/1/mountinfo", &host_mi) == 0 || mountinfo_read(NULL, &host_mi) == 0) {
		audit_host_ref_from(&host_mi, &href);
		mountinfo_done(&host_mi);
	}
	if (f->p.mountinfo && mountinfo_parse(f->p.mountinfo, &f->mi) == 0) {
		f->have_mi = true;
		/* An unreadable pid namespace counts as shared: "the host's /proc" needs proof of
		 * a pid namespace of its own. */
		bool pidns_shared = f->ns[AUDIT_NS_PID].shared || !f->ns[AUDIT_NS_PID].inode;
		bool netns_shared = f->ns[AUDIT_NS_NET].shared || !f->ns[AUDIT_NS_NET].inode;
		r = audit_mounts_check(&f->mi, &href, pidns_shared, netns_shared, host_path_exists, NULL, &f->mounts);
		if (r < 0)
			return r;
	}
	if ((r = audit_devices_scan(t->pid, &f->dev)) < 0)
		return r;
	audit_cgroup_limits(f->p.cgroup, f->cg);
	audit_lsm_read(f->p.lsm_label, f->p.lsm_errno, &f->lsm);
	/* /proc/PID/root and the cgroup were read after audit_proc_read's own check. */
	if (!audit_proc_same(t->pid, f->p.start_time))
		return -ESRCH;

	f->ref_bnd = host_bounding();
	f->held = f->p.st.cap_eff | f->p.st.cap_prm | f->p.st.cap_amb;
	bool sys_rw = false;
	for (size_t i = 0; i < f->mounts.n_issues; i++)
		if (f->mounts.issues[i].kind == AUDIT_MNT_SYS_RW && STREQ(f->mounts.issues[i].mountpoint, "/sys"))
			sys_rw = true;
	/* Without access to its ns links (another user's process), an identity map is the
	 * initial user namespace's (a nested one with the identity map is rare). */
	f->in_initial_userns =
	    f->ns[AUDIT_NS_USER].inode ? f->ns[AUDIT_NS_USER].shared : audit_idmap_is_identity(&f->p.uidmap);
	struct audit_tier_input in = {
	    .in_initial_userns = f->in_initial_userns,
	    .root_mapped = f->root_mapped,
	    .host_uid_of_root = f->host_uid_of_root,
	    .host_euid = to_host(f->p.st.uid[1], have_self ? &self : NULL),
	    .full_caps = (f->p.st.cap_bnd & f->ref_bnd) == f->ref_bnd,
	    .seccomp_off = f->p.st.seccomp == 0,
	    .sys_rw = sys_rw,
	    .host_devices = f->dev.n_extra > 0,
	};
	in.uid_inside_known = audit_idmap_to_inside(&f->p.uidmap, f->p.st.uid[1], &in.uid_inside) == 0;
	audit_tier_decide(&in, &f->tier);
	return 0;
}

/* ---- findings ---- */

static void cap_id(int cap, char *buf, size_t len)
{
	cleanup_strv char **n = audit_caps_names(UINT64_C(1) << cap);
	snprintf(buf, len, "cap-%s", n && n[0] ? n[0] : "?");
	for (char *p = buf; *p; p++)
		*p = *p == '_' ? '-' : (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
}

static enum audit_severity lower(enum audit_severity s, bool by_one)
{
	return by_one && s > AUDIT_INFO ? s - 1 : s;
}

static int tier_findings(const struct facts *f, struct audit_findings *out)
{
	const struct audit_tier *t = &f->tier;
	const char *rem_priv = "drop --privileged; add only the capabilities needed with --cap-add";
	switch (t->tier) {
	case 1:
		return audit_findings_add(
		    out, "privileged", AUDIT_CRITICAL, rem_priv,
		    "privileged with root inside: host access is trivial (mount the host disk, load a "
		    "module, cgroup v1 release_agent)");
	case 2:
		return audit_findings_add(out, "privileged", AUDIT_HIGH, rem_priv,
					  "privileged: one privilege escalation inside is host root");
	case 3:
		return audit_findings_add(
		    out, "host-root", AUDIT_MEDIUM,
		    "run kakuri as an unprivileged user (rootless), or -u UID[:GID] for a non-root user",
		    "root inside is host root (no user namespace): a runtime or kernel bug is host root");
	case 4:
		return audit_findings_add(out, "no-userns", AUDIT_LOW, "run kakuri as an unprivileged user (rootless)",
					  "no user namespace: uid %u inside is uid %u on the host", f->p.st.uid[1],
					  f->p.st.uid[1]);
	case 5: {
		int r =
		    audit_findings_add(out, "root-inside", AUDIT_INFO, "-u UID[:GID]: a non-root user inside",
				       "root inside (host uid %u outside): a breakout lands as that unprivileged user",
				       f->host_uid_of_root);
		if (r == 0 && t->privileged)
			r = audit_findings_add(out, "privileged", AUDIT_MEDIUM, rem_priv,
					       "privileged within its user namespace (full capabilities there)");
		return r;
	}
	default:
		return t->privileged
			   ? audit_findings_add(out, "privileged", AUDIT_MEDIUM, rem_priv,
						"privileged within its user namespace (full capabilities there)")
			   : 0;
	}
}

static int cap_findings(const struct facts *f, struct audit_findings *out)
{
	uint64_t all = audit_caps_all();
	uint64_t extra = f->held & ~AUDIT_CAPS_DEFAULT & all;
	int r = 0;
	for (int c = 0; c < 64 && r == 0; c++) {
		if (!(extra & (UINT64_C(1) << c)))
			continue;
		char id[48], rem[96];
		cap_id(c, id, sizeof(id));
		cleanup_strv char **n = audit_caps_names(UINT64_C(1) << c);
		const char *name = n && n[0] ? n[0] : "?";
		snprintf(rem, sizeof(rem), "%s--cap-drop %s", f->tier.privileged ? "drop --privileged, or " : "", name);
		/* In a user namespace a capability covers what that namespace owns only. */
		r = audit_findings_add(out, id, lower(audit_cap_severity(c), f->rootless), rem, "CAP_%s held%s: %s",
				       name, f->rootless ? " (over its user namespace)" : "", audit_cap_why(c));
	}
	uint64_t obtainable = f->p.st.cap_bnd & ~f->held & ~AUDIT_CAPS_DEFAULT & all;
	if (r == 0 && obtainable && f->p.st.no_new_privs == 0) {
		cleanup_strv char **n = audit_caps_names(obtainable);
		cleanup_free char *j = n ? cu_strv_join(n, ", ") : NULL;
		r = audit_findings_add(
		    out, "caps-obtainable", lower(AUDIT_MEDIUM, f->rootless),
		    "keep no_new_privs on (remove --security-opt no-new-privileges=false) or --cap-drop them",
		    "a setuid or file-capability binary can gain (no_new_privs off): %s", j ? j : "?");
	}
	if (r == 0 && (f->p.st.cap_inh & all)) {
		cleanup_strv char **n = audit_caps_names(f->p.st.cap_inh & all);
		cleanup_free char *j = n ? cu_strv_join(n, ", ") : NULL;
		r = audit_findings_add(
		    out, "caps-inheritable", AUDIT_LOW, "--cap-drop them, or run as root inside",
		    "inheritable capabilities are passed to every program it executes (CVE-2022-29162): %s",
		    j ? j : "?");
	}
	/* -v /:/x plus CAP_SYS_CHROOT: `chroot /x` is a shell on the host's files. */
	for (size_t i = 0; r == 0 && i < f->mounts.n_issues; i++) {
		const struct audit_mount_issue *m = &f->mounts.issues[i];
		if (m->kind != AUDIT_MNT_HOST_ROOT || !(f->held & (UINT64_C(1) << 18)))
			continue;
		char rem[600];
		snprintf(rem, sizeof(rem), "--cap-drop SYS_CHROOT, or remove -v /:%s", m->mountpoint);
		r = audit_findings_add(
		    out, "chroot-host-root", AUDIT_HIGH, rem,
		    "CAP_SYS_CHROOT with the host's / at %s: `chroot %s` runs programs from the host's "
		    "filesystem",
		    m->mountpoint, m->mountpoint);
		break;
	}
	return r;
}

static int process_findings(const struct facts *f, struct audit_findings *out)
{
	int r = 0;
	if (f->p.st.seccomp == 0)
		r = audit_findings_add(
		    out, "seccomp-off", AUDIT_HIGH,
		    "remove --security-opt seccomp=unconfined (and --privileged), or give a profile with "
		    "--security-opt seccomp=FILE",
		    "no seccomp filter: every system call reaches the kernel");
	else if (f->p.st.seccomp < 0)
		r = audit_findings_add(out, "seccomp-unknown", AUDIT_INFO, "", "the kernel reports no seccomp state");
	if (r == 0 && f->p.st.no_new_privs == 0)
		r = audit_findings_add(out, "nnp-off", AUDIT_MEDIUM, "remove --security-opt no-new-privileges=false",
				       "no_new_privs off: setuid and file-capability programs can raise privileges");
	if (r == 0 && f->lsm.confinable && !f->lsm.confined)
		r = audit_findings_add(out, "lsm-unconfined", AUDIT_MEDIUM,
				       "--security-opt apparmor=PROFILE (AppArmor) or label=type:TYPE (SELinux)",
				       "not confined by the active LSM (%s): label '%s'", f->lsm.active,
				       f->lsm.label ? f->lsm.label : "none");
	return r;
}

static int ns_findings(const struct facts *f, struct audit_findings *out)
{
	static const struct {
		int type;
		enum audit_severity sev;
		const char *id, *what, *remedy;
	} rules[] = {
	    {AUDIT_NS_MNT, AUDIT_CRITICAL, "ns-mnt", "the host's mount namespace: the host's filesystems",
	     "run it in a container (its own mount namespace)"},
	    {AUDIT_NS_NET, AUDIT_HIGH, "ns-net",
	     "the host's network namespace: host interfaces, ports, abstract sockets", "remove --network host"},
	    {AUDIT_NS_PID, AUDIT_HIGH, "ns-pid", "the host's pid namespace: sees and signals host processes",
	     "remove --pid host"},
	    {AUDIT_NS_IPC, AUDIT_MEDIUM, "ns-ipc", "the host's IPC namespace: host shared memory and semaphores",
	     "remove --ipc host"},
	    {AUDIT_NS_UTS, AUDIT_LOW, "ns-uts", "the host's UTS namespace: can set the host's hostname",
	     "remove --uts host"},
	    {AUDIT_NS_CGROUP, AUDIT_LOW, "ns-cgroup", "the host's cgroup namespace: sees the host's cgroup paths",
	     "run it with its own cgroup namespace (kakuri rootful containers get one)"},
	};
	int r = 0;
	for (size_t i = 0; i < ELEMENTSOF(rules) && r == 0; i++)
		if (f->ns[rules[i].type].shared)
			r = audit_findings_add(out, rules[i].id, rules[i].sev, rules[i].remedy, "shares %s",
					       rules[i].what);
	return r;
}

static int mount_findings(const struct facts *f, struct audit_findings *out)
{
	const struct audit_mounts *m = &f->mounts;
	int r = 0;
	size_t n_cg = 0;
	const char *cg_first = NULL;
	for (size_t i = 0; i < m->n_issues && r == 0; i++) {
		const struct audit_mount_issue *x = &m->issues[i];
		char rem[640];
		switch (x->kind) {
		case AUDIT_MNT_HOST_ROOT:
			snprintf(rem, sizeof(rem), "remove -v /:%s", x->mountpoint);
			r = audit_findings_add(out, "host-root-mount", x->ro ? AUDIT_HIGH : AUDIT_CRITICAL, rem,
					       "the host's / is mounted at %s (%s)", x->mountpoint,
					       x->ro ? "read-only" : "read-write");
			break;
		case AUDIT_MNT_ROOTFS_HOST:
			r = audit_findings_add(out, "rootfs-host", AUDIT_CRITICAL,
					       "run it in a container with its own root filesystem",
					       "its root filesystem is the host's /");
			break;
		case AUDIT_MNT_ENGINE_SOCKET:
			snprintf(rem, sizeof(rem), "remove -v %s:%s", x->root, x->mountpoint);
			r = audit_findings_add(out, "engine-socket", AUDIT_CRITICAL, rem,
					       "a container engine's socket or run directory (%s) is mounted at %s: "
					       "whoever can talk to it controls the host",
					       x->root, x->mountpoint);
			break;
		case AUDIT_MNT_HOST_PROC:
			snprintf(rem, sizeof(rem), "remove -v /proc:%s", x->mountpoint);
			r = audit_findings_add(out, "host-proc", AUDIT_CRITICAL, rem,
					       "the host's /proc is mounted at %s: host processes, /proc/sys",
					       x->mountpoint);
			break;
		case AUDIT_MNT_HOST_SYS:
			snprintf(rem, sizeof(rem), "remove -v /sys:%s", x->mountpoint);
			r = audit_findings_add(out, "host-sys", AUDIT_MEDIUM, rem,
					       "the host's sysfs is mounted at %s (%s): the host's network devices",
					       x->mountpoint, x->ro ? "read-only" : "read-write");
			break;
		case AUDIT_MNT_SYS_RW:
			snprintf(rem, sizeof(rem), "drop --privileged (kakuri mounts /sys read-only)%s%s",
				 STREQ(x->mountpoint, "/sys") ? "" : ", or remove the mount at ",
				 STREQ(x->mountpoint, "/sys") ? "" : x->mountpoint);
			r = audit_findings_add(out, "sys-rw", lower(AUDIT_HIGH, f->rootless), rem,
					       "sysfs is mounted read-write at %s", x->mountpoint);
			break;
		case AUDIT_MNT_HOST_DEV:
			snprintf(rem, sizeof(rem), "remove -v /dev:%s; pass single devices with --device",
				 x->mountpoint);
			r = audit_findings_add(out, "host-dev", AUDIT_HIGH, rem,
					       "the host's /dev (devtmpfs) is mounted at %s: every host device",
					       x->mountpoint);
			break;
		case AUDIT_MNT_CGROUP_RW:
			if (!n_cg++)
				cg_first = x->mountpoint;
			break;
		}
	}
	if (r == 0 && n_cg)
		r = audit_findings_add(out, "cgroup-rw", lower(AUDIT_HIGH, f->rootless),
				       "drop --privileged (kakuri mounts cgroupfs read-only)",
				       "cgroupfs is mounted read-write (%zu mount%s, e.g. %s): cgroup v1 release_agent "
				       "(CVE-2022-0492), its own limits",
				       n_cg, n_cg == 1 ? "" : "s", cg_first);
	if (r == 0 && m->have_rootfs && !m->rootfs_ro)
		r = audit_findings_add(out, "rootfs-writable", AUDIT_LOW, "--read-only",
				       "the root filesystem is writable");
	if (r == 0 && m->unmasked) {
		cleanup_free char *j = cu_strv_join((char *const *)m->unmasked, ", ");
		r = audit_findings_add(out, "masked-paths-off", AUDIT_MEDIUM,
				       "remove --security-opt unmask=... (and --privileged)", "not masked: %s",
				       j ? j : "?");
	}
	if (r == 0 && m->writable) {
		cleanup_free char *j = cu_strv_join((char *const *)m->writable, ", ");
		r = audit_findings_add(out, "readonly-paths-off", AUDIT_MEDIUM,
				       "remove --security-opt unmask=... (and --privileged)", "writable: %s",
				       j ? j : "?");
	}
	return r;
}

/* What could not be read is said, not guessed: as a finding, so --fail-on info sees it. */
static int incomplete_findings(const struct facts *f, struct audit_findings *out)
{
	char what[200] = "";
	size_t len = 0;
	int err = 0;
	if (f->p.ns_errno) {
		len += (size_t)snprintf(what + len, sizeof(what) - len, "%snamespaces", len ? ", " : "");
		err = f->p.ns_errno;
	}
	if (f->dev.error) {
		len += (size_t)snprintf(what + len, sizeof(what) - len, "%s/dev", len ? ", " : "");
		err = err ? err : f->dev.error;
	}
	if (!f->have_mi) {
		len += (size_t)snprintf(what + len, sizeof(what) - len, "%smounts", len ? ", " : "");
		err = err ? err : f->p.mountinfo_errno;
	}
	if (!len)
		return 0;
	return audit_findings_add(
	    out, "audit-incomplete", AUDIT_INFO, "audit it as root or as the user that owns the process",
	    "could not read its %s (%s): those layers are unknown, not clean", what, strerror(err ? err : EIO));
}

static int device_findings(const struct facts *f, struct audit_findings *out)
{
	if (!f->dev.n_extra)
		return 0;
	char list[400] = "";
	size_t len = 0;
	for (size_t i = 0; i < f->dev.n_extra && i < 5; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s (%c %u:%u)", i ? ", " : "",
					f->dev.extra[i].path, f->dev.extra[i].type, f->dev.extra[i].major,
					f->dev.extra[i].minor);
	return audit_findings_add(out, "devices-extra", f->dev.n_block ? AUDIT_HIGH : AUDIT_MEDIUM,
				  "drop --privileged; remove --device for the ones not needed",
				  "%zu device node%s beyond the default set (%zu block): %s%s", f->dev.n_extra,
				  f->dev.n_extra == 1 ? "" : "s", f->dev.n_block, list,
				  f->dev.n_extra > 5 ? ", ..." : "");
}

static int cgroup_findings(const struct facts *f, struct audit_findings *out)
{
	static const struct {
		const char *id;
		enum audit_severity sev;
		const char *remedy, *what;
	} rules[AUDIT_CG_COUNT] = {
	    {"no-memory-limit", AUDIT_LOW, "--memory SIZE", "no memory limit: it can exhaust the host's memory"},
	    {"no-pids-limit", AUDIT_MEDIUM, "--pids-limit N", "no pids limit: a fork bomb takes down the host"},
	    {"no-cpu-limit", AUDIT_INFO, "--cpus N", "no CPU limit"},
	};
	int r = 0;
	for (int k = 0; k < AUDIT_CG_COUNT && r == 0; k++)
		if (!f->cg[k].set)
			r = audit_findings_add(out, rules[k].id, rules[k].sev, rules[k].remedy, "%s%s", rules[k].what,
					       f->cg[k].known ? "" : " (no cgroup hierarchy for it found)");
	return r;
}

/* ---- layers as JSON ---- */

static json_object *caps_json(uint64_t mask)
{
	cleanup_strv char **n = audit_caps_names(mask);
	return ju_strv(n);
}

static json_object *userns_json(const struct facts *f)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "sharedWithHost", json_object_new_boolean(f->in_initial_userns));
	json_object_object_add(o, "hostUidOfRoot", f->root_mapped ? json_object_new_int64(f->host_uid_of_root) : NULL);
	json_object *m = json_object_new_array();
	for (size_t i = 0; i < f->p.uidmap.n; i++) {
		json_object *e = json_object_new_array();
		json_object_array_add(e, json_object_new_int64(f->p.uidmap.e[i].inside));
		json_object_array_add(e, json_object_new_int64(f->p.uidmap.e[i].outside));
		json_object_array_add(e, json_object_new_int64(f->p.uidmap.e[i].count));
		json_object_array_add(m, e);
	}
	json_object_object_add(o, "uidMap", m);
	uint32_t in;
	bool known = audit_idmap_to_inside(&f->p.uidmap, f->p.st.uid[1], &in) == 0;
	json_object_object_add(o, "uidInside", known ? json_object_new_int64(in) : NULL);
	json_object_object_add(o, "hostUid", json_object_new_int64(f->p.st.uid[1]));
	return o;
}

static json_object *capabilities_json(const struct facts *f)
{
	json_object *o = json_object_new_object();
	uint64_t all = audit_caps_all();
	json_object_object_add(o, "effective", caps_json(f->p.st.cap_eff));
	json_object_object_add(o, "permitted", caps_json(f->p.st.cap_prm));
	json_object_object_add(o, "inheritable", caps_json(f->p.st.cap_inh));
	json_object_object_add(o, "ambient", caps_json(f->p.st.cap_amb));
	json_object_object_add(o, "bounding", caps_json(f->p.st.cap_bnd));
	json_object_object_add(o, "extra", caps_json(f->held & ~AUDIT_CAPS_DEFAULT & all));
	json_object_object_add(o, "fullBoundingSet",
			       json_object_new_boolean((f->p.st.cap_bnd & f->ref_bnd) == f->ref_bnd));
	return o;
}

static json_object *seccomp_json(const struct facts *f)
{
	static const char *const modes[] = {"disabled", "strict", "filter"};
	json_object *o = json_object_new_object();
	int m = f->p.st.seccomp;
	json_object_object_add(o, "mode", m >= 0 ? json_object_new_int(m) : NULL);
	json_object_object_add(o, "modeName", json_object_new_string(m >= 0 && m <= 2 ? modes[m] : "unknown"));
	json_object_object_add(o, "filters",
			       f->p.st.seccomp_filters >= 0 ? json_object_new_int(f->p.st.seccomp_filters) : NULL);
	return o;
}

static json_object *mounts_json(const struct facts *f)
{
	json_object *o = json_object_new_object();
	const struct audit_mounts *m = &f->mounts;
	json_object_object_add(o, "readable", json_object_new_boolean(f->have_mi));
	json_object_object_add(o, "rootfsReadOnly", m->have_rootfs ? json_object_new_boolean(m->rootfs_ro) : NULL);
	ju_add_str(o, "rootfsType", m->rootfs_fstype);
	json_object *d = json_object_new_array();
	for (size_t i = 0; i < m->n_issues; i++) {
		json_object *e = json_object_new_object();
		ju_add_str(e, "kind", audit_mount_kind_id(m->issues[i].kind));
		ju_add_str(e, "mountpoint", m->issues[i].mountpoint);
		ju_add_str(e, "root", m->issues[i].root);
		ju_add_str(e, "fstype", m->issues[i].fstype);
		json_object_object_add(e, "readOnly", json_object_new_boolean(m->issues[i].ro));
		json_object_array_add(d, e);
	}
	json_object_object_add(o, "dangerous", d);
	json_object *mk = json_object_new_object();
	json_object_object_add(mk, "checked", json_object_new_int64((int64_t)m->n_masked_checked));
	json_object_object_add(mk, "unmasked", ju_strv((char *const *)m->unmasked));
	json_object_object_add(o, "maskedPaths", mk);
	json_object *ro = json_object_new_object();
	json_object_object_add(ro, "checked", json_object_new_int64((int64_t)m->n_readonly_checked));
	json_object_object_add(ro, "writable", ju_strv((char *const *)m->writable));
	json_object_object_add(o, "readonlyPaths", ro);
	return o;
}

static json_object *devices_json(const struct facts *f)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "readable", json_object_new_boolean(f->dev.error == 0));
	if (f->dev.error)
		ju_add_str(o, "error", strerror(f->dev.error));
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < f->dev.n_extra; i++) {
		json_object *e = json_object_new_object();
		char t[2] = {f->dev.extra[i].type, 0};
		ju_add_str(e, "path", f->dev.extra[i].path);
		ju_add_str(e, "type", t);
		json_object_object_add(e, "major", json_object_new_int64(f->dev.extra[i].major));
		json_object_object_add(e, "minor", json_object_new_int64(f->dev.extra[i].minor));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "extra", a);
	return o;
}

static json_object *cgroup_json(const struct facts *f)
{
	json_object *o = json_object_new_object();
	for (int k = 0; k < AUDIT_CG_COUNT; k++) {
		json_object *e = json_object_new_object();
		const struct audit_cg_limit *l = &f->cg[k];
		json_object_object_add(e, "set", json_object_new_boolean(l->set));
		json_object_object_add(e, "limit", l->set ? json_object_new_string(l->value) : NULL);
		ju_add_str(e, "hierarchy", l->known ? l->hierarchy : NULL);
		json_object_object_add(e, "cgroup", l->known ? json_object_new_string(l->cgroup) : NULL);
		json_object_object_add(e, "setAt", l->set ? json_object_new_string(l->where) : NULL);
		json_object_object_add(o, audit_cg_names[k], e);
	}
	return o;
}

static json_object *layers_json(const struct facts *f)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "userNamespace", userns_json(f));
	json_object_object_add(o, "capabilities", capabilities_json(f));
	json_object_object_add(o, "seccomp", seccomp_json(f));
	json_object_object_add(o, "noNewPrivs",
			       f->p.st.no_new_privs >= 0 ? json_object_new_boolean(f->p.st.no_new_privs == 1) : NULL);
	json_object_object_add(o, "lsm", audit_lsm_json(&f->lsm));
	json_object *ll = json_object_new_object();
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	ju_add_str(ll, "state", "unknown");
	json_object_object_add(ll, "hostAbi", json_object_new_int64(abi > 0 ? abi : 0));
	ju_add_str(ll, "why",
		   "the kernel does not show another process's Landlock domain (no /proc/PID/status field or "
		   "attr file on this kernel)");
	json_object_object_add(o, "landlock", ll);
	json_object_object_add(o, "namespaces", audit_ns_json(f->ns));
	json_object_object_add(o, "mounts", mounts_json(f));
	json_object_object_add(o, "devices", devices_json(f));
	json_object_object_add(o, "cgroup", cgroup_json(f));
	return o;
}

int audit_process(const struct audit_target *t, json_object **ret, int *ret_max)
{
	struct facts f = {0};
	struct audit_findings fi = {0};
	int r = gather(t, &f);
	if (r == 0)
		r = tier_findings(&f, &fi);
	if (r == 0)
		r = cap_findings(&f, &fi);
	if (r == 0)
		r = process_findings(&f, &fi);
	if (r == 0)
		r = ns_findings(&f, &fi);
	if (r == 0)
		r = mount_findings(&f, &fi);
	if (r == 0)
		r = device_findings(&f, &fi);
	if (r == 0)
		r = incomplete_findings(&f, &fi);
	if (r == 0)
		r = cgroup_findings(&f, &fi);
	if (r < 0) {
		audit_findings_done(&fi);
		facts_done(&f);
		return r;
	}
	audit_findings_sort(&fi);
	json_object *o = json_object_new_object(), *tg = json_object_new_object();
	ju_add_str(tg, "name", t->name);
	ju_add_str(tg, "id", t->id);
	json_object_object_add(tg, "pid", json_object_new_int64(t->pid));
	json_object_object_add(tg, "startTime", json_object_new_int64((int64_t)f.p.start_time));
	ju_add_str(tg, "command", f.p.st.name);
	json_object_object_add(o, "target", tg);
	json_object_object_add(o, "tier", json_object_new_int(f.tier.tier));
	ju_add_str(o, "tierName", audit_tier_name(f.tier.tier));
	ju_add_str(o, "mode", f.tier.mode);
	json_object_object_add(o, "rootInside", json_object_new_boolean(f.tier.root_inside));
	ju_add_str(o, "reason", f.tier.reason);
	json_object_object_add(o, "layers", layers_json(&f));
	json_object_object_add(o, "findings", audit_findings_json(&fi));
	*ret_max = audit_findings_max(&fi);
	*ret = o;
	audit_findings_done(&fi);
	facts_done(&f);
	return 0;
}
