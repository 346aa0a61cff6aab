#!/usr/bin/env python3
# rmq_tls_probe.py - TLS on RocketMQ remoting ports (broker listenPort, the
# old VIP port, name server), checked with Python's ssl module:
#
#   rmq_tls_probe.py --ca CA.pem [--client-cert C --client-key K]
#                    --mode permissive|enforcing|mtls
#                    NAME=PORT:CODE[:EXTKEY=VALUE] ...
#
# For each port NAME (CODE is a request the port answers with SUCCESS, e.g.
# 28 GET_BROKER_RUNTIME_INFO on a broker, 105 GET_ROUTEINFO_BY_TOPIC with
# topic=TBW102 on a name server):
#   - a TLS connection (CA-verified, host name "localhost") gets the answer,
#     twice on one connection;
#   - like a RocketMQ client (tls.client.authServer=false): no verification;
#   - plain: answered in permissive mode, closed without an answer in
#     enforcing and mtls mode;
#   - mtls: TLS without a client certificate is refused, with one answered;
#   - 0x16 then garbage (not a ClientHello), garbage after a finished
#     handshake, a lone 0x16 then close, a silent connect-and-close, a
#     handshake cut off halfway: each closed, nothing else disturbed;
#   - finally TLS (and plain in permissive mode) are answered again.
#
#   rmq_tls_probe.py --ca CA.pem --hold SECS NAME=PORT:CODE[...] ...
#     opens, on each port, a TLS connection that got an answer, one with
#     half a frame sent, a plain one and a silent one (still in the sniff),
#     prints "held" and keeps them open SECS seconds: the server must stop
#     cleanly (no leak under ASan) with them open.
# Exit 0 when everything held, 1 otherwise (each failure printed).
import argparse
import json
import os
import random
import socket
import ssl
import struct
import sys

FAILS = []
OPAQUE = [100]


def frame(code, ext):
    OPAQUE[0] += 1
    h = json.dumps({"code": code, "language": "JAVA", "version": 399,
                    "opaque": OPAQUE[0], "flag": 0,
                    "extFields": ext}).encode()
    return OPAQUE[0], struct.pack(">ii", 4 + len(h), len(h)) + h


def read_reply(s):
    """-> (code, opaque) of one reply, or None when the peer closed."""
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
        h = json.loads(buf[8:8 + (hw & 0xFFFFFF)])
        return h.get("code"), h.get("opaque")
    except (socket.timeout, ConnectionError, ssl.SSLError, OSError):
        return None


def check(ok, what):
    print("%s %s" % ("ok  " if ok else "FAIL", what))
    if not ok:
        FAILS.append(what)


def raw(port):
    return socket.create_connection(("127.0.0.1", port), timeout=5)


def tls_ctx(args, verify, cert=True):
    if verify:
        ctx = ssl.create_default_context(cafile=args.ca)
    else:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if cert and args.client_cert:
        ctx.load_cert_chain(args.client_cert, args.client_key)
    return ctx


def tls_conn(args, port, verify=True, cert=True):
    return tls_ctx(args, verify, cert).wrap_socket(
        raw(port), server_hostname="localhost")


def ask(s, code, ext):
    """send one request on s -> True when SUCCESS with our opaque."""
    op, f = frame(code, ext)
    s.sendall(f)
    r = read_reply(s)
    return r is not None and r[0] == 0 and r[1] == op, r


def closed_without_answer(s, code, ext, send=True):
    try:
        if send:
            s.sendall(frame(code, ext)[1])
        return read_reply(s) is None
    except (ConnectionError, ssl.SSLError, OSError):
        return True


def probe(args, name, port, code, ext):
    # TLS, verified, two requests on one connection
    try:
        s = tls_conn(args, port)
        ok1, r1 = ask(s, code, ext)
        ok2, r2 = ask(s, code, ext)
        check(ok1 and ok2, "%s: TLS (%s, verified) answered twice: %r %r"
              % (name, s.version(), r1, r2))
        s.close()
    except (OSError, ssl.SSLError) as e:
        check(False, "%s: TLS connection failed: %s" % (name, e))
    # TLS as a RocketMQ client does it by default: no verification
    try:
        s = tls_conn(args, port, verify=False)
        ok, r = ask(s, code, ext)
        check(ok, "%s: TLS without server verification answered: %r"
              % (name, r))
        s.close()
    except (OSError, ssl.SSLError) as e:
        check(False, "%s: unverified TLS connection failed: %s" % (name, e))
    # plain on the same port
    s = raw(port)
    if args.mode == "permissive":
        ok, r = ask(s, code, ext)
        check(ok, "%s: plain on the same port answered: %r" % (name, r))
    else:
        check(closed_without_answer(s, code, ext),
              "%s: plain refused (%s)" % (name, args.mode))
    s.close()
    # mutual TLS: no client certificate
    if args.mode == "mtls":
        try:
            s = tls_conn(args, port, cert=False)
            gone = closed_without_answer(s, code, ext)
            s.close()
        except (OSError, ssl.SSLError):
            gone = True
        check(gone, "%s: TLS without a client certificate refused" % name)
    # garbage that starts like TLS
    s = raw(port)
    random.seed(port)
    junk = b"\x16" + bytes(random.getrandbits(8) for _ in range(2000))
    try:
        s.sendall(junk)
    except OSError:
        pass
    check(read_reply(s) is None, "%s: 0x16 + garbage closed" % name)
    s.close()
    # garbage after a good handshake
    try:
        s = tls_conn(args, port)
        s.sendall(b"\xff\xff\xff\xff garbage after the handshake" * 10)
        check(read_reply(s) is None,
              "%s: garbage inside TLS closed" % name)
        s.close()
    except (OSError, ssl.SSLError) as e:
        check(False, "%s: handshake for the garbage case: %s" % (name, e))
    # half a frame inside TLS, then the client goes away
    try:
        s = tls_conn(args, port)
        s.sendall(frame(code, ext)[1][:5])
        s.close()
    except (OSError, ssl.SSLError) as e:
        check(False, "%s: handshake for the half-frame case: %s" % (name, e))
    # a lone 0x16 then close; a silent connect-and-close; half a handshake
    s = raw(port)
    s.sendall(b"\x16")
    s.close()
    raw(port).close()
    s = raw(port)
    hello = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(40)
    s.sendall(hello)
    s.close()
    # still serving
    try:
        s = tls_conn(args, port)
        ok, r = ask(s, code, ext)
        check(ok, "%s: TLS still answered after the bad cases: %r"
              % (name, r))
        s.close()
    except (OSError, ssl.SSLError) as e:
        check(False, "%s: TLS after the bad cases: %s" % (name, e))
    if args.mode == "permissive":
        s = raw(port)
        ok, r = ask(s, code, ext)
        check(ok, "%s: plain still answered: %r" % (name, r))
        s.close()


def hold(args, specs):
    import time
    keep = []
    for name, port, code, ext in specs:
        s = tls_conn(args, port)
        ok, r = ask(s, code, ext)
        check(ok, "%s: held TLS connection answered: %r" % (name, r))
        keep.append(s)
        s = tls_conn(args, port)
        s.sendall(frame(code, ext)[1][:5])
        keep.append(s)
        keep.append(raw(port))  # silent: waits in the sniff
        if args.mode == "permissive":
            s = raw(port)
            ok, r = ask(s, code, ext)
            check(ok, "%s: held plain connection answered: %r" % (name, r))
            keep.append(s)
    print("held", flush=True)
    time.sleep(args.hold)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ca", required=True)
    ap.add_argument("--client-cert")
    ap.add_argument("--client-key")
    ap.add_argument("--mode", default="enforcing",
                    choices=["permissive", "enforcing", "mtls"])
    ap.add_argument("--hold", type=int, default=0)
    ap.add_argument("ports", nargs="+")
    args = ap.parse_args()
    specs = []
    for spec in args.ports:
        name, rest = spec.split("=", 1)
        parts = rest.split(":")
        ext = {}
        for kv in parts[2:]:
            k, v = kv.split("=", 1)
            ext[k] = v
        specs.append((name, int(parts[0]), int(parts[1]), ext))
    if args.hold:
        hold(args, specs)
        sys.exit(1 if FAILS else 0)
    for name, port, code, ext in specs:
        probe(args, name, port, code, ext)
    print("rmq tls probe: %d failed" % len(FAILS))
    sys.exit(1 if FAILS else 0)


main()
