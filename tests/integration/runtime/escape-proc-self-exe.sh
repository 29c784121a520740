#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Escape class: runtime binary overwrite via /proc/PID/exe (CVE-2019-5736).
# A process inside the container watches /proc while the runtime works in the container's
# namespaces (`exec` joining it; the init before `start`) and tries to open the runtime's
# /proc/PID/exe for writing, directly and through an O_PATH fd reopened via
# /proc/self/fd/N after the runtime is gone. The attack runs against a private copy of the
# runtime binary, whose sha256 must be unchanged afterwards; every open must have failed.
. "$(dirname "$0")/../../lib.sh"

ATTACK_MS=6000

# private_runtime: RUNTIME becomes a copy of the runtime under $T_DIR (world-readable, so
# the rootless user can run it); prints its sha256.
private_runtime() {
	local d=$T_DIR/rt-copy.$RANDOM
	mkdir -p "$d" && chmod 0755 "$d" || return 1
	cp "$RUNTIME" "$d/kakuri-runtime" && chmod 0755 "$d/kakuri-runtime" || return 1
	RUNTIME=$d/kakuri-runtime
	sha256sum "$RUNTIME" | cut -d' ' -f1
}

# attack_during_execs RT BUNDLE-OPTS [CAPS-JQ]: the attacker is the container's init; the
# test execs into the container over and over while it runs.
attack_during_execs() {
	local run=$1 mode=$2 caps=${3:-} b id sum n out
	sum=$(private_runtime) || { fail "copying the runtime failed"; return 1; }
	b=$(new_bundle $mode) || return
	install_helper "$b" kk-escape || return 0
	id=$(new_id)
	set_args "$b" sh -c "kk-escape exe-attack $ATTACK_MS >/tmp/attack.out 2>&1; echo attack-done >>/tmp/attack.out; sleep 3600"
	if [ -n "$caps" ]; then
		jq_config "$b" "$caps" || return
	fi
	must "$run" run -d -b "$b" "$id" || return
	n=0
	while [ ! -e "$b/rootfs/tmp/attack.out" ] || ! grep -q attack-done "$b/rootfs/tmp/attack.out"; do
		"$run" exec "$id" true >/dev/null 2>&1
		n=$((n + 1))
		[ $n -lt 400 ] || break
	done
	out=$(cat "$b/rootfs/tmp/attack.out" 2>&1)
	diag "$n execs during the attack; attacker: $(tr '\n' ' ' <<<"$out")"
	assert_contains "$out" attack-done "the attacker finished" || return
	assert_not_contains "$out" OPENED-FOR-WRITE "the attacker's writes to the runtime binary" || return
	assert_contains "$out" "opened=0" "attacker report" || return
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
	sum=$(private_runtime) || { fail "copying the runtime failed"; return 1; }
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
	out=$(cat "$b/rootfs/tmp/attack.out" 2>&1)
	diag "attacker: $(tr '\n' ' ' <<<"$out")"
	assert_contains "$out" attack-done "the attacker finished" || return
	assert_contains "$out" "opened=0" "attacker report" || return
	assert_eq "$sum" "$(sha256sum "$RUNTIME" | cut -d' ' -f1)" "sha256 of the runtime binary after the attack"
}

run_test "CVE-2019-5736 /proc/PID/exe overwrite during exec, root, default caps: runtime hash unchanged, no open for write" test_root_default_caps
run_test "CVE-2019-5736 /proc/PID/exe overwrite during exec, root, with CAP_SYS_PTRACE: runtime hash unchanged" test_root_with_sys_ptrace
run_test "CVE-2019-5736 /proc/PID/exe overwrite during exec, rootless: runtime hash unchanged, no open for write" test_rootless
run_test "CVE-2019-5736 /proc/PID/exe overwrite during exec, rootless with CAP_SYS_PTRACE: runtime hash unchanged" test_rootless_with_sys_ptrace
run_test "CVE-2019-5736 /proc/1/exe of the created init (before start), with CAP_SYS_PTRACE: runtime hash unchanged" test_attack_init_before_start
done_testing
