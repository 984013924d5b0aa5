#include "serve/smtp_session.hpp"

#include "core/slice.hpp"

#include <algorithm>
#include <charconv>

#include "core/token.hpp"
#include "serve/sasl.hpp"

namespace mailprobe::serve {

namespace {

// RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets including CRLF.
constexpr std::size_t kMaxLine = 1000;
// RFC 5321 §4.5.3.1.8: at least 100 recipients must be accepted.
constexpr std::size_t kMaxRecipients = 100;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(slice(s, 0, prefix.size()), prefix);
}

// A mailbox as RFC 5321 §4.1.2 allows it, loosely: something@something, no spaces.
bool plausible_mailbox(std::string_view a, bool need_domain) {
  if (a.empty() || a.size() > 254) return false;
  for (char c : a)
    if (c == ' ' || c == '\t' || c == '<' || c == '>' || c == '\0' || c == ',') return false;
  auto at = a.rfind('@');
  if (at == std::string_view::npos) return !need_domain;
  return at > 0 && at + 1 < a.size();
}

struct PathArg {
  bool ok = false;
  std::string address;
  std::string params;
};

// Parses "FROM:<addr> params" / "TO:<addr> params" (RFC 5321 §4.1.1.2/3). A space
// after the colon and a missing pair of brackets are tolerated (seeds 003/004 clients).
PathArg parse_path(std::string_view arg, std::string_view keyword) {
  PathArg p;
  if (!starts_with_ci(arg, keyword)) return p;
  std::string_view rest = trim(slice(arg, keyword.size()));
  if (!rest.empty() && rest.front() == '<') {
    auto close = rest.find('>');
    if (close == std::string_view::npos) return p;
    p.address = std::string(slice(rest, 1, close - 1));
    p.params = std::string(trim(slice(rest, close + 1)));
  } else {
    auto sp = rest.find(' ');
    if (sp != std::string_view::npos) return p;  // params need the bracketed form
    p.address = std::string(rest);
    if (p.address.empty()) return p;
  }
  p.ok = true;
  return p;
}

std::string default_queue_id() {
  auto t = random_token();
  std::string id = t ? t->substr(0, 12) : std::string("000000000000");
  return ascii_upper(id);
}

}  // namespace

std::string received_header(const Delivery& d, const Recipient& r) {
  std::string h = "Received: from " + (d.helo.empty() ? std::string("unknown") : d.helo) + " ([" +
                  d.peer_ip + "])\r\n\tby " + d.hostname + " with " + d.protocol + " id " +
                  d.queue_id + "\r\n\tfor <" + r.address + ">; " + rfc5322_date(d.received_at) +
                  "\r\n";
  return h;
}

SmtpSession::SmtpSession(SmtpSettings settings, const Users& users, const Faults& faults,
                         DeliverySink& sink)
    : settings_(std::move(settings)), users_(users), faults_(faults), sink_(sink) {
  if (!settings_.next_queue_id) settings_.next_queue_id = default_queue_id;
  if (!settings_.now) settings_.now = [] { return WallClock::now(); };
  tls_active_ = settings_.implicit_tls;
}

void SmtpSession::reply(std::string_view line) {
  out_.append(line);
  out_.append("\r\n");
}

std::string SmtpSession::take_output() {
  std::string o;
  o.swap(out_);
  return o;
}

void SmtpSession::start() {
  if (faults_.smtp_drops("GREETING")) {
    close_ = true;
    return;
  }
  if (const auto* r = faults_.smtp_override("GREETING")) {
    reply(r->line());
    // RFC 5321 §3.1: after a 554 greeting the server waits for QUIT.
    greeting_rejected_ = r->code[0] != '2';
    return;
  }
  reply("220 " + settings_.hostname + " ESMTP mailprobe");
}

void SmtpSession::on_tls_established() {
  starttls_pending_ = false;
  tls_active_ = true;
  // RFC 3207 §4.2: discard all knowledge from the client; it must EHLO again.
  helo_.clear();
  esmtp_ = false;
  auth_user_.clear();
  reset_transaction();
}

void SmtpSession::on_idle_timeout() {
  reply("421 4.4.2 " + settings_.hostname + " Error: timeout exceeded");
  close_ = true;
}

void SmtpSession::on_shutdown() {
  reply("421 4.3.2 " + settings_.hostname + " Service shutting down");
  close_ = true;
}

bool SmtpSession::offer_starttls() const {
  return settings_.tls_available && !tls_active_ && !faults_.no_starttls;
}

bool SmtpSession::offer_auth() const {
  return settings_.auth_enabled && (!settings_.require_tls || tls_active_);
}

std::string SmtpSession::protocol() const {
  // RFC 3848 §1: ESMTP, plus S for TLS and A for an authenticated session.
  if (!esmtp_) return "SMTP";
  std::string p = "ESMTP";
  if (tls_active_) p += "S";
  if (!auth_user_.empty()) p += "A";
  return p;
}

void SmtpSession::reset_transaction() {
  in_transaction_ = false;
  mail_from_.clear();
  rcpts_.clear();
  data_.clear();
  data_.shrink_to_fit();
  data_prev_crlf_ = true;
  data_too_long_ = data_too_big_ = data_bare_lf_ = data_nul_ = false;
  chunk_left_ = 0;
  chunk_refusal_.clear();
  chunk_last_ = chunked_ = false;
  if (state_ == State::data || state_ == State::bdat) state_ = State::command;
}

void SmtpSession::feed(std::string_view bytes) {
  if (close_ || starttls_pending_) return;
  in_.append(bytes);
  std::size_t pos = 0;
  while (!close_ && !starttls_pending_) {
    if (state_ == State::bdat) {
      // RFC 3030 §2: exactly the announced octets, whatever they hold.
      const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_left_, in_.size() - pos));
      if (chunk_refusal_.empty() && !data_too_big_) {
        if (data_.size() + take > settings_.max_message_size) {
          data_too_big_ = true;
          data_.clear();
        } else {
          data_.append(in_, pos, take);
        }
      }
      pos += take;
      chunk_left_ -= take;
      if (chunk_left_ > 0) break;
      end_chunk();
      continue;
    }
    auto lf = in_.find('\n', pos);
    if (lf == std::string::npos) {
      if (in_.size() - pos > kMaxLine) {
        // An overlong line: remember that and drop what we have so far.
        discarding_ = true;
        pos = in_.size();
      }
      break;
    }
    std::string_view raw(in_.data() + pos, lf + 1 - pos);
    pos = lf + 1;
    bool crlf = raw.size() >= 2 && raw[raw.size() - 2] == '\r';
    std::string_view line = slice(raw, 0, raw.size() - (crlf ? 2 : 1));
    if (discarding_ || raw.size() > kMaxLine) {
      discarding_ = false;
      if (state_ == State::data) {
        data_too_long_ = true;
        data_prev_crlf_ = crlf;
      } else {
        reply("500 5.5.2 Error: line too long");
      }
      continue;
    }
    ++lines_;
    const bool was_command = state_ == State::command;
    handle_line(line, crlf);
    // --no-pipelining: a command that was sent before this one's reply is a
    // client that pipelines although the server never offered it.
    if (faults_.no_pipelining && was_command && state_ == State::command && !close_ && !starttls_pending_ &&
        in_.find('\n', pos) != std::string::npos) {
      reply("554 5.5.0 Error: command pipelining, but PIPELINING was not offered");
      close_ = true;
    }
  }
  // RFC 3207 §4.2: plaintext pipelined after STARTTLS must not survive into TLS.
  if (starttls_pending_ || close_) {
    in_.clear();
  } else {
    in_.erase(0, pos);
  }
}

void SmtpSession::handle_line(std::string_view line, bool crlf) {
  switch (state_) {
    case State::data: handle_data_line(line, crlf); return;
    case State::bdat: return;  // feed() reads chunks by size, never as lines
    case State::auth_plain:
    case State::auth_login_user:
    case State::auth_login_pass: auth_response(line); return;
    case State::command: handle_command(line); return;
  }
}

void SmtpSession::handle_command(std::string_view line) {
  if (line.find('\0') != std::string_view::npos) {
    reply("500 5.5.2 Error: NUL character in command");
    return;
  }
  auto sp = line.find(' ');
  std::string verb = ascii_upper(slice(line, 0, sp));
  std::string_view arg = sp == std::string_view::npos ? std::string_view() : trim(slice(line, sp + 1));

  // BDAT first: whatever the verdict, its chunk must be read off (RFC 3030 §2).
  if (verb == "BDAT") return do_bdat(arg);
  if (faults_.smtp_drops(verb)) {
    close_ = true;
    return;
  }
  if (const auto* r = faults_.smtp_override(verb)) {
    reply(r->line());
    return;
  }
  if (greeting_rejected_ && verb != "QUIT") {
    reply("503 5.5.1 Error: no service, send QUIT");
    return;
  }
  if (settings_.require_tls && !tls_active_ && verb != "EHLO" && verb != "HELO" &&
      verb != "STARTTLS" && verb != "NOOP" && verb != "RSET" && verb != "QUIT") {
    reply("530 5.7.0 Must issue a STARTTLS command first");
    return;
  }

  if (verb == "EHLO" || verb == "HELO") return do_ehlo(verb, arg);
  if (verb == "MAIL") return do_mail(arg);
  if (verb == "RCPT") return do_rcpt(arg);
  if (verb == "DATA") return do_data(arg);
  if (verb == "STARTTLS") return do_starttls(arg);
  if (verb == "AUTH") return do_auth(arg);
  if (verb == "RSET") {
    reset_transaction();
    return reply("250 2.0.0 Ok");
  }
  if (verb == "NOOP") return reply("250 2.0.0 Ok");
  if (verb == "VRFY") {
    if (arg.empty()) return reply("501 5.5.4 Syntax: VRFY address");
    // RFC 5321 §3.5.3: 252 neither confirms nor denies a mailbox (seed 001's privacy reason).
    return reply("252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery");
  }
  if (verb == "EXPN") return reply("502 5.5.1 Error: EXPN not supported");
  if (verb == "HELP")
    return reply("214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP VRFY HELP QUIT STARTTLS AUTH");
  if (verb == "QUIT") {
    reply("221 2.0.0 Bye");
    close_ = true;
    return;
  }
  if (verb.empty()) return reply("500 5.5.2 Error: bad syntax");
  reply("500 5.5.2 Error: command not recognized");
}

void SmtpSession::do_ehlo(std::string_view verb, std::string_view arg) {
  bool ehlo = verb == "EHLO";
  if (arg.empty() || arg.find(' ') != std::string_view::npos)
    return reply(ehlo ? "501 5.5.4 Syntax: EHLO hostname" : "501 5.5.4 Syntax: HELO hostname");
  // RFC 5321 §4.1.4: EHLO/HELO mid-transaction resets it.
  reset_transaction();
  helo_ = std::string(arg);
  esmtp_ = ehlo;
  if (!ehlo) return reply("250 " + settings_.hostname);
  // RFC 5321 §4.2.1: every line but the last has a hyphen after the code.
  std::vector<std::string> lines = {settings_.hostname + " Hello " + helo_,
                                    "SIZE " + std::to_string(settings_.max_message_size),
                                    "8BITMIME", "ENHANCEDSTATUSCODES"};
  if (!faults_.no_pipelining) lines.insert(lines.begin() + 2, "PIPELINING");
  if (!faults_.no_chunking) lines.push_back("CHUNKING");
  if (offer_starttls()) lines.push_back("STARTTLS");
  if (offer_auth()) lines.push_back("AUTH PLAIN LOGIN");
  for (std::size_t i = 0; i < lines.size(); ++i)
    reply((i + 1 < lines.size() ? "250-" : "250 ") + lines[i]);
}

void SmtpSession::do_mail(std::string_view arg) {
  if (helo_.empty()) return reply("503 5.5.1 Error: send HELO/EHLO first");
  if (in_transaction_) return reply("503 5.5.1 Error: nested MAIL command");
  if (faults_.session_messages > 0 && accepted_ >= faults_.session_messages) {
    // RFC 5321 §3.8: the server closes the session with a 421 reply.
    close_ = true;
    return reply("421 4.7.0 " + settings_.hostname + " Too many messages in this connection");
  }
  if (settings_.require_auth && auth_user_.empty())
    return reply("530 5.7.0 Authentication required");
  PathArg p = parse_path(arg, "FROM:");
  if (!p.ok || (!p.address.empty() && !plausible_mailbox(p.address, true)))
    return reply("501 5.5.4 Syntax: MAIL FROM:<address>");
  // RFC 1870 SIZE, RFC 6152 BODY, RFC 4954 §5 AUTH= are the parameters we know.
  std::string_view params = p.params;
  while (!params.empty()) {
    auto sp = params.find(' ');
    std::string_view param = slice(params, 0, sp);
    params = sp == std::string_view::npos ? std::string_view() : trim(slice(params, sp + 1));
    auto eq = param.find('=');
    std::string key = ascii_upper(slice(param, 0, eq));
    std::string_view value = eq == std::string_view::npos ? std::string_view() : slice(param, eq + 1);
    if (key == "SIZE") {
      std::uint64_t n = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || ptr != value.data() + value.size() || value.empty())
        return reply("501 5.5.4 Syntax: SIZE=<number>");
      if (n > settings_.max_message_size)
        return reply("552 5.3.4 Message size exceeds fixed maximum message size");
    } else if (key == "BODY") {
      std::string v = ascii_upper(value);
      if (v != "7BIT" && v != "8BITMIME") return reply("501 5.5.4 Syntax: BODY=7BIT|8BITMIME");
    } else if (key == "AUTH") {
      // Accepted and ignored: we do not relay (RFC 4954 §5).
    } else {
      return reply("555 5.5.4 Unsupported option: " + std::string(param));
    }
  }
  in_transaction_ = true;
  mail_from_ = p.address;
  reply("250 2.1.0 Ok");
}

void SmtpSession::do_rcpt(std::string_view arg) {
  if (helo_.empty()) return reply("503 5.5.1 Error: send HELO/EHLO first");
  if (!in_transaction_) return reply("503 5.5.1 Error: need MAIL command");
  PathArg p = parse_path(arg, "TO:");
  if (!p.ok || !plausible_mailbox(p.address, false) || !p.params.empty())
    return reply("501 5.5.4 Syntax: RCPT TO:<address>");
  if (rcpts_.size() >= kMaxRecipients) return reply("452 4.5.3 Error: too many recipients");
  auto user = users_.resolve(p.address);
  // No relaying: only local users are valid recipients.
  if (!user)
    return reply("550 5.1.1 <" + p.address +
                 ">: Recipient address rejected: User unknown in local recipient table");
  bool dup = std::any_of(rcpts_.begin(), rcpts_.end(), [&](const Recipient& r) { return r.user == *user; });
  if (!dup) rcpts_.push_back({*user, p.address});
  reply("250 2.1.5 Ok");
}

void SmtpSession::do_data(std::string_view arg) {
  if (helo_.empty()) return reply("503 5.5.1 Error: send HELO/EHLO first");
  if (!in_transaction_) return reply("503 5.5.1 Error: need MAIL command");
  if (rcpts_.empty()) return reply("503 5.5.1 Error: need RCPT command");
  if (chunked_) return reply("503 5.5.1 Error: DATA after BDAT in one transaction");
  if (!arg.empty()) return reply("501 5.5.4 Syntax: DATA");
  state_ = State::data;
  data_.clear();
  data_prev_crlf_ = true;
  reply("354 End data with <CR><LF>.<CR><LF>");
}

void SmtpSession::handle_data_line(std::string_view line, bool crlf) {
  // RFC 5321 §4.1.1.4: the data ends with CRLF "." CRLF; a bare LF never ends it.
  if (crlf && data_prev_crlf_ && line == ".") return finish_data();
  if (!crlf) data_bare_lf_ = true;
  data_prev_crlf_ = crlf;
  if (line.find('\0') != std::string_view::npos) data_nul_ = true;
  // RFC 5321 §4.5.2: remove the first of a leading pair of dots (transparency).
  if (!line.empty() && line.front() == '.') line.remove_prefix(1);
  if (data_too_big_ || data_.size() + line.size() + 2 > settings_.max_message_size) {
    data_too_big_ = true;
    data_.clear();
    return;
  }
  data_.append(line);
  data_.append("\r\n");
}

void SmtpSession::do_bdat(std::string_view arg) {
  // "BDAT" SP chunk-size [SP "LAST"] (RFC 3030 §2).
  auto sp = arg.find(' ');
  std::string_view size = slice(arg, 0, sp);
  std::string_view rest = sp == std::string_view::npos ? std::string_view() : trim(slice(arg, sp + 1));
  std::uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(size.data(), size.data() + size.size(), n);
  if (size.empty() || ec != std::errc() || ptr != size.data() + size.size() || (!rest.empty() && !iequals(rest, "LAST"))) {
    // Where the chunk ends is unknown: nothing after this can be framed.
    close_ = true;
    return reply("501 5.5.4 Syntax: BDAT chunk-size [LAST]");
  }
  if (faults_.no_chunking) {
    close_ = true;  // the chunk cannot be told from commands either
    return reply("502 5.5.1 Error: BDAT not offered (CHUNKING was not advertised)");
  }
  if (faults_.smtp_drops("BDAT")) {
    close_ = true;
    return;
  }
  state_ = State::bdat;
  chunk_left_ = n;
  chunk_last_ = !rest.empty();
  // Refused chunks are still read whole, then answered (§2).
  if (const auto* r = faults_.smtp_override("BDAT")) chunk_refusal_ = r->line();
  else if (greeting_rejected_) chunk_refusal_ = "503 5.5.1 Error: no service, send QUIT";
  else if (settings_.require_tls && !tls_active_) chunk_refusal_ = "530 5.7.0 Must issue a STARTTLS command first";
  else if (helo_.empty()) chunk_refusal_ = "503 5.5.1 Error: send HELO/EHLO first";
  else if (!in_transaction_) chunk_refusal_ = "503 5.5.1 Error: need MAIL command";
  else if (rcpts_.empty()) chunk_refusal_ = "503 5.5.1 Error: need RCPT command";
  else chunk_refusal_.clear();
}

void SmtpSession::end_chunk() {
  state_ = State::command;
  if (!chunk_refusal_.empty()) {
    std::string r;
    r.swap(chunk_refusal_);
    // A refused chunk ends the transaction, if there was one (RFC 3030 §2:
    // after an error reply to BDAT the client sends RSET, nothing more is taken).
    if (in_transaction_) reset_transaction();
    return reply(r);
  }
  chunked_ = true;
  if (!chunk_last_) return reply("250 2.0.0 Ok: " + std::to_string(data_.size()) + " octets received");
  if (!data_.empty() && !(data_.size() >= 2 && data_.compare(data_.size() - 2, 2, "\r\n") == 0)) data_ += "\r\n";
  scan_chunked_data();
  finish_data();
}

void SmtpSession::scan_chunked_data() {
  if (data_too_big_) return;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < data_.size(); ++i) {
    if (data_[i] == '\0') data_nul_ = true;
    if (data_[i] != '\n') continue;
    if (i == 0 || data_[i - 1] != '\r') data_bare_lf_ = true;
    if (i + 1 - line_start > kMaxLine) data_too_long_ = true;
    line_start = i + 1;
  }
}

void SmtpSession::finish_data() {
  state_ = State::command;
  if (faults_.smtp_drops("DOT")) {
    reset_transaction();
    close_ = true;
    return;
  }
  std::string verdict;
  if (const auto* r = faults_.smtp_override("DOT")) {
    verdict = r->line();
  } else if (data_too_long_) {
    verdict = "500 5.5.2 Error: line too long in message data";
  } else if (data_too_big_) {
    verdict = "552 5.3.4 Message size exceeds fixed maximum message size";
  } else if (data_bare_lf_) {
    verdict = "554 5.6.0 Error: bare LF in message data (RFC 5321 section 2.3.8)";
  } else if (data_nul_) {
    verdict = "554 5.6.0 Error: NUL character in message data";
  } else {
    Delivery d;
    d.queue_id = settings_.next_queue_id();
    d.helo = helo_;
    d.peer_ip = settings_.peer_ip;
    d.hostname = settings_.hostname;
    d.protocol = protocol();
    d.mail_from = mail_from_;
    d.recipients = rcpts_;
    d.data = std::move(data_);
    d.received_at = settings_.now();
    d.session_message = accepted_ + 1;
    auto st = sink_.deliver(d);
    if (st) {
      ++accepted_;
      verdict = "250 2.0.0 Ok: queued as " + d.queue_id;
    } else {
      verdict = "451 4.3.0 Error: queue file write error";
    }
  }
  reset_transaction();
  reply(verdict);
}

void SmtpSession::do_starttls(std::string_view arg) {
  if (!offer_starttls()) {
    if (tls_active_) return reply("554 5.5.1 Error: TLS already active");
    return reply("502 5.5.1 Error: command not implemented");
  }
  if (!arg.empty()) return reply("501 5.5.4 Syntax: STARTTLS");
  reply("220 2.0.0 Ready to start TLS");
  starttls_pending_ = true;
}

void SmtpSession::do_auth(std::string_view arg) {
  if (!offer_auth()) return reply("503 5.5.1 Error: authentication not enabled");
  if (helo_.empty()) return reply("503 5.5.1 Error: send HELO/EHLO first");
  if (!auth_user_.empty()) return reply("503 5.5.1 Error: already authenticated");
  if (in_transaction_) return reply("503 5.5.1 Error: MAIL transaction in progress");
  auto sp = arg.find(' ');
  std::string mech = ascii_upper(slice(arg, 0, sp));
  std::string_view initial = sp == std::string_view::npos ? std::string_view() : trim(slice(arg, sp + 1));
  if (mech.empty()) return reply("501 5.5.4 Syntax: AUTH mechanism");
  if (mech == "PLAIN") {
    if (initial.empty()) {
      state_ = State::auth_plain;
      return reply("334 ");  // RFC 4954 §4: empty challenge
    }
    return auth_response_plain_initial(initial);
  }
  if (mech == "LOGIN") {
    if (initial.empty()) {
      state_ = State::auth_login_user;
      return reply("334 VXNlcm5hbWU6");  // "Username:"
    }
    state_ = State::auth_login_user;
    return auth_response(initial);
  }
  reply("504 5.5.4 Error: unsupported authentication mechanism");
}

void SmtpSession::auth_response_plain_initial(std::string_view initial) {
  state_ = State::auth_plain;
  auth_response(initial);
}

void SmtpSession::auth_response(std::string_view line) {
  State st = state_;
  state_ = State::command;
  // RFC 4954 §4: "*" cancels the exchange.
  if (line == "*") return reply("501 5.7.0 Error: authentication aborted");
  // RFC 4954 §4: "=" is an empty initial response.
  std::optional<std::string> decoded = line == "=" ? std::optional<std::string>("") : base64_decode(line);
  if (!decoded) return reply("501 5.5.2 Error: cannot decode response");
  if (st == State::auth_plain) {
    auto creds = parse_plain(*decoded);
    if (!creds) return reply("535 5.7.8 Error: authentication failed");
    return check_credentials(creds->authcid, creds->password);
  }
  if (st == State::auth_login_user) {
    login_name_ = *decoded;
    state_ = State::auth_login_pass;
    return reply("334 UGFzc3dvcmQ6");  // "Password:"
  }
  check_credentials(login_name_, *decoded);
}

void SmtpSession::check_credentials(std::string_view login, std::string_view password) {
  auto user = faults_.refuse_auth ? std::nullopt : users_.authenticate(login, password);
  if (!user) return reply("535 5.7.8 Error: authentication failed");
  auth_user_ = *user;
  reply("235 2.7.0 Authentication successful");
}

}  // namespace mailprobe::serve
