/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri kill [-s SIGNAL] CONTAINER...: a signal to the container's init (default SIGKILL). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/container/lifecycle.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/log.h"

int verb_kill(int argc, char **argv)
{
	static const struct cli_option opts[] = {{"signal", 's', true, 1}, {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "kill", false};
	const char *v;
	int id, sig = 9, rc = 0;
	while ((id = cli_next(&p, &v)) > 0)
		if (id == 1 && (sig = cu_signal_parse(v)) < 0)
			return cli_usage_error("kill", "invalid signal: %s", v);
	if (id < 0)
		return EXIT_ENGINE;
	if (p.i >= argc)
		return cli_usage_error("kill", "expected at least one container");
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	for (int i = p.i; i < argc; i++) {
		cleanup_free char *cid = NULL;
		struct ctr_record *rec = NULL;
		if (ctr_lookup(s, argv[i], &cid) < 0 || ctr_record_load(s, cid, &rec) < 0) {
			rc = EXIT_ENGINE;
			continue;
		}
		enum ctr_status st = ctr_status_live(s, rec);
		if (st != CTR_STATUS_RUNNING) {
			log_error("can only kill running containers. %s is in state %s: container state improper",
				  rec->id, ctr_status_name(st));
			rc = EXIT_ENGINE;
		} else if (ctr_signal(s, rec, sig) < 0) {
			log_error("cannot send signal %d to container %s", sig, rec->name);
			rc = EXIT_ENGINE;
		} else {
			printf("%s\n", argv[i]);
		}
		ctr_record_free(rec);
	}
	engine_config_free(&cfg);
	return rc;
}
