#include "routes/mailbox_group.hpp"

#include <algorithm>

#include "auth/leg_credentials.hpp"
#include "check/side_legs.hpp"

namespace mailprobe::routes {

using std::chrono::milliseconds;

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
    : deadline_(deadline),
      stop_(stop),
      imap_(cfg.imap),
      tls_(cfg.tls),
      check_frequency_(cfg.check_frequency) {
  // An OAuth2 login gets its bearer token first (stage imap_token), as run_check does.
  auto creds_or = auth::leg_credentials(cfg.imap_creds, cfg.imap_token, Stage::imap_token, cfg.tls, deadline,
                                        cfg.state_file);
  if (!creds_or) {
    failure_ = creds_or.error();
    return;
  }
  creds_ = std::move(creds_or.value());
  auto opened = check::open_leg(imap_, tls_, creds_, deadline, stop);
  if (!opened) {
    failure_ = opened.error();
    return;
  }
  ++connections_;
  std::unique_ptr<check::ImapLeg> leg = std::move(opened.value());
  const bool want_junk = cfg.junk_mailbox != "none";
  std::string junk;
  Status st = ok();
  if (want_junk && cfg.junk_mailbox == "auto") {
    st = check::select_and_find_junk(*leg, cfg.mailbox, deadline, junk);  // LIST in SELECT's flight
  } else {
    if (want_junk) junk = cfg.junk_mailbox;
    st = check::select_mailbox(*leg, cfg.mailbox, deadline);
  }
  if (!st) {
    failure_ = st.error();
    check::logout(*leg, deadline);
    return;
  }
  junk_name_ = junk == cfg.mailbox ? std::string() : junk;
  inbox_ = std::make_unique<MailboxHub>(std::move(leg), "inbox", cfg.check_frequency);
  inbox_thread_ = std::jthread([this, stop] { inbox_->run(deadline_, stop); });
  if (!junk_name_.empty()) junk_thread_ = std::jthread([this] { junk_loop(); });
}

std::string MailboxGroup::junk_error() const {
  std::lock_guard lk(jmu_);
  return junk_error_;
}

void MailboxGroup::add(const std::shared_ptr<Ticket>& t) {
  inbox_->add(t);
  if (junk_name_.empty()) return;
  std::unique_lock lk(jmu_);
  switch (junk_state_) {
    case JunkState::open: {
      MailboxHub* hub = junk_.get();
      lk.unlock();
      hub->add(t);
      return;
    }
    case JunkState::failed:
      lk.unlock();
      t->release();  // the folder could not be opened: its holder lets go at once
      return;
    case JunkState::waiting:
    case JunkState::opening:
      junk_held_.push_back(t);
      lk.unlock();
      jcv_.notify_all();
      return;
  }
}

std::vector<HeldProbe> MailboxGroup::held_locked() {
  std::erase_if(junk_held_, [](const std::shared_ptr<Ticket>& t) { return t->settled(); });
  std::vector<HeldProbe> held;
  held.reserve(junk_held_.size());
  for (const auto& t : junk_held_) held.push_back({t->armed_at(), t->wait_until(), t->junk_after()});
  return held;
}

Outcome<std::unique_ptr<check::ImapLeg>> MailboxGroup::open_junk(const Deadline& bound) {
  auto leg = check::open_selected(imap_, tls_, creds_, junk_name_, bound, stop_);
  if (leg) ++connections_;
  return leg;
}

void MailboxGroup::junk_loop() {
  std::unique_lock lk(jmu_);
  while (true) {
    if ((stop_ && stop_->load()) || deadline_.expired()) break;
    const JunkDecision d = junk_decision(held_locked(), SteadyClock::now());
    if (d.open_now) {
      junk_state_ = JunkState::opening;
      break;
    }
    if (junk_closing_ && junk_held_.empty()) {
      junk_state_ = JunkState::failed;  // never needed; a late add() lets go at once
      return;
    }
    jcv_.wait_until(lk, d.wake);  // add() and close() notify
  }
  std::vector<std::shared_ptr<Ticket>> held;
  if (junk_state_ != JunkState::opening) {  // stopped or out of time before it was needed
    junk_state_ = JunkState::failed;
    if (!junk_held_.empty()) junk_error_ = "the run ended before the junk folder was opened";
    held.swap(junk_held_);
    lk.unlock();
    for (auto& t : held) t->release();
    return;
  }
  const Deadline bound{junk_open_bound(held_locked(), SteadyClock::now(), deadline_.at)};
  lk.unlock();
  auto opened = open_junk(bound);  // add() keeps holding tickets meanwhile
  lk.lock();
  if (!opened) {
    junk_state_ = JunkState::failed;
    junk_error_ = opened.error().reply_text.empty() ? "could not open the junk folder" : opened.error().reply_text;
    held.swap(junk_held_);
    lk.unlock();
    for (auto& t : held) t->release();
    return;
  }
  junk_ = std::make_unique<MailboxHub>(std::move(opened.value()), "junk", check_frequency_);
  junk_state_ = JunkState::open;
  held.swap(junk_held_);
  for (auto& t : held) junk_->add(t);
  if (junk_closing_) junk_->close();
  lk.unlock();
  if (!junk_->catch_up(bound)) {
    std::lock_guard g(jmu_);
    junk_error_ = "the junk folder could not be searched";
    return;
  }
  junk_->run(deadline_, stop_);
}

void MailboxGroup::close() {
  if (closed_) return;
  closed_ = true;
  if (inbox_) inbox_->close();
  {
    std::lock_guard lk(jmu_);
    junk_closing_ = true;
    if (junk_) junk_->close();
  }
  jcv_.notify_all();
  if (inbox_thread_.joinable()) inbox_thread_.join();
  if (junk_thread_.joinable()) junk_thread_.join();
}

check::ImapLeg* MailboxGroup::junk_for_late_probes() {
  std::lock_guard lk(jmu_);
  if (junk_) return &junk_->leg();
  if (late_junk_) return late_junk_.get();
  if (junk_name_.empty() || junk_state_ == JunkState::failed || late_tried_) return nullptr;
  late_tried_ = true;
  auto opened = open_junk(deadline_);
  if (!opened) return nullptr;
  late_junk_ = std::move(opened.value());
  return late_junk_.get();
}

void MailboxGroup::logout() {
  close();
  if (inbox_) check::logout(inbox_->leg(), deadline_);
  std::lock_guard lk(jmu_);
  if (junk_) check::logout(junk_->leg(), deadline_);
  if (late_junk_) check::logout(*late_junk_, deadline_);
}

MailboxGroup::~MailboxGroup() { close(); }

}  // namespace mailprobe::routes
