/* SPDX-License-Identifier: GPL-2.0-or-later */
/* containers.conf values that are lists: arrays of strings with podman's {append = true}
 * marker, capability names, ulimits, NAME=value lists and [engine.runtimes]; each checked
 * and normalised where the file and line are known. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "lib/cleanup.h"
#include "runtime/caps.h"

#include "containers-conf-internal.h"

/* ---- small helpers ---- */

size_t config_strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

void config_strv_free(char **v)
{
	cleanup_strvp(&v);
}

/* Appends s (taken, freed on failure). */
int config_strv_push(char ***v, char *s)
{
	size_t n = config_strv_len(*v);
	char **x;
	if (!s)
		return -ENOMEM;
	if (!(x = realloc(*v, (n + 2) * sizeof(char *)))) {
		free(s);
		return -ENOMEM;
	}
	x[n] = s;
	x[n + 1] = NULL;
	*v = x;
	return 0;
}

int config_strv_copy(const char *const *src, char ***ret)
{
	char **v = calloc(1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (; src && *src; src++)
		if (config_strv_push(&v, strdup(*src)) < 0) {
			config_strv_free(v);
			return -ENOMEM;
		}
	*ret = v;
	return 0;
}

char *config_escape_controls(const char *s)
{
	size_t n = 0;
	for (const char *c = s; *c; c++)
		n += ((unsigned char)*c < 0x20 || *c == 0x7f) ? 4 : 1;
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n' || c == '\t' || c == '\r') {
			*o++ = '\\';
			*o++ = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
		} else if (c < 0x20 || c == 0x7f) {
			o += sprintf(o, "\\x%02x", c);
		} else {
			*o++ = (char)c;
		}
	}
	*o = 0;
	return out;
}

const char *config_article(enum toml_type t)
{
	return t == TOML_ARRAY || t == TOML_INTEGER ? "an" : "a";
}

int config_bad(struct config_loader *l, const struct config_key_spec *k, unsigned line, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	const char *dot = strchr(k->name, '.');
	if (asprintf(&l->err, "%s:%u: [%.*s] %s: %s", l->file, line, (int)(dot - k->name), k->name, dot + 1, msg) < 0) {
		l->err = NULL;
		return -ENOMEM;
	}
	return -EINVAL;
}

int config_bad_type(struct config_loader *l, const struct config_key_spec *k, const struct toml_value *v,
		    const char *want)
{
	enum toml_type t = toml_type(v);
	return config_bad(l, k, toml_line(v), "expected %s, got %s %s", want, config_article(t), toml_type_name(t));
}

/* The part of "NAME=value" before the '=' (the whole string if none). */
static size_t name_len(const char *s)
{
	return strcspn(s, "=");
}

/* Removes entries of v whose name (before '=') equals that of s. */
static void strv_remove_name(char **v, const char *s)
{
	size_t n = name_len(s), j = 0;
	for (size_t i = 0; v && v[i]; i++) {
		if (name_len(v[i]) == n && !strncmp(v[i], s, n))
			free(v[i]);
		else
			v[j++] = v[i];
	}
	if (v)
		v[j] = NULL;
}

/* ---- arrays of strings, with podman's {append = true} marker ---- */

int config_get_strv(struct config_loader *l, const struct config_key_spec *k, const struct toml_value *v, char ***ret,
		    bool *ret_append)
{
	cleanup_strv char **out = calloc(1, sizeof(char *));
	bool append = false;
	int r;

	if (!out)
		return -ENOMEM;
	if (toml_type(v) != TOML_ARRAY)
		return config_bad_type(l, k, v, "an array of strings");
	for (size_t i = 0; i < toml_len(v); i++) {
		const struct toml_value *item = toml_array_at(v, i), *flag = NULL;
		const char *s;
		if (toml_string(item, &s) == 0) {
			if ((r = config_strv_push(&out, strdup(s))) < 0)
				return r;
		} else if (toml_type(item) == TOML_TABLE && toml_len(item) == 1 && (flag = toml_get(item, "append")) &&
			   toml_bool(flag, &append) == 0) {
			continue;
		} else {
			enum toml_type t = toml_type(item);
			return config_bad(l, k, toml_line(item),
					  "item %zu: expected a string (or {append = true}), got %s %s", i + 1,
					  config_article(t), toml_type_name(t));
		}
	}
	*ret = TAKE_PTR(out);
	*ret_append = append;
	return 0;
}

/* NAME=value lists (env, sysctls): later entries replace earlier ones of the same name. */
int config_apply_named_list(struct config_loader *l, const struct config_key_spec *k, const struct toml_value *v)
{
	char ***field = (char ***)((char *)l->c + k->offset);
	cleanup_strv char **items = NULL, **merged = NULL;
	bool append;
	int r;

	if ((r = config_get_strv(l, k, v, &items, &append)) < 0)
		return r;
	if ((r = config_strv_copy(append ? (const char *const *)*field : NULL, &merged)) < 0)
		return r;
	for (char **s = items; *s; s++) {
		size_t n = name_len(*s);
		if (k->kind == CONFIG_KIND_SYSCTLS) {
			if (n == 0 || !(*s)[n] ||
			    strspn(*s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") != n)
				return config_bad(l, k, toml_line(v), "'%s' is not name=value", *s);
		} else if (n == 0 || strpbrk(*s, "\n") || memchr(*s, ' ', n)) {
			return config_bad(l, k, toml_line(v), "'%s' is not NAME=value", *s);
		}
		strv_remove_name(merged, *s);
		if ((r = config_strv_push(&merged, strdup(*s))) < 0)
			return r;
	}
	config_strv_free(*field);
	*field = TAKE_PTR(merged);
	return 0;
}

/* The names of the capabilities in mask, by number (one canonical order for `kakuri info`
 * and for comparing sets). */
int config_caps_from_mask(uint64_t mask, char ***ret)
{
	cleanup_strv char **out = calloc(1, sizeof(char *));
	int r;
	if (!out)
		return -ENOMEM;
	for (int cap = 0; cap < 64; cap++)
		if ((mask & (1ull << cap)) && (r = config_strv_push(&out, strdup(caps_to_name(cap)))) < 0)
			return r;
	*ret = TAKE_PTR(out);
	return 0;
}

int config_apply_caps(struct config_loader *l, const struct config_key_spec *k, const struct toml_value *v)
{
	cleanup_strv char **items = NULL, **out = NULL;
	uint64_t mask = 0;
	bool append;
	int r;

	if ((r = config_get_strv(l, k, v, &items, &append)) < 0)
		return r;
	for (char **s = append ? l->c->default_capabilities : NULL; s && *s; s++)
		if ((r = caps_from_name(*s)) >= 0)
			mask |= 1ull << r;
	for (char **s = items; *s; s++) {
		/* podman's normalisation: case-insensitive, "CAP_" optional. */
		char name[64];
		size_t n = strlen(*s);
		bool prefixed = n >= 4 && !strncasecmp(*s, "CAP_", 4);
		if (n == 0 || n + 5 > sizeof(name))
			return config_bad(l, k, toml_line(v), "unknown capability '%s'", *s);
		snprintf(name, sizeof(name), "%s%s", prefixed ? "" : "CAP_", *s);
		for (char *c = name; *c; c++)
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 'a' + 'A');
		if (STREQ(name, "CAP_ALL"))
			return config_bad(l, k, toml_line(v),
					  "ALL is not allowed here (use --cap-add ALL or --privileged)");
		if ((r = caps_from_name(name)) < 0 || r > 63)
			return config_bad(l, k, toml_line(v), "unknown capability '%s'", *s);
		mask |= 1ull << r;
	}
	if ((r = config_caps_from_mask(mask, &out)) < 0)
		return r;
	config_strv_free(l->c->default_capabilities);
	l->c->default_capabilities = TAKE_PTR(out);
	return 0;
}

/* ---- ulimits: "nofile=1024:2048", "nproc=100", "core=-1" ---- */

static const struct {
	const char *name;
	int resource;
} ulimit_names[] = {
    {"as", RLIMIT_AS},		 {"core", RLIMIT_CORE},		{"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},	 {"fsize", RLIMIT_FSIZE},	{"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},	 {"nproc", RLIMIT_NPROC},	{"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},	 {"rttime", RLIMIT_RTTIME},	{"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

static bool parse_limit(const char *s, size_t n, uint64_t *ret)
{
	char buf[32], *end;
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (STREQ(buf, "-1") || STREQ(buf, "unlimited")) {
		*ret = UINT64_MAX;
		return true;
	}
	if (buf[0] < '0' || buf[0] > '9')
		return false;
	errno = 0;
	unsigned long long x = strtoull(buf, &end, 10);
	if (errno || *end || x == UINT64_MAX)
		return false;
	*ret = x;
	return true;
}

static int parse_ulimit(struct config_loader *l, const struct config_key_spec *k, unsigned line, const char *s,
			struct oci_rlimit *ret)
{
	const char *eq = strchr(s, '='), *name = s;
	size_t nlen;
	int res = -1;

	if (!eq)
		return config_bad(l, k, line, "'%s' is not name=soft[:hard]", s);
	nlen = (size_t)(eq - s);
	if (nlen > 7 && !strncasecmp(name, "RLIMIT_", 7))
		name += 7, nlen -= 7;
	for (size_t i = 0; i < ELEMENTSOF(ulimit_names); i++)
		if (strlen(ulimit_names[i].name) == nlen && !strncasecmp(name, ulimit_names[i].name, nlen))
			res = (int)i;
	if (res < 0)
		return config_bad(l, k, line, "'%s': unknown ulimit '%.*s'", s, (int)(eq - s), s);

	const char *soft = eq + 1, *colon = strchr(soft, ':');
	uint64_t vs, vh;
	if (!parse_limit(soft, colon ? (size_t)(colon - soft) : strlen(soft), &vs) ||
	    (colon && !parse_limit(colon + 1, strlen(colon + 1), &vh)))
		return config_bad(l, k, line, "'%s': limits must be numbers or -1 (unlimited)", s);
	if (!colon)
		vh = vs;
	if (vs > vh)
		return config_bad(l, k, line, "'%s': the soft limit is above the hard limit", s);
	char type[32];
	snprintf(type, sizeof(type), "RLIMIT_%s", ulimit_names[res].name);
	for (char *c = type; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	*ret =
	    (struct oci_rlimit){.resource = ulimit_names[res].resource, .type = strdup(type), .soft = vs, .hard = vh};
	return ret->type ? 0 : -ENOMEM;
}

void config_ulimits_free(struct oci_rlimit *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].type);
	free(v);
}

int config_apply_ulimits(struct config_loader *l, const struct config_key_spec *k, const struct toml_value *v)
{
	struct engine_config *c = l->c;
	cleanup_strv char **items = NULL;
	struct oci_rlimit *out;
	size_t n = 0;
	bool append;
	int r;

	if ((r = config_get_strv(l, k, v, &items, &append)) < 0)
		return r;
	if (!(out = calloc(config_strv_len(items) + (append ? c->n_default_ulimits : 0) + 1, sizeof(*out))))
		return -ENOMEM;
	for (size_t i = 0; append && i < c->n_default_ulimits; i++) {
		out[n] = c->default_ulimits[i];
		if (!(out[n++].type = strdup(c->default_ulimits[i].type))) {
			config_ulimits_free(out, n);
			return -ENOMEM;
		}
	}
	for (char **s = items; *s; s++) {
		struct oci_rlimit rl;
		size_t j;
		if ((r = parse_ulimit(l, k, toml_line(v), *s, &rl)) < 0) {
			config_ulimits_free(out, n);
			return r;
		}
		for (j = 0; j < n && out[j].resource != rl.resource; j++)
			;
		if (j < n)
			free(out[j].type); /* a later entry for the same limit wins */
		else
			n++;
		out[j] = rl;
	}
	config_ulimits_free(c->default_ulimits, c->n_default_ulimits);
	c->default_ulimits = out;
	c->n_default_ulimits = n;
	return 0;
}

/* [engine.runtimes]: name = ["/path/one", "/path/two"], merged by name across files. */
int config_apply_runtimes(struct config_loader *l, const struct config_key_spec *k, const struct toml_value *v)
{
	struct engine_config *c = l->c;
	int r;

	if (toml_type(v) != TOML_TABLE)
		return config_bad_type(l, k, v, "a table of name = [paths]");
	for (size_t i = 0; i < toml_len(v); i++) {
		const struct toml_value *paths;
		const char *name = toml_table_key_at(v, i, &paths);
		cleanup_strv char **items = NULL;
		struct engine_config_runtime *rt = NULL;
		bool append;

		if ((r = config_get_strv(l, k, paths, &items, &append)) < 0)
			return r;
		for (size_t j = 0; j < c->n_runtimes; j++)
			if (STREQ(c->runtimes[j].name, name))
				rt = &c->runtimes[j];
		if (!rt) {
			struct engine_config_runtime *x = realloc(c->runtimes, (c->n_runtimes + 1) * sizeof(*x));
			if (!x)
				return -ENOMEM;
			c->runtimes = x;
			rt = &c->runtimes[c->n_runtimes];
			*rt = (struct engine_config_runtime){.name = strdup(name)};
			if (!rt->name)
				return -ENOMEM;
			c->n_runtimes++;
		}
		if (append) {
			for (char **p = items; *p; p++)
				if ((r = config_strv_push(&rt->paths, TAKE_PTR(*p))) < 0)
					return r;
		} else {
			config_strv_free(rt->paths);
			rt->paths = TAKE_PTR(items);
		}
		rt->source = l->file;
	}
	return 0;
}
