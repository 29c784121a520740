/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri audit --suggest [--format table|json] CONTAINER: which of the container's
 * capabilities its recorded run (--seccomp-record) never needed (engine/audit/suggest.h). */
#include "cli/engine/audit-suggest.h"

#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/audit/suggest.h"
#include "engine/container/lifecycle.h"
#include "engine/container/record.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "runtime/seccomp-record.h"

#define METHOD                                                                                                         \
	"a capability is 'drop' when every kernel path that checks it is reached only through syscalls that "          \
	"the recorded run never made (capabilities(7)); 'keep' when the run made one of them; 'unknown' when "         \
	"it is checked by common syscalls (file access, ioctl, setsockopt, ...) and so cannot be determined "          \
	"from syscalls. The advice covers the recorded run only"

enum { O_SUGGEST = 1, O_FORMAT, O_HELP };

struct suggest_ctx {
	const char *name, *id, *profile;
	char **caps, **observed;
	struct audit_cap_result *res;
	size_t n;
};

static void print_table(const struct suggest_ctx *c)
{
	printf("Capability advice for %s (%.12s), from the seccomp profile recorded at %s\n", c->name, c->id,
	       c->profile);
	printf("Method: %s.\n\n", METHOD);
	printf("%-22s %-8s %s\n", "CAPABILITY", "ADVICE", "EVIDENCE");
	for (size_t i = 0; i < c->n; i++) {
		const struct audit_cap_result *r = &c->res[i];
		printf("%-22s %-8s ", r->cap, audit_cap_advice_name(r->advice));
		if (r->advice == AUDIT_CAP_UNKNOWN) {
			printf("cannot be determined from syscalls: %s\n", r->why);
			continue;
		}
		fputs(r->advice == AUDIT_CAP_KEEP ? "used: " : "none of ", stdout);
		char *const *list = r->advice == AUDIT_CAP_KEEP ? r->observed : r->checked;
		for (size_t j = 0; list && list[j]; j++)
			printf("%s%s", j ? ", " : "", list[j]);
		printf(r->advice == AUDIT_CAP_KEEP ? " (%s)\n" : " observed (%s)\n", r->why);
	}
	bool any = false;
	for (size_t i = 0; i < c->n; i++)
		if (c->res[i].advice == AUDIT_CAP_DROP) {
			printf("%s--cap-drop %s", any ? " " : "\nSuggested: ", c->res[i].cap + 4);
			any = true;
		}
	printf(any ? "\n" : "\nSuggested: nothing to drop that the recording can vouch for\n");
}

static void print_json(const struct suggest_ctx *c)
{
	cleanup_json json_object *o = json_object_new_object();
	json_object *caps = json_object_new_array(), *drop = json_object_new_array();
	ju_add_str(o, "container", c->name);
	ju_add_str(o, "id", c->id);
	ju_add_str(o, "profile", c->profile);
	ju_add_str(o, "method", METHOD);
	for (size_t i = 0; i < c->n; i++) {
		const struct audit_cap_result *r = &c->res[i];
		json_object *e = json_object_new_object();
		ju_add_str(e, "capability", r->cap);
		ju_add_str(e, "advice", audit_cap_advice_name(r->advice));
		ju_add_str(e, "reason", r->why);
		if (r->checked)
			ju_add_strv(e, "syscalls", r->checked);
		if (r->advice != AUDIT_CAP_UNKNOWN)
			ju_add_strv(e, "observed", r->observed);
		json_object_array_add(caps, e);
		if (r->advice == AUDIT_CAP_DROP) {
			cleanup_free char *flag = NULL;
			if (asprintf(&flag, "--cap-drop=%s", r->cap + 4) >= 0)
				json_object_array_add(drop, json_object_new_string(flag));
		}
	}
	json_object_object_add(o, "capabilities", caps);
	json_object_object_add(o, "cap_drop", drop);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void strv_freep(char ***v)
{
	for (char **i = *v; i && *i; i++)
		free(*i);
	free(*v);
}

/* The container's bounding set, its recording annotation and whether its filter denies
 * clone(CLONE_NEWUSER), from its config.json. */
static int load_config(struct store *s, const char *id, char ***ret_caps, char **ret_profile, bool *ret_denied)
{
	cleanup_free char *ud = ctr_path(s, id, "userdata"), *path = NULL, *text = NULL;
	if (!ud || asprintf(&path, "%s/config.json", ud) < 0)
		return -ENOMEM;
	int r = fs_read_file_at(AT_FDCWD, path, 64u << 20, &text, NULL);
	if (r < 0)
		return log_error_errno(r, "%s: %m", path);
	cleanup_json json_object *root = json_tokener_parse(text);
	if (!root)
		return log_error_errno(-EINVAL, "%s: not valid JSON", path);
	json_object *proc = ju_obj(root, "process"), *caps = ju_obj(proc, "capabilities");
	*ret_caps = ju_dup_strv(caps, "bounding");
	if (!*ret_caps && !(*ret_caps = calloc(1, sizeof(char *))))
		return -ENOMEM;
	const char *p = ju_str(ju_obj(root, "annotations"), SECCOMP_RECORD_ANNOTATION);
	*ret_profile = p ? strdup(p) : NULL;
	*ret_denied = audit_config_denies_clone_newuser(text);
	return 0;
}

int cli_audit_suggest(int argc, char **argv)
{
	static const struct cli_option opts[] = {
	    {"suggest", 0, false, O_SUGGEST}, {"format", 'f', true, O_FORMAT}, {"help", 'h', false, O_HELP}, {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "audit", false};
	const char *v, *format = "table";
	int id;
	while ((id = cli_next(&p, &v)) > 0) {
		if (id == O_FORMAT)
			format = v;
		if (id == O_HELP) {
			printf("usage: kakuri audit --suggest [--format table|json] CONTAINER\n\n"
			       "Capability advice from the seccomp profile recorded for CONTAINER\n"
			       "(run or create it with --seccomp-record FILE): for each capability of its\n"
			       "bounding set, drop / keep / unknown, with the evidence and --cap-drop flags.\n"
			       "Method: %s.\n",
			       METHOD);
			return 0;
		}
	}
	if (id < 0)
		return EXIT_ENGINE;
	if (!STREQ(format, "table") && !STREQ(format, "json"))
		return cli_usage_error("audit", "--format '%s': expected table or json", format);
	if (p.i >= argc)
		return cli_usage_error("audit", "--suggest: expected a container");
	if (p.i + 1 < argc)
		return cli_usage_error("audit", "--suggest: one container at a time");

	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	cleanup_free char *cid = NULL, *profile = NULL, *text = NULL;
	CLEANUP(strv_freep) char **caps = NULL, **observed = NULL;
	cleanup_ctr_record struct ctr_record *rec = NULL;
	bool denied = false;
	int rc = EXIT_ENGINE, r;

	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	if (ctr_lookup(s, argv[p.i], &cid) < 0 || ctr_record_load(s, cid, &rec) < 0)
		goto out;
	if (load_config(s, cid, &caps, &profile, &denied) < 0)
		goto out;
	if (!profile) {
		log_error("%s: no recorded run: capability advice needs the seccomp profile of a run of this "
			  "container. Record one with `kakuri run --seccomp-record FILE ...` (or create "
			  "--seccomp-record FILE and start), let the workload do its job, then run `kakuri audit "
			  "--suggest` on that container",
			  rec->name);
		rc = 1;
		goto out;
	}
	r = fs_read_file_at(AT_FDCWD, profile, 16u << 20, &text, NULL);
	if (r == -ENOENT) {
		log_error("%s: the recorded profile '%s' does not exist yet: it is written when the container's "
			  "last process exits (stop the container, or wait for it)",
			  rec->name, profile);
		rc = 1;
		goto out;
	}
	if (r < 0) {
		log_error_errno(r, "%s: recorded profile '%s': %m", rec->name, profile);
		goto out;
	}
	r = audit_profile_allowed(text, &observed);
	if (r < 0) {
		log_error_errno(r, "%s: '%s' is not a seccomp profile: %m", rec->name, profile);
		goto out;
	}
	struct suggest_ctx c = {.name = rec->name, .id = cid, .profile = profile, .caps = caps, .observed = observed};
	struct audit_suggest_input in = {.caps = caps, .observed = observed, .clone_newuser_denied = denied};
	if (audit_suggest(&in, &c.res, &c.n) < 0) {
		log_error("out of memory");
		goto out;
	}
	if (STREQ(format, "json"))
		print_json(&c);
	else
		print_table(&c);
	audit_suggest_free(c.res, c.n);
	rc = 0;
out:
	engine_config_free(&cfg);
	return rc;
}
