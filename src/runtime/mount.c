/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mount.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/procfs.h"
#include "runtime/copyup.h"
#include "runtime/mount-cgroup.h"

#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000
#endif

#define MS_ATIME_MASK (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)
/* The per-mount flags a MS_BIND|MS_REMOUNT can change (the others are per-superblock). */
#define MS_BIND_REMOUNT_MASK                                                                                           \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_ATIME_MASK | MS_NODIRATIME | MS_NOSYMFOLLOW)

static int mount_oom(void)
{
	return log_error_errno(-ENOMEM, "Out of memory");
}

/* ---- option parsing ---- */

enum opt_kind { OPT_SET, OPT_CLEAR, OPT_ATIME };

static const struct flag_opt {
	const char *name;
	enum opt_kind kind;
	unsigned long flag;
} flag_opts[] = {
    {"defaults", OPT_SET, 0},
    {"ro", OPT_SET, MS_RDONLY},
    {"rw", OPT_CLEAR, MS_RDONLY},
    {"bind", OPT_SET, MS_BIND},
    {"rbind", OPT_SET, MS_BIND | MS_REC},
    {"nosuid", OPT_SET, MS_NOSUID},
    {"suid", OPT_CLEAR, MS_NOSUID},
    {"nodev", OPT_SET, MS_NODEV},
    {"dev", OPT_CLEAR, MS_NODEV},
    {"noexec", OPT_SET, MS_NOEXEC},
    {"exec", OPT_CLEAR, MS_NOEXEC},
    {"sync", OPT_SET, MS_SYNCHRONOUS},
    {"async", OPT_CLEAR, MS_SYNCHRONOUS},
    {"dirsync", OPT_SET, MS_DIRSYNC},
    {"remount", OPT_SET, MS_REMOUNT},
    {"mand", OPT_SET, MS_MANDLOCK},
    {"nomand", OPT_CLEAR, MS_MANDLOCK},
    /* atime modes are exclusive: the last one given wins */
    {"atime", OPT_ATIME, 0},
    {"noatime", OPT_ATIME, MS_NOATIME},
    {"relatime", OPT_ATIME, MS_RELATIME},
    {"norelatime", OPT_ATIME, 0},
    {"strictatime", OPT_ATIME, MS_STRICTATIME},
    {"nostrictatime", OPT_ATIME, MS_RELATIME},
    {"diratime", OPT_CLEAR, MS_NODIRATIME},
    {"nodiratime", OPT_SET, MS_NODIRATIME},
    {"lazytime", OPT_SET, MS_LAZYTIME},
    {"nolazytime", OPT_CLEAR, MS_LAZYTIME},
    {"silent", OPT_SET, MS_SILENT},
    {"loud", OPT_CLEAR, MS_SILENT},
    {"iversion", OPT_SET, MS_I_VERSION},
    {"noiversion", OPT_CLEAR, MS_I_VERSION},
    {"nosymfollow", OPT_SET, MS_NOSYMFOLLOW},
    {"symfollow", OPT_CLEAR, MS_NOSYMFOLLOW},
};

static const struct prop_opt {
	const char *name;
	unsigned long flag;
} prop_opts[] = {
    {"private", MS_PRIVATE},	   {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},	   {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},	   {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

/* Recursive mount_setattr() options. The atime ones select a mode (MOUNT_ATTR__ATIME is
 * an enum, not bits: the kernel wants all of __ATIME in attr_clr plus the new mode). */
static const struct attr_opt {
	const char *name;
	enum opt_kind kind;
	uint64_t attr;
} attr_opts[] = {
    {"rro", OPT_SET, MOUNT_ATTR_RDONLY},
    {"rrw", OPT_CLEAR, MOUNT_ATTR_RDONLY},
    {"rnosuid", OPT_SET, MOUNT_ATTR_NOSUID},
    {"rsuid", OPT_CLEAR, MOUNT_ATTR_NOSUID},
    {"rnodev", OPT_SET, MOUNT_ATTR_NODEV},
    {"rdev", OPT_CLEAR, MOUNT_ATTR_NODEV},
    {"rnoexec", OPT_SET, MOUNT_ATTR_NOEXEC},
    {"rexec", OPT_CLEAR, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", OPT_SET, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", OPT_CLEAR, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", OPT_SET, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", OPT_CLEAR, MOUNT_ATTR_NOSYMFOLLOW},
    {"rnoatime", OPT_ATIME, MOUNT_ATTR_NOATIME},
    {"ratime", OPT_ATIME, MOUNT_ATTR_RELATIME},
    {"rrelatime", OPT_ATIME, MOUNT_ATTR_RELATIME},
    {"rnorelatime", OPT_ATIME, MOUNT_ATTR_STRICTATIME},
    {"rstrictatime", OPT_ATIME, MOUNT_ATTR_STRICTATIME},
    {"rnostrictatime", OPT_ATIME, MOUNT_ATTR_RELATIME},
};

static bool parse_flag_opt(const char *s, struct mount_options *o)
{
	for (size_t i = 0; i < ELEMENTSOF(flag_opts); i++) {
		const struct flag_opt *f = &flag_opts[i];
		if (!STREQ(s, f->name))
			continue;
		switch (f->kind) {
		case OPT_SET:
			o->flags |= f->flag;
			o->cleared &= ~f->flag;
			break;
		case OPT_CLEAR:
			o->flags &= ~f->flag;
			o->cleared |= f->flag;
			break;
		case OPT_ATIME:
			o->flags = (o->flags & ~MS_ATIME_MASK) | f->flag;
			o->cleared = (o->cleared & ~MS_ATIME_MASK) | (MS_ATIME_MASK & ~f->flag);
			o->has_atime = true;
			break;
		}
		return true;
	}
	return false;
}

static bool parse_prop_opt(const char *s, struct mount_options *o)
{
	unsigned long flag;
	if (mount_propagation_parse(s, &flag) < 0)
		return false;
	if (o->n_propagation < MOUNT_MAX_PROPAGATION)
		o->propagation[o->n_propagation++] = flag;
	else
		o->propagation[MOUNT_MAX_PROPAGATION - 1] = flag;
	return true;
}

static bool parse_attr_opt(const char *s, struct mount_options *o)
{
	for (size_t i = 0; i < ELEMENTSOF(attr_opts); i++) {
		const struct attr_opt *a = &attr_opts[i];
		if (!STREQ(s, a->name))
			continue;
		switch (a->kind) {
		case OPT_SET:
			o->attr_set |= a->attr;
			o->attr_clr &= ~a->attr;
			break;
		case OPT_CLEAR:
			o->attr_clr |= a->attr;
			o->attr_set &= ~a->attr;
			break;
		case OPT_ATIME:
			o->attr_clr |= MOUNT_ATTR__ATIME;
			o->attr_set = (o->attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | a->attr;
			break;
		}
		return true;
	}
	return false;
}

static int append_data(char **data, const char *s)
{
	char *n;
	if (*data) {
		if (asprintf(&n, "%s,%s", *data, s) < 0)
			return -ENOMEM;
		free(*data);
	} else {
		n = strdup(s);
		if (!n)
			return -ENOMEM;
	}
	*data = n;
	return 0;
}

int mount_options_parse(char *const *options, struct mount_options *ret)
{
	struct mount_options o = {0};

	for (char *const *i = options; i && *i; i++) {
		const char *s = *i;
		if (!*s)
			continue;
		if (parse_flag_opt(s, &o) || parse_prop_opt(s, &o) || parse_attr_opt(s, &o))
			continue;
		if (STREQ(s, "idmap") || STREQ(s, "ridmap")) {
			o.idmap = true;
			o.idmap_recursive |= STREQ(s, "ridmap");
			continue;
		}
		if (STREQ(s, "tmpcopyup")) {
			o.tmpcopyup = true;
			continue;
		}
		if (STREQ(s, "notmpcopyup")) {
			o.tmpcopyup = false;
			continue;
		}
		int r = append_data(&o.data, s);
		if (r < 0) {
			mount_options_done(&o);
			return r;
		}
	}
	*ret = o;
	return 0;
}

void mount_options_done(struct mount_options *o)
{
	if (!o)
		return;
	free(o->data);
	o->data = NULL;
}

int mount_propagation_parse(const char *s, unsigned long *ret)
{
	for (size_t i = 0; s && i < ELEMENTSOF(prop_opts); i++)
		if (STREQ(s, prop_opts[i].name)) {
			*ret = prop_opts[i].flag;
			return 0;
		}
	return -EINVAL;
}

/* ---- primitives on fds ---- */

int mount_fd_flags(int fd, unsigned long *ret)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
	    {ST_RDONLY, MS_RDONLY},	{ST_NOSUID, MS_NOSUID},		  {ST_NODEV, MS_NODEV},
	    {ST_NOEXEC, MS_NOEXEC},	{ST_NOATIME, MS_NOATIME},	  {ST_NODIRATIME, MS_NODIRATIME},
	    {ST_RELATIME, MS_RELATIME}, {ST_NOSYMFOLLOW, MS_NOSYMFOLLOW},
	};
	struct statvfs sv;
	unsigned long f = 0;

	if (fstatvfs(fd, &sv) < 0)
		return -errno;
	for (size_t i = 0; i < ELEMENTSOF(map); i++)
		if (sv.f_flag & map[i].st)
			f |= map[i].ms;
	/* statvfs has no "strictatime": neither noatime nor relatime means strict. */
	if (!(f & (MS_NOATIME | MS_RELATIME)))
		f |= MS_STRICTATIME;
	*ret = f;
	return 0;
}

uint64_t mount_flags_to_attr(unsigned long ms)
{
	uint64_t a = 0;
	if (ms & MS_RDONLY)
		a |= MOUNT_ATTR_RDONLY;
	if (ms & MS_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (ms & MS_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (ms & MS_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	if (ms & MS_NODIRATIME)
		a |= MOUNT_ATTR_NODIRATIME;
	if (ms & MS_NOSYMFOLLOW)
		a |= MOUNT_ATTR_NOSYMFOLLOW;
	return a;
}

int mount_bind_fd(int srcfd, int dstfd, bool recursive)
{
	char src[PATH_PROC_FD_MAX], dst[PATH_PROC_FD_MAX];
	int r;

	if ((r = path_proc_fd(srcfd, src)) < 0 || (r = path_proc_fd(dstfd, dst)) < 0)
		return r;
	if (mount(src, dst, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
		return -errno;
	return 0;
}

int mount_bind_fd_detached(int srcfd, int dstfd, bool recursive, uint64_t attr_set)
{
	cleanup_close int tree = -EBADF;
	unsigned rec = recursive ? AT_RECURSIVE : 0;

	tree = open_tree(srcfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | rec);
	if (tree < 0)
		return -errno;
	if (attr_set) {
		struct mount_attr attr = {.attr_set = attr_set};
		if (mount_setattr(tree, "", AT_EMPTY_PATH | rec, &attr, sizeof(attr)) < 0)
			return -errno;
	}
	if (move_mount(tree, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

int mount_remount_bind_fd(int fd, unsigned long set, unsigned long cleared, bool has_atime)
{
	char path[PATH_PROC_FD_MAX];
	unsigned long cur, keep;
	int r;

	if ((r = path_proc_fd(fd, path)) < 0 || (r = mount_fd_flags(fd, &cur)) < 0)
		return r;
	/* In a user namespace the kernel locks RDONLY/NOSUID/NODEV/NOEXEC/atime of mounts
	 * inherited from the host and refuses (EPERM) a remount that would drop them; a bind
	 * remount that does not repeat a flag drops it. So repeat what the mount has, unless
	 * the options asked to clear it. */
	keep = cur & ~cleared;
	if (has_atime)
		keep &= ~MS_ATIME_MASK;
	if (set & MS_ATIME_MASK)
		keep &= ~MS_ATIME_MASK;
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | keep | (set & MS_BIND_REMOUNT_MASK), NULL) < 0)
		return -errno;
	return 0;
}

static int mnt_id_of(int fd, uint64_t *ret_id, bool *ret_is_root)
{
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
		return -errno;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return -EOPNOTSUPP;
	*ret_id = stx.stx_mnt_id;
	*ret_is_root =
	    !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) || (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
	return 0;
}

int mount_reopen_mounted(int rootfd, const char *path, int before_fd)
{
	cleanup_close int fd = path_open_in_root(rootfd, path, O_PATH, 0);
	uint64_t before, after;
	bool before_root, after_root;
	int r;

	if (fd < 0)
		return fd;
	if ((r = mnt_id_of(before_fd, &before, &before_root)) < 0 || (r = mnt_id_of(fd, &after, &after_root)) < 0)
		return r;
	if (before == after || !after_root)
		return -EXDEV;
	return TAKE_FD(fd);
}

/* ---- performing a mount ---- */

struct mnt {
	const struct oci_mount *m;
	size_t index;
	const char *dest;
	const char *type;
	struct mount_options o;
	bool in_userns;
	char prefix[256]; /* "mounts[3] (destination '/data')" */
};

static int mnt_error(const struct mnt *c, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int mnt_error(const struct mnt *c, int r, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	errno = r < 0 ? -r : r; /* for %m inside fmt */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return log_error_errno(r, "%s: %s", c->prefix, msg);
}

int mount_finish(int fd, const struct mount_options *o, bool is_bind, const char *prefix)
{
	char path[PATH_PROC_FD_MAX];
	int r;

	path_proc_fd(fd, path);
	if (is_bind && ((o->flags | o->cleared) & MS_BIND_REMOUNT_MASK || o->has_atime)) {
		r = mount_remount_bind_fd(fd, o->flags, o->cleared, o->has_atime);
		if (r == -EPERM)
			return log_error_errno(r,
					       "%s: remounting the bind mount with its options failed: %m "
					       "(in a user namespace, flags the source mount has such as ro, "
					       "nosuid, nodev, noexec or its atime mode cannot be cleared)",
					       prefix);
		if (r < 0)
			return log_error_errno(r, "%s: remounting the bind mount with its options failed: %m", prefix);
	}
	for (size_t i = 0; i < o->n_propagation; i++)
		if (mount(NULL, path, NULL, o->propagation[i], NULL) < 0)
			return log_error_errno(-errno, "%s: setting mount propagation failed: %m", prefix);
	if (o->attr_set || o->attr_clr) {
		struct mount_attr attr = {.attr_set = o->attr_set, .attr_clr = o->attr_clr};
		if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0) {
			r = -errno;
			if (r == -ENOSYS)
				return log_error_errno(r,
						       "%s: recursive mount options (rro, rnosuid, …) need "
						       "mount_setattr(2), Linux >= 5.12",
						       prefix);
			return log_error_errno(r, "%s: applying recursive mount options failed: %m", prefix);
		}
	}
	return 0;
}

/* A user namespace carrying the mount's uid/gid mappings, for MOUNT_ATTR_IDMAP. The lines
 * are written as given, "containerID hostID size", like runc: a file owned by containerID
 * on the source filesystem shows up as hostID in the mount (so a mapping equal to the
 * container's own makes volume files owned by 0 belong to the container's root). Without
 * mappings (allowed since runtime-spec 1.2) the container's user namespace is used. */
static int idmap_userns(const struct mnt *c)
{
	const struct oci_mount *m = c->m;
	cleanup_close int procfd = -EBADF;
	int pipefd[2], nsfd = -EBADF, r = 0;
	char path[64];
	pid_t pid;

	if (!m->n_uid_mappings && !m->n_gid_mappings) {
		if (!c->in_userns)
			return mnt_error(c, -EINVAL,
					 "idmap without uidMappings/gidMappings needs a user "
					 "namespace to take the mappings from");
		nsfd = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
		return nsfd >= 0 ? nsfd : mnt_error(c, -errno, "opening our user namespace failed: %m");
	}
	if (!m->n_uid_mappings || !m->n_gid_mappings)
		return mnt_error(c, -EINVAL, "idmap needs both uidMappings and gidMappings (or neither)");

	procfd = procfs_open();
	if (procfd < 0)
		return mnt_error(c, procfd, "idmap: no usable procfs to write the mappings: %m");
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return mnt_error(c, -errno, "idmap: pipe failed: %m");
	/* A raw clone (fork semantics) straight into a new user namespace: the child only
	 * blocks on the pipe until we have its namespace open. */
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid == 0) {
		char b;
		close(pipefd[1]);
		while (read(pipefd[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(pipefd[0]);
	if (pid < 0) {
		r = mnt_error(c, -errno, "idmap: creating a user namespace failed: %m");
		close(pipefd[1]);
		return r;
	}
	for (int k = 0; k < 2 && r >= 0; k++) {
		const struct oci_id_mapping *map = k == 0 ? m->uid_mappings : m->gid_mappings;
		size_t n = k == 0 ? m->n_uid_mappings : m->n_gid_mappings;
		char buf[16384]; /* the kernel takes at most 340 lines */
		size_t len = 0;
		for (size_t i = 0; i < n && len < sizeof(buf); i++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n", map[i].container_id,
						map[i].host_id, map[i].size);
		if (len >= sizeof(buf)) {
			r = mnt_error(c, -E2BIG, "idmap: too many mappings");
			break;
		}
		snprintf(path, sizeof(path), "%d/%s", (int)pid, k == 0 ? "uid_map" : "gid_map");
		int fd = procfs_open_at(procfd, path, O_WRONLY);
		if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
			r = mnt_error(c, fd < 0 ? fd : -errno, "idmap: writing the %s mappings failed: %m",
				      k == 0 ? "uid" : "gid");
		safe_close(fd);
	}
	if (r >= 0) {
		snprintf(path, sizeof(path), "%d/ns/user", (int)pid);
		/* ns/user is a (magic) symlink to the namespace: it must be followed, which
		 * is fine below our verified procfs fd. */
		nsfd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0)
			r = mnt_error(c, -errno, "idmap: opening the mapping namespace failed: %m");
	}
	close(pipefd[1]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return r < 0 ? r : nsfd;
}

static int bind_idmapped(const struct mnt *c, int srcfd, int dstfd)
{
	cleanup_close int usernsfd = idmap_userns(c);
	cleanup_close int tree = -EBADF;
	bool rec = c->o.flags & MS_REC;

	if (usernsfd < 0)
		return usernsfd;
	tree = open_tree(srcfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0));
	if (tree < 0)
		return mnt_error(c, -errno, "idmap: cloning the source mount failed: %m");
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)usernsfd};
	if (mount_setattr(tree, "", AT_EMPTY_PATH | (c->o.idmap_recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) <
	    0) {
		int r = -errno;
		if (r == -EPERM && c->in_userns)
			return mnt_error(c, r,
					 "idmapped mounts made from inside a user namespace are not "
					 "supported yet (the source filesystem belongs to the host): %m");
		return mnt_error(c, r,
				 "idmap: mount_setattr(MOUNT_ATTR_IDMAP) failed: %m "
				 "(the source filesystem must support idmapped mounts, Linux >= 5.12)");
	}
	if (move_mount(tree, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return mnt_error(c, -errno, "idmap: attaching the mount failed: %m");
	return 0;
}

static int do_bind(struct mnt *c, int rootfd, const char *bundle)
{
	const char *source = c->m->source;
	cleanup_free char *abs = NULL;
	cleanup_close int srcfd = -EBADF, dstfd = -EBADF, fd = -EBADF;
	struct stat st;
	int r;

	if (!source || !*source)
		return mnt_error(c, -EINVAL, "a bind mount needs a source");
	if (source[0] != '/') {
		if (asprintf(&abs, "%s/%s", bundle ? bundle : ".", source) < 0) {
			abs = NULL; /* undefined after a failure */
			return mount_oom();
		}
		source = abs;
	}
	/* The source is a host path from the config: symlinks in it are followed like runc
	 * does. We mount exactly the inode we stat here. */
	srcfd = open(source, O_PATH | O_CLOEXEC);
	if (srcfd < 0)
		return mnt_error(c, -errno, "bind source '%s': %m", source);
	if (fstat(srcfd, &st) < 0)
		return mnt_error(c, -errno, "bind source '%s': %m", source);

	if (S_ISDIR(st.st_mode))
		dstfd = path_mkdir_p_in_root(rootfd, c->dest, 0755);
	else
		dstfd = path_mkfile_in_root(rootfd, c->dest, 0644);
	if (dstfd < 0)
		return mnt_error(c, dstfd, "cannot create the %s destination inside the container: %m",
				 S_ISDIR(st.st_mode) ? "directory" : "file");

	if (c->o.idmap)
		r = bind_idmapped(c, srcfd, dstfd);
	else if ((r = mount_bind_fd(srcfd, dstfd, c->o.flags & MS_REC)) < 0)
		r = mnt_error(c, r, "mount '%s' failed: %m", source);
	if (r < 0)
		return r;

	fd = mount_reopen_mounted(rootfd, c->dest, dstfd);
	if (fd < 0)
		return mnt_error(c, fd, "re-opening the destination after mounting failed: %m");
	return mount_finish(fd, &c->o, true, c->prefix);
}

/* proc and sysfs destinations must be real directories of the image: an image with
 * /proc -> /somewhere or a file there could make the runtime's later writes to
 * /proc/self/attr or /proc/sys land elsewhere (CVE-2019-16884, CVE-2023-27561). */
static int open_real_dir(struct mnt *c, int rootfd)
{
	cleanup_close int fd = path_open_in_root(rootfd, c->dest, O_PATH | O_NOFOLLOW, 0);
	struct stat st;

	if (fd == -ENOENT)
		return path_mkdir_p_in_root(rootfd, c->dest, 0555);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode)) {
		log_error("mounts[%zu]: destination '%s' in the image is not a directory "
			  "(refusing a possibly fake %s)",
			  c->index, c->dest, STREQ(c->type, "proc") ? "/proc" : "/sys");
		return -ENOTDIR;
	}
	return TAKE_FD(fd);
}

/* The kernel refuses sysfs in a user namespace that does not own the network namespace,
 * and mqueue without an owned IPC namespace. runc (rootless) then binds the host's one:
 * same view as the host, with the requested flags; ro is made recursive so the host's
 * submounts under /sys do not stay writable. */
static int bind_host_fallback(struct mnt *c, int rootfd, int dstfd, const char *host_path)
{
	cleanup_close int srcfd = open(host_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int fd = -EBADF;
	struct mount_options fo = c->o;
	int r;

	if (srcfd < 0)
		return mnt_error(c, -errno,
				 "the kernel refuses a new %s in this user namespace (it does "
				 "not own the %s namespace) and the host's %s cannot be bound instead: %m",
				 c->type, STREQ(c->type, "sysfs") ? "network" : "IPC", host_path);
	r = mount_bind_fd(srcfd, dstfd, true);
	if (r < 0)
		return mnt_error(c, r, "fallback bind of the host's %s failed: %m", host_path);
	fd = mount_reopen_mounted(rootfd, c->dest, dstfd);
	if (fd < 0)
		return mnt_error(c, fd, "re-opening the destination after mounting failed: %m");
	/* The host's submounts come along: give them the requested restrictions too. */
	fo.data = NULL;
	fo.attr_set |= mount_flags_to_attr(fo.flags);
	fo.attr_clr &= ~fo.attr_set;
	return mount_finish(fd, &fo, true, c->prefix);
}

/* devpts rejects gid=N (EINVAL) when N is not mapped in our user namespace, and the
 * default config.json asks for gid=5 (tty): like runc, retry without it. */
static bool retry_devpts(struct mnt *c, const char *source, const char *path, unsigned long flags)
{
	cleanup_free char *data = NULL;

	if (!c->o.data || (strncmp(c->o.data, "gid=", 4) != 0 && !strstr(c->o.data, ",gid=")))
		return false;
	for (const char *p = c->o.data; *p;) {
		const char *end = strchrnul(p, ',');
		if (strncmp(p, "gid=", 4) != 0) {
			cleanup_free char *one = strndup(p, (size_t)(end - p));
			if (!one || append_data(&data, one) < 0)
				return false;
		}
		p = *end ? end + 1 : end;
	}
	if (mount(source, path, "devpts", flags, data) < 0)
		return false;
	log_debug("%s: devpts refused gid= (not mapped in the user namespace), mounted without it", c->prefix);
	return true;
}

static int do_fs(struct mnt *c, int rootfd)
{
	const char *type = c->type;
	const char *source = c->m->source && *c->m->source ? c->m->source : type;
	bool special = STREQ(type, "proc") || STREQ(type, "sysfs");
	cleanup_close int dstfd = -EBADF, fd = -EBADF;
	char path[PATH_PROC_FD_MAX];
	unsigned long flags = c->o.flags & ~(MS_BIND | MS_REC);

	if (c->o.idmap)
		return mnt_error(c, -EINVAL, "idmap/ridmap is only supported for bind mounts");
	if (c->o.tmpcopyup && !STREQ(type, "tmpfs"))
		return mnt_error(c, -EINVAL, "the tmpcopyup option is only valid for tmpfs mounts");
	dstfd = special ? open_real_dir(c, rootfd) : path_mkdir_p_in_root(rootfd, c->dest, 0755);
	if (dstfd == -ENOTDIR && special)
		return -ENOTDIR; /* logged */
	if (dstfd < 0)
		return mnt_error(c, dstfd, "cannot create the destination directory inside the container: %m");

	path_proc_fd(dstfd, path);
	if (mount(source, path, type, flags, c->o.data) < 0) {
		int r = -errno;
		if (r == -EINVAL && c->in_userns && STREQ(type, "devpts") && retry_devpts(c, source, path, flags))
			goto mounted;
		if ((r == -EPERM || r == -EACCES) && c->in_userns) {
			if (STREQ(type, "sysfs")) {
				log_debug("%s: sysfs refused in the user namespace (no own network "
					  "namespace), binding the host's /sys",
					  c->prefix);
				return bind_host_fallback(c, rootfd, dstfd, "/sys");
			}
			if (STREQ(type, "mqueue")) {
				log_debug("%s: mqueue refused in the user namespace, binding the host's "
					  "/dev/mqueue",
					  c->prefix);
				return bind_host_fallback(c, rootfd, dstfd, "/dev/mqueue");
			}
			if (STREQ(type, "proc"))
				return mnt_error(c, r,
						 "mount '%s' failed: %m (a user namespace can mount "
						 "proc only with its own PID namespace)",
						 source);
		}
		return mnt_error(c, r, "mount '%s' failed: %m", source);
	}
mounted:
	if (flags & MS_REMOUNT)
		/* A remount changes the mount already there: nothing new to re-open. */
		return mount_finish(dstfd, &c->o, false, c->prefix);
	fd = mount_reopen_mounted(rootfd, c->dest, dstfd);
	if (fd < 0)
		return mnt_error(c, fd, "re-opening the destination after mounting failed: %m");
	if (c->o.tmpcopyup) {
		/* dstfd still refers to the image's directory under the new tmpfs. */
		int r = copyup_tree(dstfd, fd);
		if (r < 0)
			return mnt_error(c, r,
					 "tmpcopyup: copying the image's content into the tmpfs "
					 "failed: %m");
	}
	return mount_finish(fd, &c->o, false, c->prefix);
}

int mount_apply_full(int rootfd, const struct oci_mount *m, size_t index, const char *bundle, unsigned apply_flags)
{
	struct mnt c = {.m = m, .index = index, .in_userns = apply_flags & MOUNT_APPLY_IN_USERNS};
	int r;

	if (!m->destination || !*m->destination) {
		log_error("mounts[%zu]: destination is empty", index);
		return -EINVAL;
	}
	c.dest = m->destination;
	snprintf(c.prefix, sizeof(c.prefix), "mounts[%zu] (destination '%s')", index, c.dest);

	r = mount_options_parse(m->options, &c.o);
	if (r < 0)
		return mount_oom();
	if (apply_flags & MOUNT_APPLY_DEFER_RDONLY)
		c.o.flags &= ~MS_RDONLY;
	if (m->n_uid_mappings || m->n_gid_mappings)
		c.o.idmap = true; /* runtime-spec 1.1 mappings without the 1.2 option */

	c.type = m->type && *m->type ? m->type : (c.o.flags & MS_BIND) ? "bind" : "none";
	if (STREQ(c.type, "bind"))
		c.o.flags |= MS_BIND;

	if (c.o.flags & MS_BIND)
		r = do_bind(&c, rootfd, bundle);
	else if (STREQ(c.type, "cgroup") || STREQ(c.type, "cgroup2"))
		r = mount_cgroup_apply(rootfd, c.dest, &c.o, c.prefix, c.in_userns);
	else
		r = do_fs(&c, rootfd);
	mount_options_done(&c.o);
	return r;
}

int mount_apply(int rootfd, const struct oci_mount *m, size_t index, const char *bundle, bool in_userns)
{
	return mount_apply_full(rootfd, m, index, bundle, in_userns ? MOUNT_APPLY_IN_USERNS : 0);
}
