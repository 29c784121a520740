/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri import FILE|- [NAME] */
#include <stdio.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/image/archive.h"
#include "lib/cleanup.h"

int verb_import(int argc, char **argv)
{
	const char *pos[2] = {0};
	size_t n = 0;
	bool quiet = false;
	for (int i = 1; i < argc; i++) {
		if (STREQ(argv[i], "-q") || cli_flag(argv[i], "quiet")) {
			quiet = true;
		} else if (STREQ(argv[i], "-h") || cli_flag(argv[i], "help")) {
			printf("usage: kakuri import FILE|- [NAME[:TAG]]\n"
			       "Creates a one-layer image from a root filesystem tarball (plain, gzip or zstd).\n"
			       "Short names are local: 'foo' becomes localhost/foo:latest.\n");
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage_error("import", "unknown option '%s'", argv[i]);
		} else if (n < 2) {
			pos[n++] = argv[i];
		} else {
			return cli_usage_error("import", "too many arguments");
		}
	}
	if (n == 0)
		return cli_usage_error("import", "no tarball given");
	cleanup_store struct store *s = NULL;
	if (cli_open_store(&s) < 0)
		return EXIT_ENGINE;
	return archive_import(s, pos[0], pos[1], quiet) < 0 ? EXIT_ENGINE : 0;
}
