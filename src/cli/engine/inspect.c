/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri inspect IMAGE...: the record, manifest and config of each image as a JSON array. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/audit/namespaces.h"
#include "engine/container/lifecycle.h"
#include "engine/container/record.h"
#include "engine/image/image.h"
#include "lib/cleanup.h"
#include "lib/log.h"

static json_object *strv_json(char **v)
{
	json_object *a = json_object_new_array();
	for (char **p = v; p && *p; p++)
		json_object_array_add(a, json_object_new_string(*p));
	return a;
}

static json_object *parse_or_null(const char *text)
{
	json_object *o = json_tokener_parse(text);
	return o ? o : NULL;
}

static json_object *image_json(struct store *s, const struct image_record *im)
{
	cleanup_free char *m = NULL, *c = NULL;
	size_t ml, cl;
	if (image_read_blobs(s, im, &m, &ml, &c, &cl) < 0)
		return NULL;
	json_object *o = json_object_new_object(), *cfg = parse_or_null(c), *v;
	json_object_object_add(o, "Id", json_object_new_string(im->id));
	json_object_object_add(o, "Digest", json_object_new_string(im->manifest_digest));
	json_object_object_add(o, "RepoTags", strv_json(im->names));
	json_object_object_add(o, "RepoDigests", strv_json(im->digests));
	if (cfg && json_object_object_get_ex(cfg, "created", &v))
		json_object_object_add(o, "Created", json_object_get(v));
	json_object_object_add(o, "Architecture", json_object_new_string(im->arch ? im->arch : ""));
	json_object_object_add(o, "Os", json_object_new_string(im->os ? im->os : ""));
	if (im->variant)
		json_object_object_add(o, "Variant", json_object_new_string(im->variant));
	json_object_object_add(o, "Size", json_object_new_int64(im->size));
	json_object_object_add(o, "ManifestType", json_object_new_string(im->manifest_media_type));
	json_object *rootfs = json_object_new_object(), *ids = json_object_new_array(),
		    *layers = json_object_new_array();
	json_object_object_add(rootfs, "Type", json_object_new_string("layers"));
	for (size_t i = 0; i < im->n_layers; i++) {
		json_object *l = json_object_new_object();
		json_object_array_add(ids, json_object_new_string(im->layers[i].diff_id));
		json_object_object_add(l, "DiffID", json_object_new_string(im->layers[i].diff_id));
		if (im->layers[i].blob)
			json_object_object_add(l, "Digest", json_object_new_string(im->layers[i].blob));
		if (im->layers[i].media_type)
			json_object_object_add(l, "MediaType", json_object_new_string(im->layers[i].media_type));
		json_object_object_add(l, "Size", json_object_new_int64(im->layers[i].blob_size));
		json_object_array_add(layers, l);
	}
	json_object_object_add(rootfs, "Layers", ids);
	json_object_object_add(o, "RootFS", rootfs);
	json_object_object_add(o, "LayerBlobs", layers);
	json_object_object_add(o, "Config", cfg);
	json_object_object_add(o, "Manifest", parse_or_null(m));
	return o;
}

int verb_inspect(int argc, char **argv)
{
	int first = 0, rc = 0;
	for (int i = 1; i < argc; i++) {
		const char *v;
		if (STREQ(argv[i], "-h") || cli_flag(argv[i], "help")) {
			printf("usage: kakuri inspect IMAGE...\n");
			return 0;
		} else if (cli_opt(argc, argv, &i, "format", &v) || cli_opt(argc, argv, &i, "type", &v)) {
			/* JSON is the only format */
		} else if (argv[i][0] == '-') {
			return cli_usage_error("inspect", "unknown option '%s'", argv[i]);
		} else if (!first) {
			first = i;
		}
	}
	if (!first)
		return cli_usage_error("inspect", "no image given");
	cleanup_store struct store *s = NULL;
	struct image_list l = {0};
	if (cli_open_store(&s) < 0 || store_lock(s, false) < 0)
		return EXIT_ENGINE;
	if (store_images_load(s, &l) < 0) {
		store_unlock(s);
		return EXIT_ENGINE;
	}
	json_object *arr = json_object_new_array();
	for (int i = first; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		int k = image_list_find(&l, argv[i]);
		json_object *o = k >= 0 ? image_json(s, &l.v[k]) : NULL;
		if (!o) {
			if (k < 0)
				log_error("%s: image not known", argv[i]);
			rc = EXIT_ENGINE;
			continue;
		}
		json_object_array_add(arr, o);
	}
	store_unlock(s);
	printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	image_list_clear(&l);
	return rc;
}

/* ---- inspect --namespaces CONTAINER...: each namespace's inode next to the host's ---- */

static json_object *ctr_namespaces_json(struct store *s, const char *ref)
{
	cleanup_free char *id = NULL;
	struct ctr_record *rec = NULL;
	if (ctr_lookup(s, ref, &id) < 0 || ctr_record_load(s, id, &rec) < 0)
		return NULL;
	json_object *o = NULL;
	if (ctr_status_live(s, rec) != CTR_STATUS_RUNNING) {
		log_error("container '%s' is not running: its namespaces exist only while it runs", ref);
	} else {
		uint64_t ns[AUDIT_NS_COUNT] = {0}, host[AUDIT_NS_COUNT];
		const char *refs[AUDIT_NS_COUNT];
		struct audit_ns_entry e[AUDIT_NS_COUNT];
		for (int i = 0; i < AUDIT_NS_COUNT; i++)
			(void)audit_ns_inode(rec->pid, audit_ns_names[i], &ns[i]);
		audit_ns_host(host, refs);
		/* The links were read from whatever process has that pid now: only trust them if
		 * it is still the init the record names. */
		if (!ctr_proc_alive(rec->pid, rec->pid_start)) {
			log_error("container '%s' exited while its namespaces were read", ref);
		} else {
			audit_ns_compare(ns, host, refs, e);
			o = json_object_new_object();
			json_object_object_add(o, "Name", json_object_new_string(rec->name));
			json_object_object_add(o, "Id", json_object_new_string(rec->id));
			json_object_object_add(o, "Pid", json_object_new_int64(rec->pid));
			json_object_object_add(o, "Namespaces", audit_ns_json(e));
		}
	}
	ctr_record_free(rec);
	return o;
}

static void print_ns_table(json_object *o)
{
	json_object *v, *a;
	json_object_object_get_ex(o, "Name", &v);
	printf("%s", json_object_get_string(v));
	json_object_object_get_ex(o, "Pid", &v);
	printf(" (pid %s)\n%-8s %-12s %-12s %s\n", json_object_get_string(v), "TYPE", "CONTAINER", "HOST", "SHARED");
	json_object_object_get_ex(o, "Namespaces", &a);
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *e = json_object_array_get_idx(a, i), *t, *in, *h, *sh;
		json_object_object_get_ex(e, "type", &t);
		json_object_object_get_ex(e, "inode", &in);
		json_object_object_get_ex(e, "host", &h);
		json_object_object_get_ex(e, "shared", &sh);
		printf("%-8s %-12s %-12s %s\n", json_object_get_string(t), in ? json_object_get_string(in) : "?",
		       h ? json_object_get_string(h) : "?", json_object_get_boolean(sh) ? "shared" : "");
	}
}

static int verb_inspect_namespaces(int argc, char **argv)
{
	static const struct cli_option opts[] = {
	    {"namespaces", 0, false, 1}, {"format", 'f', true, 2}, {"type", 't', true, 3}, {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "inspect", false};
	const char *v, *format = "table";
	int id;
	char **refs = calloc((size_t)argc, sizeof(char *));
	int n = 0, rc = 0;
	if (!refs)
		return EXIT_ENGINE;
	for (;;) {
		while ((id = cli_next(&p, &v)) > 0)
			if (id == 2)
				format = v;
			else if (id == 3 && !STREQ(v, "container")) {
				free(refs);
				return cli_usage_error("inspect", "--namespaces is for containers, not --type %s", v);
			}
		if (id < 0 || p.i >= argc)
			break;
		refs[n++] = argv[p.i++];
	}
	if (id < 0 || (!STREQ(format, "json") && !STREQ(format, "table"))) {
		free(refs);
		return id < 0 ? EXIT_ENGINE
			      : cli_usage_error("inspect", "--namespaces: --format is json or table, not '%s'", format);
	}
	if (!n) {
		free(refs);
		return cli_usage_error("inspect", "--namespaces needs a container");
	}
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	if (cli_ctr_setup(&cfg, &s) < 0) {
		free(refs);
		return EXIT_ENGINE;
	}
	json_object *arr = json_object_new_array();
	for (int i = 0; i < n; i++) {
		json_object *o = ctr_namespaces_json(s, refs[i]);
		if (!o)
			rc = EXIT_ENGINE;
		else
			json_object_array_add(arr, o);
	}
	if (STREQ(format, "json"))
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			if (i)
				printf("\n");
			print_ns_table(json_object_array_get_idx(arr, i));
		}
	json_object_put(arr);
	engine_config_free(&cfg);
	free(refs);
	return rc;
}

int verb_inspect_entry(int argc, char **argv)
{
	for (int i = 1; i < argc && !STREQ(argv[i], "--"); i++)
		if (cli_flag(argv[i], "namespaces"))
			return verb_inspect_namespaces(argc, argv);
	return verb_inspect_any(argc, argv);
}
