/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/container/runtime.h"
#include "engine/image/idmap.h"
#include "engine/image/rootfs.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/path.h"

#define MAX_DEPTH 256

struct cp {
	bool archive;
	const char *what; /* for messages: the container path */
};

static int copy_data(int in, int out)
{
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != EOPNOTSUPP && errno != ENOSYS)
			return -errno;
		break;
	}
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		int r = fs_write_all(out, buf, (size_t)n);
		if (r < 0)
			return r;
	}
}

static void keep_owner(const struct cp *c, int fd, const char *name, const struct stat *st, bool link)
{
	if (!c->archive)
		return;
	/* Best effort: ids the container's user namespace does not map cannot be kept. */
	int r =
	    link ? fchownat(fd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) : fchown(fd, st->st_uid, st->st_gid);
	if (r < 0)
		log_debug("cp: cannot keep the owner %u:%u of %s: %m", (unsigned)st->st_uid, (unsigned)st->st_gid,
			  name ? name : "a file");
}

/* Removes a destination entry that is in the way (not a directory). */
static void clear_entry(int dfd, const char *name)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
		unlinkat(dfd, name, 0);
}

static int copy_node(const struct cp *c, int sdir, const char *sname, int ddir, const char *dname, int depth);

static int copy_dir_contents(const struct cp *c, int sfd, int dfd, int depth)
{
	int dup_fd = openat(sfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dup_fd < 0)
		return -errno;
	DIR *d = fdopendir(dup_fd);
	if (!d) {
		close(dup_fd);
		return -errno;
	}
	struct dirent *e;
	int r = 0;
	while ((e = readdir(d))) {
		if (STREQ(e->d_name, ".") || STREQ(e->d_name, ".."))
			continue;
		int k = copy_node(c, sfd, e->d_name, dfd, e->d_name, depth + 1);
		if (k < 0 && r == 0)
			r = k;
	}
	closedir(d);
	return r;
}

/* sdir/sname -> ddir/dname, one component each side, never following a symlink: both
 * parents are open directories already resolved (in root, for the container side). */
static int copy_node(const struct cp *c, int sdir, const char *sname, int ddir, const char *dname, int depth)
{
	struct stat st;
	if (depth > MAX_DEPTH)
		return log_error_errno(-ELOOP, "cp: %s: directories nested too deeply", sname);
	if (fstatat(sdir, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return log_error_errno(-errno, "cp: %s: %m", sname);
	if (S_ISDIR(st.st_mode)) {
		struct stat dst;
		if (fstatat(ddir, dname, &dst, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(dst.st_mode))
			return log_error_errno(-ENOTDIR, "cp: cannot overwrite non-directory %s with a directory",
					       dname);
		if (mkdirat(ddir, dname, 0700) < 0 && errno != EEXIST)
			return log_error_errno(-errno, "cp: cannot create directory %s: %m", dname);
		cleanup_close int sfd = openat(sdir, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		cleanup_close int dfd = openat(ddir, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sfd < 0 || dfd < 0)
			return log_error_errno(-errno, "cp: cannot open directory %s: %m", sfd < 0 ? sname : dname);
		int r = copy_dir_contents(c, sfd, dfd, depth);
		fchmod(dfd, st.st_mode & 07777);
		keep_owner(c, dfd, NULL, &st, false);
		struct timespec ts[2] = {st.st_atim, st.st_mtim};
		futimens(dfd, ts);
		return r;
	}
	if (S_ISREG(st.st_mode)) {
		cleanup_close int in = openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
		if (in < 0)
			return log_error_errno(-errno, "cp: cannot read %s: %m", sname);
		clear_entry(ddir, dname);
		cleanup_close int out =
		    openat(ddir, dname, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		if (out < 0)
			return log_error_errno(-errno, "cp: cannot create %s: %m", dname);
		int r = copy_data(in, out);
		if (r < 0)
			return log_error_errno(r, "cp: copying %s: %m", sname);
		keep_owner(c, out, NULL, &st, false);
		fchmod(out, st.st_mode & 07777);
		struct timespec ts[2] = {st.st_atim, st.st_mtim};
		futimens(out, ts);
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(sdir, sname, target, sizeof(target) - 1);
		if (n < 0)
			return log_error_errno(-errno, "cp: cannot read link %s: %m", sname);
		target[n] = 0;
		clear_entry(ddir, dname);
		if (symlinkat(target, ddir, dname) < 0)
			return log_error_errno(-errno, "cp: cannot create symlink %s: %m", dname);
		keep_owner(c, ddir, dname, &st, true);
		return 0;
	}
	if (S_ISFIFO(st.st_mode)) {
		clear_entry(ddir, dname);
		if (mknodat(ddir, dname, S_IFIFO | (st.st_mode & 07777), 0) < 0)
			return log_error_errno(-errno, "cp: cannot create fifo %s: %m", dname);
		return 0;
	}
	log_warn("cp: skipping %s: device nodes and sockets are not copied", sname);
	return 0;
}

/* Splits path into its parent and last component (copies); "dir/." means "contents". */
static int split(const char *path, char **ret_parent, char **ret_name, bool *ret_contents)
{
	cleanup_free char *p = strdup(path);
	if (!p)
		return -ENOMEM;
	size_t n = strlen(p);
	*ret_contents = n >= 2 && STREQ(p + n - 2, "/.");
	if (*ret_contents)
		p[n - 2] = 0;
	if (*ret_contents && !*p)
		strcpy(p, "/"); /* "/.": the root's contents */
	n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = 0;
	char *slash = strrchr(p, '/');
	if (!slash) {
		*ret_parent = strdup(".");
		*ret_name = strdup(p);
	} else if (slash == p) {
		*ret_parent = strdup("/");
		*ret_name = strdup(slash[1] ? slash + 1 : ".");
	} else {
		*slash = 0;
		*ret_parent = strdup(p);
		*ret_name = strdup(slash + 1);
	}
	return *ret_parent && *ret_name ? 0 : -ENOMEM;
}

/* The copy itself, given the container's root fd. */
static int copy_with_root(int rootfd, const char *host_path, const char *ctr_path, bool to_container, bool archive)
{
	struct cp c = {.archive = archive, .what = ctr_path};
	cleanup_free char *sparent = NULL, *sname = NULL;
	bool contents;
	const char *src = to_container ? host_path : ctr_path, *dst = to_container ? ctr_path : host_path;
	int r = split(src, &sparent, &sname, &contents);
	if (r < 0)
		return r;
	cleanup_close int sdir = to_container ? open(sparent, O_PATH | O_DIRECTORY | O_CLOEXEC)
					      : path_open_in_root(rootfd, sparent, O_PATH | O_DIRECTORY, 0);
	if (sdir < 0)
		return log_error_errno(sdir < 0 && to_container ? -errno : sdir, "cp: %s: %m", src);
	struct stat st;
	if (STREQ(sname, ".") || STREQ(sname, "/")) {
		/* The root itself: copy its contents. */
		free(sname);
		sname = strdup(".");
		contents = true;
	}
	if (fstatat(sdir, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return log_error_errno(-errno, "cp: %s: no such file or directory", src);
	bool src_dir = S_ISDIR(st.st_mode);
	size_t dl = strlen(dst);
	bool dst_slash = dl > 0 && dst[dl - 1] == '/';

	/* An existing directory at dst receives the source (or its contents). */
	int ddir = to_container ? path_open_in_root(rootfd, dst, O_PATH | O_DIRECTORY, 0)
				: open(dst, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ddir >= 0) {
		cleanup_close int dd = ddir;
		if (src_dir && contents) {
			cleanup_close int sfd = openat(sdir, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sfd < 0)
				return log_error_errno(-errno, "cp: %s: %m", src);
			return copy_dir_contents(&c, sfd, dd, 0);
		}
		return copy_node(&c, sdir, sname, dd, sname, 0);
	}
	if (!src_dir && dst_slash)
		return log_error_errno(-ENOENT, "cp: destination directory %s does not exist", dst);
	cleanup_free char *dparent = NULL, *dname = NULL;
	bool dcontents;
	r = split(dst, &dparent, &dname, &dcontents);
	if (r < 0)
		return r;
	cleanup_close int dpfd = to_container ? path_open_in_root(rootfd, dparent, O_PATH | O_DIRECTORY, 0)
					      : open(dparent, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dpfd < 0)
		return log_error_errno(to_container ? dpfd : -errno, "cp: destination directory %s: %m", dparent);
	return copy_node(&c, sdir, sname, dpfd, dname, 0);
}

/* Runs the copy in a child that joined pid's user namespace (rootless, running). */
static int copy_in_userns(pid_t pid, uint64_t start, int rootfd, const char *host, const char *ctr, bool to_ctr,
			  bool archive)
{
	fflush(stdout);
	pid_t c = fork();
	if (c < 0)
		return -errno;
	if (c == 0) {
		int r = ctr_join_userns(pid, start, false);
		if (r < 0) {
			log_error_errno(r, "cp: cannot enter the container's user namespace: %m");
			_exit(1);
		}
		_exit(copy_with_root(rootfd, host, ctr, to_ctr, archive) < 0 ? 1 : 0);
	}
	int st;
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

int ctr_cp(struct store *s, const struct ctr_record *rec, const char *host, const char *ctr, bool to_ctr, bool archive)
{
	if (ctr_proc_alive(rec->pid, rec->pid_start) && rec->state == CTR_RUNNING) {
		char p[64];
		snprintf(p, sizeof(p), "/proc/%d/root", (int)rec->pid);
		cleanup_close int rootfd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			return log_error_errno(-errno, "cp: cannot open the root of container %s: %m", rec->name);
		if (!ctr_proc_alive(rec->pid, rec->pid_start))
			return log_error_errno(-ESRCH, "cp: container %s stopped", rec->name);
		/* In the container's user namespace when it has its own ids: rootless always;
		 * rootful --userns=auto/--uidmap when copying in, so that the files belong to its
		 * root, not to nobody (copied out, they belong to the caller, as with docker). */
		if ((rec->rootless || (rec->idshift && to_ctr)) && !idmap_in_userns())
			return copy_in_userns(rec->pid, rec->pid_start, rootfd, host, ctr, to_ctr, archive);
		return copy_with_root(rootfd, host, ctr, to_ctr, archive);
	}
	/* Not running: its root filesystem, mounted for the copy (under the container lock, so
	 * a start cannot race us). */
	cleanup_close int lk = ctr_lock(s, rec->id);
	if (lk < 0)
		return log_error_errno(lk, "cp: no container %s", rec->name);
	if (!image_rootfs_exists(s, rec->id))
		return log_error_errno(-ENOENT, "cp: container %s has no root filesystem", rec->name);
	if (s->rootless && !idmap_in_userns()) {
		struct idmap m;
		int r = idmap_load(&m);
		if (r < 0)
			return r;
		fflush(stdout);
		pid_t c = idmap_fork(&m, true);
		if (c < 0)
			return (int)c;
		if (c == 0) {
			cleanup_free char *merged = NULL;
			if (image_rootfs_mount(s, rec->id, &merged) < 0)
				_exit(1);
			int rootfd = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (rootfd < 0)
				_exit(1);
			_exit(copy_with_root(rootfd, host, ctr, to_ctr, archive) < 0 ? 1 : 0);
		}
		r = idmap_wait(c);
		return r < 0 ? -EIO : 0;
	}
	cleanup_free char *merged = NULL;
	struct image_rootfs_info info = {0};
	bool was_mounted = false;
	if (image_rootfs_get(s, rec->id, &info) == 0) {
		struct stat a, b;
		cleanup_free char *parent = NULL;
		if (asprintf(&parent, "%s/..", info.path) >= 0 && stat(info.path, &a) == 0 && stat(parent, &b) == 0)
			was_mounted = a.st_dev != b.st_dev;
		image_rootfs_info_clear(&info);
	}
	int r = image_rootfs_mount(s, rec->id, &merged);
	if (r < 0)
		return r;
	int rootfd = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
	r = rootfd < 0 ? log_error_errno(-errno, "cp: cannot open %s: %m", merged)
		       : copy_with_root(rootfd, host, ctr, to_ctr, archive);
	safe_close(rootfd);
	if (!was_mounted)
		image_rootfs_umount(s, rec->id);
	return r;
}
