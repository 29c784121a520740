/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri save -o FILE [--format oci-archive|oci-dir|docker-archive] IMAGE... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/image/archive.h"
#include "lib/cleanup.h"

int verb_save(int argc, char **argv)
{
	const char *out = NULL, *v;
	enum archive_format fmt = ARCHIVE_DOCKER;
	cleanup_free char **refs = calloc((size_t)argc, sizeof(char *));
	size_t n = 0;
	if (!refs)
		return EXIT_ENGINE;
	for (int i = 1; i < argc; i++) {
		if (STREQ(argv[i], "-o") || cli_opt(argc, argv, &i, "output", &v)) {
			if (STREQ(argv[i], "-o"))
				v = i + 1 < argc ? argv[++i] : NULL;
			if (!v)
				return cli_usage_error("save", "-o needs a file");
			out = v;
		} else if (cli_opt(argc, argv, &i, "format", &v)) {
			if (v && STREQ(v, "oci-archive"))
				fmt = ARCHIVE_OCI;
			else if (v && STREQ(v, "oci-dir"))
				fmt = ARCHIVE_OCI_DIR;
			else if (v && STREQ(v, "docker-archive"))
				fmt = ARCHIVE_DOCKER;
			else
				return cli_usage_error(
				    "save", "--format: '%s' is not oci-archive, oci-dir or docker-archive", v ? v : "");
		} else if (STREQ(argv[i], "-q") || cli_flag(argv[i], "quiet")) {
			/* nothing is printed anyway */
		} else if (STREQ(argv[i], "-h") || cli_flag(argv[i], "help")) {
			printf("usage: kakuri save -o FILE [--format oci-archive|oci-dir|docker-archive] IMAGE...\n"
			       "The default format is docker-archive (as with podman and docker).\n");
			return 0;
		} else if (argv[i][0] == '-') {
			return cli_usage_error("save", "unknown option '%s'", argv[i]);
		} else {
			refs[n++] = argv[i];
		}
	}
	if (!out)
		return cli_usage_error("save", "-o FILE is required");
	if (n == 0)
		return cli_usage_error("save", "no image given");
	cleanup_store struct store *s = NULL;
	if (cli_open_store(&s) < 0)
		return EXIT_ENGINE;
	return archive_save(s, refs, n, out, fmt) < 0 ? EXIT_ENGINE : 0;
}
