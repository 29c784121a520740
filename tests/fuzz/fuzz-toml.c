/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for lib/toml (untrusted input: every user's containers.conf). Build and
 * run: see tests/fuzz/README.md.
 *
 * Besides memory errors (ASan/UBSan), it checks the module's contract:
 *  - a failure is -ENOMEM, or -EINVAL with one line "fuzz.toml:N: …" where N is a line of
 *    the input;
 *  - in a parsed document every table's keys are distinct and toml_get() finds each one
 *    (the hash index agrees with the entry list), and every line number is in the input;
 *  - the document written back out as TOML (inline form) parses to an equal document, so
 *    strings, escapes, integers and floats survive exactly. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned n_lines;

static void check_error(int r, const char *err)
{
	char *end;
	if (r == -ENOMEM)
		return;
	if (r != -EINVAL || !err || strncmp(err, "fuzz.toml:", 10) != 0 || strchr(err, '\n'))
		__builtin_trap();
	unsigned long line = strtoul(err + 10, &end, 10);
	if (line < 1 || line > n_lines || strncmp(end, ": ", 2) != 0)
		__builtin_trap();
}

static void check_value(const struct toml_value *v)
{
	if (toml_line(v) < 1 || toml_line(v) > n_lines)
		__builtin_trap();
	if (toml_type(v) == TOML_ARRAY) {
		for (size_t i = 0; i < toml_len(v); i++)
			check_value(toml_array_at(v, i));
	} else if (toml_type(v) == TOML_TABLE) {
		for (size_t i = 0; i < toml_len(v); i++) {
			const struct toml_value *x = NULL;
			const char *k = toml_table_key_at(v, i, &x);
			if (!k || !x || toml_get(v, k) != x)
				__builtin_trap();
			check_value(x);
		}
	}
}

/* ---- writing a document back out ---- */

struct out {
	char *s;
	size_t n, cap;
	bool failed;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->n + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 256;
		while (cap < o->n + n + 1)
			cap *= 2;
		char *x = realloc(o->s, cap);
		if (!x) {
			o->failed = true;
			return;
		}
		o->s = x;
		o->cap = cap;
	}
	memcpy(o->s + o->n, s, n);
	o->n += n;
	o->s[o->n] = 0;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_string(struct out *o, const char *s)
{
	puts_(o, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(o, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04X", c);
			puts_(o, esc);
		} else {
			put(o, s, 1);
		}
	}
	puts_(o, "\"");
}

static void put_value(struct out *o, const struct toml_value *v)
{
	char num[64];
	const char *s;
	int64_t i;
	double f;
	bool b;

	switch (toml_type(v)) {
	case TOML_STRING:
		toml_string(v, &s);
		put_string(o, s);
		break;
	case TOML_INTEGER:
		toml_int(v, &i);
		snprintf(num, sizeof(num), "%lld", (long long)i);
		puts_(o, num);
		break;
	case TOML_FLOAT:
		toml_float(v, &f);
		if (isnan(f))
			snprintf(num, sizeof(num), "nan");
		else if (isinf(f))
			snprintf(num, sizeof(num), f < 0 ? "-inf" : "inf");
		else {
			snprintf(num, sizeof(num), "%.17g", f);
			if (!strpbrk(num, ".e"))
				strcat(num, ".0");
		}
		puts_(o, num);
		break;
	case TOML_BOOLEAN:
		toml_bool(v, &b);
		puts_(o, b ? "true" : "false");
		break;
	case TOML_ARRAY:
		puts_(o, "[");
		for (size_t k = 0; k < toml_len(v); k++) {
			if (k)
				puts_(o, ", ");
			put_value(o, toml_array_at(v, k));
		}
		puts_(o, "]");
		break;
	case TOML_TABLE:
		puts_(o, "{");
		for (size_t k = 0; k < toml_len(v); k++) {
			const struct toml_value *x;
			const char *key = toml_table_key_at(v, k, &x);
			if (k)
				puts_(o, ", ");
			put_string(o, key);
			puts_(o, " = ");
			put_value(o, x);
		}
		puts_(o, "}");
		break;
	}
}

static bool equal(const struct toml_value *a, const struct toml_value *b)
{
	const char *sa, *sb;
	int64_t ia, ib;
	double fa, fb;
	bool ba, bb;

	if (toml_type(a) != toml_type(b) || toml_len(a) != toml_len(b))
		return false;
	switch (toml_type(a)) {
	case TOML_STRING:
		toml_string(a, &sa);
		toml_string(b, &sb);
		return strcmp(sa, sb) == 0;
	case TOML_INTEGER:
		toml_int(a, &ia);
		toml_int(b, &ib);
		return ia == ib;
	case TOML_FLOAT:
		toml_float(a, &fa);
		toml_float(b, &fb);
		return (isnan(fa) && isnan(fb)) || fa == fb;
	case TOML_BOOLEAN:
		toml_bool(a, &ba);
		toml_bool(b, &bb);
		return ba == bb;
	case TOML_ARRAY:
		for (size_t i = 0; i < toml_len(a); i++)
			if (!equal(toml_array_at(a, i), toml_array_at(b, i)))
				return false;
		return true;
	case TOML_TABLE:
		for (size_t i = 0; i < toml_len(a); i++) {
			const struct toml_value *xa, *xb;
			const char *k = toml_table_key_at(a, i, &xa);
			if (!(xb = toml_get(b, k)) || !equal(xa, xb))
				return false;
		}
		return true;
	}
	return false;
}

static void check_round_trip(const struct toml_doc *doc)
{
	const struct toml_value *root = toml_root(doc);
	struct toml_doc *again = NULL;
	struct out o = {0};
	char *err = NULL;

	for (size_t i = 0; i < toml_len(root); i++) {
		const struct toml_value *x;
		const char *key = toml_table_key_at(root, i, &x);
		put_string(&o, key);
		puts_(&o, " = ");
		put_value(&o, x);
		puts_(&o, "\n");
	}
	if (o.failed) {
		free(o.s);
		return;
	}
	int r = toml_parse(o.s ? o.s : "", "again.toml", &again, &err);
	/* Tables nested by [a.b.c…] headers come back as nested inline tables, which may pass
	 * the nesting bound: that is the only acceptable failure. */
	if (r == -EINVAL && !strstr(err, "nested more than")) {
		fprintf(stderr, "re-parse failed: %s\n%s\n", err, o.s);
		__builtin_trap();
	}
	if (r == 0 && !equal(root, toml_root(again))) {
		fprintf(stderr, "round trip changed the document:\n%s\n", o.s);
		__builtin_trap();
	}
	toml_free(again);
	free(err);
	free(o.s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toml_doc *doc = NULL;
	char *err = NULL;
	int r;

	n_lines = 1;
	for (size_t i = 0; i < size; i++)
		n_lines += data[i] == '\n';
	r = toml_parse_buf((const char *)data, size, "fuzz.toml", &doc, &err);
	if (r < 0) {
		check_error(r, err);
	} else {
		check_value(toml_root(doc));
		check_round_trip(doc);
	}
	toml_free(doc);
	free(err);
	return 0;
}
