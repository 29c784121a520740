/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container verbs that work on its cgroup: pause, resume, update, events. Each loads
 * the state, logs its own errors and returns -errno. A container without a cgroup (made
 * with --cgroup-manager disabled, or rootless without delegation) gets a clear error. */
#pragma once

#include <stdio.h>

#include "runtime/cgroup.h"
#include "runtime/state.h"

/* The cgroup recorded for the container: state.json's "cgroup", else (a create that was
 * killed before writing state.json) the state dir's cgroup.json. *ret = NULL if none. */
int container_cgroup_load(const char *root, const char *id, const struct container_state *st, struct cgroup **ret);
/* Where create records the cgroup before making it: ROOT/ID/cgroup.json. Caller frees. */
char *container_cgroup_record_path(const char *root, const char *id);

/* Move pid into the container's cgroup (0 if it has none), e.g. the process `exec` forks:
 * call it before that process setns()es into the container's mount namespace, where the
 * host's cgroup paths are not visible. */
int container_cgroup_join(const struct container_state *st, pid_t pid);

int container_pause(const char *root, const char *id);
int container_resume(const char *root, const char *id);
/* resources_json: a linux.resources object (sections merged into what was applied). */
int container_update(const char *root, const char *id, const char *resources_json);
/* One stats event line, runc's shape: {"type":"stats","id":ID,"data":{…}}. Caller frees. */
int container_stats(const char *root, const char *id, char **ret);
/* Stream events to out as JSON lines until the container stops: {"type":"oom","id":ID} when
 * an OOM kill happens, and a stats event every interval_ms (0: none). */
int container_events(const char *root, const char *id, long interval_ms, FILE *out);
