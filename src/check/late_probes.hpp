#pragma once

// Late and lost probes across one-shot runs (--state-file): a run that gives
// up remembers its token; later runs look for remembered tokens that arrived
// after all, count them late (and delete them unless --no-cleanup), and count those older than
// --lost-after as lost. The file is read-modify-written under a lock, so
// overlapping cron and Telegraf runs do not lose each other's entries.

#include <functional>
#include <string>

#include "check/check_report.hpp"
#include "check/config.hpp"
#include "check/imap_leg.hpp"

namespace mailprobe::check {

/// `pending_token` is this run's token when its probe was sent but not found
/// ("" otherwise). `inbox` is the selected mailbox (may be null); `junk`
/// yields the selected junk folder, and is called only when a remembered
/// probe is looked for (a check that opens its junk folder lazily connects
/// for this only then); a null leg is skipped. Fills late/lost/pending
/// counts, or state_error. Never fails the run.
void settle_late_probes(CheckReport& r, const CheckConfig& cfg, ImapLeg* inbox,
                        const std::function<ImapLeg*()>& junk, const std::string& pending_token,
                        const Deadline& dl);

}  // namespace mailprobe::check
