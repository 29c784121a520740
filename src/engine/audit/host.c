/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <json-c/json.h>
#include <linux/landlock.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "engine/audit/findings.h"
#include "engine/audit/lsm.h"
#include "engine/audit/report.h"
#include "engine/container/record.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

static char *read_trim(const char *path)
{
	char *d = NULL;
	if (fs_read_file_at(AT_FDCWD, path, 1u << 16, &d, NULL) < 0)
		return NULL;
	d[strcspn(d, "\n")] = 0;
	return d;
}

/* ---- user namespaces ---- */

static json_object *userns_json(struct audit_findings *f)
{
	json_object *o = json_object_new_object();
	cleanup_free char *clone = read_trim("/proc/sys/kernel/unprivileged_userns_clone");
	cleanup_free char *max = read_trim("/proc/sys/user/max_user_namespaces");
	cleanup_free char *aa = read_trim("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
	bool allowed = (!clone || !STREQ(clone, "0")) && (!max || !STREQ(max, "0")) && (!aa || !STREQ(aa, "1"));
	json_object_object_add(o, "unprivilegedAllowed", json_object_new_boolean(allowed));
	json_object_object_add(o, "unprivilegedUsernsClone", clone ? json_object_new_int(atoi(clone)) : NULL);
	json_object_object_add(o, "maxUserNamespaces", max ? json_object_new_int64(atoll(max)) : NULL);
	json_object_object_add(o, "apparmorRestrictUnprivilegedUserns", aa ? json_object_new_int(atoi(aa)) : NULL);
	if (!allowed)
		audit_findings_add(
		    f, "userns-disabled", AUDIT_LOW,
		    "sysctl kernel.unprivileged_userns_clone=1 / user.max_user_namespaces>0 to run rootless",
		    "unprivileged user namespaces are disabled: rootless containers cannot run");
	return o;
}

/* /etc/subuid lines "user:start:count"; ranges < 65536 and overlaps are findings. */
static json_object *subids_json(const char *file, const char *opt, struct audit_findings *f)
{
	json_object *a = json_object_new_array();
	cleanup_free char *text = NULL;
	if (fs_read_file_at(AT_FDCWD, file, 1u << 20, &text, NULL) < 0)
		return a;
	struct {
		char user[64];
		unsigned long long start, count;
	} seen[256];
	size_t n = 0;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char user[64];
		unsigned long long start, count;
		if (line[0] == '#' || sscanf(line, "%63[^:]:%llu:%llu", user, &start, &count) != 3)
			continue;
		json_object *e = json_object_new_object();
		ju_add_str(e, "user", user);
		json_object_object_add(e, "start", json_object_new_int64((int64_t)start));
		json_object_object_add(e, "count", json_object_new_int64((int64_t)count));
		json_object_object_add(e, "enough", json_object_new_boolean(count >= 65536));
		json_object_array_add(a, e);
		if (count < 65536) {
			char rem[160];
			snprintf(rem, sizeof(rem), "usermod --add-sub%s %llu-%llu %s", opt, start, start + 65535, user);
			char id[32];
			snprintf(id, sizeof(id), "sub%s-small", opt);
			audit_findings_add(f, id, AUDIT_MEDIUM, rem,
					   "%s has %llu ids in %s (< 65536): images using higher ids fail", user, count,
					   file);
		}
		for (size_t i = 0; i < n; i++)
			if (start < seen[i].start + seen[i].count && seen[i].start < start + count &&
			    !STREQ(seen[i].user, user)) {
				char id[32];
				snprintf(id, sizeof(id), "sub%s-overlap", opt);
				audit_findings_add(
				    f, id, AUDIT_HIGH, "give each user a disjoint range",
				    "%s: the ranges of %s and %s overlap: their containers share host ids", file,
				    seen[i].user, user);
			}
		if (n < ELEMENTSOF(seen)) {
			snprintf(seen[n].user, sizeof(seen[n].user), "%s", user);
			seen[n].start = start;
			seen[n++].count = count;
		}
	}
	return a;
}

#define VFS_CAP_REVISION_MASK 0xFF000000U
#define VFS_CAP_REV1	      0x01000000U
#define VFS_CAP_REV2	      0x02000000U
#define VFS_CAP_REV3	      0x03000000U

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int audit_vfs_cap_parse(const void *data, size_t len, uint64_t *ret_permitted, uint32_t *ret_rootid)
{
	const unsigned char *p = data;
	if (len < 4)
		return -EINVAL;
	uint32_t rev = le32(p) & VFS_CAP_REVISION_MASK;
	/* struct vfs_cap_data: magic_etc, then {permitted, inheritable} u32 pairs: one pair in
	 * revision 1 (12 bytes), two in 2 (20 bytes), two plus rootid in 3 (24 bytes). */
	if (rev == VFS_CAP_REV1 && len == 12) {
		*ret_permitted = le32(p + 4);
		*ret_rootid = 0;
	} else if (rev == VFS_CAP_REV2 && len == 20) {
		*ret_permitted = le32(p + 4) | (uint64_t)le32(p + 12) << 32;
		*ret_rootid = 0;
	} else if (rev == VFS_CAP_REV3 && len == 24) {
		*ret_permitted = le32(p + 4) | (uint64_t)le32(p + 12) << 32;
		*ret_rootid = le32(p + 20);
	} else {
		return -EINVAL;
	}
	return 0;
}

static json_object *helper_json(const char *path, int cap, const char *capname, struct audit_findings *f)
{
	json_object *o = json_object_new_object();
	struct stat st;
	bool present = stat(path, &st) == 0;
	ju_add_str(o, "path", path);
	json_object_object_add(o, "present", json_object_new_boolean(present));
	bool setuid = present && (st.st_mode & S_ISUID) && st.st_uid == 0;
	bool fcap = false;
	unsigned char buf[64];
	ssize_t n = present ? getxattr(path, "security.capability", buf, sizeof(buf)) : -1;
	uint64_t perm = 0;
	uint32_t rootid = 0;
	if (n > 0 && audit_vfs_cap_parse(buf, (size_t)n, &perm, &rootid) == 0)
		fcap = (perm >> cap) & 1;
	json_object_object_add(o, "setuidRoot", json_object_new_boolean(setuid));
	json_object_object_add(o, "fileCapability", json_object_new_boolean(fcap));
	json_object_object_add(o, "privileged", json_object_new_boolean(setuid || fcap));
	bool unsafe = present && (st.st_uid != 0 || (st.st_mode & 022));
	json_object_object_add(o, "writableByNonRoot", json_object_new_boolean(unsafe));
	const char *base = strrchr(path, '/') + 1;
	if (!present) {
		audit_findings_add(f, base, AUDIT_LOW, "apt-get install uidmap",
				   "%s is missing: rootless containers get one id only", path);
	} else if (!setuid && !fcap) {
		char rem[128];
		snprintf(rem, sizeof(rem), "setcap %s+ep %s (or chmod u+s)", capname, path);
		audit_findings_add(f, base, AUDIT_MEDIUM, rem,
				   "%s is neither setuid root nor has %s: it cannot map subordinate ids", path,
				   capname);
	}
	if (unsafe)
		audit_findings_add(f, base, AUDIT_CRITICAL, "chown root: and chmod go-w it",
				   "%s is privileged but not owned by root or writable by others", path);
	return o;
}

/* ---- seccomp, Landlock, LSMs ---- */

static json_object *seccomp_json(struct audit_findings *f)
{
	json_object *o = json_object_new_object();
	cleanup_free char *act = read_trim("/proc/sys/kernel/seccomp/actions_avail");
	cleanup_free char *status = NULL;
	bool avail = fs_read_file_at(AT_FDCWD, "/proc/self/status", 1u << 16, &status, NULL) == 0 &&
		     strstr(status, "\nSeccomp:");
	json_object_object_add(o, "available", json_object_new_boolean(avail));
	json_object *a = json_object_new_array();
	cleanup_strv char **v = act ? cu_strv_split(act, ' ') : NULL;
	for (size_t i = 0; v && v[i]; i++)
		if (*v[i])
			json_object_array_add(a, json_object_new_string(v[i]));
	json_object_object_add(o, "actions", a);
	if (!avail)
		audit_findings_add(f, "seccomp-unavailable", AUDIT_HIGH,
				   "use a kernel built with CONFIG_SECCOMP_FILTER",
				   "the kernel has no seccomp: containers get no system call filter");
	return o;
}

static json_object *landlock_json(struct audit_findings *f)
{
	json_object *o = json_object_new_object();
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	int e = abi < 0 ? errno : 0;
	json_object_object_add(o, "available", json_object_new_boolean(abi > 0));
	json_object_object_add(o, "abi", json_object_new_int64(abi > 0 ? abi : 0));
	if (abi <= 0) {
		ju_add_str(o, "why",
			   e == EOPNOTSUPP ? "disabled at boot (lsm= does not list landlock)"
			   : e == ENOSYS   ? "not built into this kernel"
					   : strerror(e));
		audit_findings_add(f, "landlock-unavailable", AUDIT_LOW, "boot with landlock in lsm=",
				   "Landlock is not available: containers cannot be sandboxed by path");
	}
	return o;
}

static json_object *lsm_json(struct audit_findings *f)
{
	struct audit_lsm l;
	audit_lsm_host(&l);
	l.state = l.confinable ? "active" : "inactive";
	json_object *o = audit_lsm_json(&l);
	json_object_object_del(o, "label");
	struct stat st;
	json_object_object_add(o, "apparmor", json_object_new_boolean(strstr(l.active, "apparmor") != NULL));
	json_object_object_add(
	    o, "selinux",
	    json_object_new_boolean(strstr(l.active, "selinux") != NULL || stat("/sys/fs/selinux/enforce", &st) == 0));
	if (!l.confinable)
		audit_findings_add(f, "no-mac-lsm", AUDIT_LOW, "boot with AppArmor or SELinux enabled",
				   "no labelling LSM (AppArmor, SELinux) is active: containers get no mandatory access "
				   "control");
	return o;
}

/* ---- cgroups ---- */

static json_object *cgroup_json(struct audit_findings *f)
{
	json_object *o = json_object_new_object();
	struct statfs fs;
	const char *mode = "unknown", *v2root = NULL;
	if (statfs("/sys/fs/cgroup", &fs) == 0) {
		if (fs.f_type == CGROUP2_SUPER_MAGIC) {
			mode = "v2";
			v2root = "/sys/fs/cgroup";
		} else if (statfs("/sys/fs/cgroup/unified", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) {
			mode = "hybrid";
			v2root = "/sys/fs/cgroup/unified";
		} else {
			mode = "v1";
		}
	}
	ju_add_str(o, "mode", mode);
	/* Delegation: can we (the caller) write our own v2 cgroup, and which controllers does
	 * it offer? Root needs none. */
	uid_t uid = geteuid();
	json_object_object_add(o, "uid", json_object_new_int64(uid));
	bool delegated = uid == 0;
	cleanup_free char *ctl = NULL;
	if (v2root) {
		cleanup_free char *self = read_trim("/proc/self/cgroup");
		char *line = self ? strstr(self, "0::") : NULL;
		if (line) {
			char dir[1024], f2[1100];
			line += 3;
			line[strcspn(line, "\n")] = 0;
			snprintf(dir, sizeof(dir), "%s%s", v2root, line);
			snprintf(f2, sizeof(f2), "%s/cgroup.controllers", dir);
			ctl = read_trim(f2);
			snprintf(f2, sizeof(f2), "%s/cgroup.procs", dir);
			if (uid != 0)
				delegated = access(f2, W_OK) == 0;
			ju_add_str(o, "cgroup", line);
		}
	}
	json_object_object_add(o, "delegated", json_object_new_boolean(delegated));
	json_object *a = json_object_new_array();
	cleanup_strv char **v = ctl ? cu_strv_split(ctl, ' ') : NULL;
	for (size_t i = 0; v && v[i]; i++)
		if (*v[i])
			json_object_array_add(a, json_object_new_string(v[i]));
	json_object_object_add(o, "v2Controllers", a);
	if (!STREQ(mode, "v2"))
		audit_findings_add(f, "cgroup-v1", AUDIT_LOW,
				   "boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2)",
				   "cgroup %s: rootless containers get no limits, v1 has release_agent", mode);
	else if (!delegated)
		audit_findings_add(
		    f, "cgroup-not-delegated", AUDIT_LOW, "enable systemd user delegation (Delegate=yes)",
		    "no cgroup is delegated to uid %u: its rootless containers get no limits", (unsigned)uid);
	return o;
}

/* ---- overlay in a user namespace (probed) ---- */

static int overlay_child(const char *dir)
{
	char map[64], p[4200];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return errno;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (fs_write_file_at(AT_FDCWD, "/proc/self/uid_map", map, strlen(map)) < 0)
		return EPERM;
	(void)fs_write_file_at(AT_FDCWD, "/proc/self/setgroups", "deny", 4);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	if (fs_write_file_at(AT_FDCWD, "/proc/self/gid_map", map, strlen(map)) < 0)
		return EPERM;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || mount("tmpfs", dir, "tmpfs", 0, "size=64k") < 0)
		return errno;
	static const char *const sub[] = {"l", "u", "w", "m"};
	for (size_t i = 0; i < ELEMENTSOF(sub); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, sub[i]);
		if (mkdir(p, 0700) < 0)
			return errno;
	}
	char opts[4200], target[4200];
	snprintf(opts, sizeof(opts), "lowerdir=%s/l,upperdir=%s/u,workdir=%s/w", dir, dir, dir);
	snprintf(target, sizeof(target), "%s/m", dir);
	return mount("overlay", target, "overlay", 0, opts) < 0 ? errno : 0;
}

static json_object *overlay_json(struct audit_findings *f)
{
	json_object *o = json_object_new_object();
	char dir[] = "/tmp/kakuri-audit-ovl.XXXXXX";
	int err = EIO;
	if (!mkdtemp(dir)) {
		/* no probe, no verdict */
		ju_add_str(o, "how", "not probed");
		json_object_object_add(o, "inUserNamespace", NULL);
		ju_add_str(o, "error", strerror(errno));
		return o;
	} else {
		pid_t pid = fork();
		if (pid == 0)
			_exit(overlay_child(dir));
		int st;
		if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st))
			err = WEXITSTATUS(st);
		(void)rmdir(dir);
	}
	json_object_object_add(o, "inUserNamespace", json_object_new_boolean(err == 0));
	ju_add_str(o, "how", "probed: a child mounted an overlay in a new user namespace");
	if (err)
		ju_add_str(o, "error", strerror(err));
	if (err)
		audit_findings_add(f, "overlay-userns", AUDIT_INFO, "use a kernel >= 5.11 (or fuse-overlayfs)",
				   "overlayfs cannot be mounted in a user namespace (%s): rootless storage is slower",
				   strerror(err));
	return o;
}

/* ---- engine sockets ---- */

static json_object *sockets_json(struct audit_findings *f)
{
	static const char *const patterns[] = {
	    "/run/docker.sock",
	    "/var/run/docker.sock",
	    "/run/podman/podman.sock",
	    "/var/run/podman/podman.sock",
	    "/run/containerd/containerd.sock",
	    "/var/run/containerd/containerd.sock",
	    "/run/crio/crio.sock",
	    "/var/run/crio/crio.sock",
	    "/run/user/*/podman/podman.sock",
	    "/run/user/*/docker.sock",
	};
	json_object *a = json_object_new_array();
	dev_t devs[64];
	ino_t inos[64];
	size_t n = 0;
	for (size_t i = 0; i < ELEMENTSOF(patterns); i++) {
		glob_t g;
		if (glob(patterns[i], 0, NULL, &g) != 0)
			continue;
		for (size_t k = 0; k < g.gl_pathc; k++) {
			struct stat st;
			if (lstat(g.gl_pathv[k], &st) < 0 || !S_ISSOCK(st.st_mode))
				continue;
			bool dup = false;
			for (size_t j = 0; j < n; j++)
				dup |= devs[j] == st.st_dev && inos[j] == st.st_ino;
			if (dup || n >= ELEMENTSOF(devs))
				continue;
			devs[n] = st.st_dev;
			inos[n++] = st.st_ino;
			json_object *e = json_object_new_object();
			char mode[8];
			snprintf(mode, sizeof(mode), "%04o", (unsigned)(st.st_mode & 07777));
			ju_add_str(e, "path", g.gl_pathv[k]);
			ju_add_str(e, "mode", mode);
			json_object_object_add(e, "uid", json_object_new_int64(st.st_uid));
			json_object_object_add(e, "gid", json_object_new_int64(st.st_gid));
			bool ww = st.st_mode & S_IWOTH;
			json_object_object_add(e, "worldWritable", json_object_new_boolean(ww));
			json_object_array_add(a, e);
			if (ww) {
				char rem[4200];
				snprintf(rem, sizeof(rem), "chmod o-w %s", g.gl_pathv[k]);
				audit_findings_add(
				    f, "engine-socket-world-writable", AUDIT_CRITICAL, rem,
				    "%s is world-writable: every local user controls that engine (host root)",
				    g.gl_pathv[k]);
			}
		}
		globfree(&g);
	}
	return a;
}

/* ---- kakuri's own containers ---- */

static json_object *containers_json(struct store *s, struct audit_findings *f)
{
	json_object *a = json_object_new_array();
	struct ctr_record **list = NULL;
	size_t n = 0;
	if (!s || ctr_list(s, &list, &n) < 0)
		return a;
	for (size_t i = 0; i < n; i++) {
		const struct ctr_record *r = list[i];
		if (ctr_status(r) != CTR_STATUS_RUNNING)
			continue;
		struct audit_target t = {.pid = r->pid, .start_time = r->pid_start, .name = r->name, .id = r->id};
		json_object *rep = NULL;
		int max;
		if (audit_process(&t, &rep, &max) < 0)
			continue;
		json_object *tier = NULL, *e = json_object_new_object();
		json_object_object_get_ex(rep, "tier", &tier);
		int tn = json_object_get_int(tier);
		ju_add_str(e, "name", r->name);
		ju_add_str(e, "id", r->id);
		json_object_object_add(e, "pid", json_object_new_int64(r->pid));
		json_object_object_add(e, "tier", json_object_new_int(tn));
		json_object *mode = NULL;
		json_object_object_get_ex(rep, "mode", &mode);
		ju_add_str(e, "mode", json_object_get_string(mode));
		json_object_object_add(e, "hostRoot", json_object_new_boolean(tn == 1 || tn == 3));
		json_object_array_add(a, e);
		if (tn == 1 || tn == 2)
			audit_findings_add(f, "container-privileged", tn == 1 ? AUDIT_CRITICAL : AUDIT_HIGH,
					   "recreate it without --privileged", "container %s runs privileged (tier %d)",
					   r->name, tn);
		else if (tn == 3)
			audit_findings_add(f, "container-host-root", AUDIT_MEDIUM,
					   "recreate it with -u UID, or run it rootless",
					   "container %s runs as host root (tier 3)", r->name);
		json_object_put(rep);
	}
	ctr_list_free(list, n);
	return a;
}

int audit_host(struct store *s, json_object **ret, int *ret_max)
{
	struct audit_findings f = {0};
	json_object *o = json_object_new_object();
	struct utsname u;
	uname(&u);
	ju_add_str(o, "kernel", u.release);
	ju_add_str(o, "arch", u.machine);
	json_object_object_add(o, "userNamespaces", userns_json(&f));
	json_object *sub = json_object_new_object();
	json_object_object_add(sub, "subuid", subids_json("/etc/subuid", "uids", &f));
	json_object_object_add(sub, "subgid", subids_json("/etc/subgid", "gids", &f));
	json_object_object_add(o, "subordinateIds", sub);
	json_object_object_add(o, "newuidmap", helper_json("/usr/bin/newuidmap", 7, "cap_setuid", &f));
	json_object_object_add(o, "newgidmap", helper_json("/usr/bin/newgidmap", 6, "cap_setgid", &f));
	json_object_object_add(o, "seccomp", seccomp_json(&f));
	json_object_object_add(o, "landlock", landlock_json(&f));
	json_object_object_add(o, "lsm", lsm_json(&f));
	json_object_object_add(o, "cgroups", cgroup_json(&f));
	json_object_object_add(o, "overlay", overlay_json(&f));
	json_object_object_add(o, "engineSockets", sockets_json(&f));
	json_object *cs = json_object_new_object();
	ju_add_str(cs, "scope", s ? "kakuri containers of this store only (other engines' are not listed)" : "none");
	ju_add_str(cs, "store", s ? s->root : NULL);
	json_object_object_add(cs, "running", containers_json(s, &f));
	json_object_object_add(o, "containers", cs);
	audit_findings_sort(&f);
	json_object_object_add(o, "findings", audit_findings_json(&f));
	*ret_max = audit_findings_max(&f);
	audit_findings_done(&f);
	*ret = o;
	return 0;
}
