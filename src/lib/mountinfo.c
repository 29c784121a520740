/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mountinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fs.h"

/* Decode the kernel's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash). */
static char *unescape(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
		    s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			out[o++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = 0;
	return out;
}

static void entry_done(struct mountinfo_entry *e)
{
	free(e->root);
	free(e->mountpoint);
	free(e->options);
	free(e->optional);
	free(e->fstype);
	free(e->source);
	free(e->super_options);
}

/* Split line into space-separated fields (at most max); returns the count. */
static size_t split_fields(const char *line, size_t len, const char **f, size_t *flen, size_t max)
{
	size_t n = 0, i = 0;
	while (i < len && n < max) {
		while (i < len && line[i] == ' ')
			i++;
		if (i >= len)
			break;
		size_t start = i;
		while (i < len && line[i] != ' ')
			i++;
		f[n] = line + start;
		flen[n] = i - start;
		n++;
	}
	return n;
}

static int parse_line(const char *line, size_t len, struct mountinfo_entry *e)
{
	const char *f[64];
	size_t fl[64], n, sep = 0;
	char num[32];

	n = split_fields(line, len, f, fl, ELEMENTSOF(f));
	for (size_t i = 6; i < n; i++)
		if (fl[i] == 1 && f[i][0] == '-') {
			sep = i;
			break;
		}
	if (n < 10 || sep == 0 || n < sep + 4)
		return -EINVAL;

	snprintf(num, sizeof(num), "%.*s", (int)fl[0], f[0]);
	e->id = atoi(num);
	snprintf(num, sizeof(num), "%.*s", (int)fl[1], f[1]);
	e->parent_id = atoi(num);
	snprintf(num, sizeof(num), "%.*s", (int)fl[2], f[2]);
	if (sscanf(num, "%u:%u", &e->major, &e->minor) != 2)
		return -EINVAL;

	e->root = unescape(f[3], fl[3]);
	e->mountpoint = unescape(f[4], fl[4]);
	e->options = strndup(f[5], fl[5]);
	if (sep > 6)
		e->optional = strndup(f[6], (size_t)(f[sep - 1] + fl[sep - 1] - f[6]));
	else
		e->optional = strdup("");
	e->fstype = unescape(f[sep + 1], fl[sep + 1]);
	e->source = unescape(f[sep + 2], fl[sep + 2]);
	e->super_options = strndup(f[sep + 3], fl[sep + 3]);
	if (!e->root || !e->mountpoint || !e->options || !e->optional || !e->fstype || !e->source || !e->super_options)
		return -ENOMEM;
	return 0;
}

int mountinfo_parse(const char *text, struct mountinfo *ret)
{
	struct mountinfo mi = {0};
	size_t cap = 0;

	for (const char *p = text; *p;) {
		const char *nl = strchrnul(p, '\n');
		size_t len = (size_t)(nl - p);
		if (len > 0) {
			if (mi.n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct mountinfo_entry *ne = realloc(mi.entries, ncap * sizeof(*ne));
				if (!ne) {
					mountinfo_done(&mi);
					return -ENOMEM;
				}
				mi.entries = ne;
				cap = ncap;
			}
			struct mountinfo_entry *e = &mi.entries[mi.n];
			memset(e, 0, sizeof(*e));
			mi.n++;
			int r = parse_line(p, len, e);
			if (r < 0) {
				mountinfo_done(&mi);
				return r;
			}
		}
		p = *nl ? nl + 1 : nl;
	}
	*ret = mi;
	return 0;
}

int mountinfo_read(const char *path, struct mountinfo *ret)
{
	cleanup_free char *text = NULL;
	int r = fs_read_file_at(AT_FDCWD, path ? path : "/proc/self/mountinfo", 0, &text, NULL);
	if (r < 0)
		return r;
	return mountinfo_parse(text, ret);
}

void mountinfo_done(struct mountinfo *mi)
{
	if (!mi)
		return;
	for (size_t i = 0; i < mi->n; i++)
		entry_done(&mi->entries[i]);
	free(mi->entries);
	mi->entries = NULL;
	mi->n = 0;
}

const struct mountinfo_entry *mountinfo_find_id(const struct mountinfo *mi, int id)
{
	for (size_t i = 0; i < mi->n; i++)
		if (mi->entries[i].id == id)
			return &mi->entries[i];
	return NULL;
}

bool mountinfo_has_tag(const struct mountinfo_entry *e, const char *tag)
{
	size_t tl = strlen(tag);
	for (const char *p = e->optional; *p;) {
		while (*p == ' ')
			p++;
		if (strncmp(p, tag, tl) == 0 && (p[tl] == ':' || p[tl] == ' ' || p[tl] == 0))
			return true;
		p = strchrnul(p, ' ');
	}
	return false;
}

bool mountinfo_opts_has(const char *opts, const char *opt)
{
	size_t ol = strlen(opt);
	for (const char *p = opts; p && *p;) {
		const char *end = strchrnul(p, ',');
		if ((size_t)(end - p) == ol && strncmp(p, opt, ol) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}
