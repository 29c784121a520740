#!/bin/bash
# Side-by-side network benchmark, kakuri vs podman in the same mode:
#   - rootless pasta (ROOTLESS_USER, both engines --network pasta; podman < 4.4 has no pasta:
#     its rootless default slirp4netns then, said in the table), rootless slirp4netns,
#   - rootful bridge (kakuri's default network vs podman's default CNI bridge),
# measuring (1) TCP throughput container -> host with iperf3 (the host's iperf3 and its
# libraries bind-mounted read-only into the busybox image, run through the host's dynamic
# loader), the server on the host's loopback for pasta (reached through the gateway address
# pasta maps to it) and on the bridge's gateway address for bridges; and (2) the request
# latency of a published port: curl on the host -> busybox httpd in the container, hyperfine.
# Reports kakuri/podman ratios (throughput: >= 1 is as fast or faster; latency: <= 1).
# Usage: sudo bench/net.sh [pasta|slirp4netns|bridge]...   (default: all three)
# Env: KAKURI, KAKURI_RUNTIME (build/), PODMAN, RUNC, ROOTLESS_USER (kktest), T (iperf3 seconds,
#      5), ROUNDS (iperf3 runs per engine and mode, interleaved; the median is reported, 3),
#      RUNS (hyperfine runs of 50 requests, 30), OUT (build/bench/net.txt)
# /dev/net/tun is made 0666 for the run (pasta needs it rootless) and restored at exit.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

# podman writes outside the dirs it is given: a private mount namespace with throw-away
# overlays on /var/lib and /run, as bench/engine-run.sh does.
if [ -z "${KK_BENCH_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "net.sh: must run as root" >&2; exit 1; }
	KK_BENCH_NS=1 exec unshare -m --propagation private /bin/bash "$0" "$@"
fi

KAKURI=${KAKURI:-$top/build/kakuri}
KAKURI_RUNTIME=${KAKURI_RUNTIME:-$top/build/kakuri-runtime}
PODMAN=${PODMAN:-$(command -v podman || echo podman)}
RUNC=${RUNC:-$(command -v runc || echo runc)}
ROOTLESS_USER=${ROOTLESS_USER:-kktest}
T=${T:-5}
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-30}
OUT=${OUT:-$top/build/bench/net.txt}
MODES=${*:-pasta slirp4netns bridge}
for t in iperf3 hyperfine curl jq pasta "$PODMAN" "$RUNC" "$KAKURI" "$KAKURI_RUNTIME"; do
	command -v "$t" >/dev/null || { echo "net.sh: $t not found (scripts/install-deps.sh test)" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/kk-net-bench.XXXXXX)
chmod 0755 "$tmp"
tun_mode=$(stat -c %a /dev/net/tun)
masked=""
pids=""
# shellcheck disable=SC2317,SC2329 # called from the EXIT trap
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	case " $MODES " in *" bridge "*)
		$pm_root rm -af >/dev/null 2>&1 || true
		$kk_root rm -af >/dev/null 2>&1 || true
		# CNI never removes the bridge it made.
		[ "$had_cni_bridge" = 1 ] || ip link del cni-podman0 2>/dev/null || true
		;;
	esac
	case " $MODES " in *" pasta "* | *" slirp4netns "*)
		[ -n "${pm_rl:-}" ] && $pm_rl rm -af >/dev/null 2>&1
		[ -n "${kk_rl:-}" ] && $kk_rl rm -af >/dev/null 2>&1
		;;
	esac
	# podman's rootless pause process (it would outlive us).
	find "$tmp" -name pause.pid 2>/dev/null | while read -r f; do kill "$(cat "$f")" 2>/dev/null; done
	chmod "$tun_mode" /dev/net/tun
	for d in $masked; do umount -l "$d" 2>/dev/null || true; done
	grep -F " $tmp/" /proc/self/mounts | cut -d' ' -f2 | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$tmp"
}
pm_root=true kk_root=true had_cni_bridge=0
ip link show cni-podman0 >/dev/null 2>&1 && had_cni_bridge=1
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$tmp/ovl"
mount -t tmpfs -o mode=0700 kk-bench-ovl "$tmp/ovl"
for d in /var/lib /run/containers /run/netns /var/run/containers; do
	[ -d "$d" ] || continue
	u=$tmp/ovl/$(echo "$d" | tr / _)
	mkdir -p "$u.up" "$u.work"
	mount -t overlay kk-bench-mask -o "lowerdir=$d,upperdir=$u.up,workdir=$u.work" "$d"
	masked="$masked $d"
done
chmod 0666 /dev/net/tun

image=docker.io/library/kakuri-busybox:latest
"$top/tests/fixtures/mkimage.sh" "$tmp/image.tar" "$image" >/dev/null
chmod 0644 "$tmp/image.tar"
# iperf3 inside the busybox image: the host's binary and libraries, read-only.
IPERF_MOUNTS="-v /usr/bin/iperf3:/iperf3:ro -v /usr/lib/x86_64-linux-gnu:/hostlib:ro"
IPERF_CMD="/hostlib/ld-linux-x86-64.so.2 --library-path /hostlib /iperf3"
HTTPD='mkdir -p /www && echo bench >/www/index.html && exec httpd -f -p 80 -h /www'

# ---- engines ---------------------------------------------------------------------------
pm=$tmp/podman
mkdir -p "$pm/root" "$pm/run" "$pm/tmp" "$pm/net" "$pm/config" "$pm/home"
cat >"$pm/containers.conf" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$pm/events.log"
lock_type = "file"
tmp_dir = "$pm/tmp"
static_dir = "$pm/root/libpod"
volume_path = "$pm/root/volumes"
[network]
network_backend = "cni"
network_config_dir = "$pm/net"
EOF
cat >"$pm/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$pm/root"
runroot = "$pm/run"
EOF
chmod -R a+rX "$pm/containers.conf" "$pm/storage.conf"
pm_root="env CONTAINERS_CONF=$pm/containers.conf CONTAINERS_STORAGE_CONF=$pm/storage.conf HOME=$pm/home \
XDG_CONFIG_HOME=$pm/config $PODMAN --root $pm/root --runroot $pm/run --tmpdir $pm/tmp --storage-driver overlay \
--cgroup-manager cgroupfs --events-backend file --network-config-dir $pm/net --runtime $RUNC"
# This host's root lacks CAP_SYS_RESOURCE: podman's default rlimits cannot be set.
PM_ULIMITS="--ulimit nofile=20000:20000 --ulimit nproc=1000:1000"

kk=$tmp/kakuri
mkdir -p "$kk/bin" "$kk/run"
cp "$KAKURI" "$KAKURI_RUNTIME" "$kk/bin/"
chmod 0755 "$kk" "$kk/bin" "$kk/bin/"*
printf '[engine]\ntmp_dir = "%s"\n' "$kk/run" >"$kk/containers.conf"
chmod 0644 "$kk/containers.conf"
kk_root="env CONTAINERS_CONF=$kk/containers.conf $kk/bin/kakuri --root $kk/store"

uid=$(id -u "$ROOTLESS_USER")
gid=$(id -g "$ROOTLESS_USER")
as_user="setpriv --reuid=$uid --regid=$gid --init-groups env -i HOME=$tmp/rlhome PATH=/usr/bin:/bin \
XDG_RUNTIME_DIR=$tmp/rlxdg"
mkdir -p "$tmp/rlhome" "$tmp/rlxdg" "$kk/rl-store" "$kk/rl-run" "$tmp/pmrl"
chown "$uid:$gid" "$tmp/rlhome" "$tmp/rlxdg" "$kk/rl-store" "$kk/rl-run" "$tmp/pmrl"
chmod 0700 "$tmp/rlxdg"
printf '[engine]\ntmp_dir = "%s"\n' "$kk/rl-run" >"$kk/rl.conf"
chmod 0644 "$kk/rl.conf"
kk_rl="$as_user CONTAINERS_CONF=$kk/rl.conf $kk/bin/kakuri --root $kk/rl-store"
pm_rl="$as_user $PODMAN --root $tmp/pmrl/root --runroot $tmp/pmrl/run --tmpdir $tmp/pmrl/tmp --cgroup-manager cgroupfs \
--events-backend file --runtime $RUNC"

results=$tmp/results
: >"$results"
say() { echo "$*" | tee -a "$results"; }

# iperf ENGINE_CMD RUN_OPTS SERVER_BIND CLIENT_ADDR: Gbit/s container -> host.
iperf() {
	local eng=$1 opts=$2 bind=$3 addr=$4 port json
	port=$((30000 + RANDOM % 20000))
	iperf3 -s -1 -B "$bind" -p "$port" >/dev/null 2>&1 &
	local srv=$!
	pids="$pids $srv"
	sleep 0.3
	# shellcheck disable=SC2086
	json=$($eng run --rm $opts $IPERF_MOUNTS "$image" $IPERF_CMD -c "$addr" -p "$port" -t "$T" -J 2>/dev/null) || {
		kill "$srv" 2>/dev/null
		echo 0
		return
	}
	wait "$srv" 2>/dev/null || true
	jq -r '.end.sum_received.bits_per_second / 1e9 * 100 | round / 100' <<<"$json"
}

# latency NAME ENGINE_CMD RUN_OPTS: ms per request, curl -> published port: one curl does 50
# sequential requests (a new connection each; busybox httpd closes them), so curl's own
# start-up (several ms) is spread over 50; the median of RUNS such runs, divided by 50.
latency() {
	local name=$1 eng=$2 opts=$3 port
	port=$((30000 + RANDOM % 20000))
	# shellcheck disable=SC2086
	$eng run -d --name "lat-$name" $opts -p "127.0.0.1:$port:80" "$image" sh -c "$HTTPD" >/dev/null || {
		echo 0
		return
	}
	for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
	hyperfine -N --runs "$RUNS" --warmup 3 --export-json "$tmp/lat-$name.json" \
		"curl -s http://127.0.0.1:$port/?[1-50]" >/dev/null 2>&1 || true
	$eng rm -f "lat-$name" >/dev/null 2>&1 || true
	jq -r '.results[0].median * 1000 / 50 * 1000 | round / 1000' "$tmp/lat-$name.json" 2>/dev/null || echo 0
}

# iperf_pair KK_ARGS -- PM_ARGS: ROUNDS runs of each engine, alternating (so drift of a
# shared machine hits both alike); prints "KAKURI_MEDIAN PODMAN_MEDIAN".
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
iperf_pair() {
	local kargs=() pargs=() ks="" ps="" i
	while [ "$1" != -- ]; do kargs+=("$1"); shift; done
	shift
	pargs=("$@")
	for i in $(seq "$ROUNDS"); do
		ks="$ks $(iperf "${kargs[@]}")"
		ps="$ps $(iperf "${pargs[@]}")"
	done
	echo "$(printf '%s\n' $ks | median) $(printf '%s\n' $ps | median)"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

gw=$(ip route show default | awk '{ print $3; exit }')
mkdir -p "$(dirname "$OUT")"
say "# kakuri $("$KAKURI" version --format json 2>/dev/null | jq -r .Client.Version 2>/dev/null) vs podman $("$PODMAN" --version | cut -d' ' -f3) (runc); iperf3 ${T}s, median of $ROUNDS interleaved runs; curl ${RUNS}x50 requests"
say "| mode | metric | kakuri | podman | kakuri/podman |"
say "|---|---|---|---|---|"
for mode in $MODES; do
	case $mode in
	pasta | slirp4netns)
		$kk_rl load -q -i "$tmp/image.tar" >/dev/null 2>&1
		$pm_rl load -q -i "$tmp/image.tar" >/dev/null 2>&1
		# pasta maps the gateway address to the host's loopback; slirp4netns 10.0.2.2 with
		# allow_host_loopback. podman < 4.4 has no pasta: its row is then podman's rootless
		# default, slirp4netns (said in the table).
		net=$mode addr=$gw pnet=$mode pnote=""
		[ "$mode" = slirp4netns ] && net=slirp4netns:allow_host_loopback=true addr=10.0.2.2 pnet=$net
		if [ "$mode" = pasta ] && ! $pm_rl run --rm --network pasta "$image" true >/dev/null 2>&1; then
			pnet=slirp4netns:allow_host_loopback=true pnote=" (podman: slirp4netns, it has no pasta)"
		fi
		paddr=$addr
		[ "$pnet" != "$net" ] && paddr=10.0.2.2
		read -r k p <<<"$(iperf_pair "$kk_rl" "--network $net" 127.0.0.1 "$addr" -- "$pm_rl" "--network $pnet" 127.0.0.1 "$paddr")"
		say "| rootless $mode$pnote | TCP container->host (Gbit/s) | $k | $p | $(ratio "$k" "$p") |"
		k=$(latency "kk-$mode" "$kk_rl" "--network $net")
		p=$(latency "pm-$mode" "$pm_rl" "--network $pnet")
		say "| rootless $mode$pnote | published port, ms per request (median) | $k | $p | $(ratio "$k" "$p") |"
		;;
	bridge)
		$kk_root load -q -i "$tmp/image.tar" >/dev/null
		$pm_root load -q -i "$tmp/image.tar" >/dev/null
		# Each engine's bridge gateway (made by a first container).
		$kk_root run --rm "$image" true >/dev/null
		$pm_root run --rm $PM_ULIMITS "$image" true >/dev/null
		kgw=$(ip -4 -o addr show kakuri0 | awk '{ sub(/\/.*/, "", $4); print $4; exit }')
		pgw=$(ip -4 -o addr show cni-podman0 2>/dev/null | awk '{ sub(/\/.*/, "", $4); print $4; exit }')
		read -r k p <<<"$(iperf_pair "$kk_root" "" "$kgw" "$kgw" -- "$pm_root" "$PM_ULIMITS" "${pgw:-10.88.0.1}" "${pgw:-10.88.0.1}")"
		say "| rootful bridge | TCP container->host (Gbit/s) | $k | $p | $(ratio "$k" "$p") |"
		k=$(latency kk-bridge "$kk_root" "")
		p=$(latency pm-bridge "$pm_root" "$PM_ULIMITS")
		say "| rootful bridge | published port, ms per request (median) | $k | $p | $(ratio "$k" "$p") |"
		;;
	*) echo "net.sh: unknown mode $mode (pasta, bridge)" >&2 ;;
	esac
done
cp "$results" "$OUT"
