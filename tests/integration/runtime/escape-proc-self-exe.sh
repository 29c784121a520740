#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Escape class: runtime binary overwrite via /proc/PID/exe (CVE-2019-5736).
# A process inside the container watches /proc while the runtime works in the container's
# namespaces (`exec` joining it; the init before `start`) and tries to open the runtime's
# /proc/PID/exe for writing, directly and through an O_PATH fd reopened via
# /proc/self/fd/N after the runtime is gone. The attack runs against a private copy of the
# runtime binary, whose sha256 must be unchanged afterwards, and no write may succeed.
# With default capabilities the runtime's processes are non-dumpable and every open fails;
# a container given CAP_SYS_PTRACE passes that check, so there the runtime must run from
# a sealed memfd copy (runtime/exe-seal.h): opens of that copy succeed, its writes fail.
. "$(dirname "$0")/../../lib.sh"

ATTACK_MS=6000

# summary OUT: the attacker's counters on one line (opens of a sealed copy, whose writes
# fail, are expected when the container may ptrace the runtime).
summary() {
	grep -E '^(attempts|seen|held|opened|written|last_errno)=' <<<"$1" | tr '\n' ' '
}

# private_runtime: RUNTIME becomes a copy of the runtime under $T_DIR (world-readable, so
# the rootless user can run it), whose sha256 goes to RT_SUM. Called in the test's own
# shell, never in $(...): the attack must hit the copy, not the runtime under test.
private_runtime() {
	local d=$T_DIR/rt-copy.$RANDOM
	mkdir -p "$d" && chmod 0755 "$d" || return 1
	cp "$RUNTIME" "$d/kakuri-runtime" && chmod 0755 "$d/kakuri-runtime" || return 1
	RUNTIME=$d/kakuri-runtime
	RT_SUM=$(sha256sum "$RUNTIME" | cut -d' ' -f1)
	[ -n "$RT_SUM" ]
}

# attack_during_execs RT BUNDLE-OPTS [CAPS-JQ]: the attacker is the container's init; the
# test execs into the container over and over while it runs.
attack_during_execs() {
	local run=$1 mode=$2 caps=${3:-} b id sum n out end
	private_runtime || { fail "copying the runtime failed"; return 1; }
	sum=$RT_SUM
	b=$(new_bundle $mode) || return
	install_helper "$b" kk-escape || return 0
	id=$(new_id)
	set_args "$b" sh -c "kk-escape exe-attack $ATTACK_MS >/tmp/attack.out 2>&1; echo attack-done >>/tmp/attack.out; sleep 3600"
	if [ -n "$caps" ]; then
		jq_config "$b" "$caps" || return
	fi
	must "$run" run -d -b "$b" "$id" || return
	# Exec for the first two thirds of the attack; the attacker goes on after the last
	# runtime process is gone, when a held O_PATH fd could be reopened for writing.
	n=0
	end=$((SECONDS + ATTACK_MS * 2 / 3000))
	while [ $SECONDS -lt $end ]; do
		"$run" exec "$id" true >/dev/null 2>&1
		n=$((n + 1))
	done
	local w=0
	while ! grep -q attack-done "$b/rootfs/tmp/attack.out" 2>/dev/null && [ $w -lt 150 ]; do
		sleep 0.1
		w=$((w + 1))
	done
	out=$(grep -v '^held ' "$b/rootfs/tmp/attack.out" 2>&1)
	diag "$n execs during the attack; attacker: $(summary "$out")"
	assert_contains "$out" attack-done "the attacker finished" || return
	assert_contains "$out" "written=0" "the attacker's writes to the runtime binary" || return
	assert_match 'attempts=[1-9]' "$out" "the attacker made attempts" || return
	assert_eq "$sum" "$(sha256sum "$RUNTIME" | cut -d' ' -f1)" "sha256 of the runtime binary after the attack"
}

test_root_default_caps() {
	attack_during_execs rt ""
}

# CAP_SYS_PTRACE passes the non-dumpable check of /proc/PID/exe: the runtime binary itself
# must then still not be writable (a sealed copy, not the host file, is what runs inside).
test_root_with_sys_ptrace() {
	attack_during_execs rt "" '.process.capabilities |= with_entries(.value += ["CAP_SYS_PTRACE"])'
}

test_rootless() {
	need_rootless || return 0
	attack_during_execs rl_rt --rootless
}

test_rootless_with_sys_ptrace() {
	need_rootless || return 0
	attack_during_execs rl_rt --rootless '.process.capabilities |= with_entries(.value += ["CAP_SYS_PTRACE"])'
}

# Before `start` the init is still the runtime, blocked on exec.fifo: an attacker exec'd into
# the created container goes for /proc/1/exe, keeps trying across the start.
test_attack_init_before_start() {
	local b id sum out n
	private_runtime || { fail "copying the runtime failed"; return 1; }
	sum=$RT_SUM
	b=$(new_bundle) || return
	install_helper "$b" kk-escape || return 0
	id=$(new_id)
	jq_config "$b" '.process.capabilities |= with_entries(.value += ["CAP_SYS_PTRACE"])' || return
	set_args "$b" sleep 3600
	must rt create -b "$b" "$id" || return
	must rt exec -d "$id" sh -c "kk-escape exe-attack 3000 >/tmp/attack.out 2>&1; echo attack-done >>/tmp/attack.out" || return
	sleep 1
	must rt start "$id" || return
	n=0
	while ! grep -q attack-done "$b/rootfs/tmp/attack.out" 2>/dev/null && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	out=$(grep -v '^held ' "$b/rootfs/tmp/attack.out" 2>&1)
	diag "attacker: $(summary "$out")"
	assert_contains "$out" attack-done "the attacker finished" || return
	assert_contains "$out" "written=0" "the attacker's writes to the runtime binary" || return
	assert_eq "$sum" "$(sha256sum "$RUNTIME" | cut -d' ' -f1)" "sha256 of the runtime binary after the attack"
}

# The same before `start`, but only the exec'd attacker asks for CAP_SYS_PTRACE: the init
# was not started from a sealed copy, so that exec must be refused (or the attack fail).
test_ptrace_exec_into_created_init() {
	local b id sum out
	private_runtime || { fail "copying the runtime failed"; return 1; }
	sum=$RT_SUM
	b=$(new_bundle) || return
	install_helper "$b" kk-escape || return 0
	id=$(new_id)
	set_args "$b" sleep 3600
	must rt create -b "$b" "$id" || return
	capture rt exec -d --cap CAP_SYS_PTRACE "$id" sh -c "kk-escape exe-attack 3000 >/tmp/attack.out 2>&1; echo attack-done >>/tmp/attack.out"
	if [ "$RC" = 0 ]; then
		sleep 1
		must rt start "$id" || return
		sleep 3
		out=$(grep -v '^held ' "$b/rootfs/tmp/attack.out" 2>&1)
		diag "the exec was allowed; attacker: $(summary "$out")"
		assert_contains "$out" "written=0" "the attacker's writes to the runtime binary" || return
	else
		assert_contains "$ERR" "CVE-2019-5736" "the refusal names the reason" || return
	fi
	assert_eq "$sum" "$(sha256sum "$RUNTIME" | cut -d' ' -f1)" "sha256 of the runtime binary after the attack"
}

run_test "CVE-2019-5736 /proc/PID/exe overwrite during exec, root, default caps: runtime hash unchanged, no open for write" test_root_default_caps
run_test "CVE-2019-5736 /proc/PID/exe overwrite during exec, root, with CAP_SYS_PTRACE: runtime hash unchanged" test_root_with_sys_ptrace
run_test "CVE-2019-5736 /proc/PID/exe overwrite during exec, rootless: runtime hash unchanged, no open for write" test_rootless
run_test "CVE-2019-5736 /proc/PID/exe overwrite during exec, rootless with CAP_SYS_PTRACE: runtime hash unchanged" test_rootless_with_sys_ptrace
run_test "CVE-2019-5736 /proc/1/exe of the created init (before start), with CAP_SYS_PTRACE: runtime hash unchanged" test_attack_init_before_start
run_test "CVE-2019-5736 exec --cap CAP_SYS_PTRACE into a created container (init still runtime code) is refused or harmless" test_ptrace_exec_into_created_init
done_testing
