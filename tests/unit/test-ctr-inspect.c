/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/container/inspect.c: the --format template subset ({{.A.B}}, {{json .A}}, strings
 * raw, the rest as JSON, \n and \t in the text, bad templates refused) and the inspect JSON
 * of a record and its config.json in a scratch store: podman's field names, the status
 * derived from the kernel (a "running" record whose pid is gone is exited, code -1), the
 * security options read back from config.json. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/container/inspect.h"
#include "engine/container/record.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "tap.h"

static void check_render(json_object *o, const char *tmpl, const char *want)
{
	char *out = NULL;
	int r = ctr_template_render(tmpl, o, &out);
	if (r < 0 || !out || strcmp(out, want) != 0) {
		printf("#   '%s': r=%d '%s', expected '%s'\n", tmpl, r, out ? out : "(null)", want);
		tap_cur_failed = 1;
	}
	free(out);
}

static void check_bad(json_object *o, const char *tmpl)
{
	char *out = (char *)0x1;
	int r = ctr_template_render(tmpl, o, &out);
	if (r != -EINVAL || out != (char *)0x1) {
		printf("#   '%s': r=%d, expected -EINVAL\n", tmpl, r);
		tap_cur_failed = 1;
	}
}

TEST(template_fields_strings_and_json)
{
	cleanup_json json_object *o =
	    json_tokener_parse("{\"Id\":\"abc\",\"State\":{\"Status\":\"running\",\"Pid\":42,\"Running\":true},"
			       "\"Config\":{\"Env\":[\"A=1\",\"B=/x\"],\"Labels\":{}},\"Name\":\"web\"}");
	CHECK(o != NULL);
	check_render(o, "{{.Id}}", "abc");
	check_render(o, "{{.State.Status}}", "running");
	check_render(o, "{{ .State.Pid }}", "42");
	check_render(o, "{{.State.Running}}", "true");
	check_render(o, "{{.Config.Env}}", "[\"A=1\",\"B=/x\"]"); /* no \/ escaping */
	check_render(o, "{{json .Id}}", "\"abc\"");
	check_render(o, "{{json .State}}", "{\"Status\":\"running\",\"Pid\":42,\"Running\":true}");
	check_render(o, "{{json .}}",
		     "{\"Id\":\"abc\",\"State\":{\"Status\":\"running\",\"Pid\":42,\"Running\":true},"
		     "\"Config\":{\"Env\":[\"A=1\",\"B=/x\"],\"Labels\":{}},\"Name\":\"web\"}");
	check_render(o, "{{.Name}} is {{.State.Status}} (pid {{.State.Pid}})", "web is running (pid 42)");
	check_render(o, "{{- .Name -}}", "web");
	check_render(o, "id={{.Id}}\\tname={{.Name}}\\n", "id=abc\tname=web\n");
	check_render(o, "no actions", "no actions");
	check_render(o, "", "");
	check_render(o, "{{.Missing}}", "<no value>");
	check_render(o, "{{.State.Missing.Deeper}}", "<no value>");
	check_render(o, "{{json .Missing}}", "null");
	check_render(o, "a}}b", "a}}b");
	check_render(o, "back\\slash", "back\\slash");
}

TEST(bad_templates_are_einval)
{
	cleanup_json json_object *o = json_tokener_parse("{\"Id\":\"abc\"}");
	check_bad(o, "{{.Id");
	check_bad(o, "x {{");
	check_bad(o, "{{Id}}");
	check_bad(o, "{{printf \"%s\" .Id}}");
	check_bad(o, "{{}}");
	check_bad(o, "{{.Id}} {{range .X}}");
}

/* ---- inspect ---- */

static char tmp[PATH_MAX];

TEST(inspect_record_and_config)
{
	snprintf(tmp, sizeof(tmp), "/tmp/kk-ctr-inspect-XXXXXX");
	CHECK(mkdtemp(tmp) != NULL);
	struct store s = {.root = tmp, .rootfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
	CHECK(s.rootfd >= 0);
	char id[CTR_ID_LEN + 1];
	memset(id, 'a', CTR_ID_LEN);
	id[CTR_ID_LEN] = 0;
	cleanup_free char *ud = ctr_path(&s, id, "userdata");
	CHECK(ud && fs_mkdir_p(ud, 0700) == 0);
	static const char cfg[] =
	    "{\"process\":{\"env\":[\"PATH=/bin\",\"A=1\"],\"cwd\":\"/srv\",\"noNewPrivileges\":false,"
	    "\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\"],\"effective\":[\"CAP_CHOWN\"]}},"
	    "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	    "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/host/data\",\"options\":[\"rbind\",\"ro\"]},"
	    "{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"/x/hosts\"}],"
	    "\"linux\":{\"maskedPaths\":[\"/proc/kcore\"],\"resources\":{\"pids\":{\"limit\":2048}}}}";
	cleanup_free char *cp = NULL;
	CHECK(asprintf(&cp, "%s/config.json", ud) > 0 && fs_write_atomic(cp, cfg, strlen(cfg), 0600) == 0);
	char *cmd[] = {"/bin/sh", "-c", "echo hi", NULL};
	/* A "running" record whose pid is not alive (a start time no process has). */
	struct ctr_record rec = {.id = id,
				 .name = "web",
				 .image = "busybox",
				 .command = cmd,
				 .state = CTR_RUNNING,
				 .pid = getpid(),
				 .pid_start = 1,
				 .boot_id = (char *)ctr_boot_id(),
				 .created = 1714564800LL * 1000000000LL,
				 .user = "app",
				 .hostname = "h",
				 .network = "none",
				 .userns = "host",
				 .stop_signal = "SIGTERM",
				 .stop_timeout = 10,
				 .runtime = "/usr/bin/crun"};
	json_object *o = NULL;
	CHECK(ctr_inspect_json(&s, &rec, &o) == 0);
	char *out = NULL;
	CHECK(ctr_template_render("{{.Id}}|{{.Name}}|{{.State.Status}}|{{.State.Running}}|{{.State.Pid}}|"
				  "{{.State.ExitCode}}|{{.Path}}|{{json .Args}}|{{.Created}}",
				  o, &out) == 0);
	char want[512];
	snprintf(want, sizeof(want),
		 "%s|web|exited|false|0|-1|/bin/sh|[\"-c\",\"echo hi\"]|2024-05-01T12:00:00.000000000Z", id);
	CHECK_STREQ(out, want);
	free(out);
	out = NULL;
	CHECK(ctr_template_render("{{.Config.WorkingDir}}|{{json .Config.Env}}|{{.Config.User}}|"
				  "{{json .HostConfig.SecurityOpt}}|{{.HostConfig.PidsLimit}}|{{json .EffectiveCaps}}|"
				  "{{json .HostConfig.MaskedPaths}}|{{.OCIRuntime}}",
				  o, &out) == 0);
	CHECK_STREQ(out, "/srv|[\"PATH=/bin\",\"A=1\"]|app|[\"seccomp=unconfined\",\"no-new-privileges=false\"]|2048|"
			 "[\"CAP_CHOWN\"]|[\"/proc/kcore\"]|/usr/bin/crun");
	free(out);
	out = NULL;
	/* Only the user's mounts, with RW from the options. */
	CHECK(ctr_template_render("{{json .Mounts}}", o, &out) == 0);
	CHECK_STREQ(out, "[{\"Type\":\"bind\",\"Source\":\"/host/data\",\"Destination\":\"/data\","
			 "\"Options\":[\"rbind\",\"ro\"],\"RW\":false}]");
	free(out);
	json_object_put(o);

	/* Live: our own pid with its real start time is "running" with that pid. */
	uint64_t t = 0;
	CHECK(ctr_proc_start_time(getpid(), &t) == 0);
	rec.pid_start = t;
	o = NULL;
	CHECK(ctr_inspect_json(&s, &rec, &o) == 0);
	out = NULL;
	CHECK(ctr_template_render("{{.State.Status}} {{.State.Running}} {{.State.Pid}} {{.State.ExitCode}}", o, &out) ==
	      0);
	snprintf(want, sizeof(want), "running true %d 0", (int)getpid());
	CHECK_STREQ(out, want);
	free(out);
	json_object_put(o);

	/* Exited with a code; no config.json at all is not an error. */
	rec.state = CTR_EXITED;
	rec.exit_code = 3;
	CHECK(unlink(cp) == 0);
	o = NULL;
	CHECK(ctr_inspect_json(&s, &rec, &o) == 0);
	out = NULL;
	CHECK(ctr_template_render("{{.State.Status}} {{.State.ExitCode}} {{json .Mounts}} {{json .Config.Env}}", o,
				  &out) == 0);
	CHECK_STREQ(out, "exited 3 [] null");
	free(out);
	json_object_put(o);
	close(s.rootfd);
	CHECK(fs_rm_rf(tmp) == 0);
}

TAP_MAIN
