#pragma once

// IMAP FETCH data items (RFC 3501 §6.4.5 and §7.4.2): parsing the requested
// attributes and rendering one message's FETCH response.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "serve/imap_parser.hpp"
#include "serve/mail_store.hpp"

namespace mailprobe::serve::imap {

struct FetchItem {
  enum class Kind {
    uid, flags, internaldate, size, rfc822, rfc822_header, rfc822_text, section,
    envelope, bodystructure, body  // RFC 3501 §7.4.2 ENVELOPE, BODYSTRUCTURE, BODY
  };
  enum class Part { full, header, text, fields, fields_not, mime };
  Kind kind = Kind::uid;
  Part part = Part::full;
  std::vector<std::uint32_t> path;  // RFC 3501 §6.4.5 part number, e.g. {4, 2} for BODY[4.2.TEXT]
  std::vector<std::string> fields;
  bool peek = false;
  std::string section;  // as echoed in the response, e.g. "HEADER.FIELDS (SUBJECT)"
  bool partial = false;
  std::uint64_t offset = 0, length = 0;
};

struct FetchRequest {
  std::vector<FetchItem> items;
  bool sets_seen = false;  // BODY[...] without .PEEK, RFC822, RFC822.TEXT
  bool has_flags = false;
  bool has_uid = false;
};

/// Parses the attribute argument (an atom, a macro or a list). nullopt + *error on BAD input.
/// Macros per RFC 3501 §6.4.5: FAST = (FLAGS INTERNALDATE RFC822.SIZE),
/// ALL = FAST + ENVELOPE, FULL = ALL + BODY.
std::optional<FetchRequest> parse_fetch(const Token& spec, std::string* error);

/// "(UID 4 FLAGS (\Seen) BODY[HEADER] {12}\r\n...)". Adds UID first if `force_uid` and
/// not requested, and FLAGS if `add_flags` (RFC 3501 §6.4.5 implicit \Seen).
/// A section naming a part that does not exist (or HEADER/TEXT of a part that
/// is not message/rfc822) is answered with NIL.
std::string render_fetch(const FetchRequest& req, const StoredMessage& m, bool force_uid, bool add_flags);

}  // namespace mailprobe::serve::imap
