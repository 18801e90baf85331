#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Bulk TCP with a content check, for net.sh.

net_xfer.py recv PORT: accept one connection, print the byte count and
the SHA-256 of everything received.
net_xfer.py send HOST PORT BYTES SEED: send BYTES pseudo-random bytes
(from SEED), print the byte count and their SHA-256.
"""
import hashlib
import random
import socket
import sys


def recv(port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(1)
    srv.settimeout(120)
    conn, _ = srv.accept()
    conn.settimeout(120)
    digest, total = hashlib.sha256(), 0
    while True:
        data = conn.recv(1 << 16)
        if not data:
            break
        digest.update(data)
        total += len(data)
    print(total, digest.hexdigest())


def send(host, port, size, seed):
    rng = random.Random(seed)
    conn = socket.create_connection((host, port), timeout=120)
    digest, left = hashlib.sha256(), size
    while left:
        chunk = rng.randbytes(min(left, 1 << 16))
        conn.sendall(chunk)
        digest.update(chunk)
        left -= len(chunk)
    conn.close()
    print(size, digest.hexdigest())


if __name__ == "__main__":
    if sys.argv[1] == "recv":
        recv(int(sys.argv[2]))
    else:
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
