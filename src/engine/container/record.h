/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container records: what the engine knows about each container, under the image store.
 *
 *   R/containers/containers.lock     flock: exclusive while a name is taken or given back
 *   R/containers/ID/container.json   the record, replaced atomically (write + rename)
 *   R/containers/ID/lock             flock: exclusive for every read-modify-write of the record
 *   R/containers/ID/userdata/        the OCI bundle (config.json), logs, attach socket, hosts…
 *
 * The record says what was last decided (created, starting, running with pid P started at
 * tick T, exited with code C); the status shown to users is derived from it and from the
 * kernel (is P still alive with start time T?), so it stays true when the monitor that would
 * have written the exit was killed, and after a reboot (a different boot id), see
 * ctr_status(). The root filesystem has its own record (engine/image/rootfs.h) keyed by the
 * same ID.
 *
 * Functions return -errno; errors a user can act on are logged here. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/image/store.h"

#define CTR_ID_LEN 64

enum ctr_state {
	CTR_CREATED,  /* never started (or start failed before the runtime ran) */
	CTR_STARTING, /* a monitor is starting it: monitor_pid is set, pid not yet */
	CTR_RUNNING,  /* pid/pid_start are the container's init */
	CTR_EXITED,   /* exit_code is valid (-1: unknown, the monitor was gone) */
	CTR_REMOVING, /* rm in progress */
};

/* What `ps` shows: derived, see ctr_status(). */
enum ctr_status {
	CTR_STATUS_CREATED,
	CTR_STATUS_STARTING,
	CTR_STATUS_RUNNING,
	CTR_STATUS_EXITED,
	CTR_STATUS_REMOVING,
};

struct ctr_record {
	char *id;
	char *name;
	char *image;	  /* as the user named it */
	char *image_id;	  /* hex */
	char *image_name; /* the image's first name, or NULL */
	char **command;	  /* strv: the process args (entrypoint + cmd) */
	int64_t created;  /* ns since the epoch */

	enum ctr_state state;
	pid_t pid;
	uint64_t pid_start; /* field 22 of /proc/PID/stat */
	pid_t monitor_pid;
	uint64_t monitor_start;
	int64_t started_at, finished_at; /* ns, 0: never */
	int exit_code;
	char *error;   /* why the last start failed, or NULL */
	char *boot_id; /* of the boot in which pid was recorded */
	int restart_count;

	/* Decided at create time, used by every start. */
	bool auto_remove, tty, stdin_open, privileged, rootless, read_only;
	char *runtime;	     /* the OCI runtime binary */
	char *runtime_root;  /* its --root */
	char *user;	     /* "-u" as given (or the image's User), resolved at each start */
	char **group_add;    /* strv: --group-add, resolved with it */
	char **caps_nonroot; /* strv: the capabilities a non-root user gets (the ones added by name) */
	char *userns;	     /* "host", "keep-id", "nomap" */
	char *network;	     /* "none", "host", "pasta", "slirp4netns", "bridge[:NAME]", "container:ID", "ns:PATH" */
	char *net_settings;  /* JSON text: what the network mode needs at each start (network.h) */
	char *net_state;     /* JSON text: what the running instance attached, for teardown (or NULL) */
	char *hostname;
	char *stop_signal; /* "SIGTERM" */
	int stop_timeout;  /* seconds */
	int64_t log_size_max;
	bool home_set; /* HOME was given explicitly: do not take it from passwd */
	/* --pid/--ipc/--uts container:NAME: the ID of the container whose namespace is joined
	 * (resolved to its init's /proc/PID/ns/X at each start, spec-userns.h), or NULL. */
	char *pid_ctr, *ipc_ctr, *uts_ctr;
	/* --userns auto (rootful): the ids allocated from the user "containers"' /etc/subuid and
	 * /etc/subgid ranges (auto_size 0: none); held while the record exists, taken under
	 * containers.lock. */
	uint32_t auto_uid, auto_gid, auto_size;
	/* The image's files are chowned through linux.uidMappings/gidMappings before the first
	 * start (--userns auto, --uidmap/--gidmap). */
	bool idshift;
};

void ctr_record_free(struct ctr_record *r);
static inline void ctr_record_freep(struct ctr_record **r)
{
	ctr_record_free(*r);
}
#define cleanup_ctr_record CLEANUP(ctr_record_freep)

/* Absolute path of R/containers/ID[/sub] (sub may be NULL). Caller frees. */
char *ctr_path(const struct store *s, const char *id, const char *sub);

/* R/containers/ID/lock, exclusive; returns the fd (close it to unlock). Blocks. -ENOENT
 * (not logged) when the container is gone. */
int ctr_lock(struct store *s, const char *id);
/* R/containers/containers.lock, exclusive; returns the fd. */
int ctr_lock_all(struct store *s);

int ctr_record_load(struct store *s, const char *id, struct ctr_record **ret);
int ctr_record_save(struct store *s, const struct ctr_record *r);
/* The record as JSON (for the record file itself). Caller frees. */
char *ctr_record_to_json(const struct ctr_record *r);

/* Removes the container for good: its root filesystem (unmounted first), then
 * R/containers/ID (renamed away first, so that it vanishes at once). Missing parts are
 * fine. */
int ctr_storage_remove(struct store *s, const char *id);

/* Every record (sorted by creation time, newest first). Unreadable ones are skipped with a
 * warning. */
int ctr_list(struct store *s, struct ctr_record ***ret, size_t *ret_n);
void ctr_list_free(struct ctr_record **v, size_t n);

/* Finds a container by full ID, name, or unique ID prefix. -ENOENT (logged as podman
 * does: no container with name or ID "X" found) or -EEXIST for an ambiguous prefix. */
int ctr_lookup(struct store *s, const char *ref, char **ret_id);
/* Is name taken (call with ctr_lock_all held)? ret_id optional. */
bool ctr_name_taken(struct store *s, const char *name, char **ret_id);
/* Valid container name: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128. */
bool ctr_name_valid(const char *name);

/* 64 random hex digits. */
int ctr_new_id(char ret[CTR_ID_LEN + 1]);
/* "adjective_noun" (caller frees). */
char *ctr_random_name(void);

/* /proc/sys/kernel/random/boot_id (static buffer). */
const char *ctr_boot_id(void);
/* Field 22 of /proc/PID/stat; -ESRCH if gone. */
int ctr_proc_start_time(pid_t pid, uint64_t *ret);
/* pid exists, is not a zombie, and started at start (0: any). */
bool ctr_proc_alive(pid_t pid, uint64_t start);
int64_t ctr_now_ns(void);

/* The status from the record and the kernel; never touches the runtime. */
enum ctr_status ctr_status(const struct ctr_record *r);
const char *ctr_status_name(enum ctr_status st); /* "created", "running", … */
/* Is the record's monitor alive? */
bool ctr_monitor_alive(const struct ctr_record *r);
