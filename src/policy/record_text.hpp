#pragma once

// The "name=value; name=value" text shared by the MTA-STS (RFC 8461 §3.1) and
// TLS-RPT (RFC 8460 §3) TXT records: fields separated by *WSP ";" *WSP, an
// optional trailing ";". Pure; each record parser validates names and values.

#include <string>
#include <string_view>
#include <vector>

#include "core/failure.hpp"

namespace mailprobe::policy {

struct TagField {
  std::string name;
  std::string value;  // without surrounding WSP; may be empty
};

/// Splits a record into fields. Failure{_, protocol_error, "<one line>"} for
/// an empty field in the middle, a field without "=", an empty name, or a
/// control character.
Outcome<std::vector<TagField>> split_tag_list(std::string_view txt);

/// True if every character is in RFC 8461 §3.1 sts-ext-value
/// (%x21-3A / %x3C / %x3E-7E: printable, no ";" "=" or space) and s is not empty.
bool valid_tag_value(std::string_view s);

}  // namespace mailprobe::policy
