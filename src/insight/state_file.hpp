#pragma once

// --state-file: probes sent by earlier runs and not yet seen, so a later run
// can account for late and lost ones. A small JSON document:
//
//   {"version":1,"pending":[{"token":"<32 hex>","sent":"2026-11-22T18:17:06.123456Z",
//                            "mailbox":"INBOX","queue_id":"4AbCdE0XyZz1","route":"own-to-gmail"}]}
//
// "route" (optional) keys an entry to the routes-file route that sent it, so
// the routes of one file (and single checks, which have none) account only
// for their own probes while sharing one file.
//
// Writes are atomic (temp file in the same directory, fsync, rename, fsync of
// the directory) with mode 0600; overlapping runs serialise on flock(2) of a
// separate "<path>.lock" file, whose inode (unlike the state file's) never
// changes under rename.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/failure.hpp"

namespace mailprobe::insight {

/// A state file larger than this is refused as hostile or corrupt.
inline constexpr std::size_t kMaxStateBytes = 1u << 20;
/// Pending entries kept at most; add_pending drops the oldest beyond it.
inline constexpr std::size_t kMaxPending = 10000;

struct PendingProbe {
  std::string token;  // 32 lowercase hex characters (core/token.hpp)
  std::chrono::system_clock::time_point sent;
  std::string mailbox;   // where it was expected
  std::string queue_id;  // the SMTP "queued as" id ("" if none)
  std::string route;     // the route that sent it ("" for a single check)
};

struct StateData {
  std::vector<PendingProbe> pending;  // in the order added
};

/// Parses a state document. An empty or all-whitespace text is an empty
/// state. Anything else that is not exactly the format above (bad JSON,
/// truncated, wrong types, a bad token or time, too many entries, too long
/// strings) is ONE Failure (stage config, internal_error) naming the problem;
/// nesting is parsed iteratively (no stack exhaustion). Never throws.
Outcome<StateData> parse_state(std::string_view json);

/// The document for `state` (compact JSON, one trailing newline).
std::string serialize_state(const StateData& state);

/// Reads and parses `path`. A missing file is an empty state; a file larger
/// than kMaxStateBytes, unreadable, or unparsable is a Failure naming `path`.
Outcome<StateData> load_state(const std::string& path);

/// Atomically replaces `path` with the document for `state` (mode 0600).
Status save_state(const std::string& path, const StateData& state);

/// Adds `p`, replacing an entry with the same token; keeps at most kMaxPending.
void add_pending(StateData& state, PendingProbe p);

/// Removes the entry with `token`; false if there was none.
bool remove_pending(StateData& state, std::string_view token);

/// Removes and returns every entry sent at or before now - horizon: the lost ones.
std::vector<PendingProbe> expire_pending(StateData& state, std::chrono::system_clock::time_point now,
                                         std::chrono::seconds horizon);

/// Moves the entries of `route` out of `state` (in order) and returns them.
StateData take_route(StateData& state, std::string_view route);

/// Appends `part`'s entries to `state` (kMaxPending still applies).
void put_back(StateData& state, StateData part);

/// "2026-11-22T18:17:06.123456Z" (fraction optional, 1-9 digits; UTC "Z" only).
std::optional<std::chrono::system_clock::time_point> parse_iso8601_utc(std::string_view s);

/// An exclusive lock on "<state path>.lock" (created 0600 if missing), held
/// until destruction. Waits up to `wait` for another run to release it.
class StateLock {
 public:
  static Outcome<StateLock> acquire(const std::string& state_path, std::chrono::milliseconds wait);
  StateLock(StateLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  StateLock& operator=(StateLock&& o) noexcept;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  ~StateLock();

 private:
  explicit StateLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace mailprobe::insight
