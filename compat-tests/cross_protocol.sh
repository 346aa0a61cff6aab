#!/usr/bin/env bash
# One store, two protocols (java/Cross.java, kcat):
#   1. the RocketMQ Java client sends 1,000 messages (tag TagX, key k-i,
#      property color=blue) to a one-queue topic; kcat reads every one at
#      offsets 0..999, the offset the RocketMQ send result gave, with TAGS,
#      KEYS and color as headers;
#   2. kcat produces 1,000 messages to another topic; the Java push
#      consumer gets all 1,000 at the offsets kcat reports;
#   3. kcat produces 40 more, half with header TAGS=TagK; a RocketMQ lite
#      pull consumer with expression "TagK" gets exactly those 20
#      (broker-side tag filtering on Kafka-produced records).
# env: FERRY_BROKER, FERRY_COMPAT_CACHE (lib/clients.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
. "$here/lib/clients.sh"
ferry_require kcat
compat_java_prepare
nsport=$(free_port)
ferry_start --standalone --namesrvListenPort="$nsport" \
    --listenPort="$(free_port)" --auto.create.topics.enable=true \
    --num.partitions=2
ns=127.0.0.1:$nsport
kb=127.0.0.1:$FERRY_PORT
java_run() {
    timeout 120 java "${JAVA_LOG_OPTS[@]}" -Drocketmq.client.logUseSlf4j=true \
        -cp "$JAVA_CP" Cross "$@"
}

# 1. RocketMQ -> Kafka
java_run send "$ns" CrossR 1000 >"$FERRY_WORK/rmq_sent.txt" || fail "RocketMQ send"
timeout 30 kcat -b "$kb" -t CrossR -C -e -q \
    -f '%p %o %s|%h\n' >"$FERRY_WORK/kafka_read.txt" || fail "kcat read"
python3 - "$FERRY_WORK/rmq_sent.txt" "$FERRY_WORK/kafka_read.txt" <<'PY' || fail "RocketMQ -> Kafka"
import sys
sent = {}
for line in open(sys.argv[1]):
    q, o, body = line.split()
    sent[body] = (int(q), int(o))
read = {}
for line in open(sys.argv[2]):
    head, hdrs = line.rstrip("\n").split("|", 1)
    p, o, body = head.split(" ", 2)
    read[body] = (int(p), int(o), hdrs)
bad = []
for body, (q, o) in sent.items():
    if body not in read:
        bad.append("missing " + body); continue
    p, ko, hdrs = read[body]
    i = body.split("-")[1]
    if (p, ko) != (q, o):
        bad.append("%s at %d/%d, sent to %d/%d" % (body, p, ko, q, o))
    for want in ("TAGS=TagX", "KEYS=k-" + i, "color=blue"):
        if want not in hdrs.split(","):
            bad.append("%s lacks header %s (has %s)" % (body, want, hdrs))
offs = sorted(o for (_, o, _) in read.values())
if offs != list(range(1000)):
    bad.append("Kafka offsets are not 0..999")
print("RocketMQ->Kafka: %d sent, %d read, %d problems" % (len(sent), len(read), len(bad)))
for b in bad[:10]:
    print("  " + b)
sys.exit(1 if bad or len(sent) != 1000 or len(read) != 1000 else 0)
PY

# 2. Kafka -> RocketMQ push consumer, 1,000 messages
python3 -c '
for i in range(1000):
    print("pk-%d:push-%d" % (i, i))' |
    timeout 60 kcat -b "$kb" -t CrossP -P -K: || fail "kcat produce"
timeout 30 kcat -b "$kb" -t CrossP -C -e -q -f '%p %o %s\n' \
    >"$FERRY_WORK/kafka_p.txt" || fail "kcat read"
java_run push "$ns" CrossP 1000 '*' >"$FERRY_WORK/rmq_push.txt" ||
    fail "RocketMQ push consumer"
python3 - "$FERRY_WORK/kafka_p.txt" "$FERRY_WORK/rmq_push.txt" <<'PY' || fail "Kafka -> RocketMQ push"
import sys
where = {}
for line in open(sys.argv[1]):
    p, o, body = line.split()
    where[body] = (int(p), int(o))
got, bad = {}, []
for line in open(sys.argv[2]):
    q, o, body, tags, keys = line.split()
    got[body] = got.get(body, 0) + 1
    if where.get(body) != (int(q), int(o)):
        bad.append("%s at %s/%s, Kafka says %r" % (body, q, o, where.get(body)))
    if keys != "pk-" + body.split("-")[1]:
        bad.append("%s keys %s" % (body, keys))
if set(got) != set(where) or any(v != 1 for v in got.values()):
    bad.append("push consumer got %d distinct of %d" % (len(got), len(where)))
print("Kafka->RocketMQ push: %d read, %d problems" % (len(got), len(bad)))
for b in bad[:10]:
    print("  " + b)
sys.exit(1 if bad or len(where) != 1000 else 0)
PY

# 3. Kafka -> RocketMQ, tag-filtered on the broker
python3 -c '
for i in range(40):
    print("kk-%d:kafka-%d" % (i, i))' >"$FERRY_WORK/kin.txt"
head -n 20 "$FERRY_WORK/kin.txt" |
    timeout 30 kcat -b "$kb" -t CrossK -P -K: -H TAGS=TagK || fail "kcat produce"
tail -n 20 "$FERRY_WORK/kin.txt" |
    timeout 30 kcat -b "$kb" -t CrossK -P -K: -H TAGS=Other || fail "kcat produce"
timeout 30 kcat -b "$kb" -t CrossK -C -e -q -f '%p %o %s\n' \
    >"$FERRY_WORK/kafka_all.txt" || fail "kcat read"
java_run pull "$ns" CrossK 20 TagK >"$FERRY_WORK/rmq_read.txt" || fail "RocketMQ pull"
python3 - "$FERRY_WORK/kafka_all.txt" "$FERRY_WORK/rmq_read.txt" <<'PY' || fail "Kafka -> RocketMQ"
import sys
where = {}
for line in open(sys.argv[1]):
    p, o, body = line.split()
    where[body] = (int(p), int(o))
got = {}
bad = []
for line in open(sys.argv[2]):
    q, o, body, tags, keys = line.split()
    got[body] = (int(q), int(o))
    i = int(body.split("-")[1])
    if i >= 20:
        bad.append("%s should have been filtered out (tags %s)" % (body, tags))
    if tags != "TagK" or keys != "kk-%d" % i:
        bad.append("%s tags %s keys %s" % (body, tags, keys))
    if where.get(body) != (int(q), int(o)):
        bad.append("%s at %s/%s, Kafka says %r" % (body, q, o, where.get(body)))
want = {"kafka-%d" % i for i in range(20)}
if set(got) != want:
    bad.append("got %d of the 20 TagK messages" % len(want & set(got)))
print("Kafka->RocketMQ: %d read, %d problems" % (len(got), len(bad)))
for b in bad[:10]:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
ferry_stop
say "PASS: messages cross between the Kafka and RocketMQ faces at the same offsets"
