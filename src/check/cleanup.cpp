#include "check/cleanup.hpp"

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

}  // namespace

CleanupResult delete_probe(imap::Session& s, std::uint32_t uid, const std::set<std::string>& caps,
                           const Deadline& dl) {
  auto t0 = SteadyClock::now();
  CleanupResult out;
  auto finish = [&](std::string action, std::string error = {}) {
    out.action = std::move(action);
    out.error = std::move(error);
    out.us = std::chrono::duration_cast<Micros>(SteadyClock::now() - t0).count();
    return out;
  };
  const std::string id = std::to_string(uid);
  CleanupPlan plan = choose_cleanup(caps);
  if (plan == CleanupPlan::move_to_trash) {
    std::string trash = find_trash(s, dl);
    auto quoted = imap::astring(trash);
    if (!trash.empty() && quoted) {
      auto r = s.command("UID MOVE " + id + " " + *quoted, dl, Stage::cleanup);
      if (r) return finish("moved_to_trash");
      return finish("failed", r.error().reply_text);
    }
    plan = CleanupPlan::flag_only;
  }
  auto st = s.command("UID STORE " + id + " +FLAGS.SILENT (\\Deleted)", dl, Stage::cleanup);
  if (!st) return finish("failed", st.error().reply_text);
  if (plan == CleanupPlan::flag_only) return finish("flagged");
  auto ex = s.command("UID EXPUNGE " + id, dl, Stage::cleanup);
  if (!ex) return finish("failed", ex.error().reply_text);
  return finish("expunged");
}

}  // namespace mailprobe::check
