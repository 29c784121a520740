#!/bin/sh
# Side-by-side engine benchmark: `kakuri run --rm IMAGE true` vs `podman run --rm IMAGE true`
# (podman driving runc), the same busybox image (tests/fixtures/mkimage.sh) loaded into a
# private store of each, timed by hyperfine in one run. Reports the medians and
# kakuri/podman (target: <= 0.15).
# Usage: sudo bench/engine-run.sh
# Env: KAKURI (build/kakuri), KAKURI_RUNTIME (build/kakuri-runtime), PODMAN, RUNC (PATH),
#      RUNS (30), WARMUP (3), OUT (build/bench/engine-run.json), ROOTLESS_USER (empty: skip
#      the extra rootless kakuri row; e.g. kktest from tests/setup-rootless.sh)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

# podman 4.3 writes outside the dirs it is given (its blob-info cache under /var/lib, the
# runtime's default root under /run through `podman container cleanup`): run everything in a
# private mount namespace where those are throw-away overlays (as tests/integration/runtime/
# podman.sh does). kakuri runs in the same namespace, so both see the same world.
if [ -z "${KK_BENCH_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "engine-run.sh: must run as root" >&2; exit 1; }
	KK_BENCH_NS=1 exec unshare -m --propagation private /bin/sh "$0" "$@"
fi

KAKURI=${KAKURI:-$top/build/kakuri}
KAKURI_RUNTIME=${KAKURI_RUNTIME:-$top/build/kakuri-runtime}
PODMAN=${PODMAN:-$(command -v podman || echo podman)}
RUNC=${RUNC:-$(command -v runc || echo runc)}
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
OUT=${OUT:-$top/build/bench/engine-run.json}
ROOTLESS_USER=${ROOTLESS_USER:-}
for t in hyperfine jq unshare "$PODMAN" "$RUNC" "$KAKURI" "$KAKURI_RUNTIME"; do
	command -v "$t" >/dev/null || { echo "engine-run.sh: $t not found" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/kk-engine-bench.XXXXXX)
chmod 0755 "$tmp"
masked=""
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	"$PODMAN" --root "$tmp/podman/root" --runroot "$tmp/podman/run" rm -af >/dev/null 2>&1 || true
	"$KAKURI" --root "$tmp/kakuri/store" rm -af >/dev/null 2>&1 || true
	for d in $masked; do umount -l "$d" 2>/dev/null || true; done
	grep -F " $tmp/" /proc/self/mounts | cut -d' ' -f2 | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$tmp/ovl"
mount -t tmpfs -o mode=0700 kk-bench-ovl "$tmp/ovl"
for d in /var/lib /run; do
	u=$tmp/ovl/$(echo "$d" | tr / _)
	mkdir -p "$u.up" "$u.work"
	mount -t overlay kk-bench-mask -o "lowerdir=$d,upperdir=$u.up,workdir=$u.work" "$d"
	masked="$masked $d"
done

image=docker.io/library/kakuri-busybox:latest
"$top/tests/fixtures/mkimage.sh" "$tmp/image.tar" "$image" >/dev/null
chmod 0644 "$tmp/image.tar"

# ---- podman: private everything, runc, cgroupfs, no network, file events ----------------
pm=$tmp/podman
mkdir -p "$pm/root" "$pm/run" "$pm/tmp" "$pm/net" "$pm/config" "$pm/home"
cat >"$pm/containers.conf" <<EOF
[containers]
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$pm/events.log"
lock_type = "file"
tmp_dir = "$pm/tmp"
static_dir = "$pm/root/libpod"
volume_path = "$pm/root/volumes"
[network]
network_config_dir = "$pm/net"
EOF
cat >"$pm/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$pm/root"
runroot = "$pm/run"
EOF
export CONTAINERS_STORAGE_CONF="$pm/storage.conf" XDG_CONFIG_HOME="$pm/config" HOME="$pm/home"
podman_cmd="env CONTAINERS_CONF=$pm/containers.conf $PODMAN --root $pm/root --runroot $pm/run --tmpdir $pm/tmp \
--storage-driver overlay --cgroup-manager cgroupfs --events-backend file --network-config-dir $pm/net \
--runtime $RUNC"
$podman_cmd load -q -i "$tmp/image.tar" >/dev/null
# This host's root lacks CAP_SYS_RESOURCE: podman's default rlimits cannot be set.
podman_run="$podman_cmd run --rm --network none --ulimit nofile=20000:20000 --ulimit nproc=1000:1000 $image true"

# ---- kakuri: a private store and per-boot dir, kakuri-runtime next to kakuri ------------
kk=$tmp/kakuri
mkdir -p "$kk/bin" "$kk/run"
cp "$KAKURI" "$KAKURI_RUNTIME" "$kk/bin/"
chmod 0755 "$kk" "$kk/bin" "$kk/bin/"*
printf '[engine]\ntmp_dir = "%s"\n' "$kk/run" >"$kk/containers.conf"
chmod 0644 "$kk/containers.conf"
kakuri_cmd="env CONTAINERS_CONF=$kk/containers.conf $kk/bin/kakuri --root $kk/store"
$kakuri_cmd load -q -i "$tmp/image.tar" >/dev/null
kakuri_run="$kakuri_cmd run --rm --network none $image true"

set -- -n kakuri "$kakuri_run" -n podman "$podman_run"
if [ -n "$ROOTLESS_USER" ]; then
	uid=$(id -u "$ROOTLESS_USER")
	mkdir -p "$kk/rl-store" "$kk/rl-run"
	chown "$uid:$(id -g "$ROOTLESS_USER")" "$kk/rl-store" "$kk/rl-run"
	printf '[engine]\ntmp_dir = "%s"\n' "$kk/rl-run" >"$kk/rl.conf"
	chmod 0644 "$kk/rl.conf"
	rl="setpriv --reuid=$uid --regid=$(id -g "$ROOTLESS_USER") --init-groups env -i HOME=/tmp \
PATH=/usr/bin:/bin XDG_RUNTIME_DIR=/run/user/$uid CONTAINERS_CONF=$kk/rl.conf $kk/bin/kakuri --root $kk/rl-store"
	$rl load -q -i "$tmp/image.tar" >/dev/null
	set -- "$@" -n "kakuri (rootless)" "$rl run --rm --network none $image true"
fi

# Both must work before anything is timed.
$kakuri_run || { echo "engine-run.sh: kakuri run failed" >&2; exit 1; }
$podman_run || { echo "engine-run.sh: podman run failed" >&2; exit 1; }

mkdir -p "$(dirname "$OUT")"
echo "# kakuri $("$KAKURI" version --format json | jq -r .Client.Version) with kakuri-runtime; podman $("$PODMAN" --version | cut -d' ' -f3) with runc $("$RUNC" --version | awk 'NR == 1 { print $3 }')"
hyperfine -N --runs "$RUNS" --warmup "$WARMUP" --export-json "$OUT" "$@"
jq -r '
	(.results | map({(.command): .median}) | add) as $m
	| .results[] | "\(.command): median \(.median * 1000 | . * 10 | round / 10) ms, mean \(.mean * 1000 | . * 10 | round / 10) ms, min \(.min * 1000 | . * 10 | round / 10) ms"' \
	"$OUT" 2>/dev/null || true
jq -r '
	(.results[] | select(.command == "kakuri") | .median) as $k
	| (.results[] | select(.command == "podman") | .median) as $p
	| "ratio kakuri/podman (medians): \($k / $p * 1000 | round / 1000) (target <= 0.15)"' "$OUT"
