/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `kakuri save`: oci-archive, oci-dir and docker-archive output. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/image/archive.h"
#include "engine/image/decompress.h"
#include "engine/image/image.h"
#include "engine/image/manifest.h"
#include "engine/image/tar.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define cleanup_json CLEANUP(json_putp)

/* Where the output goes: a tar file or a directory, written beside its final path. */
struct out {
	enum archive_format fmt;
	int fd;	   /* tar output */
	int dirfd; /* oci-dir output */
	char *tmp; /* temporary path */
	const char *path;
	char **written; /* blob names already written (dedup) */
	size_t n_written;
};

static bool out_seen(struct out *o, const char *name)
{
	for (size_t i = 0; i < o->n_written; i++)
		if (STREQ(o->written[i], name))
			return true;
	char **nv = realloc(o->written, (o->n_written + 1) * sizeof(char *));
	if (nv) {
		o->written = nv;
		nv[o->n_written] = strdup(name);
		if (nv[o->n_written])
			o->n_written++;
	}
	return false;
}

static int out_dir(struct out *o, const char *name)
{
	if (o->fmt == ARCHIVE_OCI_DIR)
		return mkdirat(o->dirfd, name, 0755) < 0 && errno != EEXIST ? -errno : 0;
	cleanup_free char *n = NULL;
	if (asprintf(&n, "%s/", name) < 0)
		return -ENOMEM;
	return tar_write_header(o->fd, n, TAR_DIR, 0755, 0, 0);
}

static int out_data(struct out *o, const char *name, const void *data, size_t len)
{
	if (o->fmt == ARCHIVE_OCI_DIR) {
		cleanup_close int fd = openat(o->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			return -errno;
		return fs_write_all(fd, data, len);
	}
	int r = tar_write_header(o->fd, name, TAR_REG, 0644, len, 0);
	if (r >= 0)
		r = fs_write_all(o->fd, data, len);
	if (r >= 0)
		r = tar_write_pad(o->fd, len);
	return r;
}

static int copy_fd(int dst, int src, uint64_t size)
{
	off_t off = 0;
	while ((uint64_t)off < size) {
		ssize_t n =
		    sendfile(dst, src, &off,
			     (size_t)(size - (uint64_t)off) > (1u << 30) ? (1u << 30) : (size_t)(size - (uint64_t)off));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
	}
	return 0;
}

static int out_blob(struct out *o, struct store *s, const char *digest)
{
	char name[96];
	snprintf(name, sizeof(name), "blobs/sha256/%s", digest_hex(digest));
	if (out_seen(o, name))
		return 0;
	cleanup_free char *path = NULL;
	int r = store_blob_path(s, digest, &path);
	if (r < 0)
		return r;
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return log_error_errno(-errno, "Blob %s missing from the store: %m", digest);
	if (o->fmt == ARCHIVE_OCI_DIR) {
		cleanup_close int dst = openat(o->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (dst < 0)
			return -errno;
		return copy_fd(dst, fd, (uint64_t)st.st_size);
	}
	r = tar_write_header(o->fd, name, TAR_REG, 0644, (uint64_t)st.st_size, 0);
	if (r >= 0)
		r = copy_fd(o->fd, fd, (uint64_t)st.st_size);
	if (r >= 0)
		r = tar_write_pad(o->fd, (uint64_t)st.st_size);
	return r;
}

/* A Docker v2s2 manifest becomes an OCI one (same config and layer blobs). */
static int to_oci_manifest(const char *data, size_t len, char **ret, size_t *ret_len)
{
	struct manifest *m = NULL;
	cleanup_free char *err = NULL;
	int r = manifest_parse(data, len, NULL, &m, &err);
	if (r < 0)
		return log_error_errno(r, "Stored manifest: %s", err ? err : "unreadable");
	cleanup_json json_object *o = json_object_new_object();
	json_object *cfg = json_object_new_object(), *layers = json_object_new_array();
	json_object_object_add(o, "schemaVersion", json_object_new_int(2));
	json_object_object_add(o, "mediaType", json_object_new_string(MT_OCI_MANIFEST));
	json_object_object_add(cfg, "mediaType", json_object_new_string(MT_OCI_CONFIG));
	json_object_object_add(cfg, "digest", json_object_new_string(m->config.digest));
	json_object_object_add(cfg, "size", json_object_new_int64(m->config.size));
	json_object_object_add(o, "config", cfg);
	for (size_t i = 0; i < m->n_layers; i++) {
		const char *lt = m->layers[i].media_type;
		json_object *l = json_object_new_object();
		const char *mt = !lt || STREQ(lt, MT_DOCKER_LAYER_GZIP) ? MT_OCI_LAYER_GZIP
				 : STREQ(lt, MT_DOCKER_LAYER)		? MT_OCI_LAYER
									: lt;
		json_object_object_add(l, "mediaType", json_object_new_string(mt));
		json_object_object_add(l, "digest", json_object_new_string(m->layers[i].digest));
		json_object_object_add(l, "size", json_object_new_int64(m->layers[i].size));
		json_object_array_add(layers, l);
	}
	json_object_object_add(o, "layers", layers);
	manifest_free(m);
	const char *t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	*ret = strdup(t);
	*ret_len = strlen(t);
	return *ret ? 0 : -ENOMEM;
}

static int save_oci(struct out *o, struct store *s, struct image_record **ims, size_t n)
{
	cleanup_json json_object *idx = json_object_new_object();
	json_object *mans = json_object_new_array();
	int r = 0;
	json_object_object_add(idx, "schemaVersion", json_object_new_int(2));
	json_object_object_add(idx, "mediaType", json_object_new_string(MT_OCI_INDEX));
	json_object_object_add(idx, "manifests", mans);
	r = out_dir(o, "blobs");
	if (r >= 0)
		r = out_dir(o, "blobs/sha256");
	for (size_t i = 0; i < n && r >= 0; i++) {
		cleanup_free char *mdata = NULL, *cdata = NULL, *oci = NULL;
		size_t mlen, clen, olen;
		char mdigest[DIGEST_STRING_SIZE];
		r = image_read_blobs(s, ims[i], &mdata, &mlen, &cdata, &clen);
		if (r < 0)
			break;
		if (STREQ(ims[i]->manifest_media_type, MT_DOCKER_MANIFEST)) {
			r = to_oci_manifest(mdata, mlen, &oci, &olen);
			if (r < 0)
				break;
		}
		const char *mtext = oci ? oci : mdata;
		size_t mtlen = oci ? olen : mlen;
		digest_buffer(mtext, mtlen, mdigest);
		r = out_blob(o, s, ims[i]->config_digest);
		for (size_t j = 0; j < ims[i]->n_layers && r >= 0; j++)
			r = ims[i]->layers[j].blob ? out_blob(o, s, ims[i]->layers[j].blob) : -ENOENT;
		if (r < 0)
			break;
		char mname[96];
		snprintf(mname, sizeof(mname), "blobs/sha256/%s", digest_hex(mdigest));
		if (!out_seen(o, mname))
			r = out_data(o, mname, mtext, mtlen);
		/* One index entry per name (an unnamed image gets one without). */
		size_t k = 0;
		do {
			const char *name = ims[i]->names ? ims[i]->names[k] : NULL;
			json_object *d = json_object_new_object();
			json_object_object_add(d, "mediaType", json_object_new_string(MT_OCI_MANIFEST));
			json_object_object_add(d, "digest", json_object_new_string(mdigest));
			json_object_object_add(d, "size", json_object_new_int64((int64_t)mtlen));
			if (name) {
				json_object *ann = json_object_new_object();
				json_object_object_add(ann, "io.containerd.image.name", json_object_new_string(name));
				json_object_object_add(ann, "org.opencontainers.image.ref.name",
						       json_object_new_string(name));
				json_object_object_add(d, "annotations", ann);
			}
			json_object_array_add(mans, d);
			k++;
		} while (ims[i]->names && ims[i]->names[k]);
	}
	if (r < 0)
		return r;
	const char *layout = "{\"imageLayoutVersion\":\"1.0.0\"}";
	const char *itext =
	    json_object_to_json_string_ext(idx, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	r = out_data(o, "oci-layout", layout, strlen(layout));
	if (r >= 0)
		r = out_data(o, "index.json", itext, strlen(itext));
	return r;
}

static int64_t stored_layer_size(struct store *s, const char *diff_id)
{
	char rel[160];
	cleanup_free char *data = NULL;
	snprintf(rel, sizeof(rel), "layers/%s/layer.json", digest_hex(diff_id));
	if (fs_read_file_at(s->rootfd, rel, 4096, &data, NULL) < 0)
		return -1;
	cleanup_json json_object *o = json_tokener_parse(data);
	json_object *v;
	return o && json_object_object_get_ex(o, "size", &v) ? json_object_get_int64(v) : -1;
}

/* The layer as an uncompressed tar member (docker-archive's format). */
static int out_layer_tar(struct out *o, struct store *s, const struct layer_ref *l)
{
	char dir[80], name[96];
	snprintf(dir, sizeof(dir), "%s", digest_hex(l->diff_id));
	snprintf(name, sizeof(name), "%s/layer.tar", dir);
	if (out_seen(o, name))
		return 0;
	int64_t size = stored_layer_size(s, l->diff_id);
	cleanup_free char *path = NULL;
	if (size < 0 || !l->blob || store_blob_path(s, l->blob, &path) < 0)
		return log_error_errno(-ENOENT, "Layer %s: its blob or size is not recorded", l->diff_id);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(-errno, "Layer blob %s: %m", l->blob);
	struct dstream *d = NULL;
	int r = out_dir(o, dir);
	if (r >= 0)
		r = tar_write_header(o->fd, name, TAR_REG, 0644, (uint64_t)size, 0);
	if (r >= 0)
		r = dstream_new(fd, 0, -1, &d);
	if (r < 0)
		return r;
	char buf[65536];
	ssize_t n;
	uint64_t total = 0;
	while ((n = dstream_read(d, buf, sizeof(buf))) > 0) {
		total += (uint64_t)n;
		if (total > (uint64_t)size)
			break;
		r = fs_write_all(o->fd, buf, (size_t)n);
		if (r < 0)
			break;
	}
	dstream_free(d);
	if (n < 0 || r < 0 || total != (uint64_t)size)
		return log_error_errno(n < 0   ? (int)n
				       : r < 0 ? r
					       : -EBADMSG,
				       "Layer %s: blob %s does not decompress to the recorded %lld bytes", l->diff_id,
				       l->blob, (long long)size);
	return tar_write_pad(o->fd, (uint64_t)size);
}

static int save_docker(struct out *o, struct store *s, struct image_record **ims, size_t n)
{
	cleanup_json json_object *man = json_object_new_array();
	int r = 0;
	for (size_t i = 0; i < n && r >= 0; i++) {
		cleanup_free char *mdata = NULL, *cdata = NULL;
		size_t mlen, clen;
		char cname[80];
		r = image_read_blobs(s, ims[i], &mdata, &mlen, &cdata, &clen);
		if (r < 0)
			break;
		snprintf(cname, sizeof(cname), "%s.json", ims[i]->id);
		if (!out_seen(o, cname))
			r = out_data(o, cname, cdata, clen);
		json_object *e = json_object_new_object(), *tags = json_object_new_array(),
			    *layers = json_object_new_array();
		json_object_object_add(e, "Config", json_object_new_string(cname));
		for (char **nm = ims[i]->names; nm && *nm; nm++)
			json_object_array_add(tags, json_object_new_string(*nm));
		json_object_object_add(e, "RepoTags", tags);
		for (size_t j = 0; j < ims[i]->n_layers && r >= 0; j++) {
			char lname[96];
			snprintf(lname, sizeof(lname), "%s/layer.tar", digest_hex(ims[i]->layers[j].diff_id));
			r = out_layer_tar(o, s, &ims[i]->layers[j]);
			json_object_array_add(layers, json_object_new_string(lname));
		}
		json_object_object_add(e, "Layers", layers);
		json_object_array_add(man, e);
	}
	if (r < 0)
		return r;
	const char *t = json_object_to_json_string_ext(man, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	return out_data(o, "manifest.json", t, strlen(t));
}

int archive_save(struct store *s, char **refs, size_t n, const char *path, enum archive_format fmt)
{
	struct image_list l = {0};
	struct image_record **ims = calloc(n + 1, sizeof(*ims));
	struct out o = {.fmt = fmt, .fd = -EBADF, .dirfd = -EBADF, .path = path};
	int r;
	if (!ims)
		return -ENOMEM;
	r = store_lock(s, false);
	if (r < 0)
		goto out;
	r = store_images_load(s, &l);
	for (size_t i = 0; i < n && r >= 0; i++) {
		int k = image_list_find(&l, refs[i]);
		if (k < 0) {
			r = log_error_errno(k == -EEXIST ? k : -ENOENT, "%s: %s", refs[i],
					    k == -EEXIST ? "ambiguous image ID prefix" : "image not known");
			break;
		}
		ims[i] = &l.v[k];
		/* Pin what we are about to copy: a concurrent rmi must not remove it midway. */
		store_pin_blob(s, ims[i]->manifest_digest);
		store_pin_blob(s, ims[i]->config_digest);
		for (size_t j = 0; j < ims[i]->n_layers; j++)
			if (ims[i]->layers[j].blob)
				store_pin_blob(s, ims[i]->layers[j].blob);
	}
	store_unlock(s);
	if (r < 0)
		goto out;

	if (asprintf(&o.tmp, "%s.tmpXXXXXX", path) < 0) {
		r = -ENOMEM;
		goto out;
	}
	if (fmt == ARCHIVE_OCI_DIR) {
		if (!mkdtemp(o.tmp) || (o.dirfd = open(o.tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			r = log_error_errno(-errno, "Cannot create %s: %m", o.tmp);
			goto out;
		}
		r = save_oci(&o, s, ims, n);
	} else {
		o.fd = mkostemp(o.tmp, O_CLOEXEC);
		if (o.fd < 0) {
			r = log_error_errno(-errno, "Cannot create %s: %m", o.tmp);
			goto out;
		}
		fchmod(o.fd, 0644);
		r = fmt == ARCHIVE_DOCKER ? save_docker(&o, s, ims, n) : save_oci(&o, s, ims, n);
		if (r >= 0)
			r = tar_write_end(o.fd);
	}
	if (r < 0) {
		log_error_errno(r, "Failed to write %s: %m", path);
		goto out;
	}
	if (rename(o.tmp, path) < 0) {
		r = log_error_errno(-errno, "Cannot move the archive to %s: %m", path);
		goto out;
	}
	free(o.tmp);
	o.tmp = NULL;
out:
	if (o.tmp)
		fmt == ARCHIVE_OCI_DIR ? fs_rm_rf(o.tmp) : unlink(o.tmp);
	safe_close(o.fd);
	safe_close(o.dirfd);
	free(o.tmp);
	for (size_t i = 0; i < o.n_written; i++)
		free(o.written[i]);
	free(o.written);
	free(ims);
	image_list_clear(&l);
	return r;
}
