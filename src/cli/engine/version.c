/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri version [--format json]: the engine's version and the OCI runtime it drives. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli/engine/cli.h"
#include "engine/config/oci-runtime.h"
#include "engine/container/runtime.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/log.h"

#if defined(__x86_64__)
#define ARCH_NAME "amd64"
#elif defined(__aarch64__)
#define ARCH_NAME "arm64"
#else
#define ARCH_NAME "unknown"
#endif

int verb_version(int argc, char **argv)
{
	static const struct cli_option opts[] = {{"format", 'f', true, 1}, {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "version", false};
	const char *v, *format = NULL;
	int id;
	while ((id = cli_next(&p, &v)) > 0)
		format = v;
	if (id < 0)
		return EXIT_ENGINE;
	struct engine_config cfg = {0};
	cleanup_free char *err = NULL, *rt = NULL, *rtver = NULL;
	if (engine_config_load(&cfg, &err) == 0) {
		if (engine_config_find_runtime(&cfg, NULL, &rt, NULL) == 0) {
			struct ctr_rt r = {.path = rt};
			struct ctr_rt_io io = {.in = -1, .out = -1, .err = -1, .ret_out = &rtver};
			if (ctr_rt_run(&r, (char *[]){"--version", NULL}, &io) != 0) {
				free(rtver);
				rtver = NULL;
			}
		}
		engine_config_free(&cfg);
	}
	if (rtver)
		rtver[strcspn(rtver, "\n")] = 0;
	struct utsname u;
	uname(&u);
	if (format && STREQ(format, "json")) {
		json_object *o = json_object_new_object(), *c = json_object_new_object();
		ju_add_str(c, "Version", KAKURI_VERSION);
		ju_add_str(c, "GitCommit", KAKURI_COMMIT);
		ju_add_str(c, "OsArch", "linux/" ARCH_NAME);
		ju_add_str(c, "Kernel", u.release);
		ju_add_str(c, "OCIRuntime", rt ? rt : "");
		ju_add_str(c, "OCIRuntimeVersion", rtver ? rtver : "");
		json_object_object_add(o, "Client", c);
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								     JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		return 0;
	}
	printf("Version:      %s\nGit Commit:   %s\nOS/Arch:      linux/%s\nKernel:       %s\nOCI runtime:  %s%s%s%s\n",
	       KAKURI_VERSION, KAKURI_COMMIT, ARCH_NAME, u.release, rt ? rt : "(not found)", rtver ? " (" : "",
	       rtver ? rtver : "", rtver ? ")" : "");
	return 0;
}
