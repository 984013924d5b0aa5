#include "check/cleanup.hpp"

#include <algorithm>

namespace mailprobe::check {

CleanupPlan choose_cleanup(const std::set<std::string>& caps) {
  if (caps.count("UIDPLUS")) return CleanupPlan::uid_expunge;
  if (caps.count("MOVE")) return CleanupPlan::move_to_trash;
  return CleanupPlan::flag_only;
}

namespace {

/// The Trash mailbox name from LIST: the \Trash special-use attribute wins,
/// else a mailbox literally named Trash. "" if neither exists.
std::string find_trash(imap::Session& s, const Deadline& dl) {
  auto rs = s.command("LIST \"\" \"*\"", dl, Stage::cleanup);
  if (!rs) return {};
  std::string named;
  for (const auto& r : rs.value()) {
    auto e = imap::list_entry(r);
    if (!e) continue;
    for (const auto& a : e->attributes)
      if (a == "\\Trash") return e->name;
    if (e->name == "Trash" || e->name == "INBOX.Trash") named = e->name;
  }
  return named;
}

/// Sends UID STORE +FLAGS.SILENT (\Deleted) and UID EXPUNGE for `set`
/// back to back and reads both completions. Returns the server's words of
/// the first failure, or nullopt when both succeeded.
std::optional<std::string> store_and_expunge(imap::Session& s, const std::string& set, const Deadline& dl) {
  auto store = s.send_command("UID STORE " + set + " +FLAGS.SILENT (\\Deleted)", dl, Stage::cleanup);
  if (!store) return store.error().reply_text;
  auto expunge = s.send_command("UID EXPUNGE " + set, dl, Stage::cleanup);
  if (!expunge) return expunge.error().reply_text;
  std::optional<std::string> failed;
  bool store_done = false;
  while (true) {
    auto r = s.next_response(dl, Stage::cleanup);
    if (!r) return r.error().reply_text;
    if (!r.value()) return std::string("no reply to the cleanup before the deadline");
    const imap::Response& resp = *r.value();
    if (resp.kind != imap::Response::Kind::tagged) continue;
    bool is_store = resp.tag == store.value();
    if (!is_store && resp.tag != expunge.value()) continue;
    if (resp.status() != "OK" && !failed) failed = resp.text;
    if (is_store) store_done = true;
    else return store_done ? failed : std::optional<std::string>(std::string("UID EXPUNGE answered before UID STORE"));
  }
}

/// True if `UID SEARCH DELETED` (RFC 3501 §6.4.4, §6.4.8) names exactly
/// `flagged`: then no other message carries \Deleted and a plain EXPUNGE
/// (§6.4.3) removes the probes and nothing else. A message another client
/// flags between the SEARCH and the EXPUNGE would go too; without UIDPLUS
/// there is no narrower command, and the window is one round trip.
bool only_probes_deleted(imap::Session& s, std::vector<std::uint32_t> flagged, const Deadline& dl) {
  auto rs = s.command("UID SEARCH DELETED", dl, Stage::cleanup);
  if (!rs) return false;
  std::vector<std::uint32_t> deleted;
  for (const auto& r : rs.value())
    if (auto hits = imap::search_result(r)) deleted.insert(deleted.end(), hits->begin(), hits->end());
  std::sort(deleted.begin(), deleted.end());
  deleted.erase(std::unique(deleted.begin(), deleted.end()), deleted.end());
  std::sort(flagged.begin(), flagged.end());
  flagged.erase(std::unique(flagged.begin(), flagged.end()), flagged.end());
  return !deleted.empty() && deleted == flagged;
}

}  // namespace

std::string uid_set(std::vector<std::uint32_t> uids) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  std::string out;
  for (std::size_t i = 0; i < uids.size();) {
    std::size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    if (!out.empty()) out.push_back(',');
    out += std::to_string(uids[i]);
    if (j > i) out += ":" + std::to_string(uids[j]);
    i = j + 1;
  }
  return out;
}

CleanupResult delete_probe(imap::Session& s, std::uint32_t uid, const std::set<std::string>& caps,
                           const Deadline& dl) {
  return delete_probes(s, {uid}, caps, dl);
}

CleanupResult delete_probes(imap::Session& s, const std::vector<std::uint32_t>& uids,
                            const std::set<std::string>& caps, const Deadline& dl) {
  auto t0 = SteadyClock::now();
  CleanupResult out;
  auto finish = [&](std::string action, std::string error = {}) {
    out.action = std::move(action);
    out.error = std::move(error);
    out.us = std::chrono::duration_cast<Micros>(SteadyClock::now() - t0).count();
    return out;
  };
  if (uids.empty()) return finish("none");
  constexpr std::size_t kChunk = 500;
  std::vector<std::string> sets;
  for (std::size_t i = 0; i < uids.size(); i += kChunk)
    sets.push_back(uid_set(std::vector<std::uint32_t>(uids.begin() + static_cast<std::ptrdiff_t>(i),
                                                      uids.begin() + static_cast<std::ptrdiff_t>(std::min(uids.size(), i + kChunk)))));
  CleanupPlan plan = choose_cleanup(caps);
  if (plan == CleanupPlan::move_to_trash) {
    std::string trash = find_trash(s, dl);
    auto quoted = imap::astring(trash);
    if (!trash.empty() && quoted) {
      for (const auto& set : sets) {
        auto r = s.command("UID MOVE " + set + " " + *quoted, dl, Stage::cleanup);
        if (!r) return finish("failed", r.error().reply_text);
      }
      return finish("moved_to_trash");
    }
    plan = CleanupPlan::flag_only;
  }
  if (plan == CleanupPlan::uid_expunge && sets.size() == 1) {
    // One flight (RFC 3501 §5.5): UID EXPUNGE removes only listed UIDs that
    // carry \Deleted (RFC 4315 §2.1), so if the STORE fails it removes nothing.
    if (auto e = store_and_expunge(s, sets.front(), dl)) return finish("failed", *e);
    return finish("expunged");
  }
  for (const auto& set : sets) {
    auto st = s.command("UID STORE " + set + " +FLAGS.SILENT (\\Deleted)", dl, Stage::cleanup);
    if (!st) return finish("failed", st.error().reply_text);
  }
  if (plan == CleanupPlan::flag_only) {
    if (!only_probes_deleted(s, uids, dl)) return finish("flagged");
    auto ex = s.command("EXPUNGE", dl, Stage::cleanup);
    if (!ex) return finish("failed", ex.error().reply_text);
    return finish("expunged_checked");
  }
  for (const auto& set : sets) {
    auto ex = s.command("UID EXPUNGE " + set, dl, Stage::cleanup);
    if (!ex) return finish("failed", ex.error().reply_text);
  }
  return finish("expunged");
}

}  // namespace mailprobe::check
