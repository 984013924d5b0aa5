#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "probe/options.hpp"
#include "probe/seed_json.hpp"

using namespace mailprobe;
using namespace mailprobe::probe;

namespace {

Outcome<Options> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "mailprobe probe");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return parse_options(static_cast<int>(args.size()), argv.data(), false);
}

}  // namespace

TEST_SUITE("probe::options") {
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
      CHECK(o.error().stage == Stage::config);
      CHECK(o.error().reply_text.find('\n') == std::string::npos);
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

TEST_SUITE("probe::seed_json") {
  TEST_CASE("Python reprs match smtplib output") {
    CHECK(python_bytes_repr("2.0.0 OK") == "b'2.0.0 OK'");
    CHECK(python_bytes_repr("it's") == "b\"it's\"");
    CHECK(python_bytes_repr("a\nb") == "b'a\\nb'");
    CHECK(python_list_repr({"PIPELINING", "SIZE 33554432"}) == "['PIPELINING', 'SIZE 33554432']");
    CHECK(python_list_repr({}) == "[]");
  }

  TEST_CASE("a connect failure uses the seed's retcode/errcode shape") {
    ProbeResult r;
    r.host = "kazi.fit.vutbr.cz123";
    r.port = 25;
    r.result = Result::dns_error;
    r.stage = Stage::smtp_connect;
    auto j = to_seed_json(r);
    CHECK(j == "{\"output\":{\"target_host\":\"kazi.fit.vutbr.cz123\",\"target_port\":\"25\","
               "\"retcode\":\"ERROR: on port 25 can't connect.\",\"errcode\":\"[Errno -2] Name or "
               "service not known\"},\"queue\":{\"target_host\":\"kazi.fit.vutbr.cz123\","
               "\"target_port\":\"25\",\"retcode\":\"ERROR: on port 25 can't connect.\","
               "\"errcode\":\"[Errno -2] Name or service not known\"}}");
  }
}
