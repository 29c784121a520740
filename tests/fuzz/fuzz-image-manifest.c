/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for manifest, index and image config parsing (engine/image/manifest.c):
 * documents from registries and archives. Build and run: see tests/fuzz/README.md.
 *
 * Contract: a failure is -EINVAL (or -ENOMEM) with a one-line message; a success has
 * valid digests everywhere, non-negative sizes, supported layer types, and platform
 * selection on an index either picks one of its entries or explains itself. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/image/digest.h"
#include "engine/image/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(int r, const char *err)
{
	if (r == -ENOMEM)
		return;
	if (r != -EINVAL || !err || strchr(err, '\n'))
		__builtin_trap();
}

static void check_desc(const struct descriptor *d)
{
	if (!digest_valid(d->digest) || d->size < 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest *m = NULL;
	struct image_config *c = NULL;
	char *err = NULL;
	const char *ct = size && (data[0] & 1) ? MT_OCI_INDEX : NULL;
	int r = manifest_parse((const char *)data, size, ct, &m, &err);
	if (r < 0) {
		check_err(r, err);
	} else {
		if (m->kind == MANIFEST_IMAGE) {
			check_desc(&m->config);
			for (size_t i = 0; i < m->n_layers; i++) {
				check_desc(&m->layers[i]);
				if (m->layers[i].media_type && !manifest_layer_type_supported(m->layers[i].media_type))
					__builtin_trap();
			}
		} else {
			const struct descriptor *d = NULL;
			char *perr = NULL;
			for (size_t i = 0; i < m->n_manifests; i++)
				check_desc(&m->manifests[i]);
			int k = manifest_select_platform(m, "linux", "arm64", NULL, &d, &perr);
			if (k == 0 && (d < m->manifests || d >= m->manifests + m->n_manifests))
				__builtin_trap();
			if (k < 0 && (k != -ENOENT || !perr))
				__builtin_trap();
			free(perr);
		}
		manifest_free(m);
	}
	free(err);
	err = NULL;
	r = image_config_parse((const char *)data, size, &c, &err);
	if (r < 0) {
		check_err(r, err);
	} else {
		for (size_t i = 0; i < c->n_diff_ids; i++)
			if (!digest_valid(c->diff_ids[i]))
				__builtin_trap();
		image_config_free(c);
	}
	free(err);
	return 0;
}
