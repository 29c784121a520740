/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/mountinfo.h"
#include "lib/path.h"
#include "runtime/devices.h"
#include "runtime/lsm.h"
#include "runtime/masks.h"
#include "runtime/mount.h"
#include "runtime/sysctl.h"

/* linux.rootfsPropagation as the MS_* type, recursive. *ret_set says whether it was given.
 * The default is rslave: host mounts still propagate in, nothing we do propagates out. */
static int root_propagation(const struct rootfs_ctx *ctx, unsigned long *ret, bool *ret_set)
{
	const char *s = ctx->spec->linux_.rootfs_propagation;
	unsigned long f;

	*ret_set = s && *s;
	if (!*ret_set) {
		*ret = MS_SLAVE | MS_REC;
		return 0;
	}
	if (mount_propagation_parse(s, &f) < 0)
		return log_error_errno(-EINVAL,
				       "linux.rootfsPropagation: '%s' is not one of shared, slave, "
				       "private, unbindable",
				       s);
	*ret = f | MS_REC;
	return 0;
}

static bool is_dev_destination(const char *dest)
{
	cleanup_free char *norm = NULL;
	return dest && path_normalize(dest, &norm) == 0 && (STREQ(norm, "/dev") || STREQ(norm, "dev"));
}

/* The spec bind-mounts something (the host's /dev, typically --privileged setups) on /dev:
 * then, like runc, we do not create device nodes in it. */
static bool dev_is_bind(const struct oci_spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct oci_mount *m = &spec->mounts[i];
		if (!is_dev_destination(m->destination))
			continue;
		if (m->type && STREQ(m->type, "bind"))
			return true;
		for (char **o = m->options; o && *o; o++)
			if (STREQ(*o, "bind") || STREQ(*o, "rbind"))
				return true;
	}
	return false;
}

static bool mount_has_option(const struct oci_mount *m, const char *opt)
{
	bool on = false;
	for (char **o = m->options; o && *o; o++) {
		if (STREQ(*o, opt))
			on = true;
		else if (STREQ(opt, "ro") && STREQ(*o, "rw"))
			on = false;
	}
	return on;
}

/* With shared propagation, the mount that holds the rootfs may be a peer of a host mount:
 * binding the rootfs onto itself would then propagate to the host, and pivot_root refuses
 * a shared parent. Make just that mount private (in our namespace only), as runc does. */
static int make_rootfs_parent_private(const char *rootfs)
{
	struct mountinfo mi = {0};
	struct statx stx;
	int r = 0;

	if (statx(AT_FDCWD, rootfs, 0, STATX_MNT_ID, &stx) < 0)
		return log_error_errno(-errno, "root.path '%s': statx failed: %m", rootfs);
	r = mountinfo_read(NULL, &mi);
	if (r < 0)
		return log_error_errno(r, "reading /proc/self/mountinfo failed: %m");
	const struct mountinfo_entry *e = mountinfo_find_id(&mi, (int)stx.stx_mnt_id);
	if (e && mountinfo_has_tag(e, "shared") && mount(NULL, e->mountpoint, NULL, MS_PRIVATE, NULL) < 0)
		r = log_error_errno(-errno, "making '%s' (the mount holding the rootfs) private failed: %m",
				    e->mountpoint);
	mountinfo_done(&mi);
	return r;
}

int rootfs_prepare(const struct rootfs_ctx *ctx)
{
	const struct oci_spec *spec = ctx->spec;
	cleanup_close int rootfd = -EBADF;
	unsigned long prop;
	bool prop_set;
	int r;

	r = root_propagation(ctx, &prop, &prop_set);
	if (r < 0)
		return r;
	/* An unbindable "/" would make the rootfs bind below fail: private now, unbindable
	 * in rootfs_finalize(). */
	if (prop & MS_UNBINDABLE)
		prop = MS_PRIVATE | MS_REC;
	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return log_error_errno(-errno, "Failed to set the mount propagation of '/': %m");
	if (prop & MS_SHARED) {
		r = make_rootfs_parent_private(ctx->rootfs);
		if (r < 0)
			return r;
	}

	/* pivot_root needs the new root to be a mount point; the recursive bind also keeps
	 * mounts the engine made inside the rootfs. */
	if (mount(ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return log_error_errno(-errno, "root.path '%s': bind mount onto itself failed: %m", ctx->rootfs);
	rootfd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return log_error_errno(-errno, "root.path '%s': %m", ctx->rootfs);

	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct oci_mount *m = &spec->mounts[i];
		cleanup_strv char **labeled_opts = NULL;
		struct oci_mount labeled;
		unsigned flags = ctx->in_userns ? MOUNT_APPLY_IN_USERNS : 0;
		/* A read-only /dev still needs its device nodes: rootfs_finalize() makes it ro. */
		if (is_dev_destination(m->destination) && mount_has_option(m, "ro"))
			flags |= MOUNT_APPLY_DEFER_RDONLY;
		/* linux.mountLabel (set only when SELinux is active): context="…" on the mount. */
		if (lsm_mount_options(m, ctx->mount_label, &labeled_opts) < 0)
			return log_error_errno(-ENOMEM, "Out of memory");
		if (labeled_opts) {
			labeled = *m;
			labeled.options = labeled_opts;
			m = &labeled;
		}
		r = mount_apply_full(rootfd, m, i, ctx->bundle, flags);
		if (r < 0)
			return r;
	}

	if (!dev_is_bind(spec)) {
		r = devices_setup_defaults(rootfd, &spec->linux_, ctx->in_userns, ctx->terminal);
		if (r < 0)
			return r;
	}
	return devices_setup_spec(rootfd, &spec->linux_, ctx->in_userns);
}

static int move_root(int rootfd, const char *rootfs)
{
	/* --no-pivot (e.g. a ramfs root, where pivot_root is impossible). Moving the root onto
	 * "/" before chroot makes the classic chroot escape end in the moved root again (".."
	 * at "/" follows the mount stacked there; tested in rootfs.sh), but the old root and
	 * every host mount on it stay in the mount namespace below it, for anything that finds
	 * a way there (an fd opened before, a kernel bug): pivot_root + detach is the default. */
	if (fchdir(rootfd) < 0)
		return log_error_errno(-errno, "chdir into root.path '%s' failed: %m", rootfs);
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return log_error_errno(-errno, "moving root.path '%s' to / failed: %m", rootfs);
	if (chroot(".") < 0)
		return log_error_errno(-errno, "chroot into root.path '%s' failed: %m", rootfs);
	if (chdir("/") < 0)
		return log_error_errno(-errno, "chdir / failed: %m");
	return 0;
}

int rootfs_pivot(const struct rootfs_ctx *ctx)
{
	cleanup_close int rootfd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	unsigned long prop;
	bool prop_set;
	int r;

	if (rootfd < 0)
		return log_error_errno(-errno, "root.path '%s': %m", ctx->rootfs);
	if (ctx->no_pivot)
		return move_root(rootfd, ctx->rootfs);

	r = root_propagation(ctx, &prop, &prop_set);
	if (r < 0)
		return r;
	/* pivot_root(2) refuses a shared current root; it is detached right after anyway.
	 * The new root's own propagation is restored by rootfs_finalize(). */
	if (prop & MS_SHARED) {
		char path[PATH_PROC_FD_MAX];
		path_proc_fd(rootfd, path);
		if (mount(NULL, "/", NULL, MS_PRIVATE, NULL) < 0 || mount(NULL, path, NULL, MS_PRIVATE, NULL) < 0)
			return log_error_errno(-errno, "making the old and new root private for pivot_root failed: %m");
	}

	/* pivot_root(".", ".") stacks the old root on top of the new one at "/", so no
	 * directory for it is needed inside the image; then we detach it from here. */
	if (fchdir(rootfd) < 0)
		return log_error_errno(-errno, "chdir into root.path '%s' failed: %m", ctx->rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return log_error_errno(-errno,
				       "pivot_root into root.path '%s' failed: %m (a rootfs on "
				       "ramfs needs --no-pivot)",
				       ctx->rootfs);
	/* Make the old root a slave first: with shared mounts still in it, the unmount
	 * would otherwise propagate to the host and unmount things there. */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return log_error_errno(-errno, "making the old root a slave failed: %m");
	if (umount2(".", MNT_DETACH) < 0)
		return log_error_errno(-errno, "detaching the old root failed: %m");
	if (chdir("/") < 0)
		return log_error_errno(-errno, "chdir / failed: %m");
	return 0;
}

/* The /dev mount deferred to read-only by rootfs_prepare(). */
static int remount_dev_ro(int rootfd, const struct oci_spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct oci_mount *m = &spec->mounts[i];
		if (!is_dev_destination(m->destination) || !mount_has_option(m, "ro"))
			continue;
		cleanup_close int fd = path_open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY, 0);
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
		/* On the fd, not via /proc/self/fd/N: after pivot_root that path goes through
		 * the container's /proc, which a config mount can fake (CVE-2025-52881). */
		int r = fd < 0 ? fd : mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0 ? -errno : 0;
		if (r < 0)
			return log_error_errno(r, "mounts[%zu] (destination '%s'): remounting read-only failed: %m", i,
					       m->destination);
	}
	return 0;
}

/* root.readonly: remount "/" MS_RDONLY, repeating the flags the rootfs mount has (a user
 * namespace locks nosuid/nodev/… of a rootfs inherited from the host). Done on the "/"
 * path rather than /proc/self/fd so it works without /proc in the container. */
static int remount_root_ro(int rootfd)
{
	unsigned long cur;
	int r = mount_fd_flags(rootfd, &cur);

	if (r < 0)
		return log_error_errno(r, "root.readonly: statvfs of / failed: %m");
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | cur, NULL) < 0)
		return log_error_errno(-errno, "root.readonly: remounting / read-only failed: %m");
	return 0;
}

int rootfs_finalize(const struct rootfs_ctx *ctx)
{
	const struct oci_spec *spec = ctx->spec;
	cleanup_close int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	unsigned long prop;
	bool prop_set;
	int r;

	if (rootfd < 0)
		return log_error_errno(-errno, "opening / failed: %m");
	r = sysctl_apply(&spec->linux_);
	if (r < 0)
		return r;
	r = masks_apply_readonly(rootfd, spec->linux_.readonly_paths);
	if (r < 0)
		return r;
	r = masks_apply_masked(rootfd, spec->linux_.masked_paths);
	if (r < 0)
		return r;
	r = remount_dev_ro(rootfd, spec);
	if (r < 0)
		return r;
	if (spec->root_readonly) {
		r = remount_root_ro(rootfd);
		if (r < 0)
			return r;
	}
	r = root_propagation(ctx, &prop, &prop_set);
	if (r < 0)
		return r;
	if (prop_set && mount(NULL, "/", NULL, prop, NULL) < 0)
		return log_error_errno(-errno, "linux.rootfsPropagation '%s': setting it on / failed: %m",
				       spec->linux_.rootfs_propagation);
	return 0;
}
