/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cgroup-layout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/mountinfo.h"

static const char *const v1_names[CGROUP_CONTROLLER_MAX] = {
	[CGROUP_CPU] = "cpu",         [CGROUP_CPUACCT] = "cpuacct", [CGROUP_CPUSET] = "cpuset",
	[CGROUP_MEMORY] = "memory",   [CGROUP_DEVICES] = "devices", [CGROUP_FREEZER] = "freezer",
	[CGROUP_BLKIO] = "blkio",     [CGROUP_PIDS] = "pids",       [CGROUP_HUGETLB] = "hugetlb",
	[CGROUP_RDMA] = "rdma",       [CGROUP_NET_CLS] = "net_cls", [CGROUP_NET_PRIO] = "net_prio",
	[CGROUP_MISC] = "misc",
};

/* v1 subsystems that are not controllers we manage but still name a hierarchy. */
static const char *const v1_other[] = { "perf_event", "debug" };

const char *cgroup_controller_name(int c, bool v2)
{
	if (c == CGROUP_CORE)
		return "cgroup";
	if (c < 0 || c >= CGROUP_CONTROLLER_MAX)
		return NULL;
	if (v2 && c == CGROUP_BLKIO)
		return "io";
	return v1_names[c];
}

int cgroup_controller_from_name(const char *name)
{
	if (STREQ(name, "io"))
		return CGROUP_BLKIO;
	for (int c = 0; c < CGROUP_CONTROLLER_MAX; c++)
		if (STREQ(name, v1_names[c]))
			return c;
	return -1;
}

const char *cgroup_mode_name(enum cgroup_mode m)
{
	static const char *const names[] = { "none", "legacy", "hybrid", "unified" };
	return m <= CGROUP_MODE_UNIFIED ? names[m] : "?";
}

static bool is_v1_subsystem(const char *s)
{
	if (strncmp(s, "name=", 5) == 0)
		return s[5] != 0;
	if (cgroup_controller_from_name(s) >= 0 && !STREQ(s, "io"))
		return true;
	for (size_t i = 0; i < ELEMENTSOF(v1_other); i++)
		if (STREQ(s, v1_other[i]))
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keep the items of a comma list that pass keep(), sorted, joined by ','. */
static char *normalize_list(const char *list, bool (*keep)(const char *))
{
	cleanup_free char *copy = strdup(list);
	char *items[64], *save = NULL;
	size_t n = 0, len = 1;
	if (!copy)
		return NULL;
	for (char *t = strtok_r(copy, ",", &save); t && n < ELEMENTSOF(items); t = strtok_r(NULL, ",", &save))
		if (!keep || keep(t)) {
			items[n++] = t;
			len += strlen(t) + 1;
		}
	qsort(items, n, sizeof(char *), cmp_str);
	char *out = malloc(len), *o = out;
	if (!out)
		return NULL;
	*o = 0;
	for (size_t i = 0; i < n; i++)
		o += sprintf(o, "%s%s", i ? "," : "", items[i]);
	return out;
}

static uint32_t controllers_of(const char *list, const char *sep)
{
	cleanup_free char *copy = strdup(list ? list : "");
	char *save = NULL;
	uint32_t mask = 0;
	if (!copy)
		return 0;
	for (char *t = strtok_r(copy, sep, &save); t; t = strtok_r(NULL, sep, &save)) {
		int c = cgroup_controller_from_name(t);
		if (c >= 0)
			mask |= CGROUP_BIT(c);
	}
	return mask;
}

static void hierarchy_done(struct cgroup_hierarchy *h)
{
	free(h->mountpoint);
	free(h->mount_root);
	free(h->own);
	free(h->names);
}

void cgroup_layout_done(struct cgroup_layout *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		hierarchy_done(&l->h[i]);
	free(l->h);
	l->h = NULL;
	l->n = 0;
}

static bool path_has_prefix(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	if (n == 1 && prefix[0] == '/')
		return path[0] == '/';
	return strncmp(path, prefix, n) == 0 && (path[n] == 0 || path[n] == '/');
}

/* A later mount on the same mount point or on a parent of it hides this one. */
static bool hidden(const struct mountinfo *mi, size_t i)
{
	for (size_t j = i + 1; j < mi->n; j++)
		if (path_has_prefix(mi->entries[i].mountpoint, mi->entries[j].mountpoint))
			return true;
	return false;
}

/* /proc/self/cgroup: "ID:SUBSYSTEMS:PATH" lines; v2 is "0::PATH". */
static char *own_cgroup(const char *proc_cgroup, const char *names, bool v2)
{
	const char *line = proc_cgroup;
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		cleanup_free char *l = strndup(line, len);
		line = nl ? nl + 1 : NULL;
		if (!l)
			return NULL;
		char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = 0;
		const char *subs = c1 + 1, *path = c2 + 1;
		if (v2) {
			if (*subs == 0 && strncmp(l, "0", 1) == 0)
				return strdup(path);
			continue;
		}
		cleanup_free char *norm = normalize_list(subs, NULL);
		if (norm && *norm && STREQ(norm, names))
			return strdup(path);
	}
	return NULL;
}

static int add_hierarchy(struct cgroup_layout *l, struct cgroup_hierarchy *h)
{
	struct cgroup_hierarchy *n = realloc(l->h, (l->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	l->h = n;
	l->h[l->n++] = *h;
	return 0;
}

/* Several visible mounts of one hierarchy (bind mounts): prefer the one showing its root. */
static int find_same(const struct cgroup_layout *l, bool v2, const char *names)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->h[i].v2 == v2 && STREQ(l->h[i].names, names))
			return (int)i;
	return -1;
}

static int v2_preference(const char *mountpoint)
{
	if (STREQ(mountpoint, "/sys/fs/cgroup"))
		return 2;
	if (STREQ(mountpoint, "/sys/fs/cgroup/unified"))
		return 1;
	return 0;
}

int cgroup_layout_parse(const char *mountinfo, const char *proc_cgroup, const char *v2_controllers,
			struct cgroup_layout *ret)
{
	struct mountinfo mi = { 0 };
	struct cgroup_layout l = { .v2 = -1 };
	int r = mountinfo_parse(mountinfo, &mi);
	if (r < 0)
		return r;
	for (size_t i = 0; i < mi.n; i++) {
		const struct mountinfo_entry *e = &mi.entries[i];
		bool v2 = STREQ(e->fstype, "cgroup2");
		if ((!v2 && !STREQ(e->fstype, "cgroup")) || hidden(&mi, i))
			continue;
		struct cgroup_hierarchy h = { .v2 = v2, .major = e->major, .minor = e->minor };
		h.names = v2 ? strdup("") : normalize_list(e->super_options, is_v1_subsystem);
		if (!h.names) {
			r = -ENOMEM;
			goto fail;
		}
		if (!v2 && !*h.names) {
			free(h.names);
			continue;
		}
		int same = find_same(&l, v2, h.names);
		if (same >= 0) {
			struct cgroup_hierarchy *o = &l.h[same];
			bool better = v2 ? v2_preference(e->mountpoint) > v2_preference(o->mountpoint)
					 : strlen(e->root) < strlen(o->mount_root);
			if (!better) {
				free(h.names);
				continue;
			}
			hierarchy_done(o);
			*o = h;
			h.names = NULL;
			o->mountpoint = strdup(e->mountpoint);
			o->mount_root = strdup(e->root);
			if (!o->mountpoint || !o->mount_root) {
				r = -ENOMEM;
				goto fail;
			}
			continue;
		}
		h.mountpoint = strdup(e->mountpoint);
		h.mount_root = strdup(e->root);
		if (!h.mountpoint || !h.mount_root || add_hierarchy(&l, &h) < 0) {
			hierarchy_done(&h);
			r = -ENOMEM;
			goto fail;
		}
	}
	for (int c = 0; c < CGROUP_CONTROLLER_MAX; c++)
		l.ctrl[c] = -1;
	size_t n_v1 = 0;
	for (size_t i = 0; i < l.n; i++) {
		struct cgroup_hierarchy *h = &l.h[i];
		h->own = own_cgroup(proc_cgroup, h->names, h->v2);
		if (h->v2) {
			l.v2 = (int)i;
			h->controllers = controllers_of(v2_controllers, " \t\n");
			continue;
		}
		n_v1++;
		h->controllers = controllers_of(h->names, ",");
		for (int c = 0; c < CGROUP_CONTROLLER_MAX; c++)
			if ((h->controllers & CGROUP_BIT(c)) && l.ctrl[c] < 0)
				l.ctrl[c] = (int)i;
	}
	if (l.v2 >= 0) {
		struct cgroup_hierarchy *h = &l.h[l.v2];
		/* A controller bound to a v1 hierarchy cannot be enabled on v2 at the same time. */
		for (int c = 0; c < CGROUP_CONTROLLER_MAX; c++) {
			if (l.ctrl[c] >= 0)
				h->controllers &= ~CGROUP_BIT(c);
			else if (h->controllers & CGROUP_BIT(c))
				l.ctrl[c] = l.v2;
		}
		/* Not controllers on v2: cgroup.freeze, the BPF device filter, cpu.stat. */
		static const int core[] = { CGROUP_FREEZER, CGROUP_DEVICES, CGROUP_CPUACCT };
		for (size_t k = 0; k < ELEMENTSOF(core); k++)
			if (l.ctrl[core[k]] < 0)
				l.ctrl[core[k]] = l.v2;
	}
	l.mode = n_v1 == 0 ? (l.v2 >= 0 ? CGROUP_MODE_UNIFIED : CGROUP_MODE_NONE)
			   : (l.v2 >= 0 ? CGROUP_MODE_HYBRID : CGROUP_MODE_LEGACY);
	mountinfo_done(&mi);
	*ret = l;
	return 0;
fail:
	mountinfo_done(&mi);
	cgroup_layout_done(&l);
	return r;
}

int cgroup_layout_detect(struct cgroup_layout *ret)
{
	cleanup_free char *mi = NULL, *pc = NULL, *ctl = NULL;
	struct cgroup_layout l;
	int r;

	r = fs_read_file_at(AT_FDCWD, "/proc/self/mountinfo", 0, &mi, NULL);
	if (r < 0)
		return log_debug_errno(r, "reading /proc/self/mountinfo: %m");
	r = fs_read_file_at(AT_FDCWD, "/proc/self/cgroup", 0, &pc, NULL);
	if (r < 0)
		return log_debug_errno(r, "reading /proc/self/cgroup: %m");
	/* First pass to find the v2 mount, whose root lists the available v2 controllers. */
	r = cgroup_layout_parse(mi, pc, NULL, &l);
	if (r < 0)
		return r;
	if (l.v2 >= 0) {
		cleanup_free char *p = NULL;
		if (asprintf(&p, "%s/cgroup.controllers", l.h[l.v2].mountpoint) >= 0)
			(void)fs_read_file_at(AT_FDCWD, p, 0, &ctl, NULL);
		cgroup_layout_done(&l);
		r = cgroup_layout_parse(mi, pc, ctl ? ctl : "", &l);
		if (r < 0)
			return r;
	}
	/* Drop hierarchies whose mount point is not (any longer) that mount. */
	for (size_t i = 0; i < l.n; i++) {
		struct stat st;
		if (stat(l.h[i].mountpoint, &st) == 0 && major(st.st_dev) == l.h[i].major &&
		    minor(st.st_dev) == l.h[i].minor)
			continue;
		log_debug("cgroup: ignoring %s: not the mount listed in mountinfo", l.h[i].mountpoint);
		hierarchy_done(&l.h[i]);
		memmove(&l.h[i], &l.h[i + 1], (l.n - i - 1) * sizeof(l.h[0]));
		l.n--;
		for (int c = 0; c < CGROUP_CONTROLLER_MAX; c++)
			if (l.ctrl[c] == (int)i)
				l.ctrl[c] = -1;
			else if (l.ctrl[c] > (int)i)
				l.ctrl[c]--;
		if (l.v2 == (int)i)
			l.v2 = -1;
		else if (l.v2 > (int)i)
			l.v2--;
		i--;
	}
	size_t n_v1 = 0;
	for (size_t i = 0; i < l.n; i++)
		n_v1 += !l.h[i].v2;
	l.mode = n_v1 == 0 ? (l.v2 >= 0 ? CGROUP_MODE_UNIFIED : CGROUP_MODE_NONE)
			   : (l.v2 >= 0 ? CGROUP_MODE_HYBRID : CGROUP_MODE_LEGACY);
	*ret = l;
	return 0;
}

/* ---- paths ------------------------------------------------------------------------- */

/* Collapse "//" and "/./", refuse "..". Result starts with '/' if the input did. */
static int clean_path(const char *in, char **ret)
{
	size_t n = strlen(in);
	char *out = malloc(n + 2), *o = out;
	if (!out)
		return -ENOMEM;
	if (in[0] == '/')
		*o++ = '/';
	const char *p = in;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchrnul(p, '/');
		size_t len = (size_t)(e - p);
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			free(out);
			return -EINVAL;
		}
		if (!(len == 1 && p[0] == '.')) {
			if (o > out && o[-1] != '/')
				*o++ = '/';
			memcpy(o, p, len);
			o += len;
		}
		p = e;
	}
	*o = 0;
	*ret = out;
	return 0;
}

/* "a-b-c.slice" → "/a.slice/a-b.slice/a-b-c.slice"; "-.slice" → "". */
static int expand_slice(const char *slice, char **ret)
{
	size_t n = strlen(slice);
	if (n < 7 || strcmp(slice + n - 6, ".slice") != 0 || strchr(slice, '/'))
		return -EINVAL;
	if (STREQ(slice, "-.slice")) {
		*ret = strdup("");
		return *ret ? 0 : -ENOMEM;
	}
	size_t base = n - 6;
	if (slice[0] == '-' || slice[base - 1] == '-' || strstr(slice, "--"))
		return -EINVAL;
	/* Each '-' starts a new level: at most base levels of base+7 chars each. */
	char *out = malloc((base + 8) * (base + 1) + 1), *o = out;
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i <= base; i++)
		if (i == base || slice[i] == '-')
			o += sprintf(o, "/%.*s.slice", (int)i, slice);
	*o = 0;
	*ret = out;
	return 0;
}

int cgroup_systemd_path(const char *spec, bool rootless, char **ret)
{
	const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2 || strchr(c2 + 1, ':') || spec[0] == '/')
		return -EINVAL;
	cleanup_free char *slice = strndup(spec, (size_t)(c1 - spec)), *prefix = strndup(c1 + 1, (size_t)(c2 - c1 - 1)),
			  *spath = NULL;
	const char *name = c2 + 1;
	if (!slice || !prefix)
		return -ENOMEM;
	if (!*name || strchr(name, '/') || strchr(prefix, '/'))
		return -EINVAL;
	int r = expand_slice(*slice ? slice : (rootless ? "user.slice" : "system.slice"), &spath);
	if (r < 0)
		return r;
	size_t nl = strlen(name);
	/* A name that is itself a slice is used as the unit (runc does the same). */
	bool is_slice = nl > 6 && STREQ(name + nl - 6, ".slice");
	char *out = NULL;
	if (is_slice)
		r = asprintf(&out, "%s/%s", spath, name);
	else if (*prefix)
		r = asprintf(&out, "%s/%s-%s.scope", spath, prefix, name);
	else
		r = asprintf(&out, "%s/%s.scope", spath, name);
	if (r < 0)
		return -ENOMEM;
	*ret = out;
	return 0;
}

static bool has_ctl_chars(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

int cgroup_path_resolve(const char *cgroups_path, const char *id, bool rootless, char **ret, bool *ret_relative,
			char **ret_err)
{
	cleanup_free char *cleaned = NULL;
	char *out = NULL;
	int r;

	if (!cgroups_path || !*cgroups_path) {
		if (asprintf(&out, rootless ? "kakuri/%s" : "/kakuri/%s", id) < 0)
			return -ENOMEM;
		*ret = out;
		*ret_relative = rootless;
		return 0;
	}
	if (has_ctl_chars(cgroups_path)) {
		if (ret_err)
			r = asprintf(ret_err, "linux.cgroupsPath: control characters are not allowed");
		return -EINVAL;
	}
	const char *c1 = strchr(cgroups_path, ':');
	if (cgroups_path[0] != '/' && c1) {
		r = cgroup_systemd_path(cgroups_path, rootless, &out);
		if (r == -EINVAL && ret_err)
			r = asprintf(ret_err, "linux.cgroupsPath: '%s' is not of the form \"slice:prefix:name\" "
					      "(slice ending in .slice, no '/' in any part)", cgroups_path) < 0 ? -ENOMEM : -EINVAL;
		if (r < 0)
			return r;
		*ret = out;
		*ret_relative = false;
		return 0;
	}
	r = clean_path(cgroups_path, &cleaned);
	if (r == -EINVAL) {
		if (ret_err)
			r = asprintf(ret_err, "linux.cgroupsPath: '%s': \"..\" is not allowed", cgroups_path);
		return -EINVAL;
	}
	if (r < 0)
		return r;
	if (!*cleaned || STREQ(cleaned, "/")) {
		if (ret_err)
			r = asprintf(ret_err, "linux.cgroupsPath: '%s' names the cgroup root, which a container cannot own",
				     cgroups_path);
		return -EINVAL;
	}
	*ret_relative = cleaned[0] != '/';
	*ret = TAKE_PTR(cleaned);
	return 0;
}

static char *path_join(const char *a, const char *b)
{
	char *out = NULL;
	size_t na = strlen(a);
	while (na > 0 && a[na - 1] == '/')
		na--;
	while (*b == '/')
		b++;
	if (asprintf(&out, "%.*s/%s", (int)na, a, b) < 0)
		return NULL;
	return out;
}

int cgroup_hierarchy_path(const struct cgroup_hierarchy *h, const char *path, bool relative, char **ret)
{
	char *out;
	if (!relative) {
		out = strdup(path);
	} else {
		cleanup_free char *base = strdup(h->own ? h->own : "/");
		if (!base)
			return -ENOMEM;
		if (h->v2) {
			/* The parent of our own cgroup: our own has processes (us), and a v2 cgroup
			 * with processes cannot give controllers to its children. */
			char *slash = strrchr(base, '/');
			if (slash && slash != base)
				*slash = 0;
			else if (slash)
				slash[1] = 0;
		}
		out = path_join(base, path);
	}
	if (!out)
		return -ENOMEM;
	*ret = out;
	return 0;
}

int cgroup_hierarchy_dir(const struct cgroup_hierarchy *h, const char *hpath, char **ret)
{
	const char *root = h->mount_root ? h->mount_root : "/";
	if (!path_has_prefix(hpath, root))
		return -EXDEV;
	const char *rest = STREQ(root, "/") ? hpath : hpath + strlen(root);
	char *out = path_join(h->mountpoint, rest);
	if (!out)
		return -ENOMEM;
	*ret = out;
	return 0;
}
