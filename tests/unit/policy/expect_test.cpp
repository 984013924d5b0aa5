#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "policy/expect.hpp"
#include "policy/expect_run.hpp"
#include "probe/transcript.hpp"

using namespace mailprobe;
using namespace mailprobe::policy;

namespace {

/// The lines of a dialogue: ">CMD" for client (redacted as app/ has
/// net::run_smtp_dialogue redact them), anything else server.
std::vector<net::DialogueLine> script(std::initializer_list<const char*> lines) {
  std::vector<net::DialogueLine> t;
  for (const char* l : lines) {
    if (l[0] == '>') t.push_back({false, probe::redact_command(l + 1)});
    else t.push_back({true, l});
  }
  return t;
}

}  // namespace

TEST_SUITE("policy::expect") {
  TEST_CASE("the four --expect forms parse; bad ones give one usage line") {
    auto a = parse_expectation("auth-refused");
    REQUIRE(a);
    CHECK(a->kind == ExpectKind::auth_refused);
    auto r = parse_expectation("relay-refused=someone@foreign.example");
    REQUIRE(r);
    CHECK(r->kind == ExpectKind::relay_refused);
    CHECK(r->address == "someone@foreign.example");
    CHECK(parse_expectation("tls-required=alice@mailprobe.test")->kind == ExpectKind::tls_required);
    CHECK(parse_expectation("no-auth-before-tls")->kind == ExpectKind::no_auth_before_tls);
    for (const char* bad : {"", "auth-refused=x", "relay-refused", "relay-refused=", "relay-refused=nobody",
                            "tls-required=a@b@c", "tls-required=<a@b>", "relay-refused=a b@c", "open-relay"}) {
      CAPTURE(bad);
      auto e = parse_expectation(bad);
      REQUIRE_FALSE(e);
      CHECK(e.error().stage == Stage::config);
    }
  }

  TEST_CASE("replies pair with the command before them, multi-line replies once") {
    auto d = pair_replies(script({"220 hi", ">EHLO me", "250-mx", "250 AUTH PLAIN", ">AUTH PLAIN xyz", "535 5.7.8 no"}));
    REQUIRE(d.size() == 3);
    CHECK(d[0].verb.empty());
    CHECK(d[1].verb == "EHLO me");
    CHECK(d[1].code == 250);
    CHECK(d[2].verb == "AUTH");
    CHECK(d[2].code == 535);
  }

  TEST_CASE("auth-refused: 535 meets it, 235 and other codes violate it, no AUTH violates it") {
    auto refused = pair_replies(script({"220 hi", ">EHLO me", "250 AUTH LOGIN", ">AUTH LOGIN", "334 VXNlcm5hbWU6",
                                        ">dXNlcg==", "334 UGFzc3dvcmQ6", ">d3Jvbmc=", "535 5.7.8 failed"}));
    auto m = judge_dialogue(ExpectKind::auth_refused, refused);
    CHECK(m.met);
    CHECK(m.reply_code == 535);
    auto accepted = judge_dialogue(ExpectKind::auth_refused,
                                   pair_replies(script({"220 hi", ">EHLO me", "250 AUTH PLAIN", ">AUTH PLAIN x", "235 ok"})));
    CHECK_FALSE(accepted.met);
    CHECK(accepted.detail.find("ACCEPTED") != std::string::npos);
    auto other = judge_dialogue(ExpectKind::auth_refused,
                                pair_replies(script({"220 hi", ">EHLO me", "250 AUTH PLAIN", ">AUTH PLAIN x", "454 4.7.0 later"})));
    CHECK_FALSE(other.met);
    CHECK(other.reply_code == 454);
    auto none = judge_dialogue(ExpectKind::auth_refused, pair_replies(script({"220 hi", ">EHLO me", "250 ok", ">NOOP", "250 ok"})));
    CHECK_FALSE(none.met);
    CHECK(none.reply_code == 0);
  }

  TEST_CASE("relay-refused: 554 and 454 meet it, 250 violates it, 450 is inconclusive") {
    auto run = [](const char* rcpt_reply) {
      return judge_dialogue(ExpectKind::relay_refused,
                            pair_replies(script({"220 hi", ">EHLO me", "250 ok", ">MAIL FROM:<a@b>", "250 ok",
                                                 ">RCPT TO:<x@foreign.example>", rcpt_reply})));
    };
    CHECK(run("554 5.7.1 <x@foreign.example>: Relay access denied").met);
    CHECK(run("454 4.7.1 Relay access denied").met);
    CHECK(run("550 5.7.1 no").met);
    auto open = run("250 2.1.5 Ok");
    CHECK_FALSE(open.met);
    CHECK(open.detail.find("ACCEPTED") != std::string::npos);
    CHECK_FALSE(run("450 4.7.1 greylisted").met);
    auto mail = judge_dialogue(ExpectKind::relay_refused,
                               pair_replies(script({"220 hi", ">EHLO me", "250 ok", ">MAIL FROM:<a@b>", "530 5.7.0 auth first"})));
    CHECK(mail.met);
    CHECK(mail.reply_code == 530);
  }

  TEST_CASE("tls-required: a refusal at MAIL, RCPT or DATA meets it; DATA 354 violates it") {
    auto at_mail = judge_dialogue(ExpectKind::tls_required,
                                  pair_replies(script({"220 hi", ">EHLO me", "250 ok", ">MAIL FROM:<a@b>",
                                                       "530 5.7.0 Must issue a STARTTLS command first"})));
    CHECK(at_mail.met);
    CHECK(at_mail.reply_code == 530);
    auto accepted = judge_dialogue(ExpectKind::tls_required,
                                   pair_replies(script({"220 hi", ">EHLO me", "250 ok", ">MAIL FROM:<a@b>", "250 ok",
                                                        ">RCPT TO:<c@d>", "250 ok", ">DATA", "354 go"})));
    CHECK_FALSE(accepted.met);
    CHECK(accepted.reply_code == 354);
    auto at_data = judge_dialogue(ExpectKind::tls_required,
                                  pair_replies(script({"220 hi", ">EHLO me", "250 ok", ">MAIL FROM:<a@b>", "250 ok",
                                                       ">RCPT TO:<c@d>", "250 ok", ">DATA", "554 5.7.0 no"})));
    CHECK(at_data.met);
    CHECK_FALSE(judge_dialogue(ExpectKind::tls_required, pair_replies(script({"220 hi"}))).met);
  }

  TEST_CASE("no-auth-before-tls judges the plaintext EHLO's AUTH list") {
    CHECK(judge_plaintext_auth(true, {}).met);
    auto offered = judge_plaintext_auth(true, {"PLAIN", "LOGIN"});
    CHECK_FALSE(offered.met);
    CHECK(offered.detail == "AUTH PLAIN LOGIN advertised before STARTTLS");
    CHECK_FALSE(judge_plaintext_auth(false, {}).met);
  }

  TEST_CASE("the dialogue request: tls_required talks plaintext, auth_refused carries the credentials") {
    ExpectConfig c;
    c.host = "mx.example.org";
    c.port = 587;
    c.tls = net::TlsMode::starttls;
    c.username = "alice";
    c.password = "wrong";
    c.mail_from = "probe@example.org";
    c.redact = probe::redact_command;
    auto tls = dialogue_request({ExpectKind::tls_required, "bob@example.org"}, c);
    CHECK(tls.tls == net::TlsMode::none);
    CHECK(tls.username.empty());
    CHECK(tls.rcpt == "bob@example.org");
    CHECK(tls.mail_from == "probe@example.org");
    const bool same_redact = tls.redact == c.redact;
    CHECK(same_redact);
    auto relay = dialogue_request({ExpectKind::relay_refused, "x@foreign.example"}, c);
    CHECK(relay.tls == net::TlsMode::starttls);
    CHECK(relay.password.empty());
    auto auth = dialogue_request({ExpectKind::auth_refused, ""}, c);
    CHECK(auth.username == "alice");
    CHECK(auth.password == "wrong");
    CHECK(auth.rcpt.empty());
  }

  TEST_CASE("judge_run: no dialogue, and a 354 seen only by the read callback") {
    net::SmtpDialogueResult none;
    none.error = "Couldn't connect to server";
    auto o = judge_run({ExpectKind::relay_refused, "x@foreign.example"}, none);
    CHECK_FALSE(o.met);
    CHECK(o.detail == "no dialogue: Couldn't connect to server");

    net::SmtpDialogueResult run;
    run.lines = script({"220 mx ESMTP", ">EHLO client", "250 mx", ">MAIL FROM:<a@b>", "250 ok",
                        ">RCPT TO:<x@foreign.example>", "250 ok"});
    run.data_reached = true;
    run.error = "Operation was aborted by an application callback";
    auto relayed = judge_run({ExpectKind::relay_refused, "x@foreign.example"}, run);
    CHECK_FALSE(relayed.met);
  }
}
