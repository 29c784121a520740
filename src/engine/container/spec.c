/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.json generation. The sections follow the runtime-spec's order: process (args,
 * env, caps, rlimits), root, hostname, mounts, linux (namespaces, id maps, devices,
 * resources, sysctls, masks, seccomp). */
#include "spec.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <json-c/printbuf.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engine/container/spec-internal.h"
#include "engine/container/spec-mounts.h"
#include "engine/container/spec-network.h"
#include "engine/container/spec-opts.h"
#include "engine/container/spec-userns.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/sha256.h"
#include "oci/seccomp-profile.h"
#include "runtime/caps.h"

void ctr_opts_clear(struct ctr_opts *o)
{
	free(o->image);
	cu_strv_free(o->cmd);
	free(o->entrypoint);
	free(o->name);
	cu_strv_free(o->env);
	cu_strv_free(o->env_files);
	cu_strv_free(o->labels);
	cu_strv_free(o->annotations);
	free(o->workdir);
	free(o->user);
	free(o->hostname);
	cu_strv_free(o->group_add);
	cu_strv_free(o->cap_add);
	cu_strv_free(o->cap_drop);
	free(o->seccomp);
	cu_strv_free(o->mask);
	cu_strv_free(o->unmask);
	free(o->apparmor);
	free(o->label);
	cu_strv_free(o->volumes);
	cu_strv_free(o->tmpfs);
	cu_strv_free(o->devices);
	cu_strv_free(o->ulimits);
	cu_strv_free(o->sysctls);
	free(o->network);
	free(o->userns);
	free(o->pid_ns);
	free(o->ipc_ns);
	free(o->uts_ns);
	free(o->runtime);
	free(o->stop_signal);
	cu_strv_free(o->uidmap);
	cu_strv_free(o->gidmap);
	free(o->landlock);
	free(o->seccomp_record);
	cu_strv_free(o->publish);
	cu_strv_free(o->dns);
	cu_strv_free(o->dns_search);
	cu_strv_free(o->dns_opt);
	cu_strv_free(o->add_host);
	free(o->mac_address);
	free(o->ip);
	*o = (struct ctr_opts){0};
}

static bool is_all(const char *s)
{
	return strcasecmp(s, "ALL") == 0 || strcasecmp(s, "CAP_ALL") == 0;
}

/* ---- process ---- */

static int env_file_read(const char *path, char ***env)
{
	cleanup_free char *data = NULL;
	int r = fs_read_file_at(AT_FDCWD, path, 16u << 20, &data, NULL);
	if (r < 0)
		return log_error_errno(r, "--env-file %s: %m", path);
	char *save = NULL;
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		while (*line == ' ' || *line == '\t')
			line++;
		size_t l = strlen(line);
		while (l > 0 && (line[l - 1] == '\r'))
			line[--l] = 0;
		if (!*line || *line == '#')
			continue;
		if (*line == '=')
			return log_error_errno(-EINVAL,
					       "--env-file %s: '%s': invalid environment variable: the name is empty",
					       path, line);
		if (!strchr(line, '=')) {
			const char *h = getenv(line);
			if (!h)
				continue;
			cleanup_free char *kv = NULL;
			if (asprintf(&kv, "%s=%s", line, h) < 0 || cu_strv_env_set(env, kv) < 0)
				return -ENOMEM;
		} else if (cu_strv_env_set(env, line) < 0) {
			return -ENOMEM;
		}
	}
	return 0;
}

/* "NAME=value", or "NAME" taken from our own environment (skipped when unset). */
static int env_put(char ***env, const char *e)
{
	if (e[0] == '=') /* docker: "invalid environment variable" */
		return log_error_errno(-EINVAL, "-e '%s': invalid environment variable: the name is empty", e);
	if (strchr(e, '='))
		return cu_strv_env_set(env, e);
	const char *h = getenv(e);
	if (!h)
		return 0;
	cleanup_free char *kv = NULL;
	if (asprintf(&kv, "%s=%s", e, h) < 0)
		return -ENOMEM;
	return cu_strv_env_set(env, kv);
}

/* containers.conf env < image Env < --env-file < -e, as podman orders them. */
static int build_env(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, const char *hostname, char ***ret)
{
	char **env = calloc(1, sizeof(char *));
	int r = env ? 0 : -ENOMEM;
	for (size_t i = 0; r >= 0 && ctx->cfg->env && ctx->cfg->env[i]; i++)
		r = env_put(&env, ctx->cfg->env[i]);
	for (size_t i = 0; r >= 0 && ctx->image->env && ctx->image->env[i]; i++)
		r = strchr(ctx->image->env[i], '=') ? cu_strv_env_set(&env, ctx->image->env[i]) : 0;
	for (size_t i = 0; r >= 0 && o->env_files && o->env_files[i]; i++)
		r = env_file_read(o->env_files[i], &env);
	for (size_t i = 0; r >= 0 && o->env && o->env[i]; i++)
		r = env_put(&env, o->env[i]);
	if (r >= 0 && !cu_strv_env_get(env, "HOSTNAME")) {
		cleanup_free char *kv = NULL;
		r = asprintf(&kv, "HOSTNAME=%s", hostname) < 0 ? -ENOMEM : cu_strv_env_set(&env, kv);
	}
	if (r >= 0 && !cu_strv_env_get(env, "container"))
		r = cu_strv_env_set(&env, "container=kakuri");
	if (r >= 0 && !cu_strv_env_get(env, "PATH"))
		r = cu_strv_env_set(&env, "PATH=" ENGINE_CONFIG_DEFAULT_PATH);
	if (r < 0) {
		cu_strv_free(env);
		return r == -ENOMEM ? log_error_errno(r, "Out of memory") : r;
	}
	*ret = env;
	return 0;
}

/* --entrypoint: a JSON array, or one word; "" clears it. */
static int parse_entrypoint(const char *s, char ***ret)
{
	if (s[0] == '[') {
		cleanup_json json_object *a = json_tokener_parse(s);
		if (a && json_object_is_type(a, json_type_array)) {
			char **v = calloc(1, sizeof(char *));
			for (size_t i = 0; v && i < json_object_array_length(a); i++) {
				json_object *e = json_object_array_get_idx(a, i);
				if (!json_object_is_type(e, json_type_string)) {
					cu_strv_free(v);
					return log_error_errno(
					    -EINVAL, "--entrypoint '%s': expected a JSON array of strings", s);
				}
				if (cu_strv_append(&v, json_object_get_string(e)) < 0) {
					cu_strv_free(v);
					v = NULL;
				}
			}
			if (!v)
				return -ENOMEM;
			*ret = v;
			return 0;
		}
	}
	char **v = calloc(1, sizeof(char *));
	if (!v || (*s && cu_strv_append(&v, s) < 0)) {
		cu_strv_free(v);
		return -ENOMEM;
	}
	*ret = v;
	return 0;
}

static int build_args(const struct ctr_opts *o, const struct ctr_image *im, char ***ret)
{
	cleanup_strv char **ep = NULL;
	char **args = calloc(1, sizeof(char *));
	if (!args)
		return -ENOMEM;
	int r = 0;
	if (o->entrypoint)
		r = parse_entrypoint(o->entrypoint, &ep);
	else
		ep = cu_strv_copy_of(im->entrypoint);
	if (r < 0 || !ep) {
		cu_strv_free(args);
		return r < 0 ? r : -ENOMEM;
	}
	/* A new entrypoint drops the image's Cmd (docker semantics). */
	char *const *cmd = o->cmd && o->cmd[0] ? o->cmd : o->entrypoint ? NULL : im->cmd;
	for (size_t i = 0; ep[i]; i++)
		if (cu_strv_append(&args, ep[i]) < 0)
			goto oom;
	for (size_t i = 0; cmd && cmd[i]; i++)
		if (cu_strv_append(&args, cmd[i]) < 0)
			goto oom;
	if (!args[0]) {
		cu_strv_free(args);
		return log_error_errno(-EINVAL,
				       "no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
	}
	*ret = args;
	return 0;
oom:
	cu_strv_free(args);
	return log_error_errno(-ENOMEM, "Out of memory");
}

static const struct {
	const char *name;
	const char *rlimit;
} ulimit_names[] = {
    {"core", "RLIMIT_CORE"},	     {"cpu", "RLIMIT_CPU"},
    {"data", "RLIMIT_DATA"},	     {"fsize", "RLIMIT_FSIZE"},
    {"locks", "RLIMIT_LOCKS"},	     {"memlock", "RLIMIT_MEMLOCK"},
    {"msgqueue", "RLIMIT_MSGQUEUE"}, {"nice", "RLIMIT_NICE"},
    {"nofile", "RLIMIT_NOFILE"},     {"nproc", "RLIMIT_NPROC"},
    {"rss", "RLIMIT_RSS"},	     {"rtprio", "RLIMIT_RTPRIO"},
    {"rttime", "RLIMIT_RTTIME"},     {"sigpending", "RLIMIT_SIGPENDING"},
    {"stack", "RLIMIT_STACK"},	     {"as", "RLIMIT_AS"},
};

static int rlimit_value(const char *s, uint64_t *ret)
{
	char *end;
	if (STREQ(s, "-1") || strcasecmp(s, "unlimited") == 0) {
		*ret = UINT64_MAX;
		return 0;
	}
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || *end || errno || *s == '-')
		return -EINVAL;
	*ret = v;
	return 0;
}

static void rlimit_put(json_object *arr, const char *type, uint64_t soft, uint64_t hard)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		if (STREQ(ju_str(e, "type"), type)) {
			json_object_object_add(e, "soft", json_object_new_uint64(soft));
			json_object_object_add(e, "hard", json_object_new_uint64(hard));
			return;
		}
	}
	json_object *e = json_object_new_object();
	ju_add_str(e, "type", type);
	json_object_object_add(e, "hard", json_object_new_uint64(hard));
	json_object_object_add(e, "soft", json_object_new_uint64(soft));
	json_object_array_add(arr, e);
}

static int build_rlimits(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, json_object *proc)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < ctx->cfg->n_default_ulimits; i++)
		rlimit_put(arr, ctx->cfg->default_ulimits[i].type, ctx->cfg->default_ulimits[i].soft,
			   ctx->cfg->default_ulimits[i].hard);
	for (size_t i = 0; o->ulimits && o->ulimits[i]; i++) {
		const char *u = o->ulimits[i], *eq = strchr(u, '=');
		const char *type = NULL;
		uint64_t soft, hard;
		for (size_t k = 0; eq && k < ELEMENTSOF(ulimit_names); k++)
			if (strlen(ulimit_names[k].name) == (size_t)(eq - u) &&
			    strncmp(u, ulimit_names[k].name, (size_t)(eq - u)) == 0)
				type = ulimit_names[k].rlimit;
		cleanup_free char *vals = eq ? strdup(eq + 1) : NULL;
		char *colon = vals ? strchr(vals, ':') : NULL;
		if (colon)
			*colon = 0;
		if (!type || !vals || rlimit_value(vals, &soft) < 0 ||
		    rlimit_value(colon ? colon + 1 : vals, &hard) < 0 || (hard != UINT64_MAX && soft > hard)) {
			json_object_put(arr);
			return log_error_errno(
			    -EINVAL,
			    "--ulimit '%s': expected NAME=SOFT[:HARD] with SOFT <= HARD (NAME: nofile, nproc, core, …)",
			    u);
		}
		rlimit_put(arr, type, soft, hard);
	}
	if (json_object_array_length(arr) > 0)
		json_object_object_add(proc, "rlimits", arr);
	else
		json_object_put(arr);
	return 0;
}

/* ---- files the container gets from us ---- */

/* write_etc_files: the network-dependent /etc files are spec-network.c's. */

/* ---- linux ---- */

static const char *const masked_default[] = {
    "/proc/acpi",	 "/proc/asound",
    "/proc/interrupts",	 "/proc/kcore",
    "/proc/keys",	 "/proc/latency_stats",
    "/proc/sched_debug", "/proc/scsi",
    "/proc/timer_list",	 "/proc/timer_stats",
    "/sys/firmware",	 "/sys/devices/virtual/powercap",
    "/sys/fs/selinux",	 NULL,
};
static const char *const readonly_default[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* --security-opt mask=A:B adds, unmask=ALL|A:B removes (from both lists, as podman does). */
static void build_masks(const struct ctr_opts *o, json_object *linux_)
{
	cleanup_strv char **masked = NULL, **ro = NULL;
	if (!o->privileged) {
		masked = cu_strv_copy_of((char *const *)masked_default);
		ro = cu_strv_copy_of((char *const *)readonly_default);
	} else {
		masked = calloc(1, sizeof(char *));
		ro = calloc(1, sizeof(char *));
	}
	if (!masked || !ro)
		return;
	for (size_t i = 0; o->mask && o->mask[i]; i++) {
		cleanup_strv char **parts = cu_strv_split(o->mask[i], ':');
		for (size_t k = 0; parts && parts[k]; k++)
			if (parts[k][0] == '/' && !cu_strv_contains(masked, parts[k]))
				cu_strv_append(&masked, parts[k]);
	}
	for (size_t i = 0; o->unmask && o->unmask[i]; i++) {
		if (STREQ(o->unmask[i], "ALL")) {
			cu_strv_free(masked);
			cu_strv_free(ro);
			masked = calloc(1, sizeof(char *));
			ro = calloc(1, sizeof(char *));
			if (!masked || !ro)
				return;
			continue;
		}
		cleanup_strv char **parts = cu_strv_split(o->unmask[i], ':');
		for (size_t k = 0; parts && parts[k]; k++) {
			cu_strv_remove(masked, parts[k]);
			cu_strv_remove(ro, parts[k]);
		}
	}
	json_object_object_add(linux_, "maskedPaths", ju_strv(masked));
	json_object_object_add(linux_, "readonlyPaths", ju_strv(ro));
}

static void add_ns(json_object *arr, const char *type)
{
	json_object *n = json_object_new_object();
	ju_add_str(n, "type", type);
	json_object_array_add(arr, n);
}

/* Is sysctl key namespaced by a namespace we give the container its own copy of? */
static bool sysctl_allowed(const char *key, bool netns, bool ipcns, bool utsns)
{
	if (strncmp(key, "net.", 4) == 0)
		return netns;
	if (strncmp(key, "fs.mqueue.", 10) == 0 || STREQ(key, "kernel.msgmax") || STREQ(key, "kernel.msgmnb") ||
	    STREQ(key, "kernel.msgmni") || STREQ(key, "kernel.sem") || STREQ(key, "kernel.shmall") ||
	    STREQ(key, "kernel.shmmax") || STREQ(key, "kernel.shmmni") || STREQ(key, "kernel.shm_rmid_forced"))
		return ipcns;
	if (STREQ(key, "kernel.hostname") || STREQ(key, "kernel.domainname"))
		return utsns;
	return false;
}

static int build_sysctls(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, json_object *linux_, bool netns,
			 bool ipcns, bool utsns)
{
	json_object *s = json_object_new_object();
	for (size_t i = 0; ctx->cfg->default_sysctls && ctx->cfg->default_sysctls[i]; i++) {
		const char *kv = ctx->cfg->default_sysctls[i], *eq = strchr(kv, '=');
		if (!eq)
			continue;
		cleanup_free char *k = strndup(kv, (size_t)(eq - kv));
		/* Defaults only where they are namespaced (podman skips net.* with the host's
		 * network, for instance). */
		if (k && sysctl_allowed(k, netns, ipcns, utsns))
			json_object_object_add(s, k, json_object_new_string(eq + 1));
	}
	for (size_t i = 0; o->sysctls && o->sysctls[i]; i++) {
		const char *kv = o->sysctls[i], *eq = strchr(kv, '=');
		if (!eq || eq == kv) {
			json_object_put(s);
			return log_error_errno(-EINVAL, "--sysctl '%s': expected NAME=VALUE", kv);
		}
		cleanup_free char *k = strndup(kv, (size_t)(eq - kv));
		if (!k)
			return -ENOMEM;
		if (!sysctl_allowed(k, netns, ipcns, utsns)) {
			json_object_put(s);
			return log_error_errno(
			    -EINVAL,
			    "--sysctl '%s': not allowed: only sysctls of a namespace the container has "
			    "its own copy of (net.* without --network host, kernel.shm*/msg*/sem, fs.mqueue.*)",
			    kv);
		}
		json_object_object_add(s, k, json_object_new_string(eq + 1));
	}
	if (json_object_object_length(s) > 0)
		json_object_object_add(linux_, "sysctl", s);
	else
		json_object_put(s);
	return 0;
}

static int build_resources(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, json_object *linux_,
			   json_object *devices_rules)
{
	json_object *res = json_object_new_object();
	json_object_object_add(res, "devices", devices_rules);
	if (o->memory > 0) {
		json_object *m = ju_obj(res, "memory");
		json_object_object_add(m, "limit", json_object_new_int64(o->memory));
	}
	int64_t pids = o->has_pids_limit ? o->pids_limit : 0;
	/* The containers.conf default only where a cgroup can enforce it: rootless containers on
	 * this kind of host usually get no cgroup at all (the runtime warns), and an explicit
	 * limit is then an error the user should see, the default is not. */
	if (!o->has_pids_limit && !ctx->rootless)
		pids = ctx->cfg->pids_limit;
	if (pids > 0) {
		json_object *p = ju_obj(res, "pids");
		json_object_object_add(p, "limit", json_object_new_int64(pids));
	}
	if (o->cpus > 0) {
		json_object *c = ju_obj(res, "cpu");
		json_object_object_add(c, "quota", json_object_new_int64((int64_t)(o->cpus * 100000 + 0.5)));
		json_object_object_add(c, "period", json_object_new_int64(100000));
	}
	json_object_object_add(linux_, "resources", res);
	return 0;
}

/* ---- the whole spec ---- */

static json_object *caps_obj(char *const *bounding, char *const *eff)
{
	json_object *c = json_object_new_object();
	json_object_object_add(c, "bounding", ju_strv(bounding));
	json_object_object_add(c, "effective", ju_strv(eff));
	json_object_object_add(c, "permitted", ju_strv(eff));
	return c;
}

int ctr_spec_write_json(const char *path, json_object *o)
{
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB |
								 JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		return -ENOMEM;
	int r = fs_write_atomic(path, text, strlen(text), 0600);
	if (r < 0)
		return log_error_errno(r, "Failed to write %s: %m", path);
	return 0;
}

int ctr_spec_build(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, struct ctr_record *rec)
{
	cleanup_json json_object *root = json_object_new_object();
	cleanup_strv char **args = NULL, **env = NULL, **caps = NULL, **nonroot = NULL;
	cleanup_free char *hostname = NULL, *config_path = NULL;
	const char *bad = NULL;
	struct ctr_net net CLEANUP(ctr_net_clear) = {0};
	const char *userns = o->userns ? o->userns : ctx->cfg->userns ? ctx->cfg->userns : "host";
	int r;

	r = ctr_net_decide(o, ctx, &net);
	if (r < 0)
		return r;
	bool host_net = net.mode == NET_MODE_HOST;
	if (STREQ(userns, "private") || STREQ(userns, ""))
		userns = "host";
	/* The user namespace modes are spec-userns.c's. */
	const char *const nsopts[] = {o->pid_ns, o->ipc_ns, o->uts_ns};
	const char *const nsnames[] = {"--pid", "--ipc", "--uts"};
	bool ns_join = false;
	for (size_t i = 0; i < ELEMENTSOF(nsopts); i++) {
		if (nsopts[i] && !STREQ(nsopts[i], "host") && !STREQ(nsopts[i], "private") &&
		    !ctr_ns_is_container(nsopts[i]))
			return log_error_errno(-EINVAL, "%s %s: expected host, private or container:NAME", nsnames[i],
					       nsopts[i]);
		ns_join |= ctr_ns_is_container(nsopts[i]);
	}
	bool userns_maps = o->uidmap || o->gidmap;
	if (ns_join && ctx->rootless && (!STREQ(userns, "host") || userns_maps))
		return log_error_errno(
		    -EINVAL, "--userns/--uidmap/--gidmap cannot be combined with --pid/--ipc/--uts container:NAME "
			     "rootless: the container joins NAME's user namespace");
	if (o->hostname && ctr_ns_is_container(o->uts_ns))
		return log_error_errno(
		    -EINVAL, "--hostname cannot be set with --uts %s: the hostname is that container's", o->uts_ns);
	/* Rootful with a user namespace of its own: the mounts a user namespace cannot make
	 * (cgroup v1, procfs of the host's pid namespace, device nodes) are binds, as rootless. */
	bool rootful_userns =
	    !ctx->rootless && (STREQ(userns, "auto") || strncmp(userns, "auto:", 5) == 0 || userns_maps);

	/* hostname: --hostname, the host's with --network host (podman), else the short ID. */
	if (o->hostname)
		hostname = strdup(o->hostname);
	else if (ctr_ns_is_container(o->uts_ns)) {
		r = ctr_ns_join_hostname(ctx, o->uts_ns, &hostname);
		if (r < 0)
			return r;
	} else if (host_net || (o->uts_ns && STREQ(o->uts_ns, "host"))) {
		char h[HOST_NAME_MAX + 1] = "";
		gethostname(h, sizeof(h));
		hostname = strdup(h);
	} else
		hostname = strndup(ctx->id, 12);
	if (!hostname)
		return -ENOMEM;

	r = build_args(o, ctx->image, &args);
	if (r < 0)
		return r;
	/* --init: kakuri-init as pid 1 in config.json; the record keeps the command itself. */
	cleanup_free char *init_path = NULL;
	cleanup_strv char **init_args = NULL;
	if (o->init || ctx->cfg->init) {
		r = ctr_init_find(&init_path);
		if (r >= 0)
			r = ctr_init_wrap_args(args, &init_args);
		if (r < 0)
			return r;
	}
	r = build_env(o, ctx, hostname, &env);
	if (r < 0)
		return r;

	/* Capabilities: the containers.conf default (or all when privileged), then add/drop. */
	cleanup_strv char **base = o->privileged ? ctr_caps_all() : cu_strv_copy_of(ctx->cfg->default_capabilities);
	if (!base)
		return -ENOMEM;
	r = ctr_caps_compute(base, o->cap_add, o->cap_drop, &caps, &bad);
	if (r == -EINVAL)
		return log_error_errno(r, "unknown capability '%s' (--cap-add/--cap-drop)", bad);
	if (r < 0)
		return r;
	/* A non-root user gets only what was added by name (podman: as ambient too). */
	{
		cleanup_strv char **empty = calloc(1, sizeof(char *));
		bool add_all = false;
		if (!empty)
			return -ENOMEM;
		for (size_t i = 0; o->cap_add && o->cap_add[i]; i++)
			add_all |= is_all(o->cap_add[i]);
		if (add_all || o->privileged)
			nonroot = cu_strv_copy_of(caps);
		else if (ctr_caps_compute(empty, o->cap_add, NULL, &nonroot, &bad) < 0)
			return -ENOMEM;
		if (!nonroot)
			return -ENOMEM;
		for (size_t i = 0; nonroot[i];)
			if (!cu_strv_contains(caps, nonroot[i]))
				cu_strv_remove(nonroot, nonroot[i]);
			else
				i++;
	}

	json_object_object_add(root, "ociVersion", json_object_new_string("1.2.0"));
	json_object *proc = ju_obj(root, "process");
	json_object_object_add(proc, "terminal", json_object_new_boolean(o->tty));
	json_object *user = ju_obj(proc, "user");
	json_object_object_add(user, "uid", json_object_new_int(0));
	json_object_object_add(user, "gid", json_object_new_int(0));
	json_object_object_add(user, "umask", json_object_new_int(022));
	json_object_object_add(proc, "args", ju_strv(init_args ? init_args : args));
	json_object_object_add(proc, "env", ju_strv(env));
	{
		const char *wd = o->workdir				       ? o->workdir
				 : ctx->image->workdir && *ctx->image->workdir ? ctx->image->workdir
									       : "/";
		cleanup_free char *abs = NULL;
		if (wd[0] != '/' && asprintf(&abs, "/%s", wd) < 0)
			return -ENOMEM;
		json_object_object_add(proc, "cwd", json_object_new_string(abs ? abs : wd));
	}
	json_object_object_add(proc, "capabilities", caps_obj(caps, caps));
	r = build_rlimits(o, ctx, proc);
	if (r < 0)
		return r;
	json_object_object_add(proc, "noNewPrivileges", json_object_new_boolean(o->no_new_privs != 0));
	if (o->apparmor && !STREQ(o->apparmor, "unconfined"))
		ju_add_str(proc, "apparmorProfile", o->apparmor);

	json_object *rootobj = ju_obj(root, "root");
	ju_add_str(rootobj, "path", ctx->rootfs);
	json_object_object_add(rootobj, "readonly", json_object_new_boolean(o->read_only));
	bool netns = ctr_net_private(&net), ipcns = !(o->ipc_ns && STREQ(o->ipc_ns, "host")),
	     utsns = !(o->uts_ns && STREQ(o->uts_ns, "host")), pidns = !(o->pid_ns && STREQ(o->pid_ns, "host"));
	if (utsns && !ctr_ns_is_container(o->uts_ns))
		ju_add_str(root, "hostname", hostname);
	bool nested_userns = ctx->rootless || rootful_userns;
	struct ctr_mounts_ctx mctx = {
	    .opts = o,
	    .store_root = ctx->store_root,
	    .userdata = ctx->userdata,
	    .rootless = ctx->rootless || rootful_userns,
	    .netns = netns,
	    .nested_userns = nested_userns,
	    .no_hosts = o->no_hosts || ctx->cfg->no_hosts,
	    .image_volumes = ctx->image->volumes,
	    .init_path = init_path,
	};
	json_object *devices_rules = json_object_new_array();
	json_object *linux_ = ju_obj(root, "linux");
	r = ctr_mounts_build(&mctx, root, linux_, devices_rules);
	if (r < 0) {
		json_object_put(devices_rules);
		return r;
	}

	json_object *ns = ju_arr(linux_, "namespaces");
	if (pidns)
		add_ns(ns, "pid");
	ctr_net_add_ns(&net, ns);
	if (ipcns)
		add_ns(ns, "ipc");
	if (utsns)
		add_ns(ns, "uts");
	add_ns(ns, "mount");
	if (!ctx->rootless)
		add_ns(ns, "cgroup");
	r = ctr_spec_userns(o, ctx, userns, rec, linux_, ns);
	if (r >= 0 && ns_join)
		r = ctr_spec_ns_join(o, ctx, rec, linux_, ns);
	if (r < 0) {
		json_object_put(devices_rules);
		return r;
	}
	r = build_resources(o, ctx, linux_, devices_rules);
	if (r < 0)
		return r;
	if (!ctx->rootless) {
		cleanup_free char *cg = NULL;
		if (asprintf(&cg, "/kakuri/%s", ctx->id) < 0)
			return -ENOMEM;
		ju_add_str(linux_, "cgroupsPath", cg);
	}
	r = build_sysctls(o, ctx, linux_, netns, ipcns, utsns);
	if (r < 0)
		return r;
	build_masks(o, linux_);
	r = ctr_spec_landlock(o, linux_);
	if (r < 0)
		return r;
	r = ctr_spec_seccomp(o, ctx, caps, linux_);
	if (r < 0)
		return r;

	json_object *ann = ju_obj(root, "annotations");
	for (size_t i = 0; o->annotations && o->annotations[i]; i++) {
		const char *eq = strchr(o->annotations[i], '=');
		if (!eq)
			return log_error_errno(-EINVAL, "--annotation '%s': expected KEY=VALUE", o->annotations[i]);
		cleanup_free char *k = strndup(o->annotations[i], (size_t)(eq - o->annotations[i]));
		if (!k)
			return -ENOMEM;
		json_object_object_add(ann, k, json_object_new_string(eq + 1));
	}
	json_object_object_add(ann, "io.container.manager", json_object_new_string("kakuri"));

	/* Checked before anything is written: a failed build leaves no files. */
	const char *sig = o->stop_signal ? o->stop_signal : ctx->image->stop_signal;
	int signo = sig ? cu_signal_parse(sig) : SIGTERM;
	if (signo < 0)
		return log_error_errno(-EINVAL, "stop signal '%s' is not a signal", sig);
	r = ctr_net_write_etc(o, ctx, &net, hostname, rec->name, mctx.no_hosts);
	if (r < 0)
		return r;
	if (asprintf(&config_path, "%s/config.json", ctx->userdata) < 0)
		return -ENOMEM;
	r = ctr_spec_write_json(config_path, root);
	if (r < 0)
		return r;

	/* The record's share of the decisions. */
	cu_strv_free(rec->command);
	rec->command = TAKE_PTR(args);
	free(rec->user);
	rec->user = strdup(o->user		      ? o->user
			   : STREQ(userns, "keep-id") ? "" /* filled below */
			   : ctx->image->user	      ? ctx->image->user
						      : "");
	if (STREQ(userns, "keep-id") && !o->user) {
		free(rec->user);
		if (asprintf(&rec->user, "%u:%u", (unsigned)idmap_user_uid(), (unsigned)getgid()) < 0)
			rec->user = NULL;
	}
	cu_strv_free(rec->caps_nonroot);
	rec->caps_nonroot = TAKE_PTR(nonroot);
	cu_strv_free(rec->group_add);
	rec->group_add = o->group_add ? cu_strv_copy_of(o->group_add) : NULL;
	free(rec->userns);
	rec->userns = strdup(userns);
	if (ctr_net_record(o, &net, mctx.no_hosts, rec) < 0)
		return -ENOMEM;
	free(rec->hostname);
	rec->hostname = TAKE_PTR(hostname);
	free(rec->stop_signal);
	rec->stop_signal = strdup(cu_signal_name(signo) ? cu_signal_name(signo) : "SIGTERM");
	rec->privileged = o->privileged;
	rec->read_only = o->read_only;
	rec->tty = o->tty;
	rec->stdin_open = o->interactive;
	rec->home_set = cu_strv_env_get(env, "HOME") != NULL;
	if (!rec->user || !rec->userns || !rec->network || !rec->stop_signal)
		return -ENOMEM;
	return 0;
}
