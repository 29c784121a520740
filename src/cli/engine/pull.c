/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri pull [--platform OS/ARCH[/VARIANT]] [--tls-verify=false] [--authfile F] [-q] IMAGE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/image/pull.h"
#include "lib/cleanup.h"

int verb_pull(int argc, char **argv)
{
	struct pull_opts o = {.tls_verify = true};
	const char *name = NULL, *v;
	for (int i = 1; i < argc; i++) {
		if (cli_opt(argc, argv, &i, "platform", &v)) {
			if (!v)
				return cli_usage_error("pull", "--platform needs OS/ARCH[/VARIANT]");
			o.platform = v;
		} else if (cli_opt(argc, argv, &i, "arch", &v)) {
			static char buf[128];
			snprintf(buf, sizeof(buf), "linux/%s", v ? v : "");
			o.platform = buf;
		} else if (cli_bool_opt(argc, argv, &i, "tls-verify", &o.tls_verify)) {
		} else if (cli_opt(argc, argv, &i, "authfile", &v)) {
			o.authfile = v;
		} else if (STREQ(argv[i], "-q") || cli_flag(argv[i], "quiet")) {
			o.quiet = true;
		} else if (STREQ(argv[i], "-h") || cli_flag(argv[i], "help")) {
			printf("usage: kakuri pull [--platform OS/ARCH[/VARIANT]] [--tls-verify=false] [--authfile "
			       "FILE] [-q] IMAGE\n"
			       "IMAGE is [REGISTRY/]NAME[:TAG][@DIGEST]; short names are tried against the search\n"
			       "registries (default docker.io).\n");
			return 0;
		} else if (argv[i][0] == '-') {
			return cli_usage_error("pull", "unknown option '%s'", argv[i]);
		} else if (!name) {
			name = argv[i];
		} else {
			return cli_usage_error("pull", "only one image at a time");
		}
	}
	if (!name)
		return cli_usage_error("pull", "no image given");
	cleanup_store struct store *s = NULL;
	cleanup_free char *id = NULL;
	if (cli_open_store(&s) < 0)
		return EXIT_ENGINE;
	if (pull_image(s, name, &o, &id) < 0)
		return EXIT_ENGINE;
	printf("%s\n", id);
	return 0;
}
