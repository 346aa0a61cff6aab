#!/usr/bin/env bash
# ferryctl against a live `ferry-broker --standalone` on free ports: every
# subcommand once, asserting on its --json output (python3) and on exit
# codes; lag of a Kafka group (kcat -G) and of a RocketMQ group (libferry's
# push consumer); reset-offsets (dry run, refused while members are live,
# then --execute) honoured by kcat, which reads everything again; bad
# input for the admin codes (rmq_admin_garbage.py).
#
# env: FERRY_BROKER, FERRYCTL (ferryctl), FERRY_PUSH_EXAMPLE
# (ferry_example_push_consumer)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"

ferry_require kcat "${FERRYCTL:?FERRYCTL is not set}" \
    "${FERRY_PUSH_EXAMPLE:?FERRY_PUSH_EXAMPLE is not set}"
nsport=$(free_port)
rport=$(free_port)
unset FERRY_NAMESRV
ferry_start --standalone --namesrvListenPort="$nsport" \
    --listenPort="$rport" --auto.create.topics.enable=true
K=127.0.0.1:$FERRY_PORT
NS=127.0.0.1:$nsport
W=$FERRY_WORK

# ctl ARGS...: ferryctl --json, stdout in $W/out.json; fails the test on a
# non-zero exit.  ctl_rc WANT ARGS...: expects exit status WANT.
ctl() {
    local rc=0
    timeout 30 "$FERRYCTL" -n "$NS" --json "$@" >"$W/out.json" 2>"$W/err.txt" ||
        rc=$?
    [ "$rc" -eq 0 ] || fail "ferryctl $* -> exit $rc: $(cat "$W/err.txt")"
}
ctl_rc() {
    local want=$1 rc=0
    shift
    timeout 30 "$FERRYCTL" -n "$NS" --json "$@" >"$W/out.json" 2>"$W/err.txt" ||
        rc=$?
    [ "$rc" -eq "$want" ] ||
        fail "ferryctl $* -> exit $rc, want $want: $(cat "$W/err.txt")"
}
# check 'PYTHON EXPR over d (the JSON)' [what]
check() {
    python3 - "$W/out.json" "$1" <<'EOF' || fail "${2:-check} failed: $1 on $(cat "$W/out.json")"
import json, sys
d = json.load(open(sys.argv[1]))
if not eval(sys.argv[2]):
    sys.exit(1)
EOF
}
# wait_for SECS ARGS... -- EXPR: retry a ferryctl call until EXPR holds
wait_for() {
    local secs=$1
    shift
    local args=() deadline=$((SECONDS + secs))
    while [ "$1" != "--" ]; do args+=("$1"); shift; done
    shift
    while :; do
        if timeout 30 "$FERRYCTL" -n "$NS" --json "${args[@]}" \
            >"$W/out.json" 2>"$W/err.txt" &&
            python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
                "$W/out.json" "$1" 2>/dev/null; then
            return 0
        fi
        [ "$SECONDS" -lt "$deadline" ] ||
            fail "after ${secs}s, ferryctl ${args[*]}: want $1, got $(cat "$W/out.json" "$W/err.txt")"
        sleep 0.3
    done
}

# ---- help and usage -------------------------------------------------
"$FERRYCTL" --help | grep -q "group reset-offsets" || fail "top --help"
"$FERRYCTL" group --help | grep -q "reset-offsets" || fail "group --help"
"$FERRYCTL" group reset-offsets --help | grep -q -- "--to-datetime" ||
    fail "group reset-offsets --help"
ctl_rc 1 topic frobnicate
ctl_rc 1 group reset-offsets g --topic t --to-earliest --to-latest
ctl_rc 4 --timeout 2000 -n 127.0.0.1:1 topic list

# ---- topics ---------------------------------------------------------
say "topics"
printf 'k1:one\nk2:two\nk3:three\n' |
    timeout 20 kcat -b "$K" -t ktopic -P -K: || fail "kcat produce"
wait_for 15 topic list -- '"ktopic" in d["topics"]'
check '"TBW102" not in d["topics"]' "system topics hidden"
ctl topic list --all
check '"TBW102" in d["topics"]' "topic list --all"
ctl topic create rtopic --queues 2
check 'd["created"] and d["queues"] == 2'
ctl_rc 3 topic create rtopic --queues 2 # exists
wait_for 15 topic route rtopic -- 'd["queueData"][0]["writeQueues"] == 2'
check 'd["brokers"][0]["addr"].startswith("127.0.0.1:")' "route"
ctl topic update rtopic --queues 3
wait_for 15 topic describe rtopic -- 'd["queueCount"] == 3 and len(d["queues"]) == 3'
ctl_rc 1 topic update rtopic --queues 1 # never shrinks
ctl_rc 2 topic update nosuchtopic --queues 4
ctl topic stats ktopic
check 'd["totalMessages"] == 3 and d["queues"][0]["maxOffset"] == 3 and d["queues"][0]["lastUpdateMs"] > 0' "topic stats"
ctl_rc 2 topic stats nosuchtopic

# ---- a Kafka group: lag, live members, reset honoured by kcat ---------
say "kafka group"
timeout 20 kcat -b "$K" -G kgroup ktopic -o beginning -e -q -f '%s\n' \
    -X auto.commit.interval.ms=100 >"$W/k1.txt" 2>/dev/null ||
    fail "kcat -G (first read)"
[ "$(wc -l <"$W/k1.txt")" -eq 3 ] || fail "kcat -G read $(wc -l <"$W/k1.txt"), want 3"
printf 'k4:four\nk5:five\n' | timeout 20 kcat -b "$K" -t ktopic -P -K:
ctl group describe kgroup
check 'd["protocol"] == "kafka" and d["offsets"][0]["committedOffset"] == 3 and d["offsets"][0]["endOffset"] == 5 and d["offsets"][0]["lag"] == 2 and d["totalLag"] == 2' "kafka lag"
ctl group list
check 'any(g["group"] == "kgroup" and g["protocol"] == "kafka" for g in d["groups"])' "group list"
# a live member: describe shows it with its assignment; reset is refused
timeout 25 kcat -b "$K" -G kgroup ktopic -q -f '%s\n' \
    -X auto.commit.interval.ms=100 >"$W/k2.txt" 2>/dev/null &
kpid=$!
wait_for 20 group describe kgroup -- 'd["state"] == "Stable" and len(d["members"]) == 1 and d["members"][0]["assigned"] == [{"topic": "ktopic", "broker": d["offsets"][0]["broker"], "queue": 0}]'
wait_for 20 group describe kgroup -- 'd["totalLag"] == 0 and d["offsets"][0]["consumer"] == d["members"][0]["clientId"]'
ctl_rc 3 group reset-offsets kgroup --topic ktopic --to-earliest --execute
grep -q "live member" "$W/err.txt" || fail "reset refusal should say why: $(cat "$W/err.txt")"
ctl_rc 3 group delete kgroup
kill -TERM "$kpid" 2>/dev/null || true
wait "$kpid" 2>/dev/null || true
wait_for 20 group describe kgroup -- 'd["memberCount"] == 0'
# dry run by default: nothing moves
ctl group reset-offsets kgroup --topic ktopic --to-earliest
check 'd["dryRun"] and d["offsets"][0]["previousOffset"] == 5 and d["offsets"][0]["newOffset"] == 0' "dry run"
ctl group describe kgroup
check 'd["offsets"][0]["committedOffset"] == 5' "dry run changed nothing"
ctl group reset-offsets kgroup --topic ktopic --to-offset 1 --execute
check 'not d["dryRun"] and d["offsets"][0]["newOffset"] == 1'
ctl group reset-offsets kgroup --topic ktopic --to-latest
check 'd["offsets"][0]["newOffset"] == 5'
ctl group reset-offsets kgroup --topic ktopic --to-datetime 2000-01-01T00:00:00Z
check 'd["offsets"][0]["newOffset"] == 0'
ctl group reset-offsets kgroup --topic ktopic --to-earliest --execute
ctl group describe kgroup
check 'd["offsets"][0]["committedOffset"] == 0 and d["totalLag"] == 5' "after reset"
# ... and the consumer honours it: kcat reads all five again
timeout 20 kcat -b "$K" -G kgroup ktopic -e -q -f '%s\n' >"$W/k3.txt" \
    2>/dev/null || fail "kcat -G after reset"
[ "$(tr '\n' ' ' <"$W/k3.txt")" = "one two three four five " ] ||
    fail "after reset to earliest kcat read '$(cat "$W/k3.txt")'"

# ---- a RocketMQ group (libferry push consumer): lag ------------------
say "rocketmq group"
timeout 40 "$FERRY_PUSH_EXAMPLE" "$NS" rtopic rgroup 4 >"$W/push.txt" 2>&1 &
ppid_=$!
wait_for 20 group describe rgroup -- 'd["protocol"] == "rocketmq" and len(d["members"]) == 1'
for i in 1 2 3 4; do
    ctl message send --topic rtopic --tag T --key "rk$i" "rbody $i"
done
wait "$ppid_" || fail "push consumer: $(cat "$W/push.txt")"
[ "$(grep -c rbody "$W/push.txt")" -ge 4 ] || fail "push consumer got: $(cat "$W/push.txt")"
ctl message send --topic rtopic --tag T --key rk5 "rbody 5"
ctl message send --topic rtopic --tag T --key rk6 "rbody 6"
ctl group describe rgroup
check 'sum(o["endOffset"] for o in d["offsets"] if o["topic"] == "rtopic") == 6 and d["totalLag"] == 2 and sum(o["committedOffset"] or 0 for o in d["offsets"] if o["topic"] == "rtopic") == 4' "rocketmq lag"
ctl group list
check 'any(g["group"] == "rgroup" for g in d["groups"])' "rocketmq group listed"

# ---- messages -------------------------------------------------------
say "messages"
ctl message send --topic rtopic --tag TX --key "idk other" --prop color=blue \
    --prop size=L "find me"
read -r oid uid < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["offsetMsgId"], d["msgId"])' "$W/out.json")
ctl message id "$oid"
check 'd["count"] == 1 and d["messages"][0]["body"] == "find me" and d["messages"][0]["properties"]["color"] == "blue" and d["messages"][0]["tags"] == "TX"' "message id (offsetMsgId)"
ctl message id "$uid" --topic rtopic
check 'd["messages"][0]["msgId"] == "'"$uid"'"' "message id (UNIQ_KEY)"
ctl_rc 1 message id "$uid" # a UNIQ_KEY needs --topic
ctl message key idk --topic rtopic
check 'd["count"] == 1 and d["messages"][0]["body"] == "find me"' "message key"
ctl message key k2 --topic ktopic # a Kafka record key
check 'd["count"] == 1 and d["messages"][0]["body"] == "two"' "message key (kafka)"
ctl_rc 2 message key nosuchkey --topic rtopic
ctl message time --topic ktopic --begin 2000-01-01T00:00:00Z
check 'd["count"] == 5' "message time (all)"
ctl message time --topic ktopic --begin "$(($(date +%s) + 3600))000"
check 'd["count"] == 0' "message time (future)"
ctl message print --topic ktopic --queue 0 --offset 1 --count 2
check '[m["body"] for m in d["messages"]] == ["two", "three"] and [m["queueOffset"] for m in d["messages"]] == [1, 2]' "message print"
# dead letter: re-send to its original topic, keys, tags and props kept
ctl topic create '%DLQ%rgroup' --queues 1
wait_for 15 topic route '%DLQ%rgroup' -- 'len(d["queueData"]) == 1'
ctl message send --topic '%DLQ%rgroup' --tag DT --key dlk --prop RETRY_TOPIC=rtopic \
    --prop trace=abc "dead letter"
read -r dlqid < <(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["msgId"])' "$W/out.json")
ctl message resend --group rgroup --queue 0 --offset 0
check 'd["topic"] == "rtopic" and d["dlqOffset"] == 0 and d["via"] == "broker" and d["msgId"] == "'"$dlqid"'"' "resend by the broker"
ctl message key dlk --topic rtopic
check 'd["count"] == 1 and d["messages"][0]["tags"] == "DT" and d["messages"][0]["properties"]["trace"] == "abc" and d["messages"][0]["topic"] == "rtopic" and d["messages"][0]["reconsumeTimes"] == 0' "resent message"
# elsewhere (--to-topic): ferryctl re-sends it itself
ctl message resend --group rgroup --id "$dlqid" --to-topic ktopic
check 'd["topic"] == "ktopic" and d["via"] == "client"' "resend by ferryctl"
ctl message key dlk --topic ktopic
check 'd["count"] == 1 and d["messages"][0]["properties"]["trace"] == "abc" and d["messages"][0]["properties"]["ORIGIN_MESSAGE_ID"] == "'"$dlqid"'"' "resent (client) message"

# ---- cluster, broker, transactions ------------------------------------
say "cluster and broker"
ctl cluster list
check 'len(d["brokers"]) == 1 and d["brokers"][0]["alive"] and d["brokers"][0]["version"].startswith("Ferry")'
ctl broker status
check 'int(d["commitLogMaxOffset"]) > 0 and "brokerVersionDesc" in d'
ctl broker config get num.partitions
check 'd == {"num.partitions": "1"}'
ctl broker config set num.partitions=2
ctl broker config get num.partitions
check 'd["num.partitions"] == "2"' "config set"
ctl_rc 3 broker config set no.such.key=1
grep -q "no.such.key" "$W/err.txt" || fail "refusal should name the key"
ctl_rc 2 broker config get no.such.key
ctl txn pending
check 'd["total"] == 0'
ctl message send --topic ktopic --prop TRAN_MSG=true --prop PGROUP=pgx "half"
ctl txn pending
check 'd["total"] == 1 and d["pending"][0]["producerGroup"] == "pgx"' "txn pending"
ctl message id "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pending"][0]["offsetMsgId"])' "$W/out.json")"
check 'd["messages"][0]["body"] == "half"' "the pending half by its offsetMsgId"

# ---- bad input for the admin codes, on the live broker ----------------
step 60 "admin code garbage" python3 "$here/rmq_admin_garbage.py" "$rport" ktopic \
    "$nsport"

# ---- deletes ----------------------------------------------------------
say "deletes"
ctl group delete kgroup
ctl_rc 2 group delete kgroup
ctl group list
check 'not any(g["group"] == "kgroup" for g in d["groups"])'
ctl topic delete rtopic
wait_for 15 topic list -- '"rtopic" not in d["topics"]'
ctl_rc 2 topic stats rtopic
ctl_rc 2 topic delete rtopic
ctl_rc 3 topic delete TBW102
ferry_stop
say "PASS: ferryctl, every subcommand"
