/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to src/oci/ (spec-*.c, features.c, seccomp-profile.c): the JSON field readers
 * used by the config.json parser, and the tables of names the parser recognizes (features.c
 * publishes the same tables, so `features` never claims more or less than we parse).
 *
 * Every reader works on a parent object and a key, pushes the key onto the parser's
 * field path ("linux.seccomp.syscalls[3].args[0]") for its error message, and returns
 *   1 the field was present and valid (and *ret written),
 *   0 the field was absent or JSON null (Go's encoding/json, and so runc, treat null as
 *     absent; *ret untouched), or
 *   -EINVAL / -ENOMEM after recording "name: path: what is wrong" in the parser.
 * The first error wins; later ones are not recorded.
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/spec.h"

struct spec_parser {
	const char *name; /* message prefix, e.g. "config.json" */
	char *err;	  /* first error, "name: path: message" */
	size_t len;	  /* length of the current field path in path[] */
	char path[512];	  /* truncated (still NUL-terminated) if a path gets absurdly long */
};

/* Path stack: push returns the previous length, pop restores it. */
size_t spec_path_push_key(struct spec_parser *p, const char *key);
size_t spec_path_push_index(struct spec_parser *p, size_t index);
/* A key of a free-form map (annotations, sysctl): written as ["key"]. */
size_t spec_path_push_map_key(struct spec_parser *p, const char *key);
void spec_path_pop(struct spec_parser *p, size_t old_len);

/* Record "name: path: <fmt>" (or "name: <fmt>" at the top level) and return -EINVAL. */
int spec_fail(struct spec_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, for the field key of the current path (pushes and pops it). */
int spec_fail_at(struct spec_parser *p, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int spec_oom(struct spec_parser *p);

/* The member obj[key], NULL when absent or null. obj may be NULL (then NULL). */
struct json_object *spec_member(struct json_object *obj, const char *key);

/* Value readers: v is non-NULL and the path already names it. Return 0 or -errno. */
int spec_val_string(struct spec_parser *p, struct json_object *v, bool non_empty, char **ret);
int spec_val_bool(struct spec_parser *p, struct json_object *v, bool *ret);
int spec_val_int64(struct spec_parser *p, struct json_object *v, int64_t min, int64_t max, int64_t *ret);
int spec_val_uint64(struct spec_parser *p, struct json_object *v, uint64_t max, uint64_t *ret);
int spec_val_strv(struct spec_parser *p, struct json_object *v, char ***ret);
int spec_val_object(struct spec_parser *p, struct json_object *v);
int spec_val_array(struct spec_parser *p, struct json_object *v, size_t *ret_n);

/* Field readers (see the top of this file for the 1/0/-errno convention). A required
 * field that is absent fails with "is required". */
int spec_get_string(struct spec_parser *p, struct json_object *obj, const char *key, bool required, bool non_empty,
		    char **ret);
int spec_get_bool(struct spec_parser *p, struct json_object *obj, const char *key, bool *ret);
int spec_get_int64(struct spec_parser *p, struct json_object *obj, const char *key, bool required, int64_t min,
		   int64_t max, int64_t *ret);
int spec_get_uint64(struct spec_parser *p, struct json_object *obj, const char *key, bool required, uint64_t max,
		    uint64_t *ret);
int spec_get_uint32(struct spec_parser *p, struct json_object *obj, const char *key, bool required, uint32_t *ret);
/* NULL-terminated strv; [] gives an empty (non-NULL) strv, which hooks need to tell
 * "env": [] (empty environment) from an absent env. */
int spec_get_strv(struct spec_parser *p, struct json_object *obj, const char *key, char ***ret);
/* Like spec_get_strv, but every element must be an absolute path. */
int spec_get_abs_strv(struct spec_parser *p, struct json_object *obj, const char *key, char ***ret);
int spec_get_object(struct spec_parser *p, struct json_object *obj, const char *key, bool required,
		    struct json_object **ret);
int spec_get_array(struct spec_parser *p, struct json_object *obj, const char *key, bool required,
		   struct json_object **ret, size_t *ret_n);
/* The member re-serialized as compact JSON text (no "\/" escaping), caller frees. */
int spec_get_raw(struct spec_parser *p, struct json_object *obj, const char *key, char **ret);
/* [{containerID, hostID, size}] as used by linux.uidMappings and mounts[].uidMappings. */
int spec_get_id_mappings(struct spec_parser *p, struct json_object *obj, const char *key, struct oci_id_mapping **ret,
			 size_t *ret_n);

/* Parse text (len bytes plus a terminating NUL at text[len]) as one JSON object: strict JSON (no comments, trailing
 * commas or garbage), valid UTF-8, integers within the int64/uint64 range (json-c silently clamps those, so they are
 * rejected here). Fails with "name: invalid JSON: ... (at line L, column C)". */
int spec_json_parse(struct spec_parser *p, const char *text, size_t len, struct json_object **ret);

/* Building documents (spec-default.c, features.c): json-c constructors return NULL only on
 * allocation failure. These attach v to o (taking ownership of v in every case) and set
 * *oom instead of failing; the caller checks *oom once at the end. Attach a child only
 * after filling it in, since a failed attach frees it. */
void spec_json_add(bool *oom, struct json_object *o, const char *key, struct json_object *v);
void spec_json_push(bool *oom, struct json_object *a, struct json_object *v);
/* An array of strings from a NULL-terminated table. */
struct json_object *spec_json_strv(bool *oom, const char *const *v);

/* Index of s in a NULL-terminated name table, or -1. */
int spec_name_index(const char *const *table, const char *s);

/* spec-parse-process.c: the process object v (path already pushed); *ret caller frees. */
int spec_parse_process_object(struct spec_parser *p, struct json_object *v, struct oci_process **ret);

/* spec-parse-linux.c */
int spec_parse_linux(struct spec_parser *p, struct json_object *linux_obj, struct oci_linux *l);
void spec_linux_free(struct oci_linux *l);

/* spec-landlock.c: the Landlock object v (path already pushed); *ret freed with
 * spec_landlock_free. */
int spec_parse_landlock_object(struct spec_parser *p, struct json_object *v, struct oci_landlock **ret);

/* Name tables, NULL-terminated. Index == enum value where an enum exists. */
extern const char *const spec_ns_names[];	      /* enum oci_ns_type */
extern const char *const spec_hook_names[];	      /* enum oci_hook_kind */
extern const char *const spec_seccomp_action_names[]; /* enum oci_seccomp_action */
extern const char *const spec_seccomp_op_names[];     /* enum oci_seccomp_op */
extern const char *const spec_seccomp_arch_names[];   /* "SCMP_ARCH_*" */
extern const char *const spec_seccomp_flag_names[];   /* "SECCOMP_FILTER_FLAG_*" */
extern const char *const spec_landlock_fs_access_names[]; /* index = LANDLOCK_ACCESS_FS_* bit */
