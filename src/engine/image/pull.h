/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `kakuri pull`: resolve the reference, fetch manifest (selecting a platform from an
 * index), config and every missing layer, and record the image.
 *
 * Layers stream: all downloads run in parallel in one curl multi loop; each response body
 * is hashed (the blob digest), written to a scratch file (the blob the store keeps) and
 * fed through a pipe to that layer's unpacker process (layer.h), which decompresses,
 * computes the diff_id and extracts as the bytes arrive. Nothing is committed before both
 * digests check out. A layer already in the store is not downloaded again; a blob already
 * in the store is unpacked from there.
 *
 * Short names ("busybox") are tried against the search registries in order:
 * $KAKURI_SEARCH_REGISTRIES (comma-separated), else unqualified-search-registries from
 * $XDG_CONFIG_HOME/containers/registries.conf or /etc/containers/registries.conf, else
 * docker.io. "localhost/NAME" is never pulled: it names a local image. */
#pragma once

#include <stdbool.h>

#include "engine/image/store.h"

struct pull_opts {
	const char *platform; /* "os/arch[/variant]", NULL: this host */
	bool tls_verify;
	const char *authfile;
	bool quiet;
};

/* *ret_id optional (caller frees). */
int pull_image(struct store *s, const char *name, const struct pull_opts *o, char **ret_id);
