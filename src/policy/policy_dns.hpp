#pragma once

// The I/O half of the policy lookups: one query through libresolv with EDNS0
// and the DO bit (RES_USE_DNSSEC), so a validating resolver can answer with
// AD set. Like Postfix, mailprobe does not validate DNSSEC itself; it trusts
// the AD bit of the resolver it asks. glibc (2.31+) clears AD in answers
// unless /etc/resolv.conf says "options trust-ad"; an explicit --dns-server
// is trusted as given (RES_TRUSTAD). Blocks at most about `timeout`.

#include <chrono>
#include <cstdint>
#include <string>

#include "core/failure.hpp"
#include "policy/dns_answer.hpp"

namespace mailprobe::policy {

/// DNS RR types used here (RFC 1035, RFC 6698).
constexpr std::uint16_t kTypeTxt = 16;
constexpr std::uint16_t kTypeTlsa = 52;

/// Asks for `name`/`type` (class IN). Any rcode is returned inside RrAnswer;
/// Failure{Stage::none, Result::dns_error} only when no answer came back or
/// it did not parse. `server` ("IPv4[:port]") replaces /etc/resolv.conf.
Outcome<RrAnswer> query(const std::string& name, std::uint16_t type, std::chrono::milliseconds timeout,
                        const std::string& server);

}  // namespace mailprobe::policy
