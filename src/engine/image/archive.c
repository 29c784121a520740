/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "archive.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/image/archive-src.h"
#include "engine/image/image.h"
#include "engine/image/layer.h"
#include "engine/image/manifest.h"
#include "engine/image/reference.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

#define MAX_JSON (4u << 20)

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define cleanup_json CLEANUP(json_putp)

static enum compression sniff(int fd)
{
	unsigned char m[4] = {0};
	ssize_t n = pread(fd, m, 4, 0);
	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return COMPRESSION_GZIP;
	if (n == 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
		return COMPRESSION_ZSTD;
	return COMPRESSION_NONE;
}

static const char *oci_layer_type(enum compression c)
{
	return c == COMPRESSION_GZIP ? MT_OCI_LAYER_GZIP : c == COMPRESSION_ZSTD ? MT_OCI_LAYER_ZSTD : MT_OCI_LAYER;
}

static const char *docker_layer_type(enum compression c)
{
	return c == COMPRESSION_NONE ? MT_DOCKER_LAYER : MT_DOCKER_LAYER_GZIP;
}

/* Present already? Then pin what the image needs and say so. */
static bool have_layer(struct store *s, const char *diff_id, const char *blob)
{
	bool ok = false;
	if (store_lock(s, true) < 0)
		return false;
	if (store_layer_exists(s, diff_id) && (!blob || store_blob_exists(s, blob)))
		ok = store_pin_layer(s, diff_id) >= 0 && (!blob || store_pin_blob(s, blob) >= 0);
	store_unlock(s);
	return ok;
}

/* One layer out of an archive member: copied into the scratch dir (so a concurrent writer
 * of the archive cannot change it between verification and commit), verified, unpacked,
 * committed. expect_blob NULL: whatever the member hashes to (docker-archive). */
static int load_layer(struct store *s, const struct archive_src *a, const char *member, const char *expect_blob,
		      const char *diff_id, bool docker, bool quiet, struct layer_ref *out)
{
	cleanup_free char *tmpname = NULL;
	char digest[DIGEST_STRING_SIZE];
	int64_t size;
	int r;

	if (expect_blob && have_layer(s, diff_id, expect_blob)) {
		out->blob = strdup(expect_blob);
		return out->blob ? 0 : -ENOMEM;
	}
	r = archive_src_copy(s, a, member, &tmpname, digest, &size);
	if (r == -ENOENT)
		return log_error_errno(r, "Archive member %s (layer %s) is missing", member, diff_id);
	if (r < 0)
		return r;
	if (expect_blob && !STREQ(digest, expect_blob))
		return log_error_errno(-EBADMSG,
				       "Archive member %s: digest mismatch: the manifest says %s, the content is %s",
				       member, expect_blob, digest);
	cleanup_close int fd = openat(s->tmpfd, tmpname, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(-errno, "Failed to reopen a scratch file: %m");
	enum compression c = sniff(fd);
	if (!have_layer(s, diff_id, NULL)) {
		char what[512];
		snprintf(what, sizeof(what), "Layer %.19s (blob %.19s)", diff_id, digest);
		r = layer_import(s, fd, 0, -1, diff_id, digest, what, quiet, NULL);
		if (r < 0)
			return r;
	}
	r = store_lock(s, true);
	if (r < 0)
		return r;
	r = store_blob_commit(s, tmpname, digest);
	if (r >= 0)
		r = store_pin_blob(s, digest);
	store_unlock(s);
	if (r < 0)
		return r;
	out->blob = strdup(digest);
	out->media_type = strdup(docker ? docker_layer_type(c) : oci_layer_type(c));
	out->blob_size = size;
	return out->blob && out->media_type ? 0 : -ENOMEM;
}

static void print_loaded(char **names, const char *id)
{
	if (names && names[0])
		for (char **n = names; *n; n++)
			printf("Loaded image: %s\n", *n);
	else
		printf("Loaded image: sha256:%s\n", id);
}

/* ---- OCI layout ---- */

static int blob_member(const char *digest, char buf[static 96])
{
	snprintf(buf, 96, "blobs/sha256/%s", digest_hex(digest));
	return 0;
}

static int read_blob(const struct archive_src *a, const char *digest, char **ret, size_t *ret_len)
{
	char member[96], got[DIGEST_STRING_SIZE];
	blob_member(digest, member);
	int r = archive_src_read(a, member, MAX_JSON, ret, ret_len);
	if (r == -ENOENT)
		return log_error_errno(r, "Archive: blob %s is missing", digest);
	if (r < 0)
		return log_error_errno(r, "Archive: cannot read blob %s: %m", digest);
	digest_buffer(*ret, *ret_len, got);
	if (!STREQ(got, digest)) {
		free(*ret);
		return log_error_errno(-EBADMSG, "Archive: blob %s has the wrong content (it hashes to %s)", digest,
				       got);
	}
	return 0;
}

static int load_oci_image(struct store *s, const struct archive_src *a, const struct descriptor *d, char **names,
			  const struct load_opts *o, int depth)
{
	cleanup_free char *mdata = NULL, *cdata = NULL, *err = NULL, *id = NULL;
	size_t mlen, clen;
	struct manifest *m = NULL;
	struct image_config *cfg = NULL;
	struct layer_ref *layers = NULL;
	int r = read_blob(a, d->digest, &mdata, &mlen);
	if (r < 0)
		return r;
	r = manifest_parse(mdata, mlen, d->media_type, &m, &err);
	if (r < 0)
		return log_error_errno(r, "Archive: %s", err ? err : "bad manifest");
	if (m->kind == MANIFEST_INDEX) {
		const struct descriptor *pick;
		cleanup_free char *os = NULL, *arch = NULL, *variant = NULL;
		if (depth > 2) {
			manifest_free(m);
			return log_error_errno(-ELOOP, "Archive: indexes nested too deeply");
		}
		if (o->platform && manifest_parse_platform(o->platform, &os, &arch, &variant) < 0) {
			manifest_free(m);
			return log_error_errno(-EINVAL, "--platform '%s': expected OS/ARCH[/VARIANT]", o->platform);
		}
		r = manifest_select_platform(m, os, arch, variant, &pick, &err);
		if (r < 0) {
			manifest_free(m);
			return log_error_errno(r, "Archive: %s", err);
		}
		r = load_oci_image(s, a, pick, names, o, depth + 1);
		manifest_free(m);
		return r;
	}
	r = read_blob(a, m->config.digest, &cdata, &clen);
	if (r < 0)
		goto out;
	r = image_config_parse(cdata, clen, &cfg, &err);
	if (r < 0) {
		r = log_error_errno(r, "Archive: %s", err ? err : "bad image config");
		goto out;
	}
	if (cfg->n_diff_ids != m->n_layers) {
		r = log_error_errno(-EINVAL, "Archive: the manifest lists %zu layers, the config %zu diff_ids",
				    m->n_layers, cfg->n_diff_ids);
		goto out;
	}
	layers = calloc(m->n_layers + 1, sizeof(*layers));
	if (!layers) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < m->n_layers; i++) {
		char member[96];
		blob_member(m->layers[i].digest, member);
		layers[i].diff_id = strdup(cfg->diff_ids[i]);
		if (!layers[i].diff_id) {
			r = -ENOMEM;
			goto out;
		}
		r = load_layer(s, a, member, m->layers[i].digest, cfg->diff_ids[i], false, o->quiet, &layers[i]);
		if (r < 0)
			goto out;
		free(layers[i].media_type);
		layers[i].media_type = m->layers[i].media_type ? strdup(m->layers[i].media_type) : NULL;
		layers[i].blob_size = m->layers[i].size;
	}
	r = image_commit(s, mdata, mlen, m->media_type, cdata, clen, cfg, layers, m->n_layers, names, NULL, &id);
	if (r < 0) {
		r = log_error_errno(r, "Failed to record the image: %m");
		goto out;
	}
	print_loaded(names, id);
out:
	for (size_t i = 0; layers && i < m->n_layers; i++) {
		free(layers[i].diff_id);
		free(layers[i].blob);
		free(layers[i].media_type);
	}
	free(layers);
	manifest_free(m);
	image_config_free(cfg);
	return r;
}

/* Names from an index entry: io.containerd.image.name, else ref.name if it is a full
 * reference (a bare tag names nothing we could look up). */
static char **oci_names(const struct descriptor *d)
{
	char **v = calloc(2, sizeof(char *));
	const char *cands[] = {d->image_name, d->ref_name};
	if (!v)
		return NULL;
	for (size_t i = 0; i < ELEMENTSOF(cands); i++) {
		struct image_ref *r = NULL;
		if (!cands[i] || (i == 1 && !strchr(cands[i], '/') && !strchr(cands[i], ':')))
			continue;
		if (i == 1 && !strchr(cands[i], '/'))
			continue; /* "latest" or "1.0": a tag without a repository */
		if (image_ref_parse(cands[i], "localhost", &r, NULL) == 0 && r->tag) {
			v[0] = image_ref_name(r);
			image_ref_free(r);
			break;
		}
		image_ref_free(r);
	}
	return v;
}

static int load_oci(struct store *s, const struct archive_src *a, const struct load_opts *o)
{
	cleanup_free char *data = NULL, *err = NULL;
	size_t len;
	struct manifest *idx = NULL;
	int r = archive_src_read(a, "index.json", MAX_JSON, &data, &len);
	if (r < 0)
		return log_error_errno(r, "Archive: cannot read index.json: %m");
	r = manifest_parse(data, len, MT_OCI_INDEX, &idx, &err);
	if (r < 0 || idx->kind != MANIFEST_INDEX) {
		manifest_free(idx);
		return log_error_errno(-EINVAL, "Archive: index.json: %s", err ? err : "not an image index");
	}
	if (idx->n_manifests == 0) {
		manifest_free(idx);
		return log_error_errno(-ENOENT, "Archive: index.json lists no images");
	}
	/* Entries with a platform belong to one multi-platform image: pick one. Entries
	 * without are separate images (several `save`d at once). */
	bool platforms = false;
	for (size_t i = 0; i < idx->n_manifests; i++)
		if (idx->manifests[i].arch)
			platforms = true;
	if (platforms && idx->n_manifests > 1) {
		const struct descriptor *pick;
		cleanup_free char *os = NULL, *arch = NULL, *variant = NULL;
		if (o->platform && manifest_parse_platform(o->platform, &os, &arch, &variant) < 0) {
			manifest_free(idx);
			return log_error_errno(-EINVAL, "--platform '%s': expected OS/ARCH[/VARIANT]", o->platform);
		}
		r = manifest_select_platform(idx, os, arch, variant, &pick, &err);
		if (r < 0) {
			manifest_free(idx);
			return log_error_errno(r, "Archive: %s", err);
		}
		cleanup_strv char **names = oci_names(pick);
		/* The name may sit on another entry of the same image. */
		for (size_t i = 0; names && !names[0] && i < idx->n_manifests; i++) {
			cleanup_strvp(&names);
			names = oci_names(&idx->manifests[i]);
		}
		r = load_oci_image(s, a, pick, names, o, 0);
	} else {
		for (size_t i = 0; i < idx->n_manifests && r >= 0; i++) {
			cleanup_strv char **names = oci_names(&idx->manifests[i]);
			r = load_oci_image(s, a, &idx->manifests[i], names, o, 0);
		}
	}
	manifest_free(idx);
	return r;
}

/* ---- docker-archive ---- */

static json_object *descriptor_json(const char *mt, const char *digest, int64_t size)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "mediaType", json_object_new_string(mt));
	json_object_object_add(o, "size", json_object_new_int64(size));
	json_object_object_add(o, "digest", json_object_new_string(digest));
	return o;
}

static int load_docker_one(struct store *s, const struct archive_src *a, json_object *e, const struct load_opts *o)
{
	json_object *v, *layers_j, *tags;
	cleanup_free char *cdata = NULL, *err = NULL, *id = NULL;
	char cdigest[DIGEST_STRING_SIZE];
	size_t clen;
	struct image_config *cfg = NULL;
	struct layer_ref *layers = NULL;
	size_t n = 0;
	cleanup_strv char **names = NULL;
	int r;

	if (!json_object_object_get_ex(e, "Config", &v) || !json_object_is_type(v, json_type_string) ||
	    !json_object_object_get_ex(e, "Layers", &layers_j) || !json_object_is_type(layers_j, json_type_array))
		return log_error_errno(-EINVAL, "Archive: manifest.json: an entry lacks Config or Layers");
	const char *cname = json_object_get_string(v);
	r = archive_src_read(a, cname, MAX_JSON, &cdata, &clen);
	if (r < 0)
		return log_error_errno(r, "Archive: cannot read %s: %m", cname);
	digest_buffer(cdata, clen, cdigest);
	r = image_config_parse(cdata, clen, &cfg, &err);
	if (r < 0)
		return log_error_errno(r, "Archive: %s: %s", cname, err ? err : "bad image config");
	n = json_object_array_length(layers_j);
	if (n != cfg->n_diff_ids) {
		r = log_error_errno(-EINVAL, "Archive: manifest.json lists %zu layers, %s has %zu diff_ids", n, cname,
				    cfg->n_diff_ids);
		image_config_free(cfg);
		return r;
	}
	layers = calloc(n + 1, sizeof(*layers));
	cleanup_json json_object *man = json_object_new_object(), *ml = json_object_new_array();
	if (!layers || !man || !ml) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *l = json_object_array_get_idx(layers_j, i);
		if (!json_object_is_type(l, json_type_string)) {
			r = log_error_errno(-EINVAL, "Archive: manifest.json: Layers[%zu] is not a string", i);
			goto out;
		}
		layers[i].diff_id = strdup(cfg->diff_ids[i]);
		if (!layers[i].diff_id) {
			r = -ENOMEM;
			goto out;
		}
		r = load_layer(s, a, json_object_get_string(l), NULL, cfg->diff_ids[i], true, o->quiet, &layers[i]);
		if (r < 0)
			goto out;
		json_object_array_add(ml, descriptor_json(layers[i].media_type, layers[i].blob, layers[i].blob_size));
	}
	json_object_object_add(man, "schemaVersion", json_object_new_int(2));
	json_object_object_add(man, "mediaType", json_object_new_string(MT_DOCKER_MANIFEST));
	json_object_object_add(man, "config", descriptor_json(MT_DOCKER_CONFIG, cdigest, (int64_t)clen));
	json_object_object_add(man, "layers", json_object_get(ml));
	const char *mtext =
	    json_object_to_json_string_ext(man, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	size_t nt = 0;
	if (json_object_object_get_ex(e, "RepoTags", &tags) && json_object_is_type(tags, json_type_array))
		nt = json_object_array_length(tags);
	names = calloc(nt + 1, sizeof(char *));
	if (!names) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0, k = 0; i < nt; i++) {
		json_object *t = json_object_array_get_idx(tags, i);
		struct image_ref *ref = NULL;
		if (!json_object_is_type(t, json_type_string) ||
		    image_ref_parse(json_object_get_string(t), NULL, &ref, NULL) < 0 || !ref->tag) {
			log_warn("Archive: ignoring the malformed RepoTags entry %zu", i);
			image_ref_free(ref);
			continue;
		}
		names[k++] = image_ref_name(ref);
		image_ref_free(ref);
	}
	r = image_commit(s, mtext, strlen(mtext), MT_DOCKER_MANIFEST, cdata, clen, cfg, layers, n, names, NULL, &id);
	if (r < 0) {
		r = log_error_errno(r, "Failed to record the image: %m");
		goto out;
	}
	print_loaded(names, id);
out:
	for (size_t i = 0; layers && i < n; i++) {
		free(layers[i].diff_id);
		free(layers[i].blob);
		free(layers[i].media_type);
	}
	free(layers);
	image_config_free(cfg);
	return r;
}

static int load_docker(struct store *s, const struct archive_src *a, const struct load_opts *o)
{
	cleanup_free char *data = NULL;
	size_t len;
	int r = archive_src_read(a, "manifest.json", MAX_JSON, &data, &len);
	if (r < 0)
		return log_error_errno(r, "Archive: cannot read manifest.json: %m");
	cleanup_json json_object *root = json_tokener_parse(data);
	if (!root || !json_object_is_type(root, json_type_array))
		return log_error_errno(-EINVAL, "Archive: manifest.json is not a JSON array");
	size_t n = json_object_array_length(root);
	if (n == 0)
		return log_error_errno(-ENOENT, "Archive: manifest.json lists no images");
	for (size_t i = 0; i < n && r >= 0; i++)
		r = load_docker_one(s, a, json_object_array_get_idx(root, i), o);
	return r;
}

int archive_load(struct store *s, const char *path, const struct load_opts *o)
{
	struct archive_src a;
	int fd;
	bool owned;
	off_t off;
	int64_t size;
	int r = archive_src_open(s, path, &a);
	if (r < 0)
		return r;
	if (archive_src_find(&a, "index.json", &fd, &owned, &off, &size) == 0) {
		if (owned)
			close(fd);
		r = load_oci(s, &a, o);
	} else if (archive_src_find(&a, "manifest.json", &fd, &owned, &off, &size) == 0) {
		if (owned)
			close(fd);
		r = load_docker(s, &a, o);
	} else {
		r = log_error_errno(
		    -EINVAL, "%s: neither an OCI layout (index.json) nor a docker archive (manifest.json)", path);
	}
	archive_src_close(&a);
	return r;
}

/* ---- import ---- */

int archive_import(struct store *s, const char *path, const char *name, bool quiet)
{
	cleanup_free char *full = NULL, *tmpname = NULL, *id = NULL, *ctext = NULL, *mtext = NULL;
	struct unpack_result res;
	char bname[64];
	int r;

	if (name) {
		r = image_normalize_name(name, &full);
		if (r < 0)
			return r;
	}
	int in = STREQ(path, "-") ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (in < 0)
		return log_error_errno(-errno, "Cannot open %s: %m", path);
	/* Copy first: the blob we record must be exactly the bytes we unpacked. */
	const char *tmp;
	int tfd = store_tmp(s, &tmp);
	if (tfd < 0) {
		close(in);
		return tfd;
	}
	snprintf(bname, sizeof(bname), "import-%d", (int)getpid());
	cleanup_close int out = openat(tfd, bname, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return log_error_errno(-errno, "Failed to create a scratch file: %m");
	}
	char buf[65536];
	ssize_t n;
	r = 0;
	while (r == 0 && (n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		r = fs_write_all(out, buf, (size_t)n);
	}
	close(in);
	if (r < 0)
		return log_error_errno(r, "Failed to read %s: %m", path);
	off_t size = lseek(out, 0, SEEK_CUR);
	r = layer_import(s, out, 0, size, NULL, NULL, path, quiet, &res);
	if (r < 0)
		return r;
	r = store_lock(s, true);
	if (r >= 0) {
		r = store_blob_commit(s, bname, res.in_digest);
		if (r >= 0)
			r = store_pin_blob(s, res.in_digest);
		store_unlock(s);
	}
	if (r < 0)
		return r;

	const char *os, *arch, *variant;
	char now[32], cdigest[DIGEST_STRING_SIZE];
	time_t t = time(NULL);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	manifest_host_platform(&os, &arch, &variant);
	if (asprintf(&ctext,
		     "{\"created\":\"%s\",\"architecture\":\"%s\",\"os\":\"%s\",\"config\":{},"
		     "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]},"
		     "\"history\":[{\"created\":\"%s\",\"created_by\":\"kakuri import\"}]}",
		     now, arch, os, res.diff_id, now) < 0)
		return -ENOMEM;
	digest_buffer(ctext, strlen(ctext), cdigest);
	if (asprintf(&mtext,
		     "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"%s\",\"digest\":\"%s\","
		     "\"size\":%zu},"
		     "\"layers\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%llu}]}",
		     MT_OCI_MANIFEST, MT_OCI_CONFIG, cdigest, strlen(ctext), oci_layer_type(res.compression),
		     res.in_digest, (unsigned long long)res.in_bytes) < 0)
		return -ENOMEM;
	struct image_config cfg = {.os = (char *)os, .arch = (char *)arch};
	struct layer_ref layer = {res.diff_id, res.in_digest, (char *)oci_layer_type(res.compression),
				  (int64_t)res.in_bytes};
	char *names[2] = {full, NULL};
	r = image_commit(s, mtext, strlen(mtext), MT_OCI_MANIFEST, ctext, strlen(ctext), &cfg, &layer, 1, names, NULL,
			 &id);
	if (r < 0)
		return log_error_errno(r, "Failed to record the image: %m");
	printf("sha256:%s\n", id);
	return 0;
}
