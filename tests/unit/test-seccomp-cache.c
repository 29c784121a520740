/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The compiled-filter cache: what the key covers, store/load, every reason a cache file is
 * not trusted, pruning, and seccomp_compile_cached() end to end (a cached filter behaves as
 * the compiled one). Prints the cold-compile and warm-load times of the default profile as
 * TAP comments (no timing assertions). */
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "oci/seccomp-profile.h"
#include "runtime/seccomp-cache.h"
#include "runtime/seccomp.h"
#include "tap.h"

static char *const default_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};

static char *make_tmpdir(void)
{
	char *d = strdup("/tmp/kk-test-seccomp-cache.XXXXXX");
	if (d && !mkdtemp(d)) {
		free(d);
		return NULL;
	}
	return d;
}

static void rm_tmpdir(char *d)
{
	if (d)
		fs_rm_rf(d);
	free(d);
}

/* A small spec with every kind of field. */
static char *names_a[] = {"getppid", "getpid", NULL};
static char *names_b[] = {"personality", NULL};
static char *arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", NULL};
static char *flags[] = {"SECCOMP_FILTER_FLAG_LOG", NULL};

static void small_spec(struct oci_seccomp *s, struct oci_seccomp_syscall sc[2], struct oci_seccomp_arg *arg)
{
	*arg = (struct oci_seccomp_arg){.index = 0, .value = 8, .op = OCI_SCMP_CMP_EQ};
	sc[0] = (struct oci_seccomp_syscall){.names = names_a, .action = OCI_SCMP_ACT_ALLOW};
	sc[1] = (struct oci_seccomp_syscall){.names = names_b,
					     .action = OCI_SCMP_ACT_ERRNO,
					     .has_errno_ret = true,
					     .errno_ret = 13,
					     .args = arg,
					     .n_args = 1};
	*s = (struct oci_seccomp){.present = true,
				  .default_action = OCI_SCMP_ACT_ALLOW,
				  .architectures = arches,
				  .syscalls = sc,
				  .n_syscalls = 2};
}

static void key_of(const struct oci_seccomp *s, char out[SHA256_HEX_SIZE])
{
	out[0] = 0;
	CHECK(seccomp_cache_key(s, out) == 0);
	CHECK(strlen(out) == SHA256_HEX_SIZE - 1);
}

TEST(key_covers_what_shapes_the_program)
{
	struct oci_seccomp s;
	struct oci_seccomp_syscall sc[2];
	struct oci_seccomp_arg arg;
	char k0[SHA256_HEX_SIZE], k[SHA256_HEX_SIZE];

	small_spec(&s, sc, &arg);
	key_of(&s, k0);
	key_of(&s, k);
	CHECK_STREQ(k, k0);

	/* Not part of the program: same key. */
	s.flags = flags;
	s.listener_path = "/run/agent.sock";
	s.listener_metadata = "x";
	key_of(&s, k);
	CHECK_STREQ(k, k0);

	/* Each of these changes the key. */
#define CHANGES(stmt, undo)                                                                                            \
	do {                                                                                                           \
		stmt;                                                                                                  \
		key_of(&s, k);                                                                                         \
		CHECK(strcmp(k, k0) != 0);                                                                             \
		undo;                                                                                                  \
	} while (0)
	CHANGES(s.default_action = OCI_SCMP_ACT_ERRNO, s.default_action = OCI_SCMP_ACT_ALLOW);
	CHANGES(s.has_default_errno_ret = true, s.has_default_errno_ret = false);
	CHANGES(s.architectures = NULL, s.architectures = arches);
	CHANGES(s.n_syscalls = 1, s.n_syscalls = 2);
	CHANGES(sc[0].names = names_b, sc[0].names = names_a);
	CHANGES(sc[1].action = OCI_SCMP_ACT_KILL, sc[1].action = OCI_SCMP_ACT_ERRNO);
	CHANGES(sc[1].errno_ret = 1, sc[1].errno_ret = 13);
	CHANGES(arg.value = 9, arg.value = 8);
	CHANGES(arg.value_two = 1, arg.value_two = 0);
	CHANGES(arg.index = 1, arg.index = 0);
	CHANGES(arg.op = OCI_SCMP_CMP_NE, arg.op = OCI_SCMP_CMP_EQ);
	/* Moving a name from one rule to the next is a different program. */
	char *n1[] = {"getppid", NULL}, *n2[] = {"getpid", "personality", NULL};
	CHANGES((sc[0].names = n1, sc[1].names = n2), (sc[0].names = names_a, sc[1].names = names_b));
#undef CHANGES
	key_of(&s, k);
	CHECK_STREQ(k, k0);
}

static const struct sock_filter prog4[4] = {
    {0x20, 0, 0, 4}, {0x15, 0, 1, 0xc000003e}, {0x06, 0, 0, 0x7fff0000}, {0x06, 0, 0, 0x80000000}};

#define KEY "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

TEST(store_and_load)
{
	char *tmp = make_tmpdir(), *dir = NULL, *file = NULL;
	struct sock_filter *insns = NULL;
	struct stat st;
	size_t n = 0;

	CHECK(tmp != NULL);
	if (!tmp)
		return;
	dir = seccomp_cache_dir(tmp);
	CHECK_STREQ(strstr(dir, "/.cache/seccomp"), "/.cache/seccomp");
	CHECK(seccomp_cache_load(dir, KEY, &insns, &n) == -ENOENT);
	CHECK(seccomp_cache_store(dir, KEY, prog4, 4) == 0);
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0700);
	CHECK(asprintf(&file, "%s/%s.bpf", dir, KEY) > 0);
	CHECK(stat(file, &st) == 0 && (st.st_mode & 07777) == 0600 && st.st_size == sizeof(prog4) &&
	      st.st_uid == geteuid());
	CHECK(seccomp_cache_load(dir, KEY, &insns, &n) == 0);
	CHECK(n == 4 && insns && memcmp(insns, prog4, sizeof(prog4)) == 0);
	free(insns);
	/* Keys are 64 hex digits and nothing else (no path components). */
	CHECK(seccomp_cache_load(dir, "../x", &insns, &n) == -EINVAL);
	CHECK(seccomp_cache_store(dir, "ABC", prog4, 4) == -EINVAL);
	CHECK(seccomp_cache_store(dir, KEY, prog4, 0) == -EINVAL);
	free(file);
	free(dir);
	rm_tmpdir(tmp);
}

TEST(untrusted_or_malformed_files_are_not_used)
{
	char *tmp = make_tmpdir(), *dir = NULL, *file = NULL, *other = NULL;
	struct sock_filter *insns = NULL;
	size_t n = 0;

	CHECK(tmp != NULL);
	if (!tmp)
		return;
	dir = seccomp_cache_dir(tmp);
	CHECK(seccomp_cache_store(dir, KEY, prog4, 4) == 0);
	CHECK(asprintf(&file, "%s/%s.bpf", dir, KEY) > 0);
	CHECK(asprintf(&other, "%s/other", dir) > 0);

	/* writable by others */
	CHECK(chmod(file, 0602) == 0);
	CHECK(seccomp_cache_load(dir, KEY, &insns, &n) == -EPERM);
	CHECK(chmod(file, 0620) == 0);
	CHECK(seccomp_cache_load(dir, KEY, &insns, &n) == -EPERM);
	CHECK(chmod(file, 0600) == 0);
	/* directory writable by the group */
	CHECK(chmod(dir, 0770) == 0);
	CHECK(seccomp_cache_load(dir, KEY, &insns, &n) == -EPERM);
	CHECK(seccomp_cache_store(dir, KEY, prog4, 4) == -EPERM);
	CHECK(chmod(dir, 0700) == 0);
	/* owned by someone else (needs CAP_CHOWN: as root) */
	if (chown(file, 65534, 65534) == 0) {
		CHECK(seccomp_cache_load(dir, KEY, &insns, &n) == -EPERM);
		CHECK(chown(file, geteuid(), getegid()) == 0);
	} else {
		printf("# owner check not exercised (not root)\n");
	}
	/* a symlink to a good file */
	CHECK(rename(file, other) == 0);
	CHECK(symlink(other, file) == 0);
	CHECK(seccomp_cache_load(dir, KEY, &insns, &n) == -EPERM);
	CHECK(unlink(file) == 0);
	/* not a multiple of sizeof(struct sock_filter), empty, or too long */
	CHECK(fs_write_atomic(file, (const char *)prog4, sizeof(prog4) - 1, 0600) == 0);
	CHECK(seccomp_cache_load(dir, KEY, &insns, &n) == -EBADMSG);
	CHECK(fs_write_atomic(file, "", 0, 0600) == 0);
	CHECK(seccomp_cache_load(dir, KEY, &insns, &n) == -EBADMSG);
	{
		size_t big = (BPF_MAXINSNS + 1) * sizeof(struct sock_filter);
		char *buf = calloc(1, big);
		CHECK(buf && fs_write_atomic(file, buf, big, 0600) == 0);
		CHECK(seccomp_cache_load(dir, KEY, &insns, &n) == -EBADMSG);
		free(buf);
	}
	/* a directory where the file should be */
	CHECK(unlink(file) == 0 && mkdir(file, 0700) == 0);
	CHECK(seccomp_cache_load(dir, KEY, &insns, &n) == -EPERM);
	CHECK(rmdir(file) == 0);
	/* the cache directory itself a symlink */
	{
		char *real = NULL;
		CHECK(asprintf(&real, "%s.real", dir) > 0);
		CHECK(rename(dir, real) == 0 && symlink(real, dir) == 0);
		CHECK(seccomp_cache_load(dir, KEY, &insns, &n) < 0);
		free(real);
	}
	free(file);
	free(other);
	free(dir);
	rm_tmpdir(tmp);
}

TEST(a_full_cache_is_cleared)
{
	char *tmp = make_tmpdir(), *dir = NULL;
	struct sock_filter *insns = NULL;
	size_t n = 0;
	char key[SHA256_HEX_SIZE];

	CHECK(tmp != NULL);
	if (!tmp)
		return;
	dir = seccomp_cache_dir(tmp);
	for (unsigned i = 0; i < SECCOMP_CACHE_MAX_ENTRIES; i++) {
		snprintf(key, sizeof(key), "%064x", i);
		CHECK(seccomp_cache_store(dir, key, prog4, 4) == 0);
	}
	snprintf(key, sizeof(key), "%064x", 0);
	CHECK(seccomp_cache_load(dir, key, &insns, &n) == 0);
	free(insns);
	CHECK(seccomp_cache_store(dir, KEY, prog4, 4) == 0);
	CHECK(seccomp_cache_load(dir, key, &insns, &n) == -ENOENT);
	CHECK(seccomp_cache_load(dir, KEY, &insns, &n) == 0);
	free(insns);
	free(dir);
	rm_tmpdir(tmp);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int default_oci(struct oci_seccomp *s)
{
	struct seccomp_profile *p = NULL;
	struct seccomp_profile_target t = {.caps = default_caps};
	int r = seccomp_profile_parse_string(seccomp_profile_default_json, "default", &p, NULL);
	if (r >= 0)
		r = seccomp_profile_target_native(&t);
	if (r >= 0)
		r = seccomp_profile_convert(p, &t, s);
	seccomp_profile_free(p);
	return r;
}

/* Exit status of a child that installs prog and checks two calls. */
static int behaves_like_default(struct seccomp_prog *prog)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_install(prog, NULL) < 0)
			_exit(90);
		if (syscall(SYS_getppid) < 0)
			_exit(91);
		if (syscall(SYS_keyctl, 0, 0, 0, 0, 0) >= 0 || errno != EPERM)
			_exit(92);
		if (syscall(1000) >= 0 || errno != ENOSYS)
			_exit(93);
		_exit(0);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* What the default profile adds to parsing config.json (best of 20 each). */
static double parse_delta_ms(const struct oci_seccomp *s)
{
	static const char head[] = "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"}, \"linux\": {";
	struct json_object *o = NULL;
	char *with = NULL, *without = NULL;
	double best[2] = {1e9, 1e9};

	if (seccomp_profile_oci_json(s, &o) < 0)
		return -1;
	if (asprintf(&with, "%s\"seccomp\": %s}}", head, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY)) <
	    0)
		with = NULL;
	json_object_put(o);
	if (!with || asprintf(&without, "%s}}", head) < 0) {
		free(with);
		return -1;
	}
	for (int i = 0; i < 40; i++) {
		struct oci_spec *spec = NULL;
		double t0 = now_ms();
		CHECK(spec_parse_string(i % 2 ? with : without, "config.json", &spec, NULL) == 0);
		double ms = now_ms() - t0;
		best[i % 2] = ms < best[i % 2] ? ms : best[i % 2];
		spec_free(spec);
	}
	free(with);
	free(without);
	return best[1] - best[0];
}

TEST(compile_cached_default_profile)
{
	char *tmp = make_tmpdir(), *dir = NULL;
	struct oci_seccomp s;
	struct seccomp_prog *prog = NULL;
	double cold = 1e9, warm = 1e9, key_ms = 1e9;
	char key[SHA256_HEX_SIZE];

	CHECK(tmp != NULL);
	if (!tmp)
		return;
	CHECK(default_oci(&s) == 0);
	dir = seccomp_cache_dir(tmp);

	/* Cold: a miss each time (the cache directory is emptied first). */
	for (int i = 0; i < 5; i++) {
		fs_rm_rf(dir);
		double t0 = now_ms();
		CHECK(seccomp_compile_cached(&s, dir, &prog) == 0);
		double ms = now_ms() - t0;
		cold = ms < cold ? ms : cold;
		CHECK(prog != NULL);
		seccomp_prog_free(prog);
		prog = NULL;
	}
	CHECK(seccomp_cache_key(&s, key) == 0);
	{
		struct sock_filter *insns = NULL;
		size_t n = 0;
		CHECK(seccomp_cache_load(dir, key, &insns, &n) == 0);
		printf("# default profile: %zu rules, %zu BPF instructions\n", s.n_syscalls, n);
		free(insns);
	}
	/* Warm: key, trust checks, read. */
	for (int i = 0; i < 20; i++) {
		double t0 = now_ms();
		CHECK(seccomp_compile_cached(&s, dir, &prog) == 0);
		double ms = now_ms() - t0;
		warm = ms < warm ? ms : warm;
		CHECK(prog != NULL);
		if (i < 19) {
			seccomp_prog_free(prog);
			prog = NULL;
		}
	}
	for (int i = 0; i < 20; i++) {
		double t0 = now_ms();
		CHECK(seccomp_cache_key(&s, key) == 0);
		double ms = now_ms() - t0;
		key_ms = ms < key_ms ? ms : key_ms;
	}
	printf("# seccomp_compile_cached, default profile: cold (compile + store) %.3f ms, warm (cache hit) "
	       "%.3f ms, of which the key %.3f ms (best of 5 / 20 / 20)\n",
	       cold, warm, key_ms);
	printf("# config.json parse: %.3f ms more with the default profile as linux.seccomp\n", parse_delta_ms(&s));
	/* The cached program is the compiled one. */
	CHECK(behaves_like_default(prog) == 0);
	seccomp_prog_free(prog);

	/* An untrusted entry is a miss: compiled again, and the result still right. */
	{
		char *file = NULL;
		CHECK(asprintf(&file, "%s/%s.bpf", dir, key) > 0);
		CHECK(chmod(file, 0666) == 0);
		prog = NULL;
		CHECK(seccomp_compile_cached(&s, dir, &prog) == 0);
		CHECK(behaves_like_default(prog) == 0);
		seccomp_prog_free(prog);
		free(file);
	}
	/* An unusable cache directory never makes compiling fail. */
	prog = NULL;
	CHECK(seccomp_compile_cached(&s, "/proc/kk-no-such-dir/seccomp", &prog) == 0);
	CHECK(behaves_like_default(prog) == 0);
	seccomp_prog_free(prog);
	seccomp_profile_oci_done(&s);
	free(dir);
	rm_tmpdir(tmp);
}

TAP_MAIN
