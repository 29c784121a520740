/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The seccomp recording profile writer (runtime/seccomp-record.h) and the capability →
 * syscall table of `audit --suggest` (engine/audit/suggest.h). */
#include <errno.h>
#include <json.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "engine/audit/suggest.h"
#include "oci/seccomp-profile.h"
#include "runtime/seccomp-record.h"
#include "tap.h"

static json_object *rule_at(json_object *prof, size_t i)
{
	json_object *rules;
	if (!json_object_object_get_ex(prof, "syscalls", &rules))
		return NULL;
	return json_object_array_get_idx(rules, i);
}

static const char *str_at(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static size_t n_rules(json_object *prof)
{
	json_object *rules;
	return json_object_object_get_ex(prof, "syscalls", &rules) ? json_object_array_length(rules) : 0;
}

static json_object *names_of(json_object *rule)
{
	json_object *n = NULL;
	json_object_object_get_ex(rule, "names", &n);
	return n;
}

TEST(profile_lists_observed_names_sorted_and_unique)
{
	struct seccomp_record_set set = {0};
	seccomp_record_set_add(&set, AUDIT_ARCH_X86_64, SYS_write);
	seccomp_record_set_add(&set, AUDIT_ARCH_X86_64, SYS_read);
	seccomp_record_set_add(&set, AUDIT_ARCH_X86_64, SYS_write);
	seccomp_record_set_add(&set, AUDIT_ARCH_X86_64, SYS_exit_group);
	char *text = NULL;
	CHECK(seccomp_record_profile_json(&set, NULL, &text) == 0);
	json_object *p = json_tokener_parse(text);
	CHECK(p != NULL);
	CHECK_STREQ(str_at(p, "defaultAction"), "SCMP_ACT_ERRNO");
	json_object *v;
	CHECK(json_object_object_get_ex(p, "defaultErrnoRet", &v) && json_object_get_int(v) == 38);
	CHECK(n_rules(p) == 1);
	json_object *names = names_of(rule_at(p, 0));
	CHECK(names && json_object_array_length(names) == 3);
	CHECK_STREQ(json_object_get_string(json_object_array_get_idx(names, 0)), "exit_group");
	CHECK_STREQ(json_object_get_string(json_object_array_get_idx(names, 1)), "read");
	CHECK_STREQ(json_object_get_string(json_object_array_get_idx(names, 2)), "write");
	CHECK_STREQ(str_at(rule_at(p, 0), "action"), "SCMP_ACT_ALLOW");
	/* archMap: the native architecture, no sub-architectures when only it was seen. */
	json_object *am, *e, *subs;
	CHECK(json_object_object_get_ex(p, "archMap", &am) && json_object_array_length(am) == 1);
	e = json_object_array_get_idx(am, 0);
	CHECK_STREQ(str_at(e, "architecture"), "SCMP_ARCH_X86_64");
	CHECK(json_object_object_get_ex(e, "subArchitectures", &subs) && json_object_array_length(subs) == 0);
	/* The writer's output is a profile kakuri's own parser accepts. */
	struct seccomp_profile *prof = NULL;
	char *err = NULL;
	CHECK(seccomp_profile_parse_string(text, "recorded.json", &prof, &err) == 0);
	seccomp_profile_free(prof);
	free(err);
	json_object_put(p);
	free(text);
}

TEST(compat_architectures_are_recorded_with_their_arch)
{
	struct seccomp_record_set set = {0};
	seccomp_record_set_add(&set, AUDIT_ARCH_X86_64, SYS_read);
	seccomp_record_set_add(&set, AUDIT_ARCH_I386, 61);		 /* i386 chroot */
	seccomp_record_set_add(&set, AUDIT_ARCH_X86_64, 0x40000000 | 1); /* x32 write */
	seccomp_record_set_add(&set, AUDIT_ARCH_X86_64, 5000);		 /* out of range */
	CHECK(set.n == 3);
	CHECK(set.dropped == 1);
	char *text = NULL;
	CHECK(seccomp_record_profile_json(&set, NULL, &text) == 0);
	json_object *p = json_tokener_parse(text), *am, *subs;
	CHECK(json_object_object_get_ex(p, "archMap", &am));
	CHECK(json_object_object_get_ex(json_object_array_get_idx(am, 0), "subArchitectures", &subs));
	CHECK(json_object_array_length(subs) == 2);
	CHECK_STREQ(json_object_get_string(json_object_array_get_idx(subs, 0)), "SCMP_ARCH_X86");
	CHECK_STREQ(json_object_get_string(json_object_array_get_idx(subs, 1)), "SCMP_ARCH_X32");
	json_object *names = names_of(rule_at(p, 0));
	CHECK(json_object_array_length(names) == 3); /* chroot, read, write */
	CHECK_STREQ(json_object_get_string(json_object_array_get_idx(names, 0)), "chroot");
	json_object_put(p);
	free(text);
}

TEST(conditional_base_rules_are_kept)
{
	/* clone is only allowed without CLONE_NEWUSER by the base: the recorded profile keeps
	 * that condition instead of allowing clone outright; getpid stays a plain name. */
	const char *base =
	    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
	    "{\"names\":[\"getpid\",\"clone\"],\"action\":\"SCMP_ACT_ALLOW\"},"
	    "{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,"
	    "\"value\":268435456,\"valueTwo\":268435456,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
	    "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}}]}";
	struct seccomp_record_set set = {0};
	seccomp_record_set_add(&set, AUDIT_ARCH_X86_64, SYS_getpid);
	seccomp_record_set_add(&set, AUDIT_ARCH_X86_64, SYS_clone);
	char *text = NULL;
	CHECK(seccomp_record_profile_json(&set, base, &text) == 0);
	json_object *p = json_tokener_parse(text);
	CHECK(n_rules(p) == 3); /* the plain list + both clone rules; mount was not observed */
	json_object *names = names_of(rule_at(p, 0));
	CHECK(json_object_array_length(names) == 1);
	CHECK_STREQ(json_object_get_string(json_object_array_get_idx(names, 0)), "getpid");
	CHECK_STREQ(str_at(rule_at(p, 2), "action"), "SCMP_ACT_ERRNO");
	CHECK_STREQ(json_object_get_string(json_object_array_get_idx(names_of(rule_at(p, 2)), 0)), "clone");
	json_object *args;
	CHECK(json_object_object_get_ex(rule_at(p, 2), "args", &args) && json_object_array_length(args) == 1);
	json_object_put(p);
	free(text);
	/* A base that is not a profile is an error, not a silent allow-all. */
	CHECK(seccomp_record_profile_json(&set, "[1]", &text) == -EINVAL);
}

TEST(default_profile_as_base)
{
	struct seccomp_record_set set = {0};
	seccomp_record_set_add(&set, AUDIT_ARCH_X86_64, SYS_unshare);
	seccomp_record_set_add(&set, AUDIT_ARCH_X86_64, SYS_read);
	char *text = NULL;
	CHECK(seccomp_record_profile_json(&set, seccomp_profile_default_json, &text) == 0);
	CHECK(text && strstr(text, "\"unshare\""));
	json_object *p = json_tokener_parse(text);
	CHECK(n_rules(p) > 2); /* unshare comes with the default profile's flag rules */
	CHECK(json_object_array_length(names_of(rule_at(p, 0))) == 1);
	json_object_put(p);
	free(text);
}

TEST(only_conditional_names_give_no_empty_rule)
{
	const char *base =
	    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
	    "{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}}]}";
	struct seccomp_record_set set = {0};
	seccomp_record_set_add(&set, AUDIT_ARCH_X86_64, SYS_clone);
	char *text = NULL;
	CHECK(seccomp_record_profile_json(&set, base, &text) == 0);
	json_object *p = json_tokener_parse(text);
	CHECK(n_rules(p) == 1);
	CHECK(json_object_object_get_ex(rule_at(p, 0), "includes", &(json_object *){NULL}));
	struct seccomp_profile *prof = NULL;
	char *err = NULL;
	CHECK(seccomp_profile_parse_string(text, "recorded.json", &prof, &err) == 0);
	seccomp_profile_free(prof);
	free(err);
	json_object_put(p);
	free(text);
	/* Nothing observed at all: still a valid (deny-all) profile. */
	struct seccomp_record_set none = {0};
	CHECK(seccomp_record_profile_json(&none, NULL, &text) == 0);
	CHECK(seccomp_profile_parse_string(text, "empty.json", &prof, &err) == 0);
	seccomp_profile_free(prof);
	free(text);
}

TEST(cap_table_is_conservative)
{
	const char *why = NULL;
	const char *const *s = audit_cap_syscalls("SYS_CHROOT", &why);
	CHECK(s && !strcmp(s[0], "chroot") && !strcmp(s[1], "setns") && !s[2]);
	CHECK(why && *why);
	CHECK(audit_cap_syscalls("CAP_DAC_OVERRIDE", NULL) == NULL);
	CHECK(audit_cap_syscalls("CAP_SYS_ADMIN", NULL) == NULL);
	CHECK(audit_cap_syscalls("CAP_FOWNER", NULL) == NULL);
	CHECK(audit_cap_syscalls("CAP_NOT_A_CAP", NULL) == NULL);
	/* Every name in the table is a syscall libseccomp knows on some architecture. */
	static const char *caps[] = {
	    "CHOWN",	"SYS_CHROOT",	  "MKNOD",   "KILL",	   "NET_BIND_SERVICE", "NET_RAW",   "SETUID",
	    "SETGID",	"SETPCAP",	  "SETFCAP", "SYS_TIME",   "SYS_MODULE",       "SYS_BOOT",  "SYS_PACCT",
	    "SYS_NICE", "SYS_TTY_CONFIG", "LEASE",   "WAKE_ALARM", "AUDIT_WRITE",      "IPC_OWNER", "BPF",
	    "PERFMON"};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		const char *const *l = audit_cap_syscalls(caps[i], NULL);
		CHECK(l != NULL);
		for (; l && *l; l++) {
			bool known = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, *l) != __NR_SCMP_ERROR ||
				     seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, *l) != __NR_SCMP_ERROR ||
				     !strcmp(*l, "setxattrat") || !strcmp(*l, "removexattrat");
			if (!known)
				printf("#   %s: unknown syscall %s\n", caps[i], *l);
			CHECK(known);
		}
	}
	/* The x86 variants are there. */
	s = audit_cap_syscalls("SETUID", NULL);
	bool has32 = false;
	for (; s && *s; s++)
		has32 = has32 || !strcmp(*s, "setresuid32");
	CHECK(has32);
}

TEST(suggest_drop_keep_unknown)
{
	char *caps[] = {"CAP_SYS_CHROOT", "CAP_SETUID", "CAP_DAC_OVERRIDE", "CAP_MKNOD", NULL};
	char *observed[] = {"clone", "execve", "read", "setresuid", NULL};
	struct audit_suggest_input in = {.caps = caps, .observed = observed, .clone_newuser_denied = true};
	struct audit_cap_result *r = NULL;
	size_t n = 0;
	CHECK(audit_suggest(&in, &r, &n) == 0);
	CHECK(n == 4);
	CHECK(r[0].advice == AUDIT_CAP_DROP && r[0].observed == NULL);
	CHECK(r[1].advice == AUDIT_CAP_KEEP && r[1].observed && !strcmp(r[1].observed[0], "setresuid"));
	CHECK(r[2].advice == AUDIT_CAP_UNKNOWN);
	CHECK(r[3].advice == AUDIT_CAP_DROP);
	/* clone does not count (nor show) when the filter denies CLONE_NEWUSER. */
	bool lists_clone = false;
	for (char **c = r[1].checked; c && *c; c++)
		lists_clone = lists_clone || !strcmp(*c, "clone");
	CHECK(r[1].checked && !lists_clone);
	CHECK(r[2].checked == NULL);
	audit_suggest_free(r, n);

	/* clone may make a user namespace when the filter allows it: SETUID cannot be dropped. */
	char *observed2[] = {"clone", "read", NULL};
	char *caps2[] = {"CAP_SETUID", "CAP_SYS_CHROOT", NULL};
	in = (struct audit_suggest_input){.caps = caps2, .observed = observed2, .clone_newuser_denied = false};
	CHECK(audit_suggest(&in, &r, &n) == 0);
	CHECK(r[0].advice == AUDIT_CAP_KEEP);
	CHECK(r[1].advice == AUDIT_CAP_DROP);
	audit_suggest_free(r, n);

	/* io_uring hides operations from the recording: nothing can be vouched for. */
	char *observed3[] = {"io_uring_setup", "read", NULL};
	in = (struct audit_suggest_input){.caps = caps2, .observed = observed3, .clone_newuser_denied = true};
	CHECK(audit_suggest(&in, &r, &n) == 0);
	CHECK(r[0].advice == AUDIT_CAP_UNKNOWN && r[1].advice == AUDIT_CAP_UNKNOWN);
	audit_suggest_free(r, n);
}

TEST(profile_allowed_names_and_clone_rule)
{
	char **v = NULL;
	CHECK(audit_profile_allowed("{\"syscalls\":[{\"names\":[\"b\",\"a\"],\"action\":\"SCMP_ACT_ALLOW\"},"
				    "{\"names\":[\"c\"],\"action\":\"SCMP_ACT_ERRNO\"},"
				    "{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[]}]}",
				    &v) == 0);
	CHECK(v && v[0] && !strcmp(v[0], "a") && v[1] && !strcmp(v[1], "b") && !v[2]);
	for (char **i = v; i && *i; i++)
		free(*i);
	free(v);
	CHECK(audit_profile_allowed("{}", &v) == -EINVAL);

	CHECK(audit_config_denies_clone_newuser(
	    "{\"linux\":{\"seccomp\":{\"syscalls\":[{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ERRNO\","
	    "\"args\":[{\"index\":0,\"value\":268435456,\"valueTwo\":268435456,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}}}"));
	CHECK(!audit_config_denies_clone_newuser("{\"linux\":{}}"));
	CHECK(!audit_config_denies_clone_newuser(
	    "{\"linux\":{\"seccomp\":{\"syscalls\":[{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\"}]}}}"));
}

TAP_MAIN
