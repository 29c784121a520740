#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Concurrency, root and rootless: 8 parallel pulls of images that share layers, with rmi
# and prune running in between, all succeed and leave a consistent store (system check);
# the images then pulled again are complete.
. "$(dirname "$0")/common.bash"

FX=$(engine_fixtures) || kk_bail "building the image fixtures failed"

K() {
	local mode=$1
	shift
	if [ "$mode" = root ]; then kk "$@"; else rl_kk "$@"; fi
}
need_mode() {
	if [ "$1" = rootless ]; then
		need_rootless || return 1
	fi
	fresh_store "$1"
}

IMAGES=(busybox multi multi-zstd index busybox multi index multi-zstd)

test_parallel_pulls() {
	local mode=$1 i pids=() bad=0 rmi_pid
	need_mode "$mode" || return 0
	must K "$mode" pull -q --tls-verify=false "$REG_plain/kk/busybox:1" || return
	# rmi/prune in a loop while the pulls run.
	(
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			K "$mode" rmi -f "$REG_plain/kk/busybox:1" "$REG_plain/kk/multi:1" >/dev/null 2>&1
			K "$mode" image prune -a >/dev/null 2>&1
			sleep 0.05
		done
	) &
	rmi_pid=$!
	for i in "${!IMAGES[@]}"; do
		K "$mode" pull -q --tls-verify=false "$REG_plain/kk/${IMAGES[$i]}:1" >"$T_DIR/pull-$mode-$i.out" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		if ! wait "${pids[$i]}"; then
			fail "pull $i (${IMAGES[$i]}) failed: $(cat "$T_DIR/pull-$mode-$i.out")"
			bad=1
		fi
	done
	wait "$rmi_pid"
	[ "$bad" = 0 ] || return 1
	check_store K "$mode" || return
	# Whatever survived is complete; pulling everything again works and checks out.
	for i in busybox multi multi-zstd index; do
		must K "$mode" pull -q --tls-verify=false "$REG_plain/kk/$i:1" || return
	done
	assert_eq 3 "$(K "$mode" images -q | sort -u | wc -l)" "distinct images (multi and multi-zstd share an ID)" || return
	check_store K "$mode"
}

test_parallel_loads() {
	local mode=$1 i pids=() bad=0
	need_mode "$mode" || return 0
	for i in 1 2 3 4 5 6 7 8; do
		K "$mode" load -q -i "$FX/multi" >"$T_DIR/load-$mode-$i.out" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || {
			fail "load $i failed: $(cat "$T_DIR/load-$mode-$((i + 1)).out")"
			bad=1
		}
	done
	[ "$bad" = 0 ] || return 1
	assert_eq 1 "$(K "$mode" images -q | wc -l)" "one image after 8 parallel loads" || return
	check_store K "$mode"
}

start_registry plain || kk_bail "no registry"
for img in busybox multi multi-zstd index; do
	push "oci:$FX/$img" "$REG_plain/kk/$img:1" || kk_bail "skopeo push of $img failed"
done
for mode in root rootless; do
	run_test "8 parallel pulls of overlapping images with rmi and prune in between: consistent store ($mode)" test_parallel_pulls $mode
	run_test "8 parallel loads of one image: one image, consistent store ($mode)" test_parallel_loads $mode
done
done_testing
