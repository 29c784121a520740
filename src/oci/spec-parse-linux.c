/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.json "linux" section (config-linux.md) → struct oci_linux. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "oci/spec-internal.h"

const char *const spec_seccomp_action_names[] = {
    [OCI_SCMP_ACT_KILL] = "SCMP_ACT_KILL",
    [OCI_SCMP_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
    [OCI_SCMP_ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
    [OCI_SCMP_ACT_TRAP] = "SCMP_ACT_TRAP",
    [OCI_SCMP_ACT_ERRNO] = "SCMP_ACT_ERRNO",
    [OCI_SCMP_ACT_TRACE] = "SCMP_ACT_TRACE",
    [OCI_SCMP_ACT_ALLOW] = "SCMP_ACT_ALLOW",
    [OCI_SCMP_ACT_LOG] = "SCMP_ACT_LOG",
    [OCI_SCMP_ACT_NOTIFY] = "SCMP_ACT_NOTIFY",
    NULL,
};

const char *spec_seccomp_action_name(int action)
{
	if (action < 0 || action > OCI_SCMP_ACT_NOTIFY)
		return "?";
	return spec_seccomp_action_names[action];
}

const char *const spec_seccomp_op_names[] = {
    [OCI_SCMP_CMP_NE] = "SCMP_CMP_NE",
    [OCI_SCMP_CMP_LT] = "SCMP_CMP_LT",
    [OCI_SCMP_CMP_LE] = "SCMP_CMP_LE",
    [OCI_SCMP_CMP_EQ] = "SCMP_CMP_EQ",
    [OCI_SCMP_CMP_GE] = "SCMP_CMP_GE",
    [OCI_SCMP_CMP_GT] = "SCMP_CMP_GT",
    [OCI_SCMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
    NULL,
};

/* config-linux.md's list (libseccomp 2.5) plus the later libseccomp additions; whether the
 * linked libseccomp knows one is checked when the filter is built (runtime/seccomp.c). */
const char *const spec_seccomp_arch_names[] = {
    "SCMP_ARCH_X86",	 "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",		"SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",	"SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",	 "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",	 "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",	"SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",	 "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",	"SCMP_ARCH_LOONGARCH64",
    "SCMP_ARCH_M68K",	 "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",	NULL,
};

const char *const spec_seccomp_flag_names[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    NULL,
};

static void strv_free(char **v)
{
	cleanup_strvp(&v);
}

void spec_linux_free(struct oci_linux *l)
{
	for (int i = 0; i < OCI_NS_MAX; i++)
		free(l->namespaces[i].path);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	free(l->cgroups_path);
	free(l->resources_json);
	free(l->rootfs_propagation);
	strv_free(l->masked_paths);
	strv_free(l->readonly_paths);
	free(l->mount_label);
	for (size_t i = 0; i < l->n_sysctls; i++) {
		free(l->sysctls[i].key);
		free(l->sysctls[i].value);
	}
	free(l->sysctls);
	strv_free(l->seccomp.architectures);
	strv_free(l->seccomp.flags);
	free(l->seccomp.listener_path);
	free(l->seccomp.listener_metadata);
	for (size_t i = 0; i < l->seccomp.n_syscalls; i++) {
		strv_free(l->seccomp.syscalls[i].names);
		free(l->seccomp.syscalls[i].args);
	}
	free(l->seccomp.syscalls);
	free(l->personality_domain);
	free(l->intel_rdt_json);
	free(l->landlock_json);
}

/* Iterate the array obj[key] (absent: nothing), calling fn(p, element, i, data) with the
 * path "key[i]" pushed. Allocates *ret_items (n elements of size, zeroed) when non-NULL. */
typedef int (*element_fn)(struct spec_parser *p, struct json_object *e, size_t i, void *data);

static int for_each_element(struct spec_parser *p, struct json_object *obj, const char *key, element_fn fn, void *data)
{
	struct json_object *a = NULL;
	size_t n = 0, old;
	int r = spec_get_array(p, obj, key, false, &a, &n);

	if (r <= 0)
		return r;
	old = spec_path_push_key(p, key);
	for (size_t i = 0; i < n && r >= 0; i++) {
		size_t old2 = spec_path_push_index(p, i);
		struct json_object *e = json_object_array_get_idx(a, i);

		r = e ? spec_val_object(p, e) : spec_fail(p, "must be an object");
		if (r >= 0)
			r = fn(p, e, i, data);
		spec_path_pop(p, old2);
	}
	spec_path_pop(p, old);
	return r < 0 ? r : 1;
}

static int alloc_items(struct spec_parser *p, struct json_object *obj, const char *key, size_t size, void **ret,
		       size_t *ret_n)
{
	struct json_object *a = spec_member(obj, key);
	size_t n;

	if (!a || !json_object_is_type(a, json_type_array))
		return 0; /* for_each_element reports the type error */
	n = json_object_array_length(a);
	*ret = calloc(n ? n : 1, size);
	if (!*ret)
		return spec_oom(p);
	*ret_n = n;
	return 0;
}

/* --- namespaces, devices, sysctl, time offsets ---------------------------------------- */

static int parse_namespace(struct spec_parser *p, struct json_object *e, size_t i, void *data)
{
	struct oci_linux *l = data;
	cleanup_free char *type = NULL, *path = NULL;
	int r, t;

	r = spec_get_string(p, e, "type", true, false, &type);
	if (r < 0)
		return r;
	t = spec_name_index(spec_ns_names, type);
	if (t < 0)
		return spec_fail_at(p, "type", "unknown namespace type '%s'", type);
	if (l->namespaces[t].present)
		return spec_fail_at(p, "type", "duplicate namespace type '%s'", type);
	r = spec_get_string(p, e, "path", false, true, &path);
	if (r < 0)
		return r;
	if (path && path[0] != '/')
		return spec_fail_at(p, "path", "'%s' must be an absolute path", path);
	l->namespaces[t].present = true;
	l->namespaces[t].path = TAKE_PTR(path);
	return 0;
}

static int parse_device(struct spec_parser *p, struct json_object *e, size_t i, void *data)
{
	struct oci_device *d = &((struct oci_linux *)data)->devices[i];
	cleanup_free char *type = NULL;
	uint32_t v;
	int r;

	r = spec_get_string(p, e, "path", true, true, &d->path);
	if (r < 0)
		return r;
	if (d->path[0] != '/')
		return spec_fail_at(p, "path", "'%s' must be an absolute path", d->path);
	r = spec_get_string(p, e, "type", true, false, &type);
	if (r < 0)
		return r;
	if (strlen(type) != 1 || !strchr("cbup", type[0]))
		return spec_fail_at(p, "type", "unknown device type '%s' (expected c, b, u or p)", type);
	d->type = type[0];
	/* config-linux.md: major/minor are REQUIRED unless the type is p (a FIFO). */
	r = spec_get_int64(p, e, "major", d->type != 'p', 0, UINT32_MAX, &d->major);
	if (r >= 0)
		r = spec_get_int64(p, e, "minor", d->type != 'p', 0, UINT32_MAX, &d->minor);
	if (r < 0)
		return r;
	if ((r = spec_get_uint32(p, e, "fileMode", false, &v)) < 0)
		return r;
	if (r > 0) {
		d->has_file_mode = true;
		d->file_mode = (mode_t)v;
	}
	if ((r = spec_get_uint32(p, e, "uid", false, &v)) < 0)
		return r;
	if (r > 0) {
		d->has_uid = true;
		d->uid = v;
	}
	if ((r = spec_get_uint32(p, e, "gid", false, &v)) < 0)
		return r;
	if (r > 0) {
		d->has_gid = true;
		d->gid = v;
	}
	return 0;
}

static int parse_sysctl(struct spec_parser *p, struct json_object *obj, struct oci_linux *l)
{
	struct json_object *map = NULL;
	size_t n, i = 0, old;
	int r = spec_get_object(p, obj, "sysctl", false, &map);

	if (r <= 0)
		return r;
	n = (size_t)json_object_object_length(map);
	l->sysctls = calloc(n ? n : 1, sizeof(*l->sysctls));
	if (!l->sysctls)
		return spec_oom(p);
	old = spec_path_push_key(p, "sysctl");
	r = 0;
	json_object_object_foreach(map, key, val)
	{
		size_t old2;

		if (i >= n)
			break;
		if (key[0] == 0) {
			r = spec_fail(p, "keys must not be empty");
			break;
		}
		old2 = spec_path_push_map_key(p, key);
		r = val ? spec_val_string(p, val, false, &l->sysctls[i].value) : spec_fail(p, "must be a string");
		spec_path_pop(p, old2);
		if (r < 0)
			break;
		l->sysctls[i].key = strdup(key);
		if (!l->sysctls[i].key) {
			r = spec_oom(p);
			break;
		}
		l->n_sysctls = ++i;
	}
	spec_path_pop(p, old);
	return r < 0 ? r : 0;
}

static int parse_time_offset(struct spec_parser *p, struct json_object *v, struct oci_time_offset *t)
{
	int64_t secs = 0;
	uint64_t ns = 0;
	int r;

	r = spec_val_object(p, v);
	if (r >= 0)
		r = spec_get_int64(p, v, "secs", false, INT64_MIN, INT64_MAX, &secs);
	/* The kernel rejects nanoseconds outside [0, NSEC_PER_SEC). */
	if (r >= 0)
		r = spec_get_uint64(p, v, "nanosecs", false, 999999999, &ns);
	if (r < 0)
		return r;
	t->present = true;
	t->secs = secs;
	t->nanosecs = (uint32_t)ns;
	return 0;
}

static int parse_time_offsets(struct spec_parser *p, struct json_object *obj, struct oci_linux *l)
{
	struct json_object *map = NULL;
	size_t old;
	int r = spec_get_object(p, obj, "timeOffsets", false, &map);

	if (r <= 0)
		return r;
	old = spec_path_push_key(p, "timeOffsets");
	r = 0;
	json_object_object_foreach(map, key, val)
	{
		struct oci_time_offset *t = STREQ(key, "monotonic")  ? &l->time_monotonic
					    : STREQ(key, "boottime") ? &l->time_boottime
								     : NULL;
		size_t old2 = spec_path_push_key(p, key);

		if (!t)
			r = spec_fail(p, "unknown clock (expected monotonic or boottime)");
		else if (val)
			r = parse_time_offset(p, val, t);
		spec_path_pop(p, old2);
		if (r < 0)
			break;
	}
	spec_path_pop(p, old);
	return r < 0 ? r : 0;
}

/* --- seccomp ------------------------------------------------------------------------- */

static int get_name(struct spec_parser *p, struct json_object *obj, const char *key, const char *const *table,
		    const char *what, int *ret)
{
	cleanup_free char *s = NULL;
	int r = spec_get_string(p, obj, key, true, true, &s), idx;

	if (r < 0)
		return r;
	idx = spec_name_index(table, s);
	if (idx < 0)
		return spec_fail_at(p, key, "unknown %s '%s'", what, s);
	*ret = idx;
	return 0;
}

static int check_names(struct spec_parser *p, const char *key, char **names, const char *const *table, const char *what)
{
	for (size_t i = 0; names && names[i]; i++)
		if (spec_name_index(table, names[i]) < 0) {
			size_t old = spec_path_push_key(p, key), old2 = spec_path_push_index(p, i);
			int r = spec_fail(p, "unknown %s '%s'", what, names[i]);
			spec_path_pop(p, old2);
			spec_path_pop(p, old);
			return r;
		}
	return 0;
}

/* config-linux.md: an errno return only makes sense for actions that return one. */
static int check_errno_action(struct spec_parser *p, const char *key, int action)
{
	if (action == OCI_SCMP_ACT_ERRNO || action == OCI_SCMP_ACT_TRACE)
		return 0;
	return spec_fail_at(p, key, "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
			    spec_seccomp_action_names[action]);
}

static int parse_seccomp_arg(struct spec_parser *p, struct json_object *e, size_t i, void *data)
{
	struct oci_seccomp_arg *a = &((struct oci_seccomp_arg *)data)[i];
	uint64_t index = 0;
	int r;

	r = spec_get_uint64(p, e, "index", true, UINT64_MAX, &index);
	if (r < 0)
		return r;
	if (index > 5)
		return spec_fail_at(p, "index", "must be between 0 and 5");
	a->index = (unsigned)index;
	if ((r = spec_get_uint64(p, e, "value", true, UINT64_MAX, &a->value)) < 0 ||
	    (r = spec_get_uint64(p, e, "valueTwo", false, UINT64_MAX, &a->value_two)) < 0 ||
	    (r = get_name(p, e, "op", spec_seccomp_op_names, "seccomp operator", &a->op)) < 0)
		return r;
	return 0;
}

static int parse_seccomp_syscall(struct spec_parser *p, struct json_object *e, size_t i, void *data)
{
	struct oci_seccomp_syscall *s = &((struct oci_seccomp *)data)->syscalls[i];
	int r;

	r = spec_get_strv(p, e, "names", &s->names);
	if (r == 0)
		return spec_fail_at(p, "names", "is required");
	if (r < 0)
		return r;
	if (!s->names[0])
		return spec_fail_at(p, "names", "must contain at least one syscall name");
	for (size_t j = 0; s->names[j]; j++)
		if (!s->names[j][0]) {
			size_t old = spec_path_push_key(p, "names"), old2 = spec_path_push_index(p, j);
			r = spec_fail(p, "must be a non-empty string");
			spec_path_pop(p, old2);
			spec_path_pop(p, old);
			return r;
		}
	r = get_name(p, e, "action", spec_seccomp_action_names, "seccomp action", &s->action);
	if (r < 0)
		return r;
	r = spec_get_uint32(p, e, "errnoRet", false, &s->errno_ret);
	if (r < 0)
		return r;
	if (r > 0) {
		s->has_errno_ret = true;
		if ((r = check_errno_action(p, "errnoRet", s->action)) < 0)
			return r;
	}
	r = alloc_items(p, e, "args", sizeof(*s->args), (void **)&s->args, &s->n_args);
	if (r < 0)
		return r;
	r = for_each_element(p, e, "args", parse_seccomp_arg, s->args);
	return r < 0 ? r : 0;
}

static int parse_seccomp_fields(struct spec_parser *p, struct json_object *v, struct oci_seccomp *s)
{
	bool notify;
	int r;

	r = get_name(p, v, "defaultAction", spec_seccomp_action_names, "seccomp action", &s->default_action);
	if (r < 0)
		return r;
	r = spec_get_uint32(p, v, "defaultErrnoRet", false, &s->default_errno_ret);
	if (r < 0)
		return r;
	if (r > 0) {
		s->has_default_errno_ret = true;
		if ((r = check_errno_action(p, "defaultErrnoRet", s->default_action)) < 0)
			return r;
	}
	if ((r = spec_get_strv(p, v, "architectures", &s->architectures)) < 0 ||
	    (r = check_names(p, "architectures", s->architectures, spec_seccomp_arch_names, "seccomp architecture")) <
		0 ||
	    (r = spec_get_strv(p, v, "flags", &s->flags)) < 0 ||
	    (r = check_names(p, "flags", s->flags, spec_seccomp_flag_names, "seccomp flag")) < 0 ||
	    (r = spec_get_string(p, v, "listenerPath", false, true, &s->listener_path)) < 0 ||
	    (r = spec_get_string(p, v, "listenerMetadata", false, false, &s->listener_metadata)) < 0)
		return r;
	if (s->listener_metadata && !s->listener_path)
		return spec_fail_at(p, "listenerMetadata", "must not be set without listenerPath");
	r = alloc_items(p, v, "syscalls", sizeof(*s->syscalls), (void **)&s->syscalls, &s->n_syscalls);
	if (r < 0)
		return r;
	r = for_each_element(p, v, "syscalls", parse_seccomp_syscall, s);
	if (r < 0)
		return r;

	/* The listener fd can only be handed to an agent at listenerPath. */
	notify = s->default_action == OCI_SCMP_ACT_NOTIFY;
	for (size_t i = 0; i < s->n_syscalls; i++)
		notify = notify || s->syscalls[i].action == OCI_SCMP_ACT_NOTIFY;
	if (notify && !s->listener_path)
		return spec_fail_at(p, "listenerPath", "is required when SCMP_ACT_NOTIFY is used");
	return 0;
}

static int parse_seccomp(struct spec_parser *p, struct json_object *obj, struct oci_seccomp *s)
{
	struct json_object *v = NULL;
	size_t old;
	int r = spec_get_object(p, obj, "seccomp", false, &v);

	if (r <= 0)
		return r;
	old = spec_path_push_key(p, "seccomp");
	r = parse_seccomp_fields(p, v, s);
	spec_path_pop(p, old);
	if (r < 0)
		return r;
	s->present = true;
	return 0;
}

/* --- the section --------------------------------------------------------------------- */

static int parse_personality(struct spec_parser *p, struct json_object *obj, struct oci_linux *l)
{
	struct json_object *v = NULL;
	cleanup_strv char **flags = NULL;
	size_t old;
	int r = spec_get_object(p, obj, "personality", false, &v);

	if (r <= 0)
		return r;
	old = spec_path_push_key(p, "personality");
	r = spec_get_string(p, v, "domain", true, true, &l->personality_domain);
	if (r >= 0 && !STREQ(l->personality_domain, "LINUX") && !STREQ(l->personality_domain, "LINUX32"))
		r = spec_fail_at(p, "domain",
				 "unknown execution domain '%s' (expected LINUX or "
				 "LINUX32)",
				 l->personality_domain);
	if (r >= 0)
		r = spec_get_strv(p, v, "flags", &flags);
	/* config-linux.md: "Currently no flag values are supported." */
	if (r > 0 && flags[0])
		r = spec_fail_at(p, "flags", "unsupported personality flag '%s'", flags[0]);
	spec_path_pop(p, old);
	return r < 0 ? r : 0;
}

static int parse_propagation(struct spec_parser *p, struct json_object *obj, struct oci_linux *l)
{
	/* The spec lists the first four; runc also takes the recursive spellings. */
	static const char *const names[] = {"shared", "slave",	  "private",	 "unbindable", "rshared",
					    "rslave", "rprivate", "runbindable", NULL};
	int r = spec_get_string(p, obj, "rootfsPropagation", false, false, &l->rootfs_propagation);

	if (r <= 0)
		return r;
	if (spec_name_index(names, l->rootfs_propagation) < 0)
		return spec_fail_at(p, "rootfsPropagation",
				    "unknown propagation '%s' (expected shared, slave, private or "
				    "unbindable)",
				    l->rootfs_propagation);
	return 0;
}

/* linux.landlock (a proposal, not runtime-spec 1.2): fully validated here, so a bad ruleset
 * fails at parse time naming the field, and kept as raw JSON like the annotation form that
 * runtime/landlock.c also accepts. */
static int parse_landlock(struct spec_parser *p, struct json_object *obj, struct oci_linux *l)
{
	struct json_object *v = spec_member(obj, "landlock");
	struct oci_landlock *parsed = NULL;
	size_t old;
	int r;

	if (!v)
		return 0;
	old = spec_path_push_key(p, "landlock");
	r = spec_parse_landlock_object(p, v, &parsed);
	spec_path_pop(p, old);
	if (r < 0)
		return r;
	spec_landlock_free(parsed);
	return spec_get_raw(p, obj, "landlock", &l->landlock_json);
}

int spec_parse_linux(struct spec_parser *p, struct json_object *v, struct oci_linux *l)
{
	int r;

	if ((r = for_each_element(p, v, "namespaces", parse_namespace, l)) < 0 ||
	    (r = spec_get_id_mappings(p, v, "uidMappings", &l->uid_mappings, &l->n_uid_mappings)) < 0 ||
	    (r = spec_get_id_mappings(p, v, "gidMappings", &l->gid_mappings, &l->n_gid_mappings)) < 0)
		return r;
	if ((r = alloc_items(p, v, "devices", sizeof(*l->devices), (void **)&l->devices, &l->n_devices)) < 0 ||
	    (r = for_each_element(p, v, "devices", parse_device, l)) < 0)
		return r;
	if ((r = spec_get_string(p, v, "cgroupsPath", false, false, &l->cgroups_path)) < 0 ||
	    (r = spec_get_raw(p, v, "resources", &l->resources_json)) < 0 || (r = parse_propagation(p, v, l)) < 0 ||
	    (r = spec_get_abs_strv(p, v, "maskedPaths", &l->masked_paths)) < 0 ||
	    (r = spec_get_abs_strv(p, v, "readonlyPaths", &l->readonly_paths)) < 0 ||
	    (r = spec_get_string(p, v, "mountLabel", false, false, &l->mount_label)) < 0 ||
	    (r = parse_sysctl(p, v, l)) < 0 || (r = parse_time_offsets(p, v, l)) < 0 ||
	    (r = parse_seccomp(p, v, &l->seccomp)) < 0 || (r = parse_personality(p, v, l)) < 0 ||
	    (r = spec_get_raw(p, v, "intelRdt", &l->intel_rdt_json)) < 0 || (r = parse_landlock(p, v, l)) < 0)
		return r;
	return 0;
}
