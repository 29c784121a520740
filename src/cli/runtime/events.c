/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `events [--stats] [--interval D] ID`, as runc: JSON lines on stdout. With --stats one
 * {"type":"stats",…} snapshot; otherwise {"type":"oom","id":…} when the container has an OOM
 * kill and a stats event every interval (default 5s), until the container stops. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/runtime/cli.h"
#include "lib/cleanup.h"
#include "runtime/container-cgroup.h"

/* Go's duration syntax ("5s", "100ms", "1m30s"); a bare "0" too. Result in ms, rounded up. */
static int parse_duration_ms(const char *s, long *ret)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = { { "ns", 1e-6 }, { "us", 1e-3 }, { "\xc2\xb5s", 1e-3 }, { "ms", 1 }, { "s", 1e3 }, { "m", 6e4 }, { "h", 3.6e6 } };
	double total = 0;
	if (STREQ(s, "0")) {
		*ret = 0;
		return 0;
	}
	if (!*s)
		return -EINVAL;
	while (*s) {
		char *end;
		if (!isdigit((unsigned char)*s) && *s != '.')
			return -EINVAL;
		double v = strtod(s, &end);
		if (end == s)
			return -EINVAL;
		s = end;
		size_t best = 0, best_len = 0; /* the longest unit: "ms" rather than "m" */
		for (size_t i = 0; i < ELEMENTSOF(units); i++) {
			size_t n = strlen(units[i].unit);
			if (strncmp(s, units[i].unit, n) == 0 && n > best_len) {
				best = i;
				best_len = n;
			}
		}
		if (!best_len)
			return -EINVAL;
		total += v * units[best].ms;
		s += best_len;
	}
	if (total > 86400000.0 * 365)
		return -ERANGE;
	*ret = (long)total + (total > (double)(long)total);
	return 0;
}

int verb_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "stats", no_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool stats = false;
	long interval = 5000;
	int c;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			stats = true;
			break;
		case 'i':
			if (parse_duration_ms(optarg, &interval) < 0 || interval <= 0)
				return cli_usage_error("events", "--interval: '%s' is not a positive duration like 5s or 500ms", optarg);
			break;
		case 'h':
			printf("usage: kakuri-runtime events [--stats] [--interval 5s] ID\n");
			exit(0);
		default:
			return cli_usage_error("events", "invalid option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("events", "expects exactly one container ID");
	if (stats) {
		cleanup_free char *line = NULL;
		int r = container_stats(arg_root, argv[optind], &line);
		if (r < 0)
			return 1;
		puts(line);
		return 0;
	}
	return cli_exit(container_events(arg_root, argv[optind], interval, stdout));
}
