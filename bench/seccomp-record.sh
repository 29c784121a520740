#!/bin/sh
# Overhead of seccomp recording mode (io.kakuri.seccomp.record, what `kakuri run
# --seccomp-record` uses): the same containers under kakuri's default profile, with and
# without the recording filter on top. Recording turns every syscall into a round trip to
# the recorder process (SECCOMP_RET_USER_NOTIF, answered with FLAG_CONTINUE), so the cost
# is per syscall; measured two ways:
#   1. ns per call of a getppid(2) loop (tests/helpers/kk-getppid-loop), medians of ROUNDS
#      container runs: the per-syscall price;
#   2. hyperfine over `kakuri-runtime run` of a busybox shell script (a few hundred
#      syscalls, fork/exec of applets): what a short workload sees end to end.
# Prints both with the ratio recording / default.
# Usage: bench/seccomp-record.sh       (as root; ~1 minute)
# Env: KAKURI (default build/kakuri-runtime), N (200000 calls per loop run), ROUNDS (5),
#      RUNS (hyperfine --runs, 20)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "${KK_BENCH_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "seccomp-record.sh: must run as root" >&2; exit 1; }
	KK_BENCH_NS=1 exec unshare -m --propagation private /bin/sh "$0" "$@"
fi

KAKURI=${KAKURI:-$top/build/kakuri-runtime}
N=${N:-200000}
ROUNDS=${ROUNDS:-5}
RUNS=${RUNS:-20}
LOOP=$top/build/helpers/kk-getppid-loop
case $KAKURI in /*) ;; *) KAKURI=$(pwd)/$KAKURI ;; esac
for t in jq unshare hyperfine; do
	command -v $t >/dev/null || { echo "seccomp-record.sh: $t not found (scripts/install-deps.sh)" >&2; exit 1; }
done
[ -x "$LOOP" ] || { echo "seccomp-record.sh: $LOOP missing: run make" >&2; exit 1; }
[ -x "$KAKURI" ] || { echo "seccomp-record.sh: $KAKURI missing: run make" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kk-bench-record.XXXXXX")
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	umount -l "$tmp" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mount -t tmpfs -o mode=0700 kk-bench "$tmp"
mkdir -p "$tmp/state" "$tmp/out"
"$top/tests/fixtures/mkrootfs.sh" "$tmp/rootfs" >/dev/null
cp "$LOOP" "$tmp/rootfs/bin/kk-getppid-loop"
mkdir "$tmp/spec"
"$KAKURI" spec --seccomp default --bundle "$tmp/spec"
jq -c .linux.seccomp "$tmp/spec/config.json" >"$tmp/default.json"

SCRIPT='for i in 1 2 3 4 5; do echo "line $i" >>/tmp/f; done; cat /tmp/f | grep -c line >/dev/null; sed s/line/row/ /tmp/f | sort -r | head -n 1 >/dev/null; ls / >/dev/null'

write_config() { # DIR RECORD(yes|no) ARGS-JSON
	mkdir -p "$1"
	jq -n --arg rootfs "$tmp/rootfs" --arg rec "$2" --arg out "$tmp/out/$(basename "$1").json" \
		--argjson args "$3" --slurpfile dflt "$tmp/default.json" '{
  ociVersion: "1.0.2",
  process: {
    terminal: false, user: {uid: 0, gid: 0}, args: $args,
    env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], cwd: "/",
    capabilities: {
      bounding: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      effective: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      permitted: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    noNewPrivileges: true
  },
  root: {path: $rootfs, readonly: false},
  hostname: "bench",
  mounts: [
    {destination: "/proc", type: "proc", source: "proc"},
    {destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777"]}
  ],
  linux: {
    namespaces: [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}],
    seccomp: $dflt[0]
  }
}
| if $rec == "yes" then .annotations["io.kakuri.seccomp.record"] = $out else . end' >"$1/config.json"
}

for rec in no yes; do
	write_config "$tmp/loop-$rec" $rec "[\"/bin/kk-getppid-loop\", \"$N\", \"getppid\"]"
	write_config "$tmp/sh-$rec" $rec "$(jq -nc --arg s "$SCRIPT" '["/bin/sh", "-c", $s]')"
done

run_loop() { # BUNDLE ID -> ns_per_call or fail
	out=$(timeout 300 "$KAKURI" --root "$tmp/state" run --bundle "$1" "$2" </dev/null 2>"$tmp/err") || {
		"$KAKURI" --root "$tmp/state" delete --force "$2" >/dev/null 2>&1 || true
		echo fail
		return
	}
	echo "${out#ns_per_call=}"
}

echo "# seccomp recording: $N getppid calls x $ROUNDS runs, busybox script x $RUNS runs; $(uname -r);" \
	"$(nproc) cpus; $("$KAKURI" --version | head -1)"
i=0
while [ $i -lt "$ROUNDS" ]; do
	for rec in no yes; do
		run_loop "$tmp/loop-$rec" "loop-$rec-$i" >>"$tmp/r-$rec"
	done
	i=$((i + 1))
done
[ -s "$tmp/out/loop-yes.json" ] || { echo "seccomp-record.sh: the recording run wrote no profile" >&2; exit 1; }

median() { # FILE
	grep -v fail "$1" | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; else printf "fail" }'
}
d=$(median "$tmp/r-no")
r=$(median "$tmp/r-yes")
echo
printf '%-28s %12s %12s %8s\n' workload default recording ratio
printf '%-28s %12s %12s %8s\n' "getppid loop (ns/call)" "$d" "$r" \
	"$(awk -v a="$r" -v b="$d" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.1f", a / b; else print "n/a" }')"

hyperfine -N -w 2 -r "$RUNS" --export-json "$tmp/hf.json" \
	-n default "$KAKURI --root $tmp/state run --bundle $tmp/sh-no hf-no" \
	-n recording "$KAKURI --root $tmp/state run --bundle $tmp/sh-yes hf-yes" >"$tmp/hf.log" 2>&1 ||
	{ echo "seccomp-record.sh: hyperfine failed:"; cat "$tmp/hf.log"; exit 1; }
sd=$(jq '.results[] | select(.command == "default") | .median * 1000' "$tmp/hf.json")
sr=$(jq '.results[] | select(.command == "recording") | .median * 1000' "$tmp/hf.json")
printf '%-28s %12.1f %12.1f %8s\n' "busybox script run (ms)" "$sd" "$sr" \
	"$(awk -v a="$sr" -v b="$sd" 'BEGIN { printf "%.2f", a / b }')"
echo
echo "# recorded: $(jq '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | unique | length' \
	"$tmp/out/sh-yes.json") syscalls for the script, $(jq '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | unique | length' \
	"$tmp/out/loop-yes.json") for the loop"
exit 0
