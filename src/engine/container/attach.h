/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The monitor's client protocol, over SOCK_SEQPACKET (one message = one record, the first
 * byte its type). The CLI that starts a container gets one end of a socketpair as its
 * first client; later clients (`attach`, `start -a`) connect to userdata/attach and say
 * hello first.
 *
 *   monitor → client   'S' PID      the container is running (init pid, decimal)
 *                      'E' TEXT     the start failed: TEXT is the message to print
 *                      'O' BYTES    container stdout (all output with a terminal)
 *                      'R' BYTES    container stderr
 *                      'X' CODE     the container exited (decimal exit code), last message
 *   client → monitor   'H' FLAGS    hello (attach socket only): any of "i" (will send stdin),
 *                                   "o" (wants output)
 *                      'I' BYTES    stdin data
 *                      'C'          stdin is at EOF (the monitor closes the container's stdin)
 *                      'W' "R C"    terminal size rows, columns
 *                      'K' SIG      send signal SIG to the container's init (sig-proxy)
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CTR_MSG_MAX (32 * 1024)

enum {
	CTR_MSG_STARTED = 'S',
	CTR_MSG_ERROR = 'E',
	CTR_MSG_STDOUT = 'O',
	CTR_MSG_STDERR = 'R',
	CTR_MSG_EXIT = 'X',
	CTR_MSG_HELLO = 'H',
	CTR_MSG_STDIN = 'I',
	CTR_MSG_STDIN_EOF = 'C',
	CTR_MSG_RESIZE = 'W',
	CTR_MSG_SIGNAL = 'K',
};

/* Sends one message (len <= CTR_MSG_MAX - 1). Blocking; -EPIPE when the peer is gone. */
int ctr_msg_send(int fd, char type, const void *data, size_t len);

/* Connects to DIR/attach through /proc/self/fd (the path may be longer than sun_path) and
 * says hello. Returns the socket. */
int ctr_attach_connect(const char *userdata, bool send_stdin);

struct ctr_relay_opts {
	bool send_stdin;    /* forward our stdin */
	bool tty;	    /* raw mode on our terminal, window size updates */
	bool sig_proxy;	    /* forward SIGINT/SIGTERM/… to the container (non-tty) */
	bool until_started; /* return after 'S' (run -d) */
	/* Detach sequence on a tty (ctrl-p ctrl-q); 0 bytes: none. */
	const char *detach_keys;
};

/* Relays until the container exits ('X'): returns its exit code (>= 0). A start error
 * ('E') is printed and returns -EIO; a detach returns -EAGAIN; a lost monitor -EPIPE.
 * With until_started, returns 0 once 'S' arrives (*ret_pid set when non-NULL). */
int ctr_attach_relay(int sock, const struct ctr_relay_opts *o, pid_t *ret_pid);

/* Terminal helpers (also used by exec -t). Our terminal's size (stdin, else stdout); false
 * when neither is a terminal. */
bool ctr_tty_size(unsigned short *ret_rows, unsigned short *ret_cols);
int ctr_tty_raw(int fd, void **ret_saved); /* saved state to restore; caller frees */
void ctr_tty_restore(int fd, void *saved);
/* Relays between our stdin/stdout and a pty master until the master hangs up or stop_fd
 * (may be -1) becomes readable. */
int ctr_pty_relay(int master, int stop_fd);
