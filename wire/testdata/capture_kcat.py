#!/usr/bin/env python3
"""capture_kcat.py - record the first Kafka request frames kcat sends.

Listens on 127.0.0.1 (ephemeral port), runs `kcat -L` against it, answers
the ApiVersions request with a minimal hand-built v3 response so kcat goes
on to send Metadata, and saves each received frame (size prefix included)
as kcat_<n>_<api>_v<ver>.bin.  Used once to make the golden files in this
directory; rerun to refresh them (kcat must be installed).
"""
import socket, struct, subprocess, sys, threading

def api_versions_v3_response(corr):
    keys = [(18, 0, 3), (3, 0, 4), (0, 0, 7), (1, 4, 11), (2, 0, 2)]
    body = struct.pack(">h", 0) + bytes([len(keys) + 1])
    for k, lo, hi in keys:
        body += struct.pack(">hhh", k, lo, hi) + b"\x00"
    body += struct.pack(">i", 0) + b"\x00"
    msg = struct.pack(">i", corr) + body          # response header v0
    return struct.pack(">i", len(msg)) + msg

def recv_exact(c, n):
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d:
            raise EOFError
        b += d
    return b

def main():
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0)); ls.listen(1); ls.settimeout(10)
    port = ls.getsockname()[1]
    p = subprocess.Popen(["kcat", "-b", "127.0.0.1:%d" % port, "-L", "-m", "3",
                          "-X", "client.id=ferry-golden", "-X", "socket.timeout.ms=3000",
                          "-X", "api.version.request=true"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    c, _ = ls.accept(); c.settimeout(5)
    n = 0
    try:
        while n < 2:
            hdr = recv_exact(c, 4)
            size = struct.unpack(">i", hdr)[0]
            frame = hdr + recv_exact(c, size)
            key, ver, corr = struct.unpack(">hhi", frame[4:12])
            name = {18: "api_versions", 3: "metadata"}.get(key, "api%d" % key)
            fn = "kcat_%d_%s_v%d.bin" % (n, name, ver)
            open(fn, "wb").write(frame)
            print("saved", fn, len(frame))
            n += 1
            if key == 18:
                c.sendall(api_versions_v3_response(corr))
    except Exception as e:
        print("stopped:", e, file=sys.stderr)
    c.close(); p.kill(); p.wait()

main()
