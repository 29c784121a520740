/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/container/ctrcaps.c: capability names as users spell them (ctr_cap_normalize) and
 * Docker's --cap-add/--cap-drop rules (ctr_caps_compute): ALL in add = every capability we
 * hold minus the drops, ALL in drop = only the adds, otherwise (base - drop) + add, with an
 * add winning over a drop of the same name; unknown names are -EINVAL naming the offender. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "engine/container/spec.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "runtime/caps.h"
#include "tap.h"

/* "A,B,C" of a strv, for comparisons (static buffer). */
static const char *joined(char *const *v)
{
	static char buf[4096];
	cleanup_free char *s = cu_strv_join(v, ",");
	snprintf(buf, sizeof(buf), "%s", s ? s : "(oom)");
	return buf;
}

static void check_norm(const char *in, const char *want)
{
	cleanup_free char *got = ctr_cap_normalize(in);
	if (want)
		CHECK_STREQ(got, want);
	else if (got) {
		printf("#   ctr_cap_normalize('%s') = '%s', expected NULL\n", in, got);
		tap_cur_failed = 1;
	}
}

TEST(normalize_accepts_every_spelling)
{
	check_norm("net_admin", "CAP_NET_ADMIN");
	check_norm("NET_ADMIN", "CAP_NET_ADMIN");
	check_norm("CAP_NET_ADMIN", "CAP_NET_ADMIN");
	check_norm("cap_net_admin", "CAP_NET_ADMIN");
	check_norm("Cap_Net_Admin", "CAP_NET_ADMIN");
	check_norm("chown", "CAP_CHOWN");
	check_norm("checkpoint_restore", "CAP_CHECKPOINT_RESTORE");
}

TEST(normalize_rejects_unknown_and_odd_names)
{
	check_norm("", NULL);
	check_norm("CAP_", NULL);
	check_norm("FOO", NULL);
	check_norm("CAP_FOO", NULL);
	check_norm("ALL", NULL); /* a keyword of add/drop, not a capability */
	check_norm("CAP_CAP_CHOWN", NULL);
	check_norm(" chown", NULL);
	check_norm("chown ", NULL);
	check_norm("net-admin", NULL);
	/* Longer than any name: refused without touching memory past the buffer. */
	char longname[300];
	memset(longname, 'A', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	check_norm(longname, NULL);
	check_norm("CAP_NET_ADMIN_AND_THEN_SOME_MORE_LETTERS_UNTIL_THE_BUFFER_IS_FULL", NULL);
}

static char *base3[] = {"CAP_CHOWN", "CAP_KILL", "CAP_SETUID", NULL};

TEST(no_add_no_drop_is_the_base)
{
	char **out = NULL;
	const char *bad = NULL;
	CHECK(ctr_caps_compute(base3, NULL, NULL, &out, &bad) == 0);
	CHECK_STREQ(joined(out), "CAP_CHOWN,CAP_KILL,CAP_SETUID");
	CHECK(out != base3);
	cu_strv_free(out);

	char *empty[] = {NULL};
	CHECK(ctr_caps_compute(base3, empty, empty, &out, &bad) == 0);
	CHECK_STREQ(joined(out), "CAP_CHOWN,CAP_KILL,CAP_SETUID");
	cu_strv_free(out);

	CHECK(ctr_caps_compute(NULL, NULL, NULL, &out, &bad) == 0);
	CHECK(out && !out[0]);
	cu_strv_free(out);
}

TEST(base_minus_drop_plus_add)
{
	char *add[] = {"net_admin", "CAP_SYS_PTRACE", NULL};
	char *drop[] = {"kill", NULL};
	char **out = NULL;
	const char *bad = NULL;
	CHECK(ctr_caps_compute(base3, add, drop, &out, &bad) == 0);
	CHECK_STREQ(joined(out), "CAP_CHOWN,CAP_SETUID,CAP_NET_ADMIN,CAP_SYS_PTRACE");
	cu_strv_free(out);
}

TEST(adding_a_cap_already_there_does_not_duplicate_it)
{
	char *add[] = {"chown", "CAP_CHOWN", "Chown", "net_raw", "NET_RAW", NULL};
	char **out = NULL;
	const char *bad = NULL;
	CHECK(ctr_caps_compute(base3, add, NULL, &out, &bad) == 0);
	CHECK_STREQ(joined(out), "CAP_CHOWN,CAP_KILL,CAP_SETUID,CAP_NET_RAW");
	cu_strv_free(out);
}

TEST(dropping_a_cap_not_in_the_base_is_fine)
{
	char *drop[] = {"sys_admin", NULL};
	char **out = NULL;
	const char *bad = NULL;
	CHECK(ctr_caps_compute(base3, NULL, drop, &out, &bad) == 0);
	CHECK_STREQ(joined(out), "CAP_CHOWN,CAP_KILL,CAP_SETUID");
	cu_strv_free(out);
}

/* Docker: drops apply to the base, then adds are appended: naming one in both keeps it. */
TEST(add_wins_over_drop_of_the_same_cap)
{
	char *add[] = {"KILL", "NET_ADMIN", NULL};
	char *drop[] = {"CAP_KILL", "net_admin", NULL};
	char **out = NULL;
	const char *bad = NULL;
	CHECK(ctr_caps_compute(base3, add, drop, &out, &bad) == 0);
	CHECK_STREQ(joined(out), "CAP_CHOWN,CAP_SETUID,CAP_KILL,CAP_NET_ADMIN");
	cu_strv_free(out);
}

/* Every capability of this kernel that our bounding set holds, in number order. */
TEST(caps_all_is_our_bounding_set)
{
	cleanup_strv char **all = ctr_caps_all();
	CHECK(all != NULL);
	size_t n = 0;
	int prev = -1;
	for (int i = 0; i <= caps_last_cap(); i++)
		if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1 && caps_to_name(i))
			n++;
	CHECK(cu_strv_length(all) == n);
	for (size_t i = 0; all && all[i]; i++) {
		int c = caps_from_name(all[i]);
		CHECK(c > prev);
		CHECK(prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1);
		prev = c;
	}
}

TEST(add_all_is_every_cap_minus_drops)
{
	cleanup_strv char **all = ctr_caps_all();
	char *add[] = {"ALL", NULL};
	char *drop[] = {"sys_admin", "CAP_NET_RAW", NULL};
	char **out = NULL;
	const char *bad = NULL;
	CHECK(ctr_caps_compute(base3, add, NULL, &out, &bad) == 0);
	CHECK_STREQ(joined(out), joined(all));
	cu_strv_free(out);

	CHECK(ctr_caps_compute(base3, add, drop, &out, &bad) == 0);
	size_t want =
	    cu_strv_length(all) - cu_strv_contains(all, "CAP_SYS_ADMIN") - cu_strv_contains(all, "CAP_NET_RAW");
	CHECK(cu_strv_length(out) == want);
	CHECK(!cu_strv_contains(out, "CAP_SYS_ADMIN"));
	CHECK(!cu_strv_contains(out, "CAP_NET_RAW"));
	for (size_t i = 0; all && all[i]; i++)
		if (!STREQ(all[i], "CAP_SYS_ADMIN") && !STREQ(all[i], "CAP_NET_RAW"))
			CHECK(cu_strv_contains(out, all[i]));
	cu_strv_free(out);

	/* "all" and "cap_all" in any case; with other names next to it. */
	char *add2[] = {"net_admin", "all", NULL};
	CHECK(ctr_caps_compute(NULL, add2, NULL, &out, &bad) == 0);
	CHECK_STREQ(joined(out), joined(all));
	cu_strv_free(out);
	char *add3[] = {"Cap_All", NULL};
	CHECK(ctr_caps_compute(NULL, add3, NULL, &out, &bad) == 0);
	CHECK_STREQ(joined(out), joined(all));
	cu_strv_free(out);
}

TEST(drop_all_keeps_only_the_adds)
{
	char *add[] = {"net_bind_service", "chown", "NET_BIND_SERVICE", NULL};
	char *drop[] = {"ALL", NULL};
	char **out = NULL;
	const char *bad = NULL;
	CHECK(ctr_caps_compute(base3, add, drop, &out, &bad) == 0);
	CHECK_STREQ(joined(out), "CAP_NET_BIND_SERVICE,CAP_CHOWN");
	cu_strv_free(out);

	CHECK(ctr_caps_compute(base3, NULL, drop, &out, &bad) == 0);
	CHECK(out && !out[0]);
	cu_strv_free(out);

	/* The drop list's other names do not matter once ALL is there. */
	char *drop2[] = {"chown", "cap_all", NULL};
	CHECK(ctr_caps_compute(base3, add, drop2, &out, &bad) == 0);
	CHECK_STREQ(joined(out), "CAP_NET_BIND_SERVICE,CAP_CHOWN");
	cu_strv_free(out);
}

/* Docker checks add first: ALL in both is everything. */
TEST(all_in_add_and_drop_is_everything)
{
	cleanup_strv char **all = ctr_caps_all();
	char *add[] = {"ALL", NULL};
	char *drop[] = {"ALL", NULL};
	char **out = NULL;
	const char *bad = NULL;
	CHECK(ctr_caps_compute(base3, add, drop, &out, &bad) == 0);
	CHECK_STREQ(joined(out), joined(all));
	cu_strv_free(out);
}

TEST(unknown_names_are_einval_naming_the_offender)
{
	char *add[] = {"chown", "CAP_BOGUS", NULL};
	char *drop[] = {"kill", "nope", NULL};
	char *good[] = {"kill", NULL};
	char **out = (char **)0x1;
	const char *bad = NULL;
	CHECK(ctr_caps_compute(base3, add, good, &out, &bad) == -EINVAL);
	CHECK(bad == add[1]);
	CHECK(out == (char **)0x1); /* not written on failure */
	bad = NULL;
	CHECK(ctr_caps_compute(base3, good, drop, &out, &bad) == -EINVAL);
	CHECK(bad == drop[1]);
	CHECK(out == (char **)0x1);
	/* An unknown name next to ALL is still an error (ALL does not hide a typo). */
	char *add_all[] = {"ALL", "net_admn", NULL};
	bad = NULL;
	CHECK(ctr_caps_compute(base3, add_all, NULL, &out, &bad) == -EINVAL);
	CHECK(bad == add_all[1]);
	char *drop_all[] = {"ALL", "", NULL};
	bad = NULL;
	CHECK(ctr_caps_compute(base3, NULL, drop_all, &out, &bad) == -EINVAL);
	CHECK(bad == drop_all[1]);
	CHECK(out == (char **)0x1);
}

TAP_MAIN
