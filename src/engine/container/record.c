/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "record.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/container/util.h"
#include "engine/image/rootfs.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

#define RECORD_FILE "container.json"
#define RECORD_MAX  (4u << 20)

static const char *const state_names[] = {
    [CTR_CREATED] = "created", [CTR_STARTING] = "starting", [CTR_RUNNING] = "running",
    [CTR_EXITED] = "exited",   [CTR_REMOVING] = "removing",
};

static const char *const status_names[] = {
    [CTR_STATUS_CREATED] = "created", [CTR_STATUS_STARTING] = "starting", [CTR_STATUS_RUNNING] = "running",
    [CTR_STATUS_EXITED] = "exited",   [CTR_STATUS_REMOVING] = "removing",
};

const char *ctr_status_name(enum ctr_status st)
{
	return (unsigned)st < ELEMENTSOF(status_names) ? status_names[st] : "unknown";
}

void ctr_record_free(struct ctr_record *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->name);
	free(r->image);
	free(r->image_id);
	free(r->image_name);
	cleanup_strvp(&r->command);
	free(r->error);
	free(r->boot_id);
	free(r->runtime);
	free(r->runtime_root);
	free(r->user);
	cleanup_strvp(&r->caps_nonroot);
	cleanup_strvp(&r->group_add);
	free(r->userns);
	free(r->network);
	free(r->net_settings);
	free(r->net_state);
	free(r->hostname);
	free(r->stop_signal);
	free(r->pid_ctr);
	free(r->ipc_ctr);
	free(r->uts_ctr);
	free(r);
}

char *ctr_path(const struct store *s, const char *id, const char *sub)
{
	char *p = NULL;
	int k;
	if (!id)
		k = asprintf(&p, "%s/containers", s->root);
	else if (!sub)
		k = asprintf(&p, "%s/containers/%s", s->root, id);
	else
		k = asprintf(&p, "%s/containers/%s/%s", s->root, id, sub);
	return k < 0 ? NULL : p;
}

static int containers_dir(struct store *s)
{
	if (mkdirat(s->rootfd, "containers", 0700) < 0 && errno != EEXIST)
		return log_error_errno(-errno, "Failed to create %s/containers: %m", s->root);
	int fd = openat(s->rootfd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(-errno, "Failed to open %s/containers: %m", s->root);
	return fd;
}

static int lock_file(struct store *s, const char *rel)
{
	cleanup_close int dfd = containers_dir(s);
	if (dfd < 0)
		return dfd;
	int fd = openat(dfd, rel, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int ctr_lock(struct store *s, const char *id)
{
	char rel[CTR_ID_LEN + 16];
	snprintf(rel, sizeof(rel), "%s/lock", id);
	int fd = lock_file(s, rel);
	if (fd == -ENOENT)
		return fd; /* removed: the caller decides whether that is an error */
	if (fd < 0)
		return log_error_errno(fd, "Failed to lock container %s: %m", id);
	return fd;
}

int ctr_lock_all(struct store *s)
{
	int fd = lock_file(s, "containers.lock");
	if (fd < 0)
		return log_error_errno(fd, "Failed to lock %s/containers: %m", s->root);
	return fd;
}

/* ---- JSON ---- */

/* JSON text kept as a nested object in the record (readable with jq, and by inspect). */
static void add_json_text(json_object *o, const char *key, const char *text)
{
	json_object *v = text ? json_tokener_parse(text) : NULL;
	if (v)
		json_object_object_add(o, key, v);
}

static char *dup_json_text(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	return strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
}

char *ctr_record_to_json(const struct ctr_record *r)
{
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	ju_add_str(o, "id", r->id);
	ju_add_str(o, "name", r->name);
	ju_add_str(o, "image", r->image);
	ju_add_str(o, "image_id", r->image_id);
	ju_add_str(o, "image_name", r->image_name);
	ju_add_strv(o, "command", r->command);
	json_object_object_add(o, "created", json_object_new_int64(r->created));
	ju_add_str(o, "state", state_names[r->state]);
	json_object_object_add(o, "pid", json_object_new_int(r->pid));
	json_object_object_add(o, "pid_start", json_object_new_uint64(r->pid_start));
	json_object_object_add(o, "monitor_pid", json_object_new_int(r->monitor_pid));
	json_object_object_add(o, "monitor_start", json_object_new_uint64(r->monitor_start));
	json_object_object_add(o, "started_at", json_object_new_int64(r->started_at));
	json_object_object_add(o, "finished_at", json_object_new_int64(r->finished_at));
	json_object_object_add(o, "exit_code", json_object_new_int(r->exit_code));
	ju_add_str(o, "error", r->error);
	ju_add_str(o, "boot_id", r->boot_id);
	json_object_object_add(o, "restart_count", json_object_new_int(r->restart_count));
	json_object_object_add(o, "auto_remove", json_object_new_boolean(r->auto_remove));
	json_object_object_add(o, "tty", json_object_new_boolean(r->tty));
	json_object_object_add(o, "stdin_open", json_object_new_boolean(r->stdin_open));
	json_object_object_add(o, "privileged", json_object_new_boolean(r->privileged));
	json_object_object_add(o, "rootless", json_object_new_boolean(r->rootless));
	json_object_object_add(o, "read_only", json_object_new_boolean(r->read_only));
	ju_add_str(o, "runtime", r->runtime);
	ju_add_str(o, "runtime_root", r->runtime_root);
	ju_add_str(o, "user", r->user);
	ju_add_strv(o, "caps_nonroot", r->caps_nonroot);
	ju_add_strv(o, "group_add", r->group_add);
	ju_add_str(o, "userns", r->userns);
	ju_add_str(o, "network", r->network);
	add_json_text(o, "net_settings", r->net_settings);
	add_json_text(o, "net_state", r->net_state);
	ju_add_str(o, "hostname", r->hostname);
	ju_add_str(o, "stop_signal", r->stop_signal);
	json_object_object_add(o, "stop_timeout", json_object_new_int(r->stop_timeout));
	json_object_object_add(o, "log_size_max", json_object_new_int64(r->log_size_max));
	json_object_object_add(o, "home_set", json_object_new_boolean(r->home_set));
	ju_add_str(o, "pid_ctr", r->pid_ctr);
	ju_add_str(o, "ipc_ctr", r->ipc_ctr);
	ju_add_str(o, "uts_ctr", r->uts_ctr);
	if (r->auto_size) {
		json_object_object_add(o, "auto_uid", json_object_new_int64(r->auto_uid));
		json_object_object_add(o, "auto_gid", json_object_new_int64(r->auto_gid));
		json_object_object_add(o, "auto_size", json_object_new_int64(r->auto_size));
	}
	json_object_object_add(o, "idshift", json_object_new_boolean(r->idshift));
	char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB));
	json_object_put(o);
	return s;
}

static int record_from_json(const char *text, struct ctr_record **ret)
{
	json_object *o = json_tokener_parse(text);
	if (!o || !json_object_is_type(o, json_type_object)) {
		if (o)
			json_object_put(o);
		return -EBADMSG;
	}
	struct ctr_record *r = calloc(1, sizeof(*r));
	if (!r) {
		json_object_put(o);
		return -ENOMEM;
	}
	r->id = ju_dup_str(o, "id");
	r->name = ju_dup_str(o, "name");
	r->image = ju_dup_str(o, "image");
	r->image_id = ju_dup_str(o, "image_id");
	r->image_name = ju_dup_str(o, "image_name");
	r->command = ju_dup_strv(o, "command");
	r->created = ju_int64(o, "created");
	const char *st = ju_str(o, "state");
	r->state = CTR_CREATED;
	for (size_t i = 0; st && i < ELEMENTSOF(state_names); i++)
		if (STREQ(st, state_names[i]))
			r->state = (enum ctr_state)i;
	r->pid = (pid_t)ju_int64(o, "pid");
	r->pid_start = (uint64_t)ju_int64(o, "pid_start");
	r->monitor_pid = (pid_t)ju_int64(o, "monitor_pid");
	r->monitor_start = (uint64_t)ju_int64(o, "monitor_start");
	r->started_at = ju_int64(o, "started_at");
	r->finished_at = ju_int64(o, "finished_at");
	r->exit_code = (int)ju_int64(o, "exit_code");
	r->error = ju_dup_str(o, "error");
	r->boot_id = ju_dup_str(o, "boot_id");
	r->restart_count = (int)ju_int64(o, "restart_count");
	r->auto_remove = ju_bool(o, "auto_remove");
	r->tty = ju_bool(o, "tty");
	r->stdin_open = ju_bool(o, "stdin_open");
	r->privileged = ju_bool(o, "privileged");
	r->rootless = ju_bool(o, "rootless");
	r->read_only = ju_bool(o, "read_only");
	r->runtime = ju_dup_str(o, "runtime");
	r->runtime_root = ju_dup_str(o, "runtime_root");
	r->user = ju_dup_str(o, "user");
	r->caps_nonroot = ju_dup_strv(o, "caps_nonroot");
	r->group_add = ju_dup_strv(o, "group_add");
	r->userns = ju_dup_str(o, "userns");
	r->network = ju_dup_str(o, "network");
	r->net_settings = dup_json_text(o, "net_settings");
	r->net_state = dup_json_text(o, "net_state");
	r->hostname = ju_dup_str(o, "hostname");
	r->stop_signal = ju_dup_str(o, "stop_signal");
	r->stop_timeout = (int)ju_int64(o, "stop_timeout");
	r->log_size_max = ju_int64(o, "log_size_max");
	r->home_set = ju_bool(o, "home_set");
	r->pid_ctr = ju_dup_str(o, "pid_ctr");
	r->ipc_ctr = ju_dup_str(o, "ipc_ctr");
	r->uts_ctr = ju_dup_str(o, "uts_ctr");
	r->auto_uid = (uint32_t)ju_int64(o, "auto_uid");
	r->auto_gid = (uint32_t)ju_int64(o, "auto_gid");
	r->auto_size = (uint32_t)ju_int64(o, "auto_size");
	r->idshift = ju_bool(o, "idshift");
	json_object_put(o);
	if (!r->id || strlen(r->id) != CTR_ID_LEN || !r->name) {
		ctr_record_free(r);
		return -EBADMSG;
	}
	*ret = r;
	return 0;
}

int ctr_record_load(struct store *s, const char *id, struct ctr_record **ret)
{
	char rel[CTR_ID_LEN + 32];
	cleanup_free char *data = NULL;
	cleanup_close int dfd = containers_dir(s);
	if (dfd < 0)
		return dfd;
	snprintf(rel, sizeof(rel), "%s/" RECORD_FILE, id);
	int r = fs_read_file_at(dfd, rel, RECORD_MAX, &data, NULL);
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return log_error_errno(r, "Cannot read %s/containers/%s: %m", s->root, rel);
	struct ctr_record *rec = NULL;
	r = record_from_json(data, &rec);
	/* A record must be its directory's: a copied or edited one naming another ID would
	 * make every command act on that other container. */
	if (r == 0 && !STREQ(rec->id, id)) {
		ctr_record_free(rec);
		r = -EBADMSG;
	}
	if (r == -EBADMSG)
		return log_error_errno(r, "%s/containers/%s is corrupt", s->root, rel);
	if (r < 0)
		return r;
	*ret = rec;
	return 0;
}

int ctr_record_save(struct store *s, const struct ctr_record *r)
{
	cleanup_free char *json = ctr_record_to_json(r);
	cleanup_free char *path = ctr_path(s, r->id, RECORD_FILE);
	if (!json || !path)
		return -ENOMEM;
	int k = fs_write_atomic(path, json, strlen(json), 0600);
	if (k < 0)
		return log_error_errno(k, "Failed to write %s: %m", path);
	return 0;
}

int ctr_storage_remove(struct store *s, const char *id)
{
	int r = 0;
	if (image_rootfs_exists(s, id)) {
		r = image_rootfs_remove(s, id);
		if (r < 0)
			return r;
	} else {
		image_rootfs_umount(s, id);
	}
	cleanup_close int dfd = containers_dir(s);
	if (dfd < 0)
		return dfd;
	char gone[CTR_ID_LEN + 32];
	snprintf(gone, sizeof(gone), ".removing-%s-%d", id, (int)getpid());
	if (renameat(dfd, id, dfd, gone) < 0) {
		if (errno == ENOENT)
			return 0;
		return log_error_errno(-errno, "Failed to remove %s/containers/%s: %m", s->root, id);
	}
	cleanup_free char *p = ctr_path(s, gone, NULL);
	if (!p)
		return -ENOMEM;
	r = fs_rm_rf(p);
	if (r < 0)
		return log_error_errno(r, "Failed to remove %s: %m", p);
	return 0;
}

/* ---- listing and lookup ---- */

void ctr_list_free(struct ctr_record **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ctr_record_free(v[i]);
	free(v);
}

static int by_created_desc(const void *a, const void *b)
{
	const struct ctr_record *x = *(struct ctr_record *const *)a, *y = *(struct ctr_record *const *)b;
	return x->created < y->created ? 1 : x->created > y->created ? -1 : strcmp(x->id, y->id);
}

static bool is_id(const char *s)
{
	if (strlen(s) != CTR_ID_LEN)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

int ctr_list(struct store *s, struct ctr_record ***ret, size_t *ret_n)
{
	int dfd = containers_dir(s);
	if (dfd < 0)
		return dfd;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	struct ctr_record **v = NULL;
	size_t n = 0;
	struct dirent *e;
	int r = 0;
	while ((e = readdir(d))) {
		if (!is_id(e->d_name))
			continue;
		struct ctr_record *rec = NULL;
		int k = ctr_record_load(s, e->d_name, &rec);
		if (k == -ENOENT)
			continue; /* being created or removed */
		if (k < 0) {
			log_warn("skipping container %s: unreadable record", e->d_name);
			continue;
		}
		struct ctr_record **nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			ctr_record_free(rec);
			r = -ENOMEM;
			break;
		}
		v = nv;
		v[n++] = rec;
	}
	closedir(d);
	if (r < 0) {
		ctr_list_free(v, n);
		return r;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), by_created_desc);
	*ret = v;
	*ret_n = n;
	return 0;
}

bool ctr_name_taken(struct store *s, const char *name, char **ret_id)
{
	struct ctr_record **v = NULL;
	size_t n = 0;
	bool taken = false;
	if (ctr_list(s, &v, &n) < 0)
		return false;
	for (size_t i = 0; i < n && !taken; i++)
		if (STREQ(v[i]->name, name)) {
			taken = true;
			if (ret_id)
				*ret_id = strdup(v[i]->id);
		}
	ctr_list_free(v, n);
	return taken;
}

int ctr_lookup(struct store *s, const char *ref, char **ret_id)
{
	struct ctr_record **v = NULL;
	size_t n = 0;
	int r = ctr_list(s, &v, &n);
	if (r < 0)
		return r;
	const char *found = NULL;
	size_t len = strlen(ref);
	int matches = 0;
	for (size_t i = 0; i < n; i++)
		if (STREQ(v[i]->id, ref) || STREQ(v[i]->name, ref)) {
			found = v[i]->id;
			matches = 1;
			break;
		}
	if (!found && len > 0)
		for (size_t i = 0; i < n; i++)
			if (strncmp(v[i]->id, ref, len) == 0) {
				found = v[i]->id;
				matches++;
			}
	if (matches == 1) {
		*ret_id = strdup(found);
		r = *ret_id ? 0 : -ENOMEM;
	} else if (matches > 1) {
		r = log_error_errno(-EEXIST, "more than one container matches the ID prefix \"%s\": use more digits",
				    ref);
	} else {
		r = -ENOENT;
		log_error("no container with name or ID \"%s\" found: no such container", ref);
	}
	ctr_list_free(v, n);
	return r;
}

bool ctr_name_valid(const char *c)
{
	size_t n = strlen(c);
	if (n == 0 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = c[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
		if (!alnum && (i == 0 || (ch != '_' && ch != '.' && ch != '-')))
			return false;
	}
	return true;
}

int ctr_new_id(char ret[CTR_ID_LEN + 1])
{
	unsigned char b[CTR_ID_LEN / 2];
	size_t got = 0;
	while (got < sizeof(b)) {
		ssize_t k = getrandom(b + got, sizeof(b) - got, 0);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)k;
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(ret + 2 * i, 3, "%02x", b[i]);
	return 0;
}

char *ctr_random_name(void)
{
	static const char *const adj[] = {
	    "brave", "calm",   "eager", "fervent", "gentle",   "happy",	 "jolly",   "keen",    "lucid",
	    "merry", "nimble", "quiet", "sharp",   "silent",   "stoic",	 "swift",   "tender",  "vivid",
	    "wise",  "zen",    "bold",	"clever",  "dazzling", "elated", "festive", "gallant", "hopeful",
	};
	static const char *const noun[] = {
	    "bohr",    "curie",	 "darwin",   "euler",  "faraday", "gauss",   "hopper",	"kepler",  "lovelace",
	    "meitner", "newton", "noether",  "pascal", "planck",  "ritchie", "shannon", "tesla",   "turing",
	    "wozniak", "yonath", "hamilton", "knuth",  "lamport", "liskov",  "minsky",	"perlman", "thompson",
	};
	unsigned char b[2];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		b[0] = b[1] = (unsigned char)getpid();
	char *s = NULL;
	if (asprintf(&s, "%s_%s", adj[b[0] % ELEMENTSOF(adj)], noun[b[1] % ELEMENTSOF(noun)]) < 0)
		return NULL;
	return s;
}

/* ---- liveness ---- */

const char *ctr_boot_id(void)
{
	static char buf[64];
	if (!buf[0]) {
		cleanup_free char *d = NULL;
		if (fs_read_file_at(AT_FDCWD, "/proc/sys/kernel/random/boot_id", 128, &d, NULL) == 0) {
			d[strcspn(d, "\n")] = 0;
			snprintf(buf, sizeof(buf), "%s", d);
		} else {
			snprintf(buf, sizeof(buf), "unknown");
		}
	}
	return buf;
}

/* Fields after the comm: state is field 3, starttime field 22. */
static int proc_stat(pid_t pid, char *ret_state, uint64_t *ret_start)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno == -ENOENT ? -ESRCH : -errno;
	ssize_t k = read(fd, buf, sizeof(buf) - 1);
	if (k <= 0)
		return -ESRCH;
	buf[k] = 0;
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -EBADMSG;
	p += 2;
	char state = *p;
	unsigned long long start = 0;
	int field = 3;
	for (char *q = p; *q && field < 22; q++)
		if (*q == ' ') {
			field++;
			if (field == 22)
				start = strtoull(q + 1, NULL, 10);
		}
	if (field != 22)
		return -EBADMSG;
	if (ret_state)
		*ret_state = state;
	if (ret_start)
		*ret_start = start;
	return 0;
}

int ctr_proc_start_time(pid_t pid, uint64_t *ret)
{
	return proc_stat(pid, NULL, ret);
}

bool ctr_proc_alive(pid_t pid, uint64_t start)
{
	char st = 0;
	uint64_t t = 0;
	if (pid <= 0 || proc_stat(pid, &st, &t) < 0)
		return false;
	if (st == 'Z' || st == 'X')
		return false;
	return start == 0 || t == start;
}

int64_t ctr_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

bool ctr_monitor_alive(const struct ctr_record *r)
{
	if (r->monitor_pid <= 0 || !r->boot_id || !STREQ(r->boot_id, ctr_boot_id()))
		return false;
	return ctr_proc_alive(r->monitor_pid, r->monitor_start);
}

enum ctr_status ctr_status(const struct ctr_record *r)
{
	bool same_boot = r->boot_id && STREQ(r->boot_id, ctr_boot_id());
	switch (r->state) {
	case CTR_CREATED:
		return CTR_STATUS_CREATED;
	case CTR_STARTING:
		/* A live monitor is still working on it; a dead one never got as far as a pid
		 * (lifecycle.c asks the runtime whether a container exists anyway). */
		if (same_boot && ctr_monitor_alive(r))
			return CTR_STATUS_STARTING;
		return CTR_STATUS_CREATED;
	case CTR_RUNNING:
		if (same_boot && ctr_proc_alive(r->pid, r->pid_start))
			return CTR_STATUS_RUNNING;
		return CTR_STATUS_EXITED;
	case CTR_EXITED:
		return CTR_STATUS_EXITED;
	case CTR_REMOVING:
		return CTR_STATUS_REMOVING;
	}
	return CTR_STATUS_EXITED;
}
