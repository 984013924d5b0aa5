#include "report/markdown.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sample_table.hpp"

using namespace mailprobe;
using namespace mailprobe::report;

TEST_SUITE("report::markdown") {
  TEST_CASE("metrics_table lists every spec with its line-protocol type and formats") {
    std::vector<const FieldSpec*> specs =
        specs_of(std::span<const Column<testing::Sample>>(testing::kSampleTable));
    std::string md = metrics_table(specs, "mail_delivery");
    CHECK(
        md.rfind("Measurement `mail_delivery`:\n\n"
                 "| key | role | type | unit | formats | description |\n"
                 "|---|---|---|---|---|---|\n"
                 "| `probe` | tag | string |  | json, influx, prometheus, text | Probe name |\n"
                 "| `server` | tag | string |  | json, influx, prometheus, text | SMTP server |\n"
                 "| `result` | tag | string |  | json, influx, prometheus | Result token |\n"
                 "| `delivered` | field | boolean |  | json, influx, prometheus, text, nagios | "
                 "Message delivered |\n"
                 "| `result_code` | field | integer |  | json, influx, prometheus | Result code |\n"
                 "| `delivery_seconds` | field | float | s | json, influx, prometheus, text, "
                 "nagios | Delivery time |\n",
                 0) == 0);
    CHECK(md.find("| `sent_at` | field | float |  | json, influx, text, nagios | "
                  "Time the probe was sent |\n") != std::string::npos);
    CHECK(md.find("| `token` | field | string |  | json | Probe token |\n") != std::string::npos);
  }

  TEST_CASE("pipes in descriptions are escaped so the table keeps its columns") {
    static const FieldSpec kPipe{"a", Type::integer, Role::field, "", kJson, "x | y\nz"};
    const FieldSpec* specs[] = {&kPipe};
    CHECK(metrics_table(specs, "m") ==
          "Measurement `m`:\n\n"
          "| key | role | type | unit | formats | description |\n"
          "|---|---|---|---|---|---|\n"
          "| `a` | field | integer |  | json | x \\| y z |\n");
  }

  TEST_CASE("result_table lists every result token with its code in order") {
    std::string md = result_table();
    CHECK(md.rfind("| result | result_code | meaning |\n|---|---|---|\n| `success` | 0 | delivered |\n", 0) == 0);
    const std::string last = "| `expectation_failed` | 21 | a --expect negative check did not hold |\n";
    CHECK(md.substr(md.size() - last.size()) == last);
    std::size_t rows = 0;
    for (char c : md) rows += c == '\n';
    CHECK(rows == all_results().size() + 2);
  }
}
