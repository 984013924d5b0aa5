#include <doctest/doctest.h>

#include <chrono>
#include <initializer_list>
#include <string>

#include "probe/imap_dialogue.hpp"
#include "probe/smtp_dialogue.hpp"
#include "probe/transcript.hpp"
#include "probe/verdict.hpp"

using namespace mailprobe;
using namespace mailprobe::probe;
using namespace std::chrono_literals;

namespace {

const SteadyClock::time_point kT0 = SteadyClock::time_point{} + 1h;

/// A transcript from lines: "S: text" server, "C: text" client, "TLS" up;
/// each event 1 ms after the previous one.
Transcript script(std::initializer_list<const char*> lines) {
  Transcript t;
  auto at = kT0;
  for (const char* l : lines) {
    at += 1ms;
    std::string s(l);
    if (s == "TLS") t.push_back({at, Dir::tls_up, {}});
    else if (s.rfind("C: ", 0) == 0) t.push_back({at, Dir::out, redact_command(s.substr(3))});
    else t.push_back({at, Dir::in, s.substr(3)});
  }
  return t;
}

ProbeResult smtp_result(TlsMode mode, const Transcript& t, Transport transport = Transport::ok) {
  ProbeResult r;
  r.protocol = Protocol::smtp;
  r.host = "mx.test";
  r.port = 25;
  r.tls_mode = mode;
  r.connected_at = WallClock::now();
  r.transport = transport;
  if (transport != Transport::ok) r.transport_error = "libcurl said so";
  r.smtp = analyze_smtp(t, kT0);
  judge(r);
  return r;
}

}  // namespace

TEST_SUITE("probe::smtp_dialogue") {
  TEST_CASE("multi-line 220- greeting, EHLO caps, NOOP and QUIT") {
    auto t = script({"S: 220-mx.test ESMTP", "S: 220-postscreen says hi", "S: 220 mx.test ready",
                     "C: EHLO probe.example", "S: 250-mx.test Hello", "S: 250-SIZE 33554432",
                     "S: 250-AUTH PLAIN LOGIN", "S: 250 8BITMIME", "C: NOOP", "S: 250 2.0.0 OK",
                     "C: QUIT", "S: 221 2.0.0 Bye"});
    auto d = analyze_smtp(t, kT0);
    CHECK(d.greeting.code == 220);
    CHECK(d.greeting.lines.size() == 3);
    CHECK(d.greeting.micros == 3000);
    REQUIRE(d.caps);
    CHECK(d.caps->size == 33554432);
    CHECK(d.caps->auth.size() == 2);
    CHECK(d.ehlo.micros == 4000);
    CHECK(d.noop.code == 250);
    CHECK(d.noop.enhanced == "2.0.0");
    CHECK(d.noop.micros == 1000);
    CHECK(d.quit.code == 221);
    CHECK_FALSE(d.violation);
    auto r = smtp_result(TlsMode::none, t);
    CHECK(r.result == Result::success);
    CHECK(r.stage == Stage::done);
  }

  TEST_CASE("the greeting anchor never lies after the greeting (CONNECT_TIME_T landing late)") {
    auto t = script({"S: 220 mx.test ESMTP", "C: EHLO probe.example", "S: 250 mx.test"});
    // libcurl's connect timer came 5 ms after the greeting: anchor on the greeting itself.
    auto late = kT0 + 6ms;
    CHECK(greeting_anchor(t, late) == kT0 + 1ms);
    auto d = analyze_smtp(t, greeting_anchor(t, late));
    CHECK(d.greeting.answered);
    CHECK(d.greeting.micros == 0);  // kept, not dropped as negative
    CHECK(greeting_anchor(t, kT0) == kT0);  // a sane anchor is kept
    CHECK(greeting_anchor({}, late) == late);
  }

  TEST_CASE("a bare 250 EHLO reply is complete and has no capabilities") {
    auto t = script({"S: 220 mx.test", "C: EHLO probe.example", "S: 250", "C: NOOP", "S: 250",
                     "C: QUIT", "S: 221"});
    auto d = analyze_smtp(t, kT0);
    CHECK(d.ehlo.answered);
    REQUIRE(d.caps);
    CHECK(d.caps->keywords.empty());
    CHECK(smtp_result(TlsMode::none, t).result == Result::success);
    // ...and STARTTLS required against it fails closed.
    auto r = smtp_result(TlsMode::starttls, t);
    CHECK(r.result == Result::starttls_unavailable);
    CHECK(r.stage == Stage::smtp_starttls);
  }

  TEST_CASE("a server closing after the greeting fails at EHLO with connection_closed") {
    auto t = script({"S: 220 mx.test", "C: EHLO probe.example"});
    auto r = smtp_result(TlsMode::none, t, Transport::closed);
    CHECK(r.stage == Stage::smtp_ehlo);
    CHECK(r.result == Result::connection_closed);
  }

  TEST_CASE("no greeting within the timeout is a greeting timeout") {
    auto r = smtp_result(TlsMode::none, script({}), Transport::timeout);
    CHECK(r.stage == Stage::smtp_greeting);
    CHECK(r.result == Result::timeout);
  }

  TEST_CASE("554 greeting is a permanent rejection with its code") {
    auto r = smtp_result(TlsMode::none, script({"S: 554 5.7.1 no service for you"}), Transport::reply_error);
    CHECK(r.stage == Stage::smtp_greeting);
    CHECK(r.result == Result::perm_reject);
    CHECK(r.reply_code == 554);
  }

  TEST_CASE("an advertised STARTTLS answered 454 is starttls_unavailable with the code") {
    auto t = script({"S: 220 mx.test", "C: EHLO probe.example", "S: 250-mx.test", "S: 250 STARTTLS",
                     "C: STARTTLS", "S: 454 4.7.0 TLS not available"});
    auto r = smtp_result(TlsMode::starttls, t, Transport::starttls_failed);
    CHECK(r.stage == Stage::smtp_starttls);
    CHECK(r.result == Result::starttls_unavailable);
    CHECK(r.reply_code == 454);
  }

  TEST_CASE("STARTTLS accepted but the handshake fails is tls_error at smtp_tls, as in check") {
    auto t = script({"S: 220 mx.test", "C: EHLO probe.example", "S: 250-mx.test", "S: 250 STARTTLS",
                     "C: STARTTLS", "S: 220 2.0.0 go ahead"});
    auto r = smtp_result(TlsMode::starttls, t, Transport::tls);
    CHECK(r.stage == Stage::smtp_tls);
    CHECK(r.result == Result::tls_error);
  }

  TEST_CASE("EHLO after STARTTLS replaces the capabilities; AUTH appears only after TLS") {
    auto t = script({"S: 220 mx.test", "C: EHLO probe.example", "S: 250-mx.test", "S: 250 STARTTLS",
                     "C: STARTTLS", "S: 220 go ahead", "TLS", "C: EHLO probe.example",
                     "S: 250-mx.test", "S: 250 AUTH PLAIN", "C: NOOP", "S: 250 ok", "C: QUIT",
                     "S: 221 bye"});
    auto d = analyze_smtp(t, kT0);
    REQUIRE(d.caps);
    REQUIRE(d.caps_tls);
    CHECK(d.caps->starttls);
    CHECK(d.caps->auth.empty());
    CHECK(d.caps_tls->auth.size() == 1);
    CHECK(d.tls_handshake_us == 1000);
    CHECK(d.effective_caps()->auth.front() == "PLAIN");
    // Without TLS facts a STARTTLS run cannot be judged healthy.
    CHECK(smtp_result(TlsMode::starttls, t).result == Result::tls_error);
  }

  TEST_CASE("commands are redacted to their verb") {
    CHECK(redact_command("EHLO probe.example\r\n") == "EHLO probe.example");
    CHECK(redact_command("MAIL FROM:<a@b>") == "MAIL");
    CHECK(redact_command("AHVzZXIAcGFzcw==") == "<redacted>");
    CHECK(redact_command("A003 LOGIN alice secret") == "A003 LOGIN");
    CHECK(redact_command("A001 CAPABILITY") == "A001 CAPABILITY");
  }
}

TEST_SUITE("probe::imap_dialogue") {
  TEST_CASE("greeting, CAPABILITY, STARTTLS, CAPABILITY, NOOP, LOGOUT") {
    auto t = script({"S: * OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready",
                     "C: A001 CAPABILITY", "S: * CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED",
                     "S: A001 OK done", "C: A002 STARTTLS", "S: A002 OK Begin TLS", "TLS",
                     "C: A003 CAPABILITY", "S: * CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE",
                     "S: A003 OK done", "C: A004 NOOP", "S: A004 OK NOOP completed",
                     "C: A005 LOGOUT", "S: * BYE Logging out", "S: A005 OK Logout completed."});
    auto d = analyze_imap(t, kT0);
    CHECK(d.greeting.status == "OK");
    REQUIRE(d.caps);
    CHECK(d.caps->has("STARTTLS"));
    CHECK_FALSE(d.caps->login_possible());
    REQUIRE(d.caps_tls);
    CHECK(d.caps_tls->has("IDLE"));
    CHECK(d.caps_tls->auth == std::vector<std::string>{"PLAIN"});
    CHECK(d.noop.status == "OK");
    CHECK(d.noop.micros == 1000);
    CHECK(d.logout.status == "OK");
    CHECK(d.logout.lines.size() == 2);
    CHECK(d.tls_handshake_us == 1000);
  }

  TEST_CASE("LOGIN's [CAPABILITY ...] (Cyrus, Dovecot) does not replace the pre-login lists") {
    // Plaintext with login: the findings are about what was offered before LOGIN.
    auto plain = script({"S: * OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN AUTH=SCRAM-SHA-256 SASL-IR] Cyrus ready",
                         "C: A001 LOGIN",
                         "S: A001 OK [CAPABILITY IMAP4rev1 LITERAL+ ID UIDPLUS IDLE MOVE] User logged in",
                         "C: A002 NOOP", "S: A002 OK Completed", "C: A003 LOGOUT", "S: * BYE bye",
                         "S: A003 OK Completed"});
    auto d = analyze_imap(plain, kT0);
    REQUIRE(d.caps);
    CHECK(d.caps->has("STARTTLS"));
    CHECK(d.caps->auth == std::vector<std::string>{"PLAIN", "SCRAM-SHA-256"});
    REQUIRE(d.effective_caps());
    CHECK(d.effective_caps()->has("STARTTLS"));
    REQUIRE(d.caps_login);
    CHECK(d.caps_login->has("IDLE"));
    CHECK(d.caps_login->auth.empty());
    CHECK(d.login.status == "OK");

    // After STARTTLS: the TLS list stays the effective one; an untagged
    // CAPABILITY sent before LOGIN's OK is post-login too (RFC 3501 §7.2.1).
    auto tls = script({"S: * OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready", "C: A001 STARTTLS",
                       "S: A001 OK Begin TLS", "TLS", "C: A002 CAPABILITY",
                       "S: * CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR", "S: A002 OK done", "C: A003 LOGIN",
                       "S: * CAPABILITY IMAP4rev1 IDLE NAMESPACE", "S: A003 OK Logged in"});
    auto t = analyze_imap(tls, kT0);
    REQUIRE(t.caps);
    CHECK(t.caps->has("STARTTLS"));
    CHECK_FALSE(t.caps->login_possible());  // auth before TLS: not possible, as the server said
    REQUIRE(t.caps_tls);
    CHECK(t.caps_tls->auth == std::vector<std::string>{"PLAIN"});
    REQUIRE(t.caps_login);
    CHECK(t.caps_login->has("NAMESPACE"));
  }

  TEST_CASE("a BYE greeting fails the greeting stage") {
    ProbeResult r;
    r.protocol = Protocol::imap;
    r.tls_mode = TlsMode::none;
    r.connected_at = WallClock::now();
    r.transport = Transport::closed;
    r.imap = analyze_imap(script({"S: * BYE too many connections"}), kT0);
    judge(r);
    CHECK(r.stage == Stage::imap_greeting);
    CHECK(r.result == Result::connection_closed);
  }

  TEST_CASE("no STARTTLS capability is starttls_unavailable") {
    ProbeResult r;
    r.protocol = Protocol::imap;
    r.tls_mode = TlsMode::starttls;
    r.connected_at = WallClock::now();
    r.transport = Transport::starttls_failed;
    r.imap = analyze_imap(script({"S: * OK ready", "C: A001 CAPABILITY",
                                  "S: * CAPABILITY IMAP4rev1 AUTH=PLAIN", "S: A001 OK done"}),
                          kT0);
    judge(r);
    CHECK(r.stage == Stage::imap_starttls);
    CHECK(r.result == Result::starttls_unavailable);
  }
}

TEST_SUITE("probe::verdict") {
  TEST_CASE("connect-phase failures map to their own result tokens") {
    for (auto [t, res] : {std::pair{Transport::dns, Result::dns_error},
                          std::pair{Transport::refused, Result::connection_refused},
                          std::pair{Transport::connect_failed, Result::connection_failed}}) {
      ProbeResult r;
      r.transport = t;
      judge(r);
      CHECK(r.stage == Stage::smtp_connect);
      CHECK(r.result == res);
    }
    ProbeResult r;
    r.transport = Transport::timeout;
    judge(r);
    CHECK(r.result == Result::timeout);
    CHECK(r.stage == Stage::smtp_connect);
  }
}
