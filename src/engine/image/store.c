/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/image/reference.h"
#include "engine/image/store-internal.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

#define IMAGES_FILE "images.json"
#define IMAGES_MAX  (64u << 20)

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define cleanup_json CLEANUP(json_putp)

int store_default_root(char **ret)
{
	const char *x, *home;
	int k;
	if (!idmap_rootless()) {
		*ret = strdup("/var/lib/kakuri");
		return *ret ? 0 : -ENOMEM;
	}
	if ((x = getenv("XDG_DATA_HOME")) && x[0] == '/')
		k = asprintf(ret, "%s/kakuri", x);
	else if ((home = getenv("HOME")) && home[0] == '/')
		k = asprintf(ret, "%s/.local/share/kakuri", home);
	else
		return log_error_errno(
		    -ENOENT, "Cannot find a place for the image store: set HOME or XDG_DATA_HOME, or pass --root");
	return k < 0 ? -ENOMEM : 0;
}

/* ---- lock ---- */

int store_lock(struct store *s, bool exclusive)
{
	if (s->lock_depth++ > 0)
		return 0;
	while (flock(s->lockfd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		if (errno == EINTR)
			continue;
		s->lock_depth--;
		return log_error_errno(-errno, "Failed to lock the image store %s: %m", s->root);
	}
	return 0;
}

void store_unlock(struct store *s)
{
	if (s->lock_depth > 0 && --s->lock_depth == 0)
		flock(s->lockfd, LOCK_UN);
}

/* ---- removal (rootless: inside the storage user namespace) ---- */

int store_remove(struct store *s, const char *relpath)
{
	cleanup_free char *p = NULL;
	if (asprintf(&p, "%s/%s", s->root, relpath) < 0)
		return -ENOMEM;
	if (!s->rootless || idmap_in_userns())
		return fs_rm_rf(p);
	/* Try as ourselves first: what we created with our own uid needs no namespace. */
	if (fs_rm_rf(p) == 0)
		return 0;
	pid_t pid = idmap_fork(&s->idmap, false);
	if (pid < 0)
		return (int)pid;
	if (pid == 0)
		_exit(-fs_rm_rf(p));
	int r = idmap_wait(pid);
	if (r < 0)
		return log_error_errno(r, "Failed to remove %s: %m", p);
	return 0;
}

/* Removes what dead kakuri processes left in tmp/: each live process holds an exclusive
 * flock on its own dir, so one we can lock has no owner any more. */
static void clean_stale_tmp(struct store *s)
{
	cleanup_close int tfd = openat(s->rootfd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd < 0)
		return;
	DIR *d = fdopendir(TAKE_FD(tfd));
	if (!d)
		return;
	struct dirent *de;
	char **stale = NULL;
	size_t n = 0;
	while ((de = readdir(d))) {
		if (STREQ(de->d_name, ".") || STREQ(de->d_name, ".."))
			continue;
		if (strncmp(de->d_name, ".new-", 5) == 0) {
			/* Being set up by process PID: stale only once that process is gone. */
			int pid = atoi(de->d_name + 5);
			if (pid > 0 && (kill(pid, 0) == 0 || errno != ESRCH))
				continue;
		} else if (de->d_name[0] == '.') {
			continue;
		}
		int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			/* not a directory: a stray file, also ours to remove */
		} else if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			close(fd);
			continue;
		} else {
			close(fd);
		}
		char **nv = realloc(stale, (n + 2) * sizeof(char *));
		if (!nv)
			break;
		stale = nv;
		if (asprintf(&stale[n], "tmp/%s", de->d_name) >= 0)
			n++;
		stale[n] = NULL;
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		log_debug("removing stale %s/%s", s->root, stale[i]);
		store_remove(s, stale[i]);
		free(stale[i]);
	}
	free(stale);
}

int store_open(const char *root, struct store **ret)
{
	cleanup_free char *r_root = NULL;
	int r;
	struct store *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->rootfd = s->lockfd = s->tmpfd = -EBADF;
	s->rootless = idmap_rootless();
	if (root) {
		s->root = realpath(root, NULL);
		if (!s->root && errno == ENOENT) {
			r = fs_mkdir_p(root, 0700);
			if (r < 0) {
				store_free(s);
				return log_error_errno(r, "Failed to create the image store %s: %m", root);
			}
			s->root = realpath(root, NULL);
		}
		if (!s->root) {
			r = -errno;
			store_free(s);
			return log_error_errno(r, "Image store %s: %m", root);
		}
	} else {
		r = store_default_root(&s->root);
		if (r < 0) {
			store_free(s);
			return r;
		}
		r = fs_mkdir_p(s->root, 0700);
		if (r < 0) {
			store_free(s);
			return log_error_errno(r, "Failed to create the image store %s: %m", s->root);
		}
	}
	/* Inside `kakuri unshare` the namespace exists already: nothing to map. */
	if (s->rootless && !idmap_in_userns()) {
		r = idmap_load(&s->idmap);
		if (r < 0) {
			store_free(s);
			return r;
		}
	}
	s->rootfd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd < 0) {
		r = -errno;
		store_free(s);
		return log_error_errno(r, "Failed to open the image store %s: %m", s->root);
	}
	static const char *const dirs[] = {"blobs", "blobs/sha256", "layers", "rootfs", "tmp", "tmp/.partial"};
	for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
		if (mkdirat(s->rootfd, dirs[i], 0700) < 0 && errno != EEXIST) {
			r = -errno;
			store_free(s);
			return log_error_errno(r, "Failed to create %s/%s: %m", root ? root : "store", dirs[i]);
		}
	s->lockfd = openat(s->rootfd, "storage.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lockfd < 0) {
		r = -errno;
		store_free(s);
		return log_error_errno(r, "Failed to open %s/storage.lock: %m", s->root);
	}
	r = store_lock(s, true);
	if (r < 0) {
		store_free(s);
		return r;
	}
	clean_stale_tmp(s);
	store_unlock(s);
	*ret = s;
	return 0;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_pins; i++)
		safe_close(s->pins[i]);
	free(s->pins);
	if (s->tmpdir) {
		const char *rel = s->tmpdir + strlen(s->root) + 1;
		store_remove(s, rel);
	}
	safe_close(s->tmpfd);
	safe_close(s->lockfd);
	safe_close(s->rootfd);
	free(s->tmpdir);
	free(s->root);
	free(s);
}

int store_tmp(struct store *s, const char **ret_path)
{
	if (s->tmpfd < 0) {
		/* Made under a dot name that stale-dir cleaning skips, locked, then renamed to its
		 * real name: a concurrent command never sees it unlocked. */
		cleanup_free char *p = NULL, *final = NULL;
		if (asprintf(&p, "%s/tmp/.new-%d-XXXXXX", s->root, (int)getpid()) < 0)
			return -ENOMEM;
		if (!mkdtemp(p))
			return log_error_errno(-errno, "Failed to create a scratch directory in %s/tmp: %m", s->root);
		int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || flock(fd, LOCK_EX) < 0) {
			int r = -errno;
			safe_close(fd);
			rmdir(p);
			return log_error_errno(r, "Failed to open %s: %m", p);
		}
		const char *suffix = strrchr(p, '-') + 1;
		if (asprintf(&final, "%s/tmp/%d-%s", s->root, (int)getpid(), suffix) < 0 || rename(p, final) < 0) {
			int r = final ? -errno : -ENOMEM;
			close(fd);
			rmdir(p);
			return log_error_errno(r, "Failed to set up a scratch directory in %s/tmp: %m", s->root);
		}
		s->tmpfd = fd;
		s->tmpdir = TAKE_PTR(final);
	}
	if (ret_path)
		*ret_path = s->tmpdir;
	return s->tmpfd;
}

int store_tmp_mkdir(struct store *s, const char *prefix, char **ret_name)
{
	const char *tmp;
	int r = store_tmp(s, &tmp);
	if (r < 0)
		return r;
	cleanup_free char *p = NULL;
	if (asprintf(&p, "%s/%s-XXXXXX", tmp, prefix) < 0)
		return -ENOMEM;
	if (!mkdtemp(p))
		return log_error_errno(-errno, "Failed to create a directory in %s: %m", tmp);
	*ret_name = strdup(strrchr(p, '/') + 1);
	return *ret_name ? 0 : -ENOMEM;
}

/* ---- blobs ---- */

int store_blob_path(const struct store *s, const char *digest, char **ret)
{
	if (!digest_valid(digest))
		return -EINVAL;
	return asprintf(ret, "%s/blobs/sha256/%s", s->root, digest_hex(digest)) < 0 ? -ENOMEM : 0;
}

bool store_blob_exists(const struct store *s, const char *digest)
{
	char rel[320];
	if (!digest_valid(digest))
		return false;
	snprintf(rel, sizeof(rel), "blobs/sha256/%s", digest_hex(digest));
	return faccessat(s->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int store_blob_read(const struct store *s, const char *digest, size_t max, char **ret, size_t *ret_len)
{
	char rel[320], got[DIGEST_STRING_SIZE];
	cleanup_free char *data = NULL;
	size_t len;
	if (!digest_valid(digest))
		return -EINVAL;
	snprintf(rel, sizeof(rel), "blobs/sha256/%s", digest_hex(digest));
	int r = fs_read_file_at(s->rootfd, rel, max, &data, &len);
	if (r < 0)
		return r;
	digest_buffer(data, len, got);
	if (!STREQ(got, digest))
		return log_error_errno(-EBADMSG, "Blob %s in the store is corrupt (its content hashes to %s)", digest,
				       got);
	*ret = TAKE_PTR(data);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int store_blob_commit(struct store *s, const char *tmpname, const char *digest)
{
	char rel[320];
	int tfd = store_tmp(s, NULL);
	if (tfd < 0)
		return tfd;
	snprintf(rel, sizeof(rel), "blobs/sha256/%s", digest_hex(digest));
	/* renameat2 NOREPLACE: a concurrent commit of the same digest keeps the first. */
	if (renameat2(tfd, tmpname, s->rootfd, rel, RENAME_NOREPLACE) < 0) {
		if (errno != EEXIST)
			return log_error_errno(-errno, "Failed to store blob %s: %m", digest);
		unlinkat(tfd, tmpname, 0);
	}
	return 0;
}

int store_blob_write(struct store *s, const void *data, size_t len, char ret_digest[DIGEST_STRING_SIZE])
{
	char d[DIGEST_STRING_SIZE], name[96];
	int tfd = store_tmp(s, NULL);
	if (tfd < 0)
		return tfd;
	digest_buffer(data, len, d);
	if (ret_digest)
		memcpy(ret_digest, d, sizeof(d));
	if (store_blob_exists(s, d))
		return 0;
	snprintf(name, sizeof(name), "blob-%.16s", digest_hex(d));
	cleanup_close int fd = openat(tfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return log_error_errno(-errno, "Failed to write a blob: %m");
	int r = fs_write_all(fd, data, len);
	if (r < 0)
		return log_error_errno(r, "Failed to write a blob: %m");
	return store_blob_commit(s, name, d);
}

/* ---- layers ---- */

bool store_layer_exists(const struct store *s, const char *diff_id)
{
	char rel[320];
	if (!digest_valid(diff_id))
		return false;
	snprintf(rel, sizeof(rel), "layers/%s/layer.json", digest_hex(diff_id));
	return faccessat(s->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int store_layer_diff_path(const struct store *s, const char *diff_id, bool abs, char **ret)
{
	if (!digest_valid(diff_id))
		return -EINVAL;
	return asprintf(ret, "%s%slayers/%s/diff", abs ? s->root : "", abs ? "/" : "", digest_hex(diff_id)) < 0
		   ? -ENOMEM
		   : 0;
}

int store_layer_commit(struct store *s, const char *tmpname, const char *diff_id, uint64_t size, uint64_t entries)
{
	char rel[320], meta[512];
	int tfd = store_tmp(s, NULL);
	if (tfd < 0)
		return tfd;
	/* layer.json first, inside the tmp dir, so that the rename publishes a complete layer. */
	int k = snprintf(meta, sizeof(meta), "{\"diff_id\":\"%s\",\"size\":%llu,\"entries\":%llu,\"created\":%lld}\n",
			 diff_id, (unsigned long long)size, (unsigned long long)entries, (long long)time(NULL));
	snprintf(rel, sizeof(rel), "%s/layer.json", tmpname);
	cleanup_close int fd = openat(tfd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || fs_write_all(fd, meta, (size_t)k) < 0)
		return log_error_errno(-errno, "Failed to write the layer record: %m");
	snprintf(rel, sizeof(rel), "layers/%s", digest_hex(diff_id));
	if (renameat2(tfd, tmpname, s->rootfd, rel, RENAME_NOREPLACE) < 0) {
		if (errno != EEXIST)
			return log_error_errno(-errno, "Failed to store layer %s: %m", diff_id);
		/* Committed meanwhile by another pull: ours goes with the tmp dir. */
		log_debug("layer %s already present", diff_id);
	}
	return 0;
}

static int pin(struct store *s, const char *rel, bool dir)
{
	int fd = openat(s->rootfd, rel, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_SH) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	int *nv = realloc(s->pins, (s->n_pins + 1) * sizeof(int));
	if (!nv) {
		close(fd);
		return -ENOMEM;
	}
	s->pins = nv;
	s->pins[s->n_pins++] = fd;
	return 0;
}

int store_pin_layer(struct store *s, const char *diff_id)
{
	char rel[320];
	snprintf(rel, sizeof(rel), "layers/%s", digest_hex(diff_id));
	return pin(s, rel, true);
}

int store_pin_blob(struct store *s, const char *digest)
{
	char rel[320];
	snprintf(rel, sizeof(rel), "blobs/sha256/%s", digest_hex(digest));
	return pin(s, rel, false);
}

/* ---- image records ---- */

void image_record_clear(struct image_record *r)
{
	free(r->id);
	free(r->manifest_digest);
	free(r->manifest_media_type);
	free(r->config_digest);
	cleanup_strvp(&r->names);
	cleanup_strvp(&r->digests);
	for (size_t i = 0; i < r->n_layers; i++) {
		free(r->layers[i].diff_id);
		free(r->layers[i].blob);
		free(r->layers[i].media_type);
	}
	free(r->layers);
	free(r->os);
	free(r->arch);
	free(r->variant);
	*r = (struct image_record){0};
}

void image_list_clear(struct image_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		image_record_clear(&l->v[i]);
	free(l->v);
	*l = (struct image_list){0};
}

char *store_jstr(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return strdup(json_object_get_string(v));
}

char **store_jstrv(json_object *o, const char *key)
{
	json_object *a;
	size_t n = 0;
	if (json_object_object_get_ex(o, key, &a) && json_object_is_type(a, json_type_array))
		n = json_object_array_length(a);
	char **v = calloc(n + 1, sizeof(char *));
	if (!v)
		return NULL;
	for (size_t i = 0, k = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		if (json_object_is_type(e, json_type_string))
			v[k++] = strdup(json_object_get_string(e));
	}
	return v;
}

static int64_t jint(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static int record_from_json(json_object *o, struct image_record *r)
{
	json_object *layers;
	r->id = store_jstr(o, "id");
	r->manifest_digest = store_jstr(o, "manifest");
	r->manifest_media_type = store_jstr(o, "manifest_media_type");
	r->config_digest = store_jstr(o, "config");
	r->names = store_jstrv(o, "names");
	r->digests = store_jstrv(o, "digests");
	r->os = store_jstr(o, "os");
	r->arch = store_jstr(o, "architecture");
	r->variant = store_jstr(o, "variant");
	r->created = jint(o, "created");
	r->size = jint(o, "size");
	if (!r->id || !r->manifest_digest || !r->config_digest || !r->names || !r->digests ||
	    !digest_valid(r->config_digest) || !digest_valid(r->manifest_digest))
		return -EINVAL;
	if (!json_object_object_get_ex(o, "layers", &layers) || !json_object_is_type(layers, json_type_array))
		return -EINVAL;
	r->n_layers = json_object_array_length(layers);
	r->layers = calloc(r->n_layers ? r->n_layers : 1, sizeof(*r->layers));
	if (!r->layers)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_layers; i++) {
		json_object *e = json_object_array_get_idx(layers, i);
		r->layers[i].diff_id = store_jstr(e, "diff_id");
		r->layers[i].blob = store_jstr(e, "blob");
		r->layers[i].media_type = store_jstr(e, "media_type");
		r->layers[i].blob_size = jint(e, "blob_size");
		if (!r->layers[i].diff_id || !digest_valid(r->layers[i].diff_id) ||
		    (r->layers[i].blob && !digest_valid(r->layers[i].blob)))
			return -EINVAL;
	}
	return 0;
}

int store_images_load(struct store *s, struct image_list *ret)
{
	cleanup_free char *data = NULL;
	cleanup_json json_object *root = NULL;
	json_object *arr;
	size_t len;
	*ret = (struct image_list){0};
	int r = fs_read_file_at(s->rootfd, IMAGES_FILE, IMAGES_MAX, &data, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return log_error_errno(r, "Failed to read %s/%s: %m", s->root, IMAGES_FILE);
	root = json_tokener_parse(data);
	if (!root || !json_object_object_get_ex(root, "images", &arr) || !json_object_is_type(arr, json_type_array))
		return log_error_errno(-EBADMSG, "%s/%s is corrupt (not the image list)", s->root, IMAGES_FILE);
	size_t n = json_object_array_length(arr);
	ret->v = calloc(n ? n : 1, sizeof(*ret->v));
	if (!ret->v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		r = record_from_json(json_object_array_get_idx(arr, i), &ret->v[i]);
		ret->n = i + 1;
		if (r < 0) {
			image_list_clear(ret);
			return log_error_errno(r == -ENOMEM ? r : -EBADMSG, "%s/%s: image record %zu is corrupt",
					       s->root, IMAGES_FILE, i);
		}
	}
	return 0;
}

static json_object *strv_json(char **v)
{
	json_object *a = json_object_new_array();
	for (char **p = v; p && *p; p++)
		json_object_array_add(a, json_object_new_string(*p));
	return a;
}

static void add_str(json_object *o, const char *k, const char *v)
{
	if (v)
		json_object_object_add(o, k, json_object_new_string(v));
}

int store_images_save(struct store *s, const struct image_list *l)
{
	cleanup_json json_object *root = json_object_new_object();
	json_object *arr = json_object_new_array();
	cleanup_free char *path = NULL;
	if (!root || !arr)
		return -ENOMEM;
	json_object_object_add(root, "version", json_object_new_int(1));
	json_object_object_add(root, "images", arr);
	for (size_t i = 0; i < l->n; i++) {
		const struct image_record *r = &l->v[i];
		json_object *o = json_object_new_object(), *layers = json_object_new_array();
		add_str(o, "id", r->id);
		add_str(o, "manifest", r->manifest_digest);
		add_str(o, "manifest_media_type", r->manifest_media_type);
		add_str(o, "config", r->config_digest);
		json_object_object_add(o, "names", strv_json(r->names));
		json_object_object_add(o, "digests", strv_json(r->digests));
		for (size_t j = 0; j < r->n_layers; j++) {
			json_object *e = json_object_new_object();
			add_str(e, "diff_id", r->layers[j].diff_id);
			add_str(e, "blob", r->layers[j].blob);
			add_str(e, "media_type", r->layers[j].media_type);
			json_object_object_add(e, "blob_size", json_object_new_int64(r->layers[j].blob_size));
			json_object_array_add(layers, e);
		}
		json_object_object_add(o, "layers", layers);
		add_str(o, "os", r->os);
		add_str(o, "architecture", r->arch);
		add_str(o, "variant", r->variant);
		json_object_object_add(o, "created", json_object_new_int64(r->created));
		json_object_object_add(o, "size", json_object_new_int64(r->size));
		json_object_array_add(arr, o);
	}
	const char *text =
	    json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (asprintf(&path, "%s/%s", s->root, IMAGES_FILE) < 0)
		return -ENOMEM;
	int r = fs_write_atomic(path, text, strlen(text), 0600);
	if (r < 0)
		return log_error_errno(r, "Failed to write %s: %m", path);
	return 0;
}

bool store_strv_contains(char **v, const char *s)
{
	for (char **p = v; p && *p; p++)
		if (STREQ(*p, s))
			return true;
	return false;
}

static int strv_push(char ***v, const char *s)
{
	size_t n = 0;
	while (*v && (*v)[n])
		n++;
	char **nv = realloc(*v, (n + 2) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[n] = strdup(s);
	nv[n + 1] = NULL;
	return nv[n] ? 0 : -ENOMEM;
}

static void strv_remove(char **v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (STREQ(v[i], s)) {
			free(v[i]);
			for (size_t j = i; v[j]; j++)
				v[j] = v[j + 1];
			i--;
		}
}

/* Candidate full names for a user-typed reference, most specific first. */
static int ref_candidates(const char *ref, char *out[3])
{
	struct image_ref *r = NULL;
	size_t n = 0;
	if (image_ref_is_short(ref)) {
		static const char *const regs[] = {"localhost", "docker.io"};
		for (size_t i = 0; i < ELEMENTSOF(regs); i++) {
			if (image_ref_parse(ref, regs[i], &r, NULL) < 0)
				return 0;
			out[n] = image_ref_name(r);
			image_ref_free(r);
			r = NULL;
			if (out[n])
				n++;
		}
	} else if (image_ref_parse(ref, NULL, &r, NULL) == 0) {
		out[n] = image_ref_name(r);
		image_ref_free(r);
		if (out[n])
			n++;
	}
	return (int)n;
}

int image_list_find(const struct image_list *l, const char *ref)
{
	/* IDs: "sha256:HEX", HEX, or a prefix of at least 4 digits. A name that happens to be
	 * hex ("cafe") is looked up as a name first. */
	const char *id = ref;
	if (strncmp(id, "sha256:", 7) == 0)
		id += 7;
	char *cand[3] = {0};
	int nc = ref_candidates(ref, cand);
	int found = -ENOENT;
	for (int c = 0; c < nc && found < 0; c++) {
		for (size_t i = 0; i < l->n; i++)
			if (store_strv_contains(l->v[i].names, cand[c])) {
				found = (int)i;
				break;
			}
		/* NAME@DIGEST: the repo digest (or manifest digest) of an image with that repo. */
		const char *at = strchr(cand[c], '@');
		if (found < 0 && at)
			for (size_t i = 0; i < l->n; i++)
				if (store_strv_contains(l->v[i].digests, cand[c])) {
					found = (int)i;
					break;
				}
	}
	for (int c = 0; c < nc; c++)
		free(cand[c]);
	if (found >= 0)
		return found;
	if (digest_is_hex_prefix(id) && strlen(id) >= 4) {
		for (size_t i = 0; i < l->n; i++)
			if (strncmp(l->v[i].id, id, strlen(id)) == 0) {
				if (found >= 0)
					return -EEXIST;
				found = (int)i;
			}
		if (found >= 0)
			return found;
	}
	if (digest_valid(ref))
		for (size_t i = 0; i < l->n; i++)
			if (STREQ(l->v[i].manifest_digest, ref))
				return (int)i;
	return -ENOENT;
}

int image_list_add_name(struct image_list *l, size_t i, const char *name)
{
	for (size_t j = 0; j < l->n; j++)
		if (j != i)
			strv_remove(l->v[j].names, name);
	if (store_strv_contains(l->v[i].names, name))
		return 0;
	return strv_push(&l->v[i].names, name);
}

int image_list_add_digest(struct image_list *l, size_t i, const char *repo_digest)
{
	if (store_strv_contains(l->v[i].digests, repo_digest))
		return 0;
	return strv_push(&l->v[i].digests, repo_digest);
}

int image_list_put(struct image_list *l, struct image_record *r)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		if (STREQ(l->v[i].id, r->id))
			break;
	if (i == l->n) {
		struct image_record *nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->v[l->n++] = (struct image_record){0};
		char **names = r->names, **digests = r->digests;
		r->names = r->digests = NULL;
		l->v[i] = *r;
		*r = (struct image_record){0};
		l->v[i].names = calloc(1, sizeof(char *));
		l->v[i].digests = calloc(1, sizeof(char *));
		int k = 0;
		for (char **p = names; p && *p && k >= 0; p++)
			k = image_list_add_name(l, i, *p);
		for (char **p = digests; p && *p && k >= 0; p++)
			k = image_list_add_digest(l, i, *p);
		cleanup_strvp(&names);
		cleanup_strvp(&digests);
		return k < 0 ? k : (int)i;
	}
	/* Same image again (another name, another archive format or compression): the
	 * latest manifest and layer blobs win, names and digests are merged. What the old
	 * manifest referred to is left for store_gc(). */
	struct image_record *o = &l->v[i];
	if (!STREQ(o->manifest_digest, r->manifest_digest)) {
		char *t;
		t = o->manifest_digest, o->manifest_digest = r->manifest_digest, r->manifest_digest = t;
		t = o->manifest_media_type, o->manifest_media_type = r->manifest_media_type, r->manifest_media_type = t;
		struct layer_ref *lt = o->layers;
		size_t nt = o->n_layers;
		o->layers = r->layers;
		o->n_layers = r->n_layers;
		r->layers = lt;
		r->n_layers = nt;
	}
	int k = 0;
	for (char **p = r->names; p && *p && k >= 0; p++)
		k = image_list_add_name(l, i, *p);
	for (char **p = r->digests; p && *p && k >= 0; p++)
		k = image_list_add_digest(l, i, *p);
	image_record_clear(r);
	return k < 0 ? k : (int)i;
}
