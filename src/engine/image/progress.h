/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-layer progress on stderr: on a terminal one redrawn line per layer (bar, bytes,
 * rate); otherwise one plain line per layer when it finishes ("Copying blob … done");
 * nothing when quiet. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct progress;

struct progress *progress_new(size_t n, bool quiet);
void progress_free(struct progress *p);
/* label: "blob sha256:0123456789ab"; total 0 if unknown. */
void progress_start(struct progress *p, size_t i, const char *label, uint64_t total);
void progress_update(struct progress *p, size_t i, uint64_t done);
/* Final state text: "done", "skipped: already exists", "failed". */
void progress_end(struct progress *p, size_t i, const char *state);
/* A plain message line (kept above the bars on a terminal). */
void progress_message(struct progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
