#include <doctest/doctest.h>

#include "routes/route_selection.hpp"

using namespace mailprobe::routes;

TEST_SUITE("routes::route_selection") {
  const std::vector<std::string> names{"a", "b", "c"};

  TEST_CASE("an empty trigger line runs every route") {
    CHECK(select_routes(names, {""}).routes == std::vector<std::size_t>{0, 1, 2});
    CHECK(select_routes(names, {"  \t"}).routes == std::vector<std::size_t>{0, 1, 2});
  }

  TEST_CASE("a line of names runs those, in file order; unknown names are reported") {
    auto s = select_routes(names, {"c a x"});
    CHECK(s.routes == std::vector<std::size_t>{0, 2});
    CHECK(s.unknown == std::vector<std::string>{"x"});
  }

  TEST_CASE("queued lines are one trigger: the union, or all when one is empty") {
    CHECK(select_routes(names, {"a", "b"}).routes == std::vector<std::size_t>{0, 1});
    CHECK(select_routes(names, {"a", ""}).routes == std::vector<std::size_t>{0, 1, 2});
  }
}
