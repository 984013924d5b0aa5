#pragma once

// Server-side TLS over OpenSSL: a context (given cert/key files, or a fresh
// self-signed certificate for localhost), and one TLS channel per connection
// over a non-blocking socket. The only serve/ files that include OpenSSL are
// tls.cpp and sasl.cpp (base64).

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/failure.hpp"

namespace mailprobe::serve {

class TlsContext {
 public:
  /// Loads a PEM certificate chain and private key. Fails (Stage::config) if unreadable or mismatched.
  static Outcome<std::shared_ptr<TlsContext>> from_files(const std::string& cert_file,
                                                         const std::string& key_file);
  /// Generates an EC P-256 self-signed certificate (CN=localhost, SAN DNS:localhost,
  /// IP:127.0.0.1, ::1) valid for `validity`, and writes its PEM to `cert_out`. With an empty
  /// `cert_out` the PEM goes to a private temporary file that the destructor removes.
  static Outcome<std::shared_ptr<TlsContext>> self_signed(const std::string& cert_out,
                                                          std::chrono::hours validity);
  /// The PEM file a client can use as its CA file (the generated or given certificate).
  const std::string& ca_file() const { return ca_file_; }

  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  ~TlsContext();

  struct Impl;
  Impl& impl() const { return *impl_; }

 private:
  TlsContext();
  std::unique_ptr<Impl> impl_;
  std::string ca_file_;
  bool remove_ca_file_ = false;
};

/// One server-side TLS session over a connected non-blocking socket (not owned).
class TlsChannel {
 public:
  /// Runs the handshake, waiting at most `timeout`. Fails with Stage::none/tls_error.
  static Outcome<std::unique_ptr<TlsChannel>> accept(const TlsContext& ctx, int fd,
                                                     std::chrono::milliseconds timeout);
  enum : long { kWouldBlock = -2, kError = -1 };
  /// Bytes read (>0), 0 on a clean close, kWouldBlock or kError. Never blocks.
  long read(char* buf, std::size_t n);
  /// Writes everything, waiting at most `timeout` in total. False on error or timeout.
  bool write_all(std::string_view data, std::chrono::milliseconds timeout);
  /// True if decrypted bytes are buffered (poll() would not see them).
  bool pending() const;
  /// Sends close_notify (best effort, non-blocking).
  void shutdown();

  TlsChannel(const TlsChannel&) = delete;
  TlsChannel& operator=(const TlsChannel&) = delete;
  ~TlsChannel();

 private:
  TlsChannel();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailprobe::serve
