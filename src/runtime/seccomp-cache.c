/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "runtime/seccomp-cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

/* Bump when the way runtime/seccomp.c builds a program changes (filter attributes, rule
 * splitting), so programs built the old way are not reused. */
#define CACHE_FORMAT "kakuri-seccomp-bpf-v1"

#ifndef KAKURI_VERSION
#define KAKURI_VERSION "unknown"
#endif
#ifndef KAKURI_COMMIT
#define KAKURI_COMMIT "unknown"
#endif

char *seccomp_cache_dir(const char *root)
{
	char *p = NULL;

	if (asprintf(&p, "%s/.cache/seccomp", root) < 0)
		return NULL;
	return p;
}

/* --- the key: fixed-width little-endian integers, length-prefixed strings ----------------- */

static void put_u64(struct sha256_ctx *c, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	sha256_update(c, b, sizeof(b));
}

static void put_str(struct sha256_ctx *c, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	/* NULL and "" differ: absent strings are marked. */
	put_u64(c, s ? n : UINT64_MAX);
	sha256_update(c, s, n);
}

static void put_strv(struct sha256_ctx *c, char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	put_u64(c, v ? n : UINT64_MAX);
	for (size_t i = 0; i < n; i++)
		put_str(c, v[i]);
}

int seccomp_cache_key(const struct oci_seccomp *spec, char ret_key[SHA256_HEX_SIZE])
{
	const struct scmp_version *v = seccomp_version();
	struct sha256_ctx c;
	struct utsname u;
	uint8_t digest[SHA256_DIGEST_SIZE];

	if (uname(&u) < 0)
		return -errno;
	sha256_init(&c);
	put_str(&c, CACHE_FORMAT);
	put_str(&c, KAKURI_VERSION);
	put_str(&c, KAKURI_COMMIT);
	put_u64(&c, v ? v->major : 0);
	put_u64(&c, v ? v->minor : 0);
	put_u64(&c, v ? v->micro : 0);
	put_str(&c, u.machine);
	put_str(&c, u.release);

	put_u64(&c, (uint64_t)spec->default_action);
	put_u64(&c, spec->has_default_errno_ret);
	put_u64(&c, spec->default_errno_ret);
	put_strv(&c, spec->architectures);
	put_u64(&c, spec->n_syscalls);
	for (size_t i = 0; i < spec->n_syscalls; i++) {
		const struct oci_seccomp_syscall *sc = &spec->syscalls[i];

		put_strv(&c, sc->names);
		put_u64(&c, (uint64_t)sc->action);
		put_u64(&c, sc->has_errno_ret);
		put_u64(&c, sc->errno_ret);
		put_u64(&c, sc->n_args);
		for (size_t a = 0; a < sc->n_args; a++) {
			put_u64(&c, sc->args[a].index);
			put_u64(&c, sc->args[a].value);
			put_u64(&c, sc->args[a].value_two);
			put_u64(&c, (uint64_t)sc->args[a].op);
		}
	}
	sha256_final(&c, digest);
	sha256_hex(digest, ret_key);
	return 0;
}

/* --- files ------------------------------------------------------------------------------- */

/* Owned by us and writable by nobody else: anyone else who could write here could hand us
 * a filter of their choosing (or none worth the name) to install on the next container. */
static int check_trusted(int fd, bool want_dir)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		return -EPERM;
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return -EPERM;
	return 0;
}

static int open_trusted_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = check_trusted(fd, true);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

static bool key_is_sane(const char *key)
{
	size_t n = strspn(key, "0123456789abcdef");

	return n == SHA256_HEX_SIZE - 1 && !key[n];
}

int seccomp_cache_load(const char *dir, const char *key, struct sock_filter **ret, size_t *ret_n)
{
	cleanup_close int dfd = -EBADF, fd = -EBADF;
	cleanup_free struct sock_filter *insns = NULL;
	char name[SHA256_HEX_SIZE + 8];
	struct stat st;
	int r;

	if (!key_is_sane(key))
		return -EINVAL;
	dfd = open_trusted_dir(dir);
	if (dfd < 0)
		return dfd;
	snprintf(name, sizeof(name), "%s.bpf", key);
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? -EPERM : -errno;
	r = check_trusted(fd, false);
	if (r < 0)
		return r;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
	    st.st_size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
		return -EBADMSG;
	insns = malloc((size_t)st.st_size);
	if (!insns)
		return -ENOMEM;
	r = fs_read_exact(fd, insns, (size_t)st.st_size);
	if (r < 0)
		return r;
	*ret_n = (size_t)st.st_size / sizeof(struct sock_filter);
	*ret = TAKE_PTR(insns);
	return 0;
}

/* Removes every file of the directory once it holds max entries or more. */
static void prune(int dfd, size_t max)
{
	int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	size_t n = 0;

	if (!d) {
		safe_close(fd);
		return;
	}
	for (struct dirent *de; (de = readdir(d));)
		if (de->d_name[0] != '.')
			n++;
	if (n >= max) {
		log_debug("seccomp cache: %zu entries, clearing it", n);
		rewinddir(d);
		for (struct dirent *de; (de = readdir(d));)
			if (de->d_name[0] != '.')
				(void)unlinkat(dfd, de->d_name, 0);
	}
	closedir(d);
}

int seccomp_cache_store(const char *dir, const char *key, const struct sock_filter *insns, size_t n)
{
	cleanup_close int dfd = -EBADF;
	cleanup_free char *path = NULL;
	int r;

	if (!key_is_sane(key) || n == 0 || n > BPF_MAXINSNS)
		return -EINVAL;
	r = fs_mkdir_p(dir, 0700);
	if (r < 0)
		return r;
	dfd = open_trusted_dir(dir);
	if (dfd < 0)
		return dfd;
	prune(dfd, SECCOMP_CACHE_MAX_ENTRIES);
	if (asprintf(&path, "%s/%s.bpf", dir, key) < 0)
		return -ENOMEM;
	return fs_write_atomic(path, (const char *)insns, n * sizeof(*insns), 0600);
}
