/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri tag IMAGE NAME... */
#include <stdio.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/image/image.h"
#include "lib/cleanup.h"

int verb_tag(int argc, char **argv)
{
	if (argc >= 2 && (STREQ(argv[1], "-h") || cli_flag(argv[1], "help"))) {
		printf("usage: kakuri tag IMAGE NAME[:TAG]...\n(short names become localhost/NAME)\n");
		return 0;
	}
	if (argc < 3)
		return cli_usage_error("tag", "expected IMAGE and at least one new name");
	cleanup_store struct store *s = NULL;
	if (cli_open_store(&s) < 0)
		return EXIT_ENGINE;
	for (int i = 2; i < argc; i++)
		if (image_tag(s, argv[1], argv[i]) < 0)
			return EXIT_ENGINE;
	return 0;
}
