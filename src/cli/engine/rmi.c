/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri rmi [-f] IMAGE... */
#include <stdio.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/image/image.h"
#include "lib/cleanup.h"

int verb_rmi(int argc, char **argv)
{
	bool force = false;
	int first = argc, rc = 0;
	for (int i = 1; i < argc; i++) {
		if (STREQ(argv[i], "-f") || cli_flag(argv[i], "force")) {
			force = true;
		} else if (STREQ(argv[i], "-h") || cli_flag(argv[i], "help")) {
			printf("usage: kakuri rmi [-f] IMAGE...\n"
			       "A name of an image with several names is untagged; otherwise the image goes, with\n"
			       "the layers and blobs no other image uses. -f removes an image with several names,\n"
			       "given by ID, or one a container uses.\n");
			return 0;
		} else if (argv[i][0] == '-') {
			return cli_usage_error("rmi", "unknown option '%s'", argv[i]);
		} else if (first == argc) {
			first = i;
		}
	}
	if (first == argc)
		return cli_usage_error("rmi", "no image given");
	cleanup_store struct store *s = NULL;
	if (cli_open_store(&s) < 0)
		return EXIT_ENGINE;
	for (int i = first; i < argc; i++)
		if (argv[i][0] != '-' && image_remove(s, argv[i], force) < 0)
			rc = EXIT_ENGINE;
	return rc;
}
