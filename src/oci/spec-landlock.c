/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Landlock object of the runtime-spec proposal (opencontainers/runtime-spec#1111,
 * carried as #1241; not part of runtime-spec 1.2):
 *
 *   {"ruleset": {"handledAccessFS": ["execute", "write_file", …]},
 *    "rules": {"pathBeneath": [{"allowedAccess": ["read_file", …], "paths": ["/usr", …]}]},
 *    "disableBestEffort": false}
 *
 * Access names are the kernel's LANDLOCK_ACCESS_FS_* without the prefix, lower case, as the
 * proposal writes them; their index in the name table is the kernel's bit number, so a mask
 * built here can be handed to landlock_create_ruleset(2) as is (after masking it down to
 * the running kernel's ABI: runtime/landlock.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "oci/spec-internal.h"
#include "oci/spec.h"

/* Bit i = LANDLOCK_ACCESS_FS_* (1 << i); the comment is the ABI that introduced it. */
const char *const spec_landlock_fs_access_names[] = {
    "execute",	   /* 1 */
    "write_file",  /* 1 */
    "read_file",   /* 1 */
    "read_dir",	   /* 1 */
    "remove_dir",  /* 1 */
    "remove_file", /* 1 */
    "make_char",   /* 1 */
    "make_dir",	   /* 1 */
    "make_reg",	   /* 1 */
    "make_sock",   /* 1 */
    "make_fifo",   /* 1 */
    "make_block",  /* 1 */
    "make_sym",	   /* 1 */
    "refer",	   /* 2 */
    "truncate",	   /* 3 */
    "ioctl_dev",   /* 5 */
    NULL,
};

const char *spec_landlock_access_name(unsigned bit)
{
	if (bit >= ELEMENTSOF(spec_landlock_fs_access_names) - 1)
		return NULL;
	return spec_landlock_fs_access_names[bit];
}

void spec_landlock_free(struct oci_landlock *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_path_beneath; i++)
		cleanup_strvp(&l->path_beneath[i].paths);
	free(l->path_beneath);
	free(l);
}

/* obj[key]: an array of access names → mask. Absent: 0. */
static int get_access(struct spec_parser *p, struct json_object *obj, const char *key, uint64_t *ret)
{
	cleanup_strv char **names = NULL;
	uint64_t mask = 0;
	int r = spec_get_strv(p, obj, key, &names);

	if (r <= 0)
		return r;
	for (size_t i = 0; names[i]; i++) {
		int bit = spec_name_index(spec_landlock_fs_access_names, names[i]);
		if (bit < 0) {
			size_t old = spec_path_push_key(p, key), old2 = spec_path_push_index(p, i);
			r = spec_fail(p,
				      "unknown Landlock access right '%s' (expected one of execute, write_file, "
				      "read_file, read_dir, remove_dir, remove_file, make_char, make_dir, make_reg, "
				      "make_sock, make_fifo, make_block, make_sym, refer, truncate, ioctl_dev)",
				      names[i]);
			spec_path_pop(p, old2);
			spec_path_pop(p, old);
			return r;
		}
		mask |= UINT64_C(1) << bit;
	}
	*ret = mask;
	return 1;
}

static int parse_rule(struct spec_parser *p, struct json_object *e, uint64_t handled, struct oci_landlock_rule *rule)
{
	cleanup_strv char **names = NULL;
	int r;

	r = spec_val_object(p, e);
	if (r >= 0)
		r = get_access(p, e, "allowedAccess", &rule->allowed_access);
	if (r < 0)
		return r;
	/* landlock_add_rule(2) refuses rights the ruleset does not handle (EINVAL): say which. */
	if (rule->allowed_access & ~handled) {
		r = spec_get_strv(p, e, "allowedAccess", &names);
		for (size_t i = 0; r > 0 && names[i]; i++) {
			int bit = spec_name_index(spec_landlock_fs_access_names, names[i]);
			if (handled & (UINT64_C(1) << bit))
				continue;
			size_t old = spec_path_push_key(p, "allowedAccess"), old2 = spec_path_push_index(p, i);
			r = spec_fail(p,
				      "'%s' is not in ruleset.handledAccessFS (a rule can only allow handled rights)",
				      names[i]);
			spec_path_pop(p, old2);
			spec_path_pop(p, old);
			return r;
		}
		return r < 0 ? r : -EINVAL;
	}
	r = spec_get_abs_strv(p, e, "paths", &rule->paths);
	if (r < 0)
		return r;
	for (size_t i = 0; rule->paths && rule->paths[i]; i++)
		if (strlen(rule->paths[i]) >= 4096) {
			size_t old = spec_path_push_key(p, "paths"), old2 = spec_path_push_index(p, i);
			r = spec_fail(p, "path is too long");
			spec_path_pop(p, old2);
			spec_path_pop(p, old);
			return r;
		}
	return 0;
}

static int parse_rules(struct spec_parser *p, struct json_object *v, struct oci_landlock *l)
{
	struct json_object *rules = NULL, *a = NULL;
	size_t n = 0, old, old2;
	int r;

	r = spec_get_object(p, v, "rules", false, &rules);
	if (r <= 0)
		return r;
	old = spec_path_push_key(p, "rules");
	r = spec_get_array(p, rules, "pathBeneath", false, &a, &n);
	if (r > 0) {
		l->path_beneath = calloc(n ? n : 1, sizeof(*l->path_beneath));
		if (!l->path_beneath)
			r = spec_oom(p);
	}
	if (r > 0) {
		old2 = spec_path_push_key(p, "pathBeneath");
		for (size_t i = 0; i < n && r >= 0; i++) {
			size_t old3 = spec_path_push_index(p, i);
			struct json_object *e = json_object_array_get_idx(a, i);

			r = e ? parse_rule(p, e, l->handled_access_fs, &l->path_beneath[i])
			      : spec_fail(p, "must be an object");
			l->n_path_beneath = i + 1; /* so a partly parsed rule is freed too */
			spec_path_pop(p, old3);
		}
		spec_path_pop(p, old2);
	}
	spec_path_pop(p, old);
	return r < 0 ? r : 0;
}

int spec_parse_landlock_object(struct spec_parser *p, struct json_object *v, struct oci_landlock **ret)
{
	struct oci_landlock *l;
	struct json_object *ruleset = NULL;
	int r;

	r = spec_val_object(p, v);
	if (r < 0)
		return r;
	l = calloc(1, sizeof(*l));
	if (!l)
		return spec_oom(p);
	r = spec_get_object(p, v, "ruleset", false, &ruleset);
	if (r > 0) {
		size_t old = spec_path_push_key(p, "ruleset");
		r = get_access(p, ruleset, "handledAccessFS", &l->handled_access_fs);
		spec_path_pop(p, old);
	}
	if (r >= 0)
		r = parse_rules(p, v, l);
	if (r >= 0)
		r = spec_get_bool(p, v, "disableBestEffort", &l->disable_best_effort);
	if (r < 0) {
		spec_landlock_free(l);
		return r;
	}
	*ret = l;
	return 0;
}

int spec_landlock_parse(const char *text, const char *name, struct oci_landlock **ret, char **ret_err)
{
	struct spec_parser p = {.name = name ? name : "landlock"};
	struct json_object *top = NULL;
	int r;

	r = spec_json_parse(&p, text, strlen(text), &top);
	if (r >= 0) {
		r = spec_parse_landlock_object(&p, top, ret);
		json_object_put(top);
	}
	if (r < 0) {
		if (ret_err)
			*ret_err = p.err;
		else
			free(p.err);
		return r;
	}
	free(p.err);
	return 0;
}
