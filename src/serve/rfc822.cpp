#include "serve/rfc822.hpp"

#include "core/slice.hpp"

#include <algorithm>

#include "serve/users.hpp"

namespace mailprobe::serve {

namespace {

std::size_t header_end(std::string_view m) {
  if (slice(m, 0, 2) == "\r\n") return 2;
  auto p = m.find("\r\n\r\n");
  if (p != std::string_view::npos) return p + 4;
  auto q = m.find("\n\n");
  if (q != std::string_view::npos) return q + 2;
  return m.size();
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string_view header_block(std::string_view message) { return slice(message, 0, header_end(message)); }

std::string_view body_text(std::string_view message) { return slice(message, header_end(message)); }

std::vector<HeaderField> header_fields(std::string_view message) {
  std::vector<HeaderField> out;
  std::string_view h = header_block(message);
  std::size_t pos = 0;
  while (pos < h.size()) {
    auto eol = h.find('\n', pos);
    std::size_t next = eol == std::string_view::npos ? h.size() : eol + 1;
    std::string_view line = slice(h, pos, next - pos);
    std::string_view content = line;
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.remove_suffix(1);
    if (content.empty()) break;
    if ((content.front() == ' ' || content.front() == '\t') && !out.empty()) {
      // RFC 5322 §2.2.3: a continuation line belongs to the previous field.
      out.back().raw += line;
      out.back().value += std::string(content);
    } else {
      auto colon = content.find(':');
      HeaderField f;
      f.name = std::string(slice(content, 0, colon));
      f.raw = std::string(line);
      if (colon != std::string_view::npos) {
        std::string_view v = slice(content, colon + 1);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        f.value = std::string(v);
      }
      out.push_back(std::move(f));
    }
    pos = next;
  }
  return out;
}

std::string select_fields(std::string_view message, const std::vector<std::string>& names, bool exclude) {
  std::string out;
  for (const auto& f : header_fields(message)) {
    bool named = std::any_of(names.begin(), names.end(), [&](const std::string& n) { return iequals(n, f.name); });
    if (named != exclude) out += f.raw;
  }
  out += "\r\n";
  return out;
}

bool contains_ci(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return lower(a) == lower(b); });
  return it != haystack.end();
}

}  // namespace mailprobe::serve
