#!/usr/bin/env bash
# README.md's "Try it": the lines between <!-- try-it --> and
# <!-- /try-it --> are run exactly as written (so this test breaks when
# the README drifts), with the broker on free ports instead of 9092/9876:
# the quickstart gets the ports as extra ferry-broker arguments (it passes
# them on) and the build tree of this test; kcat's 127.0.0.1:9092 becomes
# the free Kafka port, ./build/ this build tree, and ferryctl finds the
# name server through FERRY_NAMESRV.  Checks: at most four commands after
# the clone (five with it), the first starts the broker, kcat reads the
# message back, ferryctl topic stats shows it.
#
# env: FERRY_BROKER, FERRY_BUILD_DIR (the build tree)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"

ferry_require kcat
src=$(cd "$here/.." && pwd)
build=${FERRY_BUILD_DIR:?FERRY_BUILD_DIR is not set}
mapfile -t cmds < <(python3 - "$src/README.md" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"<!-- try-it -->\s*```sh\n(.*?)```\s*<!-- /try-it -->", text, re.S)
if not m:
    sys.exit("README.md has no <!-- try-it --> sh block")
for line in m.group(1).splitlines():
    line = line.strip()
    if line and not line.startswith("#"):
        print(line)
PY
)
[ "${#cmds[@]}" -ge 4 ] || fail "README try-it block: ${#cmds[@]} commands, want 4"
[ "${#cmds[@]}" -le 4 ] ||
    fail "README try-it block: ${#cmds[@]} commands after the clone, at most 4"
[ "${cmds[0]}" = "./tools/quickstart.sh" ] ||
    fail "README try-it must start the broker with ./tools/quickstart.sh, not '${cmds[0]}'"
printf '%s\n' "${cmds[@]}" | grep -q "kcat .*-P" || fail "no kcat produce"
printf '%s\n' "${cmds[@]}" | grep -q "kcat .*-C" || fail "no kcat consume"
printf '%s\n' "${cmds[@]}" | grep -q "ferryctl topic stats" ||
    fail "no ferryctl topic stats"

FERRY_PORT=$(free_port)
nsport=$(free_port)
FERRY_LOG=$FERRY_WORK/broker.1.log
say "1: ${cmds[0]} (ports $FERRY_PORT, $nsport)"
(
    cd "$src"
    FERRY_BUILD_DIR=$build FERRY_DATA_DIR=$FERRY_WORK/data FERRY_SKIP_DEPS=1 \
        exec setpriv --pdeathsig KILL -- ${cmds[0]} \
        --listeners="PLAINTEXT://127.0.0.1:$FERRY_PORT" \
        --namesrvListenPort="$nsport" --listenPort="$(free_port)"
) </dev/null >"$FERRY_LOG" 2>&1 &
FERRY_PID=$!
deadline=$((SECONDS + 180)) # the quickstart first brings the tree up to date
until ferry_port_open; do
    kill -0 "$FERRY_PID" 2>/dev/null || fail "quickstart exited: $(tail -5 "$FERRY_LOG")"
    [ "$SECONDS" -lt "$deadline" ] || fail "broker not up after 180s"
    sleep 0.2
done

export FERRY_NAMESRV=127.0.0.1:$nsport
for i in 1 2 3; do
    cmd=${cmds[$i]//127.0.0.1:9092/127.0.0.1:$FERRY_PORT}
    cmd=${cmd//.\/build\//$build/}
    say "$((i + 1)): $cmd"
    (cd "$src" && timeout 30 bash -o pipefail -c "$cmd") \
        >"$FERRY_WORK/out.$i" 2>"$FERRY_WORK/err.$i" ||
        fail "'$cmd' failed: $(cat "$FERRY_WORK/err.$i")"
    cat "$FERRY_WORK/out.$i" >&2
done
grep -q "hello ferry" "$FERRY_WORK/out.2" ||
    fail "kcat did not read the message back: $(cat "$FERRY_WORK/out.2")"
# BROKER QUEUE MIN-OFFSET MAX-OFFSET MESSAGES LAST-UPDATE
awk 'NR > 1 && $2 == 0 && $5 == 1 { ok = 1 } END { exit !ok }' \
    "$FERRY_WORK/out.3" || fail "ferryctl topic stats does not show the message"
ferry_stop
say "PASS: README 'Try it' works as written"
