/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri rm [-f] [-a] CONTAINER...: removes containers (-f: running ones too, killed first). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/container/lifecycle.h"
#include "lib/cleanup.h"
#include "lib/log.h"

int verb_rm(int argc, char **argv)
{
	static const struct cli_option opts[] = {{"force", 'f', false, 1},   {"all", 'a', false, 2},
						 {"volumes", 'v', false, 3}, {"time", 't', true, 4},
						 {"ignore", 'i', false, 5},  {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "rm", false};
	const char *v;
	bool force = false, all = false, ignore = false;
	int id, rc = 0;
	while ((id = cli_next(&p, &v)) > 0) {
		if (id == 1)
			force = cli_bool_val(v);
		else if (id == 2)
			all = cli_bool_val(v);
		else if (id == 5)
			ignore = cli_bool_val(v);
	}
	if (id < 0)
		return EXIT_ENGINE;
	if (p.i >= argc && !all)
		return cli_usage_error("rm", "expected at least one container");
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	if (all) {
		struct ctr_record **list = NULL;
		size_t n = 0;
		if (ctr_list(s, &list, &n) < 0) {
			engine_config_free(&cfg);
			return EXIT_ENGINE;
		}
		for (size_t i = 0; i < n; i++) {
			if (ctr_remove(s, list[i]->id, force) < 0)
				rc = EXIT_ENGINE;
			else
				printf("%s\n", list[i]->id);
		}
		ctr_list_free(list, n);
	}
	for (int i = p.i; i < argc; i++) {
		cleanup_free char *cid = NULL;
		enum log_level lvl = log_get_level();
		if (ignore)
			log_set_level((enum log_level)(LOG_LEVEL_ERROR + 1));
		int r = ctr_lookup(s, argv[i], &cid);
		log_set_level(lvl);
		if (r < 0) {
			if (!ignore)
				rc = 1;
			continue;
		}
		if (ctr_remove(s, cid, force) < 0)
			rc = EXIT_ENGINE;
		else
			printf("%s\n", cid);
	}
	engine_config_free(&cfg);
	return rc;
}
