/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri login [-u USER] [-p PASS | --password-stdin] [--authfile F] [--tls-verify=false] REGISTRY
 * kakuri logout [--authfile F] REGISTRY
 * Credentials are checked against the registry before they are stored (auth.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/engine/cli.h"
#include "engine/image/auth.h"
#include "engine/image/registry.h"
#include "lib/cleanup.h"
#include "lib/log.h"

/* "https://host/path/" → "host/path" */
static char *registry_key(const char *arg)
{
	if (strncmp(arg, "https://", 8) == 0)
		arg += 8;
	else if (strncmp(arg, "http://", 7) == 0)
		arg += 7;
	char *k = strdup(arg);
	if (!k)
		return NULL;
	size_t n = strlen(k);
	while (n > 0 && k[n - 1] == '/')
		k[--n] = 0;
	return k;
}

int verb_login(int argc, char **argv)
{
	struct registry_opts o = {.tls_verify = true};
	const char *reg = NULL, *v;
	bool from_stdin = false;
	char pwbuf[4096];
	for (int i = 1; i < argc; i++) {
		if (STREQ(argv[i], "-u") || cli_opt(argc, argv, &i, "username", &v)) {
			if (STREQ(argv[i], "-u"))
				v = i + 1 < argc ? argv[++i] : NULL;
			o.username = v;
		} else if (STREQ(argv[i], "-p") || cli_opt(argc, argv, &i, "password", &v)) {
			if (STREQ(argv[i], "-p"))
				v = i + 1 < argc ? argv[++i] : NULL;
			o.password = v;
		} else if (cli_flag(argv[i], "password-stdin")) {
			from_stdin = true;
		} else if (cli_opt(argc, argv, &i, "authfile", &v)) {
			o.authfile = v;
		} else if (cli_bool_opt(argc, argv, &i, "tls-verify", &o.tls_verify)) {
		} else if (STREQ(argv[i], "-h") || cli_flag(argv[i], "help")) {
			printf("usage: kakuri login -u USER (-p PASSWORD | --password-stdin) [--authfile FILE] "
			       "[--tls-verify=false] REGISTRY\n");
			return 0;
		} else if (argv[i][0] == '-') {
			return cli_usage_error("login", "unknown option '%s'", argv[i]);
		} else {
			reg = argv[i];
		}
	}
	if (!reg)
		return cli_usage_error("login", "no registry given");
	if (from_stdin) {
		if (!fgets(pwbuf, sizeof(pwbuf), stdin))
			return cli_usage_error("login", "no password on standard input");
		pwbuf[strcspn(pwbuf, "\r\n")] = 0;
		o.password = pwbuf;
	}
	if (!o.username || !o.password)
		return cli_usage_error("login", "give a username (-u) and a password (-p or --password-stdin)");
	cleanup_free char *key = registry_key(reg), *file = NULL;
	if (!key)
		return EXIT_ENGINE;
	/* The registry host is the part before the first '/'. */
	cleanup_free char *host = strndup(key, strcspn(key, "/"));
	struct registry *r = NULL;
	if (!host || registry_open(host, NULL, &o, &r) < 0)
		return EXIT_ENGINE;
	registry_free(r);
	if (auth_default_file(o.authfile, &file) < 0 || auth_store(file, key, o.username, o.password) < 0)
		return EXIT_ENGINE;
	explicit_bzero(pwbuf, sizeof(pwbuf));
	printf("Login Succeeded!\n");
	return 0;
}

int verb_logout(int argc, char **argv)
{
	const char *reg = NULL, *authfile = NULL, *v;
	for (int i = 1; i < argc; i++) {
		if (cli_opt(argc, argv, &i, "authfile", &v)) {
			authfile = v;
		} else if (STREQ(argv[i], "-h") || cli_flag(argv[i], "help")) {
			printf("usage: kakuri logout [--authfile FILE] REGISTRY\n");
			return 0;
		} else if (argv[i][0] == '-') {
			return cli_usage_error("logout", "unknown option '%s'", argv[i]);
		} else {
			reg = argv[i];
		}
	}
	if (!reg)
		return cli_usage_error("logout", "no registry given");
	cleanup_free char *key = registry_key(reg), *file = NULL;
	if (!key || auth_default_file(authfile, &file) < 0)
		return EXIT_ENGINE;
	int r = auth_store(file, key, NULL, NULL);
	if (r == -ENOENT) {
		log_error("Not logged into %s (%s has no credentials for it)", key, file);
		return EXIT_ENGINE;
	}
	if (r < 0)
		return EXIT_ENGINE;
	printf("Removed login credentials for %s\n", key);
	return 0;
}
