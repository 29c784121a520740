/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image manifests, indexes and configs (OCI image-spec 1.1, Docker image manifest v2
 * schema 2 and manifest list): parsing and validation of untrusted JSON from registries
 * and archives, and platform selection from an index.
 *
 * Every digest is checked to be a valid sha256 digest, every size non-negative, the number
 * of entries bounded, and media types checked against what this engine can unpack, so
 * that later stages can trust the structures. Errors come back as one line in *ret_err
 * (caller frees) with -EINVAL. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MT_OCI_INDEX	     "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST	     "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG	     "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER	     "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP    "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD    "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_DOCKER_LIST	     "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST   "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_CONFIG     "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MT_DOCKER_LAYER	     "application/vnd.docker.image.rootfs.diff.tar"

/* The Accept header for manifest requests, most specific first. */
#define MANIFEST_ACCEPT MT_OCI_INDEX ", " MT_DOCKER_LIST ", " MT_OCI_MANIFEST ", " MT_DOCKER_MANIFEST

enum manifest_kind {
	MANIFEST_IMAGE, /* OCI image manifest or Docker v2s2 manifest */
	MANIFEST_INDEX, /* OCI index or Docker manifest list */
};

struct descriptor {
	char *media_type;
	char *digest;
	int64_t size;
	char *os, *arch, *variant; /* index entries only, may be NULL */
	char *ref_name;		   /* annotation org.opencontainers.image.ref.name, may be NULL */
	char *image_name;	   /* annotation io.containerd.image.name, may be NULL */
};

struct manifest {
	enum manifest_kind kind;
	char *media_type; /* as declared, or inferred */
	struct descriptor config;
	struct descriptor *layers;
	size_t n_layers;
	struct descriptor *manifests;
	size_t n_manifests;
};

struct image_config {
	char **diff_ids; /* strv of valid digests */
	size_t n_diff_ids;
	char *os, *arch, *variant, *created;
};

/* content_type: the HTTP Content-Type (or NULL) used when the document has no mediaType. */
int manifest_parse(const char *data, size_t len, const char *content_type, struct manifest **ret, char **ret_err);
void manifest_free(struct manifest *m);
void descriptor_clear(struct descriptor *d);

/* Picks the entry of an index for os/arch/variant (NULL: this host). An entry without a
 * variant matches any requested variant; "arm64" also matches variant "v8". Returns 0, or
 * -ENOENT with *ret_err listing the platforms the index has. */
int manifest_select_platform(const struct manifest *index, const char *os, const char *arch, const char *variant,
			     const struct descriptor **ret, char **ret_err);
/* This host's GOOS/GOARCH/variant spelling ("linux", "amd64", NULL). */
void manifest_host_platform(const char **ret_os, const char **ret_arch, const char **ret_variant);
/* Splits "os/arch[/variant]" into its parts (caller frees each). */
int manifest_parse_platform(const char *s, char **ret_os, char **ret_arch, char **ret_variant);

/* Is this a layer media type we can unpack? */
bool manifest_layer_type_supported(const char *media_type);

int image_config_parse(const char *data, size_t len, struct image_config **ret, char **ret_err);
void image_config_free(struct image_config *c);
