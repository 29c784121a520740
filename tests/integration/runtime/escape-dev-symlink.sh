#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Escape class: image /dev is a symlink to a host path (the 2026 runc/crun advisories).
# The image's /dev points at a host directory (absolute, or by climbing with ../), with and
# without the config's /dev tmpfs, with linux.devices entries: no device node, symlink or
# mount may appear in the host directory (checked from the host while the container runs
# and after delete), and the container still gets a working /dev/null (or create refuses).
. "$(dirname "$0")/../../lib.sh"

# attempt RT LINK-KIND DEVMODE [--rootless]: LINK-KIND absolute|climb; DEVMODE tmpfs|image.
attempt() {
	local run=$1 kind=$2 devmode=$3 b id host=$T_DIR/hostdev-$RANDOM pid
	mkdir -p "$host"
	: >"$host/kk-sentinel"
	b=$(new_bundle ${4:-}) || return
	id=$(new_id "$kind")
	rm -rf "$b/rootfs/dev"
	case $kind in
	absolute) ln -s "$host" "$b/rootfs/dev" ;;
	climb) ln -s "../../../../../../../../../../..$host" "$b/rootfs/dev" ;;
	esac
	[ -n "${4:-}" ] && chown -h "$KK_RL_UID:$KK_RL_GID" "$b/rootfs/dev"
	if [ "$devmode" = image ]; then
		jq_config "$b" '.mounts |= map(select(.destination != "/dev"))' || return
	fi
	jq_config "$b" '.linux.devices = [{"path": "/dev/kk-extra", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]' || return
	set_args "$b" sh -c 'stat -c "%n %F %t:%T" /dev/null /dev/kk-extra; echo x >/dev/null && echo null-ok; sleep 3600'
	capture "$run" run -d -b "$b" "$id"
	if [ "$RC" = 0 ]; then
		pid=$(ctr_pid "$run" "$id") || { fail "no pid"; return; }
		local n=0
		while ! grep -q null-ok "$OUTF" 2>/dev/null && [ $n -lt 50 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		OUT=$(cat "$OUTF")
		assert_contains "$OUT" "/dev/null character special file 1:3" "/dev/null in the container ($kind, $devmode /dev)" || return
		assert_contains "$OUT" null-ok "writing /dev/null" || return
		if grep -qF -- "$host" /proc/self/mountinfo; then
			fail "something was mounted on the host path $host"
			return 1
		fi
	elif is_kakuri; then
		assert_contains "$ERR" "dev" "the refusal names /dev ($kind, $devmode /dev)" || return
	fi
	assert_eq kk-sentinel "$(ls -A "$host" | tr '\n' ' ' | sed 's/ $//')" "the host directory while the container exists ($kind, $devmode /dev)" || return
	"$run" delete --force "$id" >/dev/null 2>&1
	assert_eq kk-sentinel "$(ls -A "$host" | tr '\n' ' ' | sed 's/ $//')" "the host directory after delete" || return
	leftovers_check "$id"
}

test_absolute_tmpfs() { attempt rt absolute tmpfs; }
test_absolute_image() { attempt rt absolute image; }
test_climb_tmpfs() { attempt rt climb tmpfs; }
test_climb_image() { attempt rt climb image; }
test_rootless() {
	need_rootless || return 0
	attempt rl_rt absolute tmpfs --rootless && attempt rl_rt absolute image --rootless &&
		attempt rl_rt climb image --rootless
}

run_test "image /dev -> absolute host path, /dev tmpfs: no node/mount on the host path, /dev/null is 1:3" test_absolute_tmpfs
run_test "image /dev -> absolute host path, image /dev (no tmpfs): devices created inside the rootfs only" test_absolute_image
run_test "image /dev -> ../../..host path, /dev tmpfs: nothing on the host path" test_climb_tmpfs
run_test "image /dev -> ../../..host path, image /dev: devices (and linux.devices) inside the rootfs only" test_climb_image
run_test "image /dev symlink to a host path, rootless: nothing bound or created on the host path" test_rootless
done_testing
