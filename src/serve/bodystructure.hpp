#pragma once

// IMAP BODY and BODYSTRUCTURE (RFC 3501 §7.4.2) from a parsed MIME tree. Pure.

#include <cstddef>
#include <string>
#include <string_view>

#include "serve/mime.hpp"

namespace mailprobe::serve {

/// The body structure of part `index` of `tree` (parsed from `message`).
/// `extensible` adds the extension data of BODYSTRUCTURE (single part: md5,
/// disposition, language, location; multipart: parameters, disposition,
/// language, location); without it this is the non-extensible BODY form.
/// Type, subtype, encoding and parameter names are upper case; text/* and
/// message/rfc822 parts carry their body's line count.
std::string render_body_structure(std::string_view message, const MimeTree& tree, std::size_t index,
                                  bool extensible);

}  // namespace mailprobe::serve
