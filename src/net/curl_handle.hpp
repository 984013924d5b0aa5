#pragma once

// The libcurl edge: RAII owners for handles, and every curl_easy_setopt of
// the tool (the mail legs' shared settings, and the few each transfer adds).
// Files outside net/ perform and read back, but never set options.

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/failure.hpp"
#include "net/classify.hpp"
#include "net/endpoint.hpp"

typedef struct ssl_st SSL;

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

/// XOAUTH2/OAUTHBEARER login (creds.oauth()): user, bearer token, one
/// mechanism in the login options; never CURLOPT_HTTPAUTH (curl_bearer.cpp).
void apply_bearer(CURL* h, const Credentials& creds);

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

/// The handle's side of TransferFacts (net/classify.hpp) after a perform
/// returned `rc`: code, OS errno, TCP up (`tcp_logged` or CONNECT_TIME_T),
/// implicit TLS done (APPCONNECT_TIME_T). The caller adds the dialogue.
/// `errbuf` (Callbacks::errbuf, may be null) gives TLS failures their reason.
TransferFacts transfer_facts(CURL* h, CURLcode rc, Leg leg, bool implicit_tls, bool tcp_logged,
                             const char* errbuf = nullptr);

/// The live OpenSSL connection of a transfer, or nullptr (not TLS yet, or
/// another backend). Valid only inside a libcurl callback (docs/libcurl-mail.md §1.7).
const SSL* live_ssl(CURL* h);

/// The callbacks a transfer reports through; each gets `user`. A debug
/// callback turns VERBOSE on (needed for HEADER_OUT; nothing is printed),
/// a progress callback turns NOPROGRESS off, a read callback makes the
/// transfer an upload of `upload_size` bytes.
struct Callbacks {
  curl_write_callback header = nullptr;
  curl_debug_callback debug = nullptr;
  curl_xferinfo_callback progress = nullptr;
  curl_read_callback read = nullptr;
  curl_off_t upload_size = 0;
  void* user = nullptr;
  char* errbuf = nullptr;  // CURL_ERROR_SIZE bytes for OpenSSL's reason (CURLOPT_ERRORBUFFER)
};
void set_callbacks(CURL* h, const Callbacks& cb);

/// Removes every callback and turns VERBOSE and progress off again (a
/// CONNECT_ONLY link keeps its handle for its own send/recv).
void clear_callbacks(CURL* h);

/// The URL and, when `resolve` is set, a CURLOPT_RESOLVE pin ("host:port:addr").
void set_target(CURL* h, const std::string& url, curl_slist* resolve);

/// "host:port:addr" for CURLOPT_RESOLVE, the address bracketed if IPv6.
SlistPtr resolve_entry(const std::string& host, int port, const std::string& address);


/// CONNECT_ONLY: libcurl logs in (IMAP, imap/curl_link) or sets the SMTP
/// session up (smtp/sender), then hands the connection over. Call after
/// apply_common: the transfer timeout is lifted, or it would also bound the
/// connection's own I/O.
void set_connect_only(CURL* h);

/// The read-only health probe (probe/session, docs/libcurl-mail.md §1.6, §2.2):
/// a custom NOOP without body, fresh connection, no reuse, no TLS session
/// cache. Without credentials the certificate is not verified by libcurl
/// (the handshake must complete so it can be reported and verified after);
/// with credentials libcurl verifies unless `insecure`.
struct ProbeTransfer {
  TlsMode tls = TlsMode::starttls;
  std::string ca_file;
  bool insecure = false;
  Credentials creds;
  std::chrono::milliseconds timeout{5000};  // connect and each reply; the whole transfer gets 4x
  char* error_buffer = nullptr;             // CURL_ERROR_SIZE bytes
};
void apply_probe(CURL* h, const ProbeTransfer& p);

}  // namespace mailprobe::net
