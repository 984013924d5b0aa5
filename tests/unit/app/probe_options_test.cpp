#include <doctest/doctest.h>

#include <cxxopts.hpp>

#include <optional>
#include <string>
#include <vector>

#include "app/probe_options.hpp"
#include "app/usage_error.hpp"

using namespace mailprobe;
using namespace mailprobe::app;
using report::OutputFormat;

namespace {

/// The options, or the usage error's text.
struct Parsed {
  std::optional<Options> options;
  std::string error;
  explicit operator bool() const { return options.has_value(); }
  const Options& value() const { return options.value(); }
};

const char* no_env(const char*) { return nullptr; }

Parsed parse(std::vector<std::string> args) {
  args.insert(args.begin(), "mailprobe probe");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Parsed p;
  try {
    p.options = parse_probe_options(static_cast<int>(args.size()), argv.data(), false, no_env);
  } catch (const UsageError& e) {
    p.error = e.what();
  } catch (const cxxopts::exceptions::exception& e) {
    p.error = e.what();
  }
  return p;
}

}  // namespace

TEST_SUITE("app::probe_options") {
  TEST_CASE("ports choose the TLS mode as the seed does") {
    auto o = parse({"smtp", "--host", "mx.example.org"});
    REQUIRE(o);
    CHECK(o.value().port == 25);
    CHECK(o.value().tls == TlsMode::starttls);
    CHECK(o.value().timeout.count() == 5000);
    CHECK(o.value().format == OutputFormat::json);
    auto o465 = parse({"smtp", "--target-host", "mx.example.org", "--target-port", "465"});
    REQUIRE(o465);
    CHECK(o465.value().tls == TlsMode::tls);
    auto o587 = parse({"smtp", "-H", "mx", "-p", "587"});
    CHECK(o587.value().tls == TlsMode::starttls);
    auto imaps = parse({"imap", "--host", "mx", "--tls", "tls"});
    CHECK(imaps.value().port == 993);
    auto imap = parse({"imap", "--host", "mx"});
    CHECK(imap.value().port == 143);
    CHECK(imap.value().tls == TlsMode::starttls);
    auto ipv6 = parse({"smtp", "--host", "[::1]", "--tls", "none"});
    REQUIRE(ipv6);
    CHECK(ipv6.value().host == "::1");
  }

  TEST_CASE("bad input is a one-line usage error") {
    for (auto args : std::vector<std::vector<std::string>>{
             {"smtp"},
             {"smtp", "--host", ""},
             {"smtp", "--host", "bad host"},
             {"smtp", "--host", "bad\thost"},
             {"smtp", "--host", "x", "--port", "0"},
             {"smtp", "--host", "x", "--port", "65536"},
             {"smtp", "--host", "x", "--port", "25x"},
             {"smtp", "--host", "x", "--tls", "ssl"},
             {"smtp", "--host", "x", "--timeout", "0"},
             {"smtp", "--host", "x", "--send-email-flag", "maybe"},
             {"smtp", "--host", "x", "--send-email-flag", "True"},
             {"smtp", "--host", "x", "--output-format", "xml"},
             {"pop3", "--host", "x"},
             {"mx"},
             {"mx", "example.org", "--port", "26"},
             {"imap", "--host", "x", "--schema", "seed"},
         }) {
      auto o = parse(args);
      CAPTURE(args.size());
      REQUIRE_FALSE(o);
      CHECK_FALSE(o.error.empty());
      CHECK(o.error.find('\n') == std::string::npos);
    }
  }

  TEST_CASE("seed flag strings") {
    CHECK(parse_flag("True") == true);
    CHECK(parse_flag("False") == false);
    CHECK_FALSE(parse_flag("perhaps"));
    CHECK(parse_port("65535") == 65535);
    CHECK_FALSE(parse_port("-1"));
    CHECK(valid_host("2001:db8::1"));
    CHECK_FALSE(valid_host("a/b"));
  }
}
