#!/usr/bin/env python3
# rmq_garbage.py PORT - bad input on the broker's RocketMQ remoting port:
# each case gets an error code or a closed connection, the broker stays up
# and a well-behaved request on another connection still works.
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.argv_saved = sys.argv
PORT = int(sys.argv[1])
FAILS = []


def frame(code, opaque, ext=None, body=b""):
    import json
    h = json.dumps({"code": code, "language": "JAVA", "version": 399,
                    "opaque": opaque, "flag": 0,
                    "extFields": ext or {}}).encode()
    return struct.pack(">ii", 4 + len(h) + len(body), len(h)) + h + body


def conn():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    return s


def answer(s):
    """-> response code, or None if the connection closed"""
    buf = b""
    try:
        while len(buf) < 8:
            d = s.recv(65536)
            if not d:
                return None
            buf += d
        n, hw = struct.unpack(">ii", buf[:8])
        while len(buf) < 4 + n:
            d = s.recv(65536)
            if not d:
                return None
            buf += d
        import json
        return json.loads(buf[8:8 + (hw & 0xFFFFFF)]).get("code")
    except (socket.timeout, ConnectionResetError):
        return None


def case(name, data, want):
    """want: a set of acceptable codes; None in it = closing is fine"""
    s = conn()
    try:
        s.sendall(data)
    except OSError:
        pass
    got = answer(s)
    s.close()
    ok = got in want
    print("%s %-48s got %r" % ("ok  " if ok else "FAIL", name, got))
    if not ok:
        FAILS.append(name)
    healthy()


def healthy():
    s = conn()
    s.sendall(frame(30, 1, {"topic": "NoSuchTopic", "queueId": "0"}))
    got = answer(s)
    s.close()
    if got != 17:
        FAILS.append("health check after the case (got %r)" % got)
        print("FAIL health check: %r" % got)


random.seed(7)
case("random bytes", bytes(random.getrandbits(8) for _ in range(4096)),
     {None})
case("2 GiB frame length", struct.pack(">ii", 0x7fffffff, 20) + b"x" * 40,
     {None})
case("negative frame length", struct.pack(">ii", -5, 0), {None})
case("header length past the frame", struct.pack(">ii", 12, 500) + b"{}" * 4,
     {None})
case("garbage JSON header",
     struct.pack(">ii", 4 + 9, 9) + b'{"code":,', {None})
case("unknown request code", frame(7777, 2), {3})
case("huge extFields (200,000 entries)",
     frame(310, 11, {"k%d" % i: "v" for i in range(200000)}, b"x"),
     {None, 29, 1})
case("extFields value of 1 MiB",
     frame(310, 12, {"b": "T" * (1 << 20), "e": "0", "g": "1"}, b"x"),
     {None, 13, 29})
case("SEND without topic", frame(310, 3, {"e": "0", "g": "1"}, b"x"),
     {29, 13})
case("SEND with non-numeric queueId",
     frame(310, 4, {"b": "T", "e": "zero", "g": "1"}, b"x"), {29})
case("SEND to an invalid topic name",
     frame(310, 5, {"b": "bad topic!", "e": "0", "g": "1"}, b"x"), {13})
case("SEND with a huge queueId",
     frame(310, 6, {"b": "GarbageT", "e": "99999", "g": "1",
                    "d": "4"}, b"x"), {29})
case("PULL with missing fields", frame(11, 7, {"topic": "T"}), {29})
case("PULL of an unknown topic",
     frame(11, 8, {"consumerGroup": "g", "topic": "NoSuch", "queueId": "0",
                   "queueOffset": "0", "sysFlag": "0"}), {17})
case("HEART_BEAT with a garbage body", frame(34, 9, body=b"\x00{[nope"),
     {1, None})
case("UPDATE_CONSUMER_OFFSET without offset",
     frame(15, 10, {"consumerGroup": "g", "topic": "T", "queueId": "0"}),
     {29, 17})
print("rmq garbage: %d failed" % len(FAILS))
sys.exit(1 if FAILS else 0)
