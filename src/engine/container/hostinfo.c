/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hostinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/landlock.h>
#include <linux/magic.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "engine/config/oci-runtime.h"
#include "engine/container/lifecycle.h"
#include "engine/container/record.h"
#include "engine/container/runtime.h"
#include "engine/container/util.h"
#include "engine/image/idmap.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

static char *read_trim(const char *path)
{
	char *d = NULL;
	if (fs_read_file_at(AT_FDCWD, path, 1u << 16, &d, NULL) < 0)
		return NULL;
	size_t n = strlen(d);
	while (n > 0 && (d[n - 1] == '\n' || d[n - 1] == ' '))
		d[--n] = 0;
	return d;
}

static json_object *str_or_null(char *s)
{
	json_object *o = s ? json_object_new_string(s) : NULL;
	free(s);
	return o;
}

static json_object *cgroup_info(void)
{
	json_object *o = json_object_new_object();
	struct statfs fs;
	const char *mode = "unknown";
	if (statfs("/sys/fs/cgroup", &fs) == 0) {
		if (fs.f_type == CGROUP2_SUPER_MAGIC)
			mode = "v2";
		else if (statfs("/sys/fs/cgroup/unified", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
			mode = "hybrid";
		else
			mode = "v1";
	}
	ju_add_str(o, "version", mode);
	json_object *ctl = json_object_new_array();
	if (STREQ(mode, "v2")) {
		cleanup_free char *c = read_trim("/sys/fs/cgroup/cgroup.controllers");
		cleanup_strv char **v = c ? cu_strv_split(c, ' ') : NULL;
		for (size_t i = 0; v && v[i]; i++)
			if (*v[i])
				json_object_array_add(ctl, json_object_new_string(v[i]));
	} else {
		static const char *const v1[] = {"cpu",	    "cpuacct",	  "cpuset", "memory",  "devices",
						 "freezer", "blkio",	  "pids",   "net_cls", "net_prio",
						 "hugetlb", "perf_event", "rdma",   "misc"};
		for (size_t i = 0; i < ELEMENTSOF(v1); i++) {
			char p[64];
			snprintf(p, sizeof(p), "/sys/fs/cgroup/%s", v1[i]);
			if (statfs(p, &fs) == 0 && fs.f_type == CGROUP_SUPER_MAGIC)
				json_object_array_add(ctl, json_object_new_string(v1[i]));
		}
	}
	json_object_object_add(o, "controllers", ctl);
	return o;
}

static json_object *helper_info(const char *path, bool uid)
{
	json_object *o = json_object_new_object();
	struct stat st;
	bool present = stat(path, &st) == 0;
	ju_add_str(o, "path", path);
	json_object_object_add(o, "present", json_object_new_boolean(present));
	bool setuid = present && (st.st_mode & S_ISUID) && st.st_uid == 0;
	bool fcaps = false;
	if (present && !setuid) {
		char buf[64];
		fcaps = getxattr(path, "security.capability", buf, sizeof(buf)) > 0;
	}
	json_object_object_add(o, "privileged", json_object_new_boolean(setuid || fcaps));
	ju_add_str(o, "how",
		   setuid  ? "setuid root"
		   : fcaps ? (uid ? "file capability cap_setuid" : "file capability cap_setgid")
			   : "none");
	return o;
}

static json_object *userns_info(void)
{
	json_object *o = json_object_new_object();
	cleanup_free char *clone = read_trim("/proc/sys/kernel/unprivileged_userns_clone");
	cleanup_free char *max = read_trim("/proc/sys/user/max_user_namespaces");
	cleanup_free char *aa = read_trim("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
	bool allowed = (!clone || !STREQ(clone, "0")) && (!max || !STREQ(max, "0")) && (!aa || !STREQ(aa, "1"));
	json_object_object_add(o, "unprivilegedAllowed", json_object_new_boolean(allowed));
	json_object_object_add(o, "maxUserNamespaces", json_object_new_int64(max ? atoll(max) : -1));
	struct idmap m;
	uid_t uid = idmap_user_uid();
	struct passwd *pw = getpwuid(uid);
	ju_add_str(o, "user", pw ? pw->pw_name : NULL);
	json_object_object_add(o, "uid", json_object_new_int64(uid));
	if (uid != 0) {
		/* idmap_load logs when a range is missing; that is information here, not an
		 * error, so it is read quietly. */
		enum log_level lvl = log_get_level();
		log_set_level((enum log_level)(LOG_LEVEL_ERROR + 1));
		int r = idmap_in_userns() ? -EALREADY : idmap_load(&m);
		log_set_level(lvl);
		if (r == 0) {
			json_object *u = json_object_new_object(), *g = json_object_new_object();
			json_object_object_add(u, "start", json_object_new_int64(m.uid_start));
			json_object_object_add(u, "size", json_object_new_int64(m.uid_count));
			json_object_object_add(g, "start", json_object_new_int64(m.gid_start));
			json_object_object_add(g, "size", json_object_new_int64(m.gid_count));
			json_object_object_add(o, "subuid", u);
			json_object_object_add(o, "subgid", g);
		} else if (r != -EALREADY) {
			ju_add_str(
			    o, "subuid",
			    "missing: as root, usermod --add-subuids 100000-165535 --add-subgids 100000-165535 USER");
		}
	}
	json_object_object_add(o, "newuidmap", helper_info("/usr/bin/newuidmap", true));
	json_object_object_add(o, "newgidmap", helper_info("/usr/bin/newgidmap", false));
	return o;
}

static json_object *security_info(void)
{
	json_object *o = json_object_new_object();
	cleanup_free char *lsm = read_trim("/sys/kernel/security/lsm");
	json_object *l = json_object_new_array();
	cleanup_strv char **v = lsm ? cu_strv_split(lsm, ',') : NULL;
	for (size_t i = 0; v && v[i]; i++)
		if (*v[i])
			json_object_array_add(l, json_object_new_string(v[i]));
	json_object_object_add(o, "lsms", l);
	cleanup_free char *aa = read_trim("/sys/module/apparmor/parameters/enabled");
	json_object_object_add(o, "apparmor", json_object_new_boolean(aa && aa[0] == 'Y'));
	struct stat st;
	json_object_object_add(o, "selinux", json_object_new_boolean(stat("/sys/fs/selinux/enforce", &st) == 0));
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	json_object_object_add(o, "landlockABI", json_object_new_int64(abi > 0 ? abi : 0));
	cleanup_free char *status = NULL;
	bool seccomp = fs_read_file_at(AT_FDCWD, "/proc/self/status", 1u << 16, &status, NULL) == 0 &&
		       strstr(status, "\nSeccomp:");
	json_object_object_add(o, "seccomp", json_object_new_boolean(seccomp));
	json_object_object_add(o, "seccompActions", str_or_null(read_trim("/proc/sys/kernel/seccomp/actions_avail")));
	ju_add_str(o, "defaultSeccompProfile", "kakuri default (built in)");
	json_object_object_add(o, "rootless", json_object_new_boolean(idmap_rootless()));
	return o;
}

static json_object *overlay_info(struct store *s)
{
	json_object *o = json_object_new_object();
	cleanup_free char *fsl = NULL;
	bool kern =
	    fs_read_file_at(AT_FDCWD, "/proc/filesystems", 1u << 16, &fsl, NULL) == 0 && strstr(fsl, "\toverlay\n");
	json_object_object_add(o, "kernel", json_object_new_boolean(kern));
	struct utsname u;
	int a = 0, b = 0;
	if (uname(&u) == 0)
		sscanf(u.release, "%d.%d", &a, &b);
	json_object_object_add(o, "inUserNamespace", json_object_new_boolean(kern && (a > 5 || (a == 5 && b >= 11))));
	if (s) {
		cleanup_free char *probe = NULL;
		if (fs_read_file_at(s->rootfd, "overlay-probe", 64, &probe, NULL) == 0) {
			probe[strcspn(probe, "\n")] = 0;
			ju_add_str(o, "storeProbe", probe);
		}
	}
	struct stat st;
	json_object_object_add(o, "fuseOverlayfs", json_object_new_boolean(stat("/usr/bin/fuse-overlayfs", &st) == 0));
	return o;
}

int ctr_host_info(const struct engine_config *cfg, struct store *s, json_object **ret)
{
	json_object *o = json_object_new_object(), *host = json_object_new_object();
	struct utsname u;
	uname(&u);
	ju_add_str(host, "arch", u.machine);
	ju_add_str(host, "kernel", u.release);
	ju_add_str(host, "hostname", u.nodename);
	{
		cleanup_free char *osr = NULL;
		if (fs_read_file_at(AT_FDCWD, "/etc/os-release", 1u << 16, &osr, NULL) == 0) {
			char *p = strstr(osr, "PRETTY_NAME=");
			if (p) {
				p += 12;
				if (*p == '"')
					p++;
				cleanup_free char *name = strndup(p, strcspn(p, "\"\n"));
				ju_add_str(host, "os", name);
			}
		}
	}
	json_object_object_add(host, "cpus", json_object_new_int64(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_object_add(host, "memTotal",
			       json_object_new_int64((int64_t)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE)));
	json_object_object_add(host, "cgroups", cgroup_info());
	json_object_object_add(host, "userNamespaces", userns_info());
	json_object_object_add(host, "security", security_info());
	json_object_object_add(host, "overlay", overlay_info(s));
	cleanup_free char *rt = NULL, *rtver = NULL;
	json_object *ociobj = json_object_new_object();
	if (cfg && engine_config_find_runtime(cfg, NULL, &rt, NULL) == 0) {
		struct ctr_rt r = {.path = rt};
		struct ctr_rt_io io = {.in = -1, .out = -1, .err = -1, .ret_out = &rtver};
		if (ctr_rt_run(&r, (char *[]){"--version", NULL}, &io) == 0 && rtver)
			rtver[strcspn(rtver, "\n")] = 0;
		ju_add_str(ociobj, "path", rt);
		ju_add_str(ociobj, "version", rtver);
	}
	json_object_object_add(host, "ociRuntime", ociobj);
	json_object_object_add(o, "host", host);
	if (s) {
		json_object *st = json_object_new_object();
		ju_add_str(st, "graphRoot", s->root);
		if (cfg) {
			cleanup_free char *rr = ctr_runtime_root(cfg, s->root);
			ju_add_str(st, "runRoot", rr);
		}
		struct ctr_record **list = NULL;
		size_t n = 0, running = 0;
		if (ctr_list(s, &list, &n) == 0) {
			for (size_t i = 0; i < n; i++)
				running += ctr_status(list[i]) == CTR_STATUS_RUNNING;
			ctr_list_free(list, n);
		}
		json_object_object_add(st, "containers", json_object_new_int64((int64_t)n));
		json_object_object_add(st, "running", json_object_new_int64((int64_t)running));
		json_object_object_add(o, "store", st);
	}
	json_object_object_add(o, "version", json_object_new_string(KAKURI_VERSION));
	*ret = o;
	return 0;
}
