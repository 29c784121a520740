/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The runtime part of an image's config (image-spec config.json "config" object): what a
 * container of it runs by default. */
#pragma once

#include "engine/image/store.h"

struct ctr_image {
	char *id;			 /* hex */
	char *name;			 /* first name, or NULL */
	char **entrypoint, **cmd, **env; /* strv, NULL when absent */
	char *workdir, *user, *stop_signal;
	char **volumes; /* strv of paths (the image's Volumes keys) */
	char **exposed_ports; /* strv: the image's ExposedPorts keys ("80/tcp") */
};

/* Finds ref in the store and reads its config. -ENOENT (logged: "REF: image not known"). */
int ctr_image_load(struct store *s, const char *ref, struct ctr_image **ret);
/* Parses a config blob (exposed for tests). */
int ctr_image_parse(const char *json, struct ctr_image **ret);
void ctr_image_free(struct ctr_image *im);
