#pragma once

// The pure half of the policy lookups: one DNS response message (the bytes
// res_nsend returns) reduced to its rcode, its AD bit (RFC 4035 §3.2.3: the
// resolver validated the answer) and the RDATA of the wanted type. TXT RDATA
// is turned into text by concatenating its strings (RFC 8461 §3.1, RFC 8460 §3).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/failure.hpp"

namespace mailprobe::policy {

struct RrAnswer {
  int rcode = 0;                 // RFC 1035 §4.1.1: 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN
  bool authenticated = false;    // AD bit as the resolver set it
  std::vector<std::vector<unsigned char>> rdata;  // answer RRs of the asked type, class IN
};

/// Parses a response. Failure{Stage::none, Result::dns_error} for a message
/// that does not parse; rcodes are returned, not judged.
Outcome<RrAnswer> parse_rr_answer(std::span<const unsigned char> message, std::uint16_t type);

/// One TXT RDATA (RFC 1035 §3.3.14: <length><bytes>...) as one string.
/// Failure{_, dns_error} when a length runs past the RDATA.
Outcome<std::string> txt_text(std::span<const unsigned char> rdata);

}  // namespace mailprobe::policy
