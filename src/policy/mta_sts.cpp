#include "policy/mta_sts.hpp"

#include <charconv>

#include "core/ascii.hpp"
#include "policy/record_text.hpp"

namespace mailprobe::policy {

namespace {

Failure bad(std::string msg) { return Failure(Stage::none, Result::protocol_error, std::move(msg)); }

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

/// RFC 8461 §3.2 sts-policy-ext-name / §3.1 sts-ext-name:
/// (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".").
bool valid_ext_name(std::string_view s) {
  if (s.empty() || s.size() > 32 || !is_alnum(s[0])) return false;
  for (char c : s)
    if (!is_alnum(c) && c != '_' && c != '-' && c != '.') return false;
  return true;
}

/// RFC 5321 Domain: dot-separated Let-dig [Ldh-str] labels of 1-63 octets.
bool valid_domain(std::string_view d) {
  if (d.empty() || d.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = d.find('.', start);
    std::string_view label = d.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || !is_alnum(label.front()) || !is_alnum(label.back())) return false;
    for (char c : label)
      if (!is_alnum(c) && c != '-') return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string_view without_dot(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view to_string(StsMode m) {
  switch (m) {
    case StsMode::enforce: return "enforce";
    case StsMode::testing: return "testing";
    case StsMode::none: return "none";
  }
  return "none";
}

Outcome<StsRecord> parse_sts_record(std::string_view txt) {
  auto fields = split_tag_list(txt);
  if (!fields) return bad("MTA-STS TXT: " + fields.error().reply_text);
  const auto& f = fields.value();
  if (f.empty() || f[0].name != "v" || f[0].value != "STSv1")
    return bad("MTA-STS TXT: does not start with v=STSv1");
  if (f.size() < 2) return bad("MTA-STS TXT: no id field");
  StsRecord rec;
  bool have_id = false;
  for (std::size_t i = 1; i < f.size(); ++i) {
    const auto& [name, value] = f[i];
    if (name == "id") {
      if (have_id) return bad("MTA-STS TXT: id given twice");
      // RFC 8461 §3.1: sts-id = "id=" 1*32(ALPHA / DIGIT).
      if (value.empty() || value.size() > 32) return bad("MTA-STS TXT: id must be 1 to 32 letters or digits");
      for (char c : value)
        if (!is_alnum(c)) return bad("MTA-STS TXT: id must be 1 to 32 letters or digits");
      rec.id = value;
      have_id = true;
    } else if (name == "v") {
      return bad("MTA-STS TXT: v= appears again after the start");
    } else if (!valid_ext_name(name)) {
      return bad("MTA-STS TXT: invalid field name '" + name + "'");
    } else if (!valid_tag_value(value)) {
      return bad("MTA-STS TXT: invalid value for '" + name + "'");
    }
  }
  if (!have_id) return bad("MTA-STS TXT: no id field");
  return rec;
}

Outcome<std::optional<StsRecord>> select_sts_record(const std::vector<std::string>& txts) {
  std::vector<const std::string*> candidates;
  for (const auto& t : txts)
    if (t.rfind("v=STSv1", 0) == 0) candidates.push_back(&t);
  if (candidates.empty()) return std::optional<StsRecord>{};
  if (candidates.size() > 1)
    return bad("MTA-STS TXT: " + std::to_string(candidates.size()) + " v=STSv1 records (exactly one allowed)");
  auto rec = parse_sts_record(*candidates.front());
  if (!rec) return rec.error();
  return std::optional<StsRecord>{rec.value()};
}

Outcome<StsPolicy> parse_sts_policy(std::string_view body) {
  StsPolicy p;
  bool have_version = false, have_mode = false, have_max_age = false;
  // Trailing line terminators are allowed ([sts-policy-term]); blank lines
  // elsewhere are not part of the grammar.
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.remove_suffix(1);
  if (body.empty()) return bad("MTA-STS policy: empty");
  std::size_t line_no = 0;
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t nl = body.find('\n', start);
    std::string_view line = body.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? body.size() + 1 : nl + 1;
    ++line_no;
    const std::string where = "MTA-STS policy line " + std::to_string(line_no) + ": ";
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty()) return bad(where + "blank line");
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return bad(where + "no ':' after the key");
    std::string_view key = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    for (char c : value)
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return bad(where + "control character in value");
    if (key == "version") {
      if (have_version) return bad(where + "version given twice");
      if (value != "STSv1") return bad(where + "version must be STSv1");
      have_version = true;
    } else if (key == "mode") {
      if (have_mode) return bad(where + "mode given twice");
      if (value == "enforce") p.mode = StsMode::enforce;
      else if (value == "testing") p.mode = StsMode::testing;
      else if (value == "none") p.mode = StsMode::none;
      else return bad(where + "mode must be enforce, testing or none");
      have_mode = true;
    } else if (key == "max_age") {
      if (have_max_age) return bad(where + "max_age given twice");
      // RFC 8461 §3.2: 1*10DIGIT, at most 31557600.
      if (value.empty() || value.size() > 10 || value.find_first_not_of("0123456789") != std::string_view::npos)
        return bad(where + "max_age must be 1 to 10 digits");
      std::int64_t v = 0;
      std::from_chars(value.data(), value.data() + value.size(), v);
      if (v > kStsMaxAge) return bad(where + "max_age above 31557600");
      p.max_age = v;
      have_max_age = true;
    } else if (key == "mx") {
      std::string_view domain = value;
      if (domain.rfind("*.", 0) == 0) domain.remove_prefix(2);
      if (!valid_domain(domain)) return bad(where + "mx '" + std::string(value) + "' is not a host name or *.domain");
      p.mx.emplace_back(value);
    } else if (!valid_ext_name(key)) {
      return bad(where + "invalid key '" + std::string(key) + "'");
    } else if (value.empty()) {
      return bad(where + "empty value for '" + std::string(key) + "'");
    }
  }
  if (!have_version) return bad("MTA-STS policy: no version field");
  if (!have_mode) return bad("MTA-STS policy: no mode field");
  if (!have_max_age) return bad("MTA-STS policy: no max_age field");
  if (p.mx.empty() && p.mode != StsMode::none) return bad("MTA-STS policy: no mx field");
  return p;
}

bool mx_pattern_matches(std::string_view pattern, std::string_view host) {
  std::string p = ascii_lower(without_dot(pattern));
  std::string h = ascii_lower(without_dot(host));
  if (p.empty() || h.empty()) return false;
  if (p.rfind("*.", 0) != 0) return p == h;
  // RFC 8461 §4.1: the wildcard stands for exactly one leftmost label.
  std::string_view suffix = std::string_view(p).substr(1);  // ".example.com"
  if (h.size() <= suffix.size() || h.compare(h.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
  std::string_view label = std::string_view(h).substr(0, h.size() - suffix.size());
  return label.find('.') == std::string_view::npos;
}

bool policy_lists_mx(const StsPolicy& policy, std::string_view host) {
  for (const auto& m : policy.mx)
    if (mx_pattern_matches(m, host)) return true;
  return false;
}

}  // namespace mailprobe::policy
