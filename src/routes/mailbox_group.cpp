#include "routes/mailbox_group.hpp"

#include "auth/leg_credentials.hpp"

namespace mailprobe::routes {

std::string group_key(const check::CheckConfig& c) {
  // Separator: a NUL never appears in a validated flag value.
  std::string k;
  for (const std::string* part : {&c.imap.host, &c.imap_creds.username, &c.imap_creds.password, &c.mailbox,
                                  &c.junk_mailbox, &c.tls.ca_file})
    k += *part + '\0';
  // OAuth2 logins: the same mailbox only when the token comes from the same place.
  const auth::TokenSpec& t = c.imap_token;
  k += std::string(net::to_string(t.mechanism)) + '\0' + t.token_file + '\0' + t.fetch.token_url + '\0' +
       t.fetch.client_id + '\0' + t.fetch.scope + '\0' + t.fetch.refresh_token_file + '\0';
  for (const auto& a : t.token_command) k += a + '\1';
  k += std::to_string(c.imap.port) + '\0' + std::string(net::to_string(c.imap.tls)) + '\0' +
       (c.tls.insecure ? "1" : "0");
  return k;
}

MailboxGroup::MailboxGroup(const check::CheckConfig& cfg, const Deadline& deadline, const std::atomic<bool>* stop)
    : deadline_(deadline) {
  // An OAuth2 login gets its bearer token first (stage imap_token), as run_check does.
  auto creds_or = auth::leg_credentials(cfg.imap_creds, cfg.imap_token, Stage::imap_token, cfg.tls, deadline,
                                        cfg.state_file);
  if (!creds_or) {
    failure_ = creds_or.error();
    return;
  }
  const net::Credentials creds = std::move(creds_or.value());
  std::unique_ptr<check::ImapLeg> junk_leg;
  std::jthread junk_opener;  // joins on every return path
  std::string junk_open_error;
  const bool want_junk = cfg.junk_mailbox != "none";
  // The junk connection logs in while the mailbox's does (run_check does the same).
  if (want_junk) {
    junk_opener = std::jthread([&] {
      auto l = check::open_leg(cfg.imap, cfg.tls, creds, deadline, stop);
      if (l) junk_leg = std::move(l.value());
      else junk_open_error = l.error().reply_text;
    });
  }
  auto join_junk = [&] {
    if (junk_opener.joinable()) junk_opener.join();
    if (junk_leg) ++connections_;
  };
  auto opened = check::open_leg(cfg.imap, cfg.tls, creds, deadline, stop);
  if (!opened) {
    failure_ = opened.error();
    join_junk();
    if (junk_leg) check::logout(*junk_leg, deadline);
    return;
  }
  ++connections_;
  std::unique_ptr<check::ImapLeg> leg = std::move(opened.value());
  if (want_junk) junk_name_ = cfg.junk_mailbox == "auto" ? check::find_junk(*leg->session, deadline) : cfg.junk_mailbox;
  if (junk_name_ == cfg.mailbox) junk_name_.clear();
  if (auto st = check::select_mailbox(*leg, cfg.mailbox, deadline); !st) {
    failure_ = st.error();
    check::logout(*leg, deadline);
    join_junk();
    if (junk_leg) check::logout(*junk_leg, deadline);
    return;
  }
  join_junk();
  if (junk_leg && !junk_name_.empty()) {
    if (auto st = check::select_mailbox(*junk_leg, junk_name_, deadline); st) {
      junk_ = std::make_unique<MailboxHub>(std::move(junk_leg), "junk", cfg.check_frequency);
    } else {
      junk_error_ = st.error().reply_text;
    }
  } else if (want_junk && !junk_open_error.empty()) {
    junk_error_ = junk_open_error;
  }
  if (junk_leg) check::logout(*junk_leg, deadline);  // not needed after all
  if (!junk_) junk_name_.clear();
  inbox_ = std::make_unique<MailboxHub>(std::move(leg), "inbox", cfg.check_frequency);
  inbox_thread_ = std::jthread([this, stop] { inbox_->run(deadline_, stop); });
  if (junk_) junk_thread_ = std::jthread([this, stop] { junk_->run(deadline_, stop); });
}

void MailboxGroup::close() {
  if (closed_) return;
  closed_ = true;
  if (inbox_) inbox_->close();
  if (junk_) junk_->close();
  if (inbox_thread_.joinable()) inbox_thread_.join();
  if (junk_thread_.joinable()) junk_thread_.join();
}

void MailboxGroup::logout() {
  close();
  if (inbox_) check::logout(inbox_->leg(), deadline_);
  if (junk_) check::logout(junk_->leg(), deadline_);
}

MailboxGroup::~MailboxGroup() { close(); }

}  // namespace mailprobe::routes
