/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Finding the OCI runtime binary the engine runs (`kakuri run --runtime NAME|PATH`, else
 * containers.conf). */
#pragma once

#include "engine/config/containers-conf.h"

/* name (NULL: [kakuri] runtime if set, else [engine] runtime) is used as a path if it has a
 * '/'; else it is looked up in [engine.runtimes] (the first executable candidate; none is an
 * error, as in podman); "kakuri-runtime" without such an entry is [kakuri] runtime_path if
 * set, else the kakuri-runtime next to this executable (an install or a build tree keeps the
 * two together); anything else, and the last resort for kakuri-runtime, is searched in $PATH.
 * *ret caller frees. -ENOENT with a one-line *ret_err (caller frees; ret_err may be NULL)
 * that says what was tried. Does not log. */
int engine_config_find_runtime(const struct engine_config *c, const char *name, char **ret, char **ret_err);
