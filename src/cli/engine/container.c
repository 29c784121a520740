/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `kakuri container SUBCOMMAND` (podman's grouping: run, create, start, stop, restart, kill,
 * rm, ls/ps, logs, exec, wait, inspect, top, cp, attach, prune), the top-level `inspect` that
 * looks for a container first and an image second, and what the container verbs share:
 * a docker-style option parser (-it, -e X, -eX, --env=X, --env X, --rm=false) and setup. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/container/inspect.h"
#include "engine/container/lifecycle.h"
#include "engine/container/record.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/log.h"

int cli_next(struct cli_parser *p, const char **ret_val)
{
	*ret_val = NULL;
	if (p->sub > 0) {
		/* Inside a cluster of short options: "-it", "-eFOO=bar". */
		const char *a = p->argv[p->i];
		char c = a[p->sub];
		const struct cli_option *o = NULL;
		for (const struct cli_option *x = p->opts; x->name; x++)
			if (x->short_ && x->short_ == c)
				o = x;
		if (!o) {
			cli_usage_error(p->verb, "unknown shorthand flag: '%c' in %s", c, a);
			return -1;
		}
		p->sub++;
		if (!o->value) {
			if (!a[p->sub]) {
				p->sub = 0;
				p->i++;
			}
			return o->id;
		}
		if (a[p->sub]) {
			*ret_val = a + p->sub;
		} else if (p->i + 1 < p->argc) {
			*ret_val = p->argv[++p->i];
		} else {
			cli_usage_error(p->verb, "flag needs an argument: '%c' in %s", c, a);
			return -1;
		}
		p->sub = 0;
		p->i++;
		return o->id;
	}
	if (p->i >= p->argc)
		return 0;
	const char *a = p->argv[p->i];
	if (STREQ(a, "--")) {
		p->i++;
		p->stopped = true;
		return 0;
	}
	if (a[0] != '-' || a[1] == 0)
		return 0;
	if (a[1] != '-') {
		p->sub = 1;
		return cli_next(p, ret_val);
	}
	const char *name = a + 2, *eq = strchr(name, '=');
	size_t nl = eq ? (size_t)(eq - name) : strlen(name);
	for (const struct cli_option *o = p->opts; o->name; o++) {
		if (strlen(o->name) != nl || strncmp(o->name, name, nl) != 0)
			continue;
		p->i++;
		if (!o->value) {
			*ret_val = eq ? eq + 1 : NULL;
			return o->id;
		}
		if (eq) {
			*ret_val = eq + 1;
		} else if (p->i < p->argc) {
			*ret_val = p->argv[p->i++];
		} else {
			cli_usage_error(p->verb, "flag needs an argument: --%s", o->name);
			return -1;
		}
		return o->id;
	}
	cli_usage_error(p->verb, "unknown flag: %.*s", (int)(nl + 2), a);
	return -1;
}

bool cli_bool_val(const char *v)
{
	return !v || !(STREQ(v, "false") || STREQ(v, "0") || STREQ(v, "no"));
}

int cli_ctr_setup(struct engine_config *cfg, struct store **ret)
{
	cleanup_free char *err = NULL;
	int r = engine_config_load(cfg, &err);
	if (r < 0) {
		log_error("%s", err ? err : "cannot load containers.conf");
		return r;
	}
	r = cli_open_store(ret);
	if (r < 0) {
		engine_config_free(cfg);
		return r;
	}
	return 0;
}

static const char *const subcommands[][2] = {
    {"ls", "ps"},
    {"list", "ps"},
};

static const struct {
	const char *name;
	int (*run)(int, char **);
} group[] = {
    {"run", verb_run},
    {"create", verb_create},
    {"start", verb_start},
    {"stop", verb_stop},
    {"restart", verb_restart},
    {"kill", verb_kill},
    {"rm", verb_rm},
    {"ps", verb_ps},
    {"logs", verb_logs},
    {"exec", verb_exec},
    {"wait", verb_wait},
    {"inspect", verb_container_inspect},
    {"top", verb_top},
    {"cp", verb_cp},
    {"attach", verb_attach},
    {"prune", verb_container_prune},
    {"exists", verb_container_exists},
};

int verb_container(int argc, char **argv)
{
	if (argc < 2 || STREQ(argv[1], "-h") || STREQ(argv[1], "--help")) {
		printf("usage: kakuri container COMMAND ...\ncommands:");
		for (size_t i = 0; i < ELEMENTSOF(group); i++)
			printf(" %s", group[i].name);
		printf(" ls\n");
		return argc < 2 ? EXIT_ENGINE : 0;
	}
	const char *sub = argv[1];
	for (size_t i = 0; i < ELEMENTSOF(subcommands); i++)
		if (STREQ(sub, subcommands[i][0]))
			sub = subcommands[i][1];
	for (size_t i = 0; i < ELEMENTSOF(group); i++)
		if (STREQ(sub, group[i].name))
			return group[i].run(argc - 1, argv + 1);
	return cli_usage_error("container", "unknown command '%s'", argv[1]);
}

/* ---- inspect, exists, prune ---- */

static int inspect_containers(struct store *s, char **refs, int n, const char *format, bool quiet_missing,
			      bool *ret_missing)
{
	json_object *arr = json_object_new_array();
	int rc = 0;
	*ret_missing = false;
	for (int i = 0; i < n; i++) {
		cleanup_free char *id = NULL;
		struct ctr_record *rec = NULL;
		enum log_level lvl = log_get_level();
		if (quiet_missing)
			log_set_level((enum log_level)(LOG_LEVEL_ERROR + 1));
		int r = ctr_lookup(s, refs[i], &id);
		log_set_level(lvl);
		if (r < 0 || ctr_record_load(s, id, &rec) < 0) {
			*ret_missing = true;
			rc = EXIT_ENGINE;
			continue;
		}
		ctr_status_live(s, rec);
		json_object *o = NULL;
		if (ctr_inspect_json(s, rec, &o) == 0)
			json_object_array_add(arr, o);
		ctr_record_free(rec);
	}
	if (*ret_missing && quiet_missing) {
		json_object_put(arr);
		return rc;
	}
	if (format && !STREQ(format, "json")) {
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			cleanup_free char *line = NULL;
			if (ctr_template_render(format, json_object_array_get_idx(arr, i), &line) < 0) {
				log_error("template parsing error: %s", format);
				rc = EXIT_ENGINE;
				break;
			}
			printf("%s\n", line);
		}
	} else {
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	json_object_put(arr);
	return rc;
}

enum { OPT_FORMAT = 1, OPT_TYPE, OPT_SIZE, OPT_LATEST };

int verb_container_inspect(int argc, char **argv)
{
	static const struct cli_option opts[] = {
	    {"format", 'f', true, OPT_FORMAT}, {"size", 's', false, OPT_SIZE}, {"type", 't', true, OPT_TYPE}, {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "container inspect", false};
	const char *v, *format = NULL;
	int id;
	while ((id = cli_next(&p, &v)) > 0)
		if (id == OPT_FORMAT)
			format = v;
	if (id < 0)
		return EXIT_ENGINE;
	if (p.i >= argc)
		return cli_usage_error("container inspect", "expected at least one container");
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	bool missing;
	int rc = inspect_containers(s, argv + p.i, argc - p.i, format, false, &missing);
	engine_config_free(&cfg);
	return rc;
}

/* `inspect`: containers first (as podman does), images otherwise. */
int verb_inspect_any(int argc, char **argv)
{
	const char *type = NULL, *format = NULL;
	int first = -1;
	for (int i = 1; i < argc; i++) {
		if (STREQ(argv[i], "--type") && i + 1 < argc)
			type = argv[++i];
		else if (strncmp(argv[i], "--type=", 7) == 0)
			type = argv[i] + 7;
		else if ((STREQ(argv[i], "--format") || STREQ(argv[i], "-f")) && i + 1 < argc)
			format = argv[++i];
		else if (strncmp(argv[i], "--format=", 9) == 0)
			format = argv[i] + 9;
		else if (argv[i][0] != '-' && first < 0)
			first = i;
	}
	if (type && STREQ(type, "image"))
		return verb_inspect(argc, argv);
	if (first < 0 || (type && !STREQ(type, "container")))
		return type ? verb_container_inspect(argc, argv) : verb_inspect(argc, argv);
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	/* Every positional must be a container, else the whole command is an image inspect. */
	char **refs = calloc((size_t)argc, sizeof(char *));
	int n = 0;
	if (!refs)
		return EXIT_ENGINE;
	for (int i = 1; i < argc; i++) {
		if (STREQ(argv[i], "--type") || STREQ(argv[i], "--format") || STREQ(argv[i], "-f")) {
			i++;
			continue;
		}
		if (argv[i][0] != '-')
			refs[n++] = argv[i];
	}
	bool missing = false;
	int rc = inspect_containers(s, refs, n, format, !type, &missing);
	free(refs);
	engine_config_free(&cfg);
	if (missing && !type) {
		store_free(TAKE_PTR(s));
		return verb_inspect(argc, argv);
	}
	return rc;
}

int verb_container_exists(int argc, char **argv)
{
	if (argc != 2)
		return cli_usage_error("container exists", "expected one container");
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	cleanup_free char *id = NULL;
	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	log_set_level((enum log_level)(LOG_LEVEL_ERROR + 1));
	int r = ctr_lookup(s, argv[1], &id);
	engine_config_free(&cfg);
	return r == 0 ? 0 : 1;
}

int verb_container_prune(int argc, char **argv)
{
	static const struct cli_option opts[] = {{"force", 'f', false, 1}, {"filter", 0, true, 2}, {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "container prune", false};
	const char *v;
	int id;
	while ((id = cli_next(&p, &v)) > 0)
		;
	if (id < 0)
		return EXIT_ENGINE;
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	struct ctr_record **list = NULL;
	size_t n = 0;
	int rc = 0;
	if (ctr_list(s, &list, &n) < 0) {
		engine_config_free(&cfg);
		return EXIT_ENGINE;
	}
	for (size_t i = 0; i < n; i++) {
		enum ctr_status st = ctr_status_live(s, list[i]);
		if (st != CTR_STATUS_EXITED && st != CTR_STATUS_CREATED)
			continue;
		if (ctr_remove(s, list[i]->id, false) < 0)
			rc = EXIT_ENGINE;
		else
			printf("%s\n", list[i]->id);
	}
	ctr_list_free(list, n);
	engine_config_free(&cfg);
	return rc;
}
