/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "imgcfg.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/log.h"

void ctr_image_free(struct ctr_image *im)
{
	if (!im)
		return;
	free(im->id);
	free(im->name);
	cu_strv_free(im->entrypoint);
	cu_strv_free(im->cmd);
	cu_strv_free(im->env);
	free(im->workdir);
	free(im->user);
	free(im->stop_signal);
	cu_strv_free(im->volumes);
	cu_strv_free(im->exposed_ports);
	free(im);
}

int ctr_image_parse(const char *json, struct ctr_image **ret)
{
	cleanup_json json_object *o = json_tokener_parse(json);
	json_object *c = NULL, *v;
	if (!o || !json_object_is_type(o, json_type_object))
		return -EBADMSG;
	struct ctr_image *im = calloc(1, sizeof(*im));
	if (!im)
		return -ENOMEM;
	if (json_object_object_get_ex(o, "config", &c) && json_object_is_type(c, json_type_object)) {
		im->entrypoint = ju_dup_strv(c, "Entrypoint");
		im->cmd = ju_dup_strv(c, "Cmd");
		im->env = ju_dup_strv(c, "Env");
		im->workdir = ju_dup_str(c, "WorkingDir");
		im->user = ju_dup_str(c, "User");
		im->stop_signal = ju_dup_str(c, "StopSignal");
		if (json_object_object_get_ex(c, "ExposedPorts", &v) && json_object_is_type(v, json_type_object)) {
			im->exposed_ports = calloc(1, sizeof(char *));
			json_object_object_foreach(v, key, val)
			{
				(void)val;
				cu_strv_append(&im->exposed_ports, key);
			}
		}
		if (json_object_object_get_ex(c, "Volumes", &v) && json_object_is_type(v, json_type_object)) {
			im->volumes = calloc(1, sizeof(char *));
			json_object_object_foreach(v, key, val)
			{
				(void)val;
				cu_strv_append(&im->volumes, key);
			}
		}
	}
	*ret = im;
	return 0;
}

int ctr_image_load(struct store *s, const char *ref, struct ctr_image **ret)
{
	struct image_list l = {0};
	cleanup_free char *data = NULL;
	int r = store_lock(s, false);
	if (r < 0)
		return r;
	r = store_images_load(s, &l);
	store_unlock(s);
	if (r < 0)
		return r;
	int i = image_list_find(&l, ref);
	if (i == -EEXIST) {
		image_list_clear(&l);
		return log_error_errno(-EEXIST, "%s: more than one image matches this ID prefix", ref);
	}
	if (i < 0) {
		image_list_clear(&l);
		return log_error_errno(-ENOENT, "%s: image not known", ref);
	}
	const struct image_record *rec = &l.v[i];
	r = store_blob_read(s, rec->config_digest, 8u << 20, &data, NULL);
	if (r < 0) {
		r = log_error_errno(r, "Image %.12s: cannot read its config %s: %m", rec->id, rec->config_digest);
		image_list_clear(&l);
		return r;
	}
	struct ctr_image *im = NULL;
	r = ctr_image_parse(data, &im);
	if (r < 0) {
		r = log_error_errno(r, "Image %.12s: its config is not valid JSON", rec->id);
		image_list_clear(&l);
		return r;
	}
	im->id = strdup(rec->id);
	if (rec->names && rec->names[0])
		im->name = strdup(rec->names[0]);
	image_list_clear(&l);
	if (!im->id) {
		ctr_image_free(im);
		return -ENOMEM;
	}
	*ret = im;
	return 0;
}
