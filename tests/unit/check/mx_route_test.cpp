#include <doctest/doctest.h>

#include "check/mx_route.hpp"

using namespace mailprobe::check;

TEST_SUITE("check::mx_route") {
  TEST_CASE("mx: takes the recipient's domain; mx:DOMAIN names it; other hosts are not MX mode") {
    CHECK(mx_domain("mx:", "bob@example.org") == "example.org");
    CHECK(mx_domain("mx:other.net", "bob@example.org") == "other.net");
    CHECK_FALSE(mx_domain("mail.example.org", "bob@example.org"));
  }

  TEST_CASE("preference first, then reachable, then lowest connect latency (seed 001)") {
    std::vector<MxCandidate> c = {
        {"b", "192.0.2.2", 10, 900},   {"a", "192.0.2.1", 10, 300}, {"dead", "192.0.2.9", 5, std::nullopt},
        {"up", "192.0.2.8", 5, 5000},  {"z", "192.0.2.3", 20, 1},
    };
    order_candidates(c);
    std::vector<std::string> hosts;
    for (const auto& x : c) hosts.push_back(x.host);
    CHECK(hosts == std::vector<std::string>{"up", "dead", "a", "b", "z"});
  }
}
