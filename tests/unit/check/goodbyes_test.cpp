#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "check/goodbyes.hpp"

using mailprobe::check::Goodbyes;

namespace {
/// Records its name in `log` when destroyed (its "goodbye").
struct Farewell {
  Farewell(std::vector<std::string>* l, std::string n) : log(l), name(std::move(n)) {}
  Farewell(const Farewell&) = delete;
  Farewell& operator=(const Farewell&) = delete;
  ~Farewell() { log->push_back(name); }
  std::vector<std::string>* log;
  std::string name;
};
std::unique_ptr<Farewell> farewell(std::vector<std::string>& log, std::string name) {
  return std::make_unique<Farewell>(&log, std::move(name));
}
}  // namespace

TEST_SUITE("check::goodbyes") {
  TEST_CASE("nothing is said goodbye to before wait() or destruction, then newest first") {
    std::vector<std::string> log;
    {
      Goodbyes g;
      g.adopt(farewell(log, "smtp leg"));
      g.adopt(farewell(log, "pool"));
      g.adopt(std::unique_ptr<Farewell>());  // null: ignored
      CHECK(log.empty());
      CHECK_FALSE(g.empty());
    }
    CHECK(log == std::vector<std::string>{"pool", "smtp leg"});
  }

  TEST_CASE("adopting another's goodbyes moves them; move-assignment waits for the old ones first") {
    std::vector<std::string> log;
    Goodbyes a, b;
    a.adopt(farewell(log, "a1"));
    b.adopt(farewell(log, "b1"));
    a.adopt(std::move(b));
    CHECK(b.empty());
    CHECK(log.empty());
    Goodbyes c;
    c.adopt(farewell(log, "c1"));
    c = std::move(a);  // c1 goes first, then c holds a1 and b1
    CHECK(log == std::vector<std::string>{"c1"});
    c.wait();
    CHECK(log == std::vector<std::string>{"c1", "b1", "a1"});
    CHECK(c.empty());
  }
}
