#!/usr/bin/env python3
"""Capture golden remoting frames from the real RocketMQ Java client.

A fake name server on 127.0.0.1 records every request frame a
DefaultMQProducer (rocketmq-client 4.9.8, CaptureRmqProducer.java) sends
while starting and attempting one send, answers each with TOPIC_NOT_EXIST,
and saves the first GET_ROUTEINFO_BY_TOPIC frame for topic TopicTest:

  rmq_java_get_route_json.bin      default serialization (JSON header)
  rmq_java_get_route_rocketmq.bin  -Drocketmq.serialize.type=ROCKETMQ

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


def serve(sock, frames, stop):
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
                _code, opaque, _topic = header_of(frame)
                h = json.dumps({"code": 17, "flag": 1, "language": "JAVA",
                                "opaque": opaque, "remark": "no route",
                                "version": 479},
                               separators=(",", ":")).encode()
                conn.sendall(struct.pack(">ii", 4 + len(h), len(h)) + h)

    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            conn, _ = sock.accept()
        except socket.timeout:
            continue
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def capture(cp, classes, stype, out):
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    port = sock.getsockname()[1]
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


def main():
    cp = sys.argv[1]
    if os.path.isfile(cp):
        cp = open(cp).read().strip()
    classes = tempfile.mkdtemp(prefix="rmq-capture-")
    subprocess.run(["javac", "-d", classes, "-cp", cp,
                    os.path.join(HERE, "CaptureRmqProducer.java")], check=True)
    capture(cp, classes, None, "rmq_java_get_route_json.bin")
    capture(cp, classes, "ROCKETMQ", "rmq_java_get_route_rocketmq.bin")


if __name__ == "__main__":
    main()
