/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <signal.h>
#include <string.h>

#include "cli/runtime/cli.h"
#include "lib/log.h"
#include "runtime/container.h"

int verb_kill(int argc, char **argv)
{
	static const struct option opts[] = { { "all", no_argument, NULL, 'a' }, { 0 } };
	bool all = false;
	int c;
	while ((c = getopt_long(argc, argv, "+a", opts, NULL)) != -1) {
		if (c != 'a')
			return cli_usage_error("kill", "invalid option");
		all = true;
	}
	if (optind >= argc || argc - optind > 2)
		return cli_usage_error("kill", "usage: kill [--all] ID [SIGNAL]");
	int sig = SIGTERM;
	if (argc - optind == 2) {
		sig = container_parse_signal(argv[optind + 1]);
		if (sig < 0) {
			log_error("kill: unknown signal '%s'", argv[optind + 1]);
			return 1;
		}
	}
	return cli_exit(container_kill(arg_root, argv[optind], sig, all));
}
