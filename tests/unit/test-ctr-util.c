/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/container/util.c: string vectors and env lists, the json-c accessors, time
 * formats (RFC 3339 with nanoseconds, docker's "Up 5 minutes" wording as go-units has it,
 * Go's Duration.String()), duration and size parsing, and signal names both ways (the
 * real-time ones included, so that a --stop-signal survives the record). */
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "tap.h"

#define NS 1000000000LL

TEST(strv_basics)
{
	char **v = calloc(1, sizeof(char *));
	CHECK(cu_strv_length(v) == 0 && cu_strv_length(NULL) == 0);
	CHECK(cu_strv_append(&v, "a") == 0 && cu_strv_append(&v, "b") == 0 && cu_strv_append(&v, "a") == 0);
	CHECK(cu_strv_consume(&v, strdup("c")) == 0);
	CHECK(cu_strv_consume(&v, NULL) == -ENOMEM);
	CHECK(cu_strv_length(v) == 4);
	CHECK(cu_strv_contains(v, "b") && !cu_strv_contains(v, "z") && !cu_strv_contains(NULL, "a"));
	cu_strv_remove(v, "a"); /* every copy */
	cleanup_free char *j = cu_strv_join(v, ", ");
	CHECK_STREQ(j, "b, c");
	cleanup_strv char **cp = cu_strv_copy_of(v);
	CHECK(cp && cp != v && cu_strv_length(cp) == 2 && cp[0] != v[0]);
	cleanup_strv char **empty = cu_strv_copy_of(NULL);
	CHECK(empty && !empty[0]);
	cleanup_free char *j0 = cu_strv_join(NULL, ",");
	CHECK_STREQ(j0, "");
	cu_strv_free(v);
	cu_strv_free(NULL);
	cu_strv_remove(NULL, "x");
}

TEST(strv_split_keeps_empty_fields)
{
	cleanup_strv char **a = cu_strv_split("a:b::c:", ':');
	cleanup_free char *j = cu_strv_join(a, "|");
	CHECK_STREQ(j, "a|b||c|");
	CHECK(cu_strv_length(a) == 5);
	cleanup_strv char **b = cu_strv_split("", ':');
	CHECK(b && cu_strv_length(b) == 1 && STREQ(b[0], ""));
}

TEST(env_set_replaces_by_name)
{
	char **e = calloc(1, sizeof(char *));
	CHECK(cu_strv_env_set(&e, "A=1") == 0);
	CHECK(cu_strv_env_set(&e, "AB=2") == 0);
	CHECK(cu_strv_env_set(&e, "A=3") == 0); /* replaces A, not AB */
	CHECK(cu_strv_env_set(&e, "B=") == 0);
	CHECK(cu_strv_env_set(&e, "C=x=y") == 0);
	cleanup_free char *j = cu_strv_join(e, " ");
	CHECK_STREQ(j, "A=3 AB=2 B= C=x=y");
	CHECK_STREQ(cu_strv_env_get(e, "A"), "3");
	CHECK_STREQ(cu_strv_env_get(e, "AB"), "2");
	CHECK_STREQ(cu_strv_env_get(e, "B"), "");
	CHECK_STREQ(cu_strv_env_get(e, "C"), "x=y");
	CHECK(cu_strv_env_get(e, "Z") == NULL);
	CHECK(cu_strv_env_get(e, "") == NULL);
	CHECK(cu_strv_env_get(NULL, "A") == NULL);
	cu_strv_free(e);
}

TEST(json_accessors)
{
	cleanup_json json_object *o = json_tokener_parse(
	    "{\"s\":\"str\",\"n\":42,\"big\":9007199254740993,\"b\":true,\"a\":[\"x\",1,\"y\",null],\"o\":{}}");
	CHECK(o != NULL);
	CHECK_STREQ(ju_str(o, "s"), "str");
	CHECK(ju_str(o, "n") == NULL); /* not a string */
	CHECK(ju_str(o, "missing") == NULL && ju_str(NULL, "s") == NULL);
	CHECK(ju_int64(o, "n") == 42 && ju_int64(o, "missing") == 0);
	CHECK(ju_int64(o, "big") == 9007199254740993LL);
	CHECK(ju_bool(o, "b") && !ju_bool(o, "missing"));
	cleanup_strv char **a = ju_dup_strv(o, "a");
	cleanup_free char *j = cu_strv_join(a, "|");
	CHECK_STREQ(j, "x|y"); /* non-strings dropped */
	CHECK(ju_dup_strv(o, "s") == NULL && ju_dup_strv(o, "missing") == NULL);
	cleanup_free char *d = ju_dup_str(o, "s");
	CHECK_STREQ(d, "str");
	/* ju_obj/ju_arr reuse what is there, create what is not (or of the wrong type). */
	json_object *x = ju_obj(o, "o");
	CHECK(x == ju_obj(o, "o"));
	json_object *y = ju_obj(o, "s");
	CHECK(json_object_is_type(y, json_type_object));
	json_object *z = ju_arr(o, "a");
	CHECK(json_object_array_length(z) == 4);
	CHECK(json_object_is_type(ju_arr(o, "new"), json_type_array));
	ju_add_str(o, "skipped", NULL);
	CHECK(!json_object_object_get_ex(o, "skipped", NULL));
	ju_add_strv(o, "v", NULL);
	CHECK(json_object_array_length(ju_arr(o, "v")) == 0);
}

TEST(rfc3339_with_nanoseconds)
{
	char b[64];
	cu_fmt_rfc3339(0, b);
	CHECK_STREQ(b, "1970-01-01T00:00:00.000000000Z");
	cu_fmt_rfc3339(1714564800LL * NS + 123456789, b);
	CHECK_STREQ(b, "2024-05-01T12:00:00.123456789Z");
	cu_fmt_rfc3339(1714564800LL * NS + 5, b);
	CHECK_STREQ(b, "2024-05-01T12:00:00.000000005Z");
}

static void check_human(int64_t ns, const char *want)
{
	char b[64];
	cu_fmt_human_duration(ns, b);
	if (strcmp(b, want) != 0) {
		printf("#   %lld ns: '%s', expected '%s'\n", (long long)ns, b, want);
		tap_cur_failed = 1;
	}
}

/* github.com/docker/go-units HumanDuration, which docker and podman print in ps. */
TEST(human_duration_as_go_units)
{
	const int64_t H = 3600 * NS, D = 24 * H;
	check_human(0, "Less than a second");
	check_human(NS - 1, "Less than a second");
	check_human(NS, "1 second");
	check_human(59 * NS, "59 seconds");
	check_human(60 * NS, "About a minute");
	check_human(119 * NS, "About a minute");
	check_human(120 * NS, "2 minutes");
	check_human(59 * 60 * NS, "59 minutes");
	check_human(H, "About an hour");
	check_human(H + 29 * 60 * NS, "About an hour");
	check_human(H + 30 * 60 * NS, "2 hours"); /* hours are rounded */
	check_human(47 * H, "47 hours");
	check_human(47 * H + 30 * 60 * NS, "2 days"); /* 48 rounded hours */
	check_human(13 * D, "13 days");
	check_human(14 * D, "2 weeks");
	check_human(59 * D, "8 weeks");
	check_human(60 * D, "2 months");
	check_human(89 * D, "2 months");
	check_human(729 * D, "24 months");
	check_human(730 * D, "2 years");
	check_human(3650 * D, "10 years");
}

static void check_go(int64_t ns, const char *want)
{
	char b[64];
	cu_fmt_go_duration(ns, b);
	if (strcmp(b, want) != 0) {
		printf("#   %lld ns: '%s', expected '%s'\n", (long long)ns, b, want);
		tap_cur_failed = 1;
	}
}

TEST(go_duration_string)
{
	check_go(0, "0s");
	check_go(1, "1ns");
	check_go(999, "999ns");
	check_go(1000, "1\xc2\xb5s");
	check_go(1500, "1.5\xc2\xb5s");
	check_go(350 * 1000000LL, "350ms");
	check_go(1234567, "1.234567ms");
	check_go(NS, "1s");
	check_go(70 * NS + NS / 2, "1m10.5s");
	check_go(3600 * NS, "1h0m0s");
	check_go(3661 * NS + 1, "1h1m1.000000001s");
	check_go(-1500 * 1000000LL, "-1.5s");
	check_go(100 * 3600 * NS, "100h0m0s");
}

static void check_dur(const char *s, double want)
{
	double v = -1;
	int r = cu_parse_duration_seconds(s, &v);
	if (want < 0) {
		if (r != -EINVAL) {
			printf("#   '%s' parsed (%g), expected -EINVAL\n", s, v);
			tap_cur_failed = 1;
		}
	} else if (r != 0 || v < want - 1e-9 || v > want + 1e-9) {
		printf("#   '%s': r=%d v=%g, expected %g\n", s, r, v, want);
		tap_cur_failed = 1;
	}
}

TEST(parse_duration_seconds)
{
	check_dur("10", 10);
	check_dur("1.5s", 1.5);
	check_dur("100ms", 0.1);
	check_dur("2m", 120);
	check_dur("1h", 3600);
	check_dur("0", 0);
	check_dur("", -1);
	check_dur("s", -1);
	check_dur("-1", -1);
	check_dur("5x", -1);
	check_dur("5 s", -1);
	check_dur("nan", -1);
	check_dur("1d", -1);
}

static void check_size(const char *s, int64_t want, int want_r)
{
	int64_t v = -7;
	int r = cu_parse_size(s, &v);
	if (r != want_r || (r == 0 && v != want)) {
		printf("#   '%s': r=%d v=%lld, expected r=%d v=%lld\n", s, r, (long long)v, want_r, (long long)want);
		tap_cur_failed = 1;
	}
}

TEST(parse_size)
{
	check_size("1024", 1024, 0);
	check_size("0", 0, 0);
	check_size("100b", 100, 0);
	check_size("1k", 1024, 0);
	check_size("512m", 512LL << 20, 0);
	check_size("512M", 512LL << 20, 0);
	check_size("1g", 1LL << 30, 0);
	check_size("1.5GiB", 3LL << 29, 0);
	check_size("2gb", 2LL << 30, 0);
	check_size("1t", 1LL << 40, 0);
	check_size("", 0, -EINVAL);
	check_size("m", 0, -EINVAL);
	check_size("-1m", 0, -EINVAL);
	check_size("1x", 0, -EINVAL);
	check_size("1mm", 0, -EINVAL);
	check_size("1bb", 0, -EINVAL);
	check_size("nan", 0, -EINVAL);
	check_size("99999999t", 0, -ERANGE);
}

TEST(signal_names_both_ways)
{
	CHECK(cu_signal_parse("TERM") == SIGTERM);
	CHECK(cu_signal_parse("SIGTERM") == SIGTERM);
	CHECK(cu_signal_parse("sigterm") == SIGTERM);
	CHECK(cu_signal_parse("15") == 15);
	CHECK(cu_signal_parse("9") == SIGKILL);
	CHECK(cu_signal_parse("SIGQUIT") == SIGQUIT);
	CHECK(cu_signal_parse("WINCH") == SIGWINCH);
	CHECK(cu_signal_parse("0") == -EINVAL);
	CHECK(cu_signal_parse("-9") == -EINVAL);
	CHECK(cu_signal_parse("65") == -EINVAL);
	CHECK(cu_signal_parse("") == -EINVAL);
	CHECK(cu_signal_parse("SIG") == -EINVAL);
	CHECK(cu_signal_parse("TERMX") == -EINVAL);
	CHECK(cu_signal_parse("SIGNOPE") == -EINVAL);
	CHECK_STREQ(cu_signal_name(SIGTERM), "SIGTERM");
	CHECK_STREQ(cu_signal_name(SIGKILL), "SIGKILL");
	CHECK(cu_signal_name(0) == NULL);
	/* Every named signal's name parses back to it. */
	for (int s = 1; s < SIGRTMIN; s++) {
		const char *n = cu_signal_name(s);
		if (n)
			CHECK(cu_signal_parse(n) == s);
	}
}

/* Real-time signals: RTMIN, RTMIN+N, RTMAX-N, RTMAX (as docker names them); nothing
 * outside SIGRTMIN..SIGRTMAX, no junk after the name. */
TEST(realtime_signals)
{
	CHECK(cu_signal_parse("RTMIN") == SIGRTMIN);
	CHECK(cu_signal_parse("SIGRTMIN+3") == SIGRTMIN + 3);
	CHECK(cu_signal_parse("RTMAX") == SIGRTMAX);
	CHECK(cu_signal_parse("SIGRTMAX-2") == SIGRTMAX - 2);
	CHECK(cu_signal_parse("RTMIN+0") == SIGRTMIN);
	char buf[32];
	snprintf(buf, sizeof(buf), "RTMIN+%d", SIGRTMAX - SIGRTMIN);
	CHECK(cu_signal_parse(buf) == SIGRTMAX);
	snprintf(buf, sizeof(buf), "RTMIN+%d", SIGRTMAX - SIGRTMIN + 1);
	CHECK(cu_signal_parse(buf) == -EINVAL);
	CHECK(cu_signal_parse("RTMIN+-5") == -EINVAL);
	CHECK(cu_signal_parse("RTMIN-1") == -EINVAL);
	CHECK(cu_signal_parse("RTMINX") == -EINVAL);
	CHECK(cu_signal_parse("RTMIN+") == -EINVAL);
	CHECK(cu_signal_parse("RTMIN+2x") == -EINVAL);
	CHECK(cu_signal_parse("RTMAX+1") == -EINVAL);
	/* The name of each parses back to the same number (the record keeps names). */
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++) {
		const char *n = cu_signal_name(s);
		CHECK(n != NULL);
		if (n && cu_signal_parse(n) != s) {
			printf("#   %d -> '%s' -> %d\n", s, n, cu_signal_parse(n));
			tap_cur_failed = 1;
		}
	}
	snprintf(buf, sizeof(buf), "%d", SIGRTMIN + 1);
	CHECK(cu_signal_parse(buf) == SIGRTMIN + 1);
}

TAP_MAIN
