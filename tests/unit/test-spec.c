/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.json parsing and validation (src/oci/spec-*.c), the default spec, features. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sched.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "oci/features.h"
#include "oci/spec-default.h"
#include "oci/spec.h"
#include "tap.h"

/* Test JSON is written with ' for " to keep it readable. */
static char *dq(const char *s)
{
	char *r = strdup(s);
	for (char *c = r; *c; c++)
		if (*c == '\'')
			*c = '"';
	return r;
}

static struct oci_spec *parse_ok(const char *json)
{
	char *text = dq(json), *err = NULL;
	struct oci_spec *spec = NULL;
	int r = spec_parse_string(text, "config.json", &spec, &err);
	if (r < 0)
		printf("#   unexpected error: %s\n", err ? err : "(null)");
	free(text);
	free(err);
	return r < 0 ? NULL : spec;
}

/* The full message, or NULL if it parsed. Caller frees. */
static char *parse_err(const char *json)
{
	char *text = dq(json), *err = NULL;
	struct oci_spec *spec = NULL;
	int r = spec_parse_string(text, "config.json", &spec, &err);
	free(text);
	if (r >= 0) {
		spec_free(spec);
		return NULL;
	}
	if (r != -EINVAL)
		printf("#   unexpected return %d\n", r);
	return err;
}

#define EXPECT_ERR(json, msg)                                                                                          \
	do {                                                                                                           \
		char *e_ = parse_err(json);                                                                            \
		CHECK_STREQ(e_, msg);                                                                                  \
		free(e_);                                                                                              \
	} while (0)

#define EXPECT_OK(json)                                                                                                \
	do {                                                                                                           \
		struct oci_spec *s_ = parse_ok(json);                                                                  \
		CHECK(s_ != NULL);                                                                                     \
		spec_free(s_);                                                                                         \
	} while (0)

#define BASE "'ociVersion':'1.2.0','root':{'path':'rootfs'}"
#define PROC "'args':['sh'],'cwd':'/'"
/* A config with extra process fields / extra linux fields. */
#define WITH_PROC(extra)  "{" BASE ",'process':{" PROC "," extra "}}"
#define WITH_LINUX(extra) "{" BASE ",'linux':{" extra "}}"
#define WITH_TOP(extra)	  "{" BASE "," extra "}"

/* --- the happy path ------------------------------------------------------------------ */

TEST(minimal_config_parses)
{
	struct oci_spec *s = parse_ok("{" BASE ",'process':{" PROC "}}");
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_STREQ(s->oci_version, "1.2.0");
	CHECK_STREQ(s->root_path, "rootfs");
	CHECK(!s->root_readonly);
	CHECK(s->process != NULL);
	CHECK_STREQ(s->process->args[0], "sh");
	CHECK(s->process->args[1] == NULL);
	CHECK_STREQ(s->process->cwd, "/");
	CHECK(s->process->user.uid == 0 && s->process->user.gid == 0);
	CHECK(s->process->env == NULL);
	CHECK(s->n_mounts == 0);
	CHECK(!s->linux_.namespaces[OCI_NS_PID].present);
	CHECK(s->linux_.resources_json == NULL);
	CHECK(!s->linux_.seccomp.present);
	spec_free(s);
}

TEST(process_is_optional_for_create)
{
	struct oci_spec *s = parse_ok("{" BASE "}");
	CHECK(s != NULL);
	if (s)
		CHECK(s->process == NULL);
	spec_free(s);
}

TEST(full_config_fields_are_parsed)
{
	struct oci_spec *s =
	    parse_ok("{'ociVersion':'1.0.2-dev','root':{'path':'/abs/rootfs','readonly':true},"
		     "'hostname':'box','domainname':'example.org',"
		     "'process':{'terminal':true,'consoleSize':{'height':24,'width':80},"
		     "  'user':{'uid':1000,'gid':1001,'umask':18,'additionalGids':[5,6]},"
		     "  'args':['/bin/app','-x'],'env':['PATH=/bin','EMPTY='],'cwd':'/work',"
		     "  'capabilities':{'bounding':['CAP_KILL'],'ambient':[]},"
		     "  'rlimits':[{'type':'RLIMIT_NOFILE','soft':1024,'hard':4096},"
		     "             {'type':'RLIMIT_CORE','soft':18446744073709551615,'hard':18446744073709551615}],"
		     "  'noNewPrivileges':true,'apparmorProfile':'prof','selinuxLabel':'lbl',"
		     "  'oomScoreAdj':-1000,'ioPriority':{'class':'IOPRIO_CLASS_IDLE','priority':7},"
		     "  'scheduler':{'policy':'SCHED_FIFO','priority':10,'flags':['SCHED_FLAG_RESET_ON_FORK',"
		     "               'SCHED_FLAG_UTIL_CLAMP_MAX'],'runtime':1,'deadline':2,'period':3}},"
		     "'mounts':[{'destination':'/proc','type':'proc','source':'proc'},"
		     "          {'destination':'data','source':'/host','options':['rbind','ro'],"
		     "           'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
		     "           'gidMappings':[{'containerID':0,'hostID':100000,'size':65536}]}],"
		     "'hooks':{'prestart':[{'path':'/bin/a'}],'poststop':[{'path':'/bin/b','args':['b'],"
		     "         'env':[],'timeout':5}]},"
		     "'annotations':{'k1':'v1','k2':''},"
		     "'linux':{'namespaces':[{'type':'pid'},{'type':'network','path':'/run/netns/x'},"
		     "         {'type':'mount'},{'type':'uts'},{'type':'user'},{'type':'time'}],"
		     "  'uidMappings':[{'containerID':0,'hostID':1000,'size':1}],"
		     "  'gidMappings':[{'containerID':0,'hostID':1000,'size':1}],"
		     "  'devices':[{'path':'/dev/fuse','type':'c','major':10,'minor':229,'fileMode':438,"
		     "              'uid':0,'gid':0},{'path':'/dev/fifo','type':'p'}],"
		     "  'cgroupsPath':'/a/b','resources':{'memory':{'limit':-1},'devices':[{'allow':false}]},"
		     "  'rootfsPropagation':'rslave','maskedPaths':['/proc/kcore'],'readonlyPaths':['/proc/sys'],"
		     "  'mountLabel':'ml','sysctl':{'net.core.somaxconn':'256'},"
		     "  'timeOffsets':{'monotonic':{'secs':-5,'nanosecs':7},'boottime':{'secs':9}},"
		     "  'personality':{'domain':'LINUX32'},'intelRdt':{'closID':'g'}}}");
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_STREQ(s->oci_version, "1.0.2-dev");
	CHECK(s->root_readonly);
	CHECK_STREQ(s->hostname, "box");
	CHECK_STREQ(s->domainname, "example.org");
	struct oci_process *p = s->process;
	CHECK(p->terminal && p->has_console_size && p->console_size.height == 24 && p->console_size.width == 80);
	CHECK(p->user.uid == 1000 && p->user.gid == 1001 && p->user.has_umask && p->user.umask == 022);
	CHECK(p->user.n_additional_gids == 2 && p->user.additional_gids[1] == 6);
	CHECK_STREQ(p->args[1], "-x");
	CHECK_STREQ(p->env[1], "EMPTY=");
	CHECK_STREQ(p->caps.bounding[0], "CAP_KILL");
	CHECK(p->caps.ambient && p->caps.ambient[0] == NULL);
	CHECK(p->caps.effective == NULL);
	CHECK(p->n_rlimits == 2 && p->rlimits[0].resource == RLIMIT_NOFILE);
	CHECK(p->rlimits[0].soft == 1024 && p->rlimits[0].hard == 4096);
	CHECK(p->rlimits[1].resource == RLIMIT_CORE && p->rlimits[1].hard == UINT64_MAX);
	CHECK(p->no_new_privileges);
	CHECK_STREQ(p->apparmor_profile, "prof");
	CHECK_STREQ(p->selinux_label, "lbl");
	CHECK(p->has_oom_score_adj && p->oom_score_adj == -1000);
	CHECK(p->io_priority.present && p->io_priority.class_ == 3 && p->io_priority.priority == 7);
	CHECK(p->scheduler.present && p->scheduler.policy == SCHED_FIFO);
	CHECK(p->scheduler.priority == 10 && p->scheduler.flags == (0x01 | 0x40));
	CHECK(p->scheduler.runtime == 1 && p->scheduler.deadline == 2 && p->scheduler.period == 3);
	CHECK(s->n_mounts == 2);
	CHECK_STREQ(s->mounts[1].destination, "data");
	CHECK(s->mounts[1].type == NULL);
	CHECK_STREQ(s->mounts[1].options[1], "ro");
	CHECK(s->mounts[1].n_uid_mappings == 1 && s->mounts[1].uid_mappings[0].host_id == 100000);
	CHECK(s->hooks.n[OCI_HOOK_PRESTART] == 1 && s->hooks.n[OCI_HOOK_POSTSTOP] == 1);
	CHECK(s->hooks.list[OCI_HOOK_PRESTART][0].args == NULL);
	CHECK(!s->hooks.list[OCI_HOOK_PRESTART][0].has_timeout);
	CHECK(s->hooks.list[OCI_HOOK_POSTSTOP][0].env && !s->hooks.list[OCI_HOOK_POSTSTOP][0].env[0]);
	CHECK(s->hooks.list[OCI_HOOK_POSTSTOP][0].timeout == 5);
	CHECK_STREQ(spec_annotation(s, "k1"), "v1");
	CHECK_STREQ(spec_annotation(s, "k2"), "");
	CHECK(spec_annotation(s, "nope") == NULL);
	struct oci_linux *l = &s->linux_;
	CHECK(l->namespaces[OCI_NS_PID].present && !l->namespaces[OCI_NS_PID].path);
	CHECK_STREQ(l->namespaces[OCI_NS_NETWORK].path, "/run/netns/x");
	CHECK(!l->namespaces[OCI_NS_IPC].present);
	CHECK(l->n_uid_mappings == 1 && l->uid_mappings[0].host_id == 1000);
	CHECK(l->n_devices == 2 && l->devices[0].type == 'c' && l->devices[0].major == 10 &&
	      l->devices[0].minor == 229 && l->devices[0].has_file_mode && l->devices[0].file_mode == 0666 &&
	      l->devices[0].has_uid);
	CHECK(l->devices[1].type == 'p' && !l->devices[1].has_uid);
	CHECK_STREQ(l->cgroups_path, "/a/b");
	CHECK_STREQ(l->resources_json, "{\"memory\":{\"limit\":-1},\"devices\":[{\"allow\":false}]}");
	CHECK_STREQ(l->rootfs_propagation, "rslave");
	CHECK_STREQ(l->masked_paths[0], "/proc/kcore");
	CHECK_STREQ(l->readonly_paths[0], "/proc/sys");
	CHECK_STREQ(l->mount_label, "ml");
	CHECK(l->n_sysctls == 1);
	CHECK_STREQ(l->sysctls[0].key, "net.core.somaxconn");
	CHECK_STREQ(l->sysctls[0].value, "256");
	CHECK(l->time_monotonic.present && l->time_monotonic.secs == -5 && l->time_monotonic.nanosecs == 7);
	CHECK(l->time_boottime.present && l->time_boottime.secs == 9);
	CHECK_STREQ(l->personality_domain, "LINUX32");
	CHECK_STREQ(l->intel_rdt_json, "{\"closID\":\"g\"}");
	spec_free(s);
}

TEST(unknown_fields_and_nulls_are_ignored)
{
	EXPECT_OK("{" BASE ",'future':{'x':[1,2]},'hostname':null,'process':{" PROC
		  ",'env':null,'newThing':1},'linux':{'seccomp':null,'brandNew':true}}");
	EXPECT_OK(WITH_TOP("'process':null"));
}

TEST(relative_root_path_is_accepted)
{
	struct oci_spec *s = parse_ok("{'ociVersion':'1.1.0','root':{'path':'../other/rootfs'}}");
	CHECK(s && STREQ(s->root_path, "../other/rootfs"));
	spec_free(s);
}

/* --- document-level errors ----------------------------------------------------------- */

TEST(invalid_json_reports_line_and_column)
{
	char *e = NULL;
	struct oci_spec *s = NULL;
	CHECK(spec_parse_string("{\n  \"ociVersion\": x\n}", "config.json", &s, &e) == -EINVAL);
	CHECK_STREQ(e, "config.json: invalid JSON: unexpected character (at line 2, column 17)");
	free(e);
	EXPECT_ERR("{'ociVersion':'1.2.0'",
		   "config.json: invalid JSON: unexpected end of input (at line 1, column 22)");
	EXPECT_ERR("", "config.json: invalid JSON: unexpected end of input (at line 1, column 1)");
	EXPECT_ERR("{'a':1,}", "config.json: invalid JSON: unexpected character (at line 1, column 8)");
	EXPECT_ERR("{} {}", "config.json: invalid JSON: unexpected character (at line 1, column 4)");
	EXPECT_ERR("{'a':1} // comment", "config.json: invalid JSON: unexpected character (at line 1, column 9)");
}

TEST(top_level_must_be_an_object)
{
	EXPECT_ERR("[]", "config.json: must be a JSON object");
	EXPECT_ERR("null", "config.json: must be a JSON object");
	EXPECT_ERR("42", "config.json: must be a JSON object");
}

TEST(deep_nesting_is_an_error_not_a_crash)
{
	char buf[400];
	memset(buf, '[', 200);
	memset(buf + 200, ']', 199);
	buf[399] = 0;
	char *e = parse_err(buf);
	CHECK_CONTAINS(e, "config.json: invalid JSON: nesting too deep");
	free(e);
}

TEST(integers_beyond_64_bits_are_rejected)
{
	EXPECT_ERR(WITH_PROC("'rlimits':[{'type':'RLIMIT_CPU','soft':1,'hard':18446744073709551616}]"),
		   "config.json: invalid JSON: integer 18446744073709551616 is out of range (at line 1, column 131)");
	EXPECT_ERR("{'x':-9223372036854775809}",
		   "config.json: invalid JSON: integer -9223372036854775809 is out of range (at line 1, column 6)");
	/* digits inside strings are not numbers */
	EXPECT_OK(WITH_TOP("'annotations':{'a':'99999999999999999999999'}"));
}

TEST(nul_inside_strings_is_rejected)
{
	EXPECT_ERR(WITH_TOP("'mounts':[{'destination':'/ok\\u0000/../../x'}]"),
		   "config.json: mounts[0].destination: must not contain NUL characters");
}

TEST(messages_stay_on_one_line)
{
	EXPECT_ERR(WITH_LINUX("'maskedPaths':['\\t\\n/x\\u001b[31m']"),
		   "config.json: linux.maskedPaths[0]: '\\t\\n/x\\x1b[31m' must be an absolute path");
}

/* --- ociVersion, root ---------------------------------------------------------------- */

TEST(oci_version_is_required_and_checked)
{
	EXPECT_ERR("{'root':{'path':'r'}}", "config.json: ociVersion: is required");
	EXPECT_ERR("{'ociVersion':1,'root':{'path':'r'}}", "config.json: ociVersion: must be a string");
	EXPECT_ERR("{'ociVersion':'2.0.0','root':{'path':'r'}}",
		   "config.json: ociVersion: unsupported version '2.0.0' (supported: 1.0.0 through 1.2.x)");
	EXPECT_ERR("{'ociVersion':'1.3.0','root':{'path':'r'}}",
		   "config.json: ociVersion: unsupported version '1.3.0' (supported: 1.0.0 through 1.2.x)");
	EXPECT_ERR("{'ociVersion':'1.10.0','root':{'path':'r'}}",
		   "config.json: ociVersion: unsupported version '1.10.0' (supported: 1.0.0 through 1.2.x)");
	EXPECT_ERR("{'ociVersion':'1.0','root':{'path':'r'}}",
		   "config.json: ociVersion: '1.0' is not a valid version (expected MAJOR.MINOR.PATCH)");
	EXPECT_ERR("{'ociVersion':'banana','root':{'path':'r'}}",
		   "config.json: ociVersion: 'banana' is not a valid version (expected MAJOR.MINOR.PATCH)");
	EXPECT_ERR("{'ociVersion':'1.2.0-','root':{'path':'r'}}",
		   "config.json: ociVersion: '1.2.0-' is not a valid version (expected MAJOR.MINOR.PATCH)");
	EXPECT_OK("{'ociVersion':'1.0.0','root':{'path':'r'}}");
	EXPECT_OK("{'ociVersion':'1.1.0-rc.1','root':{'path':'r'}}");
	EXPECT_OK("{'ociVersion':'1.2.1+build.5','root':{'path':'r'}}");
}

TEST(root_path_is_required)
{
	EXPECT_ERR("{'ociVersion':'1.2.0'}", "config.json: root: is required");
	EXPECT_ERR("{'ociVersion':'1.2.0','root':'rootfs'}", "config.json: root: must be an object");
	EXPECT_ERR("{'ociVersion':'1.2.0','root':{}}", "config.json: root.path: is required");
	EXPECT_ERR("{'ociVersion':'1.2.0','root':{'path':''}}", "config.json: root.path: must be a non-empty string");
	EXPECT_ERR("{'ociVersion':'1.2.0','root':{'path':'r','readonly':'yes'}}",
		   "config.json: root.readonly: must be a boolean");
}

/* --- process ------------------------------------------------------------------------- */

TEST(process_args_must_be_a_non_empty_array)
{
	EXPECT_ERR("{" BASE ",'process':{'args':'sh','cwd':'/'}}",
		   "config.json: process.args: must be a non-empty array");
	EXPECT_ERR("{" BASE ",'process':{'args':[],'cwd':'/'}}",
		   "config.json: process.args: must be a non-empty array");
	EXPECT_ERR("{" BASE ",'process':{'cwd':'/'}}", "config.json: process.args: is required");
	EXPECT_ERR("{" BASE ",'process':{'args':['sh',3],'cwd':'/'}}",
		   "config.json: process.args[1]: must be a string");
	EXPECT_ERR(WITH_TOP("'process':[]"), "config.json: process: must be an object");
}

TEST(process_cwd_must_be_absolute)
{
	EXPECT_ERR("{" BASE ",'process':{'args':['sh']}}", "config.json: process.cwd: is required");
	EXPECT_ERR("{" BASE ",'process':{'args':['sh'],'cwd':'tmp'}}",
		   "config.json: process.cwd: 'tmp' must be an absolute path");
}

TEST(process_env_entries_need_an_equals_sign)
{
	EXPECT_ERR(WITH_PROC("'env':['A=1','FOO']"), "config.json: process.env[1]: 'FOO' must have the form KEY=value");
	EXPECT_ERR(WITH_PROC("'env':['=x']"), "config.json: process.env[0]: '=x' must have the form KEY=value");
	EXPECT_ERR(WITH_PROC("'env':'A=1'"), "config.json: process.env: must be an array of strings");
}

TEST(process_user_ids_are_validated)
{
	EXPECT_ERR(WITH_PROC("'user':{'uid':-1,'gid':0}"),
		   "config.json: process.user.uid: must be an integer between 0 and 4294967295");
	EXPECT_ERR(WITH_PROC("'user':{'uid':4294967296,'gid':0}"),
		   "config.json: process.user.uid: must be an integer between 0 and 4294967295");
	EXPECT_ERR(WITH_PROC("'user':{'uid':'root','gid':0}"), "config.json: process.user.uid: must be an integer");
	EXPECT_ERR(WITH_PROC("'user':{'uid':1.5,'gid':0}"), "config.json: process.user.uid: must be an integer");
	EXPECT_ERR(WITH_PROC("'user':{'uid':0}"), "config.json: process.user.gid: is required");
	EXPECT_ERR(WITH_PROC("'user':{'uid':0,'gid':0,'additionalGids':[1,-2]}"),
		   "config.json: process.user.additionalGids[1]: must be an integer between 0 and 4294967295");
	EXPECT_ERR(WITH_PROC("'user':{'uid':0,'gid':0,'umask':512}"),
		   "config.json: process.user.umask: must be an integer between 0 and 511");
}

TEST(process_rlimits_are_validated)
{
	EXPECT_ERR(WITH_PROC("'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]"),
		   "config.json: process.rlimits[0].type: unknown resource limit 'RLIMIT_FOO'");
	EXPECT_ERR(
	    WITH_PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':1},"
		      "{'type':'RLIMIT_NOFILE','soft':2,'hard':2}]"),
	    "config.json: process.rlimits[1].type: duplicate resource limit 'RLIMIT_NOFILE' (also in rlimits[0])");
	EXPECT_ERR(WITH_PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':1}]"),
		   "config.json: process.rlimits[0].hard: is required");
	EXPECT_ERR(WITH_PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':-1,'hard':1}]"),
		   "config.json: process.rlimits[0].soft: must be a non-negative integer");
	EXPECT_ERR(WITH_PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':5,'hard':4}]"),
		   "config.json: process.rlimits[0].soft: must not exceed hard (5 > 4)");
}

TEST(process_oom_score_adj_range)
{
	EXPECT_ERR(WITH_PROC("'oomScoreAdj':1001"),
		   "config.json: process.oomScoreAdj: must be an integer between -1000 and 1000");
	EXPECT_ERR(WITH_PROC("'oomScoreAdj':-1001"),
		   "config.json: process.oomScoreAdj: must be an integer between -1000 and 1000");
	EXPECT_OK(WITH_PROC("'oomScoreAdj':1000"));
}

TEST(process_io_priority_and_scheduler)
{
	EXPECT_ERR(WITH_PROC("'ioPriority':{'class':'IOPRIO_CLASS_NONE','priority':0}"),
		   "config.json: process.ioPriority.class: unknown I/O priority class 'IOPRIO_CLASS_NONE'");
	EXPECT_ERR(WITH_PROC("'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':8}"),
		   "config.json: process.ioPriority.priority: must be an integer between 0 and 7");
	EXPECT_ERR(WITH_PROC("'ioPriority':{'class':'IOPRIO_CLASS_BE'}"),
		   "config.json: process.ioPriority.priority: is required");
	EXPECT_ERR(WITH_PROC("'scheduler':{'policy':'SCHED_FAST'}"),
		   "config.json: process.scheduler.policy: unknown scheduling policy 'SCHED_FAST'");
	EXPECT_ERR(WITH_PROC("'scheduler':{'policy':'SCHED_OTHER','nice':20}"),
		   "config.json: process.scheduler.nice: must be an integer between -20 and 19");
	EXPECT_ERR(WITH_PROC("'scheduler':{'policy':'SCHED_OTHER','flags':['SCHED_FLAG_X']}"),
		   "config.json: process.scheduler.flags[0]: unknown scheduler flag 'SCHED_FLAG_X'");
	EXPECT_ERR(WITH_PROC("'scheduler':{'nice':1}"), "config.json: process.scheduler.policy: is required");
}

TEST(process_capabilities_and_console_types)
{
	EXPECT_ERR(WITH_PROC("'capabilities':{'bounding':'CAP_KILL'}"),
		   "config.json: process.capabilities.bounding: must be an array of strings");
	EXPECT_ERR(WITH_PROC("'capabilities':['CAP_KILL']"), "config.json: process.capabilities: must be an object");
	EXPECT_ERR(WITH_PROC("'consoleSize':{'height':10}"), "config.json: process.consoleSize.width: is required");
	EXPECT_ERR(WITH_PROC("'terminal':1"), "config.json: process.terminal: must be a boolean");
	EXPECT_ERR(WITH_PROC("'noNewPrivileges':'true'"), "config.json: process.noNewPrivileges: must be a boolean");
}

/* --- mounts, hooks, annotations ------------------------------------------------------ */

TEST(mount_destination_may_not_escape_the_root)
{
	EXPECT_ERR(WITH_TOP("'mounts':[{'destination':'/ok'},{'destination':'/../x'}]"),
		   "config.json: mounts[1].destination: '/../x' escapes the container root");
	EXPECT_ERR(WITH_TOP("'mounts':[{'destination':'a/../../x'}]"),
		   "config.json: mounts[0].destination: 'a/../../x' escapes the container root");
	EXPECT_ERR(WITH_TOP("'mounts':[{'destination':'/a/./../..'}]"),
		   "config.json: mounts[0].destination: '/a/./../..' escapes the container root");
	EXPECT_OK(WITH_TOP("'mounts':[{'destination':'/a/../b'},{'destination':'relative/x'},"
			   "{'destination':'/..foo/...'}]"));
}

TEST(mount_fields_are_type_checked)
{
	EXPECT_ERR(WITH_TOP("'mounts':[{'type':'tmpfs'}]"), "config.json: mounts[0].destination: is required");
	EXPECT_ERR(WITH_TOP("'mounts':[{'destination':''}]"),
		   "config.json: mounts[0].destination: must be a non-empty string");
	EXPECT_ERR(WITH_TOP("'mounts':[{'destination':'/x','options':['ro',1]}]"),
		   "config.json: mounts[0].options[1]: must be a string");
	EXPECT_ERR(WITH_TOP("'mounts':{'destination':'/x'}"), "config.json: mounts: must be an array");
	EXPECT_ERR(WITH_TOP("'mounts':['/x']"), "config.json: mounts[0]: must be an object");
	EXPECT_ERR(WITH_TOP("'mounts':[{'destination':'/x','type':5}]"),
		   "config.json: mounts[0].type: must be a string");
}

TEST(mount_id_mappings_come_in_pairs)
{
	EXPECT_ERR(WITH_TOP("'mounts':[{'destination':'/x','uidMappings':[{'containerID':0,'hostID':1,'size':1}]}]"),
		   "config.json: mounts[0].gidMappings: is required when uidMappings is set");
	EXPECT_ERR(WITH_TOP("'mounts':[{'destination':'/x','uidMappings':[{'containerID':0,'hostID':1}]}]"),
		   "config.json: mounts[0].uidMappings[0].size: is required");
}

TEST(hooks_are_validated)
{
	EXPECT_ERR(WITH_TOP("'hooks':{'prestart':[{'path':'hook'}]}"),
		   "config.json: hooks.prestart[0].path: 'hook' must be an absolute path");
	EXPECT_ERR(WITH_TOP("'hooks':{'poststop':[{'path':'/h','timeout':0}]}"),
		   "config.json: hooks.poststop[0].timeout: must be an integer between 1 and 2147483647");
	EXPECT_ERR(WITH_TOP("'hooks':{'createRuntime':{'path':'/h'}}"),
		   "config.json: hooks.createRuntime: must be an array");
	EXPECT_ERR(WITH_TOP("'hooks':{'startContainer':[{'args':['x']}]}"),
		   "config.json: hooks.startContainer[0].path: is required");
	EXPECT_ERR(WITH_TOP("'hooks':{'createContainer':[{'path':'/h','env':[1]}]}"),
		   "config.json: hooks.createContainer[0].env[0]: must be a string");
}

TEST(annotations_are_string_maps)
{
	EXPECT_ERR(WITH_TOP("'annotations':{'ok':'1','a.b':2}"), "config.json: annotations[\"a.b\"]: must be a string");
	EXPECT_ERR(WITH_TOP("'annotations':['x']"), "config.json: annotations: must be an object");
	EXPECT_ERR(WITH_TOP("'annotations':{'':'x'}"), "config.json: annotations: keys must not be empty");
}

/* --- linux --------------------------------------------------------------------------- */

TEST(namespaces_are_validated)
{
	EXPECT_ERR(WITH_LINUX("'namespaces':[{'type':'pid'},{'type':'uts'},{'type':'foo'}]"),
		   "config.json: linux.namespaces[2].type: unknown namespace type 'foo'");
	EXPECT_ERR(WITH_LINUX("'namespaces':[{'type':'pid'},{'type':'pid','path':'/proc/1/ns/pid'}]"),
		   "config.json: linux.namespaces[1].type: duplicate namespace type 'pid'");
	EXPECT_ERR(WITH_LINUX("'namespaces':[{'type':'network','path':'netns'}]"),
		   "config.json: linux.namespaces[0].path: 'netns' must be an absolute path");
	EXPECT_ERR(WITH_LINUX("'namespaces':[{'path':'/x'}]"), "config.json: linux.namespaces[0].type: is required");
	EXPECT_ERR(WITH_TOP("'linux':[]"), "config.json: linux: must be an object");
}

TEST(id_mappings_require_a_user_namespace)
{
	EXPECT_ERR(WITH_LINUX("'uidMappings':[{'containerID':0,'hostID':1000,'size':1}]"),
		   "config.json: linux.uidMappings: requires a user namespace in linux.namespaces");
	EXPECT_ERR(WITH_LINUX("'gidMappings':[{'containerID':0,'hostID':1000,'size':1}]"),
		   "config.json: linux.gidMappings: requires a user namespace in linux.namespaces");
	EXPECT_OK(WITH_LINUX("'namespaces':[{'type':'user'}]"));
	EXPECT_ERR(WITH_LINUX("'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':1,'size':0}]"),
		   "config.json: linux.uidMappings[0].size: must be at least 1");
	EXPECT_ERR(
	    WITH_LINUX("'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':4294967295,'hostID':1,'size':2}]"),
	    "config.json: linux.uidMappings[0].size: range exceeds the 32-bit id space");
}

TEST(hostname_requires_a_uts_namespace)
{
	EXPECT_ERR(WITH_TOP("'hostname':'h'"), "config.json: hostname: requires a uts namespace in linux.namespaces");
	EXPECT_OK(WITH_TOP("'hostname':'h','linux':{'namespaces':[{'type':'uts'}]}"));
	EXPECT_OK(WITH_TOP("'hostname':''"));
}

TEST(devices_are_validated)
{
	EXPECT_ERR(WITH_LINUX("'devices':[{'path':'/dev/x','type':'x','major':1,'minor':1}]"),
		   "config.json: linux.devices[0].type: unknown device type 'x' (expected c, b, u or p)");
	EXPECT_ERR(WITH_LINUX("'devices':[{'path':'/dev/x','type':'c','minor':1}]"),
		   "config.json: linux.devices[0].major: is required");
	EXPECT_ERR(WITH_LINUX("'devices':[{'path':'dev/x','type':'c','major':1,'minor':1}]"),
		   "config.json: linux.devices[0].path: 'dev/x' must be an absolute path");
	EXPECT_ERR(WITH_LINUX("'devices':[{'path':'/dev/x','type':'b','major':1,'minor':-3}]"),
		   "config.json: linux.devices[0].minor: must be an integer between 0 and 4294967295");
}

TEST(linux_string_fields_are_validated)
{
	EXPECT_ERR(WITH_LINUX("'rootfsPropagation':'everywhere'"),
		   "config.json: linux.rootfsPropagation: unknown propagation 'everywhere' (expected shared, slave, "
		   "private or unbindable)");
	EXPECT_ERR(WITH_LINUX("'maskedPaths':['/proc/kcore','proc/keys']"),
		   "config.json: linux.maskedPaths[1]: 'proc/keys' must be an absolute path");
	EXPECT_ERR(WITH_LINUX("'readonlyPaths':[true]"), "config.json: linux.readonlyPaths[0]: must be a string");
	EXPECT_ERR(WITH_LINUX("'sysctl':{'net.ipv4.ip_forward':1}"),
		   "config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: must be a string");
	EXPECT_ERR(WITH_LINUX("'resources':[]"), "config.json: linux.resources: must be an object");
	EXPECT_ERR(WITH_LINUX("'personality':{'domain':'BSD'}"),
		   "config.json: linux.personality.domain: unknown execution domain 'BSD' (expected LINUX or LINUX32)");
	EXPECT_ERR(WITH_LINUX("'personality':{'domain':'LINUX','flags':['X']}"),
		   "config.json: linux.personality.flags: unsupported personality flag 'X'");
	EXPECT_ERR(WITH_LINUX("'cgroupsPath':7"), "config.json: linux.cgroupsPath: must be a string");
}

TEST(time_offsets_are_validated)
{
	EXPECT_ERR(WITH_LINUX("'timeOffsets':{'monotonic':{'secs':1}}"),
		   "config.json: linux.timeOffsets: requires a new time namespace in linux.namespaces (type 'time' "
		   "without a path)");
	EXPECT_ERR(WITH_LINUX("'namespaces':[{'type':'time'}],'timeOffsets':{'realtime':{'secs':1}}"),
		   "config.json: linux.timeOffsets.realtime: unknown clock (expected monotonic or boottime)");
	EXPECT_ERR(WITH_LINUX("'namespaces':[{'type':'time'}],'timeOffsets':{'boottime':{'nanosecs':1000000000}}"),
		   "config.json: linux.timeOffsets.boottime.nanosecs: must be an integer between 0 and 999999999");
}

TEST(resources_are_kept_as_raw_json)
{
	struct oci_spec *s =
	    parse_ok(WITH_LINUX("'resources':{'hugepageLimits':[{'pageSize':'2MB','limit':18446744073709551615}],"
				"'unified':{'io.max':'8:0 rbps=/x'}}"));
	CHECK(s != NULL);
	if (s)
		CHECK_STREQ(s->linux_.resources_json,
			    "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":18446744073709551615}],"
			    "\"unified\":{\"io.max\":\"8:0 rbps=/x\"}}");
	spec_free(s);
}

/* --- seccomp ------------------------------------------------------------------------- */

#define SC(extra)     WITH_LINUX("'seccomp':{" extra "}")
#define SC_RULE(rule) SC("'defaultAction':'SCMP_ACT_ERRNO','syscalls':[" rule "]")

TEST(seccomp_actions_are_validated)
{
	EXPECT_ERR(SC("'syscalls':[]"), "config.json: linux.seccomp.defaultAction: is required");
	EXPECT_ERR(SC("'defaultAction':'SCMP_ACT_FOO'"),
		   "config.json: linux.seccomp.defaultAction: unknown seccomp action 'SCMP_ACT_FOO'");
	EXPECT_ERR(SC_RULE("{'names':['read'],'action':'SCMP_ACT_ALLOW'},{'names':['x'],'action':'ALLOW'}"),
		   "config.json: linux.seccomp.syscalls[1].action: unknown seccomp action 'ALLOW'");
	EXPECT_ERR(SC("'defaultAction':'SCMP_ACT_KILL','defaultErrnoRet':1"),
		   "config.json: linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not "
		   "SCMP_ACT_KILL");
	EXPECT_ERR(SC_RULE("{'names':['read'],'action':'SCMP_ACT_ALLOW','errnoRet':1}"),
		   "config.json: linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, "
		   "not SCMP_ACT_ALLOW");
	EXPECT_ERR(SC_RULE("{'names':['read'],'action':'SCMP_ACT_NOTIFY'}"),
		   "config.json: linux.seccomp.listenerPath: is required when SCMP_ACT_NOTIFY is used");
	EXPECT_ERR(SC("'defaultAction':'SCMP_ACT_ALLOW','listenerMetadata':'m'"),
		   "config.json: linux.seccomp.listenerMetadata: must not be set without listenerPath");
	EXPECT_ERR(SC("'defaultAction':2"), "config.json: linux.seccomp.defaultAction: must be a string");
	EXPECT_ERR(WITH_LINUX("'seccomp':'unconfined'"), "config.json: linux.seccomp: must be an object");
}

TEST(seccomp_syscall_names_are_required)
{
	EXPECT_ERR(SC_RULE("{'names':[],'action':'SCMP_ACT_ALLOW'}"),
		   "config.json: linux.seccomp.syscalls[0].names: must contain at least one syscall name");
	EXPECT_ERR(SC_RULE("{'action':'SCMP_ACT_ALLOW'}"), "config.json: linux.seccomp.syscalls[0].names: is required");
	EXPECT_ERR(SC_RULE("{'names':'read','action':'SCMP_ACT_ALLOW'}"),
		   "config.json: linux.seccomp.syscalls[0].names: must be an array of strings");
	EXPECT_ERR(SC_RULE("{'names':['read',''],'action':'SCMP_ACT_ALLOW'}"),
		   "config.json: linux.seccomp.syscalls[0].names[1]: must be a non-empty string");
	EXPECT_ERR(SC("'defaultAction':'SCMP_ACT_ERRNO','syscalls':{}"),
		   "config.json: linux.seccomp.syscalls: must be an array");
}

TEST(seccomp_args_are_validated)
{
	EXPECT_ERR(
	    SC_RULE("{'names':['a'],'action':'SCMP_ACT_ALLOW'},{'names':['b'],'action':'SCMP_ACT_ALLOW'},"
		    "{'names':['c'],'action':'SCMP_ACT_ALLOW'},"
		    "{'names':['d'],'action':'SCMP_ACT_ALLOW','args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}"),
	    "config.json: linux.seccomp.syscalls[3].args[0].index: must be between 0 and 5");
	EXPECT_ERR(
	    SC_RULE("{'names':['a'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':1,'op':'SCMP_CMP_XX'}]}"),
	    "config.json: linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator 'SCMP_CMP_XX'");
	EXPECT_ERR(
	    SC_RULE("{'names':['a'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':'1','op':'SCMP_CMP_EQ'}]}"),
	    "config.json: linux.seccomp.syscalls[0].args[0].value: must be an integer");
	EXPECT_ERR(
	    SC_RULE("{'names':['a'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':-1,'op':'SCMP_CMP_EQ'}]}"),
	    "config.json: linux.seccomp.syscalls[0].args[0].value: must be a non-negative integer");
	EXPECT_ERR(SC_RULE("{'names':['a'],'action':'SCMP_ACT_ALLOW','args':[{'value':1,'op':'SCMP_CMP_EQ'}]}"),
		   "config.json: linux.seccomp.syscalls[0].args[0].index: is required");
	EXPECT_ERR(SC_RULE("{'names':['a'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':1}]}"),
		   "config.json: linux.seccomp.syscalls[0].args[0].op: is required");
	EXPECT_ERR(SC_RULE("{'names':['a'],'action':'SCMP_ACT_ALLOW','args':[7]}"),
		   "config.json: linux.seccomp.syscalls[0].args[0]: must be an object");
	EXPECT_ERR(SC_RULE("{'names':['a'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':1,'valueTwo':1.0,'op':'"
			   "SCMP_CMP_EQ'}]}"),
		   "config.json: linux.seccomp.syscalls[0].args[0].valueTwo: must be an integer");
}

TEST(seccomp_architectures_and_flags_are_validated)
{
	EXPECT_ERR(SC("'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_Z80']"),
		   "config.json: linux.seccomp.architectures[1]: unknown seccomp architecture 'SCMP_ARCH_Z80'");
	EXPECT_ERR(SC("'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_NOPE']"),
		   "config.json: linux.seccomp.flags[0]: unknown seccomp flag 'SECCOMP_FILTER_FLAG_NOPE'");
	EXPECT_OK(SC("'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_X86','SCMP_ARCH_AARCH64'],"
		     "'flags':['SECCOMP_FILTER_FLAG_LOG','SECCOMP_FILTER_FLAG_SPEC_ALLOW']"));
}

TEST(seccomp_full_parse_and_big_values_round_trip)
{
	struct oci_spec *s =
	    parse_ok(SC("'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38,'listenerPath':'/run/agent.sock',"
			"'listenerMetadata':'md','architectures':['SCMP_ARCH_X86_64'],"
			"'syscalls':[{'names':['read','write'],'action':'SCMP_ACT_ALLOW'},"
			"{'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':1,"
			" 'args':[{'index':5,'value':18446744073709551615,'valueTwo':9223372036854775808,'op':'SCMP_"
			"CMP_MASKED_EQ'},"
			"         {'index':0,'value':0,'op':'SCMP_CMP_NE'}]},"
			"{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]"));
	CHECK(s != NULL);
	if (!s)
		return;
	struct oci_seccomp *sc = &s->linux_.seccomp;
	CHECK(sc->present);
	CHECK(sc->default_action == OCI_SCMP_ACT_ERRNO);
	CHECK(sc->has_default_errno_ret && sc->default_errno_ret == 38);
	CHECK_STREQ(sc->listener_path, "/run/agent.sock");
	CHECK_STREQ(sc->listener_metadata, "md");
	CHECK_STREQ(sc->architectures[0], "SCMP_ARCH_X86_64");
	CHECK(sc->flags == NULL);
	CHECK(sc->n_syscalls == 3);
	CHECK_STREQ(sc->syscalls[0].names[1], "write");
	CHECK(sc->syscalls[0].action == OCI_SCMP_ACT_ALLOW && !sc->syscalls[0].has_errno_ret);
	CHECK(sc->syscalls[1].has_errno_ret && sc->syscalls[1].errno_ret == 1);
	CHECK(sc->syscalls[1].n_args == 2);
	CHECK(sc->syscalls[1].args[0].index == 5);
	CHECK(sc->syscalls[1].args[0].value == UINT64_MAX);
	CHECK(sc->syscalls[1].args[0].value_two == (uint64_t)1 << 63);
	CHECK(sc->syscalls[1].args[0].op == OCI_SCMP_CMP_MASKED_EQ);
	CHECK(sc->syscalls[1].args[1].op == OCI_SCMP_CMP_NE && sc->syscalls[1].args[1].value == 0);
	CHECK(sc->syscalls[2].action == OCI_SCMP_ACT_NOTIFY);
	spec_free(s);
}

/* --- entry points -------------------------------------------------------------------- */

TEST(parse_file_names_the_path)
{
	struct oci_spec *s = NULL;
	char *e = NULL;
	CHECK(spec_parse_file("/nonexistent-kakuri/config.json", &s, &e) == -ENOENT);
	CHECK_STREQ(e, "/nonexistent-kakuri/config.json: No such file or directory");
	free(e);

	char path[] = "/tmp/kakuri-test-spec-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	const char *good = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"}}";
	CHECK(write(fd, good, strlen(good)) == (ssize_t)strlen(good));
	close(fd);
	e = NULL;
	CHECK(spec_parse_file(path, &s, &e) == 0);
	CHECK(e == NULL);
	CHECK(s && STREQ(s->root_path, "rootfs"));
	spec_free(s);

	/* parse errors use the path as the prefix */
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, "{\"ociVersion\":\"1.2.0\"}", 22) == 22);
	close(fd);
	s = NULL;
	CHECK(spec_parse_file(path, &s, &e) == -EINVAL);
	char want[128];
	snprintf(want, sizeof(want), "%s: root: is required", path);
	CHECK_STREQ(e, want);
	CHECK(s == NULL);
	free(e);
	unlink(path);
}

TEST(errors_without_a_message_pointer)
{
	struct oci_spec *s = NULL;
	CHECK(spec_parse_string("{", "config.json", &s, NULL) == -EINVAL);
	CHECK(spec_parse_file("/nonexistent-kakuri", &s, NULL) == -ENOENT);
	CHECK(s == NULL);
}

TEST(process_file_parses_alone)
{
	struct oci_process *p = NULL;
	char *e = NULL;
	char *text = dq("{'args':['/bin/ls','-l'],'cwd':'/tmp','env':['A=b'],'user':{'uid':5,'gid':6}}");
	CHECK(spec_parse_process_string(text, "process.json", &p, &e) == 0);
	free(text);
	CHECK(p != NULL);
	if (p) {
		CHECK_STREQ(p->args[1], "-l");
		CHECK(p->user.uid == 5);
	}
	spec_process_free(p);
	p = NULL;
	text = dq("{'args':[],'cwd':'/'}");
	CHECK(spec_parse_process_string(text, "process.json", &p, &e) == -EINVAL);
	CHECK_STREQ(e, "process.json: args: must be a non-empty array");
	CHECK(p == NULL);
	free(e);
	free(text);
}

TEST(namespace_helpers)
{
	CHECK_STREQ(spec_ns_name(OCI_NS_NETWORK), "network");
	CHECK_STREQ(spec_ns_name(OCI_NS_TIME), "time");
	CHECK(spec_ns_name(OCI_NS_MAX) == NULL);
	CHECK(spec_ns_clone_flag(OCI_NS_PID) == CLONE_NEWPID);
	CHECK(spec_ns_clone_flag(OCI_NS_USER) == CLONE_NEWUSER);
	CHECK(spec_ns_clone_flag(OCI_NS_TIME) == 0x80);
	CHECK_STREQ(spec_hook_kind_name(OCI_HOOK_CREATE_RUNTIME), "createRuntime");
	CHECK(spec_annotation(NULL, "x") == NULL);
}

/* --- default spec, features ---------------------------------------------------------- */

static const struct oci_mount *find_mount(const struct oci_spec *s, const char *dst)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (STREQ(s->mounts[i].destination, dst))
			return &s->mounts[i];
	return NULL;
}

static bool strv_has(char **v, const char *s)
{
	for (; v && *v; v++)
		if (STREQ(*v, s))
			return true;
	return false;
}

TEST(default_spec_parses_back)
{
	char *json = spec_default_json(false), *e = NULL;
	struct oci_spec *s = NULL;
	CHECK(json != NULL);
	CHECK(spec_parse_string(json, "config.json", &s, &e) == 0);
	if (e)
		printf("#   %s\n", e);
	free(e);
	free(json);
	if (!s)
		return;
	CHECK_STREQ(s->oci_version, "1.2.0");
	CHECK_STREQ(s->root_path, "rootfs");
	CHECK(s->root_readonly);
	CHECK_STREQ(s->hostname, "kakuri");
	CHECK(s->process && s->process->terminal && s->process->no_new_privileges);
	CHECK_STREQ(s->process->args[0], "sh");
	CHECK_STREQ(s->process->env[1], "TERM=xterm");
	CHECK(strv_has(s->process->caps.bounding, "CAP_NET_BIND_SERVICE"));
	CHECK(s->process->caps.inheritable == NULL);
	CHECK(s->process->n_rlimits == 1 && s->process->rlimits[0].hard == 1024);
	CHECK(s->n_mounts == 7);
	const struct oci_mount *pts = find_mount(s, "/dev/pts"), *sys = find_mount(s, "/sys");
	CHECK(pts && strv_has(pts->options, "gid=5"));
	CHECK(sys && STREQ(sys->type, "sysfs") && strv_has(sys->options, "ro"));
	CHECK(find_mount(s, "/sys/fs/cgroup") != NULL);
	for (int t = 0; t < OCI_NS_MAX; t++)
		CHECK(s->linux_.namespaces[t].present == (t != OCI_NS_USER && t != OCI_NS_TIME));
	CHECK(s->linux_.n_uid_mappings == 0);
	CHECK_STREQ(s->linux_.resources_json, "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}");
	CHECK(strv_has(s->linux_.masked_paths, "/proc/kcore"));
	CHECK(strv_has(s->linux_.masked_paths, "/sys/devices/virtual/powercap"));
	CHECK(strv_has(s->linux_.readonly_paths, "/proc/sysrq-trigger"));
	spec_free(s);
}

TEST(default_spec_text_is_tab_indented_without_escaped_slashes)
{
	char *json = spec_default_json(false);
	CHECK(json != NULL);
	CHECK(strstr(json, "\\/") == NULL);
	CHECK_CONTAINS(json, "\n\t\"ociVersion\": \"1.2.0\"");
	CHECK(json && json[strlen(json) - 1] == '\n');
	free(json);
}

TEST(rootless_default_spec_parses_back)
{
	char *json = spec_default_json(true), *e = NULL;
	struct oci_spec *s = NULL;
	CHECK(json != NULL);
	CHECK(spec_parse_string(json, "config.json", &s, &e) == 0);
	if (e)
		printf("#   %s\n", e);
	free(e);
	free(json);
	if (!s)
		return;
	CHECK(s->linux_.namespaces[OCI_NS_USER].present);
	CHECK(!s->linux_.namespaces[OCI_NS_NETWORK].present);
	CHECK(s->linux_.namespaces[OCI_NS_MOUNT].present);
	CHECK(s->linux_.n_uid_mappings == 1 && s->linux_.n_gid_mappings == 1);
	CHECK(s->linux_.uid_mappings[0].container_id == 0);
	CHECK(s->linux_.uid_mappings[0].host_id == geteuid());
	CHECK(s->linux_.gid_mappings[0].host_id == getegid());
	CHECK(s->linux_.uid_mappings[0].size == 1);
	CHECK(s->linux_.resources_json == NULL);
	const struct oci_mount *pts = find_mount(s, "/dev/pts"), *sys = find_mount(s, "/sys");
	CHECK(pts && !strv_has(pts->options, "gid=5") && strv_has(pts->options, "newinstance"));
	CHECK(sys && STREQ(sys->type, "none") && STREQ(sys->source, "/sys"));
	CHECK(sys && strv_has(sys->options, "rbind") && strv_has(sys->options, "ro"));
	spec_free(s);
}

static struct json_object *path_get(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v = NULL;
	if (!json_object_object_get_ex(o, a, &v))
		return NULL;
	if (b && !json_object_object_get_ex(v, b, &v))
		return NULL;
	return v;
}

static bool array_has(struct json_object *a, const char *s)
{
	for (size_t i = 0; a && i < json_object_array_length(a); i++)
		if (STREQ(json_object_get_string(json_object_array_get_idx(a, i)), s))
			return true;
	return false;
}

TEST(features_document_has_the_keys)
{
	char *json = spec_features_json();
	CHECK(json != NULL);
	if (!json)
		return;
	struct json_object *f = json_tokener_parse(json);
	free(json);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_STREQ(json_object_get_string(path_get(f, "ociVersionMin", NULL)), "1.0.0");
	CHECK_STREQ(json_object_get_string(path_get(f, "ociVersionMax", NULL)), "1.2.0");
	CHECK(json_object_array_length(path_get(f, "hooks", NULL)) == 6);
	CHECK(array_has(path_get(f, "hooks", NULL), "createContainer"));
	CHECK(array_has(path_get(f, "mountOptions", NULL), "rro"));
	CHECK(array_has(path_get(f, "mountOptions", NULL), "idmap"));
	struct json_object *l = path_get(f, "linux", NULL);
	CHECK(json_object_array_length(path_get(l, "namespaces", NULL)) == 8);
	CHECK(array_has(path_get(l, "namespaces", NULL), "time"));
	CHECK(json_object_array_length(path_get(l, "capabilities", NULL)) == 41);
	CHECK(array_has(path_get(l, "capabilities", NULL), "CAP_CHECKPOINT_RESTORE"));
	CHECK(json_object_get_boolean(path_get(l, "cgroup", "v2")));
	CHECK(!json_object_get_boolean(path_get(l, "cgroup", "systemd")));
	CHECK(json_object_get_boolean(path_get(l, "seccomp", "enabled")));
	CHECK(json_object_array_length(path_get(l, "seccomp", "actions")) == 9);
	CHECK(json_object_array_length(path_get(l, "seccomp", "operators")) == 7);
	CHECK(array_has(path_get(l, "seccomp", "archs"), "SCMP_ARCH_X86_64"));
	CHECK(array_has(path_get(l, "seccomp", "knownFlags"), "SECCOMP_FILTER_FLAG_LOG"));
	CHECK(path_get(l, "seccomp", "supportedFlags") != NULL);
	CHECK(path_get(l, "apparmor", "enabled") != NULL);
	CHECK(path_get(l, "selinux", "enabled") != NULL);
	CHECK(!json_object_get_boolean(path_get(l, "intelRdt", "enabled")));
	struct json_object *idmap = path_get(path_get(l, "mountExtensions", NULL), "idmap", "enabled");
	CHECK(json_object_get_boolean(idmap));
	CHECK_STREQ(json_object_get_string(path_get(f, "annotations", "io.github.kakuri.version")), KAKURI_VERSION);
	json_object_put(f);
}

TEST(features_lists_are_accepted_by_the_parser)
{
	/* Everything `features` advertises must parse. */
	char *json = spec_features_json();
	struct json_object *f = json ? json_tokener_parse(json) : NULL;
	free(json);
	CHECK(f != NULL);
	if (!f)
		return;
	struct json_object *l = path_get(f, "linux", NULL);
	struct json_object *acts = path_get(l, "seccomp", "actions"), *ops = path_get(l, "seccomp", "operators");
	for (size_t i = 0; i < json_object_array_length(acts); i++) {
		const char *a = json_object_get_string(json_object_array_get_idx(acts, i));
		for (size_t j = 0; j < json_object_array_length(ops); j++) {
			const char *op = json_object_get_string(json_object_array_get_idx(ops, j));
			char buf[512];
			snprintf(buf, sizeof(buf),
				 SC("'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/s','syscalls':[{'names':['x'],"
				    "'action':'%s','args':[{'index':0,'value':1,'op':'%s'}]}]"),
				 a, op);
			EXPECT_OK(buf);
		}
	}
	json_object_put(f);
}

TAP_MAIN
