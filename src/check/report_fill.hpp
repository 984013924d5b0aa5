#pragma once

// The steps that fill a CheckReport and that every way of running a check
// shares (run_check for one check, routes/shared_route for a route of a
// routes file): the route's identity up front, the legs' facts, the verdict
// at the end. Pure.

#include "check/check_report.hpp"
#include "check/config.hpp"
#include "check/imap_leg.hpp"
#include "smtp/sender.hpp"

namespace mailprobe::check {

/// A report for `cfg` started now: identity tags, start stamp, cleanup "none".
CheckReport start_report(const CheckConfig& cfg);

/// Marks the run failed with `f`.
void fail(CheckReport& r, Failure f);

/// The finish stamp, the end (the finish when never set) and total_us.
void finish_report(CheckReport& r);

/// The SMTP leg's reply, addresses, TLS and per-stage times.
void copy_smtp(CheckReport& r, const smtp::SendReport& sent);

/// The IMAP connection's address, TLS, login/select times and IDLE support.
void copy_imap(CheckReport& r, const ImapLeg& leg);

/// The verdict of a found probe: success, or result=junk (success unless
/// --junk-is-failure) when it was found in the junk folder.
void found_verdict(CheckReport& r, const CheckConfig& cfg);

}  // namespace mailprobe::check
