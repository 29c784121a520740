/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `pause ID` / `resume ID`: freeze and thaw every process of the container (cgroup v1
 * freezer or v2 cgroup.freeze). A paused container's state is "paused". */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/runtime/cli.h"
#include "runtime/container-cgroup.h"

static int pause_or_resume(int argc, char **argv, bool pause)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: kakuri-runtime %s ID\n", argv[0]);
			exit(0);
		}
		return cli_usage_error(argv[0], "invalid option");
	}
	if (optind != argc - 1)
		return cli_usage_error(argv[0], "expects exactly one container ID");
	return cli_exit(pause ? container_pause(arg_root, argv[optind]) : container_resume(arg_root, argv[optind]));
}

int verb_pause(int argc, char **argv)
{
	return pause_or_resume(argc, argv, true);
}

int verb_resume(int argc, char **argv)
{
	return pause_or_resume(argc, argv, false);
}
