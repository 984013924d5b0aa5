#pragma once

// Deciding, per fetched message, whether it is an old mailprobe probe. Pure:
// the cleanup command feeds it the FETCH responses and deletes only what it
// says. A message qualifies only if its header really carries a 32-hex
// X-Mailprobe-Token AND its INTERNALDATE (RFC 3501 §2.3.3) is at least
// older_than in the past, compared at full second precision — never a
// date-only SEARCH (BEFORE/SENTBEFORE compare dates, RFC 3501 §6.4.4).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "imap/response.hpp"

namespace mailprobe::insight {

/// The FETCH items the cleanup command asks for, per UID set.
inline constexpr std::string_view kStaleFetchItems =
    "(UID INTERNALDATE BODY.PEEK[HEADER.FIELDS (X-Mailprobe-Token)])";

struct FetchedProbe {
  std::uint32_t uid = 0;
  std::optional<std::chrono::system_clock::time_point> internal_date;
  std::string token;  // "" unless the header holds exactly 32 hex digits
};

/// "22-Nov-2026 18:17:06 +0000" (RFC 3501 §9 date-time, quotes optional).
std::optional<std::chrono::system_clock::time_point> parse_internaldate(std::string_view s);

/// Reads one "* n FETCH (UID u INTERNALDATE "..." BODY[HEADER.FIELDS ...] {k}...)"
/// response. nullopt if it is not a FETCH with a UID.
std::optional<FetchedProbe> read_fetched_probe(const imap::Response& r);

/// True when p carries a token and an INTERNALDATE at or before now - older_than.
bool is_stale_probe(const FetchedProbe& p, std::chrono::system_clock::time_point now,
                    std::chrono::seconds older_than);

/// 32 hex digits (either case).
bool is_token_text(std::string_view s);

}  // namespace mailprobe::insight
