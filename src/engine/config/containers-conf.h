/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The engine's configuration: containers.conf, read from the files podman reads, in the
 * order it reads them, plus kakuri's own [kakuri] table in those same files (podman ignores
 * tables it does not know, so one file serves both engines). docs/configuration.md is the
 * user-facing description; in short, lowest precedence first:
 *
 *   /usr/share/containers/containers.conf
 *   /etc/containers/containers.conf
 *   /etc/containers/containers.conf.d/NAME.conf                  (sorted by name)
 *   rootless only:
 *   $XDG_CONFIG_HOME/containers/containers.conf                  (default ~/.config/…)
 *   $XDG_CONFIG_HOME/containers/containers.conf.d/NAME.conf
 *
 * CONTAINERS_CONF=FILE replaces that whole list with FILE; CONTAINERS_CONF_OVERRIDE=FILE is
 * read last, on top of either. Missing files in the list are skipped; a file named by either
 * variable must exist. Later files override earlier ones key by key; arrays are replaced
 * whole, unless the new array contains podman's {append = true} marker, which appends to
 * what earlier files (or the built-in default) gave. [engine.runtimes] merges by runtime
 * name. Unknown keys and tables are ignored; a known key of the wrong type or with an
 * invalid value is an error, like malformed TOML:
 *   "/home/u/.config/containers/containers.conf:12: expected '=' after key 'pids_limit', got '2'"
 *   "/etc/containers/containers.conf:3: [containers] default_capabilities: unknown capability 'CAP_FOO'"
 *
 * Errors come back as -EINVAL (or -errno for a file that cannot be read, -ENOMEM) with one
 * line in *ret_err (caller frees; written only on failure). Nothing here logs above debug:
 * the caller prints the message once. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/spec.h"

#define ENGINE_CONFIG_DEFAULT_RUNTIME "kakuri-runtime"
/* $PATH when it is unset (and the "PATH=" of the default env). */
#define ENGINE_CONFIG_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct engine_config_runtime {
	char *name;	    /* [engine.runtimes] key */
	char **paths;	    /* strv, candidate binaries in order */
	const char *source; /* the file that set it (points into files) */
};

struct engine_config {
	/* [containers] */
	char **default_capabilities;	    /* strv of "CAP_*", no duplicates, by capability number */
	char **default_sysctls;		    /* strv of "name=value" */
	struct oci_rlimit *default_ulimits; /* type "RLIMIT_NOFILE" etc.; RLIM_INFINITY = UINT64_MAX */
	size_t n_default_ulimits;
	char *seccomp_profile; /* NULL: kakuri's built-in profile; "unconfined"; or a profile file */
	char **env;	       /* strv "NAME=value" (or "NAME": from the host, as podman does) */
	bool no_hosts;	       /* don't write /etc/hosts */
	bool init;	       /* run an init as pid 1 by default (--init) */
	int64_t pids_limit;    /* <= 0: no limit */
	char *userns;	       /* "host", "private", "auto[:…]", "keep-id[:…]", "nomap", "ns:PATH" */
	int64_t log_size_max;  /* bytes; < 0: no limit, else >= 8192 */
	char *netns;	       /* default --network: NULL/"private" = bridge rootful, pasta rootless */

	/* [network] */
	char *rootless_network_cmd; /* "pasta" (default) or "slirp4netns" */

	/* [engine] */
	char *runtime; /* OCI runtime: a name (see runtimes) or a path; default "kakuri-runtime";
			* resolve it with engine_config_find_runtime() (oci-runtime.h) */
	struct engine_config_runtime *runtimes;
	size_t n_runtimes;
	char *static_dir;     /* persistent engine state; NULL: below the storage root */
	char *tmp_dir;	      /* per-boot state (tmpfs); never NULL after load */
	int64_t stop_timeout; /* seconds between SIGTERM and SIGKILL for `stop` */

	/* [kakuri] */
	char *kakuri_runtime; /* overrides [engine] runtime for kakuri only; NULL: not set */
	char *runtime_path;   /* the kakuri-runtime binary; NULL: next to kakuri, else $PATH */
	char *storage_root;   /* NULL: the image store's default (store_default_root) */
	char *storage_driver; /* NULL: automatic; "overlay", "fuse-overlayfs", "vfs" */

	/* How it was loaded. */
	bool rootless;
	char **files;	      /* strv: the files read, in order */
	const char **source_; /* per known key, the file that set it; use engine_config_source() */
};

/* Where to look: every field may be NULL for the default (tests point these at temp dirs so
 * they never read the host's /etc). CONTAINERS_CONF / CONTAINERS_CONF_OVERRIDE are honoured
 * either way. */
struct engine_config_paths {
	const char *usr_dir;  /* "/usr/share/containers" */
	const char *etc_dir;  /* "/etc/containers" */
	const char *user_dir; /* "$XDG_CONFIG_HOME/containers", else "$HOME/.config/containers" */
	int rootless;	      /* -1: detect (idmap_rootless()), 0: root, 1: rootless */
};

/* Built-in defaults, then every file in order. *ret is written only on success; free it with
 * engine_config_free(). */
int engine_config_load(struct engine_config *ret, char **ret_err);
int engine_config_load_from(struct engine_config *ret, const struct engine_config_paths *paths, char **ret_err);
/* Only the built-in defaults (no files). */
int engine_config_defaults(struct engine_config *ret, bool rootless);
void engine_config_free(struct engine_config *c); /* NULL-safe; leaves *c zeroed */

/* Every key this module reads, as "table.key" ("containers.pids_limit",
 * "engine.runtimes", "kakuri.storage_root"), NULL-terminated. */
extern const char *const engine_config_keys[];
/* The file that set key ("table.key"), or NULL when the built-in default applies (or the key
 * is unknown). The string lives as long as c. */
const char *engine_config_source(const struct engine_config *c, const char *key);
