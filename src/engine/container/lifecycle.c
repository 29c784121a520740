/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/config/oci-runtime.h"
#include "engine/container/imgcfg.h"
#include "engine/container/monitor.h"
#include "engine/container/spec-network.h"
#include "engine/container/spec-seccomp.h"
#include "engine/container/util.h"
#include "engine/image/idmap.h"
#include "engine/image/rootfs.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/sha256.h"

char *ctr_runtime_root(const struct engine_config *cfg, const char *store_root)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	char hex[SHA256_HEX_SIZE], *p = NULL;
	sha256(store_root, strlen(store_root), d);
	sha256_hex(d, hex);
	const char *tmp = cfg->tmp_dir ? cfg->tmp_dir : "/run/kakuri-engine";
	if (asprintf(&p, "%s/%.16s/runtime", tmp, hex) < 0)
		return NULL;
	return p;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- cgroup migration lock warm-up ---- */

static void *prewarm_thread(void *arg)
{
	int fd = (int)(intptr_t)arg;
	/* "0": the writer's own process, already there: no move, just the lock. */
	if (write(fd, "0", 1) < 0)
		log_debug("cgroup lock warm-up: %m");
	close(fd);
	return NULL;
}

void ctr_cgroup_prewarm(void)
{
	if (idmap_rootless())
		return;
	cleanup_free char *cg = NULL;
	if (fs_read_file_at(AT_FDCWD, "/proc/self/cgroup", 65536, &cg, NULL) < 0)
		return;
	char path[4200] = "";
	char *save = NULL;
	for (char *l = strtok_r(cg, "\n", &save); l && !path[0]; l = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = 0;
		const char *ctrl = c1 + 1, *p = c2 + 1;
		if (!*ctrl)
			snprintf(path, sizeof(path), "/sys/fs/cgroup/unified%s/cgroup.procs", p);
		else if (strncmp(ctrl, "name=", 5) != 0)
			snprintf(path, sizeof(path), "/sys/fs/cgroup/%.*s%s/cgroup.procs", (int)strcspn(ctrl, ","),
				 ctrl, p);
		if (path[0] && access(path, W_OK) < 0)
			path[0] = 0;
	}
	if (!path[0])
		snprintf(path, sizeof(path), "/sys/fs/cgroup/cgroup.procs");
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	pthread_t t;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&a, 64 * 1024);
	if (pthread_create(&t, &a, prewarm_thread, (void *)(intptr_t)fd) != 0)
		close(fd);
	pthread_attr_destroy(&a);
}

/* ---- create ---- */

static int new_record(struct store *s, const struct engine_config *cfg, const struct ctr_opts *o,
		      const struct ctr_image *im, const char *runtime, struct ctr_record **ret)
{
	char id[CTR_ID_LEN + 1];
	cleanup_free char *name = NULL;
	int r = ctr_new_id(id);
	if (r < 0)
		return log_error_errno(r, "Cannot generate a container ID: %m");
	if (o->name && !ctr_name_valid(o->name))
		return log_error_errno(
		    -EINVAL, "container name \"%s\" is invalid: names are [a-zA-Z0-9][a-zA-Z0-9_.-]*", o->name);
	cleanup_close int all = ctr_lock_all(s);
	if (all < 0)
		return all;
	if (o->name) {
		cleanup_free char *other = NULL;
		if (ctr_name_taken(s, o->name, &other))
			return log_error_errno(
			    -EEXIST,
			    "creating container storage: the container name \"%s\" is already in use by %s. You "
			    "have to remove that container to be able to reuse that name: that name is already in use",
			    o->name, other ? other : "another container");
		name = strdup(o->name);
	} else {
		for (int tries = 0; tries < 100; tries++) {
			free(name);
			name = ctr_random_name();
			if (!name || !ctr_name_taken(s, name, NULL))
				break;
			if (tries >= 50) { /* crowded: add digits */
				char *n2 = NULL;
				if (asprintf(&n2, "%s_%.4s", name, id + tries % 60) >= 0) {
					free(name);
					name = n2;
				}
			}
		}
	}
	if (!name)
		return -ENOMEM;
	cleanup_free char *dir = ctr_path(s, id, NULL), *ud = ctr_path(s, id, "userdata");
	if (!dir || !ud)
		return -ENOMEM;
	if (mkdir(dir, 0700) < 0 || mkdir(ud, 0700) < 0)
		return log_error_errno(-errno, "Failed to create %s: %m", dir);
	struct ctr_record *rec = calloc(1, sizeof(*rec));
	if (!rec)
		return -ENOMEM;
	rec->id = strdup(id);
	rec->name = TAKE_PTR(name);
	rec->image = strdup(o->image);
	rec->image_id = strdup(im->id);
	rec->image_name = im->name ? strdup(im->name) : NULL;
	rec->created = ctr_now_ns();
	rec->state = CTR_CREATED;
	rec->runtime = strdup(runtime);
	rec->runtime_root = ctr_runtime_root(cfg, s->root);
	rec->rootless = s->rootless;
	rec->auto_remove = o->rm;
	rec->log_size_max = cfg->log_size_max;
	rec->stop_timeout = o->stop_timeout >= 0 ? o->stop_timeout : (int)cfg->stop_timeout;
	rec->user = strdup("");
	rec->userns = strdup("host");
	rec->network = strdup("none");
	rec->stop_signal = strdup("SIGTERM");
	if (!rec->id || !rec->image || !rec->image_id || !rec->runtime || !rec->runtime_root || !rec->user ||
	    !rec->userns || !rec->network || !rec->stop_signal) {
		ctr_record_free(rec);
		fs_rm_rf(dir);
		return -ENOMEM;
	}
	r = ctr_record_save(s, rec);
	if (r < 0) {
		ctr_record_free(rec);
		fs_rm_rf(dir);
		return r;
	}
	*ret = rec;
	return 0;
}

int ctr_create(struct store *s, const struct engine_config *cfg, const struct ctr_opts *o, struct ctr_record **ret)
{
	struct ctr_image *im = NULL;
	cleanup_free char *runtime = NULL, *err = NULL, *ud = NULL;
	struct ctr_record *rec = NULL;
	struct image_rootfs_info info = {0};
	enum rootfs_driver drv = ROOTFS_AUTO;
	int r;

	r = ctr_image_load(s, o->image, &im);
	if (r < 0)
		return r;
	r = engine_config_find_runtime(cfg, o->runtime, &runtime, &err);
	if (r < 0) {
		ctr_image_free(im);
		return log_error_errno(r, "%s", err ? err : "cannot find the OCI runtime");
	}
	if (cfg->storage_driver && rootfs_driver_parse(cfg->storage_driver, &drv) < 0)
		drv = ROOTFS_AUTO;
	r = new_record(s, cfg, o, im, runtime, &rec);
	if (r < 0) {
		ctr_image_free(im);
		return r;
	}
	/* From here on a failure removes what was made; a crash leaves a "created" record
	 * that `rm` removes. */
	r = image_rootfs_create(s, im->id, rec->id, drv, &info);
	if (r >= 0) {
		ud = ctr_path(s, rec->id, "userdata");
		struct ctr_spec_ctx ctx = {
		    .cfg = cfg,
		    .image = im,
		    .id = rec->id,
		    .rootfs = info.path,
		    .userdata = ud,
		    .store_root = s->root,
		    .rootless = s->rootless,
		    .store = s,
		};
		r = ud ? ctr_spec_build(o, &ctx, rec) : -ENOMEM;
		if (r >= 0 && o->seccomp_record) {
			cleanup_free char *cfg_path = NULL;
			r = asprintf(&cfg_path, "%s/config.json", ud) < 0 ? -ENOMEM
									: ctr_spec_seccomp_record(o, runtime, cfg_path);
		}
	}
	if (r >= 0)
		r = ctr_record_save(s, rec);
	image_rootfs_info_clear(&info);
	ctr_image_free(im);
	if (r < 0) {
		ctr_storage_remove(s, rec->id);
		ctr_record_free(rec);
		return r;
	}
	*ret = rec;
	return 0;
}

int ctr_start(struct store *s, const char *id, const struct ctr_start_opts *o, int *ret_client)
{
	return ctr_monitor_spawn(s->root, id, o, ret_client);
}

/* ---- the runtime for a record ---- */

void ctr_rt_for(const struct ctr_record *rec, struct ctr_rt *rt)
{
	*rt = (struct ctr_rt){.path = rec->runtime, .root = rec->runtime_root, .rootless = rec->rootless};
	if (!rec->rootless)
		return;
	if (ctr_monitor_alive(rec)) {
		rt->join_pid = rec->monitor_pid;
		rt->join_start = rec->monitor_start;
	} else if (rec->pid > 0 && ctr_proc_alive(rec->pid, rec->pid_start)) {
		/* The init's user namespace is nested in the storage one (spec.c). */
		rt->join_pid = rec->pid;
		rt->join_start = rec->pid_start;
		rt->join_parent = true;
	}
}

enum ctr_status ctr_status_live(struct store *s, struct ctr_record *rec)
{
	enum ctr_status st = ctr_status(rec);
	if (rec->state != CTR_STARTING || st != CTR_STATUS_CREATED || !rec->boot_id ||
	    !STREQ(rec->boot_id, ctr_boot_id()))
		return st;
	/* The monitor died before it recorded a pid: maybe the runtime started the container
	 * anyway (its `run --detach` was past the point of no return). */
	struct ctr_rt rt;
	cleanup_free char *status = NULL;
	pid_t pid = 0;
	ctr_rt_for(rec, &rt);
	if (ctr_rt_state(&rt, rec->id, &status, &pid) < 0 || pid <= 0 || !ctr_proc_alive(pid, 0))
		return st;
	if (!STREQ(status, "running") && !STREQ(status, "paused"))
		return st;
	uint64_t start = 0;
	ctr_proc_start_time(pid, &start);
	cleanup_close int lk = ctr_lock(s, rec->id);
	struct ctr_record *cur = NULL;
	if (lk >= 0 && ctr_record_load(s, rec->id, &cur) == 0 && cur->state == CTR_STARTING &&
	    cur->monitor_pid == rec->monitor_pid) {
		cur->state = CTR_RUNNING;
		cur->pid = pid;
		cur->pid_start = start;
		cur->started_at = ctr_now_ns();
		ctr_record_save(s, cur);
	}
	ctr_record_free(cur);
	rec->state = CTR_RUNNING;
	rec->pid = pid;
	rec->pid_start = start;
	return CTR_STATUS_RUNNING;
}

/* ---- signals, stop, wait ---- */

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Waits up to ms for pid (started at start) to be gone; true if it is. */
static bool wait_gone(pid_t pid, uint64_t start, int ms)
{
	int64_t end = mono_ms() + ms;
	cleanup_close int pfd = pidfd_open_(pid);
	while (ctr_proc_alive(pid, start)) {
		int64_t left = end - mono_ms();
		if (left <= 0)
			return false;
		if (pfd >= 0) {
			struct pollfd p = {.fd = pfd, .events = POLLIN};
			poll(&p, 1, left > 50 ? 50 : (int)left);
		} else {
			sleep_ms(left > 10 ? 10 : (int)left);
		}
	}
	return true;
}

int ctr_signal(struct store *s, const struct ctr_record *rec, int sig)
{
	struct ctr_rt rt;
	if (rec->pid <= 0 || !ctr_proc_alive(rec->pid, rec->pid_start))
		return -ESRCH;
	ctr_rt_for(rec, &rt);
	if (ctr_rt_kill(&rt, rec->id, sig, false) == 0)
		return 0;
	/* The runtime lost it (its state dir was removed): signal the process ourselves, from
	 * inside its user namespace when it is not ours to signal from here. */
	pid_t c = fork();
	if (c < 0)
		return -errno;
	if (c == 0) {
		if (rec->rootless && !idmap_in_userns() && ctr_join_userns(rec->pid, rec->pid_start, false) < 0)
			_exit(2);
		_exit(kill(rec->pid, sig) == 0 ? 0 : 1);
	}
	int st;
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -ESRCH;
}

int ctr_cleanup_orphan(struct store *s, struct ctr_record *rec, int code)
{
	struct ctr_rt rt;
	rec->state = CTR_EXITED;
	rec->exit_code = code;
	rec->finished_at = ctr_now_ns();
	rec->monitor_pid = 0;
	ctr_net_stop(s, rec); /* the helper (pasta, slirp4netns) or the bridge attachment */
	int r = ctr_record_save(s, rec);
	ctr_rt_for(rec, &rt);
	ctr_rt_delete(&rt, rec->id);
	image_rootfs_umount(s, rec->id);
	return r;
}

/* The monitor records the exit; if it is gone, we do. */
static void wait_recorded(struct store *s, const char *id, int code_if_orphan)
{
	int64_t end = mono_ms() + 5000;
	while (mono_ms() < end) {
		struct ctr_record *rec = NULL;
		if (ctr_record_load(s, id, &rec) < 0)
			return; /* removed (--rm) */
		bool done = rec->state != CTR_RUNNING && rec->state != CTR_STARTING;
		bool monitor = ctr_monitor_alive(rec);
		ctr_record_free(rec);
		if (done)
			return;
		if (!monitor) {
			cleanup_close int lk = ctr_lock(s, id);
			if (lk >= 0 && ctr_record_load(s, id, &rec) == 0) {
				if ((rec->state == CTR_RUNNING || rec->state == CTR_STARTING) &&
				    !ctr_monitor_alive(rec) && !ctr_proc_alive(rec->pid, rec->pid_start))
					ctr_cleanup_orphan(s, rec, code_if_orphan);
				ctr_record_free(rec);
			}
			return;
		}
		sleep_ms(5);
	}
}

int ctr_stop(struct store *s, const char *id, int timeout)
{
	struct ctr_record *rec = NULL;
	int r = ctr_record_load(s, id, &rec);
	if (r < 0)
		return r == -ENOENT ? log_error_errno(r, "no container with ID %s found: no such container", id) : r;
	enum ctr_status st = ctr_status_live(s, rec);
	if (st != CTR_STATUS_RUNNING) {
		if (st == CTR_STATUS_EXITED)
			wait_recorded(s, id, -1);
		ctr_record_free(rec);
		return 0;
	}
	int sig = cu_signal_parse(rec->stop_signal ? rec->stop_signal : "SIGTERM");
	bool killed = false;
	if (sig < 0)
		sig = SIGTERM;
	if (timeout > 0) {
		ctr_signal(s, rec, sig);
		if (!wait_gone(rec->pid, rec->pid_start, timeout * 1000)) {
			log_warn("StopSignal %s failed to stop container %s in %d seconds, resorting to SIGKILL",
				 rec->stop_signal, rec->name, timeout);
			killed = true;
		}
	} else {
		killed = true;
	}
	if (killed) {
		ctr_signal(s, rec, SIGKILL);
		if (!wait_gone(rec->pid, rec->pid_start, 10000)) {
			r = log_error_errno(-ETIMEDOUT, "container %s did not die after SIGKILL", rec->name);
			ctr_record_free(rec);
			return r;
		}
	}
	wait_recorded(s, id, killed ? 137 : 128 + sig);
	ctr_record_free(rec);
	return 0;
}

int ctr_wait(struct store *s, const char *id, int timeout_ms)
{
	int64_t end = timeout_ms < 0 ? INT64_MAX : mono_ms() + timeout_ms;
	int last = -1;
	bool seen = false;
	for (;;) {
		struct ctr_record *rec = NULL;
		int r = ctr_record_load(s, id, &rec);
		if (r == -ENOENT)
			return seen ? last : -ENOENT;
		if (r < 0)
			return r;
		enum ctr_status st = ctr_status_live(s, rec);
		if (rec->state == CTR_EXITED) {
			int code = rec->exit_code;
			ctr_record_free(rec);
			return code;
		}
		if (st == CTR_STATUS_EXITED && !ctr_monitor_alive(rec)) {
			cleanup_close int lk = ctr_lock(s, id);
			ctr_record_free(rec);
			rec = NULL;
			if (lk >= 0 && ctr_record_load(s, id, &rec) == 0 && rec->state == CTR_RUNNING &&
			    !ctr_monitor_alive(rec) && !ctr_proc_alive(rec->pid, rec->pid_start))
				ctr_cleanup_orphan(s, rec, -1);
			int code = rec ? rec->exit_code : -1;
			ctr_record_free(rec);
			return code;
		}
		if (st == CTR_STATUS_RUNNING) {
			seen = true;
			pid_t pid = rec->pid;
			uint64_t start = rec->pid_start;
			ctr_record_free(rec);
			int64_t left = end - mono_ms();
			if (left <= 0)
				return -ETIMEDOUT;
			wait_gone(pid, start, left > 1000 ? 1000 : (int)left);
			continue;
		}
		ctr_record_free(rec);
		if (mono_ms() >= end)
			return -ETIMEDOUT;
		sleep_ms(st == CTR_STATUS_EXITED ? 2 : 20);
	}
}

/* ---- rm ---- */

/* The monitor's last steps (the runtime's delete) may follow its removal of the record. */
static void wait_monitor_gone(pid_t pid, uint64_t start)
{
	if (pid > 0 && start > 0 && !wait_gone(pid, start, 5000))
		kill(pid, SIGKILL);
}

int ctr_remove(struct store *s, const char *id, bool force)
{
	struct ctr_record *rec = NULL;
	int r = ctr_record_load(s, id, &rec);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	pid_t mon = ctr_monitor_alive(rec) ? rec->monitor_pid : 0;
	uint64_t mon_start = rec->monitor_start;
	enum ctr_status st = ctr_status_live(s, rec);
	if (st == CTR_STATUS_RUNNING || st == CTR_STATUS_STARTING) {
		if (!force) {
			r = log_error_errno(
			    -EBUSY,
			    "cannot remove container %s as it is %s - running or paused containers cannot be "
			    "removed without force: container state improper",
			    rec->id, ctr_status_name(st));
			ctr_record_free(rec);
			return r;
		}
		if (st == CTR_STATUS_STARTING) {
			/* Let the monitor get to a pid (or fail) first; it holds the lock meanwhile. */
			cleanup_close int lk = ctr_lock(s, id);
		}
		ctr_record_free(rec);
		rec = NULL;
		r = ctr_stop(s, id, 0);
		if (r < 0 && r != -ENOENT)
			return r;
		if (ctr_record_load(s, id, &rec) < 0) {
			wait_monitor_gone(mon, mon_start); /* --rm: it removed the container */
			return 0;
		}
	}
	/* A monitor still finishing (unmount, --rm) gets a moment; one that hangs is killed. */
	if (ctr_monitor_alive(rec)) {
		if (!wait_gone(rec->monitor_pid, rec->monitor_start, 5000))
			kill(rec->monitor_pid, SIGKILL);
		wait_gone(rec->monitor_pid, rec->monitor_start, 2000);
	}
	ctr_record_free(rec);
	rec = NULL;
	cleanup_close int lk = ctr_lock(s, id);
	if (lk < 0 || ctr_record_load(s, id, &rec) < 0) {
		wait_monitor_gone(mon, mon_start); /* removed meanwhile */
		return 0;
	}
	rec->state = CTR_REMOVING;
	ctr_record_save(s, rec);
	struct ctr_rt rt;
	ctr_rt_for(rec, &rt);
	ctr_rt_delete(&rt, id);
	ctr_net_stop(s, rec);
	ctr_record_free(rec);
	return ctr_storage_remove(s, id);
}
