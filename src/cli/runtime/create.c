/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/runtime/cli.h"
#include "lib/log.h"
#include "runtime/container.h"

int cli_parse_create(int argc, char **argv, struct create_opts *o, bool is_run, bool *ret_detach, bool *ret_keep)
{
	enum { O_PIDFILE = 256, O_CONSOLE, O_NOPIVOT, O_NOKEYRING, O_PRESERVE, O_KEEP, O_CONFIG, O_NOSUBREAPER };
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, O_PIDFILE },
		{ "console-socket", required_argument, NULL, O_CONSOLE },
		{ "no-pivot", no_argument, NULL, O_NOPIVOT },
		{ "no-new-keyring", no_argument, NULL, O_NOKEYRING },
		{ "preserve-fds", required_argument, NULL, O_PRESERVE },
		{ "detach", no_argument, NULL, 'd' },
		{ "keep", no_argument, NULL, O_KEEP },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "no-subreaper", no_argument, NULL, O_NOSUBREAPER },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;
	while ((c = getopt_long(argc, argv, "+b:dh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->bundle = optarg;
			break;
		case O_PIDFILE:
			o->pid_file = optarg;
			break;
		case O_CONSOLE:
			o->console_socket = optarg;
			break;
		case O_NOPIVOT:
			o->no_pivot = true;
			break;
		case O_NOKEYRING:
			o->no_new_keyring = true;
			break;
		case O_PRESERVE: {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 0 || n > 65536)
				return cli_usage_error(argv[0], "--preserve-fds: '%s' is not a number of fds", optarg);
			o->preserve_fds = (int)n;
			break;
		}
		case O_NOSUBREAPER:
			break;
		case 'd':
		case O_KEEP:
		case O_CONFIG:
			if (!is_run)
				return cli_usage_error(argv[0], "unknown option '%s'", argv[optind - 1]);
			if (c == 'd')
				*ret_detach = true;
			else if (c == O_KEEP)
				*ret_keep = true;
			else
				o->config_path = optarg;
			break;
		case 'h':
			printf("usage: kakuri-runtime %s [--bundle DIR] [--pid-file F] [--console-socket S] [--no-pivot]\n"
			       "       [--no-new-keyring] [--preserve-fds N]%s ID\n",
			       argv[0], is_run ? " [--detach] [--keep] [--config FILE]" : "");
			exit(0);
		default:
			return cli_usage_error(argv[0], "invalid option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error(argv[0], "expects exactly one container ID");
	o->id = argv[optind];
	o->root = arg_root;
	o->rootless = arg_rootless;
	o->cgroup_manager = arg_cgroup_manager;
	return 0;
}

int verb_create(int argc, char **argv)
{
	struct create_opts o = { 0 };
	int r = cli_parse_create(argc, argv, &o, false, NULL, NULL);
	if (r != 0)
		return r;
	return cli_exit(container_create(&o, NULL, NULL));
}
