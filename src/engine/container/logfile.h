/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container logs: docker's json-file format, one JSON object per line,
 *   {"log":"hello\n","stream":"stdout","time":"2024-05-01T12:00:00.123456789Z"}
 * one entry per output line (a line longer than 16 KiB is split, the pieces without "\n").
 * Size-based rotation: when the next entry would take ctr.log past max bytes, ctr.log
 * becomes ctr.log.1 (replacing the previous one) and a new ctr.log is started; readers
 * read ctr.log.1, then ctr.log. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTR_LOG_LINE_MAX (16 * 1024)

enum ctr_stream { CTR_STDOUT = 0, CTR_STDERR = 1 };

struct ctr_log {
	int fd;
	char *path;
	int64_t size, max; /* max <= 0: no rotation */
	char buf[2][CTR_LOG_LINE_MAX];
	size_t len[2];
};

/* Opens (appending, creating) path. */
int ctr_log_open(struct ctr_log *l, const char *path, int64_t max);
/* Adds output; complete lines are written at once, the rest is kept until a newline, 16
 * KiB or ctr_log_flush(). */
void ctr_log_write(struct ctr_log *l, enum ctr_stream s, const char *data, size_t len);
void ctr_log_flush(struct ctr_log *l);
void ctr_log_close(struct ctr_log *l);

struct ctr_log_read_opts {
	bool follow, timestamps;
	int64_t tail;		    /* < 0: all */
	int64_t since_ns, until_ns; /* 0: unbounded */
	/* follow: called between polls; returns false when the writer is gone for good. */
	bool (*alive)(void *userdata);
	void *userdata;
	int out_fd, err_fd;
};

/* Prints the log at path (and path.1) to out_fd/err_fd. */
int ctr_log_read(const char *path, const struct ctr_log_read_opts *o);
