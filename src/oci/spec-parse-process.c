/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.json "process" (config.md "Process", also the --process file of exec). */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lib/cleanup.h"
#include "oci/spec-internal.h"
#include "oci/spec.h"

#ifndef SCHED_ISO
#define SCHED_ISO 4
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

/* linux/ioprio.h is not always installed; the values are ABI. */
#define SPEC_IOPRIO_CLASS_RT   1
#define SPEC_IOPRIO_CLASS_BE   2
#define SPEC_IOPRIO_CLASS_IDLE 3

static void strv_free(char **v)
{
	cleanup_strvp(&v);
}

static void caps_free(struct oci_capabilities *c)
{
	strv_free(c->bounding);
	strv_free(c->effective);
	strv_free(c->permitted);
	strv_free(c->inheritable);
	strv_free(c->ambient);
}

void spec_process_free(struct oci_process *p)
{
	if (!p)
		return;
	free(p->user.additional_gids);
	free(p->user.username);
	strv_free(p->args);
	strv_free(p->env);
	free(p->cwd);
	caps_free(&p->caps);
	for (size_t i = 0; i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	free(p);
}

static const struct {
	const char *name;
	int resource;
} rlimit_table[] = {
    {"RLIMIT_AS", RLIMIT_AS},		{"RLIMIT_CORE", RLIMIT_CORE},	      {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},	{"RLIMIT_FSIZE", RLIMIT_FSIZE},	      {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},	{"RLIMIT_NPROC", RLIMIT_NPROC},	      {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},	{"RLIMIT_RTTIME", RLIMIT_RTTIME},     {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static int parse_rlimit(struct spec_parser *p, struct json_object *e, struct oci_rlimit *rl)
{
	int r;

	r = spec_val_object(p, e);
	if (r < 0)
		return r;
	r = spec_get_string(p, e, "type", true, true, &rl->type);
	if (r < 0)
		return r;
	rl->resource = -1;
	for (size_t i = 0; i < ELEMENTSOF(rlimit_table); i++)
		if (STREQ(rlimit_table[i].name, rl->type))
			rl->resource = rlimit_table[i].resource;
	if (rl->resource < 0)
		return spec_fail_at(p, "type", "unknown resource limit '%s'", rl->type);
	if ((r = spec_get_uint64(p, e, "soft", true, UINT64_MAX, &rl->soft)) < 0 ||
	    (r = spec_get_uint64(p, e, "hard", true, UINT64_MAX, &rl->hard)) < 0)
		return r;
	/* setrlimit() would fail with a bare EINVAL; say which entry is wrong now. */
	if (rl->soft > rl->hard)
		return spec_fail_at(p, "soft", "must not exceed hard (%llu > %llu)", (unsigned long long)rl->soft,
				    (unsigned long long)rl->hard);
	return 0;
}

static int parse_rlimits(struct spec_parser *p, struct json_object *obj, struct oci_process *proc)
{
	struct json_object *a = NULL;
	size_t n = 0, old;
	int r = spec_get_array(p, obj, "rlimits", false, &a, &n);

	if (r <= 0)
		return r;
	proc->rlimits = calloc(n ? n : 1, sizeof(*proc->rlimits));
	if (!proc->rlimits)
		return spec_oom(p);
	proc->n_rlimits = n;
	old = spec_path_push_key(p, "rlimits");
	for (size_t i = 0; i < n && r >= 0; i++) {
		size_t old2 = spec_path_push_index(p, i);

		r = parse_rlimit(p, json_object_array_get_idx(a, i), &proc->rlimits[i]);
		for (size_t j = 0; r >= 0 && j < i; j++)
			if (proc->rlimits[j].resource == proc->rlimits[i].resource)
				r = spec_fail_at(p, "type",
						 "duplicate resource limit '%s' (also in "
						 "rlimits[%zu])",
						 proc->rlimits[i].type, j);
		spec_path_pop(p, old2);
	}
	spec_path_pop(p, old);
	return r < 0 ? r : 0;
}

static int parse_additional_gids(struct spec_parser *p, struct json_object *user, struct oci_user *u)
{
	struct json_object *gids = NULL;
	size_t n = 0, old;
	int r = spec_get_array(p, user, "additionalGids", false, &gids, &n);

	if (r <= 0)
		return r;
	u->additional_gids = calloc(n ? n : 1, sizeof(gid_t));
	if (!u->additional_gids)
		return spec_oom(p);
	u->n_additional_gids = n;
	old = spec_path_push_key(p, "additionalGids");
	for (size_t i = 0; i < n && r >= 0; i++) {
		size_t old2 = spec_path_push_index(p, i);
		struct json_object *e = json_object_array_get_idx(gids, i);
		uint64_t g = 0;

		r = e ? spec_val_uint64(p, e, UINT32_MAX, &g) : spec_fail(p, "must be an integer");
		u->additional_gids[i] = (gid_t)g;
		spec_path_pop(p, old2);
	}
	spec_path_pop(p, old);
	return r < 0 ? r : 0;
}

static int parse_user(struct spec_parser *p, struct json_object *obj, struct oci_user *u)
{
	struct json_object *user = NULL;
	uint64_t umask = 0;
	uint32_t v;
	size_t old;
	int r = spec_get_object(p, obj, "user", false, &user);

	if (r <= 0)
		return r; /* absent: uid 0, gid 0 */
	old = spec_path_push_key(p, "user");
	if ((r = spec_get_uint32(p, user, "uid", true, &v)) < 0)
		goto out;
	u->uid = v;
	if ((r = spec_get_uint32(p, user, "gid", true, &v)) < 0)
		goto out;
	u->gid = v;
	/* umask(2) only uses the permission bits; anything larger is a mistake. */
	if ((r = spec_get_uint64(p, user, "umask", false, 0777, &umask)) < 0)
		goto out;
	if (r > 0) {
		u->has_umask = true;
		u->umask = (mode_t)umask;
	}
	if ((r = spec_get_string(p, user, "username", false, false, &u->username)) < 0)
		goto out;
	r = parse_additional_gids(p, user, u);
out:
	spec_path_pop(p, old);
	return r < 0 ? r : 0;
}

static int parse_args(struct spec_parser *p, struct json_object *obj, struct oci_process *proc)
{
	struct json_object *v = spec_member(obj, "args");
	size_t old;
	int r;

	if (!v)
		return spec_fail_at(p, "args", "is required");
	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
		return spec_fail_at(p, "args", "must be a non-empty array");
	old = spec_path_push_key(p, "args");
	r = spec_val_strv(p, v, &proc->args);
	spec_path_pop(p, old);
	return r;
}

static int parse_env(struct spec_parser *p, struct json_object *obj, struct oci_process *proc)
{
	int r = spec_get_strv(p, obj, "env", &proc->env);

	if (r <= 0)
		return r;
	for (size_t i = 0; proc->env[i]; i++) {
		const char *eq = strchr(proc->env[i], '=');

		if (!eq || eq == proc->env[i]) {
			size_t old = spec_path_push_key(p, "env"), old2 = spec_path_push_index(p, i);
			r = spec_fail(p, "'%s' must have the form KEY=value", proc->env[i]);
			spec_path_pop(p, old2);
			spec_path_pop(p, old);
			return r;
		}
	}
	return 0;
}

static int parse_capabilities(struct spec_parser *p, struct json_object *obj, struct oci_capabilities *c)
{
	struct json_object *caps = NULL;
	size_t old;
	int r = spec_get_object(p, obj, "capabilities", false, &caps);

	if (r <= 0)
		return r;
	old = spec_path_push_key(p, "capabilities");
	if ((r = spec_get_strv(p, caps, "bounding", &c->bounding)) >= 0 &&
	    (r = spec_get_strv(p, caps, "effective", &c->effective)) >= 0 &&
	    (r = spec_get_strv(p, caps, "permitted", &c->permitted)) >= 0 &&
	    (r = spec_get_strv(p, caps, "inheritable", &c->inheritable)) >= 0)
		r = spec_get_strv(p, caps, "ambient", &c->ambient);
	spec_path_pop(p, old);
	return r < 0 ? r : 0;
}

static int parse_io_priority(struct spec_parser *p, struct json_object *obj, struct oci_io_priority *io)
{
	static const char *const classes[] = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL};
	static const int class_values[] = {SPEC_IOPRIO_CLASS_RT, SPEC_IOPRIO_CLASS_BE, SPEC_IOPRIO_CLASS_IDLE};
	struct json_object *v = NULL;
	cleanup_free char *cls = NULL;
	int64_t prio = 0;
	size_t old;
	int r = spec_get_object(p, obj, "ioPriority", false, &v), idx;

	if (r <= 0)
		return r;
	old = spec_path_push_key(p, "ioPriority");
	r = spec_get_string(p, v, "class", true, true, &cls);
	if (r >= 0 && (idx = spec_name_index(classes, cls)) < 0)
		r = spec_fail_at(p, "class", "unknown I/O priority class '%s'", cls);
	else if (r >= 0)
		io->class_ = class_values[idx];
	if (r >= 0)
		r = spec_get_int64(p, v, "priority", true, 0, 7, &prio);
	spec_path_pop(p, old);
	if (r < 0)
		return r;
	io->present = true;
	io->priority = (int)prio;
	return 0;
}

static int parse_sched_flags(struct spec_parser *p, struct json_object *v, uint32_t *ret)
{
	static const char *const names[] = {
	    "SCHED_FLAG_RESET_ON_FORK",	 "SCHED_FLAG_RECLAIM",
	    "SCHED_FLAG_DL_OVERRUN",	 "SCHED_FLAG_KEEP_POLICY",
	    "SCHED_FLAG_KEEP_PARAMS",	 "SCHED_FLAG_UTIL_CLAMP_MIN",
	    "SCHED_FLAG_UTIL_CLAMP_MAX", NULL,
	};
	cleanup_strv char **flags = NULL;
	int r = spec_get_strv(p, v, "flags", &flags);

	if (r <= 0)
		return r;
	for (size_t i = 0; flags[i]; i++) {
		int bit = spec_name_index(names, flags[i]);
		if (bit < 0) {
			size_t old = spec_path_push_key(p, "flags"), old2 = spec_path_push_index(p, i);
			r = spec_fail(p, "unknown scheduler flag '%s'", flags[i]);
			spec_path_pop(p, old2);
			spec_path_pop(p, old);
			return r;
		}
		*ret |= 1u << bit; /* SCHED_FLAG_* are 0x01 << index, in table order */
	}
	return 0;
}

static int parse_scheduler(struct spec_parser *p, struct json_object *obj, struct oci_scheduler *s)
{
	static const char *const policies[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",	      "SCHED_BATCH",
					       "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE", NULL};
	static const int policy_values[] = {SCHED_OTHER, SCHED_FIFO, SCHED_RR,	    SCHED_BATCH,
					    SCHED_ISO,	 SCHED_IDLE, SCHED_DEADLINE};
	struct json_object *v = NULL;
	cleanup_free char *policy = NULL;
	int64_t nice = 0, prio = 0;
	size_t old;
	int r = spec_get_object(p, obj, "scheduler", false, &v), idx = -1;

	if (r <= 0)
		return r;
	old = spec_path_push_key(p, "scheduler");
	r = spec_get_string(p, v, "policy", true, true, &policy);
	if (r >= 0 && (idx = spec_name_index(policies, policy)) < 0)
		r = spec_fail_at(p, "policy", "unknown scheduling policy '%s'", policy);
	if (r >= 0)
		r = spec_get_int64(p, v, "nice", false, -20, 19, &nice);
	if (r >= 0)
		r = spec_get_int64(p, v, "priority", false, 0, 99, &prio);
	if (r >= 0)
		r = parse_sched_flags(p, v, &s->flags);
	if (r >= 0)
		r = spec_get_uint64(p, v, "runtime", false, UINT64_MAX, &s->runtime);
	if (r >= 0)
		r = spec_get_uint64(p, v, "deadline", false, UINT64_MAX, &s->deadline);
	if (r >= 0)
		r = spec_get_uint64(p, v, "period", false, UINT64_MAX, &s->period);
	spec_path_pop(p, old);
	if (r < 0)
		return r;
	s->present = true;
	s->policy = policy_values[idx];
	s->nice = (int)nice;
	s->priority = (int)prio;
	return 0;
}

static int parse_process_fields(struct spec_parser *p, struct json_object *v, struct oci_process *proc)
{
	struct json_object *cs = NULL;
	int64_t oom = 0;
	int r;

	r = spec_val_object(p, v);
	if (r < 0)
		return r;
	if ((r = spec_get_bool(p, v, "terminal", &proc->terminal)) < 0)
		return r;
	if ((r = spec_get_object(p, v, "consoleSize", false, &cs)) < 0)
		return r;
	if (r > 0) {
		uint32_t h = 0, w = 0;
		size_t old = spec_path_push_key(p, "consoleSize");
		r = spec_get_uint32(p, cs, "height", true, &h);
		if (r >= 0)
			r = spec_get_uint32(p, cs, "width", true, &w);
		spec_path_pop(p, old);
		if (r < 0)
			return r;
		proc->has_console_size = true;
		proc->console_size = (struct oci_console_size){.height = h, .width = w};
	}
	if ((r = parse_user(p, v, &proc->user)) < 0 || (r = parse_args(p, v, proc)) < 0 ||
	    (r = parse_env(p, v, proc)) < 0)
		return r;
	if ((r = spec_get_string(p, v, "cwd", true, true, &proc->cwd)) < 0)
		return r;
	if (proc->cwd[0] != '/')
		return spec_fail_at(p, "cwd", "'%s' must be an absolute path", proc->cwd);
	if ((r = parse_capabilities(p, v, &proc->caps)) < 0 || (r = parse_rlimits(p, v, proc)) < 0 ||
	    (r = spec_get_bool(p, v, "noNewPrivileges", &proc->no_new_privileges)) < 0 ||
	    (r = spec_get_string(p, v, "apparmorProfile", false, false, &proc->apparmor_profile)) < 0 ||
	    (r = spec_get_string(p, v, "selinuxLabel", false, false, &proc->selinux_label)) < 0)
		return r;
	if ((r = spec_get_int64(p, v, "oomScoreAdj", false, -1000, 1000, &oom)) < 0)
		return r;
	if (r > 0) {
		proc->has_oom_score_adj = true;
		proc->oom_score_adj = (int)oom;
	}
	if ((r = parse_io_priority(p, v, &proc->io_priority)) < 0 || (r = parse_scheduler(p, v, &proc->scheduler)) < 0)
		return r;
	return 0;
}

int spec_parse_process_object(struct spec_parser *p, struct json_object *v, struct oci_process **ret)
{
	struct oci_process *proc = calloc(1, sizeof(*proc));
	int r;

	if (!proc)
		return spec_oom(p);
	r = parse_process_fields(p, v, proc);
	if (r < 0) {
		spec_process_free(proc);
		return r;
	}
	*ret = proc;
	return 0;
}
