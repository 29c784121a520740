#!/bin/sh
# Side-by-side container start benchmark: `RUNTIME run ID` of busybox's static `true` in a
# busybox bundle, for kakuri-runtime, crun and runc, timed by hyperfine in one run.
# Reports the median wall time per runtime, kakuri/crun and kakuri/runc, and peak RSS.
# See bench/README.md for what is measured and why it is fair.
# Usage: bench/runtime-start.sh
# Env: KAKURI (default build/kakuri-runtime), CRUN, RUNC (default: from PATH),
#      RUNS (100), WARMUP (5), RSS_RUNS (20), OUT (build/bench/runtime-start.json),
#      KAKURI_FLAGS (""), CRUN_FLAGS ("--cgroup-manager=disabled"), RUNC_FLAGS ("")
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

# All runtimes see the same world: a private mount namespace whose /sys/fs/cgroup is a pure
# cgroup2 mount (this host is hybrid, which crun refuses) and whose state dirs are a tmpfs.
# The mounts die with the namespace.
if [ -z "${KK_BENCH_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "runtime-start.sh: must run as root" >&2; exit 1; }
	KK_BENCH_NS=1 exec unshare -m --propagation private /bin/sh "$0" "$@"
fi

KAKURI=${KAKURI:-$top/build/kakuri-runtime}
CRUN=${CRUN:-$(command -v crun || echo crun)}
RUNC=${RUNC:-$(command -v runc || echo runc)}
KAKURI_FLAGS=${KAKURI_FLAGS:-}
CRUN_FLAGS=${CRUN_FLAGS---cgroup-manager=disabled}
RUNC_FLAGS=${RUNC_FLAGS:-}
RUNS=${RUNS:-100}
WARMUP=${WARMUP:-5}
RSS_RUNS=${RSS_RUNS:-20}
OUT=${OUT:-$top/build/bench/runtime-start.json}
case $KAKURI in /*) ;; *) KAKURI=$(pwd)/$KAKURI ;; esac
for t in hyperfine jq unshare; do
	command -v $t >/dev/null || { echo "runtime-start.sh: $t not found (scripts/install-deps.sh)" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kk-bench.XXXXXX")
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
# The bundle lives on the tmpfs too, so disk caching does not favour whoever runs last.
mount -t tmpfs -o mode=0700 kk-bench "$tmp"
bundle=$tmp/bundle
mkdir -p "$bundle" "$tmp/state"
"$top/tests/fixtures/mkrootfs.sh" "$bundle/rootfs" >/dev/null

# A typical runc-style spec, minus everything that fails on this host or that only one
# runtime would do: no cgroupsPath, no linux.resources (no cgroup work requested), no
# rlimits (raising them needs CAP_SYS_RESOURCE), no terminal, no seccomp.
cat >"$bundle/config.json" <<'EOF'
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": ["/bin/true"],
    "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "ambient": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "noNewPrivileges": true
  },
  "root": { "path": "rootfs", "readonly": true },
  "hostname": "bench",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
      "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
    { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
      "options": ["nosuid", "noexec", "nodev"] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs",
      "options": ["nosuid", "noexec", "nodev", "ro"] }
  ],
  "linux": {
    "namespaces": [
      { "type": "pid" }, { "type": "network" }, { "type": "ipc" },
      { "type": "uts" }, { "type": "mount" }
    ],
    "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
      "/sys/firmware", "/proc/scsi"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}
EOF

# name, binary, global flags: one line each.
# kakuri runs twice: as is (it makes a cgroup, as runc does) and with cgroups disabled
# (as crun runs here), so each ratio below compares like with like.
printf '%s\n' "kakuri|$KAKURI|$KAKURI_FLAGS" "kakuri-nocg|$KAKURI|--cgroup-manager=disabled $KAKURI_FLAGS" \
	"crun|$CRUN|$CRUN_FLAGS" "runc|$RUNC|$RUNC_FLAGS" \
	>"$tmp/runtimes"

# Runs outside the timed region (hyperfine --prepare): deletes whatever a `run` left in its
# state dir and counts it, so a runtime that does not clean up is both fixed up and flagged.
cat >"$tmp/sweep.sh" <<'EOF'
#!/bin/sh
name=$1 bin=$2 flags=$3 st=$4
for d in "$st"/*/; do
	[ -d "$d" ] || continue
	id=$(basename "$d")
	echo "$id" >>"$st.leftovers"
	# shellcheck disable=SC2086
	"$bin" $flags --root "$st" delete --force "$id" >/dev/null 2>&1 || rm -rf "$d"
done
EOF

ok_names=""
set --
echo "# runtime-start: $RUNS runs + $WARMUP warmup each; $(uname -r); $(nproc) cpus"
while IFS='|' read -r name bin flags; do
	st=$tmp/state/$name
	mkdir -p "$st"
	: >"$st.leftovers"
	if ! [ -x "$bin" ]; then
		echo "$name: failed: $bin is not an executable" >"$tmp/$name.status"
		continue
	fi
	# Preflight: a runtime that cannot run the bundle is reported, not benchmarked, so the
	# others still get measured.
	rc=0
	# shellcheck disable=SC2086
	timeout 30 "$bin" $flags --root "$st" run --bundle "$bundle" kk-preflight \
		</dev/null >"$tmp/$name.pre" 2>&1 || rc=$?
	if [ $rc != 0 ]; then
		echo "$name: failed: exit status $rc: $(head -c 300 "$tmp/$name.pre" | tr '\n' ' ')" \
			>"$tmp/$name.status"
		sh "$tmp/sweep.sh" "$name" "$bin" "$flags" "$st"
		continue
	fi
	sh "$tmp/sweep.sh" "$name" "$bin" "$flags" "$st"
	: >"$st.leftovers"
	echo "$name: ok: $("$bin" --version </dev/null 2>/dev/null | head -1)" >"$tmp/$name.status"
	ok_names="$ok_names $name"
	# The id is the pid of hyperfine's per-run shell ($$), so each run gets a fresh one.
	set -- "$@" --command-name "$name" \
		--prepare "sh '$tmp/sweep.sh' '$name' '$bin' '$flags' '$st'" \
		"'$bin' $flags --root '$st' run --bundle '$bundle' kk-b\$\$ >/dev/null"
done <"$tmp/runtimes"
cat "$tmp"/kakuri.status "$tmp"/kakuri-nocg.status "$tmp"/crun.status "$tmp"/runc.status | sed 's/^/# /'

if [ -n "$ok_names" ]; then
	mkdir -p "$(dirname "$OUT")"
	hyperfine --shell sh --ignore-failure --runs "$RUNS" --warmup "$WARMUP" \
		--export-json "$OUT" "$@"
fi

# Peak RSS: GNU time's %M is ru_maxrss from wait4(), the largest resident set of the
# runtime and every process it reaped (for runc that includes `runc init`).
rss() { # rss NAME BIN FLAGS ST -> "max median" in KiB
	[ -x /usr/bin/time ] || { echo "n/a n/a"; return; }
	i=0
	while [ $i -lt "$RSS_RUNS" ]; do
		# shellcheck disable=SC2086
		/usr/bin/time -f %M -o "$tmp/rss.one" "$2" $3 --root "$4" run --bundle "$bundle" \
			kk-rss-$i </dev/null >/dev/null 2>&1 || true
		tail -1 "$tmp/rss.one"
		sh "$tmp/sweep.sh" "$1" "$2" "$3" "$4"
		i=$((i + 1))
	done | sort -n | awk '{ v[NR] = $1 } END { printf "%d %d\n", v[NR], v[int((NR + 1) / 2)] }'
}

echo
printf '%-12s %12s %12s %10s %10s %14s %14s %9s\n' runtime median_ms mean_ms min_ms max_ms \
	peak_rss_kib median_rss_kib leftovers
for name in kakuri kakuri-nocg crun runc; do
	IFS='|' read -r bin flags <<EOF
$(grep "^$name|" "$tmp/runtimes" | cut -d'|' -f2-)
EOF
	case " $ok_names " in
	*" $name "*) ;;
	*)
		printf '%-12s %s\n' "$name" "failed"
		continue
		;;
	esac
	st=$tmp/state/$name
	# shellcheck disable=SC2046
	set -- $(jq -r --arg n "$name" '.results[] | select(.command == $n) |
		[.median * 1000, .mean * 1000, .min * 1000, .max * 1000,
		 ([.exit_codes[]? | select(. != 0)] | length)] | @tsv' "$OUT")
	med=$1 mean=$2 min=$3 max=$4 bad=$5
	# shellcheck disable=SC2046
	set -- $(rss "$name" "$bin" "$flags" "$st")
	left=$(sort -u "$st.leftovers" | grep -c . || true)
	printf '%-12s %12.2f %12.2f %10.2f %10.2f %14s %14s %9s' "$name" "$med" "$mean" "$min" "$max" \
		"$1" "$2" "$left"
	[ "$bad" -gt 0 ] && printf '  (%s runs failed)' "$bad"
	echo
	echo "$med" >"$tmp/$name.median"
done

ratio() {
	if [ -s "$tmp/$1.median" ] && [ -s "$tmp/$2.median" ]; then
		awk -v a="$(cat "$tmp/$1.median")" -v b="$(cat "$tmp/$2.median")" \
			'BEGIN { printf "%.2f\n", a / b }'
	else
		echo "n/a ($1 or $2 failed)"
	fi
}
echo
echo "kakuri-nocg/crun median: $(ratio kakuri-nocg crun)   (neither makes a cgroup)"
echo "kakuri/runc median:      $(ratio kakuri runc)   (both make a cgroup)"
echo "kakuri/crun median:      $(ratio kakuri crun)   (kakuri makes a cgroup, crun does not)"
echo "crun/runc median:        $(ratio crun runc)"
[ -n "$ok_names" ] && echo "hyperfine JSON: $OUT"
exit 0
