/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.json → struct oci_spec: the top level, root, mounts, hooks, annotations.
 * The process object is in spec-parse-process.c, the linux section in spec-parse-linux.c,
 * the field readers in spec-json.c.
 *
 * Validation follows runtime-spec 1.2 (config.md, config-linux.md): every field that is
 * read is type-checked, unknown fields are ignored (config.md: "runtimes MUST ignore
 * unknown properties"), JSON null counts as absent (as in runc). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "oci/spec-internal.h"
#include "oci/spec.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

const char *const spec_ns_names[] = {
    [OCI_NS_PID] = "pid",	[OCI_NS_NETWORK] = "network", [OCI_NS_MOUNT] = "mount",
    [OCI_NS_IPC] = "ipc",	[OCI_NS_UTS] = "uts",	      [OCI_NS_USER] = "user",
    [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",	      [OCI_NS_MAX] = NULL,
};

const char *const spec_hook_names[] = {
    [OCI_HOOK_PRESTART] = "prestart",
    [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
    [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
    [OCI_HOOK_START_CONTAINER] = "startContainer",
    [OCI_HOOK_POSTSTART] = "poststart",
    [OCI_HOOK_POSTSTOP] = "poststop",
    [OCI_HOOK_MAX] = NULL,
};

const char *spec_ns_name(enum oci_ns_type t)
{
	if ((unsigned)t >= OCI_NS_MAX)
		return NULL;
	return spec_ns_names[t];
}

int spec_ns_clone_flag(enum oci_ns_type t)
{
	static const int flags[OCI_NS_MAX] = {
	    [OCI_NS_PID] = CLONE_NEWPID,       [OCI_NS_NETWORK] = CLONE_NEWNET, [OCI_NS_MOUNT] = CLONE_NEWNS,
	    [OCI_NS_IPC] = CLONE_NEWIPC,       [OCI_NS_UTS] = CLONE_NEWUTS,	[OCI_NS_USER] = CLONE_NEWUSER,
	    [OCI_NS_CGROUP] = CLONE_NEWCGROUP, [OCI_NS_TIME] = CLONE_NEWTIME,
	};
	if ((unsigned)t >= OCI_NS_MAX)
		return 0;
	return flags[t];
}

const char *spec_hook_kind_name(enum oci_hook_kind kind)
{
	if ((unsigned)kind >= OCI_HOOK_MAX)
		return NULL;
	return spec_hook_names[kind];
}

const char *spec_annotation(const struct oci_spec *spec, const char *key)
{
	if (!spec || !key)
		return NULL;
	for (size_t i = 0; i < spec->n_annotations; i++)
		if (STREQ(spec->annotations[i].key, key))
			return spec->annotations[i].value;
	return NULL;
}

/* --- freeing ------------------------------------------------------------------------- */

static void strv_free(char **v)
{
	cleanup_strvp(&v);
}

void spec_free(struct oci_spec *spec)
{
	if (!spec)
		return;
	free(spec->oci_version);
	free(spec->root_path);
	spec_process_free(spec->process);
	free(spec->hostname);
	free(spec->domainname);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		struct oci_mount *m = &spec->mounts[i];
		free(m->destination);
		free(m->type);
		free(m->source);
		strv_free(m->options);
		free(m->uid_mappings);
		free(m->gid_mappings);
	}
	free(spec->mounts);
	for (int k = 0; k < OCI_HOOK_MAX; k++) {
		for (size_t i = 0; i < spec->hooks.n[k]; i++) {
			free(spec->hooks.list[k][i].path);
			strv_free(spec->hooks.list[k][i].args);
			strv_free(spec->hooks.list[k][i].env);
		}
		free(spec->hooks.list[k]);
	}
	for (size_t i = 0; i < spec->n_annotations; i++) {
		free(spec->annotations[i].key);
		free(spec->annotations[i].value);
	}
	free(spec->annotations);
	spec_linux_free(&spec->linux_);
	free(spec);
}

/* --- top level ----------------------------------------------------------------------- */

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* SemVer "1.MINOR.PATCH[-pre][+build]" with MINOR 0..2: what this runtime implements. */
static int check_oci_version(struct spec_parser *p, const char *v)
{
	const char *minor, *patch, *end;
	size_t n_patch;

	if (strncmp(v, "1.", 2) != 0) {
		if (v[0] >= '0' && v[0] <= '9' && strchr(v, '.'))
			goto unsupported;
		goto malformed;
	}
	minor = v + 2;
	patch = strchr(minor, '.');
	if (!patch || !all_digits(minor, (size_t)(patch - minor)))
		goto malformed;
	patch++;
	n_patch = strcspn(patch, "-+");
	if (!all_digits(patch, n_patch))
		goto malformed;
	end = patch + n_patch;
	for (const char *c = end; *c; c++)
		if (!strchr("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-+", *c))
			goto malformed;
	if (*end && !end[1])
		goto malformed;
	if ((patch - minor - 1) != 1 || minor[0] > '2')
		goto unsupported;
	return 0;

malformed:
	return spec_fail_at(p, "ociVersion", "'%s' is not a valid version (expected MAJOR.MINOR.PATCH)", v);
unsupported:
	return spec_fail_at(p, "ociVersion", "unsupported version '%s' (supported: 1.0.0 through 1.2.x)", v);
}

static int parse_root(struct spec_parser *p, struct json_object *top, struct oci_spec *spec)
{
	struct json_object *root = NULL;
	size_t old;
	int r;

	r = spec_get_object(p, top, "root", true, &root);
	if (r < 0)
		return r;
	old = spec_path_push_key(p, "root");
	r = spec_get_string(p, root, "path", true, true, &spec->root_path);
	if (r >= 0)
		r = spec_get_bool(p, root, "readonly", &spec->root_readonly);
	spec_path_pop(p, old);
	return r < 0 ? r : 0;
}

/* True if path climbs above "/" with "..": "/../x", "a/../../x". A relative destination is
 * taken relative to "/", so it is judged the same way. */
static bool path_escapes_root(const char *path)
{
	long depth = 0;

	for (const char *c = path; *c;) {
		size_t n;

		c += strspn(c, "/");
		n = strcspn(c, "/");
		if (n == 0)
			break;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			if (--depth < 0)
				return true;
		} else if (!(n == 1 && c[0] == '.')) {
			depth++;
		}
		c += n;
	}
	return false;
}

static int parse_mount(struct spec_parser *p, struct json_object *e, struct oci_mount *m)
{
	int r, has_uid, has_gid;

	r = spec_val_object(p, e);
	if (r < 0)
		return r;
	r = spec_get_string(p, e, "destination", true, true, &m->destination);
	if (r < 0)
		return r;
	/* Mounts are later resolved with RESOLVE_IN_ROOT, which would clamp ".." at the root;
	 * a config that tries to climb out is rejected outright so the intent is visible. */
	if (path_escapes_root(m->destination))
		return spec_fail_at(p, "destination", "'%s' escapes the container root", m->destination);
	if ((r = spec_get_string(p, e, "type", false, false, &m->type)) < 0 ||
	    (r = spec_get_string(p, e, "source", false, false, &m->source)) < 0 ||
	    (r = spec_get_strv(p, e, "options", &m->options)) < 0)
		return r;
	has_uid = spec_get_id_mappings(p, e, "uidMappings", &m->uid_mappings, &m->n_uid_mappings);
	if (has_uid < 0)
		return has_uid;
	has_gid = spec_get_id_mappings(p, e, "gidMappings", &m->gid_mappings, &m->n_gid_mappings);
	if (has_gid < 0)
		return has_gid;
	/* An idmapped mount needs both maps (mount_setattr takes one user namespace). */
	if (has_uid != has_gid)
		return spec_fail_at(p, has_uid ? "gidMappings" : "uidMappings", "is required when %s is set",
				    has_uid ? "uidMappings" : "gidMappings");
	return 0;
}

static int parse_mounts(struct spec_parser *p, struct json_object *top, struct oci_spec *spec)
{
	struct json_object *a = NULL;
	size_t n = 0, old;
	int r = spec_get_array(p, top, "mounts", false, &a, &n);

	if (r <= 0)
		return r;
	spec->mounts = calloc(n ? n : 1, sizeof(*spec->mounts));
	if (!spec->mounts)
		return spec_oom(p);
	spec->n_mounts = n;
	old = spec_path_push_key(p, "mounts");
	for (size_t i = 0; i < n && r >= 0; i++) {
		size_t old2 = spec_path_push_index(p, i);
		r = parse_mount(p, json_object_array_get_idx(a, i), &spec->mounts[i]);
		spec_path_pop(p, old2);
	}
	spec_path_pop(p, old);
	return r < 0 ? r : 0;
}

static int parse_hook(struct spec_parser *p, struct json_object *e, struct oci_hook *h)
{
	int64_t timeout;
	int r;

	r = spec_val_object(p, e);
	if (r < 0)
		return r;
	r = spec_get_string(p, e, "path", true, true, &h->path);
	if (r < 0)
		return r;
	if (h->path[0] != '/')
		return spec_fail_at(p, "path", "'%s' must be an absolute path", h->path);
	if ((r = spec_get_strv(p, e, "args", &h->args)) < 0 || (r = spec_get_strv(p, e, "env", &h->env)) < 0)
		return r;
	r = spec_get_int64(p, e, "timeout", false, 1, INT_MAX, &timeout);
	if (r < 0)
		return r;
	if (r > 0) {
		h->has_timeout = true;
		h->timeout = (int)timeout;
	}
	return 0;
}

static int parse_hooks(struct spec_parser *p, struct json_object *top, struct oci_hooks *hooks)
{
	struct json_object *obj = NULL;
	size_t old;
	int r = spec_get_object(p, top, "hooks", false, &obj);

	if (r <= 0)
		return r;
	old = spec_path_push_key(p, "hooks");
	for (int k = 0; k < OCI_HOOK_MAX && r >= 0; k++) {
		struct json_object *a = NULL;
		size_t n = 0, old2;

		r = spec_get_array(p, obj, spec_hook_names[k], false, &a, &n);
		if (r <= 0)
			continue;
		hooks->list[k] = calloc(n ? n : 1, sizeof(struct oci_hook));
		if (!hooks->list[k]) {
			r = spec_oom(p);
			break;
		}
		hooks->n[k] = n;
		old2 = spec_path_push_key(p, spec_hook_names[k]);
		for (size_t i = 0; i < n && r >= 0; i++) {
			size_t old3 = spec_path_push_index(p, i);
			r = parse_hook(p, json_object_array_get_idx(a, i), &hooks->list[k][i]);
			spec_path_pop(p, old3);
		}
		spec_path_pop(p, old2);
	}
	spec_path_pop(p, old);
	return r < 0 ? r : 0;
}

static int parse_annotations(struct spec_parser *p, struct json_object *top, struct oci_spec *spec)
{
	struct json_object *obj = NULL;
	size_t n, i = 0, old;
	int r = spec_get_object(p, top, "annotations", false, &obj);

	if (r <= 0)
		return r;
	n = (size_t)json_object_object_length(obj);
	spec->annotations = calloc(n ? n : 1, sizeof(*spec->annotations));
	if (!spec->annotations)
		return spec_oom(p);
	old = spec_path_push_key(p, "annotations");
	r = 0;
	json_object_object_foreach(obj, key, val)
	{
		struct oci_annotation *a = &spec->annotations[i];
		size_t old2;

		if (r < 0 || i >= n)
			break;
		if (key[0] == 0) {
			r = spec_fail(p, "keys must not be empty");
			break;
		}
		old2 = spec_path_push_map_key(p, key);
		if (!val)
			r = spec_fail(p, "must be a string");
		else
			r = spec_val_string(p, val, false, &a->value);
		spec_path_pop(p, old2);
		if (r < 0)
			break;
		a->key = strdup(key);
		if (!a->key) {
			r = spec_oom(p);
			break;
		}
		spec->n_annotations = ++i;
	}
	spec_path_pop(p, old);
	return r < 0 ? r : 0;
}

/* Runs after everything is parsed: rules that tie fields together (config-linux.md). */
static int check_cross_fields(struct spec_parser *p, struct oci_spec *spec)
{
	struct oci_linux *l = &spec->linux_;
	const struct oci_namespace *uts = &l->namespaces[OCI_NS_UTS];
	const struct oci_namespace *timens = &l->namespaces[OCI_NS_TIME];
	size_t old;
	int r = 0;

	old = spec_path_push_key(p, "linux");
	if (!l->namespaces[OCI_NS_USER].present) {
		if (l->n_uid_mappings > 0)
			r = spec_fail_at(p, "uidMappings", "requires a user namespace in linux.namespaces");
		else if (l->n_gid_mappings > 0)
			r = spec_fail_at(p, "gidMappings", "requires a user namespace in linux.namespaces");
	}
	/* Offsets can only be written into a new time namespace before anything enters it. */
	if (r >= 0 && (l->time_monotonic.present || l->time_boottime.present) && (!timens->present || timens->path))
		r = spec_fail_at(p, "timeOffsets",
				 "requires a new time namespace in linux.namespaces (type 'time' "
				 "without a path)");
	spec_path_pop(p, old);
	if (r < 0)
		return r;

	/* runc refuses these too: sethostname() would change the host's name. */
	if (spec->hostname && spec->hostname[0] && !uts->present)
		return spec_fail_at(p, "hostname", "requires a uts namespace in linux.namespaces");
	if (spec->domainname && spec->domainname[0] && !uts->present)
		return spec_fail_at(p, "domainname", "requires a uts namespace in linux.namespaces");
	return 0;
}

static int parse_top(struct spec_parser *p, struct json_object *top, struct oci_spec *spec)
{
	struct json_object *v;
	int r;

	r = spec_get_string(p, top, "ociVersion", true, false, &spec->oci_version);
	if (r < 0)
		return r;
	r = check_oci_version(p, spec->oci_version);
	if (r < 0)
		return r;
	if ((r = parse_root(p, top, spec)) < 0 || (r = parse_mounts(p, top, spec)) < 0)
		return r;
	v = spec_member(top, "process");
	if (v) {
		size_t old = spec_path_push_key(p, "process");
		r = spec_parse_process_object(p, v, &spec->process);
		spec_path_pop(p, old);
		if (r < 0)
			return r;
	}
	if ((r = spec_get_string(p, top, "hostname", false, false, &spec->hostname)) < 0 ||
	    (r = spec_get_string(p, top, "domainname", false, false, &spec->domainname)) < 0 ||
	    (r = parse_hooks(p, top, &spec->hooks)) < 0 || (r = parse_annotations(p, top, spec)) < 0)
		return r;
	v = spec_member(top, "linux");
	if (v) {
		size_t old = spec_path_push_key(p, "linux");
		r = spec_val_object(p, v);
		if (r >= 0)
			r = spec_parse_linux(p, v, &spec->linux_);
		spec_path_pop(p, old);
		if (r < 0)
			return r;
	}
	return check_cross_fields(p, spec);
}

/* --- entry points -------------------------------------------------------------------- */

static void hand_over_error(struct spec_parser *p, char **ret_err)
{
	if (ret_err)
		*ret_err = p->err; /* NULL only after an allocation failure */
	else
		free(p->err);
	p->err = NULL;
}

static int parse_spec_text(const char *text, size_t len, const char *name, struct oci_spec **ret, char **ret_err)
{
	struct spec_parser p = {.name = name ? name : "config.json"};
	struct json_object *top = NULL;
	struct oci_spec *spec;
	int r;

	r = spec_json_parse(&p, text, len, &top);
	if (r < 0) {
		hand_over_error(&p, ret_err);
		return r;
	}
	spec = calloc(1, sizeof(*spec));
	if (!spec) {
		json_object_put(top);
		hand_over_error(&p, ret_err);
		return -ENOMEM;
	}
	r = parse_top(&p, top, spec);
	json_object_put(top);
	if (r < 0) {
		spec_free(spec);
		hand_over_error(&p, ret_err);
		return r;
	}
	*ret = spec;
	return 0;
}

int spec_parse_string(const char *text, const char *name, struct oci_spec **ret, char **ret_err)
{
	return parse_spec_text(text, strlen(text), name, ret, ret_err);
}

int spec_parse_file(const char *path, struct oci_spec **ret, char **ret_err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	int r;

	r = fs_read_file_at(AT_FDCWD, path, 0, &text, &len);
	if (r < 0) {
		if (ret_err && asprintf(ret_err, "%s: %s", path, r == -EFBIG ? "file too large" : strerror(-r)) < 0)
			*ret_err = NULL;
		return r;
	}
	return parse_spec_text(text, len, path, ret, ret_err);
}

int spec_parse_process_string(const char *text, const char *name, struct oci_process **ret, char **ret_err)
{
	struct spec_parser p = {.name = name ? name : "process.json"};
	struct json_object *top = NULL;
	int r;

	r = spec_json_parse(&p, text, strlen(text), &top);
	if (r >= 0) {
		r = spec_parse_process_object(&p, top, ret);
		json_object_put(top);
	}
	if (r < 0)
		hand_over_error(&p, ret_err);
	return r;
}
