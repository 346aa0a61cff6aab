#!/usr/bin/env bash
# ferryctl's lag for a Kafka group agrees with the Java AdminClient's
# (listConsumerGroupOffsets + listOffsets latest: java/FerryctlLag.java),
# per partition and in total, before and after more records arrive.
#
# env: FERRY_BROKER, FERRYCTL, FERRY_COMPAT_CACHE (lib/clients.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
. "$here/lib/clients.sh"

ferry_require kcat "${FERRYCTL:?FERRYCTL is not set}"
compat_java_prepare
nsport=$(free_port)
ferry_start --standalone --namesrvListenPort="$nsport" \
    --listenPort="$(free_port)" --auto.create.topics.enable=true
K=127.0.0.1:$FERRY_PORT
NS=127.0.0.1:$nsport
W=$FERRY_WORK
T=lagtopic
G=laggroup

step 30 "ferryctl topic create" "$FERRYCTL" -n "$NS" topic create $T --queues 3
produce() { # produce PARTITION COUNT
    seq 1 "$2" | timeout 20 kcat -b "$K" -t $T -p "$1" -P || fail "kcat -p $1"
}
produce 0 5
produce 1 9
produce 2 4
step 120 "FerryctlLag commit" java "${JAVA_LOG_OPTS[@]}" -cp "$JAVA_CP" \
    FerryctlLag "$K" $T $G commit 2,9,0

compare() {
    STEP_OUT=$W/java.txt step 120 "FerryctlLag lag" java "${JAVA_LOG_OPTS[@]}" \
        -cp "$JAVA_CP" FerryctlLag "$K" $T $G lag
    STEP_OUT=$W/ctl.json step 30 "ferryctl group describe" \
        "$FERRYCTL" -n "$NS" --json group describe $G --topic $T
    python3 - "$W/java.txt" "$W/ctl.json" "$1" <<'PY' || fail "ferryctl and the Java AdminClient disagree"
import json, sys
java = {}
total = None
for line in open(sys.argv[1]):
    f = line.split()
    if f and f[0] == "total":
        total = int(f[1])
    elif len(f) == 4:
        java[int(f[0])] = tuple(int(x) for x in f[1:])
ctl = json.load(open(sys.argv[2]))
rows = {o["queue"]: o for o in ctl["offsets"] if o["topic"] == "lagtopic"}
assert set(rows) == set(java), (rows, java)
for p, (committed, end, lag) in java.items():
    o = rows[p]
    got = (-1 if o["committedOffset"] is None else o["committedOffset"],
           o["endOffset"], o["lag"] or 0)
    assert got == (committed, end, lag), f"partition {p}: java {(committed, end, lag)} ferryctl {got}"
assert ctl["totalLag"] == total, (ctl["totalLag"], total)
assert total == int(sys.argv[3]), f"total lag {total}, want {sys.argv[3]}"
print(f"agree: {java} total {total}")
PY
}
compare 7 # 3 + 0 + 4
produce 1 6
produce 2 1
compare 14 # 3 + 6 + 5
ferry_alive || fail "broker died during the test"
ferry_stop
say "PASS: ferryctl lag agrees with the Java AdminClient"
