/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri: the daemonless container engine. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/engine/audit-suggest.h"
#include "cli/engine/cli.h"
#include "lib/cleanup.h"
#include "lib/log.h"

const char *arg_storage_root;

static const struct verb verbs[] = {
    {"pull", "pull an image from a registry", verb_pull},
    {"load", "load images from an archive (oci-archive, OCI layout, docker-archive)", verb_load},
    {"save", "save images to an archive", verb_save},
    {"import", "create an image from a root filesystem tarball", verb_import},
    {"images", "list images", verb_images},
    {"rmi", "remove images", verb_rmi},
    {"tag", "add a name to an image", verb_tag},
    {"inspect", "show a container's or an image's details as JSON", verb_inspect_entry},
    {"image", "image commands: ls, rm, tag, inspect, prune, pull, load, save, import, mount, umount", verb_image},
    {"login", "store credentials for a registry", verb_login},
    {"logout", "remove stored credentials", verb_logout},
    {"system", "system commands: check", verb_system},
    {"unshare", "run a command in the rootless storage user namespace", verb_unshare},
    {"rootfs", "container root filesystems from images: create, mount, umount, rm, path", verb_rootfs},
    {"run", "run a command in a new container", verb_run},
    {"create", "create a container without starting it", verb_create},
    {"start", "start containers", verb_start},
    {"stop", "stop containers (stop signal, then SIGKILL)", verb_stop},
    {"restart", "restart containers", verb_restart},
    {"kill", "send a signal to containers", verb_kill},
    {"rm", "remove containers", verb_rm},
    {"ps", "list containers", verb_ps},
    {"logs", "show a container's output", verb_logs},
    {"exec", "run a process in a running container", verb_exec},
    {"wait", "wait for containers to exit, print their exit codes", verb_wait},
    {"top", "show a container's processes", verb_top},
    {"port", "list a container's published ports", verb_port},
    {"cp", "copy files between a container and the host", verb_cp},
    {"attach", "attach to a running container", verb_attach},
    {"container", "container commands: run, create, start, stop, rm, ls, inspect, prune, ...", verb_container},
    {"network", "bridge networks: create, ls, inspect, rm, prune", verb_network},
    {"info", "show what this host supports (cgroups, user namespaces, seccomp, LSMs, ...)", verb_info},
    {"version", "show the version of kakuri and of its OCI runtime", verb_version},
    {"audit", "security audit: tier and layers of containers or processes (--pid), or --host", verb_audit},
    {"audit-suggest", "capability advice from a --seccomp-record run (= audit --suggest)", cli_audit_suggest},
};

int cli_usage_error(const char *verb, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("%s: %s (see 'kakuri %s --help')", verb, msg, verb);
	return EXIT_ENGINE;
}

bool cli_flag(const char *arg, const char *name)
{
	return arg[0] == '-' && arg[1] == '-' && STREQ(arg + 2, name);
}

bool cli_opt(int argc, char **argv, int *i, const char *name, const char **ret_val)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (a[0] != '-' || a[1] != '-' || strncmp(a + 2, name, n) != 0)
		return false;
	if (a[2 + n] == '=') {
		*ret_val = a + 3 + n;
		return true;
	}
	if (a[2 + n] != 0)
		return false;
	if (*i + 1 >= argc) {
		*ret_val = NULL;
		return true;
	}
	*ret_val = argv[++*i];
	return true;
}

bool cli_bool_opt(int argc, char **argv, int *i, const char *name, bool *ret)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, n) != 0)
		return false;
	if (a[2 + n] == 0) {
		*ret = true;
		return true;
	}
	if (a[2 + n] != '=')
		return false;
	*ret = !(STREQ(a + 3 + n, "false") || STREQ(a + 3 + n, "0") || STREQ(a + 3 + n, "no"));
	return true;
}

int cli_open_store(struct store **ret)
{
	return store_open(arg_storage_root, ret);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: kakuri [global options] COMMAND [options] ...\n\n"
		   "Global options:\n"
		   "  --root DIR        image store (default /var/lib/kakuri, rootless ~/.local/share/kakuri)\n"
		   "  --debug           debug logging\n"
		   "  --version         print the version\n\nCommands:\n");
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		fprintf(f, "  %-9s %s\n", verbs[i].name, verbs[i].summary);
}

int main(int argc, char **argv)
{
	int i;
	log_set_program("kakuri");
	for (i = 1; i < argc; i++) {
		const char *v;
		if (argv[i][0] != '-')
			break;
		if (cli_opt(argc, argv, &i, "root", &v)) {
			if (!v) {
				fprintf(stderr, "kakuri: --root needs a directory\n");
				return EXIT_ENGINE;
			}
			arg_storage_root = v;
		} else if (cli_flag(argv[i], "debug")) {
			log_set_level(LOG_LEVEL_DEBUG);
		} else if (cli_opt(argc, argv, &i, "log-level", &v)) {
			if (v && STREQ(v, "debug"))
				log_set_level(LOG_LEVEL_DEBUG);
			else if (v && (STREQ(v, "error") || STREQ(v, "fatal") || STREQ(v, "panic")))
				log_set_level(LOG_LEVEL_ERROR);
			else if (v && STREQ(v, "warn"))
				log_set_level(LOG_LEVEL_WARN);
		} else if (cli_flag(argv[i], "version") || STREQ(argv[i], "-v")) {
			printf("kakuri version %s\ncommit: %s\n", KAKURI_VERSION, KAKURI_COMMIT);
			return 0;
		} else if (cli_flag(argv[i], "help") || STREQ(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "kakuri: unknown global option '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_ENGINE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_ENGINE;
	}
	if (!arg_storage_root)
		arg_storage_root = getenv("KAKURI_STORAGE_ROOT");
	if (STREQ(argv[i], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t k = 0; k < ELEMENTSOF(verbs); k++)
		if (STREQ(argv[i], verbs[k].name)) {
			int rc = verbs[k].run(argc - i, argv + i);
			fflush(stdout);
			return rc;
		}
	fprintf(stderr, "kakuri: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return EXIT_ENGINE;
}
