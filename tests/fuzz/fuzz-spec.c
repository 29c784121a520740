/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the config.json parser (untrusted input: bundles come from images
 * and from whoever calls the runtime). Build and run: see tests/fuzz/README.md.
 *
 * Besides memory errors (ASan/UBSan), it checks the parser's contract: a failure always
 * carries a one-line message with the given prefix (unless memory ran out), and a success
 * yields a spec that honours the invariants the runtime relies on. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(int r, const char *err, const char *prefix)
{
	if (r == -ENOMEM)
		return;
	if (r != -EINVAL || !err || strncmp(err, prefix, strlen(prefix)) != 0 || strchr(err, '\n'))
		__builtin_trap();
}

static void check_spec(const struct oci_spec *s)
{
	if (!s->oci_version || !s->root_path || !s->root_path[0])
		__builtin_trap();
	if (s->process && (!s->process->args || !s->process->args[0] || !s->process->cwd || s->process->cwd[0] != '/'))
		__builtin_trap();
	for (size_t i = 0; i < s->n_mounts; i++)
		if (!s->mounts[i].destination || !s->mounts[i].destination[0])
			__builtin_trap();
	for (size_t i = 0; i < s->linux_.seccomp.n_syscalls; i++)
		for (size_t j = 0; j < s->linux_.seccomp.syscalls[i].n_args; j++)
			if (s->linux_.seccomp.syscalls[i].args[j].index > 5)
				__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oci_spec *spec = NULL;
	struct oci_process *proc = NULL;
	char *text, *err = NULL;
	int r;

	/* The parser takes a C string. */
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;

	r = spec_parse_string(text, "config.json", &spec, &err);
	if (r >= 0)
		check_spec(spec);
	else
		check_error(r, err, "config.json: ");
	spec_free(spec);
	free(err);
	err = NULL;

	r = spec_parse_process_string(text, "process.json", &proc, &err);
	if (r < 0)
		check_error(r, err, "process.json: ");
	spec_process_free(proc);
	free(err);

	free(text);
	return 0;
}
