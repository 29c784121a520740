/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "auth.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/image/idmap.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

void auth_challenge_clear(struct auth_challenge *c)
{
	free(c->scheme);
	free(c->realm);
	free(c->service);
	free(c->scope);
	*c = (struct auth_challenge){0};
}

static bool is_tchar(char c)
{
	return c && (isalnum((unsigned char)c) || strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* token or quoted-string at *p; *ret caller frees. */
static int parse_value(const char **pp, char **ret)
{
	const char *p = *pp;
	if (*p == '"') {
		size_t cap = strlen(p) + 1, n = 0;
		char *v = malloc(cap);
		if (!v)
			return -ENOMEM;
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			v[n++] = *p;
		}
		if (*p != '"') {
			free(v);
			return -EINVAL;
		}
		v[n] = 0;
		*pp = p + 1;
		*ret = v;
		return 0;
	}
	const char *s = p;
	while (*p && (is_tchar(*p) || *p == '/' || *p == '=' || *p == ':'))
		p++;
	*ret = strndup(s, (size_t)(p - s));
	*pp = p;
	return *ret ? 0 : -ENOMEM;
}

int auth_parse_challenges(const char *header, struct auth_challenge *ret, size_t max)
{
	const char *p = header;
	size_t n = 0;
	int r = 0;

	if (!header)
		return -EINVAL;
	p = skip_ws(p);
	while (*p) {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *s = p;
		while (is_tchar(*p))
			p++;
		if (p == s) {
			r = -EINVAL;
			goto fail;
		}
		if (n >= max) {
			r = -E2BIG;
			goto fail;
		}
		struct auth_challenge *c = &ret[n++];
		*c = (struct auth_challenge){0};
		c->scheme = strndup(s, (size_t)(p - s));
		if (!c->scheme) {
			r = -ENOMEM;
			goto fail;
		}
		for (char *q = c->scheme; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		/* auth-params until the next challenge: "k=v" separated by commas. A token that
		 * is not followed by '=' starts the next challenge. */
		for (;;) {
			p = skip_ws(p);
			const char *ks = p;
			while (is_tchar(*p))
				p++;
			const char *ke = p;
			const char *after = skip_ws(p);
			if (ke == ks || *after != '=') {
				p = ks;
				break;
			}
			p = skip_ws(after + 1);
			cleanup_free char *val = NULL;
			r = parse_value(&p, &val);
			if (r < 0)
				goto fail;
			size_t kl = (size_t)(ke - ks);
			char **dst = NULL;
			if (kl == 5 && strncasecmp(ks, "realm", 5) == 0)
				dst = &c->realm;
			else if (kl == 7 && strncasecmp(ks, "service", 7) == 0)
				dst = &c->service;
			else if (kl == 5 && strncasecmp(ks, "scope", 5) == 0)
				dst = &c->scope;
			if (dst) {
				free(*dst);
				*dst = TAKE_PTR(val);
			}
			p = skip_ws(p);
			if (*p == ',') {
				p++;
				continue;
			}
			if (*p && *p != ',') {
				/* junk after a value */
				if (!is_tchar(*p)) {
					r = -EINVAL;
					goto fail;
				}
			}
			break;
		}
	}
	return (int)n;
fail:
	for (size_t i = 0; i < n; i++)
		auth_challenge_clear(&ret[i]);
	return r;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *auth_base64_encode(const void *data, size_t len)
{
	const unsigned char *d = data;
	char *out = malloc(((len + 2) / 3) * 4 + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v =
		    (unsigned)d[i] << 16 | (i + 1 < len ? (unsigned)d[i + 1] << 8 : 0) | (i + 2 < len ? d[i + 2] : 0);
		*o++ = b64[(v >> 18) & 63];
		*o++ = b64[(v >> 12) & 63];
		*o++ = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? b64[v & 63] : '=';
	}
	*o = 0;
	return out;
}

int auth_base64_decode(const char *s, char **ret, size_t *ret_len)
{
	size_t n = strlen(s);
	char *out = malloc(n / 4 * 3 + 4);
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0, pad = 0;
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '=') {
			pad++;
			continue;
		}
		const char *q = strchr(b64, c);
		if (!q || !c || pad) {
			free(out);
			return -EINVAL;
		}
		acc = (acc << 6) | (unsigned)(q - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	if (pad > 2) {
		free(out);
		return -EINVAL;
	}
	out[o] = 0;
	*ret = out;
	if (ret_len)
		*ret_len = o;
	return 0;
}

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define cleanup_json CLEANUP(json_putp)

static int parse_doc(const char *json, size_t len, json_object **ret, char **ret_err)
{
	if (memchr(json, 0, len)) {
		*ret_err = strdup("contains a NUL byte");
		return -EINVAL;
	}
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_object *o = json_tokener_parse_ex(tok, json, (int)len);
	enum json_tokener_error e = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (!o || e != json_tokener_success || !json_object_is_type(o, json_type_object)) {
		if (o)
			json_object_put(o);
		if (asprintf(ret_err, "invalid JSON: %s",
			     e == json_tokener_success ? "not an object" : json_tokener_error_desc(e)) < 0)
			*ret_err = NULL;
		return -EINVAL;
	}
	*ret = o;
	return 0;
}

/* Credentials of one auths entry: "auth" (base64 user:pass), or "username"/"password". */
static int entry_creds(json_object *e, const char *key, char **ret_user, char **ret_pass, char **ret_err)
{
	json_object *v;
	if (!json_object_is_type(e, json_type_object)) {
		if (asprintf(ret_err, "auths[\"%.100s\"] is not an object", key) < 0)
			*ret_err = NULL;
		return -EINVAL;
	}
	if (json_object_object_get_ex(e, "auth", &v) && json_object_is_type(v, json_type_string) &&
	    json_object_get_string_len(v) > 0) {
		cleanup_free char *dec = NULL;
		if (auth_base64_decode(json_object_get_string(v), &dec, NULL) < 0 || !strchr(dec, ':')) {
			if (asprintf(ret_err, "auths[\"%.100s\"].auth is not base64 of \"user:password\"", key) < 0)
				*ret_err = NULL;
			return -EINVAL;
		}
		char *colon = strchr(dec, ':');
		*ret_user = strndup(dec, (size_t)(colon - dec));
		*ret_pass = strdup(colon + 1);
		explicit_bzero(dec, strlen(dec));
	} else {
		json_object *u, *p;
		if (!json_object_object_get_ex(e, "username", &u) || !json_object_is_type(u, json_type_string) ||
		    !json_object_object_get_ex(e, "password", &p) || !json_object_is_type(p, json_type_string))
			return 0; /* an identity token or an empty entry: nothing we can use */
		*ret_user = strdup(json_object_get_string(u));
		*ret_pass = strdup(json_object_get_string(p));
	}
	if (!*ret_user || !*ret_pass) {
		free(*ret_user);
		free(*ret_pass);
		return -ENOMEM;
	}
	return 1;
}

/* "https://index.docker.io/v1/" → "index.docker.io"; "host/path" stays. */
static void normalize_key(const char *k, char *buf, size_t len)
{
	if (strncmp(k, "https://", 8) == 0)
		k += 8;
	else if (strncmp(k, "http://", 7) == 0)
		k += 7;
	snprintf(buf, len, "%s", k);
	size_t n = strlen(buf);
	while (n > 0 && buf[n - 1] == '/')
		buf[--n] = 0;
	if (strncmp(buf, "index.docker.io", 15) == 0 && (buf[15] == 0 || STREQ(buf + 15, "/v1"))) {
		snprintf(buf, len, "docker.io");
	} else if (STREQ(buf, "registry-1.docker.io")) {
		snprintf(buf, len, "docker.io");
	}
}

int auth_lookup_in(const char *json, size_t len, const char *registry, const char *repository, char **ret_user,
		   char **ret_pass, char **ret_err)
{
	cleanup_json json_object *root = NULL;
	json_object *auths;
	int r = parse_doc(json, len, &root, ret_err);
	if (r < 0)
		return r;
	if (!json_object_object_get_ex(root, "auths", &auths))
		return 0;
	if (!json_object_is_type(auths, json_type_object)) {
		*ret_err = strdup("\"auths\" is not an object");
		return -EINVAL;
	}
	/* Most specific first: registry/a/b/c, registry/a/b, registry/a, registry. */
	char want[1024];
	snprintf(want, sizeof(want), "%s%s%s", registry, repository ? "/" : "", repository ? repository : "");
	for (;;) {
		json_object_object_foreach(auths, key, val)
		{
			char k[1024];
			normalize_key(key, k, sizeof(k));
			if (STREQ(k, want))
				return entry_creds(val, key, ret_user, ret_pass, ret_err);
		}
		char *slash = strrchr(want, '/');
		if (!slash || strlen(want) <= strlen(registry))
			return 0;
		*slash = 0;
	}
}

/* The standard credential files, in lookup order; [0] is where login writes. */
static int auth_files(char ***ret)
{
	const char *home = getenv("HOME");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char **v = calloc(5, sizeof(char *));
	size_t n = 0;
	if (!v)
		return -ENOMEM;
	if (!idmap_rootless()) {
		v[n++] = strdup("/run/containers/0/auth.json");
	} else if (xdg && *xdg) {
		if (asprintf(&v[n++], "%s/containers/auth.json", xdg) < 0)
			v[n - 1] = NULL;
	}
	if (home && *home) {
		if (asprintf(&v[n++], "%s/.config/containers/auth.json", home) < 0)
			v[n - 1] = NULL;
		if (asprintf(&v[n++], "%s/.docker/config.json", home) < 0)
			v[n - 1] = NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (!v[i]) {
			cleanup_strvp(&v);
			return -ENOMEM;
		}
	*ret = v;
	return 0;
}

int auth_default_file(const char *authfile, char **ret)
{
	if (authfile || (authfile = getenv("REGISTRY_AUTH_FILE"))) {
		*ret = strdup(authfile);
		return *ret ? 0 : -ENOMEM;
	}
	cleanup_strv char **files = NULL;
	int r = auth_files(&files);
	if (r < 0)
		return r;
	if (!files[0])
		return log_error_errno(-ENOENT,
				       "No location for credentials: set XDG_RUNTIME_DIR or HOME, or pass --authfile");
	*ret = strdup(files[0]);
	return *ret ? 0 : -ENOMEM;
}

static int lookup_file(const char *path, const char *registry, const char *repository, char **ret_user, char **ret_pass)
{
	cleanup_free char *data = NULL, *err = NULL;
	size_t len;
	int r = fs_read_file_at(AT_FDCWD, path, 1u << 20, &data, &len);
	if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	if (r < 0)
		return log_error_errno(r, "Failed to read credentials file %s: %m", path);
	r = auth_lookup_in(data, len, registry, repository, ret_user, ret_pass, &err);
	explicit_bzero(data, len);
	if (r == -EINVAL)
		return log_error_errno(r, "Credentials file %s: %s", path, err ? err : "malformed");
	return r;
}

int auth_lookup(const char *authfile, const char *registry, const char *repository, char **ret_user, char **ret_pass)
{
	if (authfile || (authfile = getenv("REGISTRY_AUTH_FILE")))
		return lookup_file(authfile, registry, repository, ret_user, ret_pass);
	cleanup_strv char **files = NULL;
	int r = auth_files(&files);
	if (r < 0)
		return r;
	for (char **f = files; *f; f++) {
		r = lookup_file(*f, registry, repository, ret_user, ret_pass);
		if (r != 0)
			return r;
	}
	return 0;
}

int auth_store(const char *path, const char *key, const char *user, const char *pass)
{
	cleanup_free char *data = NULL, *err = NULL, *dir = NULL;
	cleanup_json json_object *root = NULL;
	json_object *auths;
	size_t len;
	int r = fs_read_file_at(AT_FDCWD, path, 1u << 20, &data, &len);
	if (r == -ENOENT) {
		if (!user)
			return -ENOENT;
		root = json_object_new_object();
		if (!root)
			return -ENOMEM;
	} else if (r < 0) {
		return log_error_errno(r, "Failed to read %s: %m", path);
	} else if (parse_doc(data, len, &root, &err) < 0) {
		return log_error_errno(-EINVAL, "Credentials file %s: %s", path, err ? err : "malformed");
	}
	if (!json_object_object_get_ex(root, "auths", &auths) || !json_object_is_type(auths, json_type_object)) {
		if (!user)
			return -ENOENT;
		auths = json_object_new_object();
		if (!auths)
			return -ENOMEM;
		json_object_object_add(root, "auths", auths);
	}
	if (user) {
		cleanup_free char *up = NULL, *enc = NULL;
		if (asprintf(&up, "%s:%s", user, pass) < 0)
			return -ENOMEM;
		enc = auth_base64_encode(up, strlen(up));
		explicit_bzero(up, strlen(up));
		json_object *e = json_object_new_object();
		if (!enc || !e)
			return -ENOMEM;
		json_object_object_add(e, "auth", json_object_new_string(enc));
		json_object_object_add(auths, key, e);
	} else {
		bool found = false;
		char want[1024];
		normalize_key(key, want, sizeof(want));
		/* Remove every spelling of the key (legacy URL forms included). */
		for (bool again = true; again;) {
			again = false;
			json_object_object_foreach(auths, k, v)
			{
				(void)v;
				char nk[1024];
				normalize_key(k, nk, sizeof(nk));
				if (STREQ(nk, want)) {
					json_object_object_del(auths, k);
					found = again = true;
					break;
				}
			}
		}
		if (!found)
			return -ENOENT;
	}
	const char *text =
	    json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		r = fs_mkdir_p(dir, 0700);
		if (r < 0)
			return log_error_errno(r, "Failed to create %s: %m", dir);
	}
	r = fs_write_atomic(path, text, strlen(text), 0600);
	if (r < 0)
		return log_error_errno(r, "Failed to write %s: %m", path);
	return 0;
}
