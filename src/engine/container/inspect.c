/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "inspect.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/container/spec-network.h"
#include "engine/container/util.h"
#include "engine/image/rootfs.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

static json_object *time_str(int64_t ns)
{
	char b[64];
	if (ns <= 0)
		return json_object_new_string("0001-01-01T00:00:00Z");
	cu_fmt_rfc3339(ns, b);
	return json_object_new_string(b);
}

static json_object *jget(json_object *o, const char *path)
{
	cleanup_free char *p = strdup(path);
	char *save = NULL;
	for (char *k = p ? strtok_r(p, ".", &save) : NULL; k && o; k = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, k, &o))
			return NULL;
	return o;
}

static json_object *copy(json_object *o)
{
	return o ? json_object_get(o) : NULL;
}

/* The user mounts (binds and tmpfs that are not the standard ones). */
static json_object *mounts_of(json_object *cfg)
{
	static const char *const std[] = {"/proc", "/dev",	     "/dev/pts",   "/dev/shm",	    "/dev/mqueue",
					  "/sys",  "/sys/fs/cgroup", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf"};
	json_object *out = json_object_new_array(), *m = jget(cfg, "mounts");
	for (size_t i = 0; m && i < json_object_array_length(m); i++) {
		json_object *e = json_object_array_get_idx(m, i);
		const char *dst = ju_str(e, "destination");
		bool standard = false;
		for (size_t k = 0; dst && k < ELEMENTSOF(std); k++)
			standard |= STREQ(dst, std[k]);
		if (!dst || standard)
			continue;
		json_object *x = json_object_new_object(), *opts = jget(e, "options");
		bool rw = true;
		for (size_t k = 0; opts && k < json_object_array_length(opts); k++)
			if (STREQ(json_object_get_string(json_object_array_get_idx(opts, k)), "ro"))
				rw = false;
		ju_add_str(x, "Type", ju_str(e, "type"));
		ju_add_str(x, "Source", ju_str(e, "source"));
		ju_add_str(x, "Destination", dst);
		json_object_object_add(x, "Options", copy(opts));
		json_object_object_add(x, "RW", json_object_new_boolean(rw));
		json_object_array_add(out, x);
	}
	return out;
}

int ctr_inspect_json(struct store *s, const struct ctr_record *rec, json_object **ret)
{
	enum ctr_status st = ctr_status(rec);
	cleanup_free char *ud = ctr_path(s, rec->id, "userdata"), *cfgpath = NULL, *data = NULL;
	if (!ud || asprintf(&cfgpath, "%s/config.json", ud) < 0)
		return -ENOMEM;
	cleanup_json json_object *cfg = NULL;
	if (fs_read_file_at(AT_FDCWD, cfgpath, 64u << 20, &data, NULL) == 0)
		cfg = json_tokener_parse(data);
	json_object *o = json_object_new_object(), *state = json_object_new_object(), *c = json_object_new_object(),
		    *hc = json_object_new_object();
	char buf[4200];

	ju_add_str(o, "Id", rec->id);
	json_object_object_add(o, "Created", time_str(rec->created));
	ju_add_str(o, "Path", rec->command && rec->command[0] ? rec->command[0] : "");
	json_object *args = json_object_new_array();
	for (size_t i = 1; rec->command && rec->command[0] && rec->command[i]; i++)
		json_object_array_add(args, json_object_new_string(rec->command[i]));
	json_object_object_add(o, "Args", args);

	ju_add_str(state, "OciVersion", "1.2.0");
	ju_add_str(state, "Status", ctr_status_name(st));
	json_object_object_add(state, "Running", json_object_new_boolean(st == CTR_STATUS_RUNNING));
	json_object_object_add(state, "Paused", json_object_new_boolean(false));
	json_object_object_add(state, "Restarting", json_object_new_boolean(false));
	json_object_object_add(state, "OOMKilled", json_object_new_boolean(false));
	json_object_object_add(state, "Dead", json_object_new_boolean(false));
	json_object_object_add(state, "Pid", json_object_new_int(st == CTR_STATUS_RUNNING ? rec->pid : 0));
	json_object_object_add(state, "ConmonPid", json_object_new_int(ctr_monitor_alive(rec) ? rec->monitor_pid : 0));
	json_object_object_add(state, "ExitCode",
			       json_object_new_int(rec->state == CTR_EXITED  ? rec->exit_code
						   : st == CTR_STATUS_EXITED ? -1
									     : 0));
	ju_add_str(state, "Error", rec->error ? rec->error : "");
	json_object_object_add(state, "StartedAt", time_str(rec->started_at));
	json_object_object_add(state, "FinishedAt", time_str(rec->finished_at));
	json_object_object_add(o, "State", state);
	json_object_object_add(o, "NetworkSettings", ctr_net_inspect(rec, st == CTR_STATUS_RUNNING));

	ju_add_str(o, "Image", rec->image_id);
	ju_add_str(o, "ImageName", rec->image_name ? rec->image_name : rec->image);
	snprintf(buf, sizeof(buf), "%s/resolv.conf", ud);
	ju_add_str(o, "ResolvConfPath", buf);
	snprintf(buf, sizeof(buf), "%s/hostname", ud);
	ju_add_str(o, "HostnamePath", buf);
	snprintf(buf, sizeof(buf), "%s/hosts", ud);
	ju_add_str(o, "HostsPath", buf);
	snprintf(buf, sizeof(buf), "%s/ctr.log", ud);
	ju_add_str(o, "LogPath", buf);
	ju_add_str(o, "Name", rec->name);
	json_object_object_add(o, "RestartCount", json_object_new_int(rec->restart_count));
	struct image_rootfs_info info = {0};
	if (image_rootfs_get(s, rec->id, &info) == 0) {
		json_object *gd = json_object_new_object(), *gdd = json_object_new_object();
		ju_add_str(gd, "Name", rootfs_driver_name(info.driver));
		ju_add_str(gdd, "MergedDir", info.path);
		json_object_object_add(gd, "Data", gdd);
		json_object_object_add(o, "GraphDriver", gd);
		ju_add_str(o, "Driver", rootfs_driver_name(info.driver));
		image_rootfs_info_clear(&info);
	}
	json_object_object_add(o, "EffectiveCaps", copy(jget(cfg, "process.capabilities.effective")));
	json_object_object_add(o, "BoundingCaps", copy(jget(cfg, "process.capabilities.bounding")));
	json_object_object_add(o, "Mounts", mounts_of(cfg));
	ju_add_str(o, "OCIRuntime", rec->runtime);
	snprintf(buf, sizeof(buf), "%s/config.json", ud);
	ju_add_str(o, "OCIConfigPath", buf);
	json_object_object_add(o, "Rootless", json_object_new_boolean(rec->rootless));

	ju_add_str(c, "Hostname", rec->hostname);
	ju_add_str(c, "User", rec->user ? rec->user : "");
	json_object_object_add(c, "Env", copy(jget(cfg, "process.env")));
	json_object_object_add(c, "Cmd", ju_strv(rec->command));
	ju_add_str(c, "Image", rec->image_name ? rec->image_name : rec->image);
	ju_add_str(c, "WorkingDir", ju_str(jget(cfg, "process"), "cwd"));
	json_object_object_add(c, "Tty", json_object_new_boolean(rec->tty));
	json_object_object_add(c, "OpenStdin", json_object_new_boolean(rec->stdin_open));
	ju_add_str(c, "StopSignal", rec->stop_signal);
	json_object_object_add(c, "StopTimeout", json_object_new_int(rec->stop_timeout));
	json_object_object_add(c, "Annotations", copy(jget(cfg, "annotations")));
	json_object_object_add(o, "Config", c);

	json_object_object_add(hc, "Privileged", json_object_new_boolean(rec->privileged));
	json_object_object_add(hc, "ReadonlyRootfs", json_object_new_boolean(rec->read_only));
	json_object_object_add(hc, "AutoRemove", json_object_new_boolean(rec->auto_remove));
	ju_add_str(hc, "NetworkMode", rec->network);
	json_object_object_add(hc, "PortBindings", ctr_net_port_bindings(rec));
	ju_add_str(hc, "UsernsMode", rec->userns);
	json_object *seccomp = jget(cfg, "linux.seccomp");
	json_object *secopt = json_object_new_array();
	if (!seccomp)
		json_object_array_add(secopt, json_object_new_string("seccomp=unconfined"));
	if (!json_object_get_boolean(jget(cfg, "process.noNewPrivileges")))
		json_object_array_add(secopt, json_object_new_string("no-new-privileges=false"));
	json_object_object_add(hc, "SecurityOpt", secopt);
	json_object_object_add(hc, "Memory",
			       json_object_new_int64(json_object_get_int64(jget(cfg, "linux.resources.memory.limit"))));
	json_object_object_add(hc, "PidsLimit",
			       json_object_new_int64(json_object_get_int64(jget(cfg, "linux.resources.pids.limit"))));
	json_object_object_add(hc, "CpuQuota",
			       json_object_new_int64(json_object_get_int64(jget(cfg, "linux.resources.cpu.quota"))));
	json_object_object_add(hc, "Ulimits", copy(jget(cfg, "process.rlimits")));
	json_object_object_add(hc, "Sysctls", copy(jget(cfg, "linux.sysctl")));
	json_object_object_add(hc, "MaskedPaths", copy(jget(cfg, "linux.maskedPaths")));
	json_object_object_add(hc, "ReadonlyPaths", copy(jget(cfg, "linux.readonlyPaths")));
	json_object_object_add(o, "HostConfig", hc);
	*ret = o;
	return 0;
}

/* ---- templates ---- */

static int render_value(json_object *v, bool as_json, char **out, size_t *len, size_t *cap)
{
	const char *s;
	if (!v)
		s = as_json ? "null" : "<no value>";
	else if (!as_json && json_object_is_type(v, json_type_string))
		s = json_object_get_string(v);
	else
		s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = strlen(s);
	if (*len + n + 1 > *cap) {
		size_t nc = (*len + n + 1) * 2;
		char *x = realloc(*out, nc);
		if (!x)
			return -ENOMEM;
		*out = x;
		*cap = nc;
	}
	memcpy(*out + *len, s, n);
	*len += n;
	(*out)[*len] = 0;
	return 0;
}

int ctr_template_render(const char *t, json_object *o, char **ret)
{
	size_t len = 0, cap = strlen(t) + 64;
	char *out = malloc(cap);
	if (!out)
		return -ENOMEM;
	out[0] = 0;
	while (*t) {
		const char *open = strstr(t, "{{");
		size_t lit = open ? (size_t)(open - t) : strlen(t);
		/* Literal text, with Go's \n and \t escapes as the shell passes them. */
		for (size_t i = 0; i < lit; i++) {
			char ch = t[i];
			if (ch == '\\' && i + 1 < lit && (t[i + 1] == 'n' || t[i + 1] == 't')) {
				ch = t[i + 1] == 'n' ? '\n' : '\t';
				i++;
			}
			char one[2] = {ch, 0};
			json_object *tmp = json_object_new_string(one);
			render_value(tmp, false, &out, &len, &cap);
			json_object_put(tmp);
		}
		if (!open)
			break;
		const char *close = strstr(open, "}}");
		if (!close) {
			free(out);
			return -EINVAL;
		}
		cleanup_free char *act = strndup(open + 2, (size_t)(close - open - 2));
		if (!act) {
			free(out);
			return -ENOMEM;
		}
		char *a = act;
		while (isspace((unsigned char)*a) || *a == '-')
			a++;
		char *e = a + strlen(a);
		while (e > a && (isspace((unsigned char)e[-1]) || e[-1] == '-'))
			*--e = 0;
		bool as_json = false;
		if (strncmp(a, "json ", 5) == 0) {
			as_json = true;
			a += 5;
			while (isspace((unsigned char)*a))
				a++;
		}
		if (a[0] != '.') {
			free(out);
			return -EINVAL;
		}
		json_object *v = a[1] ? jget(o, a + 1) : o;
		if (render_value(v, as_json, &out, &len, &cap) < 0) {
			free(out);
			return -ENOMEM;
		}
		t = close + 2;
	}
	*ret = out;
	return 0;
}
