/* SPDX-License-Identifier: GPL-2.0-or-later */
/* oci/spec-landlock and runtime/landlock: the proposal's schema (names, types, error
 * paths), linux.landlock in config.json, the ABI masking of best effort, and the plan
 * built from the config or the annotation (no root needed). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oci/spec.h"
#include "runtime/landlock.h"
#include "tap.h"

#define FS(bit) (UINT64_C(1) << (bit))

static int parse(const char *text, struct oci_landlock **ret, char **err)
{
	*err = NULL;
	return spec_landlock_parse(text, "ll", ret, err);
}

TEST(landlock_parses_the_proposal_schema)
{
	struct oci_landlock *l = NULL;
	char *err = NULL;
	int r = parse("{\"ruleset\": {\"handledAccessFS\": [\"execute\", \"write_file\", \"read_file\", \"refer\", "
		      "\"truncate\", \"ioctl_dev\"]},"
		      " \"rules\": {\"pathBeneath\": [{\"allowedAccess\": [\"read_file\", \"execute\"], \"paths\": "
		      "[\"/usr\", \"/bin\"]},"
		      "   {\"allowedAccess\": [\"write_file\"], \"paths\": [\"/tmp\"]}, {\"paths\": [\"/x\"]}]},"
		      " \"disableBestEffort\": true}",
		      &l, &err);
	CHECK(r == 0);
	CHECK(err == NULL);
	if (r != 0) {
		printf("#   %s\n", err ? err : "?");
		free(err);
		return;
	}
	CHECK(l->handled_access_fs == (FS(0) | FS(1) | FS(2) | FS(13) | FS(14) | FS(15)));
	CHECK(l->n_path_beneath == 3);
	CHECK(l->path_beneath[0].allowed_access == (FS(0) | FS(2)));
	CHECK_STREQ(l->path_beneath[0].paths[0], "/usr");
	CHECK_STREQ(l->path_beneath[0].paths[1], "/bin");
	CHECK(l->path_beneath[0].paths[2] == NULL);
	CHECK(l->path_beneath[1].allowed_access == FS(1));
	CHECK(l->path_beneath[2].allowed_access == 0);
	CHECK(l->disable_best_effort);
	spec_landlock_free(l);
}

TEST(landlock_names_match_the_kernel_bits)
{
	static const char *const want[] = {
	    "execute",	"write_file", "read_file", "read_dir",	 "remove_dir", "remove_file", "make_char", "make_dir",
	    "make_reg", "make_sock",  "make_fifo", "make_block", "make_sym",   "refer",	      "truncate",  "ioctl_dev"};
	for (unsigned i = 0; i < 16; i++)
		CHECK_STREQ(spec_landlock_access_name(i), want[i]);
	CHECK(spec_landlock_access_name(16) == NULL);
}

static void check_error(const char *text, const char *want)
{
	struct oci_landlock *l = NULL;
	char *err = NULL;
	int r = parse(text, &l, &err);

	CHECK(r == -EINVAL);
	CHECK(l == NULL);
	CHECK_CONTAINS(err, want);
	free(err);
	if (r == 0)
		spec_landlock_free(l);
}

TEST(landlock_errors_name_the_field)
{
	check_error("[]", "ll");
	check_error("{\"ruleset\": []}", "ll: ruleset: must be an object");
	check_error("{\"ruleset\": {\"handledAccessFS\": \"execute\"}}",
		    "ll: ruleset.handledAccessFS: must be an array");
	check_error("{\"ruleset\": {\"handledAccessFS\": [\"execute\", \"exec\"]}}",
		    "ll: ruleset.handledAccessFS[1]: unknown Landlock access right 'exec'");
	check_error("{\"ruleset\": {\"handledAccessFS\": [1]}}", "ll: ruleset.handledAccessFS[0]: must be a string");
	check_error("{\"rules\": {\"pathBeneath\": {}}}", "ll: rules.pathBeneath: must be an array");
	check_error("{\"rules\": {\"pathBeneath\": [3]}}", "ll: rules.pathBeneath[0]: must be an object");
	check_error("{\"ruleset\": {\"handledAccessFS\": [\"read_file\"]}, \"rules\": {\"pathBeneath\": "
		    "[{\"allowedAccess\": [\"read_file\"], \"paths\": [\"/a\", \"b\"]}]}}",
		    "ll: rules.pathBeneath[0].paths[1]: 'b' must be an absolute path");
	check_error("{\"ruleset\": {\"handledAccessFS\": [\"read_file\"]}, \"rules\": {\"pathBeneath\": "
		    "[{\"allowedAccess\": [\"read_file\", \"make_dir\"], \"paths\": [\"/a\"]}]}}",
		    "ll: rules.pathBeneath[0].allowedAccess[1]: 'make_dir' is not in ruleset.handledAccessFS");
	check_error("{\"disableBestEffort\": \"yes\"}", "ll: disableBestEffort: must be a boolean");
	check_error("{\"ruleset\": ", "ll: invalid JSON");
}

TEST(landlock_in_config_json_is_validated_and_kept_raw)
{
	const char *good = "{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"},"
			   " \"root\": {\"path\": \"rootfs\"}, \"linux\": {\"landlock\": {\"ruleset\": "
			   "{\"handledAccessFS\": [\"write_file\"]}}}}";
	const char *bad = "{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"},"
			  " \"root\": {\"path\": \"rootfs\"}, \"linux\": {\"landlock\": {\"ruleset\": "
			  "{\"handledAccessFS\": [\"write\"]}}}}";
	struct oci_spec *spec = NULL;
	char *err = NULL;
	int r = spec_parse_string(good, "config.json", &spec, &err);

	CHECK(r == 0);
	if (r == 0) {
		CHECK_CONTAINS(spec->linux_.landlock_json, "\"handledAccessFS\":[\"write_file\"]");
		spec_free(spec);
	} else {
		printf("#   %s\n", err ? err : "?");
		free(err);
	}
	err = NULL;
	spec = NULL;
	r = spec_parse_string(bad, "config.json", &spec, &err);
	CHECK(r == -EINVAL);
	CHECK_CONTAINS(err,
		       "config.json: linux.landlock.ruleset.handledAccessFS[0]: unknown Landlock access right 'write'");
	free(err);
	if (r == 0)
		spec_free(spec);
}

TEST(landlock_abi_rights)
{
	CHECK(landlock_abi_fs_rights(0) == 0);
	CHECK(landlock_abi_fs_rights(1) == FS(13) - 1);
	CHECK(landlock_abi_fs_rights(2) == FS(14) - 1);
	CHECK(landlock_abi_fs_rights(3) == FS(15) - 1);
	CHECK(landlock_abi_fs_rights(4) == FS(15) - 1);
	CHECK(landlock_abi_fs_rights(5) == FS(16) - 1);
	CHECK(landlock_abi_fs_rights(7) == FS(16) - 1);
	CHECK(landlock_abi_version() >= 0);
}

TEST(landlock_best_effort_masks_to_the_abi)
{
	struct oci_landlock_rule rules[2] = {
	    {.allowed_access = FS(1) | FS(14)}, /* write_file, truncate */
	    {.allowed_access = FS(15)},		/* ioctl_dev */
	};
	struct oci_landlock cfg = {
	    .handled_access_fs = FS(1) | FS(13) | FS(14) | FS(15), .path_beneath = rules, .n_path_beneath = 2};
	uint64_t dropped = 0;
	bool unenforceable = true;

	landlock_mask_to_abi(&cfg, 2, &dropped, &unenforceable);
	CHECK(dropped == (FS(14) | FS(15)));
	CHECK(!unenforceable);
	CHECK(cfg.handled_access_fs == (FS(1) | FS(13)));
	CHECK(rules[0].allowed_access == FS(1));
	CHECK(rules[1].allowed_access == 0);

	/* Nothing to drop on a new enough ABI. */
	rules[0].allowed_access = FS(14);
	cfg.handled_access_fs = FS(14);
	landlock_mask_to_abi(&cfg, 5, &dropped, &unenforceable);
	CHECK(dropped == 0);
	CHECK(cfg.handled_access_fs == FS(14));
}

TEST(landlock_refer_on_abi1)
{
	struct oci_landlock_rule rule = {.allowed_access = FS(13) | FS(1)};
	struct oci_landlock cfg = {.handled_access_fs = FS(13) | FS(1), .path_beneath = &rule, .n_path_beneath = 1};
	uint64_t dropped;
	bool unenforceable = false;

	/* Allowing refer cannot be honoured on ABI 1, which always denies it. */
	landlock_mask_to_abi(&cfg, 1, &dropped, &unenforceable);
	CHECK(unenforceable);
	CHECK(dropped == FS(13));
	/* Handled but never allowed: ABI 1 denies it anyway, which is what was asked. */
	rule.allowed_access = FS(1);
	cfg.handled_access_fs = FS(13) | FS(1);
	landlock_mask_to_abi(&cfg, 1, &dropped, &unenforceable);
	CHECK(!unenforceable);
}

TEST(landlock_plan_from_annotation_and_conflicts)
{
	struct oci_annotation ann[2] = {
	    {(char *)LANDLOCK_ANNOTATION, (char *)"{\"ruleset\": {\"handledAccessFS\": [\"write_file\"]}}"},
	    {(char *)LANDLOCK_ABI_ANNOTATION, (char *)"1"},
	};
	struct oci_spec spec = {.annotations = ann, .n_annotations = 1};
	struct landlock_plan *plan = NULL;
	int abi = landlock_abi_version();

	CHECK(landlock_plan_new(&spec, &plan) == 0);
	if (abi > 0) {
		CHECK(plan != NULL);
		if (plan) {
			CHECK(plan->cfg->handled_access_fs == FS(1));
			CHECK(plan->abi == abi);
			CHECK_STREQ(plan->field, "annotations[\"io.kakuri.landlock\"]");
		}
	} else {
		CHECK(plan == NULL);
	}
	landlock_plan_free(plan);
	plan = NULL;

	/* The ABI cap lowers the ABI used. */
	spec.n_annotations = 2;
	CHECK(landlock_plan_new(&spec, &plan) == 0);
	if (abi > 0 && plan)
		CHECK(plan->abi == 1);
	landlock_plan_free(plan);
	plan = NULL;
	ann[1].value = (char *)"0";
	CHECK(landlock_plan_new(&spec, &plan) == -EINVAL);
	CHECK(plan == NULL);

	/* Both sources at once is ambiguous. */
	spec.n_annotations = 1;
	spec.linux_.landlock_json = (char *)"{}";
	CHECK(landlock_plan_new(&spec, &plan) == -EINVAL);

	/* A malformed annotation fails, naming it. */
	spec.linux_.landlock_json = NULL;
	ann[0].value = (char *)"{\"ruleset\": {\"handledAccessFS\": [\"nope\"]}}";
	CHECK(landlock_plan_new(&spec, &plan) == -EINVAL);

	/* No Landlock asked: no plan. */
	spec.n_annotations = 0;
	CHECK(landlock_plan_new(&spec, &plan) == 0);
	CHECK(plan == NULL);
}

TAP_MAIN
