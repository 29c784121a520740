/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "runtime/caps.h"
#include "runtime/exe-seal.h"
#include "runtime/cgroup.h"
#include "runtime/container-cgroup.h"
#include "runtime/hooks.h"
#include "runtime/init.h"
#include "runtime/landlock.h"
#include "runtime/lsm.h"
#include "runtime/namespaces.h"
#include "runtime/seccomp-cache.h"
#include "runtime/seccomp-record.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"
#include "runtime/userns.h"

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static void rfc3339_now(char buf[64])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, 64, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 64 - n, ".%09ldZ", ts.tv_nsec);
}

static char *annotations_json(const struct oci_spec *spec)
{
	/* The state file stores annotations as JSON object text. */
	if (spec->n_annotations == 0)
		return NULL;
	size_t cap = 2;
	for (size_t i = 0; i < spec->n_annotations; i++)
		cap += 6 * (strlen(spec->annotations[i].key) + strlen(spec->annotations[i].value)) + 8;
	char *s = malloc(cap), *o = s;
	if (!s)
		return NULL;
	*o++ = '{';
	for (size_t i = 0; i < spec->n_annotations; i++) {
		const char *kv[2] = { spec->annotations[i].key, spec->annotations[i].value };
		if (i)
			*o++ = ',';
		for (int j = 0; j < 2; j++) {
			*o++ = '"';
			for (const char *c = kv[j]; *c; c++) {
				unsigned char ch = (unsigned char)*c;
				if (ch == '"' || ch == '\\') {
					*o++ = '\\';
					*o++ = (char)ch;
				} else if (ch < 0x20) {
					o += sprintf(o, "\\u%04x", ch);
				} else {
					*o++ = (char)ch;
				}
			}
			*o++ = '"';
			if (j == 0)
				*o++ = ':';
		}
	}
	*o++ = '}';
	*o = 0;
	return s;
}

/* Roll back a failed create: the init, its cgroup and the state dir. */
struct create_guard {
	const char *root, *id;
	bool dir_made;
	pid_t init_pid;
	pid_t stage1_pid;
	struct cgroup *cgroup; /* owned; prepared, maybe (partly) created */
};

static void create_guard_rollback(struct create_guard *g)
{
	if (g->init_pid > 0)
		kill(g->init_pid, SIGKILL);
	if (g->stage1_pid > 0) {
		kill(g->stage1_pid, SIGKILL);
		while (waitpid(g->stage1_pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (g->init_pid > 0) {
		/* Our child when we are a subreaper (run); otherwise wait via pidfd. */
		if (waitpid(g->init_pid, NULL, 0) < 0) {
			int pfd = pidfd_open_(g->init_pid);
			if (pfd >= 0) {
				struct pollfd p = { .fd = pfd, .events = POLLIN };
				poll(&p, 1, 5000);
				close(pfd);
			}
		}
	}
	/* After the init is gone: this also kills anything it left and removes the dirs. */
	if (g->cgroup)
		cgroup_destroy(g->cgroup);
	if (g->dir_made)
		state_remove(g->root, g->id);
}

/* Put the init into its cgroup. The cgroup is recorded in the state dir first, so that a
 * `delete --force` after this runtime is killed from here on still finds and removes it. */
static int enter_cgroup(struct create_guard *g, pid_t pid, struct container_state *st)
{
	cleanup_free char *rec = container_cgroup_record_path(g->root, g->id), *text = cgroup_serialize(g->cgroup);
	int r;
	if (!rec || !text)
		return -ENOMEM;
	r = fs_write_atomic(rec, text, strlen(text), 0600);
	if (r < 0)
		return log_error_errno(r, "Failed to write '%s': %m", rec);
	r = cgroup_enter(g->cgroup, pid);
	if (r < 0)
		return r;
	if (r > 0) {
		/* Rootless without delegation: runs without a cgroup (warned). */
		cgroup_free(TAKE_PTR(g->cgroup));
		unlink(rec);
		return 0;
	}
	st->cgroup = cgroup_serialize(g->cgroup);
	return st->cgroup ? 0 : -ENOMEM;
}

static int resolve_rootfs(const struct oci_spec *spec, const char *bundle, char **ret)
{
	cleanup_free char *joined = NULL;
	const char *p = spec->root_path;
	if (!p)
		return log_error_errno(-EINVAL, "config.json: root.path: missing");
	if (p[0] != '/') {
		if (asprintf(&joined, "%s/%s", bundle, p) < 0)
			return -ENOMEM;
		p = joined;
	}
	char *real = realpath(p, NULL);
	if (!real)
		return log_error_errno(-errno, "config.json: root.path: '%s': %m", p);
	struct stat st;
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(real);
		return log_error_errno(-ENOTDIR, "config.json: root.path: '%s' is not a directory", p);
	}
	*ret = real;
	return 0;
}

static int handle_child(struct create_guard *g, int sync_fd, const struct oci_spec *spec,
			bool new_userns, struct container_state *st)
{
	struct sync_msg m = { 0 };
	cleanup_free char *sj = NULL;
	pid_t pid = 0;
	int r;

	if (new_userns) {
		r = sync_expect(sync_fd, SYNC_USERMAP, &m, NULL);
		if (r < 0)
			goto child_err;
		r = userns_write_maps(g->stage1_pid, &spec->linux_);
		if (r < 0)
			return r;
		r = sync_send(sync_fd, SYNC_USERMAP_DONE, 0, NULL);
		if (r < 0)
			return log_error_errno(r, "sync with the container failed: %m");
	}
	r = sync_expect(sync_fd, SYNC_PID, &m, &pid);
	if (r < 0)
		goto child_err;
	if (pid <= 0)
		return log_error_errno(-EPROTO, "container init did not report its pid");
	g->init_pid = pid;
	st->pid = pid;
	while (waitpid(g->stage1_pid, NULL, 0) < 0 && errno == EINTR)
		;
	g->stage1_pid = 0;
	if (g->cgroup) {
		r = enter_cgroup(g, pid, st);
		if (r < 0)
			return r;
	}
	r = sync_send(sync_fd, SYNC_CGROUP_DONE, 0, NULL);
	if (r < 0)
		return log_error_errno(r, "sync with the container failed: %m");

	r = sync_expect(sync_fd, SYNC_HOOKS, &m, NULL);
	if (r < 0)
		goto child_err;
	sj = state_to_json(st, STATUS_CREATING);
	if (!sj)
		return -ENOMEM;
	for (int k = OCI_HOOK_PRESTART; k <= OCI_HOOK_CREATE_RUNTIME; k++) {
		r = hooks_run(spec, k, sj);
		if (r < 0)
			return r;
	}
	r = sync_send(sync_fd, SYNC_HOOKS_DONE, 0, sj);
	if (r < 0)
		return log_error_errno(r, "sync with the container failed: %m");
	r = sync_expect(sync_fd, SYNC_CREATED, &m, NULL);
	if (r < 0)
		goto child_err;
	return 0;

child_err:
	if (m.type == SYNC_ERROR && m.text[0])
		return log_error_errno(r, "%s", m.text);
	if (r == -EPIPE)
		return log_error_errno(r, "container init exited during setup");
	return log_error_errno(r, "sync with the container failed: %m");
}

int container_create(const struct create_opts *o, pid_t *ret_pid, bool *ret_terminal)
{
	struct oci_spec *spec = NULL;
	cleanup_free char *err = NULL, *bundle = NULL, *config = NULL, *rootfs = NULL, *sdir = NULL,
			  *fifo = NULL, *cfg_copy = NULL, *cfg_text = NULL, *ann = NULL, *cg_text = NULL;
	struct create_guard g = { .root = o->root, .id = o->id };
	struct seccomp_prog *seccomp = NULL;
	struct landlock_plan *landlock = NULL;
	struct lsm_plan lsm = { 0 };
	int sync_fds[2] = { -EBADF, -EBADF };
	cleanup_close int fifo_fd = -EBADF, console_fd = -EBADF, agent_fd = -EBADF, record_fd = -EBADF;
	int ns_fds[OCI_NS_MAX];
	int r;

	for (int t = 0; t < OCI_NS_MAX; t++)
		ns_fds[t] = -EBADF;
	r = state_check_id(o->id);
	if (r < 0)
		return r;
	bundle = realpath(o->bundle ? o->bundle : ".", NULL);
	if (!bundle)
		return log_error_errno(-errno, "--bundle '%s': %m", o->bundle ? o->bundle : ".");
	if (o->config_path)
		config = strdup(o->config_path);
	else if (asprintf(&config, "%s/config.json", bundle) < 0)
		config = NULL;
	if (!config)
		return -ENOMEM;
	r = fs_read_file_at(AT_FDCWD, config, 0, &cfg_text, NULL);
	if (r < 0)
		return log_error_errno(r, "%s: %m", config);
	r = spec_parse_string(cfg_text, "config.json", &spec, &err);
	if (r < 0)
		return log_error_errno(r, "%s", err ? err : "config.json: invalid");
	if (!spec->process) {
		r = log_error_errno(-EINVAL, "config.json: process: required to create a container");
		goto out;
	}
	r = resolve_rootfs(spec, bundle, &rootfs);
	if (r < 0)
		goto out;
	r = caps_validate(&spec->process->caps);
	if (r < 0)
		goto out;
	bool new_userns = spec->linux_.namespaces[OCI_NS_USER].present && !spec->linux_.namespaces[OCI_NS_USER].path;
	if (!new_userns && geteuid() != 0 && !spec->linux_.namespaces[OCI_NS_USER].present) {
		r = log_error_errno(-EPERM, "config.json: linux.namespaces: running as an unprivileged user needs a user namespace (add {\"type\": \"user\"}; `spec --rootless` does)");
		goto out;
	}
	r = userns_default_maps(&spec->linux_, o->rootless || geteuid() != 0);
	if (r < 0)
		goto out;
	r = userns_check_maps(&spec->linux_);
	if (r < 0)
		goto out;
	/* CVE-2019-5736: a container that may ptrace us must only ever see a sealed copy of
	 * the runtime binary (exe-seal.h). May re-execute the command from the start. */
	r = exe_seal_ensure(exe_seal_needed_for_create(spec));
	if (r < 0)
		goto out;
	/* LSM labels and Landlock are checked here, in the host's mount namespace and before
	 * anything is created, so a bad config fails cleanly and warnings reach our stderr. */
	r = lsm_plan_make(spec, spec->process, true, lsm_detect(), &lsm);
	if (r < 0)
		goto out;
	r = landlock_plan_new(spec, &landlock);
	if (r < 0)
		goto out;
	{
		cleanup_free char *cache = seccomp_cache_dir(o->root);
		r = seccomp_compile_cached(&spec->linux_.seccomp, cache, &seccomp);
	}
	if (r < 0)
		goto out;
	r = ns_open_paths(&spec->linux_, ns_fds);
	if (r < 0)
		goto out;
	if (spec->linux_.seccomp.listener_path) {
		agent_fd = seccomp_connect_listener(&spec->linux_.seccomp);
		if (agent_fd < 0) {
			r = agent_fd;
			goto out;
		}
	}
	if (spec->process->terminal && o->console_fd > 2) {
		console_fd = fcntl(o->console_fd, F_DUPFD_CLOEXEC, 3);
		if (console_fd < 0) {
			r = log_error_errno(-errno, "dup of the console socket failed: %m");
			goto out;
		}
	} else if (spec->process->terminal && o->console_socket) {
		console_fd = terminal_connect(o->console_socket);
		if (console_fd < 0) {
			r = console_fd;
			goto out;
		}
	} else if (spec->process->terminal) {
		r = log_error_errno(-EINVAL, "process.terminal is true: --console-socket is required");
		goto out;
	}
	/* Decided (and checked against the host) before anything exists; made in handle_child. */
	struct cgroup_options cgo = {
		.manager = o->cgroup_manager,
		.id = o->id,
		.cgroups_path = spec->linux_.cgroups_path,
		.resources_json = spec->linux_.resources_json,
		/* In a user namespace root is not the host's root: cgroupfs and the device
		 * controller behave as for a rootless user (delegated directories only). */
		.rootless = o->rootless || geteuid() != 0 || userns_running_nested(),
		.devices = spec->linux_.devices,
		.n_devices = spec->linux_.n_devices,
	};
	r = cgroup_prepare(&cgo, &g.cgroup);
	if (r < 0)
		goto out;

	r = state_create_dir(o->root, o->id);
	if (r < 0)
		goto out;
	g.dir_made = true;
	sdir = state_dir(o->root, o->id);
	if (!sdir || asprintf(&fifo, "%s/exec.fifo", sdir) < 0 || asprintf(&cfg_copy, "%s/config.json", sdir) < 0) {
		r = -ENOMEM;
		goto fail;
	}
	r = fs_write_atomic(cfg_copy, cfg_text, strlen(cfg_text), 0600);
	if (r < 0) {
		log_error_errno(r, "Failed to write '%s': %m", cfg_copy);
		goto fail;
	}
	if (mkfifo(fifo, 0600) < 0) {
		r = log_error_errno(-errno, "Failed to create '%s': %m", fifo);
		goto fail;
	}
	/* O_RDWR never blocks on a fifo; the init inherits this fd and later blocks in read()
	 * until `start` writes. start's O_WRONLY|O_NONBLOCK open fails with ENXIO once no
	 * reader is left, i.e. when the init died. */
	fifo_fd = open(fifo, O_RDWR | O_CLOEXEC);
	if (fifo_fd < 0) {
		r = log_error_errno(-errno, "Failed to open '%s': %m", fifo);
		goto fail;
	}
	r = sync_pair(sync_fds);
	if (r < 0) {
		log_error_errno(r, "socketpair failed: %m");
		goto fail;
	}
	/* The recorder ends by itself (EOF on its socket) if the init never installs the
	 * recording filter, so it needs no place in the rollback guard. */
	r = seccomp_record_spawn(spec, &record_fd);
	if (r < 0)
		goto fail;

	struct init_ctx ctx = {
		.spec = spec,
		.rootfs = rootfs,
		.bundle = bundle,
		.sync_fd = sync_fds[1],
		.fifo_fd = fifo_fd,
		.console_fd = console_fd,
		.seccomp = seccomp,
		.agent_fd = agent_fd,
		.record_fd = record_fd,
		.lsm = lsm,
		.landlock = landlock,
		.preserve_fds = o->preserve_fds,
		.no_pivot = o->no_pivot,
		.no_new_keyring = o->no_new_keyring,
		.new_userns = new_userns,
	};
	memcpy(ctx.ns_fds, ns_fds, sizeof(ns_fds));
	fflush(NULL);
	pid_t child = fork();
	if (child < 0) {
		r = log_error_errno(-errno, "fork failed: %m");
		goto fail;
	}
	if (child == 0) {
		sync_fds[0] = safe_close(sync_fds[0]);
		init_stage1(&ctx);
	}
	g.stage1_pid = child;
	sync_fds[1] = safe_close(sync_fds[1]);
	ns_close_all(ns_fds);
	console_fd = safe_close(console_fd);
	agent_fd = safe_close(agent_fd);
	record_fd = safe_close(record_fd);

	struct passwd *pw = getpwuid(geteuid());
	char created[64];
	rfc3339_now(created);
	ann = annotations_json(spec);
	struct container_state st = {
		.id = (char *)o->id,
		.bundle = bundle,
		.rootfs = rootfs,
		.created = created,
		.owner = pw ? pw->pw_name : (char *)"",
		.annotations_json = ann,
		.rootless = geteuid() != 0,
		.in_pidns = spec->linux_.namespaces[OCI_NS_PID].present,
		.has_poststart = spec->hooks.n[OCI_HOOK_POSTSTART] > 0,
		.has_poststop = spec->hooks.n[OCI_HOOK_POSTSTOP] > 0,
	};
	r = handle_child(&g, sync_fds[0], spec, new_userns, &st);
	cg_text = st.cgroup;
	if (r < 0)
		goto fail;
	r = state_pid_start_time(st.pid, &st.start_time);
	if (r < 0) {
		log_error_errno(r, "container init %d exited during setup", (int)st.pid);
		goto fail;
	}
	r = state_save(o->root, &st);
	if (r < 0)
		goto fail;
	if (o->pid_file) {
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "%d", (int)st.pid);
		r = fs_write_atomic(o->pid_file, buf, (size_t)n, 0644);
		if (r < 0) {
			log_error_errno(r, "--pid-file '%s': %m", o->pid_file);
			goto fail;
		}
	}
	if (ret_pid)
		*ret_pid = st.pid;
	if (ret_terminal)
		*ret_terminal = spec->process->terminal;
	r = 0;
	goto out;

fail:
	create_guard_rollback(&g);
out:
	sync_fds[0] = safe_close(sync_fds[0]);
	sync_fds[1] = safe_close(sync_fds[1]);
	ns_close_all(ns_fds);
	seccomp_prog_free(seccomp);
	landlock_plan_free(landlock);
	cgroup_free(g.cgroup);
	spec_free(spec);
	return r;
}

int container_load_spec(const char *root, const char *id, struct oci_spec **ret)
{
	cleanup_free char *d = state_dir(root, id), *path = NULL, *err = NULL;
	if (!d || asprintf(&path, "%s/config.json", d) < 0)
		return -ENOMEM;
	int r = spec_parse_file(path, ret, &err);
	if (r < 0)
		return log_error_errno(r, "%s", err ? err : path);
	return 0;
}

int container_start(const char *root, const char *id)
{
	struct container_state *st = NULL;
	struct oci_spec *spec = NULL;
	cleanup_free char *d = NULL, *fifo = NULL;
	int r = state_load(root, id, &st);
	if (r < 0)
		return r;
	enum container_status s = state_status(root, st);
	if (s != STATUS_CREATED) {
		r = log_error_errno(-EINVAL, "cannot start container '%s': it is %s, not created", id, state_status_name(s));
		goto out;
	}
	d = state_dir(root, id);
	if (!d || asprintf(&fifo, "%s/exec.fifo", d) < 0) {
		r = -ENOMEM;
		goto out;
	}
	int fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		r = log_error_errno(-errno, "cannot start container '%s': its init is gone (%m)", id);
		goto out;
	}
	r = fs_write_all(fd, "0", 1);
	if (r < 0) {
		close(fd);
		log_error_errno(r, "cannot start container '%s': %m", id);
		goto out;
	}
	unlink(fifo);
	if (st->has_poststart) {
		/* poststart hooks run after the user process was executed (runtime.md): the init
		 * holds the fifo's only other end until execve closes it (O_CLOEXEC), and a fifo
		 * writer gets POLLERR once no reader is left. */
		struct pollfd pfd = { .fd = fd, .events = 0 };
		while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
			;
	}
	close(fd);
	if (st->has_poststart && container_load_spec(root, id, &spec) >= 0 && spec->hooks.n[OCI_HOOK_POSTSTART] > 0) {
		cleanup_free char *sj = state_to_json(st, STATUS_RUNNING);
		/* poststart failures are logged (by hooks_run) but do not fail start (runtime.md). */
		(void)hooks_run(spec, OCI_HOOK_POSTSTART, sj);
	}
	r = 0;
out:
	spec_free(spec);
	state_free(st);
	return r;
}

int container_parse_signal(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} table[] = {
		{ "HUP", SIGHUP },   { "INT", SIGINT },	    { "QUIT", SIGQUIT },     { "ILL", SIGILL },
		{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT },   { "IOT", SIGIOT },	     { "BUS", SIGBUS },
		{ "FPE", SIGFPE },   { "KILL", SIGKILL },   { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
		{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE },   { "ALRM", SIGALRM },     { "TERM", SIGTERM },
		{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },   { "STOP", SIGSTOP },
		{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },     { "URG", SIGURG },
		{ "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },   { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
		{ "WINCH", SIGWINCH }, { "IO", SIGIO },     { "POLL", SIGPOLL },     { "PWR", SIGPWR },
		{ "SYS", SIGSYS },
	};
	char *end;
	long n = strtol(s, &end, 10);
	if (*s && !*end)
		return n > 0 && n < NSIG ? (int)n : -EINVAL;
	const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
	for (size_t i = 0; i < ELEMENTSOF(table); i++)
		if (strcasecmp(name, table[i].name) == 0)
			return table[i].sig;
	if (strncasecmp(name, "RTMIN+", 6) == 0) {
		n = strtol(name + 6, &end, 10);
		if (!*end && SIGRTMIN + n <= SIGRTMAX)
			return SIGRTMIN + (int)n;
	}
	return -EINVAL;
}

/* Inode of /proc/PID/ns/pid, or 0. */
static ino_t pidns_of(pid_t pid)
{
	char path[64];
	struct stat s;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	return stat(path, &s) < 0 ? 0 : s.st_ino;
}

int container_pids(const char *root, const char *id, pid_t **ret, size_t *ret_n)
{
	struct container_state *st = NULL;
	int r = state_load(root, id, &st);
	if (r < 0)
		return r;
	size_t n = 0, cap = 16;
	pid_t *v = malloc(cap * sizeof(pid_t));
	if (!v) {
		state_free(st);
		return -ENOMEM;
	}
	if (state_init_alive(st) && st->cgroup) {
		/* The cgroup holds every process of the container, pid namespace or not (the
		 * pid namespace scan below adds processes that joined only the namespace). */
		struct cgroup *cg = NULL;
		pid_t *cv = NULL;
		size_t cn = 0;
		if (cgroup_deserialize(st->cgroup, &cg) >= 0 && cgroup_pids(cg, &cv, &cn) >= 0 && cn > 0) {
			free(v);
			v = cv;
			n = cap = cn;
		} else {
			free(cv);
		}
		cgroup_free(cg);
	}
	if (state_init_alive(st)) {
		ino_t ns = st->in_pidns ? pidns_of(st->pid) : 0;
		if (!ns) {
			bool have = false;
			for (size_t i = 0; i < n; i++)
				have |= v[i] == st->pid;
			pid_t *nv = have || n < cap ? v : realloc(v, (cap *= 2) * sizeof(pid_t));
			if (nv && !have) {
				v = nv;
				v[n++] = st->pid;
			}
		} else {
			DIR *dir = opendir("/proc");
			struct dirent *de;
			while (dir && (de = readdir(dir))) {
				char *end;
				long p = strtol(de->d_name, &end, 10);
				if (*end || p <= 0 || pidns_of((pid_t)p) != ns)
					continue;
				bool have = false;
				for (size_t i = 0; i < n && !have; i++)
					have = v[i] == (pid_t)p;
				if (have)
					continue;
				if (n == cap) {
					pid_t *nv = realloc(v, (cap *= 2) * sizeof(pid_t));
					if (!nv)
						break;
					v = nv;
				}
				v[n++] = (pid_t)p;
			}
			if (dir)
				closedir(dir);
		}
	}
	state_free(st);
	*ret = v;
	*ret_n = n;
	return 0;
}

int container_kill(const char *root, const char *id, int sig, bool all)
{
	struct container_state *st = NULL;
	int r = state_load(root, id, &st);
	if (r < 0)
		return r;
	if (!state_init_alive(st)) {
		state_free(st);
		return log_error_errno(-ESRCH, "container '%s' is not running", id);
	}
	if (all && st->cgroup) {
		/* cgroup.kill (v2) or freeze-signal-thaw: no fork can slip through. The init is in
		 * the cgroup too. */
		struct cgroup *cg = NULL;
		r = cgroup_deserialize(st->cgroup, &cg);
		if (r >= 0)
			r = cgroup_kill(cg, sig);
		cgroup_free(cg);
		state_free(st);
		return r;
	}
	if (all) {
		pid_t *pids = NULL;
		size_t n = 0;
		r = container_pids(root, id, &pids, &n);
		for (size_t i = 0; r >= 0 && i < n; i++)
			kill(pids[i], sig);
		free(pids);
	}
	/* A pidfd pins the process: no pid-reuse race between the check and the signal. */
	int pfd = pidfd_open_(st->pid);
	r = 0;
	if (pfd >= 0) {
		unsigned long long t;
		if (state_pid_start_time(st->pid, &t) < 0 || t != st->start_time)
			r = log_error_errno(-ESRCH, "container '%s' is not running", id);
		else if (syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0) < 0)
			r = log_error_errno(-errno, "Failed to send signal %d to container '%s': %m", sig, id);
		close(pfd);
	} else if (kill(st->pid, sig) < 0) {
		r = log_error_errno(-errno, "Failed to send signal %d to container '%s': %m", sig, id);
	}
	state_free(st);
	return r;
}

static void wait_gone(pid_t pid, unsigned long long start_time, int timeout_ms)
{
	int pfd = pidfd_open_(pid);
	if (pfd < 0)
		return;
	unsigned long long t;
	if (state_pid_start_time(pid, &t) >= 0 && t == start_time) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		poll(&p, 1, timeout_ms);
	}
	close(pfd);
	/* Reap it if it is our child (run, or we are the subreaper). */
	waitpid(pid, NULL, WNOHANG);
}

/* A create killed before it wrote state.json leaves its state dir and maybe a cgroup holding
 * the init (recorded in cgroup.json before it was made): `delete --force` removes both. */
static int delete_partial(const char *root, const char *id)
{
	struct cgroup *cg = NULL;
	cleanup_free char *d = state_dir(root, id);
	int r;
	if (!d)
		return -ENOMEM;
	if (access(d, F_OK) < 0)
		return 0;
	r = container_cgroup_load(root, id, NULL, &cg);
	if (r >= 0 && cg)
		r = cgroup_destroy(cg);
	cgroup_free(cg);
	if (r < 0)
		return r;
	return state_remove(root, id);
}

int container_delete(const char *root, const char *id, bool force)
{
	struct container_state *st = NULL;
	struct oci_spec *spec = NULL;
	struct cgroup *cg = NULL;
	cleanup_free char *d = state_dir(root, id), *sj_path = NULL;
	if (!d || asprintf(&sj_path, "%s/state.json", d) < 0)
		return -ENOMEM;
	if (force && access(d, F_OK) == 0 && access(sj_path, F_OK) < 0 && errno == ENOENT)
		return delete_partial(root, id);
	int r = state_load(root, id, &st);
	if (r < 0)
		return force && r == -ENOENT ? 0 : r;
	enum container_status s = state_status(root, st);
	if ((s == STATUS_RUNNING || s == STATUS_PAUSED) && !force) {
		r = log_error_errno(-EBUSY, "cannot delete container '%s': it is %s (stop it first or use --force)", id,
				    state_status_name(s));
		goto out;
	}
	/* Thaws, kills everything (also what outlived the init) and removes the dirs; after an
	 * OOM kill or a pause too. On failure the state stays, so delete can be retried. */
	r = container_cgroup_load(root, id, st, &cg);
	if (r >= 0 && cg)
		r = cgroup_destroy(cg);
	if (r < 0)
		goto out;
	if (s != STATUS_STOPPED) {
		pid_t *pids = NULL;
		size_t n = 0;
		if (container_pids(root, id, &pids, &n) >= 0)
			for (size_t i = 0; i < n; i++)
				kill(pids[i], SIGKILL);
		free(pids);
		kill(st->pid, SIGKILL);
		wait_gone(st->pid, st->start_time, 10000);
	}
	if (st->has_poststop && container_load_spec(root, id, &spec) >= 0 && spec->hooks.n[OCI_HOOK_POSTSTOP] > 0) {
		cleanup_free char *sj = state_to_json(st, STATUS_STOPPED);
		(void)hooks_run(spec, OCI_HOOK_POSTSTOP, sj); /* failures logged, not fatal */
	}
	r = state_remove(root, id);
out:
	cgroup_free(cg);
	spec_free(spec);
	state_free(st);
	return r;
}

static pid_t wait_target;
static void forward_signal(int sig)
{
	if (wait_target > 0)
		kill(wait_target, sig);
}

int container_wait(pid_t pid)
{
	static const int fwd[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
	struct sigaction sa = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	wait_target = pid;
	for (size_t i = 0; i < ELEMENTSOF(fwd); i++)
		sigaction(fwd[i], &sa, NULL);
	for (;;) {
		int status;
		pid_t w = waitpid(-1, &status, 0);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return log_error_errno(-errno, "waitpid failed: %m");
		}
		if (w != pid)
			continue; /* reaped an orphan */
		if (WIFEXITED(status))
			return WEXITSTATUS(status);
		if (WIFSIGNALED(status))
			return 128 + WTERMSIG(status);
	}
}
