/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "transfer.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

#define PEND_PAUSE   (8u << 20) /* buffered for an unpacker: pause the download above this */
#define PEND_RESUME  (1u << 20) /* … and resume below this */

static size_t pending(const struct xfer *x)
{
	return x->pend_len - x->pend_off;
}

/* Writes what the pipe takes now; returns -EPIPE when the unpacker has gone. */
static int flush_pending(struct xfer *x)
{
	while (pending(x) > 0) {
		ssize_t n = write(x->pipe_fd, x->pend + x->pend_off, pending(x));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -errno;
		}
		x->pend_off += (size_t)n;
	}
	x->pend_len = x->pend_off = 0;
	return 0;
}

static int push_pending(struct xfer *x, const char *p, size_t len)
{
	if (pending(x) == 0) {
		x->pend_len = x->pend_off = 0;
		/* Fast path: straight into the pipe. */
		ssize_t n;
		do
			n = write(x->pipe_fd, p, len);
		while (n < 0 && errno == EINTR);
		if (n < 0 && errno != EAGAIN)
			return -errno;
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		}
		if (len == 0)
			return 0;
	}
	if (x->pend_off > 0 && x->pend_off == x->pend_len)
		x->pend_len = x->pend_off = 0;
	if (x->pend_len + len > x->pend_cap) {
		if (x->pend_off > 0) {
			memmove(x->pend, x->pend + x->pend_off, pending(x));
			x->pend_len -= x->pend_off;
			x->pend_off = 0;
		}
		if (x->pend_len + len > x->pend_cap) {
			size_t nc = (x->pend_len + len) * 2;
			char *np = realloc(x->pend, nc);
			if (!np)
				return -ENOMEM;
			x->pend = np;
			x->pend_cap = nc;
		}
	}
	memcpy(x->pend + x->pend_len, p, len);
	x->pend_len += len;
	return 0;
}

/* KAKURI_PULL_TEST_ABORT_AFTER=BYTES (tests only): every blob transfer fails like a dropped
 * connection once this process has received BYTES of it, leaving its partial behind. */
static uint64_t test_abort_after;

void xfer_set_test_abort(uint64_t bytes)
{
	test_abort_after = bytes;
}

/* A Range request answered with the whole blob (200) means starting over; a 206 must start
 * where we asked. */
static bool xfer_check_status(struct xfer *x)
{
	long st = 0;
	x->status_seen = true;
	if (x->offset == 0)
		return true;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &st);
	if (st == 206) {
		if (x->range_start == (int64_t)x->offset)
			return true;
		snprintf(x->err, sizeof(x->err), "blob %s: asked for bytes from %llu, the registry sent %lld on",
			 x->digest, (unsigned long long)x->offset, (long long)x->range_start);
		x->keep = false;
		return false;
	}
	log_debug("blob %s: the registry answered %ld to a Range request; downloading from the start", x->digest,
		  st);
	if (ftruncate(x->blob_fd, 0) < 0) {
		snprintf(x->err, sizeof(x->err), "blob %s: cannot truncate the partial download: %s", x->digest,
			 strerror(errno));
		return false;
	}
	sha256_init(&x->sha);
	x->got = x->offset = 0;
	return true;
}

static size_t xfer_header(char *buf, size_t sz, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = sz * n;
	if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		free(x->www_auth);
		x->www_auth = NULL;
		x->range_start = -1;
	} else if (len > 17 && strncasecmp(buf, "www-authenticate:", 17) == 0) {
		const char *v = buf + 17;
		size_t vl = len - 17;
		while (vl > 0 && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
			vl--;
		free(x->www_auth);
		x->www_auth = strndup(v, vl);
	} else if (len > 14 && strncasecmp(buf, "content-range:", 14) == 0) {
		unsigned long long start;
		char *t = strndup(buf + 14, len - 14);
		if (t && sscanf(t, " bytes %llu-", &start) == 1)
			x->range_start = (int64_t)start;
		free(t);
	}
	return len;
}

static size_t xfer_write(char *p, size_t sz, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = sz * n;
	if (!x->status_seen && !xfer_check_status(x)) {
		x->failed = true;
		return 0;
	}
	if (x->size >= 0 && x->got + len > (uint64_t)x->size) {
		snprintf(x->err, sizeof(x->err),
			 "blob %s: the registry sent more than the %lld bytes the manifest lists", x->digest,
			 (long long)x->size);
		x->failed = true;
		x->keep = false;
		return 0;
	}
	sha256_update(&x->sha, p, len);
	if (fs_write_all(x->blob_fd, p, len) < 0) {
		snprintf(x->err, sizeof(x->err), "blob %s: cannot write to the store: %s", x->digest, strerror(errno));
		x->failed = true;
		return 0;
	}
	if (x->pipe_fd >= 0) {
		int r = push_pending(x, p, len);
		if (r < 0) {
			/* The unpacker stopped (it refused the layer): its report says why. */
			x->pipe_fd = safe_close(x->pipe_fd);
			x->failed = true;
			x->keep = false;
			return 0;
		}
		if (pending(x) > PEND_PAUSE && !x->paused) {
			x->paused = true;
			curl_easy_pause(x->h, CURLPAUSE_RECV);
		}
	}
	x->got += len;
	x->session += len;
	progress_update(x->prog, x->idx, x->got);
	if (test_abort_after > 0 && x->session >= test_abort_after) {
		snprintf(x->err, sizeof(x->err), "blob %s: aborted after %llu bytes (KAKURI_PULL_TEST_ABORT_AFTER)",
			 x->digest, (unsigned long long)x->session);
		x->failed = true;
		return 0;
	}
	return len;
}

/* A handle for the rest of x's blob: from x->got on (a Range request when > 0). */
int xfer_open_handle(struct xfer *x, struct registry *reg)
{
	x->h = registry_blob_handle(reg, x->digest, x->got);
	if (!x->h)
		return -ENOMEM;
	x->offset = x->got;
	x->status_seen = false;
	x->range_start = -1;
	curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, xfer_write);
	curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->h, CURLOPT_HEADERFUNCTION, xfer_header);
	curl_easy_setopt(x->h, CURLOPT_HEADERDATA, x);
	return 0;
}

/* A 401 on a blob (an expired token in a long pull): one new token, and the same request
 * again. Nothing of the 401's body reached xfer_write (CURLOPT_FAILONERROR). */
static bool xfer_reauth(struct xfer *x, struct registry *reg, CURLM *m, CURLcode result)
{
	long st = 0;
	if (result != CURLE_HTTP_RETURNED_ERROR)
		return false;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &st);
	if (!registry_blob_should_reauth(st, x->www_auth, x->reauths))
		return false;
	x->reauths++;
	curl_multi_remove_handle(m, x->h);
	curl_easy_cleanup(x->h);
	x->h = NULL;
	if (registry_reauthenticate(reg, x->www_auth) < 0 || xfer_open_handle(x, reg) < 0) {
		snprintf(x->err, sizeof(x->err), "blob %s: HTTP 401, and authenticating again failed", x->digest);
		x->keep = true;
		return false;
	}
	curl_multi_add_handle(m, x->h);
	return true;
}

/* Runs every transfer that has a handle and is not done to completion. Returns 0, or -EIO
 * if any failed (its err is set). */
int xfer_run_all(struct xfer *xs, size_t n, struct registry *reg)
{
	CURLM *m = curl_multi_init();
	struct curl_waitfd *extra = calloc(n + 1, sizeof(*extra));
	struct xfer **which = calloc(n + 1, sizeof(*which));
	int running = 0, r = 0;
	if (!m || !extra || !which) {
		curl_multi_cleanup(m);
		free(extra);
		free(which);
		return -ENOMEM;
	}
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, MAX_PARALLEL);
	for (size_t i = 0; i < n; i++)
		if (xs[i].h && !xs[i].done)
			curl_multi_add_handle(m, xs[i].h);
	for (;;) {
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		int q;
		while ((msg = curl_multi_info_read(m, &q))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			/* msg dies with its handle, which a re-authentication replaces. */
			CURLcode res = msg->data.result;
			CURL *eh = msg->easy_handle;
			for (size_t i = 0; i < n; i++)
				if (xs[i].h == eh) {
					if (xfer_reauth(&xs[i], reg, m, res))
						break;
					xs[i].done = true;
					xs[i].code = res;
					if (res != CURLE_OK)
						xs[i].failed = true;
				}
		}
		size_t ne = 0;
		bool busy = running > 0;
		for (size_t i = 0; i < n; i++) {
			struct xfer *x = &xs[i];
			if (x->pipe_fd < 0)
				continue;
			if (x->failed) {
				x->pipe_fd = safe_close(x->pipe_fd);
				continue;
			}
			if (pending(x) > 0) {
				extra[ne] = (struct curl_waitfd){.fd = x->pipe_fd, .events = CURL_WAIT_POLLOUT};
				which[ne++] = x;
				busy = true;
			} else if (x->done) {
				/* Everything delivered: EOF tells the unpacker the stream ended. */
				x->pipe_fd = safe_close(x->pipe_fd);
			}
		}
		if (!busy)
			break;
		curl_multi_poll(m, extra, (unsigned)ne, 10, NULL);
		for (size_t i = 0; i < ne; i++) {
			/* Try every waiting pipe: a pipe whose reader died reports POLLERR, which
			 * curl does not pass on; the write then fails with EPIPE. */
			struct xfer *x = which[i];
			if (flush_pending(x) < 0) {
				x->pipe_fd = safe_close(x->pipe_fd);
				x->failed = true;
				x->keep = false;
				curl_multi_remove_handle(m, x->h);
				x->done = true;
				continue;
			}
			if (x->paused && pending(x) < PEND_RESUME) {
				x->paused = false;
				curl_easy_pause(x->h, CURLPAUSE_CONT);
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (xs[i].h)
			curl_multi_remove_handle(m, xs[i].h);
		if (xs[i].failed)
			r = -EIO;
	}
	curl_multi_cleanup(m);
	free(extra);
	free(which);
	return r;
}
