#pragma once

// A test-only command table that drives every formatter: tags and fields of
// every Type, units s/us/bytes, absent values, and a json_always column.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "report/record.hpp"

namespace mailprobe::report::testing {

struct Sample {
  std::string probe = "relay1";
  std::optional<std::string> server;
  std::string result = "success";
  bool delivered = true;
  std::int64_t result_code = 0;
  std::optional<double> delivery_seconds = 7.93;
  double send_seconds = 0.412;
  std::optional<std::int64_t> connect_us = 12'345;
  std::int64_t message_bytes = 2048;
  double clock_skew_seconds = -0.25;
  std::optional<std::string> error;
  std::optional<WallClock::time_point> sent_at;
  std::string token = "abc123";
};

template <typename T>
Value optional_value(const std::optional<T>& o) {
  return o ? Value(*o) : Value();
}

// One row per column, as in the real command tables.
// clang-format off
inline const Column<Sample> kSampleTable[] = {
    {{.key = "probe", .type = Type::string, .role = Role::tag, .unit = "",
      .formats = kAll, .help = "Probe name"},
     [](const Sample& s) -> Value { return s.probe; }},
    {{.key = "server", .type = Type::string, .role = Role::tag, .unit = "",
      .formats = kAll, .help = "SMTP server"},
     [](const Sample& s) { return optional_value(s.server); }},
    {{.key = "result", .type = Type::string, .role = Role::tag, .unit = "",
      .formats = kJson | kInflux | kPrometheus, .help = "Result token"},
     [](const Sample& s) -> Value { return s.result; }},
    {{.key = "delivered", .type = Type::boolean, .role = Role::field, .unit = "",
      .formats = kAll | kNagiosPerf, .help = "Message delivered"},
     [](const Sample& s) -> Value { return s.delivered; }},
    {{.key = "result_code", .type = Type::integer, .role = Role::field, .unit = "",
      .formats = kJson | kInflux | kPrometheus, .help = "Result code"},
     [](const Sample& s) -> Value { return s.result_code; }},
    {{.key = "delivery_seconds", .type = Type::number, .role = Role::field, .unit = "s",
      .formats = kAll | kNagiosPerf, .help = "Delivery time", .json_always = true},
     [](const Sample& s) { return optional_value(s.delivery_seconds); }},
    {{.key = "send_seconds", .type = Type::number, .role = Role::field, .unit = "s",
      .formats = kAll | kNagiosPerf, .help = "SMTP submission time"},
     [](const Sample& s) -> Value { return s.send_seconds; }},
    {{.key = "connect_us", .type = Type::integer, .role = Role::field, .unit = "us",
      .formats = kAll | kNagiosPerf, .help = "TCP connect time"},
     [](const Sample& s) { return optional_value(s.connect_us); }},
    {{.key = "message_bytes", .type = Type::integer, .role = Role::field, .unit = "bytes",
      .formats = kAll | kNagiosPerf, .help = "Message size"},
     [](const Sample& s) -> Value { return s.message_bytes; }},
    {{.key = "clock_skew_seconds", .type = Type::number, .role = Role::field, .unit = "s",
      .formats = kAll, .help = ""},
     [](const Sample& s) -> Value { return s.clock_skew_seconds; }},
    {{.key = "error", .type = Type::string, .role = Role::field, .unit = "",
      .formats = kJson | kInflux | kText | kNagiosPerf, .help = "Error text"},
     [](const Sample& s) { return optional_value(s.error); }},
    {{.key = "sent_at", .type = Type::timestamp, .role = Role::field, .unit = "",
      .formats = kJson | kInflux | kText | kNagiosPerf, .help = "Time the probe was sent"},
     [](const Sample& s) { return optional_value(s.sent_at); }},
    {{.key = "token", .type = Type::string, .role = Role::field, .unit = "",
      .formats = kJson, .help = "Probe token"},
     [](const Sample& s) -> Value { return s.token; }},
};
// clang-format on

/// 2025-08-21T18:13:20.5Z, the run start of every sample record.
inline WallClock::time_point sample_time() {
  using namespace std::chrono;
  return WallClock::time_point{
      duration_cast<WallClock::duration>(seconds(1'755'800'000) + milliseconds(500))};
}

inline Record make_record(const Sample& s, std::string summary = "relay1 delivered in 7.9 s") {
  Record r;
  r.measurement = "mail_delivery";
  r.time = sample_time();
  r.success = s.delivered;
  r.result = s.delivered ? Result::success : Result::not_delivered;
  r.stage = s.delivered ? Stage::none : Stage::imap_wait;
  r.summary = std::move(summary);
  r.cells = build_cells(std::span<const Column<Sample>>(kSampleTable), s);
  return r;
}

}  // namespace mailprobe::report::testing
