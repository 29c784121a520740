/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/runtime/cli.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "oci/spec-default.h"

int verb_spec(int argc, char **argv)
{
	static const struct option opts[] = { { "rootless", no_argument, NULL, 'r' },
					      { "bundle", required_argument, NULL, 'b' },
					      { 0 } };
	bool rootless = false;
	const char *bundle = ".";
	int c;
	while ((c = getopt_long(argc, argv, "+b:", opts, NULL)) != -1) {
		if (c == 'r')
			rootless = true;
		else if (c == 'b')
			bundle = optarg;
		else
			return cli_usage_error("spec", "invalid option");
	}
	cleanup_free char *json = spec_default_json(rootless), *path = NULL;
	if (!json || asprintf(&path, "%s/config.json", bundle) < 0)
		return 1;
	/* Like runc: never overwrite an existing config.json. */
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_error_errno(-errno, "spec: '%s': %m", path);
		return 1;
	}
	size_t n = strlen(json);
	if (fs_write_all(fd, json, n) < 0 || fs_write_all(fd, "\n", 1) < 0) {
		log_error_errno(-errno, "spec: writing '%s': %m", path);
		return 1;
	}
	return 0;
}
