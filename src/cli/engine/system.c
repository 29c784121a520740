/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri system check: the store's consistency check (exit 1 if anything is wrong). */
#include <stdio.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "lib/cleanup.h"

static int system_check(int argc, char **argv)
{
	cleanup_store struct store *s = NULL;
	if (argc > 1 && (STREQ(argv[1], "-h") || cli_flag(argv[1], "help"))) {
		printf("usage: kakuri system check\nVerifies the image store: records, blobs (by digest), layers, "
		       "leftovers.\n");
		return 0;
	}
	if (cli_open_store(&s) < 0)
		return EXIT_ENGINE;
	int n = store_check(s);
	if (n < 0)
		return EXIT_ENGINE;
	if (n > 0) {
		printf("%d problem%s found in %s\n", n, n == 1 ? "" : "s", s->root);
		return 1;
	}
	printf("store %s: consistent\n", s->root);
	return 0;
}

int verb_system(int argc, char **argv)
{
	if (argc >= 2 && STREQ(argv[1], "check"))
		return system_check(argc - 1, argv + 1);
	if (argc >= 2 && (STREQ(argv[1], "-h") || cli_flag(argv[1], "help"))) {
		printf("usage: kakuri system check\n");
		return 0;
	}
	return cli_usage_error("system", "expected a subcommand: check");
}
