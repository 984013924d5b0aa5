#pragma once

// Late and lost probes across one-shot runs (--state-file): a run that gives
// up remembers its token; later runs look for remembered tokens that arrived
// after all, count them late (and delete them unless --no-cleanup), and count those older than
// --lost-after as lost. The file is read-modify-written under a lock, so
// overlapping cron and Telegraf runs do not lose each other's entries.

#include <string>

#include "check/check_report.hpp"
#include "check/config.hpp"
#include "check/imap_leg.hpp"

namespace mailprobe::check {

/// `pending_token` is this run's token when its probe was sent but not found
/// ("" otherwise). `legs` are the selected mailbox legs to search (inbox,
/// junk); null entries are skipped. Fills late/lost/pending counts, or
/// state_error. Never fails the run.
void settle_late_probes(CheckReport& r, const CheckConfig& cfg, ImapLeg* inbox, ImapLeg* junk,
                        const std::string& pending_token, const Deadline& dl);

}  // namespace mailprobe::check
