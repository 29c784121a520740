/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runtime/lsm: LSM detection parsing, the label checks against a given set of active LSMs
 * (optional annotation included), and the context="…" mount option (no root needed). */
#include <errno.h>
#include <stdlib.h>

#include "lib/cleanup.h"
#include "runtime/lsm.h"
#include "tap.h"

TEST(lsm_list_parses_securityfs_names)
{
	CHECK(lsm_parse_list("lockdown,capability,landlock,yama,apparmor\n") == (LSM_LANDLOCK | LSM_APPARMOR));
	CHECK(lsm_parse_list("capability,selinux") == LSM_SELINUX);
	CHECK(lsm_parse_list("capability,smack,bpf\n") == LSM_SMACK);
	CHECK(lsm_parse_list("") == 0);
	CHECK(lsm_parse_list(NULL) == 0);
	/* Whole names only: a prefix or a longer name is not the LSM. */
	CHECK(lsm_parse_list("apparmo,selinuxx,xlandlock") == 0);
	CHECK(lsm_parse_list(",,apparmor,,") == LSM_APPARMOR);
}

TEST(lsm_ids_from_lsm_list_modules)
{
	uint64_t ids[] = {108, 100, 110, 109}; /* lockdown, capability, landlock, bpf */
	uint64_t ids2[] = {100, 101, 104};     /* capability, selinux, apparmor */

	CHECK(lsm_from_ids(ids, 4) == LSM_LANDLOCK);
	CHECK(lsm_from_ids(ids2, 3) == (LSM_SELINUX | LSM_APPARMOR));
	CHECK(lsm_from_ids(ids, 0) == 0);
}

TEST(lsm_detect_returns_known_bits_only)
{
	unsigned m = lsm_detect();
	CHECK((m & ~(unsigned)(LSM_APPARMOR | LSM_SELINUX | LSM_SMACK | LSM_LANDLOCK)) == 0);
}

static struct oci_annotation optional_true = {(char *)LSM_OPTIONAL_ANNOTATION, (char *)"true"};
static struct oci_annotation optional_bad = {(char *)LSM_OPTIONAL_ANNOTATION, (char *)"yes"};

TEST(lsm_plan_requires_the_lsm_unless_optional)
{
	struct oci_process p = {.apparmor_profile = (char *)"kk-profile"};
	struct oci_spec spec = {.process = &p};
	struct lsm_plan plan;

	/* Active: the profile is kept for writing. */
	CHECK(lsm_plan_make(&spec, &p, true, LSM_APPARMOR, &plan) == 0);
	CHECK_STREQ(plan.apparmor_profile, "kk-profile");
	/* Not active: an error, not silently unconfined. */
	CHECK(lsm_plan_make(&spec, &p, true, LSM_SELINUX, &plan) == -EOPNOTSUPP);
	/* Optional: a warning and nothing to write. */
	spec.annotations = &optional_true;
	spec.n_annotations = 1;
	CHECK(lsm_plan_make(&spec, &p, true, 0, &plan) == 0);
	CHECK(plan.apparmor_profile == NULL);
	/* The annotation's value is checked. */
	spec.annotations = &optional_bad;
	CHECK(lsm_plan_make(&spec, &p, true, LSM_APPARMOR, &plan) == -EINVAL);
}

TEST(lsm_plan_unconfined_apparmor_without_apparmor_is_fine)
{
	struct oci_process p = {.apparmor_profile = (char *)"unconfined"};
	struct oci_spec spec = {.process = &p};
	struct lsm_plan plan;

	CHECK(lsm_plan_make(&spec, &p, true, 0, &plan) == 0);
	CHECK(plan.apparmor_profile == NULL);
}

TEST(lsm_plan_selinux_labels)
{
	struct oci_process p = {.selinux_label = (char *)"system_u:system_r:container_t:s0:c1,c2"};
	struct oci_spec spec = {.process = &p,
				.linux_ = {.mount_label = (char *)"system_u:object_r:container_file_t:s0"}};
	struct lsm_plan plan;

	CHECK(lsm_plan_make(&spec, &p, true, LSM_SELINUX, &plan) == 0);
	CHECK_STREQ(plan.selinux_label, "system_u:system_r:container_t:s0:c1,c2");
	CHECK_STREQ(plan.mount_label, "system_u:object_r:container_file_t:s0");
	/* exec does not mount: the mount label is not looked at. */
	CHECK(lsm_plan_make(&spec, &p, false, LSM_SELINUX, &plan) == 0);
	CHECK(plan.mount_label == NULL);
	/* mountLabel alone on a host without SELinux is an error too. */
	p.selinux_label = NULL;
	CHECK(lsm_plan_make(&spec, &p, true, LSM_APPARMOR, &plan) == -EOPNOTSUPP);
	CHECK(lsm_plan_make(&spec, &p, false, LSM_APPARMOR, &plan) == 0);
	/* A newline would let a label smuggle a second attribute line. */
	p.selinux_label = (char *)"a\nb";
	CHECK(lsm_plan_make(&spec, &p, false, LSM_SELINUX, &plan) == -EINVAL);
}

TEST(lsm_mount_label_option)
{
	char *tmpfs_opts[] = {(char *)"nosuid", (char *)"mode=755", NULL};
	char *bind_opts[] = {(char *)"rbind", (char *)"ro", NULL};
	char *ctx_opts[] = {(char *)"context=\"x\"", NULL};
	struct oci_mount tmpfs = {.destination = (char *)"/dev", .type = (char *)"tmpfs", .options = tmpfs_opts};
	struct oci_mount bind = {.destination = (char *)"/v", .type = (char *)"none", .options = bind_opts};
	struct oci_mount proc = {.destination = (char *)"/proc", .type = (char *)"proc"};
	struct oci_mount own = {.destination = (char *)"/t", .type = (char *)"tmpfs", .options = ctx_opts};
	struct oci_mount bare = {.destination = (char *)"/t", .type = (char *)"devpts"};
	char **v = NULL;

	CHECK(lsm_mount_options(&tmpfs, "s:o:t:s0:c1,c2", &v) == 0);
	CHECK(v && v[0] && v[1] && v[2] && !v[3]);
	if (v && v[0] && v[1] && v[2]) {
		CHECK_STREQ(v[0], "nosuid");
		CHECK_STREQ(v[1], "mode=755");
		CHECK_STREQ(v[2], "context=\"s:o:t:s0:c1,c2\"");
	}
	cleanup_strvp(&v);
	v = NULL;
	CHECK(lsm_mount_options(&bare, "l", &v) == 0);
	CHECK(v && v[0] && !v[1]);
	if (v && v[0])
		CHECK_STREQ(v[0], "context=\"l\"");
	cleanup_strvp(&v);
	v = NULL;
	CHECK(lsm_mount_options(&tmpfs, NULL, &v) == 0 && v == NULL);
	CHECK(lsm_mount_options(&bind, "l", &v) == 0 && v == NULL);
	CHECK(lsm_mount_options(&proc, "l", &v) == 0 && v == NULL);
	CHECK(lsm_mount_options(&own, "l", &v) == 0 && v == NULL);
}

TEST(lsm_apply_exec_without_labels_is_a_noop)
{
	struct lsm_plan plan = {0};
	CHECK(lsm_apply_exec(NULL) == 0);
	CHECK(lsm_apply_exec(&plan) == 0);
}

TAP_MAIN
