#include "insight/header_block.hpp"

namespace mailprobe::insight {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_wsp(char c) { return c == ' ' || c == '\t'; }

}  // namespace

std::size_t ifind(std::string_view hay, std::string_view needle, std::size_t from) {
  if (needle.empty()) return from <= hay.size() ? from : std::string_view::npos;
  if (hay.size() < needle.size()) return std::string_view::npos;
  const char first = lower(needle[0]);
  for (std::size_t i = from; i + needle.size() <= hay.size(); ++i) {
    if (lower(hay[i]) != first) continue;
    if (iequals(hay.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

std::string_view trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

std::size_t body_offset(std::string_view raw) {
  std::size_t pos = 0;
  while (pos < raw.size()) {
    std::size_t eol = raw.find('\n', pos);
    if (eol == std::string_view::npos) return raw.size();
    std::string_view line = raw.substr(pos, eol - pos);
    if (line.empty() || line == "\r") return eol + 1;
    pos = eol + 1;
  }
  return raw.size();
}

std::vector<HeaderField> parse_header_block(std::string_view raw) {
  if (raw.size() > kMaxHeaderBytes) raw = raw.substr(0, kMaxHeaderBytes);
  std::vector<HeaderField> out;
  bool current_open = false;  // whether a continuation may join out.back()
  std::size_t pos = 0;
  while (pos < raw.size()) {
    std::size_t eol = raw.find('\n', pos);
    std::string_view line = raw.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? raw.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header section
    if (is_wsp(line.front())) {
      // RFC 5322 §2.2.3: unfolding removes the CRLF only; the WSP stays.
      if (current_open) out.back().value.append(line);
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || out.size() >= kMaxHeaderFields) {
      current_open = false;
      continue;
    }
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);  // obs-optional (§4.5)
    out.push_back({std::string(name), std::string(line.substr(colon + 1))});
    current_open = true;
  }
  for (auto& f : out) f.value = std::string(trim(f.value));
  return out;
}

std::vector<std::string> header_values(const std::vector<HeaderField>& fields, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& f : fields)
    if (iequals(f.name, name)) out.push_back(f.value);
  return out;
}

}  // namespace mailprobe::insight
