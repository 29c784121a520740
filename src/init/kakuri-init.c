/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri-init: the tiny init `kakuri run --init` puts at pid 1 (bind-mounted read-only at
 * /run/kakuri-init and prepended to process.args), in the spirit of tini and catatonit:
 *
 *   kakuri-init [--] COMMAND [ARG...]
 *
 *  - runs COMMAND as its child, in a process group of its own (the foreground group of the
 *    terminal, if there is one);
 *  - forwards every signal it gets to that process group (SIGCHLD excepted), so that
 *    `kakuri stop` (SIGTERM to pid 1) reaches a program that, as pid 1 of the namespace,
 *    would have ignored it (the kernel drops signals without a handler sent to a
 *    namespace's init);
 *  - reaps every zombie re-parented to it (orphans of the command's children);
 *  - exits with the command's status: its exit code, or 128+N when signal N killed it.
 *
 * Standalone and linked statically: it runs inside any image, with no libc of the image's,
 * and links nothing from the engine. Signals are blocked and taken with sigtimedwait(): a
 * blocked signal is never "ignored" by the kernel's pid-1 rule (sig_ignored() checks the
 * blocked mask first), which is what lets it receive SIGTERM at all. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define EXIT_INIT 125 /* our own failure, before the command ran */
#define NAME	  "kakuri-init"

static int status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

/* The child: its own process group, the terminal's foreground (so ^C and job control act on
 * it, not on us), default signal dispositions, then exec. */
static _Noreturn void run_child(char **argv, const sigset_t *orig)
{
	setpgid(0, 0);
	if (isatty(STDIN_FILENO)) {
		/* tcsetpgrp from a background group sends SIGTTOU: ignore it for the call. */
		signal(SIGTTOU, SIG_IGN);
		tcsetpgrp(STDIN_FILENO, getpgrp());
		signal(SIGTTOU, SIG_DFL);
	}
	sigprocmask(SIG_SETMASK, orig, NULL);
	execvp(argv[0], argv);
	int e = errno;
	fprintf(stderr, NAME ": cannot run '%s': %s\n", argv[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

/* Reaps every child that has exited; returns true once the command has (its status in
 * *code). */
static bool reap(pid_t child, int *code)
{
	bool done = false;
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);
		if (p <= 0) {
			if (p < 0 && errno == EINTR)
				continue;
			break; /* 0: others still run; ECHILD: nothing left */
		}
		if (p == child) {
			*code = status_code(st);
			done = true;
		}
	}
	return done;
}

int main(int argc, char **argv)
{
	sigset_t all, orig;
	int code = 0;

	int first = 1;
	if (argc > 1 && strcmp(argv[1], "--") == 0)
		first = 2;
	if (first >= argc) {
		fprintf(stderr, "usage: " NAME " [--] COMMAND [ARG...]\n");
		return EXIT_INIT;
	}
	/* Not pid 1 (tests, or a runtime that starts us elsewhere): still reap the orphans. */
	if (getpid() != 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

	sigfillset(&all);
	/* Faults must stay deliverable (they would otherwise kill us silently or loop). */
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGABRT);
	sigdelset(&all, SIGTRAP);
	sigdelset(&all, SIGSYS);
	if (sigprocmask(SIG_SETMASK, &all, &orig) < 0) {
		fprintf(stderr, NAME ": sigprocmask failed: %s\n", strerror(errno));
		return EXIT_INIT;
	}
	pid_t child = fork();
	if (child < 0) {
		fprintf(stderr, NAME ": fork failed: %s\n", strerror(errno));
		return EXIT_INIT;
	}
	if (child == 0)
		run_child(argv + first, &orig);
	/* Both sides set the group: whichever runs first, the group exists before any signal
	 * is forwarded to it. */
	setpgid(child, child);

	for (;;) {
		/* A timeout bounds the time an unnoticed SIGCHLD (coalesced) leaves zombies. */
		struct timespec ts = {.tv_sec = 1};
		siginfo_t si;
		int sig = sigtimedwait(&all, &si, &ts);
		if (sig < 0) {
			if (errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, NAME ": sigtimedwait failed: %s\n", strerror(errno));
				return EXIT_INIT;
			}
		} else if (sig != SIGCHLD) {
			/* The whole group, as a terminal would signal it; the command alone if the
			 * group is gone (it may have made groups of its own). */
			if (kill(-child, sig) < 0)
				kill(child, sig);
		}
		if (reap(child, &code))
			return code;
	}
}
