#pragma once

// Deleting exactly the probe, by UID, and nothing else. Never CLOSE, and a
// plain EXPUNGE only once UID SEARCH DELETED has shown that the probes are
// the only messages flagged \Deleted: EXPUNGE removes every such message,
// including ones a user flagged and still expects to see (RFC 3501 §6.4.3).

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "imap/session.hpp"

namespace mailprobe::check {

struct CleanupResult {
  std::string action;  // expunged | expunged_checked | moved_to_trash | flagged | failed
  std::string error;   // the server's words when action == failed
  std::optional<std::int64_t> us;
};

/// With UIDPLUS: UID STORE +FLAGS.SILENT (\Deleted) then UID EXPUNGE <uid>
/// (RFC 4315 §2.1 removes only listed UIDs). Else with MOVE and a Trash
/// mailbox (\Trash, RFC 6154, or named Trash): UID MOVE <uid> <trash>.
/// Else: flag it \Deleted; then, if UID SEARCH DELETED returns exactly the
/// probe's UIDs, a plain EXPUNGE ("expunged_checked"); otherwise leave it
/// flagged for the user's client ("flagged").
CleanupResult delete_probe(imap::Session& s, std::uint32_t uid, const std::set<std::string>& caps,
                           const Deadline& dl);

/// delete_probe for several UIDs at once, same plan and same guarantees:
/// only the listed UIDs are flagged, expunged or moved. UIDs go out as a
/// compact sequence set (RFC 3501 §9 sequence-set), in commands of at most
/// 500 UIDs. An empty list does nothing and reports "none".
CleanupResult delete_probes(imap::Session& s, const std::vector<std::uint32_t>& uids,
                            const std::set<std::string>& caps, const Deadline& dl);

/// "3:5,9" for {3, 4, 5, 9} (sorted, duplicates dropped).
std::string uid_set(std::vector<std::uint32_t> uids);

/// Which cleanup delete_probe would choose (pure, for tests and docs).
enum class CleanupPlan { uid_expunge, move_to_trash, flag_only };
CleanupPlan choose_cleanup(const std::set<std::string>& caps);

}  // namespace mailprobe::check
