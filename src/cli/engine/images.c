/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri images [-q] [--no-trunc] [--format json|table] */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/engine/cli.h"
#include "lib/cleanup.h"

static void human_size(int64_t n, char *buf, size_t len)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
	double v = (double)n;
	size_t u = 0;
	while (v >= 1000 && u + 1 < ELEMENTSOF(units)) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, u == 0 ? "%.0f %s" : "%.3g %s", v, units[u]);
}

static void human_age(int64_t t, char *buf, size_t len)
{
	int64_t d = (int64_t)time(NULL) - t;
	if (d < 60)
		snprintf(buf, len, "%lld seconds ago", (long long)(d < 1 ? 1 : d));
	else if (d < 3600)
		snprintf(buf, len, "%lld minutes ago", (long long)(d / 60));
	else if (d < 86400)
		snprintf(buf, len, "%lld hours ago", (long long)(d / 3600));
	else
		snprintf(buf, len, "%lld days ago", (long long)(d / 86400));
}

/* "registry/repo:tag" → repo part and tag part (the last ':' after the last '/'). */
static void split_name(const char *name, char *repo, size_t rl, char *tag, size_t tl)
{
	const char *slash = strrchr(name, '/');
	const char *colon = strrchr(slash ? slash : name, ':');
	snprintf(repo, rl, "%.*s", colon ? (int)(colon - name) : (int)strlen(name), name);
	snprintf(tag, tl, "%s", colon ? colon + 1 : "<none>");
}

int verb_images(int argc, char **argv)
{
	bool quiet = false, no_trunc = false, json = false;
	const char *v, *filter = NULL;
	for (int i = 1; i < argc; i++) {
		if (STREQ(argv[i], "-q") || cli_flag(argv[i], "quiet"))
			quiet = true;
		else if (cli_flag(argv[i], "no-trunc"))
			no_trunc = true;
		else if (STREQ(argv[i], "-a") || cli_flag(argv[i], "all"))
			;
		else if (cli_opt(argc, argv, &i, "format", &v)) {
			if (v && STREQ(v, "json"))
				json = true;
			else if (!v || !STREQ(v, "table"))
				return cli_usage_error("images", "--format: only 'json' and 'table' are supported");
		} else if (STREQ(argv[i], "-h") || cli_flag(argv[i], "help")) {
			printf("usage: kakuri images [-q] [--no-trunc] [--format json|table] [NAME]\n");
			return 0;
		} else if (argv[i][0] == '-')
			return cli_usage_error("images", "unknown option '%s'", argv[i]);
		else
			filter = argv[i];
	}
	cleanup_store struct store *s = NULL;
	struct image_list l = {0};
	if (cli_open_store(&s) < 0 || store_lock(s, false) < 0)
		return EXIT_ENGINE;
	int r = store_images_load(s, &l);
	store_unlock(s);
	if (r < 0)
		return EXIT_ENGINE;
	int only = -1;
	if (filter) {
		only = image_list_find(&l, filter);
		if (only < 0) {
			image_list_clear(&l);
			return json ? (printf("[]\n"), 0) : 0;
		}
	}
	if (json) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < l.n; i++) {
			if (only >= 0 && (size_t)only != i)
				continue;
			const struct image_record *im = &l.v[i];
			json_object *o = json_object_new_object(), *names = json_object_new_array(),
				    *dig = json_object_new_array();
			json_object_object_add(o, "Id", json_object_new_string(im->id));
			for (char **n = im->names; n && *n; n++)
				json_object_array_add(names, json_object_new_string(*n));
			for (char **d = im->digests; d && *d; d++)
				json_object_array_add(dig, json_object_new_string(*d));
			json_object_object_add(o, "Names", names);
			json_object_object_add(o, "RepoDigests", dig);
			json_object_object_add(o, "Digest", json_object_new_string(im->manifest_digest));
			json_object_object_add(o, "Created", json_object_new_int64(im->created));
			json_object_object_add(o, "Size", json_object_new_int64(im->size));
			json_object_array_add(arr, o);
		}
		printf("%s\n",
		       json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
		image_list_clear(&l);
		return 0;
	}
	if (!quiet)
		printf("%-40s %-12s %-14s %-16s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
	for (size_t i = 0; i < l.n; i++) {
		if (only >= 0 && (size_t)only != i)
			continue;
		const struct image_record *im = &l.v[i];
		char id[80], size[32], age[32], repo[512], tag[160];
		snprintf(id, sizeof(id), "%.*s", no_trunc ? 64 : 12, im->id);
		if (quiet) {
			printf("%s\n", id);
			continue;
		}
		human_size(im->size, size, sizeof(size));
		human_age(im->created, age, sizeof(age));
		if (!im->names || !im->names[0]) {
			printf("%-40s %-12s %-14s %-16s %s\n", "<none>", "<none>", id, age, size);
			continue;
		}
		for (char **n = im->names; *n; n++) {
			split_name(*n, repo, sizeof(repo), tag, sizeof(tag));
			printf("%-40s %-12s %-14s %-16s %s\n", repo, tag, id, age, size);
		}
	}
	image_list_clear(&l);
	return 0;
}
