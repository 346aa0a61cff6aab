#!/usr/bin/env python3
# namesrv_proto.py - ferry-namesrv over the remoting protocol, with frames
# made by hand (JSON and ROCKETMQ binary headers, ref rocketmq-remoting.md
# §1): a broker registers topics, routes come back as strict JSON, unknown
# codes and topics get their RocketMQ codes, oneway requests get no answer,
# a garbage frame closes only its own connection, and closing the
# registering connection removes the broker's routes at once.
import json
import socket
import struct
import sys
import time

PORT = int(sys.argv[1])
FAILS = []


def check(what, cond, detail=""):
    print("%s %-55s %s" % ("ok  " if cond else "FAIL", what, detail))
    if not cond:
        FAILS.append(what)


def frame_json(code, opaque, ext=None, body=b"", flag=0, remark=None):
    h = {"code": code, "language": "JAVA", "version": 399, "opaque": opaque,
         "flag": flag, "extFields": ext or {}}
    if remark is not None:
        h["remark"] = remark
    hb = json.dumps(h).encode()
    return struct.pack(">ii", 4 + len(hb) + len(body), len(hb)) + hb + body


def frame_bin(code, opaque, ext, body=b""):
    ext_b = b"".join(struct.pack(">h", len(k)) + k.encode()
                     + struct.pack(">i", len(v)) + v.encode()
                     for k, v in ext.items())
    hb = (struct.pack(">hbhii", code, 0, 399, opaque, 0)
          + struct.pack(">i", 0) + struct.pack(">i", len(ext_b)) + ext_b)
    return (struct.pack(">ii", 4 + len(hb) + len(body), (1 << 24) | len(hb))
            + hb + body)


class Conn:
    def __init__(self):
        self.s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
        self.buf = b""

    def call(self, data, expect_reply=True):
        self.s.sendall(data)
        if not expect_reply:
            return None
        while True:
            if len(self.buf) >= 8:
                n, hw = struct.unpack(">ii", self.buf[:8])
                if len(self.buf) >= 4 + n:
                    fr, self.buf = self.buf[:4 + n], self.buf[4 + n:]
                    st, hl = hw >> 24, hw & 0xFFFFFF
                    hdr = fr[8:8 + hl]
                    body = fr[8 + hl:]
                    if st == 0:
                        return json.loads(hdr), body
                    code, lang, ver, opq, flag = struct.unpack(
                        ">hbhii", hdr[:13])
                    return {"code": code, "opaque": opq, "flag": flag,
                            "binary": True}, body
            d = self.s.recv(65536)
            if not d:
                raise EOFError("closed")
            self.buf += d

    def closed_within(self, secs):
        self.s.settimeout(secs)
        try:
            return self.s.recv(1) == b""
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True


register_body = json.dumps({
    "filterServerList": [],
    "topicConfigSerializeWrapper": {
        "dataVersion": {"counter": 1, "stateVersion": 0,
                        "timestamp": 1700000000000},
        "topicConfigTable": {
            "TopicTest": {"order": False, "perm": 6, "readQueueNums": 4,
                          "topicFilterType": "SINGLE_TAG",
                          "topicName": "TopicTest", "topicSysFlag": 0,
                          "writeQueueNums": 4}}}}).encode()
# names of our own, so the test also holds against the name server
# embedded in ferry-broker --standalone (which registers broker-a itself)
ext = {"brokerName": "py-broker", "brokerAddr": "127.0.0.1:10999",
       "clusterName": "PyCluster", "haServerAddr": "127.0.0.1:10912",
       "brokerId": "0", "compressed": "false", "bodyCrc32": "0"}

broker = Conn()
h, body = broker.call(frame_json(103, 1, ext, register_body))
check("REGISTER_BROKER answers SUCCESS", h.get("code") == 0, h)
check("response copies the opaque and sets the response flag",
      h.get("opaque") == 1 and h.get("flag", 0) & 1 == 1, h)
check("response has masterAddr/haServerAddr",
      "masterAddr" in h.get("extFields", {}), h.get("extFields"))

client = Conn()
h, body = client.call(frame_json(105, 2, {"topic": "TopicTest"}))
check("GET_ROUTEINFO_BY_TOPIC answers SUCCESS", h.get("code") == 0, h)
route = json.loads(body) if body else {}
check("route names py-broker with id 0 at its address",
      route.get("brokerDatas", [{}])[0].get("brokerAddrs")
      == {"0": "127.0.0.1:10999"}, route)
check("route has 4 read and write queues, perm 6",
      route.get("queueDatas", [{}])[0].get("readQueueNums") == 4
      and route["queueDatas"][0].get("writeQueueNums") == 4
      and route["queueDatas"][0].get("perm") == 6, route)
check("route JSON is compact", b" " not in body, body[:80])

h, body = client.call(frame_bin(105, 3, {"topic": "TopicTest"}))
check("binary (ROCKETMQ) header request answered in binary",
      h.get("binary") and h.get("code") == 0 and h.get("opaque") == 3, h)

h, _ = client.call(frame_json(105, 4, {"topic": "NoSuchTopic"}))
check("unknown topic gets TOPIC_NOT_EXIST (17)",
      h.get("code") == 17 and "NoSuchTopic" in h.get("remark", ""), h)
h, _ = client.call(frame_json(9999, 5))
check("unknown request code gets REQUEST_CODE_NOT_SUPPORTED (3)",
      h.get("code") == 3, h)
h, body = client.call(frame_json(106, 6))
info = json.loads(body)
check("GET_BROKER_CLUSTER_INFO lists the cluster",
      info.get("clusterAddrTable", {}).get("PyCluster") == ["py-broker"],
      info)
h, body = client.call(frame_json(206, 7))
check("GET_ALL_TOPIC_LIST_FROM_NAMESERVER",
      "TopicTest" in json.loads(body).get("topicList", []), body)
client.call(frame_json(100, 8, {"namespace": "ns", "key": "k",
                                "value": "v"}))
h, _ = client.call(frame_json(101, 9, {"namespace": "ns", "key": "k"}))
check("KV config put then get", h.get("extFields", {}).get("value") == "v",
      h)
# oneway: no answer, then a normal call still pairs with its own opaque
client.call(frame_json(34, 10, flag=2), expect_reply=False)
h, _ = client.call(frame_json(105, 11, {"topic": "TopicTest"}))
check("oneway request got no answer", h.get("opaque") == 11, h)

bad = Conn()
bad.s.sendall(struct.pack(">ii", 20, (7 << 24) | 4) + b"x" * 16)
check("unknown serialize type closes that connection",
      bad.closed_within(3))
bad = Conn()
bad.s.sendall(struct.pack(">ii", 0x7fffffff, 10))
check("a 2 GiB frame length closes that connection", bad.closed_within(3))
bad = Conn()
bad.s.sendall(frame_json(105, 1)[:8] + b"{not json" + b" " * 200)
bad.s.sendall(struct.pack(">ii", 14, 10) + b"{\"code\":1,,}")
check("garbage JSON header closes that connection", bad.closed_within(3))
h, _ = client.call(frame_json(105, 12, {"topic": "TopicTest"}))
check("other clients keep working", h.get("code") == 0, h)

broker.s.close()
time.sleep(0.5)
h, _ = client.call(frame_json(105, 13, {"topic": "TopicTest"}))
check("closing the broker's connection removes its routes",
      h.get("code") == 17, h)

print("namesrv: %d failed" % len(FAILS))
sys.exit(1 if FAILS else 0)
