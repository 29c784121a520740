/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "container-cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "runtime/cgroup-stats.h"

char *container_cgroup_record_path(const char *root, const char *id)
{
	cleanup_free char *d = state_dir(root, id);
	char *p = NULL;
	if (!d || asprintf(&p, "%s/cgroup.json", d) < 0)
		return NULL;
	return p;
}

int container_cgroup_load(const char *root, const char *id, const struct container_state *st, struct cgroup **ret)
{
	cleanup_free char *path = NULL, *text = NULL;
	const char *s = st ? st->cgroup : NULL;
	*ret = NULL;
	if (!s) {
		path = container_cgroup_record_path(root, id);
		if (!path)
			return -ENOMEM;
		int r = fs_read_file_at(AT_FDCWD, path, 0, &text, NULL);
		if (r == -ENOENT)
			return 0;
		if (r < 0)
			return log_error_errno(r, "Failed to read '%s': %m", path);
		s = text;
	}
	int r = cgroup_deserialize(s, ret);
	if (r < 0)
		return log_error_errno(r, "container '%s': the recorded cgroup is corrupt", id);
	return 0;
}

int container_cgroup_join(const struct container_state *st, pid_t pid)
{
	struct cgroup *cg = NULL;
	if (!st->cgroup)
		return 0;
	int r = cgroup_deserialize(st->cgroup, &cg);
	if (r < 0)
		return log_error_errno(r, "container '%s': the recorded cgroup is corrupt", st->id);
	r = cgroup_attach(cg, pid);
	cgroup_free(cg);
	return r;
}

/* Load state + cgroup of a live container; needs one. */
static int load_live(const char *root, const char *id, const char *verb, struct container_state **ret_st,
		     struct cgroup **ret_cg, enum container_status *ret_status)
{
	struct container_state *st = NULL;
	struct cgroup *cg = NULL;
	int r = state_load(root, id, &st);
	if (r < 0)
		return r;
	enum container_status s = state_status(root, st);
	if (s == STATUS_STOPPED) {
		state_free(st);
		return log_error_errno(-ESRCH, "cannot %s container '%s': it is stopped", verb, id);
	}
	r = container_cgroup_load(root, id, st, &cg);
	if (r >= 0 && !cg)
		r = log_error_errno(-EOPNOTSUPP, "cannot %s container '%s': it has no cgroup (created with "
						 "--cgroup-manager disabled, or rootless without a delegated cgroup)",
				    verb, id);
	if (r < 0) {
		state_free(st);
		return r;
	}
	*ret_st = st;
	*ret_cg = cg;
	if (ret_status)
		*ret_status = s;
	return 0;
}

static int pause_resume(const char *root, const char *id, bool pause)
{
	struct container_state *st = NULL;
	struct cgroup *cg = NULL;
	enum container_status s;
	const char *verb = pause ? "pause" : "resume";
	int r = load_live(root, id, verb, &st, &cg, &s);
	if (r < 0)
		return r;
	if (pause && s == STATUS_PAUSED)
		r = log_error_errno(-EINVAL, "cannot pause container '%s': it is already paused", id);
	else if (!pause && s != STATUS_PAUSED)
		r = log_error_errno(-EINVAL, "cannot resume container '%s': it is %s, not paused", id, state_status_name(s));
	else
		r = cgroup_freeze(cg, pause);
	cgroup_free(cg);
	state_free(st);
	return r;
}

int container_pause(const char *root, const char *id)
{
	return pause_resume(root, id, true);
}

int container_resume(const char *root, const char *id)
{
	return pause_resume(root, id, false);
}

int container_update(const char *root, const char *id, const char *resources_json)
{
	struct container_state *st = NULL;
	struct cgroup *cg = NULL;
	/* Two updates must not lose each other's record of what was applied. */
	cleanup_close int lock = state_lock(root, id);
	if (lock < 0 && lock != -ENOENT)
		return log_error_errno(lock, "Failed to lock container '%s': %m", id);
	int r = load_live(root, id, "update", &st, &cg, NULL);
	if (r < 0)
		return r;
	r = cgroup_update(cg, resources_json, "update");
	if (r >= 0) {
		char *s = cgroup_serialize(cg);
		if (!s) {
			r = -ENOMEM;
		} else {
			free(st->cgroup);
			st->cgroup = s;
			r = state_save(root, st);
		}
	}
	cgroup_free(cg);
	state_free(st);
	return r;
}

static int stats_line(const char *id, const struct cgroup *cg, char **ret)
{
	cleanup_free char *data = NULL;
	struct json_object *o;
	int r = cgroup_stats_json(cg, &data);
	if (r < 0)
		return r;
	o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string("stats"));
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "data", json_tokener_parse(data));
	*ret = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return *ret ? 0 : -ENOMEM;
}

int container_stats(const char *root, const char *id, char **ret)
{
	struct container_state *st = NULL;
	struct cgroup *cg = NULL;
	int r = load_live(root, id, "get stats of", &st, &cg, NULL);
	if (r < 0)
		return r;
	r = stats_line(id, cg, ret);
	if (r < 0)
		log_error_errno(r, "Failed to read the stats of container '%s': %m", id);
	cgroup_free(cg);
	state_free(st);
	return r;
}

static int emit(FILE *out, const char *line)
{
	if (fputs(line, out) < 0 || fputc('\n', out) < 0 || fflush(out) != 0)
		return -EPIPE;
	return 0;
}

static int emit_oom(FILE *out, const char *id)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string("oom"));
	json_object_object_add(o, "id", json_object_new_string(id));
	int r = emit(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return r;
}

/* After a wakeup the kill may not be counted yet (v1 notifies when the OOM starts): look
 * for a while for the count to move. */
static bool oom_happened(const struct cgroup *cg, uint64_t *base, int tries)
{
	for (int i = 0; i < tries; i++) {
		uint64_t n;
		if (cgroup_oom_count(cg, &n) >= 0 && n > *base) {
			*base = n;
			return true;
		}
		if (i + 1 < tries) {
			struct timespec ts = { 0, 20 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	return false;
}

int container_events(const char *root, const char *id, long interval_ms, FILE *out)
{
	struct container_state *st = NULL;
	struct cgroup *cg = NULL;
	cleanup_close int pidfd = -EBADF, oomfd = -EBADF;
	uint64_t base = 0;
	int r = load_live(root, id, "watch events of", &st, &cg, NULL);
	if (r < 0)
		return r;
	pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (pidfd < 0 || !state_init_alive(st)) {
		r = log_error_errno(-ESRCH, "cannot watch events of container '%s': it is stopped", id);
		goto out;
	}
	oomfd = cgroup_oom_watch(cg);
	if (oomfd < 0) {
		log_debug_errno(oomfd, "no OOM notifications for container '%s': %m", id);
		oomfd = -EBADF;
	}
	(void)cgroup_oom_count(cg, &base);
	for (;;) {
		struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = oomfd, .events = POLLIN } };
		int n = poll(p, oomfd >= 0 ? 2 : 1, interval_ms > 0 ? (int)interval_ms : -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = log_error_errno(-errno, "poll failed: %m");
			break;
		}
		if (n == 0) {
			cleanup_free char *line = NULL;
			if (stats_line(id, cg, &line) >= 0 && (r = emit(out, line)) < 0)
				break;
			continue;
		}
		if (oomfd >= 0 && (p[1].revents & POLLIN)) {
			cgroup_oom_watch_drain(oomfd);
			if (oom_happened(cg, &base, 10) && (r = emit_oom(out, id)) < 0)
				break;
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			/* The init is gone: report a kill that raced with its exit, then stop. */
			if (oom_happened(cg, &base, 5) && (r = emit_oom(out, id)) < 0)
				break;
			r = 0;
			break;
		}
	}
out:
	if (r == -EPIPE)
		r = 0;
	cgroup_free(cg);
	state_free(st);
	return r;
}
