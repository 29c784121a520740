/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri create [OPTIONS] IMAGE [COMMAND [ARG...]]: makes a container without starting it.
 * Also the option parser `run` shares (docker/podman spelling). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/engine/cli.h"
#include "engine/container/lifecycle.h"
#include "engine/container/spec.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/log.h"

enum {
	O_DETACH = 1,
	O_INTERACTIVE,
	O_TTY,
	O_RM,
	O_NAME,
	O_ENV,
	O_ENV_FILE,
	O_WORKDIR,
	O_USER,
	O_GROUP_ADD,
	O_HOSTNAME,
	O_ENTRYPOINT,
	O_READ_ONLY,
	O_READ_ONLY_TMPFS,
	O_CAP_ADD,
	O_CAP_DROP,
	O_PRIVILEGED,
	O_SECURITY_OPT,
	O_VOLUME,
	O_TMPFS,
	O_DEVICE,
	O_MEMORY,
	O_SHM_SIZE,
	O_PIDS_LIMIT,
	O_CPUS,
	O_ULIMIT,
	O_SYSCTL,
	O_NETWORK,
	O_USERNS,
	O_PID,
	O_IPC,
	O_UTS,
	O_RUNTIME,
	O_STOP_SIGNAL,
	O_STOP_TIMEOUT,
	O_INIT,
	O_NO_HOSTS,
	O_LABEL,
	O_ANNOTATION,
	O_SIG_PROXY,
	O_DETACH_KEYS,
	O_ATTACH,
	O_PULL,
	O_QUIET,
	O_MOUNT,
	O_LOG_DRIVER,
	O_HELP,
	O_PLATFORM,
	O_UIDMAP,
	O_GIDMAP,
	O_SECCOMP_RECORD,
	O_PUBLISH,
	O_PUBLISH_ALL,
	O_DNS,
	O_DNS_SEARCH,
	O_DNS_OPT,
	O_ADD_HOST,
	O_MAC_ADDRESS,
	O_IP,
};

static const struct cli_option run_opts[] = {
    {"detach", 'd', false, O_DETACH},
    {"interactive", 'i', false, O_INTERACTIVE},
    {"tty", 't', false, O_TTY},
    {"rm", 0, false, O_RM},
    {"name", 0, true, O_NAME},
    {"env", 'e', true, O_ENV},
    {"env-file", 0, true, O_ENV_FILE},
    {"workdir", 'w', true, O_WORKDIR},
    {"user", 'u', true, O_USER},
    {"group-add", 0, true, O_GROUP_ADD},
    {"hostname", 'h', true, O_HOSTNAME},
    {"entrypoint", 0, true, O_ENTRYPOINT},
    {"read-only", 0, false, O_READ_ONLY},
    {"read-only-tmpfs", 0, false, O_READ_ONLY_TMPFS},
    {"cap-add", 0, true, O_CAP_ADD},
    {"cap-drop", 0, true, O_CAP_DROP},
    {"privileged", 0, false, O_PRIVILEGED},
    {"security-opt", 0, true, O_SECURITY_OPT},
    {"volume", 'v', true, O_VOLUME},
    {"tmpfs", 0, true, O_TMPFS},
    {"device", 0, true, O_DEVICE},
    {"memory", 'm', true, O_MEMORY},
    {"shm-size", 0, true, O_SHM_SIZE},
    {"pids-limit", 0, true, O_PIDS_LIMIT},
    {"cpus", 0, true, O_CPUS},
    {"ulimit", 0, true, O_ULIMIT},
    {"sysctl", 0, true, O_SYSCTL},
    {"network", 0, true, O_NETWORK},
    {"net", 0, true, O_NETWORK},
    {"userns", 0, true, O_USERNS},
    {"pid", 0, true, O_PID},
    {"ipc", 0, true, O_IPC},
    {"uts", 0, true, O_UTS},
    {"runtime", 0, true, O_RUNTIME},
    {"stop-signal", 0, true, O_STOP_SIGNAL},
    {"stop-timeout", 0, true, O_STOP_TIMEOUT},
    {"init", 0, false, O_INIT},
    {"no-hosts", 0, false, O_NO_HOSTS},
    {"label", 'l', true, O_LABEL},
    {"annotation", 0, true, O_ANNOTATION},
    {"sig-proxy", 0, false, O_SIG_PROXY},
    {"detach-keys", 0, true, O_DETACH_KEYS},
    {"attach", 'a', true, O_ATTACH},
    {"pull", 0, true, O_PULL},
    {"quiet", 'q', false, O_QUIET},
    {"mount", 0, true, O_MOUNT},
    {"log-driver", 0, true, O_LOG_DRIVER},
    {"platform", 0, true, O_PLATFORM},
    {"uidmap", 0, true, O_UIDMAP},
    {"gidmap", 0, true, O_GIDMAP},
    {"seccomp-record", 0, true, O_SECCOMP_RECORD},
    {"publish", 'p', true, O_PUBLISH},
    {"publish-all", 'P', false, O_PUBLISH_ALL},
    {"dns", 0, true, O_DNS},
    {"dns-search", 0, true, O_DNS_SEARCH},
    {"dns-option", 0, true, O_DNS_OPT},
    {"dns-opt", 0, true, O_DNS_OPT},
    {"add-host", 0, true, O_ADD_HOST},
    {"mac-address", 0, true, O_MAC_ADDRESS},
    {"ip", 0, true, O_IP},
    {"help", 0, false, O_HELP},
    {0},
};

static int push(char ***v, const char *s)
{
	return cu_strv_append(v, s) < 0 ? log_error_errno(-ENOMEM, "Out of memory") : 0;
}

static int set_str(char **f, const char *v)
{
	free(*f);
	*f = strdup(v);
	return *f ? 0 : -ENOMEM;
}

/* --security-opt KEY[=VALUE] (also docker's old KEY:VALUE). */
static int security_opt(struct ctr_opts *o, const char *v)
{
	const char *eq = strchr(v, '=');
	if (!eq)
		eq = strchr(v, ':');
	size_t kl = eq ? (size_t)(eq - v) : strlen(v);
	const char *val = eq ? eq + 1 : NULL;
	if (kl == 7 && strncmp(v, "seccomp", 7) == 0 && val)
		return set_str(&o->seccomp, val);
	if (kl == 17 && strncmp(v, "no-new-privileges", 17) == 0) {
		o->no_new_privs = cli_bool_val(val) ? 1 : 0;
		return 0;
	}
	if (kl == 4 && strncmp(v, "mask", 4) == 0 && val)
		return push(&o->mask, val);
	if (kl == 6 && strncmp(v, "unmask", 6) == 0 && val)
		return push(&o->unmask, val);
	if (kl == 8 && strncmp(v, "apparmor", 8) == 0 && val)
		return set_str(&o->apparmor, val);
	if (kl == 8 && strncmp(v, "landlock", 8) == 0 && val)
		return set_str(&o->landlock, val);
	if (kl == 5 && strncmp(v, "label", 5) == 0 && val) {
		if (STREQ(val, "disable") || strncmp(val, "type:", 5) == 0 || strncmp(val, "level:", 6) == 0 ||
		    strncmp(val, "user:", 5) == 0 || strncmp(val, "role:", 5) == 0 || STREQ(val, "nested"))
			return set_str(&o->label, val);
	}
	return log_error_errno(-EINVAL,
			       "--security-opt %s: expected seccomp=unconfined|FILE, no-new-privileges[=true|false], "
			       "mask=PATHS, unmask=ALL|PATHS, label=…, apparmor=PROFILE, landlock=…",
			       v);
}

/* --mount type=bind,source=A,target=B[,readonly] | type=tmpfs,target=B[,tmpfs-size=N] |
 * type=volume,source=NAME,target=B: turned into the -v/--tmpfs forms. */
static int mount_opt(struct ctr_opts *o, const char *v)
{
	cleanup_strv char **kv = cu_strv_split(v, ',');
	const char *type = "volume", *src = NULL, *dst = NULL;
	cleanup_free char *opts = strdup("");
	if (!kv || !opts)
		return -ENOMEM;
	for (size_t i = 0; kv[i]; i++) {
		char *k = kv[i], *val = strchr(k, '=');
		if (val)
			*val++ = 0;
		char *add = NULL;
		if (STREQ(k, "type") && val)
			type = val;
		else if ((STREQ(k, "source") || STREQ(k, "src")) && val)
			src = val;
		else if ((STREQ(k, "target") || STREQ(k, "destination") || STREQ(k, "dst")) && val)
			dst = val;
		else if (STREQ(k, "readonly") || STREQ(k, "ro"))
			add = strdup(!val || cli_bool_val(val) ? "ro" : "rw");
		else if ((STREQ(k, "tmpfs-size") || STREQ(k, "tmpfs-mode")) && val) {
			if (asprintf(&add, "%s=%s", STREQ(k, "tmpfs-size") ? "size" : "mode", val) < 0)
				return -ENOMEM;
		} else if ((STREQ(k, "bind-propagation") || STREQ(k, "relabel")) && val)
			add = strdup(STREQ(k, "relabel") ? (STREQ(val, "private") ? "Z" : "z") : val);
		else
			return log_error_errno(-EINVAL, "--mount %s: unknown option '%s'", v, k);
		if (add) {
			char *n = NULL;
			if (asprintf(&n, "%s%s%s", opts, *opts ? "," : "", add) < 0) {
				free(add);
				return -ENOMEM;
			}
			free(add);
			free(opts);
			opts = n;
		}
	}
	if (!dst)
		return log_error_errno(-EINVAL, "--mount %s: target= is required", v);
	cleanup_free char *spec = NULL;
	if (STREQ(type, "tmpfs")) {
		if (asprintf(&spec, "%s%s%s", dst, *opts ? ":" : "", opts) < 0)
			return -ENOMEM;
		return push(&o->tmpfs, spec);
	}
	if (!STREQ(type, "bind") && !STREQ(type, "volume"))
		return log_error_errno(-EINVAL, "--mount %s: type must be bind, volume or tmpfs", v);
	if (!src)
		return log_error_errno(-EINVAL, "--mount %s: source= is required for type %s", v, type);
	if (asprintf(&spec, "%s:%s%s%s", src, dst, *opts ? ":" : "", opts) < 0)
		return -ENOMEM;
	return push(&o->volumes, spec);
}

static void usage(bool run)
{
	printf("usage: kakuri %s [OPTIONS] IMAGE [COMMAND [ARG...]]\n\n"
	       "  -d, --detach            run in the background, print the container ID (run)\n"
	       "  -i, --interactive       keep stdin open\n"
	       "  -t, --tty               allocate a pseudo-terminal\n"
	       "      --rm                remove the container when it exits\n"
	       "      --name NAME         name the container\n"
	       "  -e, --env K=V|K         set an environment variable; --env-file FILE\n"
	       "  -w, --workdir DIR       working directory\n"
	       "  -u, --user U[:G]        user (resolved in the image's /etc/passwd); --group-add G\n"
	       "  -h, --hostname NAME     hostname; --entrypoint CMD|JSON\n"
	       "      --read-only         read-only root filesystem (/run, /tmp, /var/tmp stay writable)\n"
	       "      --cap-add/--cap-drop CAP|ALL, --privileged\n"
	       "      --security-opt seccomp=FILE|unconfined, no-new-privileges[=false], mask=P, unmask=P|ALL,\n"
	       "                          landlock=ro:PATH[:PATH…],rw:PATH…|FILE|unconfined\n"
	       "  -v, --volume SRC:DST[:ro,rw,z,Z], --mount, --tmpfs DST[:OPTS], --device HOST[:CTR][:rwm]\n"
	       "  -m, --memory N[kmg], --pids-limit N, --cpus N, --shm-size N, --ulimit NAME=S[:H], --sysctl K=V\n"
	       "      --network none|host|pasta[:OPTS]|slirp4netns[:OPTS]|bridge[:NET]|NET|container:NAME|ns:PATH\n"
	       "  -p, --publish [IP:][HOSTPORT:]PORT[/udp] (ranges N-M), -P, --publish-all; --ip, --mac-address\n"
	       "      --dns IP, --dns-search D, --dns-option O, --add-host NAME:IP|host-gateway\n"
	       "      --userns host|keep-id|nomap|auto[:size=N]\n"
	       "      --uidmap/--gidmap CONTAINER:HOST:SIZE, --pid/--ipc/--uts host|container:NAME\n"
	       "      --init              run kakuri-init as pid 1 (signals forwarded, zombies reaped)\n"
	       "      --runtime PATH      any OCI runtime (kakuri-runtime by default)\n"
	       "      --stop-signal SIG, --stop-timeout N, --no-hosts, --annotation K=V, --label K=V\n",
	       run ? "run" : "create");
}

int cli_parse_create(int argc, char **argv, bool run, struct ctr_opts *o, bool *ret_sig_proxy, char **ret_detach_keys)
{
	struct cli_parser p = {argc, argv, 1, 0, run_opts, run ? "run" : "create", false};
	const char *v;
	int id, r = 0;
	double d;
	*o = (struct ctr_opts){.no_new_privs = -1, .stop_timeout = -1, .read_only_tmpfs = true};
	if (ret_sig_proxy)
		*ret_sig_proxy = true;
	while (r >= 0 && (id = cli_next(&p, &v)) > 0) {
		bool b = cli_bool_val(v);
		switch (id) {
		case O_HELP:
			usage(run);
			exit(0);
		case O_DETACH:
			if (!run) {
				cli_usage_error("create", "unknown flag: --detach");
				return -EINVAL;
			}
			o->detach = b;
			break;
		case O_INTERACTIVE:
			o->interactive = b;
			break;
		case O_TTY:
			o->tty = b;
			break;
		case O_RM:
			o->rm = b;
			break;
		case O_NAME:
			r = set_str(&o->name, v);
			break;
		case O_ENV:
			r = push(&o->env, v);
			break;
		case O_ENV_FILE:
			r = push(&o->env_files, v);
			break;
		case O_WORKDIR:
			if (v[0] != '/')
				return log_error_errno(-EINVAL, "--workdir %s: must be an absolute path", v);
			r = set_str(&o->workdir, v);
			break;
		case O_USER:
			r = set_str(&o->user, v);
			break;
		case O_GROUP_ADD:
			r = push(&o->group_add, v);
			break;
		case O_HOSTNAME:
			r = set_str(&o->hostname, v);
			break;
		case O_ENTRYPOINT:
			r = set_str(&o->entrypoint, v);
			break;
		case O_READ_ONLY:
			o->read_only = b;
			break;
		case O_READ_ONLY_TMPFS:
			o->read_only_tmpfs = b;
			break;
		case O_CAP_ADD:
		case O_CAP_DROP: {
			cleanup_strv char **caps = cu_strv_split(v, ',');
			for (size_t k = 0; caps && caps[k] && r >= 0; k++)
				r = push(id == O_CAP_ADD ? &o->cap_add : &o->cap_drop, caps[k]);
			break;
		}
		case O_PRIVILEGED:
			o->privileged = b;
			break;
		case O_SECURITY_OPT:
			r = security_opt(o, v);
			break;
		case O_VOLUME:
			r = push(&o->volumes, v);
			break;
		case O_TMPFS:
			r = push(&o->tmpfs, v);
			break;
		case O_DEVICE:
			r = push(&o->devices, v);
			break;
		case O_MOUNT:
			r = mount_opt(o, v);
			break;
		case O_MEMORY:
		case O_SHM_SIZE:
			if (cu_parse_size(v, id == O_MEMORY ? &o->memory : &o->shm_size) < 0)
				return log_error_errno(-EINVAL, "--%s %s: expected a size such as 512m or 1g",
						       id == O_MEMORY ? "memory" : "shm-size", v);
			break;
		case O_PIDS_LIMIT: {
			char *end;
			long long n = strtoll(v, &end, 10);
			if (end == v || *end || n < -1)
				return log_error_errno(-EINVAL,
						       "--pids-limit %s: expected a number (-1 or 0: unlimited)", v);
			o->has_pids_limit = true;
			o->pids_limit = n;
			break;
		}
		case O_CPUS: {
			char *end;
			d = strtod(v, &end);
			if (end == v || *end || d < 0)
				return log_error_errno(-EINVAL, "--cpus %s: expected a number of CPUs such as 1.5", v);
			o->cpus = d;
			break;
		}
		case O_ULIMIT:
			r = push(&o->ulimits, v);
			break;
		case O_SYSCTL:
			r = push(&o->sysctls, v);
			break;
		case O_NETWORK:
			r = set_str(&o->network, v);
			break;
		case O_USERNS:
			r = set_str(&o->userns, v);
			break;
		case O_PID:
			r = set_str(&o->pid_ns, v);
			break;
		case O_IPC:
			r = set_str(&o->ipc_ns, v);
			break;
		case O_UTS:
			r = set_str(&o->uts_ns, v);
			break;
		case O_RUNTIME:
			r = set_str(&o->runtime, v);
			break;
		case O_STOP_SIGNAL:
			if (cu_signal_parse(v) < 0)
				return log_error_errno(-EINVAL, "--stop-signal %s: not a signal", v);
			r = set_str(&o->stop_signal, v);
			break;
		case O_STOP_TIMEOUT:
			o->stop_timeout = atoi(v);
			break;
		case O_INIT:
			o->init = b;
			break;
		case O_NO_HOSTS:
			o->no_hosts = b;
			break;
		case O_LABEL:
			r = push(&o->labels, v);
			break;
		case O_ANNOTATION:
			r = push(&o->annotations, v);
			break;
		case O_SIG_PROXY:
			if (ret_sig_proxy)
				*ret_sig_proxy = b;
			break;
		case O_DETACH_KEYS:
			if (ret_detach_keys) {
				free(*ret_detach_keys);
				*ret_detach_keys = strdup(v);
			}
			break;
		case O_PULL:
			if (!STREQ(v, "never") && !STREQ(v, "missing"))
				log_warn("--pull %s: images are never pulled by run/create yet (use kakuri pull)", v);
			break;
		case O_UIDMAP:
			r = push(&o->uidmap, v);
			break;
		case O_GIDMAP:
			r = push(&o->gidmap, v);
			break;
		case O_SECCOMP_RECORD:
			r = set_str(&o->seccomp_record, v);
			break;
		case O_PUBLISH:
			r = push(&o->publish, v);
			break;
		case O_PUBLISH_ALL:
			o->publish_all = b;
			break;
		case O_DNS:
			r = push(&o->dns, v);
			break;
		case O_DNS_SEARCH:
			r = push(&o->dns_search, v);
			break;
		case O_DNS_OPT:
			r = push(&o->dns_opt, v);
			break;
		case O_ADD_HOST:
			r = push(&o->add_host, v);
			break;
		case O_MAC_ADDRESS:
			r = set_str(&o->mac_address, v);
			break;
		case O_IP:
			r = set_str(&o->ip, v);
			break;
		case O_ATTACH:
		case O_QUIET:
		case O_LOG_DRIVER:
		case O_PLATFORM:
			break;
		}
	}
	if (r < 0)
		return r;
	if (id < 0)
		return -EINVAL;
	if (p.i >= argc) {
		cli_usage_error(p.verb, "requires at least 1 argument (the image)");
		return -EINVAL;
	}
	o->image = strdup(argv[p.i]);
	o->cmd = calloc(1, sizeof(char *));
	for (int k = p.i + 1; o->cmd && k < argc; k++)
		if (cu_strv_append(&o->cmd, argv[k]) < 0)
			return -ENOMEM;
	if (!o->image || !o->cmd)
		return -ENOMEM;
	return 0;
}

int verb_create(int argc, char **argv)
{
	struct ctr_opts o;
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	struct ctr_record *rec = NULL;
	int rc = EXIT_ENGINE;
	if (cli_parse_create(argc, argv, false, &o, NULL, NULL) < 0) {
		ctr_opts_clear(&o);
		return EXIT_ENGINE;
	}
	if (cli_ctr_setup(&cfg, &s) == 0) {
		if (ctr_create(s, &cfg, &o, &rec) == 0) {
			printf("%s\n", rec->id);
			ctr_record_free(rec);
			rc = 0;
		}
		engine_config_free(&cfg);
	}
	ctr_opts_clear(&o);
	return rc;
}
