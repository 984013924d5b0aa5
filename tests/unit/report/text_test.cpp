#include "report/text.hpp"

#include <doctest/doctest.h>

#include <string>

#include "sample_table.hpp"

using namespace mailprobe;
using namespace mailprobe::report;
using testing::make_record;
using testing::Sample;

TEST_SUITE("report::text") {
  TEST_CASE("a success is an OK header and one aligned line per present text cell") {
    CHECK(to_text(make_record(Sample{})) ==
          "OK: relay1 delivered in 7.9 s\n"
          "  Probe name            relay1\n"
          "  Message delivered     yes\n"
          "  Delivery time         7.930 s\n"
          "  SMTP submission time  0.412 s\n"
          "  TCP connect time      12.3 ms\n"
          "  Message size          2048 bytes\n"
          "  clock_skew_seconds    -0.250 s\n");
  }

  TEST_CASE("a failure is FAILED; absent cells are skipped; text is terminal-safe") {
    Sample s;
    s.delivered = false;
    s.server = "mx.example";
    s.delivery_seconds.reset();
    s.connect_us.reset();
    s.error = "450 \"greylisted\"\r\n\x1b[31mretry";
    s.sent_at = testing::sample_time();
    CHECK(to_text(make_record(s, "relay1:\nnot delivered")) ==
          "FAILED: relay1: not delivered\n"
          "  Probe name               relay1\n"
          "  SMTP server              mx.example\n"
          "  Message delivered        no\n"
          "  SMTP submission time     0.412 s\n"
          "  Message size             2048 bytes\n"
          "  clock_skew_seconds       -0.250 s\n"
          "  Error text               450 \"greylisted\" [31mretry\n"
          "  Time the probe was sent  2025-08-21T18:13:20.500000Z\n");
  }

  TEST_CASE("long labels are cut to 44 columns and UTF-8 labels align by code point") {
    static const FieldSpec kLong{
        "long", Type::integer, Role::field,
        "",     kText,         "A very long help text that would push values off the screen"};
    static const FieldSpec kUtf8{"u",
                                 Type::number,
                                 Role::field,
                                 "s",
                                 kText,
                                 "Zustellung \xC3\xBC"
                                 "ber IMAP"};
    Record r;
    r.success = true;
    r.summary = "ok";
    r.cells = {{&kLong, Value{std::int64_t{-3}}}, {&kUtf8, Value{0.0004}}};
    CHECK(to_text(r) ==
          "OK: ok\n"
          "  A very long help text that would push value~  -3\n"
          "  Zustellung \xC3\xBC"
          "ber IMAP                          0.000 s\n");
  }

  TEST_CASE("micro-second numbers show as ms and other units are appended") {
    static const FieldSpec kUs{"wait_us", Type::number, Role::field, "us", kText, "Wait"};
    static const FieldSpec kDays{"cert_days", Type::integer, Role::field, "days", kText, "Cert"};
    static const FieldSpec kRatio{"ratio", Type::number, Role::field, "", kText, "Ratio"};
    Record r;
    r.summary = "x";
    r.cells = {{&kUs, Value{1500.0}}, {&kDays, Value{std::int64_t{42}}}, {&kRatio, Value{0.25}}};
    CHECK(to_text(r) ==
          "FAILED: x\n"
          "  Wait   1.5 ms\n"
          "  Cert   42 days\n"
          "  Ratio  0.25\n");
  }
}
