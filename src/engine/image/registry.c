/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "registry.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/image/manifest.h"
#include "engine/image/reference.h"
#include "lib/cleanup.h"
#include "lib/log.h"

#define MANIFEST_MAX (4u << 20)
#define TOKEN_MAX    (1u << 20)
#define USER_AGENT   "kakuri/" KAKURI_VERSION

struct membuf {
	char *data;
	size_t len, cap, max;
	bool too_big;
	char *content_type;
	char *www_auth;
};

static void membuf_clear(struct membuf *m)
{
	free(m->data);
	free(m->content_type);
	free(m->www_auth);
	*m = (struct membuf){0};
}

int registry_global_init(void)
{
	static bool done;
	int r = curl_dl_load();
	if (r < 0)
		return r;
	if (!done && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return log_error_errno(-ENOMEM, "Failed to initialise libcurl");
	done = true;
	return 0;
}

static size_t mem_write(char *ptr, size_t size, size_t n, void *ud)
{
	struct membuf *m = ud;
	size_t len = size * n;
	if (m->len + len > m->max) {
		m->too_big = true;
		return 0; /* aborts the transfer */
	}
	if (m->len + len + 1 > m->cap) {
		size_t nc = (m->len + len + 1) * 2;
		if (nc > m->max + 1)
			nc = m->max + 1;
		char *nd = realloc(m->data, nc);
		if (!nd)
			return 0;
		m->data = nd;
		m->cap = nc;
	}
	memcpy(m->data + m->len, ptr, len);
	m->len += len;
	m->data[m->len] = 0;
	return len;
}

/* Captures Content-Type and WWW-Authenticate of the final response. */
static size_t header_cb(char *buf, size_t size, size_t n, void *ud)
{
	struct membuf *m = ud;
	size_t len = size * n;
	char **dst = NULL;
	size_t skip = 0;
	if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		/* a new response (after a redirect or 100-continue): forget the old headers */
		free(m->content_type);
		free(m->www_auth);
		m->content_type = m->www_auth = NULL;
	} else if (len > 13 && strncasecmp(buf, "content-type:", 13) == 0) {
		dst = &m->content_type;
		skip = 13;
	} else if (len > 17 && strncasecmp(buf, "www-authenticate:", 17) == 0) {
		dst = &m->www_auth;
		skip = 17;
	}
	if (dst) {
		const char *v = buf + skip;
		size_t vl = len - skip;
		while (vl > 0 && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
			vl--;
		free(*dst);
		*dst = strndup(v, vl);
	}
	return len;
}

static void setup_easy(struct registry *r, CURL *h, const char *url, bool with_auth)
{
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Never downgrade a TLS registry's redirects to plain http. */
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, STREQ(r->scheme, "https") ? "https" : "http,https");
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, r->tls_verify ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, r->tls_verify ? 2L : 0L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	/* Custom headers (Authorization) go only to the original host on redirects: that is
	 * libcurl's default (CURLOPT_UNRESTRICTED_AUTH off), stated here on purpose. */
	curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
	if (with_auth && r->headers)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->headers);
}

/* GET url into m (at most max bytes). Returns 0 with *ret_status, or -EIO with the curl
 * error in *ret_code. */
static int http_get(struct registry *r, const char *url, const char *accept, bool with_auth, struct curl_slist *extra,
		    size_t max, struct membuf *m, long *ret_status, CURLcode *ret_code)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	if (!h)
		return -ENOMEM;
	setup_easy(r, h, url, with_auth);
	if (with_auth && r->authorization)
		hdrs = curl_slist_append(hdrs, r->authorization);
	if (accept) {
		char a[512];
		snprintf(a, sizeof(a), "Accept: %s", accept);
		hdrs = curl_slist_append(hdrs, a);
	}
	for (struct curl_slist *e = extra; e; e = e->next)
		hdrs = curl_slist_append(hdrs, e->data);
	if (hdrs)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	m->max = max;
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, mem_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, m);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, m);
	CURLcode c = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	*ret_code = c;
	*ret_status = status;
	if (c != CURLE_OK && !(c == CURLE_WRITE_ERROR && m->too_big))
		return -EIO;
	return 0;
}

static void set_authorization(struct registry *r, const char *value)
{
	free(r->authorization);
	r->authorization = value ? strdup(value) : NULL;
	if (r->headers) {
		/* Blob handles in flight point at the old list (CURLOPT_HTTPHEADER is not
		 * copied): keep it until the registry is freed. */
		struct curl_slist **nv = realloc(r->retired, (r->n_retired + 1) * sizeof(*nv));
		if (nv) {
			r->retired = nv;
			r->retired[r->n_retired++] = r->headers;
		} else {
			curl_slist_free_all(r->headers); /* only when no handle can be in flight */
		}
	}
	r->headers = r->authorization ? curl_slist_append(NULL, r->authorization) : NULL;
}

static int set_basic(struct registry *r)
{
	cleanup_free char *up = NULL, *enc = NULL, *hdr = NULL;
	if (asprintf(&up, "%s:%s", r->user, r->pass) < 0)
		return -ENOMEM;
	enc = auth_base64_encode(up, strlen(up));
	explicit_bzero(up, strlen(up));
	if (!enc || asprintf(&hdr, "Authorization: Basic %s", enc) < 0)
		return -ENOMEM;
	set_authorization(r, hdr);
	explicit_bzero(hdr, strlen(hdr));
	return 0;
}

/* The token flow (distribution's token authentication spec): GET realm?service=…&scope=…
 * with Basic credentials when we have them; {"token"|"access_token": …}. */
static int fetch_token(struct registry *r, const char *scope)
{
	const struct auth_challenge *c = &r->challenge;
	cleanup_free char *url = NULL;
	struct membuf m = {0};
	struct curl_slist *extra = NULL;
	long status;
	CURLcode code;
	int k;

	if (!c->realm)
		return log_error_errno(-EPROTO, "Registry %s: Bearer challenge without a realm", r->registry);
	if (strncmp(c->realm, "https://", 8) != 0 && !(r->tls_verify == false && strncmp(c->realm, "http://", 7) == 0))
		return log_error_errno(
		    -EPROTO, "Registry %s: token realm '%s' is not https (use --tls-verify=false to allow it)",
		    r->registry, c->realm);
	CURL *esc = curl_easy_init();
	if (!esc)
		return -ENOMEM;
	char *svc = c->service ? curl_easy_escape(esc, c->service, 0) : NULL;
	char *sc = scope ? curl_easy_escape(esc, scope, 0) : NULL;
	k = asprintf(&url, "%s%s%s%s%s%s", c->realm, strchr(c->realm, '?') ? "&" : "?", svc ? "service=" : "",
		     svc ? svc : "", sc ? (svc ? "&scope=" : "scope=") : "", sc ? sc : "");
	curl_free(svc);
	curl_free(sc);
	curl_easy_cleanup(esc);
	if (k < 0)
		return -ENOMEM;
	if (r->user) {
		cleanup_free char *up = NULL, *enc = NULL, *hdr = NULL;
		if (asprintf(&up, "%s:%s", r->user, r->pass) < 0)
			return -ENOMEM;
		enc = auth_base64_encode(up, strlen(up));
		if (!enc || asprintf(&hdr, "Authorization: Basic %s", enc) < 0)
			return -ENOMEM;
		extra = curl_slist_append(NULL, hdr);
	}
	k = http_get(r, url, "application/json", false, extra, TOKEN_MAX, &m, &status, &code);
	curl_slist_free_all(extra);
	if (k < 0) {
		membuf_clear(&m);
		return log_error_errno(-EIO, "Registry %s: token request to %s failed: %s", r->registry, c->realm,
				       curl_easy_strerror(code));
	}
	if (status == 401 || status == 403) {
		membuf_clear(&m);
		return log_error_errno(-EACCES, "Registry %s: authentication failed%s", r->registry,
				       r->user ? " (invalid username or password?)" : " (try `kakuri login`)");
	}
	if (status != 200 || !m.data) {
		membuf_clear(&m);
		return log_error_errno(-EPROTO, "Registry %s: token request answered HTTP %ld", r->registry, status);
	}
	json_object *o = json_tokener_parse(m.data), *v = NULL;
	membuf_clear(&m);
	if (!o || !((json_object_object_get_ex(o, "token", &v) && json_object_is_type(v, json_type_string)) ||
		    (json_object_object_get_ex(o, "access_token", &v) && json_object_is_type(v, json_type_string)))) {
		if (o)
			json_object_put(o);
		return log_error_errno(-EPROTO, "Registry %s: token response has no token", r->registry);
	}
	cleanup_free char *hdr = NULL;
	k = asprintf(&hdr, "Authorization: Bearer %s", json_object_get_string(v));
	json_object_put(o);
	if (k < 0)
		return -ENOMEM;
	set_authorization(r, hdr);
	return 0;
}

static int take_challenge(struct registry *r, const char *www)
{
	struct auth_challenge cs[4];
	int n = auth_parse_challenges(www, cs, ELEMENTSOF(cs));
	if (n <= 0)
		return log_error_errno(-EPROTO, "Registry %s: unreadable WWW-Authenticate header '%s'", r->registry,
				       www);
	int pick = -1;
	for (int i = 0; i < n; i++)
		if (STREQ(cs[i].scheme, "bearer") && pick < 0)
			pick = i;
	for (int i = 0; i < n && pick < 0; i++)
		if (STREQ(cs[i].scheme, "basic"))
			pick = i;
	if (pick < 0) {
		for (int i = 0; i < n; i++)
			auth_challenge_clear(&cs[i]);
		return log_error_errno(-EPROTO, "Registry %s: no supported authentication scheme in '%s'", r->registry,
				       www);
	}
	if (r->have_challenge)
		auth_challenge_clear(&r->challenge);
	r->challenge = cs[pick];
	r->have_challenge = true;
	for (int i = 0; i < n; i++)
		if (i != pick)
			auth_challenge_clear(&cs[i]);
	return 0;
}

static int authenticate(struct registry *r, const char *scope)
{
	if (STREQ(r->challenge.scheme, "bearer"))
		return fetch_token(r, scope);
	if (!r->user)
		return log_error_errno(-EACCES, "Registry %s requires a login (kakuri login %s)", r->registry,
				       r->registry);
	return set_basic(r);
}

static int ping(struct registry *r, long *ret_status, struct membuf *m)
{
	cleanup_free char *url = NULL;
	CURLcode code;
	int k;
	for (int attempt = 0; attempt < 2; attempt++) {
		free(url);
		url = NULL;
		membuf_clear(m);
		if (asprintf(&url, "%s://%s/v2/", r->scheme, r->host) < 0)
			return -ENOMEM;
		k = http_get(r, url, NULL, false, NULL, 1u << 20, m, ret_status, &code);
		if (k == 0)
			return 0;
		/* An insecure registry may speak plain http. */
		if (!r->tls_verify && STREQ(r->scheme, "https")) {
			log_debug("https to %s failed (%s); trying http", r->host, curl_easy_strerror(code));
			r->scheme = "http";
			continue;
		}
		break;
	}
	if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CONNECT_ERROR ||
	    code == CURLE_SSL_CACERT_BADFILE)
		return log_error_errno(
		    -EIO, "Cannot reach registry %s: %s (for a registry without valid TLS use --tls-verify=false)",
		    r->registry, curl_easy_strerror(code));
	return log_error_errno(-EIO, "Cannot reach registry %s: %s", r->registry, curl_easy_strerror(code));
}

int registry_open(const char *registry, const char *repository, const struct registry_opts *o, struct registry **ret)
{
	struct registry *r = calloc(1, sizeof(*r));
	struct membuf m = {0};
	long status = 0;
	int k = registry_global_init();
	if (k < 0 || !r) {
		free(r);
		return k < 0 ? k : -ENOMEM;
	}
	r->registry = strdup(registry);
	r->host = strdup(image_ref_api_host(registry));
	r->repository = repository ? strdup(repository) : NULL;
	r->tls_verify = o->tls_verify;
	r->scheme = "https";
	if (!r->registry || !r->host || (repository && !r->repository)) {
		registry_free(r);
		return -ENOMEM;
	}
	if (o->username) {
		r->user = strdup(o->username);
		r->pass = strdup(o->password ? o->password : "");
	} else {
		k = auth_lookup(o->authfile, registry, repository, &r->user, &r->pass);
		if (k < 0) {
			registry_free(r);
			return k;
		}
	}
	k = ping(r, &status, &m);
	if (k < 0)
		goto fail;
	if (status == 200) {
		/* Open registry; explicit credentials (login) are still checked with Basic. */
		if (o->username)
			k = set_basic(r);
	} else if (status == 401) {
		if (!m.www_auth) {
			k = log_error_errno(-EPROTO, "Registry %s answered 401 without a WWW-Authenticate header",
					    registry);
			goto fail;
		}
		k = take_challenge(r, m.www_auth);
		if (k >= 0) {
			cleanup_free char *scope = NULL;
			if (repository && asprintf(&scope, "repository:%s:pull", repository) < 0)
				k = -ENOMEM;
			if (k >= 0)
				k = authenticate(r, scope);
		}
		if (k >= 0 && !repository && STREQ(r->challenge.scheme, "basic")) {
			/* login: prove the credentials work */
			cleanup_free char *url = NULL;
			struct membuf m2 = {0};
			CURLcode code;
			if (asprintf(&url, "%s://%s/v2/", r->scheme, r->host) < 0)
				k = -ENOMEM;
			else if (http_get(r, url, NULL, true, NULL, 1u << 20, &m2, &status, &code) < 0)
				k = log_error_errno(-EIO, "Registry %s: %s", registry, curl_easy_strerror(code));
			else if (status == 401 || status == 403)
				k = log_error_errno(-EACCES, "Registry %s: invalid username or password", registry);
			membuf_clear(&m2);
		}
	} else {
		k = log_error_errno(-EPROTO, "Registry %s: /v2/ answered HTTP %ld (not a container registry?)",
				    registry, status);
	}
	if (k < 0)
		goto fail;
	membuf_clear(&m);
	*ret = r;
	return 0;
fail:
	membuf_clear(&m);
	registry_free(r);
	return k;
}

void registry_free(struct registry *r)
{
	if (!r)
		return;
	free(r->registry);
	free(r->host);
	free(r->repository);
	if (r->pass)
		explicit_bzero(r->pass, strlen(r->pass));
	free(r->user);
	free(r->pass);
	if (r->authorization)
		explicit_bzero(r->authorization, strlen(r->authorization));
	free(r->authorization);
	curl_slist_free_all(r->headers);
	for (size_t i = 0; i < r->n_retired; i++)
		curl_slist_free_all(r->retired[i]);
	free(r->retired);
	if (r->have_challenge)
		auth_challenge_clear(&r->challenge);
	free(r);
}

/* GET with one re-authentication when the registry asks for a different scope. */
static int get_authed(struct registry *r, const char *url, const char *accept, size_t max, struct membuf *m,
		      long *ret_status)
{
	CURLcode code;
	for (int attempt = 0;; attempt++) {
		membuf_clear(m);
		if (http_get(r, url, accept, true, NULL, max, m, ret_status, &code) < 0)
			return log_error_errno(-EIO, "Registry %s: GET %s: %s", r->registry, url,
					       curl_easy_strerror(code));
		if (m->too_big)
			return log_error_errno(-EFBIG, "Registry %s: %s is larger than %zu bytes", r->registry, url,
					       max);
		if (*ret_status != 401 || attempt > 0 || !m->www_auth)
			return 0;
		int k = take_challenge(r, m->www_auth);
		if (k >= 0)
			k = authenticate(r, r->challenge.scope);
		if (k < 0)
			return k;
	}
}

int registry_get_manifest(struct registry *r, const char *ref, char **ret_body, size_t *ret_len, char **ret_type,
			  char ret_digest[DIGEST_STRING_SIZE])
{
	cleanup_free char *url = NULL;
	struct membuf m = {0};
	long status;
	if (asprintf(&url, "%s://%s/v2/%s/manifests/%s", r->scheme, r->host, r->repository, ref) < 0)
		return -ENOMEM;
	int k = get_authed(r, url, MANIFEST_ACCEPT, MANIFEST_MAX, &m, &status);
	if (k < 0) {
		membuf_clear(&m);
		return k;
	}
	if (status == 404) {
		membuf_clear(&m);
		return log_error_errno(-ENOENT, "%s/%s:%s: manifest unknown to the registry", r->registry,
				       r->repository, ref);
	}
	if (status == 401 || status == 403) {
		membuf_clear(&m);
		return log_error_errno(-EACCES, "%s/%s: access denied (HTTP %ld)%s", r->registry, r->repository, status,
				       r->user ? "" : ": log in with `kakuri login`");
	}
	if (status != 200 || !m.data) {
		membuf_clear(&m);
		return log_error_errno(-EPROTO, "%s/%s: manifest request answered HTTP %ld", r->registry, r->repository,
				       status);
	}
	digest_buffer(m.data, m.len, ret_digest);
	if (strncmp(ref, "sha256:", 7) == 0 && !STREQ(ref, ret_digest)) {
		membuf_clear(&m);
		return log_error_errno(-EBADMSG, "%s/%s: the registry sent a manifest with digest %s for %s",
				       r->registry, r->repository, ret_digest, ref);
	}
	*ret_body = m.data;
	*ret_len = m.len;
	*ret_type = m.content_type;
	m.data = m.content_type = NULL;
	membuf_clear(&m);
	return 0;
}

int registry_get_blob(struct registry *r, const char *digest, size_t max, char **ret, size_t *ret_len)
{
	cleanup_free char *url = NULL;
	struct membuf m = {0};
	char got[DIGEST_STRING_SIZE];
	long status;
	if (asprintf(&url, "%s://%s/v2/%s/blobs/%s", r->scheme, r->host, r->repository, digest) < 0)
		return -ENOMEM;
	int k = get_authed(r, url, NULL, max, &m, &status);
	if (k < 0) {
		membuf_clear(&m);
		return k;
	}
	if (status != 200) {
		membuf_clear(&m);
		return log_error_errno(status == 404 ? -ENOENT : -EPROTO, "%s/%s: blob %s: HTTP %ld", r->registry,
				       r->repository, digest, status);
	}
	if (!m.data) {
		m.data = strdup("");
		m.len = 0;
	}
	digest_buffer(m.data, m.len, got);
	if (!STREQ(got, digest)) {
		membuf_clear(&m);
		return log_error_errno(-EBADMSG, "%s/%s: blob %s has the wrong content (it hashes to %s)", r->registry,
				       r->repository, digest, got);
	}
	*ret = m.data;
	*ret_len = m.len;
	m.data = NULL;
	membuf_clear(&m);
	return 0;
}

bool registry_blob_should_reauth(long status, const char *www_auth, unsigned retries)
{
	return status == 401 && www_auth && *www_auth && retries == 0;
}

int registry_reauthenticate(struct registry *r, const char *www_auth)
{
	int k = take_challenge(r, www_auth);
	if (k < 0)
		return k;
	log_debug("Registry %s: blob request answered 401; authenticating again (scope %s)", r->registry,
		  r->challenge.scope ? r->challenge.scope : "none");
	return authenticate(r, r->challenge.scope);
}

CURL *registry_blob_handle(struct registry *r, const char *digest, uint64_t offset)
{
	cleanup_free char *url = NULL;
	if (asprintf(&url, "%s://%s/v2/%s/blobs/%s", r->scheme, r->host, r->repository, digest) < 0)
		return NULL;
	CURL *h = curl_easy_init();
	if (!h)
		return NULL;
	setup_easy(r, h, url, true);
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
	if (offset > 0) {
		char range[32];
		snprintf(range, sizeof(range), "%llu-", (unsigned long long)offset);
		curl_easy_setopt(h, CURLOPT_RANGE, range); /* copied by libcurl */
	}
	return h;
}

void registry_describe_failure(CURL *h, CURLcode code, const char *digest, char *buf, size_t len)
{
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 400)
		snprintf(buf, len, "blob %s: HTTP %ld", digest, status);
	else
		snprintf(buf, len, "blob %s: %s", digest, curl_easy_strerror(code));
}
