/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct line {
	char label[80];
	uint64_t done, total;
	const char *state; /* NULL while running */
	bool started;
};

struct progress {
	bool tty, quiet;
	size_t n;
	struct line *l;
	int drawn; /* lines printed by the last redraw */
	double start, last;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress *progress_new(size_t n, bool quiet)
{
	struct progress *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->l = calloc(n ? n : 1, sizeof(*p->l));
	if (!p->l) {
		free(p);
		return NULL;
	}
	p->n = n;
	p->quiet = quiet;
	p->tty = !quiet && isatty(STDERR_FILENO) && getenv("TERM") && strcmp(getenv("TERM"), "dumb") != 0;
	p->start = now();
	return p;
}

static void human(uint64_t n, char *buf, size_t len)
{
	static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)n;
	size_t i = 0;
	while (v >= 1024 && i + 1 < sizeof(u) / sizeof(u[0])) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

static void redraw(struct progress *p, bool force)
{
	double t = now();
	if (!p->tty || (!force && t - p->last < 0.1))
		return;
	p->last = t;
	if (p->drawn)
		fprintf(stderr, "\033[%dA", p->drawn);
	int drawn = 0;
	for (size_t i = 0; i < p->n; i++) {
		struct line *l = &p->l[i];
		if (!l->started)
			continue;
		char a[32], b[32], rate[32] = "";
		human(l->done, a, sizeof(a));
		human(l->total, b, sizeof(b));
		fprintf(stderr, "\r\033[KCopying %s ", l->label);
		if (l->state) {
			fprintf(stderr, "%s\n", l->state);
		} else {
			int width = 30, fill = l->total ? (int)((double)l->done / (double)l->total * width) : 0;
			if (fill > width)
				fill = width;
			double el = t - p->start;
			if (el > 0.2) {
				human((uint64_t)((double)l->done / el), rate, sizeof(rate));
				strcat(rate, "/s");
			}
			fprintf(stderr, "[%.*s%s%*s] %s / %s %s\n", fill > 0 ? fill - 1 : 0,
				"==============================", fill > 0 ? ">" : "", width - fill, "", a,
				l->total ? b : "?", rate);
		}
		drawn++;
	}
	p->drawn = drawn;
	fflush(stderr);
}

void progress_start(struct progress *p, size_t i, const char *label, uint64_t total)
{
	if (!p || i >= p->n)
		return;
	snprintf(p->l[i].label, sizeof(p->l[i].label), "%s", label);
	p->l[i].total = total;
	p->l[i].started = true;
	redraw(p, true);
}

void progress_update(struct progress *p, size_t i, uint64_t done)
{
	if (!p || i >= p->n)
		return;
	p->l[i].done = done;
	redraw(p, false);
}

void progress_end(struct progress *p, size_t i, const char *state)
{
	if (!p || i >= p->n)
		return;
	p->l[i].state = state;
	p->l[i].started = true;
	if (p->tty)
		redraw(p, true);
	else if (!p->quiet)
		fprintf(stderr, "Copying %s %s\n", p->l[i].label, state);
}

void progress_message(struct progress *p, const char *fmt, ...)
{
	va_list ap;
	if (!p || p->quiet)
		return;
	if (p->tty && p->drawn) {
		/* Messages go below the finished bars; the bars are not redrawn after. */
		p->drawn = 0;
	}
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void progress_free(struct progress *p)
{
	if (!p)
		return;
	free(p->l);
	free(p);
}
