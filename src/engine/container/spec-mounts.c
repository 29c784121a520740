/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "spec-mounts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engine/container/spec-opts.h"
#include "engine/container/spec.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/path.h"

static json_object *mount_new(const char *dst, const char *type, const char *src, const char *const *opts)
{
	json_object *m = json_object_new_object();
	ju_add_str(m, "destination", dst);
	ju_add_str(m, "type", type);
	ju_add_str(m, "source", src);
	json_object *o = json_object_new_array();
	for (size_t i = 0; opts && opts[i]; i++)
		json_object_array_add(o, json_object_new_string(opts[i]));
	json_object_object_add(m, "options", o);
	return m;
}

/* Replaces a mount with the same destination, or appends. */
static void mount_put(json_object *mounts, json_object *m)
{
	const char *dst = ju_str(m, "destination");
	for (size_t i = 0; i < json_object_array_length(mounts); i++)
		if (STREQ(ju_str(json_object_array_get_idx(mounts, i), "destination"), dst)) {
			json_object_array_put_idx(mounts, i, m);
			return;
		}
	json_object_array_add(mounts, m);
}

static bool has_dst(json_object *mounts, const char *dst)
{
	for (size_t i = 0; i < json_object_array_length(mounts); i++)
		if (STREQ(ju_str(json_object_array_get_idx(mounts, i), "destination"), dst))
			return true;
	return false;
}

static void add_standard(const struct ctr_mounts_ctx *m, json_object *mounts)
{
	const struct ctr_opts *o = m->opts;
	const char *ro = o->privileged ? "rw" : "ro";
	char shm[64];
	if (o->shm_size > 0)
		snprintf(shm, sizeof(shm), "size=%lldk", (long long)(o->shm_size / 1024));
	else
		snprintf(shm, sizeof(shm), "size=65536k");
	/* procfs can only be mounted by a user namespace that owns the pid namespace: rootless
	 * with --pid host, the host's /proc is bound instead (as podman does). */
	if (m->rootless && o->pid_ns && STREQ(o->pid_ns, "host"))
		json_object_array_add(mounts, mount_new("/proc", "bind", "/proc",
							(const char *[]){"rbind", "nosuid", "noexec", "nodev", NULL}));
	else
		json_object_array_add(
		    mounts, mount_new("/proc", "proc", "proc", (const char *[]){"nosuid", "noexec", "nodev", NULL}));
	json_object_array_add(mounts,
			      mount_new("/dev", "tmpfs", "tmpfs",
					(const char *[]){"nosuid", "strictatime", "mode=755", "size=65536k", NULL}));
	json_object_array_add(mounts, mount_new("/dev/pts", "devpts", "devpts",
						(const char *[]){"nosuid", "noexec", "newinstance", "ptmxmode=0666",
								 "mode=0620", "gid=5", NULL}));
	json_object_array_add(mounts, mount_new("/dev/shm", "tmpfs", "shm",
						(const char *[]){"nosuid", "noexec", "nodev", "mode=1777", shm, NULL}));
	if (!(o->ipc_ns && STREQ(o->ipc_ns, "host")))
		json_object_array_add(mounts, mount_new("/dev/mqueue", "mqueue", "mqueue",
							(const char *[]){"nosuid", "noexec", "nodev", NULL}));
	/* sysfs can only be mounted by a user namespace that owns the network namespace: a
	 * rootless container sharing the host's gets a recursive bind of the host's /sys. */
	if (!m->rootless || m->netns)
		json_object_array_add(mounts, mount_new("/sys", "sysfs", "sysfs",
							(const char *[]){"nosuid", "noexec", "nodev", ro, NULL}));
	else
		json_object_array_add(mounts,
				      mount_new("/sys", "bind", "/sys",
						(const char *[]){"rbind", "nosuid", "noexec", "nodev", ro,
								 STREQ(ro, "ro") ? "rro" : NULL, NULL}));
	/* cgroupfs: a rootful container has its own cgroup namespace; a rootless one cannot mount
	 * cgroup v1 hierarchies at all, so it sees the host's, read-only all the way down ("rro",
	 * runtime-spec 1.1: "ro" alone leaves the hierarchies below the host's tmpfs writable;
	 * runtimes without rro ignore it for a bind, keeping "ro"). The same for a bound /sys. */
	if (!m->rootless)
		json_object_array_add(mounts,
				      mount_new("/sys/fs/cgroup", "cgroup", "cgroup",
						(const char *[]){"nosuid", "noexec", "nodev", "relatime", ro, NULL}));
	else
		json_object_array_add(
		    mounts, mount_new("/sys/fs/cgroup", "bind", "/sys/fs/cgroup",
				      (const char *[]){"rbind", "nosuid", "noexec", "nodev", "relatime", "ro", "rro", NULL}));
}

static int add_etc_files(const struct ctr_mounts_ctx *m, json_object *mounts)
{
	static const char *const files[] = {"hosts", "hostname", "resolv.conf"};
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		cleanup_free char *src = NULL, *dst = NULL;
		if (STREQ(files[i], "hosts") && m->no_hosts)
			continue;
		if (asprintf(&src, "%s/%s", m->userdata, files[i]) < 0 || asprintf(&dst, "/etc/%s", files[i]) < 0)
			return -ENOMEM;
		if (has_dst(mounts, dst))
			continue;
		json_object_array_add(
		    mounts, mount_new(dst, "bind", src,
				      (const char *[]){"rbind", "rprivate", "nosuid", "noexec", "nodev", NULL}));
	}
	return 0;
}

static bool valid_volume_name(const char *n)
{
	return ctr_name_valid(n);
}

/* STORE/volumes/NAME/_data, created on first use. */
static int named_volume(const char *store_root, const char *name, char **ret)
{
	if (!store_root)
		return log_error_errno(-EINVAL, "named volumes need a store");
	cleanup_free char *dir = NULL;
	if (asprintf(&dir, "%s/volumes/%s/_data", store_root, name) < 0)
		return -ENOMEM;
	int r = fs_mkdir_p(dir, 0755);
	if (r < 0)
		return log_error_errno(r, "Failed to create volume %s (%s): %m", name, dir);
	*ret = TAKE_PTR(dir);
	return 0;
}

static bool is_propagation(const char *s)
{
	static const char *const p[] = {"shared",  "rshared",  "slave",	     "rslave",
					"private", "rprivate", "unbindable", "runbindable"};
	for (size_t i = 0; i < ELEMENTSOF(p); i++)
		if (STREQ(s, p[i]))
			return true;
	return false;
}

/* -v SRC:DST[:OPTS] | -v DST (an anonymous volume). */
static int add_volume(const struct ctr_mounts_ctx *m, json_object *mounts, const char *spec)
{
	cleanup_strv char **parts = cu_strv_split(spec, ':');
	cleanup_free char *src = NULL, *abs = NULL;
	const char *dst, *opts = NULL;
	size_t n = cu_strv_length(parts);
	if (!parts)
		return -ENOMEM;
	if (n == 1) {
		char id[CTR_ID_LEN + 1];
		if (ctr_new_id(id) < 0 || named_volume(m->store_root, id, &src) < 0)
			return -EIO;
		dst = parts[0];
	} else if (n == 2 || n == 3) {
		dst = parts[1];
		opts = n == 3 ? parts[2] : NULL;
		if (parts[0][0] == '/' || parts[0][0] == '.') {
			if (parts[0][0] == '.') {
				char cwd[4096];
				if (!getcwd(cwd, sizeof(cwd)) || asprintf(&abs, "%s/%s", cwd, parts[0]) < 0)
					return -ENOMEM;
			}
			struct stat st;
			if (stat(abs ? abs : parts[0], &st) < 0)
				return log_error_errno(-errno, "-v %s: source %s: %m", spec, parts[0]);
			src = realpath(abs ? abs : parts[0], NULL);
			if (!src)
				return log_error_errno(-errno, "-v %s: source %s: %m", spec, parts[0]);
		} else if (valid_volume_name(parts[0])) {
			int r = named_volume(m->store_root, parts[0], &src);
			if (r < 0)
				return r;
		} else {
			return log_error_errno(-EINVAL, "-v %s: '%s' is neither an absolute path nor a volume name",
					       spec, parts[0]);
		}
	} else {
		return log_error_errno(-EINVAL, "-v %s: expected SRC:DST[:OPTIONS]", spec);
	}
	if (dst[0] != '/' || path_has_dotdot(dst))
		return log_error_errno(-EINVAL, "-v %s: the destination must be an absolute path without '..'", spec);
	const char *mode = "rw", *prop = "rprivate";
	bool bind_recursive = true;
	cleanup_strv char **extra = calloc(1, sizeof(char *));
	cleanup_strv char **ol = opts ? cu_strv_split(opts, ',') : NULL;
	for (size_t i = 0; ol && ol[i]; i++) {
		const char *x = ol[i];
		if (STREQ(x, "ro") || STREQ(x, "rw"))
			mode = STREQ(x, "ro") ? "ro" : "rw";
		else if (is_propagation(x))
			prop = x;
		else if (STREQ(x, "z") || STREQ(x, "Z"))
			; /* SELinux relabelling: nothing to do without SELinux */
		else if (STREQ(x, "bind"))
			bind_recursive = false;
		else if (STREQ(x, "rbind"))
			bind_recursive = true;
		else if (STREQ(x, "nosuid") || STREQ(x, "suid") || STREQ(x, "nodev") || STREQ(x, "dev") ||
			 STREQ(x, "noexec") || STREQ(x, "exec"))
			cu_strv_append(&extra, x);
		else
			return log_error_errno(-EINVAL,
					       "-v %s: unsupported option '%s' (ro, rw, z, Z, [r]shared, [r]slave, "
					       "[r]private, [no]suid, [no]dev, [no]exec, bind, rbind)",
					       spec, x);
	}
	json_object *mnt = mount_new(dst, "bind", src, NULL);
	json_object *oa = ju_arr(mnt, "options");
	json_object_array_add(oa, json_object_new_string(bind_recursive ? "rbind" : "bind"));
	json_object_array_add(oa, json_object_new_string(mode));
	json_object_array_add(oa, json_object_new_string(prop));
	if (!cu_strv_contains(extra, "suid"))
		json_object_array_add(oa, json_object_new_string("nosuid"));
	if (!cu_strv_contains(extra, "dev"))
		json_object_array_add(oa, json_object_new_string("nodev"));
	if (cu_strv_contains(extra, "noexec"))
		json_object_array_add(oa, json_object_new_string("noexec"));
	mount_put(mounts, mnt);
	return 0;
}

/* --tmpfs DST[:OPTS]: rw, noexec, nosuid, nodev unless OPTS say otherwise. */
static int add_tmpfs(json_object *mounts, const char *spec, const char *defaults)
{
	cleanup_free char *dst = strdup(spec);
	if (!dst)
		return -ENOMEM;
	char *colon = strchr(dst, ':');
	const char *user = colon ? colon + 1 : "";
	if (colon)
		*colon = 0;
	if (dst[0] != '/' || path_has_dotdot(dst))
		return log_error_errno(-EINVAL, "--tmpfs %s: the destination must be an absolute path", spec);
	cleanup_strv char **opts = cu_strv_split(defaults, ',');
	cleanup_strv char **uo = *user ? cu_strv_split(user, ',') : NULL;
	static const struct {
		const char *a, *b;
	} pairs[] = {{"rw", "ro"}, {"exec", "noexec"}, {"suid", "nosuid"}, {"dev", "nodev"}};
	for (size_t i = 0; uo && uo[i]; i++) {
		for (size_t k = 0; k < ELEMENTSOF(pairs); k++) {
			if (STREQ(uo[i], pairs[k].a))
				cu_strv_remove(opts, pairs[k].b);
			if (STREQ(uo[i], pairs[k].b))
				cu_strv_remove(opts, pairs[k].a);
		}
		if (!cu_strv_contains(opts, uo[i]))
			cu_strv_append(&opts, uo[i]);
	}
	mount_put(mounts, mount_new(dst, "tmpfs", "tmpfs", (const char *const *)opts));
	return 0;
}

/* ---- devices ---- */

static void device_rule(json_object *rules, bool allow, char type, int64_t major, int64_t minor, const char *access)
{
	json_object *d = json_object_new_object();
	json_object_object_add(d, "allow", json_object_new_boolean(allow));
	if (type) {
		char t[2] = {type, 0};
		ju_add_str(d, "type", t);
	}
	if (major >= 0)
		json_object_object_add(d, "major", json_object_new_int64(major));
	if (minor >= 0)
		json_object_object_add(d, "minor", json_object_new_int64(minor));
	ju_add_str(d, "access", access);
	json_object_array_add(rules, d);
}

/* One device: a device node the runtime makes (rootful) or a bind of the host's node
 * (rootless: a user namespace cannot mknod). */
static int add_device(const struct ctr_mounts_ctx *m, json_object *mounts, json_object *devs, json_object *rules,
		      const char *host, const char *ctr, const char *access, bool rule)
{
	struct stat st;
	if (stat(host, &st) < 0)
		return log_error_errno(-errno, "--device %s: %m", host);
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return log_error_errno(-EINVAL, "--device %s: not a device node", host);
	char type = S_ISCHR(st.st_mode) ? 'c' : 'b';
	if (m->rootless) {
		mount_put(mounts, mount_new(ctr, "bind", host, (const char *[]){"bind", "nosuid", "noexec", NULL}));
		return 0;
	}
	json_object *d = json_object_new_object();
	ju_add_str(d, "path", ctr);
	char t[2] = {type, 0};
	ju_add_str(d, "type", t);
	json_object_object_add(d, "major", json_object_new_int64(major(st.st_rdev)));
	json_object_object_add(d, "minor", json_object_new_int64(minor(st.st_rdev)));
	json_object_object_add(d, "fileMode", json_object_new_int64(st.st_mode & 07777));
	json_object_object_add(d, "uid", json_object_new_int64(st.st_uid));
	json_object_object_add(d, "gid", json_object_new_int64(st.st_gid));
	json_object_array_add(devs, d);
	if (rule)
		device_rule(rules, true, type, major(st.st_rdev), minor(st.st_rdev), access);
	return 0;
}

/* --privileged: every device node of the host's /dev (not /dev/pts, /dev/shm, /dev/mqueue;
 * not the ones the runtime always makes). */
static int add_host_devices(const struct ctr_mounts_ctx *m, json_object *mounts, json_object *devs, json_object *rules,
			    const char *dir, int depth)
{
	static const char *const skip[] = {"/dev/pts",	   "/dev/shm",	   "/dev/mqueue", "/dev/ptmx",
					   "/dev/console", "/dev/null",	   "/dev/zero",	  "/dev/full",
					   "/dev/random",  "/dev/urandom", "/dev/tty",	  "/dev/fd"};
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		bool skipped = false;
		for (size_t i = 0; i < ELEMENTSOF(skip); i++)
			skipped |= STREQ(p, skip[i]);
		struct stat st;
		if (skipped || lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 4)
			add_host_devices(m, mounts, devs, rules, p, depth + 1);
		else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
			add_device(m, mounts, devs, rules, p, p, "rwm", false);
	}
	closedir(d);
	return 0;
}

static int add_devices(const struct ctr_mounts_ctx *m, json_object *mounts, json_object *linux_, json_object *rules)
{
	const struct ctr_opts *o = m->opts;
	json_object *devs = json_object_new_array();
	if (o->privileged) {
		device_rule(rules, true, 0, -1, -1, "rwm");
		add_host_devices(m, mounts, devs, rules, "/dev", 0);
	} else {
		device_rule(rules, false, 0, -1, -1, "rwm");
	}
	for (size_t i = 0; o->devices && o->devices[i]; i++) {
		cleanup_strv char **parts = cu_strv_split(o->devices[i], ':');
		size_t n = cu_strv_length(parts);
		if (!parts || n == 0 || n > 3 || parts[0][0] != '/') {
			json_object_put(devs);
			return log_error_errno(-EINVAL, "--device %s: expected HOST[:CONTAINER][:PERMISSIONS]",
					       o->devices[i]);
		}
		const char *ctr = parts[0], *access = "rwm";
		if (n >= 2 && parts[1][0] == '/')
			ctr = parts[1];
		else if (n == 2)
			access = parts[1];
		if (n == 3)
			access = parts[2];
		if (strspn(access, "rwm") != strlen(access) || !*access) {
			json_object_put(devs);
			return log_error_errno(-EINVAL, "--device %s: permissions must be a combination of r, w and m",
					       o->devices[i]);
		}
		int r = add_device(m, mounts, devs, rules, parts[0], ctr, access, !o->privileged);
		if (r < 0) {
			json_object_put(devs);
			return r;
		}
	}
	if (json_object_array_length(devs) > 0)
		json_object_object_add(linux_, "devices", devs);
	else
		json_object_put(devs);
	return 0;
}

int ctr_mounts_build(const struct ctr_mounts_ctx *m, json_object *root, json_object *linux_, json_object *rules)
{
	const struct ctr_opts *o = m->opts;
	json_object *mounts = ju_arr(root, "mounts");
	int r;
	add_standard(m, mounts);
	for (size_t i = 0; o->volumes && o->volumes[i]; i++)
		if ((r = add_volume(m, mounts, o->volumes[i])) < 0)
			return r;
	for (size_t i = 0; o->tmpfs && o->tmpfs[i]; i++)
		if ((r = add_tmpfs(mounts, o->tmpfs[i], "rw,noexec,nosuid,nodev")) < 0)
			return r;
	/* --read-only keeps /run, /tmp and /var/tmp writable (podman's read-only-tmpfs). */
	if (o->read_only && o->read_only_tmpfs) {
		static const char *const rw[] = {"/run", "/tmp", "/var/tmp"};
		for (size_t i = 0; i < ELEMENTSOF(rw); i++)
			if (!has_dst(mounts, rw[i]) && (r = add_tmpfs(mounts, rw[i], "rw,nosuid,nodev,mode=1777")) < 0)
				return r;
	}
	if ((r = add_etc_files(m, mounts)) < 0)
		return r;
	/* Last, so that no tmpfs on /run (--read-only, --tmpfs /run) hides it. */
	if (m->init_path)
		mount_put(mounts, mount_new(CTR_INIT_DEST, "bind", m->init_path,
					    (const char *[]){"bind", "ro", "nosuid", "nodev", NULL}));
	return add_devices(m, mounts, linux_, rules);
}
