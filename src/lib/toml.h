/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A TOML 1.0 parser with a small read-only DOM, written for containers.conf and its kin
 * (untrusted input: any user's ~/.config file, fuzzed by tests/fuzz/fuzz-toml.c).
 *
 * Supported: comments; [tables], [dotted."quoted".tables] and [[arrays of tables]]; bare,
 * quoted and dotted keys; basic and literal strings, single- and multi-line (escapes \b \t
 * \n \f \r \" \\ \uXXXX \UXXXXXXXX, line-ending backslash); integers (decimal, 0x, 0o, 0b,
 * underscores, the full int64 range); floats (incl. inf/nan); booleans; arrays (multi-line,
 * comments, trailing comma, nested, mixed types); inline tables. All of TOML's rules on
 * redefinition are enforced: a key or table defined twice, a table reopened after dotted
 * keys made it, an inline table or a static array extended later are errors.
 *
 * Not supported (each an error naming the line): dates and times (containers.conf has none),
 * and "\u0000" in a string (values are C strings). Input must be UTF-8; a BOM is skipped;
 * newlines in multi-line strings come out as "\n" whatever the file used.
 *
 * Errors are -EINVAL with one line "NAME:LINE: message" in *ret_err (caller frees), e.g.
 *   "containers.conf:12: expected '=' after key 'pids_limit'"
 * or -ENOMEM (then *ret_err may be left NULL). ret_err may be NULL; it is written only on
 * failure. Nothing here logs.
 *
 * Lookups return pointers into the document; they stay valid until toml_free(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum toml_type {
	TOML_TABLE,
	TOML_ARRAY,
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOLEAN,
};

struct toml_doc;
struct toml_value;

/* text is NUL-terminated; name ("containers.conf", or a path) prefixes error messages. */
int toml_parse(const char *text, const char *name, struct toml_doc **ret_doc, char **ret_err);
/* The same for a buffer of len bytes; a NUL byte in it is an error. */
int toml_parse_buf(const char *text, size_t len, const char *name, struct toml_doc **ret_doc, char **ret_err);
void toml_free(struct toml_doc *doc); /* NULL-safe */

/* The root table. */
const struct toml_value *toml_root(const struct toml_doc *doc);
/* The table at a dotted path of bare keys ("engine.runtimes"); NULL or "" is the root.
 * NULL when a part is absent or not a table (arrays of tables are not descended into). */
const struct toml_value *toml_table(const struct toml_doc *doc, const char *path);
/* The value of key (one literal key, dots are not split) in table; NULL when absent or when
 * table is NULL or not a table. */
const struct toml_value *toml_get(const struct toml_value *table, const char *key);
/* toml_get(toml_table(doc, table), key). */
const struct toml_value *toml_lookup(const struct toml_doc *doc, const char *table, const char *key);

enum toml_type toml_type(const struct toml_value *v);
/* "table", "array", "string", "integer", "float", "boolean" */
const char *toml_type_name(enum toml_type t);
/* The line the value starts on (a table: its header, or the first key that made it). */
unsigned toml_line(const struct toml_value *v);

/* Typed getters: 0 and *ret set, -EINVAL when v has another type, -ENOENT when v is NULL.
 * toml_float also accepts an integer. The string points into the document. */
int toml_string(const struct toml_value *v, const char **ret);
int toml_int(const struct toml_value *v, int64_t *ret);
int toml_float(const struct toml_value *v, double *ret);
int toml_bool(const struct toml_value *v, bool *ret);

/* Items of an array or entries of a table, in file order; 0 for other values. */
size_t toml_len(const struct toml_value *v);
const struct toml_value *toml_array_at(const struct toml_value *array, size_t i);
/* The i-th key of a table; *ret_value (optional) gets its value. */
const char *toml_table_key_at(const struct toml_value *table, size_t i, const struct toml_value **ret_value);
/* True for an array made by [[name]] headers (each item a table). */
bool toml_is_array_of_tables(const struct toml_value *v);
