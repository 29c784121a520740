#!/bin/sh
# Per-syscall cost of a seccomp filter inside a container: a loop of getppid(2) (and of
# personality(0xffffffff), whose rules test an argument) run by tests/helpers/kk-getppid-loop
# in a busybox bundle, for kakuri-runtime, crun and runc, each with no filter, with kakuri's
# default profile (the same converted linux.seccomp JSON for all three) and with a minimal
# one-rule filter (the cost of having any filter at all). Side by side in one run; reports
# ns/call medians and each runtime's ratio to its own unconfined run.
# See bench/README.md for what is measured and why.
# Usage: bench/seccomp.sh
# Env: KAKURI (default build/kakuri-runtime), CRUN, RUNC (default: from PATH),
#      N (2000000 calls per container run), ROUNDS (7 container runs per cell),
#      KAKURI_FLAGS (""), CRUN_FLAGS ("--cgroup-manager=disabled"), RUNC_FLAGS ("")
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

# The same private world for all runtimes as in runtime-start.sh: a mount namespace whose
# /sys/fs/cgroup is a pure cgroup2 mount (this host is hybrid, which crun refuses) and a
# tmpfs for the bundle and the state dirs.
if [ -z "${KK_BENCH_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "seccomp.sh: must run as root" >&2; exit 1; }
	KK_BENCH_NS=1 exec unshare -m --propagation private /bin/sh "$0" "$@"
fi

KAKURI=${KAKURI:-$top/build/kakuri-runtime}
CRUN=${CRUN:-$(command -v crun || echo crun)}
RUNC=${RUNC:-$(command -v runc || echo runc)}
KAKURI_FLAGS=${KAKURI_FLAGS:-}
CRUN_FLAGS=${CRUN_FLAGS---cgroup-manager=disabled}
RUNC_FLAGS=${RUNC_FLAGS:-}
N=${N:-2000000}
ROUNDS=${ROUNDS:-7}
LOOP=$top/build/helpers/kk-getppid-loop
case $KAKURI in /*) ;; *) KAKURI=$(pwd)/$KAKURI ;; esac
for t in jq unshare; do
	command -v $t >/dev/null || { echo "seccomp.sh: $t not found (scripts/install-deps.sh)" >&2; exit 1; }
done
[ -x "$LOOP" ] || { echo "seccomp.sh: $LOOP missing: run make" >&2; exit 1; }
[ -x "$KAKURI" ] || { echo "seccomp.sh: $KAKURI missing: run make" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kk-bench-seccomp.XXXXXX")
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	umount -l "$tmp" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
	mount -t cgroup2 none /sys/fs/cgroup
fi
mount -t tmpfs -o mode=0700 kk-bench "$tmp"
mkdir -p "$tmp/state"
"$top/tests/fixtures/mkrootfs.sh" "$tmp/rootfs" >/dev/null
cp "$LOOP" "$tmp/rootfs/bin/kk-getppid-loop"

# The default profile as kakuri converts it (`spec --seccomp default`, for the capabilities
# of its default spec, which are the ones below): plain linux.seccomp that every runtime
# takes as it is.
mkdir "$tmp/spec"
"$KAKURI" spec --seccomp default --bundle "$tmp/spec"
jq -c .linux.seccomp "$tmp/spec/config.json" >"$tmp/default.json"
echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kexec_load"], "action": "SCMP_ACT_ERRNO"}]}' \
	>"$tmp/minimal.json"

# A runc-style config like runtime-start.sh's; SYSCALL is the loop's syscall.
write_config() { # DIR PROFILE(unconfined|default|minimal) SYSCALL
	mkdir -p "$1"
	jq -n --arg rootfs "$tmp/rootfs" --arg n "$N" --arg sc "$3" --arg profile "$2" \
		--slurpfile dflt "$tmp/default.json" --slurpfile minimal "$tmp/minimal.json" '{
  ociVersion: "1.0.2",
  process: {
    terminal: false, user: {uid: 0, gid: 0},
    args: ["/bin/kk-getppid-loop", $n, $sc],
    env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], cwd: "/",
    capabilities: {
      bounding: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      effective: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      permitted: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    noNewPrivileges: true
  },
  root: {path: $rootfs, readonly: true},
  hostname: "bench",
  mounts: [
    {destination: "/proc", type: "proc", source: "proc"},
    {destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]}
  ],
  linux: {
    namespaces: [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}]
  }
}
| if $profile == "default" then .linux.seccomp = $dflt[0]
  elif $profile == "minimal" then .linux.seccomp = $minimal[0] else . end' >"$1/config.json"
}

profiles="unconfined minimal default"
syscalls="getppid personality"
for p in $profiles; do
	for s in $syscalls; do
		write_config "$tmp/b-$p-$s" "$p" "$s"
	done
done

printf '%s\n' "kakuri|$KAKURI|$KAKURI_FLAGS" "crun|$CRUN|$CRUN_FLAGS" "runc|$RUNC|$RUNC_FLAGS" >"$tmp/runtimes"

# shellcheck disable=SC2086 # FLAGS is a list of words
run_one() { # NAME BIN FLAGS BUNDLE ID -> ns_per_call or "fail"
	out=$(timeout 120 "$2" $3 --root "$tmp/state/$1" run --bundle "$4" "$5" </dev/null 2>"$tmp/err") || {
		"$2" $3 --root "$tmp/state/$1" delete --force "$5" >/dev/null 2>&1 || true
		echo fail
		return
	}
	echo "${out#ns_per_call=}"
}

echo "# seccomp: $N calls x $ROUNDS container runs per cell; $(uname -r); $(nproc) cpus;" \
	"libseccomp $(pkg-config --modversion libseccomp 2>/dev/null || echo '?')"
ok=""
while IFS='|' read -r name bin flags; do
	mkdir -p "$tmp/state/$name"
	if ! [ -x "$bin" ]; then
		echo "# $name: failed: $bin is not an executable"
		continue
	fi
	r=$(run_one "$name" "$bin" "$flags" "$tmp/b-default-getppid" kk-pre)
	if [ "$r" = fail ]; then
		echo "# $name: failed the preflight run: $(head -c 300 "$tmp/err" | tr '\n' ' ')"
		continue
	fi
	echo "# $name: ok: $("$bin" --version </dev/null 2>/dev/null | head -1)"
	ok="$ok $name"
done <"$tmp/runtimes"

# Round-robin over every cell, so that a noisy moment hits all of them alike.
i=0
while [ $i -lt "$ROUNDS" ]; do
	for name in $ok; do
		IFS='|' read -r _ bin flags <<EOF
$(grep "^$name|" "$tmp/runtimes")
EOF
		for p in $profiles; do
			for s in $syscalls; do
				run_one "$name" "$bin" "$flags" "$tmp/b-$p-$s" "kk-$i" >>"$tmp/r-$name-$p-$s"
			done
		done
	done
	i=$((i + 1))
done

median() { # FILE
	grep -v fail "$1" | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; else printf "fail" }'
}

echo
printf '%-8s %-11s %14s %14s %10s %10s\n' runtime profile getppid_ns personality_ns ratio_gp ratio_pers
for name in $ok; do
	base_g=$(median "$tmp/r-$name-unconfined-getppid")
	base_p=$(median "$tmp/r-$name-unconfined-personality")
	for p in $profiles; do
		g=$(median "$tmp/r-$name-$p-getppid")
		q=$(median "$tmp/r-$name-$p-personality")
		rg=$(awk -v a="$g" -v b="$base_g" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }')
		rq=$(awk -v a="$q" -v b="$base_p" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }')
		printf '%-8s %-11s %14s %14s %10s %10s\n' "$name" "$p" "$g" "$q" "$rg" "$rq"
		echo "$rg" >"$tmp/ratio-$name-$p"
	done
	fails=$(cat "$tmp"/r-"$name"-* | grep -c fail || true)
	[ "$fails" -gt 0 ] && echo "# $name: $fails runs failed"
done
echo
if [ -s "$tmp/ratio-kakuri-default" ]; then
	r=$(cat "$tmp/ratio-kakuri-default")
	verdict=$(awk -v r="$r" 'BEGIN { print (r + 0 <= 1.10) ? "meets" : "misses" }')
	echo "kakuri default / unconfined (getppid): $r ($verdict the 1.10 target)"
	echo "kakuri minimal / unconfined (getppid): $(cat "$tmp/ratio-kakuri-minimal") (the floor: any filter at all)"
fi
exit 0
