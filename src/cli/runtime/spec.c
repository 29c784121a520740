/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/runtime/cli.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "oci/seccomp-profile.h"
#include "oci/spec-default.h"
#include "oci/spec.h"

static void json_putp(struct json_object **o)
{
	if (*o)
		json_object_put(*o);
}

static void profile_freep(struct seccomp_profile **p)
{
	seccomp_profile_free(*p);
}

static void oci_seccomp_donep(struct oci_seccomp *s)
{
	seccomp_profile_oci_done(s);
}

/* --seccomp default|FILE: the profile converted for the spec's own capabilities (its
 * bounding set: what the container's processes can ever hold), this architecture and this
 * kernel, put into json as linux.seccomp. */
static int add_seccomp(char **json, const char *which)
{
	CLEANUP(profile_freep) struct seccomp_profile *prof = NULL;
	CLEANUP(oci_seccomp_donep) struct oci_seccomp sc = {0};
	CLEANUP(json_putp) struct json_object *top = NULL;
	struct json_object *obj = NULL, *linux_obj;
	struct oci_spec *spec = NULL;
	struct seccomp_profile_target t = {0};
	cleanup_free char *err = NULL;
	int r;

	if (STREQ(which, "default"))
		r = seccomp_profile_parse_string(seccomp_profile_default_json, SECCOMP_PROFILE_DEFAULT_NAME, &prof,
						 &err);
	else
		r = seccomp_profile_parse_file(which, &prof, &err);
	if (r < 0)
		return log_error_errno(r, "spec --seccomp: %s", err ? err : "out of memory");

	r = spec_parse_string(*json, "config.json", &spec, &err);
	if (r < 0)
		return log_error_errno(r, "spec: the generated config.json does not parse: %s", err ? err : "?");
	t.caps = spec->process ? spec->process->caps.bounding : NULL;
	r = seccomp_profile_target_native(&t);
	if (r >= 0)
		r = seccomp_profile_convert(prof, &t, &sc);
	spec_free(spec);
	if (r < 0)
		return log_error_errno(r, "spec --seccomp: cannot convert the profile: %m");

	r = seccomp_profile_oci_json(&sc, &obj);
	if (r < 0)
		return log_error_errno(r, "spec --seccomp: %m");
	top = json_tokener_parse(*json);
	if (!top || !json_object_object_get_ex(top, "linux", &linux_obj) ||
	    json_object_object_add(linux_obj, "seccomp", obj) < 0) {
		json_object_put(obj);
		return log_error_errno(-ENOMEM, "spec --seccomp: cannot add linux.seccomp: %m");
	}
	/* The same layout as spec_default_json(). */
	const char *text =
	    json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB |
						    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	char *out = NULL;
	if (!text || asprintf(&out, "%s\n", text) < 0)
		return log_error_errno(-ENOMEM, "spec --seccomp: %m");
	free(*json);
	*json = out;
	return 0;
}

int verb_spec(int argc, char **argv)
{
	static const struct option opts[] = {{"rootless", no_argument, NULL, 'r'},
					     {"bundle", required_argument, NULL, 'b'},
					     {"seccomp", required_argument, NULL, 's'},
					     {0}};
	bool rootless = false;
	const char *bundle = ".", *seccomp = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "+b:", opts, NULL)) != -1) {
		if (c == 'r')
			rootless = true;
		else if (c == 'b')
			bundle = optarg;
		else if (c == 's')
			seccomp = optarg;
		else
			return cli_usage_error("spec", "invalid option");
	}
	cleanup_free char *json = spec_default_json(rootless), *path = NULL;
	if (!json || asprintf(&path, "%s/config.json", bundle) < 0)
		return 1;
	/* Everything that can fail on the profile happens before config.json exists, so a bad
	 * profile leaves nothing behind. "unconfined" is the plain spec (no linux.seccomp). */
	if (seccomp && !STREQ(seccomp, "unconfined") && add_seccomp(&json, seccomp) < 0)
		return 1;
	/* Like runc: never overwrite an existing config.json. */
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_error_errno(-errno, "spec: '%s': %m", path);
		return 1;
	}
	size_t n = strlen(json);
	/* The generated JSON already ends with a newline. */
	if (fs_write_all(fd, json, n) < 0 || (n > 0 && json[n - 1] != '\n' && fs_write_all(fd, "\n", 1) < 0)) {
		log_error_errno(-errno, "spec: writing '%s': %m", path);
		return 1;
	}
	return 0;
}
