#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The container's filesystem: root.readonly, mounts, default and configured devices,
# maskedPaths/readonlyPaths, rootfsPropagation, --no-pivot, process.cwd.
. "$(dirname "$0")/../../lib.sh"

# mnt_field OUT MOUNTPOINT FIELD: field of the mountinfo line (from OUT) for MOUNTPOINT.
# FIELD: opts (per-mount options), fstype, optional (shared:/master: tags).
mnt_field() {
	awk -v m="$2" -v f="$3" '$5 == m {
		for (i = 7; $i != "-"; i++) opt = opt " " $i
		if (f == "opts") print $6; else if (f == "fstype") print $(i + 1); else print opt
		exit
	}' <<<"$1"
}

has_opt() { # OPTS NAME: comma-separated option list contains NAME
	case ",$1," in *",$2,"*) return 0 ;; esac
	return 1
}

test_readonly_root() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.root.readonly = true' || return
	set_args "$b" sh -c 'touch /kk-ro-test'
	capture rt run -b "$b" "$id"
	assert_failed "touch / on a read-only root" || return
	assert_contains "$ERR" "Read-only file system" "touch error"
	[ ! -e "$b/rootfs/kk-ro-test" ] || fail "the file was created in the rootfs"
	# The default /dev and /tmp-less mounts stay writable: /dev/shm is its own tmpfs.
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.root.readonly = true' || return
	set_args "$b" sh -c 'touch /dev/shm/ok && echo shm-writable'
	capture rt run -b "$b" "$id"
	assert_eq shm-writable "$OUT" "/dev/shm under a read-only root"
}

test_mounts_options() {
	local b id src_ro=$T_DIR/src-ro src_rw=$T_DIR/src-rw
	mkdir -p "$src_ro" "$src_rw"
	echo ro-marker >"$src_ro/marker"
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.mounts += [
		{"destination": "/mnt/tmp", "type": "tmpfs", "source": "tmpfs",
		 "options": ["nosuid", "nodev", "noexec", "mode=0755", "size=1m"]},
		{"destination": "/mnt/ro", "type": "bind", "source": $ro, "options": ["rbind", "ro"]},
		{"destination": "/mnt/rw", "type": "bind", "source": $rw, "options": ["rbind", "rw"]}]' \
		--arg ro "$src_ro" --arg rw "$src_rw" || return
	set_args "$b" sh -c 'cat /proc/self/mountinfo; cat /mnt/ro/marker; echo from-inside >/mnt/rw/written;
		touch /mnt/ro/nope 2>/dev/null && echo RO-WRITABLE; echo ok'
	capture rt run -b "$b" "$id"
	assert_ok "run with tmpfs and bind mounts" || return
	local o
	assert_eq tmpfs "$(mnt_field "$OUT" /mnt/tmp fstype)" "fstype of /mnt/tmp"
	o=$(mnt_field "$OUT" /mnt/tmp opts)
	has_opt "$o" nosuid || fail "/mnt/tmp lacks nosuid: $o"
	has_opt "$o" nodev || fail "/mnt/tmp lacks nodev: $o"
	has_opt "$o" noexec || fail "/mnt/tmp lacks noexec: $o"
	o=$(mnt_field "$OUT" /mnt/ro opts)
	has_opt "$o" ro || fail "/mnt/ro is not read-only: '$o'"
	o=$(mnt_field "$OUT" /mnt/rw opts)
	has_opt "$o" rw || fail "/mnt/rw is not read-write: '$o'"
	assert_contains "$OUT" ro-marker "content of the ro bind"
	assert_not_contains "$OUT" RO-WRITABLE "write to the ro bind"
	assert_eq from-inside "$(cat "$src_rw/written" 2>&1)" "file written through the rw bind, seen on the host"
	[ ! -e "$src_ro/nope" ] || fail "a file was created through the ro bind"
}

test_mounts_in_order() {
	local b id src=$T_DIR/src-order
	mkdir -p "$src"
	echo inner-marker >"$src/marker"
	b=$(new_bundle) || return
	id=$(new_id)
	# The second mount lands inside the first: only works if mounts apply in order.
	jq_config "$b" '.mounts += [
		{"destination": "/mnt/order", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]},
		{"destination": "/mnt/order/inner", "type": "bind", "source": $s, "options": ["rbind"]},
		{"destination": "/mnt/twice", "type": "tmpfs", "source": "first", "options": ["size=1m"]},
		{"destination": "/mnt/twice", "type": "tmpfs", "source": "second", "options": ["size=1m"]}]' \
		--arg s "$src" || return
	set_args "$b" sh -c 'cat /mnt/order/inner/marker; awk "\$5 == \"/mnt/twice\" { print \$(NF-1) }" /proc/self/mountinfo | tail -n 1'
	capture rt run -b "$b" "$id"
	assert_ok "run with nested mounts" || return
	assert_eq "inner-marker
second" "$OUT" "nested bind content; source of the topmost /mnt/twice"
}

test_default_devices() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" sh -c 'for d in null zero full random urandom tty; do echo "$d $(stat -c "%F %t:%T" /dev/$d)"; done
		for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done
		[ -c /dev/ptmx ] && echo "ptmx char"; [ -d /dev/shm ] && echo "shm dir"; [ -d /dev/pts ] && echo "pts dir"
		awk "\$5 == \"/dev/pts\" { print \"pts fs\", \$(NF-2) }" /proc/self/mountinfo'
	capture rt run -b "$b" "$id"
	assert_ok run || return
	local d want
	for want in "null character special file 1:3" "zero character special file 1:5" \
		"full character special file 1:7" "random character special file 1:8" \
		"urandom character special file 1:9" "tty character special file 5:0" \
		"fd -> /proc/self/fd" "stdin -> /proc/self/fd/0" "stdout -> /proc/self/fd/1" \
		"stderr -> /proc/self/fd/2" "ptmx char" "shm dir" "pts dir" "pts fs devpts"; do
		grep -qxF -- "$want" <<<"$OUT" || fail "missing: '$want'"
	done
	d=$(grep '^ptmx -> ' <<<"$OUT")
	case $d in "ptmx -> pts/ptmx" | "ptmx -> /dev/pts/ptmx" | "ptmx -> ") ;; *) fail "/dev/ptmx: $d" ;; esac
	[ -e "$T_DIR/.fail" ] && _kk_show output "$OUT"
	return 0
}

test_image_dev_null_ignored() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	# A regular file where /dev/null should be must not become the container's /dev/null.
	echo IMAGE-FILE >"$b/rootfs/dev/null"
	set_args "$b" sh -c 'stat -c "%F %t:%T" /dev/null; echo x >/dev/null; cat /dev/null'
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq "character special file 1:3" "$OUT" "/dev/null inside"
}

test_linux_devices() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.linux.devices = [{"path": "/dev/kk-null", "type": "c", "major": 1, "minor": 3,
		"fileMode": 416, "uid": 5, "gid": 0}]' || return
	set_args "$b" stat -c '%F %t:%T %a %u' /dev/kk-null
	capture rt run -b "$b" "$id"
	assert_ok "run with linux.devices" || return
	assert_eq "character special file 1:3 640 5" "$OUT" "type, major:minor, mode, owner of /dev/kk-null"
}

test_masked_paths() {
	local b id f procs="" want=""
	# /proc/kcore is the classic example but not every kernel has it.
	for f in /proc/kcore /proc/timer_list /proc/interrupts; do
		[ -e "$f" ] || continue
		procs="$procs $f"
		want="$want$f 0
"
	done
	b=$(new_bundle) || return
	id=$(new_id)
	mkdir -p "$b/rootfs/kk-masked-dir"
	echo secret >"$b/rootfs/kk-masked-dir/secret"
	echo secret >"$b/rootfs/kk-masked-file"
	jq_config "$b" '.linux.maskedPaths = ((.linux.maskedPaths // []) - $p + $p + ["/kk-masked-dir", "/kk-masked-file"])' \
		--argjson p "$(json_array $procs)" || return
	set_args "$b" sh -c 'for f; do echo "$f $(cat $f | wc -c)"; done; echo "dir [$(ls -A /kk-masked-dir)]"; echo "file [$(cat /kk-masked-file)]"' sh $procs
	capture rt run -b "$b" "$id"
	assert_ok "run with maskedPaths" || return
	assert_eq "${want}dir []
file []" "$OUT" "masked /proc files (0 bytes), dir, file"
	assert_eq secret "$(cat "$b/rootfs/kk-masked-file")" "host file under the mask"
}

test_readonly_paths() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	mkdir -p "$b/rootfs/kk-ro-dir"
	jq_config "$b" '.linux.readonlyPaths = ((.linux.readonlyPaths // []) - ["/proc/sys"] + ["/proc/sys", "/kk-ro-dir"])' || return
	set_args "$b" sh -c 'echo kk-renamed >/proc/sys/kernel/hostname || echo sys-ro; touch /kk-ro-dir/x || echo dir-ro; hostname'
	capture rt run -b "$b" "$id"
	assert_ok "run with readonlyPaths" || return
	assert_eq "sys-ro
dir-ro" "$(head -n 2 <<<"$OUT")" "writes to /proc/sys and /kk-ro-dir"
	assert_contains "$ERR" "Read-only file system" "write error"
	assert_ne kk-renamed "$(tail -n 1 <<<"$OUT")" "hostname after the refused write"
}

test_sys_readonly() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" sh -c 'awk "\$5 == \"/sys\" { print \$(NF-2), \$6 }" /proc/self/mountinfo'
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq sysfs "${OUT%% *}" "fstype of /sys"
	has_opt "${OUT#* }" ro || fail "/sys from the default spec is not read-only: $OUT"
}

propagation() { # VALUE
	local b id tags
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.linux.rootfsPropagation = $p' --arg p "$1" || return
	set_args "$b" cat /proc/self/mountinfo
	capture rt run -b "$b" "$id"
	assert_ok "run with rootfsPropagation $1" || return
	tags=$(mnt_field "$OUT" / optional)
	echo "$tags"
}

test_propagation_private() {
	local tags
	tags=$(propagation private) || return
	case $tags in *shared:* | *master:*) fail "/ has propagation tags '$tags' with rootfsPropagation private" ;; esac
}

test_propagation_slave() {
	local tags
	tags=$(propagation rslave) || return
	case $tags in *shared:*) fail "/ is shared ('$tags') with rootfsPropagation rslave" ;; esac
}

test_no_pivot() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" sh -c 'cat /etc/hostname; ls /bin/busybox'
	capture rt run --no-pivot -b "$b" "$id"
	assert_ok "run --no-pivot" || return
	assert_eq "kakuri
/bin/busybox" "$OUT" "the rootfs is / with --no-pivot"
}

test_no_pivot_chroot_escape_stays() {
	kakuri_only || return 0
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	install_helper "$b" kk-escape || return 0
	# --no-pivot moves the root onto / (MS_MOVE) before chroot: with CAP_SYS_CHROOT the
	# classic escape (chroot into a subdir, walk up with "..") must end in the container's
	# root, not in the host's, as it would after a plain chroot.
	jq_config "$b" '.process.capabilities |= with_entries(.value += ["CAP_SYS_CHROOT"])' || return
	set_args "$b" sh -c 'kk-escape chroot-escape /; ls /etc/hostname'
	capture rt run --no-pivot -b "$b" "$id"
	assert_ok "run --no-pivot with a chroot escape" || return
	assert_contains "$OUT" "escaped=0" "the escape ends where it started"
	assert_contains "$OUT" "/etc/hostname" "and that is the bundle's rootfs"
	assert_contains "$OUT" "entries=$(ls -A "$b/rootfs" | wc -l)" "the reached / lists exactly the rootfs's entries"
}

test_cwd_created() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.process.cwd = "/kk/new/dir"' || return
	set_args "$b" pwd
	capture rt run -b "$b" "$id"
	assert_ok "run with a missing process.cwd" || return
	assert_eq /kk/new/dir "$OUT" "pwd"
	[ -d "$b/rootfs/kk/new/dir" ] || fail "process.cwd was not created inside the rootfs"
}

test_cwd_existing() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.process.cwd = "/etc"' || return
	set_args "$b" sh -c 'pwd; ls hostname'
	capture rt run -b "$b" "$id"
	assert_ok "run with process.cwd /etc" || return
	assert_eq "/etc
hostname" "$OUT" "pwd and a relative path"
}

test_rootless_mounts() {
	need_rootless || return 0
	local b id src=$T_DIR/src-rl
	mkdir -p "$src"
	echo rl-marker >"$src/marker"
	chown -R "$KK_RL_UID:$KK_RL_GID" "$src"
	b=$(new_bundle --rootless) || return
	id=$(new_id)
	jq_config "$b" '.root.readonly = true | .mounts += [
		{"destination": "/mnt/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "size=1m"]},
		{"destination": "/mnt/src", "type": "bind", "source": $s, "options": ["rbind", "ro"]}]' \
		--arg s "$src" || return
	set_args "$b" sh -c 'touch /kk-x 2>/dev/null && echo ROOT-WRITABLE; echo t >/mnt/tmp/t && cat /mnt/tmp/t;
		cat /mnt/src/marker; touch /mnt/src/x 2>/dev/null && echo BIND-WRITABLE; echo done'
	capture rl_rt run -b "$b" "$id"
	assert_ok "rootless run with a read-only root, tmpfs and ro bind" || return
	assert_eq "t
rl-marker
done" "$OUT" "output"
}

test_rootless_devices() {
	need_rootless || return 0
	local b id
	b=$(new_bundle --rootless) || return
	id=$(new_id)
	set_args "$b" sh -c 'for d in null zero full random urandom tty; do stat -c "%n %t:%T" /dev/$d; done; echo x >/dev/null && echo null-ok'
	capture rl_rt run -b "$b" "$id"
	assert_ok "rootless run" || return
	assert_eq "/dev/null 1:3
/dev/zero 1:5
/dev/full 1:7
/dev/random 1:8
/dev/urandom 1:9
/dev/tty 5:0
null-ok" "$OUT" "devices (bind-mounted from the host in rootless mode)"
}

run_test "root.readonly: writing / fails with EROFS; /dev/shm stays writable" test_readonly_root
run_test "mounts: tmpfs nosuid/nodev/noexec, bind ro and bind rw show in mountinfo and behave" test_mounts_options
run_test "mounts apply in config order (nested destination, later mount on top)" test_mounts_in_order
run_test "default devices: null 1:3 zero 1:5 full 1:7 random 1:8 urandom 1:9 tty 5:0, fd/std* links, ptmx, shm, pts" test_default_devices
run_test "an image's regular file at /dev/null does not replace the device" test_image_dev_null_ignored
run_test "linux.devices creates the node with its major:minor, mode and owner" test_linux_devices
run_test "maskedPaths: /proc/kcore (or timer_list, interrupts) read empty, a masked dir and file are empty" test_masked_paths
run_test "readonlyPaths: writes to /proc/sys and a listed dir fail" test_readonly_paths
run_test "/sys from the default spec is a read-only sysfs" test_sys_readonly
run_test "rootfsPropagation private: / has no shared or master peer group" test_propagation_private
run_test "rootfsPropagation rslave: accepted, / is not shared" test_propagation_slave
run_test "run --no-pivot works and / is the bundle's rootfs" test_no_pivot
run_test "--no-pivot: a chroot escape with CAP_SYS_CHROOT stays in the container's root" test_no_pivot_chroot_escape_stays
run_test "process.cwd is honoured and created when missing" test_cwd_created
run_test "process.cwd of an existing dir is the working directory" test_cwd_existing
run_test "rootless: read-only root, tmpfs and a ro bind mount" test_rootless_mounts
run_test "rootless: default devices are present and usable" test_rootless_devices
done_testing
