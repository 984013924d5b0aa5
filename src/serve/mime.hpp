#pragma once

// A bounded MIME structure parser for IMAP BODYSTRUCTURE and part fetches
// (RFC 2045, RFC 2046, RFC 3501 §6.4.5). Pure: offsets into the caller's
// message, no decoding, no I/O. The input is never recursed on: parts are
// expanded from a work list, with at most kMaxMimeDepth levels of nesting and
// kMaxMimeParts parts; containers beyond those limits become opaque leaves.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailprobe::serve {

inline constexpr std::size_t kMaxMimeDepth = 8;
inline constexpr std::size_t kMaxMimeParts = 64;

/// A Content-Type or Content-Disposition parameter; the name upper-cased, the
/// value as written with quoting undone (RFC 2045 §5.1).
struct MimeParam {
  std::string name;
  std::string value;
};

/// One MIME entity: its header is [begin, body) and its body [body, end).
struct MimePart {
  enum class Shape { leaf, multipart, message };
  Shape shape = Shape::leaf;
  std::size_t begin = 0, body = 0, end = 0;
  std::size_t depth = 0;
  std::string type = "TEXT", subtype = "PLAIN";  // upper-cased
  std::vector<MimeParam> params;
  std::string encoding = "7BIT";  // upper-cased Content-Transfer-Encoding
  std::optional<std::string> id, description, md5, location;
  std::optional<std::string> disposition;  // upper-cased type
  std::vector<MimeParam> disposition_params;
  std::vector<std::string> language;
  /// multipart: its body parts in order; message: exactly one, the encapsulated message.
  std::vector<std::size_t> children;
};

/// The parts of one message, parts[0] being the message itself.
struct MimeTree {
  std::vector<MimePart> parts;
};

/// `type "/" subtype *(";" parameter)` with RFC 822 comments and quoted
/// strings (RFC 2045 §5.1). nullopt when there is no valid type/subtype.
struct ContentType {
  std::string type, subtype;
  std::vector<MimeParam> params;
};
std::optional<ContentType> parse_content_type(std::string_view value);

/// `disposition-type *(";" parameter)` (RFC 2183 §2). nullopt if empty.
struct Disposition {
  std::string type;
  std::vector<MimeParam> params;
};
std::optional<Disposition> parse_disposition(std::string_view value);

/// Parses `message`. Missing or invalid Content-Type means text/plain;
/// charset=us-ascii (RFC 2045 §5.2), or message/rfc822 inside multipart/digest
/// (RFC 2046 §5.1.5). A multipart without a boundary or any delimiter line, or
/// a container past the limits, is reported as an APPLICATION/OCTET-STREAM leaf.
/// message/rfc822 is only opened when its encoding is 7bit, 8bit or binary.
MimeTree parse_mime(std::string_view message);

/// Text lines in [begin, end): LF count, plus one for an unterminated last line.
std::size_t count_lines(std::string_view bytes);

/// The part named by an RFC 3501 §6.4.5 part number (e.g. {4, 2, 1}); nullopt if
/// there is no such part. {1} of a non-multipart message is the message itself.
std::optional<std::size_t> find_part(const MimeTree& tree, const std::vector<std::uint32_t>& path);

}  // namespace mailprobe::serve
