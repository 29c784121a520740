/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri run [OPTIONS] IMAGE [COMMAND [ARG...]]: create + start, attached (the exit status
 * is the container's) or detached (-d: prints the ID once the container runs). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/engine/cli.h"
#include "engine/container/attach.h"
#include "engine/container/lifecycle.h"
#include "engine/container/spec.h"
#include "engine/container/spec-seccomp.h"
#include "lib/cleanup.h"
#include "lib/log.h"

/* Exit status of an attached session; shared with start -a and attach. */
int cli_attach_result(int r);
int cli_attach_result(int r)
{
	if (r >= 0)
		return r;
	if (r == -EAGAIN)
		return 0; /* detached */
	if (r == -EIO)
		return EXIT_ENGINE; /* the start failed: already printed */
	log_error("lost the connection to the container's monitor");
	return EXIT_ENGINE;
}

int verb_run(int argc, char **argv)
{
	struct ctr_opts o;
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	cleanup_free char *detach_keys = NULL;
	struct ctr_record *rec = NULL;
	bool sig_proxy = true;
	int rc = EXIT_ENGINE, client = -1;
	if (cli_parse_create(argc, argv, true, &o, &sig_proxy, &detach_keys) < 0) {
		ctr_opts_clear(&o);
		return EXIT_ENGINE;
	}
	ctr_cgroup_prewarm();
	if (cli_ctr_setup(&cfg, &s) < 0) {
		ctr_opts_clear(&o);
		return EXIT_ENGINE;
	}
	if (ctr_create(s, &cfg, &o, &rec) < 0)
		goto out;
	struct stat rec_before = {0};
	if (o.seccomp_record)
		ctr_seccomp_record_snapshot(o.seccomp_record, &rec_before);
	struct ctr_start_opts so = {0};
	if (o.tty)
		ctr_tty_size(&so.rows, &so.cols);
	if (ctr_start(s, rec->id, &so, &client) < 0)
		goto out;
	struct ctr_relay_opts ro = {
	    .send_stdin = o.interactive,
	    .tty = o.tty,
	    .sig_proxy = sig_proxy,
	    .until_started = o.detach,
	    .detach_keys = detach_keys ? detach_keys : "\x10\x11", /* ctrl-p ctrl-q */
	};
	int r = ctr_attach_relay(client, &ro, NULL);
	if (o.detach && r == 0) {
		printf("%s\n", rec->id);
		rc = 0;
	} else {
		rc = cli_attach_result(r);
		/* The recorder writes the profile once the container's last process is gone,
		 * moments after the exit status reached us. */
		if (o.seccomp_record && r >= 0 && ctr_seccomp_record_wait(o.seccomp_record, &rec_before, 10000) < 0)
			log_warn("--seccomp-record: '%s' was not written within 10 s of the container's exit",
				 o.seccomp_record);
	}
out:
	if (client >= 0)
		close(client);
	ctr_record_free(rec);
	engine_config_free(&cfg);
	ctr_opts_clear(&o);
	return rc;
}
