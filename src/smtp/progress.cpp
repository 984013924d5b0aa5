#include "smtp/progress.hpp"

#include <cctype>

namespace mailprobe::smtp {

namespace {

std::string verb_of(std::string_view line) {
  std::string v;
  for (char c : line) {
    if (c == ' ' || c == ':' || c == '\r' || c == '\n') break;
    v.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return v;
}

std::optional<std::int64_t> span_us(const std::optional<SteadyClock::time_point>& a,
                                    const std::optional<SteadyClock::time_point>& b) {
  if (!a || !b) return std::nullopt;
  return std::chrono::duration_cast<Micros>(*b - *a).count();
}

}  // namespace

void Progress::on_command(std::string_view line, SteadyClock::time_point at, bool timed) {
  std::string verb = verb_of(line);
  if (verb.empty()) return;
  if (verb == "QUIT") {
    quitting_ = true;  // the stage and the last reply stay those of the real dialogue
    return;
  }
  if (last_verb_ == "STARTTLS" && starttls_ok_at_ && !tls_done_at_) tls_done_at_ = at;
  last_verb_ = verb;
  timed_ = timed;
  awaiting_ = true;
  command_at_ = at;
  if (verb == "EHLO" || verb == "HELO") {
    stage_ = Stage::smtp_ehlo;
  } else if (verb == "STARTTLS") {
    stage_ = Stage::smtp_starttls;
  } else if (verb == "AUTH") {
    stage_ = Stage::smtp_auth;
    auth_sent_ = at;
  } else if (verb == "MAIL") {
    stage_ = Stage::smtp_mail;
    mail_sent_ = at;
  } else if (verb == "RCPT") {
    stage_ = Stage::smtp_rcpt;
  } else if (verb == "DATA") {
    stage_ = Stage::smtp_data;
  } else if (verb == "BDAT") {
    // RFC 3030 §2: the chunk follows the command at once; we send one chunk
    // (LAST), so its reply is the transaction's final reply.
    stage_ = Stage::smtp_data;
    in_data_ = true;
    data_go_at_ = at;
  } else if (stage_ == Stage::smtp_auth) {
    // SASL continuation data (AUTH LOGIN user/password lines) stays in auth.
    last_verb_ = "AUTH";
  }
}

void Progress::on_line(std::string_view line, SteadyClock::time_point at) {
  auto r = assembler_.feed(line);
  if (r && !quitting_) on_reply(*r, at);
}

void Progress::next_transaction() {
  mail_sent_.reset();
  data_go_at_.reset();
  accepted_at_.reset();
  final_at_.reset();
  final_reply_.reset();
  in_data_ = false;
  quitting_ = false;
  awaiting_ = false;
  stage_ = Stage::smtp_mail;
}

bool Progress::envelope_next(bool have_creds, bool starttls) const {
  if (!greeting_ || awaiting_ || !last_reply_ || mail_sent_) return false;
  if (last_verb_ == "AUTH") return auth_ok_;
  if (last_verb_ != "EHLO" && last_verb_ != "HELO") return false;
  if (last_reply_->code != 250) return false;
  if (starttls && !starttls_ok_at_) return false;  // STARTTLS comes next
  return !have_creds || caps_.auth.empty();
}

void Progress::on_reply(const Reply& r, SteadyClock::time_point at) {
  ++replies_;
  last_reply_ = r;
  if (!greeting_) {
    greeting_ = r;
    greeting_at_ = at;
    awaiting_ = false;
    return;
  }
  if (in_data_) {
    // RFC 5321 §4.1.1.4: after the end-of-data indication the server replies
    // once for the whole transaction; 250 means it took responsibility.
    in_data_ = false;
    final_reply_ = r;
    final_at_ = at;
    if (r.code == 250) accepted_at_ = at;
    awaiting_ = false;
    return;
  }
  if (r.code == 334) return;  // SASL challenge: the exchange continues (RFC 4954 §4)
  awaiting_ = false;
  if (command_at_ && timed_) {
    // Two kinds of samples: the session set-up's commands are stamped by
    // libcurl's debug callback, which runs after the write (a busy machine
    // may stamp them late, so they can read short); the transaction's are
    // stamped by us before the write.
    auto us = std::chrono::duration_cast<Micros>(at - *command_at_).count();
    auto take = [us](std::optional<std::int64_t>& min) {
      if (!min || us < *min) min = us;
    };
    if (last_verb_ == "MAIL" || last_verb_ == "RCPT" || last_verb_ == "NOOP" || last_verb_ == "RSET") take(own_rtt_us_);
    else if (last_verb_ == "EHLO" || last_verb_ == "HELO" || last_verb_ == "STARTTLS") take(setup_rtt_us_);
  }
  if (last_verb_ == "EHLO" && r.code == 250) caps_ = parse_ehlo(r);
  if (last_verb_ == "STARTTLS" && r.code == 220) {
    starttls_ok_at_ = at;
    stage_ = Stage::smtp_tls;  // the handshake follows
  }
  if (last_verb_ == "AUTH") {
    auth_done_ = at;
    auth_ok_ = r.code == 235;
  }
  if (last_verb_ == "DATA" && r.code == 354) {
    in_data_ = true;
    data_go_at_ = at;
    awaiting_ = true;
  }
}

std::optional<std::int64_t> Progress::greeting_us(SteadyClock::time_point connected) const {
  return span_us(connected, greeting_at_);
}
std::optional<std::int64_t> Progress::starttls_tls_us() const {
  return span_us(starttls_ok_at_, tls_done_at_);
}
std::optional<std::int64_t> Progress::auth_us() const { return span_us(auth_sent_, auth_done_); }
std::optional<std::int64_t> Progress::transaction_us() const { return span_us(mail_sent_, final_at_); }
std::optional<std::int64_t> Progress::data_us() const { return span_us(data_go_at_, final_at_); }

}  // namespace mailprobe::smtp
