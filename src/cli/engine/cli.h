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
