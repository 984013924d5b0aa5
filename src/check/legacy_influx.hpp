#pragma once

// Seed 002's influx line, kept for --schema legacy.

#include <string>

#include "check/check_report.hpp"

namespace mailprobe::check {

/// Seed 002's exact influx line (measurement mail-e2e, tags email-from,
/// email-to, smtp, imap; float fields success, total_dur, smtp_dur,
/// imap_dur in microseconds, no timestamp) — with the duration bug fixed
/// and tag values escaped.
std::string legacy_influx(const CheckReport& r);

}  // namespace mailprobe::check
