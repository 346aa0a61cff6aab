#!/usr/bin/env python3
# rmq_admin_garbage.py PORT TOPIC NSPORT - bad input for the admin codes of the
# broker's RocketMQ face (rmq_admin.c): each case gets the expected error
# code (or a closed connection where said), and the broker keeps
# answering a well-behaved request on another connection.  TOPIC is an
# existing topic with messages.  Last, a hand-made orderly member (a
# heartbeat and a queue lock) is listed with its locked queue as its
# assignment.
import json
import socket
import struct
import sys

PORT = int(sys.argv[1])
TOPIC = sys.argv[2]
NSPORT = int(sys.argv[3])
FAILS = []


def frame(code, opaque, ext=None, body=b""):
    h = json.dumps({"code": code, "language": "JAVA", "version": 399,
                    "opaque": opaque, "flag": 0,
                    "extFields": ext or {}}).encode()
    return struct.pack(">ii", 4 + len(h) + len(body), len(h)) + h + body


def answer(s):
    """-> (code, body) of the next response (the broker's own one-way
    requests, NOTIFY_CONSUMER_IDS_CHANGED, are skipped), or (None, b"")
    if the connection closed"""
    buf = b""
    try:
        while True:
            while len(buf) < 8:
                d = s.recv(65536)
                if not d:
                    return None, b""
                buf += d
            n, hw = struct.unpack(">ii", buf[:8])
            while len(buf) < 4 + n:
                d = s.recv(65536)
                if not d:
                    return None, b""
                buf += d
            hl = hw & 0xFFFFFF
            h = json.loads(buf[8:8 + hl])
            body, buf = buf[8 + hl:4 + n], buf[4 + n:]
            if h.get("flag", 0) & 1:
                return h.get("code"), body
    except (socket.timeout, ConnectionResetError):
        return None, b""


def call(data):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    try:
        s.sendall(data)
    except OSError:
        pass
    got = answer(s)
    s.close()
    return got


def case(name, code, ext, want, body=b""):
    got, _ = call(frame(code, 1, ext, body))
    ok = got in want
    print("%s %-58s got %r" % ("ok  " if ok else "FAIL", name, got))
    if not ok:
        FAILS.append(name)
    got, _ = call(frame(30, 2, {"topic": "NoSuchTopic", "queueId": "0"}))
    if got != 17:
        FAILS.append("health check after %s (got %r)" % (name, got))


case("TOPIC_STATS without topic", 202, {}, {17})
case("TOPIC_STATS of a 1 MiB topic name", 202, {"topic": "T" * (1 << 20)},
     {17, None})
case("CONSUME_STATS without group", 208, {}, {29})
case("CONSUME_STATS of an unknown group", 208, {"consumerGroup": "nope"},
     {26})
case("CONSUMER_CONNECTION_LIST without group", 203, {}, {29})
case("CONSUMER_CONNECTION_LIST of an unknown group", 203,
     {"consumerGroup": "nope"}, {206})
case("ALL_SUBSCRIPTIONGROUP with a garbage body", 201, {}, {0},
     b"\x00{[garbage")
case("DELETE_TOPIC without topic", 215, {}, {29})
case("DELETE_TOPIC of TBW102", 215, {"topic": "TBW102"}, {16})
case("DELETE_TOPIC of an unknown topic", 215, {"topic": "nope"}, {17})
case("DELETE_SUBSCRIPTIONGROUP without name", 207, {}, {29})
case("DELETE_SUBSCRIPTIONGROUP of an unknown group", 207,
     {"groupName": "nope"}, {26})
case("DLQ_RESEND without offset", 30002, {}, {29})
case("DLQ_RESEND of a non-numeric offset", 30002, {"offset": "x"}, {29})
case("DLQ_RESEND past the CommitLog", 30002, {"offset": str(1 << 50)}, {22})
case("DLQ_RESEND of a message that is no dead letter", 30002,
     {"offset": "0"}, {29})
case("RESET without anything", 222, {}, {29})
case("RESET with a non-numeric timestamp", 222,
     {"group": "gg", "topic": TOPIC, "timestamp": "abc"}, {29})
case("RESET with an unknown ferryTo", 222,
     {"group": "gg", "topic": TOPIC, "timestamp": "0", "ferryTo": "soon"},
     {29})
case("RESET ferryTo=offset without offset", 222,
     {"group": "gg", "topic": TOPIC, "timestamp": "0", "ferryTo": "offset"},
     {29})
case("RESET ferryTo=offset with a negative offset", 222,
     {"group": "gg", "topic": TOPIC, "timestamp": "0", "ferryTo": "offset",
      "offset": "-5"}, {29})
case("RESET of queue 99999", 222,
     {"group": "gg", "topic": TOPIC, "timestamp": "0", "queueId": "99999"},
     {29})
case("RESET of an unknown topic", 222,
     {"group": "gg", "topic": "nope", "timestamp": "0"}, {17})
# a huge offset is clamped to the end, and a dry run commits nothing
got, body = call(frame(222, 3, {"group": "gg", "topic": TOPIC,
                                "timestamp": "0", "ferryTo": "offset",
                                "offset": str(1 << 62),
                                "ferryDryRun": "true"}))
if got != 0 or b"4611686018427387904" in body:
    FAILS.append("RESET to 2^62 (dry run): got %r %r" % (got, body[:200]))
got, _ = call(frame(208, 4, {"consumerGroup": "gg"}))
if got != 26:
    FAILS.append("a dry run created group gg (consume stats %r)" % got)
got, body = call(frame(30001, 5))
if got != 0 or b"pendingList" not in body:
    FAILS.append("pending transactions: %r %r" % (got, body[:100]))
# an orderly member's locked queues are its known assignment
s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
hb = {"clientID": "127.0.0.1@orderly#1", "producerDataSet": [],
      "consumerDataSet": [{"groupName": "og", "consumeType":
                           "CONSUME_PASSIVELY", "messageModel": "CLUSTERING",
                           "consumeFromWhere": "CONSUME_FROM_LAST_OFFSET",
                           "unitMode": False, "subscriptionDataSet": [
                               {"topic": TOPIC, "subString": "*"}]}]}
s.sendall(frame(34, 6, {}, json.dumps(hb).encode()))
got, _ = answer(s)
lock = {"consumerGroup": "og", "clientId": "127.0.0.1@orderly#1",
        "onlyThisBroker": False,
        "mqSet": [{"topic": TOPIC, "brokerName": "broker-a", "queueId": 0}]}
s.sendall(frame(41, 7, {}, json.dumps(lock).encode()))
got2, body = answer(s)
if got != 0 or got2 != 0 or b'"queueId":0' not in body:
    FAILS.append("heartbeat / lock: %r %r %r" % (got, got2, body[:200]))
got, body = call(frame(203, 8, {"consumerGroup": "og"}))
text = body.decode("utf-8", "replace")
if got != 0 or '"ferryAssigned":[{"brokerName":"broker-a","queueId":0,' \
        '"topic":"%s"}]' % TOPIC not in text or '"ferryProtocol":"rocketmq"' \
        not in text:
    FAILS.append("an orderly member's locked queue as its assignment: %r %s"
                 % (got, text[:400]))
else:
    print("ok   orderly member: its locked queue is its assignment")
s.close()
# DELETE_TOPIC_IN_BROKER alone takes the topic out of the (embedded)
# name server too
got, _ = call(frame(17, 9, {"topic": "ScratchT", "defaultTopic": "TBW102",
                            "readQueueNums": "2", "writeQueueNums": "2",
                            "perm": "6", "topicFilterType": "SINGLE_TAG"}))


def ns_route(topic):
    s = socket.create_connection(("127.0.0.1", NSPORT), timeout=10)
    s.sendall(frame(105, 10, {"topic": topic}))
    got = answer(s)[0]
    s.close()
    return got


r1 = ns_route("ScratchT")
got2, _ = call(frame(215, 11, {"topic": "ScratchT"}))
r2 = ns_route("ScratchT")
if (got, r1, got2, r2) != (0, 0, 0, 17):
    FAILS.append("create, route, DELETE_TOPIC_IN_BROKER, route: %r"
                 % ((got, r1, got2, r2),))
else:
    print("ok   DELETE_TOPIC_IN_BROKER removes the route at the name server")
print("rmq admin garbage: %d failed" % len(FAILS))
for f in FAILS:
    print("  " + f)
sys.exit(1 if FAILS else 0)
