/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "layer.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

struct report {
	int error;
	struct unpack_result res;
	char msg[1024];
};

void layer_job_free(struct layer_job *j)
{
	if (!j)
		return;
	safe_close(j->result_fd);
	free(j->tmpname);
	free(j);
}

/* Child side: fds moved to 3 (input), 4 (report), 5 (target dir), everything else closed
 * so that the write ends of other jobs' pipes do not leak into this one. */
static __attribute__((noreturn)) void child_main(int in_fd, int res_fd, int dir_fd, off_t offset, int64_t length,
						 const struct unpack_opts *o)
{
	int fds[3] = {in_fd, res_fd, dir_fd};
	for (int i = 0; i < 3; i++) {
		fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 100 + i * 0);
		if (fds[i] < 0)
			_exit(EBADF);
	}
	for (int i = 0; i < 3; i++)
		if (dup2(fds[i], 3 + i) < 0)
			_exit(EBADF);
	syscall(SYS_close_range, 6U, ~0U, 0U);
	struct report rep = {0};
	rep.error = -unpack_layer(3, offset, length, 5, o, &rep.res, rep.msg, sizeof(rep.msg));
	if (fs_write_all(4, &rep, sizeof(rep)) < 0)
		_exit(EIO);
	_exit(0);
}

int layer_unpack_start(struct store *s, int in_fd, off_t offset, int64_t length, bool quiet, bool no_in_digest,
		       struct layer_job **ret)
{
	cleanup_free char *name = NULL;
	char rel[256];
	int p[2];
	int r = store_tmp_mkdir(s, "layer", &name);
	if (r < 0)
		return r;
	snprintf(rel, sizeof(rel), "%s/diff", name);
	if (mkdirat(s->tmpfd, rel, 0755) < 0)
		return log_error_errno(-errno, "Failed to create a layer directory: %m");
	cleanup_close int dfd = openat(s->tmpfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return log_error_errno(-errno, "Failed to open a layer directory: %m");
	if (pipe2(p, O_CLOEXEC) < 0)
		return log_error_errno(-errno, "pipe failed: %m");

	struct unpack_opts o = {.rootless = s->rootless, .quiet = quiet, .no_in_digest = no_in_digest};
	unpack_limits_default(&o.limits);
	if (s->rootless)
		o.max_id = s->idmap.uid_count < s->idmap.gid_count ? s->idmap.uid_count : s->idmap.gid_count;

	fflush(stdout);
	fflush(stderr);
	pid_t pid = idmap_fork(&s->idmap, false);
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return (int)pid;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		child_main(in_fd, p[1], dfd, offset, length, &o);
	}
	close(p[1]);
	struct layer_job *j = calloc(1, sizeof(*j));
	if (!j) {
		close(p[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -ENOMEM;
	}
	j->pid = pid;
	j->result_fd = p[0];
	j->tmpname = TAKE_PTR(name);
	*ret = j;
	return 0;
}

static void remove_tmp(struct store *s, const char *tmpname)
{
	char rel[512];
	const char *tmp;
	if (store_tmp(s, &tmp) < 0)
		return;
	snprintf(rel, sizeof(rel), "%s/%s", tmp + strlen(s->root) + 1, tmpname);
	store_remove(s, rel);
}

int layer_unpack_finish(struct store *s, struct layer_job *j, struct unpack_result *res, char **ret_err)
{
	struct report rep;
	int r = fs_read_exact(j->result_fd, &rep, sizeof(rep));
	int st = idmap_wait(j->pid);
	j->pid = 0;
	if (r < 0) {
		remove_tmp(s, j->tmpname);
		if (asprintf(ret_err, "the unpacker process died (%s)", st < 0 ? strerror(-st) : "no report") < 0)
			*ret_err = NULL;
		return -EIO;
	}
	if (rep.error) {
		remove_tmp(s, j->tmpname);
		rep.msg[sizeof(rep.msg) - 1] = 0;
		*ret_err = strdup(rep.msg[0] ? rep.msg : strerror(rep.error));
		return -rep.error;
	}
	*res = rep.res;
	return 0;
}

void layer_unpack_abort(struct store *s, struct layer_job *j)
{
	if (!j)
		return;
	if (j->pid > 0) {
		kill(j->pid, SIGKILL);
		waitpid(j->pid, NULL, 0);
		j->pid = 0;
	}
	remove_tmp(s, j->tmpname);
}

int layer_import(struct store *s, int fd, off_t offset, int64_t length, const char *expect_diff_id,
		 const char *expect_blob, const char *what, bool quiet, struct unpack_result *ret_res)
{
	struct layer_job *j = NULL;
	struct unpack_result res;
	cleanup_free char *err = NULL;
	int r = layer_unpack_start(s, fd, offset, length, quiet, false, &j);
	if (r < 0)
		return r;
	r = layer_unpack_finish(s, j, &res, &err);
	if (r < 0) {
		layer_job_free(j);
		return log_error_errno(r, "%s: %s", what, err ? err : "unpack failed");
	}
	if ((expect_diff_id && !STREQ(res.diff_id, expect_diff_id)) ||
	    (expect_blob && !STREQ(res.in_digest, expect_blob))) {
		remove_tmp(s, j->tmpname);
		layer_job_free(j);
		if (expect_blob && !STREQ(res.in_digest, expect_blob))
			return log_error_errno(-EBADMSG, "%s: blob digest mismatch: expected %s, got %s", what,
					       expect_blob, res.in_digest);
		return log_error_errno(-EBADMSG, "%s: diff_id mismatch: the image config says %s, the layer is %s",
				       what, expect_diff_id, res.diff_id);
	}
	r = store_lock(s, true);
	if (r >= 0) {
		r = store_layer_commit(s, j->tmpname, res.diff_id, res.tar_bytes, res.entries);
		if (r >= 0)
			r = store_pin_layer(s, res.diff_id);
		store_unlock(s);
	}
	if (r < 0)
		remove_tmp(s, j->tmpname);
	layer_job_free(j);
	if (r < 0)
		return log_error_errno(r, "%s: failed to store the layer: %m", what);
	if (ret_res)
		*ret_res = res;
	return 0;
}
