/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "image.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/image/reference.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

static int64_t layer_size(struct store *s, const char *diff_id)
{
	char rel[160];
	cleanup_free char *data = NULL;
	snprintf(rel, sizeof(rel), "layers/%s/layer.json", digest_hex(diff_id));
	if (fs_read_file_at(s->rootfd, rel, 4096, &data, NULL) < 0)
		return 0;
	json_object *o = json_tokener_parse(data), *v;
	int64_t n = 0;
	if (o && json_object_object_get_ex(o, "size", &v))
		n = json_object_get_int64(v);
	if (o)
		json_object_put(o);
	return n;
}

static char **strv_copy(char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	char **c = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; c && i < n; i++)
		if (!(c[i] = strdup(v[i]))) {
			cleanup_strvp(&c);
			return NULL;
		}
	return c;
}

int image_commit(struct store *s, const char *manifest, size_t mlen, const char *mt, const char *config, size_t clen,
		 const struct image_config *cfg, const struct layer_ref *layers, size_t n_layers, char **names,
		 char **digests, char **ret_id)
{
	char mdigest[DIGEST_STRING_SIZE], cdigest[DIGEST_STRING_SIZE];
	struct image_record rec = {0};
	struct image_list l = {0};
	int r;

	r = store_lock(s, true);
	if (r < 0)
		return r;
	r = store_blob_write(s, manifest, mlen, mdigest);
	if (r >= 0)
		r = store_blob_write(s, config, clen, cdigest);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < n_layers; i++)
		if (!store_layer_exists(s, layers[i].diff_id)) {
			r = log_error_errno(-ENOENT, "Layer %s vanished from the store while the image was stored",
					    layers[i].diff_id);
			goto out;
		}
	rec.id = strdup(digest_hex(cdigest));
	rec.manifest_digest = strdup(mdigest);
	rec.manifest_media_type = strdup(mt);
	rec.config_digest = strdup(cdigest);
	rec.names = strv_copy(names);
	rec.digests = strv_copy(digests);
	rec.layers = calloc(n_layers ? n_layers : 1, sizeof(*rec.layers));
	rec.os = cfg->os ? strdup(cfg->os) : NULL;
	rec.arch = cfg->arch ? strdup(cfg->arch) : NULL;
	rec.variant = cfg->variant ? strdup(cfg->variant) : NULL;
	rec.created = time(NULL);
	if (!rec.id || !rec.manifest_digest || !rec.manifest_media_type || !rec.config_digest || !rec.names ||
	    !rec.digests || !rec.layers) {
		r = -ENOMEM;
		goto out;
	}
	rec.n_layers = n_layers;
	for (size_t i = 0; i < n_layers; i++) {
		rec.layers[i].diff_id = strdup(layers[i].diff_id);
		rec.layers[i].blob = layers[i].blob ? strdup(layers[i].blob) : NULL;
		rec.layers[i].media_type = layers[i].media_type ? strdup(layers[i].media_type) : NULL;
		rec.layers[i].blob_size = layers[i].blob_size;
		if (!rec.layers[i].diff_id) {
			r = -ENOMEM;
			goto out;
		}
		rec.size += layer_size(s, layers[i].diff_id);
	}
	r = store_images_load(s, &l);
	if (r < 0)
		goto out;
	r = image_list_put(&l, &rec);
	if (r < 0)
		goto out;
	r = store_images_save(s, &l);
	/* A replaced manifest leaves blobs behind (nothing we pinned is touched). */
	if (r >= 0)
		r = store_gc(s, &l, NULL, NULL);
	if (r >= 0 && ret_id) {
		*ret_id = strdup(digest_hex(cdigest));
		if (!*ret_id)
			r = -ENOMEM;
	}
out:
	image_record_clear(&rec);
	image_list_clear(&l);
	store_unlock(s);
	return r < 0 ? r : 0;
}

int image_normalize_name(const char *name, char **ret)
{
	struct image_ref *ref = NULL;
	const char *why = NULL;
	int r = image_ref_parse(name, "localhost", &ref, &why);
	if (r < 0)
		return log_error_errno(r, "Invalid image name '%s': %s", name, why ? why : "malformed");
	if (!ref->tag) {
		image_ref_free(ref);
		return log_error_errno(-EINVAL, "Invalid image name '%s': a name cannot carry a digest", name);
	}
	*ret = image_ref_name(ref);
	image_ref_free(ref);
	return *ret ? 0 : -ENOMEM;
}

static int find_or_fail(const struct image_list *l, const char *ref)
{
	int i = image_list_find(l, ref);
	if (i == -ENOENT)
		return log_error_errno(i, "%s: image not known", ref);
	if (i == -EEXIST)
		return log_error_errno(i, "%s: ambiguous image ID prefix (more than one image starts with it)", ref);
	return i;
}

static bool names_contain(char **v, const char *s)
{
	for (char **p = v; p && *p; p++)
		if (STREQ(*p, s))
			return true;
	return false;
}

/* Which of the image's names does ref denote (NULL if it was given by ID or digest)? */
static const char *matched_name(const struct image_record *im, const char *ref)
{
	static const char *const regs[] = {NULL, "localhost", "docker.io"};
	for (size_t k = 0; k < ELEMENTSOF(regs); k++) {
		struct image_ref *p = NULL;
		if (k == 0 ? image_ref_is_short(ref) : !image_ref_is_short(ref))
			continue;
		if (image_ref_parse(ref, regs[k], &p, NULL) < 0 || !p->tag) {
			image_ref_free(p);
			continue;
		}
		cleanup_free char *full = image_ref_name(p);
		image_ref_free(p);
		for (char **n = im->names; full && n && *n; n++)
			if (STREQ(*n, full))
				return *n;
	}
	return NULL;
}

int image_remove(struct store *s, const char *ref, bool force)
{
	struct image_list l = {0};
	cleanup_free char *ctr = NULL;
	int i, r = store_lock(s, true);
	if (r < 0)
		return r;
	r = store_images_load(s, &l);
	if (r < 0)
		goto out;
	i = r = find_or_fail(&l, ref);
	if (r < 0)
		goto out;
	struct image_record *im = &l.v[i];
	size_t n_names = 0;
	while (im->names && im->names[n_names])
		n_names++;
	const char *name = matched_name(im, ref);
	if (name && n_names > 1) {
		/* Untag only. */
		cleanup_free char *copy = strdup(name);
		if (!copy) {
			r = -ENOMEM;
			goto out;
		}
		for (size_t k = 0; im->names[k]; k++)
			if (STREQ(im->names[k], copy)) {
				free(im->names[k]);
				memmove(&im->names[k], &im->names[k + 1], (n_names - k) * sizeof(char *));
				break;
			}
		r = store_images_save(s, &l);
		if (r >= 0)
			printf("Untagged: %s\n", copy);
		goto out;
	}
	if (!name && n_names > 1 && !force) {
		r = log_error_errno(-EBUSY, "%s: image %.12s has %zu names: remove them one by one, or use --force",
				    ref, im->id, n_names);
		goto out;
	}
	if (store_image_in_use(s, im->id, &ctr) && !force) {
		r = log_error_errno(
		    -EBUSY, "%s: image %.12s is in use by container %s (remove the container first, or use --force)",
		    ref, im->id, ctr);
		goto out;
	}
	for (char **n = im->names; n && *n; n++)
		printf("Untagged: %s\n", *n);
	printf("Deleted: %s\n", im->id);
	image_record_clear(im);
	memmove(&l.v[i], &l.v[i + 1], (l.n - (size_t)i - 1) * sizeof(*l.v));
	l.n--;
	r = store_images_save(s, &l);
	if (r >= 0)
		r = store_gc(s, &l, NULL, NULL);
out:
	image_list_clear(&l);
	store_unlock(s);
	return r < 0 ? r : 0;
}

int image_tag(struct store *s, const char *ref, const char *new_name)
{
	struct image_list l = {0};
	cleanup_free char *full = NULL;
	int r = image_normalize_name(new_name, &full);
	if (r < 0)
		return r;
	r = store_lock(s, true);
	if (r < 0)
		return r;
	r = store_images_load(s, &l);
	if (r >= 0)
		r = find_or_fail(&l, ref);
	if (r >= 0 && !names_contain(l.v[r].names, full)) {
		r = image_list_add_name(&l, (size_t)r, full);
		if (r >= 0)
			r = store_images_save(s, &l);
	}
	image_list_clear(&l);
	store_unlock(s);
	return r < 0 ? r : 0;
}

int image_prune(struct store *s, bool all, unsigned *ret_removed)
{
	struct image_list l = {0};
	unsigned removed = 0;
	int r = store_lock(s, true);
	if (r < 0)
		return r;
	r = store_images_load(s, &l);
	for (size_t i = 0; r >= 0 && i < l.n;) {
		struct image_record *im = &l.v[i];
		bool unnamed = !im->names || !im->names[0];
		if ((unnamed || all) && !store_image_in_use(s, im->id, NULL)) {
			printf("%s\n", im->id);
			image_record_clear(im);
			memmove(&l.v[i], &l.v[i + 1], (l.n - i - 1) * sizeof(*l.v));
			l.n--;
			removed++;
			continue;
		}
		i++;
	}
	if (r >= 0 && removed)
		r = store_images_save(s, &l);
	if (r >= 0)
		r = store_gc(s, &l, NULL, NULL);
	image_list_clear(&l);
	store_unlock(s);
	if (ret_removed)
		*ret_removed = removed;
	return r < 0 ? r : 0;
}

int image_read_blobs(struct store *s, const struct image_record *r, char **ret_manifest, size_t *ret_mlen,
		     char **ret_config, size_t *ret_clen)
{
	cleanup_free char *m = NULL;
	int k = store_blob_read(s, r->manifest_digest, 4u << 20, &m, ret_mlen);
	if (k < 0)
		return log_error_errno(k, "Image %.12s: cannot read manifest %s: %m", r->id, r->manifest_digest);
	k = store_blob_read(s, r->config_digest, 8u << 20, ret_config, ret_clen);
	if (k < 0)
		return log_error_errno(k, "Image %.12s: cannot read config %s: %m", r->id, r->config_digest);
	*ret_manifest = TAKE_PTR(m);
	return 0;
}
