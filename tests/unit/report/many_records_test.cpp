#include <doctest/doctest.h>

#include <vector>

#include "report/nagios.hpp"
#include "report/prometheus.hpp"
#include "report/tag_spec.hpp"
#include "report/text_table.hpp"

using namespace mailprobe;
using namespace mailprobe::report;

namespace {

const FieldSpec kRoute{"route", Type::string, Role::tag, "", kAll, "route"};
const FieldSpec kDelivery{"delivery_seconds", Type::number, Role::field, "s", kAll | kNagiosPerf, "delivery"};
const FieldSpec kTotal{"total_seconds", Type::number, Role::field, "s", kAll | kNagiosPerf, "total"};

Record rec(const std::string& route, bool ok, std::optional<double> delivery, double total, std::string summary = {}) {
  Record r;
  r.measurement = "mail_delivery";
  r.success = ok;
  r.result = ok ? Result::success : Result::not_delivered;
  r.stage = ok ? Stage::done : Stage::imap_wait;
  r.summary = std::move(summary);
  r.cells = {{&kRoute, route}, {&kDelivery, delivery ? Value(*delivery) : Value()}, {&kTotal, total}};
  return r;
}

}  // namespace

TEST_SUITE("report::many_records") {
  TEST_CASE("text table: one aligned row per route, detail only on failures") {
    std::vector<Record> rs{rec("own-to-gmail", true, 0.412, 1.02), rec("b", false, std::nullopt, 60.0, "imap_wait: lost")};
    CHECK(to_text_table(rs, "route", "delivery_seconds", "total_seconds") ==
          "FAILED: 1 of 2 failed\n"
          "ROUTE         RESULT         DELIVERY    TOTAL  DETAIL\n"
          "own-to-gmail  success         0.412 s  1.020 s\n"
          "b             not_delivered         -   60.0 s  imap_wait: lost\n");
    std::vector<Record> ok{rec("a", true, 0.1, 0.2)};
    CHECK(to_text_table(ok, "route", "delivery_seconds", "total_seconds").rfind("OK: 1 of 1 delivered\n", 0) == 0);
  }

  TEST_CASE("nagios: the worst state, routes not OK named, every route's perfdata prefixed") {
    std::vector<Record> rs{rec("a", true, 0.5, 1.0), rec("b", false, std::nullopt, 60.0, "imap_wait: lost")};
    auto n = to_nagios(rs, "MAIL", parse_range("2").value(), std::nullopt, "delivery_seconds", "route");
    CHECK(n.exit_code == 2);
    CHECK(n.text ==
          "MAIL CRITICAL - 1 of 2 routes OK: b CRITICAL (imap_wait: lost) | a.delivery_seconds=0.5s;2 "
          "a.total_seconds=1s b.delivery_seconds=U;2 b.total_seconds=60s\n");
    std::vector<Record> warn{rec("a", true, 5.0, 6.0), rec("b", true, 0.1, 0.2)};
    CHECK(to_nagios(warn, "MAIL", parse_range("2").value(), std::nullopt, "delivery_seconds", "route").exit_code == 1);
    CHECK(to_nagios(std::span<const Record>(), "MAIL", std::nullopt, std::nullopt, "x", "route").exit_code == 3);
  }

  TEST_CASE("prometheus: one HELP/TYPE per family, a sample per route") {
    std::vector<Record> rs{rec("a", true, 0.5, 1.0), rec("b", true, 0.7, 1.5)};
    std::string p = to_prometheus(rs);
    auto count = [&](const std::string& s) {
      std::size_t n = 0;
      for (auto at = p.find(s); at != std::string::npos; at = p.find(s, at + 1)) ++n;
      return n;
    };
    CHECK(count("# TYPE mailprobe_check_delivery_seconds gauge\n") == 1);
    CHECK(p.find("mailprobe_check_delivery_seconds{route=\"a\"} 0.5\n") != std::string::npos);
    CHECK(p.find("mailprobe_check_delivery_seconds{route=\"b\"} 0.7\n") != std::string::npos);
  }

  TEST_CASE("user tags: one spec per key, valid keys only") {
    CHECK(tag_spec("team") == tag_spec("team"));
    CHECK(tag_spec("team") != tag_spec("env"));
    CHECK(tag_spec("team")->key == "team");
    CHECK(tag_spec("team")->role == Role::tag);
    CHECK(tag_key_problem("team").empty());
    CHECK(tag_key_problem("dc_2").empty());
    CHECK_FALSE(tag_key_problem("").empty());
    CHECK_FALSE(tag_key_problem("Team").empty());
    CHECK_FALSE(tag_key_problem("2dc").empty());
    CHECK_FALSE(tag_key_problem("a-b").empty());
  }
}
