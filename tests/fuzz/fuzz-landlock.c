/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the Landlock object (untrusted input: linux.landlock and the
 * io.kakuri.landlock annotation, whose text comes straight from the engine's user). Build
 * and run: see tests/fuzz/README.md.
 *
 * Besides memory errors (ASan/UBSan), it checks the parser's contract:
 *  - a failure carries a one-line "landlock: ..." message (unless memory ran out);
 *  - a success has every rule's allowed rights inside the handled ones (the kernel rejects
 *    anything else), only known rights, and absolute rule paths;
 *  - masking to any ABI keeps rules inside the handled set and only drops rights. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci/spec.h"
#include "runtime/landlock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oci_landlock *l = NULL;
	char *text, *err = NULL;
	uint64_t known = landlock_abi_fs_rights(1000), dropped;
	bool unenforceable;
	int r;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	r = spec_landlock_parse(text, "landlock", &l, &err);
	free(text);
	if (r < 0) {
		if (r != -ENOMEM && (r != -EINVAL || !err || strncmp(err, "landlock", 8) != 0 || strchr(err, '\n')))
			__builtin_trap();
		free(err);
		return 0;
	}
	if (l->handled_access_fs & ~known)
		__builtin_trap();
	for (size_t i = 0; i < l->n_path_beneath; i++) {
		if (l->path_beneath[i].allowed_access & ~l->handled_access_fs)
			__builtin_trap();
		for (char **p = l->path_beneath[i].paths; p && *p; p++)
			if ((*p)[0] != '/')
				__builtin_trap();
	}
	for (int abi = 0; abi <= 8; abi++) {
		uint64_t before = l->handled_access_fs;
		landlock_mask_to_abi(l, abi, &dropped, &unenforceable);
		if ((l->handled_access_fs & ~before) || (l->handled_access_fs & ~landlock_abi_fs_rights(abi)))
			__builtin_trap();
		for (size_t i = 0; i < l->n_path_beneath; i++)
			if (l->path_beneath[i].allowed_access & ~l->handled_access_fs)
				__builtin_trap();
	}
	spec_landlock_free(l);
	return 0;
}
