/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri wait CONTAINER...: blocks until each container has exited, prints its exit code. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/container/lifecycle.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/log.h"

int verb_wait(int argc, char **argv)
{
	static const struct cli_option opts[] = {{"condition", 0, true, 1}, {"interval", 'i', true, 2}, {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "wait", false};
	const char *v;
	int id, rc = 0;
	while ((id = cli_next(&p, &v)) > 0)
		if (id == 1 && !STREQ(v, "stopped") && !STREQ(v, "exited"))
			return cli_usage_error("wait", "--condition %s: only stopped/exited are supported", v);
	if (id < 0)
		return EXIT_ENGINE;
	if (p.i >= argc)
		return cli_usage_error("wait", "expected at least one container");
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	for (int i = p.i; i < argc; i++) {
		cleanup_free char *cid = NULL;
		if (ctr_lookup(s, argv[i], &cid) < 0) {
			rc = EXIT_ENGINE;
			continue;
		}
		int code = ctr_wait(s, cid, -1);
		if (code == -ENOENT) {
			log_error("container %s was removed before its exit code could be read", argv[i]);
			rc = EXIT_ENGINE;
			continue;
		}
		printf("%d\n", code);
		fflush(stdout);
	}
	engine_config_free(&cfg);
	return rc;
}
