/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image-level operations on the store: committing a fetched or loaded image, removing,
 * tagging, pruning. Each takes the store lock itself. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "engine/image/manifest.h"
#include "engine/image/store.h"

/* Records an image whose layers are already committed (and pinned by this process):
 * stores the manifest and config blobs, then adds or updates its record with names (full
 * references, moved from other images) and repo digests. *ret_id optional (caller frees). */
int image_commit(struct store *s, const char *manifest, size_t manifest_len, const char *manifest_media_type,
		 const char *config, size_t config_len, const struct image_config *cfg, const struct layer_ref *layers,
		 size_t n_layers, char **names, char **digests, char **ret_id);

/* `rmi`: a name that is one of several of its image is untagged; otherwise the image is
 * removed (refused while a container uses it, or while it has other names when given by
 * ID, unless force). Then unreferenced layers and blobs are collected. Prints
 * "Untagged: NAME" / "Deleted: ID" lines. */
int image_remove(struct store *s, const char *ref, bool force);
/* `tag`: adds a full name (short names get localhost/) to the image ref names. */
int image_tag(struct store *s, const char *ref, const char *new_name);
/* `image prune`: removes images without names (all unused images with all), then GC. */
int image_prune(struct store *s, bool all, unsigned *ret_removed);
/* Normalises a user-given name for tag/import: short names get localhost/, a missing tag
 * "latest". -EINVAL (logged) for a malformed one. Caller frees. */
int image_normalize_name(const char *name, char **ret);
/* Reads the manifest and config of a stored image (caller frees both). */
int image_read_blobs(struct store *s, const struct image_record *r, char **ret_manifest, size_t *ret_mlen,
		     char **ret_config, size_t *ret_clen);
