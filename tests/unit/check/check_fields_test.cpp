#include <doctest/doctest.h>

#include <set>
#include <string>

#include "check/check_fields.hpp"
#include "check/legacy_influx.hpp"

using namespace mailprobe;
using namespace mailprobe::check;

TEST_SUITE("check::record") {
  CheckReport failed_report() {
    CheckReport r;
    r.email_from = "a@x";
    r.email_to = "b,c=d e@y";
    r.smtp_server = "mx:587";
    r.imap_server = "imap:143";
    r.token = "0123";
    r.start = Stamp::now();
    r.start_smtp = r.start;
    r.start_imap = r.start;
    r.start_imap.steady += std::chrono::microseconds(3'200'000);
    r.end = r.start_imap;
    r.failure = Failure(Stage::smtp_rcpt, Result::perm_reject, "5.1.1 \"no\" such user", 550);
    return r;
  }

  TEST_CASE("every table key is unique and snake_case") {
    std::set<std::string> seen;
    for (const auto& col : check_table()) {
      std::string k(col.spec.key);
      CHECK_MESSAGE(seen.insert(k).second, k);
      CHECK(k.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos);
    }
  }

  TEST_CASE("a failure record says where, what and what the server said") {
    auto rec = to_record(failed_report());
    CHECK(rec.summary == "smtp_rcpt: perm_reject 550 5.1.1 \"no\" such user");
    auto s = std::get<std::string>(rec.find("stage")->value);
    CHECK(s == "smtp_rcpt");
    CHECK(std::get<std::int64_t>(rec.find("smtp_duration")->value) == 3'200'000);  // not wrapped at 1 s
  }

  TEST_CASE("legacy influx keeps the seed's exact shape, durations fixed") {
    auto r = failed_report();
    std::string line = legacy_influx(r);
    CHECK(line == "mail-e2e,email-from=a@x,email-to=b\\,c\\=d\\ e@y,smtp=mx:587,imap=imap:143 success=0,"
                  "total_dur=3200000,smtp_dur=3200000,imap_dur=0\n");
  }

  TEST_CASE("fields keep their types between success and failure") {
    auto bad = to_record(failed_report());
    auto good_r = failed_report();
    good_r.success = true;
    good_r.failure = Failure(Stage::done, Result::success);
    good_r.delivery_us = 1500;
    auto good = to_record(good_r);
    for (std::size_t i = 0; i < bad.cells.size(); ++i) {
      const auto& a = bad.cells[i].value;
      const auto& b = good.cells[i].value;
      if (a.index() != 0 && b.index() != 0) CHECK_MESSAGE(a.index() == b.index(), bad.cells[i].spec->key);
    }
  }
}
