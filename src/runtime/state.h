/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container state on disk: ROOT/ID/ holds state.json (written atomically), config.json (a
 * copy of the bundle's, for exec and poststop hooks) and exec.fifo while the container is
 * created but not started. The status is derived, never stored (see docs/design.md). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

enum container_status { STATUS_CREATING, STATUS_CREATED, STATUS_RUNNING, STATUS_STOPPED, STATUS_PAUSED };

struct container_state {
	char *id;
	char *bundle;
	char *rootfs;
	char *created;         /* RFC 3339 */
	char *owner;
	char *annotations_json; /* JSON object text, or NULL */
	char *cgroup;           /* the container's cgroup (cgroup_serialize() JSON text), or NULL */
	pid_t pid;
	unsigned long long start_time; /* /proc/PID/stat field 22 */
	bool rootless;
	bool in_pidns;          /* the container has its own pid namespace */
	bool has_poststart;     /* hooks to run later: start/delete parse the saved config */
	bool has_poststop;      /* only when there are some */
};

/* Default state root: /run/kakuri as root, $XDG_RUNTIME_DIR/kakuri rootless. Caller frees. */
char *state_default_root(void);
/* Validate a container id (letters, digits, _ . -, must not start with . or -). */
int state_check_id(const char *id);
/* ROOT/ID, caller frees. */
char *state_dir(const char *root, const char *id);
/* mkdir ROOT (0700, parents) and ROOT/ID exclusively: -EEXIST if it exists. */
int state_create_dir(const char *root, const char *id);
int state_save(const char *root, const struct container_state *st);
/* -ENOENT (with a logged "container 'ID' does not exist") if absent. */
int state_load(const char *root, const char *id, struct container_state **ret);
void state_free(struct container_state *st);
enum container_status state_status(const char *root, const struct container_state *st);
const char *state_status_name(enum container_status s);
/* The OCI state JSON (runtime.md "State"), plus runc's rootfs/created/owner. Caller frees. */
char *state_to_json(const struct container_state *st, enum container_status status);
/* A copy of an OCI state JSON text with "status" replaced (hooks that run later in the
 * lifecycle than the state they were given). Caller frees; NULL on bad input. */
char *state_json_with_status(const char *json, enum container_status status);
int state_remove(const char *root, const char *id);
/* Start time of a live pid (field 22 of /proc/PID/stat) or -ESRCH. */
int state_pid_start_time(pid_t pid, unsigned long long *ret);
/* Is this pid the container's init (alive, same start time)? */
bool state_init_alive(const struct container_state *st);
/* Take an exclusive lock on ROOT/ID (flock on the dir); returns the fd. */
int state_lock(const char *root, const char *id);
