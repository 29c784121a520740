/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Two run options of config.json that need more than a line of spec.c:
 *
 *  --init: kakuri-init (src/init/kakuri-init.c) bind-mounted read-only at CTR_INIT_DEST and
 *          put in front of process.args. The binary is looked for next to the running
 *          kakuri (build/kakuri-init in the tree), in ../libexec/kakuri/ from it (an
 *          installed tree, wherever it is), then in KAKURI_LIBEXECDIR (`make install`:
 *          PREFIX/libexec/kakuri/kakuri-init).
 *
 *  --security-opt landlock=…: linux.landlock for the runtime (runtime/landlock.h):
 *      landlock=unconfined             no Landlock (the default)
 *      landlock=MODE:PATH[:PATH…][,…]  MODE ro (execute, read_file, read_dir) or rw (every
 *                                      right); paths inside the container, absolute; every
 *                                      filesystem right is handled, so what no rule allows
 *                                      is denied (EACCES): landlock=ro:/,rw:/tmp:/dev
 *      landlock=FILE                   a JSON file with the linux.landlock object itself
 *                                      ({"ruleset": …, "rules": …}); FILE starts with / or .
 */
#pragma once

#include <stdbool.h>

#include "engine/container/spec.h"

struct json_object;

#define CTR_INIT_DEST "/run/kakuri-init"

/* The kakuri-init binary (caller frees). -ENOENT, logged with the places looked at. */
int ctr_init_find(char **ret);

/* args = [CTR_INIT_DEST, "--", args…] (a new strv, caller frees). */
int ctr_init_wrap_args(char *const *args, char ***ret);

/* Adds linux.landlock for o->landlock (nothing for NULL or "unconfined"). Errors name the
 * option and the bad part. */
int ctr_spec_landlock(const struct ctr_opts *o, struct json_object *linux_);
