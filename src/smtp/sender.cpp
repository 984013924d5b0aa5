#include "smtp/sender.hpp"

#include <curl/curl.h>
#include <openssl/ssl.h>

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>

#include "net/connect_time.hpp"
#include "net/curl_handle.hpp"
#include "net/sasl_challenge.hpp"
#include "net/port_hint.hpp"
#include "smtp/envelope.hpp"
#include "smtp/progress.hpp"

namespace mailprobe::smtp {

namespace {

struct Context {
  Context(const SendRequest* r, const Stamp& s) : req(r), started(s), progress(s.steady) {}
  const SendRequest* req;
  Stamp started;
  Progress progress;
  std::string partial;     // header bytes not yet terminated by LF
  CURL* handle = nullptr;
  std::string tls_version, tls_cipher;
  bool aborted_no_auth = false;
  bool tcp_connected = false;  // libcurl logged "Connected to"
  std::optional<SteadyClock::time_point> tcp_connected_at;  // ... at this instant
  bool stopped = false;  // the stop flag aborted the transfer
  bool auth_sent = false;  // an AUTH command went out
  std::optional<std::string> challenge;  // decoded 334 payload of a rejected bearer token
  bool sniffed = false;    // looked for an implicit-TLS server behind the silence
  std::string port_hint;   // a port/TLS-mode mix-up was recognised (net/port_hint.hpp)
  char errbuf[CURL_ERROR_SIZE] = {};
  bool gate_refused = false;   // before_mail said no
  std::optional<CURLcode> transaction_rc;  // our own transaction failed like this (run_transaction)
  int log_conn = -1;           // this connection in req->log
};

Stamp stamp_at(SteadyClock::time_point at, const Stamp& started) {
  return Stamp{at, started.wall + std::chrono::duration_cast<WallClock::duration>(at - started.steady)};
}

void capture_tls(Context* ctx) {
  if (!ctx->tls_version.empty()) return;
  const SSL* ssl = net::live_ssl(ctx->handle);
  if (!ssl) return;
  ctx->tls_version = SSL_get_version(ssl);
  if (const SSL_CIPHER* c = SSL_get_current_cipher(ssl)) ctx->tls_cipher = SSL_CIPHER_get_name(c);
}

// libcurl hands every server line of a non-HTTP protocol to the header
// callback (CURLOPT_HEADERFUNCTION.3).
size_t header_cb(char* data, size_t size, size_t nitems, void* userp) {
  auto* ctx = static_cast<Context*>(userp);
  size_t n = size * nitems;
  auto now = SteadyClock::now();
  if (ctx->req->log) ctx->req->log->received(ctx->log_conn, std::string_view(data, n));
  net::split_lines(ctx->partial, data, n, [&](std::string line) {
    // RFC 7628 §3.2.2: a rejected bearer token gets a 334 with base64 JSON.
    if (ctx->req->creds.oauth() && ctx->auth_sent)
      if (auto c = net::decode_challenge(line)) ctx->challenge = std::move(c);
    if (!ctx->progress.greeting() && ctx->port_hint.empty())
      if (auto h = net::foreign_greeting_hint(net::Leg::smtp, line, ctx->req->server.port)) ctx->port_hint = *h;
    if (ctx->port_hint.empty()) ctx->progress.on_line(line, now);
  });
  if (!ctx->port_hint.empty()) return 0;  // aborts: the greeting is not SMTP
  capture_tls(ctx);
  return n;
}

int debug_cb(CURL*, curl_infotype type, char* data, size_t size, void* userp) {
  auto* ctx = static_cast<Context*>(userp);
  if (net::is_connected_text(type, std::string_view(data, size)) && !ctx->tcp_connected) {
    ctx->tcp_connected = true;
    ctx->tcp_connected_at = SteadyClock::now();
  }
  if (type != CURLINFO_HEADER_OUT) return 0;
  if (ctx->req->log) ctx->req->log->sent(ctx->log_conn, std::string_view(data, size));
  if (size >= 5 && std::string_view(data, 5) == "AUTH ") ctx->auth_sent = true;
  ctx->progress.on_command(std::string_view(data, size), SteadyClock::now());
  return 0;
}

// libcurl calls this about once a second even while nothing moves, and more
// often during I/O; a non-zero return aborts with CURLE_ABORTED_BY_CALLBACK.
int xferinfo_cb(void* userp, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* ctx = static_cast<Context*>(userp);
  if (ctx->req->stop && ctx->req->stop->load()) {
    ctx->stopped = true;
    return 1;
  }
  // A plain-text connection that stays silent may be an implicit-TLS port
  // (RFC 8314 §3.3: the client speaks first there): look once, on the side.
  if (ctx->req->server.tls != net::TlsMode::tls && ctx->tcp_connected_at && !ctx->sniffed &&
      !ctx->progress.greeting() && SteadyClock::now() - *ctx->tcp_connected_at >= net::kGreetingSniffAfter) {
    ctx->sniffed = true;
    char* ip = nullptr;
    if (curl_easy_getinfo(ctx->handle, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip &&
        net::speaks_tls_at_once(ip, ctx->req->server.port, net::kGreetingSniffAfter)) {
      ctx->port_hint = net::implicit_tls_hint(net::Leg::smtp, ctx->req->server.port);
      return 1;
    }
  }
  return 0;
}

/// What the transfer saw, for net::classify.
net::TransferFacts facts_of(CURL* h, CURLcode rc, const Context& ctx) {
  const Progress& p = ctx.progress;
  net::TransferFacts f =
      net::transfer_facts(h, rc, net::Leg::smtp, ctx.req->server.tls == net::TlsMode::tls, ctx.tcp_connected,
                          ctx.errbuf);
  f.stopped = ctx.stopped;
  f.port_hint = ctx.port_hint;
  f.greeted = p.greeting().has_value();
  f.dialogue_stage = p.stage();
  if (const auto& last = p.last_reply()) {
    f.last_code = last->code;
    f.last_text = last->joined();
  }
  f.awaiting_reply = p.awaiting_reply();
  f.no_auth_offered = ctx.aborted_no_auth;
  f.bearer = ctx.req->creds.present() ? ctx.req->creds.mechanism : net::SaslMechanism::password;
  f.auth_sent = ctx.auth_sent;
  f.challenge = ctx.challenge;
  for (const auto& m : p.caps().auth) f.offered_auth += (f.offered_auth.empty() ? "" : " ") + m;
  return f;
}

/// The transaction's byte pipe: libcurl's connection after CONNECT_ONLY
/// (curl_easy_send/recv, as imap/curl_link does), bounded by the deadline and
/// the stop flag. An I/O failure is kept (rc()) and ends the pipe's use.
class Wire {
 public:
  Wire(Context& ctx, CURL* h, curl_socket_t sock) : ctx_(ctx), h_(h), sock_(sock) {}

  bool broken() const { return rc_.has_value(); }
  std::optional<CURLcode> rc() const { return rc_; }

  /// Sends all of `bytes` (commands: shown by -v, masked; content: only its size).
  bool send(std::string_view bytes, bool content = false) {
    if (ctx_.req->log) {
      if (content) log_content(bytes.size());
      else ctx_.req->log->sent(ctx_.log_conn, bytes);
    }
    return write_all(bytes);
  }

  /// Sends commands and the content behind them in one write (BDAT): one
  /// TLS record, so the server reads the chunk with its command and answers
  /// the flight with one segment. Written apart, the server's reply to the
  /// first part waits, unacknowledged, and holds its final reply back behind
  /// Nagle's algorithm until our delayed ACK (40 ms on Linux), measured here
  /// against Postfix.
  bool send_with_content(std::string_view commands, std::string_view content) {
    if (ctx_.req->log) {
      ctx_.req->log->sent(ctx_.log_conn, commands);
      log_content(content.size());
    }
    std::string all;
    all.reserve(commands.size() + content.size());
    all.append(commands).append(content);
    return write_all(all);
  }

  /// Sends `bytes` without showing them in -v (the caller logged them).
  bool send_logged_already(std::string_view bytes) { return write_all(bytes); }

 private:
  void log_content(std::size_t n) {
    ctx_.req->log->note(ctx_.log_conn, "(message content, " + std::to_string(n) + " bytes)");
  }

  bool write_all(std::string_view bytes) {
    while (!bytes.empty()) {
      size_t n = 0;
      CURLcode rc = curl_easy_send(h_, bytes.data(), bytes.size(), &n);
      if (rc == CURLE_AGAIN) {
        if (!wait(POLLOUT, ctx_.req->deadline)) return false;
        continue;
      }
      if (rc != CURLE_OK) return fail(CURLE_SEND_ERROR);
      bytes.remove_prefix(n);
    }
    return true;
  }

 public:
  /// Reads until the Progress has seen one more complete reply.
  bool next_reply() {
    const int before = ctx_.progress.replies();
    std::string line;
    while (ctx_.progress.replies() == before) {
      if (!next_line(line, ctx_.req->deadline)) return false;
      ctx_.progress.on_line(line, SteadyClock::now());
    }
    return true;
  }

  /// QUIT (RFC 5321 §4.1.1.10), its 221 awaited at most `grace`: the probe
  /// is accepted or refused by now, this only closes politely.
  void quit(std::chrono::milliseconds grace) {
    if (!send("QUIT\r\n")) return;
    Deadline d = Deadline::in(grace);
    if (ctx_.req->deadline.at < d.at) d = ctx_.req->deadline;
    ReplyAssembler a;
    std::string line;
    while (next_line(line, d))
      if (a.feed(line) || a.violation()) return;
  }

 private:
  /// One server line without its CRLF (net::split_lines does the splitting).
  bool next_line(std::string& line, const Deadline& dl) {
    while (lines_.empty()) {
      if (partial_.size() > 64 * 1024) return fail(CURLE_WEIRD_SERVER_REPLY);  // no reply line is that long
      char buf[4096];
      size_t n = 0;
      CURLcode rc = curl_easy_recv(h_, buf, sizeof buf, &n);
      if (rc == CURLE_AGAIN) {
        if (!wait(POLLIN, dl)) return false;
        continue;
      }
      if (rc != CURLE_OK || n == 0) return fail(CURLE_RECV_ERROR);
      if (ctx_.req->log) ctx_.req->log->received(ctx_.log_conn, std::string_view(buf, n));
      net::split_lines(partial_, buf, n, [this](std::string l) { lines_.push_back(std::move(l)); });
    }
    line = std::move(lines_.front());
    lines_.pop_front();
    return true;
  }

  bool wait(short events, const Deadline& dl) {
    while (true) {
      if (ctx_.req->stop && ctx_.req->stop->load()) {
        ctx_.stopped = true;
        return fail(CURLE_ABORTED_BY_CALLBACK);
      }
      long left = dl.remaining_ms(100);
      if (dl.expired()) return fail(CURLE_OPERATION_TIMEDOUT);
      pollfd p{static_cast<int>(sock_), events, 0};
      int r = ::poll(&p, 1, static_cast<int>(std::min(left, 100L)));
      if (r > 0) return true;
      if (r < 0 && errno != EINTR) return fail(CURLE_RECV_ERROR);
    }
  }
  bool fail(CURLcode rc) {
    rc_ = rc;
    return false;
  }

  Context& ctx_;
  CURL* h_;
  curl_socket_t sock_;
  std::string partial_;           // received bytes not yet a whole line
  std::deque<std::string> lines_; // whole lines not yet read
  std::optional<CURLcode> rc_;    // the I/O failure, if any
};

/// MAIL, RCPT and BDAT with the content, or MAIL, RCPT, DATA and then the
/// content (pipelined when offered; envelope.hpp), and the final reply.
/// Every command is fed to the Progress the moment its own reply is read
/// next, with the instant it was sent, so stages, timings and the failure
/// stage are those of a one-by-one dialogue. Returns how the transaction
/// failed (nullopt: accepted); the Progress has the last reply.
std::optional<CURLcode> run_transaction(Context& ctx, Wire& wire) {
  const SendRequest& req = *ctx.req;
  const EnvelopePlan plan = plan_envelope(ctx.progress.caps(), req.from, req.to, req.message);
  for (std::size_t f = 0; f < plan.flights.size(); ++f) {
    const auto& flight = plan.flights[f];
    const bool chunk_follows = plan.chunked && f + 1 == plan.flights.size();
    std::string bytes;
    for (const auto& c : flight) bytes += c + "\r\n";
    const auto sent_at = SteadyClock::now();
    // RFC 3030 §2: the chunk follows its BDAT at once, without a reply between.
    if (!(chunk_follows ? wire.send_with_content(bytes, plan.content) : wire.send(bytes))) {
      ctx.progress.on_command(flight.front(), sent_at);
      return wire.rc();
    }
    for (const auto& c : flight) {
      // Behind a pipelined chunk, MAIL's and RCPT's replies measured here
      // would include the server's work on the chunk (Postfix answers the
      // whole flight at once): the RTT then comes from the session set-up.
      ctx.progress.on_command(c, sent_at, /*timed=*/!(chunk_follows && flight.size() > 1));
      if (!wire.next_reply()) return wire.rc();
      if (chunk_follows && &c == &flight.back()) break;  // BDAT's reply is the final one
      const int code = ctx.progress.last_reply()->code;
      // RFC 2920 §3.1: the replies to the rest of the flight still come;
      // the failure is this one, so the Progress stops here.
      if (c == "DATA" ? code != 354 : code / 100 != 2) return CURLE_SEND_ERROR;
    }
  }
  if (!plan.chunked && (!wire.send(plan.content, /*content=*/true) || !wire.next_reply())) return wire.rc();
  if (!ctx.progress.accepted_at()) return CURLE_WEIRD_SERVER_REPLY;
  if (req.on_accepted) req.on_accepted(stamp_at(*ctx.progress.accepted_at(), ctx.started), ctx.progress.rtt_us());
  return std::nullopt;
}

}  // namespace

/// The session's libcurl handle and dialogue state, set up once and then
/// used by one transaction after another.
struct Session::Impl {
  explicit Impl(const SendRequest& r) : setup(r), ctx(&setup, Stamp::now()) {}

  SendRequest setup;       // ctx.req between transactions (libcurl's callbacks read it)
  Context ctx;
  net::CurlPtr handle;
  CURLcode setup_rc = CURLE_OK;
  std::optional<Failure> setup_failure;  // the session could not be set up
  curl_socket_t sock = CURL_SOCKET_BAD;
  std::optional<Wire> wire;
  bool ready = false;
  int transactions = 0;
  bool closed_before_mail = false;  // the last transaction found the session closed by the server
};

namespace {

/// The report of the session's last step: setup fields from the session,
/// transaction fields from the Progress (reset per transaction).
SendReport report_of(Session::Impl& s, CURLcode rc) {
  SendReport out;
  Context& ctx = s.ctx;
  out.started = ctx.started;
  out.finished = Stamp::now();
  CURL* c = s.handle.get();
  const Progress& p = ctx.progress;
  if (p.greeting()) out.greeting = p.greeting()->joined();
  out.caps = p.caps();
  out.tls_version = ctx.tls_version;
  out.tls_cipher = ctx.tls_cipher;
  char* ip = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip) out.ip = ip;
  out.dns_us = net::info_us(c, CURLINFO_NAMELOOKUP_TIME_T);
  out.connect_us = net::anchored_connect_us(ctx.tcp_connected_at, out.started.steady,
                                            net::info_us(c, CURLINFO_CONNECT_TIME_T));
  if (ctx.req->server.tls == net::TlsMode::tls) {
    out.tls_us = net::span_us(out.connect_us, net::info_us(c, CURLINFO_APPCONNECT_TIME_T));
  } else if (ctx.req->server.tls == net::TlsMode::starttls) {
    out.tls_us = p.starttls_tls_us();
  }
  // From the start of the leg: DNS + connect (+ implicit TLS) + the server's banner delay.
  out.greeting_us = p.greeting_us(out.started.steady);
  out.auth_us = p.auth_us();
  out.transaction_us = p.transaction_us();
  out.data_us = p.data_us();
  out.rtt_us = p.rtt_us();
  if (const auto& fr = p.final_reply()) {
    out.final_code = fr->code;
    out.final_text = fr->joined();
    out.queue_id = queue_id_from(out.final_text);
  }
  // Pair the monotonic instant with the matching wall-clock label.
  if (auto at = p.accepted_at()) out.accepted = stamp_at(*at, out.started);
  if (out.accepted) {
    // The final 250 arrived: the probe is on its way even if QUIT then failed.
  } else if (ctx.gate_refused) {
    // Not the run's verdict: the caller ended the dialogue and reports why.
    out.failure = Failure(p.stage(), Result::internal_error, "MAIL FROM held back: the IMAP leg did not get ready");
  } else if (rc != CURLE_OK) {
    out.failure = net::classify(facts_of(c, rc, ctx));
  } else if (ctx.aborted_no_auth) {
    out.failure = net::classify(facts_of(c, CURLE_WRITE_ERROR, ctx));
  } else if (ctx.transaction_rc) {
    out.failure = net::classify(facts_of(c, *ctx.transaction_rc, ctx));
  } else {
    out.failure = Failure(Stage::smtp_data, Result::protocol_error, "transfer ended without a final 250 reply");
  }
  return out;
}

}  // namespace

Session::Session(const SendRequest& setup) : impl_(std::make_unique<Impl>(setup)) {
  Impl& s = *impl_;
  Context& ctx = s.ctx;
  s.handle.reset(curl_easy_init());
  if (!s.handle) {
    s.setup_failure = Failure(Stage::smtp_connect, Result::internal_error, "curl_easy_init failed");
    return;
  }
  const SendRequest& req = s.setup;
  ctx.handle = s.handle.get();
  if (req.log) ctx.log_conn = req.log->open(net::Dialect::smtp, "smtp");

  std::string scheme = req.server.tls == net::TlsMode::tls ? "smtps" : "smtp";
  std::string url = net::make_url(scheme, req.server, req.helo);
  net::SlistPtr resolve;
  if (!req.connect_to.empty()) resolve = net::resolve_entry(req.server.host, req.server.port, req.connect_to);

  CURL* c = s.handle.get();
  net::set_target(c, url, resolve.get());
  net::apply_common(c, req.server, req.tls, req.creds, req.deadline);
  // libcurl does the session (greeting, EHLO, STARTTLS, EHLO, AUTH) and hands
  // the connection over; the transactions are ours, so they can be pipelined.
  net::set_connect_only(c);
  net::set_callbacks(c, {.header = header_cb, .debug = debug_cb, .progress = xferinfo_cb, .user = &ctx,
                         .errbuf = ctx.errbuf});

  s.setup_rc = curl_easy_perform(c);
  capture_tls(&ctx);
  if (s.setup_rc != CURLE_OK) return;
  // The transaction's own I/O must not run libcurl's callbacks.
  net::clear_callbacks(c);
  if (curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &s.sock) != CURLE_OK || s.sock == CURL_SOCKET_BAD) {
    s.sock = CURL_SOCKET_BAD;
    ctx.transaction_rc = CURLE_RECV_ERROR;
    return;
  }
  // libcurl silently skips AUTH when EHLO offers none (docs §1.3). With
  // credentials configured that would send the probe unauthenticated: stop
  // here, before any envelope command.
  if (req.creds.present() && !ctx.progress.auth_succeeded()) {
    ctx.aborted_no_auth = true;
    return;
  }
  s.wire.emplace(ctx, c, s.sock);
  s.ready = true;
}

Session::~Session() { close(); }

void Session::close() {
  Impl& s = *impl_;
  // QUIT unless the pipe is broken or the caller held MAIL back (it is
  // abandoning the run and wants no delay).
  if (s.wire && !s.wire->broken() && !s.ctx.gate_refused) s.wire->quit(std::chrono::milliseconds(2000));
  s.ready = false;
  s.wire.reset();
  // libcurl's own QUIT at cleanup then fails at once instead of waiting.
  if (s.sock != CURL_SOCKET_BAD) ::shutdown(static_cast<int>(s.sock), SHUT_RDWR);
  s.sock = CURL_SOCKET_BAD;
}

bool Session::ready() const { return impl_->ready; }
int Session::transactions() const { return impl_->transactions; }
bool Session::closed_before_mail() const { return impl_->closed_before_mail; }

SendReport Session::send(const SendRequest& t) {
  Impl& s = *impl_;
  if (s.setup_failure) {
    SendReport out;
    out.started = out.finished = s.ctx.started;
    out.failure = s.setup_failure;
    return out;
  }
  if (!s.ready) return report_of(s, s.setup_rc);
  Context& ctx = s.ctx;
  ctx.req = &t;  // the transaction's deadline, stop flag and callbacks
  if (s.transactions > 0) ctx.progress.next_transaction();
  ctx.transaction_rc.reset();
  ctx.gate_refused = false;
  s.closed_before_mail = false;
  ++s.transactions;
  if (t.before_mail && !t.before_mail()) {
    ctx.gate_refused = true;
  } else {
    const int replies = ctx.progress.replies();
    ctx.transaction_rc = run_transaction(ctx, *s.wire);
    // A reused session the server had closed (idle timeout, a cap on
    // messages per connection): an I/O failure before any reply to this
    // transaction, or a 421 to its MAIL (RFC 5321 §3.8). Nothing of this
    // message was taken: with DATA no content goes out before the 354; a
    // BDAT chunk pipelined behind a refused or unread MAIL is discarded
    // (RFC 3030 §2: a BDAT in a failed transaction gets an error reply).
    const auto& last = ctx.progress.last_reply();
    s.closed_before_mail =
        ctx.transaction_rc && s.transactions > 1 && ctx.progress.stage() == Stage::smtp_mail &&
        ((s.wire->broken() && ctx.progress.replies() == replies) ||
         (ctx.progress.replies() == replies + 1 && last && last->code == 421));
  }
  SendReport out = report_of(s, CURLE_OK);
  // Another transaction may follow only after a clean final 250: after a
  // refusal, replies to the rest of a pipelined flight may still be unread.
  s.ready = out.accepted.has_value() && !s.wire->broken();
  ctx.req = &s.setup;
  return out;
}

std::vector<SendReport> Session::send_batch(const std::vector<const SendRequest*>& ts, std::vector<bool>& retry) {
  Impl& s = *impl_;
  retry.assign(ts.size(), false);
  std::vector<SendReport> out;
  const EhloCaps& caps = s.ctx.progress.caps();
  if (ts.size() < 2 || !s.ready || !caps.pipelining || !caps.chunking) {
    for (std::size_t i = 0; i < ts.size(); ++i) {
      SendRequest t = *ts[i];
      t.before_mail = {};
      out.push_back(send(t));
      if (!ready()) {
        retry[i] = closed_before_mail();
        // The rest never went out: each is as good as new on another session.
        for (std::size_t j = i + 1; j < ts.size(); ++j) {
          retry[j] = true;
          SendReport r;
          r.started = r.finished = Stamp::now();
          r.failure = Failure(Stage::smtp_mail, Result::connection_closed, "the SMTP session ended before this transaction");
          out.push_back(std::move(r));
        }
        break;
      }
    }
    return out;
  }
  Context& ctx = s.ctx;
  Wire& wire = *s.wire;
  std::vector<EnvelopePlan> plans;
  std::string bytes;
  for (const SendRequest* t : ts) {
    plans.push_back(plan_envelope(caps, t->from, t->to, t->message));
    ctx.req = t;  // the log note below is the transaction's own
    std::string cmds;
    for (const auto& c : plans.back().flights.front()) cmds += c + "\r\n";
    if (t->log) {
      t->log->sent(ctx.log_conn, cmds);
      t->log->note(ctx.log_conn, "(message content, " + std::to_string(plans.back().content.size()) + " bytes)");
    }
    bytes += cmds + plans.back().content;
  }
  ctx.req = ts.front();  // the write's deadline and stop flag
  const auto sent_at = SteadyClock::now();
  const bool written = wire.send_logged_already(bytes);
  const int first_tx = s.transactions;
  bool dead = !written;  // no more replies will come
  for (std::size_t i = 0; i < ts.size(); ++i) {
    ctx.req = ts[i];
    if (s.transactions > 0) ctx.progress.next_transaction();
    ctx.transaction_rc.reset();
    ctx.gate_refused = false;
    ++s.transactions;
    const int replies_before = ctx.progress.replies();
    std::optional<SendReport> refused;  // the transaction's failure, kept while its other replies are read
    const auto& flight = plans[i].flights.front();
    for (std::size_t c = 0; c < flight.size(); ++c) {
      // Untimed: the server answers a flight with chunks after reading them.
      ctx.progress.on_command(flight[c], sent_at, /*timed=*/false);
      if (dead || !wire.next_reply()) {
        dead = true;
        ctx.transaction_rc = wire.rc() ? *wire.rc() : CURLE_SEND_ERROR;
        break;
      }
      if (c + 1 == flight.size()) break;  // BDAT LAST: the final reply
      if (!refused && ctx.progress.last_reply()->code / 100 != 2) {
        ctx.transaction_rc = CURLE_SEND_ERROR;
        refused = report_of(s, CURLE_OK);
        // RFC 5321 §3.8: a 421 closes the session; nothing after it is taken.
        if (ctx.progress.last_reply()->code == 421 && c == 0) dead = true;
      }
    }
    if (!refused && !ctx.transaction_rc && !ctx.progress.accepted_at()) ctx.transaction_rc = CURLE_WEIRD_SERVER_REPLY;
    out.push_back(refused ? std::move(*refused) : report_of(s, CURLE_OK));
    if (out.back().accepted && ts[i]->on_accepted)
      ts[i]->on_accepted(*out.back().accepted, ctx.progress.rtt_us());
    const auto& last = ctx.progress.last_reply();
    retry[i] = not_taken(out.back().accepted.has_value(), ctx.progress.replies() - replies_before,
                         last ? last->code : 0, dead, first_tx > 0 || i > 0);
  }
  s.ready = !dead && !out.empty() && out.back().accepted.has_value() && !wire.broken();
  s.closed_before_mail = false;
  ctx.req = &s.setup;
  return out;
}

SendReport send_message(const SendRequest& req) {
  Session session(req);
  SendReport out = session.send(req);
  session.close();
  out.finished = Stamp::now();
  return out;
}

}  // namespace mailprobe::smtp
