#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Escape class: masked-path redirection (CVE-2025-31133, CVE-2025-52881).
# The image replaces /dev/null with a symlink to /proc/sys/kernel/core_pattern (or to a
# host file, or ships a regular file or the wrong device there) so that masking
# /proc/kcore & co. would bind-mount a writable procfs file into the container. With the
# image's /dev in use (no /dev tmpfs in the config) and with the default /dev tmpfs: every
# masked file must be covered by the real null device (char 1:3, seen in the container's
# mountinfo from the host: never a proc mount), writes to masked files must not reach the
# host's core_pattern, and the host decoy file must be unchanged.
. "$(dirname "$0")/../../lib.sh"

CORE=/proc/sys/kernel/core_pattern

# attempt RT KIND DEVMODE [--rootless]: KIND symlink-proc|symlink-host|file|wrong-dev;
# DEVMODE tmpfs (default config) or image (the config's /dev mount removed).
attempt() {
	local run=$1 kind=$2 devmode=$3 b id pid mi decoy=$T_DIR/host-null-$RANDOM before masked f
	before=$(cat "$CORE")
	echo decoy >"$decoy"
	b=$(new_bundle ${4:-}) || return
	id=$(new_id "$kind")
	rm -f "$b/rootfs/dev/null"
	case $kind in
	symlink-proc) ln -s "$CORE" "$b/rootfs/dev/null" ;;
	symlink-host) ln -s "$decoy" "$b/rootfs/dev/null" ;;
	file) echo image-file >"$b/rootfs/dev/null" ;;
	wrong-dev) mknod "$b/rootfs/dev/null" c 1 5 ;; # /dev/zero's numbers
	esac
	[ -n "${4:-}" ] && chown -h "$KK_RL_UID:$KK_RL_GID" "$b/rootfs/dev/null"
	masked=$(for f in /proc/kcore /proc/timer_list /proc/sched_debug /proc/interrupts; do [ -e "$f" ] && echo "$f"; done)
	jq_config "$b" '.linux.maskedPaths = ((.linux.maskedPaths // []) + $m | unique)' --argjson m "$(json_array $masked)" || return
	if [ "$devmode" = image ]; then
		jq_config "$b" '.mounts |= map(select(.destination != "/dev"))' || return
	fi
	set_args "$b" sh -c 'for f; do echo kk-escape >"$f" 2>/dev/null && echo "WROTE $f"; done
		stat -c "%n %F %t:%T" /dev/null "$@"; echo done' sh $masked
	capture "$run" run -b "$b" "$id"
	if [ "$RC" = 0 ]; then
		assert_contains "$OUT" done "the container ran" || return
		assert_contains "$OUT" "/dev/null character special file 1:3" "/dev/null in the container ($kind, $devmode /dev)" || return
		for f in $masked; do
			assert_contains "$OUT" "$f character special file 1:3" "masked $f ($kind, $devmode /dev)" || return
		done
	else
		# Refusing is fine, as long as it says why.
		if is_kakuri; then
			assert_contains "$ERR" "/dev/null" "the refusal names /dev/null ($kind, $devmode /dev)" || return
		fi
	fi
	assert_eq "$before" "$(cat "$CORE")" "the host's core_pattern" || return
	assert_eq decoy "$(cat "$decoy")" "the host decoy file" || return
	leftovers_check "$id"
}

# mountinfo_check RT KIND DEVMODE [--rootless]: the same set-up as a created container,
# inspected from the host: no proc mount on a masked path.
mountinfo_check() {
	local run=$1 kind=$2 devmode=$3 b id pid mi bad f
	b=$(new_bundle ${4:-}) || return
	id=$(new_id "mi-$kind")
	rm -f "$b/rootfs/dev/null"
	ln -s "$CORE" "$b/rootfs/dev/null"
	[ -n "${4:-}" ] && chown -h "$KK_RL_UID:$KK_RL_GID" "$b/rootfs/dev/null"
	if [ "$devmode" = image ]; then
		jq_config "$b" '.mounts |= map(select(.destination != "/dev"))' || return
	fi
	capture "$run" create -b "$b" "$id"
	[ "$RC" = 0 ] || return 0 # refused: covered by attempt()
	pid=$(ctr_pid "$run" "$id") || { fail "no pid"; return; }
	mi=$(cat "/proc/$pid/mountinfo")
	# A writable procfs bind anywhere but /proc itself, or procfs as the top mount of a
	# masked path, is what the attack would leave.
	bad=$(awk '$4 != "/" && $6 ~ /^rw/ { for (i = 7; $i != "-"; i++); if ($(i + 1) == "proc") print }' <<<"$mi")
	for f in $(jq -r '.linux.maskedPaths[]' "$b/config.json"); do
		bad=$bad$(awk -v m="$f" '$5 == m { for (i = 7; $i != "-"; i++); t = $(i + 1); l = $0 } END { if (t == "proc") print l }' <<<"$mi")
	done
	if [ -n "$bad" ]; then
		fail "a procfs file was bind-mounted writable, or onto a masked path"
		printf '%s\n' "$bad" | sed 's/^/#     /' >&9
		return 1
	fi
}

test_symlink_proc_image_dev() {
	attempt rt symlink-proc image && mountinfo_check rt symlink-proc image
}
test_symlink_proc_tmpfs_dev() {
	attempt rt symlink-proc tmpfs && mountinfo_check rt symlink-proc tmpfs
}
test_symlink_host_image_dev() { attempt rt symlink-host image; }
test_regular_file_image_dev() { attempt rt file image; }
test_wrong_device_image_dev() { attempt rt wrong-dev image; }
test_rootless() {
	need_rootless || return 0
	attempt rl_rt symlink-proc image --rootless && mountinfo_check rl_rt symlink-proc image --rootless &&
		attempt rl_rt symlink-host image --rootless && attempt rl_rt file image --rootless &&
		attempt rl_rt symlink-proc tmpfs --rootless
}

run_test "CVE-2025-31133 image /dev/null -> core_pattern, image /dev: masked files are char 1:3, core_pattern unchanged, no proc bind" test_symlink_proc_image_dev
run_test "CVE-2025-31133 image /dev/null -> core_pattern, default /dev tmpfs: masked files are char 1:3, no proc bind" test_symlink_proc_tmpfs_dev
run_test "CVE-2025-31133 image /dev/null -> host file: masking never binds it, host file unchanged" test_symlink_host_image_dev
run_test "CVE-2025-31133 image /dev/null is a regular file: masks use the real null device (or create refuses)" test_regular_file_image_dev
run_test "CVE-2025-31133 image /dev/null is char 1:5: masks use the real null device (or create refuses)" test_wrong_device_image_dev
run_test "CVE-2025-31133/CVE-2025-52881 /dev/null redirection, rootless: masked files are char 1:3, host files unchanged" test_rootless
done_testing
