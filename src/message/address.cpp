#include "message/address.hpp"

namespace mailprobe::message {

bool has_line_break(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

std::string address_problem(std::string_view a) {
  if (a.empty()) return "is empty";
  if (has_line_break(a)) return "contains a line break";
  for (unsigned char c : a) {
    if (c < 0x20 || c == 0x7f) return "contains a control character";
    if (c == ' ' || c == '\t') return "contains whitespace";
    if (c == '<' || c == '>' || c == ',' || c == '"') return "must be a bare address like user@example.org";
  }
  auto at = a.rfind('@');
  if (at == std::string_view::npos) return "has no '@'";
  if (at == 0) return "has an empty local part";
  if (at + 1 == a.size()) return "has an empty domain";
  if (a.find('@') != at) return "has more than one '@'";
  if (a.size() > 254) return "is longer than 254 characters";
  return {};
}

std::string_view domain_of(std::string_view addr) {
  auto at = addr.rfind('@');
  return at == std::string_view::npos ? std::string_view{} : addr.substr(at + 1);
}

}  // namespace mailprobe::message
