#pragma once

// SMTP TLS Reporting (RFC 8460 §3): the `_smtp._tls` TXT record. Pure.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/failure.hpp"

namespace mailprobe::policy {

struct TlsRptRecord {
  std::vector<std::string> rua;  // "mailto:..." or "https://..." URIs, in order
};

/// Parses "v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/x".
/// rua is required; each URI must be mailto: or https:. Extensions are
/// ignored. Failure{Stage::none, Result::protocol_error, "<one line>"}.
Outcome<TlsRptRecord> parse_tlsrpt_record(std::string_view txt);

/// RFC 8460 §3: records not starting with "v=TLSRPTv1" are discarded; none
/// left is nullopt, more than one or a malformed one is a Failure.
Outcome<std::optional<TlsRptRecord>> select_tlsrpt_record(const std::vector<std::string>& txts);

}  // namespace mailprobe::policy
