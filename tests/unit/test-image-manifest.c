/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/image/manifest: OCI and Docker manifests and indexes, configs, platform
 * selection, and refusal of malformed or unsupported documents. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/image/manifest.h"
#include "lib/cleanup.h"
#include "tap.h"

#define D(c)                                                                                                           \
	"\"sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c  \
	    c c c c c c c c c c c c c c c "\""

static const char oci_manifest[] =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":" D(
	"a") ",\"size\":10},"
	     "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":" D(
		 "b") ",\"size\":20},"
		      "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":" D(
			  "c") ",\"size\":30}]}";

static const char docker_list[] =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.list.v2+json\",\"manifests\":["
    "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":" D(
	"1") ",\"size\":1,"
	     "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
	     "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":" D(
		 "2") ",\"size\":1,"
		      "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
		      "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":" D(
			  "3") ",\"size\":1,"
			       "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v6\"}},"
			       "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":" D(
				   "4") ",\"size\":1,"
					"\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}}]"
					"}";

static int parse(const char *doc, const char *ct, struct manifest **m, char **err)
{
	*m = NULL;
	free(*err);
	*err = NULL;
	return manifest_parse(doc, strlen(doc), ct, m, err);
}

TEST(oci_manifest)
{
	struct manifest *m;
	cleanup_free char *err = NULL;
	CHECK(parse(oci_manifest, NULL, &m, &err) == 0);
	CHECK(m->kind == MANIFEST_IMAGE);
	CHECK(m->n_layers == 2);
	CHECK(m->config.size == 10);
	CHECK_STREQ(m->layers[1].media_type, MT_OCI_LAYER_ZSTD);
	manifest_free(m);
}

TEST(docker_list_and_platforms)
{
	struct manifest *m;
	const struct descriptor *d;
	cleanup_free char *err = NULL;
	CHECK(parse(docker_list, NULL, &m, &err) == 0);
	CHECK(m->kind == MANIFEST_INDEX);
	CHECK(m->n_manifests == 4);
	CHECK(manifest_select_platform(m, "linux", "amd64", NULL, &d, &err) == 0);
	CHECK(d == &m->manifests[0]);
	CHECK(manifest_select_platform(m, "linux", "arm64", NULL, &d, &err) == 0);
	CHECK(d == &m->manifests[1]);
	CHECK(manifest_select_platform(m, "linux", "arm64", "v8", &d, &err) == 0);
	CHECK(d == &m->manifests[1]);
	CHECK(manifest_select_platform(m, "linux", "arm", "v7", &d, &err) == 0);
	CHECK(d == &m->manifests[3]);
	CHECK(manifest_select_platform(m, "linux", "s390x", NULL, &d, &err) == -ENOENT);
	CHECK_CONTAINS(err, "no image for platform linux/s390x");
	CHECK_CONTAINS(err, "linux/arm/v7");
	manifest_free(m);
	char *os, *arch, *var;
	CHECK(manifest_parse_platform("linux/arm64/v8", &os, &arch, &var) == 0);
	CHECK_STREQ(os, "linux");
	CHECK_STREQ(arch, "arm64");
	CHECK_STREQ(var, "v8");
	free(os);
	free(arch);
	free(var);
	CHECK(manifest_parse_platform("linux", &os, &arch, &var) == -EINVAL);
	CHECK(manifest_parse_platform("linux/", &os, &arch, &var) == -EINVAL);
	CHECK(manifest_parse_platform("linux/a/b/c", &os, &arch, &var) == -EINVAL);
}

TEST(media_type_from_content_type)
{
	struct manifest *m;
	cleanup_free char *err = NULL;
	const char *no_mt = "{\"schemaVersion\":2,\"manifests\":[]}";
	CHECK(parse(no_mt, "application/vnd.oci.image.index.v1+json; charset=utf-8", &m, &err) == 0);
	CHECK(m->kind == MANIFEST_INDEX);
	manifest_free(m);
	CHECK(parse(no_mt, NULL, &m, &err) == 0);
	CHECK(m->kind == MANIFEST_INDEX);
	manifest_free(m);
}

TEST(malformed_manifests)
{
	struct manifest *m;
	cleanup_free char *err = NULL;
	CHECK(parse("{", NULL, &m, &err) == -EINVAL);
	CHECK_CONTAINS(err, "invalid JSON");
	CHECK(parse("[]", NULL, &m, &err) == -EINVAL);
	CHECK(parse("{\"schemaVersion\":1}", NULL, &m, &err) == -EINVAL);
	CHECK_CONTAINS(err, "schema 1");
	CHECK(parse("{} x", NULL, &m, &err) == -EINVAL);
	CHECK_CONTAINS(err, "trailing");
	CHECK(parse("{\"mediaType\":\"application/"
		    "vnd.oci.image.manifest.v1+json\",\"config\":{\"digest\":\"sha256:x\",\"size\":1},\"layers\":[]}",
		    NULL, &m, &err) == -EINVAL);
	CHECK_CONTAINS(err, "not a sha256 digest");
	CHECK(parse("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"digest\":" D(
			"a") ",\"size\":-1},\"layers\":[]}",
		    NULL, &m, &err) == -EINVAL);
	CHECK_CONTAINS(err, "negative size");
	CHECK(
	    parse(
		"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/"
		"vnd.cncf.helm.config.v1+json\",\"digest\":" D("a") ",\"size\":1},\"layers\":[]}",
		NULL, &m, &err) == -EINVAL);
	CHECK_CONTAINS(err, "not a container image");
	CHECK(parse("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"digest\":" D(
			"a") ",\"size\":1},"
			     "\"layers\":[{\"mediaType\":\"text/plain\",\"digest\":" D("b") ",\"size\":1}]}",
		    NULL, &m, &err) == -EINVAL);
	CHECK_CONTAINS(err, "unsupported media type");
	CHECK(parse("{\"mediaType\":\"application/x-nope\"}", NULL, &m, &err) == -EINVAL);
	const char nul[] = "{\"a\":\"\0\"}";
	CHECK(manifest_parse(nul, sizeof(nul) - 1, NULL, &m, &err) == -EINVAL);
	CHECK_CONTAINS(err, "NUL");
}

TEST(image_config)
{
	struct image_config *c = NULL;
	cleanup_free char *err = NULL;
	const char ok[] = "{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\",\"rootfs\":{\"type\":"
			  "\"layers\",\"diff_ids\":[" D("d") "]}}";
	CHECK(image_config_parse(ok, strlen(ok), &c, &err) == 0);
	CHECK(c->n_diff_ids == 1);
	CHECK_STREQ(c->arch, "arm64");
	CHECK_STREQ(c->variant, "v8");
	image_config_free(c);
	const char bad1[] = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"x\"]}}";
	CHECK(image_config_parse(bad1, strlen(bad1), &c, &err) == -EINVAL);
	CHECK_CONTAINS(err, "diff_ids[0]");
	const char bad2[] = "{\"rootfs\":{\"type\":\"other\",\"diff_ids\":[]}}";
	CHECK(image_config_parse(bad2, strlen(bad2), &c, &err) == -EINVAL);
	const char bad3[] = "{}";
	CHECK(image_config_parse(bad3, strlen(bad3), &c, &err) == -EINVAL);
}

TAP_MAIN
