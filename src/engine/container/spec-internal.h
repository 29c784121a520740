/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between the parts of the config.json generator (spec.c, spec-seccomp.c,
 * spec-finalize.c, ctrcaps.c). */
#pragma once

#include "engine/container/spec.h"

struct json_object;

/* linux.seccomp for the bounding set: the containers.conf/--security-opt profile (kakuri's
 * built-in one by default, none when "unconfined" or --privileged without a profile),
 * converted once per (profile, caps, arch, kernel) and cached in the store. */
int ctr_spec_seccomp(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, char *const *bounding,
		     struct json_object *linux_);
/* Writes a config.json (pretty, atomically, 0600). */
int ctr_spec_write_json(const char *path, struct json_object *o);
