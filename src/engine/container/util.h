/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by the container modules: json-c accessors, string vectors, time
 * and size formatting, signal names. Nothing here logs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

/* ---- json-c ---- */
void ju_add_str(struct json_object *o, const char *key, const char *v);	  /* NULL: skipped */
void ju_add_strv(struct json_object *o, const char *key, char *const *v); /* NULL: [] */
struct json_object *ju_strv(char *const *v);				  /* new array */
const char *ju_str(struct json_object *o, const char *key);		  /* NULL if absent */
char *ju_dup_str(struct json_object *o, const char *key);
char **ju_dup_strv(struct json_object *o, const char *key); /* NULL if absent */
int64_t ju_int64(struct json_object *o, const char *key);   /* 0 if absent */
bool ju_bool(struct json_object *o, const char *key);
/* o[key], creating an object there if absent. */
struct json_object *ju_obj(struct json_object *o, const char *key);
struct json_object *ju_arr(struct json_object *o, const char *key);
void ju_putp(struct json_object **o);
#define cleanup_json CLEANUP(ju_putp)

/* ---- strv ---- */
size_t cu_strv_length(char *const *v);
/* Appends a copy of s; -ENOMEM. */
int cu_strv_append(char ***v, const char *s);
/* Appends s itself (taken, freed on failure). */
int cu_strv_consume(char ***v, char *s);
bool cu_strv_contains(char *const *v, const char *s);
/* Removes every entry equal to s. */
void cu_strv_remove(char **v, const char *s);
char **cu_strv_copy_of(char *const *v); /* NULL on ENOMEM (a NULL v gives an empty one) */
void cu_strv_free(char **v);
/* "NAME=value" env put: replaces an entry with the same NAME. */
int cu_strv_env_set(char ***v, const char *kv);
const char *cu_strv_env_get(char *const *v, const char *name);
/* Joins with sep (caller frees). */
char *cu_strv_join(char *const *v, const char *sep);
/* Splits s at every c (caller frees). */
char **cu_strv_split(const char *s, char c);

/* ---- time ---- */
/* RFC 3339 with nanoseconds, UTC: "2024-05-01T12:00:00.123456789Z". */
void cu_fmt_rfc3339(int64_t ns, char buf[64]);
/* "3 seconds", "About a minute", "2 hours" (docker's HumanDuration). */
void cu_fmt_human_duration(int64_t ns, char buf[64]);
/* Go's time.Duration String(): "1m10.5s", "350ms", "0s". */
void cu_fmt_go_duration(int64_t ns, char buf[64]);
/* Parses "10", "1.5s", "100ms", "2m": seconds as a double. */
int cu_parse_duration_seconds(const char *s, double *ret);

/* ---- sizes ---- */
/* "512m", "1g", "1024", "1.5GiB" -> bytes. */
int cu_parse_size(const char *s, int64_t *ret);

/* ---- signals ---- */
/* "TERM", "SIGTERM", "sigterm", "15" -> 15, "RTMIN+N"/"RTMAX-N" too; -EINVAL. */
int cu_signal_parse(const char *s);
/* "SIGTERM" for 15, "SIGRTMIN+3" for a real-time one (static buffer), or NULL. */
const char *cu_signal_name(int sig);
