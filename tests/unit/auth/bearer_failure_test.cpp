#include <doctest/doctest.h>

#include <string>

#include "net/classify.hpp"

using namespace mailprobe;
using net::Leg;
using net::SaslMechanism;
using net::TransferFacts;

namespace {

TransferFacts bearer_login(Leg leg, CURLcode code, SaslMechanism m, Stage stage) {
  TransferFacts f;
  f.leg = leg;
  f.code = code;
  f.tcp_connected = f.greeted = true;
  f.dialogue_stage = stage;
  f.bearer = m;
  return f;
}

}  // namespace

TEST_SUITE("net::classify bearer logins") {
  TEST_CASE("denied before any AUTH went out: the mechanism is not offered (SMTP)") {
    auto f = bearer_login(Leg::smtp, CURLE_LOGIN_DENIED, SaslMechanism::xoauth2, Stage::smtp_ehlo);
    f.last_code = 250;
    f.last_text = "mx; AUTH PLAIN LOGIN";
    f.offered_auth = "PLAIN LOGIN";
    Failure r = net::classify(f);
    CHECK(r.stage == Stage::smtp_auth);
    CHECK(r.result == Result::auth_mechanism_unavailable);
    CHECK(r.reply_text == "the server does not offer AUTH XOAUTH2 (EHLO AUTH PLAIN LOGIN)");
  }

  TEST_CASE("no AUTH in EHLO at all (the MAIL FROM abort) is the same result, not auth_failed") {
    auto f = bearer_login(Leg::smtp, CURLE_WRITE_ERROR, SaslMechanism::oauthbearer, Stage::smtp_mail);
    f.no_auth_offered = true;
    f.last_code = 250;
    Failure r = net::classify(f);
    CHECK(r.result == Result::auth_mechanism_unavailable);
    CHECK(r.reply_text == "the server does not offer AUTH OAUTHBEARER (no AUTH in EHLO)");
  }

  TEST_CASE("IMAP without the capability") {
    auto f = bearer_login(Leg::imap, CURLE_LOGIN_DENIED, SaslMechanism::xoauth2, Stage::imap_greeting);
    f.offered_auth = "PLAIN LOGIN";
    Failure r = net::classify(f);
    CHECK(r.stage == Stage::imap_login);
    CHECK(r.result == Result::auth_mechanism_unavailable);
    CHECK(r.reply_text == "the server does not offer AUTH=XOAUTH2 (it offers PLAIN LOGIN)");
  }

  TEST_CASE("a rejected token is auth_failed with the decoded challenge, else the final reply") {
    auto s = bearer_login(Leg::smtp, CURLE_LOGIN_DENIED, SaslMechanism::xoauth2, Stage::smtp_auth);
    s.auth_sent = true;
    s.last_code = 334;
    s.last_text = "eyJzdGF0dXMiOiI0MDEifQ==";
    s.challenge = R"({"status":"401"})";
    Failure r = net::classify(s);
    CHECK(r.stage == Stage::smtp_auth);
    CHECK(r.result == Result::auth_failed);
    CHECK(r.reply_code == 334);
    CHECK(r.reply_text == R"(server rejected the token: {"status":"401"})");
    auto i = bearer_login(Leg::imap, CURLE_LOGIN_DENIED, SaslMechanism::oauthbearer, Stage::imap_login);
    i.auth_sent = true;
    i.last_text = "NO [AUTHENTICATIONFAILED] Authentication failed.";
    Failure ri = net::classify(i);
    CHECK(ri.result == Result::auth_failed);
    CHECK(ri.reply_text == "server rejected the token: NO [AUTHENTICATIONFAILED] Authentication failed.");
  }

  TEST_CASE("password logins and transport failures are untouched by the bearer rules") {
    auto p = bearer_login(Leg::smtp, CURLE_LOGIN_DENIED, SaslMechanism::password, Stage::smtp_ehlo);
    p.last_code = 250;
    p.last_text = "ok";
    CHECK(net::classify(p).result == Result::auth_failed);
    auto t = bearer_login(Leg::imap, CURLE_PEER_FAILED_VERIFICATION, SaslMechanism::xoauth2, Stage::imap_tls);
    CHECK(net::classify(t).result == Result::tls_verify_failed);
  }
}
