// Deterministic robustness test: thousands of pseudo-randomly mutated real
// headers through every parser. Nothing may crash, throw or take long.

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "insight/auth_results.hpp"
#include "insight/dsn.hpp"
#include "insight/mail_date.hpp"
#include "insight/received.hpp"
#include "insight/state_file.hpp"

using namespace mailprobe::insight;

namespace {

struct Rng {  // xorshift64*: fixed seed, same sequence on every run
  std::uint64_t s = 0x9E3779B97F4A7C15ull;
  std::uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545F4914F6CDD1Dull;
  }
  std::size_t below(std::size_t n) { return n ? static_cast<std::size_t>(next() % n) : 0; }
};

const std::vector<std::string>& seeds() {
  static const std::vector<std::string> kSeeds = {
      "Received: from localhost (localhost [127.0.0.1])\r\n\tby mx.mailprobe.test (Postfix) with ESMTPS id "
      "4cZb2x0F3Xz9sWq\r\n\tfor <bob@mailprobe.test>; Sun, 22 Nov 2026 18:17:07 +0000 (UTC)\r\n"
      "Received: from [IPv6:2001:db8::1] (helo [IPv6:::1]) by x with LMTP id k; 2 Jun 25 10:00 GMT\r\n"
      "Authentication-Results: mx.example.org 1; spf=pass (a (nested) comment) smtp.mailfrom=\"a;b\"@c; dkim=fail\r\n"
      "X-Spam-Status: Yes, score=5.2 required=5.0\r\nX-Rspamd-Score: 2.50\r\n\r\nbody\r\n",
      "Subject: Undelivered Mail Returned to Sender\r\nContent-Type: multipart/report; "
      "report-type=delivery-status;\r\n\tboundary=\"b/1\"\r\n\r\n--b/1\r\nContent-Type: text/plain\r\n\r\n550 5.1.1 "
      "no\r\n--b/1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\nFinal-Recipient: "
      "rfc822; x@y\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 x\r\n\r\n--b/1\r\n"
      "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nWC1NYWlscHJvYmUtVG9rZW46IGFiYw0K\r\n"
      "--b/1--\r\n",
      "{\"version\":1,\"pending\":[{\"token\":\"0123456789abcdef0123456789abcdef\",\"sent\":"
      "\"2026-11-22T18:17:06.123456Z\",\"mailbox\":\"INBOX\",\"queue_id\":\"Q\"}]}\n",
  };
  return kSeeds;
}

std::string mutate(std::string s, Rng& rng) {
  static const std::vector<std::string> kBits = {"(", ")", ";", "\"", "\\", "\r\n", "\r\n\t", "=", ":", "--b/1",
                                                 "Content-Type: multipart/mixed; boundary=b/1\r\n", "[", "{", "\0",
                                                 "\xff", "Received: ", " from ", " by ", "; ", "=?", "=3D", "+9999"};
  std::size_t edits = 1 + rng.below(12);
  for (std::size_t e = 0; e < edits; ++e) {
    std::size_t at = rng.below(s.size() + 1);
    switch (rng.below(6)) {
      case 0: if (at < s.size()) s.erase(at, 1 + rng.below(20)); break;
      case 1: s.insert(at, kBits[rng.below(kBits.size())]); break;
      case 2: if (at < s.size()) s[at] = static_cast<char>(rng.next()); break;
      case 3: s.insert(at, std::string(1 + rng.below(200), static_cast<char>("(;\"\\ \t-"[rng.below(7)]))); break;
      case 4: s = s.substr(0, at); break;
      default: { std::size_t from = rng.below(s.size() + 1); s.insert(at, s.substr(from, rng.below(80))); }
    }
  }
  return s;
}

}  // namespace

TEST_CASE("garbage: mutated real headers never crash or hang any parser") {
  Rng rng;
  auto t0 = std::chrono::steady_clock::now();
  std::size_t parsed_dates = 0;
  for (int i = 0; i < 4000; ++i) {
    const std::string& seed = seeds()[rng.below(seeds().size())];
    std::string input = mutate(seed, rng);
    auto hops = analyse_received(input, std::chrono::system_clock::time_point{});
    CHECK(hops.hop_count <= kMaxHops);
    (void)parse_verdicts(input);
    (void)parse_verdicts(input, {"mx.example.org"});
    (void)bounce_for_token(input, "0123456789abcdef0123456789abcdef");
    (void)parse_state(input);
    if (parse_mail_date(input.substr(0, 64))) ++parsed_dates;
  }
  // Pathological shapes the mutator rarely builds.
  for (const std::string& s : {std::string(300000, '('), std::string(300000, '"'), std::string(300000, ';'),
                               "Received: " + std::string(200000, '('), std::string(100000, '\n'),
                               "Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n" +
                                   [] { std::string s; for (int i = 0; i < 5000; ++i) s += "--x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"; return s; }()}) {
    (void)analyse_received(s);
    (void)parse_verdicts(s);
    (void)parse_bounce(s);
    (void)parse_state(s);
  }
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(secs < 30.0);
  MESSAGE("4000 mutated inputs in " << secs << " s; dates parsed: " << parsed_dates);
}
