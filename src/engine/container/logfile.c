/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/container/record.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

static const char *const stream_names[] = {"stdout", "stderr"};

int ctr_log_open(struct ctr_log *l, const char *path, int64_t max)
{
	l->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (l->fd < 0)
		return -errno;
	struct stat st;
	l->size = fstat(l->fd, &st) == 0 ? st.st_size : 0;
	l->max = max;
	l->len[0] = l->len[1] = 0;
	l->path = strdup(path);
	return l->path ? 0 : -ENOMEM;
}

static void rotate(struct ctr_log *l)
{
	cleanup_free char *old = NULL;
	if (asprintf(&old, "%s.1", l->path) < 0)
		return;
	if (rename(l->path, old) < 0)
		return;
	int fd = open(l->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	close(l->fd);
	l->fd = fd;
	l->size = 0;
}

static void entry(struct ctr_log *l, enum ctr_stream s, const char *data, size_t len)
{
	char ts[64];
	cu_fmt_rfc3339(ctr_now_ns(), ts);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "log", json_object_new_string_len(data, (int)len));
	json_object_object_add(o, "stream", json_object_new_string(stream_names[s]));
	json_object_object_add(o, "time", json_object_new_string(ts));
	size_t n = 0;
	const char *text =
	    json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (text) {
		if (l->max > 0 && l->size > 0 && l->size + (int64_t)n + 1 > l->max)
			rotate(l);
		/* One write per entry: readers never see half a line from us. */
		char *line = malloc(n + 1);
		if (line) {
			memcpy(line, text, n);
			line[n] = '\n';
			if (fs_write_all(l->fd, line, n + 1) == 0)
				l->size += (int64_t)n + 1;
			free(line);
		}
	}
	json_object_put(o);
}

void ctr_log_write(struct ctr_log *l, enum ctr_stream s, const char *data, size_t len)
{
	if (l->fd < 0)
		return;
	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t take = nl ? (size_t)(nl - data) + 1 : len;
		size_t room = CTR_LOG_LINE_MAX - l->len[s];
		if (take > room)
			take = room;
		memcpy(l->buf[s] + l->len[s], data, take);
		l->len[s] += take;
		data += take;
		len -= take;
		if (l->buf[s][l->len[s] - 1] == '\n' || l->len[s] == CTR_LOG_LINE_MAX) {
			entry(l, s, l->buf[s], l->len[s]);
			l->len[s] = 0;
		}
	}
}

void ctr_log_flush(struct ctr_log *l)
{
	for (int s = 0; s < 2; s++)
		if (l->fd >= 0 && l->len[s] > 0) {
			entry(l, (enum ctr_stream)s, l->buf[s], l->len[s]);
			l->len[s] = 0;
		}
}

void ctr_log_close(struct ctr_log *l)
{
	ctr_log_flush(l);
	l->fd = safe_close(l->fd);
	free(l->path);
	l->path = NULL;
}

/* ---- reading ---- */

/* "2024-05-01T12:00:00.123456789Z" -> ns (0 if it does not parse). */
static int64_t parse_time(const char *s)
{
	struct tm tm = {0};
	const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!p)
		return 0;
	int64_t ns = 0;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				ns = ns * 10 + (*p - '0');
		for (; digits < 9; digits++)
			ns *= 10;
	}
	return (int64_t)timegm(&tm) * 1000000000LL + ns;
}

struct reader {
	const struct ctr_log_read_opts *o;
	int64_t skip; /* entries still to skip (tail) */
};

static void emit(struct reader *rd, const char *line)
{
	cleanup_json json_object *e = json_tokener_parse(line);
	json_object *lg;
	if (!e || !json_object_object_get_ex(e, "log", &lg))
		return;
	const char *stream = ju_str(e, "stream"), *time_s = ju_str(e, "time");
	int64_t t = parse_time(time_s);
	/* --tail takes the last N entries, then --since/--until filter them (docker and
	 * podman): skip counted every entry, so it is spent before the time check. */
	if (rd->skip > 0) {
		rd->skip--;
		return;
	}
	if ((rd->o->since_ns && t < rd->o->since_ns) || (rd->o->until_ns && t > rd->o->until_ns))
		return;
	int fd = stream && STREQ(stream, "stderr") ? rd->o->err_fd : rd->o->out_fd;
	if (rd->o->timestamps && time_s) {
		char pre[80];
		int n = snprintf(pre, sizeof(pre), "%s ", time_s);
		fs_write_all(fd, pre, (size_t)n);
	}
	fs_write_all(fd, json_object_get_string(lg), (size_t)json_object_get_string_len(lg));
}

/* Reads complete lines from f; a trailing partial line is left for the next call (the
 * writer appends whole lines, so this only happens while following). */
static void drain(struct reader *rd, FILE *f, int64_t *count)
{
	char *line = NULL;
	size_t cap = 0;
	for (;;) {
		long pos = ftell(f);
		ssize_t n = getline(&line, &cap, f);
		if (n <= 0)
			break;
		if (line[n - 1] != '\n') {
			fseek(f, pos, SEEK_SET);
			break;
		}
		if (count)
			(*count)++;
		else
			emit(rd, line);
	}
	clearerr(f);
	free(line);
}

static int64_t count_entries(const char *path)
{
	cleanup_fclose FILE *f = fopen(path, "re");
	int64_t n = 0;
	if (f)
		drain(NULL, f, &n);
	return n;
}

int ctr_log_read(const char *path, const struct ctr_log_read_opts *o)
{
	cleanup_free char *old = NULL;
	struct reader rd = {.o = o};
	if (asprintf(&old, "%s.1", path) < 0)
		return -ENOMEM;
	if (o->tail >= 0) {
		int64_t total = count_entries(old) + count_entries(path);
		rd.skip = total > o->tail ? total - o->tail : 0;
	}
	{
		cleanup_fclose FILE *f1 = fopen(old, "re");
		if (f1)
			drain(&rd, f1, NULL);
	}
	FILE *f = fopen(path, "re");
	if (!f && errno != ENOENT)
		return log_error_errno(-errno, "Cannot read %s: %m", path);
	if (f)
		drain(&rd, f, NULL);
	while (o->follow) {
		bool alive = o->alive ? o->alive(o->userdata) : false;
		struct stat a, b;
		/* Rotated (or created) behind our back: finish the old file, open the new one. */
		if (stat(path, &a) == 0 && (!f || fstat(fileno(f), &b) < 0 || a.st_ino != b.st_ino)) {
			if (f) {
				drain(&rd, f, NULL);
				fclose(f);
			}
			f = fopen(path, "re");
		}
		if (f)
			drain(&rd, f, NULL);
		if (!alive)
			break;
		poll(NULL, 0, 100);
	}
	if (f)
		fclose(f);
	return 0;
}
