/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Deciding, creating and recording a container's cgroup (see cgroup.h). The operations on
 * an existing cgroup are in cgroup-ops.c. */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "runtime/cgroup-internal.h"

/* ---- small file helpers -------------------------------------------------------------- */

int cgroup_read(const char *dir, const char *file, char **ret)
{
	cleanup_free char *p = NULL;
	char *s = NULL;
	size_t n = 0;
	if (asprintf(&p, "%s/%s", dir, file) < 0)
		return -ENOMEM;
	int r = fs_read_file_at(AT_FDCWD, p, 0, &s, &n);
	if (r < 0)
		return r;
	if (n > 0 && s[n - 1] == '\n')
		s[n - 1] = 0;
	*ret = s;
	return 0;
}

int cgroup_write(const char *dir, const char *file, const char *value)
{
	cleanup_free char *p = NULL;
	if (asprintf(&p, "%s/%s", dir, file) < 0)
		return -ENOMEM;
	return fs_write_file_at(AT_FDCWD, p, value, strlen(value));
}

bool cgroup_has_file(const char *dir, const char *file)
{
	cleanup_free char *p = NULL;
	return asprintf(&p, "%s/%s", dir, file) >= 0 && access(p, F_OK) == 0;
}

int cgroup_read_keyed(const char *dir, const char *file, const char *key, uint64_t *ret)
{
	cleanup_free char *s = NULL;
	int r = cgroup_read(dir, file, &s);
	if (r < 0)
		return r;
	size_t kl = strlen(key);
	for (char *line = s; line && *line;) {
		char *nl = strchr(line, '\n');
		if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
			*ret = strtoull(line + kl + 1, NULL, 10);
			return 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	return -ENOENT;
}

/* ---- the object -------------------------------------------------------------------------- */

void cgroup_free(struct cgroup *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->n_dirs; i++) {
		free(cg->dirs[i].path);
		free(cg->dirs[i].base);
	}
	free(cg->dirs);
	free(cg->manager);
	free(cg->path);
	free(cg->resources);
	free(cg->extra);
	cgroup_plan_done(&cg->plan);
	free(cg);
}

int cgroup_dir_index(const struct cgroup *cg, int c)
{
	for (size_t i = 0; i < cg->n_dirs; i++) {
		if (c == CGROUP_CORE ? cg->dirs[i].v2 : (cg->dirs[i].roles & CGROUP_BIT(c)) != 0)
			return (int)i;
	}
	return -1;
}

const char *cgroup_dir(const struct cgroup *cg, int c, bool *ret_v2)
{
	int i = cg ? cgroup_dir_index(cg, c) : -1;
	if (i < 0)
		return NULL;
	if (ret_v2)
		*ret_v2 = cg->dirs[i].v2;
	return cg->dirs[i].path;
}

enum cgroup_mode cgroup_get_mode(const struct cgroup *cg)
{
	return cg ? cg->mode : CGROUP_MODE_NONE;
}

void cgroup_versions(const struct cgroup *cg, int versions[CGROUP_CONTROLLER_MAX])
{
	for (int c = 0; c < CGROUP_CONTROLLER_MAX; c++) {
		int i = cgroup_dir_index(cg, c);
		versions[c] = i < 0 ? 0 : (cg->dirs[i].v2 ? 2 : 1);
	}
}

/* ---- checks and writes ------------------------------------------------------------------- */

static bool warned_no_cgroup;

static void warn_no_cgroup(const char *why)
{
	if (warned_no_cgroup)
		return;
	warned_no_cgroup = true;
	log_warn("running without a cgroup: %s; resource limits are not enforced and ps/pause/update/events "
		 "will not work for this container",
		 why);
}

/* What /proc/cgroups says of a v1 subsystem name: why v2 cannot have it. */
static const char *kernel_reason(const char *name)
{
	cleanup_free char *t = NULL;
	if (fs_read_file_at(AT_FDCWD, "/proc/cgroups", 0, &t, NULL) < 0)
		return "";
	for (char *line = t; line && *line;) {
		char *nl = strchr(line, '\n');
		char sub[64];
		int hier = 0, num = 0, enabled = 1;
		if (nl)
			*nl = 0;
		if (sscanf(line, "%63s %d %d %d", sub, &hier, &num, &enabled) >= 3 && STREQ(sub, name)) {
			if (!enabled)
				return "; it is disabled on the kernel command line";
			if (hier != 0)
				return "; it is bound to a cgroup v1 hierarchy (see /proc/cgroups), so cgroup v2 cannot use it";
			return "";
		}
		line = nl ? nl + 1 : NULL;
	}
	return "; the kernel does not have it";
}

/* Why controller c has no usable dir, for an error message. */
static void unavailable_reason(const struct cgroup *cg, int c, char *buf, size_t size)
{
	const char *name = cgroup_controller_name(c, cg->mode == CGROUP_MODE_UNIFIED);
	int i = -1;
	for (size_t k = 0; k < cg->n_dirs; k++)
		if (c == CGROUP_CORE ? cg->dirs[k].v2 : (cg->dirs[k].roles & CGROUP_BIT(c)) != 0)
			i = (int)k;
	if (i >= 0 && !cg->dirs[i].usable) {
		snprintf(buf, size,
			 "the %s cgroup %s is not writable by uid %u and no delegated cgroup was found (use a "
			 "delegated cgroup, e.g. a systemd user session with Delegate=yes or a cgroup chowned to the "
			 "user, or --cgroup-manager disabled to run without limits)",
			 name, cg->dirs[i].path, (unsigned)geteuid());
	} else if (c == CGROUP_CORE) {
		snprintf(buf, size, "this host has no cgroup v2 hierarchy (%s mode)", cgroup_mode_name(cg->mode));
	} else if (cg->mode == CGROUP_MODE_UNIFIED || cg->mode == CGROUP_MODE_HYBRID) {
		snprintf(buf, size,
			 "the %s controller is not available on this host (%s mode: no cgroup v1 hierarchy has it and "
			 "the cgroup v2 root's cgroup.controllers does not list it%s)",
			 name, cgroup_mode_name(cg->mode), kernel_reason(cgroup_controller_name(c, false)));
	} else {
		snprintf(buf, size, "the %s controller is not available on this host (no cgroup v1 hierarchy has it)", name);
	}
}

static bool dir_ok(const struct cgroup *cg, int c)
{
	for (size_t k = 0; k < cg->n_dirs; k++)
		if ((c == CGROUP_CORE ? cg->dirs[k].v2 : (cg->dirs[k].roles & CGROUP_BIT(c)) != 0) && cg->dirs[k].usable)
			return true;
	return false;
}

int cgroup_check_plan(const struct cgroup *cg, const struct cgroup_plan *p, const char *what)
{
	char why[512];
	for (size_t i = 0; i < p->n; i++) {
		if (dir_ok(cg, p->w[i].controller))
			continue;
		unavailable_reason(cg, p->w[i].controller, why, sizeof(why));
		return log_error_errno(-EOPNOTSUPP, "%s.%s: cannot be applied: %s", what, p->w[i].field, why);
	}
	return 0;
}

int cgroup_apply_plan(const struct cgroup *cg, const struct cgroup_plan *p, const char *what)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct cgroup_write *w = &p->w[i];
		int d = cgroup_dir_index(cg, w->controller);
		if (d < 0)
			return log_error_errno(-EOPNOTSUPP, "%s.%s: no cgroup serves it", what, w->field);
		const char *dir = cg->dirs[d].path;
		if (w->flags & CGROUP_W_ALT) {
			/* The first alternative whose file exists. */
			size_t j = i, end = i;
			while (end + 1 < p->n && (p->w[end + 1].flags & CGROUP_W_ALT) && p->w[end + 1].group == w->group)
				end++;
			while (j <= end && !cgroup_has_file(dir, p->w[j].file))
				j++;
			if (j > end) {
				log_error("%s.%s: not supported by this kernel (%s has no %s%s%s)", what, w->field, dir,
					  w->file, end > i ? " or " : "", end > i ? p->w[end].file : "");
				return -EOPNOTSUPP;
			}
			w = &p->w[j];
			i = end;
		} else if ((w->flags & CGROUP_W_OPTIONAL) && !cgroup_has_file(dir, w->file)) {
			continue;
		}
		int r = cgroup_write(dir, w->file, w->value);
		if (r == -EINVAL && (w->flags & CGROUP_W_SWAP_PAIR) && i + 1 < p->n && (p->w[i + 1].flags & CGROUP_W_SWAP_PAIR)) {
			/* v1 keeps memsw >= limit at all times: raising both needs memsw first. */
			const struct cgroup_write *w2 = &p->w[i + 1];
			r = cgroup_write(dir, w2->file, w2->value);
			if (r >= 0)
				r = cgroup_write(dir, w->file, w->value);
			i++;
		}
		if (r == -ENOENT)
			return log_error_errno(r, "%s.%s: not supported by this kernel (%s/%s does not exist)", what, w->field,
					       dir, w->file);
		if (r < 0)
			return log_error_errno(r, "%s.%s: writing '%s' to %s/%s failed: %m%s", what, w->field, w->value, dir,
					       w->file,
					       r == -EBUSY && strstr(w->file, "limit_in_bytes")
						       ? " (the cgroup already uses more than that)"
						       : "");
	}
	return 0;
}

int cgroup_apply_devices(const struct cgroup *cg, const struct cgroup_device_rule *cfg, size_t n_cfg)
{
	cleanup_free struct cgroup_device_rule *rules = NULL;
	size_t n = 0;
	int d = cgroup_dir_index(cg, CGROUP_DEVICES);
	if (d < 0)
		return 0;
	int r = cgroup_device_rules_effective(cfg, n_cfg, cg->extra, cg->n_extra, &rules, &n);
	if (r < 0)
		return r;
	const struct cgroup_dir *dir = &cg->dirs[d];
	if (!dir->v2)
		return cgroup_devices_v1_apply(dir->path, rules, n);
	cleanup_free struct bpf_insn *prog = NULL;
	size_t n_prog = 0;
	r = cgroup_devices_bpf_build(rules, n, &prog, &n_prog);
	if (r < 0)
		return log_error_errno(r, "linux.resources.devices: building the device filter failed: %m");
	cleanup_close int fd = open(dir->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(-errno, "Failed to open '%s': %m", dir->path);
	return cgroup_devices_bpf_apply(fd, dir->path, prog, n_prog);
}

/* ---- prepare ------------------------------------------------------------------------------ */

static int check_manager(const char *manager)
{
	cleanup_free char *comm = NULL;
	if (!manager || STREQ(manager, "cgroupfs") || STREQ(manager, "disabled"))
		return 0;
	if (!STREQ(manager, "systemd"))
		return log_error_errno(-EINVAL, "--cgroup-manager: '%s' is not cgroupfs, systemd or disabled", manager);
	if (fs_read_file_at(AT_FDCWD, "/proc/1/comm", 256, &comm, NULL) >= 0)
		comm[strcspn(comm, "\n")] = 0;
	if (!comm || !STREQ(comm, "systemd"))
		return log_error_errno(-EOPNOTSUPP, "--cgroup-manager systemd (or --systemd-cgroup): systemd is not running as "
						    "PID 1 on this host (PID 1 is '%s'), so there is no systemd to ask for a "
						    "cgroup; use --cgroup-manager cgroupfs",
				       comm ? comm : "unknown");
	return log_error_errno(-EOPNOTSUPP, "--cgroup-manager systemd (or --systemd-cgroup): kakuri does not implement the "
					    "systemd (D-Bus) cgroup manager; use --cgroup-manager cgroupfs (a "
					    "\"slice:prefix:name\" cgroupsPath is then placed where systemd would put it)");
}

/* Rootless: can we make (or use) dir? Decided on the deepest existing ancestor. */
static bool writable_target(const char *dir)
{
	cleanup_free char *p = NULL;
	if (access(dir, F_OK) == 0)
		return asprintf(&p, "%s/cgroup.procs", dir) >= 0 && faccessat(AT_FDCWD, p, W_OK, AT_EACCESS) == 0;
	p = strdup(dir);
	if (!p)
		return false;
	for (char *s; (s = strrchr(p, '/')) && s != p;) {
		*s = 0;
		if (access(p, F_OK) == 0)
			return faccessat(AT_FDCWD, p, W_OK, AT_EACCESS) == 0;
	}
	return false;
}

static bool resources_empty(const char *json)
{
	if (!json)
		return true;
	struct json_object *o = json_tokener_parse(json);
	bool empty = !o || (json_object_is_type(o, json_type_object) && json_object_object_length(o) == 0);
	json_object_put(o);
	return empty;
}

static int add_dir(struct cgroup *cg, const struct cgroup_hierarchy *h, const char *dir, uint32_t roles)
{
	struct cgroup_dir *v = realloc(cg->dirs, (cg->n_dirs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	cg->dirs = v;
	struct cgroup_dir *d = &cg->dirs[cg->n_dirs];
	*d = (struct cgroup_dir){ .v2 = h->v2, .roles = roles, .usable = true };
	d->path = strdup(dir);
	d->base = strdup(h->mountpoint);
	if (!d->path || !d->base) {
		free(d->path);
		free(d->base);
		return -ENOMEM;
	}
	d->create = access(dir, F_OK) < 0;
	if (cg->rootless)
		d->usable = writable_target(dir);
	cg->n_dirs++;
	return 0;
}

static int extra_devices(struct cgroup *cg, const struct oci_device *devs, size_t n)
{
	cg->extra = calloc(n ? n : 1, sizeof(*cg->extra));
	if (!cg->extra)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (devs[i].type == 'p')
			continue; /* fifos are not subject to the device cgroup */
		cg->extra[cg->n_extra++] = (struct cgroup_device_rule){
			.allow = true,
			.type = devs[i].type == 'b' ? 'b' : 'c',
			.major = devs[i].major,
			.minor = devs[i].minor,
			.access = CGROUP_DEV_RWM,
		};
	}
	return 0;
}

/* What v2 does without a controller (cgroup.freeze, cpu.stat, the BPF device filter) moves
 * to the v2 dir when the v1 dir that served it is gone (rootless on a hybrid host). */
static void reassign_core_roles(struct cgroup *cg)
{
	static const int core[] = { CGROUP_FREEZER, CGROUP_CPUACCT, CGROUP_DEVICES };
	int v2 = cgroup_dir_index(cg, CGROUP_CORE);
	for (size_t k = 0; v2 >= 0 && k < ELEMENTSOF(core); k++)
		if (cgroup_dir_index(cg, core[k]) < 0)
			cg->dirs[v2].roles |= CGROUP_BIT(core[k]);
}

/* Drop the dirs we cannot use (rootless). */
static void drop_unusable(struct cgroup *cg)
{
	size_t k = 0;
	for (size_t i = 0; i < cg->n_dirs; i++) {
		if (cg->dirs[i].usable) {
			cg->dirs[k++] = cg->dirs[i];
			continue;
		}
		log_debug("cgroup: not using %s (not writable by uid %u)", cg->dirs[i].path, (unsigned)geteuid());
		free(cg->dirs[i].path);
		free(cg->dirs[i].base);
	}
	cg->n_dirs = k;
	reassign_core_roles(cg);
}

static int prepare_dirs(struct cgroup *cg, const struct cgroup_layout *l, bool relative)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct cgroup_hierarchy *h = &l->h[i];
		cleanup_free char *hpath = NULL, *dir = NULL;
		uint32_t roles = 0;
		int r = cgroup_hierarchy_path(h, cg->path, relative, &hpath);
		if (r < 0)
			return r;
		r = cgroup_hierarchy_dir(h, hpath, &dir);
		if (r == -EXDEV) {
			/* Mounted from a cgroup namespace that does not contain the path. */
			log_debug("cgroup: %s is not reachable through %s (root %s)", hpath, h->mountpoint, h->mount_root);
			continue;
		}
		if (r < 0)
			return r;
		for (int c = 0; c < CGROUP_CONTROLLER_MAX; c++)
			if (l->ctrl[c] == (int)i)
				roles |= CGROUP_BIT(c);
		r = add_dir(cg, h, dir, roles);
		if (r < 0)
			return r;
	}
	return 0;
}

int cgroup_prepare(const struct cgroup_options *o, struct cgroup **ret)
{
	struct cgroup_layout l = { 0 };
	struct cgroup *cg = NULL;
	cleanup_free char *err = NULL;
	bool relative = false;
	int versions[CGROUP_CONTROLLER_MAX];
	int r;

	*ret = NULL;
	r = check_manager(o->manager);
	if (r < 0)
		return r;
	if (o->manager && STREQ(o->manager, "disabled")) {
		if (!resources_empty(o->resources_json))
			log_debug("--cgroup-manager disabled: ignoring linux.resources");
		return 0;
	}
	r = cgroup_layout_detect(&l);
	if (r < 0)
		return log_error_errno(r, "Failed to read the host's cgroup layout: %m");
	if (l.mode == CGROUP_MODE_NONE) {
		cgroup_layout_done(&l);
		if (!resources_empty(o->resources_json))
			return log_error_errno(-EOPNOTSUPP, "config.json: linux.resources: cannot be applied: no cgroup "
							    "filesystem is mounted on this host (use --cgroup-manager disabled "
							    "to run without limits)");
		warn_no_cgroup("no cgroup filesystem is mounted");
		return 0;
	}
	cg = calloc(1, sizeof(*cg));
	if (!cg) {
		r = -ENOMEM;
		goto out;
	}
	cg->mode = l.mode;
	cg->rootless = o->rootless;
	cg->devices = !o->rootless;
	cg->manager = strdup(o->manager ? o->manager : "cgroupfs");
	cg->resources = strdup(o->resources_json ? o->resources_json : "{}");
	if (!cg->manager || !cg->resources) {
		r = -ENOMEM;
		goto out;
	}
	r = cgroup_path_resolve(o->cgroups_path, o->id, o->rootless, &cg->path, &relative, &err);
	if (r < 0) {
		r = log_error_errno(r, "config.json: %s", err ? err : "linux.cgroupsPath: invalid");
		goto out;
	}
	r = prepare_dirs(cg, &l, relative);
	if (r < 0) {
		log_error_errno(r, "Failed to place cgroup '%s': %m", cg->path);
		goto out;
	}
	for (int c = 0; c < CGROUP_CONTROLLER_MAX; c++)
		versions[c] = l.ctrl[c] < 0 ? 0 : (l.h[l.ctrl[c]].v2 ? 2 : 1);
	r = cgroup_plan_build(o->resources_json, versions, &cg->plan, &err);
	if (r < 0) {
		r = log_error_errno(r, "config.json: linux.resources.%s", err ? err : "invalid");
		goto out;
	}
	r = cgroup_check_plan(cg, &cg->plan, "config.json: linux.resources");
	if (r < 0)
		goto out;
	for (size_t i = 0; cg->plan.warnings && cg->plan.warnings[i]; i++)
		log_warn("config.json: linux.resources.%s", cg->plan.warnings[i]);
	if (cg->devices) {
		r = extra_devices(cg, o->devices, o->n_devices);
		if (r < 0)
			goto out;
		if (cgroup_dir_index(cg, CGROUP_DEVICES) < 0 && cg->plan.n_dev > 0) {
			r = log_error_errno(-EOPNOTSUPP, "config.json: linux.resources.devices: cannot be applied: this host has "
							 "neither a v1 devices controller nor cgroup v2");
			goto out;
		}
	} else if (cg->plan.n_dev > 0) {
		log_debug("rootless: not applying linux.resources.devices (the user namespace cannot create devices)");
	}
	if (cg->rootless) {
		drop_unusable(cg);
		if (cg->n_dirs == 0) {
			warn_no_cgroup("no cgroup is delegated to this user");
			cgroup_free(cg);
			cg = NULL;
			r = 0;
			goto out;
		}
	}
	*ret = TAKE_PTR(cg);
	r = 0;
out:
	cgroup_free(cg);
	cgroup_layout_done(&l);
	return r;
}

/* ---- enter ------------------------------------------------------------------------------ */

/* A new v1 cpuset has empty cpus/mems, and no task can join it until they are set. */
static int cpuset_init(const char *dir)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	cleanup_free char *parent = strdup(dir);
	if (!parent)
		return -ENOMEM;
	char *s = strrchr(parent, '/');
	if (!s || s == parent)
		return 0;
	*s = 0;
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		cleanup_free char *cur = NULL, *up = NULL;
		int r = cgroup_read(dir, files[i], &cur);
		if (r < 0)
			return r;
		if (*cur)
			continue;
		r = cgroup_read(parent, files[i], &up);
		if (r >= 0)
			r = cgroup_write(dir, files[i], up);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Give the leaf's v2 controllers: "+name" into cgroup.subtree_control of every ancestor
 * from the mount root down. need: those the resources use (failure is an error). */
static int enable_v2(const struct cgroup_dir *d, uint32_t need)
{
	cleanup_free char *p = strdup(d->path);
	size_t bl = strlen(d->base);
	if (!p)
		return -ENOMEM;
	char *end = strrchr(p, '/');
	for (char *s = p + bl;; s = strchr(s + 1, '/')) {
		char saved = s ? *s : 0;
		if (s)
			*s = 0;
		cleanup_free char *avail = NULL, *on = NULL;
		const char *level = *p ? p : "/";
		if (cgroup_read(level, "cgroup.controllers", &avail) < 0 || cgroup_read(level, "cgroup.subtree_control", &on) < 0)
			avail = NULL;
		uint32_t a = 0, e = 0;
		for (int c = 0; avail && c < CGROUP_CONTROLLER_MAX; c++) {
			const char *name = cgroup_controller_name(c, true);
			char pat[32];
			snprintf(pat, sizeof(pat), " %s ", name);
			cleanup_free char *sa = NULL, *so = NULL;
			if (asprintf(&sa, " %s ", avail) >= 0 && strstr(sa, pat))
				a |= CGROUP_BIT(c);
			if (asprintf(&so, " %s ", on) >= 0 && strstr(so, pat))
				e |= CGROUP_BIT(c);
		}
		for (int c = 0; c < CGROUP_CONTROLLER_MAX; c++) {
			if (!(d->roles & CGROUP_BIT(c)) || (e & CGROUP_BIT(c)) || c == CGROUP_FREEZER || c == CGROUP_DEVICES ||
			    c == CGROUP_CPUACCT)
				continue;
			char val[32];
			snprintf(val, sizeof(val), "+%s", cgroup_controller_name(c, true));
			int r = (a & CGROUP_BIT(c)) ? cgroup_write(level, "cgroup.subtree_control", val) : -ENOENT;
			if (r < 0 && (need & CGROUP_BIT(c)))
				return log_error_errno(r, "cannot enable the %s controller for the container in %s/cgroup.subtree_control: %m%s",
						       cgroup_controller_name(c, true), level,
						       r == -EBUSY ? " (that cgroup has processes of its own: use a cgroupsPath "
								     "whose parent has none)" : "");
			if (r < 0)
				log_debug_errno(r, "cgroup: enabling %s in %s: %m", val, level);
		}
		if (s)
			*s = saved;
		if (!s || s == end)
			break;
	}
	return 0;
}

static int make_dir(const struct cgroup_dir *d)
{
	cleanup_free char *p = strdup(d->path);
	size_t bl = strlen(d->base);
	if (!p)
		return -ENOMEM;
	if (strlen(p) <= bl + 1)
		return -EINVAL;
	for (char *s = p + bl + 1;; s++) {
		if (*s != '/' && *s != 0)
			continue;
		char saved = *s;
		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		if (!d->v2 && (d->roles & CGROUP_BIT(CGROUP_CPUSET))) {
			int r = cpuset_init(p);
			if (r < 0)
				return log_error_errno(r, "Failed to initialize cpuset.cpus/mems of %s: %m", p);
		}
		*s = saved;
		if (!saved)
			break;
	}
	return 0;
}

static uint32_t plan_controllers(const struct cgroup_plan *p)
{
	uint32_t m = 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->w[i].controller < CGROUP_CONTROLLER_MAX)
			m |= CGROUP_BIT(p->w[i].controller);
	return m;
}

/* Refuse to take over a cgroup that is in use (spec: "a non-empty cgroup" on create). */
static int check_reusable(const struct cgroup_dir *d)
{
	cleanup_free char *procs = NULL, *st = NULL;
	if (cgroup_read(d->path, "cgroup.procs", &procs) >= 0 && *procs)
		return log_error_errno(-EBUSY, "cgroup %s already has processes: a new container needs an empty cgroup "
					       "(choose another linux.cgroupsPath)", d->path);
	if (!d->v2 && (d->roles & CGROUP_BIT(CGROUP_FREEZER)) && cgroup_read(d->path, "freezer.state", &st) >= 0 &&
	    !STREQ(st, "THAWED"))
		return log_error_errno(-EBUSY, "cgroup %s is frozen: thaw it or choose another linux.cgroupsPath", d->path);
	if (d->v2 && cgroup_read(d->path, "cgroup.freeze", &st) >= 0 && STREQ(st, "1"))
		return log_error_errno(-EBUSY, "cgroup %s is frozen: thaw it or choose another linux.cgroupsPath", d->path);
	return 0;
}

static bool is_perm_error(int r)
{
	return r == -EACCES || r == -EPERM || r == -EROFS;
}

/* Rootless: a dir that turned out unusable is dropped unless the resources need it. */
static int rootless_drop(struct cgroup *cg, size_t i, int r, const char *what)
{
	struct cgroup_dir *d = &cg->dirs[i];
	if (!cg->rootless || !is_perm_error(r))
		return 0;
	bool core = false;
	for (size_t k = 0; k < cg->plan.n; k++)
		core |= cg->plan.w[k].controller == CGROUP_CORE;
	if ((d->roles & plan_controllers(&cg->plan)) || (d->v2 && core))
		return 0;
	log_debug_errno(r, "cgroup: %s %s failed (%m): not delegated, not using it", what, d->path);
	if (d->create)
		(void)rmdir(d->path);
	free(d->path);
	free(d->base);
	memmove(d, d + 1, (cg->n_dirs - i - 1) * sizeof(*d));
	cg->n_dirs--;
	reassign_core_roles(cg);
	return 1;
}

int cgroup_enter(struct cgroup *cg, pid_t pid)
{
	char buf[32];
	int r;

	for (size_t i = 0; i < cg->n_dirs; i++) {
		struct cgroup_dir *d = &cg->dirs[i];
		r = make_dir(d);
		if (r < 0) {
			if (rootless_drop(cg, i, r, "creating")) {
				i--;
				continue;
			}
			return log_error_errno(r, "Failed to create cgroup %s: %m", d->path);
		}
		if (!d->create && (r = check_reusable(d)) < 0)
			return r;
		if (d->v2 && (r = enable_v2(d, plan_controllers(&cg->plan) & d->roles)) < 0)
			return r;
	}
	cg->owned = true;
	r = cgroup_apply_plan(cg, &cg->plan, "config.json: linux.resources");
	if (r < 0)
		return r;
	if (cg->devices) {
		bool bpf = false;
		r = cgroup_apply_devices(cg, cg->plan.dev, cg->plan.n_dev);
		if (r < 0 && cg->plan.n_dev == 0 && cgroup_dir(cg, CGROUP_DEVICES, &bpf) && bpf) {
			/* Only the implicit default filter failed (BPF refused): the config asked for
			 * no device rules, so carry on; the error above says what the host refused. */
			log_warn("continuing without a cgroup device filter (the config has no device rules)");
			r = 0;
		}
		if (r < 0)
			return r;
	}
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < cg->n_dirs; i++) {
		r = cgroup_write(cg->dirs[i].path, "cgroup.procs", buf);
		if (r < 0 && rootless_drop(cg, i, r, "moving the init into")) {
			i--;
			continue;
		}
		if (r < 0)
			return log_error_errno(r, "Failed to move the container init %d into cgroup %s: %m", (int)pid,
					       cg->dirs[i].path);
	}
	cgroup_plan_done(&cg->plan);
	if (cg->n_dirs == 0) {
		warn_no_cgroup("no cgroup is delegated to this user");
		return 1;
	}
	return 0;
}

int cgroup_attach(const struct cgroup *cg, pid_t pid)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; cg && i < cg->n_dirs; i++) {
		int r = cgroup_write(cg->dirs[i].path, "cgroup.procs", buf);
		if (r < 0)
			return log_error_errno(r, "Failed to move process %d into cgroup %s: %m", (int)pid, cg->dirs[i].path);
	}
	return 0;
}

/* ---- serialization ----------------------------------------------------------------------- */

char *cgroup_serialize(const struct cgroup *cg)
{
	struct json_object *o = json_object_new_object(), *dirs = json_object_new_array(), *extra = json_object_new_array();
	char buf[64];
	json_object_object_add(o, "manager", json_object_new_string(cg->manager));
	json_object_object_add(o, "mode", json_object_new_string(cgroup_mode_name(cg->mode)));
	json_object_object_add(o, "path", json_object_new_string(cg->path ? cg->path : ""));
	json_object_object_add(o, "rootless", json_object_new_boolean(cg->rootless));
	json_object_object_add(o, "devices", json_object_new_boolean(cg->devices));
	for (size_t i = 0; i < cg->n_dirs; i++) {
		const struct cgroup_dir *d = &cg->dirs[i];
		struct json_object *e = json_object_new_object(), *roles = json_object_new_array();
		json_object_object_add(e, "path", json_object_new_string(d->path));
		json_object_object_add(e, "base", json_object_new_string(d->base));
		json_object_object_add(e, "v2", json_object_new_boolean(d->v2));
		json_object_object_add(e, "create", json_object_new_boolean(d->create));
		for (int c = 0; c < CGROUP_CONTROLLER_MAX; c++)
			if (d->roles & CGROUP_BIT(c))
				json_object_array_add(roles, json_object_new_string(cgroup_controller_name(c, false)));
		json_object_object_add(e, "roles", roles);
		json_object_array_add(dirs, e);
	}
	json_object_object_add(o, "dirs", dirs);
	for (size_t i = 0; i < cg->n_extra; i++) {
		cgroup_device_rule_format(&cg->extra[i], buf, sizeof(buf));
		json_object_array_add(extra, json_object_new_string(buf));
	}
	json_object_object_add(o, "extraDevices", extra);
	struct json_object *res = json_tokener_parse(cg->resources ? cg->resources : "{}");
	json_object_object_add(o, "resources", res ? res : json_object_new_object());
	char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
												  : NULL;
}

static bool jbool(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static int parse_mode(const char *s)
{
	for (int m = CGROUP_MODE_NONE; m <= CGROUP_MODE_UNIFIED; m++)
		if (s && STREQ(s, cgroup_mode_name(m)))
			return m;
	return CGROUP_MODE_NONE;
}

int cgroup_deserialize(const char *text, struct cgroup **ret)
{
	struct json_object *o = json_tokener_parse(text), *dirs, *extra, *res;
	struct cgroup *cg = NULL;
	int r = -EINVAL;
	if (!o || !json_object_is_type(o, json_type_object))
		goto out;
	cg = calloc(1, sizeof(*cg));
	if (!cg) {
		r = -ENOMEM;
		goto out;
	}
	cg->manager = strdup(jstr(o, "manager") ? jstr(o, "manager") : "cgroupfs");
	cg->path = strdup(jstr(o, "path") ? jstr(o, "path") : "");
	cg->mode = parse_mode(jstr(o, "mode"));
	cg->rootless = jbool(o, "rootless");
	cg->owned = true;
	cg->devices = jbool(o, "devices");
	cg->resources = strdup(json_object_object_get_ex(o, "resources", &res)
				       ? json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN)
				       : "{}");
	if (!cg->manager || !cg->path || !cg->resources) {
		r = -ENOMEM;
		goto out;
	}
	if (json_object_object_get_ex(o, "dirs", &dirs) && json_object_is_type(dirs, json_type_array)) {
		size_t n = json_object_array_length(dirs);
		cg->dirs = calloc(n ? n : 1, sizeof(*cg->dirs));
		if (!cg->dirs) {
			r = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(dirs, i), *roles;
			const char *path = jstr(e, "path"), *base = jstr(e, "base");
			if (!path || !base || path[0] != '/')
				goto out;
			struct cgroup_dir *d = &cg->dirs[cg->n_dirs++];
			*d = (struct cgroup_dir){ .v2 = jbool(e, "v2"), .create = jbool(e, "create"), .usable = true };
			d->path = strdup(path);
			d->base = strdup(base);
			if (!d->path || !d->base) {
				r = -ENOMEM;
				goto out;
			}
			if (json_object_object_get_ex(e, "roles", &roles) && json_object_is_type(roles, json_type_array))
				for (size_t k = 0; k < json_object_array_length(roles); k++) {
					int c = cgroup_controller_from_name(json_object_get_string(json_object_array_get_idx(roles, k)));
					if (c >= 0)
						d->roles |= CGROUP_BIT(c);
				}
		}
	}
	if (json_object_object_get_ex(o, "extraDevices", &extra) && json_object_is_type(extra, json_type_array)) {
		size_t n = json_object_array_length(extra);
		cg->extra = calloc(n ? n : 1, sizeof(*cg->extra));
		if (!cg->extra) {
			r = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			if (cgroup_device_rule_parse(json_object_get_string(json_object_array_get_idx(extra, i)), true,
						     &cg->extra[cg->n_extra]) >= 0)
				cg->n_extra++;
	}
	*ret = TAKE_PTR(cg);
	r = 0;
out:
	json_object_put(o);
	cgroup_free(cg);
	return r;
}
