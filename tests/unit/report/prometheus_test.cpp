#include "report/prometheus.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

#include "sample_table.hpp"
#include "temp_dir.hpp"

using namespace mailprobe;
using namespace mailprobe::report;
using testing::make_record;
using testing::Sample;

namespace {

const std::string kLabels = R"({probe="relay1"})";
const std::string kRun = "Unix time at which the last run started.";
const std::string kLastOk = "Unix time at which the last successful run started (kept across runs).";
const std::string kInfo = "Always 1; the labels say how the last run ended.";

/// Gauge lines for one metric, as to_prometheus() writes them.
std::string gauge(const std::string& name, const std::string& help, const std::string& labels,
                  const std::string& value, const std::string& prefix = "mailprobe_check_") {
  std::string out = "# HELP " + prefix + name + " " + help + "\n";
  out += "# TYPE " + prefix + name + " gauge\n";
  out += prefix + name + labels + " " + value + "\n";
  return out;
}

/// promtool's verdict on `text`, or -1 when promtool is not installed.
int promtool_check(const std::string& text) {
  if (::access("/usr/bin/promtool", X_OK) != 0) return -1;
  testing::TempDir dir;
  std::string file = dir.path() + "/metrics.prom";
  REQUIRE(write_textfile(file, text));
  std::string cmd = "/usr/bin/promtool check metrics < " + file + " > " + dir.path() + "/out 2>&1";
  return std::system(cmd.c_str());
}

}  // namespace

TEST_SUITE("report::prometheus") {
  TEST_CASE("numeric fields become gauges with identity tags as labels; the outcome is on one info series") {
    CHECK(to_prometheus(make_record(Sample{})) ==
          gauge("delivered", "Message delivered", kLabels, "1") +
              gauge("result_code", "Result code", kLabels, "0") +
              gauge("delivery_seconds", "Delivery time", kLabels, "7.93") +
              gauge("send_seconds", "SMTP submission time", kLabels, "0.412") +
              gauge("connect_us", "TCP connect time", kLabels, "12345") +
              gauge("message_bytes", "Message size", kLabels, "2048") +
              gauge("clock_skew_seconds", "clock_skew_seconds", kLabels, "-0.25") +
              gauge("success", "1 if the last run succeeded, else 0.", kLabels, "1") +
              gauge("last_run_timestamp_seconds", kRun, kLabels, "1755800000.5") +
              gauge("last_success_timestamp_seconds", kLastOk, kLabels, "1755800000.5") +
              gauge("outcome_info", kInfo, R"({probe="relay1",result="success"})", "1"));
  }

  TEST_CASE("absent and NaN values print no metric family at all") {
    Sample s;
    s.delivered = false;
    s.result = "not_delivered";
    s.delivery_seconds = std::nan("");
    s.connect_us.reset();
    const std::string labels = kLabels;
    CHECK(to_prometheus(make_record(s)) ==
          gauge("delivered", "Message delivered", labels, "0") +
              gauge("result_code", "Result code", labels, "0") +
              gauge("send_seconds", "SMTP submission time", labels, "0.412") +
              gauge("message_bytes", "Message size", labels, "2048") +
              gauge("clock_skew_seconds", "clock_skew_seconds", labels, "-0.25") +
              gauge("success", "1 if the last run succeeded, else 0.", labels, "0") +
              gauge("last_run_timestamp_seconds", kRun, labels, "1755800000.5") +
              gauge("outcome_info", kInfo, R"({probe="relay1",result="not_delivered"})", "1"));
  }

  TEST_CASE("a failed run keeps the last success time of the file it replaces") {
    std::string first = to_prometheus(make_record(Sample{}));
    Sample s;
    s.delivered = false;
    s.result = "not_delivered";
    Record failed = make_record(s);
    failed.time += std::chrono::seconds(3600);
    std::string second = to_prometheus(failed, first);
    CHECK(second.find("mailprobe_check_last_success_timestamp_seconds{probe=\"relay1\"} 1755800000.5\n") !=
          std::string::npos);
    CHECK(second.find("mailprobe_check_last_run_timestamp_seconds{probe=\"relay1\"} 1755803600.5\n") !=
          std::string::npos);
    // Another identity (a different probe) does not inherit it.
    s.probe = "relay2";
    CHECK(to_prometheus(make_record(s), first).find("last_success") == std::string::npos);
    // And a success writes its own time.
    Record ok = make_record(Sample{});
    ok.time += std::chrono::seconds(7200);
    CHECK(to_prometheus(ok, second).find("last_success_timestamp_seconds{probe=\"relay1\"} 1755807200.5\n") !=
          std::string::npos);
  }

  TEST_CASE("write_prometheus_textfile carries the last success over in the file itself") {
    testing::TempDir dir;
    std::string file = dir.path() + "/check.prom";
    Record ok = make_record(Sample{});
    REQUIRE(write_prometheus_textfile(file, std::span<const Record>(&ok, 1)));
    Sample s;
    s.delivered = false;
    Record failed = make_record(s);
    failed.time += std::chrono::seconds(60);
    REQUIRE(write_prometheus_textfile(file, std::span<const Record>(&failed, 1)));
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    CHECK(text.find("mailprobe_check_success{probe=\"relay1\"} 0\n") != std::string::npos);
    CHECK(text.find("mailprobe_check_last_success_timestamp_seconds{probe=\"relay1\"} 1755800000.5\n") !=
          std::string::npos);
  }

  TEST_CASE("each command has its own metric names") {
    CHECK(family_prefix("mail_delivery") == "mailprobe_check_");
    CHECK(family_prefix("smtp_probe") == "mailprobe_probe_smtp_");
    CHECK(family_prefix("imap_probe") == "mailprobe_probe_imap_");
    CHECK(family_prefix("mx_probe") == "mailprobe_probe_mx_");
    CHECK(family_prefix("") == "mailprobe_");
    CHECK(family_prefix("mail delivery") == "mailprobe_mail_delivery_");
  }

  TEST_CASE("hostile label values are escaped and controls removed") {
    static const FieldSpec kProbe{"probe", Type::string, Role::tag, "", kPrometheus, ""};
    static const FieldSpec kServer{"server", Type::string, Role::tag, "", kPrometheus, ""};
    Record r;
    r.measurement = "mail delivery";
    r.success = true;
    r.cells = {{&kServer, Value{std::string("\xC3\xBC.example\xFF")}},
               {&kProbe, Value{std::string("relay 1,\"eu\"\\west\nx=y")}}};
    const std::string labels = R"({probe="relay 1,\"eu\"\\west x=y",)"
                               R"(server=")"
                               "\xC3\xBC.example\xEF\xBF\xBD"
                               R"("})";
    const std::string p = "mailprobe_mail_delivery_";
    CHECK(to_prometheus(r) == gauge("success", "1 if the last run succeeded, else 0.", labels, "1", p) +
                                  gauge("last_run_timestamp_seconds", kRun, labels, "0", p) +
                                  gauge("last_success_timestamp_seconds", kLastOk, labels, "0", p));
  }

  TEST_CASE("a success cell of the table replaces the built-in one") {
    static const FieldSpec kSuccess{"success", Type::boolean, Role::field, "", kAll, "Custom"};
    Record r;
    r.measurement = "smtp_probe";
    r.success = false;
    r.cells = {{&kSuccess, Value{true}}};
    const std::string p = "mailprobe_probe_smtp_";
    CHECK(to_prometheus(r) == gauge("success", "Custom", "", "1", p) + gauge("last_run_timestamp_seconds", kRun, "", "0", p));
  }

  TEST_CASE("large, tiny and negative values and timestamps use Go-parsable floats") {
    static const FieldSpec kBig{"big", Type::integer, Role::field, "", kPrometheus, ""};
    static const FieldSpec kTiny{"tiny", Type::number, Role::field, "", kPrometheus, ""};
    static const FieldSpec kHuge{"huge", Type::number, Role::field, "", kPrometheus, ""};
    static const FieldSpec kWhen{
        "sent_timestamp_seconds", Type::timestamp, Role::field, "s", kPrometheus, ""};
    static const FieldSpec kText{"error", Type::string, Role::field, "", kPrometheus, ""};
    Record r;
    r.measurement = "mail_delivery";
    r.cells = {{&kBig, Value{std::numeric_limits<std::int64_t>::min()}},
               {&kTiny, Value{-1e-9}},
               {&kHuge, Value{1e300}},
               {&kWhen, Value{testing::sample_time()}},
               {&kText, Value{std::string("not a number")}}};
    const std::string labels;
    CHECK(to_prometheus(r) ==
          gauge("big", "big", labels, "-9223372036854775808") +
              gauge("tiny", "tiny", labels, "-1e-09") + gauge("huge", "huge", labels, "1e+300") +
              gauge("sent_timestamp_seconds", "sent_timestamp_seconds", labels, "1755800000.5") +
              gauge("success", "1 if the last run succeeded, else 0.", labels, "0") +
              gauge("last_run_timestamp_seconds", kRun, labels, "0"));
  }

  TEST_CASE("help text escapes backslashes and loses newlines") {
    static const FieldSpec kOdd{"odd", Type::integer, Role::field, "", kPrometheus, "a\\b\nc"};
    Record r;
    r.cells = {{&kOdd, Value{std::int64_t{1}}}};
    CHECK(to_prometheus(r).find("# HELP mailprobe_odd a\\\\b c\n") == 0);
  }

  TEST_CASE("metric and label names are reduced to [a-zA-Z0-9_]") {
    CHECK(metric_name("mailprobe_", "smtp-connect.time:s") == "mailprobe_smtp_connect_time_s");
    CHECK(metric_name("", "9lives") == "_9lives");
    CHECK(metric_name("", "\xC3\xBC") == "__");
  }

  TEST_CASE("label values escape backslash, quote and newline") {
    CHECK(escape_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
  }

  TEST_CASE("promtool accepts the output (skipped without promtool)") {
    Sample s;
    s.probe = "relay 1,\"eu\"\\west\nx=y";
    s.server = "\xC3\xBC.example\xFF";
    s.connect_us.reset();
    int rc = promtool_check(to_prometheus(make_record(s)));
    if (rc == -1) return;
    CHECK(rc == 0);
  }
}
