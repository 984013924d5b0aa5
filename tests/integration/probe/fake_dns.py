"""A tiny UDP DNS server answering MX queries from a table (stdlib only).

FakeDns({"example.test": [(10, "localhost"), (20, "nonexistent.invalid")]})
answers MX for the listed names and NXDOMAIN for everything else.
"""
import socket
import struct
import threading


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


class FakeDns:
    def __init__(self, table):
        self.table = {k.lower().rstrip("."): v for k, v in table.items()}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.queries = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            self.sock.sendto(self.answer(data), peer)

    def answer(self, q):
        qid, flags = struct.unpack(">HH", q[:4])
        pos, labels = 12, []
        while q[pos] != 0:
            n = q[pos]
            labels.append(q[pos + 1:pos + 1 + n].decode())
            pos += n + 1
        pos += 1
        qtype, _ = struct.unpack(">HH", q[pos:pos + 4])
        question = q[12:pos + 4]
        name = ".".join(labels).lower()
        self.queries.append((name, qtype))
        rd = flags & 0x0100
        if name not in self.table:
            return struct.pack(">HHHHHH", qid, 0x8080 | rd | 3, 1, 0, 0, 0) + question
        answers = b""
        records = self.table[name] if qtype == 15 else []
        for pref, host in records:
            rdata = struct.pack(">H", pref) + encode_name(host)
            answers += struct.pack(">HHHIH", 0xC00C, 15, 1, 300, len(rdata)) + rdata
        return struct.pack(">HHHHHH", qid, 0x8080 | rd, 1, len(records), 0, 0) + question + answers
