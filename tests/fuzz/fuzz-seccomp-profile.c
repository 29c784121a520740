/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for Docker-format seccomp profiles (untrusted input: `spec --seccomp
 * FILE`, later the engine's --security-opt seccomp=FILE and containers.conf). Build and run:
 * see tests/fuzz/README.md.
 *
 * Besides memory errors (ASan/UBSan), it checks the module's contract:
 *  - a failure carries a one-line "profile.json: ..." message (unless memory ran out);
 *  - a parsed profile converts for any target, and what comes out is valid linux.seccomp:
 *    serialized into a config.json it passes the config.json parser, with the same number
 *    of rules, so `spec --seccomp` can never write a config the runtime rejects. */
#include <errno.h>
#include <json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/seccomp-profile.h"
#include "oci/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(int r, const char *err)
{
	if (r == -ENOMEM)
		return;
	if (r != -EINVAL || !err || strncmp(err, "profile.json: ", 14) != 0 || strchr(err, '\n'))
		__builtin_trap();
}

static void check_converted(const struct oci_seccomp *s)
{
	struct json_object *o = NULL;
	struct oci_spec *spec = NULL;
	char *text = NULL, *err = NULL;

	for (size_t i = 0; i < s->n_syscalls; i++) {
		if (!s->syscalls[i].names || !s->syscalls[i].names[0])
			__builtin_trap();
		for (size_t j = 0; j < s->syscalls[i].n_args; j++)
			if (s->syscalls[i].args[j].index > 5)
				__builtin_trap();
	}
	if (seccomp_profile_oci_json(s, &o) < 0)
		return;
	if (asprintf(&text, "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}, \"linux\": {\"seccomp\": %s}}",
		     json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) < 0) {
		json_object_put(o);
		return;
	}
	json_object_put(o);
	int r = spec_parse_string(text, "config.json", &spec, &err);
	if (r == -EINVAL) {
		fprintf(stderr, "converted profile rejected: %s\n", err);
		__builtin_trap();
	}
	if (r >= 0 && spec->linux_.seccomp.n_syscalls != s->n_syscalls)
		__builtin_trap();
	spec_free(spec);
	free(err);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const caps_none[] = {NULL};
	static char *const caps_admin[] = {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_BPF", NULL};
	const struct seccomp_profile_target targets[] = {
	    {.caps = caps_none, .arch = "SCMP_ARCH_X86_64", .kernel = {6, 1, 0}},
	    {.caps = caps_admin, .arch = "SCMP_ARCH_S390X", .kernel = {4, 4, 0}},
	    {.caps = NULL, .arch = NULL, .kernel = {0, 0, 0}},
	};
	struct seccomp_profile *p = NULL;
	char *text, *err = NULL;
	int r;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;

	r = seccomp_profile_parse_string(text, "profile.json", &p, &err);
	if (r < 0) {
		check_error(r, err);
	} else {
		for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
			struct oci_seccomp s;
			if (seccomp_profile_convert(p, &targets[i], &s) < 0)
				continue;
			check_converted(&s);
			seccomp_profile_oci_done(&s);
		}
	}
	seccomp_profile_free(p);
	free(err);
	free(text);
	return 0;
}
