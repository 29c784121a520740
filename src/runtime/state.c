/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "runtime/cgroup.h"

char *state_default_root(void)
{
	char *r = NULL;
	if (geteuid() == 0)
		return strdup("/run/kakuri");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	if (xdg && *xdg) {
		if (asprintf(&r, "%s/kakuri", xdg) < 0)
			return NULL;
		return r;
	}
	if (asprintf(&r, "/tmp/kakuri-%u", (unsigned)geteuid()) < 0)
		return NULL;
	return r;
}

int state_check_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 1024 || id[0] == '.' || id[0] == '-')
		goto bad;
	for (const char *p = id; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '.' || c == '-' || c == '+'))
			goto bad;
	}
	return 0;
bad:
	return log_error_errno(-EINVAL, "invalid container id '%s': use letters, digits, '_', '.', '-', '+'", id);
}

char *state_dir(const char *root, const char *id)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", root, id) < 0)
		return NULL;
	return p;
}

int state_create_dir(const char *root, const char *id)
{
	int r = fs_mkdir_p(root, 0700);
	if (r < 0)
		return log_error_errno(r, "Failed to create state root '%s': %m", root);
	cleanup_free char *d = state_dir(root, id);
	if (!d)
		return -ENOMEM;
	if (mkdir(d, 0700) < 0) {
		if (errno == EEXIST)
			return log_error_errno(-EEXIST, "container '%s' already exists", id);
		return log_error_errno(-errno, "Failed to create '%s': %m", d);
	}
	return 0;
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	if (v)
		json_object_object_add(o, k, json_object_new_string(v));
}

int state_save(const char *root, const struct container_state *st)
{
	struct json_object *o = json_object_new_object();
	add_str(o, "id", st->id);
	add_str(o, "bundle", st->bundle);
	add_str(o, "rootfs", st->rootfs);
	add_str(o, "created", st->created);
	add_str(o, "owner", st->owner);
	json_object_object_add(o, "pid", json_object_new_int(st->pid));
	json_object_object_add(o, "start_time", json_object_new_uint64(st->start_time));
	json_object_object_add(o, "rootless", json_object_new_boolean(st->rootless));
	json_object_object_add(o, "in_pidns", json_object_new_boolean(st->in_pidns));
	json_object_object_add(o, "has_poststart", json_object_new_boolean(st->has_poststart));
	json_object_object_add(o, "has_poststop", json_object_new_boolean(st->has_poststop));
	if (st->annotations_json) {
		struct json_object *a = json_tokener_parse(st->annotations_json);
		if (a)
			json_object_object_add(o, "annotations", a);
	}
	if (st->cgroup) {
		struct json_object *c = json_tokener_parse(st->cgroup);
		if (c)
			json_object_object_add(o, "cgroup", c);
	}
	const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	cleanup_free char *d = state_dir(root, st->id), *path = NULL;
	int r = -ENOMEM;
	if (d && asprintf(&path, "%s/state.json", d) >= 0)
		r = fs_write_atomic(path, txt, strlen(txt), 0600);
	json_object_put(o);
	if (r < 0)
		return log_error_errno(r, "Failed to write state of '%s': %m", st->id);
	return 0;
}

static char *get_str(struct json_object *o, const char *k)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return strdup(json_object_get_string(v));
}

int state_load(const char *root, const char *id, struct container_state **ret)
{
	cleanup_free char *d = state_dir(root, id), *path = NULL, *txt = NULL;
	struct json_object *o, *v;
	int r;

	if (!d || asprintf(&path, "%s/state.json", d) < 0)
		return -ENOMEM;
	r = fs_read_file_at(AT_FDCWD, path, 0, &txt, NULL);
	if (r == -ENOENT)
		return log_error_errno(r, "container '%s' does not exist", id);
	if (r < 0)
		return log_error_errno(r, "Failed to read '%s': %m", path);
	o = json_tokener_parse(txt);
	if (!o)
		return log_error_errno(-EINVAL, "'%s': corrupt state file", path);
	struct container_state *st = calloc(1, sizeof(*st));
	if (!st) {
		json_object_put(o);
		return -ENOMEM;
	}
	st->id = get_str(o, "id");
	st->bundle = get_str(o, "bundle");
	st->rootfs = get_str(o, "rootfs");
	st->created = get_str(o, "created");
	st->owner = get_str(o, "owner");
	if (json_object_object_get_ex(o, "pid", &v))
		st->pid = json_object_get_int(v);
	if (json_object_object_get_ex(o, "start_time", &v))
		st->start_time = json_object_get_uint64(v);
	if (json_object_object_get_ex(o, "rootless", &v))
		st->rootless = json_object_get_boolean(v);
	if (json_object_object_get_ex(o, "in_pidns", &v))
		st->in_pidns = json_object_get_boolean(v);
	/* Absent (an older state file): assume there may be hooks. */
	st->has_poststart = !json_object_object_get_ex(o, "has_poststart", &v) || json_object_get_boolean(v);
	st->has_poststop = !json_object_object_get_ex(o, "has_poststop", &v) || json_object_get_boolean(v);
	if (json_object_object_get_ex(o, "annotations", &v))
		st->annotations_json = strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	if (json_object_object_get_ex(o, "cgroup", &v) && json_object_is_type(v, json_type_object))
		st->cgroup = strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	if (!st->id)
		st->id = strdup(id);
	*ret = st;
	return 0;
}

void state_free(struct container_state *st)
{
	if (!st)
		return;
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->owner);
	free(st->annotations_json);
	free(st->cgroup);
	free(st);
}

int state_pid_start_time(pid_t pid, unsigned long long *ret)
{
	char path[64];
	cleanup_free char *buf = NULL;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (pid <= 0 || fs_read_file_at(AT_FDCWD, path, 4096, &buf, NULL) < 0)
		return -ESRCH;
	/* comm may hold spaces and parens: fields after the last ')' are fixed. */
	char *p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	p += 2;
	char state = *p;
	if (state == 'Z' || state == 'X')
		return -ESRCH;
	/* p points at field 3; start time is field 22. */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -EIO;
		p++;
	}
	*ret = strtoull(p, NULL, 10);
	return 0;
}

bool state_init_alive(const struct container_state *st)
{
	unsigned long long t;
	return state_pid_start_time(st->pid, &t) >= 0 && t == st->start_time;
}

enum container_status state_status(const char *root, const struct container_state *st)
{
	if (!state_init_alive(st))
		return STATUS_STOPPED;
	/* Frozen (v1 freezer.state, v2 cgroup.freeze) means paused, created or running. */
	if (st->cgroup && cgroup_serialized_frozen(st->cgroup))
		return STATUS_PAUSED;
	cleanup_free char *d = state_dir(root, st->id), *fifo = NULL;
	if (d && asprintf(&fifo, "%s/exec.fifo", d) >= 0 && access(fifo, F_OK) == 0)
		return STATUS_CREATED;
	return STATUS_RUNNING;
}

const char *state_status_name(enum container_status s)
{
	static const char *const names[] = { "creating", "created", "running", "stopped", "paused" };
	return names[s];
}

char *state_to_json(const struct container_state *st, enum container_status status)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "ociVersion", json_object_new_string("1.2.0"));
	add_str(o, "id", st->id);
	json_object_object_add(o, "status", json_object_new_string(state_status_name(status)));
	json_object_object_add(o, "pid", json_object_new_int(status == STATUS_STOPPED ? 0 : st->pid));
	add_str(o, "bundle", st->bundle);
	add_str(o, "rootfs", st->rootfs);
	add_str(o, "created", st->created);
	add_str(o, "owner", st->owner);
	struct json_object *a = st->annotations_json ? json_tokener_parse(st->annotations_json) : NULL;
	json_object_object_add(o, "annotations", a ? a : json_object_new_object());
	char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

char *state_json_with_status(const char *json, enum container_status status)
{
	struct json_object *o = json_tokener_parse(json);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(o, "status", json_object_new_string(state_status_name(status)));
	char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

int state_remove(const char *root, const char *id)
{
	cleanup_free char *d = state_dir(root, id);
	if (!d)
		return -ENOMEM;
	int r = fs_rm_rf(d);
	if (r < 0)
		return log_error_errno(r, "Failed to remove '%s': %m", d);
	return 0;
}

int state_lock(const char *root, const char *id)
{
	cleanup_free char *d = state_dir(root, id);
	if (!d)
		return -ENOMEM;
	int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}
