#pragma once

// TLSA records (RFC 6698 §2.1) and what RFC 7672 lets SMTP do with them.
// Pure: RDATA in, a typed record and its usability out.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/failure.hpp"

namespace mailprobe::policy {

enum class TlsaUsage : std::uint8_t { pkix_ta = 0, pkix_ee = 1, dane_ta = 2, dane_ee = 3 };
enum class TlsaSelector : std::uint8_t { cert = 0, spki = 1 };
enum class TlsaMatching : std::uint8_t { full = 0, sha256 = 1, sha512 = 2 };

struct TlsaRecord {
  std::uint8_t usage = 0, selector = 0, matching = 0;
  std::vector<unsigned char> data;  // certificate association data
};

/// Parses one TLSA RDATA: 3 octets plus at least one octet of data.
/// Failure{Stage::none, Result::protocol_error, "<one line>"} when shorter.
Outcome<TlsaRecord> parse_tlsa_rdata(std::span<const unsigned char> rdata);

/// Why a record cannot be used by an SMTP client, "" if it can:
/// usages 0/1 (RFC 7672 §3.1.3), unknown usage/selector/matching type, or
/// a digest of the wrong length (RFC 7671 §5.1).
std::string tlsa_unusable_reason(const TlsaRecord& r);

/// Presentation form "3 1 1 ab12..." (RFC 6698 §2.2), hex lower case.
std::string to_text(const TlsaRecord& r);

}  // namespace mailprobe::policy
