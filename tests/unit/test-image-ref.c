/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/image/reference and digest: name[:tag][@digest] parsing, short-name defaults,
 * registry detection, validation of every part. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/image/digest.h"
#include "engine/image/reference.h"
#include "lib/cleanup.h"
#include "tap.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void expect(const char *in, const char *def, const char *reg, const char *repo, const char *tag, const char *dig)
{
	struct image_ref *r = NULL;
	const char *why = NULL;
	int k = image_ref_parse(in, def, &r, &why);
	CHECK(k == 0);
	if (k < 0) {
		printf("#   %s: %s\n", in, why ? why : "?");
		return;
	}
	CHECK_STREQ(r->registry, reg);
	CHECK_STREQ(r->repository, repo);
	if (tag)
		CHECK_STREQ(r->tag, tag);
	else
		CHECK(r->tag == NULL);
	if (dig)
		CHECK_STREQ(r->digest, dig);
	else
		CHECK(r->digest == NULL);
	image_ref_free(r);
}

static void bad(const char *in, const char *phrase)
{
	struct image_ref *r = NULL;
	const char *why = NULL;
	CHECK(image_ref_parse(in, NULL, &r, &why) == -EINVAL);
	CHECK(r == NULL);
	if (phrase)
		CHECK_CONTAINS(why, phrase);
}

TEST(short_names_get_docker_io_and_library)
{
	expect("busybox", NULL, "docker.io", "library/busybox", "latest", NULL);
	expect("busybox:1.36", NULL, "docker.io", "library/busybox", "1.36", NULL);
	expect("user/app", NULL, "docker.io", "user/app", "latest", NULL);
	expect("index.docker.io/library/alpine:3", NULL, "docker.io", "library/alpine", "3", NULL);
	expect("foo", "localhost", "localhost", "foo", "latest", NULL);
}

TEST(registries_are_detected)
{
	expect("localhost/foo", NULL, "localhost", "foo", "latest", NULL);
	expect("localhost:5000/foo/bar:v1", NULL, "localhost:5000", "foo/bar", "v1", NULL);
	expect("127.0.0.1:5055/kk/multi:1", NULL, "127.0.0.1:5055", "kk/multi", "1", NULL);
	expect("quay.io/org/repo", NULL, "quay.io", "org/repo", "latest", NULL);
	expect("[::1]:5000/x", NULL, "[::1]:5000", "x", "latest", NULL);
	expect("Registry/x", NULL, "Registry", "x", "latest", NULL); /* upper case: a host */
}

TEST(digests)
{
	expect("busybox@sha256:" D64, NULL, "docker.io", "library/busybox", NULL, "sha256:" D64);
	expect("r.io/a:t@sha256:" D64, NULL, "r.io", "a", "t", "sha256:" D64);
	bad("busybox@sha256:abc", "invalid digest");
	bad("busybox@sha512:" D64, "invalid digest");
	bad("busybox@sha256:"
	    "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	    "invalid digest");
	CHECK(digest_valid("sha256:" D64));
	CHECK(!digest_valid("sha256:" D64 "0"));
	CHECK(!digest_valid(NULL));
	CHECK(digest_is_hex_prefix("abcd"));
	CHECK(!digest_is_hex_prefix(""));
	CHECK(!digest_is_hex_prefix("xyz"));
}

TEST(invalid_names)
{
	bad("", "empty");
	bad("Busybox", "lowercase");
	bad("foo/Bar", "lowercase");
	bad("foo:", "invalid tag");
	bad("foo:-x", "invalid tag");
	bad("a//b", "invalid repository");
	bad("-a", "invalid repository");
	bad("a-", "invalid repository");
	bad("a..b", "invalid repository");
	bad("a___b", "invalid repository");
	bad("host:99999999/x", "invalid registry");
	bad("localhost/", "missing repository");
	expect("a__b", NULL, "docker.io", "library/a__b", "latest", NULL);
	expect("a--b.c_d", NULL, "docker.io", "library/a--b.c_d", "latest", NULL);
}

TEST(names_print_back)
{
	struct image_ref *r = NULL;
	CHECK(image_ref_parse("127.0.0.1:5000/x/y:t", NULL, &r, NULL) == 0);
	cleanup_free char *n = image_ref_name(r), *repo = image_ref_repo(r);
	CHECK_STREQ(n, "127.0.0.1:5000/x/y:t");
	CHECK_STREQ(repo, "127.0.0.1:5000/x/y");
	CHECK(!image_ref_is_local(r));
	image_ref_free(r);
	CHECK(image_ref_parse("localhost/z", NULL, &r, NULL) == 0);
	CHECK(image_ref_is_local(r));
	image_ref_free(r);
	CHECK_STREQ(image_ref_api_host("docker.io"), "registry-1.docker.io");
	CHECK_STREQ(image_ref_api_host("quay.io"), "quay.io");
	CHECK(image_ref_is_short("busybox"));
	CHECK(image_ref_is_short("user/app"));
	CHECK(!image_ref_is_short("quay.io/x"));
}

TAP_MAIN
