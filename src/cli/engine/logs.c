/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri logs [-f] [-t] [--tail N] [--since T] CONTAINER: what the container wrote to its
 * stdout/stderr (kept by its monitor in userdata/ctr.log, json lines, rotated by size). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/engine/cli.h"
#include "engine/container/lifecycle.h"
#include "engine/container/logfile.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/log.h"

struct follow {
	struct store *s;
	const char *id;
};

/* Following ends when the container has stopped and its monitor is gone (it has written
 * everything). */
static bool still_writing(void *u)
{
	struct follow *f = u;
	struct ctr_record *rec = NULL;
	if (ctr_record_load(f->s, f->id, &rec) < 0)
		return false;
	enum ctr_status st = ctr_status(rec);
	bool alive = st == CTR_STATUS_RUNNING || st == CTR_STATUS_STARTING || ctr_monitor_alive(rec);
	ctr_record_free(rec);
	return alive;
}

int verb_logs(int argc, char **argv)
{
	static const struct cli_option opts[] = {
	    {"follow", 'f', false, 1}, {"timestamps", 't', false, 2}, {"tail", 'n', true, 3},	 {"since", 0, true, 4},
	    {"until", 0, true, 5},     {"details", 0, false, 6},      {"latest", 'l', false, 7}, {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "logs", false};
	const char *v;
	struct ctr_log_read_opts o = {.tail = -1, .out_fd = STDOUT_FILENO, .err_fd = STDERR_FILENO};
	int id;
	while ((id = cli_next(&p, &v)) > 0) {
		switch (id) {
		case 1:
			o.follow = cli_bool_val(v);
			break;
		case 2:
			o.timestamps = cli_bool_val(v);
			break;
		case 3:
			if (STREQ(v, "all")) {
				o.tail = -1;
			} else {
				char *end;
				long long t = strtoll(v, &end, 10);
				if (end == v || *end)
					return cli_usage_error("logs", "--tail %s: expected a number of lines or 'all'",
							       v);
				o.tail = t < 0 ? -1 : t;
			}
			break;
		case 4:
		case 5: {
			double secs;
			if (cu_parse_duration_seconds(v, &secs) < 0)
				return cli_usage_error("logs", "--%s %s: expected a duration such as 10s, 5m or 1h",
						       id == 4 ? "since" : "until", v);
			int64_t t = ctr_now_ns() - (int64_t)(secs * 1e9);
			if (id == 4)
				o.since_ns = t;
			else
				o.until_ns = t;
			break;
		}
		}
	}
	if (id < 0)
		return EXIT_ENGINE;
	if (argc - p.i != 1)
		return cli_usage_error("logs", "expected one container");
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	cleanup_free char *cid = NULL, *path = NULL;
	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	int rc = EXIT_ENGINE;
	if (ctr_lookup(s, argv[p.i], &cid) == 0 && (path = ctr_path(s, cid, "userdata/ctr.log"))) {
		struct follow f = {s, cid};
		o.alive = still_writing;
		o.userdata = &f;
		rc = ctr_log_read(path, &o) < 0 ? EXIT_ENGINE : 0;
	}
	engine_config_free(&cfg);
	return rc;
}
