/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Docker/podman-format seccomp profiles: the JSON that `docker run --security-opt
 * seccomp=FILE` and containers.conf's `seccomp_profile` take, parsed, validated and converted
 * into the runtime-spec form (struct oci_seccomp, config.json's linux.seccomp) for one
 * container. Which rules apply is decided at conversion time by the container's capability
 * set, the native architecture and the kernel version (`includes`/`excludes`).
 *
 * Format (fields not listed are ignored, JSON null counts as absent):
 *   defaultAction      required, "SCMP_ACT_*" (not NOTIFY)
 *   defaultErrnoRet    with ERRNO/TRACE only, 0..65535
 *   archMap            [{architecture, subArchitectures[]}]: the entry whose architecture
 *                      is the native one gives linux.seccomp.architectures (itself first)
 *   architectures      legacy flat list, copied as is (not together with archMap)
 *   flags              "SECCOMP_FILTER_FLAG_*"; listenerPath, listenerMetadata
 *   syscalls[]         names[] (or legacy name), action, errnoRet, args[] {index 0..5,
 *                      value, valueTwo, op "SCMP_CMP_*"}, includes/excludes {caps[],
 *                      arches[], minKernel "M.N[.P]"}
 * includes: the rule applies only if every listed capability is held, the native arch is
 * listed, and the kernel is at least minKernel. excludes: the rule is dropped if any listed
 * capability is held, the native arch is listed, or the kernel is at least minKernel.
 * Architectures may be written as "SCMP_ARCH_X86_64", libseccomp's "x86_64" or Go's "amd64".
 *
 * Errors (-EINVAL, or -ENOMEM) come with a one-line message naming the JSON path, e.g.
 *   "profile.json: syscalls[12].args[0].op: unknown operator 'SCMP_CMP_FOO'".
 * ret_err may be NULL; it is written only on failure. Nothing here logs above debug.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/spec.h"

struct json_object;

struct seccomp_profile_filter {
	char **caps;   /* strv of "CAP_*", NULL when absent */
	char **arches; /* strv as written, NULL when absent */
	bool has_min_kernel;
	unsigned min_kernel[3]; /* major, minor, patch */
};

struct seccomp_profile_rule {
	char **names; /* strv, non-empty ("name" is folded in here) */
	int action;   /* enum oci_seccomp_action */
	bool has_errno_ret;
	uint32_t errno_ret;
	struct oci_seccomp_arg *args;
	size_t n_args;
	struct seccomp_profile_filter includes, excludes;
};

struct seccomp_profile_arch {
	char *arch;	   /* "SCMP_ARCH_*" */
	char **sub_arches; /* strv of "SCMP_ARCH_*", NULL when absent */
};

struct seccomp_profile {
	int default_action; /* enum oci_seccomp_action */
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	struct seccomp_profile_arch *arch_map;
	size_t n_arch_map;
	char **architectures; /* legacy list, NULL when absent */
	char **flags;	      /* "SECCOMP_FILTER_FLAG_*", NULL when absent */
	char *listener_path, *listener_metadata;
	struct seccomp_profile_rule *rules;
	size_t n_rules;
};

/* text is NUL-terminated; name prefixes error messages ("profile.json"). *ret caller frees
 * with seccomp_profile_free(). */
int seccomp_profile_parse_string(const char *text, const char *name, struct seccomp_profile **ret, char **ret_err);
/* Reads path (a host path); its name prefixes the messages. */
int seccomp_profile_parse_file(const char *path, struct seccomp_profile **ret, char **ret_err);
void seccomp_profile_free(struct seccomp_profile *p);

/* What a profile is converted for. */
struct seccomp_profile_target {
	char *const *caps;  /* capabilities the container can hold (its bounding set); NULL = none */
	const char *arch;   /* native "SCMP_ARCH_*"; NULL: arch-specific rules never apply */
	unsigned kernel[3]; /* major, minor, patch */
};

/* The architecture this binary runs as ("SCMP_ARCH_X86_64"), or NULL if not known here. */
const char *seccomp_profile_native_arch(void);
/* Fills arch and kernel (uname(2)) for the running system; caps is left as is. */
int seccomp_profile_target_native(struct seccomp_profile_target *t);

/* Converts for target into *ret (present = true; every string copied; free the contents with
 * seccomp_profile_oci_done()). Rules that do not apply are left out; syscall names are kept
 * as written (unknown ones are skipped when the filter is built). -ENOMEM only. */
int seccomp_profile_convert(const struct seccomp_profile *p, const struct seccomp_profile_target *t,
			    struct oci_seccomp *ret);
/* Frees what a struct oci_seccomp owns and zeroes it (for one not owned by a struct oci_spec). */
void seccomp_profile_oci_done(struct oci_seccomp *s);
/* linux.seccomp as a runtime-spec JSON object (caller json_object_put()s). -ENOMEM only. */
int seccomp_profile_oci_json(const struct oci_seccomp *s, struct json_object **ret);

/* kakuri's default profile (data/seccomp/default.json), embedded in the binary at build time
 * so that it does not depend on an installed data file. NUL-terminated. */
extern const char seccomp_profile_default_json[];
#define SECCOMP_PROFILE_DEFAULT_NAME "kakuri default profile"
