/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri-runtime: an OCI runtime, CLI-compatible with runc. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/runtime/cli.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "runtime/state.h"

const char *arg_root;
bool arg_rootless;
bool arg_systemd_cgroup;
const char *arg_cgroup_manager = "cgroupfs";

static const struct verb verbs[] = {
	{ "create", "create a container from a bundle", verb_create },
	{ "start", "start the user process of a created container", verb_start },
	{ "state", "print the OCI state of a container", verb_state },
	{ "kill", "send a signal to the container's init (or all its processes)", verb_kill },
	{ "delete", "delete a container and everything it holds", verb_delete },
	{ "run", "create and start a container, wait for it", verb_run },
	{ "exec", "run a new process inside a container", verb_exec },
	{ "ps", "list the processes of a container", verb_ps },
	{ "list", "list containers", verb_list },
	{ "spec", "write a template config.json", verb_spec },
	{ "features", "print the runtime's features as JSON", verb_features },
	{ "pause", "freeze every process of a container", verb_pause },
	{ "resume", "thaw a paused container", verb_resume },
	{ "update", "change the resource limits of a live container", verb_update },
	{ "events", "stream OOM events and stats of a container (--stats: one snapshot)", verb_events },
};

int cli_exit(int r)
{
	return r < 0 ? 1 : r;
}

int cli_usage_error(const char *verb, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("%s: %s (see 'kakuri-runtime %s --help')", verb, msg, verb);
	return 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: kakuri-runtime [global options] COMMAND [options] [ID] ...\n\n"
		   "Global options:\n"
		   "  --root DIR              state directory (default /run/kakuri, rootless $XDG_RUNTIME_DIR/kakuri)\n"
		   "  --log FILE              log file (default stderr)\n"
		   "  --log-format text|json  log format\n"
		   "  --debug                 debug logging\n"
		   "  --systemd-cgroup        use systemd for cgroups\n"
		   "  --cgroup-manager M      cgroupfs|systemd|disabled\n"
		   "  --rootless true|false|auto\n"
		   "  --version, -v           print the version\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
}

static void version(void)
{
	printf("kakuri-runtime version %s\ncommit: %s\nspec: 1.2.0\n", KAKURI_VERSION, KAKURI_COMMIT);
}

/* Global options come before the verb, as with runc. Both "--opt value" and "--opt=value". */
static int parse_globals(int argc, char **argv, int *ret_index)
{
	const char *log_path = NULL, *log_format = "text";
	bool debug = false;
	int i;
	for (i = 1; i < argc; i++) {
		char *a = argv[i], *val = NULL;
		if (a[0] != '-')
			break;
		if (a[1] == '-' && a[2] == 0) {
			i++;
			break;
		}
		char name[64];
		const char *s = a + (a[1] == '-' ? 2 : 1);
		const char *eq = strchr(s, '=');
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - s) : (int)strlen(s), s);
		if (eq)
			val = (char *)eq + 1;
#define NEED_VAL()                                                                                 \
	do {                                                                                       \
		if (!val) {                                                                        \
			if (i + 1 >= argc) {                                                       \
				fprintf(stderr, "kakuri-runtime: option --%s needs a value\n", name);   \
				return -EINVAL;                                                    \
			}                                                                          \
			val = argv[++i];                                                           \
		}                                                                                  \
	} while (0)
		if (STREQ(name, "root")) {
			NEED_VAL();
			arg_root = val;
		} else if (STREQ(name, "log")) {
			NEED_VAL();
			log_path = val;
		} else if (STREQ(name, "log-format")) {
			NEED_VAL();
			log_format = val;
		} else if (STREQ(name, "debug")) {
			debug = true;
		} else if (STREQ(name, "systemd-cgroup")) {
			arg_systemd_cgroup = true;
			arg_cgroup_manager = "systemd";
		} else if (STREQ(name, "cgroup-manager")) {
			NEED_VAL();
			if (!STREQ(val, "cgroupfs") && !STREQ(val, "systemd") && !STREQ(val, "disabled")) {
				fprintf(stderr, "kakuri-runtime: --cgroup-manager: '%s' is not cgroupfs, systemd or disabled\n", val);
				return -EINVAL;
			}
			arg_cgroup_manager = val;
		} else if (STREQ(name, "rootless")) {
			/* runc: --rootless true|false|auto; a bare --rootless means true. */
			if (val || (i + 1 < argc && (STREQ(argv[i + 1], "true") || STREQ(argv[i + 1], "false") ||
						     STREQ(argv[i + 1], "auto"))))
				NEED_VAL();
			arg_rootless = !val || STREQ(val, "true") || (STREQ(val, "auto") && geteuid() != 0);
		} else if (STREQ(name, "version") || STREQ(name, "v")) {
			version();
			exit(0);
		} else if (STREQ(name, "help") || STREQ(name, "h")) {
			usage(stdout);
			exit(0);
		} else if (STREQ(name, "criu") || STREQ(name, "systemd-cgroup-path")) {
			NEED_VAL(); /* accepted for compatibility, unused */
		} else {
			fprintf(stderr, "kakuri-runtime: unknown global option '%s'\n", a);
			return -EINVAL;
		}
#undef NEED_VAL
	}
	if (!STREQ(log_format, "text") && !STREQ(log_format, "json")) {
		fprintf(stderr, "kakuri-runtime: --log-format: '%s' is not text or json\n", log_format);
		return -EINVAL;
	}
	log_set_program("kakuri-runtime");
	if (debug)
		log_set_level(LOG_LEVEL_DEBUG);
	if (log_path) {
		int r = log_open(log_path, STREQ(log_format, "json") ? LOG_FORMAT_JSON : LOG_FORMAT_TEXT);
		if (r < 0) {
			fprintf(stderr, "kakuri-runtime: --log '%s': %s\n", log_path, strerror(-r));
			return r;
		}
	}
	*ret_index = i;
	return 0;
}

int main(int argc, char **argv)
{
	int idx;
	if (parse_globals(argc, argv, &idx) < 0)
		return 1;
	if (idx >= argc) {
		usage(stderr);
		return 1;
	}
	if (!arg_root) {
		static char *def;
		def = state_default_root();
		arg_root = def;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (STREQ(argv[idx], verbs[i].name)) {
			optind = 1;
			return verbs[i].run(argc - idx, argv + idx);
		}
	if (STREQ(argv[idx], "help")) {
		usage(stdout);
		return 0;
	}
	log_error("unknown command '%s' (see 'kakuri-runtime --help')", argv[idx]);
	return 1;
}
