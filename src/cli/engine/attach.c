/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri attach [--no-stdin] [--detach-keys K] CONTAINER: connects to a running container's
 * monitor: its output from now on, our stdin to it (when it was started with -i), until it
 * exits (our exit status is its) or we detach (ctrl-p ctrl-q on a terminal). */
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

int verb_attach(int argc, char **argv)
{
	static const struct cli_option opts[] = {
	    {"no-stdin", 0, false, 1}, {"detach-keys", 0, true, 2}, {"sig-proxy", 0, false, 3}, {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "attach", false};
	const char *v, *keys = "\x10\x11";
	bool no_stdin = false, sig_proxy = true;
	int id;
	while ((id = cli_next(&p, &v)) > 0) {
		if (id == 1)
			no_stdin = cli_bool_val(v);
		else if (id == 2)
			keys = v;
		else if (id == 3)
			sig_proxy = cli_bool_val(v);
	}
	if (id < 0)
		return EXIT_ENGINE;
	if (argc - p.i != 1)
		return cli_usage_error("attach", "expected one container");
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	cleanup_free char *cid = NULL, *ud = NULL;
	struct ctr_record *rec = NULL;
	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	int rc = EXIT_ENGINE;
	if (ctr_lookup(s, argv[p.i], &cid) < 0 || ctr_record_load(s, cid, &rec) < 0)
		goto out;
	if (ctr_status_live(s, rec) != CTR_STATUS_RUNNING) {
		log_error("you can only attach to running containers");
		goto out;
	}
	if (!ctr_monitor_alive(rec)) {
		log_error("container %s has no monitor any more (it was killed): its output cannot be attached to",
			  rec->name);
		goto out;
	}
	ud = ctr_path(s, cid, "userdata");
	int sock = ud ? ctr_attach_connect(ud, !no_stdin && rec->stdin_open) : -ENOMEM;
	if (sock < 0) {
		log_error_errno(sock, "cannot connect to the monitor of %s: %m", rec->name);
		goto out;
	}
	struct ctr_relay_opts ro = {
	    .send_stdin = !no_stdin && rec->stdin_open, .tty = rec->tty, .sig_proxy = sig_proxy, .detach_keys = keys};
	rc = cli_attach_result(ctr_attach_relay(sock, &ro, NULL));
	close(sock);
out:
	ctr_record_free(rec);
	engine_config_free(&cfg);
	return rc;
}
