#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Image archives and the local image commands, root and rootless: load (OCI layout,
# oci-archive, docker-archive, compressed), import, images, inspect, tag, rmi, save, prune,
# the merged root filesystem of a multi-layer image file by file, platform selection from
# an index, the rootfs drivers, and crash safety.
. "$(dirname "$0")/common.bash"

FX=$(engine_fixtures) || kk_bail "building the image fixtures failed"
cp "$KK_TESTS/fixtures/mkimages.py" "$T_DIR/bin/"
LISTER="python3 $T_DIR/bin/mkimages.py list"

case $(uname -m) in
x86_64) HOST_ARCH=amd64 ;;
aarch64) HOST_ARCH=arm64 ;;
*) HOST_ARCH=$(uname -m) ;;
esac

# K MODE ARGS...: kakuri in MODE (root or rootless).
K() {
	local mode=$1
	shift
	if [ "$mode" = root ]; then kk "$@"; else rl_kk "$@"; fi
}

store_of() { if [ "$1" = root ]; then echo "$KK_STORE"; else echo "$KK_RL_STORE"; fi; }

# merged_listing MODE IMAGE: the listing of the image's merged root filesystem.
merged_listing() {
	local mode=$1 img=$2
	if [ "$mode" = root ]; then
		local p
		p=$(kk image mount "$img") || return 1
		$LISTER "$p"
		kk image umount "$img" >/dev/null
	else
		rl_kk unshare sh -c "p=\$($KAKURI image mount '$img') && $LISTER \"\$p\"; $KAKURI image umount '$img' >/dev/null"
	fi
}

need_mode() {
	if [ "$1" = rootless ]; then
		need_rootless || return 1
	fi
	fresh_store "$1"
}

test_load_formats() {
	local mode=$1 f
	need_mode "$mode" || return 0
	for f in busybox busybox-oci.tar busybox-docker.tar; do
		capture K "$mode" load -i "$FX/$f"
		assert_ok "load $f" || return
		assert_contains "$OUT" "Loaded image: localhost/kk/busybox:" "load $f output" || return
	done
	gzip -c "$FX/busybox-oci.tar" >"$T_DIR/bb.tar.gz"
	zstd -q -c "$FX/busybox-docker.tar" >"$T_DIR/bb.tar.zst"
	chmod 0644 "$T_DIR"/bb.tar.*
	capture K "$mode" load -i "$T_DIR/bb.tar.gz"
	assert_ok "load of a gzip-compressed oci-archive" || return
	capture K "$mode" load -i "$T_DIR/bb.tar.zst"
	assert_ok "load of a zstd-compressed docker-archive" || return
	capture K "$mode" images --format json
	assert_eq 1 "$(jq length <<<"$OUT")" "one image (the same ID every time)" || return
	assert_eq '["localhost/kk/busybox:1","localhost/kk/busybox:docker"]' "$(jq -c '.[0].Names | sort' <<<"$OUT")" "names"
	check_store K "$mode"
}

test_inspect_tag_rmi() {
	local mode=$1 id st
	need_mode "$mode" || return 0
	st=$(store_of "$mode")
	must K "$mode" load -q -i "$FX/busybox" || return
	capture K "$mode" inspect localhost/kk/busybox:1
	assert_ok inspect || return
	id=$(jq -r '.[0].Id' <<<"$OUT")
	assert_eq 64 "${#id}" "ID length" || return
	assert_eq 1 "$(jq '.[0].RootFS.Layers | length' <<<"$OUT")" "layers" || return
	assert_eq amd64 "$(jq -r '.[0].Architecture' <<<"$OUT")" "architecture" || return
	must K "$mode" image exists "${id:0:12}" || return
	must K "$mode" tag localhost/kk/busybox:1 extra-name registry.example:5000/x/y:v2 || return
	capture K "$mode" images
	assert_contains "$OUT" "localhost/extra-name" || return
	assert_contains "$OUT" "registry.example:5000/x/y" || return
	capture K "$mode" rmi extra-name
	assert_ok "rmi of one of several names" || return
	assert_eq "Untagged: localhost/extra-name:latest" "$OUT" || return
	capture K "$mode" rmi "${id:0:12}"
	assert_failed "rmi by ID of an image with two names" || return
	assert_contains "$ERR" "has 2 names" || return
	capture K "$mode" rmi -f "$id"
	assert_ok "rmi -f" || return
	assert_contains "$OUT" "Deleted: $id" || return
	capture K "$mode" image exists localhost/kk/busybox:1
	assert_eq 1 "$RC" "image exists after rmi" || return
	local left
	left=$(find "$st/layers" "$st/blobs/sha256" -mindepth 1 -maxdepth 1)
	[ -z "$left" ] || fail "layers or blobs remain: $left"
	check_store K "$mode"
}

test_save_roundtrip() {
	local mode=$1 id fmt out
	need_mode "$mode" || return 0
	must K "$mode" load -q -i "$FX/multi" || return
	id=$(K "$mode" images -q --no-trunc)
	for fmt in docker-archive oci-archive oci-dir; do
		out=$T_DIR/saved-$mode-$fmt
		mkdir -p "$T_DIR/save-$mode" && chmod 0777 "$T_DIR/save-$mode"
		out=$T_DIR/save-$mode/$fmt
		capture K "$mode" save --format "$fmt" -o "$out" localhost/kk/multi:1
		assert_ok "save --format $fmt" || return
		case $fmt in
		oci-dir) capture skopeo inspect --raw "oci:$out" ;;
		*) capture skopeo inspect --raw "$fmt:$out" ;;
		esac
		assert_ok "skopeo reads the $fmt output" || return
	done
	must K "$mode" rmi localhost/kk/multi:1 || return
	for fmt in docker-archive oci-archive oci-dir; do
		capture K "$mode" load -i "$T_DIR/save-$mode/$fmt"
		assert_ok "load of the saved $fmt" || return
		assert_contains "$OUT" "localhost/kk/multi:1" "$fmt keeps the name" || return
		assert_eq "$id" "$(K "$mode" images -q --no-trunc)" "image ID after the $fmt round trip" || return
	done
	check_store K "$mode"
}

test_import() {
	local mode=$1 want got
	need_mode "$mode" || return 0
	tar -C "$FX/rootfs" --numeric-owner --owner=0 --group=0 -czf "$T_DIR/rootfs-$mode.tgz" .
	chmod 0644 "$T_DIR/rootfs-$mode.tgz"
	capture K "$mode" import "$T_DIR/rootfs-$mode.tgz" imported:v1
	assert_ok import || return
	assert_contains "$OUT" "sha256:" || return
	capture K "$mode" inspect localhost/imported:v1
	assert_eq "application/vnd.oci.image.layer.v1.tar+gzip" "$(jq -r '.[0].LayerBlobs[0].MediaType' <<<"$OUT")" "media type" || return
	want=$($LISTER "$FX/rootfs" | awk '{ $4 = 0; $5 = 0; print }')
	got=$(merged_listing "$mode" localhost/imported:v1) || { fail "mount failed"; return; }
	assert_eq "$want" "$got" "imported root filesystem" || return
	check_store K "$mode"
}

test_multi_layer_rootfs() {
	local mode=$1 img got st
	need_mode "$mode" || return 0
	st=$(store_of "$mode")
	for img in multi multi-zstd; do
		must K "$mode" load -q -i "$FX/$img" || return
		got=$(merged_listing "$mode" "localhost/kk/$img:1") || { fail "mount of $img failed"; return; }
		if [ "$got" != "$(cat "$FX/multi.expected")" ]; then
			fail "merged root filesystem of $img differs from the expected one"
			diff <(cat "$FX/multi.expected") <(echo "$got") | head -40 | sed 's/^/#     /' >&9
			return 1
		fi
	done
	if [ "$mode" = rootless ]; then
		# On disk, owners are the mapped subuids: container uid 1000 is host 100000+999.
		local f
		f=$(ls -d "$st"/layers/*/diff/home/user/notes.txt)
		assert_eq "$((100000 + 999)):$((100000 + 999))" "$(stat -c %u:%g "$f")" "on-disk owner of a uid-1000 file" || return
		f=$(ls -d "$st"/layers/*/diff/usr/bin/kk-suid)
		assert_eq "$KK_RL_UID" "$(stat -c %u "$f")" "on-disk owner of a uid-0 file (the user)" || return
	fi
	check_store K "$mode"
}

test_index_platforms() {
	local mode=$1 got
	need_mode "$mode" || return 0
	capture K "$mode" load -i "$FX/index"
	assert_ok "load of an index (host platform)" || return
	assert_eq "Loaded image: localhost/kk/index:1" "$OUT" || return
	capture K "$mode" inspect localhost/kk/index:1
	assert_eq "$HOST_ARCH" "$(jq -r '.[0].Architecture' <<<"$OUT")" "architecture of the default pick" || return
	if [ "$HOST_ARCH" = amd64 ] || [ "$HOST_ARCH" = arm64 ]; then
		got=$(merged_listing "$mode" localhost/kk/index:1) || { fail "mount failed"; return; }
		assert_eq "$(cat "$FX/index-$HOST_ARCH.expected")" "$got" "root filesystem for $HOST_ARCH" || return
	fi
	capture K "$mode" load --platform linux/arm64 -i "$FX/index"
	assert_ok "load --platform linux/arm64" || return
	capture K "$mode" inspect localhost/kk/index:1
	assert_eq arm64 "$(jq -r '.[0].Architecture' <<<"$OUT")" "the name moved to the arm64 image" || return
	got=$(merged_listing "$mode" localhost/kk/index:1) || { fail "mount failed"; return; }
	assert_eq "$(cat "$FX/index-arm64.expected")" "$got" "root filesystem for arm64" || return
	capture K "$mode" load --platform linux/s390x -i "$FX/index"
	assert_failed "load for a platform the index lacks" || return
	assert_contains "$ERR" "no image for platform linux/s390x" || return
	assert_contains "$ERR" "linux/amd64, linux/arm64" || return
	check_store K "$mode"
}

test_prune() {
	local mode=$1
	need_mode "$mode" || return 0
	must K "$mode" load -q -i "$FX/busybox" || return
	must K "$mode" load -q --platform linux/amd64 -i "$FX/index" || return
	# The name moves to the arm64 image: the amd64 one is left without a name.
	must K "$mode" load -q --platform linux/arm64 -i "$FX/index" || return
	assert_eq 3 "$(K "$mode" images -q | wc -l)" "images before prune" || return
	capture K "$mode" image prune
	assert_ok "image prune" || return
	assert_eq 2 "$(K "$mode" images -q | wc -l)" "prune removes the unnamed image only" || return
	must K "$mode" image prune -a || return
	assert_eq 0 "$(K "$mode" images -q | wc -l)" "prune -a removes the rest" || return
	check_store K "$mode"
}

test_rootfs_drivers() {
	local mode=$1 drv line path got drivers="vfs overlay"
	need_mode "$mode" || return 0
	[ "$mode" = root ] && [ -w /dev/fuse ] && command -v fuse-overlayfs >/dev/null && drivers="$drivers fuse-overlayfs"
	must K "$mode" load -q -i "$FX/multi" || return
	for drv in $drivers; do
		capture K "$mode" rootfs create --driver "$drv" localhost/kk/multi:1 "c-$drv"
		assert_ok "rootfs create --driver $drv" || return
		path=${OUT#* }
		if [ "$mode" = root ]; then
			must kk rootfs mount "c-$drv" || return
			got=$($LISTER "$path")
			kk rootfs umount "c-$drv"
		else
			got=$(rl_kk unshare sh -c "$KAKURI rootfs mount c-$drv >/dev/null && $LISTER $path")
		fi
		assert_eq "$(cat "$FX/multi.expected")" "$got" "root filesystem from the $drv driver" || return
	done
	capture K "$mode" rmi localhost/kk/multi:1
	assert_failed "rmi of an image a root filesystem uses" || return
	assert_contains "$ERR" "in use by container c-vfs" || return
	for drv in $drivers; do
		must K "$mode" rootfs rm "c-$drv" || return
	done
	must K "$mode" rmi localhost/kk/multi:1 || return
	check_store K "$mode"
}

test_killed_load_is_cleaned() {
	local mode=$1 st pid before
	need_mode "$mode" || return 0
	st=$(store_of "$mode")
	must K "$mode" load -q -i "$FX/busybox" || return
	before=$(K "$mode" images -q --no-trunc)
	# The bomb takes about a second to be refused: kill the load in the middle of it.
	K "$mode" load -q -i "$FX/hostile/bomb" >/dev/null 2>&1 &
	pid=$!
	sleep 0.4
	pkill -KILL -P "$pid" 2>/dev/null
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# Kill whatever that load left running (its unpacker), by its marker.
	for p in $(grep -lz "^KK_TEST_DIR=$T_DIR\$" /proc/[0-9]*/environ 2>/dev/null); do
		p=${p#/proc/}
		p=${p%/environ}
		case $(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null) in *"load -q -i $FX/hostile/bomb"*) kill -KILL "$p" ;; esac
	done
	sleep 0.2
	assert_eq "$before" "$(K "$mode" images -q --no-trunc)" "images after a killed load" || return
	# tmp/.partial (resumable downloads) is part of every store; anything else is scratch.
	[ -z "$(ls -A "$st/tmp" | grep -vx .partial)" ] || fail "scratch dirs of the killed load remain: $(ls -A "$st/tmp")"
	check_store K "$mode"
}

for mode in root rootless; do
	run_test "load reads OCI layouts, oci-archives, docker-archives, compressed too ($mode)" test_load_formats $mode
	run_test "inspect, tag, rmi untag/delete semantics and garbage collection ($mode)" test_inspect_tag_rmi $mode
	run_test "save to docker-archive, oci-archive, oci-dir and load back gives the same image ($mode)" test_save_roundtrip $mode
	run_test "import of a rootfs tarball gives that root filesystem ($mode)" test_import $mode
	run_test "a multi-layer image's merged rootfs matches the source file by file, gzip and zstd ($mode)" test_multi_layer_rootfs $mode
	run_test "an index gives the host platform by default and another with --platform ($mode)" test_index_platforms $mode
	run_test "image prune removes unnamed images, -a all unused ones ($mode)" test_prune $mode
	run_test "rootfs drivers (vfs, overlay, fuse-overlayfs) give the same tree; rmi refused while used ($mode)" test_rootfs_drivers $mode
	run_test "a killed load leaves nothing visible and the next command cleans up ($mode)" test_killed_load_is_cleaned $mode
done
done_testing
