/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image archives: `kakuri load`, `save` and `import`.
 *
 * load reads an OCI image layout (a directory, or a tar of one: "oci-archive") or a
 * docker-archive (`docker save` / `podman save` output: manifest.json, <id>.json,
 * <layer>/layer.tar). Archives may be compressed (gzip, zstd); an uncompressed archive on a
 * regular file is read in place (members are located once, then read with pread), anything
 * else is first decompressed into the store's scratch dir. Every blob is verified against
 * its digest, every layer against its diff_id, before anything is committed.
 *
 * save writes oci-archive (tar of an OCI layout), oci-dir (the layout as a directory) or
 * docker-archive; the output appears atomically (written beside it, then renamed). */
#pragma once

#include <stdbool.h>

#include "engine/image/store.h"

enum archive_format { ARCHIVE_OCI, ARCHIVE_OCI_DIR, ARCHIVE_DOCKER };

struct load_opts {
	const char *platform; /* "os/arch[/variant]" for multi-platform layouts, NULL: host */
	bool quiet;
};

/* Loads every image of the archive (for an index with several platforms: the one for
 * opts->platform). Prints "Loaded image: NAME" (or the ID when unnamed) per image. */
int archive_load(struct store *s, const char *path, const struct load_opts *o);
/* Saves the images refs[0..n) to path. */
int archive_save(struct store *s, char **refs, size_t n, const char *path, enum archive_format fmt);
/* Imports a root filesystem tarball (path, "-" for stdin) as a one-layer image named name
 * (NULL: unnamed). Prints the image ID. */
int archive_import(struct store *s, const char *path, const char *name, bool quiet);
