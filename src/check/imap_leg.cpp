#include "check/imap_leg.hpp"

#include <vector>

#include "insight/junk_mailbox.hpp"

namespace mailprobe::check {

Outcome<std::unique_ptr<ImapLeg>> open_leg(const net::Endpoint& server, const net::TlsPolicy& tls,
                                           const net::Credentials& creds, const Deadline& dl,
                                           const std::atomic<bool>* stop, net::DialogueLog* log,
                                           const char* log_label) {
  auto leg = std::make_unique<ImapLeg>();
  auto link = imap::CurlLink::open(server, tls, creds, dl, leg->info, stop, log, log_label);
  if (!link) return link.error();
  leg->link = std::move(link.value());
  leg->session = std::make_unique<imap::Session>(*leg->link);
  auto t0 = SteadyClock::now();
  if (auto known = login_capabilities(leg->info.login_lines)) {
    leg->caps = std::move(*known);
  } else {
    auto caps = leg->session->command("CAPABILITY", dl, Stage::imap_login);
    if (!caps) return caps.error();
    for (const auto& r : caps.value())
      if (auto c = imap::capabilities(r)) leg->caps.insert(c->begin(), c->end());
  }
  std::tie(leg->tls_version, leg->tls_cipher) = leg->link->tls_details();
  leg->select_us = std::chrono::duration_cast<Micros>(SteadyClock::now() - t0).count();
  return leg;
}

Outcome<std::unique_ptr<ImapLeg>> open_selected(const net::Endpoint& server, const net::TlsPolicy& tls,
                                                const net::Credentials& creds, const std::string& mailbox,
                                                const Deadline& dl, const std::atomic<bool>* stop,
                                                net::DialogueLog* log, const char* log_label) {
  auto leg = open_leg(server, tls, creds, dl, stop, log, log_label);
  if (!leg) return leg;
  if (auto st = select_mailbox(*leg.value(), mailbox, dl); !st) {
    logout(*leg.value(), dl);
    return st.error();
  }
  return leg;
}

Status select_mailbox(ImapLeg& leg, const std::string& mailbox, const Deadline& dl) {
  auto t0 = SteadyClock::now();
  auto name = imap::astring(mailbox);
  if (!name) return Failure(Stage::imap_select, Result::internal_error, "mailbox name needs a literal");
  auto sel = leg.session->command("SELECT " + *name, dl, Stage::imap_select);
  if (!sel) return sel.error();
  for (const auto& r : sel.value())
    if (auto n = imap::code_number(r, "UIDNEXT")) leg.uidnext = *n;
  leg.session->take_new_mail();
  leg.mailbox = mailbox;
  // The TLS facts are there once something was read through the link.
  if (leg.link && leg.tls_version.empty()) std::tie(leg.tls_version, leg.tls_cipher) = leg.link->tls_details();
  leg.select_us = leg.select_us.value_or(0) +
                  std::chrono::duration_cast<Micros>(SteadyClock::now() - t0).count();
  return ok();
}

Status select_and_find_junk(ImapLeg& leg, const std::string& mailbox, const Deadline& dl, std::string& junk) {
  junk.clear();
  auto t0 = SteadyClock::now();
  auto name = imap::astring(mailbox);
  if (!name) return Failure(Stage::imap_select, Result::internal_error, "mailbox name needs a literal");
  auto lt = leg.session->send_command("LIST \"\" \"*\"", dl, Stage::imap_select);
  if (!lt) return lt.error();
  auto stag = leg.session->send_command("SELECT " + *name, dl, Stage::imap_select);
  if (!stag) return stag.error();
  std::vector<imap::ListEntry> entries;
  bool list_ok = false;
  while (true) {
    auto r = leg.session->next_response(dl, Stage::imap_select);
    if (!r) return r.error();
    if (!r.value()) return Failure(Stage::imap_select, Result::timeout, "no complete IMAP response before the deadline");
    const imap::Response& resp = *r.value();
    if (auto e = imap::list_entry(resp)) entries.push_back(std::move(*e));
    if (auto n = imap::code_number(resp, "UIDNEXT"); n && resp.kind == imap::Response::Kind::untagged) leg.uidnext = *n;
    if (resp.kind != imap::Response::Kind::tagged) continue;
    if (resp.tag == lt.value()) {
      list_ok = resp.status() == "OK";
      continue;
    }
    if (resp.tag != stag.value()) continue;
    std::string st = resp.status();
    if (st != "OK") {
      Result kind = st == "NO" ? Result::imap_no : st == "BAD" ? Result::imap_bad : Result::protocol_error;
      return Failure(Stage::imap_select, kind, resp.text);
    }
    break;
  }
  if (list_ok) junk = insight::choose_junk_mailbox(entries);
  leg.session->take_new_mail();
  leg.mailbox = mailbox;
  if (leg.link && leg.tls_version.empty()) std::tie(leg.tls_version, leg.tls_cipher) = leg.link->tls_details();
  leg.select_us = leg.select_us.value_or(0) +
                  std::chrono::duration_cast<Micros>(SteadyClock::now() - t0).count();
  return ok();
}

std::string find_junk(imap::Session& s, const Deadline& dl) {
  auto rs = s.command("LIST \"\" \"*\"", dl, Stage::imap_select);
  if (!rs) return {};
  std::vector<imap::ListEntry> entries;
  for (const auto& r : rs.value())
    if (auto e = imap::list_entry(r)) entries.push_back(std::move(*e));
  return insight::choose_junk_mailbox(entries);
}

std::optional<std::set<std::string>> login_capabilities(const std::vector<std::string>& lines) {
  // Only the login's own response counts: capabilities sent before STARTTLS
  // or before authentication may change after it (RFC 3501 §6.2.1, §6.2.3).
  // That is the final tagged OK's [CAPABILITY] code, or an untagged
  // CAPABILITY between the previous tagged completion and it (RFC 3501
  // §7.2.1; Dovecot answers AUTHENTICATE so).
  if (lines.empty()) return std::nullopt;
  auto parse = [](const std::string& line) {
    imap::ResponseReader reader;
    reader.feed(line + "\r\n");
    return reader.next();
  };
  auto last = parse(lines.back());
  if (!last || last->kind != imap::Response::Kind::tagged || last->status() != "OK") return std::nullopt;
  if (auto caps = imap::capabilities(*last)) return caps;
  for (std::size_t i = lines.size() - 1; i-- > 0;) {
    auto r = parse(lines[i]);
    if (!r || r->kind == imap::Response::Kind::tagged) break;
    // "* CAPABILITY ..." data only: a status line's code may be the greeting's (pre-login).
    if (r->kind == imap::Response::Kind::untagged && r->status().empty())
      if (auto caps = imap::capabilities(*r)) return caps;
  }
  return std::nullopt;
}

void logout(ImapLeg& leg, const Deadline& dl) {
  if (!leg.session || !leg.link) return;
  Deadline bound = Deadline::in(std::chrono::milliseconds(std::min(dl.remaining_ms(), 200L)));
  if (bound.remaining_ms() > 0) (void)leg.session->send_command("LOGOUT", bound, Stage::done);
  leg.link->hang_up();
}

}  // namespace mailprobe::check
