/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OCI hooks (src/runtime/hooks.c): order, stdin, exit status, timeouts, environment. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "oci/spec.h"
#include "runtime/hooks.h"
#include "tap.h"

static char tmpdir[64];

static const char *tmp(void)
{
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/kakuri-test-hooks-XXXXXX");
		if (!mkdtemp(tmpdir))
			abort();
	}
	return tmpdir;
}

/* A spec whose hooks of one kind are given as JSON array text ('…' for "…", and @ is
 * replaced by the temp dir). */
static struct oci_spec *spec_with_hooks(const char *kind, const char *hooks)
{
	char *json = NULL, *err = NULL;
	struct oci_spec *spec = NULL;
	size_t n = 0;

	if (asprintf(&json, "{'ociVersion':'1.2.0','root':{'path':'r'},'hooks':{'%s':%s}}", kind, hooks) < 0)
		abort();
	/* expand @ → tmp dir, ' → " */
	char *out = malloc(strlen(json) * 64 + 1);
	for (const char *c = json; *c; c++) {
		if (*c == '@') {
			strcpy(out + n, tmp());
			n += strlen(tmp());
		} else {
			out[n++] = *c == '\'' ? '"' : *c;
		}
	}
	out[n] = 0;
	if (spec_parse_string(out, "config.json", &spec, &err) < 0) {
		printf("#   bad test config: %s\n", err);
		abort();
	}
	free(json);
	free(out);
	return spec;
}

static char *read_tmp(const char *name)
{
	char path[256];
	char *s = NULL;

	snprintf(path, sizeof(path), "%s/%s", tmp(), name);
	if (fs_read_file_at(AT_FDCWD, path, 0, &s, NULL) < 0)
		return NULL;
	return s;
}

static bool tmp_exists(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmp(), name);
	return access(path, F_OK) == 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define STATE "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42,\"bundle\":\"/b\"}"

TEST(hooks_run_in_order_with_the_state_on_stdin)
{
	struct oci_spec *s =
	    spec_with_hooks("prestart", "[{'path':'/bin/sh','args':['sh','-c','echo 1 >> @/order']},"
					" {'path':'/bin/sh','args':['sh','-c','cat > @/state; echo 2 >> @/order']},"
					" {'path':'/bin/sh','args':['sh','-c','echo 3 >> @/order']}]");
	CHECK(hooks_run(s, OCI_HOOK_PRESTART, STATE) == 0);
	char *order = read_tmp("order"), *state = read_tmp("state");
	CHECK_STREQ(order, "1\n2\n3\n");
	CHECK_STREQ(state, STATE);
	free(order);
	free(state);
	spec_free(s);
}

TEST(no_hooks_is_a_no_op)
{
	struct oci_spec *s = spec_with_hooks("poststart", "[]");
	CHECK(hooks_run(s, OCI_HOOK_POSTSTART, STATE) == 0);
	CHECK(hooks_run(s, OCI_HOOK_PRESTART, STATE) == 0);
	spec_free(s);
}

TEST(non_zero_exit_is_reported_and_stops_the_chain)
{
	struct oci_spec *s =
	    spec_with_hooks("createRuntime", "[{'path':'/bin/true'},{'path':'/bin/sh','args':['sh','-c','exit 3']},"
					     " {'path':'/bin/sh','args':['sh','-c','touch @/ran-after-failure']}]");
	log_set_capture(true);
	CHECK(hooks_run(s, OCI_HOOK_CREATE_RUNTIME, STATE) == -EIO);
	CHECK_STREQ(log_captured(), "hooks.createRuntime[1] '/bin/sh': exited with status 3");
	log_set_capture(false);
	CHECK(!tmp_exists("ran-after-failure"));
	spec_free(s);
}

TEST(poststop_failures_do_not_stop_later_hooks)
{
	struct oci_spec *s =
	    spec_with_hooks("poststop", "[{'path':'/bin/sh','args':['sh','-c','exit 1']},"
					" {'path':'/bin/sh','args':['sh','-c','touch @/poststop-ran']}]");
	CHECK(hooks_run(s, OCI_HOOK_POSTSTOP, STATE) == -EIO);
	CHECK(tmp_exists("poststop-ran"));
	spec_free(s);
}

TEST(timeout_kills_the_hook)
{
	struct oci_spec *s =
	    spec_with_hooks("startContainer", "[{'path':'/bin/sh','args':['sh','-c','exec sleep 10'],'timeout':1}]");
	double t0 = now_s();
	log_set_capture(true);
	CHECK(hooks_run(s, OCI_HOOK_START_CONTAINER, STATE) == -EIO);
	double dt = now_s() - t0;
	CHECK_STREQ(log_captured(), "hooks.startContainer[0] '/bin/sh': timed out after 1s");
	log_set_capture(false);
	CHECK(dt >= 0.9 && dt < 2.0);
	printf("#   timed out after %.2fs\n", dt);
	spec_free(s);
}

TEST(a_hook_that_never_reads_stdin_still_times_out)
{
	/* 1 MiB of state fills the pipe; the writer must not block past the timeout. */
	size_t big = 1 << 20;
	char *state = malloc(big + 1);
	memset(state, 'x', big);
	state[big] = 0;
	struct oci_spec *s =
	    spec_with_hooks("createContainer", "[{'path':'/bin/sh','args':['sh','-c','exec sleep 10'],'timeout':1}]");
	double t0 = now_s();
	CHECK(hooks_run(s, OCI_HOOK_CREATE_CONTAINER, state) == -EIO);
	CHECK(now_s() - t0 < 2.0);
	spec_free(s);

	/* …and one that exits without reading is fine (EPIPE is not our error, no SIGPIPE). */
	s = spec_with_hooks("createContainer", "[{'path':'/bin/true'}]");
	CHECK(hooks_run(s, OCI_HOOK_CREATE_CONTAINER, state) == 0);
	spec_free(s);

	/* …and a big state arrives intact. */
	s = spec_with_hooks("createContainer", "[{'path':'/bin/sh','args':['sh','-c','cat > @/big']}]");
	CHECK(hooks_run(s, OCI_HOOK_CREATE_CONTAINER, state) == 0);
	char *got = read_tmp("big");
	CHECK(got && strlen(got) == big);
	free(got);
	spec_free(s);
	free(state);
}

TEST(exec_failure_and_signals_are_reported)
{
	struct oci_spec *s = spec_with_hooks("prestart", "[{'path':'/nonexistent/hook'}]");
	log_set_capture(true);
	CHECK(hooks_run(s, OCI_HOOK_PRESTART, STATE) == -EIO);
	CHECK_STREQ(log_captured(), "hooks.prestart[0] '/nonexistent/hook': cannot execute: No such file or directory");
	spec_free(s);

	s = spec_with_hooks("prestart", "[{'path':'/bin/sh','args':['sh','-c','kill -9 $$']}]");
	CHECK(hooks_run(s, OCI_HOOK_PRESTART, STATE) == -EIO);
	CHECK_CONTAINS(log_captured(), "hooks.prestart[0] '/bin/sh': killed by signal 9");
	log_set_capture(false);
	spec_free(s);
}

TEST(env_is_as_given_or_inherited_when_absent)
{
	struct oci_spec *s =
	    spec_with_hooks("prestart", "[{'path':'/bin/sh','args':['sh','-c','echo \\\"$FOO|$KAKURI_T\\\" > @/env1'],"
					"  'env':['FOO=bar']},"
					" {'path':'/bin/sh','args':['sh','-c','echo \\\"$KAKURI_T\\\" > @/env2']}]");
	setenv("KAKURI_T", "inherited", 1);
	CHECK(hooks_run(s, OCI_HOOK_PRESTART, STATE) == 0);
	char *e1 = read_tmp("env1"), *e2 = read_tmp("env2");
	CHECK_STREQ(e1, "bar|\n");
	CHECK_STREQ(e2, "inherited\n");
	free(e1);
	free(e2);
	spec_free(s);
}

TEST(argv_defaults_to_the_path)
{
	/* No args: argv[0] is the path itself. */
	char path[256];
	snprintf(path, sizeof(path), "%s/argv0.sh", tmp());
	FILE *f = fopen(path, "w");
	fprintf(f, "#!/bin/sh\necho \"$0\" > %s/argv0\n", tmp());
	fclose(f);
	chmod(path, 0755);
	struct oci_spec *s = spec_with_hooks("poststart", "[{'path':'@/argv0.sh'}]");
	CHECK(hooks_run(s, OCI_HOOK_POSTSTART, NULL) == 0);
	char *got = read_tmp("argv0"), want[300];
	snprintf(want, sizeof(want), "%s\n", path);
	CHECK_STREQ(got, want);
	free(got);
	spec_free(s);
}

TEST(no_fds_leak_into_hooks)
{
	int fd = open("/dev/null", O_RDONLY); /* deliberately without O_CLOEXEC */
	CHECK(dup2(fd, 57) == 57);
	struct oci_spec *s = spec_with_hooks(
	    "prestart", "[{'path':'/bin/sh','args':['sh','-c','test -e /proc/self/fd/57 && exit 5; exit 0']}]");
	CHECK(hooks_run(s, OCI_HOOK_PRESTART, STATE) == 0);
	close(57);
	close(fd);
	spec_free(s);
}

TEST(kind_names)
{
	CHECK_STREQ(hooks_kind_name(OCI_HOOK_PRESTART), "prestart");
	CHECK_STREQ(hooks_kind_name(OCI_HOOK_POSTSTOP), "poststop");
	CHECK(hooks_kind_name(OCI_HOOK_MAX) == NULL);
}

TEST(cleanup_tmpdir)
{
	CHECK(fs_rm_rf(tmp()) >= 0);
}

TAP_MAIN
