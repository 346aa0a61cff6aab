#!/usr/bin/env bash
# kill -9 with delayed messages pending: nothing parked is lost.
#   1. N records with DELAY=1 (1 s) are produced and delivered before the
#      kill (their progress is persisted: after the restart each must be
#      there, at least once);
#   2. N records with DELAY=3 (10 s) and N with TIMER_DELAY_SEC=6 (a
#      delivery time) are produced; 1.5 s later none is visible, and the
#      broker gets SIGKILL;
#   3. restarted on the same data dir: within 30 s every one of the 3N
#      records is in the partition, at least once. Duplicates are counted
#      and printed (expected: none, or those delivered just before the kill
#      whose progress was not written yet).
#
# usage: delay_kill9.sh [N]    env: FERRY_BROKER
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
ferry_require kcat
n=${1:-300}
rport=$(free_port)
args=(--listenPort="$rport" --auto.create.topics.enable=true)
ferry_start "${args[@]}"
bs=127.0.0.1:$FERRY_PORT
topic=kill9-delay-$$

produce() { # prefix header
    seq 1 "$n" | sed "s/^/$1-/" >"$FERRY_WORK/$1.txt"
    STEP_IN=$FERRY_WORK/$1.txt step 30 "kcat -P $1 ($2)" kcat -P -b "$bs" \
        -t "$topic" -p 0 -H "$2"
}
consume() { # file
    STEP_OUT=$1 step 30 "kcat -C" kcat -C -b "$bs" -t "$topic" -p 0 \
        -o beginning -e -f '%s\n'
}
produce a DELAY=1
sleep 3
consume "$FERRY_WORK/before.txt"
na=$(grep -c '^a-' "$FERRY_WORK/before.txt" || true)
[ "$na" -eq "$n" ] || fail "level 1: $na of $n delivered before the kill"
produce b DELAY=3
produce c TIMER_DELAY_SEC=6
sleep 1.5
consume "$FERRY_WORK/early.txt"
early=$(grep -c '^[bc]-' "$FERRY_WORK/early.txt" || true)
[ "$early" -eq 0 ] || fail "$early delayed records visible before their time"
say "kill -9 with $((2 * n)) records pending"
kill -KILL "$FERRY_PID"
ferry_reap_killed
ferry_start "${args[@]}"
deadline=$((SECONDS + 30))
while :; do
    consume "$FERRY_WORK/after.txt"
    have=$(sort -u "$FERRY_WORK/after.txt" | grep -c '^[abc]-' || true)
    [ "$have" -lt $((3 * n)) ] || break
    [ "$SECONDS" -lt "$deadline" ] ||
        fail "after the restart only $have of $((3 * n)) distinct records"
    sleep 1
done
total=$(grep -c '^[abc]-' "$FERRY_WORK/after.txt")
say "all $((3 * n)) records present after kill -9; $((total - 3 * n))" \
    "duplicate(s)"
ferry_stop
say "PASS: delayed records survive kill -9 (at least once)"
