/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TOML 1.0 (https://toml.io/en/v1.0.0) recursive-descent parser. The source is checked for
 * UTF-8 up front, so everything after can work on bytes. Nesting of arrays and inline tables
 * and the number of parts in one key are bounded, so hostile input cannot exhaust the stack
 * (the parser and toml_free recurse).
 *
 * Longer than the ~800-line guideline on purpose: it is one grammar whose parts (lexing,
 * the placement rules for keys and headers, the DOM they build) share the parser state and
 * the value representation; split, each part would need the others' internals. */
#include "toml.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

#define MAX_NESTING   64  /* arrays / inline tables inside each other */
#define MAX_KEY_PARTS 128 /* a.b.c… */
#define INDEX_MIN     16  /* tables with this many keys get a hash index */

/* How a table came to be; decides whether it may be reopened (see place_header/place_key). */
enum origin {
	ORIGIN_ROOT,
	ORIGIN_IMPLICIT, /* a parent named in a [header] only */
	ORIGIN_HEADER,	 /* [header] or an element of [[header]] */
	ORIGIN_DOTTED,	 /* made by a dotted key: a.b = 1 */
	ORIGIN_INLINE,	 /* { … }: complete once closed */
};

struct toml_kv {
	char *key;
	struct toml_value *value;
};

struct toml_value {
	enum toml_type type;
	unsigned line;
	enum origin origin; /* tables */
	bool aot;	    /* arrays: made by [[…]] */
	union {
		char *s;
		int64_t i;
		double f;
		bool b;
		struct {
			struct toml_value **v;
			size_t n, cap;
		} a;
		struct {
			struct toml_kv *kv;
			size_t n, cap;
			uint32_t *idx; /* open addressing, entry index + 1, 0 = empty */
			size_t idx_cap;
		} t;
	};
};

struct toml_doc {
	struct toml_value *root;
};

struct key_part {
	char *s;
};

struct key {
	struct key_part parts[MAX_KEY_PARTS];
	size_t n;
	const char *text; /* as written, for messages */
	size_t text_len;
	unsigned line;
};

struct parser {
	const char *p, *end;
	unsigned line;
	const char *name;
	char *err;
	unsigned depth;
	const char *ctx; /* the key whose value is being parsed, for messages */
	size_t ctx_len;
};

/* ---- values ---- */

static void value_free(struct toml_value *v)
{
	if (!v)
		return;
	switch (v->type) {
	case TOML_STRING:
		free(v->s);
		break;
	case TOML_ARRAY:
		for (size_t i = 0; i < v->a.n; i++)
			value_free(v->a.v[i]);
		free(v->a.v);
		break;
	case TOML_TABLE:
		for (size_t i = 0; i < v->t.n; i++) {
			free(v->t.kv[i].key);
			value_free(v->t.kv[i].value);
		}
		free(v->t.kv);
		free(v->t.idx);
		break;
	default:
		break;
	}
	free(v);
}

static struct toml_value *value_new(enum toml_type type, unsigned line)
{
	struct toml_value *v = calloc(1, sizeof(*v));
	if (v) {
		v->type = type;
		v->line = line;
	}
	return v;
}

static uint32_t key_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void index_insert(struct toml_value *t, size_t entry)
{
	size_t mask = t->t.idx_cap - 1, i = key_hash(t->t.kv[entry].key) & mask;
	while (t->t.idx[i])
		i = (i + 1) & mask;
	t->t.idx[i] = (uint32_t)(entry + 1);
}

static struct toml_value *table_find(const struct toml_value *t, const char *key)
{
	if (t->t.idx) {
		size_t mask = t->t.idx_cap - 1;
		for (size_t i = key_hash(key) & mask; t->t.idx[i]; i = (i + 1) & mask)
			if (STREQ(t->t.kv[t->t.idx[i] - 1].key, key))
				return t->t.kv[t->t.idx[i] - 1].value;
		return NULL;
	}
	for (size_t i = 0; i < t->t.n; i++)
		if (STREQ(t->t.kv[i].key, key))
			return t->t.kv[i].value;
	return NULL;
}

/* Adds key (copied) → v; v is owned by the table from here on, even on failure. */
static int table_add(struct toml_value *t, const char *key, struct toml_value *v)
{
	char *k = strdup(key);
	if (!k) {
		value_free(v);
		return -ENOMEM;
	}
	if (t->t.n == t->t.cap) {
		size_t ncap = t->t.cap ? t->t.cap * 2 : 8;
		struct toml_kv *n = realloc(t->t.kv, ncap * sizeof(*n));
		if (!n) {
			free(k);
			value_free(v);
			return -ENOMEM;
		}
		t->t.kv = n;
		t->t.cap = ncap;
	}
	t->t.kv[t->t.n++] = (struct toml_kv){k, v};
	if (t->t.n < INDEX_MIN)
		return 0;
	if (t->t.n * 2 > t->t.idx_cap) {
		size_t ncap = 64;
		while (ncap < t->t.n * 4)
			ncap *= 2;
		uint32_t *idx = calloc(ncap, sizeof(*idx));
		if (!idx)
			return -ENOMEM;
		free(t->t.idx);
		t->t.idx = idx;
		t->t.idx_cap = ncap;
		for (size_t i = 0; i < t->t.n; i++)
			index_insert(t, i);
	} else {
		index_insert(t, t->t.n - 1);
	}
	return 0;
}

static int array_add(struct toml_value *a, struct toml_value *v)
{
	if (a->a.n == a->a.cap) {
		size_t ncap = a->a.cap ? a->a.cap * 2 : 4;
		struct toml_value **n = realloc(a->a.v, ncap * sizeof(*n));
		if (!n) {
			value_free(v);
			return -ENOMEM;
		}
		a->a.v = n;
		a->a.cap = ncap;
	}
	a->a.v[a->a.n++] = v;
	return 0;
}

/* ---- errors ---- */

__attribute__((format(printf, 3, 4))) static int fail(struct parser *ps, unsigned line, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	if (ps->err)
		return -EINVAL;
	va_start(ap, fmt);
	int k = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (k < 0)
		return -ENOMEM;
	k = asprintf(&ps->err, "%s:%u: %s", ps->name, line, msg);
	free(msg);
	if (k < 0) {
		ps->err = NULL;
		return -ENOMEM;
	}
	return -EINVAL;
}

/* What is at p, for "expected X, got Y" messages. buf gets at least 16 bytes. */
static const char *describe(const struct parser *ps, const char *p, char *buf, size_t size)
{
	unsigned char c;
	if (p >= ps->end)
		return "end of file";
	c = (unsigned char)*p;
	if (c == '\n' || (c == '\r' && p + 1 < ps->end && p[1] == '\n'))
		return "end of line";
	if (c >= 0x80) {
		/* The input is valid UTF-8 (checked first): show the whole character. */
		size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (n > (size_t)(ps->end - p))
			n = (size_t)(ps->end - p);
		snprintf(buf, size, "'%.*s'", (int)n, p);
	} else if (c < 0x20 || c == 0x7f) {
		snprintf(buf, size, "control character U+%04X", c);
	} else {
		snprintf(buf, size, "'%c'", c);
	}
	return buf;
}

/* The key being parsed, as written, shortened for messages. */
#define CTX_FMT	     "%.*s%s"
#define CTX_ARGS(ps) (int)((ps)->ctx_len > 64 ? 64 : (ps)->ctx_len), (ps)->ctx, (ps)->ctx_len > 64 ? "…" : ""

/* ---- lexing helpers ---- */

static bool at_eof(const struct parser *ps)
{
	return ps->p >= ps->end;
}

static bool is_bare(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static bool is_ctrl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
		ps->p++;
}

/* At a newline (LF or CRLF)? Returns its length, 0 if none. */
static size_t newline_len(const struct parser *ps, const char *p)
{
	if (p < ps->end && *p == '\n')
		return 1;
	if (p + 1 < ps->end && p[0] == '\r' && p[1] == '\n')
		return 2;
	return 0;
}

/* A comment from '#' to the end of the line (the newline is left). */
static int skip_comment(struct parser *ps)
{
	for (ps->p++; ps->p < ps->end && !newline_len(ps, ps->p); ps->p++)
		if (is_ctrl((unsigned char)*ps->p)) {
			char buf[32];
			return fail(ps, ps->line, "%s in a comment", describe(ps, ps->p, buf, sizeof(buf)));
		}
	return 0;
}

/* Whitespace, newlines and comments (inside arrays). */
static int skip_ws_nl(struct parser *ps)
{
	for (;;) {
		size_t nl;
		skip_ws(ps);
		if ((nl = newline_len(ps, ps->p))) {
			ps->p += nl;
			ps->line++;
		} else if (ps->p < ps->end && *ps->p == '#') {
			int r = skip_comment(ps);
			if (r < 0)
				return r;
		} else {
			return 0;
		}
	}
}

/* After a key/value or a header: whitespace, an optional comment, then a newline or EOF.
 * The message names what came before: pre + text + post ("the value of key 'x'"). */
static int expect_eol(struct parser *ps, const char *pre, const char *text, size_t len, const char *post)
{
	size_t nl;
	char buf[32];
	int r;

	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '#' && (r = skip_comment(ps)) < 0)
		return r;
	if (at_eof(ps))
		return 0;
	if ((nl = newline_len(ps, ps->p))) {
		ps->p += nl;
		ps->line++;
		return 0;
	}
	return fail(ps, ps->line, "unexpected %s after %s%.*s%s%s", describe(ps, ps->p, buf, sizeof(buf)), pre,
		    (int)(len > 64 ? 64 : len), text, len > 64 ? "…" : "", post);
}

/* ---- strings ---- */

struct buf {
	char *s;
	size_t n, cap;
};

static int buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 32;
		while (ncap < b->n + n + 1)
			ncap *= 2;
		char *x = realloc(b->s, ncap);
		if (!x)
			return -ENOMEM;
		b->s = x;
		b->cap = ncap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
	return 0;
}

static int buf_put_utf8(struct buf *b, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_put(b, u, n);
}

/* An escape sequence; ps->p is at the backslash. */
static int parse_escape(struct parser *ps, struct buf *b)
{
	static const char simple_from[] = "btnfr\"\\", simple_to[] = "\b\t\n\f\r\"\\";
	const char *s = ps->p + 1, *hit;
	char buf[32];

	if (s >= ps->end)
		return fail(ps, ps->line, "unterminated string");
	if (*s && (hit = strchr(simple_from, *s))) {
		ps->p += 2;
		return buf_put(b, &simple_to[hit - simple_from], 1);
	}
	if (*s == 'u' || *s == 'U') {
		size_t n = *s == 'u' ? 4 : 8;
		uint32_t cp = 0;
		if ((size_t)(ps->end - s - 1) < n)
			return fail(ps, ps->line, "\\%c needs %zu hex digits", *s, n);
		for (size_t i = 1; i <= n; i++) {
			char c = s[i];
			int d = c >= '0' && c <= '9'   ? c - '0'
				: c >= 'a' && c <= 'f' ? c - 'a' + 10
				: c >= 'A' && c <= 'F' ? c - 'A' + 10
						       : -1;
			if (d < 0)
				return fail(ps, ps->line, "\\%c needs %zu hex digits", *s, n);
			cp = cp * 16 + (uint32_t)d;
		}
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return fail(ps, ps->line, "\\%c%.*s is not a Unicode scalar value", *s, (int)n, s + 1);
		if (cp == 0)
			return fail(ps, ps->line, "\\%c%.*s: NUL is not allowed in strings", *s, (int)n, s + 1);
		ps->p = s + 1 + n;
		return buf_put_utf8(b, cp);
	}
	if (is_ctrl((unsigned char)*s) || *s == '\n' || (unsigned char)*s >= 0x80)
		return fail(ps, ps->line, "invalid escape sequence: backslash followed by %s",
			    describe(ps, s, buf, sizeof(buf)));
	return fail(ps, ps->line, "invalid escape sequence '\\%c'", *s);
}

/* A basic ("…") or literal ('…') string, single- or multi-line; ps->p at the first quote. */
static int parse_string(struct parser *ps, char **ret, bool allow_multiline)
{
	const char q = *ps->p;
	const bool literal = q == '\'';
	const unsigned start_line = ps->line;
	struct buf b = {0};
	bool multi = false;
	char buf[32];
	int r = 0;

	if (allow_multiline && ps->end - ps->p >= 3 && ps->p[1] == q && ps->p[2] == q) {
		size_t nl;
		multi = true;
		ps->p += 3;
		/* A newline right after the opening delimiter is trimmed. */
		if ((nl = newline_len(ps, ps->p))) {
			ps->p += nl;
			ps->line++;
		}
	} else {
		ps->p++;
	}
	if ((r = buf_put(&b, "", 0)) < 0)
		return r;

	for (;;) {
		size_t nl;
		if (at_eof(ps)) {
			r = fail(ps, start_line, "unterminated %s", multi ? "multi-line string" : "string");
			break;
		}
		unsigned char c = (unsigned char)*ps->p;
		if (c == (unsigned char)q) {
			if (!multi) {
				ps->p++;
				break;
			}
			size_t n = 0;
			while (ps->p + n < ps->end && ps->p[n] == q)
				n++;
			if (n < 3) {
				r = buf_put(&b, ps->p, n);
				ps->p += n;
			} else if (n <= 5) {
				/* Up to two quotes may sit right before the closing delimiter. */
				r = buf_put(&b, ps->p, n - 3);
				ps->p += n;
				break;
			} else {
				r = fail(ps, ps->line, "too many quotes (%zu) at the end of a multi-line string", n);
			}
		} else if (c == '\\' && !literal) {
			const char *s = ps->p + 1;
			while (multi && s < ps->end && (*s == ' ' || *s == '\t'))
				s++;
			if (multi && newline_len(ps, s)) {
				/* Line-ending backslash: eat whitespace and newlines up to the next text. */
				ps->p = s;
				while ((nl = newline_len(ps, ps->p)) ||
				       (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))) {
					if (nl) {
						ps->line++;
						ps->p += nl;
					} else {
						ps->p++;
					}
				}
			} else {
				r = parse_escape(ps, &b);
			}
		} else if ((nl = newline_len(ps, ps->p))) {
			if (!multi) {
				r = fail(ps, start_line, "unterminated string (a newline before the closing %c)", q);
			} else {
				r = buf_put(&b, "\n", 1);
				ps->p += nl;
				ps->line++;
			}
		} else if (is_ctrl(c)) {
			r = fail(ps, ps->line, "%s in a string (write it as an escape)",
				 describe(ps, ps->p, buf, sizeof(buf)));
		} else {
			const char *s = ps->p;
			while (ps->p < ps->end && *ps->p != q && *ps->p != '\\' && !is_ctrl((unsigned char)*ps->p))
				ps->p++;
			if (s == ps->p) /* a backslash in a literal string */
				ps->p++;
			r = buf_put(&b, s, (size_t)(ps->p - s));
		}
		if (r < 0)
			break;
	}
	if (r < 0) {
		free(b.s);
		return r;
	}
	*ret = b.s;
	return 0;
}

/* ---- keys ---- */

static void key_clear(struct key *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->parts[i].s);
	k->n = 0;
}

/* A possibly dotted key. what: "a key" or "a table name", for messages. */
static int parse_key(struct parser *ps, struct key *k, const char *what)
{
	char buf[32];
	int r;

	k->n = 0;
	k->line = ps->line;
	skip_ws(ps);
	k->text = ps->p;
	for (;;) {
		char *part = NULL;
		skip_ws(ps);
		if (at_eof(ps) || (*ps->p != '"' && *ps->p != '\'' && !is_bare(*ps->p))) {
			key_clear(k);
			size_t n = (size_t)(ps->p - k->text);
			while (n > 0 && (k->text[n - 1] == ' ' || k->text[n - 1] == '\t'))
				n--;
			if (n == 0)
				return fail(ps, ps->line, "expected %s, got %s", what,
					    describe(ps, ps->p, buf, sizeof(buf)));
			return fail(ps, ps->line, "expected %s after '%.*s', got %s", what, (int)(n > 64 ? 64 : n),
				    k->text, describe(ps, ps->p, buf, sizeof(buf)));
		}
		if (k->n == MAX_KEY_PARTS) {
			key_clear(k);
			return fail(ps, ps->line, "key has more than %d dotted parts", MAX_KEY_PARTS);
		}
		if (*ps->p == '"' || *ps->p == '\'') {
			if ((r = parse_string(ps, &part, false)) < 0) {
				key_clear(k);
				return r;
			}
		} else {
			const char *s = ps->p;
			while (ps->p < ps->end && is_bare(*ps->p))
				ps->p++;
			if (!(part = strndup(s, (size_t)(ps->p - s)))) {
				key_clear(k);
				return -ENOMEM;
			}
		}
		k->parts[k->n++].s = part;
		k->text_len = (size_t)(ps->p - k->text);
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == '.') {
			ps->p++;
			continue;
		}
		return 0;
	}
}

/* ---- numbers ---- */

static int digit_value(char c, int base)
{
	int d = c >= '0' && c <= '9'   ? c - '0'
		: c >= 'a' && c <= 'z' ? c - 'a' + 10
		: c >= 'A' && c <= 'Z' ? c - 'A' + 10
				       : 99;
	return d < base ? d : -1;
}

/* Digits of base with single underscores between them; returns the count consumed, or 0 if
 * the run is not well formed. Stops at the first character that is neither. */
static size_t scan_digits(const char *s, const char *end, int base)
{
	size_t i = 0;
	if (s >= end || digit_value(s[0], base) < 0)
		return 0;
	while (s + i < end) {
		if (digit_value(s[i], base) >= 0)
			i++;
		else if (s[i] == '_' && s + i + 1 < end && digit_value(s[i + 1], base) >= 0)
			i++;
		else if (s[i] == '_')
			return 0;
		else
			break;
	}
	return i;
}

static locale_t c_locale(void)
{
	/* strtod follows LC_NUMERIC; TOML's decimal point is always '.'. Created once, kept. */
	static locale_t loc;
	if (!loc)
		loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	return loc;
}

/* Integers, floats, inf and nan; ps->p at the first character. */
static int parse_number(struct parser *ps, struct toml_value **ret)
{
	const char *s = ps->p, *e = s;
	bool neg = false, is_float = false;
	int base = 10;
	size_t n;

	while (e < ps->end && (is_bare(*e) || *e == '.' || *e == '+'))
		e++;
	const int tok_len = (int)(e - s > 64 ? 64 : e - s);
	const char *d = s;
	if (*d == '+' || *d == '-')
		neg = *d++ == '-';
	if (e - d == 3 && (!strncmp(d, "inf", 3) || !strncmp(d, "nan", 3))) {
		struct toml_value *v = value_new(TOML_FLOAT, ps->line);
		if (!v)
			return -ENOMEM;
		v->f = d[0] == 'i' ? (neg ? -INFINITY : INFINITY) : (neg ? -NAN : NAN);
		ps->p = e;
		*ret = v;
		return 0;
	}
	if (d + 1 < e && d[0] == '0' && (d[1] == 'x' || d[1] == 'o' || d[1] == 'b')) {
		if (d != s)
			return fail(ps, ps->line, "invalid number '%.*s': no sign is allowed with 0%c", tok_len, s,
				    d[1]);
		base = d[1] == 'x' ? 16 : d[1] == 'o' ? 8 : 2;
		d += 2;
	}
	n = scan_digits(d, e, base);
	if (n == 0)
		return fail(ps, ps->line, "invalid number '%.*s'", tok_len, s);
	if (base == 10 && d[0] == '0' && n > 1)
		return fail(ps, ps->line, "invalid number '%.*s': leading zeros are not allowed", tok_len, s);
	const char *int_end = d + n, *q = int_end;
	if (base == 10 && q < e && *q == '.') {
		size_t f = scan_digits(q + 1, e, 10);
		if (f == 0)
			return fail(ps, ps->line, "invalid number '%.*s': a digit must follow the '.'", tok_len, s);
		q += 1 + f;
		is_float = true;
	}
	if (base == 10 && q < e && (*q == 'e' || *q == 'E')) {
		const char *x = q + 1;
		if (x < e && (*x == '+' || *x == '-'))
			x++;
		size_t f = scan_digits(x, e, 10);
		if (f == 0)
			return fail(ps, ps->line, "invalid number '%.*s': bad exponent", tok_len, s);
		q = x + f;
		is_float = true;
	}
	if (q != e)
		return fail(ps, ps->line, "invalid number '%.*s'", tok_len, s);

	struct toml_value *v = value_new(is_float ? TOML_FLOAT : TOML_INTEGER, ps->line);
	if (!v)
		return -ENOMEM;
	if (is_float) {
		char tmp[128];
		size_t k = 0;
		for (const char *c = s; c < e; c++)
			if (*c != '_') {
				if (k + 1 >= sizeof(tmp)) {
					value_free(v);
					return fail(ps, ps->line, "invalid number '%.*s': too long", tok_len, s);
				}
				tmp[k++] = *c;
			}
		tmp[k] = 0;
		locale_t loc = c_locale();
		if (!loc) {
			value_free(v);
			return -ENOMEM;
		}
		errno = 0;
		v->f = strtod_l(tmp, NULL, loc);
		if (errno == ERANGE && isinf(v->f)) {
			value_free(v);
			return fail(ps, ps->line, "float '%.*s' is out of range", tok_len, s);
		}
	} else {
		uint64_t acc = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		for (const char *c = d; c < int_end; c++) {
			if (*c == '_')
				continue;
			uint64_t dv = (uint64_t)digit_value(*c, base);
			if (acc > (limit - dv) / (uint64_t)base) {
				value_free(v);
				return fail(ps, ps->line, "integer '%.*s' is out of range", tok_len, s);
			}
			acc = acc * (uint64_t)base + dv;
		}
		v->i = neg ? (acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc) : (int64_t)acc;
	}
	ps->p = e;
	*ret = v;
	return 0;
}

static bool looks_like_datetime(const struct parser *ps)
{
	const char *s = ps->p;
	size_t left = (size_t)(ps->end - s);
#define DIG(i) ((i) < left && s[i] >= '0' && s[i] <= '9')
	/* 1979-05-27… or 07:32:00… */
	return (DIG(0) && DIG(1) && DIG(2) && DIG(3) && 4 < left && s[4] == '-') ||
	       (DIG(0) && DIG(1) && 2 < left && s[2] == ':');
#undef DIG
}

/* ---- values ---- */

static int parse_value(struct parser *ps, struct toml_value **ret);
static int parse_keyval(struct parser *ps, struct toml_value *table);

static int parse_array(struct parser *ps, struct toml_value **ret)
{
	const unsigned start_line = ps->line;
	struct toml_value *a = value_new(TOML_ARRAY, ps->line);
	char buf[32];
	int r;

	if (!a)
		return -ENOMEM;
	ps->p++;
	for (;;) {
		struct toml_value *item = NULL;
		if ((r = skip_ws_nl(ps)) < 0)
			goto fail;
		if (at_eof(ps)) {
			r = fail(ps, start_line, "unterminated array for key '" CTX_FMT "'", CTX_ARGS(ps));
			goto fail;
		}
		if (*ps->p == ']') {
			ps->p++;
			break;
		}
		if ((r = parse_value(ps, &item)) < 0 || (r = array_add(a, item)) < 0)
			goto fail;
		if ((r = skip_ws_nl(ps)) < 0)
			goto fail;
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
		} else if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			break;
		} else if (at_eof(ps)) {
			r = fail(ps, start_line, "unterminated array for key '" CTX_FMT "'", CTX_ARGS(ps));
			goto fail;
		} else {
			r = fail(ps, ps->line, "expected ',' or ']' in the array for key '" CTX_FMT "', got %s",
				 CTX_ARGS(ps), describe(ps, ps->p, buf, sizeof(buf)));
			goto fail;
		}
	}
	*ret = a;
	return 0;
fail:
	value_free(a);
	return r;
}

static int parse_inline_table(struct parser *ps, struct toml_value **ret)
{
	struct toml_value *t = value_new(TOML_TABLE, ps->line);
	const char *ctx = ps->ctx;
	const size_t ctx_len = ps->ctx_len;
	char buf[32];
	int r;

	if (!t)
		return -ENOMEM;
	t->origin = ORIGIN_INLINE;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		goto done;
	}
	for (;;) {
		if ((r = parse_keyval(ps, t)) < 0)
			goto fail;
		ps->ctx = ctx;
		ps->ctx_len = ctx_len;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == '}') {
				r = fail(ps, ps->line, "trailing comma in the inline table for key '" CTX_FMT "'",
					 CTX_ARGS(ps));
				goto fail;
			}
		} else if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			break;
		} else {
			r = fail(ps, ps->line,
				 "expected ',' or '}' in the inline table for key '" CTX_FMT "', got %s%s",
				 CTX_ARGS(ps), describe(ps, ps->p, buf, sizeof(buf)),
				 newline_len(ps, ps->p) ? " (inline tables must be on one line)" : "");
			goto fail;
		}
	}
done:
	*ret = t;
	return 0;
fail:
	value_free(t);
	return r;
}

static int parse_value(struct parser *ps, struct toml_value **ret)
{
	char buf[32];
	int r;

	if (at_eof(ps) || newline_len(ps, ps->p))
		return fail(ps, ps->line, "missing value for key '" CTX_FMT "'", CTX_ARGS(ps));
	switch (*ps->p) {
	case '"':
	case '\'': {
		struct toml_value *v = value_new(TOML_STRING, ps->line);
		if (!v)
			return -ENOMEM;
		if ((r = parse_string(ps, &v->s, true)) < 0) {
			free(v);
			return r;
		}
		*ret = v;
		return 0;
	}
	case '[':
	case '{':
		if (ps->depth >= MAX_NESTING)
			return fail(ps, ps->line, "arrays and inline tables nested more than %d deep", MAX_NESTING);
		ps->depth++;
		r = *ps->p == '[' ? parse_array(ps, ret) : parse_inline_table(ps, ret);
		ps->depth--;
		return r;
	case 't':
	case 'f': {
		const bool b = *ps->p == 't';
		const size_t n = b ? 4 : 5;
		if ((size_t)(ps->end - ps->p) >= n && !strncmp(ps->p, b ? "true" : "false", n) &&
		    (ps->p + n == ps->end || !is_bare(ps->p[n]))) {
			struct toml_value *v = value_new(TOML_BOOLEAN, ps->line);
			if (!v)
				return -ENOMEM;
			v->b = b;
			ps->p += n;
			*ret = v;
			return 0;
		}
		break;
	}
	default:
		break;
	}
	const char *n = ps->p + (*ps->p == '+' || *ps->p == '-');
	const bool special = ps->end - n >= 3 && (!strncmp(n, "inf", 3) || !strncmp(n, "nan", 3)) &&
			     (n + 3 == ps->end || !is_bare(n[3]));
	if (special || n != ps->p || (*n >= '0' && *n <= '9')) {
		if (looks_like_datetime(ps))
			return fail(ps, ps->line, "dates and times are not supported (key '" CTX_FMT "')",
				    CTX_ARGS(ps));
		return parse_number(ps, ret);
	}
	if (is_bare(*ps->p)) {
		const char *e = ps->p;
		while (e < ps->end && is_bare(*e) && e - ps->p < 64)
			e++;
		return fail(ps, ps->line, "invalid value '%.*s' for key '" CTX_FMT "' (strings need quotes)",
			    (int)(e - ps->p), ps->p, CTX_ARGS(ps));
	}
	return fail(ps, ps->line, "expected a value for key '" CTX_FMT "', got %s", CTX_ARGS(ps),
		    describe(ps, ps->p, buf, sizeof(buf)));
}

/* ---- placing keys and tables ---- */

#define KEY_FMT	    "%.*s"
#define KEY_ARGS(k) (int)((k)->text_len > 64 ? 64 : (k)->text_len), (k)->text

/* key = value, into table (the current section, or an inline table being parsed). */
static int parse_keyval(struct parser *ps, struct toml_value *table)
{
	struct key k;
	struct toml_value *v = NULL, *t = table, *old;
	char buf[32];
	int r;

	if ((r = parse_key(ps, &k, "a key")) < 0)
		return r;
	if (at_eof(ps) || *ps->p != '=') {
		r = fail(ps, ps->line, "expected '=' after key '" KEY_FMT "', got %s", KEY_ARGS(&k),
			 describe(ps, ps->p, buf, sizeof(buf)));
		goto out;
	}
	ps->p++;
	skip_ws(ps);
	ps->ctx = k.text;
	ps->ctx_len = k.text_len;
	if ((r = parse_value(ps, &v)) < 0)
		goto out;

	/* Dotted keys may create tables, or add to tables that dotted keys made (in this same
	 * section) or that a [header] only named as a parent, never to a table a header
	 * defined, an inline table or an array (TOML 1.0, "Keys" and "Table"). */
	for (size_t i = 0; i + 1 < k.n; i++) {
		old = table_find(t, k.parts[i].s);
		if (!old) {
			struct toml_value *n = value_new(TOML_TABLE, k.line);
			if (!n) {
				r = -ENOMEM;
				goto out;
			}
			n->origin = ORIGIN_DOTTED;
			if ((r = table_add(t, k.parts[i].s, n)) < 0)
				goto out;
			t = n;
		} else if (old->type == TOML_TABLE &&
			   (old->origin == ORIGIN_DOTTED || old->origin == ORIGIN_IMPLICIT)) {
			old->origin = ORIGIN_DOTTED;
			t = old;
		} else {
			r = fail(
			    ps, k.line, "cannot add key '" KEY_FMT "': '%s' is already defined as %s%s on line %u",
			    KEY_ARGS(&k), k.parts[i].s,
			    old->type == TOML_TABLE ? (old->origin == ORIGIN_INLINE ? "an inline table" : "a table")
						    : (old->aot ? "an array of tables" : "a value"),
			    old->type == TOML_TABLE && old->origin != ORIGIN_INLINE ? " (by a [table] header)" : "",
			    old->line);
			goto out;
		}
	}
	old = table_find(t, k.parts[k.n - 1].s);
	if (old) {
		r = fail(ps, k.line, "duplicate key '" KEY_FMT "' (first defined on line %u)", KEY_ARGS(&k), old->line);
		goto out;
	}
	r = table_add(t, k.parts[k.n - 1].s, TAKE_PTR(v));
out:
	value_free(v);
	key_clear(&k);
	return r;
}

/* [a.b.c] or [[a.b.c]]: finds or makes the table, returns it as the current section. */
static int place_header(struct parser *ps, struct key *k, bool aot, struct toml_value *root, struct toml_value **ret)
{
	const char *br = aot ? "[[" : "[", *bl = aot ? "]]" : "]";
	struct toml_value *t = root, *old;
	int r;

	for (size_t i = 0; i + 1 < k->n; i++) {
		old = table_find(t, k->parts[i].s);
		if (!old) {
			struct toml_value *n = value_new(TOML_TABLE, k->line);
			if (!n)
				return -ENOMEM;
			n->origin = ORIGIN_IMPLICIT;
			if ((r = table_add(t, k->parts[i].s, n)) < 0)
				return r;
			t = n;
		} else if (old->type == TOML_TABLE && old->origin != ORIGIN_INLINE) {
			t = old;
		} else if (old->type == TOML_ARRAY && old->aot) {
			t = old->a.v[old->a.n - 1];
		} else {
			return fail(ps, k->line,
				    "cannot define table %s" KEY_FMT "%s: '%s' is already defined as %s on line %u", br,
				    KEY_ARGS(k), bl, k->parts[i].s,
				    old->type == TOML_TABLE   ? "an inline table"
				    : old->type == TOML_ARRAY ? "an array"
							      : "a value",
				    old->line);
		}
	}

	const char *last = k->parts[k->n - 1].s;
	old = table_find(t, last);
	if (aot) {
		struct toml_value *elem, *arr = old;
		if (!arr) {
			if (!(arr = value_new(TOML_ARRAY, k->line)))
				return -ENOMEM;
			arr->aot = true;
			if ((r = table_add(t, last, arr)) < 0)
				return r;
		} else if (arr->type != TOML_ARRAY || !arr->aot) {
			return fail(ps, k->line,
				    "cannot define array of tables [[" KEY_FMT "]]: already defined as %s on line %u",
				    KEY_ARGS(k),
				    arr->type == TOML_TABLE   ? "a table"
				    : arr->type == TOML_ARRAY ? "an array"
							      : "a value",
				    arr->line);
		}
		if (!(elem = value_new(TOML_TABLE, k->line)))
			return -ENOMEM;
		elem->origin = ORIGIN_HEADER;
		if ((r = array_add(arr, elem)) < 0)
			return r;
		*ret = elem;
		return 0;
	}
	if (!old) {
		struct toml_value *n = value_new(TOML_TABLE, k->line);
		if (!n)
			return -ENOMEM;
		n->origin = ORIGIN_HEADER;
		if ((r = table_add(t, last, n)) < 0)
			return r;
		*ret = n;
		return 0;
	}
	if (old->type == TOML_TABLE && old->origin == ORIGIN_IMPLICIT) {
		old->origin = ORIGIN_HEADER;
		old->line = k->line;
		*ret = old;
		return 0;
	}
	if (old->type == TOML_TABLE && old->origin == ORIGIN_HEADER)
		return fail(ps, k->line, "table [" KEY_FMT "] defined twice (first on line %u)", KEY_ARGS(k),
			    old->line);
	return fail(ps, k->line, "cannot define table [" KEY_FMT "]: already defined as %s on line %u", KEY_ARGS(k),
		    old->type == TOML_TABLE
			? (old->origin == ORIGIN_INLINE ? "an inline table" : "a table (by dotted keys)")
		    : old->aot		      ? "an array of tables"
		    : old->type == TOML_ARRAY ? "an array"
					      : "a value",
		    old->line);
}

static int parse_header(struct parser *ps, struct toml_value *root, struct toml_value **cur)
{
	const bool aot = ps->end - ps->p >= 2 && ps->p[1] == '[';
	struct key k;
	char buf[32];
	int r;

	ps->p += aot ? 2 : 1;
	if ((r = parse_key(ps, &k, "a table name")) < 0)
		return r;
	if (aot ? (ps->end - ps->p < 2 || ps->p[0] != ']' || ps->p[1] != ']') : (at_eof(ps) || *ps->p != ']')) {
		r = fail(ps, ps->line, "expected '%s' after table name '" KEY_FMT "', got %s", aot ? "]]" : "]",
			 KEY_ARGS(&k), describe(ps, ps->p, buf, sizeof(buf)));
		key_clear(&k);
		return r;
	}
	ps->p += aot ? 2 : 1;
	r = place_header(ps, &k, aot, root, cur);
	if (r >= 0)
		r = expect_eol(ps, aot ? "the table header [[" : "the table header [", k.text, k.text_len,
			       aot ? "]]" : "]");
	key_clear(&k);
	return r;
}

/* ---- document ---- */

/* Returns 0, or the line of the first invalid UTF-8 sequence / NUL byte (*ret_nul set). */
static unsigned check_utf8(const unsigned char *s, size_t len, bool *ret_nul)
{
	unsigned line = 1;
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp, min;
		if (c == '\n')
			line++;
		if (c == 0) {
			*ret_nul = true;
			return line;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			n = 2, cp = c & 0x1f, min = 0x80;
		else if ((c & 0xf0) == 0xe0)
			n = 3, cp = c & 0x0f, min = 0x800;
		else if ((c & 0xf8) == 0xf0)
			n = 4, cp = c & 0x07, min = 0x10000;
		else
			return line;
		if (len - i < n)
			return line;
		for (size_t j = 1; j < n; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return line;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return line;
		i += n;
	}
	return 0;
}

int toml_parse_buf(const char *text, size_t len, const char *name, struct toml_doc **ret_doc, char **ret_err)
{
	struct parser ps = {.p = text, .end = text + len, .line = 1, .name = name ? name : "input"};
	struct toml_value *root, *cur;
	struct toml_doc *doc;
	bool nul = false;
	unsigned bad;
	int r = 0;

	if ((bad = check_utf8((const unsigned char *)text, len, &nul))) {
		r = fail(&ps, bad, nul ? "NUL byte in the file" : "invalid UTF-8");
		goto out;
	}
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		ps.p += 3;
	if (!(root = value_new(TOML_TABLE, 1)))
		return -ENOMEM;
	root->origin = ORIGIN_ROOT;
	cur = root;

	while (r >= 0) {
		size_t nl;
		skip_ws(&ps);
		if (at_eof(&ps))
			break;
		if ((nl = newline_len(&ps, ps.p))) {
			ps.p += nl;
			ps.line++;
		} else if (*ps.p == '#') {
			r = skip_comment(&ps);
		} else if (*ps.p == '[') {
			r = parse_header(&ps, root, &cur);
		} else {
			const char *key = ps.p;
			r = parse_keyval(&ps, cur);
			if (r >= 0)
				r = expect_eol(&ps, "the value of key '", key, ps.ctx_len, "'");
		}
	}
	if (r < 0) {
		value_free(root);
		goto out;
	}
	if (!(doc = calloc(1, sizeof(*doc)))) {
		value_free(root);
		return -ENOMEM;
	}
	doc->root = root;
	*ret_doc = doc;
	return 0;
out:
	if (r == -EINVAL && ret_err)
		*ret_err = TAKE_PTR(ps.err);
	free(ps.err);
	return r;
}

int toml_parse(const char *text, const char *name, struct toml_doc **ret_doc, char **ret_err)
{
	return toml_parse_buf(text, strlen(text), name, ret_doc, ret_err);
}

void toml_free(struct toml_doc *doc)
{
	if (!doc)
		return;
	value_free(doc->root);
	free(doc);
}

/* ---- lookups ---- */

const struct toml_value *toml_root(const struct toml_doc *doc)
{
	return doc ? doc->root : NULL;
}

const struct toml_value *toml_get(const struct toml_value *table, const char *key)
{
	if (!table || table->type != TOML_TABLE || !key)
		return NULL;
	return table_find(table, key);
}

const struct toml_value *toml_table(const struct toml_doc *doc, const char *path)
{
	const struct toml_value *t = toml_root(doc);
	char part[256];

	if (!path)
		return t;
	while (t && *path) {
		size_t n = strcspn(path, ".");
		if (n == 0 || n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = 0;
		t = toml_get(t, part);
		if (t && t->type != TOML_TABLE)
			return NULL;
		path += n;
		if (*path == '.')
			path++;
	}
	return t;
}

const struct toml_value *toml_lookup(const struct toml_doc *doc, const char *table, const char *key)
{
	return toml_get(toml_table(doc, table), key);
}

enum toml_type toml_type(const struct toml_value *v)
{
	return v->type;
}

const char *toml_type_name(enum toml_type t)
{
	static const char *const names[] = {
	    [TOML_TABLE] = "table",	[TOML_ARRAY] = "array", [TOML_STRING] = "string",
	    [TOML_INTEGER] = "integer", [TOML_FLOAT] = "float", [TOML_BOOLEAN] = "boolean",
	};
	return (unsigned)t < ELEMENTSOF(names) ? names[t] : "unknown";
}

unsigned toml_line(const struct toml_value *v)
{
	return v ? v->line : 0;
}

int toml_string(const struct toml_value *v, const char **ret)
{
	if (!v)
		return -ENOENT;
	if (v->type != TOML_STRING)
		return -EINVAL;
	*ret = v->s;
	return 0;
}

int toml_int(const struct toml_value *v, int64_t *ret)
{
	if (!v)
		return -ENOENT;
	if (v->type != TOML_INTEGER)
		return -EINVAL;
	*ret = v->i;
	return 0;
}

int toml_float(const struct toml_value *v, double *ret)
{
	if (!v)
		return -ENOENT;
	if (v->type == TOML_INTEGER)
		*ret = (double)v->i;
	else if (v->type == TOML_FLOAT)
		*ret = v->f;
	else
		return -EINVAL;
	return 0;
}

int toml_bool(const struct toml_value *v, bool *ret)
{
	if (!v)
		return -ENOENT;
	if (v->type != TOML_BOOLEAN)
		return -EINVAL;
	*ret = v->b;
	return 0;
}

size_t toml_len(const struct toml_value *v)
{
	if (!v)
		return 0;
	return v->type == TOML_ARRAY ? v->a.n : v->type == TOML_TABLE ? v->t.n : 0;
}

const struct toml_value *toml_array_at(const struct toml_value *array, size_t i)
{
	if (!array || array->type != TOML_ARRAY || i >= array->a.n)
		return NULL;
	return array->a.v[i];
}

const char *toml_table_key_at(const struct toml_value *table, size_t i, const struct toml_value **ret_value)
{
	if (!table || table->type != TOML_TABLE || i >= table->t.n)
		return NULL;
	if (ret_value)
		*ret_value = table->t.kv[i].value;
	return table->t.kv[i].key;
}

bool toml_is_array_of_tables(const struct toml_value *v)
{
	return v && v->type == TOML_ARRAY && v->aot;
}
