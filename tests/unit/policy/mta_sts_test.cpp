#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "policy/mta_sts.hpp"
#include "policy/sts_fetch.hpp"

using namespace mailprobe;
using namespace mailprobe::policy;

TEST_SUITE("policy::mta_sts") {
  TEST_CASE("a minimal TXT record gives its id") {
    auto r = parse_sts_record("v=STSv1; id=20160831085700Z");
    REQUIRE(r);
    CHECK(r->id == "20160831085700Z");
  }

  TEST_CASE("TXT: trailing delimiter, spaces around ';' and extensions are accepted") {
    CHECK(parse_sts_record("v=STSv1;id=abc;"));
    CHECK(parse_sts_record("v=STSv1 ;  id=abc ; ext_1=foo.bar ;"));
    auto r = parse_sts_record("v=STSv1; x-y=1; id=Z9");
    REQUIRE(r);
    CHECK(r->id == "Z9");
  }

  TEST_CASE("TXT: malformed records are refused with one line each") {
    const char* bad[] = {
        "",                              // empty
        "v=STSv1",                       // no id
        "v=STSv1;",                      // no id
        "v=STSv2; id=1",                 // wrong version
        "V=STSv1; id=1",                 // version is case-sensitive
        "id=1; v=STSv1",                 // version not first
        "v=STSv1; id=",                  // empty id
        "v=STSv1; id=abc-def",           // id: letters and digits only
        "v=STSv1; id=123456789012345678901234567890123",  // 33 > 32
        "v=STSv1; id=1; id=2",           // id twice
        "v=STSv1;; id=1",                // empty field
        "v=STSv1; id",                   // no '='
        "v=STSv1; id=1; =x",             // empty name
        "v=STSv1; id=1; _x=1",           // name must start with a letter or digit
        "v=STSv1; id=1; ext=a b",        // space inside a value
        "v=STSv1; id=1; ext=",           // empty extension value
        "v=STSv1; id=1; v=STSv1",        // v again
        "v=STSv1 id=1",                  // missing delimiter
        "v=STSv1; id=1\x01",             // control character
    };
    for (const char* t : bad) {
      CAPTURE(t);
      auto r = parse_sts_record(t);
      REQUIRE_FALSE(r);
      CHECK(r.error().reply_text.find('\n') == std::string::npos);
      CHECK(r.error().reply_text.rfind("MTA-STS TXT: ", 0) == 0);
    }
  }

  TEST_CASE("TXT selection: other records are discarded, two STS records are an error") {
    auto none = select_sts_record({"google-site-verification=x", "v=spf1 -all"});
    REQUIRE(none);
    CHECK_FALSE(none.value().has_value());
    auto one = select_sts_record({"v=spf1 -all", "v=STSv1; id=7"});
    REQUIRE(one);
    REQUIRE(one.value().has_value());
    CHECK(one.value()->id == "7");
    CHECK_FALSE(select_sts_record({"v=STSv1; id=7", "v=STSv1; id=8"}));
    CHECK_FALSE(select_sts_record({"v=STSv1; id=bad!"}));
  }

  TEST_CASE("the RFC 8461 §3.2 example policy parses") {
    auto p = parse_sts_policy("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
                              "mx: backupmx.example.com\r\nmax_age: 604800\r\n");
    REQUIRE(p);
    CHECK(p->mode == StsMode::enforce);
    CHECK(p->max_age == 604800);
    CHECK(p->mx == std::vector<std::string>{"mail.example.com", "*.example.net", "backupmx.example.com"});
  }

  TEST_CASE("policy: LF lines, trailing spaces, unknown keys and mode none without mx") {
    auto p = parse_sts_policy("version: STSv1\nmode: testing  \nmx: mx1.example.org\nmax_age: 86400\nfoo: bar baz\n");
    REQUIRE(p);
    CHECK(p->mode == StsMode::testing);
    auto n = parse_sts_policy("version: STSv1\nmode: none\nmax_age: 0");
    REQUIRE(n);
    CHECK(n->mode == StsMode::none);
    CHECK(n->mx.empty());
    CHECK(parse_sts_policy("version:STSv1\nmode:enforce\nmx:a.example\nmax_age:31557600\n"));
  }

  TEST_CASE("policy: malformed files are refused with one line each") {
    const std::string ok_rest = "mode: enforce\nmx: mx.example.org\nmax_age: 86400\n";
    const std::string bad[] = {
        "",
        "\n\n",
        ok_rest,                                               // no version
        "version: STSv2\n" + ok_rest,                          // unknown version
        "version: stsv1\n" + ok_rest,                          // case-sensitive
        "version: STSv1\nversion: STSv1\n" + ok_rest,          // twice
        "version: STSv1\nmx: mx.example.org\nmax_age: 1\n",    // no mode
        "version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1\n",
        "version: STSv1\nmode: enforce\nmode: testing\nmx: a.example\nmax_age: 1\n",
        "version: STSv1\nmode: enforce\nmx: a.example\n",      // no max_age
        "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n",
        "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 12345678901\n",  // 11 digits
        "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n",     // above the cap
        "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\nmax_age: 2\n",
        "version: STSv1\nmode: enforce\nmax_age: 1\n",         // enforce without mx
        "version: STSv1\nmode: enforce\nmx: **.example\nmax_age: 1\n",
        "version: STSv1\nmode: enforce\nmx: mail.*.example\nmax_age: 1\n",
        "version: STSv1\nmode: enforce\nmx: -bad.example\nmax_age: 1\n",
        "version: STSv1\nmode: enforce\nmx: a..example\nmax_age: 1\n",
        "version: STSv1\nmode: enforce\nmx: \nmax_age: 1\n",
        "version: STSv1\nmode: enforce\nmx: a_b.example\nmax_age: 1\n",
        "version: STSv1\n\nmode: enforce\nmx: a.example\nmax_age: 1\n",  // blank line
        "version STSv1\n" + ok_rest,                           // no colon
        "version: STSv1\n" + ok_rest + " x: y\n",              // key with a leading space
        "version: STSv1\n" + ok_rest + "ext:\n",               // empty extension value
        "version: STSv1\n" + ok_rest + "ext: a\x01\n",         // control character
        "<html><body>Not found</body></html>",
    };
    for (const auto& t : bad) {
      CAPTURE(t);
      auto r = parse_sts_policy(t);
      REQUIRE_FALSE(r);
      CHECK(r.error().reply_text.find('\n') == std::string::npos);
      CHECK(r.error().reply_text.rfind("MTA-STS policy", 0) == 0);
    }
  }

  TEST_CASE("mx patterns: exact names and the leftmost-label wildcard (RFC 8461 §4.1)") {
    CHECK(mx_pattern_matches("mail.example.com", "mail.example.com"));
    CHECK(mx_pattern_matches("mail.example.com", "MAIL.Example.COM."));
    CHECK(mx_pattern_matches("mail.example.com.", "mail.example.com"));
    CHECK_FALSE(mx_pattern_matches("mail.example.com", "mail2.example.com"));
    CHECK(mx_pattern_matches("*.example.com", "mx1.example.com"));
    CHECK(mx_pattern_matches("*.example.com", "MX1.EXAMPLE.COM"));
    CHECK_FALSE(mx_pattern_matches("*.example.com", "example.com"));
    CHECK_FALSE(mx_pattern_matches("*.example.com", "a.b.example.com"));
    CHECK_FALSE(mx_pattern_matches("*.example.com", "badexample.com"));
    CHECK_FALSE(mx_pattern_matches("*.example.com", ".example.com"));
    CHECK_FALSE(mx_pattern_matches("", "example.com"));
    StsPolicy p;
    p.mx = {"a.example.org", "*.mx.example.net"};
    CHECK(policy_lists_mx(p, "b.mx.example.net"));
    CHECK_FALSE(policy_lists_mx(p, "mx.example.net"));
  }

  TEST_CASE("the policy response: 200 text/plain only; redirects, other types and transport failures refused") {
    const std::string url = sts_policy_url("example.org");
    CHECK(url == "https://mta-sts.example.org/.well-known/mta-sts.txt");
    net::HttpsGetResult ok;
    ok.transport = Result::success;
    ok.status = 200;
    ok.content_type = "Text/Plain; charset=utf-8";
    ok.body = "version: STSv1\n";
    auto body = judge_sts_response(ok, url);
    REQUIRE(body);
    CHECK(body.value() == "version: STSv1\n");

    auto redirect = ok;
    redirect.status = 301;
    auto r = judge_sts_response(redirect, url);
    REQUIRE_FALSE(r);
    CHECK(r.error().result == Result::protocol_error);
    CHECK(r.error().reply_text.find("redirect refused") != std::string::npos);

    auto html = ok;
    html.content_type = "text/html";
    REQUIRE_FALSE(judge_sts_response(html, url));

    auto missing = ok;
    missing.status = 404;
    REQUIRE_FALSE(judge_sts_response(missing, url));

    net::HttpsGetResult big;
    big.too_large = true;
    big.transport = Result::protocol_error;
    big.error = "body larger than 65536 bytes";
    auto b = judge_sts_response(big, url);
    REQUIRE_FALSE(b);
    CHECK(b.error().reply_text == "MTA-STS policy fetch: body larger than 65536 bytes");

    net::HttpsGetResult verify;
    verify.transport = Result::tls_verify_failed;
    verify.error = "SSL certificate problem";
    auto v = judge_sts_response(verify, url);
    REQUIRE_FALSE(v);
    CHECK(v.error().result == Result::tls_verify_failed);
  }
}
