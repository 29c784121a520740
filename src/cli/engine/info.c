/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri info [--format json]: host capabilities (cgroups, user namespaces and subordinate
 * ranges, LSMs, Landlock, seccomp, overlay), the store and the OCI runtime. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/container/hostinfo.h"
#include "engine/container/inspect.h"
#include "lib/cleanup.h"
#include "lib/log.h"

/* YAML-looking text, as podman info prints by default. */
static void print_yaml(json_object *o, int indent)
{
	json_object_object_foreach(o, key, val)
	{
		printf("%*s%s:", indent, "", key);
		if (json_object_is_type(val, json_type_object)) {
			printf("\n");
			print_yaml(val, indent + 2);
		} else if (json_object_is_type(val, json_type_array)) {
			printf("\n");
			for (size_t i = 0; i < json_object_array_length(val); i++)
				printf("%*s- %s\n", indent + 2, "",
				       json_object_get_string(json_object_array_get_idx(val, i)));
		} else if (!val) {
			printf(" null\n");
		} else {
			printf(" %s\n", json_object_get_string(val));
		}
	}
}

int verb_info(int argc, char **argv)
{
	static const struct cli_option opts[] = {{"format", 'f', true, 1}, {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "info", false};
	const char *v, *format = NULL;
	int id;
	while ((id = cli_next(&p, &v)) > 0)
		format = v;
	if (id < 0)
		return EXIT_ENGINE;
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	json_object *o = NULL;
	int rc = 0;
	if (ctr_host_info(&cfg, s, &o) < 0) {
		rc = EXIT_ENGINE;
	} else if (format && STREQ(format, "json")) {
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								     JSON_C_TO_STRING_NOSLASHESCAPE));
	} else if (format) {
		cleanup_free char *line = NULL;
		if (ctr_template_render(format, o, &line) < 0) {
			log_error("template parsing error: %s", format);
			rc = EXIT_ENGINE;
		} else {
			printf("%s\n", line);
		}
	} else {
		print_yaml(o, 0);
	}
	if (o)
		json_object_put(o);
	engine_config_free(&cfg);
	return rc;
}
