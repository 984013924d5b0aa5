#!/usr/bin/env python3
"""Userspace TCP forwarder that adds a fixed one-way delay per direction, to
measure mailprobe across a simulated WAN (netem is not available here).

Every chunk read from one side is written to the other side at its arrival
time + the delay for that direction, so the byte timing of the dialogue is
preserved (a reply sent 3 ms after another still arrives 3 ms after it).
TCP_NODELAY is set on both sockets so the kernel does not batch small
writes (Nagle) and add delay of its own. A closed side is closed on the
other side once its pending bytes have been delivered (half-close kept).

Usage:
  latency_proxy.py --map LISTEN_PORT:HOST:PORT [--map ...] \
      --up-ms 25 --down-ms 25
"up" is client -> server, "down" is server -> client. Prints "ready" and
the listening ports on stdout once every listener is bound; runs until
SIGTERM/SIGINT.
"""
import argparse
import collections
import signal
import socket
import sys
import threading
import time


class Pipe:
    """One direction of one connection: reader thread + delayed writer thread."""

    def __init__(self, src, dst, delay_s):
        self.src, self.dst, self.delay = src, dst, delay_s
        self.queue = collections.deque()  # (due, bytes); b"" = EOF
        self.cond = threading.Condition()

    def start(self):
        threading.Thread(target=self.read_loop, daemon=True).start()
        threading.Thread(target=self.write_loop, daemon=True).start()

    def read_loop(self):
        while True:
            try:
                data = self.src.recv(65536)
            except OSError:
                data = b""
            due = time.monotonic() + self.delay
            with self.cond:
                self.queue.append((due, data))
                self.cond.notify()
            if not data:
                return

    def write_loop(self):
        while True:
            with self.cond:
                while not self.queue:
                    self.cond.wait()
                due, data = self.queue.popleft()
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            if not data:
                try:
                    self.dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            try:
                self.dst.sendall(data)
            except OSError:
                try:
                    self.src.shutdown(socket.SHUT_RD)
                except OSError:
                    pass
                return


def nodelay(s):
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def serve(listener, target, up_s, down_s):
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        try:
            server = socket.create_connection(target)
        except OSError:
            client.close()
            continue
        nodelay(client)
        nodelay(server)
        Pipe(client, server, up_s).start()
        Pipe(server, client, down_s).start()


def parse_map(text):
    listen, host, port = text.split(":", 2)
    return int(listen), (host, int(port))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--map", action="append", required=True, type=parse_map,
                    help="LISTEN_PORT:HOST:PORT (LISTEN_PORT 0 picks a free port)")
    ap.add_argument("--up-ms", type=float, default=0.0, help="client -> server one-way delay")
    ap.add_argument("--down-ms", type=float, default=0.0, help="server -> client one-way delay")
    ap.add_argument("--bind", default="127.0.0.1")
    a = ap.parse_args()
    ports = []
    for listen, target in a.map:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((a.bind, listen))
        ls.listen(64)
        ports.append(ls.getsockname()[1])
        threading.Thread(target=serve, args=(ls, target, a.up_ms / 1000.0, a.down_ms / 1000.0),
                         daemon=True).start()
    print("ready", *ports, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
