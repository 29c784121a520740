/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scope-bound cleanup helpers (gcc/clang __attribute__((cleanup))).
 *
 *   cleanup_free char *s = strdup("x");     freed at scope exit
 *   cleanup_close int fd = -EBADF;          closed at scope exit if >= 0
 *   return TAKE_PTR(s);                     ownership leaves the scope
 */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define CLEANUP(fn) __attribute__((cleanup(fn)))

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void cleanup_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void cleanup_strvp(char ***v)
{
	if (*v) {
		for (char **i = *v; *i; i++)
			free(*i);
		free(*v);
	}
}

#define cleanup_free CLEANUP(cleanup_freep)
#define cleanup_close CLEANUP(cleanup_closep)
#define cleanup_fclose CLEANUP(cleanup_fclosep)
#define cleanup_strv CLEANUP(cleanup_strvp)

#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) take_ptr_tmp_ = (p);                                                 \
		(p) = NULL;                                                                        \
		take_ptr_tmp_;                                                                     \
	})

#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int take_fd_tmp_ = (fd);                                                           \
		(fd) = -EBADF;                                                                     \
		take_fd_tmp_;                                                                      \
	})

/* Close fd if valid; returns -EBADF so callers can write fd = safe_close(fd). */
static inline int safe_close(int fd)
{
	if (fd >= 0) {
		int saved = errno;
		close(fd);
		errno = saved;
	}
	return -EBADF;
}

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define STREQ(a, b) (strcmp((a), (b)) == 0)
