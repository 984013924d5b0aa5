#include "report/nagios.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "sample_table.hpp"

using namespace mailprobe;
using namespace mailprobe::report;
using testing::make_record;
using testing::Sample;

namespace {

Range range(const char* text) { return parse_range(text).value(); }

NagiosResult render(const Record& r, const char* warn, const char* crit) {
  std::optional<Range> w = warn ? std::optional<Range>(range(warn)) : std::nullopt;
  std::optional<Range> c = crit ? std::optional<Range>(range(crit)) : std::nullopt;
  return to_nagios(r, "MAILPROBE", w, c, "delivery_seconds");
}

const std::string kPerfTail = " send_seconds=0.412s connect_us=12345us message_bytes=2048B\n";

}  // namespace

TEST_SUITE("report::nagios") {
  TEST_CASE("a delivery under both thresholds is OK with thresholds on its perfdata item") {
    NagiosResult n = render(make_record(Sample{}), "30", "60");
    CHECK(n.exit_code == 0);
    CHECK(n.text ==
          "MAILPROBE OK - relay1 delivered in 7.9 s | delivered=1 "
          "delivery_seconds=7.93s;30;60" +
              kPerfTail);
  }

  TEST_CASE("crossing warn is WARNING, crossing crit is CRITICAL, crit wins") {
    NagiosResult w = render(make_record(Sample{}), "5", "60");
    CHECK(w.exit_code == 1);
    CHECK(w.text ==
          "MAILPROBE WARNING - relay1 delivered in 7.9 s | delivered=1 "
          "delivery_seconds=7.93s;5;60" +
              kPerfTail);
    NagiosResult c = render(make_record(Sample{}), "5", "7.5");
    CHECK(c.exit_code == 2);
    CHECK(c.text ==
          "MAILPROBE CRITICAL - relay1 delivered in 7.9 s | delivered=1 "
          "delivery_seconds=7.93s;5;7.5" +
              kPerfTail);
  }

  TEST_CASE("an inside (@) range alerts when the value lies in it") {
    NagiosResult n = render(make_record(Sample{}), nullptr, "@0:10");
    CHECK(n.exit_code == 2);
    CHECK(n.text ==
          "MAILPROBE CRITICAL - relay1 delivered in 7.9 s | delivered=1 "
          "delivery_seconds=7.93s;;@10" +
              kPerfTail);
  }

  TEST_CASE("without thresholds a success is OK and no item carries ';'") {
    NagiosResult n = render(make_record(Sample{}), nullptr, nullptr);
    CHECK(n.exit_code == 0);
    CHECK(n.text ==
          "MAILPROBE OK - relay1 delivered in 7.9 s | delivered=1 "
          "delivery_seconds=7.93s" +
              kPerfTail);
  }

  TEST_CASE("a failed run is CRITICAL and its absent values are U") {
    Sample s;
    s.delivered = false;
    s.delivery_seconds.reset();
    s.connect_us.reset();
    NagiosResult n = render(make_record(s, "relay1: not delivered within 120 s"), "30", "60");
    CHECK(n.exit_code == 2);
    CHECK(n.text ==
          "MAILPROBE CRITICAL - relay1: not delivered within 120 s | delivered=0 "
          "delivery_seconds=U;30;60 send_seconds=0.412s connect_us=U "
          "message_bytes=2048B\n");
  }

  TEST_CASE("an internal error is UNKNOWN: the plugin could not decide") {
    Record r = make_record(Sample{}, "internal error: out of memory");
    r.success = false;
    r.result = Result::internal_error;
    NagiosResult n = render(r, "30", "60");
    CHECK(n.exit_code == 3);
    CHECK(n.text ==
          "MAILPROBE UNKNOWN - internal error: out of memory | delivered=1 "
          "delivery_seconds=7.93s;30;60" +
              kPerfTail);
  }

  TEST_CASE("thresholds without a value to compare are UNKNOWN and say so") {
    Sample s;
    s.delivery_seconds.reset();
    NagiosResult n = render(make_record(s), "30", "60");
    CHECK(n.exit_code == 3);
    CHECK(n.text ==
          "MAILPROBE UNKNOWN - relay1 delivered in 7.9 s (no delivery_seconds value "
          "to compare with the thresholds) | delivered=1 delivery_seconds=U;30;60" +
              kPerfTail);
  }

  TEST_CASE("the status line cannot be split by '|' or newlines in the summary") {
    NagiosResult n = to_nagios(make_record(Sample{}, "450 a|b\r\nnext line"), "MAIL\nCHECK",
                               std::nullopt, std::nullopt, "delivery_seconds");
    CHECK(n.text.rfind("MAIL CHECK OK - 450 a/b next line | delivered=1 ", 0) == 0);
    CHECK(n.text.find('\n') == n.text.size() - 1);
  }

  TEST_CASE("an empty service label falls back to MAILPROBE") {
    NagiosResult n = to_nagios(make_record(Sample{}), "", std::nullopt, std::nullopt, "x");
    CHECK(n.text.rfind("MAILPROBE OK - ", 0) == 0);
  }

  TEST_CASE("large and tiny values use plain decimals, never an exponent") {
    Sample s;
    s.delivery_seconds = 1e20;
    s.send_seconds = 1e-7;
    s.message_bytes = std::numeric_limits<std::int64_t>::max();
    NagiosResult n = render(make_record(s), nullptr, nullptr);
    CHECK(n.text.find(" delivery_seconds=100000000000000000000s send_seconds=0.0000001s ") !=
          std::string::npos);
    CHECK(n.text.find(" message_bytes=9223372036854775807B\n") != std::string::npos);
    CHECK(n.text.find("e+") == std::string::npos);
    CHECK(n.text.find("e-") == std::string::npos);
  }

  TEST_CASE("perfdata labels are quoted only for spaces or quotes, '=' is replaced") {
    CHECK(perf_label("delivery_seconds") == "delivery_seconds");
    CHECK(perf_label("smtp time") == "'smtp time'");
    CHECK(perf_label("it's") == "'it''s'");
    CHECK(perf_label("a=b") == "a_b");
    CHECK(perf_label("tab\there") == "'tab here'");
  }
}
