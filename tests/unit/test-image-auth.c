/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/image/auth: WWW-Authenticate challenges, base64, credentials files (lookup order
 * of keys, legacy spellings, malformed files) and auth_store(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/image/auth.h"
#include "engine/image/registry.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "tap.h"

TEST(bearer_challenge)
{
	struct auth_challenge c[4];
	int n = auth_parse_challenges("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
				      "scope=\"repository:library/busybox:pull\"",
				      c, 4);
	CHECK(n == 1);
	if (n == 1) {
		CHECK_STREQ(c[0].scheme, "bearer");
		CHECK_STREQ(c[0].realm, "https://auth.docker.io/token");
		CHECK_STREQ(c[0].service, "registry.docker.io");
		CHECK_STREQ(c[0].scope, "repository:library/busybox:pull");
		auth_challenge_clear(&c[0]);
	}
}

TEST(several_challenges_and_quoting)
{
	struct auth_challenge c[4];
	int n =
	    auth_parse_challenges("Basic realm=\"a \\\"quoted\\\" realm\", Bearer realm=https://x/t,service=s", c, 4);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STREQ(c[0].scheme, "basic");
		CHECK_STREQ(c[0].realm, "a \"quoted\" realm");
		CHECK_STREQ(c[1].scheme, "bearer");
		CHECK_STREQ(c[1].realm, "https://x/t");
		CHECK_STREQ(c[1].service, "s");
		auth_challenge_clear(&c[0]);
		auth_challenge_clear(&c[1]);
	}
	CHECK(auth_parse_challenges("Basic realm=\"unterminated", c, 4) == -EINVAL);
	CHECK(auth_parse_challenges("", c, 4) == 0);
	CHECK(auth_parse_challenges("A, B, C, D, E", c, 4) == -E2BIG);
}

TEST(base64)
{
	cleanup_free char *e = auth_base64_encode("kkuser:kkpass", 13);
	CHECK_STREQ(e, "a2t1c2VyOmtrcGFzcw==");
	char *d = NULL;
	size_t n;
	CHECK(auth_base64_decode(e, &d, &n) == 0);
	CHECK(n == 13 && memcmp(d, "kkuser:kkpass", 13) == 0);
	free(d);
	CHECK(auth_base64_decode("a2t1*", &d, &n) == -EINVAL);
	CHECK(auth_base64_decode("a=b", &d, &n) == -EINVAL);
	cleanup_free char *e1 = auth_base64_encode("a", 1);
	CHECK_STREQ(e1, "YQ==");
}

static int lookup(const char *json, const char *reg, const char *repo, char **u, char **p)
{
	cleanup_free char *err = NULL;
	*u = *p = NULL;
	return auth_lookup_in(json, strlen(json), reg, repo, u, p, &err);
}

TEST(auth_file_lookup)
{
	char *u, *p;
	const char *f = "{\"auths\":{"
			"\"quay.io\":{\"auth\":\"dXNlcjpwYXNz\"},"
			"\"quay.io/org\":{\"auth\":\"b3JnOnNlY3JldDp3aXRoOmNvbG9ucw==\"},"
			"\"https://index.docker.io/v1/\":{\"auth\":\"ZDpk\"},"
			"\"r.example\":{\"username\":\"x\",\"password\":\"y\"}}}";
	CHECK(lookup(f, "quay.io", "other/repo", &u, &p) == 1);
	CHECK_STREQ(u, "user");
	CHECK_STREQ(p, "pass");
	free(u);
	free(p);
	CHECK(lookup(f, "quay.io", "org/repo", &u, &p) == 1);
	CHECK_STREQ(u, "org");
	CHECK_STREQ(p, "secret:with:colons");
	free(u);
	free(p);
	CHECK(lookup(f, "docker.io", "library/busybox", &u, &p) == 1);
	CHECK_STREQ(u, "d");
	free(u);
	free(p);
	CHECK(lookup(f, "r.example", NULL, &u, &p) == 1);
	CHECK_STREQ(p, "y");
	free(u);
	free(p);
	CHECK(lookup(f, "none.example", "x", &u, &p) == 0);
	CHECK(lookup("{}", "quay.io", NULL, &u, &p) == 0);
	CHECK(lookup("{\"auths\":[]}", "quay.io", NULL, &u, &p) == -EINVAL);
	CHECK(lookup("{\"auths\":{\"quay.io\":{\"auth\":\"!!\"}}}", "quay.io", NULL, &u, &p) == -EINVAL);
	CHECK(lookup("{\"auths\":{\"quay.io\":{\"auth\":\"bm9jb2xvbg==\"}}}", "quay.io", NULL, &u, &p) == -EINVAL);
	CHECK(lookup("not json", "quay.io", NULL, &u, &p) == -EINVAL);
}

TEST(auth_store_roundtrip)
{
	char dir[] = "/tmp/kk-test-auth-XXXXXX";
	char path[128];
	char *u, *p;
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/sub/auth.json", dir);
	CHECK(auth_store(path, "127.0.0.1:5000", "alice", "pw") == 0);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(auth_lookup(path, "127.0.0.1:5000", "x/y", &u, &p) == 1);
	CHECK_STREQ(u, "alice");
	CHECK_STREQ(p, "pw");
	free(u);
	free(p);
	CHECK(auth_store(path, "127.0.0.1:5000", NULL, NULL) == 0);
	CHECK(auth_lookup(path, "127.0.0.1:5000", NULL, &u, &p) == 0);
	CHECK(auth_store(path, "127.0.0.1:5000", NULL, NULL) == -ENOENT);
	fs_rm_rf(dir);
}

TAP_MAIN

/* registry_blob_should_reauth(): a blob 401 with a challenge gets exactly one retry with a
 * fresh token; other statuses, a 401 without WWW-Authenticate, or a second 401 do not. */
TEST(blob_reauth_decision)
{
	const char *www = "Bearer realm=\"https://auth.example/token\",service=\"reg\",scope=\"repository:a:pull\"";
	CHECK(registry_blob_should_reauth(401, www, 0));
	CHECK(!registry_blob_should_reauth(401, www, 1));
	CHECK(!registry_blob_should_reauth(401, NULL, 0));
	CHECK(!registry_blob_should_reauth(401, "", 0));
	CHECK(!registry_blob_should_reauth(403, www, 0));
	CHECK(!registry_blob_should_reauth(404, www, 0));
	CHECK(!registry_blob_should_reauth(200, www, 0));
}
