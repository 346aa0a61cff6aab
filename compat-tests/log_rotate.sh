#!/usr/bin/env bash
# Log rotation as logrotate does it: ferry-broker and ferry-namesrv write
# to --logFile; the file is moved away, SIGHUP is sent, and each process
# writes its next lines to a new file at the configured path, while the
# moved file keeps the lines from before.  A logFile that cannot be opened
# refuses to start with a message naming it.
# env: FERRY_BROKER, FERRY_NAMESRV
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
ferry_require kcat
dir=$FERRY_WORK

# wait_grep SECONDS PATTERN FILE
wait_grep() {
    local i
    for i in $(seq $(($1 * 10))); do
        grep -q "$2" "$3" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

ferry_start --logFile="$dir/broker.log"
wait_grep 10 "Kafka PLAINTEXT listener" "$dir/broker.log" ||
    fail "broker does not log to --logFile"
mv "$dir/broker.log" "$dir/broker.log.1"
kill -HUP "$FERRY_PID"
wait_grep 10 "log file reopened" "$dir/broker.log" ||
    fail "no new broker.log after SIGHUP"
echo "k:v" | timeout 20 kcat -b "127.0.0.1:$FERRY_PORT" -t rot -P -K: ||
    fail "produce after SIGHUP"
ferry_stop
grep -q "stopped cleanly" "$dir/broker.log" ||
    fail "the last lines did not go to the new file"
grep -q "opening store" "$dir/broker.log.1" ||
    fail "the rotated file lost the early lines"
if grep -q "stopped cleanly" "$dir/broker.log.1"; then
    fail "lines after SIGHUP went to the rotated file"
fi
say "broker: rotated with SIGHUP"

# the name server
ns=${FERRY_NAMESRV:?FERRY_NAMESRV must name ferry-namesrv}
port=$(free_port)
setpriv --pdeathsig KILL -- "$ns" --listenPort="$port" \
    --bindAddress=127.0.0.1 --logFile="$dir/ns.log" </dev/null \
    >"$dir/ns.stderr" 2>&1 &
nspid=$!
wait_grep 10 "listening" "$dir/ns.log" || {
    cat "$dir/ns.stderr" "$dir/ns.log" >&2 || true
    kill -9 "$nspid" 2>/dev/null || true
    fail "ferry-namesrv does not log to --logFile"
}
mv "$dir/ns.log" "$dir/ns.log.1"
kill -HUP "$nspid"
wait_grep 10 "log file reopened" "$dir/ns.log" || {
    kill -9 "$nspid" 2>/dev/null || true
    fail "no new ns.log after SIGHUP"
}
kill -TERM "$nspid"
st=0
wait "$nspid" || st=$?
[ "$st" = 0 ] || fail "ferry-namesrv exit status $st"
grep -q "stopped cleanly" "$dir/ns.log" || fail "namesrv's last lines lost"
say "namesrv: rotated with SIGHUP"

# an unopenable log file is a configuration error naming the file
st=0
out=$("$FERRY_BROKER" --logFile=/nonexistent-dir/x.log 2>&1) || st=$?
[ "$st" = 1 ] || fail "bad logFile: exit status $st, want 1"
grep -q "/nonexistent-dir/x.log" <<<"$out" || fail "bad logFile not named: $out"
say "PASS: log files reopen on SIGHUP; a bad logFile is refused"
