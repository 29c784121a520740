#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.maskedPaths and linux.readonlyPaths in detail (rootfs.sh has the basic contents
# checks): a masked file is the real null device (char 1:3), a masked directory an empty
# read-only nosuid/nodev/noexec tmpfs; read-only paths are read-only with their submounts;
# missing paths are skipped; an image symlink as a masked path is resolved inside the
# root; /sys is read-only by default and read-write only when the config says so; root
# and rootless.
. "$(dirname "$0")/../../lib.sh"

# mi_field OUT MOUNTPOINT FIELD: opts (per-mount options) or fstype of the topmost mount.
mi_field() {
	awk -v m="$2" -v f="$3" '$5 == m { for (i = 7; $i != "-"; i++); o = $6; t = $(i + 1) }
		END { if (f == "opts") print o; else print t }' <<<"$1"
}

has_opt() { case ",$1," in *",$2,"*) return 0 ;; esac; return 1; }

masked_file_and_dir() { # RT [--rootless]
	local run=$1 b id o
	b=$(new_bundle ${2:-}) || return
	id=$(new_id)
	mkdir -p "$b/rootfs/kk-mdir/sub"
	echo secret >"$b/rootfs/kk-mdir/sub/secret"
	echo secret >"$b/rootfs/kk-mfile"
	[ -n "${2:-}" ] && chown -R "$KK_RL_UID:$KK_RL_GID" "$b/rootfs/kk-mdir" "$b/rootfs/kk-mfile"
	jq_config "$b" '.linux.maskedPaths += ["/kk-mdir", "/kk-mfile", "/kk-missing", "/kk-missing/deeper"]' || return
	set_args "$b" sh -c 'stat -c "file %F %t:%T" /kk-mfile; echo "dir [$(ls -A /kk-mdir)]"
		touch /kk-mdir/new 2>/dev/null && echo DIR-WRITABLE; echo x >/kk-mfile && echo "file-write-ok [$(cat /kk-mfile)]"
		cat /proc/self/mountinfo'
	capture "$run" run -b "$b" "$id"
	assert_ok "run with masked paths" || return
	assert_contains "$OUT" "file character special file 1:3" "the masked file is the null device" || return
	assert_contains "$OUT" "dir []" "the masked dir is empty" || return
	assert_not_contains "$OUT" DIR-WRITABLE "the masked dir is read-only" || return
	assert_contains "$OUT" "file-write-ok []" "writes to the masked file vanish" || return
	assert_eq tmpfs "$(mi_field "$OUT" /kk-mdir fstype)" "fstype over the masked dir" || return
	o=$(mi_field "$OUT" /kk-mdir opts)
	has_opt "$o" ro || fail "the masked dir's tmpfs is not read-only: $o" || return
	if is_kakuri; then # runc mounts it ro only
		for f in nosuid nodev noexec; do
			has_opt "$o" "$f" || fail "the masked dir's tmpfs lacks $f: $o" || return
		done
	fi
	assert_eq secret "$(cat "$b/rootfs/kk-mfile")" "the image's masked file under the mask" || return
	[ ! -e "$b/rootfs/kk-missing" ] || fail "a missing masked path was created"
}

test_masked_root() { masked_file_and_dir rt; }
test_masked_rootless() {
	need_rootless || return 0
	masked_file_and_dir rl_rt --rootless
}

readonly_with_submount() { # RT [--rootless]
	local run=$1 b id
	b=$(new_bundle ${2:-}) || return
	id=$(new_id)
	mkdir -p "$b/rootfs/kk-ro/inner"
	[ -n "${2:-}" ] && chown -R "$KK_RL_UID:$KK_RL_GID" "$b/rootfs/kk-ro"
	jq_config "$b" '.mounts += [{"destination": "/kk-ro/inner", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]
		| .linux.readonlyPaths += ["/kk-ro", "/kk-ro-missing"]' || return
	set_args "$b" sh -c 'touch /kk-ro/x 2>/dev/null && echo TOP-WRITABLE; touch /kk-ro/inner/x 2>/dev/null && echo SUB-WRITABLE
		echo > /proc/sysrq-trigger 2>/dev/null && echo SYSRQ-WRITABLE; echo checked'
	capture "$run" run -b "$b" "$id"
	assert_ok "run with readonlyPaths over a submount" || return
	assert_not_contains "$OUT" TOP-WRITABLE "a write to the read-only path" || return
	assert_not_contains "$OUT" SYSRQ-WRITABLE "a write to /proc/sysrq-trigger" || return
	# kakuri makes the submounts read-only too (runc leaves them as they are).
	is_kakuri || return 0
	assert_eq checked "$OUT" "writes under read-only paths (the path, its tmpfs submount, /proc/sysrq-trigger)"
}

test_readonly_root() { readonly_with_submount rt; }
test_readonly_rootless() {
	need_rootless || return 0
	readonly_with_submount rl_rt --rootless
}

# A masked path that is an image symlink is resolved inside the root: the host file of
# the same name is not touched and the container's target is masked.
test_masked_symlink_in_root() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	echo inside >"$b/rootfs/etc/kk-target"
	ln -s /etc/kk-target "$b/rootfs/kk-mlink"
	jq_config "$b" '.linux.maskedPaths += ["/kk-mlink"]' || return
	set_args "$b" sh -c 'stat -c "%F %t:%T" /etc/kk-target'
	capture rt run -b "$b" "$id"
	assert_ok "run with a symlink as a masked path" || return
	assert_eq "character special file 1:3" "$OUT" "the symlink's in-root target is masked" || return
	assert_eq inside "$(cat "$b/rootfs/etc/kk-target")" "the image file under the mask"
}

sys_mode() { # RT [--rootless] [JQ-EDIT]
	local run=$1 b id
	b=$(new_bundle ${2:-}) || return
	id=$(new_id)
	[ -n "${3:-}" ] && { jq_config "$b" "$3" || return; }
	set_args "$b" sh -c 'cat /proc/self/mountinfo'
	capture "$run" run -b "$b" "$id"
	assert_ok "run" || return
	mi_field "$OUT" /sys opts
	# Submounts of /sys (a rootless bind of the host's brings them along) too: the
	# topmost mount of each mount point, i.e. what the container sees (mountinfo lists
	# parents before children, so a later line for the same point covers an earlier one).
	awk '$5 ~ "^/sys/" { o[$5] = $6 } END { for (m in o) print m " " o[m] }' <<<"$OUT" >"$T_DIR/sys-submounts"
}

test_sys_ro_default_root() {
	local o
	o=$(sys_mode rt) || return
	has_opt "$o" ro || fail "/sys is not read-only by default: $o"
	is_kakuri || return 0 # runc leaves its cgroup mount's tmpfs writable
	if awk '$2 !~ /(^|,)ro(,|$)/' "$T_DIR/sys-submounts" | grep -q .; then
		fail "writable submounts of /sys: $(awk '$2 !~ /(^|,)ro(,|$)/' "$T_DIR/sys-submounts" | tr '\n' ' ')"
	fi
}

test_sys_ro_default_rootless() {
	need_rootless || return 0
	local o
	o=$(sys_mode rl_rt --rootless) || return
	has_opt "$o" ro || fail "rootless /sys is not read-only by default: $o"
	is_kakuri || return 0
	if awk '$2 !~ /(^|,)ro(,|$)/' "$T_DIR/sys-submounts" | grep -q .; then
		fail "writable submounts of the rootless /sys: $(awk '$2 !~ /(^|,)ro(,|$)/' "$T_DIR/sys-submounts" | tr '\n' ' ')"
	fi
}

test_sys_rw_when_configured() {
	local o
	o=$(sys_mode rt "" '.mounts |= map(if .destination == "/sys" then .options = ((.options // []) - ["ro"] + ["rw"]) else . end)') || return
	has_opt "$o" rw || fail "/sys configured rw is not read-write: $o"
}

run_test "maskedPaths, root: file is char 1:3, dir an empty ro,nosuid,nodev,noexec tmpfs, missing paths skipped" test_masked_root
run_test "maskedPaths, rootless: file is char 1:3, dir an empty read-only tmpfs" test_masked_rootless
run_test "readonlyPaths, root: the path and its submounts are read-only, /proc/sysrq-trigger too" test_readonly_root
run_test "readonlyPaths, rootless: the path and its submounts are read-only" test_readonly_rootless
run_test "a masked path that is an image symlink masks its in-root target" test_masked_symlink_in_root
run_test "/sys is read-only by default (and its submounts), root" test_sys_ro_default_root
run_test "/sys is read-only by default (and its submounts), rootless" test_sys_ro_default_rootless
run_test "/sys is read-write when the config mounts it rw" test_sys_rw_when_configured
done_testing
