#include "policy/expect_fields.hpp"

namespace mailprobe::policy {

namespace {

using report::Column;
using report::Role;
using report::Type;
using report::Value;
using report::kAll;
using report::kInflux;
using report::kJson;
using report::kText;

Result result_of(const ExpectRow& r) { return r.outcome.met ? Result::success : Result::expectation_failed; }

const Column<ExpectRow> kColumns[] = {
    {{"server", Type::string, Role::tag, "", kAll, "target host as given"},
     [](const ExpectRow& r) -> Value { return r.server; }},
    {{"port", Type::integer, Role::tag, "", kAll, "target port"},
     [](const ExpectRow& r) -> Value { return std::int64_t{r.port}; }},
    {{"expect", Type::string, Role::tag, "", kAll, "the check: auth_refused, no_auth_before_tls, relay_refused, tls_required"},
     [](const ExpectRow& r) -> Value { return std::string(to_string(r.expectation.kind)); }},
    {{"result", Type::string, Role::tag, "", kAll, "success (the server refused as it must) or expectation_failed"},
     [](const ExpectRow& r) -> Value { return std::string(to_string(result_of(r))); }},
    {{"success", Type::boolean, Role::field, "", kAll, "the expectation held"},
     [](const ExpectRow& r) -> Value { return r.outcome.met; }},
    {{"result_code", Type::integer, Role::field, "", kAll, "stable integer of result"},
     [](const ExpectRow& r) -> Value { return std::int64_t{result_code(result_of(r))}; }},
    {{"reply_code", Type::integer, Role::field, "", kAll, "the deciding SMTP reply code"},
     [](const ExpectRow& r) -> Value { return r.outcome.reply_code ? Value{std::int64_t{r.outcome.reply_code}} : Value{}; }},
    {{"detail", Type::string, Role::field, "", kJson | kInflux | kText, "what happened, one line"},
     [](const ExpectRow& r) -> Value { return r.outcome.detail; }},
};

}  // namespace

report::Record expect_record(const ExpectRow& row, WallClock::time_point time) {
  report::Record rec;
  rec.measurement = "smtp_expect";
  rec.time = time;
  rec.result = result_of(row);
  rec.stage = row.outcome.met ? Stage::done : Stage::expect;
  rec.success = row.outcome.met;
  rec.summary = "expect " + std::string(to_string(row.expectation.kind)) + " on " + row.server + ":" +
                std::to_string(row.port) + ": " + (row.outcome.met ? "met" : "FAILED") + " (" + row.outcome.detail + ")";
  rec.cells = report::build_cells(std::span<const Column<ExpectRow>>(kColumns), row);
  return rec;
}

}  // namespace mailprobe::policy
