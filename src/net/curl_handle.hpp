#pragma once

// RAII owners for libcurl handles and the settings both mail legs share.
// Only files under net/, smtp/sender* and imap/curl_link* include curl.

#include <curl/curl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

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

/// A CURLINFO_*_TIME_T value in microseconds; nullopt when unset (0) or unavailable.
std::optional<std::int64_t> info_us(CURL* h, CURLINFO what);

/// Splits libcurl header-callback bytes into lines: appends `data` to
/// `partial` and calls `on_line` for each complete line (CR/LF stripped).
template <typename F>
void split_lines(std::string& partial, const char* data, std::size_t n, F&& on_line) {
  partial.append(data, n);
  std::size_t start = 0;
  std::size_t pos;
  while ((pos = partial.find('\n', start)) != std::string::npos) {
    std::size_t end = pos;
    if (end > start && partial[end - 1] == '\r') --end;
    on_line(std::string(partial, start, end - start));
    start = pos + 1;
  }
  partial.erase(0, start);
}

/// True for libcurl's verbose "Connected to ..." line: TCP is up. With an
/// implicit-TLS handshake that then fails, CONNECT_TIME_T stays 0, so this is
/// what tells a TLS failure from a connect failure.
inline bool is_connected_text(curl_infotype type, std::string_view text) {
  return type == CURLINFO_TEXT && text.rfind("Connected to ", 0) == 0;
}

/// Classifies the CURLcodes that mean the same on both legs (DNS, connect,
/// TLS, timeout). Returns a Failure at `connect_stage` / `tls_stage`, or
/// nullopt if the code is protocol-specific and the caller must decide.
/// `errbuf` is the handle's CURLOPT_ERRORBUFFER (OpenSSL's reason), if set:
/// TLS failures then say why (the verification error, "wrong version
/// number" as a port hint) instead of libcurl's generic text.
std::optional<Failure> classify_transport(CURL* h, CURLcode rc, Stage connect_stage,
                                          Stage tls_stage, Stage current_stage,
                                          const char* errbuf = nullptr);

}  // namespace mailprobe::net
