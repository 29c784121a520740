/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Partial blob downloads, kept across processes so that an interrupted pull resumes with an
 * HTTP Range request: tmp/.partial/HEX holds the first bytes of blob sha256:HEX as they came
 * in. The dot name keeps clean_stale_tmp() and `system check` off it.
 *
 * Ownership: a process that writes a partial holds an exclusive flock on it for as long as
 * it does; a partial that cannot be locked belongs to a live pull and is not touched (the
 * second pull downloads into its own scratch dir instead). The flock goes with the process,
 * so a killed pull leaves an unlocked partial that the next pull of that blob takes over.
 * Nothing in a partial is trusted: the resuming pull hashes it again from the first byte and
 * the blob is committed only if the complete file has the right digest. */
#pragma once

#include <stdint.h>

#include "engine/image/store.h"

/* Maximum age of an unowned partial (by mtime) before partial_gc() removes it. */
#define PARTIAL_MAX_AGE_SEC (24 * 3600)

/* Opens (creating) the partial of digest, exclusively locked, for appending (O_APPEND).
 * Returns the fd (caller closes, which unlocks) with *ret_size the bytes already in it, or
 * -EBUSY if a live process owns it. */
int partial_open(struct store *s, const char *digest, uint64_t *ret_size);
/* Moves the partial of digest (its fd locked by us) into the scratch dir as tmpname, ready
 * for store_blob_commit(). Call with the store lock held. */
int partial_take(struct store *s, const char *digest, const char *tmpname);
/* Removes the partial of digest (its fd locked by us). */
void partial_remove(struct store *s, const char *digest);
/* Removes unowned partials older than PARTIAL_MAX_AGE_SEC, of a blob the store already has,
 * or with a name that is no digest. Call with the store lock held; returns how many. */
unsigned partial_gc(struct store *s);
