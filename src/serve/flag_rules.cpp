#include "serve/flag_rules.hpp"

#include <algorithm>
#include <iterator>

#include "core/ascii.hpp"

namespace mailprobe::serve::imap {

namespace {

const char* const kSystemFlags[] = {"\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"};

/// RFC 3501 §9 atom: no CTL, SP, 8-bit or atom-specials. A keyword is such an
/// atom; a system flag is "\\" and one of kSystemFlags.
bool is_atom_text(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || std::string_view("(){%*\"\\]").find(c) != std::string_view::npos) return false;
  }
  return true;
}

}  // namespace

bool has_flag(const std::vector<std::string>& flags, std::string_view f) {
  return std::any_of(flags.begin(), flags.end(), [&](const std::string& x) { return iequals(x, f); });
}

std::optional<std::vector<std::string>> client_flags(const std::vector<const Token*>& toks, std::string* error) {
  std::vector<std::string> flags;
  for (const Token* t : toks) {
    if (t->kind != Token::Kind::atom) {
      *error = "Flags must be atoms";
      return std::nullopt;
    }
    std::string f = t->text;
    if (!f.empty() && f.front() == '\\') {
      auto it = std::find_if(std::begin(kSystemFlags), std::end(kSystemFlags),
                             [&](const char* s) { return iequals(s, f); });
      if (it == std::end(kSystemFlags)) {
        *error = "Cannot store flag " + f;
        return std::nullopt;
      }
      f = *it;
    } else if (!is_atom_text(f)) {
      *error = "Invalid flag";
      return std::nullopt;
    }
    if (!has_flag(flags, f)) flags.push_back(f);
  }
  return flags;
}

}  // namespace mailprobe::serve::imap
