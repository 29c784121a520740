#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Container lifecycle through the runc CLI: create, start, state, kill, delete, run, list,
# ps, exec; as root and as the rootless user.
. "$(dirname "$0")/../../lib.sh"

# proc_stat_field PID N: field N of /proc/PID/stat (1-based, comm counted as one field).
proc_stat_field() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	awk -v n=$(($2 - 2)) '{ print $n }' <<<"${s##*) }"
}

proc_cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | sed 's/ $//'; }

# sleeper RT ID BUNDLE: run -d a container that sleeps.
sleeper() {
	capture "$1" run -d -b "$3" "$2"
	assert_ok "run -d $2"
}

test_create_state_created() {
	local b id pid
	b=$(new_bundle) || return
	id=$(new_id)
	capture rt create -b "$b" "$id"
	assert_ok "create" || return
	capture rt state "$id"
	assert_ok "state" || return
	assert_eq created "$(jq -r .status <<<"$OUT")" "status"
	assert_eq "$id" "$(jq -r .id <<<"$OUT")" "id"
	assert_eq "$b" "$(jq -r .bundle <<<"$OUT")" "bundle"
	assert_match '^[0-9]+\.[0-9]+\.[0-9]+' "$(jq -r .ociVersion <<<"$OUT")" "ociVersion"
	pid=$(jq -r .pid <<<"$OUT")
	assert_match '^[1-9][0-9]*$' "$pid" "pid" || return
	[ -d "/proc/$pid" ] || fail "init pid $pid does not exist"
}

test_start_running() {
	local b id pid
	b=$(new_bundle) || return
	id=$(new_id)
	must rt create -b "$b" "$id" || return
	pid=$(ctr_pid rt "$id") || { fail "no pid in state"; return; }
	capture rt start "$id"
	assert_ok "start" || return
	wait_status rt "$id" running 5 || return
	assert_eq "$pid" "$(state_field rt "$id" .pid)" "pid after start"
	local n=50 cmd=""
	while [ $n -gt 0 ]; do
		cmd=$(proc_cmdline "$pid")
		[ "$cmd" = "sleep 3600" ] && break
		sleep 0.1
		n=$((n - 1))
	done
	assert_eq "sleep 3600" "$cmd" "cmdline of the init after start"
}

test_start_twice_fails() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	sleeper rt "$id" "$b" || return
	capture rt start "$id"
	assert_failed "start of a running container"
}

test_create_duplicate_id_fails() {
	local b b2 id
	b=$(new_bundle) || return
	b2=$(new_bundle) || return
	id=$(new_id)
	must rt create -b "$b" "$id" || return
	capture rt create -b "$b2" "$id"
	assert_failed "second create with the same id" || return
	assert_eq "$b" "$(state_field rt "$id" .bundle)" "the first container's bundle"
	assert_eq created "$(state_field rt "$id" .status)" "the first container's status"
}

# kill_form SIGNAL: kill ID SIGNAL stops a running container.
kill_form() {
	local b id pid
	b=$(new_bundle) || return
	id=$(new_id)
	sleeper rt "$id" "$b" || return
	pid=$(ctr_pid rt "$id")
	capture rt kill "$id" "$1"
	assert_ok "kill $1" || return
	wait_status rt "$id" stopped 10 || return
	local n=50
	while [ $n -gt 0 ] && [ -d "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; do
		sleep 0.1
		n=$((n - 1))
	done
	[ $n -gt 0 ] || fail "init $pid still alive after kill $1"
}
test_kill_KILL() { kill_form KILL; }
test_kill_9() { kill_form 9; }
test_kill_SIGKILL() { kill_form SIGKILL; }

test_kill_default_is_term() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	# pid 1 ignores signals it has no handler for: trap TERM explicitly.
	set_args "$b" sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
	sleeper rt "$id" "$b" || return
	sleep 0.3
	capture rt kill "$id"
	assert_ok "kill with no signal" || return
	wait_status rt "$id" stopped 10
}

test_delete_removes() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	sleeper rt "$id" "$b" || return
	ctr_pid rt "$id" >/dev/null
	must rt kill "$id" KILL || return
	wait_status rt "$id" stopped 10 || return
	capture rt delete "$id"
	assert_ok "delete of a stopped container" || return
	capture rt state "$id"
	assert_failed "state after delete"
	leftovers_check "$id"
}

test_delete_running_needs_force() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	sleeper rt "$id" "$b" || return
	capture rt delete "$id"
	assert_failed "delete without --force of a running container" || return
	assert_eq running "$(state_field rt "$id" .status)" "status after the refused delete"
}

test_delete_force_running() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	sleeper rt "$id" "$b" || return
	ctr_pid rt "$id" >/dev/null
	capture rt delete --force "$id"
	assert_ok "delete --force of a running container" || return
	capture rt state "$id"
	assert_failed "state after delete --force"
	leftovers_check "$id"
}

test_delete_force_created() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	must rt create -b "$b" "$id" || return
	ctr_pid rt "$id" >/dev/null
	capture rt delete --force "$id"
	assert_ok "delete --force of a created container" || return
	leftovers_check "$id"
}

test_delete_force_missing() {
	capture rt delete --force kk-never-created
	assert_ok "delete --force of a missing id"
}

test_delete_missing_fails() {
	capture rt delete kk-never-created
	assert_failed "delete of a missing id"
}

test_run_exit_status() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" sh -c 'echo out; echo err >&2; exit 7'
	capture rt run -b "$b" "$id"
	assert_eq 7 "$RC" "exit status of run" || return
	assert_eq out "$OUT" "stdout"
	assert_eq err "$ERR" "stderr"
	capture rt state "$id"
	assert_failed "state after run (run deletes the container)"
	leftovers_check "$id"
}

test_run_signal_status() {
	local b id bg pid rc
	b=$(new_bundle) || return
	id=$(new_id)
	# Signal the init from the host: inside its pid namespace, pid 1 is immune to SIGKILL.
	rt run -b "$b" "$id" >"$T_DIR/sig.out" 2>"$T_DIR/sig.err" &
	bg=$!
	wait_status rt "$id" running 10 || return
	pid=$(ctr_pid rt "$id")
	kill -KILL "$pid"
	wait "$bg"
	rc=$?
	assert_eq 137 "$rc" "exit status of run when the process dies of SIGKILL"
}

test_run_stdin() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" cat
	capture rt run -b "$b" "$id" <<<"through stdin"
	assert_ok "run cat" || return
	assert_eq "through stdin" "$OUT" "stdout"
}

test_run_detach() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	local t0=$SECONDS
	capture rt run --detach -b "$b" "$id"
	assert_ok "run --detach" || return
	[ $((SECONDS - t0)) -lt 20 ] || fail "run --detach did not return promptly"
	assert_eq running "$(state_field rt "$id" .status)" "status after run --detach"
}

test_run_keep() {
	local b id
	if ! rt run --help 2>&1 | grep -q -- --keep; then
		kakuri_only "run has no --keep" || return 0
	fi
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" sh -c 'exit 4'
	capture rt run --keep -b "$b" "$id"
	assert_eq 4 "$RC" "exit status of run --keep" || return
	assert_eq stopped "$(state_field rt "$id" .status)" "status after run --keep"
	capture rt delete "$id"
	assert_ok "delete after run --keep"
	leftovers_check "$id"
}

test_pid_file_create() {
	local b id pf=$T_DIR/create.pid
	b=$(new_bundle) || return
	id=$(new_id)
	capture rt create --pid-file "$pf" -b "$b" "$id"
	assert_ok "create --pid-file" || return
	[ -s "$pf" ] || {
		fail "pid file $pf is empty or missing"
		return
	}
	assert_eq "$(state_field rt "$id" .pid)" "$(cat "$pf")" "pid file content vs state pid"
}

test_pid_file_run_detach() {
	local b id pf=$T_DIR/run.pid
	b=$(new_bundle) || return
	id=$(new_id)
	capture rt run -d --pid-file "$pf" -b "$b" "$id"
	assert_ok "run -d --pid-file" || return
	assert_eq "$(state_field rt "$id" .pid)" "$(cat "$pf" 2>/dev/null)" "pid file content vs state pid"
}

test_list() {
	local b1 b2 id1 id2
	b1=$(new_bundle) || return
	b2=$(new_bundle) || return
	id1=$(new_id one)
	id2=$(new_id two)
	sleeper rt "$id1" "$b1" || return
	must rt create -b "$b2" "$id2" || return
	capture rt list
	assert_ok list || return
	assert_contains "$OUT" "$id1" "list"
	assert_contains "$OUT" "$id2" "list"
	capture rt list -q
	assert_ok "list -q" || return
	assert_eq "$(printf '%s\n' "$id1" "$id2" | sort)" "$(sort <<<"$OUT")" "list -q"
	capture rt list --format json
	assert_ok "list --format json" || return
	assert_eq running "$(jq -r --arg id "$id1" '.[] | select(.id == $id) | .status' <<<"$OUT")" "$id1 status in list json"
	assert_eq created "$(jq -r --arg id "$id2" '.[] | select(.id == $id) | .status' <<<"$OUT")" "$id2 status in list json"
	assert_eq "$b1" "$(jq -r --arg id "$id1" '.[] | select(.id == $id) | .bundle' <<<"$OUT")" "$id1 bundle in list json"
}

test_list_empty_root() {
	capture env KK_RT_MARK="$T_DIR" "$RUNTIME" --root "$T_DIR/empty-root" list -q
	assert_ok "list -q on a --root that does not exist yet" || return
	assert_eq "" "$OUT" "list -q output"
}

test_ps() {
	local b id pid epid
	b=$(new_bundle) || return
	id=$(new_id)
	sleeper rt "$id" "$b" || return
	pid=$(ctr_pid rt "$id")
	must rt exec -d --pid-file "$T_DIR/exec.pid" "$id" sleep 300 || return
	epid=$(cat "$T_DIR/exec.pid")
	track_pid "$id" "$epid"
	capture rt ps "$id"
	assert_ok "ps" || return
	assert_match "(^|[^0-9])$pid([^0-9]|$)" "$OUT" "ps lists the init pid"
	assert_match "(^|[^0-9])$epid([^0-9]|$)" "$OUT" "ps lists the exec'd pid"
	capture rt ps --format json "$id"
	assert_ok "ps --format json" || return
	capture jq -e --argjson p "$pid" --argjson e "$epid" 'type == "array" and index($p) != null and index($e) != null' <<<"$OUT"
	assert_ok "ps --format json is an array holding both pids"
}

test_exec_exit_status() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	sleeper rt "$id" "$b" || return
	capture rt exec "$id" sh -c 'echo from-exec; exit 3'
	assert_eq 3 "$RC" "exec exit status"
	assert_eq from-exec "$OUT" "exec stdout"
}

test_exec_cwd() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	sleeper rt "$id" "$b" || return
	capture rt exec --cwd /tmp "$id" pwd
	assert_ok "exec --cwd" || return
	assert_eq /tmp "$OUT" "pwd"
}

test_exec_env() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	sleeper rt "$id" "$b" || return
	capture rt exec --env A=b --env C="d e" "$id" sh -c 'echo "$A|$C"'
	assert_ok "exec --env" || return
	assert_eq "b|d e" "$OUT" "env inside"
}

test_exec_user() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	sleeper rt "$id" "$b" || return
	capture rt exec --user 1000:1000 "$id" sh -c 'id -u; id -g'
	assert_ok "exec --user" || return
	assert_eq "1000
1000" "$OUT" "uid and gid inside"
}

# CapEff of a status dump as a number.
cap_eff() { awk '$1 == "CapEff:" { print $2 }' <<<"$1"; }

test_exec_cap() {
	local b id before after
	b=$(new_bundle) || return
	id=$(new_id)
	sleeper rt "$id" "$b" || return
	capture rt exec "$id" cat /proc/self/status
	assert_ok "exec without --cap" || return
	before=$(cap_eff "$OUT")
	capture rt exec --cap CAP_NET_RAW "$id" cat /proc/self/status
	assert_ok "exec --cap CAP_NET_RAW" || return
	after=$(cap_eff "$OUT")
	# CAP_NET_RAW is bit 13: absent from the container's set, present for this exec only.
	assert_eq 0 $(((0x$before >> 13) & 1)) "CAP_NET_RAW in the container's own CapEff ($before)" || return
	assert_eq 1 $(((0x$after >> 13) & 1)) "CAP_NET_RAW in the exec'd CapEff ($after)" || return
	assert_eq $((0x$before)) $((0x$after & ~(1 << 13))) "the other capabilities are unchanged"
	# runc 1.1 only warns about unknown names; kakuri refuses them.
	if is_kakuri; then
		capture rt exec --cap CAP_BOGUS "$id" true
		assert_failed "exec --cap CAP_BOGUS" || return
		assert_contains "$ERR" "CAP_BOGUS" "the error names the capability"
	fi
}

test_exec_stdin() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	sleeper rt "$id" "$b" || return
	capture rt exec "$id" cat <<<"exec stdin"
	assert_ok "exec cat" || return
	assert_eq "exec stdin" "$OUT" "stdout"
}

test_exec_process_file() {
	local b id pj=$T_DIR/process.json
	b=$(new_bundle) || return
	id=$(new_id)
	sleeper rt "$id" "$b" || return
	cat >"$pj" <<-'EOF'
		{
		  "terminal": false,
		  "user": {"uid": 5, "gid": 0},
		  "args": ["sh", "-c", "echo \"$KKP\"; pwd; id -u"],
		  "env": ["PATH=/usr/bin:/bin", "KKP=from-process-json"],
		  "cwd": "/etc"
		}
	EOF
	capture rt exec --process "$pj" "$id"
	assert_ok "exec --process" || return
	assert_eq "from-process-json
/etc
5" "$OUT" "output of the process.json command"
}

test_exec_detach_pid_file() {
	local b id pf=$T_DIR/exec-d.pid epid
	b=$(new_bundle) || return
	id=$(new_id)
	sleeper rt "$id" "$b" || return
	capture rt exec --detach --pid-file "$pf" "$id" sleep 301
	assert_ok "exec --detach --pid-file" || return
	epid=$(cat "$pf" 2>/dev/null)
	assert_match '^[1-9][0-9]*$' "$epid" "pid file" || return
	track_pid "$id" "$epid"
	local n=30 cmd=""
	while [ $n -gt 0 ]; do
		cmd=$(proc_cmdline "$epid")
		[ "$cmd" = "sleep 301" ] && break
		sleep 0.1
		n=$((n - 1))
	done
	assert_eq "sleep 301" "$cmd" "cmdline of the pid in the pid file"
	assert_eq "$(readlink "/proc/$(state_field rt "$id" .pid)/ns/pid")" "$(readlink "/proc/$epid/ns/pid")" \
		"exec'd process is in the container's pid namespace"
}

test_exec_stopped_fails() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" true
	must rt create -b "$b" "$id" || return
	must rt start "$id" || return
	wait_status rt "$id" stopped 10 || return
	capture rt exec "$id" true
	assert_failed "exec into a stopped container"
}

test_process_exit_stops() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" sh -c 'exit 0'
	must rt create -b "$b" "$id" || return
	must rt start "$id" || return
	wait_status rt "$id" stopped 10
}

test_created_waits_idle() {
	local b id pid st t0 t1
	b=$(new_bundle) || return
	id=$(new_id)
	must rt create -b "$b" "$id" || return
	pid=$(ctr_pid rt "$id") || { fail "no pid"; return; }
	st=$(proc_stat_field "$pid" 3)
	assert_eq S "$st" "state of the created init (sleeping, not running)"
	t0=$(($(proc_stat_field "$pid" 14) + $(proc_stat_field "$pid" 15)))
	sleep 1
	t1=$(($(proc_stat_field "$pid" 14) + $(proc_stat_field "$pid" 15)))
	[ $((t1 - t0)) -le 1 ] || fail "created init used $((t1 - t0)) clock ticks of CPU in 1 s (busy-waiting)"
	assert_eq created "$(state_field rt "$id" .status)" "still created"
}

test_rootless_lifecycle() {
	need_rootless || return 0
	local b id pid
	b=$(new_bundle --rootless) || return
	id=$(new_id)
	capture rl_rt create -b "$b" "$id"
	assert_ok "rootless create" || return
	assert_eq created "$(state_field rl_rt "$id" .status)" "status after create" || return
	pid=$(ctr_pid rl_rt "$id")
	assert_eq "$KK_RL_UID" "$(stat -c %u "/proc/$pid")" "host owner of the rootless init"
	must rl_rt start "$id" || return
	wait_status rl_rt "$id" running 5 || return
	capture rl_rt exec "$id" sh -c 'id -u; exit 5'
	assert_eq 5 "$RC" "rootless exec status"
	assert_eq 0 "$OUT" "uid inside"
	capture rl_rt list -q
	assert_eq "$id" "$OUT" "rootless list -q"
	must rl_rt kill "$id" KILL || return
	wait_status rl_rt "$id" stopped 10 || return
	must rl_rt delete "$id" || return
	leftovers_check "$id"
}

test_rootless_run_status() {
	need_rootless || return 0
	local b id
	b=$(new_bundle --rootless) || return
	id=$(new_id)
	set_args "$b" sh -c 'echo rootless-out; exit 9'
	capture rl_rt run -b "$b" "$id"
	assert_eq 9 "$RC" "rootless run exit status"
	assert_eq rootless-out "$OUT" "stdout"
	leftovers_check "$id"
}

test_rootless_delete_force() {
	need_rootless || return 0
	local b id
	b=$(new_bundle --rootless) || return
	id=$(new_id)
	sleeper rl_rt "$id" "$b" || return
	ctr_pid rl_rt "$id" >/dev/null
	capture rl_rt delete --force "$id"
	assert_ok "rootless delete --force" || return
	leftovers_check "$id"
}

run_test "create: state is 'created' with the init pid and the bundle path" test_create_state_created
run_test "start: state becomes 'running' and the init execs process.args" test_start_running
run_test "start of a running container fails" test_start_twice_fails
run_test "create with an id already in use fails and keeps the first container" test_create_duplicate_id_fails
run_test "kill ID KILL stops the container" test_kill_KILL
run_test "kill ID 9 stops the container" test_kill_9
run_test "kill ID SIGKILL stops the container" test_kill_SIGKILL
run_test "kill ID without a signal sends SIGTERM" test_kill_default_is_term
run_test "delete of a stopped container removes it (state then fails)" test_delete_removes
run_test "delete without --force refuses a running container" test_delete_running_needs_force
run_test "delete --force kills and removes a running container" test_delete_force_running
run_test "delete --force removes a created container" test_delete_force_created
run_test "delete --force of a missing id exits 0" test_delete_force_missing
run_test "delete of a missing id fails" test_delete_missing_fails
run_test "run returns the container's exit status (exit 7 -> 7) and passes stdout/stderr" test_run_exit_status
run_test "run returns 137 when the process is killed by SIGKILL" test_run_signal_status
run_test "run passes stdin to the container process" test_run_stdin
run_test "run --detach returns with the container running" test_run_detach
run_test "run --keep leaves a stopped container that delete removes" test_run_keep
run_test "create --pid-file writes the init pid that state reports" test_pid_file_create
run_test "run -d --pid-file writes the init pid that state reports" test_pid_file_run_detach
run_test "list, list -q and list --format json show every container with its status" test_list
run_test "list -q on an empty --root prints nothing" test_list_empty_root
run_test "ps lists the container's pids; ps --format json is a JSON array" test_ps
run_test "exec returns the exec'd process's exit status (exit 3 -> 3)" test_exec_exit_status
run_test "exec --cwd /tmp runs in /tmp" test_exec_cwd
run_test "exec --env sets the variables" test_exec_env
run_test "exec --user 1000:1000 runs as uid 1000 gid 1000" test_exec_user
run_test "exec --cap adds a capability to that process only; an unknown name fails" test_exec_cap
run_test "exec passes stdin" test_exec_stdin
run_test "exec --process FILE uses its args, env, cwd and user" test_exec_process_file
run_test "exec --detach --pid-file leaves the process running in the container" test_exec_detach_pid_file
run_test "exec into a stopped container fails" test_exec_stopped_fails
run_test "a container whose process exits becomes 'stopped'" test_process_exit_stops
run_test "a created container waits for start sleeping, without using CPU" test_created_waits_idle
run_test "rootless: create, start, exec, list, kill, delete as an unprivileged user" test_rootless_lifecycle
run_test "rootless: run returns the container's exit status" test_rootless_run_status
run_test "rootless: delete --force removes a running container" test_rootless_delete_force
done_testing
