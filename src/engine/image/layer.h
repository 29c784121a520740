/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Layer unpack jobs: each layer is extracted by its own child process (in the storage user
 * namespace when rootless, see idmap.h), reading the blob from a pipe (streamed from the
 * network) or a file region (an archive, a stored blob). Separate processes give parallel
 * decompression for free and keep the decompressors, which parse hostile input, away from
 * the process that holds registry credentials.
 *
 * The child writes into the scratch dir of the store (tmp/…/layer-XXXXXX/diff); the parent
 * verifies the digests it reports and commits the directory with store_layer_commit(), or
 * removes it. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "engine/image/store.h"
#include "engine/image/unpack.h"

struct layer_job {
	pid_t pid;
	int result_fd;
	char *tmpname; /* directory in the store's scratch dir */
};

/* no_in_digest: the caller hashes the blob itself (a download); res.in_digest is "". */
/* Starts a child unpacking in_fd (from offset for length bytes when length >= 0, else to
 * EOF) into a fresh scratch directory. The caller keeps (and may close) in_fd. */
int layer_unpack_start(struct store *s, int in_fd, off_t offset, int64_t length, bool quiet, bool no_in_digest,
		       struct layer_job **ret);
/* Waits for the child. 0 with *res on success; -errno with *ret_err (caller frees) when the
 * layer was refused or broken: the scratch directory is then already removed. */
int layer_unpack_finish(struct store *s, struct layer_job *j, struct unpack_result *res, char **ret_err);
/* Kills and reaps a job that is no longer wanted, removing its directory. NULL-safe. */
void layer_unpack_abort(struct store *s, struct layer_job *j);
void layer_job_free(struct layer_job *j);

/* Unpacks and commits in one go: fd region → layers/<diff_id>. If expect_diff_id is given
 * the result must match it. *ret_res optional. Errors are logged with context 'what'. */
int layer_import(struct store *s, int fd, off_t offset, int64_t length, const char *expect_diff_id,
		 const char *expect_blob, const char *what, bool quiet, struct unpack_result *ret_res);
