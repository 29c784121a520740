/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "cli/runtime/cli.h"
#include "runtime/state.h"

int verb_state(int argc, char **argv)
{
	struct container_state *st = NULL;
	if (argc != 2)
		return cli_usage_error("state", "expects exactly one container ID");
	int r = state_load(arg_root, argv[1], &st);
	if (r < 0)
		return 1;
	char *s = state_to_json(st, state_status(arg_root, st));
	if (s)
		puts(s);
	free(s);
	state_free(st);
	return s ? 0 : 1;
}
