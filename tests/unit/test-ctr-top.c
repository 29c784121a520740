/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/container/top.c against a two-process "container": an init in a pid namespace of
 * its own (in a user namespace too when we are not root) and its child. Proves that exactly
 * the processes of that pid namespace are listed, sorted, with pids and parent pids as the
 * container sees them and the host pids next to them, that descriptors may be names, AIX
 * codes or one comma/space-separated word, and that an unknown one is -EINVAL. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/container/top.h"
#include "engine/container/util.h"
#include "tap.h"

static pid_t outer = -1; /* our child: it made the namespaces and forked the init */
static pid_t init_host = -1, child_host = -1;

/* outer: unshare, fork init (pid 1 there), report both host pids, wait to be killed. The
 * init forks a child (pid 2) and both sleep. */
static int start_container(int *ret_err)
{
	int p[2];
	if (pipe(p) < 0)
		return -errno;
	outer = fork();
	if (outer < 0)
		return -errno;
	if (outer == 0) {
		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int flags = CLONE_NEWPID | (geteuid() != 0 ? CLONE_NEWUSER : 0);
		pid_t pids[2] = {0, 0};
		if (unshare(flags) < 0) {
			pids[0] = -errno;
			if (write(p[1], pids, sizeof(pids)) < 0)
				_exit(1);
			_exit(1);
		}
		int q[2];
		if (pipe(q) < 0)
			_exit(1);
		pid_t init = fork();
		if (init == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			prctl(PR_SET_NAME, "kk-top-init");
			pid_t c = fork();
			if (c == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				prctl(PR_SET_NAME, "kk-top-child");
				for (;;)
					pause();
			}
			/* Tell outer our child's pid as the host sees it: via /proc is not
			 * possible from here, so outer looks it up by the init's children. */
			close(q[0]);
			if (write(q[1], "r", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		close(q[1]);
		char ch;
		if (init < 0 || read(q[0], &ch, 1) != 1)
			_exit(1);
		/* The init's only child, from /proc/INIT/task/INIT/children. */
		char path[64], buf[64] = "";
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)init, (int)init);
		for (int tries = 0; tries < 200 && !buf[0]; tries++) {
			FILE *f = fopen(path, "re");
			if (f) {
				if (!fgets(buf, sizeof(buf), f))
					buf[0] = 0;
				fclose(f);
			}
			if (!buf[0])
				usleep(10000);
		}
		pids[0] = init;
		pids[1] = (pid_t)atoi(buf);
		if (write(p[1], pids, sizeof(pids)) != sizeof(pids))
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	pid_t pids[2] = {0, 0};
	ssize_t n = read(p[0], pids, sizeof(pids));
	close(p[0]);
	if (n != sizeof(pids) || pids[0] <= 0 || pids[1] <= 0) {
		*ret_err = n == sizeof(pids) && pids[0] < 0 ? -pids[0] : EIO;
		kill(outer, SIGKILL);
		waitpid(outer, NULL, 0);
		outer = -1;
		return -1;
	}
	init_host = pids[0];
	child_host = pids[1];
	return 0;
}

static void stop_container(void)
{
	if (outer > 0) {
		kill(init_host, SIGKILL);
		kill(outer, SIGKILL);
		waitpid(outer, NULL, 0);
	}
	outer = -1;
}

static const char *cell(const struct ctr_top *t, size_t r, size_t c)
{
	return r < t->n_rows && c < t->n_cols ? t->rows[r][c] : NULL;
}

TEST(lists_exactly_the_namespace_in_pid_order)
{
	struct ctr_top t = {0};
	char *d[] = {"pid", "ppid", "hpid", "comm", "state", NULL};
	CHECK(ctr_top_collect(init_host, d, &t) == 0);
	CHECK(t.n_rows == 3 && t.n_cols == 5);
	if (t.n_rows == 3 && t.n_cols == 5) {
		CHECK_STREQ(cell(&t, 0, 0), "PID");
		CHECK_STREQ(cell(&t, 0, 1), "PPID");
		CHECK_STREQ(cell(&t, 0, 2), "HPID");
		CHECK_STREQ(cell(&t, 0, 3), "COMMAND");
		CHECK_STREQ(cell(&t, 1, 0), "1");
		CHECK_STREQ(cell(&t, 1, 1), "0"); /* its parent is outside */
		CHECK_STREQ(cell(&t, 1, 3), "kk-top-init");
		CHECK_STREQ(cell(&t, 2, 0), "2");
		CHECK_STREQ(cell(&t, 2, 1), "1");
		CHECK_STREQ(cell(&t, 2, 3), "kk-top-child");
		char h[32];
		snprintf(h, sizeof(h), "%d", (int)init_host);
		CHECK_STREQ(cell(&t, 1, 2), h);
		snprintf(h, sizeof(h), "%d", (int)child_host);
		CHECK_STREQ(cell(&t, 2, 2), h);
		CHECK(cell(&t, 1, 4) && strchr("SR", cell(&t, 1, 4)[0]));
	}
	ctr_top_free(&t);
	CHECK(t.rows == NULL && t.n_rows == 0);
}

TEST(descriptor_spellings)
{
	struct ctr_top t = {0};
	char *one_word[] = {"pid,ppid comm", NULL};
	CHECK(ctr_top_collect(init_host, one_word, &t) == 0);
	CHECK(t.n_cols == 3 && t.n_rows == 3);
	CHECK_STREQ(cell(&t, 0, 2), "COMMAND");
	ctr_top_free(&t);
	char *aix[] = {"%p", "%P", "%c", NULL};
	CHECK(ctr_top_collect(init_host, aix, &t) == 0);
	CHECK(t.n_cols == 3);
	CHECK_STREQ(cell(&t, 2, 0), "2");
	CHECK_STREQ(cell(&t, 2, 1), "1");
	CHECK_STREQ(cell(&t, 2, 2), "kk-top-child");
	ctr_top_free(&t);
	/* The default set: user pid ppid pcpu etime tty time args. */
	CHECK(ctr_top_collect(init_host, NULL, &t) == 0);
	CHECK(t.n_cols == 8);
	const char *hdr[] = {"USER", "PID", "PPID", "%CPU", "ELAPSED", "TTY", "TIME", "COMMAND"};
	for (size_t i = 0; i < 8 && t.n_cols == 8; i++)
		CHECK_STREQ(cell(&t, 0, i), hdr[i]);
	ctr_top_free(&t);
	char *empty[] = {NULL};
	CHECK(ctr_top_collect(init_host, empty, &t) == 0);
	CHECK(t.n_cols == 8);
	ctr_top_free(&t);
	/* Every known descriptor renders something for every process. */
	char *all[] = {"pid ppid pgid hpid user ruser uid group rgroup huser huid hgroup args comm etime time stime "
		       "tty nice vsz rss state pcpu label seccomp capeff capprm capbnd capinh capamb",
		       NULL};
	CHECK(ctr_top_collect(init_host, all, &t) == 0);
	CHECK(t.n_cols == 30 && t.n_rows == 3);
	for (size_t r = 0; r < t.n_rows; r++)
		for (size_t c = 0; c < t.n_cols; c++)
			CHECK(t.rows[r][c] && t.rows[r][c][0]);
	ctr_top_free(&t);
}

TEST(unknown_descriptor_and_dead_init)
{
	struct ctr_top t = {.n_rows = 99};
	char *bad[] = {"pid", "bogus", NULL};
	CHECK(ctr_top_collect(init_host, bad, &t) == -EINVAL);
	CHECK(t.n_rows == 99); /* untouched */
	/* A pid that does not exist. */
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	waitpid(c, NULL, 0);
	CHECK(ctr_top_collect(c, NULL, &t) == -ENOENT);
}

TEST(cleanup)
{
	stop_container();
	CHECK(outer < 0);
}

struct tap_test tap_tests[512];
int tap_n_tests;
int tap_cur_failed;

int main(void)
{
	int failed = 0, e = 0;
	if (start_container(&e) < 0) {
		printf("1..0 # SKIP cannot start a process in a new pid namespace (needs root or an unprivileged user "
		       "namespace; %s)\n",
		       strerror(e));
		return 0;
	}
	printf("1..%d\n", tap_n_tests);
	for (int i = 0; i < tap_n_tests; i++) {
		tap_cur_failed = 0;
		tap_tests[i].fn();
		printf("%sok %d - %s\n", tap_cur_failed ? "not " : "", i + 1, tap_tests[i].name);
		failed |= tap_cur_failed;
		fflush(stdout);
	}
	stop_container();
	return failed;
}
