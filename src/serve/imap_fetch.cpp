#include "serve/imap_fetch.hpp"

#include "core/slice.hpp"

#include <charconv>

#include "serve/bodystructure.hpp"
#include "serve/envelope.hpp"
#include "serve/mime.hpp"
#include "serve/rfc822.hpp"
#include "serve/users.hpp"

namespace mailprobe::serve::imap {

namespace {

/// Splits a leading part number "4.2." off `head` (RFC 3501 §9 section-part,
/// nz-number *("." nz-number)); false on "0", "01", "1x" or a trailing dot.
bool parse_part_number(std::string_view& head, std::vector<std::uint32_t>& path) {
  constexpr std::size_t kMaxPath = 32;
  while (!head.empty() && head.front() >= '0' && head.front() <= '9') {
    auto dot = head.find('.');
    std::string_view num = slice(head, 0, dot);
    std::uint32_t n = 0;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), n);
    if (ec != std::errc() || p != num.data() + num.size() || num.front() == '0' || path.size() >= kMaxPath)
      return false;
    path.push_back(n);
    if (dot == std::string_view::npos) {
      head = {};
      return true;
    }
    head = slice(head, dot + 1);
    if (head.empty()) return false;
  }
  return true;
}

bool parse_section(FetchItem& item, std::string_view sec, std::string* error) {
  std::string upper = ascii_upper(sec);
  item.section = upper;
  auto sp = upper.find(' ');
  std::string_view head = slice(upper, 0, sp);
  if (!parse_part_number(head, item.path)) {
    *error = "Invalid section part " + std::string(sec);
    return false;
  }
  if (head.empty()) {
    item.part = FetchItem::Part::full;
  } else if (head == "HEADER") {
    item.part = FetchItem::Part::header;
  } else if (head == "TEXT") {
    item.part = FetchItem::Part::text;
  } else if (head == "MIME" && !item.path.empty()) {
    item.part = FetchItem::Part::mime;  // only after a part number (RFC 3501 §6.4.5)
  } else if (head == "HEADER.FIELDS" || head == "HEADER.FIELDS.NOT") {
    item.part = head == "HEADER.FIELDS" ? FetchItem::Part::fields : FetchItem::Part::fields_not;
    auto toks = sp == std::string::npos ? std::nullopt : tokenize(slice(sec, sp + 1));
    if (!toks || toks->size() != 1 || (*toks)[0].kind != Token::Kind::list || (*toks)[0].items.empty()) {
      *error = "Invalid HEADER.FIELDS list";
      return false;
    }
    for (const auto& t : (*toks)[0].items) item.fields.push_back(t.text);
    return true;
  } else {
    *error = "Unsupported section " + std::string(sec);
    return false;
  }
  if (sp != std::string::npos) {
    *error = "Invalid section " + std::string(sec);
    return false;
  }
  return true;
}

bool parse_item(const Token& t, FetchRequest& req, std::string* error) {
  if (t.kind != Token::Kind::atom) {
    *error = "Invalid fetch attribute";
    return false;
  }
  std::string upper = ascii_upper(t.text);
  FetchItem item;
  using K = FetchItem::Kind;
  if (upper == "UID") {
    item.kind = K::uid;
    req.has_uid = true;
  } else if (upper == "FLAGS") {
    item.kind = K::flags;
    req.has_flags = true;
  } else if (upper == "INTERNALDATE") {
    item.kind = K::internaldate;
  } else if (upper == "RFC822.SIZE") {
    item.kind = K::size;
  } else if (upper == "RFC822") {
    item.kind = K::rfc822;
    req.sets_seen = true;
  } else if (upper == "RFC822.HEADER") {
    item.kind = K::rfc822_header;
  } else if (upper == "ENVELOPE") {
    item.kind = K::envelope;
  } else if (upper == "BODYSTRUCTURE") {
    item.kind = K::bodystructure;
  } else if (upper == "BODY") {
    item.kind = K::body;
  } else if (upper == "RFC822.TEXT") {
    item.kind = K::rfc822_text;
    req.sets_seen = true;
  } else if (upper.rfind("BODY[", 0) == 0 || upper.rfind("BODY.PEEK[", 0) == 0) {
    item.kind = K::section;
    item.peek = upper.rfind("BODY.PEEK[", 0) == 0;
    std::size_t open = t.text.find('[');
    std::size_t close = t.text.rfind(']');
    if (close == std::string::npos || close < open) {
      *error = "Invalid section";
      return false;
    }
    if (!parse_section(item, std::string_view(t.text).substr(open + 1, close - open - 1), error)) return false;
    std::string_view rest = std::string_view(t.text).substr(close + 1);
    if (!rest.empty()) {
      // Partial fetch "<origin.length>" (RFC 3501 §6.4.5).
      auto dot = rest.find('.');
      if (rest.front() != '<' || rest.back() != '>' || dot == std::string_view::npos) {
        *error = "Invalid partial";
        return false;
      }
      auto o = slice(rest, 1, dot - 1), l = slice(rest, dot + 1, rest.size() - dot - 2);
      if (std::from_chars(o.data(), o.data() + o.size(), item.offset).ec != std::errc() ||
          std::from_chars(l.data(), l.data() + l.size(), item.length).ec != std::errc()) {
        *error = "Invalid partial";
        return false;
      }
      item.partial = true;
    }
    if (!item.peek) req.sets_seen = true;
  } else {
    *error = "Unsupported fetch attribute " + t.text;
    return false;
  }
  req.items.push_back(std::move(item));
  return true;
}

/// The octets a section names in a whole message (no part number), RFC 3501 §6.4.5.
std::string_view message_section(FetchItem::Part part, const std::vector<std::string>& fields,
                                 std::string_view msg, std::string& scratch) {
  switch (part) {
    case FetchItem::Part::full: return msg;
    case FetchItem::Part::header: return header_block(msg);
    case FetchItem::Part::text: return body_text(msg);
    case FetchItem::Part::fields:
    case FetchItem::Part::fields_not:
      scratch = select_fields(msg, fields, part == FetchItem::Part::fields_not);
      return scratch;
    case FetchItem::Part::mime: return header_block(msg);
  }
  return msg;
}

/// The octets of `item`'s section; nullopt when the part does not exist or
/// HEADER/TEXT/HEADER.FIELDS names a part that is not message/rfc822.
std::optional<std::string_view> section_bytes(const FetchItem& item, std::string_view msg, const MimeTree* tree,
                                              std::string& scratch) {
  if (item.path.empty()) return message_section(item.part, item.fields, msg, scratch);
  auto index = find_part(*tree, item.path);
  if (!index) return std::nullopt;
  const MimePart& p = tree->parts[*index];
  if (item.part == FetchItem::Part::full) return slice(msg, p.body, p.end - p.body);
  if (item.part == FetchItem::Part::mime) return slice(msg, p.begin, p.body - p.begin);
  if (p.shape != MimePart::Shape::message) return std::nullopt;
  const MimePart& inner = tree->parts[p.children.front()];
  return message_section(item.part, item.fields, slice(msg, inner.begin, inner.end - inner.begin), scratch);
}

}  // namespace

std::optional<FetchRequest> parse_fetch(const Token& spec, std::string* error) {
  FetchRequest req;
  if (spec.kind == Token::Kind::list) {
    for (const auto& t : spec.items)
      if (!parse_item(t, req, error)) return std::nullopt;
    if (req.items.empty()) {
      *error = "Empty fetch list";
      return std::nullopt;
    }
    return req;
  }
  // RFC 3501 §6.4.5 macros.
  bool all = spec.is_atom("ALL"), full = spec.is_atom("FULL");
  if (spec.is_atom("FAST") || all || full) {
    for (const char* a : {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"}) {
      std::string_view name = a;
      if ((name == "ENVELOPE" && !all && !full) || (name == "BODY" && !full)) continue;
      Token t;
      t.text = a;
      (void)parse_item(t, req, error);
    }
    return req;
  }
  if (!parse_item(spec, req, error)) return std::nullopt;
  return req;
}

std::string render_fetch(const FetchRequest& req, const StoredMessage& m, bool force_uid, bool add_flags) {
  std::string out = "(";
  auto sep = [&] {
    if (out.size() > 1) out += ' ';
  };
  if (force_uid && !req.has_uid) out += "UID " + std::to_string(m.uid);
  std::string_view msg = m.bytes ? std::string_view(*m.bytes) : std::string_view();
  std::optional<MimeTree> tree;  // parsed on first use, once per message
  auto mime = [&]() -> const MimeTree& {
    if (!tree) tree = parse_mime(msg);
    return *tree;
  };
  using K = FetchItem::Kind;
  for (const auto& item : req.items) {
    sep();
    switch (item.kind) {
      case K::uid: out += "UID " + std::to_string(m.uid); break;
      case K::flags: out += "FLAGS " + flag_list(m.flags); break;
      case K::internaldate:
        out += "INTERNALDATE \"" +
               internal_date(std::chrono::duration_cast<std::chrono::seconds>(m.internal_date.time_since_epoch()).count()) +
               "\"";
        break;
      case K::size: out += "RFC822.SIZE " + std::to_string(msg.size()); break;
      case K::rfc822: out += "RFC822 " + literal(msg); break;
      case K::rfc822_header: out += "RFC822.HEADER " + literal(header_block(msg)); break;
      case K::rfc822_text: out += "RFC822.TEXT " + literal(body_text(msg)); break;
      case K::envelope: out += "ENVELOPE " + render_envelope(msg); break;
      case K::bodystructure: out += "BODYSTRUCTURE " + render_body_structure(msg, mime(), 0, true); break;
      case K::body: out += "BODY " + render_body_structure(msg, mime(), 0, false); break;
      case K::section: {
        std::string scratch;
        auto found = section_bytes(item, msg, item.path.empty() ? nullptr : &mime(), scratch);
        out += "BODY[" + item.section + "]";
        if (!found) {
          out += " NIL";
          break;
        }
        std::string_view bytes = *found;
        if (item.partial) {
          // The response names only the origin octet (RFC 3501 §7.4.2 BODY[<section>]<<origin>>).
          out += "<" + std::to_string(item.offset) + ">";
          bytes = item.offset >= bytes.size() ? std::string_view() : slice(bytes, item.offset, item.length);
        }
        out += " " + literal(bytes);
        break;
      }
    }
  }
  if (add_flags && !req.has_flags) {
    sep();
    out += "FLAGS " + flag_list(m.flags);
  }
  return out + ")";
}

}  // namespace mailprobe::serve::imap
