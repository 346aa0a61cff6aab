#!/usr/bin/env bash
# Durability under kill -9: with --flushDiskType=SYNC_FLUSH, librdkafka
# produces with acks=all to a 4-partition topic; after a share of the acks
# the broker gets SIGKILL with messages in flight; it is restarted on the
# same data dir and port and every acknowledged message must be there once,
# at its acknowledged offset, in order per partition (rdk_durability). Two
# crash rounds, so the second writes on top of a recovered log; then a
# SIGTERM stop must exit 0.
#
# env: FERRY_BROKER, FERRY_RDK_ADMIN, FERRY_RDK_DURABILITY (binary paths)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"

parts=4
count=${1:-20000}
kill_after=$((count / 4))
topic=durable-$$
for b in FERRY_RDK_ADMIN FERRY_RDK_DURABILITY; do
    [ -n "${!b:-}" ] && [ -x "${!b}" ] ||
        fail "$b missing: '${!b:-}' (needs librdkafka-dev)"
done
ferry_require
acks=$FERRY_WORK/acks.txt
: >"$acks"
broker_args=(--flushDiskType=SYNC_FLUSH --auto.create.topics.enable=false)

ferry_start "${broker_args[@]}"
bs=127.0.0.1:$FERRY_PORT
step 40 "rdk_admin create $topic" \
    "$FERRY_RDK_ADMIN" "$bs" create "$topic" "$parts"

for round in 1 2; do
    seq0=$(((round - 1) * count))
    say "round $round: produce $count from seq $seq0, kill -9 after" \
        "$kill_after acks"
    step 200 "rdk_durability produce (round $round)" \
        "$FERRY_RDK_DURABILITY" produce "$bs" "$topic" "$parts" "$seq0" \
        "$count" "$kill_after" "$FERRY_PID" "$acks"
    ferry_reap_killed
    ferry_start "${broker_args[@]}"
    step 120 "rdk_durability verify (round $round)" \
        "$FERRY_RDK_DURABILITY" verify "$bs" "$topic" "$parts" "$acks"
done
ferry_stop
say "PASS: acknowledged messages survived two kill -9 rounds"
