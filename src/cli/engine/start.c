/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri start [-a] [-i] CONTAINER...: starts created or exited containers (a new monitor
 * each time). With -a, stays attached to the (single) container and exits with its status. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/engine/cli.h"
#include "engine/container/attach.h"
#include "engine/container/lifecycle.h"
#include "lib/cleanup.h"
#include "lib/log.h"

int cli_attach_result(int r);

/* Starts one container; attach: stay attached. Returns an exit status. */
int cli_start_one(struct store *s, const char *ref, bool attach, bool interactive, bool quiet);
int cli_start_one(struct store *s, const char *ref, bool attach, bool interactive, bool quiet)
{
	cleanup_free char *id = NULL;
	struct ctr_record *rec = NULL;
	int client = -1;
	if (ctr_lookup(s, ref, &id) < 0)
		return EXIT_ENGINE;
	if (ctr_record_load(s, id, &rec) < 0)
		return EXIT_ENGINE;
	enum ctr_status st = ctr_status_live(s, rec);
	bool tty = rec->tty;
	ctr_record_free(rec);
	if (st == CTR_STATUS_RUNNING || st == CTR_STATUS_STARTING) {
		if (!quiet)
			printf("%s\n", ref);
		return 0;
	}
	struct ctr_start_opts so = {0};
	if (tty && attach)
		ctr_tty_size(&so.rows, &so.cols);
	if (ctr_start(s, id, &so, &client) < 0)
		return EXIT_ENGINE;
	struct ctr_relay_opts ro = {.send_stdin = interactive,
				    .tty = tty,
				    .sig_proxy = true,
				    .until_started = !attach,
				    .detach_keys = "\x10\x11"};
	int r = ctr_attach_relay(client, &ro, NULL);
	close(client);
	if (!attach) {
		if (r < 0)
			return cli_attach_result(r);
		if (!quiet)
			printf("%s\n", ref);
		return 0;
	}
	return cli_attach_result(r);
}

int verb_start(int argc, char **argv)
{
	static const struct cli_option opts[] = {
	    {"attach", 'a', false, 1}, {"interactive", 'i', false, 2}, {"sig-proxy", 0, false, 3}, {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "start", false};
	const char *v;
	bool attach = false, interactive = false;
	int id, rc = 0;
	while ((id = cli_next(&p, &v)) > 0) {
		if (id == 1)
			attach = cli_bool_val(v);
		else if (id == 2)
			interactive = cli_bool_val(v);
	}
	if (id < 0)
		return EXIT_ENGINE;
	if (p.i >= argc)
		return cli_usage_error("start", "expected at least one container");
	if (attach && argc - p.i > 1)
		return cli_usage_error("start", "you cannot start and attach multiple containers at once");
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	for (int i = p.i; i < argc; i++) {
		int r = cli_start_one(s, argv[i], attach, interactive, false);
		if (r != 0)
			rc = r;
	}
	engine_config_free(&cfg);
	return rc;
}
