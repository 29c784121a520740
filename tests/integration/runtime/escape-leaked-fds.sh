#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Escape class: leaked host fds and a cwd outside the root (CVE-2024-21626).
# runc leaked a host cgroupfs directory fd into the container; process.cwd
# "/proc/self/fd/N" then put the process in the host's mount namespace. Here: that cwd for
# several N (directly, and through an image symlink), for run and for exec, must fail or
# stay inside the container; and the fds of the init (/proc/1/fd) and of exec'd processes
# (/proc/self/fd) must be 0, 1, 2 only: nothing from the runtime, no host directory.
. "$(dirname "$0")/../../lib.sh"

# check_cwd_attempt RT ID-TAG BUNDLE CWD: run with process.cwd CWD; it must fail, or run
# inside the container (pwd is a path of the container, /etc/hostname is the image's).
check_cwd_attempt() {
	local run=$1 b=$3 cwd=$4 id
	id=$(new_id "$2")
	jq_config "$b" '.process.cwd = $c' --arg c "$cwd" || return
	set_args "$b" sh -c 'pwd; cat /etc/hostname; ls -d ../../../../../../etc/kk-host-marker 2>/dev/null || echo no-host-marker'
	capture "$run" run -b "$b" "$id"
	if [ "$RC" = 0 ]; then
		assert_not_contains "$OUT" unreachable "pwd with process.cwd $cwd" || return
		assert_contains "$OUT" no-host-marker "the host's /etc is not reachable from cwd $cwd" || return
		assert_contains "$OUT" kakuri "the container's /etc/hostname from cwd $cwd"
	elif is_kakuri; then
		assert_contains "$ERR" "process.cwd" "the error for process.cwd $cwd names the field"
	fi
}

cwd_proc_fd() { # RT [--rootless]
	local run=$1 b n
	b=$(new_bundle ${2:-}) || return
	for n in 3 4 5 6 7 8 9 10 15 20; do
		check_cwd_attempt "$run" "fd$n" "$b" "/proc/self/fd/$n" || return
	done
	check_cwd_attempt "$run" thread "$b" "/proc/thread-self/fd/4" || return
	check_cwd_attempt "$run" pid1 "$b" "/proc/1/fd/5" || return
	# The same magic link reached through a symlink the image ships.
	ln -s /proc/self/fd/5 "$b/rootfs/kk-cwd-link"
	check_cwd_attempt "$run" link "$b" /kk-cwd-link
}

test_cwd_proc_self_fd_root() {
	touch /etc/kk-host-marker
	defer rm -f /etc/kk-host-marker
	cwd_proc_fd rt
}

test_cwd_proc_self_fd_rootless() {
	need_rootless || return 0
	touch /etc/kk-host-marker
	defer rm -f /etc/kk-host-marker
	cwd_proc_fd rl_rt --rootless
}

test_exec_cwd_proc_self_fd() {
	local b id n
	b=$(new_bundle) || return
	id=$(new_id)
	must rt run -d -b "$b" "$id" || return
	for n in 3 4 5 6 7 8 9 10; do
		capture rt exec --cwd "/proc/self/fd/$n" "$id" sh -c 'pwd; cat /etc/hostname'
		if [ "$RC" = 0 ]; then
			assert_not_contains "$OUT" unreachable "exec pwd with cwd /proc/self/fd/$n" || return
			assert_contains "$OUT" kakuri "exec with cwd /proc/self/fd/$n sees the container's /etc" || return
		fi
	done
}

# check_fds WHAT OUT: only 0, 1, 2.
check_fds() {
	local extra
	extra=$(awk '$1 !~ /^[012]$/' <<<"$2")
	[ -z "$extra" ] && [ -n "$2" ] && return 0
	fail "$1 has fds other than 0-2"
	_kk_show fds "$2"
	return 1
}

fd_scan() { # RT [--rootless]
	local run=$1 b id out
	b=$(new_bundle ${2:-}) || return
	install_helper "$b" kk-escape || return 0
	id=$(new_id)
	# The init is a shell; a child lists pid 1's fds once the container runs, to the
	# stdout run -d handed over (the capture's file: no redirection in the shell, which
	# would park a copy of its stdout on fd 10).
	set_args "$b" sh -c 'kk-escape fds 1; echo scan-done; sleep 3600'
	must "$run" run -d -b "$b" "$id" || return
	local n=0 outf=$OUTF
	while ! grep -q scan-done "$outf" 2>/dev/null && [ $n -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	out=$(grep -v scan-done "$outf")
	check_fds "the container init (pid 1, run -d)" "$out" || return
	assert_not_contains "$out" cgroup "fds of pid 1" || return
	# An exec'd process, and pid 1 seen from it.
	capture "$run" exec "$id" kk-escape fds self
	assert_ok "exec fd scan" || return
	check_fds "a process started by exec" "$OUT" || return
	capture "$run" exec "$id" kk-escape fds 1
	assert_ok "exec scan of /proc/1/fd" || return
	check_fds "pid 1 seen from an exec'd process" "$OUT" || return
	# run (not detached): the init's own fds.
	b=$(new_bundle ${2:-}) || return
	install_helper "$b" kk-escape || return 0
	id=$(new_id)
	set_args "$b" kk-escape fds self
	capture "$run" run -b "$b" "$id"
	assert_ok "run fd scan" || return
	check_fds "the init of run" "$OUT"
}

test_fd_scan_root() {
	fd_scan rt
}

test_fd_scan_rootless() {
	need_rootless || return 0
	fd_scan rl_rt --rootless
}

# A runtime started with extra fds open (a careless engine): they must not reach the
# container unless --preserve-fds asks for them.
test_inherited_fds_not_leaked() {
	local b id
	b=$(new_bundle) || return
	install_helper "$b" kk-escape || return 0
	id=$(new_id)
	set_args "$b" kk-escape fds self
	# This test runs in its own subshell: the fds stay open for the runtime only.
	exec 7</ 8</sys/fs/cgroup 6>/dev/null
	capture rt run -b "$b" "$id"
	exec 7<&- 8<&- 6>&-
	assert_ok "run with fds 6 (/dev/null), 7 (host /), 8 (host cgroupfs) open in the runtime" || return
	check_fds "the init of a runtime started with extra fds" "$OUT" || return
	b=$(new_bundle) || return
	install_helper "$b" kk-escape || return 0
	id=$(new_id)
	must rt run -d -b "$b" "$id" || return
	exec 7</ 8</sys/fs/cgroup
	capture rt exec "$id" kk-escape fds self
	exec 7<&- 8<&-
	assert_ok "exec with fds 7, 8 open in the runtime" || return
	check_fds "a process exec'd by a runtime started with extra fds" "$OUT"
}

run_test "CVE-2024-21626 process.cwd /proc/self/fd/N (N=3..20, thread-self, /proc/1, via image symlink), root: refused or inside the root" test_cwd_proc_self_fd_root
run_test "CVE-2024-21626 process.cwd /proc/self/fd/N, rootless: refused or inside the root" test_cwd_proc_self_fd_rootless
run_test "CVE-2024-21626 exec --cwd /proc/self/fd/N: refused or inside the root" test_exec_cwd_proc_self_fd
run_test "CVE-2024-21626 fd scan, root: init, exec'd process and /proc/1/fd hold only fds 0-2, no cgroupfs" test_fd_scan_root
run_test "CVE-2024-21626 fd scan, rootless: init, exec'd process and /proc/1/fd hold only fds 0-2" test_fd_scan_rootless
run_test "CVE-2024-21626 fds the runtime inherited (host / and cgroupfs dirs) do not reach the container" test_inherited_fds_not_leaked
done_testing
