#include "policy/record_text.hpp"

namespace mailprobe::policy {

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

Outcome<std::vector<TagField>> split_tag_list(std::string_view txt) {
  std::vector<TagField> out;
  for (char c : txt)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
      return Failure(Stage::none, Result::protocol_error, "control character in record");
  std::size_t start = 0;
  while (true) {
    std::size_t semi = txt.find(';', start);
    bool last = semi == std::string_view::npos;
    std::string_view piece = trim(txt.substr(start, last ? std::string_view::npos : semi - start));
    if (piece.empty()) {
      // Only the text after a final ";" may be empty ([field-delim] at the end).
      if (last && !out.empty()) break;
      return Failure(Stage::none, Result::protocol_error, out.empty() ? "empty record" : "empty field between ';'");
    }
    auto eq = piece.find('=');
    if (eq == std::string_view::npos)
      return Failure(Stage::none, Result::protocol_error, "field '" + std::string(piece) + "' has no '='");
    std::string_view name = piece.substr(0, eq);
    if (name.empty() || name.find_first_of(" \t") != std::string_view::npos)
      return Failure(Stage::none, Result::protocol_error, "field '" + std::string(piece) + "' has no valid name");
    out.push_back({std::string(name), std::string(piece.substr(eq + 1))});
    if (last) break;
    start = semi + 1;
  }
  return out;
}

bool valid_tag_value(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e || c == ';' || c == '=') return false;
  }
  return true;
}

}  // namespace mailprobe::policy
