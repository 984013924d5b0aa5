#include "imap/response.hpp"

#include "core/slice.hpp"

#include <charconv>

#include "core/ascii.hpp"

namespace mailprobe::imap {

namespace {

/// If line ends with "{n}" (RFC 3501 §4.3 literal), returns n.
std::optional<std::size_t> trailing_literal(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  auto open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view digits = slice(line, open + 1, line.size() - open - 2);
  if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);  // LITERAL+
  if (digits.empty()) return std::nullopt;
  std::size_t n = 0;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) return std::nullopt;
  return n;
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.emplace_back(slice(s, i, j - i));
    i = j;
  }
  return out;
}

std::optional<std::uint32_t> to_u32(std::string_view s) {
  std::uint32_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string Response::status() const {
  if (kind == Kind::continuation) return {};
  auto w = words(slice(text, 0, 16));
  if (w.empty()) return {};
  std::string s = ascii_upper(w.front());
  if (s == "OK" || s == "NO" || s == "BAD" || s == "BYE" || s == "PREAUTH") return s;
  return {};
}

std::string Response::status_text() const {
  std::string_view t = text;
  auto sp = t.find(' ');
  if (sp == std::string_view::npos) return {};
  t.remove_prefix(sp + 1);
  if (!t.empty() && t.front() == '[') {
    auto close = t.find(']');
    if (close != std::string_view::npos) {
      t.remove_prefix(close + 1);
      while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    }
  }
  return std::string(t);
}

void ResponseReader::feed(std::string_view bytes) {
  if (!overflow_) buf_.append(bytes);
}

void ResponseReader::reset_response() {
  buf_.erase(0, scan_);
  scan_ = lf_from_ = 0;
  line_.clear();
  literals_.clear();
  literal_bytes_ = 0;
  literal_.reset();
}

std::optional<Response> ResponseReader::next() {
  // A response is complete at a line end (CRLF, or a bare LF from a lax
  // server) that does not follow a literal marker; after a marker "{n}" come
  // n octets and then the line continues (RFC 3501 §4.3).
  while (!overflow_) {
    if (literal_) {
      if (buf_.size() - scan_ < *literal_) return std::nullopt;  // wait for the whole literal
      literals_.emplace_back(buf_, scan_, *literal_);
      literal_bytes_ += *literal_;
      scan_ += *literal_;
      lf_from_ = scan_;
      literal_.reset();
      continue;
    }
    auto lf = buf_.find('\n', lf_from_);
    if (lf == std::string::npos) {
      lf_from_ = buf_.size();
      if (buf_.size() - scan_ > kMaxLine) overflow_ = true;
      return std::nullopt;
    }
    std::size_t end = lf > scan_ && buf_[lf - 1] == '\r' ? lf - 1 : lf;
    if (end - scan_ > kMaxLine || line_.size() + literal_bytes_ + (end - scan_) > kMaxResponse) {
      overflow_ = true;
      break;
    }
    line_.append(buf_, scan_, end - scan_);
    scan_ = lf_from_ = lf + 1;
    auto lit = trailing_literal(line_);
    if (!lit) break;
    std::size_t held = line_.size() + literal_bytes_;
    if (*lit > kMaxLiteral || *lit > kMaxResponse - std::min(held, kMaxResponse)) {
      overflow_ = true;
      break;
    }
    literal_ = *lit;
  }
  if (overflow_) {
    buf_.clear();
    buf_.shrink_to_fit();
    scan_ = lf_from_ = 0;
    line_.clear();
    literals_.clear();
    return std::nullopt;
  }
  std::string line = std::move(line_);
  std::vector<std::string> literals = std::move(literals_);
  reset_response();

  Response r;
  r.literals = std::move(literals);
  if (line.rfind("* ", 0) == 0) {
    r.kind = Response::Kind::untagged;
    r.text = std::string(slice(line, 2));
  } else if (line == "+" || line.rfind("+ ", 0) == 0) {
    r.kind = Response::Kind::continuation;
    r.text = line.size() > 2 ? slice(line, 2) : "";
  } else {
    r.kind = Response::Kind::tagged;
    auto sp = line.find(' ');
    r.tag = slice(line, 0, sp);
    r.text = sp == std::string::npos ? "" : slice(line, sp + 1);
  }
  return r;
}

std::optional<std::uint32_t> exists_count(const Response& r) {
  if (r.kind != Response::Kind::untagged) return std::nullopt;
  auto w = words(r.text);
  if (w.size() != 2 || ascii_upper(w[1]) != "EXISTS") return std::nullopt;
  return to_u32(w[0]);
}

std::optional<std::uint32_t> expunge_number(const Response& r) {
  if (r.kind != Response::Kind::untagged) return std::nullopt;
  auto w = words(r.text);
  if (w.size() != 2 || ascii_upper(w[1]) != "EXPUNGE") return std::nullopt;
  return to_u32(w[0]);
}

std::optional<std::vector<std::uint32_t>> search_result(const Response& r) {
  if (r.kind != Response::Kind::untagged) return std::nullopt;
  auto w = words(r.text);
  if (w.empty() || ascii_upper(w[0]) != "SEARCH") return std::nullopt;
  std::vector<std::uint32_t> out;
  for (std::size_t i = 1; i < w.size(); ++i) {
    if (w[i].front() == '(') break;  // RFC 4731/7162 modifiers, e.g. (MODSEQ n)
    if (auto n = to_u32(w[i])) out.push_back(*n);
  }
  return out;
}

std::optional<std::set<std::string>> capabilities(const Response& r) {
  std::string_view t = r.text;
  std::string u = ascii_upper(t);
  std::size_t start;
  std::size_t end = std::string::npos;
  if (r.kind == Response::Kind::untagged && u.rfind("CAPABILITY ", 0) == 0) {
    start = 11;
  } else if (auto p = u.find("[CAPABILITY "); p != std::string::npos) {
    start = p + 12;
    end = u.find(']', start);
  } else {
    return std::nullopt;
  }
  std::set<std::string> caps;
  for (auto& w : words(slice(u, start, end == std::string::npos ? std::string::npos : end - start)))
    caps.insert(w);
  return caps;
}

std::optional<std::uint32_t> code_number(const Response& r, std::string_view code) {
  std::string u = ascii_upper(r.text);
  std::string needle("[");
  needle += ascii_upper(code);
  needle += ' ';
  auto p = u.find(needle);
  if (p == std::string::npos) return std::nullopt;
  p += needle.size();
  auto e = u.find_first_of("] ", p);
  if (e == std::string::npos) return std::nullopt;
  return to_u32(slice(u, p, e - p));
}

std::optional<std::uint32_t> fetch_uid(const Response& r) {
  if (r.kind != Response::Kind::untagged) return std::nullopt;
  std::string u = ascii_upper(r.text);
  auto f = u.find(" FETCH (");
  if (f == std::string::npos) return std::nullopt;
  auto p = u.find("UID ", f);
  while (p != std::string::npos && u[p - 1] != '(' && u[p - 1] != ' ') p = u.find("UID ", p + 1);
  if (p == std::string::npos) return std::nullopt;
  p += 4;
  auto e = u.find_first_of(" )", p);
  if (e == std::string::npos) return std::nullopt;
  return to_u32(slice(u, p, e - p));
}

std::optional<std::uint32_t> fetch_number(const Response& r) {
  if (r.kind != Response::Kind::untagged) return std::nullopt;
  auto w = words(r.text);
  if (w.size() < 3 || ascii_upper(w[1]) != "FETCH" || w[2].empty() || w[2][0] != '(') return std::nullopt;
  return to_u32(w[0]);
}

std::optional<ListEntry> list_entry(const Response& r) {
  if (r.kind != Response::Kind::untagged) return std::nullopt;
  std::string_view t = r.text;
  if (ascii_upper(slice(t, 0, 5)) != "LIST ") return std::nullopt;
  t.remove_prefix(5);
  if (t.empty() || t.front() != '(') return std::nullopt;
  auto close = t.find(')');
  if (close == std::string_view::npos) return std::nullopt;
  ListEntry e;
  e.attributes = words(slice(t, 1, close - 1));
  t.remove_prefix(close + 1);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  // delimiter: NIL or a quoted char
  if (t.rfind("NIL", 0) == 0) {
    t.remove_prefix(3);
  } else if (t.size() >= 3 && t.front() == '"') {
    auto q = t.find('"', t[1] == '\\' ? 3 : 2);
    if (q == std::string_view::npos) return std::nullopt;
    t.remove_prefix(q + 1);
  } else {
    return std::nullopt;
  }
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  if (!r.literals.empty() && !t.empty() && t.front() == '{') {
    e.name = r.literals.back();
  } else if (!t.empty() && t.front() == '"') {
    for (std::size_t i = 1; i < t.size() && t[i] != '"'; ++i) {
      if (t[i] == '\\' && i + 1 < t.size()) ++i;
      e.name.push_back(t[i]);
    }
  } else {
    e.name = std::string(t);
  }
  return e;
}

std::optional<std::string> astring(std::string_view s) {
  bool atom = !s.empty();
  for (unsigned char c : s) {
    if (c == '\r' || c == '\n' || c == 0 || c >= 0x80) return std::nullopt;
    if (c <= 0x20 || c == 0x7f || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' ||
        c == '"' || c == '\\' || c == ']')
      atom = false;
  }
  if (atom) return std::string(s);
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q.push_back('\\');
    q.push_back(c);
  }
  q.push_back('"');
  return q;
}

}  // namespace mailprobe::imap
