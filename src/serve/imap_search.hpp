#pragma once

// IMAP SEARCH criteria (RFC 3501 §6.4.4) compiled into a predicate tree.
// Top-level keys are ANDed; OR, NOT and parenthesized groups nest.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "serve/imap_parser.hpp"
#include "serve/mail_store.hpp"

namespace mailprobe::serve::imap {

class SearchProgram {
 public:
  /// Compiles args (after an optional CHARSET, which the caller strips). `max_seq`/`max_uid`
  /// give "*". On failure returns nullopt and sets *error to a BAD text.
  static std::optional<SearchProgram> compile(const std::vector<Token>& args, std::uint32_t max_seq,
                                              std::uint32_t max_uid, std::string* error);
  /// True if message number `seq` matches; `recent`: the session holds it as
  /// \Recent (RECENT, NEW and OLD, RFC 3501 §6.4.4).
  bool matches(std::uint32_t seq, const StoredMessage& m, bool recent = false) const;

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace mailprobe::serve::imap
