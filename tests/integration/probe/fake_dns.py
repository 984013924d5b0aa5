"""A tiny UDP DNS server answering MX, TXT and TLSA queries from a table (stdlib only).

FakeDns({"example.test": [(10, "localhost"), (20, "nonexistent.invalid")]})
answers MX for the listed names and NXDOMAIN for everything else.

A name may instead map to a dict of record sets, answered with the AD bit
(RFC 4035 §3.2.3: "validated") when "ad" is true, or with an error rcode:
  {"MX": [(10, "localhost")],
   "TXT": ["v=STSv1; id=1", ("split ", "strings")],   # a tuple: one RR, several strings
   "TLSA": [(3, 1, 1, bytes.fromhex("ab..."))],
   "ad": True, "rcode": 2}
A listed name without records of the asked type answers NODATA. The table
may be changed between queries.
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
        entry = self.table[name]
        if not isinstance(entry, dict):
            entry = {"MX": entry}
        flags_out = 0x8080 | rd | (0x0020 if entry.get("ad") else 0) | entry.get("rcode", 0)
        rdatas = []
        if qtype == 15:
            for pref, host in entry.get("MX", []):
                rdatas.append(struct.pack(">H", pref) + encode_name(host))
        elif qtype == 16:
            for txt in entry.get("TXT", []):
                strings = txt if isinstance(txt, tuple) else tuple(txt[i:i + 255] for i in range(0, max(len(txt), 1), 255))
                rdatas.append(b"".join(bytes([len(t)]) + t.encode() for t in strings))
        elif qtype == 52:
            for rec in entry.get("TLSA", []):
                rdatas.append(rec if isinstance(rec, bytes) else bytes(rec[:3]) + rec[3])
        answers = b"".join(struct.pack(">HHHIH", 0xC00C, qtype, 1, 300, len(r)) + r for r in rdatas)
        return struct.pack(">HHHHHH", qid, flags_out, 1, len(rdatas), 0, 0) + question + answers
