/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/path.h"
#include "runtime/mount.h"

static const struct {
	const char *path;
	unsigned major, minor;
} default_devices[] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},	   {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static const struct {
	const char *name, *target;
} default_links[] = {
    {"fd", "/proc/self/fd"},
    {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},
};

static mode_t device_type(char t)
{
	switch (t) {
	case 'c':
	case 'u':
		return S_IFCHR;
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default:
		return 0;
	}
}

static bool node_matches(const struct stat *st, mode_t type, dev_t rdev)
{
	return (st->st_mode & S_IFMT) == type && (type == S_IFIFO || st->st_rdev == rdev);
}

/* Open name below parentfd exactly (no symlink, no escaping). */
static int open_child(int parentfd, const char *name)
{
	return path_open_in_root(parentfd, name, O_PATH | O_NOFOLLOW, 0);
}

/* mknod name in parentfd; an existing entry is kept if it is already the right node,
 * otherwise replaced (an image may ship /dev/null as a regular file or a symlink). */
static int make_node(int parentfd, const char *name, mode_t type, mode_t mode, dev_t rdev)
{
	struct stat st;

	if (mknodat(parentfd, name, type | mode, rdev) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (fstatat(parentfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (node_matches(&st, type, rdev))
		return 0;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (unlinkat(parentfd, name, 0) < 0)
		return -errno;
	if (mknodat(parentfd, name, type | mode, rdev) < 0)
		return -errno;
	return 0;
}

static int set_mode_owner(int fd, mode_t mode, const struct oci_device *d)
{
	char path[PATH_PROC_FD_MAX];

	/* mknod applied the umask; chmod through the fd's magic link (O_PATH fds cannot be
	 * fchmod'ed) sets exactly fileMode on exactly this node. */
	path_proc_fd(fd, path);
	if (chmod(path, mode) < 0)
		return -errno;
	if (d && (d->has_uid || d->has_gid))
		if (fchownat(fd, "", d->has_uid ? d->uid : (uid_t)-1, d->has_gid ? d->gid : (gid_t)-1, AT_EMPTY_PATH) <
		    0)
			return -errno;
	return 0;
}

/* In a user namespace: bind the host's node of the same path onto an empty file. */
static int bind_host_node(int parentfd, const char *name, const char *host_path, mode_t type, dev_t rdev,
			  const char *field)
{
	cleanup_close int hostfd = open(host_path, O_PATH | O_CLOEXEC);
	cleanup_close int dstfd = -EBADF;
	struct stat st;
	int r;

	if (hostfd < 0 || fstat(hostfd, &st) < 0)
		return log_error_errno(-errno,
				       "%s '%s': cannot create devices in a user namespace and the "
				       "host has no such device to bind: %m",
				       field, host_path);
	if (!node_matches(&st, type, rdev))
		return log_error_errno(-ENODEV,
				       "%s '%s': cannot create devices in a user namespace and the "
				       "host's %s is not device %u:%u",
				       field, host_path, host_path, major(rdev), minor(rdev));
	/* Any non-directory the image has there (a node, or a symlink that could point
	 * anywhere) is replaced by our empty file. */
	if (fstatat(parentfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) &&
	    unlinkat(parentfd, name, 0) < 0)
		return log_error_errno(-errno, "%s '%s': removing the image's entry failed: %m", field, host_path);
	if (mknodat(parentfd, name, S_IFREG | 0600, 0) < 0 && errno != EEXIST)
		return log_error_errno(-errno, "%s '%s': creating the bind target failed: %m", field, host_path);
	dstfd = open_child(parentfd, name);
	if (dstfd < 0)
		return log_error_errno(dstfd, "%s '%s': opening the bind target failed: %m", field, host_path);
	if (fstat(dstfd, &st) < 0 || !S_ISREG(st.st_mode))
		return log_error_errno(-EEXIST, "%s '%s': the image has a directory there", field, host_path);
	r = mount_bind_fd(hostfd, dstfd, false);
	if (r < 0)
		return log_error_errno(r, "%s '%s': bind mount of the host's device failed: %m", field, host_path);
	return 0;
}

static int create_node(int rootfd, const char *path, mode_t type, mode_t mode, dev_t rdev, const struct oci_device *d,
		       const char *field, bool in_userns)
{
	cleanup_close int parentfd = -EBADF, fd = -EBADF;
	cleanup_free char *name = NULL;
	const char *n;
	size_t nlen;
	struct stat st;
	int r;

	parentfd = path_open_parent_in_root(rootfd, path, true, 0755, &n, &nlen);
	if (parentfd < 0)
		return log_error_errno(parentfd, "%s '%s': cannot create its directory in the container: %m", field,
				       path);
	name = strndup(n, nlen);
	if (!name)
		return log_error_errno(-ENOMEM, "Out of memory");

	if (in_userns && type != S_IFIFO)
		return bind_host_node(parentfd, name, path, type, rdev, field);

	r = make_node(parentfd, name, type, mode, rdev);
	if (r < 0)
		return log_error_errno(r, "%s '%s': mknod failed: %m", field, path);
	fd = open_child(parentfd, name);
	if (fd < 0 || fstat(fd, &st) < 0)
		return log_error_errno(fd < 0 ? fd : -errno, "%s '%s': opening the new node failed: %m", field, path);
	if (!node_matches(&st, type, rdev))
		return log_error_errno(-EEXIST, "%s '%s': the node changed while it was being created", field, path);
	r = set_mode_owner(fd, mode, d);
	if (r < 0)
		return log_error_errno(r, "%s '%s': setting its mode/owner failed: %m", field, path);
	return 0;
}

int devices_create(int rootfd, const struct oci_device *d, const char *field, bool in_userns)
{
	mode_t type = device_type(d->type);

	if (!d->path || d->path[0] != '/' || path_escapes(d->path))
		return log_error_errno(-EINVAL, "%s: path '%s' must be absolute without '..' escaping", field,
				       d->path ? d->path : "");
	if (!type)
		return log_error_errno(-EINVAL, "%s '%s': unknown type '%c' (want c, b, u or p)", field, d->path,
				       d->type ? d->type : '?');
	if (d->major < 0 || d->minor < 0 || d->major > 0xfff || d->minor > 0xfffff)
		return log_error_errno(-EINVAL, "%s '%s': invalid device number %lld:%lld", field, d->path,
				       (long long)d->major, (long long)d->minor);
	return create_node(rootfd, d->path, type, d->has_file_mode ? d->file_mode & 07777 : 0666,
			   type == S_IFIFO ? 0 : makedev((unsigned)d->major, (unsigned)d->minor), d, field, in_userns);
}

int devices_setup_spec(int rootfd, const struct oci_linux *lnx, bool in_userns)
{
	for (size_t i = 0; lnx && i < lnx->n_devices; i++) {
		char field[64];
		snprintf(field, sizeof(field), "linux.devices[%zu]", i);
		int r = devices_create(rootfd, &lnx->devices[i], field, in_userns);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool listed_in_spec(const struct oci_linux *lnx, const char *path)
{
	for (size_t i = 0; lnx && i < lnx->n_devices; i++) {
		cleanup_free char *norm = NULL;
		if (lnx->devices[i].path && path_normalize(lnx->devices[i].path, &norm) == 0 && STREQ(norm, path))
			return true;
	}
	return false;
}

static int setup_links(int devfd)
{
	for (size_t i = 0; i < ELEMENTSOF(default_links); i++)
		if (symlinkat(default_links[i].target, devfd, default_links[i].name) < 0 && errno != EEXIST)
			return log_error_errno(-errno, "creating /dev/%s -> %s failed: %m", default_links[i].name,
					       default_links[i].target);

	/* /dev/ptmx must lead to the container's devpts instance, never to a ptmx node the
	 * image (or the host's /dev) provides. */
	if (unlinkat(devfd, "ptmx", 0) < 0 && errno != ENOENT)
		return log_error_errno(-errno, "removing the image's /dev/ptmx failed: %m");
	if (symlinkat("pts/ptmx", devfd, "ptmx") < 0)
		return log_error_errno(-errno, "creating /dev/ptmx -> pts/ptmx failed: %m");
	return 0;
}

static int setup_shm(int devfd)
{
	cleanup_close int fd = -EBADF;
	char path[PATH_PROC_FD_MAX];

	if (mkdirat(devfd, "shm", 01777) < 0) {
		if (errno == EEXIST)
			return 0;
		return log_error_errno(-errno, "creating /dev/shm failed: %m");
	}
	fd = path_open_in_root(devfd, "shm", O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
	path_proc_fd(fd, path);
	if (fd < 0 || chmod(path, 01777) < 0)
		return log_error_errno(fd < 0 ? fd : -errno, "setting the mode of /dev/shm failed: %m");
	return 0;
}

int devices_setup_defaults(int rootfd, const struct oci_linux *lnx, bool in_userns, bool terminal)
{
	cleanup_close int devfd = path_mkdir_p_in_root(rootfd, "/dev", 0755);
	int r;

	if (devfd < 0)
		return log_error_errno(devfd, "creating /dev in the container failed: %m");

	for (size_t i = 0; i < ELEMENTSOF(default_devices); i++) {
		const char *p = default_devices[i].path;
		dev_t rdev = makedev(default_devices[i].major, default_devices[i].minor);
		if (listed_in_spec(lnx, p))
			continue;
		r = create_node(rootfd, p, S_IFCHR, 0666, rdev, NULL, "default device", in_userns);
		if (r < 0)
			return r;
	}
	r = setup_links(devfd);
	if (r < 0)
		return r;
	r = setup_shm(devfd);
	if (r < 0)
		return r;
	if (terminal) {
		/* The console bind mount (after pivot) needs a target; an image's own console
		 * node is fine as a target too. */
		cleanup_close int fd = path_mkfile_in_root(rootfd, "/dev/console", 0600);
		if (fd < 0)
			return log_error_errno(fd, "creating /dev/console failed: %m");
	}
	return 0;
}
