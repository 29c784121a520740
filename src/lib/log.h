/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging. Messages go to stderr (text) or to --log FILE in text or JSON-lines form
 * ({"level":…,"msg":…,"time":…}, as containerd parses runc logs).
 *
 * log_*_errno(r, fmt, ...) sets errno = -r for %m and returns -abs(r), so the idiom is
 *   return log_error_errno(r, "Failed to mount '%s': %m", path);
 *
 * In a forked child the sink is switched to capture mode: the last error message is kept
 * in a buffer (log_captured()) so the child can send it to the parent, which prints it once.
 * lib/ and oci/ code never logs above debug.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

/* Opens FILE for appending (O_CLOEXEC). path NULL restores stderr. Returns 0 or -errno. */
int log_open(const char *path, enum log_format format);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_set_program(const char *name);
/* Capture mode: errors are stored instead of written; debug/info still go to the log file
 * when one is open (stderr is left to the container). */
void log_set_capture(bool capture);
const char *log_captured(void);
/* Also write errors to stderr when a log file is set (runc does both for the CLI). */
void log_set_stderr_too(bool on);
bool log_debug_enabled(void);

int log_internal(enum log_level level, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int log_internalv(enum log_level level, int error, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#define log_debug(...) ((void)(log_debug_enabled() ? log_internal(LOG_LEVEL_DEBUG, 0, __VA_ARGS__) : 0))
#define log_info(...) ((void)log_internal(LOG_LEVEL_INFO, 0, __VA_ARGS__))
#define log_warn(...) ((void)log_internal(LOG_LEVEL_WARN, 0, __VA_ARGS__))
#define log_error(...) ((void)log_internal(LOG_LEVEL_ERROR, 0, __VA_ARGS__))
#define log_debug_errno(r, ...) log_internal(LOG_LEVEL_DEBUG, (r), __VA_ARGS__)
#define log_warn_errno(r, ...) log_internal(LOG_LEVEL_WARN, (r), __VA_ARGS__)
#define log_error_errno(r, ...) log_internal(LOG_LEVEL_ERROR, (r), __VA_ARGS__)
