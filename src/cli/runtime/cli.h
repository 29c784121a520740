/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri-runtime CLI: global options and the verb table. One file per verb. */
#pragma once

#include <stdbool.h>

extern const char *arg_root;
extern bool arg_rootless;
extern bool arg_systemd_cgroup;
extern const char *arg_cgroup_manager;

struct verb {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv); /* argv[0] is the verb; returns the exit status */
};

int verb_create(int argc, char **argv);
int verb_start(int argc, char **argv);
int verb_state(int argc, char **argv);
int verb_kill(int argc, char **argv);
int verb_delete(int argc, char **argv);
int verb_run(int argc, char **argv);
int verb_exec(int argc, char **argv);
int verb_ps(int argc, char **argv);
int verb_list(int argc, char **argv);
int verb_spec(int argc, char **argv);
int verb_features(int argc, char **argv);
int verb_pause(int argc, char **argv);
int verb_resume(int argc, char **argv);
int verb_update(int argc, char **argv);
int verb_events(int argc, char **argv);

/* Exit code for a -errno from the library (1: runc's generic failure). */
int cli_exit(int r);
/* "usage: kakuri-runtime VERB ..." error; returns the exit status (1). */
int cli_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct create_opts;
/* Options shared by create and run. run adds --detach, --keep and --config. */
int cli_parse_create(int argc, char **argv, struct create_opts *o, bool is_run, bool *ret_detach, bool *ret_keep);
