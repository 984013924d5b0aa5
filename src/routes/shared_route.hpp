#pragma once

// One route of a routes file, checked through its group's shared watchers
// (routes/mailbox_group.hpp) instead of connections of its own. The report
// has the same fields and meanings as run_check's, with two differences
// that follow from sharing: the IMAP connect/login/select times are those
// of the group's one connection (the same for every route of the group),
// so are the SMTP setup times of a shared session (routes/submission_pool.hpp),
// and late-probe accounting (--state-file) runs after the group's watchers
// have stopped (see settle()).

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "check/check_report.hpp"
#include "check/config.hpp"
#include "check/goodbyes.hpp"
#include "routes/mailbox_group.hpp"
#include "routes/submission_pool.hpp"

namespace mailprobe::routes {

struct SharedRun {
  check::CheckReport report;
  /// The token to remember in the state file: the probe was accepted but
  /// not found (and did not bounce). "" otherwise.
  std::string pending_token;
  /// The route's own SMTP connection (MX delivery), still QUITting; pooled
  /// sessions say goodbye with their pool.
  check::Goodbyes goodbyes;
};

/// Sends the probe (on a session of `pool` when given and the route submits
/// to a configured server, else on a connection of its own), waits for one
/// of the group's watchers to find (and delete) it, and fills the report.
/// Blocks; never throws for network conditions; finishes within cfg.timeout
/// plus a small I/O margin.
SharedRun run_shared_route(const check::CheckConfig& cfg, MailboxGroup& group, SubmissionPool* pool,
                           const std::atomic<bool>* stop);

/// delivery_seconds and its error bound from a sighting, as run_check
/// computes them (check/delivery_timing.hpp): the landing window clipped to
/// the server's acceptance (the 250's arrival `accepted` minus half the SMTP
/// round trip). Without a window: first seen minus the 250's arrival. Pure.
void record_landing(check::CheckReport& r, const Sighting& w, const Stamp& accepted,
                    std::optional<std::int64_t> smtp_rtt_us);

/// The submitting account a route's SMTP sessions belong to, as the run
/// counts them (server and user name; the pool's session key is finer).
/// Never printed. Pure.
std::string submitter_key(const check::CheckConfig& cfg);

/// Plain submission (a configured server) shares its account's sessions;
/// MX delivery (a host per attempt) keeps a connection of its own. Pure.
bool shares_submission(const check::CheckConfig& cfg);

/// Opens one SMTP session of the route's account in `pool` ahead of its
/// routes (while the mailbox groups log in), when the route shares
/// submission and logs in with a password, unless `want` are open already
/// (SubmissionPool::prewarm). Sends no envelope. Blocks.
void prewarm_submission(const check::CheckConfig& cfg, SubmissionPool& pool, const std::atomic<bool>* stop,
                        int want = 1);

/// Late and lost probes for a finished route (--state-file): looks up the
/// remembered tokens over the group's connections, which must be closed
/// (MailboxGroup::close) and not yet logged out.
void settle(SharedRun& run, const check::CheckConfig& cfg, MailboxGroup& group);

}  // namespace mailprobe::routes
