#!/usr/bin/env bash
# librdkafka idempotent producer through lib/dropproxy.py, which withholds
# a Produce response up to 8 times, at least 9 responses and 1.5 s apart:
# alternately the connection stalls (that response and all later ones are
# swallowed, so every request in flight times out and is retried on a new
# connection) or is closed right after the broker answered. Either way the
# client retries batches the broker already stored. The broker advertises
# the proxy's address in Metadata, so every connection goes through it.
# rdk_idempotent.c then reads the topic back: every message exactly once,
# in order, at the offset its delivery report gave.
#
# env: FERRY_BROKER, FERRY_COMPAT_BIN
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"

bin=${FERRY_COMPAT_BIN:-}/rdk_idempotent
n=${1:-20000}
ferry_require "$bin"
proxy_port=$(free_port)
ferry_start --num.partitions=3 \
    --advertised.listeners="PLAINTEXT://127.0.0.1:$proxy_port"
python3 "$here/lib/dropproxy.py" "$proxy_port" "127.0.0.1:$FERRY_PORT" \
    --every 9 --min-gap 1.5 --max-faults 8 --lifetime 240 2>"$FERRY_WORK/proxy.log" &
proxy=$!
# keep the harness's exit status and cleanup, and stop the proxy first
trap 'rc=$?; set +e; kill "$proxy" 2>/dev/null; (exit $rc); _ferry_on_exit' EXIT
deadline=$((SECONDS + 10))
until (exec 3<>"/dev/tcp/127.0.0.1/$proxy_port") 2>/dev/null; do
    kill -0 "$proxy" 2>/dev/null || fail "dropproxy exited: $(cat "$FERRY_WORK/proxy.log")"
    [ "$SECONDS" -lt "$deadline" ] || fail "dropproxy not listening after 10 s"
    sleep 0.1
done

rc=0
timeout --kill-after=5 180 "$bin" "127.0.0.1:$proxy_port" "idem-$$" 3 "$n" ||
    rc=$?
echo "---- dropproxy log ----" >&2
cat "$FERRY_WORK/proxy.log" >&2
faults=$(grep -c '^dropproxy: fault' "$FERRY_WORK/proxy.log" || true)
[ "$rc" -eq 0 ] || fail "rdk_idempotent: exit status $rc (124: timed out)"
# the test proves nothing unless responses were really lost
[ "$faults" -ge 4 ] || fail "only $faults Produce responses withheld, want >= 4"
ferry_alive || fail "broker died during the test"
kill "$proxy" 2>/dev/null || true
ferry_stop
say "PASS: idempotent producer, $faults lost responses, no duplicates"
