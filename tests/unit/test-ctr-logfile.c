/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/container/logfile.c: docker's json-file lines (log, stream, time), one entry per
 * output line, 16 KiB pieces, partial lines held per stream until a newline or a flush,
 * size-based rotation to ctr.log.1 at log_size_max, and reading back (both files, in order)
 * with --tail N, --timestamps, --since/--until and the two streams to their own fds. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/container/logfile.h"
#include "engine/container/record.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "tap.h"

static char tmp[PATH_MAX];
static char logp[PATH_MAX + 16], logp1[PATH_MAX + 32];
/* The writer is large (two 16 KiB buffers): static, not on the stack. */
static struct ctr_log lg;

static void setup(void)
{
	if (tmp[0])
		fs_rm_rf(tmp);
	snprintf(tmp, sizeof(tmp), "/tmp/kk-ctr-log-XXXXXX");
	if (!mkdtemp(tmp))
		abort();
	snprintf(logp, sizeof(logp), "%s/ctr.log", tmp);
	snprintf(logp1, sizeof(logp1), "%s/ctr.log.1", tmp);
}

static char *slurp(const char *path)
{
	char *d = NULL;
	if (fs_read_file_at(AT_FDCWD, path, 64u << 20, &d, NULL) < 0)
		return NULL;
	return d;
}

static off_t size_of(const char *path)
{
	struct stat s;
	return stat(path, &s) == 0 ? s.st_size : -1;
}

/* The file's lines, parsed (caller puts each); returns how many. */
static size_t parse_lines(const char *path, json_object **v, size_t max)
{
	cleanup_free char *d = slurp(path);
	size_t n = 0;
	char *save = NULL;
	for (char *l = d ? strtok_r(d, "\n", &save) : NULL; l && n < max; l = strtok_r(NULL, "\n", &save)) {
		v[n] = json_tokener_parse(l);
		CHECK(v[n] && json_object_is_type(v[n], json_type_object));
		n++;
	}
	return n;
}

static void put_all(json_object **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_object_put(v[i]);
}

static const char *log_of(json_object *e)
{
	return ju_str(e, "log");
}

/* ctr_log_read into two memfds; returns stdout's text (static), stderr's in *err. */
static char out_buf[1 << 20], err_buf[1 << 20];
static size_t out_len;
static int read_log(int64_t tail, bool timestamps, int64_t since, int64_t until)
{
	cleanup_close int o = memfd_create("out", MFD_CLOEXEC), e = memfd_create("err", MFD_CLOEXEC);
	struct ctr_log_read_opts opts = {
	    .tail = tail, .timestamps = timestamps, .since_ns = since, .until_ns = until, .out_fd = o, .err_fd = e};
	int r = ctr_log_read(logp, &opts);
	ssize_t n = pread(o, out_buf, sizeof(out_buf) - 1, 0);
	out_buf[n > 0 ? n : 0] = 0;
	out_len = n > 0 ? (size_t)n : 0;
	n = pread(e, err_buf, sizeof(err_buf) - 1, 0);
	err_buf[n > 0 ? n : 0] = 0;
	return r;
}

/* "2024-05-01T12:00:00.123456789Z": 30 characters, nanoseconds, UTC. */
static bool is_rfc3339_ns(const char *t)
{
	if (!t || strlen(t) != 30)
		return false;
	for (int i = 0; i < 30; i++) {
		char c = t[i];
		bool ok = i == 4 || i == 7     ? c == '-'
			  : i == 10	       ? c == 'T'
			  : i == 13 || i == 16 ? c == ':'
			  : i == 19	       ? c == '.'
			  : i == 29	       ? c == 'Z'
					       : c >= '0' && c <= '9';
		if (!ok)
			return false;
	}
	return true;
}

TEST(json_lines_one_entry_per_line)
{
	setup();
	char lo[64], hi[64];
	cu_fmt_rfc3339(ctr_now_ns() - 1000000000LL, lo);
	CHECK(ctr_log_open(&lg, logp, 0) == 0);
	ctr_log_write(&lg, CTR_STDOUT, "hello\nworld\n", 12);
	ctr_log_write(&lg, CTR_STDERR, "oops\n", 5);
	ctr_log_close(&lg);
	cu_fmt_rfc3339(ctr_now_ns() + 1000000000LL, hi);
	CHECK(lg.fd < 0 && lg.path == NULL);
	CHECK((size_of(logp) > 0));
	struct stat s;
	CHECK(stat(logp, &s) == 0 && (s.st_mode & 0777) == 0600);
	json_object *v[8];
	size_t n = parse_lines(logp, v, 8);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_STREQ(log_of(v[0]), "hello\n");
		CHECK_STREQ(ju_str(v[0], "stream"), "stdout");
		CHECK_STREQ(log_of(v[1]), "world\n");
		CHECK_STREQ(log_of(v[2]), "oops\n");
		CHECK_STREQ(ju_str(v[2], "stream"), "stderr");
		for (size_t i = 0; i < n; i++) {
			const char *t = ju_str(v[i], "time");
			CHECK(is_rfc3339_ns(t));
			CHECK(t && strcmp(t, lo) > 0 && strcmp(t, hi) < 0);
			CHECK(json_object_object_length(v[i]) == 3);
		}
	}
	put_all(v, n);
	/* Exactly docker's field order and spelling, one object per line. */
	cleanup_free char *raw = slurp(logp);
	CHECK(raw && strncmp(raw, "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"", 43) == 0);
}

TEST(partial_lines_wait_for_newline_or_flush)
{
	setup();
	CHECK(ctr_log_open(&lg, logp, 0) == 0);
	ctr_log_write(&lg, CTR_STDOUT, "par", 3);
	ctr_log_write(&lg, CTR_STDERR, "E1", 2);
	CHECK(size_of(logp) == 0);
	ctr_log_write(&lg, CTR_STDOUT, "tial\nnext", 9);
	ctr_log_write(&lg, CTR_STDERR, "\n", 1);
	json_object *v[8];
	size_t n = parse_lines(logp, v, 8);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STREQ(log_of(v[0]), "partial\n");
		CHECK_STREQ(log_of(v[1]), "E1\n");
		CHECK_STREQ(ju_str(v[1], "stream"), "stderr");
	}
	put_all(v, n);
	ctr_log_flush(&lg); /* "next" without its newline */
	n = parse_lines(logp, v, 8);
	CHECK(n == 3 && STREQ(log_of(v[2]), "next"));
	put_all(v, n);
	ctr_log_write(&lg, CTR_STDOUT, "tail", 4);
	ctr_log_close(&lg); /* close flushes too */
	n = parse_lines(logp, v, 8);
	CHECK(n == 4 && STREQ(log_of(v[3]), "tail"));
	put_all(v, n);
	/* Writing to a closed log is a no-op, not a crash. */
	ctr_log_write(&lg, CTR_STDOUT, "x\n", 2);
	ctr_log_flush(&lg);
}

TEST(long_lines_are_split_at_16k)
{
	setup();
	size_t len = CTR_LOG_LINE_MAX * 2 + 100;
	char *big = malloc(len + 1);
	CHECK(big != NULL);
	if (!big)
		return;
	for (size_t i = 0; i < len; i++)
		big[i] = (char)('a' + i % 26);
	big[len] = '\n';
	CHECK(ctr_log_open(&lg, logp, 0) == 0);
	ctr_log_write(&lg, CTR_STDOUT, big, len + 1);
	ctr_log_close(&lg);
	json_object *v[8];
	size_t n = parse_lines(logp, v, 8);
	CHECK(n == 3);
	if (n == 3) {
		CHECK(strlen(log_of(v[0])) == CTR_LOG_LINE_MAX && log_of(v[0])[CTR_LOG_LINE_MAX - 1] != '\n');
		CHECK(strlen(log_of(v[1])) == CTR_LOG_LINE_MAX);
		CHECK(strlen(log_of(v[2])) == 101 && log_of(v[2])[100] == '\n');
		CHECK(memcmp(log_of(v[1]), big + CTR_LOG_LINE_MAX, CTR_LOG_LINE_MAX) == 0);
	}
	put_all(v, n);
	/* Read back, the pieces join into the original line. */
	CHECK(read_log(-1, false, 0, 0) == 0);
	CHECK(out_len == len + 1 && memcmp(out_buf, big, len + 1) == 0);
	free(big);
}

/* Quotes, backslashes, control bytes, '/' (not escaped: docker writes it plainly), UTF-8. */
TEST(special_characters_survive)
{
	setup();
	static const char text[] = "q\"b\\s/t\tc\x01\x1b[0m \xc3\xa9\xe2\x82\xac\n";
	CHECK(ctr_log_open(&lg, logp, 0) == 0);
	ctr_log_write(&lg, CTR_STDOUT, text, sizeof(text) - 1);
	ctr_log_write(&lg, CTR_STDOUT, "nul\0byte\n", 9);
	ctr_log_close(&lg);
	cleanup_free char *raw = slurp(logp);
	CHECK_CONTAINS(raw, "s/t");
	CHECK(raw && strchr(raw, '\t') == NULL && strchr(raw, '\x1b') == NULL);
	json_object *v[4];
	size_t n = parse_lines(logp, v, 4);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STREQ(log_of(v[0]), text);
		json_object *l;
		CHECK(json_object_object_get_ex(v[1], "log", &l) && json_object_get_string_len(l) == 9 &&
		      memcmp(json_object_get_string(l), "nul\0byte\n", 9) == 0);
	}
	put_all(v, n);
	CHECK(read_log(-1, false, 0, 0) == 0);
	CHECK(out_len == sizeof(text) - 1 + 9);
	CHECK(memcmp(out_buf, text, sizeof(text) - 1) == 0);
	CHECK(memcmp(out_buf + sizeof(text) - 1, "nul\0byte\n", 9) == 0);
}

TEST(reading_back_with_tail_and_streams)
{
	setup();
	CHECK(ctr_log_open(&lg, logp, 0) == 0);
	for (int i = 1; i <= 5; i++) {
		char line[32];
		int k = snprintf(line, sizeof(line), "out%d\n", i);
		ctr_log_write(&lg, CTR_STDOUT, line, (size_t)k);
		if (i % 2 == 0) {
			k = snprintf(line, sizeof(line), "err%d\n", i);
			ctr_log_write(&lg, CTR_STDERR, line, (size_t)k);
		}
	}
	ctr_log_close(&lg);
	/* 7 entries: out1 out2 err2 out3 out4 err4 out5 */
	CHECK(read_log(-1, false, 0, 0) == 0);
	CHECK_STREQ(out_buf, "out1\nout2\nout3\nout4\nout5\n");
	CHECK_STREQ(err_buf, "err2\nerr4\n");
	CHECK(read_log(3, false, 0, 0) == 0);
	CHECK_STREQ(out_buf, "out4\nout5\n");
	CHECK_STREQ(err_buf, "err4\n");
	CHECK(read_log(1, false, 0, 0) == 0);
	CHECK_STREQ(out_buf, "out5\n");
	CHECK_STREQ(err_buf, "");
	CHECK(read_log(0, false, 0, 0) == 0);
	CHECK_STREQ(out_buf, "");
	CHECK_STREQ(err_buf, "");
	CHECK(read_log(100, false, 0, 0) == 0);
	CHECK_STREQ(out_buf, "out1\nout2\nout3\nout4\nout5\n");
}

TEST(timestamps_prefix_each_entry)
{
	setup();
	CHECK(ctr_log_open(&lg, logp, 0) == 0);
	ctr_log_write(&lg, CTR_STDOUT, "a\nb\n", 4);
	ctr_log_close(&lg);
	CHECK(read_log(-1, true, 0, 0) == 0);
	/* "TIME a\nTIME b\n", TIME the entry's own. */
	json_object *v[4];
	size_t n = parse_lines(logp, v, 4);
	CHECK(n == 2);
	if (n == 2) {
		char want[256];
		snprintf(want, sizeof(want), "%s a\n%s b\n", ju_str(v[0], "time"), ju_str(v[1], "time"));
		CHECK_STREQ(out_buf, want);
	}
	put_all(v, n);
	CHECK(read_log(1, true, 0, 0) == 0);
	CHECK(strlen(out_buf) == 30 + 1 + 2 && is_rfc3339_ns(strndupa(out_buf, 30)));
}

static void write_entry(int fd, const char *log, const char *time)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "{\"log\":\"%s\",\"stream\":\"stdout\",\"time\":\"%s\"}\n", log, time);
	CHECK(fs_write_all(fd, line, (size_t)n) == 0);
}

TEST(since_and_until_select_by_entry_time)
{
	setup();
	cleanup_close int fd = open(logp, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	write_entry(fd, "one\\n", "2024-05-01T12:00:00.000000001Z");
	write_entry(fd, "two\\n", "2024-05-01T12:00:01.5Z");
	write_entry(fd, "three\\n", "2024-05-01T12:00:03.000000000Z");
	/* 2024-05-01T12:00:00Z = 1714564800 */
	int64_t base = 1714564800LL * 1000000000LL;
	CHECK(read_log(-1, false, base + 2, 0) == 0);
	CHECK_STREQ(out_buf, "two\nthree\n");
	CHECK(read_log(-1, false, 0, base + 1500000000LL) == 0);
	CHECK_STREQ(out_buf, "one\ntwo\n");
	CHECK(read_log(-1, false, base + 1, base + 1) == 0);
	CHECK_STREQ(out_buf, "one\n");
	/* --tail takes the file's last entries first, then the time filters apply (docker's
	 * and podman's order). */
	CHECK(read_log(1, false, 0, base + 2000000000LL) == 0);
	CHECK_STREQ(out_buf, "");
	CHECK(read_log(1, false, base + 2, 0) == 0);
	CHECK_STREQ(out_buf, "three\n");
	CHECK(read_log(2, false, base + 2000000000LL, 0) == 0);
	CHECK_STREQ(out_buf, "three\n");
	CHECK(read_log(2, false, base + 2, base + 2000000000LL) == 0);
	CHECK_STREQ(out_buf, "two\n");
}

/* Junk lines (a crash mid-write from some other writer, garbage) are skipped; a last line
 * without its newline is not an entry yet. */
TEST(reader_skips_bad_lines)
{
	setup();
	cleanup_close int fd = open(logp, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	write_entry(fd, "good\\n", "2024-05-01T12:00:00Z");
	CHECK(fs_write_all(fd, "not json\n{\"stream\":\"stdout\"}\n[]\n", 32) == 0);
	write_entry(fd, "also\\n", "bad time");
	CHECK(fs_write_all(fd, "{\"log\":\"half", 12) == 0);
	CHECK(read_log(-1, false, 0, 0) == 0);
	CHECK_STREQ(out_buf, "good\nalso\n");
	/* No log at all: nothing, no error. */
	setup();
	CHECK(read_log(-1, false, 0, 0) == 0);
	CHECK_STREQ(out_buf, "");
	CHECK(read_log(5, true, 0, 0) == 0);
	CHECK_STREQ(out_buf, "");
}

/* Rotation: when the next entry would pass max, ctr.log becomes ctr.log.1 (replacing it). */
TEST(rotation_at_log_size_max)
{
	setup();
	const int64_t max = 2048;
	CHECK(ctr_log_open(&lg, logp, max) == 0);
	int lines = 200;
	for (int i = 0; i < lines; i++) {
		char line[64];
		int k = snprintf(line, sizeof(line), "line %03d\n", i);
		ctr_log_write(&lg, CTR_STDOUT, line, (size_t)k);
		CHECK(size_of(logp) <= max);
		CHECK(lg.size == size_of(logp));
	}
	ctr_log_close(&lg);
	CHECK(size_of(logp) > 0 && size_of(logp) <= max);
	CHECK(size_of(logp1) > max - 100 && size_of(logp1) <= max); /* full when rotated */
	/* Only two files: older entries are gone, the rest read back in order. */
	char logp2[PATH_MAX + 32];
	snprintf(logp2, sizeof(logp2), "%s/ctr.log.2", tmp);
	CHECK(size_of(logp2) < 0);
	json_object *v[64], *w[64];
	size_t n1 = parse_lines(logp1, v, 64), n0 = parse_lines(logp, w, 64);
	CHECK(n1 > 0 && n0 > 0);
	CHECK(n1 + n0 < (size_t)lines);
	if (n0 > 0)
		CHECK_STREQ(log_of(w[n0 - 1]), "line 199\n");
	char want_first[32];
	snprintf(want_first, sizeof(want_first), "line %03zu\n", (size_t)lines - n0 - n1);
	if (n1 > 0)
		CHECK_STREQ(log_of(v[0]), want_first);
	put_all(v, n1);
	put_all(w, n0);
	/* Reading stitches .1 and the current file together; tail reaches across both. */
	CHECK(read_log(-1, false, 0, 0) == 0);
	cleanup_free char *all = NULL;
	for (size_t i = (size_t)lines - n0 - n1; i < (size_t)lines; i++) {
		char line[32], *nall = NULL;
		snprintf(line, sizeof(line), "line %03zu\n", i);
		CHECK(asprintf(&nall, "%s%s", all ? all : "", line) > 0);
		free(all);
		all = nall;
	}
	CHECK_STREQ(out_buf, all);
	size_t t = n0 + 2;
	CHECK(read_log((int64_t)t, false, 0, 0) == 0);
	char want[64];
	snprintf(want, sizeof(want), "line %03zu\nline %03zu\n", (size_t)lines - t, (size_t)lines - t + 1);
	CHECK(strncmp(out_buf, want, strlen(want)) == 0);
	CHECK(strlen(out_buf) == t * 9);
}

/* Reopening continues the size count (the monitor of a restarted container appends). */
TEST(reopen_counts_the_existing_size)
{
	setup();
	CHECK(ctr_log_open(&lg, logp, 0) == 0);
	ctr_log_write(&lg, CTR_STDOUT, "first run\n", 10);
	ctr_log_close(&lg);
	off_t before = size_of(logp);
	CHECK(ctr_log_open(&lg, logp, before + 10) == 0);
	CHECK(lg.size == before);
	ctr_log_write(&lg, CTR_STDOUT, "second run\n", 11); /* would pass max: rotates first */
	ctr_log_close(&lg);
	CHECK(size_of(logp1) == before);
	json_object *v[4];
	size_t n = parse_lines(logp, v, 4);
	CHECK(n == 1 && STREQ(log_of(v[0]), "second run\n"));
	put_all(v, n);
	CHECK(read_log(-1, false, 0, 0) == 0);
	CHECK_STREQ(out_buf, "first run\nsecond run\n");
}

/* An entry larger than max still goes into an empty file (rather than rotating forever). */
TEST(entry_larger_than_max)
{
	setup();
	CHECK(ctr_log_open(&lg, logp, 100) == 0);
	char line[300];
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	ctr_log_write(&lg, CTR_STDOUT, line, sizeof(line));
	CHECK(size_of(logp) > 300 && size_of(logp1) < 0);
	ctr_log_write(&lg, CTR_STDOUT, "y\n", 2);
	CHECK(size_of(logp1) > 300 && size_of(logp) < 100);
	ctr_log_close(&lg);
}

/* The log path is in the bundle: a symlink planted there is not followed. */
TEST(open_refuses_a_symlink)
{
	setup();
	char target[PATH_MAX + 16];
	snprintf(target, sizeof(target), "%s/elsewhere", tmp);
	CHECK(symlink(target, logp) == 0);
	CHECK(ctr_log_open(&lg, logp, 0) == -ELOOP);
	CHECK(size_of(target) < 0);
	snprintf(target, sizeof(target), "%s/nodir/ctr.log", tmp);
	CHECK(ctr_log_open(&lg, target, 0) == -ENOENT);
}

static int polls;
static bool alive_twice(void *userdata)
{
	(void)userdata;
	return ++polls < 3;
}

/* --follow returns once the writer is gone, after reading what is there. */
TEST(follow_stops_when_the_writer_is_gone)
{
	setup();
	CHECK(ctr_log_open(&lg, logp, 0) == 0);
	ctr_log_write(&lg, CTR_STDOUT, "f1\n", 3);
	ctr_log_close(&lg);
	cleanup_close int o = memfd_create("out", MFD_CLOEXEC);
	struct ctr_log_read_opts opts = {.tail = -1, .follow = true, .alive = alive_twice, .out_fd = o, .err_fd = o};
	polls = 0;
	CHECK(ctr_log_read(logp, &opts) == 0);
	CHECK(polls == 3);
	char buf[64] = "";
	ssize_t n = pread(o, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = 0;
	CHECK_STREQ(buf, "f1\n");
}

TEST(cleanup_scratch)
{
	CHECK(fs_rm_rf(tmp) == 0);
}

TAP_MAIN
