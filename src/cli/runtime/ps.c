/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/runtime/cli.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "runtime/container.h"

static bool has_pid(const pid_t *pids, size_t n, long p)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == p)
			return true;
	return false;
}

/* Run the host's ps with the given arguments and keep the header plus the container's rows. */
static int ps_table(char **ps_args, int n_args, const pid_t *pids, size_t n)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return log_error_errno(-errno, "pipe failed: %m");
	pid_t child = fork();
	if (child < 0)
		return log_error_errno(-errno, "fork failed: %m");
	if (child == 0) {
		char *argv[64] = { "ps" };
		int a = 1;
		if (n_args == 0)
			argv[a++] = "-ef";
		for (int i = 0; i < n_args && a < 63; i++)
			argv[a++] = ps_args[i];
		argv[a] = NULL;
		dup2(p[1], 1);
		execvp("ps", argv);
		_exit(127);
	}
	close(p[1]);
	cleanup_fclose FILE *f = fdopen(p[0], "r");
	char line[4096];
	int pid_col = -1;
	while (f && fgets(line, sizeof(line), f)) {
		char copy[4096], *save = NULL;
		snprintf(copy, sizeof(copy), "%s", line);
		if (pid_col < 0) {
			int col = 0;
			for (char *t = strtok_r(copy, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save), col++)
				if (STREQ(t, "PID"))
					pid_col = col;
			fputs(line, stdout);
			if (pid_col < 0) {
				log_error("ps: the ps output has no PID column");
				break;
			}
			continue;
		}
		int col = 0;
		for (char *t = strtok_r(copy, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save), col++)
			if (col == pid_col) {
				if (has_pid(pids, n, strtol(t, NULL, 10)))
					fputs(line, stdout);
				break;
			}
	}
	int status;
	waitpid(child, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 && pid_col >= 0 ? 0 : -EIO;
}

int verb_ps(int argc, char **argv)
{
	static const struct option opts[] = { { "format", required_argument, NULL, 'f' }, { 0 } };
	const char *format = "table";
	int c;
	while ((c = getopt_long(argc, argv, "+f:", opts, NULL)) != -1) {
		if (c != 'f')
			return cli_usage_error("ps", "invalid option");
		format = optarg;
	}
	if (optind >= argc)
		return cli_usage_error("ps", "expects a container ID");
	if (!STREQ(format, "table") && !STREQ(format, "json"))
		return cli_usage_error("ps", "--format: '%s' is not table or json", format);
	pid_t *pids = NULL;
	size_t n = 0;
	int r = container_pids(arg_root, argv[optind], &pids, &n);
	if (r < 0)
		return 1;
	if (STREQ(format, "json")) {
		putchar('[');
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		puts("]");
		free(pids);
		return 0;
	}
	r = ps_table(argv + optind + 1, argc - optind - 1, pids, n);
	free(pids);
	return cli_exit(r);
}
