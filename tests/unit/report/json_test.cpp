#include "report/json.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "sample_table.hpp"

using namespace mailprobe;
using namespace mailprobe::report;
using testing::make_record;
using testing::Sample;

TEST_SUITE("report::json") {
  TEST_CASE("a successful record is one compact object, keys in table order") {
    CHECK(to_json(make_record(Sample{})) ==
          R"({"probe":"relay1","result":"success","delivered":true,"result_code":0,)"
          R"("delivery_seconds":7.93,"send_seconds":0.412,"connect_us":12345,)"
          R"("message_bytes":2048,"clock_skew_seconds":-0.25,"token":"abc123"})");
  }

  TEST_CASE("absent values are omitted, or null for json_always columns") {
    Sample s;
    s.delivery_seconds.reset();  // json_always
    s.connect_us.reset();
    CHECK(to_json(make_record(s)) ==
          R"({"probe":"relay1","result":"success","delivered":true,"result_code":0,)"
          R"("delivery_seconds":null,"send_seconds":0.412,)"
          R"("message_bytes":2048,"clock_skew_seconds":-0.25,"token":"abc123"})");
  }

  TEST_CASE("NaN and infinity are never written: null when json_always, else omitted") {
    Sample s;
    s.delivery_seconds = std::nan("");
    s.clock_skew_seconds = std::numeric_limits<double>::infinity();
    CHECK(to_json(make_record(s)) ==
          R"({"probe":"relay1","result":"success","delivered":true,"result_code":0,)"
          R"("delivery_seconds":null,"send_seconds":0.412,"connect_us":12345,)"
          R"("message_bytes":2048,"token":"abc123"})");
  }

  TEST_CASE("strings keep quotes, backslashes and UTF-8; controls are escaped") {
    Sample s;
    s.probe = "relay 1,eu=west";
    s.server = "mx.example\\";
    s.error = "450 \"greylisted\" C:\\tmp\r\n\tline2 \xE2\x9C\x93 \xC3\xBC\x1b";
    CHECK(to_json(make_record(s)) ==
          R"({"probe":"relay 1,eu=west","server":"mx.example\\","result":"success",)"
          R"("delivered":true,"result_code":0,"delivery_seconds":7.93,"send_seconds":0.412,)"
          R"("connect_us":12345,"message_bytes":2048,"clock_skew_seconds":-0.25,)"
          R"("error":"450 \"greylisted\" C:\\tmp\r\n\tline2 )"
          "\xE2\x9C\x93 \xC3\xBC"
          R"(\u001B","token":"abc123"})");
  }

  TEST_CASE("ill-formed UTF-8 in a string becomes U+FFFD, so the JSON stays valid") {
    static const FieldSpec kText{"error", Type::string, Role::field, "", kJson, "x"};
    Record r;
    r.cells = {{&kText, Value{std::string("bad \xFF\xC0 byte")}}};
    CHECK(to_json(r) == "{\"error\":\"bad \xEF\xBF\xBD\xEF\xBF\xBD byte\"}");
  }

  TEST_CASE("large and negative integers are exact; timestamps are ISO 8601 UTC") {
    Sample s;
    s.result_code = -1;
    s.message_bytes = std::numeric_limits<std::int64_t>::max();
    s.sent_at = testing::sample_time() + std::chrono::milliseconds(6750);
    CHECK(to_json(make_record(s)) ==
          R"({"probe":"relay1","result":"success","delivered":true,"result_code":-1,)"
          R"("delivery_seconds":7.93,"send_seconds":0.412,"connect_us":12345,)"
          R"("message_bytes":9223372036854775807,"clock_skew_seconds":-0.25,)"
          R"("sent_at":"2025-08-21T18:13:27.250000Z","token":"abc123"})");
  }

  TEST_CASE("whole-number doubles keep a decimal point") {
    Sample s;
    s.delivery_seconds = 8.0;
    s.send_seconds = 0.0;
    CHECK(to_json(make_record(s)) ==
          R"({"probe":"relay1","result":"success","delivered":true,"result_code":0,)"
          R"("delivery_seconds":8.0,"send_seconds":0.0,"connect_us":12345,)"
          R"("message_bytes":2048,"clock_skew_seconds":-0.25,"token":"abc123"})");
  }

  TEST_CASE("columns without kJson are left out and an empty record is {}") {
    static const FieldSpec kHidden{"hidden", Type::integer, Role::field, "", kInflux, "x"};
    Record r;
    CHECK(to_json(r) == "{}");
    r.cells.push_back({&kHidden, Value{std::int64_t{1}}});
    CHECK(to_json(r) == "{}");
  }
}
