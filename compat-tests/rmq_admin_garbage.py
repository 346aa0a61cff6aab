#!/usr/bin/env python3
# rmq_admin_garbage.py PORT TOPIC - bad input for the admin codes of the
# broker's RocketMQ face (rmq_admin.c): each case gets the expected error
# code (or a closed connection where said), and the broker keeps
# answering a well-behaved request on another connection.  TOPIC is an
# existing topic with messages.
import json
import socket
import struct
import sys

PORT = int(sys.argv[1])
TOPIC = sys.argv[2]
FAILS = []


def frame(code, opaque, ext=None, body=b""):
    h = json.dumps({"code": code, "language": "JAVA", "version": 399,
                    "opaque": opaque, "flag": 0,
                    "extFields": ext or {}}).encode()
    return struct.pack(">ii", 4 + len(h) + len(body), len(h)) + h + body


def answer(s):
    buf = b""
    try:
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
        return json.loads(buf[8:8 + hl]).get("code"), buf[8 + hl:4 + n]
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
got, body = call(frame(60001, 5))
if got != 0 or b"pendingList" not in body:
    FAILS.append("pending transactions: %r %r" % (got, body[:100]))
print("rmq admin garbage: %d failed" % len(FAILS))
for f in FAILS:
    print("  " + f)
sys.exit(1 if FAILS else 0)
