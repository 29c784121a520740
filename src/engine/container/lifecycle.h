/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container operations for the CLI verbs: create, start, stop, kill, remove, wait, and the
 * reconciliation that keeps records true when a monitor was killed. Each takes the locks it
 * needs (record.h) and logs its errors once. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "engine/config/containers-conf.h"
#include "engine/container/monitor.h"
#include "engine/container/record.h"
#include "engine/container/runtime.h"
#include "engine/container/spec.h"

/* Makes the record, the root filesystem and config.json. On failure nothing is left. */
int ctr_create(struct store *s, const struct engine_config *cfg, const struct ctr_opts *o, struct ctr_record **ret);

/* Spawns the monitor; *ret_client is the first client connection (attach.h). The first
 * message tells whether the start worked. */
int ctr_start(struct store *s, const char *id, const struct ctr_start_opts *o, int *ret_client);

/* The runtime to drive for rec (join_pid: the monitor if alive, else the init). */
void ctr_rt_for(const struct ctr_record *rec, struct ctr_rt *ret);

/* The status, asking the runtime when the record cannot tell (a monitor killed before it
 * recorded the pid). May update the record. */
enum ctr_status ctr_status_live(struct store *s, struct ctr_record *rec);

/* Signal to the container's init: through the runtime, else directly (from inside its
 * user namespace when rootless). -ESRCH when it is not running. */
int ctr_signal(struct store *s, const struct ctr_record *rec, int sig);
/* stop: stop signal, up to timeout seconds, then SIGKILL; waits for the exit to be recorded. */
int ctr_stop(struct store *s, const char *id, int timeout);
/* Waits until the container is not running (timeout < 0: forever); returns its exit code,
 * -ETIMEDOUT, or -ENOENT if it was removed (--rm) before we saw the code. */
int ctr_wait(struct store *s, const char *id, int timeout_ms);
/* rm: force kills a running one first. */
int ctr_remove(struct store *s, const char *id, bool force);
/* After the monitor died: records the exit (code -1 when unknown), deletes the runtime's
 * container and unmounts. Call with the container lock held and the container dead. */
int ctr_cleanup_orphan(struct store *s, struct ctr_record *rec, int code);

/* Rootful: starts a thread that takes the kernel's cgroup migration lock once, by "moving"
 * ourselves into the cgroup we are in. The first writer of cgroup_threadgroup_rwsem after a
 * quiet spell waits for an RCU grace period (4-20 ms here); later ones within a grace period
 * do not. Taken now, that wait overlaps the engine's own set-up instead of delaying the
 * runtime when it moves the container's init into its cgroups a few ms later. No-op
 * rootless (no cgroups) or when nothing writable is found. */
void ctr_cgroup_prewarm(void);

/* R: the runtime state root for the store (below tmp_dir, per store). Caller frees. */
char *ctr_runtime_root(const struct engine_config *cfg, const char *store_root);
