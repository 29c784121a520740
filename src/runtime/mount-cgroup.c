/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mount-cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/mountinfo.h"
#include "lib/path.h"

#define HOST_CGROUP_ROOT "/sys/fs/cgroup"
/* The flags a cgroupfs mount takes from the options (the rest is for the tmpfs/binds). */
#define CG_MOUNT_FLAGS                                                                                                 \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME)

struct cg_self {
	char *text; /* /proc/self/cgroup, split in place */
	struct {
		const char *controllers; /* "cpu,cpuacct", "name=systemd", "" for v2 */
		const char *path;
	} lines[64];
	size_t n;
};

struct cg_ctx {
	int rootfd;
	const char *dest;
	const struct mount_options *o;
	const char *prefix;
	bool in_userns;
	struct mountinfo mi;
	struct cg_self self;
	char what[512]; /* what failed, for the one error message */
};

static int read_self(struct cg_self *s)
{
	int r = fs_read_file_at(AT_FDCWD, "/proc/self/cgroup", 0, &s->text, NULL);
	if (r < 0)
		return r;
	for (char *line = s->text; line && *line && s->n < ELEMENTSOF(s->lines);) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2) {
			*c1 = *c2 = 0;
			s->lines[s->n].controllers = c1 + 1;
			s->lines[s->n].path = c2 + 1;
			s->n++;
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

/* Our cgroup path in the hierarchy mounted at e, or NULL if we are not in it. */
static const char *self_path(const struct cg_ctx *c, const struct mountinfo_entry *e, const char **ret_ctrls)
{
	bool v2 = STREQ(e->fstype, "cgroup2");
	for (size_t i = 0; i < c->self.n; i++) {
		const char *ctrls = c->self.lines[i].controllers;
		if (v2 != (*ctrls == 0))
			continue;
		bool all = true;
		for (const char *p = ctrls; *p && all;) {
			const char *end = strchrnul(p, ',');
			cleanup_free char *one = strndup(p, (size_t)(end - p));
			all = one && mountinfo_opts_has(e->super_options, one);
			p = *end ? end + 1 : end;
		}
		if (all) {
			*ret_ctrls = ctrls;
			return c->self.lines[i].path;
		}
	}
	return NULL;
}

/* Make the cgroup view of hierarchy e appear on dstfd (see mount-cgroup.h). */
static int mount_hierarchy(struct cg_ctx *c, const struct mountinfo_entry *e, int dstfd, const char *dst_path)
{
	const char *ctrls = NULL, *self = self_path(c, e, &ctrls);
	unsigned long flags = c->o->flags & CG_MOUNT_FLAGS;
	cleanup_free char *host = NULL;
	cleanup_close int srcfd = -EBADF, fd = -EBADF;
	char path[PATH_PROC_FD_MAX];
	size_t rl = strlen(e->root);
	int r;

	if (!self) {
		snprintf(c->what, sizeof(c->what), "cgroup hierarchy '%s' not in /proc/self/cgroup", e->mountpoint);
		return -ENOENT;
	}
	if (STREQ(self, "/")) {
		path_proc_fd(dstfd, path);
		if (mount("cgroup", path, e->fstype, flags, *ctrls ? ctrls : NULL) == 0)
			return 0;
		log_debug_errno(-errno, "%s: mounting %s (%s) failed, binding the host's: %m", c->prefix, e->fstype,
				*ctrls ? ctrls : "v2");
	}
	/* The host directory of our cgroup: the mount's root is shown relative to our cgroup
	 * namespace like our own path, so strip it. */
	if (STREQ(e->root, "/"))
		r = asprintf(&host, "%s%s", e->mountpoint, STREQ(self, "/") ? "" : self);
	else if (strncmp(self, e->root, rl) == 0 && (self[rl] == '/' || self[rl] == 0))
		r = asprintf(&host, "%s%s", e->mountpoint, self + rl);
	else
		r = asprintf(&host, "%s", e->mountpoint);
	if (r < 0) {
		host = NULL; /* asprintf leaves it undefined on failure */
		return -ENOMEM;
	}
	srcfd = open(host, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (srcfd < 0) {
		r = -errno;
		snprintf(c->what, sizeof(c->what), "opening the host's %s", host);
		return r;
	}
	r = mount_bind_fd(srcfd, dstfd, false);
	if (r < 0) {
		snprintf(c->what, sizeof(c->what), "binding the host's %s", host);
		return r;
	}
	fd = mount_reopen_mounted(c->rootfd, dst_path, dstfd);
	if (fd < 0) {
		snprintf(c->what, sizeof(c->what), "re-opening %s after mounting", dst_path);
		return fd;
	}
	r = mount_remount_bind_fd(fd, flags, c->o->cleared, c->o->has_atime);
	if (r < 0)
		snprintf(c->what, sizeof(c->what), "remounting %s with its options", dst_path);
	return r;
}

static const struct mountinfo_entry *find_mount(const struct cg_ctx *c, const char *mountpoint, const char *fstype)
{
	const struct mountinfo_entry *found = NULL;
	/* The last one listed is the one on top. */
	for (size_t i = 0; i < c->mi.n; i++)
		if (STREQ(c->mi.entries[i].mountpoint, mountpoint) && STREQ(c->mi.entries[i].fstype, fstype))
			found = &c->mi.entries[i];
	return found;
}

static int mount_unified(struct cg_ctx *c, int dstfd)
{
	const struct mountinfo_entry *e = find_mount(c, HOST_CGROUP_ROOT, "cgroup2");
	if (!e) {
		snprintf(c->what, sizeof(c->what), "no cgroup2 mount at " HOST_CGROUP_ROOT);
		return -ENOENT;
	}
	return mount_hierarchy(c, e, dstfd, c->dest);
}

/* One directory per host hierarchy under /sys/fs/cgroup, on a tmpfs at the destination.
 * *tmpfd (the tmpfs root, once mounted) is owned by the caller, success or not: on failure
 * the caller needs it to undo the partial mount. */
static int mount_hybrid(struct cg_ctx *c, int dstfd, int *ret_tmpfd)
{
	unsigned long tflags = c->o->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
	int tmpfd;
	char path[PATH_PROC_FD_MAX];
	size_t plen = strlen(HOST_CGROUP_ROOT);
	int r;

	path_proc_fd(dstfd, path);
	if (mount("tmpfs", path, "tmpfs", tflags, "mode=755") < 0) {
		r = -errno;
		snprintf(c->what, sizeof(c->what), "mounting a tmpfs");
		return r;
	}
	tmpfd = mount_reopen_mounted(c->rootfd, c->dest, dstfd);
	if (tmpfd < 0) {
		snprintf(c->what, sizeof(c->what), "re-opening the tmpfs");
		return tmpfd;
	}
	*ret_tmpfd = tmpfd;

	for (size_t i = 0; i < c->mi.n; i++) {
		const struct mountinfo_entry *e = &c->mi.entries[i];
		const char *name = e->mountpoint + plen + 1;
		cleanup_close int subfd = -EBADF;
		cleanup_free char *sub = NULL;

		if (!STREQ(e->fstype, "cgroup") && !STREQ(e->fstype, "cgroup2"))
			continue;
		if (strncmp(e->mountpoint, HOST_CGROUP_ROOT "/", plen + 1) != 0 || !*name || strchr(name, '/'))
			continue;
		if (mkdirat(tmpfd, name, 0755) < 0 && errno != EEXIST) {
			r = -errno;
			snprintf(c->what, sizeof(c->what), "creating %s", name);
			return r;
		}
		subfd = path_open_in_root(tmpfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
		if (subfd >= 0 && asprintf(&sub, "%s/%s", c->dest, name) < 0)
			sub = NULL;
		if (subfd < 0 || !sub) {
			snprintf(c->what, sizeof(c->what), "opening %s", name);
			return subfd < 0 ? subfd : -ENOMEM;
		}
		r = mount_hierarchy(c, e, subfd, sub);
		if (r == -ENOENT) {
			log_debug("%s: %s", c->prefix, c->what);
			continue; /* a hierarchy we are not part of: leave it empty */
		}
		if (r < 0)
			return r;
		/* co-mounted controllers: cpu -> cpu,cpuacct */
		if (strchr(name, ',') && !strchr(name, '='))
			for (const char *p = name; *p;) {
				const char *end = strchrnul(p, ',');
				cleanup_free char *one = strndup(p, (size_t)(end - p));
				if (one && symlinkat(name, tmpfd, one) < 0 && errno != EEXIST)
					log_debug_errno(-errno, "%s: symlink %s -> %s: %m", c->prefix, one, name);
				p = *end ? end + 1 : end;
			}
	}
	if (c->o->flags & MS_RDONLY) {
		r = mount_remount_bind_fd(tmpfd, MS_RDONLY, 0, false);
		if (r < 0) {
			snprintf(c->what, sizeof(c->what), "making the tmpfs read-only");
			return r;
		}
	}
	return 0;
}

static int fallback_rbind(struct cg_ctx *c, int dstfd)
{
	cleanup_close int srcfd = open(HOST_CGROUP_ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int fd = -EBADF;
	struct mount_options fo = *c->o;
	int r;

	if (srcfd < 0)
		return log_error_errno(-errno, "%s: opening the host's " HOST_CGROUP_ROOT ": %m", c->prefix);
	r = mount_bind_fd(srcfd, dstfd, true);
	if (r < 0)
		return log_error_errno(r, "%s: binding the host's " HOST_CGROUP_ROOT " failed: %m", c->prefix);
	fd = mount_reopen_mounted(c->rootfd, c->dest, dstfd);
	if (fd < 0)
		return log_error_errno(fd, "%s: re-opening the destination after mounting failed: %m", c->prefix);
	fo.data = NULL;
	fo.attr_set |= mount_flags_to_attr(fo.flags);
	fo.attr_clr &= ~fo.attr_set;
	return mount_finish(fd, &fo, true, c->prefix);
}

int mount_cgroup_apply(int rootfd, const char *dest, const struct mount_options *o, const char *prefix, bool in_userns)
{
	struct cg_ctx c = {.rootfd = rootfd, .dest = dest, .o = o, .prefix = prefix, .in_userns = in_userns};
	cleanup_close int dstfd = -EBADF, fd = -EBADF, partial = -EBADF;
	struct statfs sfs;
	bool unified;
	int r;

	dstfd = path_mkdir_p_in_root(rootfd, dest, 0755);
	if (dstfd < 0)
		return log_error_errno(dstfd, "%s: cannot create the destination directory inside the container: %m",
				       prefix);
	if (statfs(HOST_CGROUP_ROOT, &sfs) < 0)
		return log_error_errno(-errno, "%s: statfs(" HOST_CGROUP_ROOT ") failed: %m", prefix);
	unified = sfs.f_type == CGROUP2_SUPER_MAGIC;

	r = mountinfo_read(NULL, &c.mi);
	if (r >= 0)
		r = read_self(&c.self);
	if (r < 0) {
		mountinfo_done(&c.mi);
		free(c.self.text);
		return log_error_errno(r, "%s: reading /proc/self/mountinfo and /proc/self/cgroup failed: %m", prefix);
	}

	if (unified) {
		r = mount_unified(&c, dstfd);
		if (r >= 0)
			r = fd = mount_reopen_mounted(rootfd, dest, dstfd);
	} else {
		r = mount_hybrid(&c, dstfd, &partial);
		if (r >= 0)
			fd = TAKE_FD(partial);
	}
	mountinfo_done(&c.mi);
	free(c.self.text);

	if (r < 0 && in_userns) {
		log_debug_errno(r,
				"%s: %s failed in the user namespace (%m), falling back to a "
				"recursive bind of the host's " HOST_CGROUP_ROOT,
				prefix, c.what);
		if (partial >= 0) {
			char path[PATH_PROC_FD_MAX];
			path_proc_fd(partial, path);
			if (umount2(path, MNT_DETACH) < 0)
				return log_error_errno(-errno, "%s: undoing the partial cgroup mount failed: %m",
						       prefix);
		}
		return fallback_rbind(&c, dstfd);
	}
	if (r < 0)
		return log_error_errno(r, "%s: cgroup mount: %s failed: %m", prefix, c.what);

	/* ro/flags are already on the cgroup mounts (and the tmpfs); what is left is
	 * propagation and recursive attributes on the destination. */
	return mount_finish(fd, o, false, prefix);
}
