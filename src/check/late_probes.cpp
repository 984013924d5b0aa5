#include "check/late_probes.hpp"

#include "check/cleanup.hpp"
#include "check/watcher.hpp"
#include "insight/stale_probe.hpp"
#include "insight/state_file.hpp"

namespace mailprobe::check {

namespace {

constexpr std::size_t kMaxLookupsPerRun = 20;  // bounds the extra IMAP work a run does

/// Finds a remembered token in a selected mailbox and returns its
/// INTERNALDATE; deletes it unless cleanup is off.
std::optional<WallClock::time_point> take_late(ImapLeg& leg, const std::string& token, bool cleanup,
                                               const Deadline& dl) {
  auto rs = leg.session->command(search_command(token, 1), dl, Stage::cleanup);
  if (!rs) return std::nullopt;
  std::optional<std::uint32_t> uid;
  for (const auto& r : rs.value())
    if (auto uids = imap::search_result(r); uids && !uids->empty()) uid = uids->front();
  if (!uid) return std::nullopt;
  auto fetched = leg.session->command("UID FETCH " + std::to_string(*uid) + " (UID INTERNALDATE BODY.PEEK[HEADER])",
                                      dl, Stage::cleanup);
  if (!fetched) return std::nullopt;
  std::optional<WallClock::time_point> arrived;
  for (const auto& r : fetched.value()) {
    if (imap::fetch_uid(r) != *uid || r.literals.empty() || !header_has_token(r.literals.front(), token)) continue;
    if (auto p = insight::read_fetched_probe(r); p && p->internal_date) arrived = p->internal_date;
  }
  if (!arrived) return std::nullopt;
  if (cleanup) (void)delete_probe(*leg.session, *uid, leg.caps, dl);  // --no-cleanup leaves it
  return arrived;
}

}  // namespace

void settle_late_probes(CheckReport& r, const CheckConfig& cfg, ImapLeg* inbox,
                        const std::function<ImapLeg*()>& junk_leg, const std::string& pending_token,
                        const Deadline& dl) {
  if (cfg.state_file.empty()) return;
  auto lock = insight::StateLock::acquire(cfg.state_file, std::chrono::milliseconds(std::min(dl.remaining_ms(), 5000L)));
  if (!lock) {
    r.state_error = lock.error().reply_text;
    return;
  }
  auto loaded = insight::load_state(cfg.state_file);
  if (!loaded) {
    r.state_error = loaded.error().reply_text;
    return;
  }
  // Only this route's entries (a routes file's routes, and single checks,
  // share one file): the rest is written back untouched.
  insight::StateData all = std::move(loaded.value());
  insight::StateData state = insight::take_route(all, cfg.route);
  const auto now = WallClock::now();
  r.lost_count = static_cast<std::int64_t>(insight::expire_pending(state, now, cfg.lost_after).size());

  std::int64_t late = 0;
  std::size_t looked = 0;
  std::vector<std::string> found;
  for (const auto& p : state.pending) {
    if (looked++ >= kMaxLookupsPerRun || dl.expired()) break;
    std::optional<WallClock::time_point> arrived;
    if (inbox && inbox->session) arrived = take_late(*inbox, p.token, cfg.cleanup, dl);
    if (!arrived && junk_leg)
      if (ImapLeg* junk = junk_leg(); junk && junk->session) arrived = take_late(*junk, p.token, cfg.cleanup, dl);
    if (!arrived) continue;
    ++late;
    found.push_back(p.token);
    // INTERNALDATE has whole seconds (RFC 3501 §2.3.3): compare like with like.
    auto sent_s = std::chrono::floor<std::chrono::seconds>(p.sent);
    auto delay = std::chrono::duration_cast<Micros>(*arrived - sent_s).count();
    if (!r.late_max_us || delay > *r.late_max_us) r.late_max_us = delay;
  }
  for (const auto& t : found) insight::remove_pending(state, t);
  r.late_count = late;
  if (!pending_token.empty())
    insight::add_pending(state, {pending_token, r.start.wall, cfg.mailbox, r.queue_id, cfg.route});
  r.pending_count = static_cast<std::int64_t>(state.pending.size());
  insight::put_back(all, std::move(state));
  if (auto st = insight::save_state(cfg.state_file, all); !st) r.state_error = st.error().reply_text;
}

}  // namespace mailprobe::check
