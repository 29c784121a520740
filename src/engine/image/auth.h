/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Registry credentials and HTTP authentication challenges.
 *
 * WWW-Authenticate (RFC 7235): one or more challenges "Scheme k=v, k="quoted", ...";
 * registries send "Bearer realm=…,service=…,scope=…" (token flow) or "Basic realm=…".
 *
 * Credentials files (the containers-auth.json(5) format, shared with podman and docker):
 * {"auths": {"KEY": {"auth": base64("user:password")}}}, where KEY is a registry host,
 * optionally followed by a repository path ("quay.io/org") for per-namespace credentials,
 * or a legacy URL ("https://index.docker.io/v1/"). Read in this order (first match wins):
 * $REGISTRY_AUTH_FILE, ${XDG_RUNTIME_DIR}/containers/auth.json (root:
 * /run/containers/0/auth.json), ~/.config/containers/auth.json, ~/.docker/config.json.
 * `kakuri login` writes to the first of these (or --authfile). Credential helpers
 * ("credsStore") are not run. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct auth_challenge {
	char *scheme; /* lower-cased: "bearer", "basic", … */
	char *realm, *service, *scope;
};

/* Parses a WWW-Authenticate value into at most max challenges; returns how many, or
 * -EINVAL. Each must be cleared with auth_challenge_clear(). */
int auth_parse_challenges(const char *header, struct auth_challenge *ret, size_t max);
void auth_challenge_clear(struct auth_challenge *c);

/* base64 (RFC 4648, with padding). encode: caller frees. decode: NUL-terminated, rejects
 * bad characters; *ret_len optional. */
char *auth_base64_encode(const void *data, size_t len);
int auth_base64_decode(const char *s, char **ret, size_t *ret_len);

/* Looks up credentials for registry (and repository, for namespace-specific keys) in a
 * credentials file's text. Returns 1 with user and password in *ret_user and *ret_pass
 * (caller frees), 0 if the
 * file has none for it, -EINVAL if the file is malformed (*ret_err, caller frees). */
int auth_lookup_in(const char *json, size_t len, const char *registry, const char *repository, char **ret_user,
		   char **ret_pass, char **ret_err);
/* Looks through the standard files (above); authfile overrides them all when non-NULL.
 * A malformed file is an error naming it. */
int auth_lookup(const char *authfile, const char *registry, const char *repository, char **ret_user, char **ret_pass);
/* The file `login` writes to (caller frees). */
int auth_default_file(const char *authfile, char **ret);
/* Sets (user non-NULL) or removes (user NULL) the credentials for key in the file,
 * keeping everything else in it; the file is replaced atomically, mode 0600. Returns 0,
 * or -ENOENT when removing a key that is not there. */
int auth_store(const char *path, const char *key, const char *user, const char *pass);
