#include "policy/fields.hpp"

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

constexpr unsigned kNoProm = kJson | kInflux | kText;  // strings: not a metric

Value str(const std::string& s) { return s.empty() ? Value{} : Value{s}; }

const DomainPolicy* dom(const HostVerdict& v) { return v.domain.get(); }
const StsPolicy* sts(const HostVerdict& v) {
  return v.domain && v.domain->sts_applies() ? &*v.domain->sts_policy : nullptr;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

const Column<HostVerdict> kColumns[] = {
    {{"mta_sts_mode", Type::string, Role::tag, "", kAll, "MTA-STS mode senders apply (enforce, testing, none); absent without a policy"},
     [](const HostVerdict& v) -> Value { auto* p = sts(v); return p ? Value{std::string(to_string(p->mode))} : Value{}; }},
    {{"mta_sts_id", Type::string, Role::field, "", kNoProm, "id= of the _mta-sts TXT record"},
     [](const HostVerdict& v) -> Value { auto* d = dom(v); return d && d->sts_record ? str(d->sts_record->id) : Value{}; }},
    {{"mta_sts_max_age_seconds", Type::integer, Role::field, "s", kAll, "policy max_age: how long senders cache it (reported, not judged)"},
     [](const HostVerdict& v) -> Value { auto* p = sts(v); return p ? Value{p->max_age} : Value{}; }},
    {{"mx_in_policy", Type::boolean, Role::field, "", kAll, "this MX host matches an mx pattern of the MTA-STS policy"},
     [](const HostVerdict& v) -> Value { return v.mx_in_policy ? Value{*v.mx_in_policy} : Value{}; }},
    {{"mta_sts_pkix_valid", Type::boolean, Role::field, "", kAll, "TLS up and the certificate is PKIX-valid for the MX name (RFC 8461 §4.2)"},
     [](const HostVerdict& v) -> Value { return v.pkix_valid ? Value{*v.pkix_valid} : Value{}; }},
    {{"mta_sts_error", Type::string, Role::field, "", kNoProm, "why MTA-STS does not apply, or what is wrong with it"},
     [](const HostVerdict& v) -> Value { auto* d = dom(v); return d ? str(d->sts_error) : Value{}; }},
    {{"dane", Type::string, Role::tag, "", kAll, "DANE (RFC 7672): pass, fail, insecure (not DNSSEC-authenticated) or none"},
     [](const HostVerdict& v) -> Value { return std::string(to_string(v.dane)); }},
    {{"tlsa_records", Type::integer, Role::field, "", kAll, "TLSA records at _PORT._tcp.MXHOST"},
     [](const HostVerdict& v) -> Value { return std::int64_t{v.tlsa_records}; }},
    {{"dane_matched_record", Type::string, Role::field, "", kNoProm, "the TLSA record that matched the chain (\"3 1 1 ...\")"},
     [](const HostVerdict& v) -> Value { return str(v.dane_matched_record); }},
    {{"dane_error", Type::string, Role::field, "", kNoProm, "why DANE did not pass"},
     [](const HostVerdict& v) -> Value { return str(v.dane_error); }},
    {{"tlsrpt", Type::boolean, Role::field, "", kAll, "a well-formed _smtp._tls TLS-RPT record exists (RFC 8460)"},
     [](const HostVerdict& v) -> Value { auto* d = dom(v); return d ? Value{d->tlsrpt.has_value()} : Value{}; }},
    {{"tlsrpt_rua", Type::string, Role::field, "", kNoProm, "TLS-RPT report URIs, comma separated"},
     [](const HostVerdict& v) -> Value { auto* d = dom(v); return d && d->tlsrpt ? str(join(d->tlsrpt->rua)) : Value{}; }},
    {{"tlsrpt_error", Type::string, Role::field, "", kNoProm, "why the TLS-RPT record is unusable"},
     [](const HostVerdict& v) -> Value { auto* d = dom(v); return d ? str(d->tlsrpt_error) : Value{}; }},
    {{"policy_violation", Type::string, Role::field, "", kNoProm, "why senders honouring MTA-STS or DANE would refuse this MX"},
     [](const HostVerdict& v) -> Value { return str(v.violation); }},
};

}  // namespace

std::span<const Column<HostVerdict>> policy_columns() { return kColumns; }

void append_policy_cells(report::Record& rec, const HostVerdict& v) {
  auto cells = report::build_cells(policy_columns(), v);
  rec.cells.insert(rec.cells.end(), cells.begin(), cells.end());
}

}  // namespace mailprobe::policy
