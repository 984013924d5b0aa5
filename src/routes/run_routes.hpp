#pragma once

// Every route of a routes file in one run: at most `concurrency` routes in
// flight, the routes that read the same mailbox sharing one watcher
// (routes/mailbox_group.hpp) and the routes that submit as the same account
// sharing a few SMTP sessions (routes/submission_pool.hpp). Routes that watch a bounce mailbox
// (--bounce-imap-username) run as an ordinary check with connections of
// their own (their watcher searches message text, which a shared scan of
// headers does not cover).

#include <atomic>
#include <chrono>
#include <vector>

#include "check/check_report.hpp"
#include "check/config.hpp"
#include "check/goodbyes.hpp"

namespace mailprobe::routes {

struct RunOptions {
  int concurrency = 50;                  // routes in flight at once
  std::chrono::milliseconds jitter{0};   // each route starts after a random delay up to this
  const std::atomic<bool>* stop = nullptr;
};

struct RunStats {
  int imap_connections = 0;  // opened by shared groups (benchmarks)
  int groups = 0;
  int smtp_sessions = 0;     // opened by the shared submission pool
};

/// One report per route, in the order of `routes`. Blocks until every route
/// finished (each within its own --timeout plus the jitter). Never throws
/// for network conditions. With `later`, the goodbyes (SMTP QUIT and its
/// 221, which a server may hold; stopping the mailbox watchers, whose last
/// NOOPs are still answered, and IMAP LOGOUT, RFC 3501 §6.1.3) are left
/// there, for the caller to await after printing (check/goodbyes.hpp);
/// without it they are awaited here. Late-probe accounting (--state-file)
/// needs the watchers stopped, so with it they stop before this returns.
std::vector<check::CheckReport> run_routes(const std::vector<check::CheckConfig>& routes, const RunOptions& opt,
                                           RunStats* stats = nullptr, check::Goodbyes* later = nullptr);

/// A uniformly random delay in [0, max] (CSPRNG-seeded). Pure but for the
/// random draw.
std::chrono::milliseconds random_delay(std::chrono::milliseconds max);

/// Sleeps `d`, waking early when `stop` is set. Returns false if stopped.
bool sleep_unless_stopped(std::chrono::milliseconds d, const std::atomic<bool>* stop);

}  // namespace mailprobe::routes
