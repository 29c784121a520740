/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the layer tar reader (engine/image/tar.c): untrusted layers from
 * registries and archives. Build and run: see tests/fuzz/README.md.
 *
 * Contract checked besides memory safety: a failure carries a one-line message; every
 * entry has a non-empty path, a link target when it is a link, data only when regular,
 * and reading its data yields exactly its size. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/image/tar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct src {
	const uint8_t *p;
	size_t len, pos;
};

static ssize_t rd(void *ud, void *buf, size_t n)
{
	struct src *s = ud;
	if (n > s->len - s->pos)
		n = s->len - s->pos;
	/* Deliver short reads now and then, as a pipe would. */
	if (n > 7 && (s->pos & 3) == 1)
		n = 7;
	memcpy(buf, s->p + s->pos, n);
	s->pos += n;
	return (ssize_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct src s = {data, size, 0};
	struct tar_reader *tr = NULL;
	const struct tar_entry *e;
	char buf[4096];
	int r;
	if (tar_reader_new(rd, &s, NULL, &tr) < 0)
		return 0;
	while ((r = tar_reader_next(tr, &e)) > 0) {
		if (!e->path || !e->path[0])
			__builtin_trap();
		if ((e->type == TAR_LNK || e->type == TAR_SYM) && (!e->linkname || !e->linkname[0]))
			__builtin_trap();
		if (e->type != TAR_REG && e->size != 0)
			__builtin_trap();
		uint64_t got = 0;
		ssize_t n;
		while ((n = tar_reader_read(tr, buf, sizeof(buf))) > 0)
			got += (uint64_t)n;
		if (n == 0 && got != e->size)
			__builtin_trap();
		if (n < 0)
			break;
	}
	if (r < 0 && r != -ENOMEM) {
		const char *m = tar_reader_error(tr);
		if (!m || strchr(m, '\n'))
			__builtin_trap();
	}
	tar_reader_free(tr);
	return 0;
}
