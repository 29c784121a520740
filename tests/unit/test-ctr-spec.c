/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/container: the image config parser (imgcfg.c) and config.json as ctr_spec_build
 * writes it from the image, the options and containers.conf's built-in defaults, into a
 * scratch bundle (rootful spec, no root needed): process args (entrypoint/cmd rules), env
 * precedence, cwd, capabilities, the record's share, errors that write nothing; then
 * ctr_spec_finalize on a scratch root: the user from the image's passwd, HOME, the
 * capabilities of a non-root user, the console size and the working directory (made in
 * root, even through a symlink pointing out of it). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/config/containers-conf.h"
#include "engine/container/imgcfg.h"
#include "engine/container/record.h"
#include "engine/container/spec.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "tap.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char tmp[PATH_MAX];
static char rootfs[PATH_MAX + 16], ud[PATH_MAX + 16], storep[PATH_MAX + 16], cfgpath[PATH_MAX + 32];
static struct engine_config cfg;
static struct ctr_image im;
static struct ctr_record *rec;
static json_object *spec; /* the last config.json read */

static char **sv(const char *a, const char *b, const char *c)
{
	char **v = calloc(1, sizeof(char *));
	const char *in[] = {a, b, c};
	for (int i = 0; i < 3; i++)
		if (in[i])
			cu_strv_append(&v, in[i]);
	return v;
}

static void reset_image(void)
{
	cu_strv_free(im.entrypoint);
	cu_strv_free(im.cmd);
	cu_strv_free(im.env);
	cu_strv_free(im.volumes);
	free(im.workdir);
	free(im.user);
	free(im.stop_signal);
	im = (struct ctr_image){0};
}

/* A fresh bundle, root and record; the image runs "/bin/echo hello". */
static void setup(void)
{
	if (tmp[0])
		fs_rm_rf(tmp);
	snprintf(tmp, sizeof(tmp), "/tmp/kk-ctr-spec-XXXXXX");
	if (!mkdtemp(tmp))
		abort();
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmp);
	snprintf(ud, sizeof(ud), "%s/userdata", tmp);
	snprintf(storep, sizeof(storep), "%s/store", tmp);
	snprintf(cfgpath, sizeof(cfgpath), "%s/config.json", ud);
	mkdir(rootfs, 0755);
	mkdir(ud, 0700);
	mkdir(storep, 0700);
	if (!cfg.default_capabilities && engine_config_defaults(&cfg, false) < 0)
		abort();
	reset_image();
	im.cmd = sv("/bin/echo", "hello", NULL);
	ctr_record_free(rec);
	rec = calloc(1, sizeof(*rec));
	rec->id = strdup(ID);
	rec->name = strdup("test_ctr");
	if (spec)
		json_object_put(spec);
	spec = NULL;
}

/* The options as the CLI starts them, with --network none (the default network is the
 * networking code's business, not this test's) and seccomp=unconfined (one test below
 * covers the profile). */
static struct ctr_opts opts(void)
{
	return (struct ctr_opts){.no_new_privs = -1,
				 .stop_timeout = -1,
				 .read_only_tmpfs = true,
				 .seccomp = strdup("unconfined"),
				 .network = strdup("none")};
}

static int build(const struct ctr_opts *o)
{
	struct ctr_spec_ctx ctx = {
	    .cfg = &cfg, .image = &im, .id = ID, .rootfs = rootfs, .userdata = ud, .store_root = storep};
	int r = ctr_spec_build(o, &ctx, rec);
	if (spec)
		json_object_put(spec);
	spec = NULL;
	if (r == 0) {
		cleanup_free char *d = NULL;
		CHECK(fs_read_file_at(AT_FDCWD, cfgpath, 64u << 20, &d, NULL) == 0);
		spec = d ? json_tokener_parse(d) : NULL;
		CHECK(spec != NULL);
	}
	return r;
}

static json_object *at(json_object *o, const char *a, const char *b)
{
	json_object *x = NULL, *y = NULL;
	if (!o || !json_object_object_get_ex(o, a, &x))
		return NULL;
	if (!b)
		return x;
	return json_object_object_get_ex(x, b, &y) ? y : NULL;
}

/* A string array as "a|b|c" (static buffer), "(none)" if absent. */
static const char *arr(json_object *a)
{
	static char buf[8192];
	if (!a || !json_object_is_type(a, json_type_array))
		return "(none)";
	buf[0] = 0;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		size_t l = strlen(buf);
		snprintf(buf + l, sizeof(buf) - l, "%s%s", i ? "|" : "",
			 json_object_get_string(json_object_array_get_idx(a, i)));
	}
	return buf;
}

static const char *args(void)
{
	return arr(at(spec, "process", "args"));
}

static const char *env_get(const char *name)
{
	json_object *e = at(spec, "process", "env");
	size_t k = strlen(name);
	for (size_t i = 0; e && i < json_object_array_length(e); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(e, i));
		if (strncmp(s, name, k) == 0 && s[k] == '=')
			return s + k + 1;
	}
	return NULL;
}

/* No config.json, hosts, hostname or resolv.conf after a failed build. */
static bool userdata_empty(void)
{
	DIR *d = opendir(ud);
	bool empty = true;
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_name[0] != '.' || (e->d_name[1] && !(e->d_name[1] == '.' && !e->d_name[2]))) {
			printf("#   left behind: %s\n", e->d_name);
			empty = false;
		}
	if (d)
		closedir(d);
	return empty;
}

/* ---- imgcfg ---- */

TEST(image_config_parses_the_runtime_fields)
{
	static const char j[] = "{\"architecture\":\"amd64\",\"config\":{"
				"\"Entrypoint\":[\"/ep\",\"-x\"],\"Cmd\":[\"a\",\"b c\"],"
				"\"Env\":[\"PATH=/bin\",\"X=1\"],\"WorkingDir\":\"/srv\",\"User\":\"app:app\","
				"\"StopSignal\":\"SIGQUIT\",\"Volumes\":{\"/data\":{},\"/logs\":{}}}}";
	struct ctr_image *i = NULL;
	CHECK(ctr_image_parse(j, &i) == 0);
	if (!i)
		return;
	cleanup_free char *ep = cu_strv_join(i->entrypoint, "|"), *cmd = cu_strv_join(i->cmd, "|"),
			  *env = cu_strv_join(i->env, "|"), *vol = cu_strv_join(i->volumes, "|");
	CHECK_STREQ(ep, "/ep|-x");
	CHECK_STREQ(cmd, "a|b c");
	CHECK_STREQ(env, "PATH=/bin|X=1");
	CHECK_STREQ(i->workdir, "/srv");
	CHECK_STREQ(i->user, "app:app");
	CHECK_STREQ(i->stop_signal, "SIGQUIT");
	CHECK(cu_strv_length(i->volumes) == 2 && cu_strv_contains(i->volumes, "/data") &&
	      cu_strv_contains(i->volumes, "/logs"));
	CHECK(i->id == NULL && i->name == NULL);
	ctr_image_free(i);
}

TEST(image_config_absent_and_null_fields)
{
	struct ctr_image *i = NULL;
	CHECK(ctr_image_parse("{}", &i) == 0);
	CHECK(i && !i->entrypoint && !i->cmd && !i->env && !i->workdir && !i->user && !i->volumes);
	ctr_image_free(i);
	i = NULL;
	CHECK(ctr_image_parse("{\"config\":{\"Entrypoint\":null,\"Cmd\":[\"sh\",5,null],\"User\":3,"
			      "\"Volumes\":null}}",
			      &i) == 0);
	if (i) {
		CHECK(i->entrypoint == NULL && i->user == NULL && i->volumes == NULL);
		cleanup_free char *cmd = cu_strv_join(i->cmd, "|");
		CHECK_STREQ(cmd, "sh"); /* non-strings dropped */
	}
	ctr_image_free(i);
	i = (struct ctr_image *)0x1;
	CHECK(ctr_image_parse("not json", &i) == -EBADMSG);
	CHECK(ctr_image_parse("[]", &i) == -EBADMSG);
	CHECK(ctr_image_parse("", &i) == -EBADMSG);
	CHECK(i == (struct ctr_image *)0x1);
	ctr_image_free(NULL);
}

/* ---- args ---- */

TEST(args_from_entrypoint_and_cmd)
{
	setup();
	struct ctr_opts o = opts();
	im.entrypoint = sv("/ep", NULL, NULL);
	CHECK(build(&o) == 0);
	CHECK_STREQ(args(), "/ep|/bin/echo|hello");
	cleanup_free char *cmd = cu_strv_join(rec->command, "|");
	CHECK_STREQ(cmd, "/ep|/bin/echo|hello");
	/* Arguments after the image replace Cmd, keep the entrypoint. */
	o.cmd = sv("x", "y", NULL);
	CHECK(build(&o) == 0);
	CHECK_STREQ(args(), "/ep|x|y");
	/* --entrypoint replaces it and drops the image's Cmd (docker). */
	cu_strv_free(o.cmd);
	o.cmd = NULL;
	o.entrypoint = strdup("/new");
	CHECK(build(&o) == 0);
	CHECK_STREQ(args(), "/new");
	o.cmd = sv("arg", NULL, NULL);
	CHECK(build(&o) == 0);
	CHECK_STREQ(args(), "/new|arg");
	/* A JSON array, and "" to clear it. */
	free(o.entrypoint);
	o.entrypoint = strdup("[\"/bin/sh\",\"-c\"]");
	CHECK(build(&o) == 0);
	CHECK_STREQ(args(), "/bin/sh|-c|arg");
	free(o.entrypoint);
	o.entrypoint = strdup("");
	CHECK(build(&o) == 0);
	CHECK_STREQ(args(), "arg");
	/* null and non-string elements: refused by name, not a crash. */
	free(o.entrypoint);
	o.entrypoint = strdup("[\"/bin/sh\", null]");
	CHECK(build(&o) == -EINVAL);
	free(o.entrypoint);
	o.entrypoint = strdup("[\"/bin/sh\", 5, {}]");
	CHECK(build(&o) == -EINVAL);
	/* Not valid JSON: one word, as given. */
	free(o.entrypoint);
	o.entrypoint = strdup("[oops");
	CHECK(build(&o) == 0);
	CHECK_STREQ(args(), "[oops|arg");
	ctr_opts_clear(&o);
}

TEST(no_command_at_all_is_an_error_that_writes_nothing)
{
	setup();
	cu_strv_free(im.cmd);
	im.cmd = NULL;
	struct ctr_opts o = opts();
	CHECK(build(&o) == -EINVAL);
	CHECK(userdata_empty());
	/* --entrypoint "" with no Cmd from the image either. */
	im.cmd = sv("/bin/true", NULL, NULL);
	o.entrypoint = strdup("");
	CHECK(build(&o) == -EINVAL);
	CHECK(userdata_empty());
	ctr_opts_clear(&o);
}

/* ---- env ---- */

TEST(env_precedence_conf_image_file_cli)
{
	setup();
	cleanup_free char *envfile = NULL;
	CHECK(asprintf(&envfile, "%s/env.list", tmp) > 0);
	static const char ef[] = "# comment\n\nC=file\n  D=file\r\nKK_TEST_FROM_HOST\nKK_TEST_UNSET_VAR\n";
	CHECK(fs_write_atomic(envfile, ef, strlen(ef), 0600) == 0);
	setenv("KK_TEST_FROM_HOST", "host value", 1);
	unsetenv("KK_TEST_UNSET_VAR");
	char **saved = cfg.env;
	cfg.env = sv("A=conf", "B=conf", "KK_TEST_FROM_HOST");
	im.env = sv("B=img", "C=img", "NOEQUALS");
	struct ctr_opts o = opts();
	o.env_files = sv(envfile, NULL, NULL);
	o.env = sv("D=cli", "KK_TEST_UNSET_VAR", "E=x=y");
	int r = build(&o);
	CHECK(r == 0);
	CHECK_STREQ(env_get("A"), "conf");
	CHECK_STREQ(env_get("B"), "img");
	CHECK_STREQ(env_get("C"), "file");
	CHECK_STREQ(env_get("D"), "cli");
	CHECK_STREQ(env_get("E"), "x=y");
	CHECK_STREQ(env_get("KK_TEST_FROM_HOST"), "host value");
	CHECK(env_get("KK_TEST_UNSET_VAR") == NULL);
	CHECK(env_get("NOEQUALS") == NULL);
	/* Added by us: HOSTNAME (the short ID), container=kakuri, a default PATH. */
	CHECK_STREQ(env_get("HOSTNAME"), "0123456789ab");
	CHECK_STREQ(env_get("container"), "kakuri");
	CHECK_STREQ(env_get("PATH"), ENGINE_CONFIG_DEFAULT_PATH);
	CHECK(!rec->home_set);
	/* Each name once. */
	json_object *e = at(spec, "process", "env");
	CHECK(e && json_object_array_length(e) == 9);
	cu_strv_free(cfg.env);
	cfg.env = saved;
	unsetenv("KK_TEST_FROM_HOST");
	/* The image's PATH and HOSTNAME and -e HOME win over ours. */
	cu_strv_free(im.env);
	im.env = sv("PATH=/opt/bin", "HOSTNAME=img", NULL);
	cu_strv_free(o.env);
	o.env = sv("HOME=/h", NULL, NULL);
	cu_strv_free(o.env_files);
	o.env_files = NULL;
	CHECK(build(&o) == 0);
	CHECK_STREQ(env_get("PATH"), "/opt/bin");
	CHECK_STREQ(env_get("HOSTNAME"), "img");
	CHECK(rec->home_set);
	/* An empty name is refused (docker: "invalid environment variable"), from -e and from a
	 * file. */
	setup();
	cu_strv_free(o.env);
	o.env = sv("=value", NULL, NULL);
	CHECK(build(&o) == -EINVAL);
	CHECK(userdata_empty());
	cu_strv_free(o.env);
	o.env = NULL;
	static const char bad[] = "OK=1\n=nope\n";
	free(envfile);
	CHECK(asprintf(&envfile, "%s/env.list", tmp) > 0);
	CHECK(fs_write_atomic(envfile, bad, strlen(bad), 0600) == 0);
	o.env_files = sv(envfile, NULL, NULL);
	CHECK(build(&o) == -EINVAL);
	CHECK(userdata_empty());
	cu_strv_free(o.env_files);
	o.env_files = NULL;
	/* A missing --env-file is an error naming it, and nothing is written. */
	setup();
	o.env_files = sv("/nonexistent/kk-env", NULL, NULL);
	CHECK(build(&o) == -ENOENT);
	CHECK(userdata_empty());
	ctr_opts_clear(&o);
}

/* ---- cwd, hostname, caps, record ---- */

TEST(cwd_hostname_and_bundle_files)
{
	setup();
	struct ctr_opts o = opts();
	CHECK(build(&o) == 0);
	CHECK_STREQ(json_object_get_string(at(spec, "process", "cwd")), "/");
	CHECK_STREQ(json_object_get_string(at(spec, "hostname", NULL)), "0123456789ab");
	CHECK_STREQ(json_object_get_string(at(spec, "root", "path")), rootfs);
	CHECK_STREQ(json_object_get_string(at(spec, "ociVersion", NULL)), "1.2.0");
	CHECK(json_object_get_boolean(at(spec, "process", "noNewPrivileges")));
	CHECK_STREQ(rec->hostname, "0123456789ab");
	cleanup_free char *hn = NULL, *hosts = NULL, *p1 = NULL, *p2 = NULL, *p3 = NULL;
	CHECK(asprintf(&p1, "%s/hostname", ud) > 0 && asprintf(&p2, "%s/hosts", ud) > 0 &&
	      asprintf(&p3, "%s/resolv.conf", ud) > 0);
	CHECK(fs_read_file_at(AT_FDCWD, p1, 4096, &hn, NULL) == 0);
	CHECK_STREQ(hn, "0123456789ab\n");
	CHECK(fs_read_file_at(AT_FDCWD, p2, 4096, &hosts, NULL) == 0);
	CHECK_CONTAINS(hosts, "127.0.0.1\tlocalhost");
	CHECK_CONTAINS(hosts, "0123456789ab test_ctr\n");
	CHECK(access(p3, R_OK) == 0);
	struct stat s;
	CHECK(stat(cfgpath, &s) == 0 && (s.st_mode & 0777) == 0600);
	/* The image's relative WorkingDir is made absolute; -w wins. */
	im.workdir = strdup("app/dir");
	free(o.hostname);
	o.hostname = strdup("myhost");
	CHECK(build(&o) == 0);
	CHECK_STREQ(json_object_get_string(at(spec, "process", "cwd")), "/app/dir");
	CHECK_STREQ(json_object_get_string(at(spec, "hostname", NULL)), "myhost");
	CHECK_STREQ(env_get("HOSTNAME"), "myhost");
	o.workdir = strdup("/w");
	CHECK(build(&o) == 0);
	CHECK_STREQ(json_object_get_string(at(spec, "process", "cwd")), "/w");
	ctr_opts_clear(&o);
}

TEST(capabilities_default_add_drop)
{
	setup();
	struct ctr_opts o = opts();
	CHECK(build(&o) == 0);
	cleanup_free char *def = cu_strv_join(cfg.default_capabilities, "|");
	CHECK(cu_strv_length(cfg.default_capabilities) == 11);
	CHECK_STREQ(arr(at(at(spec, "process", "capabilities"), "bounding", NULL)), def);
	CHECK_STREQ(arr(at(at(spec, "process", "capabilities"), "effective", NULL)), def);
	CHECK_STREQ(arr(at(at(spec, "process", "capabilities"), "permitted", NULL)), def);
	/* Inheritable and ambient are never there by default (CVE-2022-29162). */
	CHECK(at(at(spec, "process", "capabilities"), "inheritable", NULL) == NULL);
	CHECK(at(at(spec, "process", "capabilities"), "ambient", NULL) == NULL);
	CHECK(rec->caps_nonroot && !rec->caps_nonroot[0]);
	o.cap_add = sv("net_admin", "CHOWN", NULL);
	o.cap_drop = sv("kill", "setuid", NULL);
	CHECK(build(&o) == 0);
	const char *b = arr(at(at(spec, "process", "capabilities"), "bounding", NULL));
	CHECK_CONTAINS(b, "CAP_NET_ADMIN");
	CHECK(strstr(b, "CAP_KILL") == NULL && strstr(b, "CAP_SETUID") == NULL);
	cleanup_free char *nr = cu_strv_join(rec->caps_nonroot, "|");
	CHECK_STREQ(nr, "CAP_NET_ADMIN|CAP_CHOWN"); /* what was added by name */
	/* An unknown name fails before anything is written. */
	setup();
	cu_strv_free(o.cap_add);
	o.cap_add = sv("CAP_NOPE", NULL, NULL);
	CHECK(build(&o) == -EINVAL);
	CHECK(userdata_empty());
	ctr_opts_clear(&o);
}

TEST(record_gets_the_decisions)
{
	setup();
	struct ctr_opts o = opts();
	im.user = strdup("app");
	im.stop_signal = strdup("SIGQUIT");
	o.tty = o.interactive = o.read_only = true;
	o.group_add = sv("audio", NULL, NULL);
	CHECK(build(&o) == 0);
	CHECK_STREQ(rec->user, "app");
	CHECK_STREQ(rec->stop_signal, "SIGQUIT");
	CHECK_STREQ(rec->network, "none");
	CHECK_STREQ(rec->userns, "host");
	CHECK(rec->tty && rec->stdin_open && rec->read_only && !rec->privileged);
	cleanup_free char *ga = cu_strv_join(rec->group_add, "|");
	CHECK_STREQ(ga, "audio");
	CHECK(json_object_get_boolean(at(spec, "process", "terminal")));
	CHECK(json_object_get_boolean(at(spec, "root", "readonly")));
	o.user = strdup("1000:1000");
	o.stop_signal = strdup("9");
	CHECK(build(&o) == 0);
	CHECK_STREQ(rec->user, "1000:1000");
	CHECK_STREQ(rec->stop_signal, "SIGKILL");
	/* A real-time signal is kept, not turned into SIGTERM. */
	free(o.stop_signal);
	o.stop_signal = strdup("SIGRTMIN+3");
	CHECK(build(&o) == 0);
	CHECK_STREQ(rec->stop_signal, "SIGRTMIN+3");
	CHECK(cu_signal_parse(rec->stop_signal) == SIGRTMIN + 3);
	free(im.stop_signal);
	im.stop_signal = NULL;
	free(o.stop_signal);
	o.stop_signal = NULL;
	CHECK(build(&o) == 0);
	CHECK_STREQ(rec->stop_signal, "SIGTERM");
	ctr_opts_clear(&o);
}

/* "nothing is written on failure" (spec.h), the stop signal included. */
TEST(bad_stop_signal_writes_nothing)
{
	setup();
	struct ctr_opts o = opts();
	o.stop_signal = strdup("SIGNOPE");
	CHECK(build(&o) == -EINVAL);
	CHECK(userdata_empty());
	CHECK(rec->command == NULL && rec->stop_signal == NULL);
	free(o.stop_signal);
	o.stop_signal = NULL;
	im.stop_signal = strdup("99999");
	CHECK(build(&o) == -EINVAL);
	CHECK(userdata_empty());
	ctr_opts_clear(&o);
}

TEST(option_errors_write_nothing)
{
	setup();
	struct ctr_opts o = opts();
	o.userns = strdup("no-such-mode");
	CHECK(build(&o) == -EINVAL);
	free(o.userns);
	o.userns = NULL;
	o.pid_ns = strdup("no-such-mode");
	CHECK(build(&o) == -EINVAL);
	free(o.pid_ns);
	o.pid_ns = NULL;
	o.ulimits = sv("nofile=10:5", NULL, NULL);
	CHECK(build(&o) == -EINVAL);
	cu_strv_free(o.ulimits);
	o.ulimits = NULL;
	o.sysctls = sv("kernel.panic=1", NULL, NULL);
	CHECK(build(&o) == -EINVAL);
	cu_strv_free(o.sysctls);
	o.sysctls = NULL;
	o.annotations = sv("noequals", NULL, NULL);
	CHECK(build(&o) == -EINVAL);
	CHECK(userdata_empty());
	CHECK(rec->command == NULL);
	ctr_opts_clear(&o);
}

/* The built-in seccomp profile, converted for the bounding set, and its cache. */
TEST(default_seccomp_profile_is_applied_and_cached)
{
	setup();
	struct ctr_opts o = opts();
	free(o.seccomp);
	o.seccomp = NULL;
	CHECK(build(&o) == 0);
	json_object *sc = at(spec, "linux", "seccomp");
	CHECK(sc != NULL);
	CHECK(ju_str(sc, "defaultAction") != NULL);
	CHECK(at(sc, "syscalls", NULL) && json_object_array_length(at(sc, "syscalls", NULL)) > 10);
	cleanup_free char *cdir = NULL;
	CHECK(asprintf(&cdir, "%s/containers/.seccomp", storep) > 0);
	DIR *d = opendir(cdir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += strstr(e->d_name, ".json") != NULL;
	if (d)
		closedir(d);
	CHECK(n == 1);
	/* The second build reads the cache and writes the same seccomp object. */
	cleanup_free char *first = strdup(json_object_to_json_string_ext(sc, JSON_C_TO_STRING_PLAIN));
	CHECK(build(&o) == 0);
	sc = at(spec, "linux", "seccomp");
	CHECK_STREQ(json_object_to_json_string_ext(sc, JSON_C_TO_STRING_PLAIN), first);
	/* unconfined: no linux.seccomp at all. */
	o.seccomp = strdup("unconfined");
	CHECK(build(&o) == 0);
	CHECK(at(spec, "linux", "seccomp") == NULL);
	ctr_opts_clear(&o);
}

/* ---- finalize ---- */

static int rootfd = -EBADF;

static void put_root(const char *rel, const char *text)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s", rootfs, rel);
	char *slash = strrchr(path, '/');
	*slash = 0;
	fs_mkdir_p(path, 0755);
	*slash = '/';
	CHECK(fs_write_atomic(path, text, strlen(text), 0644) == 0);
}

static int finalize(unsigned rows, unsigned cols, char **err)
{
	if (rootfd >= 0)
		close(rootfd);
	rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	*err = NULL;
	int r = ctr_spec_finalize(cfgpath, rootfd, rec, rows, cols, err);
	if (spec)
		json_object_put(spec);
	spec = NULL;
	cleanup_free char *d = NULL;
	if (fs_read_file_at(AT_FDCWD, cfgpath, 64u << 20, &d, NULL) == 0)
		spec = json_tokener_parse(d);
	return r;
}

static int64_t user_field(const char *k)
{
	json_object *v = at(at(spec, "process", "user"), k, NULL);
	return v ? json_object_get_int64(v) : -1;
}

TEST(finalize_root_user_keeps_the_caps)
{
	setup();
	put_root("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n");
	put_root("etc/group", "wheel:x:10:root\naudio:x:29:app\n");
	struct ctr_opts o = opts();
	CHECK(build(&o) == 0);
	char *err = NULL;
	CHECK(finalize(0, 0, &err) == 0);
	CHECK(err == NULL);
	CHECK(user_field("uid") == 0 && user_field("gid") == 0);
	CHECK_STREQ(arr(at(at(spec, "process", "user"), "additionalGids", NULL)), "10");
	CHECK_STREQ(env_get("HOME"), "/root");
	cleanup_free char *def = cu_strv_join(cfg.default_capabilities, "|");
	CHECK_STREQ(arr(at(at(spec, "process", "capabilities"), "effective", NULL)), def);
	CHECK(at(spec, "process", "consoleSize") == NULL);
	ctr_opts_clear(&o);
}

TEST(finalize_non_root_user_gets_only_added_caps)
{
	setup();
	put_root("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n");
	put_root("etc/group", "wheel:x:10:root\naudio:x:29:app\nextra:x:30:\n");
	struct ctr_opts o = opts();
	o.user = strdup("app");
	o.cap_add = sv("NET_BIND_SERVICE", NULL, NULL);
	o.group_add = sv("extra", NULL, NULL);
	o.tty = true;
	CHECK(build(&o) == 0);
	char *err = NULL;
	CHECK(finalize(40, 120, &err) == 0);
	CHECK(user_field("uid") == 1000 && user_field("gid") == 1001);
	CHECK_STREQ(arr(at(at(spec, "process", "user"), "additionalGids", NULL)), "29|30");
	CHECK_STREQ(env_get("HOME"), "/home/app");
	json_object *caps = at(spec, "process", "capabilities");
	CHECK_STREQ(arr(at(caps, "effective", NULL)), "CAP_NET_BIND_SERVICE");
	CHECK_STREQ(arr(at(caps, "permitted", NULL)), "CAP_NET_BIND_SERVICE");
	CHECK_STREQ(arr(at(caps, "inheritable", NULL)), "CAP_NET_BIND_SERVICE");
	CHECK_STREQ(arr(at(caps, "ambient", NULL)), "CAP_NET_BIND_SERVICE");
	/* The bounding set stays the container's. */
	CHECK(json_object_array_length(at(caps, "bounding", NULL)) == 11);
	CHECK(json_object_get_int(at(at(spec, "process", "consoleSize"), "height", NULL)) == 40);
	CHECK(json_object_get_int(at(at(spec, "process", "consoleSize"), "width", NULL)) == 120);
	/* Finalizing again (the next start) gives the same, HOME once. */
	CHECK(finalize(40, 120, &err) == 0);
	json_object *env = at(spec, "process", "env");
	int homes = 0;
	for (size_t i = 0; env && i < json_object_array_length(env); i++)
		homes += strncmp(json_object_get_string(json_object_array_get_idx(env, i)), "HOME=", 5) == 0;
	CHECK(homes == 1);
	ctr_opts_clear(&o);
	/* A non-root user with nothing added has no capabilities at all. */
	setup();
	put_root("etc/passwd", "app:x:1000:1001::/home/app:/bin/sh\n");
	o = opts();
	o.user = strdup("1000");
	CHECK(build(&o) == 0);
	CHECK(finalize(0, 0, &err) == 0);
	caps = at(spec, "process", "capabilities");
	CHECK_STREQ(arr(at(caps, "effective", NULL)), "");
	CHECK_STREQ(arr(at(caps, "permitted", NULL)), "");
	CHECK(at(caps, "ambient", NULL) == NULL && at(caps, "inheritable", NULL) == NULL);
	ctr_opts_clear(&o);
}

TEST(finalize_missing_user_is_podmans_error_and_keeps_the_config)
{
	setup();
	put_root("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
	struct ctr_opts o = opts();
	o.user = strdup("ghost");
	CHECK(build(&o) == 0);
	cleanup_free char *before = NULL, *after = NULL;
	CHECK(fs_read_file_at(AT_FDCWD, cfgpath, 64u << 20, &before, NULL) == 0);
	char *err = NULL;
	CHECK(finalize(0, 0, &err) == -ENOENT);
	CHECK_STREQ(err, "unable to find user ghost: no matching entries in passwd file");
	free(err);
	CHECK(fs_read_file_at(AT_FDCWD, cfgpath, 64u << 20, &after, NULL) == 0);
	CHECK_STREQ(before, after);
	ctr_opts_clear(&o);
}

TEST(finalize_home_given_is_kept)
{
	setup();
	put_root("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
	struct ctr_opts o = opts();
	o.env = sv("HOME=/mine", NULL, NULL);
	CHECK(build(&o) == 0);
	char *err = NULL;
	CHECK(finalize(0, 0, &err) == 0);
	CHECK_STREQ(env_get("HOME"), "/mine");
	ctr_opts_clear(&o);
}

/* The working directory is made in root: a symlink in the image pointing at a host path
 * (absolute or with ..) lands inside the root filesystem. */
TEST(finalize_makes_the_workdir_in_root)
{
	setup();
	struct ctr_opts o = opts();
	o.workdir = strdup("/srv/app/data");
	CHECK(build(&o) == 0);
	char *err = NULL;
	CHECK(finalize(0, 0, &err) == 0);
	char p[PATH_MAX * 4];
	struct stat s;
	snprintf(p, sizeof(p), "%s/srv/app/data", rootfs);
	CHECK(stat(p, &s) == 0 && S_ISDIR(s.st_mode));

	setup();
	char outside[PATH_MAX + 32], link[PATH_MAX * 2];
	snprintf(outside, sizeof(outside), "%s/outside", tmp);
	mkdir(outside, 0755);
	snprintf(link, sizeof(link), "%s/abs", rootfs);
	CHECK(symlink(outside, link) == 0);
	snprintf(link, sizeof(link), "%s/rel", rootfs);
	CHECK(symlink("../../../../../../../..", link) == 0);
	free(o.workdir);
	o.workdir = strdup("/abs/made");
	CHECK(build(&o) == 0);
	CHECK(finalize(0, 0, &err) == 0);
	snprintf(p, sizeof(p), "%s/made", outside);
	CHECK(access(p, F_OK) < 0); /* not on the host side */
	snprintf(p, sizeof(p), "%s%s/made", rootfs, outside);
	CHECK(stat(p, &s) == 0 && S_ISDIR(s.st_mode));
	/* /rel climbs to the host's / if followed outside: /rel/TMP/escaped would be
	 * TMP/escaped on the host. */
	free(o.workdir);
	CHECK(asprintf(&o.workdir, "/rel%s/escaped", tmp) > 0);
	CHECK(build(&o) == 0);
	CHECK(finalize(0, 0, &err) == 0);
	snprintf(p, sizeof(p), "%s/escaped", tmp);
	CHECK(access(p, F_OK) < 0);
	snprintf(p, sizeof(p), "%s%s/escaped", rootfs, tmp);
	CHECK(stat(p, &s) == 0 && S_ISDIR(s.st_mode));
	/* A file in the way: an error naming the workdir. */
	put_root("file", "x");
	free(o.workdir);
	o.workdir = strdup("/file/sub");
	CHECK(build(&o) == 0);
	CHECK(finalize(0, 0, &err) == -ENOTDIR);
	CHECK_CONTAINS(err, "workdir /file/sub");
	free(err);
	ctr_opts_clear(&o);
}

TEST(cleanup_scratch)
{
	if (rootfd >= 0)
		close(rootfd);
	if (spec)
		json_object_put(spec);
	spec = NULL;
	ctr_record_free(rec);
	rec = NULL;
	reset_image();
	engine_config_free(&cfg);
	CHECK(fs_rm_rf(tmp) == 0);
}

TAP_MAIN
