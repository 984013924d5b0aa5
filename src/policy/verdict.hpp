#pragma once

// The policy verdict for one MX host (pure): what a sender honouring the
// domain's MTA-STS policy (RFC 8461 §5) or the host's TLSA records (RFC 7672
// §2.2, §3) would do with this MX, given what the probe saw. The lookups
// that fill DomainPolicy and TlsaSet are in evaluate.hpp.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/mta_sts.hpp"
#include "policy/tlsa.hpp"
#include "policy/tlsrpt.hpp"

namespace mailprobe::policy {

/// Per-domain facts, looked up once for all MX hosts.
struct DomainPolicy {
  std::string domain;
  std::optional<StsRecord> sts_record;  // the one valid v=STSv1 TXT record
  std::optional<StsPolicy> sts_policy;  // fetched over HTTPS and parsed
  std::string sts_error;                // why MTA-STS does not apply, or what is off ("" = nothing)
  std::optional<TlsRptRecord> tlsrpt;
  std::string tlsrpt_error;
  /// RFC 8461 §3: senders apply a policy only with a TXT record and a policy file.
  bool sts_applies() const { return sts_record && sts_policy; }
};

/// The TLSA lookup of `_PORT._tcp.HOST`.
struct TlsaSet {
  bool looked_up = false;
  bool authenticated = false;       // AD bit of the answer
  std::vector<TlsaRecord> records;  // every well-formed record, usable or not
  int malformed = 0;                // RDATA too short to be a TLSA record
  std::string error;                // lookup failed (SERVFAIL, timeout): "" otherwise
  bool mx_insecure = false;         // the MX RRset that named the host was not authenticated
};

/// What the probe of the host established.
struct HostTls {
  bool tls_up = false;                  // STARTTLS completed
  bool pkix_valid = false;              // chain verifies and the name matches (RFC 8461 §4.2)
  std::vector<std::string> chain_der;   // leaf first
};

enum class DaneState { none, pass, fail, insecure };
std::string_view to_string(DaneState s);

struct HostVerdict {
  std::shared_ptr<const DomainPolicy> domain;  // null: DANE only (probe smtp without a domain)
  std::optional<bool> mx_in_policy;            // set when an MTA-STS policy applies
  std::optional<bool> pkix_valid;              // set when an MTA-STS policy applies
  DaneState dane = DaneState::none;
  int tlsa_records = 0;
  std::string dane_matched_record;  // "3 1 1 ..." of the matching record
  std::string dane_error;
  std::string violation;            // why honouring senders refuse the MX; "" = they deliver
};

/// Judges one host. `domain` may be null.
HostVerdict judge_host(std::shared_ptr<const DomainPolicy> domain, std::string_view host, const TlsaSet& tlsa,
                       const HostTls& tls);

}  // namespace mailprobe::policy
