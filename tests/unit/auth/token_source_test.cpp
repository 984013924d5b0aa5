#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>

#include "auth/secret_file.hpp"
#include "auth/token_source.hpp"
#include "unit/report/temp_dir.hpp"

using namespace mailprobe;
using namespace mailprobe::auth;

namespace {

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

/// A recording fake token endpoint.
struct FakeEndpoint {
  std::vector<std::string> bodies;
  net::HttpReply reply{200, R"({"access_token":"fetched.tok","token_type":"Bearer","expires_in":3599})", ""};
  PostFn fn() {
    return [this](const std::string&, const std::string& body) {
      bodies.push_back(body);
      return reply;
    };
  }
};

TokenContext context(FakeEndpoint& ep, TokenCache* cache, long long now_s = 1'000'000) {
  TokenContext c;
  c.stage = Stage::imap_token;
  c.deadline = Deadline::in(std::chrono::seconds(10));
  c.cache = cache;
  c.post = ep.fn();
  c.now = WallClock::time_point(std::chrono::seconds(now_s));
  return c;
}

}  // namespace

TEST_SUITE("auth::token_source") {
  TEST_CASE("request bodies for both grants (RFC 6749 §4.4.2, §6) are form-encoded") {
    FetchSpec f{"https://login.example/t", "app id", "", "https://outlook.office365.com/.default", ""};
    CHECK(token_request_body(f, "s&cret=", "") ==
          "grant_type=client_credentials&client_id=app%20id&client_secret=s%26cret%3D"
          "&scope=https%3A%2F%2Foutlook.office365.com%2F.default");
    f.scope.clear();
    CHECK(token_request_body(f, "", "1//0g-R+T") == "grant_type=refresh_token&refresh_token=1%2F%2F0g-R%2BT&client_id=app%20id");
  }

  TEST_CASE("first match wins: file, then command, then fetch") {
    report::testing::TempDir dir;
    write(dir.path() + "/tok", "file.tok\n");
    FakeEndpoint ep;
    TokenSpec s;
    s.mechanism = net::SaslMechanism::xoauth2;
    s.token_file = dir.path() + "/tok";
    s.token_command = {"echo", "cmd.tok"};
    s.fetch.token_url = "https://idp/token";
    CHECK(s.source() == "file");
    CHECK(get_token(s, context(ep, nullptr)).value() == "file.tok");
    s.token_file.clear();
    CHECK(s.source() == "command");
    CHECK(get_token(s, context(ep, nullptr)).value() == "cmd.tok");
    s.token_command.clear();
    CHECK(s.source() == "fetch");
    CHECK(get_token(s, context(ep, nullptr)).value() == "fetched.tok");
    CHECK(ep.bodies.size() == 1);
  }

  TEST_CASE("the token file is re-read on every call (an external refresher rotates it)") {
    report::testing::TempDir dir;
    TokenSpec s;
    s.token_file = dir.path() + "/tok";
    FakeEndpoint ep;
    write(s.token_file, "one\n");
    CHECK(get_token(s, context(ep, nullptr)).value() == "one");
    write(s.token_file, "two\n");
    CHECK(get_token(s, context(ep, nullptr)).value() == "two");
    write(s.token_file, "bad token\n");
    auto bad = get_token(s, context(ep, nullptr));
    REQUIRE(!bad);
    CHECK(bad.error().stage == Stage::imap_token);
    CHECK(bad.error().result == Result::token_error);
    CHECK(bad.error().reply_text.find("bad token") == std::string::npos);
  }

  TEST_CASE("fetched tokens are cached and renewed early (fake clock)") {
    FakeEndpoint ep;
    TokenCache cache;
    TokenSpec s;
    s.fetch = {"https://idp/token", "client", "", "mail", ""};
    for (long long t : {0LL, 60LL, 3000LL}) CHECK(get_token(s, context(ep, &cache, 1'000'000 + t)).value() == "fetched.tok");
    CHECK(ep.bodies.size() == 1);
    (void)get_token(s, context(ep, &cache, 1'000'000 + 3299));  // 3599 - 300: due for renewal
    CHECK(ep.bodies.size() == 2);
    token_rejected(s, &cache);
    (void)get_token(s, context(ep, &cache, 1'000'000 + 3300));
    CHECK(ep.bodies.size() == 3);
  }

  TEST_CASE("endpoint failures are token_error and never contain the secret or refresh token") {
    report::testing::TempDir dir;
    write(dir.path() + "/secret", "S3cr3t-value\n");
    write(dir.path() + "/refresh", "1//refresh-value\n");
    FakeEndpoint ep;
    TokenSpec s;
    s.fetch = {"https://idp/token", "client", dir.path() + "/secret", "", dir.path() + "/refresh"};
    SUBCASE("refused with the secret echoed back") {
      ep.reply = {400, R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided: S3cr3t-value"})", ""};
      auto r = get_token(s, context(ep, nullptr));
      REQUIRE(!r);
      CHECK(r.error().result == Result::token_error);
      CHECK(r.error().reply_text == "HTTP 400: invalid_client: AADSTS7000215: Invalid client secret provided: ***");
      CHECK(ep.bodies.at(0).find("client_secret=S3cr3t-value") != std::string::npos);
      CHECK(ep.bodies.at(0).find("grant_type=refresh_token&refresh_token=1%2F%2Frefresh-value") == 0);
    }
    SUBCASE("unreachable") {
      ep.reply = {0, "", "Couldn't connect to server"};
      auto r = get_token(s, context(ep, nullptr));
      REQUIRE(!r);
      CHECK(r.error().reply_text == "token endpoint unreachable: Couldn't connect to server");
    }
    SUBCASE("a token that is not a b64token") {
      ep.reply = {200, R"({"access_token":"two words"})", ""};
      auto r = get_token(s, context(ep, nullptr));
      REQUIRE(!r);
      CHECK(r.error().reply_text.find("two words") == std::string::npos);
    }
    SUBCASE("the secret file vanished") {
      std::remove((dir.path() + "/secret").c_str());
      auto r = get_token(s, context(ep, nullptr));
      REQUIRE(!r);
      CHECK(r.error().reply_text.rfind("cannot read the client secret file", 0) == 0);
      CHECK(ep.bodies.empty());
    }
  }

  TEST_CASE("a rotated refresh token replaces the old one in its file, mode 0600 (RFC 6749 §6)") {
    report::testing::TempDir dir;
    std::string rt = dir.path() + "/refresh";
    write(rt, "old-refresh\n");
    FakeEndpoint ep;
    ep.reply.body = R"({"access_token":"a.b.c","expires_in":3599,"refresh_token":"new-refresh"})";
    TokenSpec s;
    s.fetch = {"https://idp/token", "client", "", "", rt};
    REQUIRE(get_token(s, context(ep, nullptr)));
    std::string why;
    CHECK(read_one_line(rt, "refresh token file", why) == std::optional<std::string>("new-refresh"));
    struct stat st {};
    REQUIRE(::stat(rt.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    (void)get_token(s, context(ep, nullptr));
    CHECK(ep.bodies.at(1).find("refresh_token=new-refresh") != std::string::npos);
  }

  TEST_CASE("redact replaces every occurrence and skips empty secrets") {
    CHECK(redact("a-s-b-s", {"s", ""}) == "a-***-b-***");
    CHECK(redact("nothing", {"", "zz"}) == "nothing");
  }
}
