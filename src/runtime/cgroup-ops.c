/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Operations on an existing container cgroup: freeze/thaw, list, signal, destroy, update. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "runtime/cgroup-internal.h"
#include "runtime/cgroup.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- freezer ----------------------------------------------------------------------------- */

static int frozen_dir(const struct cgroup_dir *d)
{
	cleanup_free char *s = NULL;
	int r = cgroup_read(d->path, d->v2 ? "cgroup.freeze" : "freezer.state", &s);
	if (r < 0)
		return r;
	return d->v2 ? STREQ(s, "1") : !STREQ(s, "THAWED");
}

int cgroup_frozen(const struct cgroup *cg)
{
	int i = cg ? cgroup_dir_index(cg, CGROUP_FREEZER) : -1;
	if (i < 0)
		return -ENOTSUP;
	return frozen_dir(&cg->dirs[i]);
}

bool cgroup_serialized_frozen(const char *text)
{
	struct cgroup *cg = NULL;
	if (!text || cgroup_deserialize(text, &cg) < 0)
		return false;
	int r = cgroup_frozen(cg);
	cgroup_free(cg);
	return r > 0;
}

/* Has the kernel finished (un)freezing? v1: freezer.state; v2: "frozen" in cgroup.events. */
static int freeze_done(const struct cgroup_dir *d, bool freeze)
{
	cleanup_free char *s = NULL;
	if (!d->v2) {
		int r = cgroup_read(d->path, "freezer.state", &s);
		if (r < 0)
			return r;
		return STREQ(s, freeze ? "FROZEN" : "THAWED");
	}
	uint64_t v = 0;
	int r = cgroup_read_keyed(d->path, "cgroup.events", "frozen", &v);
	if (r < 0)
		return r;
	return (v == 1) == freeze;
}

static int freeze_dir(const struct cgroup_dir *d, bool freeze)
{
	const char *file = d->v2 ? "cgroup.freeze" : "freezer.state";
	const char *val = d->v2 ? (freeze ? "1" : "0") : (freeze ? "FROZEN" : "THAWED");
	long deadline = now_ms() + 10000;
	int r = cgroup_write(d->path, file, val);
	if (r < 0)
		return r;
	for (int n = 0;; n++) {
		r = freeze_done(d, freeze);
		if (r != 0)
			return r < 0 ? r : 0;
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		/* v1 can stay FREEZING when a task was busy (e.g. in vfork): asking again
		 * retries the tasks that did not freeze yet, as runc does. */
		if (!d->v2 && n % 10 == 9)
			(void)cgroup_write(d->path, file, val);
		sleep_ms(n < 10 ? 1 : 10);
	}
}

int cgroup_freeze(struct cgroup *cg, bool freeze)
{
	int i = cg ? cgroup_dir_index(cg, CGROUP_FREEZER) : -1;
	if (i < 0)
		return log_error_errno(-ENOTSUP, "this container's cgroup has no freezer");
	const struct cgroup_dir *d = &cg->dirs[i];
	int r = freeze_dir(d, freeze);
	if (r == -ETIMEDOUT && freeze) {
		(void)freeze_dir(d, false);
		return log_error_errno(r, "the processes of %s did not freeze within 10 s (thawed again)", d->path);
	}
	if (r < 0)
		return log_error_errno(r, "Failed to %s %s: %m", freeze ? "freeze" : "thaw", d->path);
	return 0;
}

/* ---- processes --------------------------------------------------------------------------- */

struct pidv {
	pid_t *v;
	size_t n, cap;
};

static int collect(const char *dir, struct pidv *pv, int depth)
{
	cleanup_free char *s = NULL;
	int r = cgroup_read(dir, "cgroup.procs", &s);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (char *p = s; *p;) {
		char *end;
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 0) {
			if (pv->n == pv->cap) {
				size_t cap = pv->cap ? pv->cap * 2 : 16;
				pid_t *v = realloc(pv->v, cap * sizeof(pid_t));
				if (!v)
					return -ENOMEM;
				pv->v = v;
				pv->cap = cap;
			}
			pv->v[pv->n++] = (pid_t)pid;
		}
		p = end;
		while (*p == '\n')
			p++;
	}
	if (depth > 32)
		return 0;
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		cleanup_free char *sub = NULL;
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0 || (r = collect(sub, pv, depth + 1)) < 0) {
			closedir(d);
			return sub ? r : -ENOMEM;
		}
	}
	if (d)
		closedir(d);
	return 0;
}

/* The dir to list processes from: the freezer's (so freeze and list agree), else the first. */
static const struct cgroup_dir *primary(const struct cgroup *cg)
{
	int i = cgroup_dir_index(cg, CGROUP_FREEZER);
	return cg->n_dirs == 0 ? NULL : &cg->dirs[i >= 0 ? i : 0];
}

int cgroup_pids(const struct cgroup *cg, pid_t **ret, size_t *ret_n)
{
	struct pidv pv = { 0 };
	const struct cgroup_dir *d = cg ? primary(cg) : NULL;
	int r = d ? collect(d->path, &pv, 0) : 0;
	if (r < 0) {
		free(pv.v);
		return log_error_errno(r, "Failed to list the processes of %s: %m", d->path);
	}
	*ret = pv.v ? pv.v : calloc(1, sizeof(pid_t));
	*ret_n = pv.n;
	return *ret ? 0 : -ENOMEM;
}

int cgroup_kill(const struct cgroup *cg, int sig)
{
	const char *v2 = cg ? cgroup_dir(cg, CGROUP_CORE, NULL) : NULL;
	if (!cg || cg->n_dirs == 0)
		return 0;
	if (sig == SIGKILL && v2 && cgroup_has_file(v2, "cgroup.kill")) {
		int r = cgroup_write(v2, "cgroup.kill", "1");
		if (r >= 0)
			return 0;
		log_debug_errno(r, "writing %s/cgroup.kill: %m; signalling one by one", v2);
	}
	/* Frozen, nothing can fork between the listing and the signal. */
	int fr = cgroup_frozen(cg);
	bool thaw = false;
	if (fr == 0 && sig != SIGSTOP && cgroup_freeze((struct cgroup *)cg, true) >= 0)
		thaw = true;
	pid_t *pids = NULL;
	size_t n = 0;
	int r = cgroup_pids(cg, &pids, &n);
	for (size_t i = 0; r >= 0 && i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			r = log_error_errno(-errno, "Failed to send signal %d to process %d: %m", sig, (int)pids[i]);
	free(pids);
	if (thaw)
		(void)cgroup_freeze((struct cgroup *)cg, false);
	return r;
}

/* ---- destroy ----------------------------------------------------------------------------- */

static bool all_empty(const struct cgroup *cg)
{
	for (size_t i = 0; i < cg->n_dirs; i++) {
		struct pidv pv = { 0 };
		int r = collect(cg->dirs[i].path, &pv, 0);
		free(pv.v);
		if (r >= 0 && pv.n > 0)
			return false;
	}
	return true;
}

/* rmdir the tree below dir, children first (a container may have made sub-cgroups). */
static int rmdir_tree(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) && depth < 32) {
		cleanup_free char *sub = NULL;
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (asprintf(&sub, "%s/%s", dir, de->d_name) >= 0)
			(void)rmdir_tree(sub, depth + 1);
	}
	closedir(d);
	if (rmdir(dir) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int cgroup_destroy(struct cgroup *cg)
{
	int r = 0;
	if (!cg)
		return 0;
	long deadline = now_ms() + 10000;
	/* Thaw first: a frozen v1 task keeps a pending SIGKILL until it runs again. Never
	 * kill in a cgroup we did not take over (it holds someone else's processes); the
	 * dirs we made for it are empty and go below. */
	if (cg->owned && cgroup_frozen(cg) > 0)
		(void)cgroup_freeze(cg, false);
	/* Fast path: a stopped container leaves empty leaves, and rmdir only succeeds on a
	 * cgroup without tasks or children, so trying it first needs no scan at all. */
	bool all_removed = true;
	for (size_t i = 0; i < cg->n_dirs; i++)
		if (cg->dirs[i].create && rmdir(cg->dirs[i].path) < 0 && errno != ENOENT)
			all_removed = false;
	if (all_removed)
		return 0;
	for (int n = 0; cg->owned && !all_empty(cg); n++) {
		if (n % 20 == 0)
			(void)cgroup_kill(cg, SIGKILL);
		if (now_ms() > deadline) {
			log_error("processes are left in cgroup %s after SIGKILL", primary(cg)->path);
			r = -EBUSY;
			break;
		}
		sleep_ms(n < 10 ? 2 : 20);
	}
	for (size_t i = 0; i < cg->n_dirs; i++) {
		const struct cgroup_dir *d = &cg->dirs[i];
		if (!d->create)
			continue;
		int k;
		/* An exiting task can keep the cgroup busy for a moment after it left procs. */
		for (int n = 0; (k = rmdir_tree(d->path, 0)) == -EBUSY && n < 100; n++)
			sleep_ms(10);
		if (k < 0) {
			log_error_errno(k, "Failed to remove cgroup %s: %m", d->path);
			r = r < 0 ? r : k;
		}
	}
	return r;
}

/* ---- update ------------------------------------------------------------------------------ */

/* Deep merge of objects; anything else in delta replaces. */
static void merge(struct json_object *base, struct json_object *delta)
{
	json_object_object_foreach(delta, k, v)
	{
		struct json_object *b;
		if (json_object_is_type(v, json_type_object) && json_object_object_get_ex(base, k, &b) &&
		    json_object_is_type(b, json_type_object)) {
			merge(b, v);
			continue;
		}
		json_object_object_add(base, k, json_object_get(v));
	}
}

static int check_before_update(const struct cgroup *cg, const struct cgroup_plan *p, const char *what)
{
	bool v2 = false;
	const char *dir = cgroup_dir(cg, CGROUP_MEMORY, &v2);
	cleanup_free char *cur = NULL;
	/* v1 refuses a limit below the usage by itself; v2 would OOM-kill instead. */
	if (!p->check_before_update || !p->has_memory_limit || p->memory_limit <= 0 || !dir || !v2)
		return 0;
	if (cgroup_read(dir, "memory.current", &cur) < 0)
		return 0;
	unsigned long long usage = strtoull(cur, NULL, 10);
	if (usage > (unsigned long long)p->memory_limit)
		return log_error_errno(-EBUSY, "%s.memory.limit: %lld is below the current usage %llu (checkBeforeUpdate)",
				       what, (long long)p->memory_limit, usage);
	return 0;
}

int cgroup_update(struct cgroup *cg, const char *resources_json, const char *what)
{
	struct json_object *delta = json_tokener_parse(resources_json), *base = NULL, *subset = NULL;
	struct cgroup_plan plan = { 0 };
	cleanup_free char *err = NULL;
	int versions[CGROUP_CONTROLLER_MAX];
	int r;

	if (!delta || !json_object_is_type(delta, json_type_object)) {
		json_object_put(delta);
		return log_error_errno(-EINVAL, "%s: the resources must be a JSON object", what);
	}
	base = json_tokener_parse(cg->resources ? cg->resources : "{}");
	if (!base || !json_object_is_type(base, json_type_object)) {
		json_object_put(base);
		base = json_object_new_object();
	}
	merge(base, delta);
	/* Write only the sections the update names, with their merged values. */
	subset = json_object_new_object();
	json_object_object_foreach(delta, k, v)
	{
		struct json_object *m;
		(void)v;
		if (json_object_object_get_ex(base, k, &m))
			json_object_object_add(subset, k, json_object_get(m));
	}
	for (size_t i = 0; i < cg->n_dirs; i++)
		cg->dirs[i].usable = true;
	cgroup_versions(cg, versions);
	r = cgroup_plan_build(json_object_to_json_string_ext(subset, JSON_C_TO_STRING_PLAIN), versions, &plan, &err);
	if (r < 0) {
		log_error_errno(r, "%s.%s", what, err ? err : "invalid");
		goto out;
	}
	for (size_t i = 0; plan.warnings && plan.warnings[i]; i++)
		log_warn("%s.%s", what, plan.warnings[i]);
	if ((r = cgroup_check_plan(cg, &plan, what)) < 0 || (r = check_before_update(cg, &plan, what)) < 0 ||
	    (r = cgroup_apply_plan(cg, &plan, what)) < 0)
		goto out;
	if (plan.has_devices) {
		if (!cg->devices)
			log_warn("%s.devices: ignored: device rules are not managed for this (rootless) container", what);
		else if ((r = cgroup_apply_devices(cg, plan.dev, plan.n_dev)) < 0)
			goto out;
	}
	char *merged = strdup(json_object_to_json_string_ext(base, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	if (!merged) {
		r = -ENOMEM;
		goto out;
	}
	free(cg->resources);
	cg->resources = merged;
	r = 0;
out:
	cgroup_plan_done(&plan);
	json_object_put(subset);
	json_object_put(base);
	json_object_put(delta);
	return r;
}
