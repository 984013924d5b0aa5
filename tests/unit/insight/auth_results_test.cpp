#include <doctest/doctest.h>

#include "insight/auth_results.hpp"

using namespace mailprobe::insight;

TEST_CASE("auth results: Gmail style, folded, comments and properties") {
  std::string raw =
      "ARC-Authentication-Results: i=1; mx.google.com;\r\n"
      "       dkim=fail header.i=@other.example\r\n"
      "Authentication-Results: mx.google.com;\r\n"
      "       dkim=pass header.i=@example.com header.s=s1 header.b=AbCdEf12;\r\n"
      "       spf=pass (google.com: domain of alice@example.com designates 2001:db8::25 as permitted sender)\r\n"
      " smtp.mailfrom=alice@example.com;\r\n"
      "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com\r\n"
      "Subject: x\r\n\r\n";
  auto v = parse_verdicts(raw);
  CHECK(v.authserv_id == "mx.google.com");
  CHECK(v.spf == "pass");
  CHECK(v.dkim == "pass");
  CHECK(v.dmarc == "pass");
  CHECK_FALSE(v.spam_score);
  CHECK_FALSE(v.spam_flag);
}

TEST_CASE("auth results: the top-most field wins by default; trusted ids pick another") {
  std::string raw =
      "Authentication-Results: mx.example.net; spf=softfail smtp.mailfrom=a@b.example; dkim=none; dmarc=fail "
      "(p=none) header.from=b.example\r\n"
      "Authentication-Results: attacker.example; spf=pass; dkim=pass; dmarc=pass\r\n"
      "Authentication-Results: relay.example.net 1; spf=neutral\r\n\r\n";
  auto top = parse_verdicts(raw);
  CHECK(top.authserv_id == "mx.example.net");
  CHECK(top.spf == "softfail");
  CHECK(top.dkim == "none");
  CHECK(top.dmarc == "fail");
  auto relay = parse_verdicts(raw, {"RELAY.example.net"});
  CHECK(relay.authserv_id == "relay.example.net");
  CHECK(relay.spf == "neutral");
  CHECK_FALSE(relay.dkim);
  auto nobody = parse_verdicts(raw, {"unknown.example"});
  CHECK(nobody.authserv_id.empty());
  CHECK_FALSE(nobody.spf);
}

TEST_CASE("auth results: Microsoft 365 with quoted values, reasons, method versions and 'none'") {
  auto f = parse_auth_results_value(
      "spf=pass (sender IP is 40.107.22.54) smtp.mailfrom=example.com; dkim=pass (signature was verified)\r\n"
      " header.d=example.com;dmarc=pass action=none header.from=example.com;compauth=pass reason=100");
  CHECK(f.authserv_id.empty());  // M365 omits the authserv-id
  REQUIRE(f.results.size() == 4);
  CHECK(f.results[0].method == "spf");
  CHECK(f.results[2].properties[0].first == "action");
  CHECK(f.results[3].reason == "100");
  auto m = parse_verdicts("Authentication-Results: spf=fail smtp.mailfrom=x.example; dmarc=fail\r\n\r\n");
  CHECK(m.spf == "fail");
  CHECK(m.dmarc == "fail");
  auto g = parse_auth_results_value(
      "mx.example.org; dkim/1=fail reason=\"signature; verification failed\" header.d=\"x.example\"; "
      "dmarc=PASS");
  REQUIRE(g.results.size() == 2);
  CHECK(g.results[0].method == "dkim");
  CHECK(g.results[0].result == "fail");
  CHECK(g.results[0].reason == "signature; verification failed");
  REQUIRE(g.results[0].properties.size() == 1);
  CHECK(g.results[0].properties[0].first == "header.d");
  CHECK(g.results[0].properties[0].second == "x.example");
  CHECK(g.results[1].result == "pass");
  auto n = parse_auth_results_value("mx.example.org 1; none");
  CHECK(n.authserv_id == "mx.example.org");
  CHECK(n.results.empty());
  auto spaced = parse_auth_results_value("mx.example.org; spf = fail (nested (comment) here) smtp.mailfrom = a@b");
  REQUIRE(spaced.results.size() == 1);
  CHECK(spaced.results[0].result == "fail");
  CHECK(spaced.results[0].properties[0].second == "a@b");
}

TEST_CASE("auth results: dkim passes if any signature passed") {
  auto v = parse_verdicts(
      "Authentication-Results: mx.example.org; dkim=fail header.d=a.example; dkim=pass header.d=b.example; "
      "dkim=neutral\r\n\r\n");
  CHECK(v.dkim == "pass");
}

TEST_CASE("auth results: SpamAssassin headers") {
  std::string raw =
      "X-Spam-Flag: YES\r\n"
      "X-Spam-Status: Yes, score=5.2 required=5.0 tests=BAYES_50,DKIM_SIGNED,\r\n"
      "\tHTML_MESSAGE autolearn=no autolearn_force=no version=3.4.6\r\n"
      "X-Spam-Score: 9.9\r\n\r\n";
  auto v = parse_verdicts(raw);
  CHECK(v.spam_flag == true);
  CHECK(v.spam_score == doctest::Approx(5.2));
  auto no = parse_verdicts("X-Spam-Status: No, score=-0.1 required=5.0 tests=ALL_TRUSTED\r\n\r\n");
  CHECK(no.spam_flag == false);
  CHECK(no.spam_score == doctest::Approx(-0.1));
  auto hits = parse_verdicts("X-Spam-Status: No, hits=1.3 required=5.0\r\n\r\n");
  CHECK(hits.spam_score == doctest::Approx(1.3));
}

TEST_CASE("auth results: rspamd and plain score headers") {
  auto r = parse_verdicts("X-Rspamd-Score: 2.50\r\nX-Spam: Yes\r\nX-Rspamd-Server: mx\r\n\r\n");
  CHECK(r.spam_score == doctest::Approx(2.5));
  CHECK(r.spam_flag == true);
  auto s = parse_verdicts("X-Spam-Score: 3.1\r\nX-Spam-Flag: NO\r\n\r\n");
  CHECK(s.spam_score == doctest::Approx(3.1));
  CHECK(s.spam_flag == false);
  auto bad = parse_verdicts("X-Spam-Score: ***\r\nX-Rspamd-Score: nan\r\n\r\n");
  CHECK_FALSE(bad.spam_score);
  CHECK(leading_number("(3.1)") == doctest::Approx(3.1));
  CHECK_FALSE(leading_number("inf"));
}
