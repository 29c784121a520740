/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri exec [-i] [-t] [-d] [-u USER[:GROUP]] [-e K=V] [-w DIR] CONTAINER CMD [ARG...]:
 * runs a process in a running container through `RUNTIME exec --process FILE`, the process
 * being the container's own (env, capabilities, rlimits, no_new_privs, LSM) with those
 * overrides. The user is resolved in the container's /etc/passwd, read through
 * /proc/PID/root with in-root resolution. Exit status: the process's (126/127 when it cannot
 * be run, as with docker). */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/engine/cli.h"
#include "engine/container/attach.h"
#include "engine/container/lifecycle.h"
#include "engine/container/spec.h"
#include "engine/container/user.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

/* Receives the pty master the runtime sends over the console socket, while it runs. */
static int accept_master(int lsock, pid_t rt, int *ret_status)
{
	for (;;) {
		struct pollfd p = {.fd = lsock, .events = POLLIN};
		int k = poll(&p, 1, 50);
		if (k > 0) {
			int c = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
			if (c < 0)
				return -errno;
			char data[256];
			union {
				char buf[CMSG_SPACE(sizeof(int))];
				struct cmsghdr align;
			} u;
			struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
			struct msghdr mh = {
			    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
			ssize_t n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
			close(c);
			struct cmsghdr *cm = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL;
			if (!cm || cm->cmsg_type != SCM_RIGHTS)
				return -EBADMSG;
			int fd;
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
			return fd;
		}
		int st;
		if (waitpid(rt, &st, WNOHANG) == rt) {
			*ret_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			return -ECHILD;
		}
	}
}

static int set_process_user(json_object *proc, const struct ctr_record *rec, pid_t pid, const char *user, bool env_home)
{
	char root[64];
	snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	cleanup_close int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return log_error_errno(-errno, "cannot open the container's root %s: %m", root);
	struct ctr_user u = {0};
	cleanup_free char *err = NULL;
	int r = ctr_user_resolve(rootfd, user, NULL, &u, &err);
	if (r < 0)
		return log_error_errno(r, "%s", err ? err : "cannot resolve the user");
	json_object *uo = ju_obj(proc, "user");
	json_object_object_add(uo, "uid", json_object_new_int64(u.uid));
	json_object_object_add(uo, "gid", json_object_new_int64(u.gid));
	json_object *g = json_object_new_array();
	for (size_t i = 0; i < u.n_groups; i++)
		json_object_array_add(g, json_object_new_int64(u.groups[i]));
	json_object_object_add(uo, "additionalGids", g);
	json_object *caps;
	if (json_object_object_get_ex(proc, "capabilities", &caps)) {
		json_object *bnd = NULL;
		json_object_object_get_ex(caps, "bounding", &bnd);
		if (u.uid == 0) {
			json_object_object_add(caps, "effective", bnd ? json_object_get(bnd) : json_object_new_array());
			json_object_object_add(caps, "permitted", bnd ? json_object_get(bnd) : json_object_new_array());
			json_object_object_del(caps, "inheritable");
			json_object_object_del(caps, "ambient");
		} else {
			json_object_object_add(caps, "effective", ju_strv(rec->caps_nonroot));
			json_object_object_add(caps, "permitted", ju_strv(rec->caps_nonroot));
			json_object_object_add(caps, "inheritable", ju_strv(rec->caps_nonroot));
			json_object_object_add(caps, "ambient", ju_strv(rec->caps_nonroot));
		}
	}
	if (!env_home) {
		json_object *env = ju_arr(proc, "env");
		char kv[4200];
		snprintf(kv, sizeof(kv), "HOME=%s", u.home);
		bool done = false;
		for (size_t i = 0; i < json_object_array_length(env); i++) {
			const char *e = json_object_get_string(json_object_array_get_idx(env, i));
			if (e && strncmp(e, "HOME=", 5) == 0) {
				json_object_array_put_idx(env, i, json_object_new_string(kv));
				done = true;
			}
		}
		if (!done)
			json_object_array_add(env, json_object_new_string(kv));
	}
	ctr_user_clear(&u);
	return 0;
}

static void env_set(json_object *proc, const char *kv)
{
	json_object *env = ju_arr(proc, "env");
	const char *eq = strchr(kv, '=');
	char buf[8192];
	if (!eq) {
		const char *h = getenv(kv);
		if (!h)
			return;
		snprintf(buf, sizeof(buf), "%s=%s", kv, h);
		kv = buf;
		eq = strchr(kv, '=');
	}
	size_t k = (size_t)(eq - kv);
	for (size_t i = 0; i < json_object_array_length(env); i++) {
		const char *e = json_object_get_string(json_object_array_get_idx(env, i));
		if (e && strncmp(e, kv, k) == 0 && e[k] == '=') {
			json_object_array_put_idx(env, i, json_object_new_string(kv));
			return;
		}
	}
	json_object_array_add(env, json_object_new_string(kv));
}

int verb_exec(int argc, char **argv)
{
	static const struct cli_option opts[] = {{"interactive", 'i', false, 1},
						 {"tty", 't', false, 2},
						 {"detach", 'd', false, 3},
						 {"user", 'u', true, 4},
						 {"env", 'e', true, 5},
						 {"workdir", 'w', true, 6},
						 {"privileged", 0, false, 7},
						 {"env-file", 0, true, 8},
						 {"detach-keys", 0, true, 9},
						 {"latest", 'l', false, 10},
						 {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "exec", false};
	const char *v, *user = NULL, *workdir = NULL;
	bool interactive = false, tty = false, detach = false;
	cleanup_strv char **envs = calloc(1, sizeof(char *));
	int id;
	while ((id = cli_next(&p, &v)) > 0) {
		switch (id) {
		case 1:
			interactive = cli_bool_val(v);
			break;
		case 2:
			tty = cli_bool_val(v);
			break;
		case 3:
			detach = cli_bool_val(v);
			break;
		case 4:
			user = v;
			break;
		case 5:
			cu_strv_append(&envs, v);
			break;
		case 6:
			workdir = v;
			break;
		case 8: {
			cleanup_free char *data = NULL;
			if (fs_read_file_at(AT_FDCWD, v, 16u << 20, &data, NULL) < 0)
				return cli_usage_error("exec", "--env-file %s: cannot read it", v);
			char *save = NULL;
			for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
				if (*l && *l != '#')
					cu_strv_append(&envs, l);
			break;
		}
		}
	}
	if (id < 0)
		return EXIT_ENGINE;
	if (argc - p.i < 2)
		return cli_usage_error("exec", "expected a container and a command");
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	cleanup_free char *cid = NULL, *cfgpath = NULL, *procfile = NULL;
	struct ctr_record *rec = NULL;
	json_object *proc = NULL;
	int rc = EXIT_ENGINE;
	char console_dir[] = "/tmp/kakuri-exec-XXXXXX";
	bool have_console = false;
	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	if (ctr_lookup(s, argv[p.i], &cid) < 0 || ctr_record_load(s, cid, &rec) < 0)
		goto out;
	if (ctr_status_live(s, rec) != CTR_STATUS_RUNNING) {
		log_error("can only create exec sessions on running containers: container state improper");
		goto out;
	}
	cfgpath = ctr_path(s, cid, "userdata/config.json");
	if (!cfgpath || ctr_spec_load_process(cfgpath, &proc) < 0)
		goto out;
	json_object_object_add(proc, "args", json_object_new_array());
	for (int k = p.i + 1; k < argc; k++)
		json_object_array_add(json_object_object_get(proc, "args"), json_object_new_string(argv[k]));
	json_object_object_add(proc, "terminal", json_object_new_boolean(tty));
	json_object_object_del(proc, "consoleSize");
	unsigned short rows, cols;
	if (tty && ctr_tty_size(&rows, &cols) && rows && cols) {
		json_object *cs = json_object_new_object();
		json_object_object_add(cs, "height", json_object_new_int(rows));
		json_object_object_add(cs, "width", json_object_new_int(cols));
		json_object_object_add(proc, "consoleSize", cs);
	}
	if (workdir)
		json_object_object_add(proc, "cwd", json_object_new_string(workdir));
	bool env_home = rec->home_set;
	for (size_t k = 0; envs && envs[k]; k++) {
		env_set(proc, envs[k]);
		env_home |= strncmp(envs[k], "HOME=", 5) == 0;
	}
	if (user && set_process_user(proc, rec, rec->pid, user, env_home) < 0)
		goto out;
	{
		char tmpl[] = "exec-XXXXXX.json";
		cleanup_free char *ud = ctr_path(s, cid, "userdata");
		if (!ud || asprintf(&procfile, "%s/%s", ud, tmpl) < 0)
			goto out;
		int fd = mkstemps(procfile, 5);
		if (fd < 0) {
			log_error_errno(-errno, "cannot create %s: %m", procfile);
			goto out;
		}
		fchmod(fd, 0600);
		const char *text =
		    json_object_to_json_string_ext(proc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		int w = fs_write_all(fd, text, strlen(text));
		close(fd);
		if (w < 0)
			goto out;
	}
	struct ctr_rt rt;
	ctr_rt_for(rec, &rt);
	char *args[12];
	size_t n = 0;
	char console[100];
	args[n++] = "exec";
	args[n++] = "--process";
	args[n++] = procfile;
	if (detach)
		args[n++] = "--detach";
	int lsock = -1;
	if (tty) {
		if (!mkdtemp(console_dir)) {
			log_error_errno(-errno, "cannot create a console socket directory: %m");
			goto out;
		}
		have_console = true;
		snprintf(console, sizeof(console), "%s/c", console_dir);
		lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", console);
		if (lsock < 0 || bind(lsock, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lsock, 1) < 0) {
			log_error_errno(-errno, "cannot create the console socket %s: %m", console);
			goto out;
		}
		args[n++] = "--console-socket";
		args[n++] = console;
	}
	args[n++] = cid;
	args[n] = NULL;
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct ctr_rt_io io = {.in = interactive ? -1 : devnull, .out = -1, .err = -1};
	if (!tty) {
		int st = ctr_rt_run(&rt, args, &io);
		rc = st < 0 ? EXIT_ENGINE : st;
	} else {
		pid_t pid = ctr_rt_spawn(&rt, args, &io);
		int st = EXIT_ENGINE;
		if (pid < 0)
			goto out_close;
		int master = accept_master(lsock, pid, &st);
		if (master >= 0) {
			void *saved = NULL;
			struct winsize w;
			if (ioctl(STDIN_FILENO, TIOCGWINSZ, &w) == 0)
				ioctl(master, TIOCSWINSZ, &w);
			bool raw = interactive && isatty(STDIN_FILENO) && ctr_tty_raw(STDIN_FILENO, &saved) == 0;
			if (!detach)
				ctr_pty_relay(master, -1);
			if (raw)
				ctr_tty_restore(STDIN_FILENO, saved);
			close(master);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			st = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		rc = st;
	}
out_close:
	if (devnull >= 0)
		close(devnull);
	if (lsock >= 0)
		close(lsock);
out:
	if (have_console) {
		char sock[128];
		snprintf(sock, sizeof(sock), "%s/c", console_dir);
		unlink(sock);
		rmdir(console_dir);
	}
	if (procfile)
		unlink(procfile);
	if (proc)
		json_object_put(proc);
	ctr_record_free(rec);
	engine_config_free(&cfg);
	return rc;
}
