/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.seccomp of config.json: Docker-format profiles converted for the container's
 * bounding set (oci/seccomp-profile.h), with a cache of the conversions. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <json-c/printbuf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/container/spec-seccomp.h"
#include "engine/container/spec-internal.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/sha256.h"
#include "oci/seccomp-profile.h"
#include "runtime/seccomp-record.h"

/* A json object that serializes as the given JSON text (the cached linux.seccomp): no
 * parse on the way in, no re-serialization on the way out. */
static int raw_serialize(json_object *jso, struct printbuf *pb, int level, int flags)
{
	const char *text = json_object_get_userdata(jso);
	return printbuf_memappend(pb, text, (int)strlen(text));
}

static void raw_free(json_object *jso, void *userdata)
{
	free(userdata);
}

static json_object *raw_json(char *text)
{
	json_object *o = json_object_new_object();
	if (o)
		json_object_set_serializer(o, raw_serialize, text, raw_free);
	else
		free(text);
	return o;
}

/* The converted profile depends only on the profile's text, the bounding set, the
 * architecture and the kernel: converting kakuri's default profile (parse, include/exclude
 * rules) is most of a create's CPU time, so the result is kept in
 * STORE/containers/.seccomp/<sha256 of all four>.json. */
static char *seccomp_cache_path(const struct ctr_spec_ctx *ctx, const char *profile, size_t len, char *const *bounding,
				const struct seccomp_profile_target *t)
{
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];
	char hex[SHA256_HEX_SIZE], kern[64];
	char *p = NULL;
	if (!ctx->store_root)
		return NULL;
	sha256_init(&c);
	sha256_update(&c, "kakuri-seccomp-v1", 18);
	sha256_update(&c, profile, len + 1);
	for (size_t i = 0; bounding && bounding[i]; i++)
		sha256_update(&c, bounding[i], strlen(bounding[i]) + 1);
	sha256_update(&c, t->arch ? t->arch : "", t->arch ? strlen(t->arch) + 1 : 1);
	snprintf(kern, sizeof(kern), "%u.%u.%u", t->kernel[0], t->kernel[1], t->kernel[2]);
	sha256_update(&c, kern, strlen(kern) + 1);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	if (asprintf(&p, "%s/containers/.seccomp/%s.json", ctx->store_root, hex) < 0)
		return NULL;
	return p;
}

int ctr_spec_seccomp(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, char *const *bounding,
		     json_object *linux_)
{
	const char *which = o->seccomp;
	if (!which)
		which = o->privileged ? "unconfined" : ctx->cfg->seccomp_profile;
	if (which && STREQ(which, "unconfined"))
		return 0;
	struct seccomp_profile *prof = NULL;
	cleanup_free char *err = NULL, *file_text = NULL, *cache = NULL, *cached = NULL;
	const char *text = seccomp_profile_default_json, *name = SECCOMP_PROFILE_DEFAULT_NAME;
	size_t len;
	int r;
	if (which && *which) {
		r = fs_read_file_at(AT_FDCWD, which, 16u << 20, &file_text, NULL);
		if (r < 0)
			return log_error_errno(r, "seccomp profile %s: %m", which);
		text = file_text;
		name = which;
	}
	len = strlen(text);
	struct seccomp_profile_target t = {.caps = bounding};
	r = seccomp_profile_target_native(&t);
	if (r < 0)
		return log_error_errno(r, "Cannot determine the kernel and architecture for the seccomp profile: %m");
	cache = seccomp_cache_path(ctx, text, len, bounding, &t);
	if (cache && fs_read_file_at(AT_FDCWD, cache, 16u << 20, &cached, NULL) == 0 && cached[0] == '{') {
		json_object_object_add(linux_, "seccomp", raw_json(TAKE_PTR(cached)));
		return 0;
	}
	r = seccomp_profile_parse_string(text, name, &prof, &err);
	if (r < 0)
		return log_error_errno(r, "seccomp profile: %s", err ? err : "out of memory");
	struct oci_seccomp sc = {0};
	json_object *obj = NULL;
	r = seccomp_profile_convert(prof, &t, &sc);
	if (r >= 0)
		r = seccomp_profile_oci_json(&sc, &obj);
	seccomp_profile_oci_done(&sc);
	seccomp_profile_free(prof);
	if (r < 0)
		return log_error_errno(r, "Cannot convert the seccomp profile: %m");
	if (cache) {
		const char *out =
		    json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		cleanup_free char *dir = strdup(cache);
		if (dir && out) {
			*strrchr(dir, '/') = 0;
			/* A cache: failing to write it only costs the next create the conversion. */
			if (fs_mkdir_p(dir, 0700) == 0 && fs_write_atomic(cache, out, strlen(out), 0600) < 0)
				log_debug("cannot write the seccomp cache %s", cache);
		}
	}
	json_object_object_add(linux_, "seccomp", obj);
	return 0;
}

/* ---- --seccomp-record ---- */

static bool is_kakuri_runtime(const char *runtime)
{
	const char *b = strrchr(runtime, '/');
	return STREQ(b ? b + 1 : runtime, "kakuri-runtime");
}

/* FILE as an absolute path: its directory resolved (it must exist), its name kept. */
static int record_path(const char *file, char **ret)
{
	cleanup_free char *copy = strdup(file), *dir = NULL;
	if (!copy)
		return -ENOMEM;
	char *slash = strrchr(copy, '/');
	const char *name = slash ? slash + 1 : copy;
	if (!*name || STREQ(name, ".") || STREQ(name, ".."))
		return log_error_errno(-EINVAL, "--seccomp-record '%s': expected a file name", file);
	if (slash)
		*slash = 0;
	const char *d = slash ? (copy[0] ? copy : "/") : ".";
	dir = realpath(d, NULL);
	if (!dir)
		return log_error_errno(-errno, "--seccomp-record '%s': directory '%s': %m", file, d);
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return log_error_errno(-ENOTDIR, "--seccomp-record '%s': '%s' is not a directory", file, dir);
	if (access(dir, W_OK | X_OK) < 0)
		return log_error_errno(-errno, "--seccomp-record '%s': directory '%s' is not writable: %m", file, dir);
	if (asprintf(ret, "%s%s%s", dir, STREQ(dir, "/") ? "" : "/", name) < 0)
		return -ENOMEM;
	if (stat(*ret, &st) == 0 && S_ISDIR(st.st_mode)) {
		int r = log_error_errno(-EISDIR, "--seccomp-record '%s': '%s' is a directory", file, *ret);
		free(*ret);
		*ret = NULL;
		return r;
	}
	return 0;
}

int ctr_spec_seccomp_record(const struct ctr_opts *o, const char *runtime, const char *config_path)
{
	cleanup_free char *path = NULL, *text = NULL;
	int r;

	if (!o->seccomp_record)
		return 0;
	if (!o->seccomp_record[0])
		return log_error_errno(-EINVAL, "--seccomp-record: expected a file name");
	if (!is_kakuri_runtime(runtime))
		return log_error_errno(-EOPNOTSUPP,
				       "--seccomp-record: only kakuri-runtime can record a seccomp profile, not '%s' "
				       "(drop --runtime or use --runtime kakuri-runtime)",
				       runtime);
	r = record_path(o->seccomp_record, &path);
	if (r < 0)
		return r;
	r = fs_read_file_at(AT_FDCWD, config_path, 64u << 20, &text, NULL);
	if (r < 0)
		return log_error_errno(r, "%s: %m", config_path);
	json_object *root = json_tokener_parse(text), *ann;
	if (!root)
		return log_error_errno(-EINVAL, "%s: not valid JSON", config_path);
	if (!json_object_object_get_ex(root, "annotations", &ann) || !json_object_is_type(ann, json_type_object)) {
		ann = json_object_new_object();
		json_object_object_add(root, "annotations", ann);
	}
	json_object_object_add(ann, SECCOMP_RECORD_ANNOTATION, json_object_new_string(path));
	r = ctr_spec_write_json(config_path, root);
	json_object_put(root);
	if (r < 0)
		return log_error_errno(r, "%s: %m", config_path);
	return 0;
}

void ctr_seccomp_record_snapshot(const char *path, struct stat *ret)
{
	if (stat(path, ret) < 0)
		memset(ret, 0, sizeof(*ret));
}

int ctr_seccomp_record_wait(const char *path, const struct stat *before, int timeout_ms)
{
	for (int waited = 0;; waited += 10) {
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_ino != before->st_ino || st.st_dev != before->st_dev ||
		     st.st_ctim.tv_sec != before->st_ctim.tv_sec || st.st_ctim.tv_nsec != before->st_ctim.tv_nsec))
			return 0;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		usleep(10 * 1000);
	}
}
