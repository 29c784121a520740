/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "spec-userns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/container/record.h"
#include "engine/container/runtime.h"
#include "engine/container/spec-internal.h"
#include "engine/container/util.h"
#include "engine/image/idmap.h"
#include "engine/image/store.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/path.h"

#define AUTO_USER	  "containers"
#define AUTO_DEFAULT_SIZE 65536u
#define MAX_EXTENTS	  64

struct idext {
	uint32_t c, h, n; /* container id, id in the parent namespace, count */
};

static void add_idmap(json_object *arr, uint32_t c, uint32_t h, uint32_t size)
{
	if (size == 0)
		return;
	json_object *m = json_object_new_object();
	json_object_object_add(m, "containerID", json_object_new_int64(c));
	json_object_object_add(m, "hostID", json_object_new_int64(h));
	json_object_object_add(m, "size", json_object_new_int64(size));
	json_object_array_add(arr, m);
}

static void add_user_ns(json_object *ns)
{
	json_object *n = json_object_new_object();
	ju_add_str(n, "type", "user");
	json_object_array_add(ns, n);
}

static bool parse_u32(const char *s, uint32_t *ret)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*ret = (uint32_t)v;
	return true;
}

static bool overlaps(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

/* --uidmap/--gidmap C:H:N (several, or comma-separated). limit: the parent ids available
 * (0: any 32-bit id). */
static int parse_maps(const char *opt, char *const *specs, uint64_t limit, struct idext *ret, size_t *ret_n)
{
	size_t n = 0;
	for (size_t i = 0; specs && specs[i]; i++) {
		cleanup_strv char **items = cu_strv_split(specs[i], ',');
		if (!items)
			return -ENOMEM;
		for (size_t k = 0; items[k]; k++) {
			cleanup_strv char **f = cu_strv_split(items[k], ':');
			struct idext e;
			if (!f || cu_strv_length(f) != 3 || !parse_u32(f[0], &e.c) || !parse_u32(f[1], &e.h) ||
			    !parse_u32(f[2], &e.n) || e.n == 0 || (uint64_t)e.c + e.n > (1ull << 32) - 1 ||
			    (uint64_t)e.h + e.n > (1ull << 32) - 1)
				return log_error_errno(
				    -EINVAL,
				    "--%s %s: expected CONTAINER_ID:HOST_ID:SIZE (numbers, SIZE > 0, "
				    "ids below 2^32-1)",
				    opt, items[k]);
			if (limit && (uint64_t)e.h + e.n > limit)
				return log_error_errno(
				    -EINVAL,
				    "--%s %s: host ids %u..%llu are not available: rootless, HOST_ID "
				    "is an id of your user namespace, 0 (you) to %llu (the last of "
				    "your subordinate ids)",
				    opt, items[k], e.h, (unsigned long long)e.h + e.n - 1,
				    (unsigned long long)limit - 1);
			for (size_t j = 0; j < n; j++)
				if (overlaps(e.c, e.n, ret[j].c, ret[j].n) || overlaps(e.h, e.n, ret[j].h, ret[j].n))
					return log_error_errno(-EINVAL,
							       "--%s %s: overlaps %u:%u:%u (neither the container nor "
							       "the host ranges may overlap)",
							       opt, items[k], ret[j].c, ret[j].h, ret[j].n);
			if (n >= MAX_EXTENTS)
				return log_error_errno(-E2BIG, "--%s: at most %d ranges", opt, MAX_EXTENTS);
			ret[n++] = e;
		}
	}
	*ret_n = n;
	return 0;
}

/* ---- --userns auto ---- */

struct range {
	uint64_t start, n;
};

/* The ranges of AUTO_USER in file; -ENOENT if none. */
static int subid_ranges(const char *file, struct range *ret, size_t *ret_n)
{
	cleanup_fclose FILE *f = fopen(file, "re");
	char line[512];
	size_t n = 0;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && n < MAX_EXTENTS) {
		char *save = NULL, *user = strtok_r(line, ":", &save), *s = strtok_r(NULL, ":", &save),
		     *c = strtok_r(NULL, ":\n", &save);
		uint32_t a, b;
		if (!user || !STREQ(user, AUTO_USER) || !parse_u32(s, &a) || !parse_u32(c, &b) || b == 0)
			continue;
		ret[n++] = (struct range){a, b};
	}
	*ret_n = n;
	return n ? 0 : -ENOENT;
}

/* The lowest start in ranges where size ids overlap none of used. */
static int pick(const struct range *ranges, size_t nr, const struct range *used, size_t nu, uint32_t size,
		uint32_t *ret)
{
	for (size_t i = 0; i < nr; i++) {
		uint64_t cand = ranges[i].start;
		bool moved = true;
		while (moved && cand + size <= ranges[i].start + ranges[i].n) {
			moved = false;
			for (size_t k = 0; k < nu; k++)
				if (overlaps(cand, size, used[k].start, used[k].n)) {
					cand = used[k].start + used[k].n;
					moved = true;
				}
		}
		if (!moved && cand + size <= ranges[i].start + ranges[i].n && cand + size <= UINT32_MAX) {
			*ret = (uint32_t)cand;
			return 0;
		}
	}
	return -ENOSPC;
}

static int parse_auto(const char *mode, uint32_t *ret_size)
{
	*ret_size = AUTO_DEFAULT_SIZE;
	if (STREQ(mode, "auto"))
		return 0;
	cleanup_strv char **opts = cu_strv_split(mode + 5, ',');
	for (size_t i = 0; opts && opts[i]; i++) {
		if (strncmp(opts[i], "size=", 5) == 0 && parse_u32(opts[i] + 5, ret_size) && *ret_size > 0)
			continue;
		return log_error_errno(-EINVAL, "--userns %s: '%s': expected auto or auto:size=N (N > 0)", mode,
				       opts[i]);
	}
	return opts ? 0 : -ENOMEM;
}

/* Allocates under containers.lock and saves the record with it before the lock goes, so
 * that two concurrent creates never get the same ids. */
static int auto_allocate(const struct ctr_spec_ctx *ctx, const char *mode, struct ctr_record *rec)
{
	struct range ur[MAX_EXTENTS], gr[MAX_EXTENTS];
	size_t nur = 0, ngr = 0;
	uint32_t size;
	int r = parse_auto(mode, &size);
	if (r < 0)
		return r;
	const char *files[] = {"/etc/subuid", "/etc/subgid"};
	for (size_t i = 0; i < 2; i++) {
		r = subid_ranges(files[i], i ? gr : ur, i ? &ngr : &nur);
		if (r < 0)
			return log_error_errno(r,
					       "--userns %s: no range for the user '" AUTO_USER "' in %s (%s): add a "
					       "line such as '" AUTO_USER ":2147483647:2147483648' to /etc/subuid and "
					       "/etc/subgid",
					       mode, files[i], r == -ENOENT ? "no entry" : strerror(-r));
	}
	if (!ctx->store)
		return log_error_errno(-EINVAL, "--userns %s: needs the container store", mode);
	cleanup_close int lk = ctr_lock_all(ctx->store);
	if (lk < 0)
		return lk;
	struct ctr_record **all = NULL;
	size_t n = 0;
	r = ctr_list(ctx->store, &all, &n);
	if (r < 0)
		return r;
	struct range *uu = calloc(n + 1, sizeof(*uu)), *gu = calloc(n + 1, sizeof(*gu));
	size_t nu = 0;
	for (size_t i = 0; uu && gu && i < n; i++)
		if (all[i]->auto_size && !STREQ(all[i]->id, rec->id)) {
			uu[nu] = (struct range){all[i]->auto_uid, all[i]->auto_size};
			gu[nu++] = (struct range){all[i]->auto_gid, all[i]->auto_size};
		}
	ctr_list_free(all, n);
	uint32_t u = 0, g = 0;
	r = uu && gu ? 0 : -ENOMEM;
	if (r >= 0 && (pick(ur, nur, uu, nu, size, &u) < 0 || pick(gr, ngr, gu, nu, size, &g) < 0))
		r = log_error_errno(-ENOSPC,
				    "--userns %s: no free range of %u ids left in the '" AUTO_USER
				    "' entries of /etc/subuid and /etc/subgid (%zu other containers hold ranges)",
				    mode, size, nu);
	free(uu);
	free(gu);
	if (r < 0)
		return r;
	rec->auto_uid = u;
	rec->auto_gid = g;
	rec->auto_size = size;
	return ctr_record_save(ctx->store, rec);
}

/* A user namespace whose root is not the host's root must be able to reach its root
 * filesystem and bundle files while the runtime sets it up as that root: search (not read)
 * permission for others on the store's directories on the way, as containers/storage does
 * for remapped containers. */
static int allow_search(const struct ctr_spec_ctx *ctx)
{
	char *paths[8] = {(char *)ctx->store_root, NULL};
	size_t n = 1;
	/* STORE/rootfs/ID/merged and STORE/containers/ID/userdata, with their parents. */
	char *p = strdup(ctx->rootfs);
	for (int i = 0; p && i < 3; i++) {
		paths[n++] = p;
		p = strdup(p);
		if (p)
			dirname(p);
	}
	free(p);
	p = strdup(ctx->userdata);
	for (int i = 0; p && i < 3; i++) {
		paths[n++] = p;
		p = strdup(p);
		if (p)
			dirname(p);
	}
	free(p);
	int r = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(paths[i], &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (!(st.st_mode & S_IXOTH) && chmod(paths[i], (st.st_mode & 07777) | S_IXOTH) < 0 && r == 0)
			r = log_error_errno(-errno, "Failed to make %s searchable for the container's root: %m",
					    paths[i]);
	}
	for (size_t i = 1; i < n; i++)
		free(paths[i]);
	return r;
}

static int rootless_range(uint32_t *ret_u, uint32_t *ret_g, struct idmap *ret_m)
{
	if (idmap_load(ret_m) < 0)
		return -EPERM;
	*ret_u = ret_m->uid_count;
	*ret_g = ret_m->gid_count;
	return 0;
}

int ctr_spec_userns(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, const char *mode, struct ctr_record *rec,
		    json_object *linux_, json_object *ns)
{
	struct idext um[MAX_EXTENTS], gm[MAX_EXTENTS];
	size_t nu = 0, ng = 0;
	bool has_maps = o->uidmap || o->gidmap;
	bool is_auto = STREQ(mode, "auto") || strncmp(mode, "auto:", 5) == 0;
	int r;

	if (!STREQ(mode, "host") && !STREQ(mode, "keep-id") && !STREQ(mode, "nomap") && !is_auto)
		return log_error_errno(-EINVAL, "--userns %s: expected host, keep-id, nomap, auto or auto:size=N",
				       mode);
	if (has_maps && !STREQ(mode, "host"))
		return log_error_errno(-EINVAL, "--userns %s and --uidmap/--gidmap: give one or the other", mode);
	if (!ctx->rootless) {
		if (STREQ(mode, "keep-id") || STREQ(mode, "nomap"))
			return log_error_errno(-EINVAL,
					       "--userns %s: only supported in rootless mode (as root: --userns auto "
					       "or --uidmap)",
					       mode);
		if (STREQ(mode, "host") && !has_maps)
			return 0;
		if (is_auto) {
			r = auto_allocate(ctx, mode, rec);
			if (r < 0)
				return r;
			um[0] = (struct idext){0, rec->auto_uid, rec->auto_size};
			gm[0] = (struct idext){0, rec->auto_gid, rec->auto_size};
			nu = ng = 1;
		} else {
			if ((r = parse_maps("uidmap", o->uidmap, 0, um, &nu)) < 0 ||
			    (r = parse_maps("gidmap", o->gidmap, 0, gm, &ng)) < 0)
				return r;
		}
	} else {
		struct idmap m;
		uint32_t ru, rg;
		if (is_auto)
			return log_error_errno(-EINVAL,
					       "--userns %s: only for root (a rootless container always gets the "
					       "user's subordinate range; see --userns nomap and --uidmap)",
					       mode);
		if (rootless_range(&ru, &rg, &m) < 0)
			return -EPERM;
		if (has_maps) {
			if ((r = parse_maps("uidmap", o->uidmap, (uint64_t)ru + 1, um, &nu)) < 0 ||
			    (r = parse_maps("gidmap", o->gidmap, (uint64_t)rg + 1, gm, &ng)) < 0)
				return r;
		} else if (STREQ(mode, "keep-id")) {
			uint32_t u = (uint32_t)idmap_user_uid(), g = (uint32_t)m.gid;
			if (u > ru || g > rg)
				return log_error_errno(
				    -ERANGE, "--userns=keep-id: uid %u is above the subordinate range size %u", u, ru);
			/* The user's own id inside is the user; the ids below and above it are the
			 * subordinate ones. */
			um[nu++] = (struct idext){0, 1, u};
			um[nu++] = (struct idext){u, 0, 1};
			um[nu++] = (struct idext){u + 1, u + 1, ru - u};
			gm[ng++] = (struct idext){0, 1, g};
			gm[ng++] = (struct idext){g, 0, 1};
			gm[ng++] = (struct idext){g + 1, g + 1, rg - g};
		} else if (STREQ(mode, "nomap")) {
			um[nu++] = (struct idext){0, 1, ru};
			gm[ng++] = (struct idext){0, 1, rg};
		} else {
			/* host: the storage namespace's ids as they are. Two extents: the kernel
			 * wants each one inside a single extent of the parent's map (0 = the user,
			 * 1.. = the subordinate range). */
			um[nu++] = (struct idext){0, 0, 1};
			um[nu++] = (struct idext){1, 1, ru};
			gm[ng++] = (struct idext){0, 0, 1};
			gm[ng++] = (struct idext){1, 1, rg};
		}
	}
	/* One of --uidmap/--gidmap: the other is the same (podman). */
	if (nu == 0) {
		memcpy(um, gm, ng * sizeof(*gm));
		nu = ng;
	} else if (ng == 0) {
		memcpy(gm, um, nu * sizeof(*um));
		ng = nu;
	}
	json_object *ju = json_object_new_array(), *jg = json_object_new_array();
	for (size_t i = 0; i < nu; i++)
		add_idmap(ju, um[i].c, um[i].h, um[i].n);
	for (size_t i = 0; i < ng; i++)
		add_idmap(jg, gm[i].c, gm[i].h, gm[i].n);
	add_user_ns(ns);
	json_object_object_add(linux_, "uidMappings", ju);
	json_object_object_add(linux_, "gidMappings", jg);
	/* The storage namespace's own ids need no chown (host, keep-id: the user's files are
	 * the image's root files there too, as podman has them). */
	rec->idshift = is_auto || has_maps || STREQ(mode, "nomap");
	/* Then the container's root is not the owner of the store either. */
	return rec->idshift ? allow_search(ctx) : 0;
}

/* ---- joining another container's namespaces ---- */

bool ctr_ns_is_container(const char *v)
{
	return v && strncmp(v, "container:", 10) == 0;
}

static void ns_set_path(json_object *ns, const char *type, const char *path)
{
	for (size_t i = 0; i < json_object_array_length(ns); i++) {
		json_object *e = json_object_array_get_idx(ns, i);
		if (STREQ(ju_str(e, "type"), type)) {
			json_object_object_add(e, "path", json_object_new_string(path));
			return;
		}
	}
	json_object *e = json_object_new_object();
	ju_add_str(e, "type", type);
	ju_add_str(e, "path", path);
	json_object_array_add(ns, e);
}

/* The target must be running now, its init alive with the recorded start time. */
static int target_running(const struct ctr_record *t, const char *opt, const char *ref)
{
	if (ctr_status(t) != CTR_STATUS_RUNNING || t->pid <= 0 || !ctr_proc_alive(t->pid, t->pid_start))
		return log_error_errno(-ESRCH, "%s container:%s: the container is not running (start it first)", opt,
				       ref);
	return 0;
}

static const struct {
	const char *opt, *type, *nsfile;
	size_t field; /* offsetof the ID in the record */
} joins[] = {
    {"--pid", "pid", "pid", offsetof(struct ctr_record, pid_ctr)},
    {"--ipc", "ipc", "ipc", offsetof(struct ctr_record, ipc_ctr)},
    {"--uts", "uts", "uts", offsetof(struct ctr_record, uts_ctr)},
};

static char **join_field(struct ctr_record *r, size_t i)
{
	return (char **)((char *)r + joins[i].field);
}

/* The record of the running container ref names (opt: for messages). */
static int target_load(const struct ctr_spec_ctx *ctx, const char *opt, const char *val, struct ctr_record **ret)
{
	const char *ref = val + 10;
	cleanup_free char *id = NULL;
	struct ctr_record *t = NULL;
	if (!ctx->store)
		return log_error_errno(-EINVAL, "%s %s: needs the container store", opt, val);
	if (!*ref)
		return log_error_errno(-EINVAL, "%s %s: expected container:NAME or container:ID", opt, val);
	int r = ctr_lookup(ctx->store, ref, &id);
	if (r < 0)
		return r;
	r = ctr_record_load(ctx->store, id, &t);
	if (r < 0)
		return r;
	r = target_running(t, opt, ref);
	if (r < 0) {
		ctr_record_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

int ctr_ns_join_hostname(const struct ctr_spec_ctx *ctx, const char *uts, char **ret)
{
	struct ctr_record *t = NULL;
	int r = target_load(ctx, "--uts", uts, &t);
	if (r < 0)
		return r;
	*ret = strdup(t->hostname ? t->hostname : t->id);
	ctr_record_free(t);
	return *ret ? 0 : -ENOMEM;
}

int ctr_spec_ns_join(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, struct ctr_record *rec,
		     json_object *linux_, json_object *ns)
{
	const char *vals[] = {o->pid_ns, o->ipc_ns, o->uts_ns};
	struct ctr_record *first = NULL;
	int r = 0;
	for (size_t i = 0; i < ELEMENTSOF(joins) && r >= 0; i++) {
		if (!ctr_ns_is_container(vals[i]))
			continue;
		struct ctr_record *t = NULL;
		char path[64];
		r = target_load(ctx, joins[i].opt, vals[i], &t);
		if (r < 0)
			break;
		if (ctx->rootless && first && !STREQ(first->id, t->id))
			r = log_error_errno(-EINVAL,
					    "%s %s: rootless, every container: namespace must be the same "
					    "container's (the container joins its user namespace), not %s and %s",
					    joins[i].opt, vals[i], first->name, t->name);
		if (r >= 0) {
			snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)t->pid, joins[i].nsfile);
			ns_set_path(ns, joins[i].type, path);
			free(*join_field(rec, i));
			*join_field(rec, i) = strdup(t->id);
			if (!*join_field(rec, i))
				r = -ENOMEM;
		}
		if (r >= 0 && !first)
			first = t;
		else
			ctr_record_free(t);
	}
	if (r >= 0 && first && ctx->rootless) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)first->pid);
		ns_set_path(ns, "user", path);
		json_object_object_del(linux_, "uidMappings");
		json_object_object_del(linux_, "gidMappings");
	}
	ctr_record_free(first);
	return r;
}

/* Points the joined namespaces of config.json at the targets' current inits. */
static int refresh_paths(struct store *s, const struct ctr_record *rec, pid_t *ret_pid, uint64_t *ret_start)
{
	cleanup_free char *config = ctr_path(s, rec->id, "userdata/config.json"), *data = NULL;
	if (!config)
		return -ENOMEM;
	int r = fs_read_file_at(AT_FDCWD, config, 64u << 20, &data, NULL);
	if (r < 0)
		return log_error_errno(r, "Cannot read %s: %m", config);
	cleanup_json json_object *root = json_tokener_parse(data);
	json_object *linux_ = NULL, *ns = NULL;
	if (!root || !json_object_object_get_ex(root, "linux", &linux_) ||
	    !json_object_object_get_ex(linux_, "namespaces", &ns))
		return log_error_errno(-EBADMSG, "%s: no linux.namespaces", config);
	*ret_pid = 0;
	for (size_t i = 0; i < ELEMENTSOF(joins); i++) {
		const char *tid = *join_field((struct ctr_record *)rec, i);
		struct ctr_record *t = NULL;
		char path[64];
		if (!tid)
			continue;
		r = ctr_record_load(s, tid, &t);
		if (r == -ENOENT)
			return log_error_errno(r, "%s container:%.12s: that container no longer exists", joins[i].opt,
					       tid);
		if (r < 0)
			return r;
		r = target_running(t, joins[i].opt, t->name);
		if (r >= 0) {
			snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)t->pid, joins[i].nsfile);
			ns_set_path(ns, joins[i].type, path);
			*ret_pid = t->pid;
			*ret_start = t->pid_start;
		}
		ctr_record_free(t);
		if (r < 0)
			return r;
	}
	if (rec->rootless && *ret_pid) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)*ret_pid);
		ns_set_path(ns, "user", path);
	}
	return ctr_spec_write_json(config, root);
}

int ctr_monitor_enter_namespaces(const char *store_root, const char *id)
{
	bool rootless = idmap_rootless() && !idmap_in_userns();
	cleanup_store struct store *s = NULL;
	cleanup_ctr_record struct ctr_record *rec = NULL;
	pid_t tpid = 0;
	uint64_t tstart = 0;
	int r = store_open(store_root, &s);
	if (r < 0)
		return r;
	r = ctr_record_load(s, id, &rec);
	if (r < 0)
		return r == -ENOENT ? log_error_errno(r, "no container with ID %s found: no such container", id) : r;
	if (rec->pid_ctr || rec->ipc_ctr || rec->uts_ctr) {
		r = refresh_paths(s, rec, &tpid, &tstart);
		if (r < 0)
			return r;
	}
	if (!rootless)
		return 0;
	if (!tpid) {
		struct idmap map;
		r = idmap_load(&map);
		return r < 0 ? r : idmap_unshare_self(&map);
	}
	/* The other container's storage namespace: the parent of its init's, pinned by the
	 * open and checked against the start time (ctr_join_userns). */
	r = ctr_join_userns(tpid, tstart, true);
	if (r < 0)
		return log_error_errno(r,
				       "cannot join the user namespace of the container whose namespaces are shared "
				       "(pid %d): %m",
				       (int)tpid);
	if (unshare(CLONE_NEWNS) < 0)
		return log_error_errno(-errno, "Failed to create a mount namespace: %m");
	return 0;
}

/* ---- chowning the root filesystem through the mapping ---- */

static int load_map(json_object *linux_, const char *key, struct idext *ret, size_t *ret_n)
{
	json_object *a = NULL;
	size_t n = 0;
	if (!json_object_object_get_ex(linux_, key, &a) || !json_object_is_type(a, json_type_array))
		return -EBADMSG;
	for (size_t i = 0; i < json_object_array_length(a) && n < MAX_EXTENTS; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		ret[n++] = (struct idext){(uint32_t)ju_int64(e, "containerID"), (uint32_t)ju_int64(e, "hostID"),
					  (uint32_t)ju_int64(e, "size")};
	}
	*ret_n = n;
	return 0;
}

static bool map_id(const struct idext *m, size_t n, uint32_t id, uint32_t *ret)
{
	for (size_t i = 0; i < n; i++)
		if (id >= m[i].c && id - m[i].c < m[i].n) {
			*ret = m[i].h + (id - m[i].c);
			return true;
		}
	return false;
}

struct shift {
	struct idext um[MAX_EXTENTS], gm[MAX_EXTENTS];
	size_t nu, ng;
	int rootfd;
	/* Inodes with several links, by the first link chowned (its path in the root). The
	 * chown copies that link up alone (overlayfs without index=on breaks hard links on
	 * copy-up, and reports the origin's st_ino for both): the other links are then made
	 * links of the copy again, unless they already have the new owner (the same inode,
	 * on a driver without copy-up). */
	struct seen {
		dev_t dev;
		ino_t ino;
		uid_t uid;
		gid_t gid;
		char *path;
	} * seen;
	size_t n_seen, cap_seen;
};

/* Replaces dirfd/name by a hard link to the root-relative path. */
static int relink(struct shift *sh, const char *path, int dirfd, const char *name)
{
	const char *base;
	size_t len;
	cleanup_close int pfd = path_open_parent_in_root(sh->rootfd, path, false, 0, &base, &len);
	if (pfd < 0)
		return pfd;
	cleanup_free char *b = strndup(base, len);
	if (!b)
		return -ENOMEM;
	if (unlinkat(dirfd, name, 0) < 0 || linkat(pfd, b, dirfd, name, 0) < 0)
		return -errno;
	return 0;
}

static int shift_one(struct shift *sh, int dirfd, const char *rel, const char *name, const struct stat *st)
{
	uint32_t u = st->st_uid, g = st->st_gid;
	bool mu = map_id(sh->um, sh->nu, st->st_uid, &u), mg = map_id(sh->gm, sh->ng, st->st_gid, &g);
	if ((!mu && !mg) || (u == st->st_uid && g == st->st_gid))
		return 0;
	if (!S_ISDIR(st->st_mode) && st->st_nlink > 1) {
		for (size_t i = 0; i < sh->n_seen; i++)
			if (sh->seen[i].dev == st->st_dev && sh->seen[i].ino == st->st_ino) {
				if (sh->seen[i].uid == st->st_uid && sh->seen[i].gid == st->st_gid)
					return 0; /* this very inode, chowned through another link */
				return relink(sh, sh->seen[i].path, dirfd, name);
			}
		if (sh->n_seen == sh->cap_seen) {
			size_t c = sh->cap_seen ? sh->cap_seen * 2 : 64;
			void *p = realloc(sh->seen, c * sizeof(*sh->seen));
			if (!p)
				return -ENOMEM;
			sh->seen = p;
			sh->cap_seen = c;
		}
		char *path = NULL;
		if (asprintf(&path, "%s/%s", rel, name) < 0)
			return -ENOMEM;
		sh->seen[sh->n_seen++] = (struct seen){st->st_dev, st->st_ino, u, g, path};
	}
	if (fchownat(dirfd, name, u, g, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	/* chown clears setuid/setgid (for root too, since Linux 2.2.13): put them back. */
	if (!S_ISLNK(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID)) &&
	    fchmodat(dirfd, name, st->st_mode & 07777, 0) < 0)
		return -errno;
	return 0;
}

/* Depth-first below dirfd (rel: its path in the root); every directory opened O_NOFOLLOW
 * relative to its parent, so a symlink in the image never leads the walk out of the root
 * filesystem (nothing else runs in it yet). */
static int shift_dir(struct shift *sh, int dirfd, const char *rel, int depth)
{
	if (depth > 256)
		return -ELOOP;
	int fd = dup(dirfd);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	int r = 0;
	struct dirent *de;
	while (r >= 0 && (de = readdir(d))) {
		struct stat st;
		if (STREQ(de->d_name, ".") || STREQ(de->d_name, ".."))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			cleanup_free char *sub_rel = NULL;
			int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				r = -errno;
				break;
			}
			if (asprintf(&sub_rel, "%s/%s", rel, de->d_name) < 0)
				r = -ENOMEM;
			else
				r = shift_dir(sh, sub, sub_rel, depth + 1);
			close(sub);
		}
		if (r >= 0)
			r = shift_one(sh, dirfd, rel, de->d_name, &st);
	}
	closedir(d);
	return r;
}

int ctr_rootfs_idshift(const char *config_path, int rootfd, json_object *config)
{
	cleanup_free char *ud = strdup(config_path), *started = NULL, *done = NULL;
	if (!ud)
		return -ENOMEM;
	dirname(ud);
	if (asprintf(&started, "%s/idshift.started", ud) < 0 || asprintf(&done, "%s/idshift.done", ud) < 0)
		return -ENOMEM;
	if (access(done, F_OK) == 0)
		return 0;
	if (access(started, F_OK) == 0)
		return log_error_errno(-EUCLEAN,
				       "the ownership change of the container's root filesystem (--userns/--uidmap) "
				       "was interrupted: remove the container and create it again");
	struct shift *sh = calloc(1, sizeof(*sh));
	json_object *linux_ = NULL;
	if (!sh)
		return -ENOMEM;
	int r = json_object_object_get_ex(config, "linux", &linux_) ? 0 : -EBADMSG;
	if (r >= 0)
		r = load_map(linux_, "uidMappings", sh->um, &sh->nu);
	if (r >= 0)
		r = load_map(linux_, "gidMappings", sh->gm, &sh->ng);
	if (r < 0) {
		free(sh);
		return log_error_errno(r, "%s: no linux.uidMappings/gidMappings to chown the root filesystem with",
				       config_path);
	}
	r = fs_write_atomic(started, "", 0, 0600);
	if (r >= 0) {
		struct stat st;
		/* rootfd may be O_PATH: readdir needs a real one. */
		int dfd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		sh->rootfd = rootfd;
		r = dfd < 0 ? -errno : shift_dir(sh, dfd, "", 0);
		if (dfd >= 0)
			close(dfd);
		/* The root directory itself ("" relative to rootfd). */
		if (r >= 0 && fstat(rootfd, &st) == 0) {
			uint32_t u = st.st_uid, g = st.st_gid;
			map_id(sh->um, sh->nu, st.st_uid, &u);
			map_id(sh->gm, sh->ng, st.st_gid, &g);
			if (fchownat(rootfd, "", u, g, AT_EMPTY_PATH) < 0)
				r = -errno;
		}
	}
	for (size_t i = 0; i < sh->n_seen; i++)
		free(sh->seen[i].path);
	free(sh->seen);
	free(sh);
	if (r < 0)
		return log_error_errno(r, "Failed to chown the container's root filesystem for its user namespace: %m");
	r = fs_write_atomic(done, "", 0, 0600);
	if (r >= 0)
		unlink(started);
	return r;
}
