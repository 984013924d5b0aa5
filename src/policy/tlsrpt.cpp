#include "policy/tlsrpt.hpp"

#include "core/ascii.hpp"
#include "policy/record_text.hpp"

namespace mailprobe::policy {

namespace {

Failure bad(std::string msg) {
  return Failure(Stage::none, Result::protocol_error, "TLS-RPT TXT: " + std::move(msg));
}

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

/// RFC 8460 §3: tlsrpt-uri is a URI; only mailto: and https: are defined.
/// The URI must be printable without spaces, ";" or "," (those are
/// percent-encoded inside a rua URI) and have something after the scheme.
std::optional<std::string> uri_problem(std::string_view uri) {
  for (char c : uri) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e) return "rua URI '" + std::string(uri) + "' has a space or non-ASCII character";
  }
  std::string lower = ascii_lower(uri);
  std::string_view rest;
  if (lower.rfind("mailto:", 0) == 0) {
    rest = uri.substr(7);
    auto at = rest.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == rest.size())
      return "rua '" + std::string(uri) + "' is not mailto:local@domain";
  } else if (lower.rfind("https://", 0) == 0) {
    rest = uri.substr(8);
    if (rest.empty() || rest.front() == '/') return "rua '" + std::string(uri) + "' has no host";
  } else {
    return "rua '" + std::string(uri) + "' is neither mailto: nor https:";
  }
  return std::nullopt;
}

/// RFC 8460 §3 tlsrpt-ext-name: (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".").
bool valid_ext_name(std::string_view s) {
  if (s.empty() || s.size() > 32 || !is_alnum(s[0])) return false;
  for (char c : s)
    if (!is_alnum(c) && c != '_' && c != '-' && c != '.') return false;
  return true;
}

}  // namespace

Outcome<TlsRptRecord> parse_tlsrpt_record(std::string_view txt) {
  auto fields = split_tag_list(txt);
  if (!fields) return bad(fields.error().reply_text);
  const auto& f = fields.value();
  if (f.empty() || f[0].name != "v" || f[0].value != "TLSRPTv1") return bad("does not start with v=TLSRPTv1");
  TlsRptRecord rec;
  bool have_rua = false;
  for (std::size_t i = 1; i < f.size(); ++i) {
    const auto& [name, value] = f[i];
    if (name == "rua") {
      if (have_rua) return bad("rua given twice");
      have_rua = true;
      // tlsrpt-rua = "rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
      std::size_t start = 0;
      while (true) {
        std::size_t comma = value.find(',', start);
        std::string_view uri = std::string_view(value).substr(
            start, comma == std::string::npos ? std::string::npos : comma - start);
        while (!uri.empty() && (uri.front() == ' ' || uri.front() == '\t')) uri.remove_prefix(1);
        while (!uri.empty() && (uri.back() == ' ' || uri.back() == '\t')) uri.remove_suffix(1);
        if (uri.empty()) return bad("empty rua URI");
        if (auto p = uri_problem(uri)) return bad(*p);
        rec.rua.emplace_back(uri);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (name == "v") {
      return bad("v= appears again after the start");
    } else if (!valid_ext_name(name)) {
      return bad("invalid field name '" + name + "'");
    } else if (!valid_tag_value(value) || value.find('!') != std::string::npos) {
      // tlsrpt-ext-value = 1*(%x22-2F / %x30-3A / %x3C / %x3E-7E)
      return bad("invalid value for '" + name + "'");
    }
  }
  if (!have_rua) return bad("no rua field");
  return rec;
}

Outcome<std::optional<TlsRptRecord>> select_tlsrpt_record(const std::vector<std::string>& txts) {
  std::vector<const std::string*> candidates;
  for (const auto& t : txts)
    if (t.rfind("v=TLSRPTv1", 0) == 0) candidates.push_back(&t);
  if (candidates.empty()) return std::optional<TlsRptRecord>{};
  if (candidates.size() > 1)
    return bad(std::to_string(candidates.size()) + " v=TLSRPTv1 records (exactly one allowed)");
  auto rec = parse_tlsrpt_record(*candidates.front());
  if (!rec) return rec.error();
  return std::optional<TlsRptRecord>{rec.value()};
}

}  // namespace mailprobe::policy
