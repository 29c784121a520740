/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli/runtime/cli.h"
#include "runtime/container.h"

int verb_start(int argc, char **argv)
{
	if (argc != 2)
		return cli_usage_error("start", "expects exactly one container ID");
	return cli_exit(container_start(arg_root, argv[1]));
}
