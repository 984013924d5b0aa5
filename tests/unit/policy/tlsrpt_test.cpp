#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "policy/tlsrpt.hpp"

using namespace mailprobe::policy;

TEST_SUITE("policy::tlsrpt") {
  TEST_CASE("mailto and https report URIs, comma separated with optional spaces (RFC 8460 §3)") {
    auto r = parse_tlsrpt_record("v=TLSRPTv1; rua=mailto:reports@example.com , https://reporting.example.com/v1/tlsrpt");
    REQUIRE(r);
    CHECK(r->rua == std::vector<std::string>{"mailto:reports@example.com", "https://reporting.example.com/v1/tlsrpt"});
    CHECK(parse_tlsrpt_record("v=TLSRPTv1;rua=mailto:a@b.example;"));
    CHECK(parse_tlsrpt_record("v=TLSRPTv1; ext=1; rua=mailto:a@b.example"));
  }

  TEST_CASE("malformed TLS-RPT records are refused with one line each") {
    const char* bad[] = {
        "",
        "v=TLSRPTv1",
        "v=TLSRPTv1;",
        "v=TLSRPTv2; rua=mailto:a@b.example",
        "rua=mailto:a@b.example; v=TLSRPTv1",
        "v=TLSRPTv1; rua=",
        "v=TLSRPTv1; rua=http://insecure.example/x",
        "v=TLSRPTv1; rua=ftp://a.example/",
        "v=TLSRPTv1; rua=mailto:nobody",
        "v=TLSRPTv1; rua=mailto:@b.example",
        "v=TLSRPTv1; rua=https://",
        "v=TLSRPTv1; rua=https:///path",
        "v=TLSRPTv1; rua=mailto:a@b.example,",
        "v=TLSRPTv1; rua=mailto:a@b.example,,mailto:c@d.example",
        "v=TLSRPTv1; rua=mailto:a@b.example; rua=mailto:c@d.example",
        "v=TLSRPTv1; rua=mailto:a b@c.example",
        "v=TLSRPTv1; rua=mailto:a@b.example; ext=!x",
        "v=TLSRPTv1; rua=mailto:a@b.example; -ext=1",
        "v=TLSRPTv1 rua=mailto:a@b.example",
        "v=TLSRPTv1; rua=mailto:a@b.example; v=TLSRPTv1",
    };
    for (const char* t : bad) {
      CAPTURE(t);
      auto r = parse_tlsrpt_record(t);
      REQUIRE_FALSE(r);
      CHECK(r.error().reply_text.rfind("TLS-RPT TXT: ", 0) == 0);
    }
  }

  TEST_CASE("selection discards other TXT records and refuses two TLS-RPT records") {
    auto none = select_tlsrpt_record({"v=spf1 -all"});
    REQUIRE(none);
    CHECK_FALSE(none.value().has_value());
    auto one = select_tlsrpt_record({"v=spf1 -all", "v=TLSRPTv1; rua=mailto:t@example.org"});
    REQUIRE(one);
    CHECK(one.value().has_value());
    CHECK_FALSE(select_tlsrpt_record({"v=TLSRPTv1; rua=mailto:t@example.org", "v=TLSRPTv1; rua=mailto:u@example.org"}));
  }
}
