/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A tiny TAP unit-test harness. Each test file:
 *
 *   #include "tap.h"
 *   TEST(parses_minimal_config) { ... CHECK(x == 1); CHECK_STREQ(s, "a"); }
 *   TAP_MAIN
 *
 * Tests register themselves (constructor); TAP_MAIN runs them in file order and prints
 * "ok N - name" / "not ok N - name", one line per TEST. Exit status is 1 if any failed.
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tap_test {
	const char *name;
	void (*fn)(void);
};

extern struct tap_test tap_tests[512];
extern int tap_n_tests;
extern int tap_cur_failed;

#define TEST(name)                                                                                 \
	static void test_##name(void);                                                             \
	__attribute__((constructor)) static void register_##name(void)                            \
	{                                                                                          \
		tap_tests[tap_n_tests++] = (struct tap_test){ #name, test_##name };                \
	}                                                                                          \
	static void test_##name(void)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);            \
			tap_cur_failed = 1;                                                        \
		}                                                                                  \
	} while (0)

#define CHECK_STREQ(a, b)                                                                          \
	do {                                                                                       \
		const char *tap_a_ = (a), *tap_b_ = (b);                                           \
		if (!tap_a_ || !tap_b_ || strcmp(tap_a_, tap_b_) != 0) {                           \
			printf("#   %s:%d: '%s' != '%s'\n", __FILE__, __LINE__,                        \
			       tap_a_ ? tap_a_ : "(null)", tap_b_ ? tap_b_ : "(null)");            \
			tap_cur_failed = 1;                                                        \
		}                                                                                  \
	} while (0)

/* substring check, for error messages */
#define CHECK_CONTAINS(hay, needle)                                                                \
	do {                                                                                       \
		const char *tap_h_ = (hay), *tap_n_ = (needle);                                    \
		if (!tap_h_ || !strstr(tap_h_, tap_n_)) {                                          \
			printf("#   %s:%d: '%s' does not contain '%s'\n", __FILE__, __LINE__,          \
			       tap_h_ ? tap_h_ : "(null)", tap_n_);                                \
			tap_cur_failed = 1;                                                        \
		}                                                                                  \
	} while (0)

#define TAP_MAIN                                                                                   \
	struct tap_test tap_tests[512];                                                            \
	int tap_n_tests;                                                                           \
	int tap_cur_failed;                                                                        \
	int main(void)                                                                             \
	{                                                                                          \
		int failed = 0;                                                                    \
		printf("1..%d\n", tap_n_tests);                                                    \
		for (int i = 0; i < tap_n_tests; i++) {                                            \
			tap_cur_failed = 0;                                                        \
			tap_tests[i].fn();                                                         \
			printf("%sok %d - %s\n", tap_cur_failed ? "not " : "", i + 1,              \
			       tap_tests[i].name);                                                 \
			failed |= tap_cur_failed;                                                  \
			fflush(stdout);                                                            \
		}                                                                                  \
		return failed;                                                                     \
	}
