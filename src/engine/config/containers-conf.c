/* SPDX-License-Identifier: GPL-2.0-or-later */
/* containers.conf loading: the file list (podman's order), built-in defaults, and one apply
 * step per known key. Values are validated here, where the file and line are known, so the
 * engine never sees "nofile=abc" or "CAP_FOO" and cannot report them without context. */
#include "containers-conf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/image/idmap.h"
#include "engine/image/rootfs.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/toml.h"
#include "runtime/caps.h"

#include "containers-conf-internal.h"

#define CONF_MAX_SIZE (1u << 20)

/* SECURITY-NOTES.md "Defaults" (and podman's built-in list). */
static const char *const default_caps[] = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FOWNER",  "CAP_FSETID", "CAP_KILL",	      "CAP_NET_BIND_SERVICE",
    "CAP_SETFCAP", "CAP_SETGID",       "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT", NULL,
};
static const char *const default_env[] = {"PATH=" ENGINE_CONFIG_DEFAULT_PATH, "TERM=xterm", NULL};
/* Rootless ping without NET_RAW (SECURITY-NOTES.md); podman's default too. */
static const char *const default_sysctls[] = {"net.ipv4.ping_group_range=0 0", NULL};

/* id, "table.key", kind, field of struct engine_config */
/* clang-format off */
#define KEYS(X)                                                                                                        \
	X(CAPS, "containers.default_capabilities", CONFIG_KIND_CAPS, default_capabilities)                                    \
	X(SYSCTLS, "containers.default_sysctls", CONFIG_KIND_SYSCTLS, default_sysctls)                                        \
	X(ULIMITS, "containers.default_ulimits", CONFIG_KIND_ULIMITS, default_ulimits)                                        \
	X(SECCOMP, "containers.seccomp_profile", CONFIG_KIND_STRING, seccomp_profile)                                         \
	X(ENV, "containers.env", CONFIG_KIND_ENV, env)                                                                        \
	X(NO_HOSTS, "containers.no_hosts", CONFIG_KIND_BOOL, no_hosts)                                                        \
	X(INIT, "containers.init", CONFIG_KIND_BOOL, init)                                                                    \
	X(PIDS_LIMIT, "containers.pids_limit", CONFIG_KIND_INT, pids_limit)                                                   \
	X(USERNS, "containers.userns", CONFIG_KIND_USERNS, userns)                                                            \
	X(LOG_SIZE_MAX, "containers.log_size_max", CONFIG_KIND_LOG_SIZE, log_size_max)                                        \
	X(NETNS, "containers.netns", CONFIG_KIND_STRING, netns)                                                               \
	X(ROOTLESS_NET_CMD, "network.default_rootless_network_cmd", CONFIG_KIND_STRING, rootless_network_cmd)                 \
	X(RUNTIME, "engine.runtime", CONFIG_KIND_STRING, runtime)                                                             \
	X(RUNTIMES, "engine.runtimes", CONFIG_KIND_RUNTIMES, runtimes)                                                        \
	X(STATIC_DIR, "engine.static_dir", CONFIG_KIND_PATH, static_dir)                                                      \
	X(TMP_DIR, "engine.tmp_dir", CONFIG_KIND_PATH, tmp_dir)                                                               \
	X(STOP_TIMEOUT, "engine.stop_timeout", CONFIG_KIND_TIMEOUT, stop_timeout)                                             \
	X(KAKURI_RUNTIME, "kakuri.runtime", CONFIG_KIND_STRING, kakuri_runtime)                                               \
	X(RUNTIME_PATH, "kakuri.runtime_path", CONFIG_KIND_PATH, runtime_path)                                                \
	X(STORAGE_ROOT, "kakuri.storage_root", CONFIG_KIND_PATH, storage_root)                                                \
	X(STORAGE_DRIVER, "kakuri.storage_driver", CONFIG_KIND_DRIVER, storage_driver)

enum key_id {
#define X(id, name, kind, field) KEY_##id,
	KEYS(X)
#undef X
	N_KEYS
};

static const struct config_key_spec specs[N_KEYS] = {
#define X(id, name, kind, field) [KEY_##id] = { name, kind, offsetof(struct engine_config, field) },
	KEYS(X)
#undef X
};

const char *const engine_config_keys[] = {
#define X(id, name, kind, field) name,
	KEYS(X)
#undef X
	NULL
};
/* clang-format on */

/* ---- scalars ---- */

static char *default_tmp_dir(bool rootless)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char *s = NULL;
	if (!rootless)
		return strdup("/run/kakuri-engine");
	if (xdg && xdg[0] == '/') {
		if (asprintf(&s, "%s/kakuri-engine", xdg) < 0)
			return NULL;
	} else if (asprintf(&s, "/tmp/kakuri-engine-%u", (unsigned)idmap_user_uid()) < 0) {
		return NULL;
	}
	return s;
}

/* The built-in value of a string key: NULL for most, computed for a few. */
static int string_default(const struct engine_config *c, enum key_id id, char **ret)
{
	char *s = NULL;
	switch (id) {
	case KEY_RUNTIME:
		s = strdup(ENGINE_CONFIG_DEFAULT_RUNTIME);
		break;
	case KEY_USERNS:
		s = strdup("host");
		break;
	case KEY_TMP_DIR:
		s = default_tmp_dir(c->rootless);
		break;
	default:
		*ret = NULL;
		return 0;
	}
	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}

static int apply_string(struct config_loader *l, enum key_id id, const struct toml_value *v)
{
	const struct config_key_spec *k = &specs[id];
	char **field = (char **)((char *)l->c + k->offset);
	const char *s;
	char *copy;
	int r;

	if (toml_string(v, &s) < 0)
		return config_bad_type(l, k, v, "a string");
	if (!*s) {
		if ((r = string_default(l->c, id, &copy)) < 0)
			return r;
	} else {
		if (k->kind == CONFIG_KIND_PATH && s[0] != '/')
			return config_bad(l, k, toml_line(v), "'%s' is not an absolute path", s);
		if (k->kind == CONFIG_KIND_USERNS) {
			static const char *const modes[] = {"host", "private", "auto", "keep-id", "nomap", "ns"};
			size_t n = strcspn(s, ":");
			bool ok = false;
			for (size_t i = 0; i < ELEMENTSOF(modes); i++)
				ok |= strlen(modes[i]) == n && !strncmp(s, modes[i], n);
			if (!ok)
				return config_bad(l, k, toml_line(v),
						  "unknown mode '%s' (host, private, auto, keep-id, nomap or ns:PATH)",
						  s);
		}
		if (k->kind == CONFIG_KIND_DRIVER) {
			enum rootfs_driver d;
			if (rootfs_driver_parse(s, &d) < 0)
				return config_bad(l, k, toml_line(v),
						  "unknown storage driver '%s' (auto, overlay, fuse-overlayfs or vfs)",
						  s);
		}
		if (!(copy = strdup(s)))
			return -ENOMEM;
	}
	free(*field);
	*field = copy;
	return 0;
}

static int apply_int(struct config_loader *l, const struct config_key_spec *k, const struct toml_value *v)
{
	int64_t *field = (int64_t *)(void *)((char *)l->c + k->offset), i;
	if (toml_int(v, &i) < 0)
		return config_bad_type(l, k, v, "an integer");
	if (k->kind == CONFIG_KIND_TIMEOUT && i < 0)
		return config_bad(l, k, toml_line(v), "%lld is negative", (long long)i);
	/* conmon's read buffer: podman refuses smaller positive limits as well. */
	if (k->kind == CONFIG_KIND_LOG_SIZE && i >= 0 && i < 8192)
		return config_bad(l, k, toml_line(v),
				  "%lld is too small: use a negative number for no limit, or at least 8192",
				  (long long)i);
	*field = i;
	return 0;
}

static int apply_bool(struct config_loader *l, const struct config_key_spec *k, const struct toml_value *v)
{
	bool *field = (bool *)((char *)l->c + k->offset);
	if (toml_bool(v, field) < 0)
		return config_bad_type(l, k, v, "true or false");
	return 0;
}

static int apply_key(struct config_loader *l, enum key_id id, const struct toml_value *v)
{
	const struct config_key_spec *k = &specs[id];
	switch (k->kind) {
	case CONFIG_KIND_CAPS:
		return config_apply_caps(l, k, v);
	case CONFIG_KIND_SYSCTLS:
	case CONFIG_KIND_ENV:
		return config_apply_named_list(l, k, v);
	case CONFIG_KIND_ULIMITS:
		return config_apply_ulimits(l, k, v);
	case CONFIG_KIND_STRING:
	case CONFIG_KIND_PATH:
	case CONFIG_KIND_USERNS:
	case CONFIG_KIND_DRIVER:
		return apply_string(l, id, v);
	case CONFIG_KIND_BOOL:
		return apply_bool(l, k, v);
	case CONFIG_KIND_INT:
	case CONFIG_KIND_TIMEOUT:
	case CONFIG_KIND_LOG_SIZE:
		return apply_int(l, k, v);
	case CONFIG_KIND_RUNTIMES:
		return config_apply_runtimes(l, k, v);
	}
	return -EINVAL;
}

/* ---- files ---- */

static int apply_doc(struct config_loader *l, const struct toml_doc *doc)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		const char *dot = strchr(specs[i].name, '.');
		char table[16];
		snprintf(table, sizeof(table), "%.*s", (int)(dot - specs[i].name), specs[i].name);
		const struct toml_value *t = toml_get(toml_root(doc), table), *v;
		if (!t)
			continue;
		if (toml_type(t) != TOML_TABLE) {
			if (asprintf(&l->err, "%s:%u: [%s] must be a table, got %s %s", l->file, toml_line(t), table,
				     config_article(toml_type(t)), toml_type_name(toml_type(t))) < 0) {
				l->err = NULL;
				return -ENOMEM;
			}
			return -EINVAL;
		}
		if (!(v = toml_get(t, dot + 1)))
			continue;
		int r = apply_key(l, (enum key_id)i, v);
		if (r < 0)
			return r;
		l->c->source_[i] = l->file;
	}
	return 0;
}

/* Reads and applies one file. A missing file is skipped unless env names the variable that
 * asked for it. */
static int load_file(struct config_loader *l, const char *path, const char *env)
{
	cleanup_free char *text = NULL;
	struct toml_doc *doc = NULL;
	size_t len = 0;
	int r;

	r = fs_read_file_at(AT_FDCWD, path, CONF_MAX_SIZE, &text, &len);
	if ((r == -ENOENT || r == -ENOTDIR) && !env)
		return 0;
	if (r == -EFBIG)
		r = asprintf(&l->err, "%s: larger than %u KiB; not a containers.conf?", path, CONF_MAX_SIZE >> 10);
	else if (r < 0 && env)
		r = asprintf(&l->err, "%s=%s: %s", env, path, strerror(-r));
	else if (r < 0)
		r = asprintf(&l->err, "Failed to read %s: %s", path, strerror(-r));
	else
		goto parse;
	if (r < 0) {
		l->err = NULL;
		return -ENOMEM;
	}
	return -EINVAL;
parse:
	if ((r = config_strv_push(&l->c->files, strdup(path))) < 0)
		return r;
	l->file = l->c->files[config_strv_len(l->c->files) - 1];
	log_debug("Reading %s", path);
	if ((r = toml_parse_buf(text, len, path, &doc, &l->err)) < 0)
		return r;
	r = apply_doc(l, doc);
	toml_free(doc);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* dir/containers.conf.d/NAME.conf, sorted by name (bytewise, as podman's Go sort does). */
static int load_dropins(struct config_loader *l, const char *base)
{
	cleanup_free char *dir = NULL;
	cleanup_strv char **names = calloc(1, sizeof(char *));
	DIR *d;
	int r = 0;

	if (!names || asprintf(&dir, "%s.d", base) < 0)
		return -ENOMEM;
	if (!(d = opendir(dir))) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		r = -errno;
		if (asprintf(&l->err, "Failed to open %s: %s", dir, strerror(-r)) < 0)
			return -ENOMEM;
		return -EINVAL;
	}
	for (struct dirent *e; (e = readdir(d));) {
		size_t n = strlen(e->d_name);
		struct stat st;
		if (n <= 5 || strcmp(e->d_name + n - 5, ".conf") != 0)
			continue;
		/* Regular files, also through symlinks; a dangling link or a directory is skipped. */
		if (fstatat(dirfd(d), e->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
			continue;
		if ((r = config_strv_push(&names, strdup(e->d_name))) < 0)
			break;
	}
	closedir(d);
	if (r < 0)
		return r;
	qsort(names, config_strv_len(names), sizeof(char *), cmp_str);
	for (char **n = names; *n; n++) {
		cleanup_free char *path = NULL;
		if (asprintf(&path, "%s/%s", dir, *n) < 0)
			return -ENOMEM;
		if ((r = load_file(l, path, NULL)) < 0)
			return r;
	}
	return 0;
}

static int load_conf_and_dropins(struct config_loader *l, const char *dir)
{
	cleanup_free char *path = NULL;
	int r;
	if (asprintf(&path, "%s/containers.conf", dir) < 0)
		return -ENOMEM;
	if ((r = load_file(l, path, NULL)) < 0)
		return r;
	return load_dropins(l, path);
}

static int user_config_dir(char **ret)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int k;
	/* The XDG base directory spec: relative values are to be ignored. */
	if (xdg && xdg[0] == '/')
		k = asprintf(ret, "%s/containers", xdg);
	else if (home && home[0] == '/')
		k = asprintf(ret, "%s/.config/containers", home);
	else {
		*ret = NULL;
		return 0;
	}
	return k < 0 ? -ENOMEM : 0;
}

/* ---- the API ---- */

void engine_config_free(struct engine_config *c)
{
	if (!c)
		return;
	config_strv_free(c->default_capabilities);
	config_strv_free(c->default_sysctls);
	config_ulimits_free(c->default_ulimits, c->n_default_ulimits);
	free(c->seccomp_profile);
	config_strv_free(c->env);
	free(c->userns);
	free(c->netns);
	free(c->rootless_network_cmd);
	free(c->runtime);
	for (size_t i = 0; i < c->n_runtimes; i++) {
		free(c->runtimes[i].name);
		config_strv_free(c->runtimes[i].paths);
	}
	free(c->runtimes);
	free(c->static_dir);
	free(c->tmp_dir);
	free(c->kakuri_runtime);
	free(c->runtime_path);
	free(c->storage_root);
	free(c->storage_driver);
	config_strv_free(c->files);
	free(c->source_);
	*c = (struct engine_config){0};
}

int engine_config_defaults(struct engine_config *ret, bool rootless)
{
	struct engine_config c = {
	    .rootless = rootless,
	    .pids_limit = 2048,
	    .log_size_max = -1,
	    .stop_timeout = 10,
	};
	uint64_t mask = 0;
	int r;

	for (const char *const *n = default_caps; *n; n++)
		mask |= 1ull << caps_from_name(*n);
	if (!(c.source_ = calloc(N_KEYS, sizeof(*c.source_))) || !(c.files = calloc(1, sizeof(char *))) ||
	    (r = config_caps_from_mask(mask, &c.default_capabilities)) < 0 ||
	    (r = config_strv_copy(default_sysctls, &c.default_sysctls)) < 0 ||
	    (r = config_strv_copy(default_env, &c.env)) < 0 || (r = string_default(&c, KEY_RUNTIME, &c.runtime)) < 0 ||
	    (r = string_default(&c, KEY_USERNS, &c.userns)) < 0 ||
	    (r = string_default(&c, KEY_TMP_DIR, &c.tmp_dir)) < 0) {
		engine_config_free(&c);
		return -ENOMEM;
	}
	*ret = c;
	return 0;
}

int engine_config_load_from(struct engine_config *ret, const struct engine_config_paths *paths, char **ret_err)
{
	const struct engine_config_paths none = {.rootless = -1};
	const char *conf = getenv("CONTAINERS_CONF"), *override = getenv("CONTAINERS_CONF_OVERRIDE");
	struct engine_config c;
	struct config_loader l = {.c = &c};
	bool rootless;
	int r;

	if (!paths)
		paths = &none;
	rootless = paths->rootless < 0 ? idmap_rootless() : paths->rootless > 0;
	if ((r = engine_config_defaults(&c, rootless)) < 0)
		return r;

	if (conf && *conf) {
		r = load_file(&l, conf, "CONTAINERS_CONF");
	} else {
		/* /usr/share has no .d directory in podman's list (containers-common 0.50). */
		cleanup_free char *usr = NULL;
		if (asprintf(&usr, "%s/containers.conf", paths->usr_dir ? paths->usr_dir : "/usr/share/containers") < 0)
			r = -ENOMEM;
		else
			r = load_file(&l, usr, NULL);
		if (r >= 0)
			r = load_conf_and_dropins(&l, paths->etc_dir ? paths->etc_dir : "/etc/containers");
		if (r >= 0 && rootless) {
			cleanup_free char *user = NULL;
			if (paths->user_dir)
				r = (user = strdup(paths->user_dir)) ? 0 : -ENOMEM;
			else
				r = user_config_dir(&user);
			if (r >= 0 && user)
				r = load_conf_and_dropins(&l, user);
			else if (r >= 0)
				log_debug("Neither XDG_CONFIG_HOME nor HOME is set: no user containers.conf");
		}
	}
	if (r >= 0 && override && *override)
		r = load_file(&l, override, "CONTAINERS_CONF_OVERRIDE");
	if (r < 0) {
		if (ret_err && l.err)
			*ret_err = config_escape_controls(l.err);
		free(l.err);
		engine_config_free(&c);
		return r == -ENOMEM ? r : -EINVAL;
	}
	*ret = c;
	return 0;
}

int engine_config_load(struct engine_config *ret, char **ret_err)
{
	return engine_config_load_from(ret, NULL, ret_err);
}

const char *engine_config_source(const struct engine_config *c, const char *key)
{
	for (size_t i = 0; i < N_KEYS && key; i++)
		if (STREQ(specs[i].name, key))
			return c->source_ ? c->source_[i] : NULL;
	return NULL;
}
