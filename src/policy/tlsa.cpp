#include "policy/tlsa.hpp"

namespace mailprobe::policy {

Outcome<TlsaRecord> parse_tlsa_rdata(std::span<const unsigned char> rdata) {
  if (rdata.size() < 4)
    return Failure(Stage::none, Result::protocol_error,
                   "TLSA record of " + std::to_string(rdata.size()) + " octets (at least 4 needed)");
  TlsaRecord r;
  r.usage = rdata[0];
  r.selector = rdata[1];
  r.matching = rdata[2];
  r.data.assign(rdata.begin() + 3, rdata.end());
  return r;
}

std::string tlsa_unusable_reason(const TlsaRecord& r) {
  // RFC 7672 §3.1.3: PKIX-TA(0) and PKIX-EE(1) are not for SMTP.
  if (r.usage == 0 || r.usage == 1) return "usage " + std::to_string(r.usage) + " (PKIX) is unusable for SMTP";
  if (r.usage > 3) return "unknown usage " + std::to_string(r.usage);
  if (r.selector > 1) return "unknown selector " + std::to_string(r.selector);
  if (r.matching > 2) return "unknown matching type " + std::to_string(r.matching);
  // RFC 7671 §5.1: a digest of the wrong size can never match.
  if (r.matching == 1 && r.data.size() != 32) return "SHA-256 data of " + std::to_string(r.data.size()) + " octets";
  if (r.matching == 2 && r.data.size() != 64) return "SHA-512 data of " + std::to_string(r.data.size()) + " octets";
  return {};
}

std::string to_text(const TlsaRecord& r) {
  static const char kHex[] = "0123456789abcdef";
  std::string s = std::to_string(r.usage) + " " + std::to_string(r.selector) + " " + std::to_string(r.matching) + " ";
  for (unsigned char c : r.data) {
    s += kHex[c >> 4];
    s += kHex[c & 15];
  }
  return s;
}

}  // namespace mailprobe::policy
