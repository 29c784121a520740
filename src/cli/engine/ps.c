/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri ps [-a] [-q] [--no-trunc] [--format json|table|TEMPLATE] [--filter K=V]: containers
 * (running ones; -a: all). Status is derived from the records and the kernel (and the runtime
 * when a monitor died before it recorded a pid), never taken on trust from a record. */
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/container/inspect.h"
#include "engine/container/lifecycle.h"
#include "engine/container/spec-network.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/log.h"

static void status_text(const struct ctr_record *r, enum ctr_status st, char *buf, size_t n)
{
	char d[64];
	int64_t now = ctr_now_ns();
	switch (st) {
	case CTR_STATUS_RUNNING:
		cu_fmt_human_duration(now - r->started_at, d);
		snprintf(buf, n, "Up %s", d);
		break;
	case CTR_STATUS_EXITED: {
		int code = r->state == CTR_EXITED ? r->exit_code : -1;
		if (r->finished_at > 0) {
			cu_fmt_human_duration(now - r->finished_at, d);
			snprintf(buf, n, "Exited (%d) %s ago", code, d);
		} else {
			snprintf(buf, n, "Exited (%d)", code);
		}
		break;
	}
	case CTR_STATUS_STARTING:
		snprintf(buf, n, "Starting");
		break;
	case CTR_STATUS_REMOVING:
		snprintf(buf, n, "Removing");
		break;
	default:
		snprintf(buf, n, "Created");
	}
}

static json_object *entry_json(const struct ctr_record *r, enum ctr_status st, bool names_as_string)
{
	json_object *o = json_object_new_object();
	char status[128];
	status_text(r, st, status, sizeof(status));
	json_object_object_add(o, "AutoRemove", json_object_new_boolean(r->auto_remove));
	json_object_object_add(o, "Command", ju_strv(r->command));
	json_object_object_add(o, "Created", json_object_new_int64(r->created / 1000000000LL));
	char t[64];
	cu_fmt_rfc3339(r->created, t);
	ju_add_str(o, "CreatedAt", t);
	json_object_object_add(o, "Exited", json_object_new_boolean(st == CTR_STATUS_EXITED));
	json_object_object_add(o, "ExitedAt", json_object_new_int64(r->finished_at / 1000000000LL));
	json_object_object_add(
	    o, "ExitCode",
	    json_object_new_int(st == CTR_STATUS_EXITED ? (r->state == CTR_EXITED ? r->exit_code : -1) : 0));
	ju_add_str(o, "Id", r->id);
	if (names_as_string) {
		/* templates: docker's {{.ID}} (short), {{.RunningFor}} */
		char sid[13], d[64], ago[80];
		snprintf(sid, sizeof(sid), "%.12s", r->id);
		ju_add_str(o, "ID", sid);
		cu_fmt_human_duration(ctr_now_ns() - r->created, d);
		snprintf(ago, sizeof(ago), "%s ago", d);
		ju_add_str(o, "RunningFor", ago);
	}
	ju_add_str(o, "Image", r->image_name ? r->image_name : r->image);
	ju_add_str(o, "ImageID", r->image_id);
	if (names_as_string) {
		ju_add_str(o, "Names", r->name);
	} else {
		json_object *names = json_object_new_array();
		json_object_array_add(names, json_object_new_string(r->name));
		json_object_object_add(o, "Names", names);
	}
	json_object_object_add(o, "Pid", json_object_new_int(st == CTR_STATUS_RUNNING ? r->pid : 0));
	json_object_object_add(o, "StartedAt", json_object_new_int64(r->started_at / 1000000000LL));
	ju_add_str(o, "State", ctr_status_name(st));
	ju_add_str(o, "Status", status);
	json_object_object_add(o, "Rootless", json_object_new_boolean(r->rootless));
	ju_add_str(o, "Networks", r->network);
	json_object_object_add(o, "Ports", ctr_net_ports_json(r));
	return o;
}

/* PORTS: podman's "0.0.0.0:8080->80/tcp, …" from the JSON row. */
static char *ports_cell(json_object *row)
{
	json_object *a = NULL;
	struct net_port *p = NULL;
	size_t n = 0;
	json_object_object_get_ex(row, "Ports", &a);
	if (net_ports_from_json(a, &p, &n) < 0)
		return strdup("");
	char *s = net_ports_format(p, n);
	free(p);
	return s;
}

static bool filter_match(const struct ctr_record *r, enum ctr_status st, char **filters)
{
	for (size_t i = 0; filters && filters[i]; i++) {
		const char *f = filters[i], *eq = strchr(f, '=');
		if (!eq)
			continue;
		const char *v = eq + 1;
		size_t kl = (size_t)(eq - f);
		if (kl == 4 && strncmp(f, "name", 4) == 0 && !strstr(r->name, v))
			return false;
		if (kl == 2 && strncmp(f, "id", 2) == 0 && strncmp(r->id, v, strlen(v)) != 0)
			return false;
		if (kl == 6 && strncmp(f, "status", 6) == 0 && !STREQ(ctr_status_name(st), v))
			return false;
	}
	return true;
}

/* The header of one `table` column: docker's names for the usual fields, else the field
 * name upper-cased ("{{.Names}}" -> NAMES, "{{.ID}}" -> CONTAINER ID). */
static char *column_header(const char *cell)
{
	static const struct {
		const char *field, *head;
	} known[] = {{"ID", "CONTAINER ID"}, {"Id", "CONTAINER ID"}, {"RunningFor", "CREATED"},
		     {"CreatedAt", "CREATED AT"}, {"Networks", "NETWORKS"}};
	const char *a = strstr(cell, "{{"), *dot = a ? strchr(a, '.') : NULL;
	if (!dot)
		return strdup(cell);
	size_t n = strcspn(dot + 1, " }|");
	for (size_t i = 0; i < ELEMENTSOF(known); i++)
		if (strlen(known[i].field) == n && strncmp(dot + 1, known[i].field, n) == 0)
			return strdup(known[i].head);
	char *h = strndup(dot + 1, n);
	for (char *c = h; c && *c; c++)
		*c = (char)toupper((unsigned char)*c);
	return h;
}

/* --format 'table {{.ID}}\t{{.Names}}': a header row, then the cells aligned (columns are
 * separated by a tab, written "\t" as with docker). */
static int print_table_template(const char *tmpl, json_object *arr)
{
	cleanup_free char *t = NULL;
	size_t m = json_object_array_length(arr);
	/* "\t" written literally on the command line is the column separator too. */
	if (!(t = strdup(tmpl)))
		return -ENOMEM;
	for (char *q; (q = strstr(t, "\\t"));) {
		*q = '\t';
		memmove(q + 1, q + 2, strlen(q + 2) + 1);
	}
	cleanup_strv char **cols = cu_strv_split(t, '\t');
	size_t nc = cu_strv_length(cols);
	if (nc == 0)
		return 0;
	char **cells = calloc((m + 1) * nc, sizeof(char *));
	size_t *w = calloc(nc, sizeof(size_t));
	int r = 0;
	if (!cells || !w) {
		free(cells);
		free(w);
		return -ENOMEM;
	}
	for (size_t k = 0; k < nc; k++)
		cells[k] = column_header(cols[k]);
	for (size_t i = 0; i < m && r >= 0; i++)
		for (size_t k = 0; k < nc && r >= 0; k++)
			r = ctr_template_render(cols[k], json_object_array_get_idx(arr, i), &cells[(i + 1) * nc + k]);
	for (size_t i = 0; r >= 0 && i <= m; i++)
		for (size_t k = 0; k < nc; k++)
			if (cells[i * nc + k] && strlen(cells[i * nc + k]) > w[k])
				w[k] = strlen(cells[i * nc + k]);
	for (size_t i = 0; r >= 0 && i <= m; i++)
		for (size_t k = 0; k < nc; k++)
			printf("%-*s%s", k + 1 < nc ? (int)w[k] : 0, cells[i * nc + k] ? cells[i * nc + k] : "",
			       k + 1 < nc ? "   " : "\n");
	for (size_t i = 0; i < (m + 1) * nc; i++)
		free(cells[i]);
	free(cells);
	free(w);
	return r;
}

int verb_ps(int argc, char **argv)
{
	static const struct cli_option opts[] = {
	    {"all", 'a', false, 1},   {"quiet", 'q', false, 2},	 {"no-trunc", 0, false, 3}, {"format", 0, true, 4},
	    {"filter", 'f', true, 5}, {"latest", 'l', false, 6}, {"size", 's', false, 7},   {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "ps", false};
	const char *v, *format = NULL;
	bool all = false, quiet = false, no_trunc = false, latest = false;
	cleanup_strv char **filters = calloc(1, sizeof(char *));
	int id;
	while ((id = cli_next(&p, &v)) > 0) {
		switch (id) {
		case 1:
			all = cli_bool_val(v);
			break;
		case 2:
			quiet = cli_bool_val(v);
			break;
		case 3:
			no_trunc = cli_bool_val(v);
			break;
		case 4:
			format = v;
			break;
		case 5:
			cu_strv_append(&filters, v);
			break;
		case 6:
			latest = cli_bool_val(v);
			break;
		}
	}
	if (id < 0)
		return EXIT_ENGINE;
	if (p.i < argc)
		return cli_usage_error("ps", "unexpected argument '%s'", argv[p.i]);
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	struct ctr_record **list = NULL;
	size_t n = 0;
	if (ctr_list(s, &list, &n) < 0) {
		engine_config_free(&cfg);
		return EXIT_ENGINE;
	}
	bool json = format && STREQ(format, "json");
	bool table = !format || STREQ(format, "table");
	bool table_tmpl = format && strncmp(format, "table ", 6) == 0;
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		enum ctr_status st = ctr_status_live(s, list[i]);
		if ((!all && !latest && st != CTR_STATUS_RUNNING) || !filter_match(list[i], st, filters))
			continue;
		json_object_array_add(arr, entry_json(list[i], st, !json && !table));
		if (latest)
			break;
	}
	size_t m = json_object_array_length(arr);
	if (quiet) {
		for (size_t i = 0; i < m; i++) {
			const char *cid = ju_str(json_object_array_get_idx(arr, i), "Id");
			printf("%.*s\n", no_trunc ? 64 : 12, cid);
		}
	} else if (json) {
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	} else if (table_tmpl) {
		if (print_table_template(format + 6, arr) < 0)
			log_error("template parsing error: %s", format);
	} else if (!table) {
		for (size_t i = 0; i < m; i++) {
			cleanup_free char *line = NULL;
			if (ctr_template_render(format, json_object_array_get_idx(arr, i), &line) < 0) {
				log_error("template parsing error: %s", format);
				break;
			}
			printf("%s\n", line);
		}
	} else {
		static const char *const head[] = {"CONTAINER ID", "IMAGE", "COMMAND", "CREATED",
						   "STATUS",	   "PORTS", "NAMES"};
		char *cells[ELEMENTSOF(head)];
		size_t w[ELEMENTSOF(head)];
		char ***rows = calloc(m + 1, sizeof(char **));
		for (size_t k = 0; k < ELEMENTSOF(head); k++)
			w[k] = strlen(head[k]);
		for (size_t i = 0; rows && i < m; i++) {
			json_object *e = json_object_array_get_idx(arr, i);
			char created[80], d[64], *cmd = NULL;
			json_object *c;
			cleanup_strv char **cv = NULL;
			if (json_object_object_get_ex(e, "Command", &c)) {
				cv = calloc(json_object_array_length(c) + 1, sizeof(char *));
				for (size_t k = 0; cv && k < json_object_array_length(c); k++)
					cv[k] = strdup(json_object_get_string(json_object_array_get_idx(c, k)));
			}
			cmd = cu_strv_join(cv, " ");
			if (cmd && !no_trunc && strlen(cmd) > 20)
				strcpy(cmd + 17, "...");
			cu_fmt_human_duration(ctr_now_ns() - ju_int64(e, "Created") * 1000000000LL, d);
			snprintf(created, sizeof(created), "%s ago", d);
			cells[0] = strndup(ju_str(e, "Id"), no_trunc ? 64 : 12);
			cells[1] = strdup(ju_str(e, "Image") ? ju_str(e, "Image") : "");
			cells[2] = cmd ? cmd : strdup("");
			cells[3] = strdup(created);
			cells[4] = strdup(ju_str(e, "Status"));
			cells[5] = ports_cell(e);
			json_object *names = NULL;
			json_object_object_get_ex(e, "Names", &names);
			cells[6] = strdup(json_object_is_type(names, json_type_array)
					      ? json_object_get_string(json_object_array_get_idx(names, 0))
					      : json_object_get_string(names));
			rows[i] = calloc(ELEMENTSOF(head), sizeof(char *));
			for (size_t k = 0; k < ELEMENTSOF(head); k++) {
				if (rows[i])
					rows[i][k] = cells[k];
				if (cells[k] && strlen(cells[k]) > w[k])
					w[k] = strlen(cells[k]);
			}
		}
		for (size_t k = 0; k < ELEMENTSOF(head); k++)
			printf("%-*s%s", k + 1 < ELEMENTSOF(head) ? (int)w[k] : 0, head[k],
			       k + 1 < ELEMENTSOF(head) ? "  " : "\n");
		for (size_t i = 0; rows && i < m; i++) {
			for (size_t k = 0; rows[i] && k < ELEMENTSOF(head); k++) {
				printf("%-*s%s", k + 1 < ELEMENTSOF(head) ? (int)w[k] : 0, rows[i][k] ? rows[i][k] : "",
				       k + 1 < ELEMENTSOF(head) ? "  " : "\n");
				free(rows[i][k]);
			}
			free(rows[i]);
		}
		free(rows);
	}
	json_object_put(arr);
	ctr_list_free(list, n);
	engine_config_free(&cfg);
	return 0;
}
