/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;
static enum log_format log_fmt = LOG_FORMAT_TEXT;
static enum log_level log_min = LOG_LEVEL_WARN;
static const char *log_prog = "kakuri";
static bool log_capture_on;
static bool log_stderr_too = true;
static char log_capture_buf[4096];

int log_open(const char *path, enum log_format format)
{
	log_fmt = format;
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	if (!path)
		return 0;
	log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd < 0)
		return -errno;
	return 0;
}

void log_set_level(enum log_level level)
{
	log_min = level;
}

enum log_level log_get_level(void)
{
	return log_min;
}

void log_set_program(const char *name)
{
	log_prog = name;
}

void log_set_capture(bool capture)
{
	log_capture_on = capture;
	log_capture_buf[0] = 0;
}

const char *log_captured(void)
{
	return log_capture_buf;
}

void log_set_stderr_too(bool on)
{
	log_stderr_too = on;
}

bool log_debug_enabled(void)
{
	return log_min <= LOG_LEVEL_DEBUG;
}

static const char *level_name(enum log_level l)
{
	switch (l) {
	case LOG_LEVEL_DEBUG:
		return "debug";
	case LOG_LEVEL_INFO:
		return "info";
	case LOG_LEVEL_WARN:
		return "warning";
	default:
		return "error";
	}
}

static size_t json_escape(char *out, size_t n, const char *s)
{
	size_t o = 0;
	for (; *s && o + 7 < n; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, n - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = 0;
	return o;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		buf += w;
		len -= (size_t)w;
	}
}

static void emit_file(enum log_level level, const char *msg)
{
	char line[8192];
	int n;
	if (log_fmt == LOG_FORMAT_JSON) {
		char esc[6144], ts[64];
		struct timespec now;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		json_escape(esc, sizeof(esc), msg);
		n = snprintf(line, sizeof(line), "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s.%09ldZ\"}\n",
			     level_name(level), esc, ts, now.tv_nsec);
	} else {
		n = snprintf(line, sizeof(line), "%s[%d]: %s: %s\n", log_prog, (int)getpid(), level_name(level),
			     msg);
	}
	if (n > 0)
		write_all(log_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

int log_internalv(enum log_level level, int error, const char *fmt, va_list ap)
{
	int saved = errno;
	int r = error < 0 ? error : -error;
	char msg[4096];

	if (level < log_min && !(log_capture_on && level == LOG_LEVEL_ERROR)) {
		errno = saved;
		return r;
	}
	if (error != 0)
		errno = -r;
	vsnprintf(msg, sizeof(msg), fmt, ap);

	if (log_capture_on && level == LOG_LEVEL_ERROR) {
		snprintf(log_capture_buf, sizeof(log_capture_buf), "%s", msg);
		if (log_fd >= 0)
			emit_file(level, msg);
		errno = saved;
		return r;
	}
	if (log_fd >= 0)
		emit_file(level, msg);
	if (log_fd < 0 || (log_stderr_too && level >= LOG_LEVEL_ERROR && !log_capture_on)) {
		char line[4200];
		int n = snprintf(line, sizeof(line), "%s: %s%s\n", log_prog,
				 level == LOG_LEVEL_WARN ? "warning: " : "", msg);
		if (n > 0)
			write_all(STDERR_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	}
	errno = saved;
	return r;
}

int log_internal(enum log_level level, int error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = log_internalv(level, error, fmt, ap);
	va_end(ap);
	return r;
}
