#pragma once

// RFC 5322 §3.3 date-time, with the obsolete forms of §4.3 and the variants
// real MTAs write into Received: headers.

#include <chrono>
#include <optional>
#include <string_view>

namespace mailprobe::insight {

/// Parses a date-time such as "Mon, 2 Jun 2025 10:00:00 +0200 (CEST)".
/// Accepted beyond the strict grammar (RFC 5322 §4.3 and practice): missing
/// day-of-week, 1-digit days, 2-digit years (00-49 → 20xx, 50-99 → 19xx) and
/// 3-digit years (+1900), missing seconds, any amount of whitespace and commas,
/// comments anywhere, zones UT/GMT/Z and the US names (EST...PDT), single
/// military letters (treated as -0000, §4.3), "-0000", asctime order
/// ("Mon Jun  2 10:00:00 2025"). Seconds = 60 is clamped to 59.
/// nullopt when no complete date and time can be found. Inputs longer than
/// 256 bytes are rejected. Never throws.
std::optional<std::chrono::system_clock::time_point> parse_mail_date(std::string_view s);

}  // namespace mailprobe::insight
