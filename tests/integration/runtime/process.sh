#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The container process: args, env, cwd, user, umask, rlimits, oomScoreAdj,
# noNewPrivileges, capabilities, terminal with --console-socket, fd hygiene.
. "$(dirname "$0")/../../lib.sh"

status_of() { # OUT FIELD: a /proc/self/status field from captured output
	proc_status_field "$1" "$2" | tr -s ' \t' ' '
}

test_args_preserved() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" sh -c 'for a; do printf "[%s]" "$a"; done' sh "a b" "c'd" '$HOME' "" '*'
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq "[a b][c'd][\$HOME][][*]" "$OUT" "arguments as received"
}

test_env_and_path_lookup() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.process.env = ["PATH=/usr/bin:/bin", "KK_A=1", "KK_B=two words", "KK_EMPTY="]' || return
	# "env" is found through process.env's PATH, not the runtime's.
	set_args "$b" env
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq "KK_A=1
KK_B=two words
KK_EMPTY=
PATH=/usr/bin:/bin" "$(grep -v '^HOME=' <<<"$OUT" | sort)" "environment inside (HOME may be added)"
}

test_missing_executable() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" /bin/kk-no-such-binary
	capture rt run -b "$b" "$id"
	assert_failed "run of a missing executable" || return
	assert_contains "$ERR" kk-no-such-binary "error message"
	if is_kakuri; then
		assert_eq 127 "$RC" "exit status for a missing executable"
	fi
	leftovers_check "$id"
}

test_cwd() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.process.cwd = "/usr/bin"' || return
	set_args "$b" pwd
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq /usr/bin "$OUT" "pwd"
}

test_user_ids() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [10, 20]}' || return
	set_args "$b" cat /proc/self/status
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq "1000 1000 1000 1000" "$(status_of "$OUT" Uid)" "Uid: real effective saved fs"
	assert_eq "1001 1001 1001 1001" "$(status_of "$OUT" Gid)" "Gid: real effective saved fs"
	assert_eq "10 20" "$(status_of "$OUT" Groups)" "supplementary groups"
}

test_user_root_no_extra_groups() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" cat /proc/self/status
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq "0 0 0 0" "$(status_of "$OUT" Uid)" "Uid"
	assert_eq "" "$(status_of "$OUT" Groups)" "supplementary groups (the host's must not leak)"
}

test_umask() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.process.user.umask = 23' || return
	set_args "$b" sh -c 'umask; touch /tmp/u; stat -c %a /tmp/u'
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq "0027
640" "$OUT" "umask and the mode of a new file"
}

test_rlimits_lowered() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 256, "hard": 512},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]' || return
	set_args "$b" sh -c 'ulimit -Sn; ulimit -Hn; ulimit -c'
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq "256
512
0" "$OUT" "RLIMIT_NOFILE soft, hard; RLIMIT_CORE"
}

has_cap_sys_resource() {
	local eff
	eff=$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status)
	[ $((0x$eff >> 24 & 1)) = 1 ]
}

test_rlimit_above_hard_fails() {
	local b id hard
	hard=$(ulimit -Hn)
	if [ "$hard" = unlimited ] || has_cap_sys_resource; then
		# With CAP_SYS_RESOURCE the hard limit can be raised, but never past fs.nr_open.
		hard=$(cat /proc/sys/fs/nr_open)
	fi
	hard=$((hard + 1))
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": $h, "hard": $h}]' --argjson h "$hard" || return
	set_args "$b" true
	capture rt run -b "$b" "$id"
	assert_failed "run with RLIMIT_NOFILE hard $hard (above what the host allows)" || return
	assert_ne "" "$ERR" "error message"
	if is_kakuri; then
		assert_contains "$ERR" RLIMIT_NOFILE "error message"
	fi
	leftovers_check "$id"
}

test_oom_score_adj() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.process.oomScoreAdj = 500' || return
	set_args "$b" cat /proc/self/oom_score_adj
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq 500 "$OUT" "oom_score_adj inside"
}

nnp() { # true|false
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.process.noNewPrivileges = $v' --argjson v "$1" || return
	set_args "$b" cat /proc/self/status
	capture rt run -b "$b" "$id"
	assert_ok run || return
	status_of "$OUT" NoNewPrivs
}
test_nnp_on() {
	local v
	v=$(nnp true) || return
	assert_eq 1 "$v" "NoNewPrivs with noNewPrivileges true"
}
test_nnp_off() {
	local v
	v=$(nnp false) || return
	assert_eq 0 "$v" "NoNewPrivs with noNewPrivileges false"
}

test_capabilities() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	# For uid 0, execve makes effective = permitted (no securebits), so both are set alike.
	jq_config "$b" '.process.capabilities = {"bounding": ["CAP_CHOWN", "CAP_KILL"], "effective": ["CAP_CHOWN", "CAP_KILL"],
		"permitted": ["CAP_CHOWN", "CAP_KILL"], "inheritable": [], "ambient": []}' || return
	set_args "$b" cat /proc/self/status
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq 0000000000000021 "$(status_of "$OUT" CapEff)" "CapEff (CHOWN|KILL)"
	assert_eq 0000000000000021 "$(status_of "$OUT" CapPrm)" "CapPrm (CHOWN|KILL)"
	assert_eq 0000000000000021 "$(status_of "$OUT" CapBnd)" "CapBnd (CHOWN|KILL)"
	assert_eq 0000000000000000 "$(status_of "$OUT" CapInh)" "CapInh"
	assert_eq 0000000000000000 "$(status_of "$OUT" CapAmb)" "CapAmb"
}

test_ambient_caps_nonroot() {
	local b id c='["CAP_NET_BIND_SERVICE"]'
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {"bounding": $c, "effective": $c, "permitted": $c, "inheritable": $c, "ambient": $c}' \
		--argjson c "$c" || return
	set_args "$b" cat /proc/self/status
	capture rt run -b "$b" "$id"
	assert_ok run || return
	# CAP_NET_BIND_SERVICE is bit 10.
	assert_eq 0000000000000400 "$(status_of "$OUT" CapAmb)" "CapAmb of uid 1000"
	assert_eq 0000000000000400 "$(status_of "$OUT" CapEff)" "CapEff of uid 1000 (from the ambient set)"
}

test_nonroot_no_ambient_no_caps() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.process.user = {"uid": 1000, "gid": 1000}' || return
	set_args "$b" cat /proc/self/status
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq 0000000000000000 "$(status_of "$OUT" CapEff)" "CapEff of uid 1000 without ambient capabilities"
	assert_eq 0000000000000000 "$(status_of "$OUT" CapPrm)" "CapPrm of uid 1000 without ambient capabilities"
}

test_default_caps_no_inheritable() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" cat /proc/self/status
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq 0000000000000000 "$(status_of "$OUT" CapInh)" "CapInh with the default spec"
	assert_eq 0000000000000000 "$(status_of "$OUT" CapAmb)" "CapAmb with the default spec"
	local eff
	eff=$(status_of "$OUT" CapEff)
	[ $((0x$eff >> 21 & 1)) = 0 ] || fail "CAP_SYS_ADMIN is effective with the default spec ($eff)"
}

test_not_a_terminal() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" sh -c '[ -t 0 ] || [ -t 1 ] || [ -t 2 ] || echo no-tty'
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq no-tty "$OUT" "terminal false: no stdio fd is a tty"
}

# A --console-socket receiver: takes the pty master over SCM_RIGHTS and copies what the
# container writes to it into OUTFILE, until the container side closes (EIO).
write_receiver() {
	cat >"$T_DIR/console-recv.py" <<-'EOF'
		import os, signal, socket, sys
		path, out = sys.argv[1], sys.argv[2]
		signal.alarm(30)
		srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		srv.bind(path)
		srv.listen(1)
		conn, _ = srv.accept()
		msg, fds, flags, addr = socket.recv_fds(conn, 4096, 1)
		if not fds:
		    sys.exit("no fd received")
		fd = fds[0]
		data = b""
		while True:
		    try:
		        chunk = os.read(fd, 4096)
		    except OSError:
		        break
		    if not chunk:
		        break
		    data += chunk
		with open(out, "wb") as f:
		    f.write(b"isatty=%d\n" % os.isatty(fd))
		    f.write(data.replace(b"\r", b""))
	EOF
}

test_terminal_console_socket() {
	command -v python3 >/dev/null || {
		skip "python3 not installed"
		return
	}
	python3 -c 'import socket; socket.recv_fds' 2>/dev/null || {
		skip "python3 lacks socket.recv_fds (needs 3.9)"
		return
	}
	local b id sock=$T_DIR/console.sock out=$T_DIR/console.out rpid n=50
	write_receiver
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.process.terminal = true' || return
	set_args "$b" sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo std-is-tty; echo hello-from-pty'
	env KK_TEST_DIR="$T_DIR" python3 "$T_DIR/console-recv.py" "$sock" "$out" 9>&- &
	rpid=$!
	while [ ! -S "$sock" ] && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	[ -S "$sock" ] || {
		fail "console socket receiver did not start"
		return
	}
	capture rt create --console-socket "$sock" -b "$b" "$id"
	assert_ok "create with terminal true and --console-socket" || return
	must rt start "$id" || return
	wait "$rpid" || fail "console receiver failed (status $?)"
	local got
	got=$(cat "$out" 2>/dev/null)
	assert_eq isatty=1 "$(sed -n 1p <<<"$got")" "received fd is a terminal (pty master)"
	assert_match '/dev/pts/[0-9]+' "$(sed -n 2p <<<"$got")" "tty inside"
	assert_contains "$got" std-is-tty "pty output"
	assert_contains "$got" hello-from-pty "pty output"
}

# fds listed in ls -l /proc/self/fd that are neither stdio nor ls's own directory fd.
extra_fds() {
	grep -- '->' <<<"$1" | awk '{ print $(NF-2), $NF }' |
		awk '$1 !~ /^[012]$/ && $2 !~ /^\/proc\/[0-9]+\/fd$/'
}

test_no_fd_leak_run() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	echo host-file >"$T_DIR/host-file"
	set_args "$b" ls -l /proc/self/fd
	# fds 7 and 8 are open (not close-on-exec) in the runtime's caller.
	capture rt run -b "$b" "$id" 7<"$T_DIR/host-file" 8<"$T_DIR"
	assert_ok run || return
	assert_eq "" "$(extra_fds "$OUT")" "fds other than 0 1 2 inside the container"
}

test_preserve_fds() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	echo passed-through >"$T_DIR/fd3"
	echo not-passed >"$T_DIR/fd4"
	set_args "$b" sh -c 'cat <&3; ls -l /proc/$$/fd'
	capture rt run --preserve-fds 1 -b "$b" "$id" 3<"$T_DIR/fd3" 4<"$T_DIR/fd4"
	assert_ok "run --preserve-fds 1" || return
	assert_eq passed-through "$(sed -n 1p <<<"$OUT")" "content read from fd 3"
	assert_not_contains "$OUT" "$T_DIR/fd4" "fds of the container"
	assert_match "3 -> .*/fd3" "$OUT" "fd 3 in the container"
}

test_rootless_process() {
	need_rootless || return 0
	local b id
	b=$(new_bundle --rootless) || return
	id=$(new_id)
	jq_config "$b" '.process.user.umask = 18 | .process.noNewPrivileges = true | .process.oomScoreAdj = 300
		| .process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 200, "hard": 300}]
		| .process.env += ["KK_RL=yes"] | .process.cwd = "/tmp"' || return
	set_args "$b" sh -c 'umask; ulimit -Sn; ulimit -Hn; cat /proc/self/oom_score_adj; echo "$KK_RL"; pwd; grep NoNewPrivs /proc/self/status'
	capture rl_rt run -b "$b" "$id"
	assert_ok "rootless run" || return
	assert_eq "0022
200
300
300
yes
/tmp
NoNewPrivs: 1" "$(tr -s '\t' ' ' <<<"$OUT")" "umask, rlimits, oom_score_adj, env, cwd, NoNewPrivs"
}

test_rootless_rlimit_above_hard() {
	need_rootless || return 0
	local b id hard
	hard=$(run_as_user sh -c 'ulimit -Hn')
	[ "$hard" = unlimited ] && hard=$(cat /proc/sys/fs/nr_open)
	b=$(new_bundle --rootless) || return
	id=$(new_id)
	jq_config "$b" '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": $h, "hard": $h}]' --argjson h "$((hard + 1))" || return
	set_args "$b" true
	capture rl_rt run -b "$b" "$id"
	assert_failed "rootless run with RLIMIT_NOFILE above the user's hard limit" || return
	is_kakuri && assert_contains "$ERR" RLIMIT_NOFILE "error message"
	leftovers_check "$id"
}

test_rootless_no_fd_leak() {
	need_rootless || return 0
	local b id
	b=$(new_bundle --rootless) || return
	id=$(new_id)
	set_args "$b" ls -l /proc/self/fd
	_kk_track rootless run -b "$b" "$id"
	capture run_as_user sh -c 'exec 7</etc/hostname 8</; exec "$@"' sh \
		env KK_RT_MARK="$T_DIR" timeout -k 5 "$KK_CMD_TIMEOUT" "$RUNTIME" --root "$KK_RL_ROOT" run -b "$b" "$id"
	assert_ok "rootless run" || return
	assert_eq "" "$(extra_fds "$OUT")" "fds other than 0 1 2 inside the rootless container"
}

run_test "process.args reach the process unchanged (spaces, quotes, \$, empty, *)" test_args_preserved
run_test "process.env is the whole environment; the command is found through its PATH" test_env_and_path_lookup
run_test "a missing executable fails run with a message naming it (kakuri: status 127)" test_missing_executable
run_test "process.cwd is the working directory" test_cwd
run_test "user uid/gid/additionalGids: Uid, Gid and Groups in /proc/self/status" test_user_ids
run_test "user root with no additionalGids has no supplementary groups" test_user_root_no_extra_groups
run_test "user.umask 0027 applies (new file mode 640)" test_umask
run_test "rlimits: lower RLIMIT_NOFILE soft/hard and RLIMIT_CORE apply" test_rlimits_lowered
run_test "rlimits: RLIMIT_NOFILE above the host's hard limit fails (kakuri: names RLIMIT_NOFILE)" test_rlimit_above_hard_fails
run_test "oomScoreAdj 500 shows in /proc/self/oom_score_adj" test_oom_score_adj
run_test "noNewPrivileges true: NoNewPrivs 1" test_nnp_on
run_test "noNewPrivileges false: NoNewPrivs 0" test_nnp_off
run_test "capabilities: bounding/effective/permitted as configured (CHOWN|KILL), inheritable/ambient empty" test_capabilities
run_test "ambient capabilities: uid 1000 keeps CAP_NET_BIND_SERVICE across exec" test_ambient_caps_nonroot
run_test "uid 1000 without ambient capabilities has none effective or permitted" test_nonroot_no_ambient_no_caps
run_test "default spec: CapInh and CapAmb empty, no CAP_SYS_ADMIN" test_default_caps_no_inheritable
run_test "terminal false: no stdio fd is a tty" test_not_a_terminal
run_test "terminal true: the pty master arrives on --console-socket and carries the output" test_terminal_console_socket
run_test "no fd of the runtime's caller (7, 8) leaks into the container" test_no_fd_leak_run
run_test "--preserve-fds 1 passes fd 3 and no further fd" test_preserve_fds
run_test "rootless: umask, rlimits, oomScoreAdj, env, cwd, noNewPrivileges" test_rootless_process
run_test "rootless: RLIMIT_NOFILE above the user's hard limit fails" test_rootless_rlimit_above_hard
run_test "rootless: no fd of the caller leaks into the container" test_rootless_no_fd_leak
done_testing
