#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>

#include "auth/token_cache.hpp"
#include "unit/report/temp_dir.hpp"

using namespace mailprobe;
using namespace mailprobe::auth;
using std::chrono::seconds;

namespace {

// A fake wall clock: tests move time explicitly.
WallClock::time_point at(long long unix_seconds) { return WallClock::time_point(seconds(unix_seconds)); }

}  // namespace

TEST_SUITE("auth::token_cache") {
  TEST_CASE("renewal is a fifth of the lifetime early, at most five minutes") {
    CHECK(renew_at({"t", 1000, 1000 + 3599}) == 1000 + 3599 - 300);
    CHECK(renew_at({"t", 1000, 1020}) == 1016);
    CHECK(renew_at({"t", 1000, 1000}) == 1000);
  }

  TEST_CASE("a token is served until its renewal point, then not") {
    TokenCache c;
    CHECK(c.store("k", "tok", at(1000), seconds(20)).empty());
    CHECK(c.lookup("k", at(1000)) == std::optional<std::string>("tok"));
    CHECK(c.lookup("k", at(1015)) == std::optional<std::string>("tok"));
    CHECK(!c.lookup("k", at(1016)));
    CHECK(!c.lookup("other", at(1000)));
  }

  TEST_CASE("zero lifetime is never cached; forget drops an entry") {
    TokenCache c;
    (void)c.store("k", "tok", at(1000), seconds(0));
    CHECK(!c.lookup("k", at(1000)));
    (void)c.store("k", "tok", at(1000), seconds(3600));
    c.forget("k");
    CHECK(!c.lookup("k", at(1001)));
  }

  TEST_CASE("the file is shared between instances, mode 0600, and drops expired entries") {
    report::testing::TempDir dir;
    std::string file = dir.path() + "/state.oauth2-tokens";
    {
      TokenCache a(file);
      CHECK(a.store(cache_key({"old"}), "old-token", at(900), seconds(50)).empty());
      CHECK(a.store(cache_key({"new"}), "new-token", at(1000), seconds(3600)).empty());
    }
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(text.find("new-token") != std::string::npos);
    CHECK(text.find("old-token") == std::string::npos);  // expired at 950, dropped at 1000
    TokenCache b(file);  // a later one-shot run
    CHECK(b.lookup(cache_key({"new"}), at(2000)) == std::optional<std::string>("new-token"));
    b.forget(cache_key({"new"}));
    TokenCache c(file);
    CHECK(!c.lookup(cache_key({"new"}), at(2000)));
  }

  TEST_CASE("an unwritable cache file is reported, the memory copy still works") {
    TokenCache c("/nonexistent-dir/x/tokens");
    CHECK(!c.store("k", "tok", at(1000), seconds(60)).empty());
    CHECK(c.lookup("k", at(1001)) == std::optional<std::string>("tok"));
  }

  TEST_CASE("file format: garbage lines are skipped, keys are 16 hex digits") {
    std::string key = cache_key({"https://idp/token", "client", "scope", ""});
    CHECK(key.size() == 16);
    CHECK(key != cache_key({"https://idp/token", "client", "scop", "e"}));
    auto m = parse_cache_file("v1 " + key + " 10 20 tok\nv2 x 1 2 t\nv1 short 1 2 t\nv1 " + key.substr(0, 15) +
                              "z 1 two t\n\n");
    REQUIRE(m.size() == 1);
    CHECK(m[key].token == "tok");
    CHECK(m[key].expires == 20);
    CHECK(parse_cache_file(render_cache_file(m)).at(key).obtained == 10);
  }
}
