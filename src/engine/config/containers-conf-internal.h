/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between containers-conf.c (files, keys, scalars) and containers-conf-values.c
 * (list values). Not an API. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/config/containers-conf.h"
#include "lib/toml.h"

enum config_kind {
	CONFIG_KIND_CAPS,
	CONFIG_KIND_SYSCTLS,
	CONFIG_KIND_ENV,
	CONFIG_KIND_ULIMITS,
	CONFIG_KIND_STRING, /* "" resets to the built-in default */
	CONFIG_KIND_PATH,   /* a string that must be an absolute path */
	CONFIG_KIND_BOOL,
	CONFIG_KIND_INT,
	CONFIG_KIND_TIMEOUT, /* integer >= 0 */
	CONFIG_KIND_LOG_SIZE,
	CONFIG_KIND_USERNS,
	CONFIG_KIND_RUNTIMES,
	CONFIG_KIND_DRIVER,
};

struct config_key_spec {
	const char *name; /* "table.key" */
	enum config_kind kind;
	size_t offset;
};

struct config_loader {
	struct engine_config *c;
	const char *file; /* the file being applied (in c->files) */
	char *err;
};

/* "FILE:LINE: [table] key: message"; sets l->err, returns -EINVAL (or -ENOMEM). */
int config_bad(struct config_loader *l, const struct config_key_spec *k, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "… expected WANT, got a TYPE" */
int config_bad_type(struct config_loader *l, const struct config_key_spec *k, const struct toml_value *v,
		    const char *want);
const char *config_article(enum toml_type t); /* "a" / "an" */
/* A copy of s with control characters written as \n, \t, \r, \xNN: messages echo values and
 * file names, and must stay one line. NULL on ENOMEM. */
char *config_escape_controls(const char *s);

size_t config_strv_len(char *const *v);
void config_strv_free(char **v);
/* Appends s (taken; freed on failure; NULL means -ENOMEM). */
int config_strv_push(char ***v, char *s);
/* A copy of src (NULL: an empty strv). */
int config_strv_copy(const char *const *src, char ***ret);

/* An array of strings, possibly with an {append = bool} item. */
int config_get_strv(struct config_loader *l, const struct config_key_spec *k, const struct toml_value *v, char ***ret,
		    bool *ret_append);
/* Capability names in mask, by number. */
int config_caps_from_mask(uint64_t mask, char ***ret);
void config_ulimits_free(struct oci_rlimit *v, size_t n);

/* Each replaces (or, with {append = true}, extends) the field k names. */
int config_apply_caps(struct config_loader *l, const struct config_key_spec *k, const struct toml_value *v);
int config_apply_named_list(struct config_loader *l, const struct config_key_spec *k, const struct toml_value *v);
int config_apply_ulimits(struct config_loader *l, const struct config_key_spec *k, const struct toml_value *v);
int config_apply_runtimes(struct config_loader *l, const struct config_key_spec *k, const struct toml_value *v);
