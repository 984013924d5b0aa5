#include "cleanup/run_cleanup.hpp"

#include <set>

#include "check/cleanup.hpp"
#include "check/imap_leg.hpp"
#include "imap/session.hpp"
#include "insight/junk_mailbox.hpp"
#include "insight/stale_probe.hpp"

namespace mailprobe::cleanup {

namespace {

void logout(imap::Session& s) {
  auto bound = Deadline::in(std::chrono::milliseconds(2000));
  (void)s.command("LOGOUT", bound, Stage::done);
}

/// One mailbox: SELECT (EXAMINE when dry), search, fetch, decide, delete.
MailboxReport sweep(imap::Session& s, const std::string& mailbox, const std::string& role,
                    const std::set<std::string>& caps, const CleanupConfig& cfg, const Deadline& dl) {
  MailboxReport m;
  m.mailbox = mailbox;
  m.role = role;
  auto quoted = imap::astring(mailbox);
  if (!quoted) {
    m.action = "failed";
    m.error = "mailbox name needs a literal";
    return m;
  }
  auto sel = s.command((cfg.dry_run ? "EXAMINE " : "SELECT ") + *quoted, dl, Stage::imap_select);
  if (!sel) {
    m.action = "failed";
    m.error = sel.error().reply_text;
    return m;
  }
  // Presence search (RFC 3501 §6.4.4: HEADER with an empty string matches
  // every message that has the field); the header content is checked below.
  auto found = s.command("UID SEARCH HEADER X-Mailprobe-Token \"\"", dl, Stage::imap_fetch);
  if (!found) {
    m.action = "failed";
    m.error = found.error().reply_text;
    return m;
  }
  std::vector<std::uint32_t> candidates;
  for (const auto& r : found.value())
    if (auto uids = imap::search_result(r)) candidates.insert(candidates.end(), uids->begin(), uids->end());
  m.candidates = static_cast<int>(candidates.size());
  if (candidates.empty()) return m;

  const auto now = WallClock::now();
  std::vector<std::uint32_t> stale;
  std::set<std::uint32_t> wanted(candidates.begin(), candidates.end());
  constexpr std::size_t kChunk = 200;
  for (std::size_t i = 0; i < candidates.size(); i += kChunk) {
    std::vector<std::uint32_t> part(candidates.begin() + static_cast<std::ptrdiff_t>(i),
                                    candidates.begin() + static_cast<std::ptrdiff_t>(std::min(candidates.size(), i + kChunk)));
    auto fetched = s.command("UID FETCH " + check::uid_set(part) + " " + std::string(insight::kStaleFetchItems), dl,
                             Stage::imap_fetch);
    if (!fetched) {
      m.action = "failed";
      m.error = fetched.error().reply_text;
      return m;
    }
    for (const auto& r : fetched.value()) {
      auto p = insight::read_fetched_probe(r);
      // Only UIDs the search returned: unsolicited FETCHes (flag changes
      // from another client) never widen the set.
      if (!p || !wanted.count(p->uid)) continue;
      if (insight::is_stale_probe(*p, now, cfg.older_than)) {
        stale.push_back(p->uid);
        wanted.erase(p->uid);
      }
    }
  }
  m.found = static_cast<int>(stale.size());
  if (stale.empty()) return m;
  if (cfg.dry_run) {
    m.action = "dry_run";
    return m;
  }
  auto res = check::delete_probes(s, stale, caps, dl);
  m.action = res.action;
  m.error = res.error;
  if (res.action != "failed") m.deleted = m.found;
  return m;
}

}  // namespace

CleanupReport run_cleanup(const CleanupConfig& cfg) {
  CleanupReport rep;
  rep.time = WallClock::now();
  rep.server = cfg.endpoint.authority();
  const Deadline dl = Deadline::in(cfg.timeout);
  // The same opener as check's legs: connect, TLS, login, CAPABILITY.
  auto leg = check::open_leg(cfg.endpoint, cfg.tls, cfg.creds, dl);
  if (!leg) {
    rep.failure = leg.error();
    return rep;
  }
  imap::Session& s = *leg.value()->session;
  const std::set<std::string>& caps = leg.value()->caps;

  std::string junk = cfg.junk_mailbox;
  if (junk.empty() && !cfg.no_junk) {
    auto list = s.command("LIST \"\" \"*\"", dl, Stage::imap_select);
    if (!list) {
      rep.failure = list.error();
      logout(s);
      return rep;
    }
    std::vector<imap::ListEntry> entries;
    for (const auto& r : list.value())
      if (auto e = imap::list_entry(r)) entries.push_back(std::move(*e));
    junk = insight::choose_junk_mailbox(entries);
  }
  rep.mailboxes.push_back(sweep(s, cfg.mailbox, "inbox", caps, cfg, dl));
  if (!junk.empty() && junk != cfg.mailbox) rep.mailboxes.push_back(sweep(s, junk, "junk", caps, cfg, dl));
  for (const auto& m : rep.mailboxes)
    if (m.action == "failed" && !rep.failure)
      rep.failure = Failure(Stage::cleanup, Result::protocol_error, m.mailbox + ": " + m.error);
  logout(s);
  return rep;
}

}  // namespace mailprobe::cleanup
