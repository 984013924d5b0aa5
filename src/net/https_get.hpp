#pragma once

// One HTTPS GET through libcurl, policy-free: HTTPS only, the certificate
// verified for the URL's host (--ca-file or the system store), redirects
// never followed, the body capped. The caller judges status, media type and
// body (policy/sts_fetch.hpp does for MTA-STS). Blocks at most `timeout`.

#include <chrono>
#include <cstddef>
#include <string>

#include "core/failure.hpp"

namespace mailprobe::net {

struct HttpsGetRequest {
  std::string url;                         // https://HOST[:PORT]/PATH
  std::string ca_file;                     // "" = system store
  std::chrono::milliseconds timeout{5000}; // connect and whole transfer
  std::string connect_to;                  // CURLOPT_CONNECT_TO entry "HOST:PORT:ADDR:PORT"; "" = none
  std::size_t max_body = 64 * 1024;        // larger bodies end the transfer (too_large)
};

struct HttpsGetResult {
  /// success when a response came back (any status); else the transport
  /// failure: dns_error, connection_failed, timeout, tls_verify_failed,
  /// tls_error, internal_error.
  Result transport = Result::internal_error;
  std::string error;         // libcurl's words for a transport failure
  bool too_large = false;    // the body exceeded max_body (transport then is not success)
  long status = 0;           // HTTP status; 3xx is returned as is, never followed
  std::string content_type;  // Content-Type as sent ("" when absent)
  std::string body;
};

HttpsGetResult https_get(const HttpsGetRequest& request);

}  // namespace mailprobe::net
