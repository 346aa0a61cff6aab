#!/usr/bin/env python3
"""Capture golden remoting frames from the real RocketMQ Java client.

A fake name server on 127.0.0.1 records every request frame a
DefaultMQProducer (rocketmq-client 4.9.8, CaptureRmqProducer.java) sends
while starting and attempting one send, answers each with TOPIC_NOT_EXIST,
and saves the first GET_ROUTEINFO_BY_TOPIC frame for topic TopicTest:

  rmq_java_get_route_json.bin      default serialization (JSON header)
  rmq_java_get_route_rocketmq.bin  -Drocketmq.serialize.type=ROCKETMQ

A second run answers the route with a fake broker on 127.0.0.1 and saves
the SEND_MESSAGE_V2 frame the producer sends to it (tag TagA, key k1,
body "hello"; UNIQ_KEY and bornTimestamp are whatever the client made):

  rmq_java_send_v2_json.bin

Usage: capture_rocketmq.py CLASSPATH   (rocketmq-client 4.9.8 and its
dependencies, e.g. the classpath file compat-tests/lib/clients.sh caches)
Needs java and javac (17).  Run by hand; the .bin files are committed.
"""
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))


def read_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def header_of(frame):
    word = struct.unpack(">i", frame[4:8])[0]
    stype, hlen = (word >> 24) & 0xFF, word & 0xFFFFFF
    hdr = frame[8:8 + hlen]
    if stype == 0:
        h = json.loads(hdr)
        return h["code"], h["opaque"], (h.get("extFields") or {}).get("topic")
    code, _lang, _ver, opaque, _flag, rlen = struct.unpack(">hbhiii", hdr[:17])
    off = 17 + rlen + 4
    ext = {}
    while off < len(hdr):
        kl = struct.unpack(">h", hdr[off:off + 2])[0]
        k = hdr[off + 2:off + 2 + kl].decode()
        off += 2 + kl
        vl = struct.unpack(">i", hdr[off:off + 4])[0]
        ext[k] = hdr[off + 4:off + 4 + vl].decode()
        off += 4 + vl
    return code, opaque, ext.get("topic")


def reply(code, opaque, ext=None, body=b""):
    h = {"code": code, "flag": 1, "language": "JAVA", "opaque": opaque,
         "version": 479}
    if ext is not None:
        h["extFields"] = ext
    h = json.dumps(h, separators=(",", ":")).encode()
    return struct.pack(">ii", 4 + len(h) + len(body), len(h)) + h + body


def not_found(frame):
    _code, opaque, _topic = header_of(frame)
    return reply(17, opaque)


def serve(sock, frames, stop, answer=not_found):
    def handle(conn):
        with conn:
            while not stop.is_set():
                pre = read_exact(conn, 4)
                if pre is None:
                    return
                n = struct.unpack(">i", pre)[0]
                rest = read_exact(conn, n)
                if rest is None:
                    return
                frame = pre + rest
                frames.append(frame)
                conn.sendall(answer(frame))

    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            conn, _ = sock.accept()
        except socket.timeout:
            continue
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def capture(cp, classes, stype, out):
    sock, port = listener()
    frames, stop = [], threading.Event()
    t = threading.Thread(target=serve, args=(sock, frames, stop), daemon=True)
    t.start()
    props = ["-Drocketmq.client.logUseSlf4j=false"]
    if stype:
        props.append("-Drocketmq.serialize.type=" + stype)
    subprocess.run(["java"] + props + ["-cp", classes + ":" + cp,
                    "CaptureRmqProducer", "127.0.0.1:%d" % port],
                   check=True, timeout=60)
    stop.set()
    t.join()
    sock.close()
    for f in frames:
        code, _opaque, topic = header_of(f)
        if code == 105 and topic == "TopicTest":
            with open(os.path.join(HERE, out), "wb") as fh:
                fh.write(f)
            print("saved", out, len(f), "bytes")
            return
    sys.exit("no GET_ROUTEINFO_BY_TOPIC for TopicTest among %d frames"
             % len(frames))


def listener():
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    return sock, sock.getsockname()[1]


def capture_send(cp, classes, out):
    bsock, bport = listener()
    nsock, nport = listener()
    route = json.dumps({
        "brokerDatas": [{"brokerAddrs": {"0": "127.0.0.1:%d" % bport},
                         "brokerName": "broker-a", "cluster": "c"}],
        "filterServerTable": {},
        "queueDatas": [{"brokerName": "broker-a", "perm": 6,
                        "readQueueNums": 1, "topicSysFlag": 0,
                        "writeQueueNums": 1}]},
        separators=(",", ":")).encode()

    def ns_answer(frame):
        code, opaque, topic = header_of(frame)
        if code == 105 and topic == "TopicTest":
            return reply(0, opaque, None, route)
        return reply(17, opaque)

    def broker_answer(frame):
        code, opaque, _topic = header_of(frame)
        if code in (10, 310):
            return reply(0, opaque, {
                "msgId": "7F00000100002A9F0000000000000000",
                "queueId": "0", "queueOffset": "0",
                "MSG_REGION": "DefaultRegion", "TRACE_ON": "true"})
        return reply(0, opaque, {})

    nframes, bframes, stop = [], [], threading.Event()
    threads = [threading.Thread(target=serve, daemon=True,
                                args=(nsock, nframes, stop, ns_answer)),
               threading.Thread(target=serve, daemon=True,
                                args=(bsock, bframes, stop, broker_answer))]
    for t in threads:
        t.start()
    res = subprocess.run(["java", "-Drocketmq.client.logUseSlf4j=false",
                          "-cp", classes + ":" + cp, "CaptureRmqProducer",
                          "127.0.0.1:%d" % nport],
                         check=True, timeout=60, capture_output=True,
                         text=True)
    stop.set()
    for t in threads:
        t.join()
    nsock.close()
    bsock.close()
    if "send failed" in res.stdout:
        sys.exit("the send failed:\n" + res.stdout + res.stderr)
    for f in bframes:
        if header_of(f)[0] == 310:
            with open(os.path.join(HERE, out), "wb") as fh:
                fh.write(f)
            print("saved", out, len(f), "bytes")
            return
    sys.exit("no SEND_MESSAGE_V2 among %d broker frames" % len(bframes))


def main():
    cp = sys.argv[1]
    if os.path.isfile(cp):
        cp = open(cp).read().strip()
    classes = tempfile.mkdtemp(prefix="rmq-capture-")
    subprocess.run(["javac", "-d", classes, "-cp", cp,
                    os.path.join(HERE, "CaptureRmqProducer.java")], check=True)
    capture(cp, classes, None, "rmq_java_get_route_json.bin")
    capture(cp, classes, "ROCKETMQ", "rmq_java_get_route_rocketmq.bin")
    capture_send(cp, classes, "rmq_java_send_v2_json.bin")


if __name__ == "__main__":
    main()
