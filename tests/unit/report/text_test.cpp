#include "report/text.hpp"

#include <doctest/doctest.h>

#include <string>

#include "sample_table.hpp"

using namespace mailprobe;
using namespace mailprobe::report;
using testing::make_record;
using testing::Sample;

TEST_SUITE("report::text") {
  TEST_CASE("a success is an OK header and one aligned line per present text cell, by key") {
    CHECK(to_text(make_record(Sample{})) ==
          "OK: relay1 delivered in 7.9 s\n"
          "  probe               relay1\n"
          "  delivered           yes\n"
          "  delivery_seconds    7.930 s\n"
          "  send_seconds        412.0 ms\n"
          "  connect_us          12.3 ms\n"
          "  message_bytes       2048 bytes\n"
          "  clock_skew_seconds  -250.0 ms\n");
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
          "  probe               relay1\n"
          "  server              mx.example\n"
          "  delivered           no\n"
          "  send_seconds        412.0 ms\n"
          "  message_bytes       2048 bytes\n"
          "  clock_skew_seconds  -250.0 ms\n"
          "  error               450 \"greylisted\" [31mretry\n"
          "  sent_at             2025-08-21T18:13:20.500000Z\n");
  }

  TEST_CASE("long keys are cut to 44 columns and UTF-8 keys align by code point") {
    static const FieldSpec kLong{
        "a_very_long_key_that_would_push_values_off_the_screen", Type::integer, Role::field,
        "",     kText,         "help"};
    static const FieldSpec kUtf8{"zustellung_\xC3\xBC"
                                 "ber_imap",
                                 Type::number,
                                 Role::field,
                                 "s",
                                 kText,
                                 "help"};
    Record r;
    r.success = true;
    r.summary = "ok";
    r.cells = {{&kLong, Value{std::int64_t{-3}}}, {&kUtf8, Value{1.5}}};
    CHECK(to_text(r) ==
          "OK: ok\n"
          "  a_very_long_key_that_would_push_values_off_~  -3\n"
          "  zustellung_\xC3\xBC"
          "ber_imap                          1.500 s\n");
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
          "  wait_us    1.5 ms\n"
          "  cert_days  42 days\n"
          "  ratio      0.25\n");
  }
}
