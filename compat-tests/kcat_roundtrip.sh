#!/usr/bin/env bash
# kcat round trip: a 4-partition topic created through librdkafka's admin API
# (rdk_admin, which also checks that a second create answers
# TOPIC_ALREADY_EXISTS), COUNT keyed messages with headers produced by kcat
# with compression CODEC, consumed back by kcat from each partition; checks
# count, keys, values, headers, partition choice by key, offsets dense from 0
# and per-partition production order (lib/verify_kcat.py); for zstd, that
# the CommitLog holds zstd frames (stored compressed). Then the broker
# is stopped with SIGTERM (must exit 0), restarted on the same data dir, and
# the consumed log must be byte-identical.
#
# usage: kcat_roundtrip.sh CODEC COUNT   (CODEC: none|zstd|gzip|snappy|lz4)
# env:   FERRY_BROKER, FERRY_RDK_ADMIN (paths of the binaries)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"

codec=${1:?usage: kcat_roundtrip.sh CODEC COUNT}
count=${2:?usage: kcat_roundtrip.sh CODEC COUNT}
parts=4
topic="rt-$codec-$$"
headers="app=ferry,run=$topic"

ferry_require kcat
[ -n "${FERRY_RDK_ADMIN:-}" ] && [ -x "$FERRY_RDK_ADMIN" ] ||
    fail "rdk_admin missing: '${FERRY_RDK_ADMIN:-}' (needs librdkafka-dev)"

ferry_start --auto.create.topics.enable=false --flushDiskType=ASYNC_FLUSH
bs=127.0.0.1:$FERRY_PORT

step 40 "rdk_admin create $topic" \
    "$FERRY_RDK_ADMIN" "$bs" create "$topic" "$parts"
step 40 "rdk_admin create $topic again" \
    "$FERRY_RDK_ADMIN" "$bs" create "$topic" "$parts" TOPIC_ALREADY_EXISTS

python3 "$here/lib/verify_kcat.py" gen "$count" >"$FERRY_WORK/in.txt"
zarg=()
[ "$codec" = none ] || zarg=(-z "$codec")
say "producing $count messages (codec $codec)"
rc=0
timeout --kill-after=5 180 \
    kcat -P -b "$bs" -t "$topic" -K: -H app=ferry -H "run=$topic" \
    "${zarg[@]}" -X linger.ms=20 -X message.timeout.ms=60000 \
    <"$FERRY_WORK/in.txt" 2>"$FERRY_WORK/produce.err" || rc=$?
if [ "$rc" -ne 0 ] || grep -Eiq 'fail|error' "$FERRY_WORK/produce.err"; then
    echo "kcat -P stderr, counted:" >&2
    sort "$FERRY_WORK/produce.err" | uniq -c | sort -rn | head -n 10 >&2
    fail "kcat -P ($codec): exit status $rc (124: timed out after 180s)"
fi

consume_all() {
    local tag=$1 p
    for p in $(seq 0 $((parts - 1))); do
        STEP_OUT=$FERRY_WORK/out.$tag.$p step 120 "kcat -C -p $p ($tag)" \
            kcat -C -b "$bs" -t "$topic" -p "$p" -o beginning -e -q \
            -f '%p\t%o\t%k\t%h\t%s\n'
    done
}

if [ "$codec" = zstd ]; then
    # PRODUCT.md: zstd batches are stored and served without needless
    # re-compression, so zstd frames (magic 28 b5 2f fd) must be in the
    # CommitLog files.
    frames=$(python3 -c 'import glob, sys
n = 0
for f in glob.glob(sys.argv[1] + "/commitlog/*"):
    with open(f, "rb") as fh:
        n += fh.read().count(b"\x28\xb5\x2f\xfd")
print(n)' "$FERRY_DATA")
    [ "$frames" -gt 0 ] ||
        fail "no zstd frame in $FERRY_DATA/commitlog: zstd batches were" \
            "not stored compressed"
    say "CommitLog holds $frames zstd frames"
fi

consume_all first
step 120 "verify consumed messages" \
    python3 "$here/lib/verify_kcat.py" "$count" "$parts" "$headers" \
    "$FERRY_WORK"/out.first.{0..3}

ferry_stop
ferry_start --auto.create.topics.enable=false --flushDiskType=ASYNC_FLUSH
consume_all restart
for p in $(seq 0 $((parts - 1))); do
    cmp "$FERRY_WORK/out.first.$p" "$FERRY_WORK/out.restart.$p" ||
        fail "partition $p reads differently after a clean restart"
done
say "partition contents identical after a clean restart"
ferry_stop
say "PASS: kcat round trip, codec $codec, $count messages"
