/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/config/containers-conf: the file list and its precedence (system, .d drop-ins,
 * user, CONTAINERS_CONF, CONTAINERS_CONF_OVERRIDE; rootless vs root), key-by-key overriding,
 * podman's {append = true}, value checks with file:line errors, the built-in defaults, which
 * file set what, and finding the OCI runtime. Every test points the loader at a scratch
 * directory: the host's /etc and ~/.config are never read. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/config/containers-conf.h"
#include "engine/config/oci-runtime.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "tap.h"

static char tmp[PATH_MAX];
static char usr[PATH_MAX + 16], etc[PATH_MAX + 16], user[PATH_MAX + 16];

/* A fresh scratch tree: usr/, etc/, user/ (none of the files exist yet). */
static void setup(void)
{
	if (tmp[0])
		fs_rm_rf(tmp);
	snprintf(tmp, sizeof(tmp), "/tmp/kk-conf-XXXXXX");
	if (!mkdtemp(tmp))
		abort();
	snprintf(usr, sizeof(usr), "%s/usr", tmp);
	snprintf(etc, sizeof(etc), "%s/etc", tmp);
	snprintf(user, sizeof(user), "%s/user", tmp);
	mkdir(usr, 0755);
	mkdir(etc, 0755);
	mkdir(user, 0755);
	unsetenv("CONTAINERS_CONF");
	unsetenv("CONTAINERS_CONF_OVERRIDE");
}

/* Writes tmp/rel (making its directory) and returns the absolute path (static buffer). */
static const char *put(const char *rel, const char *text)
{
	static char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	char *slash = strrchr(path, '/');
	*slash = 0;
	fs_mkdir_p(path, 0755);
	*slash = '/';
	if (fs_write_atomic(path, text, strlen(text), 0644) < 0)
		abort();
	return path;
}

static int load(bool rootless, struct engine_config *c, char **err)
{
	struct engine_config_paths p = {.usr_dir = usr, .etc_dir = etc, .user_dir = user, .rootless = rootless};
	*err = NULL;
	return engine_config_load_from(c, &p, err);
}

static struct engine_config load_ok(bool rootless)
{
	struct engine_config c = {0};
	char *err = NULL;
	int r = load(rootless, &c, &err);
	if (r < 0)
		printf("#   unexpected load error %d: %s\n", r, err ? err : "(none)");
	CHECK(r == 0);
	free(err);
	return c;
}

/* Expects the load to fail with exactly want, where "@" stands for the scratch dir. */
static void load_fails(bool rootless, const char *want)
{
	struct engine_config c = {0};
	char *err = NULL, expect[PATH_MAX * 2];
	const char *at = strchr(want, '@');
	if (at)
		snprintf(expect, sizeof(expect), "%.*s%s%s", (int)(at - want), want, tmp, at + 1);
	else
		snprintf(expect, sizeof(expect), "%s", want);
	CHECK(load(rootless, &c, &err) < 0);
	CHECK_STREQ(err, expect);
	CHECK(c.files == NULL);
	free(err);
}

/* "@" in want stands for the scratch dir. */
static void check_source(const struct engine_config *c, const char *key, const char *want)
{
	char expect[PATH_MAX * 2];
	const char *got = engine_config_source(c, key);
	if (!want) {
		CHECK(got == NULL);
		return;
	}
	snprintf(expect, sizeof(expect), "%s%s", want[0] == '@' ? tmp : "", want + (want[0] == '@'));
	CHECK_STREQ(got, expect);
}

static bool has(char **v, const char *s)
{
	for (; v && *v; v++)
		if (STREQ(*v, s))
			return true;
	return false;
}

static size_t count(char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

static const char *const the_11[] = {
    "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FOWNER",	      "CAP_FSETID",	"CAP_KILL",    "CAP_SETGID",
    "CAP_SETUID", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_SETFCAP",
};

TEST(defaults_without_any_file)
{
	setup();
	struct engine_config c = load_ok(false);
	/* The 11 of SECURITY-NOTES.md, in capability-number order. */
	CHECK(count(c.default_capabilities) == 11);
	for (size_t i = 0; i < ELEMENTSOF(the_11); i++)
		CHECK_STREQ(c.default_capabilities[i], the_11[i]);
	CHECK(c.pids_limit == 2048);
	CHECK(c.seccomp_profile == NULL);
	CHECK_STREQ(c.userns, "host");
	CHECK(c.log_size_max == -1);
	CHECK(!c.no_hosts && !c.init);
	CHECK(c.stop_timeout == 10);
	CHECK_STREQ(c.runtime, "kakuri-runtime");
	CHECK(c.n_runtimes == 0);
	CHECK(c.static_dir == NULL && c.storage_root == NULL && c.storage_driver == NULL && c.runtime_path == NULL);
	CHECK_STREQ(c.tmp_dir, "/run/kakuri-engine");
	CHECK(count(c.env) == 2 && has(c.env, "TERM=xterm"));
	CHECK(count(c.default_sysctls) == 1 && has(c.default_sysctls, "net.ipv4.ping_group_range=0 0"));
	CHECK(c.n_default_ulimits == 0);
	CHECK(count(c.files) == 0);
	CHECK(!c.rootless);
	for (const char *const *k = engine_config_keys; *k; k++)
		CHECK(engine_config_source(&c, *k) == NULL);
	engine_config_free(&c);
	CHECK(c.default_capabilities == NULL);
	engine_config_free(&c); /* twice is fine */
	engine_config_free(NULL);
}

TEST(rootless_tmp_dir_default)
{
	setup();
	setenv("XDG_RUNTIME_DIR", "/run/user/1234", 1);
	struct engine_config c = load_ok(true);
	CHECK(c.rootless);
	CHECK_STREQ(c.tmp_dir, "/run/user/1234/kakuri-engine");
	engine_config_free(&c);
	unsetenv("XDG_RUNTIME_DIR");
	c = load_ok(true);
	CHECK(c.tmp_dir && !strncmp(c.tmp_dir, "/tmp/kakuri-engine-", 19));
	engine_config_free(&c);
}

TEST(precedence_usr_etc_dropins_user_key_by_key)
{
	setup();
	put("usr/containers.conf", "[containers]\npids_limit = 1\nno_hosts = true\nlog_size_max = 10000\n"
				   "[engine]\nstatic_dir = \"/usr-static\"\n");
	put("etc/containers.conf", "[containers]\npids_limit = 2\n[engine]\ntmp_dir = \"/etc-tmp\"\n");
	put("etc/containers.conf.d/50-x.conf", "[containers]\npids_limit = 3\nuserns = \"auto\"\n");
	put("user/containers.conf", "[containers]\npids_limit = 4\n");
	put("user/containers.conf.d/99-mine.conf", "[containers]\npids_limit = 5\ninit = true\n");

	struct engine_config c = load_ok(true);
	CHECK(c.pids_limit == 5);
	CHECK(c.no_hosts);		/* only /usr/share set it */
	CHECK(c.log_size_max == 10000); /* ditto */
	CHECK_STREQ(c.static_dir, "/usr-static");
	CHECK_STREQ(c.tmp_dir, "/etc-tmp");
	CHECK_STREQ(c.userns, "auto");
	CHECK(c.init);
	CHECK(count(c.files) == 5);
	check_source(&c, "containers.pids_limit", "@/user/containers.conf.d/99-mine.conf");
	check_source(&c, "containers.no_hosts", "@/usr/containers.conf");
	check_source(&c, "engine.tmp_dir", "@/etc/containers.conf");
	check_source(&c, "containers.userns", "@/etc/containers.conf.d/50-x.conf");
	check_source(&c, "containers.default_capabilities", NULL);
	check_source(&c, "no.such_key", NULL);
	engine_config_free(&c);

	/* Without the user's files, the drop-in wins. */
	fs_rm_rf(user);
	c = load_ok(true);
	CHECK(c.pids_limit == 3);
	CHECK(count(c.files) == 3);
	engine_config_free(&c);
}

TEST(dropins_sorted_by_name_and_only_regular_conf_files)
{
	setup();
	put("etc/containers.conf.d/2-b.conf", "[containers]\npids_limit = 2\nenv = [\"B=1\"]\n");
	put("etc/containers.conf.d/10-a.conf", "[containers]\npids_limit = 10\nenv = [\"A=1\"]\n");
	put("etc/containers.conf.d/README", "this is not toml\n");
	put("etc/containers.conf.d/3-c.conf.bak", "not = toml = either\n");
	put("etc/containers.conf.d/.conf", "bad toml\n"); /* only the suffix: not a drop-in */
	put("etc/containers.conf.d/dir.conf/x", "");
	char link[PATH_MAX * 2];
	snprintf(link, sizeof(link), "%s/etc/containers.conf.d/0-dangling.conf", tmp);
	CHECK(symlink("/nonexistent/x.conf", link) == 0);
	snprintf(link, sizeof(link), "%s/etc/containers.conf.d/5-link.conf", tmp);
	CHECK(symlink("../linked.toml", link) == 0);
	put("etc/linked.toml", "[containers]\nno_hosts = true\n");

	struct engine_config c = load_ok(false);
	/* Bytewise order: "10-a" < "2-b" < "5-link" (as podman sorts). */
	CHECK(count(c.files) == 3);
	char want[PATH_MAX * 2];
	snprintf(want, sizeof(want), "%s/etc/containers.conf.d/10-a.conf", tmp);
	CHECK_STREQ(c.files[0], want);
	snprintf(want, sizeof(want), "%s/etc/containers.conf.d/2-b.conf", tmp);
	CHECK_STREQ(c.files[1], want);
	CHECK(c.pids_limit == 2);
	CHECK(count(c.env) == 1 && has(c.env, "B=1"));
	CHECK(c.no_hosts);
	engine_config_free(&c);
}

TEST(root_never_reads_user_files)
{
	setup();
	put("user/containers.conf", "[containers]\npids_limit = 99\n");
	put("user/containers.conf.d/a.conf", "[containers]\npids_limit = 98\n");
	struct engine_config c = load_ok(false);
	CHECK(c.pids_limit == 2048);
	CHECK(count(c.files) == 0);
	engine_config_free(&c);
	c = load_ok(true);
	CHECK(c.pids_limit == 98);
	engine_config_free(&c);
}

TEST(user_dir_from_xdg_config_home_then_home)
{
	setup();
	char dir[PATH_MAX * 2];
	put("xdg/containers/containers.conf", "[containers]\npids_limit = 11\n");
	put("home/.config/containers/containers.conf", "[containers]\npids_limit = 22\n");
	struct engine_config_paths p = {.usr_dir = usr, .etc_dir = etc, .rootless = 1};
	struct engine_config c;
	char *err = NULL;
	cleanup_free char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

	snprintf(dir, sizeof(dir), "%s/xdg", tmp);
	setenv("XDG_CONFIG_HOME", dir, 1);
	snprintf(dir, sizeof(dir), "%s/home", tmp);
	setenv("HOME", dir, 1);
	CHECK(engine_config_load_from(&c, &p, &err) == 0);
	CHECK(c.pids_limit == 11);
	engine_config_free(&c);

	/* A relative XDG_CONFIG_HOME is ignored (XDG base directory spec). */
	setenv("XDG_CONFIG_HOME", "relative/dir", 1);
	CHECK(engine_config_load_from(&c, &p, &err) == 0);
	CHECK(c.pids_limit == 22);
	engine_config_free(&c);

	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	CHECK(engine_config_load_from(&c, &p, &err) == 0);
	CHECK(c.pids_limit == 2048);
	engine_config_free(&c);
	if (old_home)
		setenv("HOME", old_home, 1);
}

TEST(containers_conf_replaces_the_whole_list)
{
	setup();
	put("usr/containers.conf", "[containers]\nno_hosts = true\n");
	put("etc/containers.conf", "[containers]\npids_limit = 2\n");
	put("etc/containers.conf.d/a.conf", "[containers]\ninit = true\n");
	put("user/containers.conf", "[containers]\nuserns = \"keep-id\"\n");
	const char *only = put("only.conf", "[containers]\nlog_size_max = 9000\n");
	setenv("CONTAINERS_CONF", only, 1);
	struct engine_config c = load_ok(true);
	CHECK(count(c.files) == 1);
	CHECK_STREQ(c.files[0], only);
	CHECK(c.log_size_max == 9000);
	CHECK(!c.no_hosts && c.pids_limit == 2048 && !c.init);
	CHECK_STREQ(c.userns, "host");
	engine_config_free(&c);

	char missing[PATH_MAX * 2];
	snprintf(missing, sizeof(missing), "%s/missing.conf", tmp);
	setenv("CONTAINERS_CONF", missing, 1);
	load_fails(true, "CONTAINERS_CONF=@/missing.conf: No such file or directory");
	/* Empty means unset. */
	setenv("CONTAINERS_CONF", "", 1);
	c = load_ok(true);
	CHECK(count(c.files) == 4);
	engine_config_free(&c);
}

TEST(containers_conf_override_is_applied_last)
{
	setup();
	put("etc/containers.conf", "[containers]\npids_limit = 2\nno_hosts = true\n");
	put("user/containers.conf", "[containers]\npids_limit = 3\n");
	const char *ov = put("override.conf", "[containers]\npids_limit = 42\n");
	char ovpath[PATH_MAX * 2];
	snprintf(ovpath, sizeof(ovpath), "%s", ov);
	setenv("CONTAINERS_CONF_OVERRIDE", ovpath, 1);
	struct engine_config c = load_ok(true);
	CHECK(c.pids_limit == 42);
	CHECK(c.no_hosts);
	CHECK(count(c.files) == 3);
	CHECK_STREQ(c.files[2], ovpath);
	check_source(&c, "containers.pids_limit", "@/override.conf");
	engine_config_free(&c);

	/* On top of CONTAINERS_CONF as well. */
	const char *only = put("only.conf", "[containers]\npids_limit = 7\ninit = true\n");
	setenv("CONTAINERS_CONF", only, 1);
	c = load_ok(true);
	CHECK(c.pids_limit == 42 && c.init && !c.no_hosts);
	CHECK(count(c.files) == 2);
	engine_config_free(&c);

	snprintf(ovpath, sizeof(ovpath), "%s/nope.conf", tmp);
	setenv("CONTAINERS_CONF_OVERRIDE", ovpath, 1);
	load_fails(true, "CONTAINERS_CONF_OVERRIDE=@/nope.conf: No such file or directory");
}

/* The containers issue's acceptance test relies on this: a user file without SYS_CHROOT
 * removes it from the set, whatever the system files said. */
TEST(removing_sys_chroot_in_a_user_file_removes_it)
{
	setup();
	put("usr/containers.conf",
	    "[containers]\ndefault_capabilities = [\n"
	    "  \"CHOWN\", \"DAC_OVERRIDE\", \"FOWNER\", \"FSETID\", \"KILL\", \"NET_BIND_SERVICE\",\n"
	    "  \"SETFCAP\", \"SETGID\", \"SETPCAP\", \"SETUID\", \"SYS_CHROOT\",\n]\n");
	put("user/containers.conf",
	    "[containers]\ndefault_capabilities = [\n"
	    "  \"CHOWN\", \"DAC_OVERRIDE\", \"FOWNER\", \"FSETID\", \"KILL\", \"NET_BIND_SERVICE\",\n"
	    "  \"SETFCAP\", \"SETGID\", \"SETPCAP\", \"SETUID\",\n]\n");
	struct engine_config c = load_ok(true);
	CHECK(count(c.default_capabilities) == 10);
	CHECK(!has(c.default_capabilities, "CAP_SYS_CHROOT"));
	CHECK(has(c.default_capabilities, "CAP_SETUID"));
	check_source(&c, "containers.default_capabilities", "@/user/containers.conf");
	engine_config_free(&c);

	/* Restoring it brings it back; an empty list means no capabilities at all. */
	put("user/containers.conf", "[containers]\ndefault_capabilities = [\"CAP_SYS_CHROOT\", {append = true}]\n");
	c = load_ok(true);
	CHECK(count(c.default_capabilities) == 11 && has(c.default_capabilities, "CAP_SYS_CHROOT"));
	engine_config_free(&c);
	put("user/containers.conf", "[containers]\ndefault_capabilities = []\n");
	c = load_ok(true);
	CHECK(c.default_capabilities && count(c.default_capabilities) == 0);
	engine_config_free(&c);
}

TEST(capabilities_normalised)
{
	setup();
	put("etc/containers.conf", "[containers]\ndefault_capabilities = [\"kill\", \"CAP_CHOWN\", \"cap_net_raw\", "
				   "\"Chown\", 'SYS_ADMIN']\n");
	struct engine_config c = load_ok(false);
	CHECK(count(c.default_capabilities) == 4);
	CHECK_STREQ(c.default_capabilities[0], "CAP_CHOWN");
	CHECK_STREQ(c.default_capabilities[1], "CAP_KILL");
	CHECK_STREQ(c.default_capabilities[2], "CAP_NET_RAW");
	CHECK_STREQ(c.default_capabilities[3], "CAP_SYS_ADMIN");
	engine_config_free(&c);

	put("etc/containers.conf", "[containers]\n\ndefault_capabilities = [\n  \"CHOWN\",\n  \"CAP_FOO\",\n]\n");
	load_fails(false, "@/etc/containers.conf:3: [containers] default_capabilities: unknown capability 'CAP_FOO'");
	put("etc/containers.conf", "[containers]\ndefault_capabilities = [\"ALL\"]\n");
	load_fails(false, "@/etc/containers.conf:2: [containers] default_capabilities: ALL is not allowed here (use "
			  "--cap-add ALL or --privileged)");
	put("etc/containers.conf", "[containers]\ndefault_capabilities = [\n\"CHOWN\",\n 3]\n");
	load_fails(false, "@/etc/containers.conf:4: [containers] default_capabilities: item 2: expected a string (or "
			  "{append = true}), got an integer");
	put("etc/containers.conf", "[containers]\ndefault_capabilities = \"CHOWN\"\n");
	load_fails(
	    false,
	    "@/etc/containers.conf:2: [containers] default_capabilities: expected an array of strings, got a string");
}

TEST(append_marker_extends_earlier_arrays)
{
	setup();
	put("etc/containers.conf",
	    "[containers]\nenv = [\"A=1\", \"B=2\"]\ndefault_sysctls = [\"net.ipv4.ip_forward=1\"]\n");
	put("etc/containers.conf.d/x.conf", "[containers]\nenv = [{append = true}, \"C=3\", \"A=9\"]\n"
					    "default_capabilities = [\"NET_RAW\", {append=true}]\n"
					    "default_sysctls = [\"kernel.msgmax=65536\", {append = false}]\n");
	struct engine_config c = load_ok(false);
	CHECK(count(c.env) == 3);
	CHECK_STREQ(c.env[0], "B=2");
	CHECK_STREQ(c.env[1], "C=3");
	CHECK_STREQ(c.env[2], "A=9"); /* same name: the later one replaces it */
	CHECK(count(c.default_capabilities) == 12 && has(c.default_capabilities, "CAP_NET_RAW"));
	CHECK(count(c.default_sysctls) == 1 && has(c.default_sysctls, "kernel.msgmax=65536"));
	engine_config_free(&c);

	put("etc/containers.conf.d/x.conf", "[containers]\nenv = [{append = \"yes\"}]\n");
	load_fails(false, "@/etc/containers.conf.d/x.conf:2: [containers] env: item 1: expected a string (or {append = "
			  "true}), got a table");
}

TEST(ulimits)
{
	setup();
	put("etc/containers.conf",
	    "[containers]\ndefault_ulimits = [\n"
	    "  \"nofile=1024:2048\",\n  \"nproc=100\",\n  \"core=-1\",\n  \"RLIMIT_STACK=8192:unlimited\",\n"
	    "  \"nofile=4096:8192\",\n]\n");
	struct engine_config c = load_ok(false);
	CHECK(c.n_default_ulimits == 4);
	if (c.n_default_ulimits == 4) {
		CHECK_STREQ(c.default_ulimits[0].type, "RLIMIT_NOFILE");
		CHECK(c.default_ulimits[0].soft == 4096 && c.default_ulimits[0].hard == 8192);
		CHECK_STREQ(c.default_ulimits[1].type, "RLIMIT_NPROC");
		CHECK(c.default_ulimits[1].soft == 100 && c.default_ulimits[1].hard == 100);
		CHECK_STREQ(c.default_ulimits[2].type, "RLIMIT_CORE");
		CHECK(c.default_ulimits[2].soft == UINT64_MAX && c.default_ulimits[2].hard == UINT64_MAX);
		CHECK_STREQ(c.default_ulimits[3].type, "RLIMIT_STACK");
		CHECK(c.default_ulimits[3].soft == 8192 && c.default_ulimits[3].hard == UINT64_MAX);
	}
	engine_config_free(&c);

	put("etc/containers.conf.d/a.conf", "[containers]\ndefault_ulimits = [\"nofile=10:20\", {append = true}]\n");
	c = load_ok(false);
	CHECK(c.n_default_ulimits == 4);
	CHECK(c.n_default_ulimits && c.default_ulimits[0].soft == 10);
	engine_config_free(&c);

	put("etc/containers.conf.d/a.conf", "[containers]\ndefault_ulimits = [\"nofile=2048:1024\"]\n");
	load_fails(false, "@/etc/containers.conf.d/a.conf:2: [containers] default_ulimits: 'nofile=2048:1024': the "
			  "soft limit is above the hard limit");
	put("etc/containers.conf.d/a.conf", "[containers]\ndefault_ulimits = [\"bogus=1\"]\n");
	load_fails(false,
		   "@/etc/containers.conf.d/a.conf:2: [containers] default_ulimits: 'bogus=1': unknown ulimit 'bogus'");
	put("etc/containers.conf.d/a.conf", "[containers]\ndefault_ulimits = [\"nofile=abc\"]\n");
	load_fails(false, "@/etc/containers.conf.d/a.conf:2: [containers] default_ulimits: 'nofile=abc': limits must "
			  "be numbers or -1 (unlimited)");
	put("etc/containers.conf.d/a.conf", "[containers]\ndefault_ulimits = [\"nofile\"]\n");
	load_fails(false,
		   "@/etc/containers.conf.d/a.conf:2: [containers] default_ulimits: 'nofile' is not name=soft[:hard]");
}

TEST(sysctls_and_env_checked)
{
	setup();
	put("etc/containers.conf",
	    "[containers]\ndefault_sysctls = [\"net.ipv4.ping_group_range=0 1000\", \"kernel.shmmax=1\"]\n"
	    "env = [\"HOME\", \"FOO=a=b\"]\n");
	struct engine_config c = load_ok(false);
	CHECK(count(c.default_sysctls) == 2 && has(c.default_sysctls, "net.ipv4.ping_group_range=0 1000"));
	CHECK(count(c.env) == 2 && has(c.env, "HOME") && has(c.env, "FOO=a=b"));
	engine_config_free(&c);
	put("etc/containers.conf", "[containers]\ndefault_sysctls = [\"net.ipv4.ip_forward\"]\n");
	load_fails(false,
		   "@/etc/containers.conf:2: [containers] default_sysctls: 'net.ipv4.ip_forward' is not name=value");
	put("etc/containers.conf", "[containers]\nenv = [\"=x\"]\n");
	load_fails(false, "@/etc/containers.conf:2: [containers] env: '=x' is not NAME=value");
	/* Messages stay one line whatever the value holds. */
	put("etc/containers.conf", "[containers]\nenv = [\"A\\nB=1\"]\n");
	load_fails(false, "@/etc/containers.conf:2: [containers] env: 'A\\nB=1' is not NAME=value");
	put("etc/containers.conf", "[containers]\ndefault_capabilities = [\"\\u001b[31mred\"]\n");
	load_fails(false,
		   "@/etc/containers.conf:2: [containers] default_capabilities: unknown capability '\\x1b[31mred'");
}

TEST(wrong_types_name_file_line_and_key)
{
	setup();
	put("etc/containers.conf", "[containers]\n# comment\npids_limit = \"2048\"\n");
	load_fails(false, "@/etc/containers.conf:3: [containers] pids_limit: expected an integer, got a string");
	put("etc/containers.conf", "[containers]\nno_hosts = 1\n");
	load_fails(false, "@/etc/containers.conf:2: [containers] no_hosts: expected true or false, got an integer");
	put("etc/containers.conf", "[engine]\nruntime = [\"crun\"]\n");
	load_fails(false, "@/etc/containers.conf:2: [engine] runtime: expected a string, got an array");
	put("etc/containers.conf", "containers = 1\n");
	load_fails(false, "@/etc/containers.conf:1: [containers] must be a table, got an integer");
	put("etc/containers.conf", "[engine]\nruntimes = \"crun\"\n");
	load_fails(false,
		   "@/etc/containers.conf:2: [engine] runtimes: expected a table of name = [paths], got a string");
}

TEST(malformed_toml_names_file_and_line)
{
	setup();
	put("etc/containers.conf", "[containers]\n");
	put("user/containers.conf", "# my settings\n[containers]\npids_limit 2048\n");
	load_fails(true, "@/user/containers.conf:3: expected '=' after key 'pids_limit', got '2'");
	put("user/containers.conf", "[containers]\ndefault_capabilities = [\n  \"CHOWN\"\n  \"KILL\",\n]\n");
	load_fails(
	    true,
	    "@/user/containers.conf:4: expected ',' or ']' in the array for key 'default_capabilities', got '\"'");
	put("user/containers.conf", "[containers]\npids_limit = 1\n[containers]\n");
	load_fails(true, "@/user/containers.conf:3: table [containers] defined twice (first on line 1)");
	/* A malformed file that is not read does not matter. */
	struct engine_config c = load_ok(false);
	engine_config_free(&c);
}

TEST(unknown_keys_and_tables_are_ignored)
{
	setup();
	put("usr/containers.conf", "[containers]\n"
				   "annotations = []\n"
				   "apparmor_profile = \"container-default\"\n"
				   "cgroupns = \"private\"\n"
				   "default_capabilities = [\"CHOWN\"]\n"
				   "devices = []\n"
				   "dns_options = []\n"
				   "shm_size = \"65536k\"\n"
				   "tz = \"\"\n"
				   "umask = \"0022\"\n"
				   "[secrets]\ndriver = \"file\"\n[secrets.opts]\nroot = \"/example/directory\"\n"
				   "[network]\nnetwork_backend = \"\"\ncni_plugin_dirs = [\"/usr/libexec/cni\"]\n"
				   "[engine]\ncgroup_manager = \"systemd\"\nevents_logger = \"journald\"\n"
				   "[engine.runtimes]\ncrun = [\"/usr/bin/crun\", \"/usr/local/bin/crun\"]\n"
				   "runc = [\"/usr/bin/runc\"]\n"
				   "[engine.volume_plugins]\n[service_destinations.production]\nuri = \"ssh://x\"\n"
				   "[machine]\ncpus = 1\nmemory = 2048\n[[whatever]]\nx = 1\n");
	struct engine_config c = load_ok(false);
	CHECK(count(c.default_capabilities) == 1 && has(c.default_capabilities, "CAP_CHOWN"));
	CHECK(c.n_runtimes == 2);
	if (c.n_runtimes == 2) {
		CHECK_STREQ(c.runtimes[0].name, "crun");
		CHECK(count(c.runtimes[0].paths) == 2);
		CHECK_STREQ(c.runtimes[1].paths[0], "/usr/bin/runc");
	}
	engine_config_free(&c);
}

TEST(value_checks_and_empty_string_resets)
{
	setup();
	put("etc/containers.conf", "[containers]\nlog_size_max = 100\n");
	load_fails(false, "@/etc/containers.conf:2: [containers] log_size_max: 100 is too small: use a negative number "
			  "for no limit, or at least 8192");
	put("etc/containers.conf", "[containers]\nuserns = \"bogus:x\"\n");
	load_fails(false, "@/etc/containers.conf:2: [containers] userns: unknown mode 'bogus:x' (host, private, auto, "
			  "keep-id, nomap or ns:PATH)");
	put("etc/containers.conf", "[engine]\nstatic_dir = \"relative/dir\"\n");
	load_fails(false, "@/etc/containers.conf:2: [engine] static_dir: 'relative/dir' is not an absolute path");
	put("etc/containers.conf", "[engine]\nstop_timeout = -1\n");
	load_fails(false, "@/etc/containers.conf:2: [engine] stop_timeout: -1 is negative");
	put("etc/containers.conf", "[kakuri]\nstorage_driver = \"zfs\"\n");
	load_fails(false, "@/etc/containers.conf:2: [kakuri] storage_driver: unknown storage driver 'zfs' (auto, "
			  "overlay, fuse-overlayfs or vfs)");

	put("etc/containers.conf",
	    "[containers]\nseccomp_profile = \"/etc/my-seccomp.json\"\nuserns = \"keep-id:uid=1000\"\n"
	    "[engine]\nruntime = \"crun\"\ntmp_dir = \"/x\"\n");
	put("etc/containers.conf.d/reset.conf",
	    "[containers]\nseccomp_profile = \"\"\nuserns = \"\"\n[engine]\nruntime = \"\"\ntmp_dir = \"\"\n");
	struct engine_config c = load_ok(false);
	CHECK(c.seccomp_profile == NULL);
	CHECK_STREQ(c.userns, "host");
	CHECK_STREQ(c.runtime, "kakuri-runtime");
	CHECK_STREQ(c.tmp_dir, "/run/kakuri-engine");
	check_source(&c, "containers.seccomp_profile", "@/etc/containers.conf.d/reset.conf");
	engine_config_free(&c);

	fs_rm_rf(put("etc/containers.conf.d/reset.conf", ""));
	c = load_ok(false);
	CHECK_STREQ(c.seccomp_profile, "/etc/my-seccomp.json");
	CHECK_STREQ(c.userns, "keep-id:uid=1000");
	engine_config_free(&c);
}

TEST(kakuri_table)
{
	setup();
	put("etc/containers.conf",
	    "[engine]\nruntime = \"crun\"\n"
	    "[kakuri]\nruntime = \"kakuri-runtime\"\nruntime_path = \"/opt/kakuri/bin/kakuri-runtime\"\n"
	    "storage_root = \"/srv/kakuri\"\nstorage_driver = \"vfs\"\nunknown_future_key = 1\n");
	struct engine_config c = load_ok(false);
	CHECK_STREQ(c.runtime, "crun"); /* what podman reads stays as written */
	CHECK_STREQ(c.kakuri_runtime, "kakuri-runtime");
	CHECK_STREQ(c.runtime_path, "/opt/kakuri/bin/kakuri-runtime");
	CHECK_STREQ(c.storage_root, "/srv/kakuri");
	CHECK_STREQ(c.storage_driver, "vfs");
	check_source(&c, "kakuri.storage_root", "@/etc/containers.conf");
	engine_config_free(&c);
}

TEST(runtimes_merge_by_name_across_files)
{
	setup();
	put("etc/containers.conf", "[engine.runtimes]\ncrun = [\"/a/crun\"]\nrunc = [\"/a/runc\"]\n");
	put("etc/containers.conf.d/b.conf", "[engine.runtimes]\ncrun = [\"/b/crun\"]\nyouki = [\"/b/youki\"]\n"
					    "runc = [\"/b/runc\", {append = true}]\n");
	struct engine_config c = load_ok(false);
	CHECK(c.n_runtimes == 3);
	if (c.n_runtimes == 3) {
		CHECK_STREQ(c.runtimes[0].name, "crun");
		CHECK(count(c.runtimes[0].paths) == 1 && STREQ(c.runtimes[0].paths[0], "/b/crun"));
		CHECK_STREQ(c.runtimes[1].name, "runc");
		CHECK(count(c.runtimes[1].paths) == 2 && STREQ(c.runtimes[1].paths[0], "/a/runc") &&
		      STREQ(c.runtimes[1].paths[1], "/b/runc"));
		CHECK_STREQ(c.runtimes[2].name, "youki");
	}
	check_source(&c, "engine.runtimes", "@/etc/containers.conf.d/b.conf");
	engine_config_free(&c);
}

static const char *make_exe(const char *rel)
{
	const char *p = put(rel, "#!/bin/sh\nexit 0\n");
	chmod(p, 0755);
	return p;
}

TEST(find_runtime)
{
	setup();
	char crun[PATH_MAX * 2], bin[PATH_MAX * 2], mine[PATH_MAX * 2];
	cleanup_free char *conf = NULL, *conf2 = NULL;
	snprintf(crun, sizeof(crun), "%s", make_exe("rt/crun"));
	snprintf(mine, sizeof(mine), "%s", make_exe("opt/kakuri-runtime"));
	make_exe("bin/runc");
	put("bin/notexec", "x");
	snprintf(bin, sizeof(bin), "%s/bin", tmp);
	cleanup_free char *old_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	setenv("PATH", bin, 1);

	CHECK(asprintf(&conf,
		       "[engine]\nruntime = \"crun\"\n[engine.runtimes]\ncrun = [\"/nonexistent/crun\", \"%s\"]\n"
		       "broken = [\"/nonexistent/broken\"]\n[kakuri]\nruntime_path = \"%s\"\n",
		       crun, mine) > 0);
	put("etc/containers.conf", conf);
	struct engine_config c = load_ok(false);
	char *path = NULL, *err = NULL;

	CHECK(engine_config_find_runtime(&c, NULL, &path, &err) == 0); /* [engine] runtime = crun */
	CHECK_STREQ(path, crun);
	free(path);
	CHECK(engine_config_find_runtime(&c, "kakuri-runtime", &path, &err) == 0);
	CHECK_STREQ(path, mine);
	free(path);
	CHECK(engine_config_find_runtime(&c, "runc", &path, &err) == 0); /* from $PATH */
	CHECK(path && strstr(path, "/bin/runc"));
	free(path);
	CHECK(engine_config_find_runtime(&c, crun, &path, &err) == 0); /* a path as is */
	CHECK_STREQ(path, crun);
	free(path);

	CHECK(engine_config_find_runtime(&c, "notexec", &path, &err) == -ENOENT);
	CHECK_STREQ(err, "OCI runtime 'notexec' not found in [engine.runtimes] nor in $PATH");
	free(err);
	err = NULL;
	CHECK(engine_config_find_runtime(&c, "/nonexistent/x", &path, &err) == -ENOENT);
	CHECK_STREQ(err, "OCI runtime '/nonexistent/x' is not an executable file");
	free(err);
	err = NULL;
	char want[PATH_MAX * 4];
	snprintf(want, sizeof(want),
		 "OCI runtime 'broken': none of the paths given for it in [engine.runtimes] of %s/etc/containers.conf "
		 "is executable",
		 tmp);
	CHECK(engine_config_find_runtime(&c, "broken", &path, &err) == -ENOENT);
	CHECK_STREQ(err, want);
	free(err);
	err = NULL;
	engine_config_free(&c);

	/* [kakuri] runtime wins over [engine] runtime for kakuri. */
	CHECK(asprintf(&conf2, "[engine]\nruntime = \"crun\"\n[kakuri]\nruntime = \"%s\"\n", mine) > 0);
	put("etc/containers.conf", conf2);
	c = load_ok(false);
	CHECK(engine_config_find_runtime(&c, NULL, &path, &err) == 0);
	CHECK_STREQ(path, mine);
	free(path);
	engine_config_free(&c);

	/* Default: kakuri-runtime next to this executable (not here), then $PATH. */
	fs_rm_rf(put("etc/containers.conf", ""));
	c = load_ok(false);
	CHECK(engine_config_find_runtime(&c, NULL, &path, &err) == -ENOENT);
	CHECK_STREQ(
	    err, "OCI runtime 'kakuri-runtime' not found in [engine.runtimes], next to the kakuri binary nor in $PATH");
	free(err);
	err = NULL;
	make_exe("bin/kakuri-runtime");
	CHECK(engine_config_find_runtime(&c, NULL, &path, &err) == 0);
	CHECK(path && strstr(path, "/bin/kakuri-runtime"));
	free(path);
	engine_config_free(&c);
	if (old_path)
		setenv("PATH", old_path, 1);
}

/* Drop-ins count without their main file, in /etc and in the user's dir. */
TEST(dropins_without_the_main_file)
{
	setup();
	put("etc/containers.conf.d/a.conf", "[containers]\npids_limit = 5\n");
	put("user/containers.conf.d/b.conf", "[containers]\ninit = true\n");
	struct engine_config c = load_ok(true);
	CHECK(c.pids_limit == 5 && c.init);
	CHECK(count(c.files) == 2);
	check_source(&c, "containers.pids_limit", "@/etc/containers.conf.d/a.conf");
	engine_config_free(&c);
	/* The user's drop-ins beat the user's main file and every system file. */
	put("user/containers.conf", "[containers]\ninit = false\npids_limit = 6\n");
	c = load_ok(true);
	CHECK(c.pids_limit == 6 && c.init);
	engine_config_free(&c);
}

/* Errors name the file they are in: a drop-in, or the override, with its line. */
TEST(errors_in_dropins_and_override_name_that_file)
{
	setup();
	put("etc/containers.conf", "[containers]\npids_limit = 1\n");
	put("etc/containers.conf.d/10-ok.conf", "[containers]\n");
	put("etc/containers.conf.d/20-bad.conf", "# x\n\n[containers]\nno_hosts = \"yes\"\n");
	load_fails(
	    false,
	    "@/etc/containers.conf.d/20-bad.conf:4: [containers] no_hosts: expected true or false, got a string");
	fs_rm_rf(etc);
	mkdir(etc, 0755);
	const char *ov = put("override.conf", "[containers]\n\n\npids_limit = = 3\n");
	char ovpath[PATH_MAX * 2];
	snprintf(ovpath, sizeof(ovpath), "%s", ov);
	setenv("CONTAINERS_CONF_OVERRIDE", ovpath, 1);
	struct engine_config c = {0};
	char *err = NULL;
	CHECK(load(false, &c, &err) < 0);
	CHECK(err && strstr(err, "override.conf:4:"));
	free(err);
	/* A directory named by the variable is an error too. */
	snprintf(ovpath, sizeof(ovpath), "%s/etc", tmp);
	setenv("CONTAINERS_CONF_OVERRIDE", ovpath, 1);
	err = NULL;
	CHECK(load(false, &c, &err) < 0);
	CHECK(err && strstr(err, ovpath));
	free(err);
	unsetenv("CONTAINERS_CONF_OVERRIDE");
}

/* Line numbers stay right after multi-line arrays, comments with brackets and quotes, and
 * CRLF line ends. */
TEST(line_numbers_after_multiline_values)
{
	setup();
	put("etc/containers.conf", "[containers]\n"
				   "default_capabilities = [\n"
				   "  \"CHOWN\", # a comment with ] and \"\n"
				   "\n"
				   "  \"KILL\",\n"
				   "]\n"
				   "# [engine] in a comment\n"
				   "pids_limit = \"x\"\n");
	load_fails(false, "@/etc/containers.conf:8: [containers] pids_limit: expected an integer, got a string");
	put("etc/containers.conf", "[containers]\r\nno_hosts = true\r\n\r\npids_limit = true\r\n");
	load_fails(false, "@/etc/containers.conf:4: [containers] pids_limit: expected an integer, got a boolean");
}

TEST(unreadable_or_oversized_files)
{
	setup();
	put("etc/containers.conf/inside", ""); /* a directory where the file should be */
	load_fails(false, "Failed to read @/etc/containers.conf: Is a directory");
	fs_rm_rf(etc);
	mkdir(etc, 0755);
	size_t n = (1u << 20) + 10;
	cleanup_free char *big = malloc(n + 1);
	memset(big, '#', n);
	big[n] = 0;
	put("etc/containers.conf", big);
	load_fails(false, "@/etc/containers.conf: larger than 1024 KiB; not a containers.conf?");
	fs_rm_rf(tmp);
	tmp[0] = 0;
}

TAP_MAIN
