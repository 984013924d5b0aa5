#pragma once

// Access tokens kept for their lifetime and renewed early, so a check that
// runs every minute asks the token endpoint about once an hour. In memory
// for the life of the process (execd), and optionally in a file (mode 0600)
// so one-shot runs share them. Thread-safe. Keys are opaque hashes of the
// endpoint, client, scope and refresh-token file: never a secret.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace mailprobe::auth {

struct CacheEntry {
  std::string token;
  std::int64_t obtained = 0;  // Unix seconds
  std::int64_t expires = 0;   // Unix seconds (obtained + expires_in)
};

/// The instant from which an entry counts as due for renewal: a fifth of
/// its lifetime before expiry, at most 5 minutes before it (RFC 6749 §5.1
/// gives the lifetime only; early renewal covers clock skew and the run's
/// own length).
std::int64_t renew_at(const CacheEntry& e);

/// A stable 16-hex-digit key (FNV-1a 64) for the parts that identify a token.
std::string cache_key(std::initializer_list<std::string_view> parts);

/// The file format, one entry a line: "v1 <key> <obtained> <expires> <token>".
/// Lines that do not parse are skipped.
std::map<std::string, CacheEntry> parse_cache_file(std::string_view text);
std::string render_cache_file(const std::map<std::string, CacheEntry>& entries);

class TokenCache {
 public:
  /// `file` "" keeps tokens in memory only.
  explicit TokenCache(std::string file = {}) : file_(std::move(file)) {}

  /// The cached token for `key` if `now` is before its renewal point.
  /// Consults the file when memory has nothing fresh.
  std::optional<std::string> lookup(const std::string& key, WallClock::time_point now);

  /// Remembers a token that lives `lifetime` from `now` (a zero lifetime is
  /// not stored). Rewrites the file atomically with mode 0600, dropping
  /// expired entries. Returns "" or why the file could not be written (the
  /// memory copy is kept either way).
  std::string store(const std::string& key, const std::string& token, WallClock::time_point now,
                    std::chrono::seconds lifetime);

  /// Drops `key` (the server rejected that token), in memory and in the file.
  void forget(const std::string& key);

  const std::string& file() const { return file_; }

 private:
  std::map<std::string, CacheEntry> read_file() const;
  std::string write_file(const std::map<std::string, CacheEntry>& entries) const;

  std::string file_;
  std::mutex mu_;
  std::map<std::string, CacheEntry> memory_;
};

/// The process-wide cache for `file` ("" = memory only): execd reuses it
/// across checks. The returned reference lives until exit.
TokenCache& shared_cache(const std::string& file);

/// The cache file that belongs to a --state-file: "<state-file>.oauth2-tokens".
std::string cache_file_for(const std::string& state_file);

}  // namespace mailprobe::auth
