/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The image store: content-addressed blobs, unpacked layers shared between images, image
 * records. Layout under the root (root: /var/lib/kakuri; rootless: $XDG_DATA_HOME/kakuri or
 * ~/.local/share/kakuri; --root overrides):
 *
 *   storage.lock                 flock: exclusive for every change, shared for reads
 *   images.json                  all image records, replaced atomically (write + rename)
 *   blobs/sha256/HEX             manifests, configs and layer blobs as pulled/loaded
 *   layers/HEX/diff/             the layer with diff_id sha256:HEX, unpacked in overlay form
 *   layers/HEX/layer.json        {"diff_id", "size", "entries", "created"}
 *   rootfs/CID/                  container root filesystems (rootfs.h)
 *   tmp/PID-XXXXXX/              one per running kakuri process, flocked while it lives
 *
 * Crash safety: everything is built in the process's tmp dir and renamed into place only
 * when complete (a blob after its digest is verified, a layer after its diff_id is), and
 * images.json is replaced in one rename, last. A killed process leaves only its tmp dir,
 * whose flock is gone: the next kakuri command removes it. Removing a layer renames it into
 * tmp first, so no half-removed layer is ever visible under layers/.
 *
 * Concurrency: the store lock is held only for short critical sections (reading the
 * records, committing, garbage collection), never across a download. A command that relies
 * on a layer or blob being present pins it (a shared flock on it, taken under the store
 * lock); garbage collection skips anything pinned, so a parallel `rmi` cannot pull a layer
 * out from under a pull that decided not to download it.
 *
 * Rootless, layer contents belong to subordinate ids: writes and removals below layers/,
 * rootfs/ and tmp/ run in the storage user namespace (idmap.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/image/digest.h"
#include "engine/image/idmap.h"
#include "lib/cleanup.h"

struct store {
	char *root;
	int rootfd;
	int lockfd;
	int lock_depth;
	bool rootless;
	struct idmap idmap; /* rootless only */
	char *tmpdir;	    /* this process's dir under tmp/ (absolute), created on first use */
	int tmpfd;
	int *pins;
	size_t n_pins;
};

struct layer_ref {
	char *diff_id;	  /* sha256:… of the uncompressed tar */
	char *blob;	  /* sha256:… of the blob as listed in the manifest */
	char *media_type; /* of the blob */
	int64_t blob_size;
};

struct image_record {
	char *id;		   /* hex of the config digest */
	char *manifest_digest;	   /* sha256:… */
	char *manifest_media_type; /* MT_OCI_MANIFEST or MT_DOCKER_MANIFEST */
	char *config_digest;	   /* sha256:… */
	char **names;		   /* strv of "registry/repo:tag", may be empty */
	char **digests;		   /* strv of "registry/repo@sha256:…" */
	struct layer_ref *layers;
	size_t n_layers;
	char *os, *arch, *variant;
	int64_t created; /* when it was stored (seconds since the epoch) */
	int64_t size;	 /* uncompressed bytes of all layers */
};

struct image_list {
	struct image_record *v;
	size_t n;
};

/* The default root for this user (caller frees). */
int store_default_root(char **ret);
/* Opens (creating) the store at root (NULL: the default). Takes the lock briefly to remove
 * what dead processes left in tmp/. */
int store_open(const char *root, struct store **ret);
/* Releases pins, removes this process's tmp dir, closes everything. NULL-safe. */
void store_free(struct store *s);

static inline void store_freep(struct store **s)
{
	store_free(*s);
}
#define cleanup_store CLEANUP(store_freep)

/* flock on storage.lock; nests (only the outermost call locks/unlocks). */
int store_lock(struct store *s, bool exclusive);
void store_unlock(struct store *s);

/* This process's scratch dir (created, flocked). Returns an fd the store owns. */
int store_tmp(struct store *s, const char **ret_path);
/* Makes a fresh directory prefix-XXXXXX in the scratch dir; *ret_name is its name there
 * (caller frees). */
int store_tmp_mkdir(struct store *s, const char *prefix, char **ret_name);
/* rm -rf of a path relative to the root (in the storage user namespace when rootless). */
int store_remove(struct store *s, const char *relpath);

/* ---- blobs ---- */
int store_blob_path(const struct store *s, const char *digest, char **ret);
bool store_blob_exists(const struct store *s, const char *digest);
/* Reads a (small) blob fully and verifies its digest. */
int store_blob_read(const struct store *s, const char *digest, size_t max, char **ret, size_t *ret_len);
/* Moves the verified file tmp/…/name (relative to the scratch dir) to blobs/. An existing
 * blob of that digest wins (same content by definition). */
int store_blob_commit(struct store *s, const char *tmpname, const char *digest);
/* Writes data as a blob (digest computed). ret_digest optional. */
int store_blob_write(struct store *s, const void *data, size_t len, char ret_digest[DIGEST_STRING_SIZE]);

/* ---- layers ---- */
bool store_layer_exists(const struct store *s, const char *diff_id);
/* "layers/HEX/diff" for diff_id (caller frees); absolute when abs. */
int store_layer_diff_path(const struct store *s, const char *diff_id, bool abs, char **ret);
/* Moves tmp/…/tmpname (containing diff/) to layers/HEX and writes its layer.json. An
 * existing layer wins and ours is removed. */
int store_layer_commit(struct store *s, const char *tmpname, const char *diff_id, uint64_t size, uint64_t entries);

/* Shared flock on layers/HEX or blobs/sha256/HEX until store_free(); call with the store
 * lock held. -ENOENT if it is gone. */
int store_pin_layer(struct store *s, const char *diff_id);
int store_pin_blob(struct store *s, const char *digest);

/* ---- image records (call with the lock held) ---- */
int store_images_load(struct store *s, struct image_list *ret);
int store_images_save(struct store *s, const struct image_list *l);
void image_list_clear(struct image_list *l);
void image_record_clear(struct image_record *r);
/* Finds an image by ID or unique ID prefix (≥ 4 hex digits), "sha256:ID", full name,
 * short name (tried as localhost/NAME and docker.io[/library]/NAME, tag "latest" when none
 * is given), or NAME@DIGEST / a repo digest. Returns the index, -ENOENT, or -EEXIST for an
 * ambiguous ID prefix. */
int image_list_find(const struct image_list *l, const char *ref);
/* Adds name to image i, removing it from any other image first. */
int image_list_add_name(struct image_list *l, size_t i, const char *name);
int image_list_add_digest(struct image_list *l, size_t i, const char *repo_digest);
/* Inserts or replaces (same id) a record; takes ownership of *r (cleared). Names of r
 * move from other images to it. Returns the index. */
int image_list_put(struct image_list *l, struct image_record *r);

/* Removes every layer and blob that no image and no container root filesystem refers to
 * and that nothing pins. Lock held exclusively. ret_* optional counts. */
int store_gc(struct store *s, const struct image_list *l, unsigned *ret_layers, unsigned *ret_blobs);

/* Consistency check for `kakuri system check`: prints one line per problem to stdout;
 * returns the number of problems (0: consistent) or -errno. Verifies every blob's digest. */
int store_check(struct store *s);

/* Container root filesystems recorded under rootfs/ refer to images: does any use id? */
bool store_image_in_use(struct store *s, const char *id, char **ret_container);
