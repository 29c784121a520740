/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Docker-format seccomp profiles: parsing, errors naming the JSON path, conversion by
 * capabilities / architecture / kernel version, serialization back to linux.seccomp (checked
 * by the config.json parser), and kakuri's default profile: it converts, compiles, and in a
 * forked child refuses and allows what it says. */
#include <errno.h>
#include <json.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seccomp.h>

#include "lib/cleanup.h"
#include "oci/seccomp-profile.h"
#include "oci/spec.h"
#include "runtime/seccomp.h"
#include "tap.h"

static char *const default_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};

static struct seccomp_profile *parse_ok(const char *text)
{
	struct seccomp_profile *p = NULL;
	char *err = NULL;
	int r = seccomp_profile_parse_string(text, "profile.json", &p, &err);
	if (r < 0) {
		printf("#   unexpected parse error %d: %s\n", r, err ? err : "(none)");
		free(err);
		return NULL;
	}
	return p;
}

/* Parses text, expects failure with exactly the message want. */
static void parse_fails(const char *text, const char *want)
{
	struct seccomp_profile *p = NULL;
	char *err = NULL;
	int r = seccomp_profile_parse_string(text, "profile.json", &p, &err);
	CHECK(r == -EINVAL);
	CHECK(p == NULL);
	CHECK_STREQ(err, want);
	seccomp_profile_free(p);
	free(err);
}

static int convert(const struct seccomp_profile *p, char *const *caps, const char *arch, unsigned major, unsigned minor,
		   struct oci_seccomp *out)
{
	struct seccomp_profile_target t = {.caps = caps, .arch = arch, .kernel = {major, minor, 0}};
	return seccomp_profile_convert(p, &t, out);
}

/* The converted rules that name syscall `name` with action `action`. */
static size_t count_rules(const struct oci_seccomp *s, const char *name, int action)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n_syscalls; i++)
		for (char **c = s->syscalls[i].names; *c; c++)
			if (STREQ(*c, name) && (action < 0 || s->syscalls[i].action == action))
				n++;
	return n;
}

TEST(minimal_profile)
{
	struct seccomp_profile *p = parse_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
	struct oci_seccomp s;
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(convert(p, NULL, "SCMP_ARCH_X86_64", 6, 1, &s) == 0);
	CHECK(s.present);
	CHECK(s.default_action == OCI_SCMP_ACT_ALLOW);
	CHECK(!s.has_default_errno_ret);
	CHECK(s.architectures == NULL);
	CHECK(s.n_syscalls == 0);
	seccomp_profile_oci_done(&s);
	seccomp_profile_free(p);
}

TEST(fields_are_read)
{
	struct seccomp_profile *p = parse_ok(
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
	    " \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"], \"listenerPath\": \"/run/agent.sock\","
	    " \"listenerMetadata\": \"meta\", \"unknownField\": {\"x\": 1},"
	    " \"syscalls\": [{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\", \"comment\": \"io\"},"
	    "  {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"},"
	    "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13,"
	    "   \"args\": [{\"index\": 0, \"value\": 255, \"valueTwo\": 8, \"op\": \"SCMP_CMP_MASKED_EQ\"},"
	    "            {\"index\": 5, \"value\": 18446744073709551615, \"op\": \"SCMP_CMP_NE\"}]}]}");
	struct oci_seccomp s;
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(p->n_rules == 3);
	CHECK(convert(p, NULL, "SCMP_ARCH_X86_64", 6, 1, &s) == 0);
	CHECK(s.default_action == OCI_SCMP_ACT_ERRNO);
	CHECK(s.has_default_errno_ret && s.default_errno_ret == 38);
	CHECK(s.flags && STREQ(s.flags[0], "SECCOMP_FILTER_FLAG_LOG") && !s.flags[1]);
	CHECK_STREQ(s.listener_path, "/run/agent.sock");
	CHECK_STREQ(s.listener_metadata, "meta");
	CHECK(s.n_syscalls == 3);
	if (s.n_syscalls == 3) {
		CHECK_STREQ(s.syscalls[0].names[1], "write");
		CHECK(s.syscalls[1].action == OCI_SCMP_ACT_NOTIFY);
		const struct oci_seccomp_syscall *sc = &s.syscalls[2];
		CHECK(sc->has_errno_ret && sc->errno_ret == 13);
		CHECK(sc->n_args == 2);
		CHECK(sc->args[0].index == 0 && sc->args[0].value == 255 && sc->args[0].value_two == 8);
		CHECK(sc->args[0].op == OCI_SCMP_CMP_MASKED_EQ);
		CHECK(sc->args[1].index == 5 && sc->args[1].value == UINT64_MAX && sc->args[1].op == OCI_SCMP_CMP_NE);
	}
	seccomp_profile_oci_done(&s);
	CHECK(s.syscalls == NULL && s.n_syscalls == 0);
	seccomp_profile_free(p);
}

TEST(legacy_name_field)
{
	struct seccomp_profile *p = parse_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
					     "[{\"name\": \"mount\", \"action\": \"SCMP_ACT_ERRNO\"}]}");
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(p->n_rules == 1 && STREQ(p->rules[0].names[0], "mount") && !p->rules[0].names[1]);
	seccomp_profile_free(p);
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
		    "[{\"name\": \"mount\", \"names\": [\"umount\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
		    "profile.json: syscalls[0].name: cannot be combined with names");
}

#define HEAD                                                                                                           \
	"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "                  \
	"\"SCMP_ACT_ALLOW\"}, "

TEST(malformed_profiles_name_the_json_path)
{
	parse_fails("{\"defaultAction\": ",
		    "profile.json: invalid JSON: unexpected end of input (at line 1, column 19)");
	parse_fails("[1]", "profile.json: must be a JSON object");
	parse_fails("{}", "profile.json: defaultAction: is required");
	parse_fails("{\"defaultAction\": 5}", "profile.json: defaultAction: must be a string");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_FOO\"}",
		    "profile.json: defaultAction: unknown action 'SCMP_ACT_FOO'");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_NOTIFY\", \"listenerPath\": \"/a\"}",
		    "profile.json: defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
	parse_fails(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1}",
	    "profile.json: defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_ALLOW");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 70000}",
		    "profile.json: defaultErrnoRet: must be an integer between 0 and 65535");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}",
		    "profile.json: defaultErrnoRet: must be an integer between 0 and 65535");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": {}}",
		    "profile.json: syscalls: must be an array");
	parse_fails(HEAD "7]}", "profile.json: syscalls[1]: must be an object");
	parse_fails(HEAD "{\"action\": \"SCMP_ACT_ALLOW\"}]}", "profile.json: syscalls[1].names: is required");
	parse_fails(HEAD "{\"names\": \"read\", \"action\": \"SCMP_ACT_ALLOW\"}]}",
		    "profile.json: syscalls[1].names: must be an array of strings");
	parse_fails(HEAD "{\"names\": [], \"action\": \"SCMP_ACT_ALLOW\"}]}",
		    "profile.json: syscalls[1].names: must contain at least one syscall name");
	parse_fails(HEAD "{\"names\": [\"a\", \"\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
		    "profile.json: syscalls[1].names[1]: must be a non-empty string");
	parse_fails(HEAD "{\"names\": [\"a\", 3], \"action\": \"SCMP_ACT_ALLOW\"}]}",
		    "profile.json: syscalls[1].names[1]: must be a string");
	parse_fails(HEAD "{\"names\": [\"a\"]}]}", "profile.json: syscalls[1].action: is required");
	parse_fails(HEAD "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_BOGUS\"}]}",
		    "profile.json: syscalls[1].action: unknown action 'SCMP_ACT_BOGUS'");
	parse_fails(HEAD "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_KILL\", \"errnoRet\": 1}]}",
		    "profile.json: syscalls[1].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not "
		    "SCMP_ACT_KILL");
	parse_fails(HEAD "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": \"1\"}]}",
		    "profile.json: syscalls[1].errnoRet: must be an integer");
	parse_fails(HEAD "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": {}}]}",
		    "profile.json: syscalls[1].args: must be an array");
	parse_fails(HEAD "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [null]}]}",
		    "profile.json: syscalls[1].args[0]: must be an object");
	parse_fails(HEAD "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
			 "[{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		    "profile.json: syscalls[1].args[0].index: must be an integer between 0 and 5");
	parse_fails(HEAD "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
			 "[{\"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		    "profile.json: syscalls[1].args[0].index: is required");
	parse_fails(HEAD "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
			 "[{\"index\": 0, \"value\": -1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		    "profile.json: syscalls[1].args[0].value: must be a non-negative integer");
	parse_fails(HEAD "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
			 "[{\"index\": 0, \"value\": 18446744073709551616, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		    "profile.json: invalid JSON: integer 18446744073709551616 is out of range (at line 1, column 175)");
	parse_fails(HEAD "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
			 "[{\"index\": 0, \"value\": 1, \"valueTwo\": true, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		    "profile.json: syscalls[1].args[0].valueTwo: must be an integer");
	parse_fails(HEAD "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
			 "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_FOO\"}]}]}",
		    "profile.json: syscalls[1].args[0].op: unknown operator 'SCMP_CMP_FOO'");
	parse_fails(HEAD "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": []}]}",
		    "profile.json: syscalls[1].includes: must be an object");
	parse_fails(HEAD
		    "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": \"CAP_KILL\"}}]}",
		    "profile.json: syscalls[1].includes.caps: must be an array of strings");
	parse_fails(HEAD
		    "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"caps\": [\"SYS_ADMIN\"]}}]}",
		    "profile.json: syscalls[1].excludes.caps[0]: unknown capability 'SYS_ADMIN'");
	parse_fails(HEAD
		    "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"arches\": [\"amd46\"]}}]}",
		    "profile.json: syscalls[1].includes.arches[0]: unknown architecture 'amd46'");
	parse_fails(HEAD "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"4\"}}]}",
		    "profile.json: syscalls[1].includes.minKernel: '4' is not a kernel version (expected MAJOR.MINOR)");
	parse_fails(
	    HEAD "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"minKernel\": \"4.8-rc1\"}}]}",
	    "profile.json: syscalls[1].excludes.minKernel: '4.8-rc1' is not a kernel version (expected MAJOR.MINOR)");
	parse_fails(HEAD "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"minKernel\": 4.8}}]}",
		    "profile.json: syscalls[1].excludes.minKernel: must be a string");
	parse_fails(HEAD "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
		    "profile.json: syscalls[1].action: SCMP_ACT_NOTIFY needs a listenerPath");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerMetadata\": \"x\"}",
		    "profile.json: listenerMetadata: must not be set without listenerPath");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_BOGUS\"]}",
		    "profile.json: flags[0]: unknown flag 'SECCOMP_FILTER_FLAG_BOGUS'");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\", \"amd64\"]}",
		    "profile.json: architectures[1]: unknown architecture 'amd64'");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [{\"subArchitectures\": []}]}",
		    "profile.json: archMap[0].architecture: is required");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [{\"architecture\": \"SCMP_ARCH_VAX\"}]}",
		    "profile.json: archMap[0].architecture: unknown architecture 'SCMP_ARCH_VAX'");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\","
		    " \"subArchitectures\": [\"SCMP_ARCH_X86\", \"x32\"]}]}",
		    "profile.json: archMap[0].subArchitectures[1]: unknown architecture 'x32'");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [], \"architectures\": []}",
		    "profile.json: architectures: cannot be combined with archMap");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"\"}",
		    "profile.json: listenerPath: must be a non-empty string");
}

TEST(missing_file_names_the_path)
{
	struct seccomp_profile *p = NULL;
	char *err = NULL;
	CHECK(seccomp_profile_parse_file("/nonexistent/kk.json", &p, &err) == -ENOENT);
	CHECK_STREQ(err, "/nonexistent/kk.json: No such file or directory");
	free(err);
}

static const char filters_json[] =
    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
    " {\"names\": [\"r0\"], \"action\": \"SCMP_ACT_ALLOW\"},"
    " {\"names\": [\"r1\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_A\", \"CAP_B\"]}},"
    " {\"names\": [\"r2\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"caps\": [\"CAP_A\", \"CAP_B\"]}},"
    " {\"names\": [\"r3\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"arches\": [\"amd64\", \"arm64\"]}},"
    " {\"names\": [\"r4\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"arches\": [\"SCMP_ARCH_X86_64\"]}},"
    " {\"names\": [\"r5\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"arches\": [\"x86_64\"]}},"
    " {\"names\": [\"r6\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"5.10\"}},"
    " {\"names\": [\"r7\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"minKernel\": \"5.10.3\"}},"
    " {\"names\": [\"r8\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_A\"]},"
    "  \"excludes\": {\"caps\": [\"CAP_B\"]}}]}";

/* Which of r0..r8 survive conversion, as a string of digits. */
static void survivors(const struct seccomp_profile *p, char *const *caps, const char *arch, unsigned major,
		      unsigned minor, unsigned patch, char out[16])
{
	struct seccomp_profile_target t = {.caps = caps, .arch = arch, .kernel = {major, minor, patch}};
	struct oci_seccomp s;
	size_t k = 0;
	out[0] = 0;
	if (seccomp_profile_convert(p, &t, &s) < 0)
		return;
	for (size_t i = 0; i < s.n_syscalls && k < 15; i++)
		out[k++] = s.syscalls[i].names[0][1];
	out[k] = 0;
	seccomp_profile_oci_done(&s);
}

TEST(includes_and_excludes)
{
	struct seccomp_profile *p = parse_ok(filters_json);
	char *const none[] = {NULL}, *const a[] = {"CAP_A", NULL}, *const ab[] = {"CAP_B", "CAP_A", NULL};
	char got[16];
	CHECK(p != NULL);
	if (!p)
		return;
	/* caps: includes needs all of them, excludes drops on any of them. */
	survivors(p, none, "SCMP_ARCH_X86_64", 6, 1, 0, got);
	CHECK_STREQ(got, "02346");
	survivors(p, a, "SCMP_ARCH_X86_64", 6, 1, 0, got);
	CHECK_STREQ(got, "03468");
	survivors(p, ab, "SCMP_ARCH_X86_64", 6, 1, 0, got);
	CHECK_STREQ(got, "01346");
	/* arches in Go, libseccomp and SCMP spellings. */
	survivors(p, none, "SCMP_ARCH_AARCH64", 6, 1, 0, got);
	CHECK_STREQ(got, "02356");
	survivors(p, none, "SCMP_ARCH_X86", 6, 1, 0, got);
	CHECK_STREQ(got, "0256");
	survivors(p, none, NULL, 6, 1, 0, got);
	CHECK_STREQ(got, "0256");
	/* minKernel: includes from that version on, excludes before it. */
	survivors(p, none, "SCMP_ARCH_X86_64", 5, 10, 0, got);
	CHECK_STREQ(got, "023467");
	survivors(p, none, "SCMP_ARCH_X86_64", 5, 10, 3, got);
	CHECK_STREQ(got, "02346");
	survivors(p, none, "SCMP_ARCH_X86_64", 5, 9, 99, got);
	CHECK_STREQ(got, "02347");
	survivors(p, none, "SCMP_ARCH_X86_64", 4, 19, 0, got);
	CHECK_STREQ(got, "02347");
	seccomp_profile_free(p);
}

TEST(arch_map_selects_the_native_entry)
{
	struct seccomp_profile *p = parse_ok(
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"archMap\": ["
	    " {\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]},"
	    " {\"architecture\": \"SCMP_ARCH_AARCH64\", \"subArchitectures\": [\"SCMP_ARCH_ARM\"]},"
	    " {\"architecture\": \"SCMP_ARCH_RISCV64\"}]}");
	struct oci_seccomp s;
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(convert(p, NULL, "SCMP_ARCH_X86_64", 6, 1, &s) == 0);
	CHECK(s.architectures && STREQ(s.architectures[0], "SCMP_ARCH_X86_64") &&
	      STREQ(s.architectures[1], "SCMP_ARCH_X86") && STREQ(s.architectures[2], "SCMP_ARCH_X32") &&
	      !s.architectures[3]);
	seccomp_profile_oci_done(&s);
	CHECK(convert(p, NULL, "SCMP_ARCH_AARCH64", 6, 1, &s) == 0);
	CHECK(s.architectures && STREQ(s.architectures[0], "SCMP_ARCH_AARCH64") &&
	      STREQ(s.architectures[1], "SCMP_ARCH_ARM") && !s.architectures[2]);
	seccomp_profile_oci_done(&s);
	CHECK(convert(p, NULL, "SCMP_ARCH_RISCV64", 6, 1, &s) == 0);
	CHECK(s.architectures && STREQ(s.architectures[0], "SCMP_ARCH_RISCV64") && !s.architectures[1]);
	seccomp_profile_oci_done(&s);
	/* Not in the map: native only. */
	CHECK(convert(p, NULL, "SCMP_ARCH_S390X", 6, 1, &s) == 0);
	CHECK(s.architectures == NULL);
	seccomp_profile_oci_done(&s);
	seccomp_profile_free(p);

	p = parse_ok(
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_ARM\"]}");
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(convert(p, NULL, "SCMP_ARCH_X86_64", 6, 1, &s) == 0);
	CHECK(s.architectures && STREQ(s.architectures[0], "SCMP_ARCH_X86") &&
	      STREQ(s.architectures[1], "SCMP_ARCH_ARM") && !s.architectures[2]);
	seccomp_profile_oci_done(&s);
	seccomp_profile_free(p);
}

/* The JSON of a converted profile, put into a config.json, parses to the same struct. */
static void check_round_trip(const struct oci_seccomp *s)
{
	struct json_object *o = NULL;
	struct oci_spec *spec = NULL;
	char *err = NULL, *text = NULL;
	CHECK(seccomp_profile_oci_json(s, &o) == 0);
	if (!o)
		return;
	CHECK(asprintf(&text,
		       "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"}, \"linux\": {\"seccomp\": %s}}",
		       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) > 0);
	json_object_put(o);
	if (spec_parse_string(text, "config.json", &spec, &err) < 0) {
		printf("#   %s\n", err);
		CHECK(!"the serialized profile parses as linux.seccomp");
		free(err);
		free(text);
		return;
	}
	const struct oci_seccomp *t = &spec->linux_.seccomp;
	CHECK(t->present);
	CHECK(t->default_action == s->default_action);
	CHECK(t->has_default_errno_ret == s->has_default_errno_ret && t->default_errno_ret == s->default_errno_ret);
	CHECK((t->architectures == NULL) == (s->architectures == NULL));
	CHECK(t->n_syscalls == s->n_syscalls);
	for (size_t i = 0; i < t->n_syscalls && i < s->n_syscalls; i++) {
		const struct oci_seccomp_syscall *a = &s->syscalls[i], *b = &t->syscalls[i];
		CHECK(a->action == b->action && a->has_errno_ret == b->has_errno_ret && a->errno_ret == b->errno_ret);
		CHECK(a->n_args == b->n_args);
		for (size_t j = 0; j < a->n_args && j < b->n_args; j++)
			CHECK(memcmp(&a->args[j], &b->args[j], sizeof(a->args[j])) == 0);
		size_t n = 0;
		for (; a->names[n] && b->names[n]; n++)
			CHECK_STREQ(a->names[n], b->names[n]);
		CHECK(!a->names[n] && !b->names[n]);
	}
	spec_free(spec);
	free(text);
}

TEST(serialized_form_is_valid_linux_seccomp)
{
	struct seccomp_profile *p = parse_ok(filters_json);
	struct oci_seccomp s;
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(convert(p, default_caps, "SCMP_ARCH_X86_64", 6, 1, &s) == 0);
	check_round_trip(&s);
	seccomp_profile_oci_done(&s);
	seccomp_profile_free(p);
}

static struct seccomp_profile *default_profile(void)
{
	struct seccomp_profile *p = NULL;
	char *err = NULL;
	if (seccomp_profile_parse_string(seccomp_profile_default_json, SECCOMP_PROFILE_DEFAULT_NAME, &p, &err) < 0) {
		printf("#   %s\n", err ? err : "?");
		free(err);
		return NULL;
	}
	return p;
}

TEST(default_profile_parses_and_converts)
{
	struct seccomp_profile *p = default_profile();
	struct oci_seccomp s;
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(p->default_action == OCI_SCMP_ACT_ERRNO && p->has_default_errno_ret && p->default_errno_ret == ENOSYS);
	CHECK(convert(p, default_caps, "SCMP_ARCH_X86_64", 6, 1, &s) == 0);
	CHECK(s.architectures && STREQ(s.architectures[0], "SCMP_ARCH_X86_64"));
	/* Without CAP_SYS_ADMIN: clone filtered, clone3 ENOSYS, mount EPERM, nothing allows bpf. */
	CHECK(count_rules(&s, "clone", OCI_SCMP_ACT_ALLOW) == 1);
	CHECK(count_rules(&s, "clone", OCI_SCMP_ACT_ERRNO) == 7);
	CHECK(count_rules(&s, "unshare", OCI_SCMP_ACT_ERRNO) == 8);
	CHECK(count_rules(&s, "clone3", OCI_SCMP_ACT_ERRNO) == 1);
	CHECK(count_rules(&s, "clone3", OCI_SCMP_ACT_ALLOW) == 0);
	CHECK(count_rules(&s, "mount", OCI_SCMP_ACT_ERRNO) == 1);
	CHECK(count_rules(&s, "mount", OCI_SCMP_ACT_ALLOW) == 0);
	CHECK(count_rules(&s, "bpf", OCI_SCMP_ACT_ALLOW) == 0);
	CHECK(count_rules(&s, "ptrace", OCI_SCMP_ACT_ERRNO) == 1);
	CHECK(count_rules(&s, "arch_prctl", OCI_SCMP_ACT_ALLOW) == 1);
	CHECK(count_rules(&s, "set_tls", -1) == 0);
	check_round_trip(&s);
	seccomp_profile_oci_done(&s);

	/* With CAP_SYS_ADMIN the namespace and mount calls are allowed outright. */
	char *const admin[] = {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", NULL};
	CHECK(convert(p, admin, "SCMP_ARCH_X86_64", 6, 1, &s) == 0);
	CHECK(count_rules(&s, "clone", OCI_SCMP_ACT_ERRNO) == 0);
	CHECK(count_rules(&s, "clone", OCI_SCMP_ACT_ALLOW) == 1);
	CHECK(count_rules(&s, "clone3", OCI_SCMP_ACT_ALLOW) == 1 && count_rules(&s, "clone3", OCI_SCMP_ACT_ERRNO) == 0);
	CHECK(count_rules(&s, "mount", OCI_SCMP_ACT_ALLOW) == 1 && count_rules(&s, "mount", OCI_SCMP_ACT_ERRNO) == 0);
	CHECK(count_rules(&s, "bpf", OCI_SCMP_ACT_ALLOW) == 1 && count_rules(&s, "bpf", OCI_SCMP_ACT_ERRNO) == 0);
	CHECK(count_rules(&s, "ptrace", OCI_SCMP_ACT_ALLOW) == 1 && count_rules(&s, "ptrace", OCI_SCMP_ACT_ERRNO) == 0);
	seccomp_profile_oci_done(&s);
	/* ... but ptrace stays refused on kernels before 4.8. */
	CHECK(convert(p, admin, "SCMP_ARCH_X86_64", 4, 4, &s) == 0);
	CHECK(count_rules(&s, "ptrace", OCI_SCMP_ACT_ALLOW) == 0 && count_rules(&s, "ptrace", OCI_SCMP_ACT_ERRNO) == 1);
	seccomp_profile_oci_done(&s);
	/* s390 passes clone's flags second. */
	CHECK(convert(p, default_caps, "SCMP_ARCH_S390X", 6, 1, &s) == 0);
	for (size_t i = 0; i < s.n_syscalls; i++)
		if (STREQ(s.syscalls[i].names[0], "clone"))
			CHECK(s.syscalls[i].n_args == 1 && s.syscalls[i].args[0].index == 1);
	seccomp_profile_oci_done(&s);
	seccomp_profile_free(p);
}

/* Every rule of the default profile, converted for the default capabilities, compiles. */
TEST(default_profile_compiles)
{
	struct seccomp_profile *p = default_profile();
	struct seccomp_profile_target t = {.caps = default_caps};
	struct oci_seccomp s;
	struct seccomp_prog *prog = NULL;
	if (!p) {
		CHECK(p != NULL);
		return;
	}
	CHECK(seccomp_profile_target_native(&t) == 0);
	CHECK(seccomp_profile_convert(p, &t, &s) == 0);
	CHECK(seccomp_compile(&s, &prog) == 0);
	CHECK(prog != NULL);
	seccomp_prog_free(prog);
	seccomp_profile_oci_done(&s);
	seccomp_profile_free(p);
}

/* libseccomp lets a rule without conditions override every conditional rule of the same
 * syscall (and refuses two unconditional rules with different actions), so in the converted
 * default profile a syscall has either one unconditional action or only conditional rules. */
static void check_no_overridden_rules(const struct oci_seccomp *s, const char *what)
{
	for (size_t i = 0; i < s->n_syscalls; i++) {
		if (s->syscalls[i].n_args > 0)
			continue;
		for (char **n = s->syscalls[i].names; *n; n++)
			for (size_t j = 0; j < s->n_syscalls; j++) {
				const struct oci_seccomp_syscall *o = &s->syscalls[j];
				bool clash = false;
				if (j == i || (o->n_args == 0 && o->action == s->syscalls[i].action))
					continue;
				for (char **m = o->names; *m; m++)
					clash = clash || STREQ(*m, *n);
				if (clash) {
					printf("#   %s: '%s' has an unconditional rule (%zu) and another one (%zu)\n",
					       what, *n, i, j);
					CHECK(!clash);
				}
			}
	}
}

TEST(default_profile_rules_do_not_override_each_other)
{
	struct seccomp_profile *p = default_profile();
	char *const admin[] = {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_BPF", "CAP_PERFMON", "CAP_SYS_MODULE", NULL};
	const char *const arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64", "SCMP_ARCH_S390X", NULL};
	struct oci_seccomp s;
	if (!p) {
		CHECK(p != NULL);
		return;
	}
	for (size_t a = 0; arches[a]; a++) {
		CHECK(convert(p, default_caps, arches[a], 6, 1, &s) == 0);
		check_no_overridden_rules(&s, arches[a]);
		seccomp_profile_oci_done(&s);
		CHECK(convert(p, admin, arches[a], 6, 1, &s) == 0);
		check_no_overridden_rules(&s, arches[a]);
		seccomp_profile_oci_done(&s);
		CHECK(convert(p, admin, arches[a], 4, 4, &s) == 0);
		check_no_overridden_rules(&s, arches[a]);
		seccomp_profile_oci_done(&s);
	}
	seccomp_profile_free(p);
}

/* A typo in the default profile would be skipped silently as an "unknown syscall": every
 * name must be known to libseccomp on one of the profile's architectures, or be one of the
 * syscalls newer than libseccomp 2.5.4 listed here (skipped until libseccomp knows them). */
TEST(default_profile_names_are_real_syscalls)
{
	static const char *const newer[] = {
	    "file_getattr",	 "file_setattr",     "getxattrat",	  "listmount", "listxattrat",
	    "lsm_get_self_attr", "lsm_list_modules", "lsm_set_self_attr", "mseal",     "open_tree_attr",
	    "removexattrat",	 "riscv_hwprobe",    "setxattrat",	  "statmount", NULL,
	};
	static const char *const arches[] = {"x86_64", "x86",	  "x32",     "aarch64",	 "arm",		"s390x",
					     "s390",   "ppc64le", "riscv64", "mipsel64", "loongarch64", NULL};
	struct seccomp_profile *p = default_profile();
	if (!p) {
		CHECK(p != NULL);
		return;
	}
	for (size_t i = 0; i < p->n_rules; i++)
		for (char **n = p->rules[i].names; *n; n++) {
			bool known = false;
			for (size_t a = 0; arches[a] && !known; a++) {
				uint32_t token = seccomp_arch_resolve_name(arches[a]);
				known = token && seccomp_syscall_resolve_name_arch(token, *n) >= 0;
			}
			for (size_t k = 0; newer[k] && !known; k++)
				known = STREQ(newer[k], *n);
			if (!known) {
				printf("#   syscalls[%zu]: '%s' is not a syscall libseccomp knows\n", i, *n);
				CHECK(known);
			}
		}
	seccomp_profile_free(p);
}

/* In a child under the default profile (default capabilities): the errno of each call. */
static int errno_of(long r)
{
	return r < 0 ? errno : 0;
}

static int child_checks(void)
{
	struct clone_args ca = {.flags = CLONE_NEWUSER, .exit_signal = SIGCHLD};
	int bad = 0;
#define EXPECT(call, want)                                                                                             \
	do {                                                                                                           \
		int e_ = errno_of(call);                                                                               \
		if (e_ != (want)) {                                                                                    \
			printf("#   %s: errno %d (%s), expected %d\n", #call, e_, strerror(e_), want);                 \
			bad = 1;                                                                                       \
		}                                                                                                      \
	} while (0)
	EXPECT(syscall(SYS_getppid), 0);
	EXPECT(syscall(SYS_unshare, CLONE_NEWUSER), EPERM);
	EXPECT(syscall(SYS_unshare, CLONE_NEWNS | CLONE_FILES), EPERM);
	EXPECT(syscall(SYS_clone3, &ca, sizeof(ca)), ENOSYS);
	EXPECT(syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, NULL, NULL, NULL, NULL), EPERM);
	EXPECT(syscall(SYS_keyctl, 0, 0, 0, 0, 0), EPERM);
	EXPECT(syscall(SYS_kexec_load, 0, 0, NULL, 0), EPERM);
	EXPECT(syscall(SYS_ptrace, 0, 0, NULL, NULL), EPERM);
	EXPECT(syscall(SYS_bpf, 0, NULL, 0), EPERM);
	EXPECT(syscall(SYS_io_uring_setup, 1, NULL), EPERM);
	EXPECT(syscall(SYS_mount, "none", "/", NULL, 0, NULL), EPERM);
	EXPECT(syscall(SYS_personality, 0x0040000 /* ADDR_COMPAT_LAYOUT */), ENOSYS);
	EXPECT(syscall(SYS_personality, 0xffffffffUL), 0);
	EXPECT(syscall(1000), ENOSYS); /* not a syscall (yet) */
	/* Without namespace flags unshare and clone work. */
	EXPECT(syscall(SYS_unshare, CLONE_FILES), 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	EXPECT(pid, 0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	fflush(stdout);
	return bad;
#undef EXPECT
}

TEST(default_profile_refuses_and_allows)
{
	struct seccomp_profile *p = default_profile();
	struct seccomp_profile_target t = {.caps = default_caps};
	struct oci_seccomp s;
	struct seccomp_prog *prog = NULL;
	if (!p) {
		CHECK(p != NULL);
		return;
	}
	CHECK(seccomp_profile_target_native(&t) == 0);
	CHECK(seccomp_profile_convert(p, &t, &s) == 0);
	CHECK(seccomp_compile(&s, &prog) == 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_install(prog, NULL) < 0)
			_exit(90);
		_exit(child_checks());
	}
	int st = 0;
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	seccomp_prog_free(prog);
	seccomp_profile_oci_done(&s);
	seccomp_profile_free(p);
}

TAP_MAIN
