#pragma once

// The probe's path: Received: trace fields (RFC 5321 §4.4) turned into hops
// with timestamps and per-hop delays.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailprobe::insight {

using TimePoint = std::chrono::system_clock::time_point;

/// Received fields considered at most per message (loops are bounded).
inline constexpr std::size_t kMaxHops = 128;

/// One Received: field. Clause values are the first word after the keyword
/// (RFC 5321 §4.4 Stamp: From-domain, By-domain, Via, With, ID, For); the
/// parenthesised comment after `from`/`by` (TCP-info such as
/// "mx.example.org [IPv6:2001:db8::25]") is kept in from_info / by_info.
struct Hop {
  std::string from, from_info;
  std::string by, by_info;
  std::string via, with, id;
  std::string for_addr;  // without the angle brackets
  std::optional<TimePoint> timestamp;  // the date-time after the LAST ';' at comment depth 0
  /// This hop's timestamp minus the previous (older) hop's, or minus the
  /// submit time for the first hop. nullopt when either side is unknown.
  /// Negative values are kept: they mean clock skew between the two hosts.
  std::optional<std::chrono::microseconds> delay;
};

/// Parses one unfolded Received: value. Never throws; keywords are
/// case-insensitive; unknown words and comments elsewhere are skipped.
Hop parse_received_value(std::string_view value);

struct HopReport {
  /// Oldest first: hops[0] is the first MTA that handled the message (the
  /// bottom-most Received field), hops.back() the last (the top-most).
  std::vector<Hop> hops;
  std::size_t hop_count = 0;
  std::optional<std::size_t> slowest_index;  // index into hops of the largest delay
  std::optional<std::chrono::microseconds> slowest_delay;
  bool clock_skew = false;  // some delay is negative (reported, never clamped)
  /// Non-empty `id` values, oldest hop first, without duplicates: the
  /// receiving side's queue ids, to grep beside the SMTP "queued as" id.
  std::vector<std::string> receiving_ids;
};

/// Parses a raw header section (as fetched: CRLF, folded lines) into hops and
/// their summary. `submitted` is when the probe was handed to the first MTA;
/// it is floored to whole seconds because Received dates have second
/// resolution (else a hop in the same second would look like clock skew).
HopReport analyse_received(std::string_view header_block, std::optional<TimePoint> submitted = std::nullopt);

}  // namespace mailprobe::insight
