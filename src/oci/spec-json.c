/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON field readers for the config.json parser (see spec-internal.h). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "oci/spec-internal.h"

static void path_append(struct spec_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void path_append(struct spec_parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->len >= sizeof(p->path) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(p->path + p->len, sizeof(p->path) - p->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		p->path[p->len] = 0;
	else if ((size_t)n >= sizeof(p->path) - p->len)
		p->len = sizeof(p->path) - 1;
	else
		p->len += (size_t)n;
}

size_t spec_path_push_key(struct spec_parser *p, const char *key)
{
	size_t old = p->len;
	path_append(p, "%s%s", p->len > 0 ? "." : "", key);
	return old;
}

size_t spec_path_push_map_key(struct spec_parser *p, const char *key)
{
	size_t old = p->len;
	path_append(p, "[\"%s\"]", key);
	return old;
}

size_t spec_path_push_index(struct spec_parser *p, size_t index)
{
	size_t old = p->len;
	path_append(p, "[%zu]", index);
	return old;
}

void spec_path_pop(struct spec_parser *p, size_t old_len)
{
	if (old_len < sizeof(p->path)) {
		p->len = old_len;
		p->path[old_len] = 0;
	}
}

int spec_oom(struct spec_parser *p)
{
	/* Keep any earlier message; an allocation failure is reported by errno alone. */
	return -ENOMEM;
}

/* Messages quote config values ('%s' must be an absolute path); a value with a newline or
 * an escape sequence must not break the one-line format or the terminal, so control
 * characters are written as \n, \t or \xNN. */
static char *escape_controls(const char *s)
{
	size_t n = 0;
	char *out, *o;

	for (const char *c = s; *c; c++)
		n += ((unsigned char)*c < 0x20 || *c == 0x7f) ? 4 : 1;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	o = out;
	for (const char *c = s; *c; c++) {
		unsigned char u = (unsigned char)*c;

		if (u == '\n' || u == '\t') {
			*o++ = '\\';
			*o++ = u == '\n' ? 'n' : 't';
		} else if (u < 0x20 || u == 0x7f) {
			o += sprintf(o, "\\x%02x", u);
		} else {
			*o++ = (char)u;
		}
	}
	*o = 0;
	return out;
}

static int spec_failv(struct spec_parser *p, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static int spec_failv(struct spec_parser *p, const char *fmt, va_list ap)
{
	cleanup_free char *msg = NULL;
	char *full = NULL;
	int n;

	if (p->err)
		return -EINVAL;
	if (vasprintf(&msg, fmt, ap) < 0) {
		msg = NULL;
		return -ENOMEM;
	}
	if (p->len > 0)
		n = asprintf(&full, "%s: %s: %s", p->name, p->path, msg);
	else
		n = asprintf(&full, "%s: %s", p->name, msg);
	if (n < 0)
		return -ENOMEM;
	p->err = escape_controls(full);
	free(full);
	return p->err ? -EINVAL : -ENOMEM;
}

int spec_fail(struct spec_parser *p, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = spec_failv(p, fmt, ap);
	va_end(ap);
	return r;
}

int spec_fail_at(struct spec_parser *p, const char *key, const char *fmt, ...)
{
	size_t old = spec_path_push_key(p, key);
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = spec_failv(p, fmt, ap);
	va_end(ap);
	spec_path_pop(p, old);
	return r;
}

struct json_object *spec_member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!obj || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v; /* NULL for JSON null */
}

int spec_name_index(const char *const *table, const char *s)
{
	for (int i = 0; table[i]; i++)
		if (STREQ(table[i], s))
			return i;
	return -1;
}

/* --- value readers ------------------------------------------------------------------- */

int spec_val_string(struct spec_parser *p, struct json_object *v, bool non_empty, char **ret)
{
	const char *s;
	size_t len;
	char *copy;

	if (!json_object_is_type(v, json_type_string))
		return spec_fail(p, "must be a string");
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	/* "\u0000" is valid JSON; a C string would silently end there (a path "/a\u0000/../.."
	 * would be checked as "/a"), so reject it. */
	if (memchr(s, 0, len))
		return spec_fail(p, "must not contain NUL characters");
	if (non_empty && len == 0)
		return spec_fail(p, "must be a non-empty string");
	copy = strdup(s);
	if (!copy)
		return spec_oom(p);
	free(*ret);
	*ret = copy;
	return 0;
}

int spec_val_bool(struct spec_parser *p, struct json_object *v, bool *ret)
{
	if (!json_object_is_type(v, json_type_boolean))
		return spec_fail(p, "must be a boolean");
	*ret = json_object_get_boolean(v);
	return 0;
}

static int range_error(struct spec_parser *p, int64_t min, uint64_t max)
{
	if (min == 0 && max == UINT64_MAX)
		return spec_fail(p, "must be a non-negative integer");
	return spec_fail(p, "must be an integer between %" PRId64 " and %" PRIu64, min, max);
}

int spec_val_int64(struct spec_parser *p, struct json_object *v, int64_t min, int64_t max, int64_t *ret)
{
	int64_t i;

	if (!json_object_is_type(v, json_type_int))
		return spec_fail(p, "must be an integer");
	i = json_object_get_int64(v);
	/* json-c stores values above INT64_MAX as uint64 and clamps get_int64() to INT64_MAX. */
	if (i == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX)
		return spec_fail(p, "must be an integer between %" PRId64 " and %" PRId64, min, max);
	if (i < min || i > max)
		return spec_fail(p, "must be an integer between %" PRId64 " and %" PRId64, min, max);
	*ret = i;
	return 0;
}

int spec_val_uint64(struct spec_parser *p, struct json_object *v, uint64_t max, uint64_t *ret)
{
	uint64_t u;

	if (!json_object_is_type(v, json_type_int))
		return spec_fail(p, "must be an integer");
	if (json_object_get_int64(v) < 0)
		return range_error(p, 0, max);
	u = json_object_get_uint64(v);
	if (u > max)
		return range_error(p, 0, max);
	*ret = u;
	return 0;
}

int spec_val_object(struct spec_parser *p, struct json_object *v)
{
	if (!json_object_is_type(v, json_type_object))
		return spec_fail(p, "must be an object");
	return 0;
}

int spec_val_array(struct spec_parser *p, struct json_object *v, size_t *ret_n)
{
	if (!json_object_is_type(v, json_type_array))
		return spec_fail(p, "must be an array");
	*ret_n = json_object_array_length(v);
	return 0;
}

static void strv_free(char **v)
{
	cleanup_strvp(&v);
}

int spec_val_strv(struct spec_parser *p, struct json_object *v, char ***ret)
{
	char **strv;
	size_t n;
	int r;

	if (!json_object_is_type(v, json_type_array))
		return spec_fail(p, "must be an array of strings");
	n = json_object_array_length(v);
	strv = calloc(n + 1, sizeof(char *));
	if (!strv)
		return spec_oom(p);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		size_t old = spec_path_push_index(p, i);

		if (!e)
			r = spec_fail(p, "must be a string");
		else
			r = spec_val_string(p, e, false, &strv[i]);
		spec_path_pop(p, old);
		if (r < 0) {
			strv_free(strv);
			return r;
		}
	}
	strv_free(*ret);
	*ret = strv;
	return 0;
}

/* --- field readers ------------------------------------------------------------------- */

/* Look up obj[key]; 0 if absent (or "is required"), 1 with the path pushed otherwise. */
static int field_enter(struct spec_parser *p, struct json_object *obj, const char *key, bool required,
		       struct json_object **ret_v, size_t *ret_old)
{
	struct json_object *v = spec_member(obj, key);

	if (!v)
		return required ? spec_fail_at(p, key, "is required") : 0;
	*ret_v = v;
	*ret_old = spec_path_push_key(p, key);
	return 1;
}

/* Pop the path pushed by field_enter; 1 for a read that succeeded. */
static int field_leave(struct spec_parser *p, size_t old, int r)
{
	spec_path_pop(p, old);
	return r < 0 ? r : 1;
}

int spec_get_string(struct spec_parser *p, struct json_object *obj, const char *key, bool required, bool non_empty,
		    char **ret)
{
	struct json_object *v;
	size_t old;
	int r = field_enter(p, obj, key, required, &v, &old);

	if (r <= 0)
		return r;
	return field_leave(p, old, spec_val_string(p, v, non_empty, ret));
}

int spec_get_bool(struct spec_parser *p, struct json_object *obj, const char *key, bool *ret)
{
	struct json_object *v;
	size_t old;
	int r = field_enter(p, obj, key, false, &v, &old);

	if (r <= 0)
		return r;
	return field_leave(p, old, spec_val_bool(p, v, ret));
}

int spec_get_int64(struct spec_parser *p, struct json_object *obj, const char *key, bool required, int64_t min,
		   int64_t max, int64_t *ret)
{
	struct json_object *v;
	size_t old;
	int r = field_enter(p, obj, key, required, &v, &old);

	if (r <= 0)
		return r;
	return field_leave(p, old, spec_val_int64(p, v, min, max, ret));
}

int spec_get_uint64(struct spec_parser *p, struct json_object *obj, const char *key, bool required, uint64_t max,
		    uint64_t *ret)
{
	struct json_object *v;
	size_t old;
	int r = field_enter(p, obj, key, required, &v, &old);

	if (r <= 0)
		return r;
	return field_leave(p, old, spec_val_uint64(p, v, max, ret));
}

int spec_get_uint32(struct spec_parser *p, struct json_object *obj, const char *key, bool required, uint32_t *ret)
{
	uint64_t u;
	int r = spec_get_uint64(p, obj, key, required, UINT32_MAX, &u);

	if (r > 0)
		*ret = (uint32_t)u;
	return r;
}

int spec_get_strv(struct spec_parser *p, struct json_object *obj, const char *key, char ***ret)
{
	struct json_object *v;
	size_t old;
	int r = field_enter(p, obj, key, false, &v, &old);

	if (r <= 0)
		return r;
	return field_leave(p, old, spec_val_strv(p, v, ret));
}

int spec_get_abs_strv(struct spec_parser *p, struct json_object *obj, const char *key, char ***ret)
{
	int r = spec_get_strv(p, obj, key, ret);

	if (r <= 0)
		return r;
	for (size_t i = 0; (*ret)[i]; i++) {
		if ((*ret)[i][0] != '/') {
			size_t old = spec_path_push_key(p, key);
			size_t old2 = spec_path_push_index(p, i);

			r = spec_fail(p, "'%s' must be an absolute path", (*ret)[i]);
			spec_path_pop(p, old2);
			spec_path_pop(p, old);
			return r;
		}
	}
	return 1;
}

int spec_get_object(struct spec_parser *p, struct json_object *obj, const char *key, bool required,
		    struct json_object **ret)
{
	struct json_object *v;
	size_t old;
	int r = field_enter(p, obj, key, required, &v, &old);

	if (r <= 0)
		return r;
	r = field_leave(p, old, spec_val_object(p, v));
	if (r > 0)
		*ret = v;
	return r;
}

int spec_get_array(struct spec_parser *p, struct json_object *obj, const char *key, bool required,
		   struct json_object **ret, size_t *ret_n)
{
	struct json_object *v;
	size_t old, n = 0;
	int r = field_enter(p, obj, key, required, &v, &old);

	if (r <= 0)
		return r;
	r = field_leave(p, old, spec_val_array(p, v, &n));
	if (r > 0) {
		*ret = v;
		*ret_n = n;
	}
	return r;
}

int spec_get_raw(struct spec_parser *p, struct json_object *obj, const char *key, char **ret)
{
	struct json_object *v = NULL;
	const char *text;
	char *copy;
	int r = spec_get_object(p, obj, key, false, &v);

	if (r <= 0)
		return r;
	text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		return spec_oom(p);
	copy = strdup(text);
	if (!copy)
		return spec_oom(p);
	free(*ret);
	*ret = copy;
	return 1;
}

static int parse_id_mapping(struct spec_parser *p, struct json_object *e, struct oci_id_mapping *m)
{
	int r;

	r = spec_val_object(p, e);
	if (r < 0)
		return r;
	r = spec_get_uint32(p, e, "containerID", true, &m->container_id);
	if (r < 0)
		return r;
	r = spec_get_uint32(p, e, "hostID", true, &m->host_id);
	if (r < 0)
		return r;
	r = spec_get_uint32(p, e, "size", true, &m->size);
	if (r < 0)
		return r;
	if (m->size == 0)
		return spec_fail_at(p, "size", "must be at least 1");
	/* The kernel rejects ranges that wrap around the 32-bit id space. */
	if ((uint64_t)m->container_id + m->size > (uint64_t)UINT32_MAX + 1 ||
	    (uint64_t)m->host_id + m->size > (uint64_t)UINT32_MAX + 1)
		return spec_fail_at(p, "size", "range exceeds the 32-bit id space");
	return 0;
}

int spec_get_id_mappings(struct spec_parser *p, struct json_object *obj, const char *key, struct oci_id_mapping **ret,
			 size_t *ret_n)
{
	struct json_object *a = NULL;
	struct oci_id_mapping *m;
	size_t n = 0, old;
	int r = spec_get_array(p, obj, key, false, &a, &n);

	if (r <= 0)
		return r;
	m = calloc(n ? n : 1, sizeof(*m));
	if (!m)
		return spec_oom(p);
	old = spec_path_push_key(p, key);
	for (size_t i = 0; i < n; i++) {
		size_t old2 = spec_path_push_index(p, i);

		r = parse_id_mapping(p, json_object_array_get_idx(a, i), &m[i]);
		spec_path_pop(p, old2);
		if (r < 0)
			break;
	}
	spec_path_pop(p, old);
	if (r < 0) {
		free(m);
		return r;
	}
	free(*ret);
	*ret = m;
	*ret_n = n;
	return 1;
}

/* --- building ----------------------------------------------------------------------- */

void spec_json_add(bool *oom, struct json_object *o, const char *key, struct json_object *v)
{
	if (!o || !v || json_object_object_add(o, key, v) < 0) {
		*oom = true;
		json_object_put(v);
	}
}

void spec_json_push(bool *oom, struct json_object *a, struct json_object *v)
{
	if (!a || !v || json_object_array_add(a, v) < 0) {
		*oom = true;
		json_object_put(v);
	}
}

struct json_object *spec_json_strv(bool *oom, const char *const *v)
{
	struct json_object *a = json_object_new_array();

	if (!a)
		*oom = true;
	for (; a && *v; v++)
		spec_json_push(oom, a, json_object_new_string(*v));
	return a;
}

/* --- whole-document parsing ---------------------------------------------------------- */

static void offset_to_line_col(const char *text, size_t len, size_t off, unsigned *ret_line, unsigned *ret_col)
{
	unsigned line = 1, col = 1;

	for (size_t i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	*ret_line = line;
	*ret_col = col;
}

static int fail_at_offset(struct spec_parser *p, const char *text, size_t len, size_t off, const char *what)
{
	unsigned line, col;

	offset_to_line_col(text, len, off, &line, &col);
	return spec_fail(p, "invalid JSON: %s (at line %u, column %u)", what, line, col);
}

/* json-c clamps integers outside int64/uint64 instead of failing, which would silently turn
 * e.g. a seccomp argument value into a different one. The text is known-valid JSON here, so
 * a small scanner that skips strings finds every number token. */
static int check_integer_ranges(struct spec_parser *p, const char *text, size_t len)
{
	static const char max_pos[] = "18446744073709551615", max_neg[] = "9223372036854775808";
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
			continue;
		}
		if (c != '-' && (c < '0' || c > '9'))
			continue;

		size_t start = i, digits_start = c == '-' ? i + 1 : i, end = i;
		bool integer = true;
		while (end < len && strchr("0123456789+-.eE", text[end]) && text[end] != 0) {
			if (strchr(".eE", text[end]))
				integer = false;
			end++;
		}
		i = end - 1;
		if (!integer)
			continue;

		const char *limit = c == '-' ? max_neg : max_pos;
		size_t ndigits = end - digits_start, nlimit = strlen(limit);
		if (ndigits > nlimit || (ndigits == nlimit && memcmp(text + digits_start, limit, nlimit) > 0)) {
			cleanup_free char *what = NULL;
			if (asprintf(&what, "integer %.*s is out of range", (int)(end - start), text + start) < 0)
				return spec_oom(p);
			return fail_at_offset(p, text, len, start, what);
		}
	}
	return 0;
}

int spec_json_parse(struct spec_parser *p, const char *text, size_t len, struct json_object **ret)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	size_t end;
	int r;

	if (len >= INT_MAX)
		return spec_fail(p, "invalid JSON: document too large");
	tok = json_tokener_new();
	if (!tok)
		return spec_oom(p);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	/* Include the terminating NUL: without it json-c cannot tell that a top-level "42" or
	 * "null" is complete and asks for more input. */
	obj = json_tokener_parse_ex(tok, text, (int)len + 1);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);

	if (!obj || jerr != json_tokener_success) {
		json_object_put(obj);
		if (jerr == json_tokener_success) /* the document is "null" */
			return spec_fail(p, "must be a JSON object");
		return fail_at_offset(p, text, len, end,
				      jerr == json_tokener_continue || jerr == json_tokener_error_parse_eof
					  ? "unexpected end of input"
					  : json_tokener_error_desc(jerr));
	}
	for (size_t i = end; i < len; i++)
		if (!strchr(" \t\r\n", text[i]) || text[i] == 0) {
			json_object_put(obj);
			return fail_at_offset(p, text, len, i, "unexpected data after the top-level value");
		}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return spec_fail(p, "must be a JSON object");
	}
	r = check_integer_ranges(p, text, end);
	if (r < 0) {
		json_object_put(obj);
		return r;
	}
	*ret = obj;
	return 0;
}
