#include <doctest/doctest.h>

#include "check/side_legs.hpp"
#include "routes/junk_gate.hpp"

using namespace mailprobe;
using namespace mailprobe::routes;
using namespace std::chrono;

namespace {
const SteadyClock::time_point t0 = SteadyClock::time_point{} + seconds(1000);  // a fake clock's zero
}

TEST_SUITE("routes::junk_gate") {
  TEST_CASE("nothing held: never open, look again within the longest step") {
    auto d = junk_decision({}, t0);
    CHECK_FALSE(d.open_now);
    CHECK(d.wake == t0 + milliseconds(50));
  }

  TEST_CASE("a probe still sending (unarmed) does not open the folder") {
    auto d = junk_decision({HeldProbe{}}, t0 + seconds(30));
    CHECK_FALSE(d.open_now);
  }

  TEST_CASE("half a second after its 250 a probe unseen in the mailbox opens the folder") {
    const HeldProbe p{t0, t0 + seconds(20)};
    auto before = junk_decision({p}, t0 + check::kJunkOpensAfter - milliseconds(1));
    CHECK_FALSE(before.open_now);
    CHECK(before.wake == t0 + check::kJunkOpensAfter);  // wakes exactly when it comes due
    CHECK(junk_decision({p}, t0 + check::kJunkOpensAfter).open_now);
  }

  TEST_CASE("across a WAN the probe gets two more round trips (its own junk_after)") {
    const HeldProbe p{t0, t0 + seconds(20), check::kJunkOpensAfter + milliseconds(300)};
    CHECK_FALSE(junk_decision({p}, t0 + check::kJunkOpensAfter).open_now);
    CHECK(junk_decision({p}, t0 + check::kJunkOpensAfter + milliseconds(299)).wake ==
          t0 + check::kJunkOpensAfter + milliseconds(300));
    CHECK(junk_decision({p}, t0 + check::kJunkOpensAfter + milliseconds(300)).open_now);
  }

  TEST_CASE("a wait that ends sooner than that opens the folder at its end (the verdict must look there)") {
    const HeldProbe short_wait{t0, t0 + milliseconds(200)};
    auto d = junk_decision({short_wait}, t0 + milliseconds(100));
    CHECK_FALSE(d.open_now);
    CHECK(d.wake == t0 + milliseconds(150));  // at most the longest step ahead
    CHECK(junk_decision({short_wait}, t0 + milliseconds(160)).wake == t0 + milliseconds(200));
    CHECK(junk_decision({short_wait}, t0 + milliseconds(200)).open_now);
  }

  TEST_CASE("the first of several probes to come due decides") {
    const HeldProbe late{t0 + milliseconds(400), t0 + seconds(20)};
    const HeldProbe early{t0 + milliseconds(10), t0 + seconds(20)};
    auto d = junk_decision({late, early}, t0 + milliseconds(480));
    CHECK_FALSE(d.open_now);
    CHECK(d.wake == t0 + milliseconds(510));
  }

  TEST_CASE("opening is bounded by the held routes' time, never past the run's deadline") {
    const HeldProbe a{t0, t0 + seconds(3)}, b{t0, t0 + seconds(8)};
    CHECK(junk_open_bound({a, b}, t0 + seconds(1), t0 + seconds(60)) == t0 + seconds(10));  // latest wait + 2 s
    CHECK(junk_open_bound({a, b}, t0 + seconds(1), t0 + seconds(9)) == t0 + seconds(9));
    CHECK(junk_open_bound({HeldProbe{}}, t0, t0 + seconds(60)) == t0 + seconds(2));  // unarmed: from now
  }
}
