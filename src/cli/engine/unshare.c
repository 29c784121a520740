/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri unshare [CMD ARGS...]: runs CMD (default: $SHELL) as root of the rootless storage
 * user namespace, in a new mount namespace, as `podman unshare` does. Nested kakuri
 * commands see KAKURI_USERNS_UID and use the same store. As host root it just runs CMD. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/engine/cli.h"
#include "engine/image/idmap.h"
#include "lib/cleanup.h"
#include "lib/log.h"

int verb_unshare(int argc, char **argv)
{
	if (argc >= 2 && (STREQ(argv[1], "-h") || cli_flag(argv[1], "help"))) {
		printf("usage: kakuri unshare [CMD ARGS...]\n"
		       "Runs CMD in the rootless storage user namespace (container root = your uid,\n"
		       "1..N = your /etc/subuid range) and a private mount namespace.\n");
		return 0;
	}
	int first = 1;
	if (argc >= 2 && STREQ(argv[1], "--"))
		first = 2;
	if (idmap_rootless() && !idmap_in_userns()) {
		struct idmap m;
		if (idmap_load(&m) < 0 || idmap_unshare_self(&m) < 0)
			return EXIT_ENGINE;
	}
	if (arg_storage_root)
		setenv("KAKURI_STORAGE_ROOT", arg_storage_root, 1);
	if (first >= argc) {
		const char *sh = getenv("SHELL");
		if (!sh || !*sh)
			sh = "/bin/sh";
		execl(sh, sh, (char *)NULL);
		log_error_errno(-errno, "Cannot run %s: %m", sh);
		return 127;
	}
	execvp(argv[first], argv + first);
	int r = errno;
	log_error_errno(-r, "Cannot run %s: %m", argv[first]);
	return r == ENOENT ? 127 : 126;
}
