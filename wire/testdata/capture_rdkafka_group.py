#!/usr/bin/env python3
"""capture_rdkafka_group.py - record the group requests librdkafka sends.

A fake single broker on 127.0.0.1 (ephemeral port) answers ApiVersions
(v3 body, response header v0), Metadata v4 (one broker = itself, topic
"t" with one partition) and FindCoordinator (itself), so that a
high-level consumer (rdkafka_performance -C -G) goes on to JoinGroup.
The FindCoordinator and first JoinGroup frames (size prefix included) are
saved as rdk_<api>_v<ver>.bin.  Used once to make the golden files in
this directory; rerun to refresh them:
  capture_rdkafka_group.py /path/to/rdkafka_performance
"""
import socket, struct, subprocess, sys, threading

ADVERTISE = [(18, 0, 3), (3, 0, 4), (10, 0, 2), (11, 0, 5), (14, 0, 3),
             (12, 0, 3), (13, 0, 1), (8, 0, 7), (9, 0, 7), (1, 4, 11),
             (2, 0, 2), (0, 0, 7)]
saved = {}
done = threading.Event()

def s16(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b

def api_versions_v3():
    body = struct.pack(">h", 0) + bytes([len(ADVERTISE) + 1])
    for k, lo, hi in ADVERTISE:
        body += struct.pack(">hhh", k, lo, hi) + b"\x00"
    return body + struct.pack(">i", 0) + b"\x00"

def metadata_v4(port):
    body = struct.pack(">i", 0)                          # throttle
    body += struct.pack(">i", 1) + struct.pack(">i", 0) + s16("127.0.0.1")
    body += struct.pack(">i", port) + struct.pack(">h", -1)  # rack null
    body += s16("ferry-capture") + struct.pack(">i", 0)  # cluster, ctrl
    body += struct.pack(">i", 1) + struct.pack(">h", 0) + s16("t") + b"\x00"
    body += struct.pack(">i", 1)                         # partitions
    body += struct.pack(">hii", 0, 0, 0)
    body += struct.pack(">ii", 1, 0) + struct.pack(">ii", 1, 0)
    return body

def find_coordinator(ver, port):
    body = b""
    if ver >= 1:
        body += struct.pack(">i", 0)
    body += struct.pack(">h", 0)
    if ver >= 1:
        body += struct.pack(">h", -1)
    return body + struct.pack(">i", 0) + s16("127.0.0.1") + struct.pack(">i", port)

def recv_exact(c, n):
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d:
            raise EOFError
        b += d
    return b

def serve(c, port):
    try:
        while not done.is_set():
            hdr = recv_exact(c, 4)
            frame = hdr + recv_exact(c, struct.unpack(">i", hdr)[0])
            key, ver, corr = struct.unpack(">hhi", frame[4:12])
            if key == 18:
                body = api_versions_v3()
            elif key == 3:
                body = metadata_v4(port)
            elif key == 10:
                saved.setdefault("rdk_find_coordinator_v%d.bin" % ver, frame)
                body = find_coordinator(ver, port)
            elif key == 11:
                saved.setdefault("rdk_join_group_v%d.bin" % ver, frame)
                done.set()
                return
            else:
                continue                                 # leave it hanging
            msg = struct.pack(">i", corr) + body         # header v0
            c.sendall(struct.pack(">i", len(msg)) + msg)
    except Exception:
        pass
    finally:
        c.close()

def main():
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0)); ls.listen(8); ls.settimeout(1)
    port = ls.getsockname()[1]
    p = subprocess.Popen([sys.argv[1], "-C", "-G", "ferry-group", "-t", "t",
                          "-b", "127.0.0.1:%d" % port,
                          "-X", "client.id=ferry-golden"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(30):
        if done.is_set():
            break
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        c.settimeout(5)
        threading.Thread(target=serve, args=(c, port), daemon=True).start()
    p.kill(); p.wait()
    for fn, frame in sorted(saved.items()):
        open(fn, "wb").write(frame)
        print("saved", fn, len(frame))

main()
