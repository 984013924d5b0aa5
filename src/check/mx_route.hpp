#pragma once

// Direct-to-MX delivery for `check --smtp-host mx:[domain]`: the probe goes
// to the recipient domain's MX hosts as the outside world would send it
// (RFC 5321 §5.1), testing inbound mail end to end.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/failure.hpp"

namespace mailprobe::check {

struct MxCandidate {
  std::string host;                          // the MX name (used for TLS verification and SNI)
  std::string address;                       // one of its addresses
  std::uint16_t preference = 0;
  std::optional<std::int64_t> connect_us;    // measured TCP connect; nullopt = unreachable
};

/// "mx:" → the recipient's domain; "mx:example.org" → example.org; anything
/// else → nullopt (not MX mode).
std::optional<std::string> mx_domain(const std::string& smtp_host, const std::string& email_to);

/// Sorts candidates: by preference, then reachable before unreachable, then
/// by connect latency (seed 001's lowest-latency MX among equals). Pure.
void order_candidates(std::vector<MxCandidate>& c);

/// Resolves the MX records (system resolver, or `dns_server`), every address
/// of each, measures a TCP connect to `port` for each, and orders them.
/// Failure at smtp_connect/dns_error when the domain has no usable MX.
Outcome<std::vector<MxCandidate>> mx_candidates(const std::string& domain, int port,
                                                const std::string& dns_server, const Deadline& dl);

}  // namespace mailprobe::check
