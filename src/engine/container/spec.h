/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The runtime-spec config.json of a container: the image's config, the user's options and
 * kakuri's defaults (containers.conf), with every layer of SECURITY-NOTES.md on unless an
 * option turns it off by name:
 *   - capabilities: default_capabilities (11 by default), --cap-add/--cap-drop (ALL too);
 *     inheritable empty, ambient only for a non-root user's --cap-add;
 *   - seccomp: kakuri's built-in profile (or seccomp_profile / --security-opt seccomp=FILE)
 *     converted for the final bounding set; "unconfined" by name;
 *   - noNewPrivileges on (--security-opt no-new-privileges=false turns it off);
 *   - masked and read-only /proc and /sys paths, /sys read-only, the runtime's default
 *     devices only, namespaces for everything but the user namespace when rootful (rootless:
 *     the container lives in the engine's storage user namespace, see monitor.h);
 *   - --privileged: all capabilities, seccomp unconfined (unless a profile is given), no
 *     masked/read-only paths, /sys and cgroupfs read-write, the host's devices.
 * The user (-u) is resolved at each start in the container's own /etc/passwd, when its root
 * filesystem is mounted: ctr_spec_finalize(). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "engine/config/containers-conf.h"
#include "engine/container/imgcfg.h"
#include "engine/container/record.h"
#include "engine/container/user.h"

struct json_object;

/* What `run`/`create` were told (docker/podman spelling). strv fields may be NULL. */
struct ctr_opts {
	char *image;
	char **cmd;	  /* args after the image */
	char *entrypoint; /* NULL: the image's; "" resets it; a JSON array is accepted */
	char *name;
	char **env, **env_files, **labels, **annotations;
	char *workdir, *user, *hostname;
	char **group_add;
	bool read_only, read_only_tmpfs;
	char **cap_add, **cap_drop;
	bool privileged;
	char *seccomp;	  /* NULL: default; "unconfined"; a profile file */
	int no_new_privs; /* -1: default (on) */
	char **mask, **unmask;
	char *apparmor, *label;
	char **volumes, **tmpfs, **devices;
	int64_t memory, shm_size;
	bool has_pids_limit;
	int64_t pids_limit;
	double cpus;
	char **ulimits, **sysctls;
	char *network;			/* "none" (default), "host" */
	char *userns;			/* NULL: containers.conf */
	char *pid_ns, *ipc_ns, *uts_ns; /* NULL or "host" */
	char *runtime;
	char *stop_signal;
	int stop_timeout; /* -1: containers.conf */
	bool tty, interactive, detach, rm, init;
	bool no_hosts;
	/* --uidmap/--gidmap CONTAINER:HOST:SIZE (podman spelling; several allowed). */
	char **uidmap, **gidmap;
	char *landlock;	      /* --security-opt landlock=... (NULL: default) */
	char *seccomp_record; /* --seccomp-record FILE: write the observed syscalls as a profile */
	/* networking (--network modes are the network issue's): -p, -P, --dns, --dns-search,
	 * --dns-option, --add-host, --mac-address, --ip */
	char **publish;
	bool publish_all;
	char **dns, **dns_search, **dns_opt, **add_host;
	char *mac_address, *ip;
};

void ctr_opts_clear(struct ctr_opts *o);

/* Everything ctr_spec_build needs besides the options. */
struct ctr_spec_ctx {
	const struct engine_config *cfg;
	const struct ctr_image *image;
	const char *id;
	const char *rootfs;	/* merged dir (root.path) */
	const char *userdata;	/* the bundle dir: hosts, hostname, resolv.conf are written here */
	const char *store_root; /* named volumes: STORE/volumes/NAME/_data */
	bool rootless;
	/* Other containers' records (--pid/--ipc/--uts container:NAME, --userns auto's
	 * allocations); NULL: those options are refused. */
	struct store *store;
};

/* Builds config.json (userdata/config.json, written atomically) and fills the parts of the
 * record the spec decides (command, user, caps_nonroot, userns, network, hostname,
 * stop_signal, privileged, read_only, tty, stdin_open, home_set). Errors are logged with the
 * option they concern; nothing is written on failure. */
int ctr_spec_build(const struct ctr_opts *o, const struct ctr_spec_ctx *ctx, struct ctr_record *rec);

/* At start, with the root filesystem mounted at rootfd: resolves rec->user in the image's
 * passwd/group, sets process.user (uid, gid, additionalGids), HOME (unless given), the
 * capabilities of a non-root user, the terminal size (rows/cols, 0: unchanged), and makes the
 * working directory if it is missing.
 * Rewrites userdata/config.json. A missing user: -ENOENT with *ret_err (exact podman text). */
int ctr_spec_finalize(const char *config_path, int rootfd, const struct ctr_record *rec, unsigned rows, unsigned cols,
		      char **ret_err);

/* The process object of config.json for `exec` (caller json_object_put()s). */
int ctr_spec_load_process(const char *config_path, struct json_object **ret);

/* All capabilities this kernel knows that are in our bounding set ("CAP_CHOWN", …), strv
 * (caller frees). */
char **ctr_caps_all(void);
/* "net_admin", "CAP_NET_ADMIN", "NET_ADMIN" -> "CAP_NET_ADMIN" (caller frees); NULL if
 * unknown. */
char *ctr_cap_normalize(const char *name);
/* Docker's rules: ALL in add → all caps minus drop; ALL in drop → only add; otherwise
 * (base − drop) ∪ add. Unknown names: -EINVAL with *ret_bad pointing at the name. */
int ctr_caps_compute(char *const *base, char *const *add, char *const *drop, char ***ret, const char **ret_bad);
