#pragma once

// MX records (RFC 5321 §5.1). Parsing a DNS answer is pure and works on the
// wire-format bytes res_nquery returns, so it is tested on canned answers;
// the lookup itself lives in resolver.hpp.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/failure.hpp"

namespace mailprobe::dns {

struct MxRecord {
  std::uint16_t preference = 0;
  std::string host;        // exchange name without the trailing dot; "" for a null MX
  bool implicit = false;   // no MX existed: the domain itself (RFC 5321 §5.1)
};

/// The MX records of a DNS response message, sorted by preference then host.
/// An answer with no MX RRs (NODATA) yields an empty list. A malformed message
/// or an error rcode yields a Failure{Stage::none, Result::dns_error}.
Outcome<std::vector<MxRecord>> parse_mx_answer(std::span<const unsigned char> message);

/// RFC 7505 null MX: a single record "0 ." — the domain accepts no mail.
bool is_null_mx(const std::vector<MxRecord>& records);

}  // namespace mailprobe::dns
