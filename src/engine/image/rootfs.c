/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/image/rootfs-vfs.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define cleanup_json CLEANUP(json_putp)

const char *rootfs_driver_name(enum rootfs_driver d)
{
	switch (d) {
	case ROOTFS_OVERLAY:
		return "overlay";
	case ROOTFS_FUSE_OVERLAYFS:
		return "fuse-overlayfs";
	case ROOTFS_VFS:
		return "vfs";
	default:
		return "auto";
	}
}

int rootfs_driver_parse(const char *s, enum rootfs_driver *ret)
{
	static const enum rootfs_driver all[] = {ROOTFS_AUTO, ROOTFS_OVERLAY, ROOTFS_FUSE_OVERLAYFS, ROOTFS_VFS};
	for (size_t i = 0; i < ELEMENTSOF(all); i++)
		if (STREQ(s, rootfs_driver_name(all[i]))) {
			*ret = all[i];
			return 0;
		}
	return -EINVAL;
}

void image_rootfs_info_clear(struct image_rootfs_info *i)
{
	free(i->image_id);
	free(i->path);
	*i = (struct image_rootfs_info){0};
}

static bool cid_valid(const char *c)
{
	size_t n = strlen(c);
	if (n == 0 || n > 128 || c[0] == '.' || c[0] == '-' || c[0] == '_')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((c[i] >= 'a' && c[i] <= 'z') || (c[i] >= 'A' && c[i] <= 'Z') || (c[i] >= '0' && c[i] <= '9') ||
		      c[i] == '_' || c[i] == '.' || c[i] == '-'))
			return false;
	return true;
}

/* ---- the mount itself ---- */

/* lowerdir entries top first, as overlayfs wants them. */
static int layer_paths(struct store *s, char **layers, size_t n, char ***ret)
{
	char **v = calloc(n + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (store_layer_diff_path(s, layers[n - 1 - i], true, &v[i]) < 0) {
			cleanup_strvp(&v);
			return -ENOMEM;
		}
	*ret = v;
	return 0;
}

/* The new mount API with one "lowerdir+" per layer (Linux 6.8): no 4 KiB option limit. */
static int mount_overlay_fsconfig(char **lowers, const char *upper, const char *work, const char *target,
				  bool userxattr)
{
	cleanup_close int fs = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	for (char **l = lowers; *l; l++)
		if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", *l, 0) < 0)
			return -errno;
	if (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0 ||
	    (userxattr && fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0) ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	cleanup_close int mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		return -errno;
	if (move_mount(mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

/* mount(2): the option string must fit a page, so the lowerdirs are given relative to the
 * store root (we chdir there for the call and back). */
static int mount_overlay_legacy(struct store *s, char **lowers, const char *upper, const char *work, const char *target,
				bool userxattr)
{
	cleanup_free char *opts = NULL;
	size_t len = 64 + strlen(upper) + strlen(work), rl = strlen(s->root) + 1;
	for (char **l = lowers; *l; l++)
		len += strlen(*l) + 1;
	opts = malloc(len);
	if (!opts)
		return -ENOMEM;
	size_t o = (size_t)snprintf(opts, len, "lowerdir=");
	for (char **l = lowers; *l; l++)
		o += (size_t)snprintf(opts + o, len - o, "%s%s", l == lowers ? "" : ":", *l + rl);
	snprintf(opts + o, len - o, ",upperdir=%s,workdir=%s%s", upper, work, userxattr ? ",userxattr" : "");
	if (strlen(opts) >= 4096)
		return log_error_errno(-E2BIG,
				       "Too many layers for the overlay mount options of this kernel (Linux < 6.8)");
	cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fchdir(s->rootfd) < 0)
		return -errno;
	int r = mount("overlay", target, "overlay", 0, opts) < 0 ? -errno : 0;
	if (cwd >= 0 && fchdir(cwd) < 0)
		log_debug("could not return to the previous working directory");
	return r;
}

static int mount_overlay(struct store *s, char **lowers, const char *upper, const char *work, const char *target)
{
	bool ux = s->rootless;
	int r = mount_overlay_fsconfig(lowers, upper, work, target, ux);
	if (r == -ENOSYS || r == -EINVAL)
		r = mount_overlay_legacy(s, lowers, upper, work, target, ux);
	return r;
}

static int mount_fuse(char **lowers, const char *upper, const char *work, const char *target)
{
	cleanup_free char *opts = NULL;
	size_t len = 64 + strlen(upper) + strlen(work);
	for (char **l = lowers; *l; l++)
		len += strlen(*l) + 1;
	opts = malloc(len);
	if (!opts)
		return -ENOMEM;
	size_t o = (size_t)snprintf(opts, len, "lowerdir=");
	for (char **l = lowers; *l; l++)
		o += (size_t)snprintf(opts + o, len - o, "%s%s", l == lowers ? "" : ":", *l);
	snprintf(opts + o, len - o, ",upperdir=%s,workdir=%s", upper, work);
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execl("/usr/bin/fuse-overlayfs", "fuse-overlayfs", "-o", opts, target, (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

static bool is_mountpoint(const char *path)
{
	struct stat a, b;
	cleanup_free char *parent = NULL;
	if (asprintf(&parent, "%s/..", path) < 0 || stat(path, &a) < 0 || stat(parent, &b) < 0)
		return false;
	return a.st_dev != b.st_dev;
}

/* ---- driver detection ---- */

static bool kernel_at_least(int maj, int min)
{
	struct utsname u;
	int a = 0, b = 0;
	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return false;
	return a > maj || (a == maj && b >= min);
}

/* A test overlay mount in a throwaway mount namespace (the storage user namespace when
 * rootless): whether native overlay works here, for this user, on this filesystem. */
static bool probe_overlay(struct store *s)
{
	cleanup_free char *name = NULL, *base = NULL;
	const char *tmp;
	if (s->rootless && !kernel_at_least(5, 11))
		return false;
	if (store_tmp_mkdir(s, "probe", &name) < 0 || store_tmp(s, &tmp) < 0 || asprintf(&base, "%s/%s", tmp, name) < 0)
		return false;
	static const char *const sub[] = {"l", "u", "w", "m"};
	for (size_t i = 0; i < ELEMENTSOF(sub); i++) {
		char p[4200];
		snprintf(p, sizeof(p), "%s/%s", base, sub[i]);
		if (mkdir(p, 0700) < 0)
			return false;
	}
	pid_t pid = idmap_fork(&s->idmap, true);
	if (pid < 0)
		return false;
	if (pid == 0) {
		char l[4200], u[4200], w[4200], m[4200];
		snprintf(l, sizeof(l), "%s/l", base);
		snprintf(u, sizeof(u), "%s/u", base);
		snprintf(w, sizeof(w), "%s/w", base);
		snprintf(m, sizeof(m), "%s/m", base);
		char *lowers[2] = {l, NULL};
		_exit(mount_overlay(s, lowers, u, w, m) < 0 ? 1 : 0);
	}
	return idmap_wait(pid) == 0;
}

static enum rootfs_driver detect_driver(struct store *s)
{
	char cached[32] = "";
	cleanup_free char *data = NULL;
	if (fs_read_file_at(s->rootfd, "overlay-probe", 64, &data, NULL) == 0)
		snprintf(cached, sizeof(cached), "%s", data);
	bool overlay;
	if (STREQ(cached, "yes\n") || STREQ(cached, "no\n")) {
		overlay = cached[0] == 'y';
	} else {
		overlay = probe_overlay(s);
		cleanup_free char *p = NULL;
		if (asprintf(&p, "%s/overlay-probe", s->root) >= 0)
			fs_write_atomic(p, overlay ? "yes\n" : "no\n", overlay ? 4 : 3, 0600);
	}
	if (overlay)
		return ROOTFS_OVERLAY;
	if (access("/usr/bin/fuse-overlayfs", X_OK) == 0 && access("/dev/fuse", R_OK | W_OK) == 0)
		return ROOTFS_FUSE_OVERLAYFS;
	return ROOTFS_VFS;
}

/* ---- records ---- */

static int read_record(struct store *s, const char *cid, char **ret_image, char ***ret_layers,
		       enum rootfs_driver *ret_driver)
{
	char rel[300];
	cleanup_free char *data = NULL;
	snprintf(rel, sizeof(rel), "rootfs/%s/rootfs.json", cid);
	int r = fs_read_file_at(s->rootfd, rel, 1u << 20, &data, NULL);
	if (r == -ENOENT)
		return log_error_errno(r, "No container root filesystem '%s' in %s", cid, s->root);
	if (r < 0)
		return log_error_errno(r, "Cannot read %s/%s: %m", s->root, rel);
	cleanup_json json_object *o = json_tokener_parse(data);
	json_object *img, *layers, *drv;
	if (!o || !json_object_object_get_ex(o, "image", &img) || !json_object_object_get_ex(o, "layers", &layers) ||
	    !json_object_is_type(layers, json_type_array) || !json_object_object_get_ex(o, "driver", &drv))
		return log_error_errno(-EBADMSG, "%s/%s is corrupt", s->root, rel);
	size_t n = json_object_array_length(layers);
	char **v = calloc(n + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *d = json_object_get_string(json_object_array_get_idx(layers, i));
		if (!d || !digest_valid(d) || !(v[i] = strdup(d))) {
			cleanup_strvp(&v);
			return log_error_errno(-EBADMSG, "%s/%s: bad layer entry", s->root, rel);
		}
	}
	if (rootfs_driver_parse(json_object_get_string(drv), ret_driver) < 0) {
		cleanup_strvp(&v);
		return log_error_errno(-EBADMSG, "%s/%s: unknown driver", s->root, rel);
	}
	*ret_image = strdup(json_object_get_string(img));
	*ret_layers = v;
	return *ret_image ? 0 : -ENOMEM;
}

bool image_rootfs_exists(struct store *s, const char *cid)
{
	char rel[300];
	if (!cid_valid(cid))
		return false;
	snprintf(rel, sizeof(rel), "rootfs/%s/rootfs.json", cid);
	return faccessat(s->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int image_rootfs_get(struct store *s, const char *cid, struct image_rootfs_info *ret)
{
	cleanup_strv char **layers = NULL;
	char *image = NULL;
	enum rootfs_driver d;
	if (!cid_valid(cid))
		return log_error_errno(-EINVAL, "Invalid container id '%s'", cid);
	int r = read_record(s, cid, &image, &layers, &d);
	if (r < 0)
		return r;
	ret->image_id = image;
	ret->driver = d;
	if (asprintf(&ret->path, "%s/rootfs/%s/merged", s->root, cid) < 0) {
		image_rootfs_info_clear(ret);
		return -ENOMEM;
	}
	return 0;
}

int image_rootfs_create(struct store *s, const char *image, const char *cid, enum rootfs_driver driver,
			struct image_rootfs_info *ret)
{
	struct image_list l = {0};
	cleanup_free char *tmpname = NULL, *base = NULL;
	cleanup_json json_object *o = NULL;
	cleanup_close int fd = -EBADF;
	const char *tmp;
	char rel[300];
	int i, r;

	if (!cid_valid(cid))
		return log_error_errno(-EINVAL, "Invalid container id '%s'", cid);
	if (driver == ROOTFS_AUTO && getenv("KAKURI_STORAGE_DRIVER") &&
	    rootfs_driver_parse(getenv("KAKURI_STORAGE_DRIVER"), &driver) < 0)
		return log_error_errno(-EINVAL, "KAKURI_STORAGE_DRIVER: '%s' is not overlay, fuse-overlayfs or vfs",
				       getenv("KAKURI_STORAGE_DRIVER"));
	if (driver == ROOTFS_AUTO)
		driver = detect_driver(s);
	r = store_tmp_mkdir(s, "rootfs", &tmpname);
	if (r < 0)
		return r;
	store_tmp(s, &tmp);
	if (asprintf(&base, "%s/%s", tmp, tmpname) < 0)
		return -ENOMEM;
	static const char *const sub[] = {"upper", "work", "merged"};
	for (size_t k = 0; k < ELEMENTSOF(sub); k++) {
		snprintf(rel, sizeof(rel), "%s/%s", tmpname, sub[k]);
		if (mkdirat(s->tmpfd, rel, 0755) < 0)
			return log_error_errno(-errno, "Failed to create %s/%s: %m", base, sub[k]);
	}

	r = store_lock(s, true);
	if (r < 0)
		return r;
	r = store_images_load(s, &l);
	if (r < 0)
		goto out;
	i = image_list_find(&l, image);
	if (i < 0) {
		r = log_error_errno(-ENOENT, "%s: image not known", image);
		goto out;
	}
	const struct image_record *im = &l.v[i];
	o = json_object_new_object();
	json_object *layers = json_object_new_array();
	json_object_object_add(o, "image", json_object_new_string(im->id));
	for (size_t k = 0; k < im->n_layers; k++)
		json_object_array_add(layers, json_object_new_string(im->layers[k].diff_id));
	json_object_object_add(o, "layers", layers);
	json_object_object_add(o, "driver", json_object_new_string(rootfs_driver_name(driver)));
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	snprintf(rel, sizeof(rel), "%s/rootfs.json", tmpname);
	fd = openat(s->tmpfd, rel, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || fs_write_all(fd, text, strlen(text)) < 0) {
		r = log_error_errno(-errno, "Failed to write the root filesystem record: %m");
		goto out;
	}
	if (driver == ROOTFS_VFS) {
		cleanup_strv char **lowers = NULL;
		char **ids = calloc(im->n_layers + 1, sizeof(char *));
		if (!ids) {
			r = -ENOMEM;
			goto out;
		}
		for (size_t k = 0; k < im->n_layers; k++)
			ids[k] = im->layers[k].diff_id;
		r = layer_paths(s, ids, im->n_layers, &lowers);
		free(ids);
		if (r < 0)
			goto out;
		snprintf(rel, sizeof(rel), "%s/merged", base);
		r = rootfs_vfs_populate(s, lowers, rel);
		if (r < 0)
			goto out;
	}
	snprintf(rel, sizeof(rel), "rootfs/%s", cid);
	if (renameat2(s->tmpfd, tmpname, s->rootfd, rel, RENAME_NOREPLACE) < 0) {
		r = errno == EEXIST ? log_error_errno(-EEXIST, "A container root filesystem '%s' exists already", cid)
				    : log_error_errno(-errno, "Failed to create %s/%s: %m", s->root, rel);
		goto out;
	}
	if (ret) {
		ret->image_id = strdup(im->id);
		ret->driver = driver;
		if (!ret->image_id || asprintf(&ret->path, "%s/rootfs/%s/merged", s->root, cid) < 0) {
			image_rootfs_info_clear(ret);
			r = -ENOMEM;
		}
	}
out:
	image_list_clear(&l);
	store_unlock(s);
	if (r < 0) {
		char trel[300];
		snprintf(trel, sizeof(trel), "%s/%s", tmp + strlen(s->root) + 1, tmpname);
		store_remove(s, trel);
	}
	return r < 0 ? r : 0;
}

int image_rootfs_mount(struct store *s, const char *cid, char **ret_path)
{
	cleanup_strv char **layers = NULL, **lowers = NULL;
	cleanup_free char *image = NULL, *dir = NULL, *upper = NULL, *work = NULL, *merged = NULL;
	enum rootfs_driver d;
	if (!cid_valid(cid))
		return log_error_errno(-EINVAL, "Invalid container id '%s'", cid);
	int r = read_record(s, cid, &image, &layers, &d);
	if (r < 0)
		return r;
	if (asprintf(&dir, "%s/rootfs/%s", s->root, cid) < 0 || asprintf(&upper, "%s/upper", dir) < 0 ||
	    asprintf(&work, "%s/work", dir) < 0 || asprintf(&merged, "%s/merged", dir) < 0)
		return -ENOMEM;
	if (d != ROOTFS_VFS && !is_mountpoint(merged)) {
		if (s->rootless && !idmap_in_userns())
			return log_error_errno(-EPERM,
					       "Mounting a rootless container root filesystem needs the storage user "
					       "namespace: run it under `kakuri unshare`");
		size_t n = 0;
		while (layers[n])
			n++;
		r = layer_paths(s, layers, n, &lowers);
		if (r < 0)
			return r;
		if (n == 0) {
			/* An image without layers: an empty, read-write root. */
			r = mount(upper, merged, NULL, MS_BIND, NULL) < 0 ? -errno : 0;
		} else if (d == ROOTFS_OVERLAY) {
			r = mount_overlay(s, lowers, upper, work, merged);
		} else {
			r = mount_fuse(lowers, upper, work, merged);
		}
		if (r < 0)
			return log_error_errno(r, "Failed to mount the %s root filesystem of %s on %s: %m",
					       rootfs_driver_name(d), cid, merged);
	}
	if (ret_path)
		*ret_path = TAKE_PTR(merged);
	return 0;
}

int image_rootfs_umount(struct store *s, const char *cid)
{
	cleanup_free char *merged = NULL;
	if (!cid_valid(cid))
		return log_error_errno(-EINVAL, "Invalid container id '%s'", cid);
	if (asprintf(&merged, "%s/rootfs/%s/merged", s->root, cid) < 0)
		return -ENOMEM;
	while (is_mountpoint(merged))
		if (umount2(merged, 0) < 0 && umount2(merged, MNT_DETACH) < 0)
			return log_error_errno(-errno, "Failed to unmount %s: %m", merged);
	return 0;
}

int image_rootfs_remove(struct store *s, const char *cid)
{
	struct image_list l = {0};
	char rel[600], to[300];
	int r = image_rootfs_umount(s, cid);
	if (r < 0)
		return r;
	const char *tmp;
	int tfd = store_tmp(s, &tmp);
	if (tfd < 0)
		return tfd;
	r = store_lock(s, true);
	if (r < 0)
		return r;
	snprintf(rel, sizeof(rel), "rootfs/%s", cid);
	snprintf(to, sizeof(to), "gone-%s", cid);
	if (renameat(s->rootfd, rel, tfd, to) < 0) {
		r = errno == ENOENT ? log_error_errno(-ENOENT, "No container root filesystem '%s'", cid)
				    : log_error_errno(-errno, "Failed to remove %s/%s: %m", s->root, rel);
		store_unlock(s);
		return r;
	}
	store_unlock(s);
	snprintf(rel, sizeof(rel), "%s/%s", tmp + strlen(s->root) + 1, to);
	store_remove(s, rel);
	r = store_lock(s, true);
	if (r < 0)
		return r;
	r = store_images_load(s, &l);
	if (r >= 0)
		r = store_gc(s, &l, NULL, NULL);
	image_list_clear(&l);
	store_unlock(s);
	return r < 0 ? r : 0;
}
