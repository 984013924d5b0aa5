#pragma once

// RAII owners for libcurl handles and the settings both mail legs share.
// Only files under net/, smtp/sender* and imap/curl_link* include curl.

#include <curl/curl.h>

#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/failure.hpp"
#include "net/endpoint.hpp"

namespace mailprobe::net {

struct CurlDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

/// scheme://host:port/path with IPv6 literals bracketed. scheme is chosen by
/// the caller from the TLS mode ("smtp"/"smtps", "imap"/"imaps").
std::string make_url(const std::string& scheme, const Endpoint& ep, const std::string& path);

/// Applies TLS mode (USE_SSL=ALL for starttls — never TRY), verification
/// policy, timeouts derived from the deadline, credentials, NOSIGNAL.
void apply_common(CURL* h, const Endpoint& ep, const TlsPolicy& tls, const Credentials& creds,
                  const Deadline& deadline);

/// Classifies the CURLcodes that mean the same on both legs (DNS, connect,
/// TLS, timeout). Returns a Failure at `connect_stage` / `tls_stage`, or
/// nullopt if the code is protocol-specific and the caller must decide.
std::optional<Failure> classify_transport(CURL* h, CURLcode rc, Stage connect_stage,
                                          Stage tls_stage, Stage current_stage);

}  // namespace mailprobe::net
