#include "insight/auth_results.hpp"

#include <charconv>
#include <cmath>

#include "insight/header_block.hpp"

namespace mailprobe::insight {

namespace {

constexpr std::size_t kMaxValue = 16384;
constexpr std::size_t kMaxResults = 64;

/// Drops comments (CFWS) and splits on ';' outside quoted strings, trimming
/// each piece. Quoted strings keep their quotes; unquoting is done per value.
std::vector<std::string> split_statements(std::string_view v) {
  std::vector<std::string> out(1);
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (quoted) {
      out.back().push_back(c);
      if (c == '\\' && i + 1 < v.size()) out.back().push_back(v[++i]);
      else if (c == '"') quoted = false;
      continue;
    }
    if (depth > 0) {
      if (c == '\\') ++i;
      else if (c == '(') ++depth;
      else if (c == ')') --depth;
      continue;
    }
    if (c == '(') {
      ++depth;
      out.back().push_back(' ');
    } else if (c == '"') {
      quoted = true;
      out.back().push_back(c);
    } else if (c == ';') {
      if (out.size() > kMaxResults) break;
      out.emplace_back();
    } else {
      out.back().push_back(c);
    }
  }
  for (auto& s : out) s = std::string(trim(s));
  return out;
}

std::string unquote(std::string_view v) {
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::string(v);
  std::string out;
  for (std::size_t i = 1; i + 1 < v.size(); ++i) {
    if (v[i] == '\\' && i + 2 < v.size()) ++i;
    out.push_back(v[i]);
  }
  return out;
}

/// Whitespace-separated words; quoted strings stay whole; "a = b" joins to "a=b".
std::vector<std::string> words_of(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size() && out.size() < 256) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i >= s.size()) break;
    std::size_t start = i;
    bool quoted = false;
    for (; i < s.size(); ++i) {
      if (s[i] == '\\' && quoted) {
        ++i;
        continue;
      }
      if (s[i] == '"') quoted = !quoted;
      if (!quoted && (s[i] == ' ' || s[i] == '\t')) break;
    }
    std::string w(s.substr(start, std::min(i, s.size()) - start));
    bool join = !out.empty() && (w.front() == '=' || out.back().back() == '=');
    if (join) out.back() += w;
    else out.push_back(std::move(w));
  }
  return out;
}

}  // namespace

std::optional<double> leading_number(std::string_view s) {
  s = trim(s);
  while (!s.empty() && (s.front() == '(' || s.front() == '[' || s.front() == '+')) s.remove_prefix(1);
  if (s.size() > 64) s = s.substr(0, 64);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p == s.data() || !std::isfinite(v)) return std::nullopt;
  return v;
}

AuthResultsField parse_auth_results_value(std::string_view value) {
  AuthResultsField out;
  if (value.size() > kMaxValue) value = value.substr(0, kMaxValue);
  auto statements = split_statements(value);
  auto head = words_of(statements.front());
  if (head.empty()) return out;
  // Microsoft 365 omits the authserv-id: then the first statement is a result.
  std::size_t first_result = 1;
  if (head.front().find('=') != std::string::npos) first_result = 0;
  else out.authserv_id = unquote(head.front());
  for (std::size_t i = first_result; i < statements.size(); ++i) {
    auto ws = words_of(statements[i]);
    if (ws.empty()) continue;
    if (ws.size() == 1 && iequals(ws[0], "none")) continue;  // no-result (§2.2)
    std::size_t eq = ws[0].find('=');
    if (eq == std::string::npos || eq == 0) continue;
    MethodResult m;
    std::string method = ws[0].substr(0, eq);
    if (auto slash = method.find('/'); slash != std::string::npos) method.resize(slash);  // method version
    m.method = ascii_lower(trim(method));
    m.result = ascii_lower(unquote(ws[0].substr(eq + 1)));
    for (std::size_t k = 1; k < ws.size(); ++k) {
      std::size_t e = ws[k].find('=');
      if (e == std::string::npos || e == 0) continue;
      std::string key = ascii_lower(ws[k].substr(0, e));
      std::string val = unquote(ws[k].substr(e + 1));
      if (key == "reason") m.reason = val;
      else m.properties.emplace_back(std::move(key), std::move(val));
    }
    if (m.method.empty() || m.result.empty()) continue;
    out.results.push_back(std::move(m));
  }
  return out;
}

Verdicts parse_verdicts(std::string_view header_block, const std::set<std::string>& trusted) {
  Verdicts v;
  auto fields = parse_header_block(header_block);
  for (const auto& f : fields) {
    if (!iequals(f.name, "Authentication-Results")) continue;
    auto ar = parse_auth_results_value(f.value);
    if (ar.authserv_id.empty() && ar.results.empty()) continue;
    if (!trusted.empty()) {
      bool ok = false;
      for (const auto& t : trusted) ok = ok || iequals(t, ar.authserv_id);
      if (!ok) continue;
    }
    v.authserv_id = ar.authserv_id;
    for (const auto& m : ar.results) {
      if (m.method == "spf" && !v.spf) v.spf = m.result;
      if (m.method == "dmarc" && !v.dmarc) v.dmarc = m.result;
      if (m.method == "dkim" && (!v.dkim || m.result == "pass")) v.dkim = m.result;
    }
    break;
  }
  std::optional<bool> status_flag, x_spam_flag;
  std::optional<double> status_score, spam_score_hdr, rspamd_score;
  for (const auto& f : fields) {
    if (iequals(f.name, "X-Spam-Status")) {
      if (status_flag || status_score) continue;
      std::string_view s = f.value;
      if (ifind(s, "yes") == 0) status_flag = true;
      else if (ifind(s, "no") == 0) status_flag = false;
      for (std::string_view key : {"score=", "hits="}) {
        std::size_t p = ifind(s, key);
        if (p != std::string_view::npos && !status_score) status_score = leading_number(s.substr(p + key.size()));
      }
    } else if (iequals(f.name, "X-Spam-Score")) {
      if (!spam_score_hdr) spam_score_hdr = leading_number(f.value);
    } else if (iequals(f.name, "X-Rspamd-Score")) {
      if (!rspamd_score) rspamd_score = leading_number(f.value);
    } else if (iequals(f.name, "X-Spam-Flag")) {
      if (!v.spam_flag) {
        if (iequals(trim(f.value), "yes")) v.spam_flag = true;
        else if (iequals(trim(f.value), "no")) v.spam_flag = false;
      }
    } else if (iequals(f.name, "X-Spam")) {
      if (!x_spam_flag) {
        if (ifind(f.value, "yes") == 0) x_spam_flag = true;
        else if (ifind(f.value, "no") == 0) x_spam_flag = false;
      }
    }
  }
  if (!v.spam_flag) v.spam_flag = status_flag ? status_flag : x_spam_flag;
  v.spam_score = status_score ? status_score : (spam_score_hdr ? spam_score_hdr : rspamd_score);
  return v;
}

}  // namespace mailprobe::insight
