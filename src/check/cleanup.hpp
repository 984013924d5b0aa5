#pragma once

// Deleting exactly the probe, by UID, and nothing else. Never a plain
// EXPUNGE or CLOSE: those remove every message flagged \Deleted, including
// ones a user flagged and still expects to see (RFC 3501 §6.4.3, §6.4.2).

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "core/clock.hpp"
#include "imap/session.hpp"

namespace mailprobe::check {

struct CleanupResult {
  std::string action;  // expunged | moved_to_trash | flagged | failed
  std::string error;   // the server's words when action == failed
  std::optional<std::int64_t> us;
};

/// With UIDPLUS: UID STORE +FLAGS.SILENT (\Deleted) then UID EXPUNGE <uid>
/// (RFC 4315 §2.1 removes only listed UIDs). Else with MOVE and a Trash
/// mailbox (\Trash, RFC 6154, or named Trash): UID MOVE <uid> <trash>.
/// Else: flag it \Deleted and leave it for the user's client.
CleanupResult delete_probe(imap::Session& s, std::uint32_t uid, const std::set<std::string>& caps,
                           const Deadline& dl);

/// Which cleanup delete_probe would choose (pure, for tests and docs).
enum class CleanupPlan { uid_expunge, move_to_trash, flag_only };
CleanupPlan choose_cleanup(const std::set<std::string>& caps);

}  // namespace mailprobe::check
