#pragma once

// The fetch half of MTA-STS: the HTTPS GET of the policy file (RFC 8461 §3.3)
// through net/https_get.hpp (HTTPS only, the certificate verified for
// mta-sts.DOMAIN, redirects refused, the body capped), then the judgement
// of the response here: status 200, media type text/plain (§3.2).
// Blocks at most `timeout`.

#include <chrono>
#include <cstddef>
#include <string>

#include "core/failure.hpp"
#include "net/https_get.hpp"

namespace mailprobe::policy {

/// RFC 8461 §3.3 recommends a cap; 64 KiB is far above any real policy.
constexpr std::size_t kStsMaxBody = 64 * 1024;

struct StsFetchConfig {
  std::string domain;                      // the policy domain; URL host is mta-sts.DOMAIN
  std::string ca_file;                     // "" = system store
  std::chrono::milliseconds timeout{5000};
  std::string connect_to;                  // "ADDR:PORT" replaces mta-sts.DOMAIN:443 (tests, split DNS)
  std::size_t max_body = kStsMaxBody;
};

/// "https://mta-sts.DOMAIN/.well-known/mta-sts.txt".
std::string sts_policy_url(const std::string& domain);

/// The policy body. Failure{Stage::none, Result::...} with one line saying
/// why: dns_error/connection_*/timeout/tls_verify_failed for transport,
/// protocol_error for a redirect, a non-200 status, the wrong media type or
/// a body over the cap.
Outcome<std::string> fetch_sts_policy(const StsFetchConfig& config);

/// The judgement of one response (pure): the body, or the Failure above.
Outcome<std::string> judge_sts_response(const net::HttpsGetResult& got, const std::string& url);

}  // namespace mailprobe::policy
