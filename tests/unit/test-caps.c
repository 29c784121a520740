/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/log.h"
#include "runtime/caps.h"
#include "tap.h"

TEST(name_number_round_trip)
{
	for (int c = 0; c <= 40; c++) {
		const char *n = caps_to_name(c);
		CHECK(n != NULL);
		if (n)
			CHECK(caps_from_name(n) == c);
	}
	CHECK(caps_from_name("CAP_CHOWN") == 0);
	CHECK(caps_from_name("CAP_SYS_ADMIN") == 21);
	CHECK(caps_from_name("CAP_CHECKPOINT_RESTORE") == 40);
	CHECK_STREQ(caps_to_name(10), "CAP_NET_BIND_SERVICE");
	CHECK_STREQ(caps_to_name(39), "CAP_BPF");
}

TEST(unknown_names_and_numbers)
{
	CHECK(caps_to_name(-1) == NULL);
	CHECK(caps_to_name(41) == NULL);
	CHECK(caps_from_name("CAP_FOO") == -ENOENT);
	CHECK(caps_from_name("cap_chown") == -ENOENT); /* case-sensitive, as the spec writes them */
	CHECK(caps_from_name("CHOWN") == -ENOENT);
	CHECK(caps_from_name("") == -ENOENT);
	CHECK(caps_from_name(NULL) == -ENOENT);
}

TEST(last_cap_matches_proc)
{
	char *s = NULL;
	int last = caps_last_cap();
	CHECK(last >= 36 && last < 64);
	if (fs_read_file_at(-100 /* AT_FDCWD */, "/proc/sys/kernel/cap_last_cap", 0, &s, NULL) >= 0) {
		CHECK(atoi(s) == last);
		free(s);
	}
	CHECK(caps_last_cap() == last); /* cached */
}

TEST(mask_from_strv)
{
	char *names[] = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_KILL", NULL};
	char *bad_names[] = {"CAP_CHOWN", "CAP_FOO", NULL};
	uint64_t m = 0xdead;
	const char *bad = NULL;

	CHECK(caps_mask_from_strv(names, &m, &bad) == 0);
	CHECK(m == ((1ULL << 0) | (1ULL << 5) | (1ULL << 10)));

	CHECK(caps_mask_from_strv(NULL, &m, &bad) == 0);
	CHECK(m == 0);

	m = 0xdead;
	CHECK(caps_mask_from_strv(bad_names, &m, &bad) == -EINVAL);
	CHECK_STREQ(bad, "CAP_FOO");
	CHECK(bad == bad_names[1]); /* points into names */
	CHECK(m == 0xdead);	    /* untouched on failure */
}

TEST(mask_of_every_known_cap)
{
	char *all[42];
	uint64_t m = 0;
	int last = caps_last_cap();
	for (int c = 0; c <= 40; c++)
		all[c] = (char *)caps_to_name(c);
	all[41] = NULL;
	CHECK(caps_mask_from_strv(all, &m, NULL) == 0);
	/* Names the kernel is too old for are dropped (with a warning). */
	uint64_t want = last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
	if (last > 40)
		want = (1ULL << 41) - 1;
	CHECK(m == want);
}

TEST(validate_names_the_set_and_the_cap)
{
	char *ok[] = {"CAP_KILL", NULL};
	char *bad[] = {"CAP_KILL", "CAP_FOO", NULL};
	struct oci_capabilities c = {.bounding = ok, .effective = bad, .permitted = ok};

	log_set_capture(true);
	CHECK(caps_validate(&c) == -EINVAL);
	CHECK_STREQ(log_captured(), "process.capabilities.effective: unknown capability 'CAP_FOO'");

	c = (struct oci_capabilities){.bounding = ok, .ambient = bad};
	CHECK(caps_validate(&c) == -EINVAL);
	CHECK_STREQ(log_captured(), "process.capabilities.ambient: unknown capability 'CAP_FOO'");

	c = (struct oci_capabilities){.bounding = ok, .effective = ok, .permitted = ok};
	CHECK(caps_validate(&c) == 0);
	CHECK(caps_validate(&(struct oci_capabilities){}) == 0);
	log_set_capture(false);
}

TEST(validate_kernel_rules)
{
	char *kill[] = {"CAP_KILL", NULL};
	char *none[] = {NULL};
	struct oci_capabilities c = {.effective = kill, .permitted = none};

	log_set_capture(true);
	CHECK(caps_validate(&c) == -EINVAL);
	CHECK_STREQ(log_captured(), "process.capabilities.effective: CAP_KILL must also be in permitted");

	/* runc-compatible: an ambient cap outside inheritable is a warning, not an error. */
	c = (struct oci_capabilities){.permitted = kill, .ambient = kill};
	CHECK(caps_validate(&c) == 0);

	c = (struct oci_capabilities){.permitted = kill, .inheritable = kill, .ambient = kill};
	CHECK(caps_validate(&c) == 0);
	log_set_capture(false);
}

static uint64_t status_mask(const char *key)
{
	char *s = NULL, *p;
	uint64_t v = ~0ULL;
	if (fs_read_file_at(-100, "/proc/self/status", 0, &s, NULL) < 0)
		return v;
	p = strstr(s, key);
	if (p)
		v = strtoull(p + strlen(key), NULL, 16);
	free(s);
	return v;
}

static bool have_setpcap(void)
{
	return status_mask("CapEff:\t") & (1ULL << CAP_SETPCAP);
}

/* Runs fn in a child; returns its exit status (or 128+signal). */
static int in_child(int (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn());
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int child_apply_sets(void)
{
	char *bnd[] = {"CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETPCAP", NULL};
	char *prm[] = {"CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};
	char *eff[] = {"CAP_KILL", NULL};
	char *amb[] = {"CAP_NET_BIND_SERVICE", NULL};
	struct oci_capabilities c = {
	    .bounding = bnd,
	    .effective = eff,
	    .permitted = prm,
	    .inheritable = amb,
	    .ambient = amb,
	};
	if (caps_drop_bounding(&c) < 0)
		return 10;
	if (caps_apply(&c) < 0)
		return 11;
	if (status_mask("CapBnd:\t") != ((1ULL << 5) | (1ULL << 10) | (1ULL << 8)))
		return 12;
	if (status_mask("CapPrm:\t") != ((1ULL << 5) | (1ULL << 10)))
		return 13;
	if (status_mask("CapEff:\t") != (1ULL << 5))
		return 14;
	if (status_mask("CapInh:\t") != (1ULL << 10))
		return 15;
	if (status_mask("CapAmb:\t") != (1ULL << 10))
		return 16;
	/* Dropping again, with nothing left to drop, needs no CAP_SETPCAP. */
	if (caps_drop_bounding(&c) < 0)
		return 17;
	return 0;
}

TEST(apply_sets_in_child)
{
	if (!have_setpcap()) {
		printf("# skip: needs CAP_SETPCAP\n");
		return;
	}
	CHECK(in_child(child_apply_sets) == 0);
}

static int child_ambient_needs_inheritable(void)
{
	char *kill[] = {"CAP_KILL", NULL};
	struct oci_capabilities c = {.effective = kill, .permitted = kill, .ambient = kill};
	if (caps_apply(&c) != 0)
		return 1;
	/* Not raised: the kernel requires it in inheritable too. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, (unsigned long)caps_from_name("CAP_KILL"), 0, 0) != 0)
		return 2;
	return 0;
}

TEST(ambient_not_inheritable_is_not_raised)
{
	CHECK(in_child(child_ambient_needs_inheritable) == 0);
}

static int child_cannot_grant_unheld(void)
{
	char *sysadm[] = {"CAP_SYS_ADMIN", NULL};
	struct oci_capabilities drop = {};
	struct oci_capabilities grant = {.effective = sysadm, .permitted = sysadm};
	if (caps_apply(&drop) < 0)
		return 1;
	log_set_capture(true);
	if (caps_apply(&grant) != -EPERM)
		return 2;
	if (!strstr(log_captured(), "process.capabilities.permitted: CAP_SYS_ADMIN is not held"))
		return 3;
	return 0;
}

TEST(cannot_grant_caps_not_held)
{
	CHECK(in_child(child_cannot_grant_unheld) == 0);
}

TAP_MAIN
