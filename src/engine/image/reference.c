/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "reference.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/image/digest.h"
#include "lib/cleanup.h"

#define NAME_MAX_TOTAL 255 /* the distribution spec's limit for a repository name */

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)* */
static bool component_valid(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return false;
	while (i < n) {
		if (is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		size_t j = i;
		if (s[i] == '.') {
			j = i + 1;
		} else if (s[i] == '_') {
			j = i + 1;
			if (j < n && s[j] == '_')
				j++;
		} else if (s[i] == '-') {
			while (j < n && s[j] == '-')
				j++;
		} else {
			return false;
		}
		if (j >= n || !is_lower_alnum(s[j]))
			return false;
		i = j;
	}
	return true;
}

/* host[:port]: letters, digits, '-', '.', or a bracketed IPv6 address; port digits. */
static bool registry_valid(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0)
		return false;
	if (s[0] == '[') {
		while (i < n && s[i] != ']')
			i++;
		if (i >= n)
			return false;
		i++;
	} else {
		for (; i < n && s[i] != ':'; i++) {
			char c = s[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
			      c == '.'))
				return false;
		}
		if (i == 0)
			return false;
	}
	if (i < n) {
		if (s[i] != ':' || i + 1 >= n || n - i - 1 > 5)
			return false;
		for (i++; i < n; i++)
			if (s[i] < '0' || s[i] > '9')
				return false;
	}
	return true;
}

static bool tag_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool w = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
		if (!w && (i == 0 || (c != '.' && c != '-')))
			return false;
	}
	return true;
}

static bool first_is_registry(const char *s, size_t n)
{
	if (n == 9 && strncmp(s, "localhost", 9) == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.' || s[i] == ':' || (s[i] >= 'A' && s[i] <= 'Z'))
			return true;
	return false;
}

bool image_ref_is_short(const char *s)
{
	const char *slash = strchr(s, '/');
	return !slash || !first_is_registry(s, (size_t)(slash - s));
}

void image_ref_free(struct image_ref *r)
{
	if (!r)
		return;
	free(r->registry);
	free(r->repository);
	free(r->tag);
	free(r->digest);
	free(r);
}

static int err(const char **ret_err, const char *msg)
{
	if (ret_err)
		*ret_err = msg;
	return -EINVAL;
}

int image_ref_parse(const char *s, const char *default_registry, struct image_ref **ret, const char **ret_err)
{
	cleanup_free char *copy = NULL;
	struct image_ref *r;
	char *name, *at, *tag = NULL, *slash, *last_slash;

	if (!s || !*s)
		return err(ret_err, "empty image reference");
	if (strlen(s) > 4096)
		return err(ret_err, "image reference too long");
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	name = copy;
	at = strchr(name, '@');
	if (at) {
		*at++ = 0;
		if (!digest_valid(at))
			return err(ret_err, "invalid digest (expected sha256: and 64 lower-case hex digits)");
	}
	/* A ':' after the last '/' starts the tag ("host:5000/x" has its ':' before). */
	last_slash = strrchr(name, '/');
	tag = strchr(last_slash ? last_slash : name, ':');
	if (tag) {
		*tag++ = 0;
		if (!tag_valid(tag))
			return err(ret_err, "invalid tag");
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	slash = strchr(name, '/');
	if (slash && first_is_registry(name, (size_t)(slash - name))) {
		if (!registry_valid(name, (size_t)(slash - name))) {
			image_ref_free(r);
			return err(ret_err, "invalid registry host");
		}
		r->registry = strndup(name, (size_t)(slash - name));
		name = slash + 1;
		if (r->registry && STREQ(r->registry, "index.docker.io")) {
			free(r->registry);
			r->registry = strdup("docker.io");
		}
	} else {
		r->registry = strdup(default_registry ? default_registry : "docker.io");
	}
	if (!r->registry) {
		image_ref_free(r);
		return -ENOMEM;
	}
	/* Validate the repository path component by component. */
	size_t nlen = strlen(name);
	if (nlen == 0 || nlen > NAME_MAX_TOTAL) {
		image_ref_free(r);
		return err(ret_err, nlen ? "repository name too long" : "missing repository name");
	}
	for (const char *c = name;;) {
		const char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);
		if (!component_valid(c, n)) {
			image_ref_free(r);
			for (size_t i = 0; i < n; i++)
				if (c[i] >= 'A' && c[i] <= 'Z')
					return err(ret_err, "repository name must be lowercase");
			return err(ret_err, "invalid repository name");
		}
		if (!e)
			break;
		c = e + 1;
	}
	if (STREQ(r->registry, "docker.io") && !strchr(name, '/')) {
		if (asprintf(&r->repository, "library/%s", name) < 0)
			r->repository = NULL;
	} else {
		r->repository = strdup(name);
	}
	if (!r->repository) {
		image_ref_free(r);
		return -ENOMEM;
	}
	if (tag || !at) {
		r->tag = strdup(tag ? tag : "latest");
		if (!r->tag) {
			image_ref_free(r);
			return -ENOMEM;
		}
	}
	if (at && !(r->digest = strdup(at))) {
		image_ref_free(r);
		return -ENOMEM;
	}
	*ret = r;
	return 0;
}

char *image_ref_repo(const struct image_ref *r)
{
	char *s;
	return asprintf(&s, "%s/%s", r->registry, r->repository) < 0 ? NULL : s;
}

char *image_ref_name(const struct image_ref *r)
{
	char *s;
	int k;
	if (r->tag)
		k = asprintf(&s, "%s/%s:%s", r->registry, r->repository, r->tag);
	else
		k = asprintf(&s, "%s/%s@%s", r->registry, r->repository, r->digest);
	return k < 0 ? NULL : s;
}

const char *image_ref_api_host(const char *registry)
{
	return STREQ(registry, "docker.io") ? "registry-1.docker.io" : registry;
}

bool image_ref_is_local(const struct image_ref *r)
{
	return STREQ(r->registry, "localhost");
}
