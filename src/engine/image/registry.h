/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A client for the OCI distribution API (libcurl): /v2/ ping, authentication (anonymous,
 * Bearer tokens from the WWW-Authenticate challenge, Basic), manifests and small blobs
 * (verified by digest here), and easy handles for streamed blob downloads (pull.c drives
 * them with curl multi).
 *
 * TLS is verified unless tls_verify is false; then https is tried without verification
 * and, if that cannot connect, plain http (as podman does for an "insecure" registry).
 * Redirects (blob storage) are followed within http(s), at most 5, and the Authorization
 * header is never sent to a host other than the registry. */
#pragma once

#include "engine/image/curl-dl.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/image/auth.h"
#include "engine/image/digest.h"

struct registry_opts {
	bool tls_verify;
	const char *authfile;		 /* NULL: the standard credential files */
	const char *username, *password; /* explicit credentials (login), override files */
};

struct registry {
	char *registry;	  /* as named in references ("docker.io") */
	char *host;	  /* API host ("registry-1.docker.io") */
	char *repository; /* for the token scope */
	bool tls_verify;
	const char *scheme; /* "https" or "http", decided by the ping */
	char *user, *pass;
	char *authorization; /* "Authorization: …" header, or NULL (anonymous) */
	struct auth_challenge challenge;
	bool have_challenge;
	struct curl_slist *headers; /* shared by requests: Authorization when set */
	/* Header lists replaced by a re-authentication while blob handles may still use them;
	 * freed with the registry. */
	struct curl_slist **retired;
	size_t n_retired;
};

/* Pings the registry and authenticates for pulling repository (NULL: just the registry,
 * for login). Errors are logged with the registry's name. */
int registry_open(const char *registry, const char *repository, const struct registry_opts *o, struct registry **ret);
void registry_free(struct registry *r);

/* GET /v2/REPO/manifests/REF (a tag or a digest). A digest reference is verified. Returns
 * the body (NUL-terminated, ≤ 4 MiB), its Content-Type and its digest. -ENOENT if unknown. */
int registry_get_manifest(struct registry *r, const char *ref, char **ret_body, size_t *ret_len, char **ret_type,
			  char ret_digest[DIGEST_STRING_SIZE]);
/* GET a small blob (a config) into memory, verified against digest. */
int registry_get_blob(struct registry *r, const char *digest, size_t max, char **ret, size_t *ret_len);
/* An easy handle for GET /v2/REPO/blobs/DIGEST with authentication and TLS set up, asking
 * for the bytes from offset on (Range: bytes=OFFSET-) when offset > 0; the caller sets
 * CURLOPT_WRITEFUNCTION/WRITEDATA (and may set a header callback) and owns the handle.
 * Handles made before a registry_reauthenticate() stay valid. */
CURL *registry_blob_handle(struct registry *r, const char *digest, uint64_t offset);
/* Should a blob request that answered status (with WWW-Authenticate www_auth, NULL if none)
 * be retried with a fresh token? Once per blob (retries: how often it already was): a
 * token can expire during a long pull, or a blob may be served for another scope. */
bool registry_blob_should_reauth(long status, const char *www_auth, unsigned retries);
/* Takes the challenge www_auth and gets new credentials for its scope (a Bearer token), as
 * a 401 on a manifest request does. Errors are logged. */
int registry_reauthenticate(struct registry *r, const char *www_auth);
/* Describes a finished blob transfer's failure (HTTP status, curl error) into buf. */
void registry_describe_failure(CURL *h, CURLcode code, const char *digest, char *buf, size_t len);

/* Global libcurl set-up, once per process. */
int registry_global_init(void);
