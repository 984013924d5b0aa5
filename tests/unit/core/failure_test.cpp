#include <doctest/doctest.h>

#include <set>
#include <string>

#include "core/failure.hpp"
#include "core/token.hpp"

using namespace mailprobe;

TEST_SUITE("core::failure") {
  TEST_CASE("result tokens are unique and codes are dense from success=0") {
    std::set<std::string> seen;
    int expected = 0;
    for (Result r : all_results()) {
      CHECK(result_code(r) == expected++);
      CHECK(seen.insert(std::string(to_string(r))).second);
    }
    CHECK(to_string(Result::success) == "success");
    CHECK(result_code(Result::success) == 0);
  }

  TEST_CASE("an Outcome holds either a value or the failing stage") {
    Outcome<int> good = 5;
    REQUIRE(good);
    CHECK(good.value() == 5);
    Outcome<int> bad = Failure(Stage::smtp_rcpt, Result::perm_reject, "5.1.1 unknown", 550);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().stage == Stage::smtp_rcpt);
    CHECK(bad.error().reply_code == 550);
    CHECK(to_string(bad.error().stage) == "smtp_rcpt");
  }

  TEST_CASE("tokens are 32 hex characters and differ") {
    auto a = random_token();
    auto b = random_token();
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->size() == 32);
    CHECK(a->find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(*a != *b);
  }
}
