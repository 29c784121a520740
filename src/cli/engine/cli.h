/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri (the engine CLI): global options, the verb table, shared helpers. One file per
 * verb; "image SUBCOMMAND" and "system SUBCOMMAND" dispatch to the same functions. */
#pragma once

#include <stdbool.h>

#include "engine/image/store.h"

extern const char *arg_storage_root; /* --root */

struct verb {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv); /* argv[0] is the verb; returns the exit status */
};

/* Exit status for engine errors, as podman and docker use it. */
#define EXIT_ENGINE 125

int verb_pull(int argc, char **argv);
int verb_load(int argc, char **argv);
int verb_save(int argc, char **argv);
int verb_import(int argc, char **argv);
int verb_images(int argc, char **argv);
int verb_rmi(int argc, char **argv);
int verb_tag(int argc, char **argv);
int verb_inspect(int argc, char **argv);
int verb_image(int argc, char **argv);
int verb_image_prune(int argc, char **argv);
int verb_image_mount(int argc, char **argv);
int verb_image_umount(int argc, char **argv);
int verb_login(int argc, char **argv);
int verb_logout(int argc, char **argv);
int verb_system(int argc, char **argv);
int verb_unshare(int argc, char **argv);
int verb_rootfs(int argc, char **argv);
int verb_network(int argc, char **argv); /* cli/engine/network.c */

/* Opens the store (--root or the default); logs on failure. */
int cli_open_store(struct store **ret);
/* "kakuri VERB: MSG (see 'kakuri VERB --help')"; returns EXIT_ENGINE. */
int cli_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Matches "--name", "--name=value" or "--name value"; *ret_val set when a value was taken
 * (advancing *i). Returns true if argv[*i] is that option. */
bool cli_opt(int argc, char **argv, int *i, const char *name, const char **ret_val);
bool cli_flag(const char *arg, const char *name);
/* "--name" (true) or "--name=true|false" into *ret; true if argv[*i] is that option. */
bool cli_bool_opt(int argc, char **argv, int *i, const char *name, bool *ret);

/* ---- containers (cli/engine/container.c and one file per verb) ---- */
struct engine_config;
struct ctr_opts;
int verb_run(int argc, char **argv);
int verb_create(int argc, char **argv);
int verb_start(int argc, char **argv);
int verb_stop(int argc, char **argv);
int verb_restart(int argc, char **argv);
int verb_kill(int argc, char **argv);
int verb_rm(int argc, char **argv);
int verb_ps(int argc, char **argv);
int verb_logs(int argc, char **argv);
int verb_exec(int argc, char **argv);
int verb_wait(int argc, char **argv);
int verb_top(int argc, char **argv);
int verb_port(int argc, char **argv);
int verb_cp(int argc, char **argv);
int verb_attach(int argc, char **argv);
int verb_info(int argc, char **argv);
int verb_version(int argc, char **argv);
int verb_audit(int argc, char **argv); /* cli/engine/audit.c */
int verb_container(int argc, char **argv);
int verb_container_inspect(int argc, char **argv);
int verb_container_prune(int argc, char **argv);
int verb_container_exists(int argc, char **argv);
/* `inspect`: a container if every argument names one, else verb_inspect (images). */
int verb_inspect_any(int argc, char **argv);
/* `inspect --namespaces CONTAINER...` (cli/engine/inspect.c), else verb_inspect_any. */
int verb_inspect_entry(int argc, char **argv);

/* A docker-style option parser: "-it", "-e X", "-eX", "--env X", "--env=X", "--rm=false";
 * stops at the first positional argument (p->i then points at it) or after "--". */
struct cli_option {
	const char *name; /* long name, without "--"; NULL ends the table */
	char short_;	  /* 0: none */
	bool value;	  /* takes a value */
	int id;		  /* > 0, returned by cli_next */
};
struct cli_parser {
	int argc;
	char **argv;
	int i;	 /* start at 1 */
	int sub; /* internal: position in a cluster of short options */
	const struct cli_option *opts;
	const char *verb;
	bool stopped; /* "--" was seen */
};
/* Returns the id of the next option (*ret_val: its value, or for a flag NULL or the text
 * after '='), 0 at the first positional argument or the end, -1 after logging a usage error. */
int cli_next(struct cli_parser *p, const char **ret_val);
/* A flag's value: NULL, "true", "1" → true. */
bool cli_bool_val(const char *v);
/* Loads containers.conf and opens the store (both logged on failure). */
int cli_ctr_setup(struct engine_config *cfg, struct store **ret);
/* run/create options (cli/engine/create.c); for run also the detach keys and sig-proxy. */
int cli_parse_create(int argc, char **argv, bool run, struct ctr_opts *o, bool *ret_sig_proxy, char **ret_detach_keys);
