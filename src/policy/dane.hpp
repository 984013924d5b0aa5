#pragma once

// DANE for SMTP (RFC 7672 §3.1): does the peer's certificate chain match a
// TLSA RRset? Pure computation over DER certificates (OpenSSL parses and
// hashes), so it is tested on generated chains without a network.

#include <string>
#include <string_view>
#include <vector>

#include "policy/tlsa.hpp"

namespace mailprobe::policy {

struct DaneMatch {
  bool matched = false;
  std::string record;    // to_text() of the first record that matched
  std::string problem;   // why nothing matched, one line ("" when matched)
};

/// Matches `records` (usable ones only; see tlsa_unusable_reason) against
/// `chain_der` (leaf first, DER). DANE-EE(3) compares the leaf only, with no
/// name or expiry checks (RFC 7672 §3.1.1). DANE-TA(2) compares the
/// certificates above the leaf; the chain must verify up to the matched trust
/// anchor and the leaf must carry `host` among its names (§3.1.2, §3.2.3).
DaneMatch match_dane(const std::vector<TlsaRecord>& records, const std::vector<std::string>& chain_der,
                     std::string_view host);

}  // namespace mailprobe::policy
