#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Pulling from a real registry (Debian's docker-registry, distribution 2.8, on 127.0.0.1),
# root and rootless: images pushed with skopeo, pulled by tag and by digest, a two-platform
# index, gzip and zstd layers, a Basic-auth registry with login/logout, short-name
# resolution, TLS verification by default; the pulled root filesystem matches the source
# file by file; an interrupted pull resumes (Range), a corrupted partial is re-downloaded,
# old partials are pruned; every container command of issue 6 on a pulled image (the demo
# image's are in containers.sh).
. "$(dirname "$0")/common.bash"

FX=$(engine_fixtures) || kk_bail "building the image fixtures failed"
cp "$KK_TESTS/fixtures/mkimages.py" "$T_DIR/bin/"
LISTER="python3 $T_DIR/bin/mkimages.py list"

case $(uname -m) in
x86_64) HOST_ARCH=amd64 ;;
aarch64) HOST_ARCH=arm64 ;;
*) HOST_ARCH=$(uname -m) ;;
esac

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

test_pull_by_tag() {
	local mode=$1 got
	need_mode "$mode" || return 0
	capture K "$mode" pull --tls-verify=false "$REG_plain/kk/multi:1"
	assert_ok "pull by tag" || return
	assert_contains "$ERR" "Copying blob sha256:" "progress lines" || return
	assert_eq 64 "${#OUT}" "the image ID on stdout" || return
	got=$(merged_listing "$mode" "$REG_plain/kk/multi:1") || { fail "mount failed"; return; }
	if [ "$got" != "$(cat "$FX/multi.expected")" ]; then
		fail "pulled root filesystem differs from the source"
		diff <(cat "$FX/multi.expected") <(echo "$got") | head -30 | sed 's/^/#     /' >&9
		return 1
	fi
	capture K "$mode" pull --tls-verify=false "$REG_plain/kk/multi:1"
	assert_ok "second pull" || return
	assert_contains "$ERR" "skipped: already exists" "second pull skips present layers" || return
	capture K "$mode" pull -q --tls-verify=false "$REG_plain/kk/multi:1"
	assert_eq "" "$ERR" "--quiet prints nothing on stderr" || return
	check_store K "$mode"
}

test_pull_by_digest() {
	local mode=$1 digest
	need_mode "$mode" || return 0
	digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG_plain/kk/multi:1") || { fail "skopeo inspect"; return; }
	capture K "$mode" pull -q --tls-verify=false "$REG_plain/kk/multi@$digest"
	assert_ok "pull by digest" || return
	capture K "$mode" images --format json
	assert_eq "$REG_plain/kk/multi@$digest" "$(jq -r '.[0].RepoDigests[0]' <<<"$OUT")" "repo digest" || return
	assert_eq "[]" "$(jq -c '.[0].Names' <<<"$OUT")" "a digest pull adds no tag" || return
	must K "$mode" image exists "$REG_plain/kk/multi@$digest" || return
	capture K "$mode" pull -q --tls-verify=false "$REG_plain/kk/multi@sha256:$(printf '0%.0s' {1..64})"
	assert_failed "pull of an unknown digest" || return
	assert_contains "$ERR" "manifest unknown" || return
}

test_pull_index() {
	local mode=$1 got
	need_mode "$mode" || return 0
	must K "$mode" pull -q --tls-verify=false "$REG_plain/kk/index:1" || return
	if [ "$HOST_ARCH" = amd64 ] || [ "$HOST_ARCH" = arm64 ]; then
		got=$(merged_listing "$mode" "$REG_plain/kk/index:1") || { fail "mount failed"; return; }
		assert_eq "$(cat "$FX/index-$HOST_ARCH.expected")" "$got" "host platform ($HOST_ARCH) root filesystem" || return
	fi
	must K "$mode" pull -q --tls-verify=false --platform linux/arm64 "$REG_plain/kk/index:1" || return
	capture K "$mode" inspect "$REG_plain/kk/index:1"
	assert_eq arm64 "$(jq -r '.[0].Architecture' <<<"$OUT")" "the name now points at the arm64 image" || return
	got=$(merged_listing "$mode" "$REG_plain/kk/index:1") || { fail "mount failed"; return; }
	assert_eq "$(cat "$FX/index-arm64.expected")" "$got" "arm64 root filesystem" || return
	assert_eq 2 "$(jq '.[0].RepoDigests | length' <<<"$OUT")" "manifest and index digests recorded" || return
	capture K "$mode" pull -q --tls-verify=false --platform linux/riscv64 "$REG_plain/kk/index:1"
	assert_failed "a platform the index lacks" || return
	assert_contains "$ERR" "no image for platform linux/riscv64" || return
	check_store K "$mode"
}

test_pull_zstd_and_gzip() {
	local mode=$1 a b
	need_mode "$mode" || return 0
	must K "$mode" pull -q --tls-verify=false "$REG_plain/kk/multi-zstd:1" || return
	capture K "$mode" inspect "$REG_plain/kk/multi-zstd:1"
	assert_contains "$OUT" "tar+zstd" "zstd media type" || return
	must K "$mode" pull -q --tls-verify=false "$REG_plain/kk/multi:1" || return
	a=$(K "$mode" inspect "$REG_plain/kk/multi-zstd:1" | jq -r '.[0].Id')
	b=$(K "$mode" inspect "$REG_plain/kk/multi:1" | jq -r '.[0].Id')
	assert_eq "$a" "$b" "gzip and zstd images share config and layers" || return
	assert_eq 2 "$(find "$(if [ "$mode" = root ]; then echo "$KK_STORE"; else echo "$KK_RL_STORE"; fi)/layers" -mindepth 1 -maxdepth 1 | wc -l)" \
		"layers unpacked once per diff_id" || return
	capture K "$mode" rmi "$REG_plain/kk/multi:1"
	assert_ok rmi || return
	check_store K "$mode"
}

test_auth() {
	local mode=$1 authfile
	need_mode "$mode" || return 0
	capture K "$mode" pull -q --tls-verify=false "$REG_auth/kk/busybox:1"
	assert_failed "pull without credentials" || return
	assert_contains "$ERR" "requires a login (kakuri login $REG_auth)" || return
	capture K "$mode" login --tls-verify=false -u kkuser -p wrong "$REG_auth"
	assert_failed "login with a wrong password" || return
	assert_contains "$ERR" "invalid username or password" || return
	capture K "$mode" login --tls-verify=false -u kkuser -p kkpass "$REG_auth"
	assert_ok "login" || return
	assert_eq "Login Succeeded!" "$OUT" || return
	if [ "$mode" = root ]; then authfile=/run/containers/0/auth.json; else authfile=/run/user/$KK_RL_UID/containers/auth.json; fi
	defer "rm -f $authfile"
	assert_eq "\"$(printf kkuser:kkpass | base64)\"" "$(jq ".auths[\"$REG_auth\"].auth" "$authfile")" "stored credentials" || return
	assert_eq 600 "$(stat -c %a "$authfile")" "credentials file mode" || return
	must K "$mode" pull -q --tls-verify=false "$REG_auth/kk/busybox:1" || return
	capture K "$mode" logout "$REG_auth"
	assert_ok logout || return
	capture K "$mode" pull -q --tls-verify=false "$REG_auth/kk/busybox:1"
	assert_failed "pull after logout" || return
	# Credentials from a docker-style config file are found too.
	if [ "$mode" = root ]; then
		must kk login --authfile "$T_DIR/docker-config.json" --tls-verify=false -u kkuser -p kkpass "$REG_auth" || return
		capture env REGISTRY_AUTH_FILE="$T_DIR/docker-config.json" "$KAKURI" --root "$KK_STORE" pull -q --tls-verify=false "$REG_auth/kk/busybox:1"
		assert_ok "pull with REGISTRY_AUTH_FILE" || return
	fi
	check_store K "$mode"
}

test_short_names_and_tls() {
	local mode=$1
	need_mode "$mode" || return 0
	if [ "$mode" = root ]; then
		capture env KAKURI_SEARCH_REGISTRIES="$REG_plain" "$KAKURI" --root "$KK_STORE" pull --tls-verify=false kk/busybox:1
	else
		capture rl_kk KAKURI_SEARCH_REGISTRIES="$REG_plain" pull --tls-verify=false kk/busybox:1
	fi
	assert_ok "pull of a short name" || return
	assert_contains "$ERR" "Trying to pull $REG_plain/kk/busybox:1" || return
	must K "$mode" image exists "$REG_plain/kk/busybox:1" || return
	capture K "$mode" pull "$REG_plain/kk/busybox:1"
	assert_failed "pull from a plain-http registry with TLS verification on" || return
	assert_contains "$ERR" "--tls-verify=false" "hint" || return
	capture K "$mode" pull localhost/not-here
	assert_failed "pull of a localhost/ name" || return
	assert_contains "$ERR" "localhost/ names local images" || return
	capture K "$mode" pull 'Bad/UPPER:x'
	assert_failed "pull of a malformed name" || return
	assert_contains "$ERR" "must be lowercase" || return
}

test_save_pulled() {
	local mode=$1 id
	need_mode "$mode" || return 0
	must K "$mode" pull -q --tls-verify=false "$REG_plain/kk/multi:1" || return
	id=$(K "$mode" images -q --no-trunc)
	mkdir -p "$T_DIR/out-$mode" && chmod 0777 "$T_DIR/out-$mode"
	must K "$mode" save -o "$T_DIR/out-$mode/m.tar" "$REG_plain/kk/multi:1" || return
	must K "$mode" rmi "$REG_plain/kk/multi:1" || return
	capture K "$mode" load -i "$T_DIR/out-$mode/m.tar"
	assert_ok "load of the saved pulled image" || return
	assert_eq "$id" "$(K "$mode" images -q --no-trunc)" "same image ID" || return
	check_store K "$mode"
}

# KE MODE VAR=VALUE ARGS...: kakuri with one extra environment variable.
KE() {
	local mode=$1 var=$2
	shift 2
	if [ "$mode" = root ]; then
		env "$var" KK_TEST_DIR="$T_DIR" timeout -k 5 "$KK_CMD_TIMEOUT" "$KAKURI" --root "$KK_STORE" "$@" 9>&-
	else
		rl_kk "$var" "$@"
	fi
}
store_of() { if [ "$1" = root ]; then echo "$KK_STORE"; else echo "$KK_RL_STORE"; fi; }

# interrupted_pull MODE: a pull of kk/multi:1 that drops every blob transfer after 100000
# bytes (the test hook; it stops at the end of the network chunk that crosses that mark),
# leaving the big layer's partial; sets PARTIAL to its path and PARTIAL_SIZE.
interrupted_pull() {
	local mode=$1 f
	capture KE "$mode" KAKURI_PULL_TEST_ABORT_AFTER=100000 pull -q --tls-verify=false "$REG_plain/kk/multi:1"
	assert_failed "the interrupted pull fails" || return 1
	assert_contains "$ERR" "aborted after" "the test hook cut the transfer" || return 1
	f=$(find "$(store_of "$mode")/tmp/.partial" -type f -size +99999c | head -1)
	[ -n "$f" ] || { fail "no partial of >= 100000 bytes left in tmp/.partial"; ls -la "$(store_of "$mode")/tmp/.partial" >&9; return 1; }
	PARTIAL=$f
	PARTIAL_SIZE=$(stat -c %s "$f")
}

test_pull_resume() {
	local mode=$1 f got
	need_mode "$mode" || return 0
	interrupted_pull "$mode" || return
	f=$PARTIAL
	capture K "$mode" --debug pull -q --tls-verify=false "$REG_plain/kk/multi:1"
	assert_ok "the second pull" || return
	assert_contains "$ERR" "resuming with a Range request after a partial download ($PARTIAL_SIZE bytes)" \
		"the second pull asked for a Range" || return
	assert_not_contains "$ERR" "downloading it again from the start" "the resumed blob verified" || return
	[ ! -e "$f" ] || { fail "the partial is still there after the pull"; return; }
	got=$(merged_listing "$mode" "$REG_plain/kk/multi:1") || { fail "mount failed"; return; }
	assert_eq "$(cat "$FX/multi.expected")" "$got" "the resumed pull's root filesystem" || return
	check_store K "$mode"
}

test_pull_resume_corrupt() {
	local mode=$1 f got
	need_mode "$mode" || return 0
	interrupted_pull "$mode" || return
	f=$PARTIAL
	printf 'KAKURI-CORRUPTED!' | dd of="$f" bs=1 seek=5000 conv=notrunc status=none
	capture K "$mode" --debug pull -q --tls-verify=false "$REG_plain/kk/multi:1"
	assert_ok "the pull over a corrupted partial" || return
	assert_contains "$ERR" "resuming with a Range request" || return
	assert_contains "$ERR" "downloading it again from the start" "the bad partial was noticed and dropped" || return
	got=$(merged_listing "$mode" "$REG_plain/kk/multi:1") || { fail "mount failed"; return; }
	assert_eq "$(cat "$FX/multi.expected")" "$got" "root filesystem after the re-download" || return
	check_store K "$mode" # every blob hashes to its name
}

test_partial_gc() {
	local mode=$1 f
	need_mode "$mode" || return 0
	interrupted_pull "$mode" || return
	f=$PARTIAL
	must K "$mode" image prune || return
	[ -e "$f" ] || { fail "image prune removed a fresh partial"; return; }
	touch -d '2 days ago' "$f"
	must K "$mode" image prune || return
	[ ! -e "$f" ] || { fail "image prune kept a partial older than a day"; return; }
}

# ---- every container command on a pulled image (issue 6: demo image in containers.sh) ----
cp "$RUNTIME" "$T_DIR/bin/kakuri-runtime" && chmod 0755 "$T_DIR/bin/kakuri-runtime"
CTR_ROOT_CONF=$T_DIR/ctr-root.conf
CTR_RL_CONF=$T_DIR/ctr-rl.conf
mkdir -p "$T_DIR/run-root" "$T_DIR/run-rl"
printf '[engine]\ntmp_dir = "%s"\n' "$T_DIR/run-root" >"$CTR_ROOT_CONF"
printf '[engine]\ntmp_dir = "%s"\n' "$T_DIR/run-rl" >"$CTR_RL_CONF"
chmod 0644 "$CTR_ROOT_CONF" "$CTR_RL_CONF"
[ "$KK_RL_OK" = 1 ] && chown "$KK_RL_UID:$KK_RL_GID" "$T_DIR/run-rl"
# C MODE ARGS...: kakuri with private per-boot state, no network (loopback only).
C() {
	local mode=$1
	shift
	if [ "$mode" = root ]; then
		CONTAINERS_CONF=$CTR_ROOT_CONF kk "$@"
	else
		rl_kk CONTAINERS_CONF="$CTR_RL_CONF" "$@"
	fi
}

# P MODE ARGS...: kakuri ARGS on a fresh pseudo-terminal (pty.spawn); its status is kakuri's.
P() {
	local mode=$1 py='import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))'
	shift
	if [ "$mode" = root ]; then
		python3 -c "$py" env CONTAINERS_CONF="$CTR_ROOT_CONF" KK_TEST_DIR="$T_DIR" "$KAKURI" --root "$KK_STORE" "$@"
	else
		run_as_user python3 -c "$py" env CONTAINERS_CONF="$CTR_RL_CONF" KK_TEST_DIR="$T_DIR" "$KAKURI" --root "$KK_RL_STORE" "$@"
	fi
}

test_pulled_image_commands() {
	local mode=$1 img=$REG_plain/kk/multi:1 id t0 t1 d=$T_DIR/cp-$1 N=(--network none) M=(-e "KK_TEST_DIR=$T_DIR")
	need_mode "$mode" || return 0
	defer "C $mode rm -af"
	must C "$mode" pull -q --tls-verify=false "$img" || return
	# run: attached output and exit status; the upper layer's file is there.
	capture C "$mode" run --rm "${N[@]}" "$img" sh -c 'grep -q fresh /tmp/fresh && echo pulled; exit 5'
	assert_eq 5 "$RC" "run: the container's exit status" || return
	assert_eq pulled "$OUT" "run: output" || return
	# create, start -a, wait, inspect
	capture C "$mode" create --name c1 "${N[@]}" "$img" sh -c 'echo from-c1; exit 3'
	assert_ok "create" || return
	id=$OUT
	assert_eq created "$(C "$mode" inspect --format '{{.State.Status}}' c1)" "inspect: created" || return
	capture C "$mode" start -a c1
	assert_eq 3 "$RC" "start -a: exit status" || return
	assert_eq from-c1 "$OUT" "start -a: output" || return
	assert_eq 3 "$(C "$mode" wait "$id")" "wait" || return
	assert_eq "$img" "$(C "$mode" inspect c1 | jq -r '.[0].ImageName')" "inspect: ImageName" || return
	# run -d, ps (table, json), logs (--tail, -t, -f), exec (-u -e -w, -i), top, cp
	must C "$mode" run -d --name d1 "${N[@]}" "${M[@]}" "$img" sh -c 'echo l1; echo l2; trap "exit 0" TERM; while :; do sleep 0.1; done' || return
	capture C "$mode" ps --format table
	assert_match '^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$' "$(head -n 1 <<<"$OUT")" "ps --format table header" || return
	assert_match "$img .* d1\$" "$(sed -n 2p <<<"$OUT")" "ps --format table row" || return
	capture C "$mode" ps -a --format json
	assert_eq "d1 running" "$(jq -r '.[] | select(.Names[0] == "d1") | "\(.Names[0]) \(.State)"' <<<"$OUT")" "ps -a --format json" || return
	assert_eq "c1 exited" "$(jq -r '.[] | select(.Names[0] == "c1") | "\(.Names[0]) \(.State)"' <<<"$OUT")" "ps -a lists the exited one" || return
	sleep 0.3
	assert_eq l2 "$(C "$mode" logs --tail 1 d1)" "logs --tail 1" || return
	assert_match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z l1' "$(C "$mode" logs -t d1)" "logs -t" || return
	capture C "$mode" exec -u sync -e X=y -w /tmp d1 sh -c 'id -u; echo $X; pwd'
	assert_eq "5"$'\n'"y"$'\n'"/tmp" "$OUT" "exec -u -e -w" || return
	capture C "$mode" exec -i d1 cat <<<"via-stdin"
	assert_eq via-stdin "$OUT" "exec -i" || return
	capture C "$mode" top d1 pid args
	assert_contains "$OUT" "sh -c echo l1" "top" || return
	rm -rf "$d" && mkdir -p "$d" && echo payload >"$d/in"
	[ "$mode" = rootless ] && chown -R "$KK_RL_UID:$KK_RL_GID" "$d"
	must C "$mode" cp "$d/in" d1:/tmp/in || return
	must C "$mode" cp d1:/home/user/notes.txt "$d/out" || return
	assert_eq payload "$(C "$mode" exec d1 cat /tmp/in)" "cp in" || return
	[ -s "$d/out" ] || { fail "cp out: empty"; return; }
	# -t: run and exec on a terminal
	capture P "$mode" run --rm -t "${N[@]}" "$img" sh -c 'tty; exit 6'
	assert_eq 6 "$RC" "run -t: exit status" || return
	assert_contains "$OUT" "/dev/pts/0" "run -t: a terminal" || return
	capture P "$mode" exec -it d1 sh -c 'tty; test -t 0 && echo stdin-tty'
	assert_ok "exec -it" || return
	assert_contains "$OUT" "stdin-tty" "exec -it: stdin is the terminal" || return
	# stop (the trap answers SIGTERM), restart, kill, rm -f
	t0=$(date +%s%N)
	must C "$mode" stop -t 10 d1 || return
	t1=$(date +%s%N)
	[ $(((t1 - t0) / 1000000)) -lt 5000 ] || { fail "stop waited for the timeout"; return; }
	assert_eq "exited 0" "$(C "$mode" inspect --format '{{.State.Status}} {{.State.ExitCode}}' d1)" "stop: exit 0 from the trap" || return
	must C "$mode" restart -t 0 d1 || return
	assert_eq "running 1" "$(C "$mode" inspect --format '{{.State.Status}} {{.RestartCount}}' d1)" "restart" || return
	assert_eq "l1"$'\n'"l2"$'\n'"l1"$'\n'"l2" "$(C "$mode" logs d1)" "logs of both runs" || return
	must C "$mode" kill -s KILL d1 || return
	assert_eq 137 "$(C "$mode" wait d1)" "kill -s KILL" || return
	# attach: stdin in, output out, exits with the container
	must C "$mode" run -d -i --name a1 "${N[@]}" "${M[@]}" "$img" sh -c 'read l; echo got:$l' || return
	capture C "$mode" attach a1 <<<"hi"
	assert_eq "got:hi" "$OUT" "attach" || return
	# logs -f follows a running container to its end
	must C "$mode" run -d --name f1 "${N[@]}" "${M[@]}" "$img" sh -c 'for i in 1 2; do echo f$i; sleep 0.3; done' || return
	assert_eq "f1"$'\n'"f2" "$(C "$mode" logs -f f1)" "logs -f" || return
	# container prune keeps the running one only; rm -f removes it
	must C "$mode" run -d --name alive "${N[@]}" "${M[@]}" "$img" sleep 1000 || return
	must C "$mode" container prune -f || return
	assert_eq alive "$(C "$mode" ps -a --format '{{.Names}}')" "container prune" || return
	must C "$mode" rm -f alive || return
	assert_eq "" "$(C "$mode" ps -aq)" "rm -f" || return
	# info and version
	capture C "$mode" info --format json
	jq -e '.host.cgroups.version and .host.security.seccomp and (.host.security.landlockABI | type == "number") and .store.graphRoot' <<<"$OUT" >/dev/null ||
		{ fail "info --format json lacks fields"; return; }
	capture C "$mode" version
	assert_match '^Version: +[0-9]+\.[0-9]+' "$(head -n 1 <<<"$OUT")" "version" || return
}

start_registry plain || kk_bail "no registry"
htpasswd -Bbn kkuser kkpass >"$T_DIR/htpasswd" || kk_bail "htpasswd failed"
start_registry auth "$T_DIR/htpasswd" || kk_bail "no auth registry"
for img in busybox multi multi-zstd index; do
	push "oci:$FX/$img" "$REG_plain/kk/$img:1" || kk_bail "skopeo push of $img failed"
done
push "oci:$FX/busybox" "$REG_auth/kk/busybox:1" kkuser:kkpass || kk_bail "skopeo push to the auth registry failed"

for mode in root rootless; do
	run_test "pull by tag: rootfs matches the source; a second pull skips present layers ($mode)" test_pull_by_tag $mode
	run_test "every container command on a pulled image: run (-t), create, start -a, wait, ps, logs, exec (-it), top, cp, stop, restart, kill, attach, prune, rm, info, version ($mode)" test_pulled_image_commands $mode
	run_test "pull by digest records the repo digest; an unknown digest is a clear error ($mode)" test_pull_by_digest $mode
	run_test "a two-platform index gives the host platform, or arm64 with --platform ($mode)" test_pull_index $mode
	run_test "zstd and gzip images share their unpacked layers ($mode)" test_pull_zstd_and_gzip $mode
	run_test "Basic auth: refused without credentials, login (wrong, right), pull, logout ($mode)" test_auth $mode
	run_test "short names use the search registries; TLS is verified by default ($mode)" test_short_names_and_tls $mode
	run_test "a pulled image saves and loads back to the same ID ($mode)" test_save_pulled $mode
	run_test "an interrupted pull resumes its partial blob with a Range request and verifies ($mode)" test_pull_resume $mode
	run_test "a corrupted partial fails the digest check and is downloaded again from scratch ($mode)" test_pull_resume_corrupt $mode
	run_test "image prune removes partials older than a day, not fresh ones ($mode)" test_partial_gc $mode
done
done_testing
