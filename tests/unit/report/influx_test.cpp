#include "report/influx.hpp"

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

TEST_SUITE("report::influx") {
  TEST_CASE("a successful record is one line: sorted tags, typed fields, ns timestamp") {
    CHECK(to_influx(make_record(Sample{})) ==
          "mail_delivery,probe=relay1,result=success "
          "delivered=true,result_code=0i,delivery_seconds=7.93,send_seconds=0.412,"
          "connect_us=12345i,message_bytes=2048i,clock_skew_seconds=-0.25 "
          "1755800000500000000\n");
  }

  TEST_CASE("hostile strings are escaped per element and absent values left out") {
    Sample s;
    s.probe = "relay 1,eu=west";
    s.server = "mx\t.example\\";
    s.result = "not_delivered";
    s.delivered = false;
    s.result_code = 15;
    s.delivery_seconds = std::nan("");
    s.connect_us.reset();
    s.message_bytes = std::numeric_limits<std::int64_t>::max();
    s.error = "450 \"greylisted\" C:\\tmp\\\r\n\tline2 \xE2\x9C\x93";
    s.sent_at = testing::sample_time() + std::chrono::milliseconds(6750);
    CHECK(to_influx(make_record(s)) ==
          "mail_delivery,probe=relay\\ 1\\,eu\\=west,result=not_delivered,server=mx\\ .example "
          "delivered=false,result_code=15i,send_seconds=0.412,"
          "message_bytes=9223372036854775807i,clock_skew_seconds=-0.25,"
          "error=\"450 \\\"greylisted\\\" C:\\\\tmp\\\\ line2 \xE2\x9C\x93\","
          "sent_at=1755800007.25 1755800000500000000\n");
  }

  TEST_CASE("whole-number floats keep a point so they never read as integers") {
    Sample s;
    s.delivery_seconds = 8.0;
    s.send_seconds = 0.0;
    s.clock_skew_seconds = 1e21;
    CHECK(to_influx(make_record(s)) ==
          "mail_delivery,probe=relay1,result=success "
          "delivered=true,result_code=0i,delivery_seconds=8.0,send_seconds=0.0,"
          "connect_us=12345i,message_bytes=2048i,clock_skew_seconds=1.0e+21 "
          "1755800000500000000\n");
  }

  TEST_CASE("empty or control-only tag values are left out, not written empty") {
    Sample s;
    s.probe = "\r\n";
    s.server = "";
    CHECK(to_influx(make_record(s)) ==
          "mail_delivery,result=success "
          "delivered=true,result_code=0i,delivery_seconds=7.93,send_seconds=0.412,"
          "connect_us=12345i,message_bytes=2048i,clock_skew_seconds=-0.25 "
          "1755800000500000000\n");
  }

  TEST_CASE("an unset record time leaves the timestamp to the receiver") {
    Record r = make_record(Sample{});
    r.time = {};
    CHECK(to_influx(r) ==
          "mail_delivery,probe=relay1,result=success "
          "delivered=true,result_code=0i,delivery_seconds=7.93,send_seconds=0.412,"
          "connect_us=12345i,message_bytes=2048i,clock_skew_seconds=-0.25\n");
  }

  TEST_CASE("no fields or no measurement gives an empty output, never a bad line") {
    static const FieldSpec kTag{"probe", Type::string, Role::tag, "", kAll, "Probe"};
    static const FieldSpec kNoInflux{"x", Type::integer, Role::field, "", kJson, "x"};
    Record r;
    r.measurement = "mail_delivery";
    r.cells = {{&kTag, Value{std::string("a")}}, {&kNoInflux, Value{std::int64_t{1}}}};
    CHECK(to_influx(r) == "");
    Record unnamed = make_record(Sample{});
    unnamed.measurement = std::string(1, '\n');  // GCC 12 -Wrestrict false positive on = "\n"
    CHECK(to_influx(unnamed) == "");
  }

  TEST_CASE("measurement escapes comma and space but not '='") {
    CHECK(escape_measurement("mail delivery,x=y") == "mail\\ delivery\\,x=y");
    Record r = make_record(Sample{});
    r.measurement = "mail delivery";
    CHECK(to_influx(r).rfind("mail\\ delivery,probe=relay1,result=success delivered=true,", 0) ==
          0);
  }

  TEST_CASE("escape_tag escapes comma, equals and space and strips controls") {
    CHECK(escape_tag("a b,c=d") == "a\\ b\\,c\\=d");
    CHECK(escape_tag("line1\r\nline2\t") == "line1\\ line2");
    CHECK(escape_tag("\xC3\xBC\"q'") == "\xC3\xBC\"q'");
    CHECK(escape_tag("") == "");
  }

  TEST_CASE("backslashes can never swallow an escape or the next separator") {
    CHECK(escape_tag("tail\\") == "tail");
    CHECK(escape_tag("tail\\\\\\") == "tail");
    CHECK(escape_tag("C:\\tmp") == "C:\\tmp");    // before an ordinary char: literal
    CHECK(escape_tag("a\\,b") == "a\\,b");        // odd run before ',' loses one
    CHECK(escape_tag("a\\\\,b") == "a\\\\\\,b");  // even run stays, ',' escaped
    CHECK(escape_tag("a\\ b") == "a\\ b");
    CHECK(escape_measurement("m\\,x") == "m\\,x");
  }

  TEST_CASE("string fields escape quote and backslash only, inside quotes") {
    CHECK(quote_field_string("say \"hi\" \\o/ a,b=c d") == "\"say \\\"hi\\\" \\\\o/ a,b=c d\"");
    CHECK(quote_field_string("trailing\\") == "\"trailing\\\\\"");
    CHECK(quote_field_string("multi\r\nline") == "\"multi line\"");
    CHECK(quote_field_string("") == "\"\"");
  }

  TEST_CASE("string fields are cut to 64 KiB on a UTF-8 boundary") {
    std::string big(65534, 'x');
    big += "\xE2\x9C\x93";  // crosses the 65535-byte limit
    std::string quoted = quote_field_string(big);
    CHECK(quoted.size() == 65534 + 2);
    CHECK(quote_field_string(std::string(70000, 'y')).size() == 65535 + 2);
  }
}
