/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri audit [--format json|table] [--fail-on LEVEL] CONTAINER...|--all|--pid PID...
 * kakuri audit --host
 * kakuri audit --suggest ... (cli/engine/audit-suggest.c)
 *
 * Exit status: 0, 1 when a finding at or above --fail-on exists, 125 for engine errors (a
 * container not found or not running, a pid that does not exist, bad options). */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine/audit-suggest.h"
#include "cli/engine/cli.h"
#include "engine/audit/findings.h"
#include "engine/audit/host.h"
#include "engine/audit/report.h"
#include "engine/config/containers-conf.h"
#include "engine/container/lifecycle.h"
#include "engine/container/record.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/log.h"

#define EXIT_FINDINGS 1

enum { OPT_FORMAT = 1, OPT_FAIL_ON, OPT_ALL, OPT_PID, OPT_HOST, OPT_HELP, OPT_SUGGEST };

static void usage(void)
{
	printf("usage: kakuri audit [--format table|json] [--fail-on LEVEL] CONTAINER... | --all | --pid PID...\n"
	       "       kakuri audit --host [--format table|json] [--fail-on LEVEL]\n"
	       "       kakuri audit --suggest CONTAINER\n\n"
	       "The defense-in-depth tier (1 privileged+root ... 6 rootless+non-root) and every security\n"
	       "layer of each target, read from the kernel; findings with a severity and a remedy.\n"
	       "LEVEL: info, low, medium, high, critical. Exit status 1 when a finding at or above\n"
	       "LEVEL exists, 125 on errors.\n");
}

static const char *jstr(json_object *o, const char *path)
{
	/* "a.b.c" */
	char key[64];
	const char *p = path;
	while (o && *p) {
		size_t n = strcspn(p, ".");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = 0;
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		p += n + (p[n] == '.');
	}
	return o ? json_object_get_string(o) : NULL;
}

static json_object *jget(json_object *o, const char *key)
{
	json_object *v = NULL;
	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static char *join_arr(json_object *a, const char *sep)
{
	size_t n = a ? json_object_array_length(a) : 0;
	char *out = strdup("");
	for (size_t i = 0; out && i < n; i++) {
		char *next = NULL;
		if (asprintf(&next, "%s%s%s", out, i ? sep : "",
			     json_object_get_string(json_object_array_get_idx(a, i))) < 0)
			next = NULL;
		free(out);
		out = next;
	}
	return out;
}

static void print_findings(json_object *fa)
{
	size_t n = fa ? json_object_array_length(fa) : 0;
	if (!n) {
		printf("  findings: none\n");
		return;
	}
	printf("  %-9s %-22s %s\n", "SEVERITY", "FINDING", "DETAIL / REMEDY");
	for (size_t i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(fa, i);
		printf("  %-9s %-22s %s\n  %-9s %-22s -> %s\n", jstr(x, "severity"), jstr(x, "id"), jstr(x, "title"),
		       "", "", jstr(x, "remedy"));
	}
}

static void print_report(json_object *r)
{
	json_object *L = jget(r, "layers");
	const char *name = jstr(r, "target.name");
	printf("%s (pid %s)\n", name ? name : "process", jstr(r, "target.pid"));
	printf("  tier %s: %s\n  why: %s\n", jstr(r, "tier"), jstr(r, "tierName"), jstr(r, "reason"));
	const char *hroot = jstr(L, "userNamespace.hostUidOfRoot");
	printf("  %-16s %s, container root = host uid %s\n", "user namespace",
	       json_object_get_boolean(jget(jget(L, "userNamespace"), "sharedWithHost")) ? "none (the host's)" : "own",
	       hroot ? hroot : "unmapped");
	cleanup_free char *eff = join_arr(jget(jget(L, "capabilities"), "effective"), " ");
	cleanup_free char *extra = join_arr(jget(jget(L, "capabilities"), "extra"), " ");
	printf("  %-16s effective: %s\n  %-16s beyond the default: %s\n", "capabilities", eff && *eff ? eff : "none",
	       "", extra && *extra ? extra : "none");
	const char *filters = jstr(L, "seccomp.filters");
	printf("  %-16s %s (%s filter%s)\n", "seccomp", jstr(L, "seccomp.modeName"), filters ? filters : "?",
	       filters && STREQ(filters, "1") ? "" : "s");
	const char *nnp = jstr(L, "noNewPrivs");
	printf("  %-16s %s\n", "no_new_privs", nnp ? (STREQ(nnp, "true") ? "on" : "off") : "unknown");
	const char *label = jstr(L, "lsm.label");
	printf("  %-16s %s%s%s\n", "LSM", jstr(L, "lsm.state"), label ? ": " : "", label ? label : "");
	printf("  %-16s %s (%s)\n", "Landlock", jstr(L, "landlock.state"), jstr(L, "landlock.why"));
	json_object *ns = jget(L, "namespaces");
	char shared[256] = "", own[256] = "";
	for (size_t i = 0; ns && i < json_object_array_length(ns); i++) {
		json_object *e = json_object_array_get_idx(ns, i);
		char *dst = json_object_get_boolean(jget(e, "shared")) ? shared : own;
		size_t l = strlen(dst);
		snprintf(dst + l, 256 - l, "%s%s", l ? " " : "", jstr(e, "type"));
	}
	printf("  %-16s own: %s; shared with the host: %s\n", "namespaces", *own ? own : "none",
	       *shared ? shared : "none");
	const char *ro = jstr(L, "mounts.rootfsReadOnly");
	printf("  %-16s rootfs %s (%s); dangerous: %zu\n", "mounts",
	       ro ? (STREQ(ro, "true") ? "read-only" : "writable") : "unknown", jstr(L, "mounts.rootfsType"),
	       json_object_array_length(jget(jget(L, "mounts"), "dangerous")));
	printf("  %-16s %zu of %s not masked, %zu of %s writable\n", "masked/ro paths",
	       json_object_array_length(jget(jget(jget(L, "mounts"), "maskedPaths"), "unmasked")),
	       jstr(L, "mounts.maskedPaths.checked"),
	       json_object_array_length(jget(jget(jget(L, "mounts"), "readonlyPaths"), "writable")),
	       jstr(L, "mounts.readonlyPaths.checked"));
	json_object *dev = jget(L, "devices");
	if (json_object_get_boolean(jget(dev, "readable")))
		printf("  %-16s %zu beyond the default set\n", "devices", json_object_array_length(jget(dev, "extra")));
	else
		printf("  %-16s unknown (%s)\n", "devices", jstr(dev, "error"));
	const char *m = jstr(L, "cgroup.memory.limit"), *p = jstr(L, "cgroup.pids.limit"),
		   *c = jstr(L, "cgroup.cpu.limit");
	printf("  %-16s memory %s, pids %s, cpu %s\n", "cgroup limits", m ? m : "none", p ? p : "none", c ? c : "none");
	print_findings(jget(r, "findings"));
}

static void print_host(json_object *h)
{
	printf("kernel %s (%s)\n", jstr(h, "kernel"), jstr(h, "arch"));
	printf("  %-22s %s\n", "unprivileged userns",
	       STREQ(jstr(h, "userNamespaces.unprivilegedAllowed"), "true") ? "allowed" : "disabled");
	json_object *sub = jget(jget(h, "subordinateIds"), "subuid");
	for (size_t i = 0; sub && i < json_object_array_length(sub); i++) {
		json_object *e = json_object_array_get_idx(sub, i);
		printf("  %-22s %s: %s..+%s\n", i ? "" : "/etc/subuid", jstr(e, "user"), jstr(e, "start"),
		       jstr(e, "count"));
	}
	printf("  %-22s %s\n", "newuidmap privileged", jstr(h, "newuidmap.privileged"));
	printf("  %-22s %s\n", "newgidmap privileged", jstr(h, "newgidmap.privileged"));
	printf("  %-22s %s\n", "seccomp", jstr(h, "seccomp.available"));
	printf("  %-22s %s (ABI %s)\n", "Landlock", jstr(h, "landlock.available"), jstr(h, "landlock.abi"));
	cleanup_free char *lsms = join_arr(jget(jget(h, "lsm"), "active"), ",");
	printf("  %-22s %s\n", "LSMs", lsms && *lsms ? lsms : "none");
	printf("  %-22s %s, delegated: %s\n", "cgroups", jstr(h, "cgroups.mode"), jstr(h, "cgroups.delegated"));
	printf("  %-22s %s\n", "overlay in userns", jstr(h, "overlay.inUserNamespace"));
	printf("  %-22s %zu\n", "engine sockets", json_object_array_length(jget(h, "engineSockets")));
	printf("  %-22s %zu running (%s)\n", "containers",
	       json_object_array_length(jget(jget(h, "containers"), "running")), jstr(h, "containers.scope"));
	print_findings(jget(h, "findings"));
}

static void emit(json_object *o, bool json, void (*table)(json_object *))
{
	if (json)
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								     JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		table(o);
}

/* Container name/ID → the running init (pid and start time from the record; audit_process
 * then checks the start time against the kernel's). */
static int target_of(struct store *s, const char *ref, struct ctr_record **ret)
{
	cleanup_free char *id = NULL;
	struct ctr_record *rec = NULL;
	if (ctr_lookup(s, ref, &id) < 0 || ctr_record_load(s, id, &rec) < 0)
		return -ENOENT;
	if (ctr_status_live(s, rec) != CTR_STATUS_RUNNING) {
		log_error("container '%s' is not running: audit reads a running process's kernel state", ref);
		ctr_record_free(rec);
		return -ESRCH;
	}
	*ret = rec;
	return 0;
}

static int audit_one(const struct audit_target *t, const char *what, json_object *arr, int *max)
{
	json_object *rep = NULL;
	int m;
	int r = audit_process(t, &rep, &m);
	if (r == -ESRCH) {
		log_error("%s: no such process (it exited, or its pid was reused)", what);
		return r;
	}
	if (r < 0) {
		log_error_errno(r, "%s: cannot read its state from /proc: %m", what);
		return r;
	}
	if (m > *max)
		*max = m;
	json_object_array_add(arr, rep);
	return 0;
}

int verb_audit(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (cli_flag(argv[i], "suggest") || strncmp(argv[i], "--suggest=", 10) == 0)
			return cli_audit_suggest(argc, argv);

	static const struct cli_option opts[] = {{"format", 'f', true, OPT_FORMAT},
						 {"fail-on", 0, true, OPT_FAIL_ON},
						 {"all", 'a', false, OPT_ALL},
						 {"pid", 0, true, OPT_PID},
						 {"host", 0, false, OPT_HOST},
						 {"help", 'h', false, OPT_HELP},
						 {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "audit", false};
	const char *v;
	bool json = false, all = false, host = false;
	enum audit_severity fail_on = AUDIT_CRITICAL;
	bool fail_set = false;
	cleanup_free pid_t *pids = calloc((size_t)argc, sizeof(pid_t));
	cleanup_free char **refs = calloc((size_t)argc, sizeof(char *));
	size_t npids = 0, nrefs = 0;
	int id;
	if (!pids || !refs)
		return EXIT_ENGINE;
	for (;;) {
		while ((id = cli_next(&p, &v)) > 0) {
			switch (id) {
			case OPT_HELP:
				usage();
				return 0;
			case OPT_FORMAT:
				if (STREQ(v, "json"))
					json = true;
				else if (STREQ(v, "table"))
					json = false;
				else
					return cli_usage_error("audit", "--format: unknown format '%s' (json or table)",
							       v);
				break;
			case OPT_FAIL_ON:
				if (audit_severity_parse(v, &fail_on) < 0)
					return cli_usage_error(
					    "audit",
					    "--fail-on: unknown level '%s' (info, low, medium, high, critical)", v);
				fail_set = true;
				break;
			case OPT_ALL:
				all = cli_bool_val(v);
				break;
			case OPT_HOST:
				host = cli_bool_val(v);
				break;
			case OPT_PID: {
				char *end;
				errno = 0;
				long x = strtol(v, &end, 10);
				if (errno || end == v || *end || x <= 0 || x > 0x7fffffff)
					return cli_usage_error("audit", "--pid: '%s' is not a process id", v);
				pids[npids++] = (pid_t)x;
				break;
			}
			}
		}
		if (id < 0)
			return EXIT_ENGINE;
		if (p.i >= argc)
			break;
		refs[nrefs++] = argv[p.i++]; /* options may follow container names */
	}
	if (host && (nrefs || npids || all))
		return cli_usage_error("audit", "--host audits the host: no containers or --pid with it");
	if (!host && !nrefs && !npids && !all)
		return cli_usage_error("audit",
				       "nothing to audit: name containers, or give --all, --pid PID or --host");

	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	bool need_store = host || all || nrefs;
	if (need_store && cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	int rc = 0, max = -1;
	if (host) {
		json_object *h = NULL;
		if (audit_host(s, &h, &max) < 0) {
			rc = EXIT_ENGINE;
		} else {
			emit(h, json, print_host);
			json_object_put(h);
		}
		engine_config_free(&cfg);
		if (rc)
			return rc;
		return fail_set && max >= (int)fail_on ? EXIT_FINDINGS : 0;
	}

	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < nrefs; i++) {
		struct ctr_record *rec = NULL;
		if (target_of(s, refs[i], &rec) < 0) {
			rc = EXIT_ENGINE;
			continue;
		}
		struct audit_target t = {
		    .pid = rec->pid, .start_time = rec->pid_start, .name = rec->name, .id = rec->id};
		if (audit_one(&t, refs[i], arr, &max) < 0)
			rc = EXIT_ENGINE;
		ctr_record_free(rec);
	}
	if (all) {
		struct ctr_record **list = NULL;
		size_t n = 0;
		if (ctr_list(s, &list, &n) < 0) {
			rc = EXIT_ENGINE;
		} else {
			for (size_t i = 0; i < n; i++) {
				if (ctr_status_live(s, list[i]) != CTR_STATUS_RUNNING)
					continue;
				struct audit_target t = {.pid = list[i]->pid,
							 .start_time = list[i]->pid_start,
							 .name = list[i]->name,
							 .id = list[i]->id};
				/* A container that exits while we look is not an error for --all. */
				json_object *rep = NULL;
				int m;
				if (audit_process(&t, &rep, &m) == 0) {
					if (m > max)
						max = m;
					json_object_array_add(arr, rep);
				}
			}
			ctr_list_free(list, n);
		}
	}
	for (size_t i = 0; i < npids; i++) {
		char what[32];
		snprintf(what, sizeof(what), "pid %d", (int)pids[i]);
		struct audit_target t = {.pid = pids[i]};
		if (audit_one(&t, what, arr, &max) < 0)
			rc = EXIT_ENGINE;
	}
	if (json) {
		emit(arr, true, NULL);
	} else {
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			if (i)
				printf("\n");
			print_report(json_object_array_get_idx(arr, i));
		}
	}
	json_object_put(arr);
	engine_config_free(&cfg);
	if (rc)
		return rc;
	return fail_set && max >= (int)fail_on ? EXIT_FINDINGS : 0;
}
