#!/usr/bin/env bash
# Members of one consumer group subscribing one topic with different
# expressions (rmq_sub_conflict.py) are accepted, as RocketMQ accepts them,
# and the broker warns loudly in its log, naming the group, the topic and
# both expressions; members of different groups do not trigger it.
# env: FERRY_BROKER
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
rport=$(free_port)
ferry_start --listenPort="$rport"
step 60 "rmq_sub_conflict.py" python3 "$here/rmq_sub_conflict.py" "$rport" \
    conflict_group conflict_topic
ferry_alive || fail "broker died"
ferry_stop
n=$(grep -c "SUBSCRIPTION CONFLICT in group conflict_group: topic conflict_topic" "$FERRY_LOG" || true)
[ "$n" = 1 ] || fail "expected one conflict warning, found $n"
grep "SUBSCRIPTION CONFLICT" "$FERRY_LOG" | grep -q "'TagA || TagB'" ||
    fail "the warning does not name both expressions"
if grep "SUBSCRIPTION CONFLICT" "$FERRY_LOG" | grep -q "conflict_group_other"; then
    fail "a member of another group was counted as a conflict"
fi
say "PASS: conflicting subscriptions accepted and warned about once"
