#pragma once

#include <string>

#include "check/check_report.hpp"
#include "check/config.hpp"
#include "core/exit_code.hpp"

namespace mailprobe::check {

struct Rendered {
  std::string out;   // exactly what goes to stdout (may be empty for --textfile)
  int exit_code = 0; // process exit status for this format
  std::string error; // set when writing the textfile failed
};

/// Renders one report in the configured format. Pure except for
/// --textfile, which is written atomically here.
Rendered render(const CheckConfig& cfg, const CheckReport& r);

/// Seed 002's exact influx line (measurement mail-e2e, tags email-from,
/// email-to, smtp, imap; float fields success, total_dur, smtp_dur,
/// imap_dur in microseconds, no timestamp) — with the duration bug fixed
/// and tag values escaped.
std::string legacy_influx(const CheckReport& r);

}  // namespace mailprobe::check
