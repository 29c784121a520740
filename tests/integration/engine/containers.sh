#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kakuri's container commands, each as root and as the rootless test user: run (attached,
# -d, -i, -t, --rm, exit status), create/start/stop/restart/kill/wait/rm, ps (table, json,
# template), logs (-t, --tail, -f, rotation), exec (-u, -e, -w, -t), inspect, top, cp (in,
# out, symlink escapes resolved in the container), attach, prune, info, version, the run
# options (env, env-file, workdir, user, hostname, entrypoint, read-only, volumes, tmpfs,
# caps, security-opt, ulimit, sysctl, network, limits, --runtime), and the security
# defaults read back from inside the container.
# The image is tests/fixtures/mkimage.sh's busybox archive, loaded with `kakuri load`.
. "$(dirname "$0")/common.bash"

# The OCI runtime under test sits next to the kakuri copy (both reachable by the rootless
# user), where kakuri looks first.
cp "$RUNTIME" "$T_DIR/bin/kakuri-runtime" && chmod 0755 "$T_DIR/bin/kakuri-runtime"

IMG=docker.io/library/kakuri-busybox:latest
ARCHIVE=$T_DIR/busybox.tar
"$KK_TESTS/fixtures/mkimage.sh" "$ARCHIVE" "$IMG" >"$T_DIR/mkimage.log" 2>&1 ||
	kk_bail "mkimage.sh failed: $(tail -n 3 "$T_DIR/mkimage.log")"
chmod 0644 "$ARCHIVE"

# Private containers.conf files (the host's are never read), per-boot state under $T_DIR.
ROOT_CONF=$T_DIR/containers-root.conf
RL_CONF=$T_DIR/containers-rl.conf
mkdir -p "$T_DIR/run-root" "$T_DIR/run-rl"
printf '[engine]\ntmp_dir = "%s"\n' "$T_DIR/run-root" >"$ROOT_CONF"
printf '[engine]\ntmp_dir = "%s"\n' "$T_DIR/run-rl" >"$RL_CONF"
chmod 0644 "$ROOT_CONF" "$RL_CONF"
[ "$KK_RL_OK" = 1 ] && chown "$KK_RL_UID:$KK_RL_GID" "$T_DIR/run-rl"
export CONTAINERS_CONF=$ROOT_CONF

# K MODE ARGS...: kakuri as root or as the rootless user, with the file's config.
K() {
	local mode=$1
	shift
	if [ "$mode" = root ]; then
		kk "$@"
	else
		rl_kk CONTAINERS_CONF="$RL_CONF" "$@"
	fi
}

need_mode() {
	if [ "$1" = rootless ]; then
		need_rootless || return 1
	fi
	return 0
}

# Every container a test makes is removed after it, whatever happened.
cleanup_ctrs() { # MODE
	K "$1" rm -af >/dev/null 2>&1
}

loaded_root=0
loaded_rl=0
load_image() { # MODE
	if [ "$1" = root ] && [ $loaded_root = 0 ]; then
		must kk load -q -i "$ARCHIVE" || return 1
		loaded_root=1
	elif [ "$1" = rootless ] && [ $loaded_rl = 0 ]; then
		must K rootless load -q -i "$ARCHIVE" || return 1
		loaded_rl=1
	fi
}

# setup MODE: skips without a rootless user, loads the image, removes containers after.
setup() {
	need_mode "$1" || return 1
	defer "K $1 rm -af"
	load_image "$1"
}

# A marker in each container's environment: lib.sh kills what carries KK_TEST_DIR when the
# file exits, so nothing outlives a failed test.
MARK=(-e "KK_TEST_DIR=$T_DIR")

# A pty for -t tests: runs CMD on a fresh terminal (40x100), types $PTY_INPUT after
# PTY_DELAY seconds, prints everything the terminal showed, exits with CMD's status.
cat >"$T_DIR/bin/ptyrun.py" <<'EOF'
import os, pty, sys, select, time, struct, fcntl, termios
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 100, 0, 0))
out, sent, start = b'', False, time.time()
data = os.environ.get('PTY_INPUT', '').encode().decode('unicode_escape').encode('latin1')
while time.time() - start < 20:
    if not sent and time.time() - start > float(os.environ.get('PTY_DELAY', '0.5')):
        os.write(fd, data)
        sent = True
    r, _, _ = select.select([fd], [], [], 0.05)
    if fd in r:
        try:
            d = os.read(fd, 4096)
        except OSError:
            break
        if not d:
            break
        out += d
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
sys.exit(os.waitstatus_to_exitcode(st))
EOF
chmod 0644 "$T_DIR/bin/ptyrun.py"
pty_k() { # MODE ARGS...: kakuri on a terminal
	local mode=$1
	shift
	if [ "$mode" = root ]; then
		python3 "$T_DIR/bin/ptyrun.py" env CONTAINERS_CONF="$ROOT_CONF" KK_TEST_DIR="$T_DIR" "$KAKURI" --root "$KK_STORE" "$@"
	else
		run_as_user env PTY_INPUT="${PTY_INPUT:-}" PTY_DELAY="${PTY_DELAY:-0.5}" python3 "$T_DIR/bin/ptyrun.py" \
			env CONTAINERS_CONF="$RL_CONF" KK_TEST_DIR="$T_DIR" "$KAKURI" --root "$KK_RL_STORE" "$@"
	fi
}

# status_field FILE FIELD: "Name:\tvalue" of a /proc/PID/status text.
sfield() { awk -v n="$2:" '$1 == n { print $2; exit }' <<<"$1"; }

# ---- run --------------------------------------------------------------------------------

test_run_stdout_exit_status() {
	local mode=$1
	setup "$mode" || return 0
	# --network none: on a host without a usable /dev/net/tun the rootless default network
	# warns on stderr (docs/networking.md); this test is about the container's own streams.
	capture K "$mode" run --rm --network none "$IMG" sh -c 'echo out; echo err >&2; exit 4'
	assert_eq 4 "$RC" "exit status of sh -c 'exit 4'" || return
	assert_eq out "$OUT" "stdout" || return
	assert_eq err "$ERR" "stderr" || return
	capture K "$mode" run --rm "$IMG" nosuchcommand
	assert_eq 127 "$RC" "a missing command is 127" || return
	capture K "$mode" run --rm "$IMG" /etc/passwd
	assert_eq 126 "$RC" "a non-executable command is 126" || return
	capture K "$mode" ps -a -q
	assert_eq "" "$OUT" "--rm removed every container"
}

test_run_user() {
	local mode=$1
	setup "$mode" || return 0
	capture K "$mode" run --rm -u sync "$IMG" id
	assert_ok || return
	assert_eq "uid=5(sync) gid=0(root)" "$OUT" "-u sync" || return
	capture K "$mode" run --rm -u 5:7 "$IMG" id -u
	assert_eq 5 "$OUT" "-u 5:7 uid" || return
	capture K "$mode" run --rm -u sync:lp "$IMG" id -g
	assert_eq 7 "$OUT" "-u sync:lp resolves the group in the image's /etc/group" || return
	capture K "$mode" run --rm -u nosuch "$IMG" id
	assert_eq 125 "$RC" "exit status for a missing user" || return
	assert_contains "$ERR" "unable to find user nosuch: no matching entries in passwd file" "stderr" || return
	# The user is looked up in the image, never on the host: the host's uid 5 is not sync.
	capture K "$mode" run --rm -u sync "$IMG" sh -c 'echo $HOME'
	assert_eq /sbin "$OUT" "HOME from the image's passwd entry"
}

test_run_options() {
	local mode=$1 envf=$T_DIR/env.$1
	setup "$mode" || return 0
	printf 'FROMFILE=yes\n# comment\nBOTH=file\n' >"$envf"
	chmod 0644 "$envf"
	capture K "$mode" run --rm -e A=1 -e BOTH=flag --env-file "$envf" -w /work/dir --hostname kkhost "$IMG" \
		sh -c 'echo $A $FROMFILE $BOTH; pwd; hostname; cat /etc/hostname'
	assert_ok || return
	assert_eq "1 yes flag"$'\n'"/work/dir"$'\n'"kkhost"$'\n'"kkhost" "$OUT" "env, env-file, workdir (made), hostname" || return
	capture K "$mode" run --rm --entrypoint echo "$IMG" from-entrypoint
	assert_eq from-entrypoint "$OUT" "--entrypoint" || return
	capture K "$mode" run --rm --entrypoint '["sh","-c","echo json $0"]' "$IMG" arg0
	assert_eq "json arg0" "$OUT" "--entrypoint as a JSON array" || return
	capture K "$mode" run --rm --read-only "$IMG" sh -c 'touch /x 2>&1; touch /tmp/ok && echo tmp-ok'
	assert_contains "$OUT" "Read-only file system" "--read-only root" || return
	assert_contains "$OUT" "tmp-ok" "/tmp stays writable with --read-only" || return
	capture K "$mode" run --rm --tmpfs /scratch:size=1m "$IMG" sh -c 'grep " /scratch " /proc/mounts'
	assert_contains "$OUT" "tmpfs /scratch tmpfs" "--tmpfs" || return
	capture K "$mode" run --rm --ulimit nofile=512:512 "$IMG" sh -c 'ulimit -n'
	assert_eq 512 "$OUT" "--ulimit nofile" || return
	capture K "$mode" run --rm --sysctl net.ipv4.ip_forward=1 "$IMG" cat /proc/sys/net/ipv4/ip_forward
	assert_eq 1 "$OUT" "--sysctl in the container's network namespace" || return
	capture K "$mode" run --rm "$IMG" cat /proc/sys/net/ipv4/ping_group_range
	assert_match '^0[[:space:]]+0$' "$OUT" "containers.conf default sysctl ping_group_range" || return
	capture K "$mode" run --rm --sysctl kernel.panic=1 "$IMG" true
	assert_eq 125 "$RC" "a host-wide sysctl is refused" || return
	capture K "$mode" run --rm --name dup "${MARK[@]}" -d "$IMG" sleep 100
	assert_ok "run -d --name dup" || return
	capture K "$mode" run --rm --name dup "$IMG" true
	assert_eq 125 "$RC" "a name in use" || return
	assert_contains "$ERR" 'the container name "dup" is already in use' || return
	must K "$mode" rm -f dup
}

test_run_volumes() {
	local mode=$1 d=$T_DIR/vol.$1
	setup "$mode" || return 0
	mkdir -p "$d"
	echo host-data >"$d/in"
	[ "$mode" = rootless ] && chown -R "$KK_RL_UID:$KK_RL_GID" "$d"
	capture K "$mode" run --rm -v "$d:/data" "$IMG" sh -c 'cat /data/in; echo from-ctr >/data/out'
	assert_eq host-data "$OUT" "read through a bind volume" || return
	assert_eq from-ctr "$(cat "$d/out")" "written through a bind volume" || return
	capture K "$mode" run --rm -v "$d:/data:ro" "$IMG" sh -c 'echo x >/data/out2'
	assert_failed "writing a :ro volume" || return
	assert_contains "$ERR" "Read-only file system" || return
	capture K "$mode" run --rm -v namedvol:/nv "$IMG" sh -c 'echo persisted >/nv/f'
	assert_ok "named volume" || return
	capture K "$mode" run --rm -v namedvol:/nv "$IMG" cat /nv/f
	assert_eq persisted "$OUT" "a named volume keeps its content" || return
	capture K "$mode" run --rm -v /nonexistent-kk:/x "$IMG" true
	assert_eq 125 "$RC" "a missing bind source is an error"
}

test_run_interactive() {
	local mode=$1
	setup "$mode" || return 0
	capture K "$mode" run --rm -i "$IMG" sh -c 'read line; echo got:$line; cat'  <<<"first
rest"
	assert_eq "got:first"$'\n'"rest" "$OUT" "-i forwards stdin until EOF" || return
	capture K "$mode" run --rm "$IMG" sh -c 'cat; echo eof'
	assert_eq eof "$OUT" "without -i stdin is empty"
}

test_run_tty() {
	local mode=$1
	setup "$mode" || return 0
	capture pty_k "$mode" run --rm -it "$IMG" sh -c 'tty; stty size; exit 3'
	assert_eq 3 "$RC" "exit status through -it" || return
	assert_contains "$OUT" "/dev/pts/0" "tty" || return
	assert_contains "$OUT" "40 100" "the terminal size reaches the container" || return
	PTY_INPUT='echo typed-$((6*7))\nexit 5\n' capture pty_k "$mode" run --rm -it "$IMG" sh
	assert_eq 5 "$RC" "exit status of an interactive shell" || return
	assert_contains "$OUT" "typed-42" "input typed on the terminal"
}

# ---- lifecycle --------------------------------------------------------------------------

test_detached_lifecycle() {
	local mode=$1 id json pid
	setup "$mode" || return 0
	capture K "$mode" run -d --name web "${MARK[@]}" "$IMG" sh -c 'echo start; trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done'
	assert_ok "run -d" || return
	id=$OUT
	assert_match '^[0-9a-f]{64}$' "$id" "run -d prints the ID" || return
	capture K "$mode" ps
	assert_contains "$OUT" "web" "ps lists it" || return
	assert_contains "$OUT" "${id:0:12}" "ps shows the short ID" || return
	capture K "$mode" ps --format json
	json=$OUT
	assert_eq running "$(jq -r '.[0].State' <<<"$json")" "ps json State" || return
	assert_eq web "$(jq -r '.[0].Names[0]' <<<"$json")" "ps json Names" || return
	pid=$(jq -r '.[0].Pid' <<<"$json")
	[ -d "/proc/$pid" ] || { fail "ps json Pid $pid is not a live process"; return; }
	capture K "$mode" ps --format '{{.Names}} {{.State}}'
	assert_eq "web running" "$OUT" "ps --format template" || return
	capture K "$mode" ps --format table
	assert_match '^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$' "$(head -n 1 <<<"$OUT")" "ps --format table header" || return
	assert_match "^${id:0:12} +$IMG .* web\$" "$(sed -n 2p <<<"$OUT")" "ps --format table row" || return
	capture K "$mode" ps --format 'table {{.ID}}\t{{.Names}}\t{{.State}}'
	assert_eq "CONTAINER ID   NAMES   STATE
${id:0:12}   web     running" "$OUT" "ps --format 'table TEMPLATE': headers and aligned cells" || return
	capture K "$mode" logs web
	assert_eq start "$OUT" "logs" || return
	capture K "$mode" exec web sh -c 'echo in-exec; exit 3'
	assert_eq 3 "$RC" "exec exit status" || return
	assert_eq in-exec "$OUT" "exec stdout" || return
	capture K "$mode" exec -u sync -e X=exec-env -w /tmp web sh -c 'id -u; echo $X; pwd'
	assert_eq "5"$'\n'"exec-env"$'\n'"/tmp" "$OUT" "exec -u -e -w" || return
	capture K "$mode" exec web nosuch
	assert_eq 127 "$RC" "exec of a missing command" || return
	capture K "$mode" stop -t 5 web
	assert_ok "stop" || return
	capture K "$mode" logs web
	assert_eq "start"$'\n'"bye" "$OUT" "the stop signal reached the container's trap" || return
	capture K "$mode" inspect --format '{{.State.Status}} {{.State.ExitCode}}' web
	assert_eq "exited 0" "$OUT" "exited with its trap's status" || return
	capture K "$mode" ps
	assert_not_contains "$OUT" "web" "ps without -a hides exited containers" || return
	capture K "$mode" ps -a --format json
	assert_eq exited "$(jq -r '.[0].State' <<<"$OUT")" "ps -a shows it exited" || return
	capture K "$mode" start web
	assert_ok "start again" || return
	capture K "$mode" inspect --format '{{.State.Status}}' web
	assert_eq running "$OUT" "running after start" || return
	capture K "$mode" rm web
	assert_failed "rm of a running container without -f" || return
	capture K "$mode" rm -f web
	assert_ok "rm -f" || return
	capture K "$mode" ps -a -q
	assert_eq "" "$OUT" "nothing left"
}

test_stop_timeout_kill_wait() {
	local mode=$1 t0 t1
	setup "$mode" || return 0
	must K "$mode" run -d --name stubborn "${MARK[@]}" "$IMG" sleep 1000 || return
	t0=$(date +%s%N)
	capture K "$mode" stop -t 1 stubborn
	t1=$(date +%s%N)
	assert_ok "stop" || return
	[ $(((t1 - t0) / 1000000)) -ge 900 ] || { fail "stop -t 1 returned before the timeout"; return; }
	capture K "$mode" wait stubborn
	assert_eq 137 "$OUT" "SIGKILL after the timeout: 137" || return
	# The init is pid 1 of its namespace: only signals it handles reach it (but SIGKILL).
	must K "$mode" run -d --name k "${MARK[@]}" "$IMG" sh -c 'trap "exit 42" USR1; while :; do sleep 0.1; done' || return
	capture K "$mode" kill -s USR1 k
	assert_ok "kill -s USR1" || return
	capture K "$mode" wait k
	assert_eq 42 "$OUT" "SIGUSR1 reached the container's handler" || return
	capture K "$mode" kill k
	assert_failed "kill of an exited container" || return
	must K "$mode" run -d --name r "${MARK[@]}" "$IMG" sh -c 'echo run; sleep 1000' || return
	capture K "$mode" restart -t 0 r
	assert_ok "restart" || return
	capture K "$mode" inspect --format '{{.State.Status}} {{.RestartCount}}' r
	assert_eq "running 1" "$OUT" "restarted" || return
	capture K "$mode" logs r
	assert_eq "run"$'\n'"run" "$OUT" "both runs in the log"
}

test_create_start_attach() {
	local mode=$1 id
	setup "$mode" || return 0
	capture K "$mode" create --name c "${MARK[@]}" "$IMG" sh -c 'echo created-then-started; exit 9'
	assert_ok "create" || return
	id=$OUT
	capture K "$mode" ps -a --format '{{.State}}'
	assert_eq created "$OUT" "a created container" || return
	capture K "$mode" start -a c
	assert_eq 9 "$RC" "start -a exits with the container's status" || return
	assert_eq created-then-started "$OUT" "start -a shows the output" || return
	capture K "$mode" wait "$id"
	assert_eq 9 "$OUT" "wait by ID" || return
	must K "$mode" run -d -i --name att "${MARK[@]}" "$IMG" sh -c 'read l; echo got:$l' || return
	capture K "$mode" attach att <<<"hello"
	assert_eq 0 "$RC" "attach exits with the container" || return
	assert_eq "got:hello" "$OUT" "attach forwards stdin and output"
}

test_attach_tty_detach() {
	local mode=$1
	setup "$mode" || return 0
	must K "$mode" run -dit --name td "${MARK[@]}" "$IMG" sh || return
	PTY_INPUT='echo typed-$((2+3))\n\x10\x11' PTY_DELAY=0.7 capture pty_k "$mode" attach td
	assert_eq 0 "$RC" "ctrl-p ctrl-q detaches with status 0" || return
	sleep 0.2
	capture K "$mode" ps --format '{{.Names}} {{.State}}'
	assert_eq "td running" "$OUT" "the container keeps running after the detach" || return
	capture K "$mode" logs td
	assert_contains "$OUT" "typed-5" "what was typed before the detach keys reached the shell"
}

test_logs() {
	local mode=$1 out
	setup "$mode" || return 0
	must K "$mode" run --name lg "${MARK[@]}" "$IMG" sh -c 'echo one; echo two >&2; printf three' || return
	capture K "$mode" logs lg
	assert_eq "one"$'\n'"three" "$OUT" "stdout lines, the last one without newline" || return
	assert_eq two "$ERR" "stderr stays stderr" || return
	capture K "$mode" logs --tail 1 lg
	assert_eq three "$OUT" "--tail 1" || return
	capture K "$mode" logs -t lg
	assert_match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z one' "$OUT" "-t timestamps" || return
	must K "$mode" run -d --name fl "${MARK[@]}" "$IMG" sh -c 'for i in 1 2 3; do echo line$i; sleep 0.3; done' || return
	capture K "$mode" logs -f fl
	assert_eq "line1"$'\n'"line2"$'\n'"line3" "$OUT" "logs -f follows until the container exits"
}

test_log_rotation() {
	local mode=$1 conf=$T_DIR/rot.$1.conf dir
	setup "$mode" || return 0
	printf '[containers]\nlog_size_max = 10000\n[engine]\ntmp_dir = "%s"\n' "$T_DIR/run-$([ "$mode" = root ] && echo root || echo rl)" >"$conf"
	chmod 0644 "$conf"
	if [ "$mode" = root ]; then
		capture env CONTAINERS_CONF="$conf" "$KAKURI" --root "$KK_STORE" run --name rot "$IMG" sh -c 'i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done'
	else
		capture rl_kk CONTAINERS_CONF="$conf" run --name rot "$IMG" sh -c 'i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done'
	fi
	assert_ok "a chatty container" || return
	dir=$(K "$mode" inspect --format '{{.LogPath}}' rot)
	[ -f "$dir.1" ] || { fail "no rotated log $dir.1"; return; }
	[ "$(stat -c %s "$dir")" -le 10000 ] || { fail "the log grew past log_size_max"; return; }
	capture K "$mode" logs --tail 1 rot
	assert_eq line-1999 "$OUT" "the last line survives rotation"
}

test_inspect_and_prune() {
	local mode=$1
	setup "$mode" || return 0
	must K "$mode" create --name ins -e FOO=bar -u sync --read-only "$IMG" true || return
	capture K "$mode" inspect ins
	assert_ok "inspect" || return
	assert_eq ins "$(jq -r '.[0].Name' <<<"$OUT")" "Name" || return
	assert_eq created "$(jq -r '.[0].State.Status' <<<"$OUT")" "State.Status" || return
	assert_eq sync "$(jq -r '.[0].Config.User' <<<"$OUT")" "Config.User" || return
	assert_eq true "$(jq -r '.[0].HostConfig.ReadonlyRootfs' <<<"$OUT")" "ReadonlyRootfs" || return
	assert_eq 1 "$(jq '[.[0].Config.Env[] | select(. == "FOO=bar")] | length' <<<"$OUT")" "Config.Env" || return
	capture K "$mode" inspect --format '{{json .Config.Cmd}}' ins
	assert_eq '["true"]' "$OUT" "{{json}}" || return
	capture K "$mode" inspect "$IMG"
	assert_ok "inspect still shows images" || return
	assert_match '^[0-9a-f]{64}$' "$(jq -r '.[0].Id' <<<"$OUT")" "image inspect" || return
	must K "$mode" run --name done1 "$IMG" true || return
	must K "$mode" run -d --name alive "${MARK[@]}" "$IMG" sleep 1000 || return
	capture K "$mode" container prune -f
	assert_ok "prune" || return
	capture K "$mode" ps -a --format '{{.Names}}'
	assert_eq alive "$OUT" "prune removed the stopped ones only"
}

test_top() {
	local mode=$1 huser
	setup "$mode" || return 0
	must K "$mode" run -d --name tp -u sync "${MARK[@]}" "$IMG" sh -c 'sleep 1000 & sleep 1001' || return
	capture K "$mode" top tp
	assert_ok "top" || return
	assert_match '^USER +PID +PPID +%CPU +ELAPSED +TTY +TIME +COMMAND' "$OUT" "default columns" || return
	assert_contains "$OUT" "sleep 1001" "the init" || return
	assert_contains "$OUT" "sleep 1000" "its child" || return
	capture K "$mode" top tp user huser pid ppid
	assert_ok || return
	huser=5
	[ "$mode" = rootless ] && huser=$((100000 + 4))
	assert_match "sync +$huser +1 +0" "$(sed -n 2p <<<"$OUT")" "user (container's passwd) and huser (host uid)" || return
	capture K "$mode" top tp capeff capbnd seccomp
	assert_contains "$OUT" "none" "a non-root user has no effective caps" || return
	assert_contains "$OUT" "SYS_CHROOT" "the bounding set" || return
	assert_contains "$OUT" "filter" "seccomp" || return
	capture K "$mode" top tp hpid comm state nice vsz rss etime time tty stime label group hgroup capinh capprm capamb args
	assert_ok "every other descriptor" || return
	capture K "$mode" top tp bogus
	assert_eq 125 "$RC" "an unknown descriptor"
}

test_cp() {
	local mode=$1 d=$T_DIR/cp.$1
	setup "$mode" || return 0
	rm -rf "$d"
	mkdir -p "$d/src/sub" "$d/out"
	echo file-a >"$d/src/a"
	echo file-b >"$d/src/sub/b"
	ln -s /etc/passwd "$d/src/link"
	[ "$mode" = rootless ] && chown -R "$KK_RL_UID:$KK_RL_GID" "$d"
	must K "$mode" run -d --name cpc "${MARK[@]}" "$IMG" sleep 1000 || return
	must K "$mode" cp "$d/src" cpc:/tmp/ || return
	capture K "$mode" exec cpc sh -c 'cat /tmp/src/a /tmp/src/sub/b; readlink /tmp/src/link; stat -c %u /tmp/src/a'
	assert_eq "file-a"$'\n'"file-b"$'\n'"/etc/passwd"$'\n'"0" "$OUT" "copied in (owned by the container's root)" || return
	must K "$mode" cp cpc:/etc/hostname "$d/out/hn" || return
	assert_eq "$(K "$mode" exec cpc hostname)" "$(cat "$d/out/hn")" "copied out" || return
	# A symlink to / inside the container must resolve inside it (CVE-2018-15664 class).
	must K "$mode" exec cpc sh -c 'ln -s / /tmp/up; ln -s /etc /tmp/etcl' || return
	must K "$mode" cp cpc:/tmp/up/etc/hostname "$d/out/hn2" || return
	assert_eq "$(cat "$d/out/hn")" "$(cat "$d/out/hn2")" "cp out through an absolute symlink stays in the container" || return
	must K "$mode" cp "$d/src/a" cpc:/tmp/etcl/kk-cp-injected || return
	[ ! -e /etc/kk-cp-injected ] || { rm -f /etc/kk-cp-injected; fail "cp wrote to the host's /etc"; return; }
	capture K "$mode" exec cpc cat /etc/kk-cp-injected
	assert_eq file-a "$OUT" "cp in through a symlink stays in the container" || return
	must K "$mode" stop -t 0 cpc || return
	must K "$mode" cp cpc:/tmp/src/sub/b "$d/out/b" || return
	assert_eq file-b "$(cat "$d/out/b")" "cp out of a stopped container" || return
	if grep -qF "$(store_of "$mode")/" /proc/self/mountinfo; then
		fail "cp from a stopped container left a mount"
	fi
}

store_of() { if [ "$1" = root ]; then echo "$KK_STORE"; else echo "$KK_RL_STORE"; fi; }

# ---- security defaults ------------------------------------------------------------------

# The 11 default capabilities: CHOWN DAC_OVERRIDE FOWNER FSETID KILL NET_BIND_SERVICE SETFCAP
# SETGID SETPCAP SETUID SYS_CHROOT = bits 0 1 3 4 5 10 31 6 8 7 18.
DEFAULT_CAPS=00000000800405fb

test_security_defaults() {
	local mode=$1 st
	setup "$mode" || return 0
	capture K "$mode" run --rm "$IMG" cat /proc/self/status
	assert_ok || return
	st=$OUT
	assert_eq "$DEFAULT_CAPS" "$(sfield "$st" CapEff)" "CapEff: the 11 default caps" || return
	assert_eq "$DEFAULT_CAPS" "$(sfield "$st" CapBnd)" "CapBnd" || return
	assert_eq 0000000000000000 "$(sfield "$st" CapInh)" "CapInh empty" || return
	assert_eq 0000000000000000 "$(sfield "$st" CapAmb)" "CapAmb empty" || return
	assert_eq 2 "$(sfield "$st" Seccomp)" "Seccomp filter" || return
	assert_eq 1 "$(sfield "$st" NoNewPrivs)" "NoNewPrivs" || return
	capture K "$mode" run --rm "$IMG" sh -c 'for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do [ -e $p ] && stat -c "%n %t:%T" $p; done; ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/domainname 2>&1; touch /sys/kk 2>&1; grep " /sys " /proc/mounts'
	local p
	for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do
		[ -e "$p" ] || continue # not in this kernel
		assert_contains "$OUT" "$p 1:3" "$p masked with /dev/null" || return
	done
	assert_contains "$OUT" $'\n0\n' "/sys/firmware masked (empty)" || return
	assert_contains "$OUT" "Read-only file system" "/proc/sys and /sys read-only" || return
	assert_match 'sysfs /sys sysfs ro|/sys [a-z]+ ro' "$OUT" "/sys mounted read-only" || return
	# Default-profile denials: EPERM for the dangerous ones.
	capture K "$mode" run --rm "$IMG" sh -c 'unshare -U true 2>&1; echo rc=$?'
	assert_contains "$OUT" "rc=1" "no namespaces without CAP_SYS_ADMIN" || return
	capture K "$mode" run --rm --cap-drop ALL "$IMG" grep CapEff /proc/self/status
	assert_contains "$OUT" 0000000000000000 "--cap-drop ALL" || return
	capture K "$mode" run --rm --cap-drop chown --cap-add NET_ADMIN "$IMG" grep CapEff /proc/self/status
	assert_contains "$OUT" "$(printf '%016x' $((0x800405fb & ~1 | 1 << 12)))" "--cap-drop chown --cap-add NET_ADMIN" || return
	capture K "$mode" run --rm --cap-add bogus "$IMG" true
	assert_eq 125 "$RC" "an unknown capability" || return
	capture K "$mode" run --rm -u sync --cap-add NET_BIND_SERVICE "$IMG" grep -E 'CapEff|CapAmb' /proc/self/status
	assert_eq 2 "$(grep -c 0000000000000400 <<<"$OUT")" "a non-root user's --cap-add is effective and ambient" || return
	capture K "$mode" run --rm --security-opt seccomp=unconfined --security-opt no-new-privileges=false "$IMG" grep -E 'Seccomp:|NoNewPrivs' /proc/self/status
	assert_eq "0"$'\n'"0" "$(awk '{print $2}' <<<"$OUT")" "seccomp=unconfined, no-new-privileges=false" || return
	capture K "$mode" run --rm --security-opt unmask=/proc/keys --security-opt mask=/etc/hostname "$IMG" sh -c 'stat -c "%t:%T" /proc/keys; cat /etc/hostname | wc -c'
	assert_eq "0:0"$'\n'"0" "$OUT" "unmask= and mask=" || return
	printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}\n' >"$T_DIR/profile.json"
	chmod 0644 "$T_DIR/profile.json"
	capture K "$mode" run --rm --security-opt seccomp="$T_DIR/profile.json" "$IMG" sh -c 'mkdir /x 2>&1; grep Seccomp: /proc/self/status'
	assert_contains "$OUT" "Operation not permitted" "a custom profile denies mkdir" || return
	assert_contains "$OUT" "Seccomp:	2" "with a filter"
}

test_privileged() {
	local mode=$1 bnd
	setup "$mode" || return 0
	bnd=$(awk '/^CapBnd/ { print $2 }' /proc/self/status)
	capture K "$mode" run --rm --privileged "$IMG" sh -c 'grep -E "CapEff|Seccomp:" /proc/self/status; grep " /sys " /proc/mounts; ls /dev'
	assert_ok "--privileged" || return
	assert_contains "$OUT" "CapEff:	$bnd" "every capability (all of ours)" || return
	assert_contains "$OUT" "Seccomp:	0" "seccomp unconfined" || return
	assert_match '/sys [a-z]+ rw' "$OUT" "/sys read-write" || return
	assert_contains "$OUT" "loop-control" "host devices" || return
	capture K "$mode" run --rm --privileged "$IMG" stat -c %t:%T /proc/keys
	assert_not_contains "$OUT" "1:3" "no masked paths"
}

test_limits() {
	local mode=$1
	setup "$mode" || return 0
	if [ "$mode" = rootless ]; then
		# No delegated cgroup here: a limit must be an error, not silently dropped.
		capture K "$mode" run --rm --memory 64m "$IMG" true
		assert_eq 125 "$RC" "--memory without a usable cgroup" || return
		return 0
	fi
	capture K "$mode" run --rm --memory 64m --pids-limit 77 --cpus 0.5 "$IMG" sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max'
	assert_ok "limits" || return
	assert_contains "$OUT" 67108864 "--memory 64m" || return
	assert_contains "$OUT" 77 "--pids-limit 77" || return
	assert_contains "$OUT" 50000 "--cpus 0.5"
}

test_network_modes() {
	local mode=$1
	setup "$mode" || return 0
	capture K "$mode" run --rm --network none "$IMG" sh -c 'ls /sys/class/net'
	assert_eq lo "$OUT" "--network none: loopback only" || return
	capture K "$mode" run --rm --network host "$IMG" hostname
	assert_eq "$(hostname)" "$OUT" "--network host: the host's name" || return
	capture K "$mode" run --rm --network host "$IMG" sh -c 'ls /sys/class/net | wc -l'
	[ "$OUT" -ge 1 ] || { fail "no interfaces with --network host"; return; }
	capture K "$mode" run --rm --network bridge "$IMG" true
	if [ "$mode" = root ]; then
		assert_ok "--network bridge (docs/networking.md)"
	else
		assert_eq 125 "$RC" "rootless --network bridge is refused"
	fi
}

test_namespaces_groups_devices() {
	local mode=$1
	setup "$mode" || return 0
	capture K "$mode" run --rm -u sync --group-add wheel --group-add 1234 "$IMG" id
	assert_eq "uid=5(sync) gid=0(root) groups=10(wheel),1234" "$OUT" "--group-add (by name from the image, by number)" || return
	capture K "$mode" run --rm "$IMG" sh -c 'echo /proc/[0-9]*'
	assert_eq "/proc/1" "$OUT" "a pid namespace of its own (sh is pid 1, alone)" || return
	capture K "$mode" run --rm --pid host "$IMG" sh -c 'echo /proc/[0-9]* | wc -w'
	[ "$OUT" -gt 5 ] || { fail "--pid host shows the host's processes (got $OUT)"; return; }
	capture K "$mode" run --rm --uts host "$IMG" hostname
	assert_eq "$(hostname)" "$OUT" "--uts host" || return
	capture K "$mode" run --rm --ipc host "$IMG" true
	assert_ok "--ipc host" || return
	capture K "$mode" run --rm --device /dev/loop0:/dev/kkloop "$IMG" stat -c '%t:%T' /dev/kkloop
	assert_eq "7:0" "$OUT" "--device HOST:CONTAINER" || return
	capture K "$mode" run --rm "$IMG" test -e /dev/loop0
	assert_failed "no host devices without --device"
}

test_exec_tty() {
	local mode=$1
	setup "$mode" || return 0
	must K "$mode" run -d --name et "${MARK[@]}" "$IMG" sleep 1000 || return
	capture pty_k "$mode" exec -it et sh -c 'tty; stty size; exit 6'
	assert_eq 6 "$RC" "exec -it exit status" || return
	assert_contains "$OUT" "/dev/pts/" "exec -it has a terminal" || return
	assert_contains "$OUT" "40 100" "of the caller's size"
}

test_other_runtime() {
	local mode=$1 rt
	setup "$mode" || return 0
	rt=$(command -v runc || command -v crun) || { skip "neither runc nor crun installed"; return; }
	capture K "$mode" run --rm --runtime "$rt" -u sync "$IMG" sh -c 'id -u; grep NoNewPrivs /proc/self/status'
	assert_ok "--runtime $rt" || return
	assert_eq "5"$'\n'"NoNewPrivs:	1" "$OUT" "the same container under $rt"
}

test_info_version() {
	local mode=$1
	setup "$mode" || return 0
	capture K "$mode" info --format json
	assert_ok "info" || return
	jq -e '.host.cgroups.version and .host.security.seccomp and (.host.security.landlockABI | type == "number") and .host.userNamespaces and .store.graphRoot' <<<"$OUT" >/dev/null ||
		{ fail "info --format json lacks fields"; _kk_context; return; }
	if [ "$mode" = rootless ]; then
		assert_eq 100000 "$(jq -r '.host.userNamespaces.subuid.start' <<<"$OUT")" "the user's subuid range" || return
	fi
	capture K "$mode" info
	assert_contains "$OUT" "cgroups:" "info text" || return
	capture K "$mode" version
	assert_match '^Version: +[0-9]+\.[0-9]+' "$(head -n 1 <<<"$OUT")" "version (text)" || return
	assert_contains "$OUT" "OCI runtime:" "version names the runtime" || return
	capture K "$mode" version --format json
	assert_ok "version" || return
	assert_match '^[0-9]+\.[0-9]+' "$(jq -r .Client.Version <<<"$OUT")" "version"
}

for mode in root rootless; do
	run_test "$mode: run prints stdout/stderr apart and exits with the container's status (4, 127, 126)" test_run_stdout_exit_status $mode
	run_test "$mode: -u resolves users and groups in the image; a missing user is exit 125 with podman's message" test_run_user $mode
	run_test "$mode: -e, --env-file, -w, --hostname, --entrypoint, --read-only, --tmpfs, --ulimit, --sysctl, --name" test_run_options $mode
	run_test "$mode: -v bind (rw, ro) and named volumes" test_run_volumes $mode
	run_test "$mode: -i forwards stdin; without -i stdin is empty" test_run_interactive $mode
	run_test "$mode: -it gives a terminal of the caller's size and its exit status" test_run_tty $mode
	run_test "$mode: run -d, ps (table, json, template), logs, exec, stop (signal), start, rm" test_detached_lifecycle $mode
	run_test "$mode: stop -t escalates to SIGKILL; kill -s; wait; restart" test_stop_timeout_kill_wait $mode
	run_test "$mode: create, start -a, wait, attach" test_create_start_attach $mode
	run_test "$mode: attach to a -t container, detach with ctrl-p ctrl-q" test_attach_tty_detach $mode
	run_test "$mode: logs: streams, --tail, -t, -f" test_logs $mode
	run_test "$mode: logs rotate at log_size_max" test_log_rotation $mode
	run_test "$mode: inspect (JSON, template, images too) and container prune" test_inspect_and_prune $mode
	run_test "$mode: top with podman's descriptors" test_top $mode
	run_test "$mode: cp in and out, resolved inside the container's root" test_cp $mode
	run_test "$mode: defaults: 11 caps, seccomp filter, no_new_privs, masked and read-only paths; --cap-*, --security-opt" test_security_defaults $mode
	run_test "$mode: --privileged: all caps, seccomp off, /sys rw, host devices, no masks" test_privileged $mode
	run_test "$mode: --memory, --pids-limit, --cpus" test_limits $mode
	run_test "$mode: --network none and host" test_network_modes $mode
	run_test "$mode: --group-add, --pid/--uts/--ipc host, --device" test_namespaces_groups_devices $mode
	run_test "$mode: exec -it" test_exec_tty $mode
	run_test "$mode: --runtime runs the same container with another OCI runtime" test_other_runtime $mode
	run_test "$mode: info and version" test_info_version $mode
done
done_testing
