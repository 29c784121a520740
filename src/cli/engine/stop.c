/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri stop [-t SECONDS] CONTAINER...: the stop signal (image StopSignal, --stop-signal,
 * SIGTERM), then SIGKILL after the timeout (--stop-timeout, containers.conf stop_timeout,
 * 10 s). kakuri restart [-t SECONDS] CONTAINER...: stop, then start. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/container/lifecycle.h"
#include "lib/cleanup.h"
#include "lib/log.h"

int cli_start_one(struct store *s, const char *ref, bool attach, bool interactive, bool quiet);

static int stop_main(int argc, char **argv, bool restart)
{
	static const struct cli_option opts[] = {
	    {"time", 't', true, 1}, {"timeout", 0, true, 1}, {"all", 'a', false, 2}, {0}};
	const char *verb = restart ? "restart" : "stop";
	struct cli_parser p = {argc, argv, 1, 0, opts, verb, false};
	const char *v;
	int id, timeout = -1, rc = 0;
	bool all = false;
	while ((id = cli_next(&p, &v)) > 0) {
		if (id == 1) {
			char *end;
			long t = strtol(v, &end, 10);
			if (end == v || *end || t < 0)
				return cli_usage_error(verb, "--time %s: expected seconds", v);
			timeout = (int)t;
		} else if (id == 2) {
			all = cli_bool_val(v);
		}
	}
	if (id < 0)
		return EXIT_ENGINE;
	if (p.i >= argc && !all)
		return cli_usage_error(verb, "expected at least one container");
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	cleanup_strv char **refs = calloc((size_t)argc + 1, sizeof(char *));
	size_t n = 0;
	if (all) {
		struct ctr_record **list = NULL;
		size_t ln = 0;
		if (ctr_list(s, &list, &ln) == 0)
			for (size_t i = 0; i < ln && refs; i++) {
				char **nr = realloc(refs, (n + 2) * sizeof(char *));
				if (!nr)
					break;
				refs = nr;
				refs[n++] = strdup(list[i]->id);
				refs[n] = NULL;
			}
		ctr_list_free(list, ln);
	} else {
		for (int i = p.i; i < argc && refs; i++)
			refs[n++] = strdup(argv[i]);
	}
	for (size_t i = 0; refs && i < n; i++) {
		cleanup_free char *cid = NULL;
		struct ctr_record *rec = NULL;
		if (ctr_lookup(s, refs[i], &cid) < 0 || ctr_record_load(s, cid, &rec) < 0) {
			rc = EXIT_ENGINE;
			continue;
		}
		int t = timeout >= 0 ? timeout : rec->stop_timeout;
		ctr_record_free(rec);
		if (ctr_stop(s, cid, t) < 0) {
			rc = EXIT_ENGINE;
			continue;
		}
		if (restart) {
			int r = cli_start_one(s, cid, false, false, true);
			if (r != 0) {
				rc = r;
				continue;
			}
			if (ctr_record_load(s, cid, &rec) == 0) {
				rec->restart_count++;
				cleanup_close int lk = ctr_lock(s, cid);
				struct ctr_record *cur = NULL;
				if (lk >= 0 && ctr_record_load(s, cid, &cur) == 0) {
					cur->restart_count = rec->restart_count;
					ctr_record_save(s, cur);
					ctr_record_free(cur);
				}
				ctr_record_free(rec);
			}
		}
		printf("%s\n", refs[i]);
	}
	engine_config_free(&cfg);
	return rc;
}

int verb_stop(int argc, char **argv)
{
	return stop_main(argc, argv, false);
}

int verb_restart(int argc, char **argv)
{
	return stop_main(argc, argv, true);
}
