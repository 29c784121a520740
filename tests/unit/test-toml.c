/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/toml: every value form containers.conf files use, TOML's redefinition rules, and the
 * exact one-line error (with its line number) for each kind of malformed input. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/toml.h"
#include "tap.h"

static struct toml_doc *parse_ok(const char *text)
{
	struct toml_doc *doc = NULL;
	char *err = NULL;
	int r = toml_parse(text, "test.toml", &doc, &err);
	if (r < 0) {
		printf("#   unexpected parse error %d: %s\n", r, err ? err : "(none)");
		free(err);
		return NULL;
	}
	return doc;
}

/* Parses text, expects failure with exactly the message want. */
static void parse_fails(const char *text, const char *want)
{
	struct toml_doc *doc = NULL;
	char *err = NULL;
	int r = toml_parse(text, "containers.conf", &doc, &err);
	CHECK(r == -EINVAL);
	CHECK(doc == NULL);
	CHECK_STREQ(err, want);
	toml_free(doc);
	free(err);
}

static const char *get_str(const struct toml_doc *doc, const char *table, const char *key)
{
	const char *s = NULL;
	if (toml_string(toml_lookup(doc, table, key), &s) < 0)
		return NULL;
	return s;
}

static int64_t get_int(const struct toml_doc *doc, const char *table, const char *key)
{
	int64_t i = -424242;
	toml_int(toml_lookup(doc, table, key), &i);
	return i;
}

/* ---- well-formed input ---- */

TEST(empty_and_comment_only_documents)
{
	struct toml_doc *doc = parse_ok("");
	CHECK(doc && toml_len(toml_root(doc)) == 0);
	toml_free(doc);
	doc = parse_ok("# nothing here\n\n   # indented comment\r\n\t\n");
	CHECK(doc && toml_len(toml_root(doc)) == 0);
	toml_free(doc);
}

TEST(tables_and_keys)
{
	struct toml_doc *doc = parse_ok("top = 1\n"
					"[containers]\n"
					"pids_limit = 2048 # trailing comment\n"
					"  indented-key_2 = \"x\"\n"
					"[engine]\n"
					"runtime = \"crun\"\n");
	CHECK(doc != NULL);
	CHECK(get_int(doc, NULL, "top") == 1);
	CHECK(get_int(doc, "containers", "pids_limit") == 2048);
	CHECK_STREQ(get_str(doc, "containers", "indented-key_2"), "x");
	CHECK_STREQ(get_str(doc, "engine", "runtime"), "crun");
	CHECK(toml_lookup(doc, "engine", "pids_limit") == NULL);
	CHECK(toml_lookup(doc, "nosuch", "runtime") == NULL);
	CHECK(toml_line(toml_lookup(doc, "engine", "runtime")) == 6);
	CHECK(toml_line(toml_table(doc, "engine")) == 5);
	toml_free(doc);
}

TEST(dotted_and_quoted_keys_and_tables)
{
	struct toml_doc *doc = parse_ok("[engine.runtimes]\n"
					"crun = [\"/usr/bin/crun\"]\n"
					"[ \"a b\" . 'c.d' ]\n"
					"\"quoted key\" = 1\n"
					"'lit\\eral' = 2\n"
					"x . y . z = 3\n"
					"\"\" = 4\n"
					"[engine.runtimes.more]\n"
					"k = true\n");
	CHECK(doc != NULL);
	const struct toml_value *rt = toml_table(doc, "engine.runtimes");
	CHECK(rt && toml_type(rt) == TOML_TABLE);
	CHECK(toml_len(toml_get(rt, "crun")) == 1);
	const struct toml_value *t = toml_get(toml_get(toml_root(doc), "a b"), "c.d");
	CHECK(t && toml_type(t) == TOML_TABLE);
	int64_t i = 0;
	CHECK(toml_int(toml_get(t, "quoted key"), &i) == 0 && i == 1);
	CHECK(toml_int(toml_get(t, "lit\\eral"), &i) == 0 && i == 2);
	CHECK(toml_int(toml_get(toml_get(toml_get(t, "x"), "y"), "z"), &i) == 0 && i == 3);
	CHECK(toml_int(toml_get(t, ""), &i) == 0 && i == 4);
	bool b = false;
	CHECK(toml_bool(toml_lookup(doc, "engine.runtimes.more", "k"), &b) == 0 && b);
	toml_free(doc);
}

TEST(basic_string_escapes)
{
	struct toml_doc *doc = parse_ok("s = \"q\\\" bs\\\\ nl\\n tab\\t cr\\r bsp\\b ff\\f\"\n"
					"u = \"\\u00e9\\u20AC\\U0001F600\"\n"
					"raw = \"caf\xc3\xa9 \t tab\"\n");
	CHECK(doc != NULL);
	CHECK_STREQ(get_str(doc, NULL, "s"), "q\" bs\\ nl\n tab\t cr\r bsp\b ff\f");
	CHECK_STREQ(get_str(doc, NULL, "u"), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	CHECK_STREQ(get_str(doc, NULL, "raw"), "caf\xc3\xa9 \t tab");
	toml_free(doc);
}

TEST(literal_strings)
{
	struct toml_doc *doc = parse_ok("path = 'C:\\Users\\nodejs\\templates'\n"
					"re = '<\\i\\c*\\s*>'\n"
					"quoted = 'Tom \"Dubs\" Preston'\n"
					"empty = ''\n");
	CHECK(doc != NULL);
	CHECK_STREQ(get_str(doc, NULL, "path"), "C:\\Users\\nodejs\\templates");
	CHECK_STREQ(get_str(doc, NULL, "re"), "<\\i\\c*\\s*>");
	CHECK_STREQ(get_str(doc, NULL, "quoted"), "Tom \"Dubs\" Preston");
	CHECK_STREQ(get_str(doc, NULL, "empty"), "");
	toml_free(doc);
}

TEST(multiline_basic_strings)
{
	struct toml_doc *doc = parse_ok("a = \"\"\"\n"
					"Roses are red\r\n"
					"Violets are blue\"\"\"\n"
					"b = \"\"\"The quick \\\n"
					"\n"
					"      brown \\   \n"
					"   fox.\"\"\"\n"
					"c = \"\"\"Here are two quotes: \"\". And one more: \"\"\"\"\"\n"
					"d = \"\"\"\"\"\"\n"
					"line = 9\n");
	CHECK(doc != NULL);
	CHECK_STREQ(get_str(doc, NULL, "a"), "Roses are red\nViolets are blue");
	CHECK_STREQ(get_str(doc, NULL, "b"), "The quick brown fox.");
	CHECK_STREQ(get_str(doc, NULL, "c"), "Here are two quotes: \"\". And one more: \"\"");
	CHECK_STREQ(get_str(doc, NULL, "d"), "");
	/* Lines inside multi-line strings are counted. */
	CHECK(toml_line(toml_lookup(doc, NULL, "line")) == 10);
	toml_free(doc);
}

TEST(multiline_literal_strings)
{
	struct toml_doc *doc = parse_ok("regex2 = '''I [dw]on't need \\d{2} apples'''\n"
					"lines = '''\n"
					"The first newline is\n"
					"trimmed in raw strings.\n"
					"   All other whitespace\n"
					"   is preserved.\n"
					"'''\n"
					"q = ''''That,' she said, 'is still pointless.''''\n");
	CHECK(doc != NULL);
	CHECK_STREQ(get_str(doc, NULL, "regex2"), "I [dw]on't need \\d{2} apples");
	CHECK_STREQ(get_str(doc, NULL, "lines"),
		    "The first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n");
	CHECK_STREQ(get_str(doc, NULL, "q"), "'That,' she said, 'is still pointless.'");
	toml_free(doc);
}

TEST(integers_all_bases)
{
	struct toml_doc *doc = parse_ok("a = +99\nb = 42\nc = 0\nd = -17\ne = 1_000_000\n"
					"f = 0xDEAD_beef\ng = 0o755\nh = 0b1101\ni = -0\n"
					"max = 9223372036854775807\nmin = -9223372036854775808\n"
					"hmax = 0x7fffffffffffffff\n");
	CHECK(doc != NULL);
	CHECK(get_int(doc, NULL, "a") == 99);
	CHECK(get_int(doc, NULL, "b") == 42);
	CHECK(get_int(doc, NULL, "c") == 0);
	CHECK(get_int(doc, NULL, "d") == -17);
	CHECK(get_int(doc, NULL, "e") == 1000000);
	CHECK(get_int(doc, NULL, "f") == 0xdeadbeef);
	CHECK(get_int(doc, NULL, "g") == 0755);
	CHECK(get_int(doc, NULL, "h") == 13);
	CHECK(get_int(doc, NULL, "i") == 0);
	CHECK(get_int(doc, NULL, "max") == INT64_MAX);
	CHECK(get_int(doc, NULL, "min") == INT64_MIN);
	CHECK(get_int(doc, NULL, "hmax") == INT64_MAX);
	toml_free(doc);
}

TEST(floats)
{
	struct toml_doc *doc = parse_ok("a = 1.0\nb = 3.1415\nc = -0.01\nd = 5e+22\ne = 1e06\nf = -2E-2\n"
					"g = 6.626e-34\nh = 224_617.445_991_228\ni = inf\nj = -inf\nk = +nan\nl = 7\n");
	double f = 0;
	CHECK(doc != NULL);
	CHECK(toml_float(toml_lookup(doc, NULL, "a"), &f) == 0 && f == 1.0);
	CHECK(toml_float(toml_lookup(doc, NULL, "b"), &f) == 0 && f == 3.1415);
	CHECK(toml_float(toml_lookup(doc, NULL, "c"), &f) == 0 && f == -0.01);
	CHECK(toml_float(toml_lookup(doc, NULL, "d"), &f) == 0 && f == 5e22);
	CHECK(toml_float(toml_lookup(doc, NULL, "e"), &f) == 0 && f == 1e6);
	CHECK(toml_float(toml_lookup(doc, NULL, "f"), &f) == 0 && f == -2e-2);
	CHECK(toml_float(toml_lookup(doc, NULL, "g"), &f) == 0 && f == 6.626e-34);
	CHECK(toml_float(toml_lookup(doc, NULL, "h"), &f) == 0 && f == 224617.445991228);
	CHECK(toml_float(toml_lookup(doc, NULL, "i"), &f) == 0 && isinf(f) && f > 0);
	CHECK(toml_float(toml_lookup(doc, NULL, "j"), &f) == 0 && isinf(f) && f < 0);
	CHECK(toml_float(toml_lookup(doc, NULL, "k"), &f) == 0 && isnan(f));
	CHECK(toml_type(toml_lookup(doc, NULL, "a")) == TOML_FLOAT);
	/* An integer reads as a float too, but stays an integer. */
	CHECK(toml_float(toml_lookup(doc, NULL, "l"), &f) == 0 && f == 7.0);
	CHECK(toml_type(toml_lookup(doc, NULL, "l")) == TOML_INTEGER);
	toml_free(doc);
}

TEST(booleans_and_type_mismatch)
{
	struct toml_doc *doc = parse_ok("t = true\nf = false\ns = \"true\"\n");
	bool b = false;
	int64_t i;
	const char *s;
	CHECK(doc != NULL);
	CHECK(toml_bool(toml_lookup(doc, NULL, "t"), &b) == 0 && b);
	CHECK(toml_bool(toml_lookup(doc, NULL, "f"), &b) == 0 && !b);
	CHECK(toml_bool(toml_lookup(doc, NULL, "s"), &b) == -EINVAL);
	CHECK(toml_int(toml_lookup(doc, NULL, "t"), &i) == -EINVAL);
	CHECK(toml_string(toml_lookup(doc, NULL, "t"), &s) == -EINVAL);
	CHECK(toml_string(toml_lookup(doc, NULL, "absent"), &s) == -ENOENT);
	CHECK_STREQ(toml_type_name(toml_type(toml_lookup(doc, NULL, "s"))), "string");
	CHECK_STREQ(toml_type_name(TOML_BOOLEAN), "boolean");
	toml_free(doc);
}

TEST(arrays_multiline_trailing_comma_nested_mixed)
{
	struct toml_doc *doc = parse_ok("default_capabilities = [\n"
					"  \"CHOWN\",   # the first\n"
					"  # a comment line\n"
					"\n"
					"  'DAC_OVERRIDE',\n"
					"]\n"
					"nested = [ [1, 2], [\"a\", ['b']], [] ]\n"
					"mixed = [\"x\", 1, 2.5, true, {append = true}]\n"
					"empty = []\n");
	CHECK(doc != NULL);
	const struct toml_value *caps = toml_lookup(doc, NULL, "default_capabilities");
	const char *s = NULL;
	CHECK(toml_len(caps) == 2);
	CHECK(toml_string(toml_array_at(caps, 0), &s) == 0 && STREQ(s, "CHOWN"));
	CHECK(toml_string(toml_array_at(caps, 1), &s) == 0 && STREQ(s, "DAC_OVERRIDE"));
	CHECK(toml_array_at(caps, 2) == NULL);
	const struct toml_value *nested = toml_lookup(doc, NULL, "nested");
	CHECK(toml_len(nested) == 3);
	CHECK(toml_len(toml_array_at(nested, 1)) == 2);
	CHECK(toml_len(toml_array_at(toml_array_at(nested, 1), 1)) == 1);
	CHECK(toml_len(toml_array_at(nested, 2)) == 0);
	const struct toml_value *mixed = toml_lookup(doc, NULL, "mixed");
	CHECK(toml_len(mixed) == 5);
	CHECK(toml_type(toml_array_at(mixed, 3)) == TOML_BOOLEAN);
	bool b = false;
	CHECK(toml_bool(toml_get(toml_array_at(mixed, 4), "append"), &b) == 0 && b);
	CHECK(toml_len(toml_lookup(doc, NULL, "empty")) == 0);
	CHECK(toml_type(toml_lookup(doc, NULL, "empty")) == TOML_ARRAY);
	toml_free(doc);
}

TEST(inline_tables)
{
	struct toml_doc *doc = parse_ok("name = { first = \"Tom\", last = \"Preston-Werner\" }\n"
					"point = {x=1,y=2}\n"
					"animal = { type.name = \"pug\", type.size = 'small' }\n"
					"empty = {}\n"
					"deep = { a = { b = [ { c = 1 } ] } }\n");
	CHECK(doc != NULL);
	CHECK_STREQ(get_str(doc, "name", "last"), "Preston-Werner");
	CHECK(get_int(doc, "point", "y") == 2);
	CHECK_STREQ(get_str(doc, "animal.type", "size"), "small");
	CHECK(toml_type(toml_lookup(doc, NULL, "empty")) == TOML_TABLE);
	const struct toml_value *b = toml_lookup(doc, "deep.a", "b");
	int64_t i = 0;
	CHECK(toml_int(toml_get(toml_array_at(b, 0), "c"), &i) == 0 && i == 1);
	toml_free(doc);
}

TEST(arrays_of_tables)
{
	struct toml_doc *doc = parse_ok("[[products]]\n"
					"name = \"Hammer\"\n"
					"[[products]]\n"
					"[[products]]\n"
					"name = \"Nail\"\n"
					"[products.dims]\n"
					"w = 3\n"
					"[[fruits.varieties]]\n"
					"name = \"red\"\n");
	CHECK(doc != NULL);
	const struct toml_value *p = toml_lookup(doc, NULL, "products");
	const char *s = NULL;
	int64_t i = 0;
	CHECK(toml_is_array_of_tables(p));
	CHECK(toml_len(p) == 3);
	CHECK(toml_string(toml_get(toml_array_at(p, 0), "name"), &s) == 0 && STREQ(s, "Hammer"));
	CHECK(toml_len(toml_array_at(p, 1)) == 0);
	CHECK(toml_int(toml_get(toml_get(toml_array_at(p, 2), "dims"), "w"), &i) == 0 && i == 3);
	CHECK(toml_is_array_of_tables(toml_lookup(doc, "fruits", "varieties")));
	/* toml_table does not descend into arrays of tables. */
	CHECK(toml_table(doc, "products.dims") == NULL);
	toml_free(doc);
}

TEST(implicit_tables_and_table_iteration)
{
	/* [a.b.c] names a and a.b without defining them: [a] may still come once, and a dotted
	 * key may add to a.b; tables made by dotted keys may get sub-tables by header. */
	struct toml_doc *doc = parse_ok("[a.b.c]\nz = 1\n[a]\nb.y = 2\nx = 3\n"
					"[fruit]\napple.color = \"red\"\n[fruit.apple.texture]\nsmooth = true\n");
	CHECK(doc != NULL);
	CHECK(get_int(doc, "a.b.c", "z") == 1);
	CHECK(get_int(doc, "a.b", "y") == 2);
	CHECK(get_int(doc, "a", "x") == 3);
	const struct toml_value *a = toml_table(doc, "a"), *v = NULL;
	CHECK(toml_len(a) == 2);
	CHECK_STREQ(toml_table_key_at(a, 0, &v), "b");
	CHECK(v && toml_type(v) == TOML_TABLE);
	CHECK_STREQ(toml_table_key_at(a, 1, NULL), "x");
	CHECK(toml_table_key_at(a, 2, NULL) == NULL);
	CHECK(toml_lookup(doc, "fruit.apple.texture", "smooth") != NULL);
	toml_free(doc);
}

TEST(many_keys_use_the_index)
{
	/* Enough keys for the hash index, with a duplicate at the end. */
	size_t cap = 200 * 24 + 64, n = 0;
	cleanup_free char *text = malloc(cap);
	for (int i = 0; i < 200; i++)
		n += (size_t)snprintf(text + n, cap - n, "key%d = %d\n", i, i);
	struct toml_doc *doc = parse_ok(text);
	CHECK(doc != NULL);
	CHECK(toml_len(toml_root(doc)) == 200);
	CHECK(get_int(doc, NULL, "key0") == 0);
	CHECK(get_int(doc, NULL, "key137") == 137);
	CHECK(get_int(doc, NULL, "key199") == 199);
	CHECK(toml_lookup(doc, NULL, "key200") == NULL);
	toml_free(doc);
	snprintf(text + n, cap - n, "key77 = 1\n");
	parse_fails(text, "containers.conf:201: duplicate key 'key77' (first defined on line 78)");
}

TEST(bom_crlf_and_buffer_api)
{
	struct toml_doc *doc = parse_ok("\xef\xbb\xbf[containers]\r\npids_limit = 5\r\n");
	CHECK(doc && get_int(doc, "containers", "pids_limit") == 5);
	toml_free(doc);

	char *err = NULL;
	doc = NULL;
	CHECK(toml_parse_buf("a = 1\nb = 2\0c = 3\n", 18, "x.conf", &doc, &err) == -EINVAL);
	CHECK_STREQ(err, "x.conf:2: NUL byte in the file");
	free(err);
	err = NULL;
	CHECK(toml_parse_buf("a = 1\nb = 2", 5, "x.conf", &doc, &err) == 0);
	CHECK(doc && get_int(doc, NULL, "a") == 1 && toml_lookup(doc, NULL, "b") == NULL);
	toml_free(doc);
}

/* ---- errors ---- */

TEST(error_missing_equals)
{
	parse_fails("[containers]\n"
		    "# comment\n"
		    "\n"
		    "pids_limit 2048\n",
		    "containers.conf:4: expected '=' after key 'pids_limit', got '2'");
	parse_fails("[engine]\nruntime\n", "containers.conf:2: expected '=' after key 'runtime', got end of line");
	parse_fails("a.b", "containers.conf:1: expected '=' after key 'a.b', got end of file");
}

TEST(error_bad_keys_and_headers)
{
	parse_fails("= 1\n", "containers.conf:1: expected a key, got '='");
	parse_fails("a. = 1\n", "containers.conf:1: expected a key after 'a.', got '='");
	parse_fails("k\xc3\xa9y = 1\n", "containers.conf:1: expected '=' after key 'k', got '\xc3\xa9'");
	parse_fails("[]\n", "containers.conf:1: expected a table name, got ']'");
	parse_fails("[containers\nx = 1\n",
		    "containers.conf:1: expected ']' after table name 'containers', got end of line");
	parse_fails("[[bins]\n", "containers.conf:1: expected ']]' after table name 'bins', got ']'");
	parse_fails("[a] b = 1\n", "containers.conf:1: unexpected 'b' after the table header [a]");
}

TEST(error_duplicate_keys)
{
	parse_fails("[containers]\npids_limit = 1\n\npids_limit = 2\n",
		    "containers.conf:4: duplicate key 'pids_limit' (first defined on line 2)");
	parse_fails("a = 1\n\"a\" = 2\n", "containers.conf:2: duplicate key '\"a\"' (first defined on line 1)");
	parse_fails("t = {x = 1, x = 2}\n", "containers.conf:1: duplicate key 'x' (first defined on line 1)");
	parse_fails("a.b = 1\na.b = 2\n", "containers.conf:2: duplicate key 'a.b' (first defined on line 1)");
}

TEST(error_tables_defined_twice_or_reopened)
{
	parse_fails("[engine]\n[containers]\n[engine]\n",
		    "containers.conf:3: table [engine] defined twice (first on line 1)");
	parse_fails("[a.b]\n[a]\n[a]\n", "containers.conf:3: table [a] defined twice (first on line 2)");
	parse_fails("[fruit]\napple.color = \"red\"\n[fruit.apple]\n",
		    "containers.conf:3: cannot define table [fruit.apple]: already defined as a table (by dotted keys) "
		    "on line 2");
	parse_fails("a = 1\n[a]\n", "containers.conf:2: cannot define table [a]: already defined as a value on line 1");
	parse_fails("[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n", "containers.conf:4: cannot add key 'b.c.t': 'c' is already "
							"defined as a table (by a [table] header) on line 1");
}

TEST(error_inline_tables_and_arrays_are_closed)
{
	parse_fails("p = {x = 1}\n[p]\n",
		    "containers.conf:2: cannot define table [p]: already defined as an inline table on line 1");
	parse_fails(
	    "p = {x = 1}\n[p.q]\n",
	    "containers.conf:2: cannot define table [p.q]: 'p' is already defined as an inline table on line 1");
	parse_fails("p = {x = 1}\np.y = 2\n",
		    "containers.conf:2: cannot add key 'p.y': 'p' is already defined as an inline table on line 1");
	parse_fails("a = []\n[[a]]\n",
		    "containers.conf:2: cannot define array of tables [[a]]: already defined as an array on line 1");
	parse_fails("[[a]]\n[a]\n",
		    "containers.conf:2: cannot define table [a]: already defined as an array of tables on line 1");
	parse_fails("[a]\n[[a]]\n",
		    "containers.conf:2: cannot define array of tables [[a]]: already defined as a table on line 1");
	parse_fails("t = {a = 1,}\n", "containers.conf:1: trailing comma in the inline table for key 't'");
	parse_fails("t = {a = 1\n}\n", "containers.conf:1: expected ',' or '}' in the inline table for key 't', got "
				       "end of line (inline tables must be on one line)");
}

TEST(error_strings)
{
	parse_fails("\n\nseccomp_profile = \"/usr/share/containers/seccomp.json\n",
		    "containers.conf:3: unterminated string (a newline before the closing \")");
	parse_fails("a = 'abc", "containers.conf:1: unterminated string");
	parse_fails("a = \"\"\"\nline\nline\n", "containers.conf:1: unterminated multi-line string");
	parse_fails("a = \"\\x41\"\n", "containers.conf:1: invalid escape sequence '\\x'");
	parse_fails("a = \"\\u12\"\n", "containers.conf:1: \\u needs 4 hex digits");
	parse_fails("a = \"\\uD800\"\n", "containers.conf:1: \\uD800 is not a Unicode scalar value");
	parse_fails("a = \"\\u0000\"\n", "containers.conf:1: \\u0000: NUL is not allowed in strings");
	parse_fails("a = \"tab\tok, bell\a not\"\n",
		    "containers.conf:1: control character U+0007 in a string (write it as an escape)");
	parse_fails("a = \"\"\"x\"\"\"\"\"\"\n",
		    "containers.conf:1: too many quotes (6) at the end of a multi-line string");
	parse_fails("a = \"\xff\"\n", "containers.conf:1: invalid UTF-8");
	parse_fails("a = 1\n# \xc0\xaf overlong\n", "containers.conf:2: invalid UTF-8");
	parse_fails("a = 1 # bell \a\n", "containers.conf:1: control character U+0007 in a comment");
}

TEST(error_numbers)
{
	parse_fails("[containers]\npids_limit = 0123\n",
		    "containers.conf:2: invalid number '0123': leading zeros are not allowed");
	parse_fails("a = 1__000\n", "containers.conf:1: invalid number '1__000'");
	parse_fails("a = 1_\n", "containers.conf:1: invalid number '1_'");
	parse_fails("a = 12abc\n", "containers.conf:1: invalid number '12abc'");
	parse_fails("a = -0x10\n", "containers.conf:1: invalid number '-0x10': no sign is allowed with 0x");
	parse_fails("a = 9223372036854775808\n", "containers.conf:1: integer '9223372036854775808' is out of range");
	parse_fails("a = 0x8000000000000000\n", "containers.conf:1: integer '0x8000000000000000' is out of range");
	parse_fails("a = 1.\n", "containers.conf:1: invalid number '1.': a digit must follow the '.'");
	parse_fails("a = 1e\n", "containers.conf:1: invalid number '1e': bad exponent");
	parse_fails("a = 1e999\n", "containers.conf:1: float '1e999' is out of range");
	parse_fails("a = 1979-05-27\n", "containers.conf:1: dates and times are not supported (key 'a')");
}

TEST(error_values)
{
	parse_fails("[containers]\nuserns = host\n",
		    "containers.conf:2: invalid value 'host' for key 'userns' (strings need quotes)");
	parse_fails("no_hosts = True\n",
		    "containers.conf:1: invalid value 'True' for key 'no_hosts' (strings need quotes)");
	parse_fails("a =\n", "containers.conf:1: missing value for key 'a'");
	parse_fails("a = # nothing\n", "containers.conf:1: expected a value for key 'a', got '#'");
	parse_fails("a = 1 2\n", "containers.conf:1: unexpected '2' after the value of key 'a'");
	parse_fails("a = \"x\" \"y\"\n", "containers.conf:1: unexpected '\"' after the value of key 'a'");
	parse_fails("a = truex\n", "containers.conf:1: invalid value 'truex' for key 'a' (strings need quotes)");
}

TEST(error_arrays)
{
	parse_fails("[containers]\n"
		    "default_capabilities = [\n"
		    "  \"CHOWN\",\n"
		    "  \"KILL\"\n"
		    "  \"SETUID\",\n"
		    "]\n",
		    "containers.conf:5: expected ',' or ']' in the array for key 'default_capabilities', got '\"'");
	parse_fails("env = [\"A=1\",\n\"B=2\"\n", "containers.conf:1: unterminated array for key 'env'");
	parse_fails("a = [,]\n", "containers.conf:1: expected a value for key 'a', got ','");
	parse_fails("a = [1,,2]\n", "containers.conf:1: expected a value for key 'a', got ','");
}

TEST(error_nesting_is_bounded)
{
	char text[300];
	size_t n = 0;
	n += (size_t)snprintf(text, sizeof(text), "a = ");
	for (int i = 0; i < 70; i++)
		text[n++] = '[';
	text[n] = 0;
	parse_fails(text, "containers.conf:1: arrays and inline tables nested more than 64 deep");

	struct toml_doc *doc = NULL;
	char *err = NULL;
	n = 0;
	n += (size_t)snprintf(text, sizeof(text), "a = ");
	for (int i = 0; i < 64; i++)
		text[n++] = '[';
	for (int i = 0; i < 64; i++)
		text[n++] = ']';
	text[n] = 0;
	CHECK(toml_parse(text, "x", &doc, &err) == 0);
	toml_free(doc);
}

TEST(error_on_first_line_and_lone_cr)
{
	parse_fails("a = 1\rb = 2\n",
		    "containers.conf:1: unexpected control character U+000D after the value of key 'a'");
	struct toml_doc *doc = NULL;
	char *err = NULL;
	CHECK(toml_parse("x y\n", NULL, &doc, &err) == -EINVAL);
	CHECK_STREQ(err, "input:1: expected '=' after key 'x', got 'y'");
	free(err);
	/* ret_err may be NULL. */
	CHECK(toml_parse("x y\n", NULL, &doc, NULL) == -EINVAL);
}

TAP_MAIN
