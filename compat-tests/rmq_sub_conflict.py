#!/usr/bin/env python3
# rmq_sub_conflict.py PORT GROUP TOPIC [HOLD_DIR] - two members of one
# consumer group heartbeat the same topic with different tag expressions
# (RocketMQ's known trap: the broker keeps one expression per group).
# Both heartbeats must be accepted; the shell side then checks the broker
# log and ferryctl for the warning.  A third member with the first
# member's expression in another group must not count as a conflict.
# With HOLD_DIR the connections (so the members) stay open: the script
# writes HOLD_DIR/ready and waits (at most 60 s) for HOLD_DIR/done.
import json
import socket
import struct
import sys

PORT = int(sys.argv[1])
GROUP = sys.argv[2]
TOPIC = sys.argv[3]


def frame(code, opaque, ext=None, body=b""):
    h = json.dumps({"code": code, "language": "JAVA", "version": 399,
                    "opaque": opaque, "flag": 0,
                    "extFields": ext or {}}).encode()
    return struct.pack(">ii", 4 + len(h) + len(body), len(h)) + h + body


def answer(s):
    """The code of the next response; broker requests (such as
    NOTIFY_CONSUMER_IDS_CHANGED) on the way are skipped."""
    buf = b""
    while True:
        while len(buf) < 8:
            d = s.recv(65536)
            if not d:
                raise SystemExit("connection closed")
            buf += d
        n, hw = struct.unpack(">ii", buf[:8])
        while len(buf) < 4 + n:
            d = s.recv(65536)
            if not d:
                raise SystemExit("connection closed")
            buf += d
        h = json.loads(buf[8:8 + (hw & 0xFFFFFF)])
        buf = buf[4 + n:]
        if h.get("flag", 0) & 1:
            return h["code"]


def heartbeat(s, cid, group, expr, opaque):
    body = {"clientID": cid, "producerDataSet": [],
            "consumerDataSet": [{
                "groupName": group, "consumeType": "CONSUME_PASSIVELY",
                "messageModel": "CLUSTERING",
                "consumeFromWhere": "CONSUME_FROM_LAST_OFFSET",
                "unitMode": False,
                "subscriptionDataSet": [{
                    "classFilterMode": False, "topic": TOPIC,
                    "subString": expr,
                    "tagsSet": [t.strip() for t in expr.split("||")],
                    "codeSet": [], "subVersion": 1,
                    "expressionType": "TAG"}]}]}
    s.sendall(frame(34, opaque, {}, json.dumps(body).encode()))
    code = answer(s)
    if code != 0:
        raise SystemExit("heartbeat of %s answered %s" % (cid, code))


HOLD = sys.argv[4] if len(sys.argv) > 4 else None
conns = [socket.create_connection(("127.0.0.1", PORT), timeout=5)
         for _ in range(3)]
heartbeat(conns[0], "10.0.0.1@a", GROUP, "TagA", 1)
heartbeat(conns[2], "10.0.0.3@c", GROUP + "_other", "TagB", 3)
heartbeat(conns[1], "10.0.0.2@b", GROUP, "TagA || TagB", 2)
if HOLD:
    import os
    import time
    open(os.path.join(HOLD, "ready"), "w").close()
    deadline = time.time() + 60
    while not os.path.exists(os.path.join(HOLD, "done")) and \
            time.time() < deadline:
        time.sleep(0.1)
for s in conns:
    s.close()
print("three heartbeats accepted")
