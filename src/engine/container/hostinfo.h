/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `info`: what this host offers containers, read from the kernel (not assumed): cgroup
 * mode and controllers, user namespaces and the user's subordinate ranges (and whether
 * newuidmap/newgidmap can use them), active LSMs, Landlock ABI, seccomp, overlay support,
 * plus the store and the OCI runtime. */
#pragma once

#include "engine/config/containers-conf.h"
#include "engine/image/store.h"

struct json_object;

/* s may be NULL (store facts left out). *ret caller json_object_put()s. */
int ctr_host_info(const struct engine_config *cfg, struct store *s, struct json_object **ret);
