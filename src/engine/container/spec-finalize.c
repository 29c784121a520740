/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The start-time part of config.json: the user resolved in the mounted image, its
 * groups, HOME and capabilities, the terminal size, the working directory. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/container/spec-internal.h"
#include "engine/container/spec-userns.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/path.h"

/* ---- at start ---- */

int ctr_spec_load_process(const char *config_path, json_object **ret)
{
	cleanup_free char *data = NULL;
	int r = fs_read_file_at(AT_FDCWD, config_path, 64u << 20, &data, NULL);
	if (r < 0)
		return log_error_errno(r, "Cannot read %s: %m", config_path);
	cleanup_json json_object *o = json_tokener_parse(data);
	json_object *p;
	if (!o || !json_object_object_get_ex(o, "process", &p))
		return log_error_errno(-EBADMSG, "%s: no process object", config_path);
	*ret = json_object_get(p);
	return 0;
}

int ctr_spec_finalize(const char *config_path, int rootfd, const struct ctr_record *rec, unsigned rows, unsigned cols,
		      char **ret_err)
{
	cleanup_free char *data = NULL;
	struct ctr_user u = {0};
	int r = fs_read_file_at(AT_FDCWD, config_path, 64u << 20, &data, NULL);
	if (r < 0)
		return log_error_errno(r, "Cannot read %s: %m", config_path);
	cleanup_json json_object *o = json_tokener_parse(data);
	json_object *proc;
	if (!o || !json_object_object_get_ex(o, "process", &proc))
		return log_error_errno(-EBADMSG, "%s: no process object", config_path);
	if (rec->idshift) {
		/* Before the user lookup: it needs nothing of the owners, the chown needs the
		 * image as it was (spec-userns.h). */
		r = ctr_rootfs_idshift(config_path, rootfd, o);
		if (r < 0)
			return r;
	}
	r = ctr_user_resolve(rootfd, rec->user, rec->group_add, &u, ret_err);
	if (r < 0)
		return r;
	json_object *user = ju_obj(proc, "user");
	json_object_object_add(user, "uid", json_object_new_int64(u.uid));
	json_object_object_add(user, "gid", json_object_new_int64(u.gid));
	json_object *g = json_object_new_array();
	for (size_t i = 0; i < u.n_groups; i++)
		json_object_array_add(g, json_object_new_int64(u.groups[i]));
	if (u.n_groups)
		json_object_object_add(user, "additionalGids", g);
	else {
		json_object_put(g);
		json_object_object_del(user, "additionalGids");
	}
	if (!rec->home_set) {
		json_object *env = ju_arr(proc, "env");
		cleanup_free char *kv = NULL;
		if (asprintf(&kv, "HOME=%s", u.home) < 0) {
			ctr_user_clear(&u);
			return -ENOMEM;
		}
		bool done = false;
		for (size_t i = 0; i < json_object_array_length(env); i++) {
			const char *e = json_object_get_string(json_object_array_get_idx(env, i));
			if (e && strncmp(e, "HOME=", 5) == 0) {
				json_object_array_put_idx(env, i, json_object_new_string(kv));
				done = true;
			}
		}
		if (!done)
			json_object_array_add(env, json_object_new_string(kv));
	}
	/* The runtime sizes the pty before the process starts: no window where it sees 0x0. */
	if (rec->tty && rows > 0 && cols > 0) {
		json_object *cs = ju_obj(proc, "consoleSize");
		json_object_object_add(cs, "height", json_object_new_int(rows));
		json_object_object_add(cs, "width", json_object_new_int(cols));
	} else if (rows == 0) {
		json_object_object_del(proc, "consoleSize");
	}
	/* A non-root user: effective and permitted are what was added by name; those are also
	 * made inheritable and ambient so they survive the exec of a non-root process. */
	json_object *caps;
	if (u.uid != 0 && json_object_object_get_ex(proc, "capabilities", &caps)) {
		json_object_object_add(caps, "effective", ju_strv(rec->caps_nonroot));
		json_object_object_add(caps, "permitted", ju_strv(rec->caps_nonroot));
		if (rec->caps_nonroot && rec->caps_nonroot[0]) {
			json_object_object_add(caps, "inheritable", ju_strv(rec->caps_nonroot));
			json_object_object_add(caps, "ambient", ju_strv(rec->caps_nonroot));
		}
	}
	/* The working directory is created when the image lacks it (podman does too). */
	const char *cwd = ju_str(proc, "cwd");
	if (cwd && !STREQ(cwd, "/")) {
		int fd = path_open_in_root(rootfd, cwd, O_PATH | O_DIRECTORY, 0);
		if (fd == -ENOENT)
			fd = path_mkdir_p_in_root(rootfd, cwd, 0755);
		if (fd < 0) {
			ctr_user_clear(&u);
			if (asprintf(ret_err, "workdir %s: %s", cwd, strerror(-fd)) < 0)
				*ret_err = NULL;
			return fd;
		}
		close(fd);
	}
	ctr_user_clear(&u);
	return ctr_spec_write_json(config_path, o);
}
