#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The three modes of kakuri containers and the seed scenarios of issue 6:
#   rootless: container ids through the user's subordinate range (run -u sync → uid 5 inside,
#             host uid 100004 in `top user huser`), container root = the user;
#   rootful:  the host's ids (sync ↔ 5);
#   privileged: every capability we have, seccomp off, /sys rw, the host's devices;
#   default:  the 11 default capabilities, seccomp filter, no_new_privs, masked paths;
#   containers.conf default_capabilities without SYS_CHROOT: chroot fails with EPERM, and
#   works again once restored (a user containers.conf rootless, CONTAINERS_CONF as root);
#   --userns keep-id (rootless), refused rootful; a user without /etc/subuid gets
#   setup guidance naming the file and the command.
. "$(dirname "$0")/common.bash"

modes_env

sfield() { awk -v n="$2:" '$1 == n { print $2; exit }' <<<"$1"; }

test_user_mapping() {
	local mode=$1 huser=5
	setup "$mode" || return 0
	[ "$mode" = rootless ] && huser=100004
	capture K "$mode" run --rm -u sync "$IMG" id
	assert_eq "uid=5(sync) gid=0(root)" "$OUT" "run -u sync IMAGE id" || return
	must K "$mode" run -d --name m -u sync "${MARK[@]}" "$IMG" sleep 1000 || return
	capture K "$mode" top m user huser
	assert_ok "top" || return
	assert_eq "USER  HUSER"$'\n'"sync  $huser" "$OUT" "top m user huser" || return
	# Seen from the host, too: the container's process runs as that uid.
	local pid
	pid=$(K "$mode" inspect --format '{{.State.Pid}}' m)
	assert_eq "$huser" "$(awk '/^Uid:/ { print $3 }' "/proc/$pid/status")" "the host's view of the process" || return
	# Container root is the rootless user itself (root as root): the map as the host sees it.
	local map
	map=$(awk '{ print $1, $2, $3 }' "/proc/$pid/uid_map" | tr '\n' ';')
	if [ "$mode" = rootless ]; then
		assert_eq "0 $KK_RL_UID 1;1 100000 65536;" "$map" "uid_map: 0 → the user, 1.. → the subordinate range" || return
	else
		assert_eq "0 0 4294967295;" "$map" "rootful: the host's ids" || return
	fi
}

test_default_mode() {
	local mode=$1 st
	setup "$mode" || return 0
	capture K "$mode" run --rm "$IMG" cat /proc/self/status
	st=$OUT
	assert_eq 00000000800405fb "$(sfield "$st" CapEff)" "the 11 default capabilities" || return
	assert_eq 2 "$(sfield "$st" Seccomp)" "Seccomp 2" || return
	assert_eq 1 "$(sfield "$st" NoNewPrivs)" "NoNewPrivs 1" || return
	capture K "$mode" run --rm "$IMG" sh -c 'stat -c %t:%T /proc/keys /proc/timer_list; ls -A /sys/firmware'
	assert_eq "1:3"$'\n'"1:3" "$OUT" "masked paths masked" || return
	capture K "$mode" run --rm "$IMG" sh -c 'ls /dev'
	assert_not_contains "$OUT" "loop-control" "no host devices by default"
}

test_privileged_mode() {
	local mode=$1 st bnd
	setup "$mode" || return 0
	bnd=$(awk '/^CapBnd/ { print $2 }' /proc/self/status)
	capture K "$mode" run --rm --privileged "$IMG" cat /proc/self/status
	st=$OUT
	assert_eq "$bnd" "$(sfield "$st" CapEff)" "CapEff: all capabilities" || return
	assert_eq 0 "$(sfield "$st" Seccomp)" "Seccomp 0" || return
	capture K "$mode" run --rm --privileged "$IMG" sh -c 'grep " /sys " /proc/mounts; test -e /dev/loop-control && echo host-devices; stat -c %t:%T /proc/keys'
	assert_match '/sys [a-z]+ rw' "$OUT" "/sys rw" || return
	assert_contains "$OUT" "host-devices" "host devices present" || return
	assert_not_contains "$OUT" "1:3" "nothing masked"
}

# The SYS_CHROOT scenario through containers.conf default_capabilities.
write_caps_conf() { # FILE WITH_CHROOT TMPDIR
	local caps='"CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID"'
	[ "$2" = yes ] && caps="$caps, \"SYS_CHROOT\""
	printf '[containers]\ndefault_capabilities = [%s]\n\n[engine]\ntmp_dir = "%s"\n' "$caps" "$3" >"$1"
	chmod 0644 "$1"
}

test_default_capabilities_conf() {
	local mode=$1 conf
	setup "$mode" || return 0
	if [ "$mode" = rootless ]; then
		# The user's own $XDG_CONFIG_HOME/containers/containers.conf, found by the
		# standard lookup (no CONTAINERS_CONF).
		local xdg=$T_DIR/xdg-rl
		mkdir -p "$xdg/containers"
		chown -R "$KK_RL_UID:$KK_RL_GID" "$xdg"
		conf=$xdg/containers/containers.conf
		kc() { rl_kk XDG_CONFIG_HOME="$xdg" "$@"; }
	else
		conf=$T_DIR/caps-root.conf
		kc() { env CONTAINERS_CONF="$conf" KK_TEST_DIR="$T_DIR" "$KAKURI" --root "$KK_STORE" "$@"; }
	fi
	write_caps_conf "$conf" no "$T_DIR/run-$([ "$mode" = root ] && echo root || echo rl)"
	capture kc run --rm -v /:/rootfs:ro "$IMG" sh -c 'chroot / true; echo rc=$?; chroot /rootfs true; echo rc=$?'
	assert_contains "$ERR" "Operation not permitted" "chroot without SYS_CHROOT" || return
	assert_eq "rc=1"$'\n'"rc=1" "$OUT" "both chroots fail" || return
	capture kc run --rm "$IMG" grep CapBnd /proc/self/status
	assert_contains "$OUT" 00000000800005fb "the bounding set lacks SYS_CHROOT" || return
	write_caps_conf "$conf" yes "$T_DIR/run-$([ "$mode" = root ] && echo root || echo rl)"
	capture kc run --rm -v /:/rootfs:ro "$IMG" sh -c 'chroot / true; echo rc=$?; chroot /rootfs true; echo rc=$?'
	assert_eq "rc=0"$'\n'"rc=0" "$OUT" "chroot works once SYS_CHROOT is back" || return
	capture kc run --rm --cap-drop SYS_CHROOT "$IMG" chroot / true
	assert_failed "--cap-drop still wins over the config" || return
	printf '[containers]\ndefault_capabilities = ["CAP_BOGUS"]\n' >"$conf"
	capture kc run --rm "$IMG" true
	assert_eq 125 "$RC" "a bad containers.conf" || return
	assert_contains "$ERR" "CAP_BOGUS" "the error names the value"
}

test_userns_modes() {
	local mode=$1
	setup "$mode" || return 0
	if [ "$mode" = root ]; then
		capture K root run --rm --userns keep-id "$IMG" true
		assert_eq 125 "$RC" "--userns keep-id is rootless only" || return
		capture K root run --rm --userns host "$IMG" id -u
		assert_eq 0 "$OUT" "--userns host" || return
		return 0
	fi
	capture K rootless run --rm --userns keep-id "$IMG" sh -c 'id -u; id -g; stat -c %u /bin/busybox'
	assert_eq "$KK_RL_UID"$'\n'"$KK_RL_GID"$'\n'"$KK_RL_UID" "$OUT" "keep-id: the user's own ids inside, owning the image's root files" || return
	# auto is root's (rootless containers already get the subordinate range); nomap and
	# the rest are tested in containers-opts.sh.
	capture K rootless run --rm --userns auto "$IMG" true
	assert_eq 125 "$RC" "--userns auto rootless: a clear error" || return
	assert_contains "$ERR" "--userns auto: only for root" || return
}

test_no_subuid_user() {
	need_rootless || return 0
	[ -n "$KK_NOSUB_USER" ] || { skip "no user without subordinate ids (KK_NOSUB_USER)"; return; }
	local st=$T_DIR/nosub-store
	mkdir -p "$st"
	chown "$(id -u "$KK_NOSUB_USER"):$(id -g "$KK_NOSUB_USER")" "$st"
	capture run_as "$KK_NOSUB_USER" env CONTAINERS_CONF="$RL_CONF" "$KAKURI" --root "$st" run --rm "$IMG" true
	assert_eq 125 "$RC" "exit status" || return
	assert_contains "$ERR" "/etc/subuid" "names the file" || return
	assert_contains "$ERR" "usermod --add-subuids" "and the command that fixes it"
}

for mode in rootless root; do
	run_test "$mode: run -u sync shows uid 5; top user huser shows sync and the host uid" test_user_mapping $mode
	run_test "$mode: default: 11 caps, Seccomp 2, NoNewPrivs 1, masked paths, no host devices" test_default_mode $mode
	run_test "$mode: --privileged: all caps, Seccomp 0, /sys rw, host devices, no masks" test_privileged_mode $mode
	run_test "$mode: default_capabilities without SYS_CHROOT: chroot EPERM; restored: chroot works" test_default_capabilities_conf $mode
	run_test "$mode: --userns modes" test_userns_modes $mode
done
run_test "rootless: a user without /etc/subuid gets the file and the command to fix it" test_no_subuid_user
done_testing
