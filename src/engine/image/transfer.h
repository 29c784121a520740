/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Blob transfers of a pull: one curl easy handle per blob in a multi handle, at most
 * MAX_PARALLEL at once, each streamed through sha256 into its blob file and, when the layer
 * is unpacked on the fly, into the unpacker's pipe (buffered, the download paused while the
 * unpacker lags). Range requests continue a partial; a 401 on a blob re-authenticates once.
 * The pull logic (what to fetch, verification, commit) is in pull.c. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "engine/image/layer.h"
#include "engine/image/progress.h"
#include "engine/image/registry.h"
#include "lib/sha256.h"

#define MAX_PARALLEL 6L

struct xfer {
	size_t idx;
	const char *digest;
	int64_t size;
	CURL *h;
	int blob_fd;
	char blob_name[96];
	int pipe_fd; /* to the unpacker, -EBADF when not unpacking or closed */
	struct layer_job *job;
	struct sha256_ctx sha;
	uint64_t got;	 /* bytes of the blob in blob_fd (a resumed partial counts from 0) */
	uint64_t offset; /* where the current request starts (Range) */
	uint64_t session; /* bytes received by this process (for the test hook) */
	bool partial;	  /* blob_fd is tmp/.partial/HEX (partial.h), not a scratch file */
	bool keep;	  /* on failure, leave the partial for the next pull to resume */
	bool taken;	  /* the partial was moved to the scratch dir for committing */
	bool resumed;	  /* started from a partial: unpacked from the stored blob afterwards */
	bool unpack_after;
	bool want_restart, restarted; /* a resumed partial that did not verify */
	bool status_seen;
	int64_t range_start; /* of a 206's Content-Range, -1 if none */
	unsigned reauths;
	char *www_auth;
	uint64_t tar_bytes, entries; /* the unpacker's report */
	char *pend;
	size_t pend_len, pend_off, pend_cap;
	bool paused, done, failed;
	CURLcode code;
	char err[512];
	struct progress *prog;
};

/* A handle for the rest of x's blob: from x->got on (a Range request when > 0). */
int xfer_open_handle(struct xfer *x, struct registry *reg);
/* Runs every transfer that has a handle and is not done to completion. Returns 0, or -EIO
 * if any failed (its err is set). */
int xfer_run_all(struct xfer *xs, size_t n, struct registry *reg);
/* Tests: fail every transfer like a dropped connection after this many bytes (0: never). */
void xfer_set_test_abort(uint64_t bytes);
