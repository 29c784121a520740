#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Escape class: mount destination swapped for a symlink between check and mount
# (CVE-2021-30465, CVE-2025-52565).
# While the runtime creates a container with a bind mount at /kk-race, a loop on the host
# exchanges that destination in the rootfs between a directory and a symlink (to "/", to
# an absolute host path, to a relative path climbing out of the rootfs), hundreds of
# create/delete iterations. Checked from the host after every create: the host's mount
# table never gets the volume, the host directory the symlink points at never shows the
# volume's content, and in the container's mountinfo the volume is mounted exactly once,
# somewhere inside the container, with the container's root still the rootfs.
. "$(dirname "$0")/../../lib.sh"

ROOT_ITER=${KK_RACE_ITER:-200}
RL_ITER=${KK_RACE_RL_ITER:-100}

# race RT ITERATIONS [--rootless]
race() {
	local run=$1 iter=$2 mode=${3:-} b id vol=$T_DIR/vol host=$T_DIR/host-target i pid mi n
	local created=0 failed=0 targets swapper=""
	local h
	h=$(helper_bin kk-escape) || { skip "test helper kk-escape not built (make)"; return 0; }
	mkdir -p "$vol" "$host"
	echo vol >"$vol/kk-vol-marker"
	: >"$host/kk-host-sentinel"
	[ -n "$mode" ] && chown -R "$KK_RL_UID:$KK_RL_GID" "$vol"
	b=$(new_bundle $mode) || return
	jq_config "$b" '.mounts += [{"destination": "/kk-race", "type": "bind", "source": $v, "options": ["rbind"]}]' \
		--arg v "$vol" || return
	set_args "$b" sleep 3600
	targets=("/" "$host" "../../../../../../../../../..$host" "/kk-nonexistent/deeper")
	for ((i = 0; i < iter; i++)); do
		if [ $((i % 40)) = 0 ]; then
			[ -n "$swapper" ] && { kill "$swapper" 2>/dev/null; wait "$swapper" 2>/dev/null; }
			rm -rf "$b/rootfs/kk-race" "$b/rootfs/kk-race.kk-swap"
			"$h" swap "$b/rootfs/kk-race" "${targets[$(((i / 40) % ${#targets[@]}))]}" >"$T_DIR/swap.out" 2>&1 &
			swapper=$!
			defer "kill $swapper"
			sleep 0.05
		fi
		id=$(new_id "r$i")
		capture "$run" create -b "$b" "$id"
		if [ "$RC" != 0 ]; then
			failed=$((failed + 1))
			printf '%s\n' "$ERR" >>"$T_DIR/refusals"
		else
			created=$((created + 1))
			pid=$(state_field "$run" "$id" .pid)
			mi=$(cat "/proc/$pid/mountinfo" 2>/dev/null)
			# Volume mounts: the mountinfo root field (4) is the volume's path.
			n=$(awk -v v="$vol" '$4 == v' <<<"$mi" | wc -l)
			if [ "$n" != 1 ]; then
				fail "iteration $i: the volume is mounted $n times in the container"
				awk -v v="$vol" '$4 == v' <<<"$mi" | sed 's/^/#     /' >&9
			fi
			if awk -v v="$vol" '$5 == "/" && $4 == v { f = 1 } END { exit !f }' <<<"$mi"; then
				fail "iteration $i: the volume was mounted over the container's root"
			fi
		fi
		"$run" delete --force "$id" >/dev/null 2>&1
		if grep -qF -- "$vol" /proc/self/mountinfo; then
			fail "iteration $i: the volume appeared in the host's mount table"
			grep -F -- "$vol" /proc/self/mountinfo | sed 's/^/#     /' >&9
		fi
		if [ -e "$host/kk-vol-marker" ] || [ "$(ls -A "$host")" != kk-host-sentinel ]; then
			fail "iteration $i: the host directory $host changed: $(ls -A "$host" | tr '\n' ' ')"
		fi
		[ -e "$T_DIR/.fail" ] && break
	done
	[ -n "$swapper" ] && { kill "$swapper" 2>/dev/null; wait "$swapper" 2>/dev/null; }
	diag "$iter iterations: $created created, $failed refused; last swapper: $(cat "$T_DIR/swap.out")"
	[ -s "$T_DIR/refusals" ] && diag "refusals:" "$(sed 's/kk-[^ ]*//' "$T_DIR/refusals" | sort | uniq -c | sort -rn | head -5)"
	rm -f "$T_DIR/refusals"
	assert_match 'swaps=[1-9]' "$(cat "$T_DIR/swap.out")" "the swapper ran" || return
	[ "$created" -gt 0 ] || fail "no create succeeded: the race was never run to the mount"
	[ ! -e "$T_DIR/.fail" ]
}

test_race_root() {
	race rt "$ROOT_ITER"
}

test_race_rootless() {
	need_rootless || return 0
	race rl_rt "$RL_ITER" --rootless
}

# Without the race: a destination that is a symlink out of the rootfs from the start.
test_static_symlink_destinations() {
	local b id vol=$T_DIR/vol2 host=$T_DIR/host2 t mi pid
	mkdir -p "$vol" "$host"
	echo vol >"$vol/kk-vol-marker"
	for t in "$host" "../../../../../../../../..$host"; do
		b=$(new_bundle) || return
		ln -s "$t" "$b/rootfs/kk-link"
		jq_config "$b" '.mounts += [{"destination": "/kk-link", "type": "bind", "source": $v, "options": ["rbind"]}]' \
			--arg v "$vol" || return
		id=$(new_id)
		capture rt create -b "$b" "$id"
		if [ "$RC" = 0 ]; then
			pid=$(state_field rt "$id" .pid)
			mi=$(cat "/proc/$pid/mountinfo")
			assert_eq 1 "$(awk -v v="$vol" '$4 == v' <<<"$mi" | wc -l)" "volume mounts in the container (symlink to $t)" || return
		fi
		rt delete --force "$id" >/dev/null 2>&1
		[ ! -e "$host/kk-vol-marker" ] || fail "the bind through a symlink to $t landed on the host directory"
		! grep -qF -- "$vol" /proc/self/mountinfo || fail "the volume appeared in the host's mount table"
	done
	[ ! -e "$T_DIR/.fail" ]
}

run_test "CVE-2021-30465/CVE-2025-52565 bind destination swapped dir<->symlink (/, host path, ../ climb) during $ROOT_ITER creates, root: never on the host, always inside the rootfs" test_race_root
run_test "CVE-2021-30465/CVE-2025-52565 bind destination swap race during $RL_ITER creates, rootless: never on the host, always inside the rootfs" test_race_rootless
run_test "CVE-2021-30465 a bind destination that is a symlink to a host path lands inside the rootfs" test_static_symlink_destinations
done_testing
