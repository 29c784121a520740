/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri inspect IMAGE...: the record, manifest and config of each image as a JSON array. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine/cli.h"
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
