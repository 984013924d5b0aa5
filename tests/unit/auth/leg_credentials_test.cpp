#include <doctest/doctest.h>

#include <fstream>

#include "auth/leg_credentials.hpp"
#include "unit/report/temp_dir.hpp"

using namespace mailprobe;

TEST_SUITE("auth::leg_credentials") {
  TEST_CASE("password legs pass through untouched; nothing is read") {
    net::Credentials c{"alice", "pw"};
    auth::TokenSpec spec;
    spec.token_file = "/nonexistent/never-read";
    auto out = auth::leg_credentials(c, spec, Stage::smtp_token, {}, Deadline::in(std::chrono::seconds(5)), "");
    REQUIRE(out);
    CHECK(out.value().password == "pw");
    CHECK(out.value().bearer.empty());
  }

  TEST_CASE("OAuth2 legs get the bearer token; a failure carries the leg's token stage") {
    report::testing::TempDir dir;
    std::ofstream(dir.path() + "/tok") << "abc.def.ghi\n";
    net::Credentials c;
    c.username = "alice@a.test";
    c.mechanism = net::SaslMechanism::oauthbearer;
    auth::TokenSpec spec;
    spec.mechanism = c.mechanism;
    spec.token_file = dir.path() + "/tok";
    auto out = auth::leg_credentials(c, spec, Stage::imap_token, {}, Deadline::in(std::chrono::seconds(5)), "");
    REQUIRE(out);
    CHECK(out.value().bearer == "abc.def.ghi");
    CHECK(out.value().username == "alice@a.test");
    spec.token_file = dir.path() + "/gone";
    auto bad = auth::leg_credentials(c, spec, Stage::imap_token, {}, Deadline::in(std::chrono::seconds(5)), "");
    REQUIRE(!bad);
    CHECK(bad.error().stage == Stage::imap_token);
    CHECK(bad.error().result == Result::token_error);
  }
}
