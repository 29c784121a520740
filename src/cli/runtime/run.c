/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <sys/prctl.h>

#include "cli/runtime/cli.h"
#include "lib/log.h"
#include "runtime/container.h"

int verb_run(int argc, char **argv)
{
	struct create_opts o = { 0 };
	bool detach = false, keep = false;
	pid_t pid;
	int r = cli_parse_create(argc, argv, &o, true, &detach, &keep);
	if (r != 0)
		return r;
	/* The init is a grandchild (stage-1 exits): as subreaper we get it back to wait for. */
	if (!detach)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	r = container_create(&o, &pid);
	if (r < 0)
		return cli_exit(r);
	r = container_start(o.root, o.id);
	if (r < 0) {
		container_delete(o.root, o.id, true);
		return cli_exit(r);
	}
	if (detach)
		return 0;
	int status = container_wait(pid);
	if (!keep)
		container_delete(o.root, o.id, true);
	return status < 0 ? 1 : status;
}
