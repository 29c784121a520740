/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri load -i ARCHIVE [--platform OS/ARCH[/VARIANT]] [-q] */
#include <stdio.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/image/archive.h"
#include "lib/cleanup.h"

int verb_load(int argc, char **argv)
{
	struct load_opts o = {0};
	const char *input = NULL, *v;
	for (int i = 1; i < argc; i++) {
		if (STREQ(argv[i], "-i") || cli_opt(argc, argv, &i, "input", &v)) {
			if (STREQ(argv[i], "-i"))
				v = i + 1 < argc ? argv[++i] : NULL;
			if (!v)
				return cli_usage_error("load", "-i needs a file");
			input = v;
		} else if (cli_opt(argc, argv, &i, "platform", &v)) {
			o.platform = v;
		} else if (STREQ(argv[i], "-q") || cli_flag(argv[i], "quiet")) {
			o.quiet = true;
		} else if (STREQ(argv[i], "-h") || cli_flag(argv[i], "help")) {
			printf("usage: kakuri load -i ARCHIVE [--platform OS/ARCH[/VARIANT]] [-q]\n"
			       "Loads images from an oci-archive, an OCI layout directory or a docker-archive\n"
			       "(gzip or zstd compressed archives too); '-i -' reads standard input.\n");
			return 0;
		} else {
			return cli_usage_error("load", "unexpected argument '%s'", argv[i]);
		}
	}
	if (!input)
		input = "/dev/stdin";
	else if (STREQ(input, "-"))
		input = "/dev/stdin";
	cleanup_store struct store *s = NULL;
	if (cli_open_store(&s) < 0)
		return EXIT_ENGINE;
	return archive_load(s, input, &o) < 0 ? EXIT_ENGINE : 0;
}
