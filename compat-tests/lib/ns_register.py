#!/usr/bin/env python3
# ns_register.py PORT TOPIC QUEUES BROKER - plays a broker towards a name
# server: sends REGISTER_BROKER for one topic with QUEUES queues, prints
# "registered", then keeps the connection (and so the registration) open
# until killed, re-registering every 20 s as a broker does every 30 s.
import json
import socket
import struct
import sys
import time

port, topic, queues, broker = (int(sys.argv[1]), sys.argv[2],
                               int(sys.argv[3]), sys.argv[4])
body = json.dumps({"filterServerList": [], "topicConfigSerializeWrapper": {
    "dataVersion": {"counter": 1, "stateVersion": 0, "timestamp": 1},
    "topicConfigTable": {topic: {
        "order": False, "perm": 6, "readQueueNums": queues,
        "topicFilterType": "SINGLE_TAG", "topicName": topic,
        "topicSysFlag": 0, "writeQueueNums": queues}}}}).encode()
s = socket.create_connection(("127.0.0.1", port), timeout=10)
opaque = 0
while True:
    opaque += 1
    h = json.dumps({"code": 103, "language": "JAVA", "version": 399,
                    "opaque": opaque, "flag": 0, "extFields": {
                        "brokerName": broker, "brokerAddr": "127.0.0.1:10911",
                        "clusterName": "FerryCluster", "brokerId": "0",
                        "haServerAddr": "127.0.0.1:10912",
                        "compressed": "false", "bodyCrc32": "0"}}).encode()
    s.sendall(struct.pack(">ii", 4 + len(h) + len(body), len(h)) + h + body)
    n = struct.unpack(">i", s.recv(4, socket.MSG_WAITALL))[0]
    resp = s.recv(n, socket.MSG_WAITALL)
    hl = struct.unpack(">i", resp[:4])[0] & 0xFFFFFF
    if json.loads(resp[4:4 + hl]).get("code") != 0:
        print("register failed: %r" % resp[4:4 + hl], flush=True)
        sys.exit(1)
    if opaque == 1:
        print("registered", flush=True)
    time.sleep(20)
