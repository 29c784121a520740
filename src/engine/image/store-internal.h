/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by store.c and store-gc.c; not part of the store's API. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

/* A string member of o, strdup'ed (NULL if absent or not a string). */
char *store_jstr(json_object *o, const char *key);
/* A string-array member of o as a NULL-terminated strv (empty if absent). */
char **store_jstrv(json_object *o, const char *key);
bool store_strv_contains(char **v, const char *s);
