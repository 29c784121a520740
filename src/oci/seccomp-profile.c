/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Docker-format seccomp profiles → struct oci_seccomp (see seccomp-profile.h).
 *
 * The parser checks everything the config.json parser (spec-parse-linux.c) would check on
 * the converted linux.seccomp, so that a bad profile is reported against the profile's own
 * JSON path and never produces a config.json the runtime then rejects. It shares the field
 * readers and name tables of spec-internal.h for the same messages and the same strictness
 * (strict JSON, integers range-checked, NUL-free strings). */
#include "oci/seccomp-profile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "oci/spec-internal.h"

/* The data SECCOMP_RET_ERRNO/TRACE carry is 16 bits wide; the runtime refuses more. */
#define ERRNO_RET_MAX 65535

static void strv_free(char **v)
{
	cleanup_strvp(&v);
}

static void filter_done(struct seccomp_profile_filter *f)
{
	strv_free(f->caps);
	strv_free(f->arches);
}

void seccomp_profile_free(struct seccomp_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_arch_map; i++) {
		free(p->arch_map[i].arch);
		strv_free(p->arch_map[i].sub_arches);
	}
	free(p->arch_map);
	strv_free(p->architectures);
	strv_free(p->flags);
	free(p->listener_path);
	free(p->listener_metadata);
	for (size_t i = 0; i < p->n_rules; i++) {
		struct seccomp_profile_rule *r = &p->rules[i];
		strv_free(r->names);
		free(r->args);
		filter_done(&r->includes);
		filter_done(&r->excludes);
	}
	free(p->rules);
	free(p);
}

void seccomp_profile_oci_done(struct oci_seccomp *s)
{
	if (!s)
		return;
	strv_free(s->architectures);
	strv_free(s->flags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; i < s->n_syscalls; i++) {
		strv_free(s->syscalls[i].names);
		free(s->syscalls[i].args);
	}
	free(s->syscalls);
	*s = (struct oci_seccomp){0};
}

/* --- architectures --------------------------------------------------------------------- */

/* One architecture in the three spellings profiles use: runtime-spec/libseccomp constant
 * names, libseccomp's short names, and Go's GOARCH (Docker's `arches` filters). */
static const struct arch_name {
	const char *scmp, *short_name, *go;
} arch_names[] = {
    {"SCMP_ARCH_X86", "x86", "386"},
    {"SCMP_ARCH_X86_64", "x86_64", "amd64"},
    {"SCMP_ARCH_X32", "x32", "x32"},
    {"SCMP_ARCH_ARM", "arm", "arm"},
    {"SCMP_ARCH_AARCH64", "aarch64", "arm64"},
    {"SCMP_ARCH_MIPS", "mips", "mips"},
    {"SCMP_ARCH_MIPS64", "mips64", "mips64"},
    {"SCMP_ARCH_MIPS64N32", "mips64n32", "mips64p32"},
    {"SCMP_ARCH_MIPSEL", "mipsel", "mipsle"},
    {"SCMP_ARCH_MIPSEL64", "mipsel64", "mips64le"},
    {"SCMP_ARCH_MIPSEL64N32", "mipsel64n32", "mips64p32le"},
    {"SCMP_ARCH_PPC", "ppc", "ppc"},
    {"SCMP_ARCH_PPC64", "ppc64", "ppc64"},
    {"SCMP_ARCH_PPC64LE", "ppc64le", "ppc64le"},
    {"SCMP_ARCH_S390", "s390", "s390"},
    {"SCMP_ARCH_S390X", "s390x", "s390x"},
    {"SCMP_ARCH_PARISC", "parisc", "parisc"},
    {"SCMP_ARCH_PARISC64", "parisc64", "parisc64"},
    {"SCMP_ARCH_RISCV64", "riscv64", "riscv64"},
    {"SCMP_ARCH_LOONGARCH64", "loongarch64", "loong64"},
    {"SCMP_ARCH_M68K", "m68k", "m68k"},
    {"SCMP_ARCH_SH", "sh", "sh"},
    {"SCMP_ARCH_SHEB", "sheb", "sheb"},
};

static const struct arch_name *arch_lookup(const char *s)
{
	for (size_t i = 0; i < ELEMENTSOF(arch_names); i++)
		if (STREQ(s, arch_names[i].scmp) || STREQ(s, arch_names[i].short_name) || STREQ(s, arch_names[i].go))
			return &arch_names[i];
	return NULL;
}

const char *seccomp_profile_native_arch(void)
{
#if defined(__x86_64__) && defined(__ILP32__)
	return "SCMP_ARCH_X32";
#elif defined(__x86_64__)
	return "SCMP_ARCH_X86_64";
#elif defined(__i386__)
	return "SCMP_ARCH_X86";
#elif defined(__aarch64__)
	return "SCMP_ARCH_AARCH64";
#elif defined(__arm__)
	return "SCMP_ARCH_ARM";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
	return "SCMP_ARCH_PPC64LE";
#elif defined(__powerpc64__)
	return "SCMP_ARCH_PPC64";
#elif defined(__powerpc__)
	return "SCMP_ARCH_PPC";
#elif defined(__s390x__)
	return "SCMP_ARCH_S390X";
#elif defined(__s390__)
	return "SCMP_ARCH_S390";
#elif defined(__riscv) && __riscv_xlen == 64
	return "SCMP_ARCH_RISCV64";
#elif defined(__loongarch64)
	return "SCMP_ARCH_LOONGARCH64";
#else
	return NULL;
#endif
}

/* "6.1.0-18-amd64" → {6, 1, 0}: the leading numeric components. */
static int parse_kernel_release(const char *s, unsigned ret[3], bool strict)
{
	unsigned v[3] = {0, 0, 0};
	int n = 0;
	const char *c = s;

	while (n < 3) {
		if (*c < '0' || *c > '9')
			break;
		unsigned long x = 0;
		while (*c >= '0' && *c <= '9') {
			x = x * 10 + (unsigned long)(*c - '0');
			if (x > 1000000)
				return -EINVAL;
			c++;
		}
		v[n++] = (unsigned)x;
		if (*c != '.')
			break;
		c++;
	}
	if (n < 2)
		return -EINVAL;
	/* minKernel is "M.N" or "M.N.P" and nothing else; a kernel release may go on. */
	if (strict && (*c || c[-1] == '.'))
		return -EINVAL;
	memcpy(ret, v, sizeof(v));
	return 0;
}

int seccomp_profile_target_native(struct seccomp_profile_target *t)
{
	struct utsname u;

	t->arch = seccomp_profile_native_arch();
	if (uname(&u) < 0)
		return -errno;
	if (parse_kernel_release(u.release, t->kernel, false) < 0)
		return -EINVAL;
	return 0;
}

/* --- parsing --------------------------------------------------------------------------- */

/* obj[key] as a name from table: 1 and *ret, 0 if absent (unless required), or an error
 * "key: unknown <what> 'X'". */
static int get_table_name(struct spec_parser *p, struct json_object *obj, const char *key, bool required,
			  const char *const *table, const char *what, int *ret)
{
	cleanup_free char *s = NULL;
	int r = spec_get_string(p, obj, key, required, true, &s), idx;

	if (r <= 0)
		return r;
	idx = spec_name_index(table, s);
	if (idx < 0)
		return spec_fail_at(p, key, "unknown %s '%s'", what, s);
	*ret = idx;
	return 1;
}

/* Each element of obj[key] (already read into v) checked with check(); fails naming
 * key[i]. */
static int check_each(struct spec_parser *p, const char *key, char **v, bool (*check)(const char *), const char *what)
{
	for (size_t i = 0; v && v[i]; i++) {
		if (check(v[i]))
			continue;
		size_t old = spec_path_push_key(p, key), old2 = spec_path_push_index(p, i);
		int r =
		    v[i][0] ? spec_fail(p, "unknown %s '%s'", what, v[i]) : spec_fail(p, "must be a non-empty string");
		spec_path_pop(p, old2);
		spec_path_pop(p, old);
		return r;
	}
	return 0;
}

static bool is_scmp_arch(const char *s)
{
	return spec_name_index(spec_seccomp_arch_names, s) >= 0;
}

static bool is_any_arch(const char *s)
{
	return arch_lookup(s) != NULL;
}

static bool is_flag(const char *s)
{
	return spec_name_index(spec_seccomp_flag_names, s) >= 0;
}

/* Capability names are checked for shape only: a newer kernel's capability must not make an
 * older kakuri reject a profile, but "SYS_ADMIN" (no prefix) or "cap_sys_admin" would never
 * match anything, silently. */
static bool is_cap_name(const char *s)
{
	if (strncmp(s, "CAP_", 4) != 0 || !s[4])
		return false;
	for (const char *c = s + 4; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	return true;
}

static int get_checked_strv(struct spec_parser *p, struct json_object *obj, const char *key,
			    bool (*check)(const char *), const char *what, char ***ret)
{
	int r = spec_get_strv(p, obj, key, ret);

	if (r <= 0)
		return r;
	r = check_each(p, key, *ret, check, what);
	return r < 0 ? r : 1;
}

static int errno_ret_for(struct spec_parser *p, struct json_object *obj, const char *key, int action, bool *has,
			 uint32_t *ret)
{
	uint64_t v = 0;
	int r = spec_get_uint64(p, obj, key, false, ERRNO_RET_MAX, &v);

	if (r <= 0)
		return r;
	/* config-linux.md: errnoRet only means something for actions that return a value. */
	if (action != OCI_SCMP_ACT_ERRNO && action != OCI_SCMP_ACT_TRACE)
		return spec_fail_at(p, key, "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
				    spec_seccomp_action_names[action]);
	*has = true;
	*ret = (uint32_t)v;
	return 1;
}

static int parse_filter(struct spec_parser *p, struct json_object *obj, const char *key,
			struct seccomp_profile_filter *f)
{
	struct json_object *v = NULL;
	cleanup_free char *kernel = NULL;
	size_t old;
	int r = spec_get_object(p, obj, key, false, &v);

	if (r <= 0)
		return r;
	old = spec_path_push_key(p, key);
	r = get_checked_strv(p, v, "caps", is_cap_name, "capability", &f->caps);
	if (r >= 0)
		r = get_checked_strv(p, v, "arches", is_any_arch, "architecture", &f->arches);
	if (r >= 0)
		r = spec_get_string(p, v, "minKernel", false, true, &kernel);
	if (r > 0) {
		if (parse_kernel_release(kernel, f->min_kernel, true) < 0)
			r = spec_fail_at(p, "minKernel", "'%s' is not a kernel version (expected MAJOR.MINOR)", kernel);
		else
			f->has_min_kernel = true;
	}
	spec_path_pop(p, old);
	return r < 0 ? r : 1;
}

static int parse_arg(struct spec_parser *p, struct json_object *e, struct oci_seccomp_arg *a)
{
	uint64_t index = 0;
	int r;

	if ((r = spec_get_uint64(p, e, "index", true, 5, &index)) < 0 ||
	    (r = spec_get_uint64(p, e, "value", true, UINT64_MAX, &a->value)) < 0 ||
	    (r = spec_get_uint64(p, e, "valueTwo", false, UINT64_MAX, &a->value_two)) < 0 ||
	    (r = get_table_name(p, e, "op", true, spec_seccomp_op_names, "operator", &a->op)) < 0)
		return r;
	a->index = (unsigned)index;
	return 0;
}

/* "args": an array of objects, parsed into a (pointer, count) pair. */
static int parse_args(struct spec_parser *p, struct json_object *obj, struct seccomp_profile_rule *rule)
{
	struct json_object *a = NULL;
	size_t n = 0, old;
	int r = spec_get_array(p, obj, "args", false, &a, &n);

	if (r <= 0)
		return r;
	rule->args = calloc(n ? n : 1, sizeof(*rule->args));
	if (!rule->args)
		return spec_oom(p);
	rule->n_args = n;
	old = spec_path_push_key(p, "args");
	for (size_t i = 0; i < n && r >= 0; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		size_t old2 = spec_path_push_index(p, i);

		r = e ? spec_val_object(p, e) : spec_fail(p, "must be an object");
		if (r >= 0)
			r = parse_arg(p, e, &rule->args[i]);
		spec_path_pop(p, old2);
	}
	spec_path_pop(p, old);
	return r < 0 ? r : 1;
}

static int parse_names(struct spec_parser *p, struct json_object *e, struct seccomp_profile_rule *rule)
{
	cleanup_free char *name = NULL;
	int r;

	r = spec_get_strv(p, e, "names", &rule->names);
	if (r < 0)
		return r;
	/* Old Docker profiles name one syscall per rule with "name". */
	if (spec_member(e, "name")) {
		if (rule->names)
			return spec_fail_at(p, "name", "cannot be combined with names");
		r = spec_get_string(p, e, "name", true, true, &name);
		if (r < 0)
			return r;
		rule->names = calloc(2, sizeof(char *));
		if (!rule->names)
			return spec_oom(p);
		rule->names[0] = TAKE_PTR(name);
		return 0;
	}
	if (!rule->names)
		return spec_fail_at(p, "names", "is required");
	if (!rule->names[0])
		return spec_fail_at(p, "names", "must contain at least one syscall name");
	for (size_t j = 0; rule->names[j]; j++)
		if (!rule->names[j][0]) {
			size_t old = spec_path_push_key(p, "names"), old2 = spec_path_push_index(p, j);
			r = spec_fail(p, "must be a non-empty string");
			spec_path_pop(p, old2);
			spec_path_pop(p, old);
			return r;
		}
	return 0;
}

static int parse_rule(struct spec_parser *p, struct json_object *e, struct seccomp_profile_rule *rule)
{
	int r;

	if ((r = parse_names(p, e, rule)) < 0 ||
	    (r = get_table_name(p, e, "action", true, spec_seccomp_action_names, "action", &rule->action)) < 0 ||
	    (r = errno_ret_for(p, e, "errnoRet", rule->action, &rule->has_errno_ret, &rule->errno_ret)) < 0 ||
	    (r = parse_args(p, e, rule)) < 0 || (r = parse_filter(p, e, "includes", &rule->includes)) < 0 ||
	    (r = parse_filter(p, e, "excludes", &rule->excludes)) < 0)
		return r;
	return 0;
}

static int parse_rules(struct spec_parser *p, struct json_object *top, struct seccomp_profile *prof)
{
	struct json_object *a = NULL;
	size_t n = 0, old;
	int r = spec_get_array(p, top, "syscalls", false, &a, &n);

	if (r <= 0)
		return r;
	prof->rules = calloc(n ? n : 1, sizeof(*prof->rules));
	if (!prof->rules)
		return spec_oom(p);
	prof->n_rules = n;
	old = spec_path_push_key(p, "syscalls");
	for (size_t i = 0; i < n && r >= 0; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		size_t old2 = spec_path_push_index(p, i);

		r = e ? spec_val_object(p, e) : spec_fail(p, "must be an object");
		if (r >= 0)
			r = parse_rule(p, e, &prof->rules[i]);
		spec_path_pop(p, old2);
	}
	spec_path_pop(p, old);
	return r < 0 ? r : 1;
}

static int parse_arch_map(struct spec_parser *p, struct json_object *top, struct seccomp_profile *prof)
{
	struct json_object *a = NULL;
	size_t n = 0, old;
	int r = spec_get_array(p, top, "archMap", false, &a, &n);

	if (r <= 0)
		return r;
	prof->arch_map = calloc(n ? n : 1, sizeof(*prof->arch_map));
	if (!prof->arch_map)
		return spec_oom(p);
	prof->n_arch_map = n;
	old = spec_path_push_key(p, "archMap");
	for (size_t i = 0; i < n && r >= 0; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		struct seccomp_profile_arch *m = &prof->arch_map[i];
		int idx = 0;
		size_t old2 = spec_path_push_index(p, i);

		r = e ? spec_val_object(p, e) : spec_fail(p, "must be an object");
		if (r >= 0)
			r = get_table_name(p, e, "architecture", true, spec_seccomp_arch_names, "architecture", &idx);
		if (r >= 0) {
			m->arch = strdup(spec_seccomp_arch_names[idx]);
			r = m->arch ? 0 : spec_oom(p);
		}
		if (r >= 0)
			r = get_checked_strv(p, e, "subArchitectures", is_scmp_arch, "architecture", &m->sub_arches);
		spec_path_pop(p, old2);
	}
	spec_path_pop(p, old);
	return r < 0 ? r : 1;
}

static int parse_top(struct spec_parser *p, struct json_object *top, struct seccomp_profile *prof)
{
	int r;

	r = get_table_name(p, top, "defaultAction", true, spec_seccomp_action_names, "action", &prof->default_action);
	if (r < 0)
		return r;
	/* Every syscall would wait for an agent, including the runtime's own last steps before
	 * execve, when no agent can have the listener fd yet. */
	if (prof->default_action == OCI_SCMP_ACT_NOTIFY)
		return spec_fail_at(p, "defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
	if ((r = errno_ret_for(p, top, "defaultErrnoRet", prof->default_action, &prof->has_default_errno_ret,
			       &prof->default_errno_ret)) < 0 ||
	    (r = parse_arch_map(p, top, prof)) < 0 ||
	    (r = get_checked_strv(p, top, "architectures", is_scmp_arch, "architecture", &prof->architectures)) < 0)
		return r;
	if (prof->arch_map && prof->architectures)
		return spec_fail_at(p, "architectures", "cannot be combined with archMap");
	if ((r = get_checked_strv(p, top, "flags", is_flag, "flag", &prof->flags)) < 0 ||
	    (r = spec_get_string(p, top, "listenerPath", false, true, &prof->listener_path)) < 0 ||
	    (r = spec_get_string(p, top, "listenerMetadata", false, false, &prof->listener_metadata)) < 0)
		return r;
	if (prof->listener_metadata && !prof->listener_path)
		return spec_fail_at(p, "listenerMetadata", "must not be set without listenerPath");
	r = parse_rules(p, top, prof);
	if (r < 0)
		return r;
	if (!prof->listener_path)
		for (size_t i = 0; i < prof->n_rules; i++)
			if (prof->rules[i].action == OCI_SCMP_ACT_NOTIFY) {
				size_t old = spec_path_push_key(p, "syscalls"), old2 = spec_path_push_index(p, i);
				r = spec_fail_at(p, "action", "SCMP_ACT_NOTIFY needs a listenerPath");
				spec_path_pop(p, old2);
				spec_path_pop(p, old);
				return r;
			}
	return 0;
}

static int parse_text(const char *text, size_t len, const char *name, struct seccomp_profile **ret, char **ret_err)
{
	struct spec_parser p = {.name = name ? name : "profile.json"};
	struct json_object *top = NULL;
	struct seccomp_profile *prof = NULL;
	int r;

	r = spec_json_parse(&p, text, len, &top);
	if (r >= 0) {
		prof = calloc(1, sizeof(*prof));
		r = prof ? parse_top(&p, top, prof) : -ENOMEM;
		json_object_put(top);
	}
	if (r < 0) {
		seccomp_profile_free(prof);
		if (ret_err)
			*ret_err = p.err; /* NULL only after an allocation failure */
		else
			free(p.err);
		return r;
	}
	*ret = prof;
	return 0;
}

int seccomp_profile_parse_string(const char *text, const char *name, struct seccomp_profile **ret, char **ret_err)
{
	return parse_text(text, strlen(text), name, ret, ret_err);
}

int seccomp_profile_parse_file(const char *path, struct seccomp_profile **ret, char **ret_err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	int r;

	/* A profile is a few tens of KiB; 16 MiB bounds what a wrong path can make us read. */
	r = fs_read_file_at(AT_FDCWD, path, 16u << 20, &text, &len);
	if (r < 0) {
		if (ret_err && asprintf(ret_err, "%s: %s", path, r == -EFBIG ? "file too large" : strerror(-r)) < 0)
			*ret_err = NULL;
		return r;
	}
	return parse_text(text, len, path, ret, ret_err);
}

/* --- conversion ------------------------------------------------------------------------ */

static bool strv_contains(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (STREQ(*v, s))
			return true;
	return false;
}

static bool arch_listed(char *const *arches, const char *native)
{
	const struct arch_name *n = native ? arch_lookup(native) : NULL;

	if (!n)
		return false;
	for (; arches && *arches; arches++)
		if (arch_lookup(*arches) == n)
			return true;
	return false;
}

static bool kernel_at_least(const unsigned have[3], const unsigned want[3])
{
	for (int i = 0; i < 3; i++)
		if (have[i] != want[i])
			return have[i] > want[i];
	return true;
}

static bool rule_applies(const struct seccomp_profile_rule *r, const struct seccomp_profile_target *t)
{
	const struct seccomp_profile_filter *in = &r->includes, *ex = &r->excludes;

	for (char **c = in->caps; c && *c; c++)
		if (!strv_contains(t->caps, *c))
			return false;
	if (in->arches && !arch_listed(in->arches, t->arch))
		return false;
	if (in->has_min_kernel && !kernel_at_least(t->kernel, in->min_kernel))
		return false;

	for (char **c = ex->caps; c && *c; c++)
		if (strv_contains(t->caps, *c))
			return false;
	if (ex->arches && arch_listed(ex->arches, t->arch))
		return false;
	if (ex->has_min_kernel && kernel_at_least(t->kernel, ex->min_kernel))
		return false;
	return true;
}

static char **strv_copy(char *const *v)
{
	size_t n = 0;
	char **out;

	while (v[n])
		n++;
	out = calloc(n + 1, sizeof(char *));
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(out[i] = strdup(v[i]))) {
			strv_free(out);
			return NULL;
		}
	return out;
}

static int copy_str(const char *s, char **ret)
{
	if (!s)
		return 0;
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

static int copy_strv(char *const *v, char ***ret)
{
	if (!v)
		return 0;
	*ret = strv_copy(v);
	return *ret ? 0 : -ENOMEM;
}

/* archMap: the native entry, itself first, then its sub-architectures. */
static int convert_arches(const struct seccomp_profile *p, const struct seccomp_profile_target *t,
			  struct oci_seccomp *s)
{
	const struct arch_name *native = t->arch ? arch_lookup(t->arch) : NULL;

	if (!p->arch_map)
		return copy_strv(p->architectures, &s->architectures);
	for (size_t i = 0; native && i < p->n_arch_map; i++) {
		const struct seccomp_profile_arch *m = &p->arch_map[i];
		size_t n = 1, k = 0;

		if (arch_lookup(m->arch) != native)
			continue;
		for (char **a = m->sub_arches; a && *a; a++)
			n++;
		s->architectures = calloc(n + 1, sizeof(char *));
		if (!s->architectures)
			return -ENOMEM;
		if (!(s->architectures[k++] = strdup(m->arch)))
			return -ENOMEM;
		for (char **a = m->sub_arches; a && *a; a++)
			if (!strv_contains(s->architectures, *a) && !(s->architectures[k++] = strdup(*a)))
				return -ENOMEM;
		return 0;
	}
	/* The native arch is not mapped: the filter then covers the native ABI alone
	 * (libseccomp's default), and a syscall made through any other ABI (int 0x80 on
	 * x86_64) gets libseccomp's bad-architecture action, which kills. */
	return 0;
}

int seccomp_profile_convert(const struct seccomp_profile *p, const struct seccomp_profile_target *t,
			    struct oci_seccomp *ret)
{
	struct oci_seccomp s = {
	    .present = true,
	    .default_action = p->default_action,
	    .has_default_errno_ret = p->has_default_errno_ret,
	    .default_errno_ret = p->default_errno_ret,
	};
	int r;

	if ((r = convert_arches(p, t, &s)) < 0 || (r = copy_strv(p->flags, &s.flags)) < 0 ||
	    (r = copy_str(p->listener_path, &s.listener_path)) < 0 ||
	    (r = copy_str(p->listener_metadata, &s.listener_metadata)) < 0)
		goto fail;
	s.syscalls = calloc(p->n_rules ? p->n_rules : 1, sizeof(*s.syscalls));
	if (!s.syscalls) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct seccomp_profile_rule *rule = &p->rules[i];
		struct oci_seccomp_syscall *sc = &s.syscalls[s.n_syscalls];

		if (!rule_applies(rule, t))
			continue;
		/* Counted before the copies, so seccomp_profile_oci_done() frees a half-made one. */
		s.n_syscalls++;
		sc->action = rule->action;
		sc->has_errno_ret = rule->has_errno_ret;
		sc->errno_ret = rule->errno_ret;
		if ((r = copy_strv(rule->names, &sc->names)) < 0)
			goto fail;
		if (rule->n_args > 0) {
			sc->args = malloc(rule->n_args * sizeof(*sc->args));
			if (!sc->args) {
				r = -ENOMEM;
				goto fail;
			}
			memcpy(sc->args, rule->args, rule->n_args * sizeof(*sc->args));
			sc->n_args = rule->n_args;
		}
	}
	*ret = s;
	return 0;
fail:
	seccomp_profile_oci_done(&s);
	return r;
}

/* --- serialization --------------------------------------------------------------------- */

static struct json_object *strv_json(bool *oom, char *const *v)
{
	struct json_object *a = json_object_new_array();

	if (!a)
		*oom = true;
	for (; a && v && *v; v++)
		spec_json_push(oom, a, json_object_new_string(*v));
	return a;
}

static struct json_object *syscall_json(bool *oom, const struct oci_seccomp_syscall *sc)
{
	struct json_object *o = json_object_new_object();

	if (!o) {
		*oom = true;
		return NULL;
	}
	spec_json_add(oom, o, "names", strv_json(oom, sc->names));
	spec_json_add(oom, o, "action", json_object_new_string(spec_seccomp_action_names[sc->action]));
	if (sc->has_errno_ret)
		spec_json_add(oom, o, "errnoRet", json_object_new_int64(sc->errno_ret));
	if (sc->n_args > 0) {
		struct json_object *args = json_object_new_array();

		if (!args)
			*oom = true;
		for (size_t i = 0; args && i < sc->n_args; i++) {
			const struct oci_seccomp_arg *a = &sc->args[i];
			struct json_object *ao = json_object_new_object();

			spec_json_add(oom, ao, "index", json_object_new_int64(a->index));
			spec_json_add(oom, ao, "value", json_object_new_uint64(a->value));
			if (a->value_two)
				spec_json_add(oom, ao, "valueTwo", json_object_new_uint64(a->value_two));
			spec_json_add(oom, ao, "op", json_object_new_string(spec_seccomp_op_names[a->op]));
			spec_json_push(oom, args, ao);
		}
		spec_json_add(oom, o, "args", args);
	}
	return o;
}

int seccomp_profile_oci_json(const struct oci_seccomp *s, struct json_object **ret)
{
	struct json_object *o = json_object_new_object(), *syscalls;
	bool oom = !o;

	spec_json_add(&oom, o, "defaultAction", json_object_new_string(spec_seccomp_action_names[s->default_action]));
	if (s->has_default_errno_ret)
		spec_json_add(&oom, o, "defaultErrnoRet", json_object_new_int64(s->default_errno_ret));
	if (s->architectures)
		spec_json_add(&oom, o, "architectures", strv_json(&oom, s->architectures));
	if (s->flags)
		spec_json_add(&oom, o, "flags", strv_json(&oom, s->flags));
	if (s->listener_path)
		spec_json_add(&oom, o, "listenerPath", json_object_new_string(s->listener_path));
	if (s->listener_metadata)
		spec_json_add(&oom, o, "listenerMetadata", json_object_new_string(s->listener_metadata));
	syscalls = json_object_new_array();
	if (!syscalls)
		oom = true;
	for (size_t i = 0; syscalls && i < s->n_syscalls; i++)
		spec_json_push(&oom, syscalls, syscall_json(&oom, &s->syscalls[i]));
	spec_json_add(&oom, o, "syscalls", syscalls);
	if (oom) {
		json_object_put(o);
		return -ENOMEM;
	}
	*ret = o;
	return 0;
}
