/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri top CONTAINER [DESCRIPTOR...]: the container's processes (engine/container/top.h
 * lists the descriptors; default: user pid ppid pcpu etime tty time args). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/container/lifecycle.h"
#include "engine/container/top.h"
#include "lib/cleanup.h"
#include "lib/log.h"

int verb_top(int argc, char **argv)
{
	static const struct cli_option opts[] = {{"latest", 'l', false, 1}, {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "top", false};
	const char *v;
	int id;
	while ((id = cli_next(&p, &v)) > 0)
		;
	if (id < 0)
		return EXIT_ENGINE;
	if (p.i >= argc)
		return cli_usage_error("top", "expected a container");
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	cleanup_free char *cid = NULL;
	struct ctr_record *rec = NULL;
	struct ctr_top t = {0};
	int rc = EXIT_ENGINE;
	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	if (ctr_lookup(s, argv[p.i], &cid) < 0 || ctr_record_load(s, cid, &rec) < 0)
		goto out;
	if (ctr_status_live(s, rec) != CTR_STATUS_RUNNING) {
		log_error("top can only be used on running containers: %s is %s", rec->name,
			  ctr_status_name(ctr_status(rec)));
		goto out;
	}
	if (ctr_top_collect(rec->pid, argv + p.i + 1, &t) < 0)
		goto out;
	size_t *w = calloc(t.n_cols, sizeof(size_t));
	for (size_t r = 0; w && r < t.n_rows; r++)
		for (size_t c = 0; c < t.n_cols; c++)
			if (t.rows[r][c] && strlen(t.rows[r][c]) > w[c])
				w[c] = strlen(t.rows[r][c]);
	for (size_t r = 0; w && r < t.n_rows; r++)
		for (size_t c = 0; c < t.n_cols; c++) {
			bool last = c + 1 == t.n_cols;
			printf("%-*s%s", last ? 0 : (int)w[c], t.rows[r][c] ? t.rows[r][c] : "", last ? "\n" : "  ");
		}
	free(w);
	rc = 0;
out:
	ctr_top_free(&t);
	ctr_record_free(rec);
	engine_config_free(&cfg);
	return rc;
}
