#!/usr/bin/env python3
# rmq_txn_proto.py PHASE PORT STATE - transactional messages in hand-made
# remoting frames (no client library between us and the bytes):
#   before: a half message (SEND_MESSAGE_V2, TRAN_MSG=true) is stored but
#     the real queue's max offset stays 0; sending straight to the half
#     topic is NO_PERMISSION; END_TRANSACTION with a wrong group, a wrong
#     tranStateTableOffset, an offset that is no half message (inside one,
#     negative, past the log, a committed record), missing or non-numeric
#     fields, or commitOrRollback=5 is refused (SYSTEM_ERROR /
#     INVALID_PARAMETER) and changes nothing; a commit makes it visible
#     (max offset 1; pulled with sysFlag COMMIT and the half's position as
#     prepared offset); a second commit and a late rollback are ignored; a
#     rolled-back half stays invisible and a later commit of it is ignored;
#     a producer connection (HEART_BEAT producerDataSet) gets
#     CHECK_TRANSACTION_STATE for an unanswered half, with the header
#     fields and a body in the stored-record layout naming the real topic
#     and queue. One more half is left pending; STATE keeps the offsets.
#   after (the broker was restarted): a commit of the rolled-back one is
#     still ignored (the op log survived), the pending one commits; a half
#     sent with DELAY=1 stays invisible until committed and becomes visible
#     about 1 s after the commit, not at once.
import json
import os
import socket
import struct
import sys
import time

PHASE, PORT, STATE = sys.argv[1], int(sys.argv[2]), sys.argv[3]
FAILS = []
TOPIC = "TxnProto"
OPAQUE = [100]


def check(name, ok, detail=""):
    print("%s %-62s %s" % ("ok  " if ok else "FAIL", name, detail))
    if not ok:
        FAILS.append(name)


def frame(code, ext=None, body=b"", oneway=False):
    OPAQUE[0] += 1
    h = json.dumps({"code": code, "language": "JAVA", "version": 399,
                    "opaque": OPAQUE[0], "flag": 2 if oneway else 0,
                    "extFields": ext or {}}).encode()
    return struct.pack(">ii", 4 + len(h) + len(body), len(h)) + h + body


def read_frame(s):
    """-> (header dict, body bytes) or None when closed"""
    buf = b""
    while len(buf) < 4:
        d = s.recv(4 - len(buf))
        if not d:
            return None
        buf += d
    (n,) = struct.unpack(">i", buf)
    while len(buf) < 4 + n:
        d = s.recv(4 + n - len(buf))
        if not d:
            return None
        buf += d
    (hw,) = struct.unpack(">i", buf[4:8])
    hl = hw & 0xFFFFFF
    return json.loads(buf[8:8 + hl]), buf[8 + hl:]


def call(s, code, ext=None, body=b""):
    s.sendall(frame(code, ext, body))
    while True:
        h, b = read_frame(s)
        if h.get("flag", 0) & 1:
            return h, b


def props(d):
    return "".join("%s\x01%s\x02" % kv for kv in d.items())


def send_half(s, uniq, group="pg_proto", topic=TOPIC, more=None):
    p = {"TRAN_MSG": "true", "PGROUP": group, "UNIQ_KEY": uniq,
         "WAIT": "true", "TAGS": "T"}
    p.update(more or {})
    ext = {"a": group, "b": topic, "c": "TBW102", "d": "4", "e": "0",
           "f": "4", "g": str(int(time.time() * 1000)), "h": "0",
           "i": props(p),
           "j": "0", "k": "false", "m": "false"}
    h, _ = call(s, 310, ext, b"body-" + uniq.encode())
    e = h.get("extFields", {})
    if h["code"] != 0:
        return h["code"], None, None
    # offsetMsgId: ip(4) port(4) offset(8) in hex
    return 0, int(e["queueOffset"]), int(e["msgId"][16:], 16)


def end(s, tso, clo, cor, group="pg_proto", drop=None, extra=None):
    ext = {"producerGroup": group, "tranStateTableOffset": str(tso),
           "commitLogOffset": str(clo), "commitOrRollback": str(cor),
           "fromTransactionCheck": "false", "msgId": "X"}
    for k in drop or []:
        ext.pop(k, None)
    ext.update(extra or {})
    h, _ = call(s, 37, ext)
    return h["code"]


def max_offset(s, topic=TOPIC):
    h, _ = call(s, 30, {"topic": topic, "queueId": "0"})
    if h["code"] != 0:
        return -h["code"]
    return int(h["extFields"]["offset"])


s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
if PHASE == "before":
    code, tso, clo = send_half(s, "UNIQ0001")
    check("half message stored", code == 0, (code, tso, clo))
    check("real queue shows nothing", max_offset(s) == 0, max_offset(s))
    h, _ = call(s, 310, {"a": "x", "b": "RMQ_SYS_TRANS_HALF_TOPIC", "e": "0",
                         "g": "1", "i": ""}, b"x")
    check("send to the half topic is NO_PERMISSION", h["code"] == 16,
          h["code"])
    check("END with a wrong group refused", end(s, tso, clo, 8, "other") == 1)
    check("END with a wrong tranStateTableOffset refused",
          end(s, tso + 7, clo, 8) == 1)
    check("END at an offset with no half message refused",
          end(s, tso, 123456789, 8) == 1)
    check("END at an offset inside the half record refused",
          end(s, tso, clo + 1, 8) == 1)
    check("END at a negative offset refused", end(s, tso, -5, 8) == 1)
    check("END at an offset far past the log refused",
          end(s, tso, 1 << 62, 8) == 1)
    check("END without commitLogOffset refused",
          end(s, tso, clo, 8, drop=["commitLogOffset"]) == 29)
    check("END with a non-numeric offset refused",
          end(s, tso, clo, 8, extra={"commitLogOffset": "12x"}) == 29)
    check("END with commitOrRollback=5 refused", end(s, tso, clo, 5) == 29)
    check("END UNKNOW (0) accepted, nothing happens",
          end(s, tso, clo, 0) == 0)
    check("still nothing visible", max_offset(s) == 0)
    check("END commit accepted", end(s, tso, clo, 8) == 0)
    check("committed: max offset 1", max_offset(s) == 1, max_offset(s))
    # the committed message's own position is no half message
    hq, _ = call(s, 30, {"topic": TOPIC, "queueId": "0"})
    h, b = call(s, 11, {"consumerGroup": "g_proto", "topic": TOPIC,
                        "queueId": "0", "queueOffset": "0", "maxMsgNums": "1",
                        "sysFlag": "0", "commitOffset": "0",
                        "suspendTimeoutMillis": "0", "subscription": "*",
                        "subVersion": "0"})
    ok = h["code"] == 0 and len(b) >= 36
    if ok:
        (_t, _m, _c, _q, _f, _qo, cpos, sysflag) = struct.unpack(
            ">iiiiiqqi", b[:40])
        check("committed record: sysFlag COMMIT, prepared offset = half",
              sysflag & 0xC == 8 and
              struct.unpack(">q", b[76:84])[0] == clo, (sysflag, cpos))
        check("END at the committed record's position refused",
              end(s, 0, cpos, 8) == 1)
    check("pull of the committed message", ok, h["code"])
    check("a second commit is accepted", end(s, tso, clo, 8) == 0)
    check("and ignored: max offset still 1", max_offset(s) == 1)
    check("a late rollback is ignored", end(s, tso, clo, 12) == 0 and
          max_offset(s) == 1)
    code, tso2, clo2 = send_half(s, "UNIQ0002")
    check("rollback accepted", code == 0 and end(s, tso2, clo2, 12) == 0)
    check("a commit after the rollback is ignored",
          end(s, tso2, clo2, 8) == 0 and max_offset(s) == 1, max_offset(s))
    # a producer connection of group pg_chk gets a check-back
    p = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    hb = json.dumps({"clientID": "py@proto",
                     "producerDataSet": [{"groupName": "pg_chk"}],
                     "consumerDataSet": []}).encode()
    h, _ = call(p, 34, {}, hb)
    check("producer heartbeat", h["code"] == 0, h["code"])
    # sent on the producer connection: a transactional send's connection
    # is a producer of its group too
    code, tso3, clo3 = send_half(p, "UNIQ0003", group="pg_chk")
    got = None
    deadline = time.time() + 20
    while time.time() < deadline and got is None:
        r = read_frame(p)
        if r and r[0]["code"] == 39:
            got = r
    check("CHECK_TRANSACTION_STATE arrives", got is not None)
    if got:
        e = got[0]["extFields"]
        body = got[1]
        ctso, cclo = int(e["tranStateTableOffset"]), int(e["commitLogOffset"])
        check("check is one-way", got[0]["flag"] & 2 == 2, got[0]["flag"])
        check("check names the UNIQ_KEY",
              e.get("msgId") == "UNIQ0003" and
              e.get("transactionId") == "UNIQ0003", e)
        check("check names a newer half copy", ctso > tso3 and cclo > clo3,
              (ctso, cclo, tso3, clo3))
        check("offsetMsgId encodes commitLogOffset",
              int(e.get("offsetMsgId", "0" * 32)[16:], 16) == cclo)
        (tot, magic, _crc, qid, _flag, qoff, poff) = struct.unpack(
            ">iiiiiqq", body[:36])
        check("body: one stored record", tot == len(body) and
              magic in (-626843481, -626843477), (tot, len(body), magic))
        check("body: real queue id, the copy's offsets",
              qid == 0 and qoff == ctso and poff == cclo, (qid, qoff, poff))
        bl = struct.unpack(">i", body[84:88])[0]
        tl = body[88 + bl]
        topic = body[89 + bl:89 + bl + tl].decode()
        (pl,) = struct.unpack(">h", body[89 + bl + tl:91 + bl + tl])
        pr = body[91 + bl + tl:91 + bl + tl + pl].decode()
        check("body: topic is the real topic", topic == TOPIC, topic)
        check("body: properties carry PGROUP, TRAN_MSG, check count",
              "PGROUP\x01pg_chk" in pr and "TRAN_MSG\x01true" in pr and
              "TRANSACTION_CHECK_TIMES\x011" in pr, pr.replace("\x01", "=")
              .replace("\x02", " "))
        # answer as a client does, from the check: commit
        p.sendall(frame(37, {"producerGroup": "pg_chk",
                             "tranStateTableOffset": str(ctso),
                             "commitLogOffset": str(cclo),
                             "commitOrRollback": "8",
                             "fromTransactionCheck": "true",
                             "msgId": "UNIQ0003"}, oneway=True))
        time.sleep(0.5)
        check("commit from the check is visible", max_offset(s) == 2,
              max_offset(s))
    p.close()
    code, tso4, clo4 = send_half(s, "UNIQ0004")
    check("a half left pending", code == 0)
    json.dump({"rolled": [tso2, clo2], "pending": [tso4, clo4]},
              open(STATE, "w"))
else:
    st = json.load(open(STATE))
    check("after restart: nothing new visible", max_offset(s) == 2,
          max_offset(s))
    check("a commit of the rolled-back one is still ignored",
          end(s, *st["rolled"], 8) == 0 and max_offset(s) == 2)
    check("the pending one commits", end(s, *st["pending"], 8) == 0 and
          max_offset(s) == 3, max_offset(s))
    check("and only once", end(s, *st["pending"], 8) == 0 and
          max_offset(s) == 3)
    # a delay asked for at send time starts at the commit (level 1 = 1 s)
    code, tsod, clod = send_half(s, "UNIQDELAY", more={"DELAY": "1"})
    check("a delayed half is stored", code == 0, code)
    time.sleep(1.5)
    check("still invisible before its commit", max_offset(s) == 3,
          max_offset(s))
    committed_at = time.time()
    check("delayed half commits", end(s, tsod, clod, 8) == 0)
    check("not visible at once after the commit", max_offset(s) == 3,
          max_offset(s))
    while max_offset(s) == 3 and time.time() - committed_at < 10:
        time.sleep(0.05)
    waited = time.time() - committed_at
    check("visible about 1 s after the commit (%.2f s)" % waited,
          max_offset(s) == 4 and waited >= 0.9, (max_offset(s), waited))
s.close()
print("rmq txn proto %s: %d failed" % (PHASE, len(FAILS)))
sys.exit(1 if FAILS else 0)
