#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The run options of issue 6 that need more than a config.json line, as root and as the
# rootless test user:
#   --init: kakuri-init is pid 1, reaps orphaned zombies, forwards SIGTERM (a fast stop),
#           passes the exit status through (code, 128+signal);
#   --security-opt landlock=ro:…,rw:…|FILE: writes outside the allowed paths are EACCES;
#   --userns auto[:size=N] (root): a range of the "containers" /etc/subuid entry, never
#           overlapping another container's, given back on rm, image files owned right;
#   --uidmap/--gidmap (root: host ids; rootless: ids of the user's namespace), --userns
#           nomap (rootless: the user is not mapped);
#   --pid/--ipc/--uts container:NAME (rootless too: the user namespace is joined as well).
# Bad values are exit 125 with a message naming the option, and leave no container.
. "$(dirname "$0")/common.bash"

modes_env
# kakuri finds kakuri-init next to itself.
INIT=$(dirname "$KK_REPO/build/kakuri")/kakuri-init
[ -x "$INIT" ] || kk_bail "kakuri-init not found next to build/kakuri: build it with make"
cp "$INIT" "$T_DIR/bin/kakuri-init" && chmod 0755 "$T_DIR/bin/kakuri-init"

NET=(--network none)

# assert_refused WHAT NEEDLE ARGS...: `run ARGS` fails with 125, names NEEDLE, and leaves no
# container behind.
assert_refused() {
	local mode=$1 what=$2 needle=$3 before
	shift 3
	before=$(K "$mode" ps -aq --no-trunc)
	capture K "$mode" run --rm "${NET[@]}" "$@"
	assert_eq 125 "$RC" "$what: exit status" || return
	assert_contains "$ERR" "$needle" "$what: the message" || return
	capture K "$mode" ps -aq --no-trunc
	assert_eq "$before" "$OUT" "$what: no container left" || return
}

host_uid_map() { # MODE CTR: the init's uid_map as the host sees it, one line, ';' separated
	local pid
	pid=$(K "$1" inspect --format '{{.State.Pid}}' "$2") || return 1
	awk '{ print $1, $2, $3 }' "/proc/$pid/uid_map" | tr '\n' ';'
}

# ---- --init ----

test_init() {
	local mode=$1 t0 t1
	setup "$mode" || return 0
	capture K "$mode" run --rm --init "${NET[@]}" "$IMG" sh -c 'tr "\0" " " </proc/1/cmdline'
	assert_ok "run --init" || return
	assert_eq "/run/kakuri-init -- sh -c tr \"\\0\" \" \" </proc/1/cmdline " "$OUT" "pid 1 is kakuri-init, then the command" || return
	capture K "$mode" run --rm --init "${NET[@]}" "$IMG" sh -c 'exit 7'
	assert_eq 7 "$RC" "the command's exit code" || return
	capture K "$mode" run --rm --init "${NET[@]}" "$IMG" sh -c 'kill -KILL $$'
	assert_eq 137 "$RC" "killed by SIGKILL: 128+9" || return
	# An orphan (its parent sh exits at once) is re-parented to pid 1 and must be reaped
	# when it exits. The command then execs sleep, which never reaps: without --init (the
	# control) the orphan stays a zombie of that pid 1.
	local orphan='sh -c "sleep 0.1 &"; exec sleep 1000' st
	must K "$mode" run -d --init --name z1 "${NET[@]}" "${MARK[@]}" "$IMG" sh -c "$orphan" || return
	must K "$mode" run -d --name z0 "${NET[@]}" "${MARK[@]}" "$IMG" sh -c "$orphan" || return
	st='for f in /proc/[0-9]*/stat; do read -r l <"$f"; echo "$l"; done'
	local n=50
	while [ $n -gt 0 ]; do
		capture K "$mode" exec z0 sh -c "$st"
		case $OUT in *"(sleep) Z "*) break ;; esac
		sleep 0.1
		n=$((n - 1))
	done
	assert_contains "$OUT" "(sleep) Z " "control: without --init the orphan is a zombie" || return
	# Under --init the orphan is gone altogether once it exited: only the exec'd sleep left.
	n=50
	while [ $n -gt 0 ]; do
		capture K "$mode" exec z1 sh -c "$st"
		[ "$(grep -c '(sleep)' <<<"$OUT")" = 1 ] && break
		sleep 0.1
		n=$((n - 1))
	done
	assert_contains "$OUT" "1 (kakuri-init) S" "the process list" || return
	assert_eq 1 "$(grep -c '(sleep)' <<<"$OUT")" "the orphan was reaped" || return
	assert_not_contains "$OUT" ") Z " "no zombie under --init" || return
	must K "$mode" rm -f z0 z1 >/dev/null || return
	# SIGTERM from `stop` reaches sleep through the init: far quicker than the 10 s timeout.
	must K "$mode" run -d --init --name in1 "${NET[@]}" "${MARK[@]}" "$IMG" sleep 1000 || return
	t0=$(date +%s%N)
	must K "$mode" stop -t 10 in1 || return
	t1=$(date +%s%N)
	# (The timeout is 10 s: well under it means the signal got through.)
	[ $(((t1 - t0) / 1000000)) -lt 5000 ] || { fail "stop took $(((t1 - t0) / 1000000)) ms"; return; }
	assert_eq 143 "$(K "$mode" inspect --format '{{.State.ExitCode}}' in1)" "exit code 128+SIGTERM" || return
	capture K "$mode" inspect --format '{{json .Config.Cmd}}' in1
	assert_not_contains "$OUT" "kakuri-init" "the record keeps the command itself" || return
}

# ---- landlock ----

test_landlock() {
	local mode=$1 pol=$T_DIR/landlock.json
	setup "$mode" || return 0
	capture K "$mode" run --rm "${NET[@]}" --security-opt landlock=ro:/,rw:/tmp:/dev "$IMG" sh -c \
		'echo a >/tmp/ok && echo tmp-ok; cat /etc/passwd >/dev/null && echo read-ok; echo b >/etc/x || echo etc-refused; mkdir /newdir || echo mkdir-refused'
	assert_ok "run" || return
	assert_eq "tmp-ok"$'\n'"read-ok"$'\n'"etc-refused"$'\n'"mkdir-refused" "$OUT" "rw below /tmp, ro elsewhere" || return
	assert_contains "$ERR" "can't create /etc/x: Permission denied" "EACCES outside the allowed paths" || return
	# A JSON policy file: only writes are handled, so reading and running need no rule.
	printf '{"ruleset":{"handledAccessFS":["write_file","make_reg"]},"rules":{"pathBeneath":[{"allowedAccess":["write_file","make_reg"],"paths":["/tmp"]}]}}' >"$pol"
	chmod 0644 "$pol"
	capture K "$mode" run --rm "${NET[@]}" --security-opt "landlock=$pol" "$IMG" sh -c 'echo a >/tmp/ok && echo tmp-ok; echo b >/etc/x'
	assert_eq "tmp-ok" "$OUT" "policy file: /tmp writable" || return
	assert_contains "$ERR" "Permission denied" "policy file: /etc refused" || return
	capture K "$mode" run --rm "${NET[@]}" --security-opt landlock=unconfined "$IMG" sh -c 'echo b >/etc/x && echo etc-ok'
	assert_eq "etc-ok" "$OUT" "landlock=unconfined" || return
	assert_refused "$mode" "unknown mode" "--security-opt landlock=wx:/tmp: 'wx:/tmp': expected ro:PATH" \
		--security-opt landlock=wx:/tmp "$IMG" true || return
	assert_refused "$mode" "relative path" "'tmp' is not an absolute path" --security-opt landlock=rw:tmp "$IMG" true || return
	printf '[1]' >"$pol"
	assert_refused "$mode" "not an object" "--security-opt landlock=$pol: not a JSON object" \
		--security-opt "landlock=$pol" "$IMG" true || return
}

# ---- user namespaces ----

SUBID_LINE="containers:1000000:1000000"
subid_add() {
	grep -q '^containers:' /etc/subuid /etc/subgid && return 0
	echo "$SUBID_LINE" >>/etc/subuid
	echo "$SUBID_LINE" >>/etc/subgid
	defer "sed -i '/^$SUBID_LINE\$/d' /etc/subuid /etc/subgid"
}

test_userns_auto() {
	local mode=root m1 m2 m3 s1 s2 pid
	setup "$mode" || return 0
	if ! grep -q '^containers:' /etc/subuid; then
		assert_refused "$mode" "no containers entry" \
			"no range for the user 'containers' in /etc/subuid (no entry): add a line such as 'containers:2147483647:2147483648' to /etc/subuid and /etc/subgid" \
			--userns auto "$IMG" true || return
	fi
	subid_add
	must K "$mode" run -d --name u1 --userns auto "${NET[@]}" "${MARK[@]}" "$IMG" sleep 1000 || return
	must K "$mode" run -d --name u2 --userns auto:size=1000 "${NET[@]}" "${MARK[@]}" "$IMG" sleep 1000 || return
	m1=$(host_uid_map "$mode" u1)
	m2=$(host_uid_map "$mode" u2)
	read -r _ s1 _ <<<"${m1%%;*}"
	read -r _ s2 _ <<<"${m2%%;*}"
	assert_match "^0 [0-9]+ 65536;$" "$m1" "u1: 65536 ids" || return
	assert_match "^0 [0-9]+ 1000;$" "$m2" "u2: auto:size=1000" || return
	awk -v a="$s1" -v b="$s2" -v lo="$(cut -d: -f2 <<<"$(grep '^containers:' /etc/subuid | head -n 1)")" \
		'BEGIN { exit !(a >= lo && b >= lo && (a + 65536 <= b || b + 1000 <= a)) }' ||
		{ fail "ranges $m1 and $m2 overlap or are outside the containers entry"; return; }
	pid=$(K "$mode" inspect --format '{{.State.Pid}}' u1)
	assert_eq "$s1" "$(awk '/^Uid:/ { print $3 }' "/proc/$pid/status")" "the host sees the allocated uid" || return
	# The image's files appear owned by the container's root (and sync stays uid 5).
	capture K "$mode" exec u1 sh -c 'stat -c "%u:%g" /etc/passwd /bin; touch /created && stat -c %u /created; id; ls -ln /etc/passwd | cut -c1-10'
	assert_eq "0:0"$'\n'"0:0"$'\n'"0"$'\n'"uid=0(root) gid=0(root)"$'\n'"-rw-r--r--" "$OUT" "owners inside" || return
	capture K "$mode" run --rm --userns auto -u sync "${NET[@]}" "$IMG" id -u
	assert_eq 5 "$OUT" "-u sync under auto" || return
	# rm gives the range back: the next container of that size gets u1's start again.
	must K "$mode" rm -f u1 || return
	must K "$mode" run -d --name u3 --userns auto "${NET[@]}" "${MARK[@]}" "$IMG" sleep 1000 || return
	m3=$(host_uid_map "$mode" u3)
	assert_eq "$m1" "$m3" "the freed range is reused" || return
	assert_refused "$mode" "size 0" "--userns auto:size=0: 'size=0': expected auto or auto:size=N" --userns auto:size=0 "$IMG" true || return
	assert_refused "$mode" "keep-id as root" "--userns keep-id: only supported in rootless mode" --userns keep-id "$IMG" true || return
	assert_refused "$mode" "auto with --uidmap" "--userns auto and --uidmap/--gidmap: give one or the other" \
		--userns auto --uidmap 0:300000:10 "$IMG" true || return
}

test_uidmap() {
	local mode=$1 want gwant
	setup "$mode" || return 0
	if [ "$mode" = root ]; then
		# Maps that do not cover 65534 (the overflow id): exec must still work.
		must K "$mode" run -d --name m1 --uidmap 0:300000:5000 --gidmap 0:400000:5000 "${NET[@]}" "${MARK[@]}" "$IMG" sleep 1000 || return
		want="0 300000 5000;"
		gwant="0 400000 5000"
	else
		# Rootless HOST ids are the user's namespace's: 1 is the first subordinate id.
		must K "$mode" run -d --name m1 --uidmap 0:1:65536 --gidmap 0:1:65536 "${NET[@]}" "${MARK[@]}" "$IMG" sleep 1000 || return
		want="0 100000 65536;"
		gwant="0 100000 65536"
	fi
	assert_eq "$want" "$(host_uid_map "$mode" m1)" "uid_map from --uidmap" || return
	local pid
	pid=$(K "$mode" inspect --format '{{.State.Pid}}' m1)
	assert_eq "$gwant" "$(awk '{ print $1, $2, $3 }' "/proc/$pid/gid_map")" "gid_map from --gidmap" || return
	capture K "$mode" exec m1 sh -c 'stat -c "%u:%g" /etc/passwd; touch /x && echo write-ok'
	assert_eq "0:0"$'\n'"write-ok" "$OUT" "image files owned by the container's root" || return
	echo cp-in >"$T_DIR/cp-in.txt" && chmod 0644 "$T_DIR/cp-in.txt"
	must K "$mode" cp "$T_DIR/cp-in.txt" m1:/tmp/ || return
	capture K "$mode" exec m1 stat -c "%u:%g" /tmp/cp-in.txt
	assert_eq "0:0" "$OUT" "a file copied in belongs to the container's root, not to nobody" || return
	must K "$mode" rm -f m1 || return
	# --uidmap alone: the gid map is the same.
	capture K "$mode" run --rm --uidmap 0:1:2000 "${NET[@]}" "$IMG" sh -c 'cat /proc/self/gid_map'
	assert_match "^ +0 +1 +2000$" "$OUT" "--gidmap defaults to --uidmap" || return
	assert_refused "$mode" "malformed" "--uidmap 0:1: expected CONTAINER_ID:HOST_ID:SIZE" --uidmap 0:1 "$IMG" true || return
	assert_refused "$mode" "zero size" "--gidmap 0:1:0: expected CONTAINER_ID:HOST_ID:SIZE" --gidmap 0:1:0 "$IMG" true || return
	assert_refused "$mode" "overlap" "--uidmap 5:900:10: overlaps 0:1:10" --uidmap 0:1:10 --uidmap 5:900:10 "$IMG" true || return
	if [ "$mode" = rootless ]; then
		assert_refused "$mode" "beyond the subordinate range" \
			"--uidmap 0:1:70000: host ids 1..70000 are not available: rootless, HOST_ID is an id of your user namespace, 0 (you) to 65536" \
			--uidmap 0:1:70000 "$IMG" true || return
	fi
}

test_userns_nomap() {
	local mode=$1
	setup "$mode" || return 0
	if [ "$mode" = root ]; then
		assert_refused "$mode" "nomap as root" "--userns nomap: only supported in rootless mode" --userns nomap "$IMG" true
		return
	fi
	must K "$mode" run -d --name n1 --userns nomap "${NET[@]}" "${MARK[@]}" "$IMG" sleep 1000 || return
	# The user's own uid is nowhere in the map: container root is the first subordinate id.
	assert_eq "0 100000 65536;" "$(host_uid_map "$mode" n1)" "uid_map without the user" || return
	capture K "$mode" exec n1 sh -c 'id -u; stat -c "%u:%g" /etc/passwd; touch /x && echo write-ok'
	assert_eq "0"$'\n'"0:0"$'\n'"write-ok" "$OUT" "root inside, image files its own" || return
	assert_refused "$mode" "auto rootless" "--userns auto: only for root" --userns auto "$IMG" true || return
}

# The chown through the mapping on an image with other owners, setuid/setgid files and
# hard links (the 'multi' fixture: kk-suid 4755 root, kk-sync-owned 2750 uid 5, notes.txt
# 640 uid 1000 with a hard link), against the same image without a user namespace. (Not a
# directory's link count: overlayfs reports 1 for a directory merged from two layers.)
MULTI=docker.io/library/kk-multi:1
multi_loaded=""
load_multi() { # MODE
	local fx
	if [ ! -f "$T_DIR/multi.tar" ]; then
		fx=$(engine_fixtures) || { fail "building the image fixtures failed"; return 1; }
		skopeo copy -q "oci:$fx/multi" "oci-archive:$T_DIR/multi.tar:$MULTI" >/dev/null || { fail "skopeo copy"; return 1; }
		chmod 0644 "$T_DIR/multi.tar"
	fi
	case " $multi_loaded " in *" $1 "*) return 0 ;; esac
	must K "$1" load -q -i "$T_DIR/multi.tar" || return 1
	multi_loaded="$multi_loaded $1"
}

test_idshift_owners() {
	local mode=$1 opt want q='stat -c "%n %a %u:%g %h" /usr/bin/kk-suid /usr/bin/kk-sync-owned /home/user/notes.txt /home/user/hard-notes; stat -c "%n %a %u:%g" /home/user'
	setup "$mode" || return 0
	load_multi "$mode" || return
	if [ "$mode" = root ]; then
		subid_add
		opt=(--userns auto)
	else
		opt=(--userns nomap)
	fi
	capture K "$mode" run --rm "${NET[@]}" "$MULTI" sh -c "$q"
	assert_ok "the reference" || return
	want=$OUT
	assert_contains "$want" "/usr/bin/kk-suid 4755 0:0" "reference: the setuid file" || return
	capture K "$mode" run --rm "${NET[@]}" "${opt[@]}" "$MULTI" sh -c "$q; ls -ln /home/user/link-to-notes | cut -c1-10"
	assert_ok "${opt[*]}" || return
	assert_eq "$want"$'\n'"lrwxrwxrwx" "$OUT" "${opt[*]}: the same owners, modes (setuid/setgid kept) and links" || return
}

# ---- joining another container's namespaces ----

test_ns_container() {
	local mode=$1 ipc_a ipc_b
	setup "$mode" || return 0
	must K "$mode" run -d --name a --hostname ahost "${NET[@]}" "${MARK[@]}" "$IMG" sleep 1000 || return
	capture K "$mode" run --rm --pid container:a "${NET[@]}" "$IMG" ps -o pid,args
	assert_ok "--pid container:a" || return
	assert_match "^ *1 sleep 1000$" "$(sed -n 2p <<<"$OUT")" "b sees a's init as pid 1" || return
	capture K "$mode" run --rm --uts container:a --ipc container:a "${NET[@]}" "$IMG" sh -c 'hostname; readlink /proc/self/ns/ipc'
	assert_ok "--uts/--ipc container:a" || return
	ipc_a=$(K "$mode" exec a readlink /proc/self/ns/ipc)
	assert_eq "ahost"$'\n'"$ipc_a" "$OUT" "a's hostname and IPC namespace" || return
	ipc_b=$(K "$mode" run --rm "${NET[@]}" "$IMG" readlink /proc/self/ns/ipc)
	assert_ne "$ipc_a" "$ipc_b" "control: a container of its own has another IPC namespace" || return
	# A detached joiner works with the other commands; its processes are a's namespace's.
	must K "$mode" run -d --name b --pid container:a "${NET[@]}" "${MARK[@]}" "$IMG" sleep 2000 || return
	capture K "$mode" exec a ps -o args
	assert_contains "$OUT" "sleep 2000" "a sees b's process" || return
	if [ "$mode" = rootless ]; then
		local pa pb
		pa=$(K "$mode" inspect --format '{{.State.Pid}}' a)
		pb=$(K "$mode" inspect --format '{{.State.Pid}}' b)
		assert_eq "$(readlink "/proc/$pa/ns/user")" "$(readlink "/proc/$pb/ns/user")" "rootless: b is in a's user namespace" || return
	fi
	must K "$mode" stop -t 2 b || return
	# Started again later: the namespaces are looked up again (a's init).
	must K "$mode" start b || return
	capture K "$mode" exec b ps -o args
	assert_contains "$OUT" "sleep 1000" "restarted b still in a's pid namespace" || return
	must K "$mode" rm -f b || return
	# A joiner whose target stopped in between: its start says so.
	must K "$mode" run -d --name t2 "${NET[@]}" "${MARK[@]}" "$IMG" sleep 1000 || return
	must K "$mode" create --name j --pid container:t2 "${NET[@]}" "$IMG" true >/dev/null || return
	must K "$mode" stop -t 0 t2 || return
	capture K "$mode" start -a j
	assert_eq 125 "$RC" "start of a joiner whose target stopped" || return
	assert_contains "$ERR" "--pid container:t2: the container is not running (start it first)" || return
	must K "$mode" rm -f j t2 >/dev/null || return
	must K "$mode" create --name stopped "${NET[@]}" "$IMG" true >/dev/null || return
	capture K "$mode" run --rm "${NET[@]}" --name x --pid container:stopped "$IMG" true
	assert_eq 125 "$RC" "a container that does not run: exit status" || return
	assert_contains "$ERR" "--pid container:stopped: the container is not running (start it first)" || return
	capture K "$mode" ps -a --format '{{.Names}}'
	assert_not_contains "$OUT" "x" "no container x left" || return
	must K "$mode" rm stopped >/dev/null || return
	assert_refused "$mode" "no such container" 'no container with name or ID "nope" found' --pid container:nope "$IMG" true || return
	assert_refused "$mode" "bad value" "--ipc bogus: expected host, private or container:NAME" --ipc bogus "$IMG" true || return
	assert_refused "$mode" "hostname with --uts container" "--hostname cannot be set with --uts container:a" \
		--uts container:a --hostname x "$IMG" true || return
	if [ "$mode" = rootless ]; then
		assert_refused "$mode" "keep-id with a join" "cannot be combined with --pid/--ipc/--uts container:NAME" \
			--userns keep-id --pid container:a "$IMG" true || return
	fi
}

for mode in root rootless; do
	run_test "$mode: --init: pid 1 is kakuri-init, orphans reaped, SIGTERM forwarded, exit status passed" test_init $mode
	run_test "$mode: --security-opt landlock=: writes outside the allowed paths are EACCES" test_landlock $mode
	run_test "$mode: --uidmap/--gidmap: the maps, the image owned by the container's root" test_uidmap $mode
	run_test "$mode: --userns nomap (rootless), refused as root" test_userns_nomap $mode
	run_test "$mode: --pid/--ipc/--uts container:NAME" test_ns_container $mode
	run_test "$mode: the image's owners, setuid bits and hard links survive the chown of --userns auto/nomap" test_idshift_owners $mode
done
run_test "root: --userns auto: ranges from the containers entry, disjoint, given back on rm" test_userns_auto
done_testing
