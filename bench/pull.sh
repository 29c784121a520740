#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Cold pull + unpack benchmark, kakuri vs podman side by side.
#
# Builds a multi-layer image (the busybox base plus LAYERS layers of LAYER_MIB MiB of
# random, incompressible data each, gzip; >= 100 MiB in all by default), pushes it with
# skopeo to a docker-registry started on 127.0.0.1, then alternates RUNS cold pulls (an
# empty store every time) with `kakuri pull` and `podman pull`. Reports the median wall
# time of each, kakuri/podman, and the peak RSS of each command's whole process tree
# (sampled every 50 ms from /proc: kakuri forks one unpacker per layer, podman is one
# process, so both are measured the same way). Run as root.
# Usage: bench/pull.sh
# Env: KAKURI (default build/kakuri), PODMAN (from PATH), RUNS (5), LAYERS (4),
#      LAYER_MIB (32), OUT (build/bench/pull.txt)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
KAKURI=${KAKURI:-$top/build/kakuri}
PODMAN=${PODMAN:-$(command -v podman || echo podman)}
RUNS=${RUNS:-5}
LAYERS=${LAYERS:-4}
LAYER_MIB=${LAYER_MIB:-32}
OUT=${OUT:-$top/build/bench/pull.txt}
case $KAKURI in /*) ;; *) KAKURI=$(pwd)/$KAKURI ;; esac
[ "$(id -u)" = 0 ] || { echo "pull.sh: run as root" >&2; exit 1; }
for t in python3 skopeo docker-registry curl "$PODMAN" "$KAKURI"; do
	command -v "$t" >/dev/null || { echo "pull.sh: $t not found (scripts/install-deps.sh test; make)" >&2; exit 1; }
done

tmp=$(mktemp -d /var/tmp/kk-bench-pull.XXXXXX)
reg_pid=""
cleanup() {
	[ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null
	for m in $(awk -v d="$tmp" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT INT TERM

echo "# building the image: busybox + $LAYERS x $LAYER_MIB MiB random layers"
python3 - "$top/tests/fixtures" "$tmp/image" "$LAYERS" "$LAYER_MIB" <<'PY'
import os, sys
sys.path.insert(0, sys.argv[1])
import mkimages as m
out, n, mib = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rootfs = out + ".rootfs"
import subprocess
subprocess.run([os.path.join(sys.argv[1], "mkrootfs.sh"), rootfs], check=True, stdout=subprocess.DEVNULL)
layers = [m.tar_bytes(m.entries_from_dir(rootfs))]
for i in range(n):
    entries = [dict(name="data", type="d", mode=0o755),
               dict(name="data/layer-%d" % i, type="d", mode=0o755),
               dict(name="data/layer-%d/random.bin" % i, type="f", mode=0o644, data=os.urandom(mib << 20))]
    entries += [dict(name="data/layer-%d/small-%03d" % (i, k), type="f", mode=0o644, data=os.urandom(512))
                for k in range(200)]
    layers.append(m.tar_bytes(entries))
lay = m.Layout(out)
lay.image(layers, "gzip", name="bench/big:1")
lay.finish()
PY
size=$(du -sm "$tmp/image/blobs" | cut -f1)

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/registry.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $tmp/registry
http:
  addr: 127.0.0.1:$port
EOF
docker-registry serve "$tmp/registry.yml" >"$tmp/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break
	sleep 0.1
done
REF=127.0.0.1:$port/bench/big:1
skopeo copy -q --dest-tls-verify=false "oci:$tmp/image" "docker://$REF"
echo "# image: $REF, $((LAYERS + 1)) layers, $size MiB compressed"

# measure OUTFILE CMD...: wall seconds and peak RSS (KiB) of the process tree.
measure() {
	local out=$1
	shift
	python3 - "$out" "$@" <<'PY'
import os, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
def tree_rss(root):
    kids, rss = {}, {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                st = f.read().rsplit(")", 1)[1].split()
            kids.setdefault(int(st[1]), []).append(int(p))
            rss[int(p)] = int(st[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            pass
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += kids.get(p, [])
    return total
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
peak = 0
while p.poll() is None:
    peak = max(peak, tree_rss(p.pid))
    time.sleep(0.05)
wall = time.monotonic() - t0
err = p.stderr.read().decode()
if p.returncode != 0:
    sys.stderr.write(err)
    sys.exit(1)
with open(out, "a") as f:
    f.write("%.3f %d\n" % (wall, peak))
PY
}

: >"$tmp/kakuri.times"
: >"$tmp/podman.times"
for i in $(seq "$RUNS"); do
	rm -rf "$tmp/k" "$tmp/p"
	measure "$tmp/kakuri.times" "$KAKURI" --root "$tmp/k" pull -q --tls-verify=false "$REF"
	measure "$tmp/podman.times" "$PODMAN" --root "$tmp/p/root" --runroot "$tmp/p/run" --storage-driver overlay \
		--cgroup-manager cgroupfs --events-backend file pull -q --tls-verify=false "$REF"
	"$PODMAN" --root "$tmp/p/root" --runroot "$tmp/p/run" --storage-driver overlay unshare true 2>/dev/null || true
	for m in $(awk -v d="$tmp/p" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	echo "# run $i: kakuri $(tail -n 1 "$tmp/kakuri.times" | cut -d' ' -f1) s, podman $(tail -n 1 "$tmp/podman.times" | cut -d' ' -f1) s"
done

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
peak() { sort -n | tail -n 1; }
km=$(cut -d' ' -f1 "$tmp/kakuri.times" | median)
pm=$(cut -d' ' -f1 "$tmp/podman.times" | median)
kr=$(cut -d' ' -f2 "$tmp/kakuri.times" | peak)
pr=$(cut -d' ' -f2 "$tmp/podman.times" | peak)
mkdir -p "$(dirname "$OUT")"
{
	echo "cold pull + unpack of $REF ($((LAYERS + 1)) layers, $size MiB gzip), $RUNS runs each"
	printf '%-8s %10s %14s\n' tool median_s peak_rss_MiB
	printf '%-8s %10s %14s\n' kakuri "$km" "$((kr / 1024))"
	printf '%-8s %10s %14s\n' podman "$pm" "$((pr / 1024))"
	awk -v k="$km" -v p="$pm" 'BEGIN { printf "kakuri/podman median ratio: %.2f\n", k / p }'
} | tee "$OUT"
