#include <doctest/doctest.h>

#include "probe/mx_rank.hpp"

using namespace mailprobe;
using namespace mailprobe::probe;

namespace {
MxTarget target(int pref, const char* host, const char* addr, bool ok, std::int64_t connect_us) {
  MxTarget t;
  t.mx.preference = static_cast<std::uint16_t>(pref);
  t.mx.host = host;
  t.address = addr;
  t.probe.result = ok ? Result::success : Result::connection_refused;
  t.probe.connect_us = connect_us;
  return t;
}
}  // namespace

TEST_SUITE("probe::mx_rank") {
  TEST_CASE("preference first, then healthy, then latency") {
    std::vector<MxTarget> v = {target(20, "b", "10.0.0.3", true, 100), target(10, "a", "10.0.0.2", true, 900),
                               target(10, "a", "10.0.0.1", true, 300), target(10, "c", "10.0.0.9", false, 10)};
    rank_mx(v);
    CHECK(v[0].address == "10.0.0.1");
    CHECK(v[1].address == "10.0.0.2");
    CHECK(v[2].address == "10.0.0.9");
    CHECK(v[3].mx.host == "b");
    auto recs = mx_records("example.org", v, nullptr, WallClock::now());
    REQUIRE(recs.size() == 4);
    CHECK(recs[0].find("rank") != nullptr);
    CHECK(std::get<std::int64_t>(recs[0].find("rank")->value) == 1);
  }

  TEST_CASE("a lookup failure is one dns_error record at stage dns_mx") {
    Failure f(Stage::dns_mx, Result::dns_error, "NXDOMAIN");
    auto recs = mx_records("nope.example", {}, &f, WallClock::now());
    REQUIRE(recs.size() == 1);
    CHECK(recs[0].result == Result::dns_error);
    CHECK(recs[0].stage == Stage::dns_mx);
    CHECK_FALSE(recs[0].success);
  }
}
