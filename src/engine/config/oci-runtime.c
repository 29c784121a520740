/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which OCI runtime binary the engine runs, as containers.conf says (containers-conf.h). */
#include "oci-runtime.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"

#include "containers-conf-internal.h"

static bool is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static int search_path(const char *name, char **ret)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = ENGINE_CONFIG_DEFAULT_PATH;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		char *cand = NULL;
		if (n > 0 && p[0] == '/') {
			if (asprintf(&cand, "%.*s/%s", (int)n, p, name) < 0)
				return -ENOMEM;
			if (is_executable(cand)) {
				*ret = cand;
				return 0;
			}
			free(cand);
		}
		p += n + (p[n] == ':');
	}
	return -ENOENT;
}

static int fail_runtime(char **ret_err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail_runtime(char **ret_err, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	va_start(ap, fmt);
	int k = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (k < 0)
		return -ENOMEM;
	if (ret_err)
		*ret_err = config_escape_controls(msg);
	free(msg);
	return -ENOENT;
}

int engine_config_find_runtime(const struct engine_config *c, const char *name, char **ret, char **ret_err)
{
	char self[PATH_MAX];
	char *path = NULL;
	ssize_t n;

	if (!name)
		name = c->kakuri_runtime ? c->kakuri_runtime : c->runtime ? c->runtime : ENGINE_CONFIG_DEFAULT_RUNTIME;
	if (strchr(name, '/')) {
		if (!is_executable(name))
			return fail_runtime(ret_err, "OCI runtime '%s' is not an executable file", name);
		*ret = strdup(name);
		return *ret ? 0 : -ENOMEM;
	}
	for (size_t i = 0; i < c->n_runtimes; i++) {
		if (!STREQ(c->runtimes[i].name, name))
			continue;
		for (char **p = c->runtimes[i].paths; p && *p; p++)
			if (is_executable(*p)) {
				*ret = strdup(*p);
				return *ret ? 0 : -ENOMEM;
			}
		return fail_runtime(
		    ret_err,
		    "OCI runtime '%s': none of the paths given for it in [engine.runtimes] of %s is executable", name,
		    c->runtimes[i].source ? c->runtimes[i].source : "the configuration");
	}
	if (STREQ(name, ENGINE_CONFIG_DEFAULT_RUNTIME)) {
		if (c->runtime_path) {
			if (!is_executable(c->runtime_path))
				return fail_runtime(ret_err,
						    "[kakuri] runtime_path '%s' (set in %s) is not an executable file",
						    c->runtime_path, engine_config_source(c, "kakuri.runtime_path"));
			*ret = strdup(c->runtime_path);
			return *ret ? 0 : -ENOMEM;
		}
		/* An installed or in-tree kakuri finds the runtime built with it first. */
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n > 0) {
			self[n] = 0;
			char *slash = strrchr(self, '/');
			if (slash &&
			    asprintf(&path, "%.*s/%s", (int)(slash - self), self, ENGINE_CONFIG_DEFAULT_RUNTIME) < 0)
				return -ENOMEM;
			if (path && is_executable(path)) {
				*ret = path;
				return 0;
			}
			free(path);
		}
	}
	int r = search_path(name, ret);
	if (r == -ENOENT)
		return fail_runtime(ret_err, "OCI runtime '%s' not found in [engine.runtimes]%s nor in $PATH", name,
				    STREQ(name, ENGINE_CONFIG_DEFAULT_RUNTIME) ? ", next to the kakuri binary" : "");
	return r;
}
