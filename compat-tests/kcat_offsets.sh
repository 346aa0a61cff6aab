#!/usr/bin/env bash
# kcat and the offset APIs: a topic auto-created by kcat's produce
# (num.partitions=2, so Metadata must show 2 partitions), ListOffsets
# earliest/latest/by time (kcat -Q and -o s@TS: the first offset whose
# timestamp is >= TS), relative start (-o -N), and a Fetch long poll that
# wakes up for messages produced while the consumer waits at the end.
#
# env: FERRY_BROKER
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"

ferry_require kcat
ferry_start --auto.create.topics.enable=true --num.partitions=2
bs=127.0.0.1:$FERRY_PORT
topic=offsets-$$
w=$FERRY_WORK

now_ms() { date +%s%3N; }

produce() { # produce FIRST LAST: values v<n>, all to partition 0
    seq "$1" "$2" | sed 's/^/v/' >"$w/p.in"
    STEP_IN=$w/p.in step 60 "kcat -P v$1..v$2" \
        kcat -P -b "$bs" -t "$topic" -p 0
}

consume() { # consume OUTFILE KCAT-ARGS...: partition 0 to its end
    local out=$1
    shift
    STEP_OUT=$out step 60 "kcat -C $*" \
        kcat -C -b "$bs" -t "$topic" -p 0 -e -q -f '%o %s\n' "$@"
}

expect_lines() { # expect_lines FILE FIRST_OFFSET FIRST_VALUE COUNT
    local f=$1 o=$2 v=$3 n=$4 want
    want=$(for i in $(seq 0 $((n - 1))); do
        echo "$((o + i)) v$((v + i))"
    done)
    if [ "$(cat "$f")" != "$want" ]; then
        echo "got (first 5 of $(wc -l <"$f") lines):" >&2
        head -n 5 "$f" >&2
        fail "$f: want $n messages from offset $o (v$v..)"
    fi
}

query() { # query PARTITION TIMESTAMP -> offset printed by kcat -Q
    STEP_OUT=$w/q.out step 30 "kcat -Q $topic:$1:$2" \
        kcat -Q -b "$bs" -t "$topic:$1:$2"
    sed -n 's/.*offset \(-\{0,1\}[0-9]*\).*/\1/p' "$w/q.out" | head -n 1
}

# 1. auto-create through produce, 100 messages, then a time gap
produce 0 99
STEP_OUT=$w/meta step 30 "kcat -L" kcat -L -b "$bs" -t "$topic"
grep -q "topic \"$topic\" with 2 partitions" "$w/meta" || {
    cat "$w/meta" >&2
    fail "Metadata does not show $topic with 2 partitions"
}
grep -q "broker .* at 127.0.0.1:$FERRY_PORT" "$w/meta" || {
    cat "$w/meta" >&2
    fail "Metadata does not advertise 127.0.0.1:$FERRY_PORT"
}
sleep 1.2
mid=$(now_ms)
sleep 1.2
produce 100 149

# 2. ListOffsets: earliest, latest, by time (before, between, after)
[ "$(query 0 -2)" = 0 ] || fail "earliest offset of p0: $(query 0 -2), want 0"
[ "$(query 0 -1)" = 150 ] || fail "latest offset of p0: $(query 0 -1), want 150"
[ "$(query 1 -1)" = 0 ] || fail "latest offset of empty p1: $(query 1 -1), want 0"
[ "$(query 0 "$mid")" = 100 ] ||
    fail "offset for time $mid: $(query 0 "$mid"), want 100"
[ "$(query 0 0)" = 0 ] || fail "offset for time 0: $(query 0 0), want 0"
after=$(($(now_ms) + 3600000))
got=$(query 0 "$after")
[ "$got" = -1 ] || [ "$got" = 150 ] ||
    fail "offset for a future time: $got, want -1 (none) or 150 (end)"
say "ListOffsets earliest/latest/by time ok (future time -> $got)"

# 3. consuming from a time, from the end minus N, on an empty partition
consume "$w/c.time" -o "s@$mid"
expect_lines "$w/c.time" 100 100 50
consume "$w/c.rel" -o -10
expect_lines "$w/c.rel" 140 140 10
STEP_OUT=$w/c.empty step 30 "kcat -C empty p1" \
    kcat -C -b "$bs" -t "$topic" -p 1 -o beginning -e -q -f '%o %s\n'
[ ! -s "$w/c.empty" ] || fail "empty partition 1 returned messages"
say "consume from time / relative / empty partition ok"

# 4. long poll: a consumer waiting at the end (offset 150, absolute so that
# a slow start cannot skip what follows) gets messages produced later
timeout --kill-after=5 40 kcat -C -b "$bs" -t "$topic" -p 0 -o 150 -c 5 \
    -q -f '%o %s\n' >"$w/c.wait" 2>"$w/c.wait.err" &
waiter=$!
sleep 2
kill -0 "$waiter" 2>/dev/null ||
    fail "waiting consumer exited before anything was produced"
produce 150 154
rc=0
wait "$waiter" || rc=$?
[ "$rc" -eq 0 ] || {
    cat "$w/c.wait.err" >&2
    fail "waiting consumer: exit status $rc (124: no messages within 40 s)"
}
expect_lines "$w/c.wait" 150 150 5
say "Fetch long poll woke up for new messages"

ferry_stop
say "PASS: kcat offsets, ListOffsets and long poll"
