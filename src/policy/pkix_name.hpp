#pragma once

// The name check MTA-STS asks for (RFC 8461 §4.2): the MX host name must be a
// DNS-ID of the certificate (subjectAltName dNSName, RFC 6125 §6.4), a
// leftmost-label wildcard allowed; the subject CN is never used.

#include <string>
#include <string_view>

namespace mailprobe::policy {

/// True if the DER certificate `leaf_der` has a dNSName SAN matching `host`.
/// False for an unparsable certificate.
bool dns_id_matches(const std::string& leaf_der, std::string_view host);

}  // namespace mailprobe::policy
