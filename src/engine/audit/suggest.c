/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "suggest.h"

#include <errno.h>
#include <json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/cleanup.h"

#define CLONE_NEWUSER_FLAG 0x10000000ULL

/* Each list holds every syscall whose kernel path checks the capability (capabilities(7);
 * the 32-bit and 64-bit-time variants included), so "none observed" means "never checked".
 * Device ioctls count where the capability also guards one (KDSIGACCEPT, VT ioctls). */
#define L(...) ((const char *const[]){__VA_ARGS__, NULL})
static const struct {
	const char *cap;
	const char *const *syscalls; /* NULL: cannot be determined from syscalls */
	const char *why;
} cap_table[] = {
    {"CAP_CHOWN", L("chown", "fchown", "lchown", "fchownat", "chown32", "fchown32", "lchown32"),
     "changing a file's owner or group: the chown family only"},
    {"CAP_SYS_CHROOT", L("chroot", "setns"), "chroot(2), and setns(2) into another mount namespace"},
    {"CAP_MKNOD", L("mknod", "mknodat"), "creating device nodes: mknod(2) only"},
    {"CAP_KILL", L("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_send_signal", "ioctl"),
     "signals to processes of another user (kill family), the KDSIGACCEPT ioctl"},
    {"CAP_NET_BIND_SERVICE", L("bind", "setsockopt"),
     "binding ports below 1024: bind(2), SCTP's bindx through setsockopt(2)"},
    {"CAP_NET_RAW", L("socket", "setsockopt"),
     "raw and packet sockets (socket(2)), transparent proxying and SO_BINDTODEVICE (setsockopt(2))"},
    {"CAP_SETUID",
     L("setuid", "setuid32", "setreuid", "setreuid32", "setresuid", "setresuid32", "setfsuid", "setfsuid32", "sendmsg",
       "sendmmsg", "unshare", "clone3", "clone"),
     "uid changes (set*uid), forged SCM_CREDENTIALS (sendmsg), a nested user namespace's uid_map"},
    {"CAP_SETGID",
     L("setgid", "setgid32", "setregid", "setregid32", "setresgid", "setresgid32", "setfsgid", "setfsgid32",
       "setgroups", "setgroups32", "sendmsg", "sendmmsg", "unshare", "clone3", "clone"),
     "gid and group-list changes (set*gid, setgroups), forged SCM_CREDENTIALS, a nested gid_map"},
    {"CAP_SETPCAP", L("capset", "prctl"), "inheritable and bounding sets, securebits: capset(2), prctl(2)"},
    {"CAP_SETFCAP",
     L("setxattr", "lsetxattr", "fsetxattr", "setxattrat", "removexattr", "lremovexattr", "fremovexattr",
       "removexattrat", "unshare", "clone3", "clone"),
     "file capabilities (security.capability xattr), mapping uid 0 in a nested user namespace"},
    {"CAP_SYS_TIME",
     L("settimeofday", "stime", "adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime", "clock_settime64",
       "ioctl"),
     "setting the clocks, the RTC ioctls"},
    {"CAP_SYS_MODULE", L("init_module", "finit_module", "delete_module"), "loading and unloading kernel modules"},
    {"CAP_SYS_BOOT", L("reboot", "kexec_load", "kexec_file_load"), "reboot(2) and kexec"},
    {"CAP_SYS_PACCT", L("acct"), "process accounting: acct(2)"},
    {"CAP_SYS_NICE",
     L("nice", "setpriority", "sched_setscheduler", "sched_setparam", "sched_setattr", "sched_setaffinity",
       "ioprio_set", "migrate_pages", "move_pages", "mbind", "set_mempolicy", "set_mempolicy_home_node"),
     "raising priority, real-time scheduling, other processes' affinity, I/O priority and memory policy"},
    {"CAP_SYS_TTY_CONFIG", L("vhangup", "ioctl"), "vhangup(2) and virtual-terminal ioctls"},
    {"CAP_LEASE", L("fcntl", "fcntl64"), "leases on files of other users: fcntl(F_SETLEASE)"},
    {"CAP_WAKE_ALARM", L("timer_create", "timerfd_create"), "CLOCK_REALTIME_ALARM/CLOCK_BOOTTIME_ALARM timers"},
    {"CAP_AUDIT_WRITE", L("socket"), "the audit netlink socket, which needs socket(2) first"},
    {"CAP_AUDIT_CONTROL", L("socket"), "the audit netlink socket, which needs socket(2) first"},
    {"CAP_AUDIT_READ", L("socket"), "the audit netlink multicast socket, which needs socket(2) first"},
    {"CAP_IPC_OWNER",
     L("shmget", "shmat", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop", "semtimedop",
       "semtimedop_time64", "semctl", "ipc"),
     "System V IPC objects of other users"},
    {"CAP_BPF", L("bpf"), "bpf(2)"},
    {"CAP_PERFMON", L("perf_event_open", "bpf"), "perf_event_open(2), bpf(2)"},
    {"CAP_DAC_OVERRIDE", NULL, "checked on every path lookup and file access (open, stat, exec, ...)"},
    {"CAP_DAC_READ_SEARCH", NULL, "checked on every path lookup and file read"},
    {"CAP_FOWNER", NULL, "checked by chmod, utimes, O_NOATIME, sticky directories, xattrs, ..."},
    {"CAP_FSETID", NULL, "checked on every write to a set-user-ID or set-group-ID file"},
    {"CAP_SYS_ADMIN", NULL, "checked by hundreds of paths (mounts, namespaces, ioctls, /proc, ...)"},
    {"CAP_NET_ADMIN", NULL, "checked through ioctl, setsockopt and netlink messages"},
    {"CAP_SYS_PTRACE", NULL, "also checked by /proc/PID files opened with open(2)"},
    {"CAP_SYS_RAWIO", NULL, "also checked by opening devices and by block-device ioctls"},
    {"CAP_SYS_RESOURCE", NULL, "checked by writes past quotas and limits, pipes, message queues, ..."},
    {"CAP_IPC_LOCK", NULL, "checked by mmap(MAP_LOCKED), mlock and shared-memory locks"},
};

static const char *const io_uring_calls[] = {"io_uring_setup", "io_uring_enter", "io_uring_register", NULL};

const char *audit_cap_advice_name(enum audit_cap_advice a)
{
	switch (a) {
	case AUDIT_CAP_DROP:
		return "drop";
	case AUDIT_CAP_KEEP:
		return "keep";
	case AUDIT_CAP_UNKNOWN:
		break;
	}
	return "unknown";
}

static int find_cap(const char *cap)
{
	const char *bare = strncasecmp(cap, "CAP_", 4) == 0 ? cap + 4 : cap;
	for (size_t i = 0; i < ELEMENTSOF(cap_table); i++)
		if (strcasecmp(cap_table[i].cap + 4, bare) == 0)
			return (int)i;
	return -1;
}

const char *const *audit_cap_syscalls(const char *cap, const char **ret_why)
{
	int i = find_cap(cap);
	if (ret_why)
		*ret_why = i >= 0 ? cap_table[i].why : "not known to kakuri's table";
	return i >= 0 ? cap_table[i].syscalls : NULL;
}

static bool strv_has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (STREQ(*v, s))
			return true;
	return false;
}

static size_t strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

static void strv_free(char **v)
{
	for (char **i = v; i && *i; i++)
		free(*i);
	free(v);
}

void audit_suggest_free(struct audit_cap_result *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		free(r[i].cap);
		strv_free(r[i].checked);
		strv_free(r[i].observed);
	}
	free(r);
}

/* The members of list that count for this container (strv): clone is left out when the
 * filter keeps it from making a user namespace, the only reason it is listed; with
 * only_observed, just those the run made. */
static int members_of(const char *const *list, const struct audit_suggest_input *in, bool only_observed, char ***ret)
{
	size_t n = 0;
	char **v = NULL;
	for (const char *const *s = list; *s; s++) {
		if ((only_observed && !strv_has(in->observed, *s)) || (STREQ(*s, "clone") && in->clone_newuser_denied))
			continue;
		char **nv = realloc(v, (n + 2) * sizeof(char *));
		if (!nv)
			goto oom;
		v = nv;
		if (!(v[n] = strdup(*s)))
			goto oom;
		v[++n] = NULL;
	}
	*ret = v;
	return 0;
oom:
	if (v)
		v[n] = NULL;
	strv_free(v);
	return -ENOMEM;
}

int audit_suggest(const struct audit_suggest_input *in, struct audit_cap_result **ret, size_t *ret_n)
{
	size_t n = strv_len(in->caps);
	struct audit_cap_result *r = calloc(n ? n : 1, sizeof(*r));
	bool uring = false;
	if (!r)
		return -ENOMEM;
	for (const char *const *s = io_uring_calls; *s; s++)
		uring = uring || strv_has(in->observed, *s);
	for (size_t i = 0; i < n; i++) {
		int t = find_cap(in->caps[i]);
		r[i].cap = strdup(in->caps[i]);
		if (!r[i].cap) {
			audit_suggest_free(r, n);
			return -ENOMEM;
		}
		if (t < 0 || !cap_table[t].syscalls) {
			r[i].advice = AUDIT_CAP_UNKNOWN;
			r[i].why = t < 0 ? "not in kakuri's table of capabilities" : cap_table[t].why;
			continue;
		}
		r[i].why = cap_table[t].why;
		if (members_of(cap_table[t].syscalls, in, false, &r[i].checked) < 0) {
			audit_suggest_free(r, n);
			return -ENOMEM;
		}
		if (uring) {
			r[i].advice = AUDIT_CAP_UNKNOWN;
			r[i].why = "the run used io_uring, whose operations the recording cannot see";
			continue;
		}
		if (members_of(cap_table[t].syscalls, in, true, &r[i].observed) < 0) {
			audit_suggest_free(r, n);
			return -ENOMEM;
		}
		r[i].advice = r[i].observed ? AUDIT_CAP_KEEP : AUDIT_CAP_DROP;
	}
	*ret = r;
	*ret_n = n;
	return 0;
}

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push_name(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -ENOMEM;
	nv[++*n] = NULL;
	return 0;
}

int audit_profile_allowed(const char *text, char ***ret)
{
	CLEANUP(json_putp) json_object *root = json_tokener_parse(text);
	json_object *rules;
	char **v = NULL;
	size_t n = 0;

	if (!root || !json_object_object_get_ex(root, "syscalls", &rules) ||
	    !json_object_is_type(rules, json_type_array))
		return -EINVAL;
	for (size_t i = 0; i < json_object_array_length(rules); i++) {
		json_object *rule = json_object_array_get_idx(rules, i), *act, *names, *one;
		if (!json_object_object_get_ex(rule, "action", &act) ||
		    !STREQ(json_object_get_string(act) ?: "", "SCMP_ACT_ALLOW"))
			continue;
		if (json_object_object_get_ex(rule, "name", &one) && json_object_is_type(one, json_type_string) &&
		    push_name(&v, &n, json_object_get_string(one)) < 0)
			goto oom;
		if (!json_object_object_get_ex(rule, "names", &names) || !json_object_is_type(names, json_type_array))
			continue;
		for (size_t j = 0; j < json_object_array_length(names); j++) {
			const char *s = json_object_get_string(json_object_array_get_idx(names, j));
			if (s && push_name(&v, &n, s) < 0)
				goto oom;
		}
	}
	if (!v && !(v = calloc(1, sizeof(char *))))
		return -ENOMEM;
	qsort(v, n, sizeof(char *), cmp_str);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (o > 0 && STREQ(v[o - 1], v[i]))
			free(v[i]);
		else
			v[o++] = v[i];
	}
	v[o] = NULL;
	*ret = v;
	return 0;
oom:
	if (v)
		v[n] = NULL;
	strv_free(v);
	return -ENOMEM;
}

static bool rule_names(json_object *rule, const char *name)
{
	json_object *names;
	if (!json_object_object_get_ex(rule, "names", &names) || !json_object_is_type(names, json_type_array))
		return false;
	for (size_t j = 0; j < json_object_array_length(names); j++) {
		const char *s = json_object_get_string(json_object_array_get_idx(names, j));
		if (s && STREQ(s, name))
			return true;
	}
	return false;
}

bool audit_config_denies_clone_newuser(const char *config_text)
{
	CLEANUP(json_putp) json_object *root = json_tokener_parse(config_text);
	json_object *lx, *sc, *rules;
	if (!root || !json_object_object_get_ex(root, "linux", &lx) || !json_object_object_get_ex(lx, "seccomp", &sc) ||
	    !json_object_object_get_ex(sc, "syscalls", &rules) || !json_object_is_type(rules, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(rules); i++) {
		json_object *rule = json_object_array_get_idx(rules, i), *act, *args;
		const char *a;
		if (!rule_names(rule, "clone") || !json_object_object_get_ex(rule, "action", &act))
			continue;
		a = json_object_get_string(act) ?: "";
		if (strncmp(a, "SCMP_ACT_ERRNO", 14) != 0 && strncmp(a, "SCMP_ACT_KILL", 13) != 0)
			continue;
		if (!json_object_object_get_ex(rule, "args", &args) || !json_object_is_type(args, json_type_array) ||
		    json_object_array_length(args) != 1)
			continue;
		json_object *arg = json_object_array_get_idx(args, 0), *idx, *val, *val2, *op;
		if (!json_object_object_get_ex(arg, "index", &idx) || json_object_get_int(idx) != 0 ||
		    !json_object_object_get_ex(arg, "value", &val) || !json_object_object_get_ex(arg, "op", &op) ||
		    !STREQ(json_object_get_string(op) ?: "", "SCMP_CMP_MASKED_EQ"))
			continue;
		uint64_t mask = (uint64_t)json_object_get_uint64(val);
		uint64_t want =
		    json_object_object_get_ex(arg, "valueTwo", &val2) ? (uint64_t)json_object_get_uint64(val2) : 0;
		/* (flags & mask) == want matches every flags value with CLONE_NEWUSER set exactly
		 * when mask is that one bit and want is the bit too. */
		if (mask == CLONE_NEWUSER_FLAG && want == CLONE_NEWUSER_FLAG)
			return true;
	}
	return false;
}
