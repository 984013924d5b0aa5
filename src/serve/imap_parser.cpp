#include "serve/imap_parser.hpp"

#include "core/slice.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>

#include "serve/users.hpp"

namespace mailprobe::serve::imap {

bool Token::is_atom(std::string_view upper) const {
  return kind == Kind::atom && iequals(text, upper);
}

namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/// Parenthesised lists nest at most this deep; IMAP commands need 3 or 4
/// levels, and the recursion below must not let a client exhaust the stack.
constexpr int kMaxListDepth = 32;

bool parse_list(std::string_view s, std::size_t& i, std::vector<Token>& out, int depth);

bool parse_one(std::string_view s, std::size_t& i, Token& t, int list_depth) {
  char c = s[i];
  if (c == '(') {
    if (list_depth >= kMaxListDepth) return false;
    ++i;
    t.kind = Token::Kind::list;
    return parse_list(s, i, t.items, list_depth + 1);
  }
  if (c == '"') {
    // RFC 3501 §4.3: quoted strings escape only '"' and '\'.
    t.kind = Token::Kind::string;
    ++i;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\') {
        if (++i >= s.size()) return false;
        if (s[i] != '\\' && s[i] != '"') return false;
      }
      if (s[i] == '\r' || s[i] == '\n') return false;
      t.text += s[i++];
    }
    if (i >= s.size()) return false;
    ++i;
    return true;
  }
  if (c == '{') {
    // RFC 3501 §4.3: "{n}" CRLF then exactly n octets; LITERAL+ adds "{n+}".
    auto close = s.find('}', i);
    if (close == std::string_view::npos) return false;
    std::string_view num = slice(s, i + 1, close - i - 1);
    if (!num.empty() && num.back() == '+') num.remove_suffix(1);
    std::uint64_t n = 0;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), n);
    if (ec != std::errc() || p != num.data() + num.size() || num.empty()) return false;
    std::size_t start = close + 1;
    if (slice(s, start, 2) == "\r\n") {
      start += 2;
    } else if (slice(s, start, 1) == "\n") {
      start += 1;
    } else {
      return false;
    }
    // n may be near 2^64: compare against what is left, never start + n (issue 17, D10).
    if (n > s.size() - start) return false;
    t.kind = Token::Kind::string;
    t.text = std::string(slice(s, start, n));
    i = start + n;
    return true;
  }
  t.kind = Token::Kind::atom;
  int depth = 0;  // inside [...] spaces and parens belong to the atom (BODY[HEADER.FIELDS (A)])
  while (i < s.size()) {
    char d = s[i];
    if (depth == 0 && (d == ' ' || d == '(' || d == ')' || d == '"' || d == '{')) break;
    if (d == '\r' || d == '\n') break;
    if (d == '[') ++depth;
    if (d == ']' && depth > 0) --depth;
    t.text += d;
    ++i;
  }
  return !t.text.empty() && depth == 0;
}

bool parse_list(std::string_view s, std::size_t& i, std::vector<Token>& out, int depth) {
  const bool nested = depth > 0;
  while (true) {
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size() || s[i] == '\r' || s[i] == '\n') return !nested;
    if (s[i] == ')') {
      if (!nested) return false;
      ++i;
      return true;
    }
    Token t;
    if (!parse_one(s, i, t, depth)) return false;
    out.push_back(std::move(t));
  }
}

bool parse_num(std::string_view s, std::uint32_t star, std::uint32_t& out) {
  if (s == "*") {
    out = star;
    return true;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out != 0 && !s.empty();
}

}  // namespace

std::optional<std::vector<Token>> tokenize(std::string_view command) {
  std::vector<Token> out;
  std::size_t i = 0;
  if (!parse_list(command, i, out, 0)) return std::nullopt;
  return out;
}

std::optional<LiteralSpec> trailing_literal(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  auto open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view num = slice(line, open + 1, line.size() - open - 2);
  LiteralSpec spec;
  if (!num.empty() && num.back() == '+') {
    spec.non_sync = true;
    num.remove_suffix(1);
  }
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), spec.size);
  if (ec != std::errc() || p != num.data() + num.size() || num.empty()) return std::nullopt;
  return spec;
}

bool SeqSet::contains(std::uint32_t n) const {
  return std::any_of(ranges.begin(), ranges.end(),
                     [n](const auto& r) { return n >= r.first && n <= r.second; });
}

std::optional<SeqSet> parse_seq_set(std::string_view s, std::uint32_t star) {
  SeqSet set;
  if (s.empty()) return std::nullopt;
  while (!s.empty()) {
    auto comma = s.find(',');
    std::string_view part = slice(s, 0, comma);
    s = comma == std::string_view::npos ? std::string_view() : slice(s, comma + 1);
    if (comma != std::string_view::npos && s.empty()) return std::nullopt;
    auto colon = part.find(':');
    std::uint32_t a = 0, b = 0;
    if (!parse_num(slice(part, 0, colon), star, a)) return std::nullopt;
    b = a;
    if (colon != std::string_view::npos && !parse_num(slice(part, colon + 1), star, b))
      return std::nullopt;
    // RFC 3501 §9: "a:b" and "b:a" are the same range.
    if (a > b) std::swap(a, b);
    set.ranges.emplace_back(a, b);
  }
  return set;
}

bool list_match(std::string_view pat, std::string_view name) {
  auto up = [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; };
  auto wild = [](char c) { return c == '*' || c == '%'; };
  // Greedy matching with one resume point: on a mismatch, let the last
  // wildcard absorb one more character. Wildcards before it never need to
  // change, since any run they matched the later one can match too.
  std::size_t p = 0, n = 0;
  std::size_t star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (p < pat.size() && wild(pat[p])) {
      star = p++;
      resume = n;
    } else if (p < pat.size() && up(pat[p]) == up(name[n])) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pat.size() && wild(pat[p])) ++p;
  return p == pat.size();
}

std::string format_uid_set(const std::vector<std::uint32_t>& ids) {
  std::string out;
  std::size_t i = 0;
  while (i < ids.size()) {
    std::size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(ids[i]);
    if (j > i) {
      out += ':';
      out += std::to_string(ids[j]);
    }
    i = j + 1;
  }
  return out;
}

std::string quote(std::string_view s) {
  bool needs_literal = false;
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0' || static_cast<unsigned char>(c) >= 0x80) needs_literal = true;
  if (needs_literal) return literal(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string literal(std::string_view bytes) {
  std::string out = "{";
  out += std::to_string(bytes.size());
  out += "}\r\n";
  out.append(bytes);
  return out;
}

std::string flag_list(const std::vector<std::string>& flags) {
  std::string out = "(";
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (i) out += ' ';
    out += flags[i];
  }
  return out + ")";
}

std::string internal_date(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02d-%s-%04d %02d:%02d:%02d +0000", tm.tm_mday, kMonths[tm.tm_mon],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<std::int64_t> parse_date_days(std::string_view s) {
  // date = day "-" month "-" year (RFC 3501 §9), e.g. 1-Feb-1994.
  auto d1 = s.find('-');
  auto d2 = s.find('-', d1 == std::string_view::npos ? d1 : d1 + 1);
  if (d1 == std::string_view::npos || d2 == std::string_view::npos) return std::nullopt;
  int day = 0, year = 0, month = -1;
  auto ds = slice(s, 0, d1), ys = slice(s, d2 + 1), ms = slice(s, d1 + 1, d2 - d1 - 1);
  if (std::from_chars(ds.data(), ds.data() + ds.size(), day).ec != std::errc()) return std::nullopt;
  if (std::from_chars(ys.data(), ys.data() + ys.size(), year).ec != std::errc()) return std::nullopt;
  for (int m = 0; m < 12; ++m)
    if (iequals(ms, kMonths[m])) month = m;
  if (month < 0 || day < 1 || day > 31 || year < 1970) return std::nullopt;
  // Days from civil (Howard Hinnant's algorithm).
  int y = year - (month + 1 <= 2 ? 1 : 0);
  int era = y / 400;
  int yoe = y - era * 400;
  int mp = (month + 1 + 9) % 12;
  int doy = (153 * mp + 2) / 5 + day - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

}  // namespace mailprobe::serve::imap

namespace mailprobe::serve::imap {

namespace {

/// Exactly `n` digits at s[pos]; false if anything else is there.
bool fixed_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  std::string_view d = slice(s, pos, n);
  if (d.size() != n) return false;
  auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), out);
  return ec == std::errc() && p == d.data() + d.size() && d.front() != '-' && d.front() != '+';
}

}  // namespace

std::optional<std::int64_t> parse_date_time(std::string_view s) {
  // date-time = date-day-fixed "-" date-month "-" date-year SP time SP zone,
  // date-day-fixed = (SP DIGIT) / 2DIGIT. A bare one-digit day is accepted too.
  if (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  auto sp = s.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  auto days = parse_date_days(slice(s, 0, sp));
  std::string_view rest = slice(s, sp + 1);
  int h = 0, mi = 0, se = 0, zh = 0, zm = 0;
  if (rest.size() != 14 || rest[2] != ':' || rest[5] != ':' || rest[8] != ' ' || (rest[9] != '+' && rest[9] != '-'))
    return std::nullopt;
  if (!days || !fixed_digits(rest, 0, 2, h) || !fixed_digits(rest, 3, 2, mi) || !fixed_digits(rest, 6, 2, se) ||
      !fixed_digits(rest, 10, 2, zh) || !fixed_digits(rest, 12, 2, zm))
    return std::nullopt;
  if (h > 23 || mi > 59 || se > 60 || zm > 59) return std::nullopt;
  std::int64_t offset = (zh * 60 + zm) * 60;
  if (rest[9] == '-') offset = -offset;
  return *days * 86400 + h * 3600 + mi * 60 + se - offset;
}

}  // namespace mailprobe::serve::imap
