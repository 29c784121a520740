#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile layers (tests/fixtures/mkimages.py hostile), root and rootless: every one is
# refused with an error naming the entry, writes nothing outside the store, and leaves the
# store exactly as it was; device nodes are skipped rootless; forged overlay xattrs are
# dropped; size limits hold; a hostile image pulled from a registry is refused the same way.
. "$(dirname "$0")/common.bash"

FX=$(engine_fixtures) || kk_bail "building the image fixtures failed"
H=$FX/hostile

K() {
	local mode=$1
	shift
	if [ "$mode" = root ]; then kk "$@"; else rl_kk "$@"; fi
}
store_of() { if [ "$1" = root ]; then echo "$KK_STORE"; else echo "$KK_RL_STORE"; fi; }
need_mode() {
	if [ "$1" = rootless ]; then
		need_rootless || return 1
	fi
	fresh_store "$1"
}

escaped() {
	local f
	for f in /tmp/kk-escape-* /kk-escape-* "$T_DIR"/kk-escape-* /tmp/kk-owned; do
		[ -e "$f" ] && echo "$f"
	done
}

# refused MODE CASE: loading hostile image CASE fails with its phrase; store unchanged.
refused() {
	local mode=$1 case=$2 st before after phrase
	st=$(store_of "$mode")
	phrase=$(cat "$H/$case.phrase")
	before=$(store_listing "$st")
	capture K "$mode" load -i "$H/$case"
	assert_failed "load of the hostile '$case' image" || return
	assert_contains "$ERR" "$phrase" "error for '$case'" || return
	assert_contains "$ERR" "layer" "error for '$case' names the layer" || return
	after=$(store_listing "$st")
	if [ "$before" != "$after" ]; then
		fail "the store changed after the refused '$case' load"
		diff <(echo "$before") <(echo "$after") | head -20 | sed 's/^/#     /' >&9
		return 1
	fi
	[ -z "$(escaped)" ] || { fail "written outside the store: $(escaped)"; return 1; }
	return 0
}

test_refused() {
	local mode=$1 c
	need_mode "$mode" || return 0
	must K "$mode" load -q -i "$FX/busybox" || return
	for c in dotdot absolute symlink-root symlink-dotdot hardlink-shadow hardlink-dotdot hardlink-missing \
		whiteout-parent whiteout-self sparse; do
		refused "$mode" "$c" || return
	done
	check_store K "$mode"
}

test_entry_named() {
	local mode=$1
	need_mode "$mode" || return 0
	capture K "$mode" load -i "$H/symlink-root"
	assert_contains "$ERR" "layer entry 'evil/tmp/kk-escape-symlink': 'evil' is a symlink" || return
	capture K "$mode" load -i "$H/hardlink-shadow"
	assert_contains "$ERR" "layer entry 'shadow': hard link target '/etc/shadow' is outside the layer" || return
	capture K "$mode" load -i "$H/dotdot"
	assert_contains "$ERR" "layer entry '../kk-escape-dotdot'" || return
}

test_bomb() {
	local mode=$1 start end
	need_mode "$mode" || return 0
	must K "$mode" load -q -i "$FX/busybox" || return
	start=$(date +%s)
	refused "$mode" bomb || return
	end=$(date +%s)
	[ $((end - start)) -lt 20 ] || fail "the 10 GiB bomb took $((end - start)) s to refuse"
	# And a plain size cap: an entry larger than KAKURI_MAX_LAYER_SIZE is refused before
	# its data is read.
	must K "$mode" rmi localhost/kk/busybox:1 || return
	if [ "$mode" = root ]; then
		capture env KAKURI_MAX_LAYER_SIZE=1M "$KAKURI" --root "$KK_STORE" load -i "$FX/busybox"
	else
		capture rl_kk KAKURI_MAX_LAYER_SIZE=1M load -i "$FX/busybox"
	fi
	assert_failed "load over KAKURI_MAX_LAYER_SIZE" || return
	assert_contains "$ERR" "size limit of 1048576 bytes" || return
	check_store K "$mode"
}

test_device() {
	local mode=$1 st f
	need_mode "$mode" || return 0
	st=$(store_of "$mode")
	capture K "$mode" load -i "$H/device"
	assert_ok "load of a layer with a device node" || return
	f=$(find "$st/layers" -path '*/diff/dev/kk-mem' 2>/dev/null)
	if [ "$mode" = root ]; then
		assert_eq "c 1:1" "$(stat -c '%F' "$f" | sed 's/character special file/c/') $(stat -c '%t:%T' "$f")" "device as root" || return
	else
		assert_contains "$ERR" "note: layer entry 'dev/kk-mem': device node 1:1 skipped" || return
		[ -z "$f" ] || fail "a device node was created rootless: $f"
	fi
	check_store K "$mode"
}

test_forged_xattr() {
	local mode=$1 st d
	need_mode "$mode" || return 0
	st=$(store_of "$mode")
	must K "$mode" load -q -i "$H/forged-xattr" || return
	d=$(find "$st/layers" -path '*/diff/d' -type d)
	capture python3 -c 'import os, sys; print(" ".join(sorted(os.listxattr(sys.argv[1]))))' "$d"
	assert_not_contains "$OUT" "overlay" "xattrs of the forged directory" || return
	assert_contains "$OUT" "user.kk" "the harmless xattr is kept" || return
}

test_hostile_pull() {
	local mode=$1 st before after
	need_mode "$mode" || return 0
	st=$(store_of "$mode")
	must K "$mode" load -q -i "$FX/busybox" || return
	before=$(store_listing "$st")
	capture K "$mode" pull --tls-verify=false "$REG_plain/hostile/symlink-root:1"
	assert_failed "pull of a hostile image" || return
	assert_contains "$ERR" "refused: layer entry 'evil/tmp/kk-escape-symlink'" || return
	after=$(store_listing "$st")
	assert_eq "$before" "$after" "store after the refused pull" || return
	[ -z "$(escaped)" ] || fail "written outside the store: $(escaped)"
	check_store K "$mode"
}

start_registry plain || kk_bail "no registry"
push "oci:$H/symlink-root" "$REG_plain/hostile/symlink-root:1" || kk_bail "skopeo push failed"
for mode in root rootless; do
	run_test "escapes (../, absolute, symlinks, hard links, .wh. of the parent, sparse) are refused, store unchanged ($mode)" test_refused $mode
	run_test "the error names the offending entry ($mode)" test_entry_named $mode
	run_test "a 10 GiB zero bomb and an over-size layer are refused quickly ($mode)" test_bomb $mode
	run_test "device nodes: created as root, skipped with a note rootless ($mode)" test_device $mode
	run_test "overlay xattrs forged in a layer are dropped ($mode)" test_forged_xattr $mode
	run_test "a hostile image pulled from a registry is refused, store unchanged ($mode)" test_hostile_pull $mode
done
done_testing
