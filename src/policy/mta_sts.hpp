#pragma once

// MTA-STS (RFC 8461), the pure half: the `_mta-sts` TXT record (§3.1), the
// policy file (§3.2) and MX pattern matching (§4.1). The DNS lookup and the
// HTTPS fetch live in policy_dns.hpp and sts_fetch.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/failure.hpp"

namespace mailprobe::policy {

/// RFC 8461 §3.1: "v=STSv1; id=...". Extensions are accepted and ignored.
struct StsRecord {
  std::string id;  // 1-32 ALPHA/DIGIT
};

enum class StsMode { enforce, testing, none };
std::string_view to_string(StsMode m);

/// RFC 8461 §3.2 policy file.
struct StsPolicy {
  StsMode mode = StsMode::none;
  std::vector<std::string> mx;   // patterns as published ("mail.example.com", "*.example.net")
  std::int64_t max_age = 0;      // seconds, 0..31557600
};

/// The largest max_age RFC 8461 §3.2 allows (about one year).
constexpr std::int64_t kStsMaxAge = 31557600;

/// Parses one TXT record (its strings already concatenated). Failure
/// {Stage::none, Result::protocol_error, "<one line>"} when it is not a
/// well-formed STSv1 record.
Outcome<StsRecord> parse_sts_record(std::string_view txt);

/// Picks the record from every TXT string of `_mta-sts.DOMAIN`: records not
/// starting with "v=STSv1" are discarded; none left is "no record" (nullopt
/// inside the Outcome), more than one or a malformed one is a Failure
/// (RFC 8461 §3.1: senders then assume no policy).
Outcome<std::optional<StsRecord>> select_sts_record(const std::vector<std::string>& txts);

/// Parses the policy body (LF or CRLF lines, RFC 8461 §3.2 and erratum 6253).
/// version, mode and max_age must appear exactly once; mx at least once
/// unless mode is none. Unknown keys are ignored. Failure{_, protocol_error}.
Outcome<StsPolicy> parse_sts_policy(std::string_view body);

/// RFC 8461 §4.1: `pattern` matches `host` case-insensitively, ignoring one
/// trailing dot; "*.example.com" matches exactly one extra leftmost label.
bool mx_pattern_matches(std::string_view pattern, std::string_view host);

/// True if any of the policy's mx patterns matches `host`.
bool policy_lists_mx(const StsPolicy& policy, std::string_view host);

}  // namespace mailprobe::policy
