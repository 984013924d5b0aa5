#include <doctest/doctest.h>

#include <string>

#include "routes/route_args.hpp"

using namespace mailprobe::routes;

namespace {

std::optional<FlagInfo> flags(std::string_view name) {
  if (name == "junk-is-failure" || name == "insecure") return FlagInfo{FlagKind::boolean, FlagScope::route};
  if (name == "tag") return FlagInfo{FlagKind::list, FlagScope::route};
  if (name == "timeout") return FlagInfo{FlagKind::number, FlagScope::route};
  return FlagInfo{FlagKind::text, FlagScope::route};
}

Setting s(std::string flag, std::vector<std::string> v, int line) { return {std::move(flag), std::move(v), "r.toml", line}; }

}  // namespace

TEST_SUITE("routes::route_args") {
  TEST_CASE("defaults, then the command line, then the route: the option parser keeps the last") {
    RoutesFile f{"r.toml", {s("timeout", {"30"}, 2), s("helo", {"a.example"}, 3)}, {}};
    Route r{"r1", 10, {s("email-from", {"a@x.org"}, 11), s("timeout", {"90"}, 12)}};
    auto a = route_args(f, r, {"--smtp-port", "2525"}, flags);
    // The route's timeout replaces the defaults' (not given twice).
    CHECK(a.argv == std::vector<std::string>{"check", "--helo=a.example", "--smtp-port", "2525",
                                             "--email-from=a@x.org", "--timeout=90"});
    REQUIRE(a.from_file.size() == 3);
  }

  TEST_CASE("a false switch in a route cancels the defaults' true; lists accumulate") {
    RoutesFile f{"r.toml", {s("junk-is-failure", {"true"}, 2), s("tag", {"a=1", "b=2"}, 3)}, {}};
    Route r{"r1", 10, {s("junk-is-failure", {"false"}, 11), s("tag", {"c=3"}, 12), s("insecure", {"true"}, 13)}};
    auto a = route_args(f, r, {"--tag=cli=1"}, flags);
    CHECK(a.argv == std::vector<std::string>{"check", "--tag=a=1", "--tag=b=2", "--tag=cli=1", "--tag=c=3",
                                             "--insecure"});
  }

  TEST_CASE("values starting with '-' stay values") {
    RoutesFile f{"r.toml", {}, {}};
    Route r{"r1", 1, {s("prefix", {"-x"}, 2)}};
    CHECK(route_args(f, r, {}, flags).argv.back() == "--prefix=-x");
  }

  TEST_CASE("an option error is located at the file line of the flag it names") {
    RoutesFile f{"r.toml", {s("smtp-port", {"99999"}, 4)}, {}};
    Route r{"r1", 10, {s("imap-password-file", {"/x"}, 12), s("imap-password", {"y"}, 13)}};
    auto a = route_args(f, r, {}, flags);
    CHECK(locate_error("--smtp-port must be 1-65535", f, r, a) ==
          "r.toml:4: key 'smtp-port': route 'r1': --smtp-port must be 1-65535");
    // The longest flag name wins: --imap-password-file is not --imap-password.
    CHECK(locate_error("cannot read --imap-password-file '/x'", f, r, a) ==
          "r.toml:12: key 'imap-password-file': route 'r1': cannot read --imap-password-file '/x'");
    // A flag that is not in the file (a missing required flag): the route's line.
    CHECK(locate_error("--email-from is required", f, r, a) == "r.toml:10: route 'r1': --email-from is required");
  }
}
