#!/usr/bin/env bash
# Transactional messages with the real RocketMQ Java client
# (java/RmqTxn.java, TransactionMQProducer of rocketmq-client 4.9.8) and
# kcat, against ferry-broker --standalone with fast check settings
# (transactionCheckInterval=1000, transactionTimeOut=1000,
# transactionCheckMax=8):
#   1. commit / rollback / UNKNOW-then-commit / UNKNOW-then-rollback /
#      UNKNOW-forever outcomes: a push consumer gets exactly the committed
#      ones; the forever-unknown
#      ones are checked exactly 8 times and rolled back. While the UNKNOW
#      ones are pending, kcat (librdkafka) with isolation.level
#      read_committed and read_uncommitted sees only the 5 committed
#      messages; after the commits it sees the 8 committed ones.
#   2. kill -9 with 5 pending transactions, each checked once already:
#      after the restart (which reads the half queue only from the
#      progress mark saved before the kill) the still running producer is
#      checked back for every one, answers COMMIT, and all 5 reach a push
#      consumer.
# env: FERRY_BROKER, FERRY_COMPAT_CACHE (lib/clients.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
. "$here/lib/clients.sh"
ferry_require kcat
compat_java_prepare
nsport=$(free_port)
rport=$(free_port)
start_broker() {
    ferry_start --standalone --namesrvListenPort="$nsport" \
        --listenPort="$rport" --auto.create.topics.enable=true \
        --transactionCheckInterval=1000 --transactionTimeOut=1000 \
        --transactionCheckMax=8
}
start_broker
ns=127.0.0.1:$nsport
kb=127.0.0.1:$FERRY_PORT
JPID=

# java_bg MODE TOPIC DIR N: RmqTxn in the background, its checks in
# DIR/out.txt, the client's log in DIR/client.log
java_bg() {
    mkdir -p "$3"
    timeout --kill-after=5 300 java "${JAVA_LOG_OPTS[@]}" \
        -Drocketmq.client.logUseSlf4j=true -cp "$JAVA_CP" \
        RmqTxn "$1" "$ns" "$2" "$3" "$4" >"$3/out.txt" 2>"$3/client.log" &
    JPID=$!
}
# wait_line DIR WORD SECS: until the program printed WORD (fails if it ended)
wait_line() {
    local deadline=$((SECONDS + $3))
    while ! grep -qx "$2" "$1/out.txt" 2>/dev/null; do
        kill -0 "$JPID" 2>/dev/null || { cat "$1/out.txt" >&2; fail "RmqTxn ended before $2"; }
        [ "$SECONDS" -lt "$deadline" ] || { cat "$1/out.txt" >&2; fail "no $2 after $3 s"; }
        sleep 0.2
    done
}
java_end() {
    local rc=0
    wait "$JPID" || rc=$?
    cat "$1/out.txt" | grep -E '^(ok  |FAIL|PASS)' >&2 || true
    [ "$rc" -eq 0 ] || { tail -n 40 "$1/client.log" >&2; fail "RmqTxn $2: exit status $rc"; }
}
# kafka_bodies TOPIC ISOLATION: the sorted bodies kcat reads
kafka_bodies() {
    timeout 30 kcat -b "$kb" -t "$1" -C -e -q -X isolation.level="$2" \
        -f '%s\n' | sort
}

# ---- 1. outcomes ----
d1=$FERRY_WORK/outcomes
java_bg outcomes TxnTopic "$d1" 8
wait_line "$d1" PENDING 120
want5=$(printf 'commit-%d\n' 0 1 2 3 4 | sort)
for iso in read_committed read_uncommitted; do
    got=$(kafka_bodies TxnTopic "$iso") || fail "kcat $iso"
    [ "$got" = "$want5" ] ||
        fail "kcat $iso while transactions are pending: got [$got], want the 5 committed"
    say "kcat $iso sees only the 5 committed messages while 7 are pending"
done
# naming the half topic does not help a Kafka client: it is not there
half=$(timeout 30 kcat -b "$kb" -t RMQ_SYS_TRANS_HALF_TOPIC -C -e -q \
    -f '%s\n' 2>&1 || true)
if grep -q "^unknown-" <<<"$half"; then
    fail "kcat read half messages from RMQ_SYS_TRANS_HALF_TOPIC by name"
fi
grep -qi "unknown topic\|Unknown_Topic" <<<"$half" ||
    fail "kcat on RMQ_SYS_TRANS_HALF_TOPIC: expected an unknown-topic error, got [$half]"
say "kcat naming RMQ_SYS_TRANS_HALF_TOPIC gets unknown topic"
touch "$d1/go"
java_end "$d1" outcomes
want8=$( (printf 'commit-%d\n' 0 1 2 3 4; printf 'unknown-%d\n' 0 1 2) | sort)
for iso in read_committed read_uncommitted; do
    got=$(kafka_bodies TxnTopic "$iso") || fail "kcat $iso"
    [ "$got" = "$want8" ] ||
        fail "kcat $iso after the commits: got [$got], want the 8 committed"
    say "kcat $iso sees the 8 committed messages after the check-back commits"
done
grep -q "transactionCheckMax" "$FERRY_LOG" ||
    fail "the rollback after transactionCheckMax is not logged"

# ---- 2. kill -9 with pending transactions ----
d2=$FERRY_WORK/restart
java_bg restart TxnKill "$d2" 5
wait_line "$d2" PENDING 120
ferry_kill9
say "broker killed with 5 pending transactions"
start_broker
for _ in $(seq 50); do
    grep -q "pending (checked back" "$FERRY_LOG" && break
    sleep 0.1
done
grep -q "pending (checked back" "$FERRY_LOG" ||
    fail "the restarted broker did not report its pending transactions"
# the progress saved before the kill let it skip the ended part-1 halves
grep -qE "half records \(from offset [1-9]" "$FERRY_LOG" || {
    grep "transactions:" "$FERRY_LOG" >&2
    fail "the restart after kill -9 read the half queue from 0"; }
touch "$d2/go"
java_end "$d2" restart
ferry_stop
say "PASS: transactional messages (commit, rollback, check-back, checkMax, kill -9)"
