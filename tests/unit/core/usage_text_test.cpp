#include "core/usage_text.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace mailprobe;

namespace {
const std::vector<std::string> kOptions = {"imap-host", "imap-port", "smtp-host", "email-to", "email-from", "timeout"};
}

TEST_SUITE("core::usage_text") {
  TEST_CASE("an unknown option names the nearest known one") {
    CHECK(usage_text("Option \xE2\x80\x98imap-hots\xE2\x80\x99 does not exist", kOptions, {}) ==
          "unknown option --imap-hots (did you mean --imap-host?); see --help");
    CHECK(usage_text("Option \xE2\x80\x98" "emial-to\xE2\x80\x99 does not exist", kOptions, {}) ==
          "unknown option --emial-to (did you mean --email-to?); see --help");
    CHECK(usage_text("Option \xE2\x80\x98zzzzzz\xE2\x80\x99 does not exist", kOptions, {}) ==
          "unknown option --zzzzzz; see --help");
    CHECK(usage_text("Option \xE2\x80\x98V\xE2\x80\x99 does not exist", kOptions, {}) == "unknown option -V; see --help");
  }

  TEST_CASE("a value that does not parse names its option") {
    CHECK(usage_text("Argument \xE2\x80\x98" "abc\xE2\x80\x99 failed to parse", kOptions, {"--timeout", "abc"}) ==
          "--timeout: 'abc' is not a number");
    CHECK(usage_text("Argument \xE2\x80\x98" "abc\xE2\x80\x99 failed to parse", kOptions, {"--timeout=abc"}) ==
          "--timeout: 'abc' is not a number");
  }

  TEST_CASE("missing and gratuitous values") {
    CHECK(usage_text("Option \xE2\x80\x98timeout\xE2\x80\x99 is missing an argument", kOptions, {}) ==
          "--timeout needs a value");
    CHECK(usage_text("Option \xE2\x80\x98help\xE2\x80\x99 does not take an argument, but argument "
                     "\xE2\x80\x98x\xE2\x80\x99 given", kOptions, {}) == "--help takes no value, but got 'x'");
  }

  TEST_CASE("closest refuses ties and far words") {
    CHECK(closest("imap-prot", kOptions) == std::optional<std::string>("imap-port"));
    CHECK_FALSE(closest("host", {"hast", "hust"}));
    CHECK_FALSE(closest("completely-different", kOptions));
  }

  TEST_CASE("long options are read from a cxxopts help text") {
    CHECK(long_options_in_help("Usage:\n  mailprobe check [OPTION...]\n\n IMAP options:\n"
                               "      --imap-host arg  IMAP server\n  -t, --timeout arg  overall\n"
                               "                       deadline\n") ==
          std::vector<std::string>{"imap-host", "timeout"});
  }
}
