/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OCI hooks: each hook is run with the container state JSON on stdin, its args and env as
 * given (args[0] is argv[0]; path is executed), and killed after timeout seconds.
 * A failing hook (non-zero exit, signal, timeout) returns -EIO after logging
 * "hooks.prestart[0] '/path': exited with status 3" (or "timed out after 5s"). */
#pragma once

#include "oci/spec.h"

int hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json);
const char *hooks_kind_name(enum oci_hook_kind kind); /* "prestart", "createRuntime", … */
