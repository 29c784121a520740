/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>

#include "cli/runtime/cli.h"
#include "runtime/container.h"

int verb_delete(int argc, char **argv)
{
	static const struct option opts[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
	bool force = false;
	int c;
	while ((c = getopt_long(argc, argv, "+f", opts, NULL)) != -1) {
		if (c != 'f')
			return cli_usage_error("delete", "invalid option");
		force = true;
	}
	if (optind != argc - 1)
		return cli_usage_error("delete", "expects exactly one container ID");
	return cli_exit(container_delete(arg_root, argv[optind], force));
}
