/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exec: the process comes from --process FILE, or from the container's own process (as runc
 * does) with args, env, cwd, user, caps and tty overridden by flags. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/runtime/cli.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "runtime/caps.h"
#include "runtime/container.h"
#include "runtime/exec.h"

static int strv_len(char **v)
{
	int n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* Append (or replace by key for env) a string to a strv owned by the spec. */
static int strv_put(char ***v, const char *s, bool env_key)
{
	int n = strv_len(*v);
	if (env_key) {
		size_t k = strcspn(s, "=");
		for (int i = 0; i < n; i++)
			if (strncmp((*v)[i], s, k) == 0 && (*v)[i][k] == '=') {
				char *d = strdup(s);
				if (!d)
					return -ENOMEM;
				free((*v)[i]);
				(*v)[i] = d;
				return 0;
			}
	} else {
		for (int i = 0; i < n; i++)
			if (STREQ((*v)[i], s))
				return 0;
	}
	char **nv = realloc(*v, (size_t)(n + 2) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[n] = strdup(s);
	nv[n + 1] = NULL;
	return nv[n] ? 0 : -ENOMEM;
}

static int parse_user(const char *s, struct oci_process *p)
{
	char *end;
	unsigned long uid = strtoul(s, &end, 10);
	if (end == s || (*end && *end != ':'))
		return -EINVAL;
	p->user.uid = (uid_t)uid;
	if (*end == ':') {
		const char *g = end + 1;
		unsigned long gid = strtoul(g, &end, 10);
		if (end == g || *end)
			return -EINVAL;
		p->user.gid = (gid_t)gid;
	}
	return 0;
}

int verb_exec(int argc, char **argv)
{
	enum { O_CONSOLE = 256, O_PIDFILE, O_PROCESS, O_CWD, O_NNP, O_PRESERVE, O_LABEL, O_APPARMOR, O_IGNORE };
	static const struct option opts[] = {
		{ "console-socket", required_argument, NULL, O_CONSOLE },
		{ "pid-file", required_argument, NULL, O_PIDFILE },
		{ "process", required_argument, NULL, 'p' },
		{ "cwd", required_argument, NULL, O_CWD },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "additional-gids", required_argument, NULL, 'g' },
		{ "cap", required_argument, NULL, 'c' },
		{ "tty", no_argument, NULL, 't' },
		{ "detach", no_argument, NULL, 'd' },
		{ "no-new-privs", no_argument, NULL, O_NNP },
		{ "preserve-fds", required_argument, NULL, O_PRESERVE },
		{ "process-label", required_argument, NULL, O_LABEL },
		{ "apparmor", required_argument, NULL, O_APPARMOR },
		{ "ignore-paused", no_argument, NULL, O_IGNORE },
		{ 0 }
	};
	struct exec_opts o = { .root = arg_root };
	const char *process_file = NULL, *cwd = NULL, *user = NULL, *label = NULL, *apparmor = NULL;
	char **envs = NULL, **caps = NULL, **gids = NULL;
	bool tty = false, nnp = false;
	struct oci_spec *spec = NULL;
	struct oci_process *proc = NULL;
	int c, r, ret = 1;

	while ((c = getopt_long(argc, argv, "+p:e:u:g:c:td", opts, NULL)) != -1) {
		switch (c) {
		case O_CONSOLE:
			o.console_socket = optarg;
			break;
		case O_PIDFILE:
			o.pid_file = optarg;
			break;
		case 'p':
			process_file = optarg;
			break;
		case O_CWD:
			cwd = optarg;
			break;
		case 'e':
			if (!strchr(optarg, '='))
				return cli_usage_error("exec", "--env '%s': expected KEY=VALUE", optarg);
			strv_put(&envs, optarg, false);
			break;
		case 'u':
			user = optarg;
			break;
		case 'g':
			strv_put(&gids, optarg, false);
			break;
		case 'c':
			strv_put(&caps, optarg, false);
			break;
		case 't':
			tty = true;
			break;
		case 'd':
			o.detach = true;
			break;
		case O_NNP:
			nnp = true;
			break;
		case O_PRESERVE:
			o.preserve_fds = atoi(optarg);
			break;
		case O_LABEL:
			label = optarg;
			break;
		case O_APPARMOR:
			apparmor = optarg;
			break;
		case O_IGNORE:
			break;
		default:
			return cli_usage_error("exec", "invalid option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("exec", "expects a container ID");
	o.id = argv[optind];
	if (!process_file && optind + 1 >= argc)
		return cli_usage_error("exec", "expects a command to run, or --process FILE");

	r = container_load_spec(arg_root, o.id, &spec);
	if (r < 0)
		goto out;
	if (process_file) {
		cleanup_free char *text = NULL, *err = NULL;
		r = fs_read_file_at(AT_FDCWD, process_file, 0, &text, NULL);
		if (r < 0) {
			log_error_errno(r, "--process '%s': %m", process_file);
			goto out;
		}
		r = spec_parse_process_string(text, process_file, &proc, &err);
		if (r < 0) {
			log_error("%s", err ? err : "invalid process");
			goto out;
		}
	} else {
		/* Take the container's process as the template. */
		proc = spec->process;
		spec->process = NULL;
		if (!proc) {
			log_error("container '%s' has no process in its config", o.id);
			goto out;
		}
		cleanup_strv char **old_args = proc->args;
		int n = argc - optind - 1;
		proc->args = calloc((size_t)n + 1, sizeof(char *));
		if (!proc->args)
			goto out;
		for (int i = 0; i < n; i++)
			proc->args[i] = strdup(argv[optind + 1 + i]);
		proc->terminal = tty;
	}
	for (char **e = envs; e && *e; e++)
		strv_put(&proc->env, *e, true);
	if (cwd) {
		free(proc->cwd);
		proc->cwd = strdup(cwd);
	}
	if (user && parse_user(user, proc) < 0) {
		log_error("exec: --user '%s': expected UID[:GID]", user);
		goto out;
	}
	if (gids) {
		int n = strv_len(gids);
		gid_t *g = realloc(proc->user.additional_gids, (size_t)n * sizeof(gid_t));
		if (!g)
			goto out;
		for (int i = 0; i < n; i++)
			g[i] = (gid_t)strtoul(gids[i], NULL, 10);
		proc->user.additional_gids = g;
		proc->user.n_additional_gids = (size_t)n;
	}
	for (char **cp = caps; cp && *cp; cp++) {
		if (caps_from_name(*cp) < 0) {
			log_error("exec: --cap: unknown capability '%s'", *cp);
			goto out;
		}
		char ***sets[] = { &proc->caps.bounding, &proc->caps.effective, &proc->caps.permitted,
				   &proc->caps.ambient, &proc->caps.inheritable };
		/* runc adds --cap to bounding, effective, permitted and ambient; ambient needs
		 * inheritable too. */
		for (size_t i = 0; i < ELEMENTSOF(sets); i++)
			strv_put(sets[i], *cp, false);
	}
	if (nnp)
		proc->no_new_privileges = true;
	/* Checked against the host's LSMs and written by the runtime (runtime/lsm.h). */
	if (label) {
		free(proc->selinux_label);
		proc->selinux_label = strdup(label);
		if (!proc->selinux_label)
			goto out;
	}
	if (apparmor) {
		free(proc->apparmor_profile);
		proc->apparmor_profile = strdup(apparmor);
		if (!proc->apparmor_profile)
			goto out;
	}
	if (tty && !o.console_socket) {
		log_error("exec --tty needs --console-socket");
		goto out;
	}
	o.process = proc;
	o.spec = spec;
	r = container_exec(&o);
	ret = r < 0 ? (r == -ENOENT ? 127 : (r == -EACCES ? 126 : 255)) : r;
out:
	cleanup_strvp(&envs);
	cleanup_strvp(&caps);
	cleanup_strvp(&gids);
	spec_process_free(proc);
	spec_free(spec);
	return ret;
}
