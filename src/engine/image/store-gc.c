/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The store's garbage collection and consistency check (store.h), and the references that
 * container root filesystems (rootfs/CID/rootfs.json) hold on images and layers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/image/store-internal.h"
#include "engine/image/store.h"
#include "engine/image/partial.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define cleanup_json CLEANUP(json_putp)

/* ---- container root filesystems' references (rootfs/CID/rootfs.json) ---- */

/* Calls fn for each recorded container root filesystem: its id, image id and layers. */
static int for_each_rootfs(struct store *s, int (*fn)(void *ud, const char *cid, const char *image, char **layers),
			   void *ud)
{
	cleanup_close int fd = openat(s->rootfd, "rootfs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	DIR *d = fdopendir(TAKE_FD(fd));
	if (!d)
		return -errno;
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d)) && r == 0) {
		if (de->d_name[0] == '.')
			continue;
		char rel[300];
		cleanup_free char *data = NULL;
		snprintf(rel, sizeof(rel), "%s/rootfs.json", de->d_name);
		if (fs_read_file_at(dirfd(d), rel, 1u << 20, &data, NULL) < 0)
			continue;
		cleanup_json json_object *o = json_tokener_parse(data);
		if (!o)
			continue;
		cleanup_free char *image = store_jstr(o, "image");
		cleanup_strv char **layers = store_jstrv(o, "layers");
		r = fn(ud, de->d_name, image, layers);
	}
	closedir(d);
	return r < 0 ? r : 0;
}

struct in_use {
	const char *id;
	char *container;
};

static int in_use_cb(void *ud, const char *cid, const char *image, char **layers)
{
	struct in_use *u = ud;
	if (image && STREQ(image, u->id)) {
		u->container = strdup(cid);
		return 1;
	}
	return 0;
}

bool store_image_in_use(struct store *s, const char *id, char **ret_container)
{
	struct in_use u = {id, NULL};
	for_each_rootfs(s, in_use_cb, &u);
	if (!u.container)
		return false;
	if (ret_container)
		*ret_container = u.container;
	else
		free(u.container);
	return true;
}

/* ---- garbage collection ---- */

struct refset {
	char **v;
	size_t n, cap;
};

static int refset_add(struct refset *s, const char *hex)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		char **nv = realloc(s->v, nc * sizeof(char *));
		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = nc;
	}
	s->v[s->n] = strdup(hex);
	return s->v[s->n++] ? 0 : -ENOMEM;
}

static bool refset_has(const struct refset *s, const char *hex)
{
	for (size_t i = 0; i < s->n; i++)
		if (STREQ(s->v[i], hex))
			return true;
	return false;
}

static void refset_clear(struct refset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	*s = (struct refset){0};
}

static int rootfs_layers_cb(void *ud, const char *cid, const char *image, char **layers)
{
	struct refset *set = ud;
	for (char **p = layers; p && *p; p++)
		if (digest_valid(*p))
			refset_add(set, digest_hex(*p));
	return 0;
}

static int collect_refs(struct store *s, const struct image_list *l, struct refset *layers, struct refset *blobs)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct image_record *r = &l->v[i];
		refset_add(blobs, digest_hex(r->manifest_digest));
		refset_add(blobs, digest_hex(r->config_digest));
		for (size_t j = 0; j < r->n_layers; j++) {
			refset_add(layers, digest_hex(r->layers[j].diff_id));
			if (r->layers[j].blob)
				refset_add(blobs, digest_hex(r->layers[j].blob));
		}
		/* Repo digests of an index (the digest a user pulled by) name a blob too. */
		for (char **d = r->digests; d && *d; d++) {
			const char *at = strrchr(*d, '@');
			if (at && digest_valid(at + 1))
				refset_add(blobs, digest_hex(at + 1));
		}
	}
	return for_each_rootfs(s, rootfs_layers_cb, layers);
}

/* Is the entry (layers/HEX or blobs/sha256/HEX) pinned by another process? */
static bool pinned(struct store *s, const char *rel, bool dir)
{
	int fd = openat(s->rootfd, rel, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool busy = flock(fd, LOCK_EX | LOCK_NB) < 0;
	close(fd);
	/* Our own pins are shared locks on other descriptions: they conflict too, as they
	 * should (this process still relies on them). */
	return busy;
}

int store_gc(struct store *s, const struct image_list *l, unsigned *ret_layers, unsigned *ret_blobs)
{
	struct refset layers = {0}, blobs = {0};
	unsigned nl = 0, nb = 0;
	int lfd = -EBADF, bfd = -EBADF;
	char *gcdir = NULL;
	int r = collect_refs(s, l, &layers, &blobs);
	if (r < 0)
		goto out;
	/* Layers: rename out of layers/ first (atomic), then remove at leisure. */
	lfd = openat(s->rootfd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = lfd >= 0 ? fdopendir(TAKE_FD(lfd)) : NULL;
	struct dirent *de;
	char **doomed = NULL;
	size_t nd = 0;
	while (d && (de = readdir(d))) {
		char rel[320];
		if (de->d_name[0] == '.' || refset_has(&layers, de->d_name))
			continue;
		snprintf(rel, sizeof(rel), "layers/%s", de->d_name);
		if (pinned(s, rel, true))
			continue;
		char **nv = realloc(doomed, (nd + 1) * sizeof(char *));
		if (!nv)
			break;
		doomed = nv;
		doomed[nd++] = strdup(de->d_name);
	}
	if (d)
		closedir(d);
	if (nd > 0 && store_tmp_mkdir(s, "gc", &gcdir) >= 0) {
		for (size_t i = 0; i < nd; i++) {
			char from[320], to[400];
			if (!doomed[i])
				continue;
			snprintf(from, sizeof(from), "layers/%s", doomed[i]);
			snprintf(to, sizeof(to), "%s/%s", gcdir, doomed[i]);
			if (renameat(s->rootfd, from, s->tmpfd, to) == 0)
				nl++;
		}
	}
	for (size_t i = 0; i < nd; i++)
		free(doomed[i]);
	free(doomed);
	/* Blobs */
	bfd = openat(s->rootfd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = bfd >= 0 ? fdopendir(TAKE_FD(bfd)) : NULL;
	while (d && (de = readdir(d))) {
		char rel[320];
		if (de->d_name[0] == '.' || refset_has(&blobs, de->d_name))
			continue;
		snprintf(rel, sizeof(rel), "blobs/sha256/%s", de->d_name);
		if (pinned(s, rel, false))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			nb++;
	}
	if (d)
		closedir(d);
	/* Interrupted downloads nobody resumed (partial.h). */
	partial_gc(s);
	/* Remove the renamed layers now, so disk space comes back before the command ends. */
	if (gcdir) {
		char rel[512];
		snprintf(rel, sizeof(rel), "%s/%s", s->tmpdir + strlen(s->root) + 1, gcdir);
		store_remove(s, rel);
	}
	if (ret_layers)
		*ret_layers = nl;
	if (ret_blobs)
		*ret_blobs = nb;
	r = 0;
out:
	free(gcdir);
	refset_clear(&layers);
	refset_clear(&blobs);
	return r;
}

/* ---- consistency check ---- */

static int check_blob_file(struct store *s, const char *hex, unsigned *problems)
{
	char rel[320], got[DIGEST_STRING_SIZE];
	snprintf(rel, sizeof(rel), "blobs/sha256/%s", hex);
	cleanup_close int fd = openat(s->rootfd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		printf("blob sha256:%s: cannot open: %s\n", hex, strerror(errno));
		(*problems)++;
		return 0;
	}
	struct sha256_ctx c;
	char buf[65536];
	ssize_t n;
	sha256_init(&c);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sha256_update(&c, buf, (size_t)n);
	digest_final(&c, got);
	if (n < 0 || !STREQ(got + 7, hex)) {
		printf("blob sha256:%s: content hashes to %s\n", hex, got);
		(*problems)++;
	}
	return 0;
}

int store_check(struct store *s)
{
	struct image_list l = {0};
	struct refset layers = {0}, blobs = {0};
	unsigned problems = 0;
	int r = store_lock(s, false);
	if (r < 0)
		return r;
	r = store_images_load(s, &l);
	if (r < 0) {
		printf("%s/images.json: unreadable or corrupt\n", s->root);
		store_unlock(s);
		return 1;
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct image_record *im = &l.v[i];
		if (!digest_is_hex_prefix(im->id) || strlen(im->id) != 64 ||
		    !STREQ(digest_hex(im->config_digest), im->id)) {
			printf("image %s: id does not match its config digest %s\n", im->id, im->config_digest);
			problems++;
		}
		for (size_t j = i + 1; j < l.n; j++) {
			if (STREQ(l.v[j].id, im->id)) {
				printf("image %s: recorded twice\n", im->id);
				problems++;
			}
			for (char **n = im->names; n && *n; n++)
				if (store_strv_contains(l.v[j].names, *n)) {
					printf("name %s: on two images (%.12s, %.12s)\n", *n, im->id, l.v[j].id);
					problems++;
				}
		}
		if (!store_blob_exists(s, im->manifest_digest)) {
			printf("image %.12s: manifest blob %s missing\n", im->id, im->manifest_digest);
			problems++;
		}
		if (!store_blob_exists(s, im->config_digest)) {
			printf("image %.12s: config blob %s missing\n", im->id, im->config_digest);
			problems++;
		}
		for (size_t j = 0; j < im->n_layers; j++) {
			if (!store_layer_exists(s, im->layers[j].diff_id)) {
				printf("image %.12s: layer %s missing\n", im->id, im->layers[j].diff_id);
				problems++;
			}
			if (im->layers[j].blob && !store_blob_exists(s, im->layers[j].blob)) {
				printf("image %.12s: layer blob %s missing\n", im->id, im->layers[j].blob);
				problems++;
			}
		}
	}
	collect_refs(s, &l, &layers, &blobs);
	/* Layers: every directory complete (layer.json + diff/), referenced or pinned. */
	DIR *d = NULL;
	int fd = openat(s->rootfd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && !(d = fdopendir(fd)))
		close(fd);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char rel[320];
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		if (!digest_is_hex_prefix(de->d_name) || strlen(de->d_name) != 64) {
			printf("layers/%s: not a layer directory name\n", de->d_name);
			problems++;
			continue;
		}
		snprintf(rel, sizeof(rel), "layers/%s/layer.json", de->d_name);
		if (fstatat(s->rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
			printf("layers/%s: layer.json missing (incomplete layer)\n", de->d_name);
			problems++;
		}
		snprintf(rel, sizeof(rel), "layers/%s/diff", de->d_name);
		if (fstatat(s->rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)) {
			printf("layers/%s: diff/ missing (incomplete layer)\n", de->d_name);
			problems++;
		}
		snprintf(rel, sizeof(rel), "layers/%s", de->d_name);
		if (!refset_has(&layers, de->d_name) && !pinned(s, rel, true)) {
			printf("layers/%s: referenced by no image or container (leaked)\n", de->d_name);
			problems++;
		}
	}
	if (d)
		closedir(d);
	d = NULL;
	fd = openat(s->rootfd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && !(d = fdopendir(fd)))
		close(fd);
	while (d && (de = readdir(d))) {
		char rel[320];
		if (de->d_name[0] == '.')
			continue;
		if (!digest_is_hex_prefix(de->d_name) || strlen(de->d_name) != 64) {
			printf("blobs/sha256/%s: not a digest\n", de->d_name);
			problems++;
			continue;
		}
		check_blob_file(s, de->d_name, &problems);
		snprintf(rel, sizeof(rel), "blobs/sha256/%s", de->d_name);
		if (!refset_has(&blobs, de->d_name) && !pinned(s, rel, false)) {
			printf("blobs/sha256/%s: referenced by no image (leaked)\n", de->d_name);
			problems++;
		}
	}
	if (d)
		closedir(d);
	/* Scratch dirs of dead processes must not linger (the next command removes them, and
	 * this one has already started: any left now belong to live processes). */
	d = NULL;
	fd = openat(s->rootfd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && !(d = fdopendir(fd)))
		close(fd);
	while (d && (de = readdir(d))) {
		char rel[300];
		if (de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "tmp/%s", de->d_name);
		if (s->tmpdir && STREQ(s->tmpdir + strlen(s->root) + 1, rel))
			continue;
		if (!pinned(s, rel, true)) {
			printf("tmp/%s: left by a dead process\n", de->d_name);
			problems++;
		}
	}
	if (d)
		closedir(d);
	store_unlock(s);
	image_list_clear(&l);
	refset_clear(&layers);
	refset_clear(&blobs);
	return (int)problems;
}
