#pragma once

// One HTTPS POST of a form (application/x-www-form-urlencoded) with libcurl,
// for the OAuth2 token endpoint (RFC 6749 §3.2: TLS is required). The
// certificate is verified like the mail legs' (--ca-file or the system
// store; --insecure turns it off). No verbose output is enabled: the body
// carries the client secret or refresh token and must never be logged.

#include <string>

#include "core/clock.hpp"
#include "net/endpoint.hpp"

namespace mailprobe::net {

struct HttpReply {
  long status = 0;
  std::string body;     // at most 1 MiB is kept
  std::string error;    // set when no HTTP reply arrived (libcurl's reason)
  bool ok() const { return error.empty(); }
};

/// Blocks until the reply, an error or `deadline` (capped at 30 s). Only
/// https:// URLs are accepted; redirects are not followed (a 3xx is a reply).
HttpReply https_post_form(const std::string& url, const std::string& form_body, const TlsPolicy& tls,
                          const Deadline& deadline);

}  // namespace mailprobe::net
