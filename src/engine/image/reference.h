/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image references: [REGISTRY/]REPOSITORY[:TAG][@DIGEST], with the grammar of the
 * distribution project's reference package (lower-case path components separated by
 * '.', '_', '__' or runs of '-'; tags [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}).
 *
 * The first component is a registry when it contains '.' or ':' or is "localhost";
 * otherwise the name is short and gets the default registry (docker.io, where one-component
 * names live under "library/"). "localhost/NAME" names images that exist only locally
 * (`kakuri import`, `kakuri tag`). */
#pragma once

#include <stdbool.h>

struct image_ref {
	char *registry;	  /* "docker.io", "127.0.0.1:5000", "localhost" */
	char *repository; /* "library/busybox" */
	char *tag;	  /* "latest"; NULL when only a digest was given */
	char *digest;	  /* "sha256:…" or NULL */
};

/* Parses s. default_registry NULL means "docker.io". Without tag or digest the tag is
 * "latest". On error returns -EINVAL and, if ret_err is given, a static description. */
int image_ref_parse(const char *s, const char *default_registry, struct image_ref **ret, const char **ret_err);
void image_ref_free(struct image_ref *r);
/* True if s names no registry (its first component is not a host). */
bool image_ref_is_short(const char *s);
/* "registry/repository:tag" (or "@digest" when there is no tag). Caller frees. */
char *image_ref_name(const struct image_ref *r);
/* "registry/repository" (caller frees). */
char *image_ref_repo(const struct image_ref *r);
/* The host to talk to for registry: docker.io's API is registry-1.docker.io. */
const char *image_ref_api_host(const char *registry);
/* True for "localhost" without a port: a local-only name, never pulled. */
bool image_ref_is_local(const struct image_ref *r);
