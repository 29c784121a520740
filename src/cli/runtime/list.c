/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/runtime/cli.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "runtime/state.h"

int verb_list(int argc, char **argv)
{
	static const struct option opts[] = { { "format", required_argument, NULL, 'f' },
					      { "quiet", no_argument, NULL, 'q' },
					      { 0 } };
	const char *format = "table";
	bool quiet = false;
	int c;
	while ((c = getopt_long(argc, argv, "+f:q", opts, NULL)) != -1) {
		if (c == 'f')
			format = optarg;
		else if (c == 'q')
			quiet = true;
		else
			return cli_usage_error("list", "invalid option");
	}
	if (!STREQ(format, "table") && !STREQ(format, "json"))
		return cli_usage_error("list", "--format: '%s' is not table or json", format);
	bool json = STREQ(format, "json");
	struct json_object *arr = json ? json_object_new_array() : NULL;
	struct dirent **names = NULL;
	int n = scandir(arg_root, &names, NULL, alphasort);
	if (!json && !quiet)
		printf("%-20s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
	for (int i = 0; i < n; i++) {
		struct container_state *st = NULL;
		if (names[i]->d_name[0] == '.' || state_check_id(names[i]->d_name) < 0)
			goto next;
		enum log_level saved = log_get_level();
		log_set_level(LOG_LEVEL_ERROR + 1); /* a racing delete is not an error here */
		int r = state_load(arg_root, names[i]->d_name, &st);
		log_set_level(saved);
		if (r < 0)
			goto next;
		enum container_status s = state_status(arg_root, st);
		if (json) {
			char *txt = state_to_json(st, s);
			struct json_object *o = txt ? json_tokener_parse(txt) : NULL;
			free(txt);
			if (o)
				json_object_array_add(arr, o);
		} else if (quiet) {
			puts(st->id);
		} else {
			printf("%-20s %-8d %-10s %-40s %-31s %s\n", st->id, s == STATUS_STOPPED ? 0 : st->pid,
			       state_status_name(s), st->bundle ? st->bundle : "", st->created ? st->created : "",
			       st->owner ? st->owner : "");
		}
	next:
		state_free(st);
		free(names[i]);
	}
	free(names);
	if (json) {
		puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
	}
	return 0;
}
