#include "probe/mx_rank.hpp"

#include <algorithm>

#include "policy/fields.hpp"

namespace mailprobe::probe {

namespace {

using report::Column;
using report::Role;
using report::Type;
using report::Value;
using report::kAll;
using report::kInflux;
using report::kJson;
using report::kText;

struct MxRow {
  std::string domain;
  int rank = 0;
  const MxTarget* target = nullptr;   // null for the lookup-failure row
  const Failure* failure = nullptr;
};

Value secs(std::int64_t us) { return us < 0 ? Value{} : Value{static_cast<double>(us) / 1e6}; }
const tls::CertFacts* cert(const MxRow& r) {
  return r.target && r.target->probe.tls && r.target->probe.tls->cert ? &*r.target->probe.tls->cert : nullptr;
}
Result result_of(const MxRow& r) { return r.failure ? r.failure->result : r.target->probe.result; }
Stage stage_of(const MxRow& r) { return r.failure ? Stage::dns_mx : r.target->probe.stage; }

const Column<MxRow> kMxColumns[] = {
    {{"domain", Type::string, Role::tag, "", kAll, "domain whose MX records were probed"},
     [](const MxRow& r) -> Value { return r.domain; }},
    {{"mx_host", Type::string, Role::tag, "", kAll, "MX exchange host"},
     [](const MxRow& r) -> Value { return r.target ? Value{r.target->mx.host} : Value{}; }},
    {{"result", Type::string, Role::tag, "", kAll, "result token for this address"},
     [](const MxRow& r) -> Value { return std::string(to_string(result_of(r))); }},
    {{"stage", Type::string, Role::tag, "", kAll, "stage the probe of this address ended in"},
     [](const MxRow& r) -> Value { return std::string(to_string(stage_of(r))); }},
    {{"rank", Type::integer, Role::field, "", kAll, "1 = preferred (preference, then health, then latency)"},
     [](const MxRow& r) -> Value { return r.rank ? Value{std::int64_t{r.rank}} : Value{}; }},
    {{"preference", Type::integer, Role::field, "", kAll, "MX preference (lower is preferred)"},
     [](const MxRow& r) -> Value { return r.target ? Value{std::int64_t{r.target->mx.preference}} : Value{}; }},
    {{"implicit_mx", Type::boolean, Role::field, "", kAll, "no MX records: the domain itself (RFC 5321 §5.1)"},
     [](const MxRow& r) -> Value { return r.target ? Value{r.target->mx.implicit} : Value{}; }},
    {{"address", Type::string, Role::tag, "", kAll, "IP address probed (a tag: one series per address)"},
     [](const MxRow& r) -> Value { return r.target && !r.target->address.empty() ? Value{r.target->address} : Value{}; }},
    {{"success", Type::boolean, Role::field, "", kAll, "this address answered a healthy STARTTLS dialogue"},
     [](const MxRow& r) -> Value { return result_of(r) == Result::success; }},
    {{"result_code", Type::integer, Role::field, "", kAll, "stable integer of result"},
     [](const MxRow& r) -> Value { return std::int64_t{result_code(result_of(r))}; }},
    {{"error", Type::string, Role::field, "", kJson | kInflux | kText, "why it failed"},
     [](const MxRow& r) -> Value {
       const std::string& e = r.failure ? r.failure->reply_text : r.target->probe.error;
       return e.empty() ? Value{} : Value{e};
     }},
    {{"connect_seconds", Type::number, Role::field, "s", kAll, "TCP connect latency"},
     [](const MxRow& r) -> Value { return r.target ? secs(r.target->probe.connect_us) : Value{}; }},
    {{"duration_seconds", Type::number, Role::field, "s", kAll, "whole probe of this address"},
     [](const MxRow& r) -> Value { return r.target ? secs(r.target->probe.total_us) : Value{}; }},
    {{"starttls_offered", Type::boolean, Role::field, "", kAll, "STARTTLS advertised on port 25"},
     [](const MxRow& r) -> Value {
       if (!r.target || !r.target->probe.smtp || !r.target->probe.smtp->caps) return {};
       return r.target->probe.smtp->caps->starttls;
     }},
    {{"tls_version", Type::string, Role::field, "", kJson | kInflux | kText, "negotiated TLS version"},
     [](const MxRow& r) -> Value { return r.target && r.target->probe.tls ? Value{r.target->probe.tls->version} : Value{}; }},
    {{"cert_verified", Type::boolean, Role::field, "", kAll, "certificate chain and name verify"},
     [](const MxRow& r) -> Value { return r.target && r.target->probe.tls ? Value{r.target->probe.tls->verified()} : Value{}; }},
    {{"cert_days_until_expiry", Type::integer, Role::field, "days", kAll & ~report::kPrometheus, "whole days until notAfter"},
     [](const MxRow& r) -> Value { auto* c = cert(r); return c ? Value{c->days_until_expiry} : Value{}; }},
    {{"cert_not_after", Type::timestamp, Role::field, "", kJson | kText, "certificate notAfter"},
     [](const MxRow& r) -> Value { auto* c = cert(r); return c ? Value{c->not_after} : Value{}; }},
};

}  // namespace

void rank_mx(std::vector<MxTarget>& t) {
  std::stable_sort(t.begin(), t.end(), [](const MxTarget& a, const MxTarget& b) {
    if (a.mx.preference != b.mx.preference) return a.mx.preference < b.mx.preference;
    bool ha = a.probe.success(), hb = b.probe.success();
    if (ha != hb) return ha;
    std::int64_t la = a.probe.connect_us < 0 ? INT64_MAX : a.probe.connect_us;
    std::int64_t lb = b.probe.connect_us < 0 ? INT64_MAX : b.probe.connect_us;
    if (la != lb) return la < lb;
    if (a.mx.host != b.mx.host) return a.mx.host < b.mx.host;
    return a.address < b.address;
  });
}

std::vector<report::Record> mx_records(const std::string& domain, const std::vector<MxTarget>& ranked,
                                       const Failure* lookup_failure, WallClock::time_point start) {
  std::vector<report::Record> out;
  auto make = [&](const MxRow& row, std::string summary) {
    report::Record rec;
    rec.measurement = "mx_probe";
    rec.time = start;
    rec.result = result_of(row);
    rec.stage = stage_of(row);
    rec.success = rec.result == Result::success;
    rec.summary = std::move(summary);
    rec.cells = report::build_cells(std::span<const Column<MxRow>>(kMxColumns), row);
    if (row.target && row.target->probe.policy) policy::append_policy_cells(rec, *row.target->probe.policy);
    out.push_back(std::move(rec));
  };
  if (lookup_failure != nullptr) {
    MxRow row{domain, 0, nullptr, lookup_failure};
    make(row, "mx " + domain + ": " + std::string(to_string(lookup_failure->result)) + " (" +
                  lookup_failure->reply_text + ")");
    return out;
  }
  int rank = 0;
  for (const auto& t : ranked) {
    MxRow row{domain, ++rank, &t, nullptr};
    std::string s = "mx " + domain + " #" + std::to_string(rank) + " " + t.mx.host + " [" + t.address +
                    "] pref " + std::to_string(t.mx.preference) + ": " + std::string(to_string(t.probe.result));
    if (!t.probe.error.empty()) s += " (" + t.probe.error + ")";
    make(row, std::move(s));
  }
  return out;
}

}  // namespace mailprobe::probe
