#include <doctest/doctest.h>

#include <fcntl.h>

#include <utility>

#include "core/unique_fd.hpp"

using mailprobe::UniqueFd;

namespace {

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

}  // namespace

TEST_SUITE("core::unique_fd") {
  TEST_CASE("the owner closes exactly once, and a move hands ownership over") {
    int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(raw >= 0);
    {
      UniqueFd a(raw);
      UniqueFd b(std::move(a));
      CHECK_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): the moved-from state is the contract
      CHECK(b.get() == raw);
      CHECK(is_open(raw));
    }
    CHECK_FALSE(is_open(raw));
  }

  TEST_CASE("release gives the descriptor up without closing it; close reports close()") {
    UniqueFd a(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    REQUIRE(a);
    int raw = a.release();
    CHECK_FALSE(a);
    CHECK(is_open(raw));
    UniqueFd b(raw);
    CHECK(b.close() == 0);
    CHECK_FALSE(is_open(raw));
    CHECK(b.close() == 0);  // nothing left to close
  }

  TEST_CASE("move assignment closes what the target held") {
    int first = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    UniqueFd a(first);
    UniqueFd b(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    int second = b.get();
    a = std::move(b);
    CHECK(a.get() == second);
    CHECK_FALSE(is_open(first));
  }
}
