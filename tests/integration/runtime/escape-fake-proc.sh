#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Escape class: fake /proc (CVE-2019-16884, CVE-2023-27561, and the /proc/self/fd
# redirection of CVE-2025-52881).
# The image makes /proc a symlink (into the rootfs, or to a host path) or a file; the
# config mounts a tmpfs or a prepared host directory over /proc or /proc/sys (after the
# proc mount, and before it). With linux.sysctl and process.oomScoreAdj set, create must
# fail, or the values must reach the real procfs (checked from the host) and never the
# fake. A fake /proc whose self/fd/N entries point at a sysfs file must not make masking
# or read-only remounts produce a writable mount of that file. With no LSM active here, a
# label request must fail instead of being written nowhere.
. "$(dirname "$0")/../../lib.sh"

SYSCTL='{"net.ipv4.ip_forward": "1"}'

# real_ip_forward PID: net.ipv4.ip_forward of the container's network namespace, read from
# the host's procfs.
real_ip_forward() {
	nsenter --net="/proc/$1/ns/net" cat /proc/sys/net/ipv4/ip_forward 2>/dev/null
}

# fake_dir DIR: a host directory laid out like procfs with decoy files.
fake_dir() {
	mkdir -p "$1/sys/net/ipv4" "$1/self" "$1/sys/kernel"
	echo 0 >"$1/sys/net/ipv4/ip_forward"
	echo decoy >"$1/self/oom_score_adj"
	echo decoy >"$1/sys/kernel/core_pattern"
}

check_fake_untouched() { # DIR
	assert_eq 0 "$(cat "$1/sys/net/ipv4/ip_forward")" "the fake ip_forward" || return
	assert_eq decoy "$(cat "$1/self/oom_score_adj")" "the fake oom_score_adj" || return
	assert_eq decoy "$(cat "$1/sys/kernel/core_pattern")" "the fake core_pattern"
}

# image_proc RT KIND [--rootless]: the image's /proc is a symlink (KIND in-root|host) or
# a regular file (KIND file).
image_proc() {
	local run=$1 kind=$2 b id fake
	b=$(new_bundle ${3:-}) || return
	id=$(new_id "$kind")
	rmdir "$b/rootfs/proc"
	case $kind in
	in-root)
		fake=$b/rootfs/kk-fakeproc
		fake_dir "$fake"
		ln -s /kk-fakeproc "$b/rootfs/proc"
		;;
	host)
		fake=$T_DIR/host-fakeproc-$RANDOM
		fake_dir "$fake"
		ln -s "$fake" "$b/rootfs/proc"
		;;
	file)
		fake=$b/rootfs/kk-fakeproc
		fake_dir "$fake"
		echo "not a directory" >"$b/rootfs/proc"
		;;
	esac
	[ -n "${3:-}" ] && chown -R -h "$KK_RL_UID:$KK_RL_GID" "$b/rootfs/proc" "$fake"
	jq_config "$b" '.linux.sysctl = $s | .process.oomScoreAdj = 5' --argjson s "$SYSCTL" || return
	capture "$run" create -b "$b" "$id"
	assert_failed "create with an image /proc that is a $kind" || return
	if is_kakuri; then
		assert_contains "$ERR" "not a directory" "the error says /proc is not a directory" || return
	fi
	check_fake_untouched "$fake" || return
	leftovers_check "$id"
}

test_proc_symlink_in_root() { image_proc rt in-root; }
test_proc_symlink_host() { image_proc rt host; }
test_proc_file() { image_proc rt file; }
test_proc_symlink_rootless() {
	need_rootless || return 0
	image_proc rl_rt in-root --rootless && image_proc rl_rt host --rootless
}

# overmount RT JQ-MOUNTS WHAT [--rootless]: extra mounts (JQ expression editing .mounts,
# $fake is a prepared host directory); create must fail or the values reach real procfs.
overmount() {
	local run=$1 edit=$2 what=$3 b id fake pid
	fake=$T_DIR/fake-$RANDOM
	fake_dir "$fake"
	[ -n "${4:-}" ] && chown -R "$KK_RL_UID:$KK_RL_GID" "$fake"
	b=$(new_bundle ${4:-}) || return
	id=$(new_id)
	# `spec --rootless` shares the host's network namespace, whose sysctls are not ours.
	jq_config "$b" "$edit | .linux.sysctl = \$s | .process.oomScoreAdj = 5
		| if (.linux.namespaces | map(.type) | index(\"network\")) then . else .linux.namespaces += [{\"type\": \"network\"}] end" \
		--arg fake "$fake" --argjson s "$SYSCTL" || return
	capture "$run" create -b "$b" "$id"
	if [ "$RC" = 0 ]; then
		pid=$(ctr_pid "$run" "$id") || { fail "no pid"; return; }
		assert_eq 1 "$(real_ip_forward "$pid")" "net.ipv4.ip_forward in the container's netns ($what)" || return
		assert_eq 5 "$(cat "/proc/$pid/oom_score_adj")" "the init's real oom_score_adj ($what)" || return
	else
		diag "create refused ($what): $ERR"
		leftovers_check "$id" || return
	fi
	check_fake_untouched "$fake"
}

test_tmpfs_over_proc() {
	overmount rt '.mounts += [{"destination": "/proc", "type": "tmpfs", "source": "tmpfs"}]' "tmpfs over /proc"
}
test_bind_over_proc() {
	overmount rt '.mounts += [{"destination": "/proc", "type": "bind", "source": $fake, "options": ["rbind"]}]' "bind over /proc"
}
test_bind_over_proc_sys() {
	overmount rt '.mounts += [{"destination": "/proc/sys", "type": "bind", "source": ($fake + "/sys"), "options": ["rbind"]}]' "bind over /proc/sys"
}
test_tmpfs_before_proc() {
	overmount rt '.mounts = [{"destination": "/proc", "type": "tmpfs", "source": "tmpfs"}] + .mounts' "tmpfs under the proc mount"
}
test_overmount_rootless() {
	need_rootless || return 0
	overmount rl_rt '.mounts += [{"destination": "/proc", "type": "bind", "source": $fake, "options": ["rbind"]}]' "rootless bind over /proc" --rootless || return
	overmount rl_rt '.mounts += [{"destination": "/proc", "type": "tmpfs", "source": "tmpfs"}]' "rootless tmpfs over /proc" --rootless
}

# CVE-2025-52881: a fake /proc whose self/fd/N (and thread-self/fd/N, N/fd/N) are symlinks to
# a writable-by-root sysfs file. If the runtime bound or remounted through /proc/self/fd/N
# after pivot_root, masking /dev/null "onto" a masked path would bind that file
# read-write. Checked in the container's mountinfo from the host: no mount of the target.
redirect_fds() { # RT [--rootless]
	local run=$1 b id fake pid mi n target=/sys/kernel/uevent_helper
	[ -e "$target" ] || target=/sys/kernel/profiling
	[ -e "$target" ] || { skip "no $target"; return 0; }
	fake=$T_DIR/fdfake-$RANDOM
	mkdir -p "$fake/1/fd" "$fake/1/task/1/fd"
	ln -s 1 "$fake/self"
	ln -s 1/task/1 "$fake/thread-self"
	for n in $(seq 0 40); do
		ln -s "$target" "$fake/1/fd/$n"
		ln -s "$target" "$fake/1/task/1/fd/$n"
	done
	[ -n "${2:-}" ] && chown -R -h "$KK_RL_UID:$KK_RL_GID" "$fake"
	b=$(new_bundle ${2:-}) || return
	id=$(new_id)
	mkdir -p "$b/rootfs/kk-masked" "$b/rootfs/kk-ro"
	: >"$b/rootfs/kk-masked-file"
	jq_config "$b" '.mounts += [{"destination": "/proc", "type": "bind", "source": $fake, "options": ["rbind"]}]
		| .linux.maskedPaths += ["/kk-masked", "/kk-masked-file"] | .linux.readonlyPaths += ["/kk-ro"]' \
		--arg fake "$fake" || return
	capture "$run" create -b "$b" "$id"
	if [ "$RC" != 0 ] && ! is_kakuri; then
		diag "$KK_RUNTIME_NAME refuses the fake /proc: $ERR"
		leftovers_check "$id"
		return
	fi
	# kakuri accepts the config (a bind over /proc is the operator's choice) and must
	# then put every mask and read-only bind where it belongs.
	assert_ok "create with a fake /proc of redirecting fd links" || return
	pid=$(ctr_pid "$run" "$id") || { fail "no pid"; return; }
	mi=$(cat "/proc/$pid/mountinfo")
	if awk -v t="${target#/sys}" '$4 == t' <<<"$mi" | grep -q .; then
		fail "$target was bind-mounted inside the container"
		awk -v t="${target#/sys}" '$4 == t' <<<"$mi" | sed 's/^/#     /' >&9
		return 1
	fi
	# The masks and the read-only bind landed where they belong.
	assert_eq "/null" "$(awk '$5 == "/kk-masked-file" { print $4 }' <<<"$mi" | tail -n 1)" \
		"the mount on /kk-masked-file is /dev/null" || return
	assert_match '^ro,' "$(awk '$5 == "/kk-masked" { print $6 "," $(NF-2) }' <<<"$mi" | tail -n 1)" \
		"/kk-masked is a read-only mount" || return
	assert_contains "$(awk '$5 == "/kk-masked" { print $(NF-2) }' <<<"$mi" | tail -n 1)" tmpfs "/kk-masked fs type" || return
	assert_match '^ro' "$(awk '$5 == "/kk-ro" { print $6 }' <<<"$mi" | tail -n 1)" "/kk-ro is read-only"
}

test_redirect_self_fd() { redirect_fds rt; }
test_redirect_self_fd_rootless() {
	need_rootless || return 0
	redirect_fds rl_rt --rootless
}

# With no LSM active on this host, labels cannot be written anywhere: a request fails
# (it must never be silently dropped into a fake /proc), unless marked optional.
test_lsm_label_without_lsm() {
	kakuri_only "the label errors and io.kakuri.lsm.optional are kakuri's" || return 0
	local b id lsm
	lsm=$(cat /sys/kernel/security/lsm 2>/dev/null)
	case ",$lsm," in *,apparmor,* | *,selinux,*) skip "an LSM with labels is active ($lsm)"; return 0 ;; esac
	b=$(new_bundle) || return
	id=$(new_id)
	rmdir "$b/rootfs/proc" && mkdir -p "$b/rootfs/kk-fakeproc" && ln -s /kk-fakeproc "$b/rootfs/proc"
	jq_config "$b" '.process.apparmorProfile = "kk-profile"' || return
	capture rt create -b "$b" "$id"
	assert_failed "create with process.apparmorProfile on a host without AppArmor" || return
	assert_contains "$ERR" "process.apparmorProfile 'kk-profile': AppArmor is not enabled on this host" "error" || return
	leftovers_check "$id" || return
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.process.selinuxLabel = "system_u:system_r:container_t:s0" | .annotations["io.kakuri.lsm.optional"] = "true"' || return
	set_args "$b" true
	capture rt run -b "$b" "$id"
	assert_ok "run with an optional SELinux label on a host without SELinux" || return
	assert_contains "$ERR" "SELinux is not enabled on this host" "warning"
}

run_test "CVE-2019-16884 image /proc is a symlink into the rootfs: create fails, fake sysctl/oom files untouched" test_proc_symlink_in_root
run_test "CVE-2019-16884 image /proc is a symlink to a host path: create fails, host files untouched" test_proc_symlink_host
run_test "CVE-2019-16884 image /proc is a regular file: create fails" test_proc_file
run_test "CVE-2019-16884 image /proc symlinks, rootless: create fails, fakes untouched" test_proc_symlink_rootless
run_test "CVE-2023-27561 tmpfs over /proc: linux.sysctl and oomScoreAdj reach real procfs or create fails" test_tmpfs_over_proc
run_test "CVE-2023-27561 host dir bound over /proc: sysctl/oomScoreAdj reach real procfs or create fails; decoys untouched" test_bind_over_proc
run_test "CVE-2023-27561 host dir bound over /proc/sys: sysctl reaches real procfs; decoy untouched" test_bind_over_proc_sys
run_test "CVE-2023-27561 tmpfs at /proc before the proc mount: sysctl reaches real procfs" test_tmpfs_before_proc
run_test "CVE-2023-27561 fake /proc (bind, tmpfs), rootless: sysctl reaches real procfs or create fails" test_overmount_rootless
run_test "CVE-2025-52881 fake /proc whose self/fd/N point at a sysfs file: masks and ro binds land on their paths, never on that file" test_redirect_self_fd
run_test "CVE-2025-52881 fake /proc self/fd/N redirection, rootless: masks and ro binds land on their paths" test_redirect_self_fd_rootless
run_test "CVE-2019-16884 label requests with no LSM active fail (never written into a fake /proc); optional warns" test_lsm_label_without_lsm
done_testing
