#!/usr/bin/env bash
# Durability under kill -9: librdkafka produces with acks=all to a
# 4-partition topic; after a share of the acks the broker gets SIGKILL with
# messages in flight; it is restarted on the same data dir and port and
# (rdk_durability verify) offsets must be dense, order per partition kept,
# and every acknowledged message there once at its acknowledged offset.
# SYNC_FLUSH: two crash rounds (the second writes on top of a recovered
# log) and nothing acknowledged may be lost. ASYNC_FLUSH: one round, and
# only a partition's tail may be lost (PRODUCT.md). Then SIGTERM must
# exit 0.
#
# usage: durability.sh SYNC_FLUSH|ASYNC_FLUSH [COUNT]
# env:   FERRY_BROKER, FERRY_RDK_ADMIN, FERRY_RDK_DURABILITY (binary paths)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"

flush=${1:?usage: durability.sh SYNC_FLUSH|ASYNC_FLUSH [COUNT]}
count=${2:-20000}
parts=4
kill_after=$((count / 4))
topic=durable-$$
case $flush in
SYNC_FLUSH) rounds=2 verify_mode=() ;;
ASYNC_FLUSH) rounds=1 verify_mode=(tail-may-go) ;;
*) fail "unknown flush type $flush" ;;
esac
for b in FERRY_RDK_ADMIN FERRY_RDK_DURABILITY; do
    [ -n "${!b:-}" ] && [ -x "${!b}" ] ||
        fail "$b missing: '${!b:-}' (needs librdkafka-dev)"
done
ferry_require
acks=$FERRY_WORK/acks.txt
: >"$acks"
broker_args=(--flushDiskType="$flush" --auto.create.topics.enable=false)

ferry_start "${broker_args[@]}"
bs=127.0.0.1:$FERRY_PORT
step 40 "rdk_admin create $topic" \
    "$FERRY_RDK_ADMIN" "$bs" create "$topic" "$parts"

for round in $(seq 1 "$rounds"); do
    seq0=$(((round - 1) * count))
    say "round $round ($flush): produce $count from seq $seq0, kill -9" \
        "after $kill_after acks"
    step 200 "rdk_durability produce (round $round)" \
        "$FERRY_RDK_DURABILITY" produce "$bs" "$topic" "$parts" "$seq0" \
        "$count" "$kill_after" "$FERRY_PID" "$acks"
    ferry_reap_killed
    ferry_start "${broker_args[@]}"
    step 120 "rdk_durability verify (round $round)" \
        "$FERRY_RDK_DURABILITY" verify "$bs" "$topic" "$parts" "$acks" \
        "${verify_mode[@]}"
done
ferry_stop
say "PASS: acknowledged messages survived $rounds kill -9 round(s) ($flush)"
