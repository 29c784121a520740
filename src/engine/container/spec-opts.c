/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "spec-opts.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

#ifndef KAKURI_LIBEXECDIR
#define KAKURI_LIBEXECDIR "/usr/local/libexec/kakuri"
#endif

static bool is_exe(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

int ctr_init_find(char **ret)
{
	char self[PATH_MAX];
	cleanup_free char *next = NULL, *rel = NULL;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = 0;
		char *slash = strrchr(self, '/');
		/* In the tree (build/), or an installed tree moved elsewhere (PREFIX/bin and
		 * PREFIX/libexec/kakuri). */
		if (slash && (asprintf(&next, "%.*s/kakuri-init", (int)(slash - self), self) < 0 ||
			      asprintf(&rel, "%.*s/../libexec/kakuri/kakuri-init", (int)(slash - self), self) < 0))
			return -ENOMEM;
		if (next && is_exe(next)) {
			*ret = TAKE_PTR(next);
			return 0;
		}
		if (rel && is_exe(rel)) {
			*ret = realpath(rel, NULL);
			return *ret ? 0 : -errno;
		}
	}
	if (is_exe(KAKURI_LIBEXECDIR "/kakuri-init")) {
		*ret = strdup(KAKURI_LIBEXECDIR "/kakuri-init");
		return *ret ? 0 : -ENOMEM;
	}
	return log_error_errno(-ENOENT,
			       "--init: kakuri-init not found (looked for %s, %s and %s): build it with make, or "
			       "install it with make install",
			       next ? next : "kakuri-init next to kakuri", rel ? rel : "../libexec/kakuri/kakuri-init",
			       KAKURI_LIBEXECDIR "/kakuri-init");
}

int ctr_init_wrap_args(char *const *args, char ***ret)
{
	char **v = calloc(1, sizeof(char *));
	if (!v || cu_strv_append(&v, CTR_INIT_DEST) < 0 || cu_strv_append(&v, "--") < 0)
		goto oom;
	for (size_t i = 0; args && args[i]; i++)
		if (cu_strv_append(&v, args[i]) < 0)
			goto oom;
	*ret = v;
	return 0;
oom:
	cu_strv_free(v);
	return log_error_errno(-ENOMEM, "Out of memory");
}

/* ---- landlock ---- */

static const char *const ll_all[] = {
    "execute",	 "write_file", "read_file", "read_dir",	 "remove_dir", "remove_file",
    "make_char", "make_dir",   "make_reg",  "make_sock", "make_fifo",  "make_block",
    "make_sym",	 "refer",      "truncate",  "ioctl_dev", NULL,
};
static const char *const ll_ro[] = {"execute", "read_file", "read_dir", NULL};

static json_object *strv_json(const char *const *v)
{
	return ju_strv((char *const *)v);
}

static int landlock_file(const char *path, json_object **ret)
{
	cleanup_free char *data = NULL;
	int r = fs_read_file_at(AT_FDCWD, path, 1u << 20, &data, NULL);
	if (r < 0)
		return log_error_errno(r, "--security-opt landlock=%s: %m", path);
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_object *o = json_tokener_parse_ex(tok, data, (int)strlen(data));
	enum json_tokener_error e = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (!o || e != json_tokener_success || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return log_error_errno(
		    -EINVAL,
		    "--security-opt landlock=%s: not a JSON object (%s); expected the linux.landlock "
		    "object: {\"ruleset\": {\"handledAccessFS\": […]}, \"rules\": {\"pathBeneath\": […]}}",
		    path, e != json_tokener_success ? json_tokener_error_desc(e) : "wrong type");
	}
	*ret = o;
	return 0;
}

int ctr_spec_landlock(const struct ctr_opts *o, json_object *linux_)
{
	const char *v = o->landlock;
	if (!v || STREQ(v, "unconfined"))
		return 0;
	if (v[0] == '/' || v[0] == '.') {
		json_object *ll = NULL;
		int r = landlock_file(v, &ll);
		if (r < 0)
			return r;
		json_object_object_add(linux_, "landlock", ll);
		return 0;
	}
	cleanup_strv char **rules = cu_strv_split(v, ',');
	if (!rules)
		return -ENOMEM;
	json_object *ll = json_object_new_object();
	json_object *rs = ju_obj(ll, "ruleset");
	json_object_object_add(rs, "handledAccessFS", strv_json(ll_all));
	json_object *pb = ju_arr(ju_obj(ll, "rules"), "pathBeneath");
	for (size_t i = 0; rules[i]; i++) {
		cleanup_strv char **parts = cu_strv_split(rules[i], ':');
		const char *const *access = NULL;
		if (parts && parts[0] && STREQ(parts[0], "ro"))
			access = ll_ro;
		else if (parts && parts[0] && STREQ(parts[0], "rw"))
			access = ll_all;
		if (!access || !parts[1]) {
			json_object_put(ll);
			return log_error_errno(-EINVAL,
					       "--security-opt landlock=%s: '%s': expected ro:PATH[:PATH…] or "
					       "rw:PATH[:PATH…] (rules separated by ','), unconfined, or a JSON FILE",
					       v, rules[i]);
		}
		for (size_t k = 1; parts[k]; k++)
			if (parts[k][0] != '/') {
				json_object_put(ll);
				return log_error_errno(-EINVAL,
						       "--security-opt landlock=%s: '%s' is not an absolute path "
						       "inside the container",
						       v, parts[k]);
			}
		json_object *rule = json_object_new_object();
		json_object_object_add(rule, "allowedAccess", strv_json(access));
		json_object_object_add(rule, "paths", ju_strv(parts + 1));
		json_object_array_add(pb, rule);
	}
	json_object_object_add(linux_, "landlock", ll);
	return 0;
}
