#include <doctest/doctest.h>

#include <cxxopts.hpp>

#include <string>
#include <vector>

#include "app/commands.hpp"
#include "app/flags.hpp"
#include "app/run_command.hpp"
#include "app/usage_error.hpp"
#include "core/exit_code.hpp"

using namespace mailprobe;
using namespace mailprobe::app;

namespace {

struct Argv {
  std::vector<std::string> s;
  std::vector<char*> p;
  explicit Argv(std::vector<std::string> a) : s(std::move(a)) {
    for (auto& x : s) p.push_back(x.data());
    p.push_back(nullptr);
  }
  int argc() const { return static_cast<int>(p.size() - 1); }
  char** argv() { return p.data(); }
};

cxxopts::ParseResult parse_imap(cxxopts::Options& o, std::vector<std::string> args) {
  args.insert(args.begin(), "t");
  Argv a(std::move(args));
  return o.parse(a.argc(), a.argv());
}

const char* no_env(const char*) { return nullptr; }

}  // namespace

TEST_SUITE("app::flags") {
  TEST_CASE("the IMAP flag group refuses a mailbox that needs a literal, with the same words for everyone") {
    cxxopts::Options o("t");
    add_imap_flags(o, "mailbox");
    std::vector<std::string> warnings;
    auto r = parse_imap(o, {"--imap-host", "imap.example", "--imap-username", "bob", "--imap-password", "pw",
                            "--imap-mailbox", "Entw\xC3\xBCrfe"});
    CHECK_THROWS_WITH_AS(parse_imap_flags(r, no_env, warnings), doctest::Contains("--imap-mailbox must be ASCII"),
                         UsageError);
  }

  TEST_CASE("check and cleanup both turn --imap-mailbox Entwürfe into exit code 2 before any I/O") {
    const std::vector<std::string> imap = {"--imap-host", "imap.example", "--imap-username", "bob",
                                           "--imap-password", "pw", "--imap-mailbox", "Entw\xC3\xBCrfe"};
    std::vector<std::string> check = {"mailprobe check", "--email-from", "a@example.org", "--email-to",
                                      "b@example.org", "--smtp-host", "smtp.example"};
    check.insert(check.end(), imap.begin(), imap.end());
    std::vector<std::string> cleanup = {"mailprobe cleanup"};
    cleanup.insert(cleanup.end(), imap.begin(), imap.end());
    Argv a(check), b(cleanup);
    CHECK(run_command("mailprobe check", run_check_command, a.argc(), a.argv()) == to_int(ExitCode::usage));
    CHECK(run_command("mailprobe cleanup", run_cleanup_command, b.argc(), b.argv()) == to_int(ExitCode::usage));
  }

  TEST_CASE("a cxxopts parse error is a usage error too") {
    Argv a({"mailprobe probe", "smtp", "--no-such-flag"});
    CHECK(run_command("mailprobe probe", run_probe_command, a.argc(), a.argv()) == to_int(ExitCode::usage));
  }

  TEST_CASE("--output-format names the formats a command offers") {
    cxxopts::Options o("t");
    o.add_options()("output-format", "", cxxopts::value<std::string>());
    using report::OutputFormat;
    auto none = parse_imap(o, {});
    CHECK(output_format_of(none, {OutputFormat::json, OutputFormat::text}, OutputFormat::text) == OutputFormat::text);
    auto influx = parse_imap(o, {"--output-format", "influx"});
    CHECK(output_format_of(influx, {OutputFormat::json, OutputFormat::influx}, OutputFormat::json) ==
          OutputFormat::influx);
    CHECK_THROWS_WITH_AS(output_format_of(influx, {OutputFormat::json, OutputFormat::text}, OutputFormat::json),
                         "--output-format must be json or text, got 'influx'", UsageError);
  }
}
