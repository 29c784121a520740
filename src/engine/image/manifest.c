/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "manifest.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "engine/image/digest.h"
#include "lib/cleanup.h"

#define MAX_ENTRIES 1024       /* layers of a manifest, manifests of an index */
#define MAX_DOC	    (4u << 20) /* the distribution spec allows registries to refuse > 4 MiB */

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define cleanup_json CLEANUP(json_putp)

__attribute__((format(printf, 2, 3))) static int errf(char **ret_err, const char *fmt, ...)
{
	va_list ap;
	if (ret_err) {
		free(*ret_err);
		va_start(ap, fmt);
		if (vasprintf(ret_err, fmt, ap) < 0)
			*ret_err = NULL;
		va_end(ap);
		for (char *c = *ret_err; c && *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
	}
	return -EINVAL;
}

/* Untrusted text for an error message: at most 80 bytes, control bytes as '?', so a
 * registry cannot inject lines or terminal escapes into our output. */
static const char *printable(const char *s, char buf[static 84])
{
	size_t i = 0;
	for (; s && s[i] && i < 80; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = 0;
	return buf;
}

static int parse_json(const char *data, size_t len, const char *what, json_object **ret, char **ret_err)
{
	if (len > MAX_DOC)
		return errf(ret_err, "%s: document of %zu bytes exceeds %u bytes", what, len, MAX_DOC);
	if (memchr(data, 0, len))
		return errf(ret_err, "%s: document contains a NUL byte", what);
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_object *o = json_tokener_parse_ex(tok, data, (int)len);
	enum json_tokener_error e = json_tokener_get_error(tok);
	size_t used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!o || e != json_tokener_success) {
		if (o)
			json_object_put(o);
		return errf(ret_err, "%s: invalid JSON: %s", what,
			    e == json_tokener_continue ? "unexpected end of input" : json_tokener_error_desc(e));
	}
	for (; used < len; used++)
		if (!strchr(" \t\r\n", data[used])) {
			json_object_put(o);
			return errf(ret_err, "%s: trailing data after the JSON document", what);
		}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return errf(ret_err, "%s: not a JSON object", what);
	}
	*ret = o;
	return 0;
}

/* Optional string member: 0 (absent, *ret NULL), 1 (present), -EINVAL (wrong type). */
static int get_string(json_object *o, const char *key, const char *what, char **ret, char **ret_err)
{
	json_object *v;
	*ret = NULL;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return errf(ret_err, "%s: %s is not a string", what, key);
	*ret = strdup(json_object_get_string(v));
	return *ret ? 1 : -ENOMEM;
}

void descriptor_clear(struct descriptor *d)
{
	free(d->media_type);
	free(d->digest);
	free(d->os);
	free(d->arch);
	free(d->variant);
	free(d->ref_name);
	free(d->image_name);
	*d = (struct descriptor){0};
}

static int parse_descriptor(json_object *o, const char *what, bool platform, struct descriptor *d, char **ret_err)
{
	json_object *v;
	int r;
	if (!json_object_is_type(o, json_type_object))
		return errf(ret_err, "%s: not an object", what);
	if ((r = get_string(o, "mediaType", what, &d->media_type, ret_err)) < 0)
		return r;
	if ((r = get_string(o, "digest", what, &d->digest, ret_err)) < 0)
		return r;
	if (!d->digest)
		return errf(ret_err, "%s: digest missing", what);
	if (!digest_valid(d->digest))
		return errf(ret_err, "%s: digest '%s' is not a sha256 digest", what,
			    printable(d->digest, (char[84]){0}));
	if (!json_object_object_get_ex(o, "size", &v) || !json_object_is_type(v, json_type_int))
		return errf(ret_err, "%s: size missing or not an integer", what);
	d->size = json_object_get_int64(v);
	if (d->size < 0)
		return errf(ret_err, "%s: negative size", what);
	if (platform && json_object_object_get_ex(o, "platform", &v) && json_object_is_type(v, json_type_object)) {
		if ((r = get_string(v, "os", what, &d->os, ret_err)) < 0 ||
		    (r = get_string(v, "architecture", what, &d->arch, ret_err)) < 0 ||
		    (r = get_string(v, "variant", what, &d->variant, ret_err)) < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "annotations", &v) && json_object_is_type(v, json_type_object)) {
		if ((r = get_string(v, "org.opencontainers.image.ref.name", what, &d->ref_name, ret_err)) < 0 ||
		    (r = get_string(v, "io.containerd.image.name", what, &d->image_name, ret_err)) < 0)
			return r;
	}
	return 0;
}

void manifest_free(struct manifest *m)
{
	if (!m)
		return;
	free(m->media_type);
	descriptor_clear(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		descriptor_clear(&m->layers[i]);
	free(m->layers);
	for (size_t i = 0; i < m->n_manifests; i++)
		descriptor_clear(&m->manifests[i]);
	free(m->manifests);
	free(m);
}

bool manifest_layer_type_supported(const char *t)
{
	static const char *const ok[] = {
	    MT_OCI_LAYER,
	    MT_OCI_LAYER_GZIP,
	    MT_OCI_LAYER_ZSTD,
	    MT_DOCKER_LAYER_GZIP,
	    MT_DOCKER_LAYER,
	    "application/vnd.oci.image.layer.nondistributable.v1.tar",
	    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
	    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
	    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
	};
	if (!t)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(ok); i++)
		if (STREQ(t, ok[i]))
			return true;
	return false;
}

static int parse_array(json_object *root, const char *key, const char *what, bool platform, struct descriptor **ret,
		       size_t *ret_n, char **ret_err)
{
	json_object *arr;
	if (!json_object_object_get_ex(root, key, &arr) || !json_object_is_type(arr, json_type_array))
		return errf(ret_err, "%s: %s missing or not an array", what, key);
	size_t n = json_object_array_length(arr);
	if (n > MAX_ENTRIES)
		return errf(ret_err, "%s: %zu %s exceed the limit of %d", what, n, key, MAX_ENTRIES);
	struct descriptor *d = calloc(n ? n : 1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	*ret = d;
	*ret_n = n;
	for (size_t i = 0; i < n; i++) {
		char w[128];
		snprintf(w, sizeof(w), "%s: %s[%zu]", what, key, i);
		int r = parse_descriptor(json_object_array_get_idx(arr, i), w, platform, &d[i], ret_err);
		if (r < 0)
			return r;
	}
	return 0;
}

int manifest_parse(const char *data, size_t len, const char *content_type, struct manifest **ret, char **ret_err)
{
	cleanup_json json_object *root = NULL;
	json_object *v;
	int r = parse_json(data, len, "manifest", &root, ret_err);
	if (r < 0)
		return r;
	struct manifest *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (json_object_object_get_ex(root, "schemaVersion", &v) && json_object_is_type(v, json_type_int) &&
	    json_object_get_int(v) == 1) {
		manifest_free(m);
		return errf(
		    ret_err,
		    "manifest: Docker schema 1 manifests are not supported (re-push the image with a current tool)");
	}
	if ((r = get_string(root, "mediaType", "manifest", &m->media_type, ret_err)) < 0)
		goto fail;
	if (!m->media_type && content_type) {
		/* Content-Type may carry parameters ("...; charset=utf-8"). */
		size_t n = strcspn(content_type, "; ");
		m->media_type = strndup(content_type, n);
	}
	const char *mt = m->media_type;
	bool is_index;
	if (mt && (STREQ(mt, MT_OCI_INDEX) || STREQ(mt, MT_DOCKER_LIST)))
		is_index = true;
	else if (mt && (STREQ(mt, MT_OCI_MANIFEST) || STREQ(mt, MT_DOCKER_MANIFEST)))
		is_index = false;
	else if (mt && !STREQ(mt, "application/json") && !STREQ(mt, "application/octet-stream")) {
		r = errf(ret_err, "manifest: unsupported media type '%s'", printable(mt, (char[84]){0}));
		goto fail;
	} else
		is_index = json_object_object_get_ex(root, "manifests", &v);
	if (!m->media_type || !strstr(m->media_type, "+json")) {
		free(m->media_type);
		m->media_type = strdup(is_index ? MT_OCI_INDEX : MT_OCI_MANIFEST);
		if (!m->media_type) {
			r = -ENOMEM;
			goto fail;
		}
	}
	if (is_index) {
		m->kind = MANIFEST_INDEX;
		r = parse_array(root, "manifests", "index", true, &m->manifests, &m->n_manifests, ret_err);
		if (r < 0)
			goto fail;
	} else {
		m->kind = MANIFEST_IMAGE;
		if (!json_object_object_get_ex(root, "config", &v)) {
			r = errf(ret_err, "manifest: config missing");
			goto fail;
		}
		r = parse_descriptor(v, "manifest: config", false, &m->config, ret_err);
		if (r < 0)
			goto fail;
		if (m->config.media_type && !STREQ(m->config.media_type, MT_OCI_CONFIG) &&
		    !STREQ(m->config.media_type, MT_DOCKER_CONFIG)) {
			r = errf(ret_err,
				 "manifest: config media type '%s' is not a container image (an OCI artifact?)",
				 printable(m->config.media_type, (char[84]){0}));
			goto fail;
		}
		r = parse_array(root, "layers", "manifest", false, &m->layers, &m->n_layers, ret_err);
		if (r < 0)
			goto fail;
		for (size_t i = 0; i < m->n_layers; i++) {
			const char *lt = m->layers[i].media_type;
			if (!lt)
				continue; /* unpack detects the compression from the data */
			if (!manifest_layer_type_supported(lt)) {
				r = errf(ret_err, "manifest: layers[%zu]: unsupported media type '%s'", i,
					 printable(lt, (char[84]){0}));
				goto fail;
			}
		}
	}
	*ret = m;
	return 0;
fail:
	manifest_free(m);
	return r;
}

void manifest_host_platform(const char **ret_os, const char **ret_arch, const char **ret_variant)
{
	static struct utsname u;
	static const char *arch, *variant;
	if (!arch) {
		uname(&u);
		static const struct {
			const char *m, *arch, *variant;
		} map[] = {
		    {"x86_64", "amd64", NULL},	  {"aarch64", "arm64", NULL}, {"armv7l", "arm", "v7"},
		    {"armv6l", "arm", "v6"},	  {"i686", "386", NULL},      {"i386", "386", NULL},
		    {"ppc64le", "ppc64le", NULL}, {"s390x", "s390x", NULL},   {"riscv64", "riscv64", NULL},
		};
		arch = u.machine;
		for (size_t i = 0; i < ELEMENTSOF(map); i++)
			if (STREQ(u.machine, map[i].m)) {
				arch = map[i].arch;
				variant = map[i].variant;
			}
	}
	*ret_os = "linux";
	*ret_arch = arch;
	*ret_variant = variant;
}

int manifest_parse_platform(const char *s, char **ret_os, char **ret_arch, char **ret_variant)
{
	const char *a = strchr(s, '/');
	if (!a || a == s || !a[1])
		return -EINVAL;
	const char *v = strchr(a + 1, '/');
	if (v && (!v[1] || strchr(v + 1, '/') || v == a + 1))
		return -EINVAL;
	*ret_os = strndup(s, (size_t)(a - s));
	*ret_arch = v ? strndup(a + 1, (size_t)(v - a - 1)) : strdup(a + 1);
	*ret_variant = v ? strdup(v + 1) : NULL;
	if (!*ret_os || !*ret_arch || (v && !*ret_variant)) {
		free(*ret_os);
		free(*ret_arch);
		free(*ret_variant);
		return -ENOMEM;
	}
	return 0;
}

/* A missing variant on either side matches (arm64 images rarely say "v8"). */
static bool variant_matches(const char *want, const char *have)
{
	if (!want || !have)
		return true;
	return STREQ(want, have);
}

int manifest_select_platform(const struct manifest *idx, const char *os, const char *arch, const char *variant,
			     const struct descriptor **ret, char **ret_err)
{
	const char *hos, *harch, *hvar;
	manifest_host_platform(&hos, &harch, &hvar);
	if (!os)
		os = hos;
	if (!arch) {
		arch = harch;
		if (!variant)
			variant = hvar;
	}
	const struct descriptor *best = NULL;
	for (size_t i = 0; i < idx->n_manifests; i++) {
		const struct descriptor *d = &idx->manifests[i];
		if (!d->os || !d->arch || !STREQ(d->os, os) || !STREQ(d->arch, arch))
			continue;
		if (d->media_type && !STREQ(d->media_type, MT_OCI_MANIFEST) &&
		    !STREQ(d->media_type, MT_DOCKER_MANIFEST))
			continue; /* nested index, attestation blobs, … */
		if (!variant_matches(variant, d->variant))
			continue;
		/* An exact variant match beats an entry without one. */
		if (!best || (variant && d->variant && STREQ(variant, d->variant)))
			best = d;
	}
	if (best) {
		*ret = best;
		return 0;
	}
	/* An index with one entry and no platform (umoci, some hand-made layouts). */
	if (idx->n_manifests == 1 && !idx->manifests[0].os && !idx->manifests[0].arch) {
		*ret = &idx->manifests[0];
		return 0;
	}
	if (ret_err) {
		char have[1024] = "";
		size_t o = 0;
		for (size_t i = 0; i < idx->n_manifests && o < sizeof(have) - 1; i++) {
			const struct descriptor *d = &idx->manifests[i];
			int k = snprintf(have + o, sizeof(have) - o, "%s%s/%s%s%s", o ? ", " : "", d->os ? d->os : "?",
					 d->arch ? d->arch : "?", d->variant ? "/" : "", d->variant ? d->variant : "");
			if (k < 0)
				break;
			o += (size_t)k;
			if (o >= sizeof(have))
				o = sizeof(have) - 1;
		}
		free(*ret_err);
		if (asprintf(ret_err, "no image for platform %s/%s%s%s in the index (it has: %s)", os, arch,
			     variant ? "/" : "", variant ? variant : "", have[0] ? have : "nothing") < 0)
			*ret_err = NULL;
		for (char *c = *ret_err; c && *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
	}
	return -ENOENT;
}

void image_config_free(struct image_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_diff_ids; i++)
		free(c->diff_ids[i]);
	free(c->diff_ids);
	free(c->os);
	free(c->arch);
	free(c->variant);
	free(c->created);
	free(c);
}

int image_config_parse(const char *data, size_t len, struct image_config **ret, char **ret_err)
{
	cleanup_json json_object *root = NULL;
	json_object *rootfs, *ids, *v;
	int r = parse_json(data, len, "image config", &root, ret_err);
	if (r < 0)
		return r;
	struct image_config *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	if ((r = get_string(root, "os", "image config", &c->os, ret_err)) < 0 ||
	    (r = get_string(root, "architecture", "image config", &c->arch, ret_err)) < 0 ||
	    (r = get_string(root, "variant", "image config", &c->variant, ret_err)) < 0 ||
	    (r = get_string(root, "created", "image config", &c->created, ret_err)) < 0)
		goto fail;
	if (!json_object_object_get_ex(root, "rootfs", &rootfs) || !json_object_is_type(rootfs, json_type_object) ||
	    !json_object_object_get_ex(rootfs, "diff_ids", &ids) || !json_object_is_type(ids, json_type_array)) {
		r = errf(ret_err, "image config: rootfs.diff_ids missing or not an array");
		goto fail;
	}
	if (json_object_object_get_ex(rootfs, "type", &v) &&
	    (!json_object_is_type(v, json_type_string) || !STREQ(json_object_get_string(v), "layers"))) {
		r = errf(ret_err, "image config: rootfs.type is not \"layers\"");
		goto fail;
	}
	size_t n = json_object_array_length(ids);
	if (n > MAX_ENTRIES) {
		r = errf(ret_err, "image config: %zu diff_ids exceed the limit of %d", n, MAX_ENTRIES);
		goto fail;
	}
	c->diff_ids = calloc(n + 1, sizeof(char *));
	if (!c->diff_ids) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(ids, i);
		if (!json_object_is_type(d, json_type_string) || !digest_valid(json_object_get_string(d))) {
			r = errf(ret_err, "image config: rootfs.diff_ids[%zu] is not a sha256 digest", i);
			goto fail;
		}
		c->diff_ids[i] = strdup(json_object_get_string(d));
		if (!c->diff_ids[i]) {
			r = -ENOMEM;
			goto fail;
		}
		c->n_diff_ids = i + 1;
	}
	*ret = c;
	return 0;
fail:
	image_config_free(c);
	return r;
}
