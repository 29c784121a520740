#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Crash safety of kakuri's containers, root and rootless: the CLI or the monitor SIGKILLed at
# random points of `run -d` and `run --rm` never leaves a container that `ps` misreports
# (running ⇔ its process exists), nor mounts, processes or runtime state that `rm -f` cannot
# clean; a monitor killed while the container runs leaves `ps`, `stop`, `logs` and `rm`
# working; a "reboot" (processes gone, the per-boot state dir wiped, or another boot id) shows
# containers as exited, and they start again.
. "$(dirname "$0")/common.bash"

cp "$RUNTIME" "$T_DIR/bin/kakuri-runtime" && chmod 0755 "$T_DIR/bin/kakuri-runtime"
IMG=docker.io/library/kakuri-busybox:latest
ARCHIVE=$T_DIR/busybox.tar
"$KK_TESTS/fixtures/mkimage.sh" "$ARCHIVE" "$IMG" >"$T_DIR/mkimage.log" 2>&1 ||
	kk_bail "mkimage.sh failed: $(tail -n 3 "$T_DIR/mkimage.log")"
chmod 0644 "$ARCHIVE"
ROOT_RUN=$T_DIR/run-root
RL_RUN=$T_DIR/run-rl
mkdir -p "$ROOT_RUN" "$RL_RUN"
printf '[engine]\ntmp_dir = "%s"\n' "$ROOT_RUN" >"$T_DIR/root.conf"
printf '[engine]\ntmp_dir = "%s"\n' "$RL_RUN" >"$T_DIR/rl.conf"
chmod 0644 "$T_DIR/root.conf" "$T_DIR/rl.conf"
[ "$KK_RL_OK" = 1 ] && chown "$KK_RL_UID:$KK_RL_GID" "$RL_RUN"
export CONTAINERS_CONF=$T_DIR/root.conf
ITER=${KK_ROBUST_ITER:-16}

K() {
	local mode=$1
	shift
	if [ "$mode" = root ]; then kk "$@"; else rl_kk CONTAINERS_CONF="$T_DIR/rl.conf" "$@"; fi
}

loaded=""
setup() {
	if [ "$1" = rootless ]; then
		need_rootless || return 1
	fi
	defer "K $1 rm -af"
	case " $loaded " in *" $1 "*) return 0 ;; esac
	must K "$1" load -q -i "$ARCHIVE" || return 1
	loaded="$loaded $1"
}

store_of() { if [ "$1" = root ]; then echo "$KK_STORE"; else echo "$KK_RL_STORE"; fi; }
run_of() { if [ "$1" = root ]; then echo "$ROOT_RUN"; else echo "$RL_RUN"; fi; }

# marked_pids VALUE: live (not zombie) processes whose environment has KK_MARK=VALUE.
marked_pids() {
	local p st
	for p in $(_kk_env_pids "KK_MARK=$1"); do
		st=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$p/stat" 2>/dev/null) || continue
		[ "$st" = Z ] || echo "$p"
	done
}

# monitors VALUE: kakuri-monitor processes of a container started with -e KK_MARK=VALUE (the
# monitor's own environment is the CLI's: matched through the CLI's KK_CLI=VALUE).
monitors() {
	local p
	for p in $(_kk_env_pids "KK_CLI=$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = kakuri-monitor ] && echo "$p"
	done
}

# ps_state MODE NAME: the container's State in `ps -a --format json`, "" if not listed.
ps_state() {
	K "$1" ps -a --format json | jq -r --arg n "$2" '.[] | select(.Names[0] == $n) | .State'
}

# check_truthful MODE NAME MARK: ps says running iff the container's process exists.
check_truthful() {
	local mode=$1 name=$2 mark=$3 st alive n=0
	while :; do
		st=$(ps_state "$mode" "$name")
		alive=$(marked_pids "$mark")
		# A monitor still starting (we killed only the CLI) settles within moments.
		[ "$st" = starting ] && [ $n -lt 50 ] && { sleep 0.1; n=$((n + 1)); continue; }
		break
	done
	if [ "$st" = running ] && [ -z "$alive" ]; then
		fail "ps says $name is running, but no process of it exists"
		return 1
	fi
	if [ "$st" != running ] && [ -n "$alive" ]; then
		# The process may have been exec'd a moment after ps looked: look again.
		sleep 0.3
		st=$(ps_state "$mode" "$name")
		if [ "$st" != running ] && [ -n "$(marked_pids "$mark")" ]; then
			fail "ps says $name is '${st:-absent}', but its process $alive runs"
			return 1
		fi
	fi
	return 0
}

# check_clean MODE MARK ID: after rm -f, nothing of the container is left.
check_clean() {
	local mode=$1 mark=$2 st
	st=$(store_of "$mode")
	if [ -n "$(marked_pids "$mark")" ]; then
		fail "a process of the container survived rm -f: $(marked_pids "$mark")"
		return 1
	fi
	if [ -n "$(monitors "$mark")" ]; then
		fail "a monitor survived rm -f"
		return 1
	fi
	if grep -qF "$st/rootfs/" /proc/self/mountinfo; then
		fail "a root filesystem is still mounted after rm -f"
		grep -F "$st/rootfs/" /proc/self/mountinfo | sed 's/^/#   /' >&9
		return 1
	fi
	if [ -n "$(ls "$st/containers" 2>/dev/null | grep -v '^containers.lock$')" ]; then
		fail "container records left: $(ls -A "$st/containers")"
		return 1
	fi
	# (.cache: the runtime's compiled seccomp filters, kept on purpose.)
	if [ -n "$(find "$(run_of "$mode")" -mindepth 3 -maxdepth 3 ! -name '.*' 2>/dev/null)" ]; then
		fail "runtime state left: $(find "$(run_of "$mode")" -mindepth 3 -maxdepth 3 ! -name '.*')"
		return 1
	fi
	return 0
}

# One round: start `run` in the background, SIGKILL the CLI or the monitor after a random
# delay, then check ps against reality and that rm -f cleans everything.
kill_round() { # MODE I VARIANT(detach|rm) VICTIM(cli|monitor)
	local mode=$1 i=$2 variant=$3 victim=$4 name=rob$2 mark=$T_DIR-$1-$2 delay pid args=(-d)
	[ "$variant" = rm ] && args=(--rm)
	if [ "$mode" = root ]; then
		env KK_CLI="$mark" KK_TEST_DIR="$T_DIR" "$KAKURI" --root "$KK_STORE" run "${args[@]}" --name "$name" \
			-e "KK_MARK=$mark" -e "KK_TEST_DIR=$T_DIR" "$IMG" sleep 1000 >/dev/null 2>&1 </dev/null &
	else
		run_as_user env KK_CLI="$mark" KK_TEST_DIR="$T_DIR" CONTAINERS_CONF="$T_DIR/rl.conf" "$KAKURI" \
			--root "$KK_RL_STORE" run "${args[@]}" --name "$name" -e "KK_MARK=$mark" -e "KK_TEST_DIR=$T_DIR" \
			"$IMG" sleep 1000 >/dev/null 2>&1 </dev/null &
	fi
	local bg=$!
	delay=$((RANDOM % 120))
	sleep "$(printf '0.%03d' "$delay")"
	# $! is the CLI itself (env and setpriv exec it), or what is about to exec it.
	if [ "$victim" = cli ]; then
		kill -KILL "$bg" 2>/dev/null
	else
		# The monitor may not exist yet; then wait for it a little.
		local n=0
		while [ -z "$(monitors "$mark")" ] && [ $n -lt 20 ] && kill -0 "$bg" 2>/dev/null; do
			sleep 0.01
			n=$((n + 1))
		done
		for pid in $(monitors "$mark"); do kill -KILL "$pid" 2>/dev/null; done
	fi
	# The attached `run --rm` CLI lives until the container exits: end it too.
	[ "$variant" = rm ] && kill -KILL "$bg" 2>/dev/null
	wait "$bg" 2>/dev/null
	check_truthful "$mode" "$name" "$mark" || {
		diag "round $i: $variant, $victim killed after ${delay} ms"
		return 1
	}
	K "$mode" rm -f "$name" >/dev/null 2>&1
	check_clean "$mode" "$mark" || {
		diag "round $i: $variant, $victim killed after ${delay} ms"
		return 1
	}
}

test_kill_at_random_points() {
	local mode=$1 i variant victim
	setup "$mode" || return 0
	for i in $(seq 1 "$ITER"); do
		variant=detach
		victim=monitor
		[ $((i % 2)) = 0 ] && victim=cli
		[ $((i % 4)) -ge 2 ] && variant=rm
		kill_round "$mode" "$i" "$variant" "$victim" || return
	done
}

test_monitor_killed_while_running() {
	local mode=$1 mark=$T_DIR-$1-mk pid st
	setup "$mode" || return 0
	if [ "$mode" = root ]; then
		env KK_CLI="$mark" KK_TEST_DIR="$T_DIR" "$KAKURI" --root "$KK_STORE" run -d --name mk -e "KK_MARK=$mark" \
			"$IMG" sh -c 'echo before; exec sleep 1000' >/dev/null || { fail "run -d"; return; }
	else
		rl_kk KK_CLI="$mark" CONTAINERS_CONF="$T_DIR/rl.conf" run -d --name mk -e "KK_MARK=$mark" "$IMG" \
			sh -c 'echo before; exec sleep 1000' >/dev/null || { fail "run -d"; return; }
	fi
	sleep 0.2
	for pid in $(monitors "$mark"); do kill -KILL "$pid"; done
	sleep 0.1
	assert_eq running "$(ps_state "$mode" mk)" "still running without its monitor" || return
	capture K "$mode" logs mk
	assert_eq before "$OUT" "logs written before the monitor died" || return
	capture K "$mode" exec mk echo exec-ok
	assert_eq exec-ok "$OUT" "exec without a monitor" || return
	capture K "$mode" top mk pid args
	assert_contains "$OUT" "sleep 1000" "top without a monitor" || return
	capture K "$mode" stop -t 1 mk
	assert_ok "stop without a monitor" || return
	[ -z "$(marked_pids "$mark")" ] || { fail "stop left the process running"; return; }
	st=$(K "$mode" ps -a --format json | jq -r '.[] | select(.Names[0] == "mk") | "\(.State) \(.ExitCode)"')
	assert_eq "exited 137" "$st" "exited, with the code stop caused" || return
	capture K "$mode" start mk
	assert_ok "start again (a new monitor)" || return
	assert_eq running "$(ps_state "$mode" mk)" "running again" || return
	must K "$mode" rm -f mk || return
	check_clean "$mode" "$mark"
}

test_reboot() {
	local mode=$1 mark=$T_DIR-$1-rb pid rec st
	setup "$mode" || return 0
	must K "$mode" run -d --name rb -e "KK_MARK=$mark" "$IMG" sleep 1000 || return
	# A power cut: every process gone at once, the per-boot state (a tmpfs) gone.
	for pid in $(_kk_env_pids "KK_TEST_DIR=$T_DIR"); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = kakuri-monitor ] && kill -KILL "$pid"
	done
	for pid in $(marked_pids "$mark"); do kill -KILL "$pid"; done
	sleep 0.2
	if [ "$mode" = root ]; then
		# The mount and the (now empty) cgroups a real reboot would also drop.
		grep -F "$KK_STORE/rootfs/" /proc/self/mountinfo | awk '{ print $5 }' | while read -r m; do umount -l "$m"; done
		local cid
		cid=$(K "$mode" inspect --format '{{.Id}}' rb)
		find /sys/fs/cgroup -depth -type d -path "*/kakuri/$cid" -exec rmdir {} + 2>/dev/null
	fi
	rm -rf "$(run_of "$mode")"/*
	assert_eq exited "$(ps_state "$mode" rb)" "after the reboot: exited, not lost" || return
	must K "$mode" start rb || return
	assert_eq running "$(ps_state "$mode" rb)" "it starts again" || return
	# Another boot id with the same pid alive (a pid reused after a reboot) is not running.
	rec=$(store_of "$mode")/containers/$(K "$mode" inspect --format '{{.Id}}' rb)/container.json
	jq '.boot_id = "00000000-0000-0000-0000-000000000000"' "$rec" >"$rec.new" &&
		chown --reference="$rec" "$rec.new" && mv "$rec.new" "$rec"
	assert_eq exited "$(ps_state "$mode" rb)" "a record from another boot is exited" || return
	for pid in $(marked_pids "$mark"); do kill -KILL "$pid"; done
	for pid in $(_kk_env_pids "KK_TEST_DIR=$T_DIR"); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = kakuri-monitor ] && kill -KILL "$pid"
	done
	sleep 0.1
	must K "$mode" rm -f rb || return
	check_clean "$mode" "$mark"
}

for mode in root rootless; do
	run_test "$mode: SIGKILL of the CLI or the monitor at random points of run: ps truthful, rm -f cleans ($ITER rounds)" test_kill_at_random_points $mode
	run_test "$mode: a monitor killed while the container runs: ps, logs, exec, top, stop, start, rm still work" test_monitor_killed_while_running $mode
	run_test "$mode: after a reboot (processes and per-boot state gone, or another boot id) ps shows exited" test_reboot $mode
done
done_testing
