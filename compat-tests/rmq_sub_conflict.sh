#!/usr/bin/env bash
# Members of one consumer group subscribing one topic with different
# expressions (rmq_sub_conflict.py) are accepted, as RocketMQ accepts them,
# and the broker warns loudly in its log, naming the group, the topic and
# both expressions; `ferryctl group describe` shows the conflict too
# (a WARNING line, and subscriptionConflicts in --json); members of
# different groups do not trigger it.
# env: FERRY_BROKER, FERRYCTL
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
ctl=${FERRYCTL:?FERRYCTL must name the ferryctl binary}
rport=$(free_port)
nsport=$(free_port)
ferry_start --standalone --namesrvListenPort="$nsport" --listenPort="$rport"
hold=$FERRY_WORK/hold
mkdir -p "$hold"
python3 "$here/rmq_sub_conflict.py" "$rport" conflict_group conflict_topic \
    "$hold" >"$FERRY_WORK/py.out" 2>&1 &
py=$!
for _ in $(seq 100); do [ -e "$hold/ready" ] && break; sleep 0.1; done
[ -e "$hold/ready" ] || { cat "$FERRY_WORK/py.out" >&2; fail "heartbeats"; }
human=$(timeout 30 "$ctl" -n "127.0.0.1:$nsport" group describe conflict_group) ||
    fail "ferryctl group describe: $human"
grep -q "WARNING: SUBSCRIPTION CONFLICT on topic conflict_topic" <<<"$human" ||
    fail "ferryctl does not warn: $human"
json=$(timeout 30 "$ctl" -n "127.0.0.1:$nsport" --json group describe conflict_group) ||
    fail "ferryctl --json group describe"
python3 - "$json" <<'PY' || fail "ferryctl --json: $json"
import json, sys
d = json.loads(sys.argv[1])
c = d["subscriptionConflicts"]
assert len(c) == 1, c
assert c[0]["topic"] == "conflict_topic", c
assert {c[0]["expression"], c[0]["otherExpression"]} == {"TagA", "TagA || TagB"}, c
PY
other=$(timeout 30 "$ctl" -n "127.0.0.1:$nsport" --json group describe conflict_group_other) ||
    fail "ferryctl --json group describe conflict_group_other"
python3 -c 'import json,sys; assert json.loads(sys.argv[1])["subscriptionConflicts"] == []' "$other" ||
    fail "a one-member group shows a conflict: $other"
touch "$hold/done"
wait "$py" || { cat "$FERRY_WORK/py.out" >&2; fail "rmq_sub_conflict.py"; }
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
