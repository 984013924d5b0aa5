#include "insight/junk_mailbox.hpp"

#include "insight/header_block.hpp"

namespace mailprobe::insight {

const std::vector<std::string>& junk_fallback_names() {
  static const std::vector<std::string> kNames = {"Junk", "Spam", "Junk E-mail", "[Gmail]/Spam"};
  return kNames;
}

std::string choose_junk_mailbox(const std::vector<imap::ListEntry>& entries) {
  std::vector<const imap::ListEntry*> usable;
  for (const auto& e : entries) {
    bool selectable = true;
    for (const auto& a : e.attributes)
      if (iequals(a, "\\Noselect") || iequals(a, "\\NonExistent")) selectable = false;
    if (selectable && !e.name.empty()) usable.push_back(&e);
  }
  for (const auto* e : usable)
    for (const auto& a : e->attributes)
      if (iequals(a, "\\Junk")) return e->name;
  for (int pass = 0; pass < 3; ++pass) {
    for (const auto& want : junk_fallback_names()) {
      for (const auto* e : usable) {
        if (pass == 0 && e->name == want) return e->name;
        if (pass == 1 && iequals(e->name, want)) return e->name;
        if (pass == 2 && (iequals(e->name, "INBOX." + want) || iequals(e->name, "INBOX/" + want))) return e->name;
      }
    }
  }
  return {};
}

}  // namespace mailprobe::insight
