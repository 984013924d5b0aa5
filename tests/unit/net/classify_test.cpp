#include <doctest/doctest.h>

#include <cerrno>
#include <string>
#include <vector>

#include "net/classify.hpp"

using namespace mailprobe;
using net::Leg;
using net::TransferFacts;

namespace {

TransferFacts smtp(CURLcode code) {
  TransferFacts f;
  f.leg = Leg::smtp;
  f.code = code;
  return f;
}

TransferFacts imap(CURLcode code) {
  TransferFacts f;
  f.leg = Leg::imap;
  f.code = code;
  return f;
}

/// A greeted SMTP dialogue at `stage` whose last reply was `code text`.
TransferFacts smtp_at(CURLcode rc, Stage stage, int code, std::string text, bool awaiting = false) {
  TransferFacts f = smtp(rc);
  f.tcp_connected = true;
  f.greeted = true;
  f.dialogue_stage = stage;
  f.last_code = code;
  f.last_text = std::move(text);
  f.awaiting_reply = awaiting;
  return f;
}

TransferFacts imap_at(CURLcode rc, Stage stage, std::string last_tagged) {
  TransferFacts f = imap(rc);
  f.tcp_connected = true;
  f.greeted = true;
  f.dialogue_stage = stage;
  f.last_text = std::move(last_tagged);
  return f;
}

template <typename F>
TransferFacts with(TransferFacts f, F&& change) {
  change(f);
  return f;
}

struct Row {
  const char* what;
  TransferFacts facts;
  Stage stage;
  Result result;
  int reply_code;
};

}  // namespace

TEST_SUITE("net::classify") {
  TEST_CASE("what a transfer saw decides stage, result and reply code") {
    const std::vector<Row> rows = {
        // Shared transport codes, both legs.
        {"smtp: name does not resolve", smtp(CURLE_COULDNT_RESOLVE_HOST), Stage::smtp_connect, Result::dns_error, 0},
        {"imap: name does not resolve", imap(CURLE_COULDNT_RESOLVE_HOST), Stage::imap_connect, Result::dns_error, 0},
        {"smtp: RST", with(smtp(CURLE_COULDNT_CONNECT), [](auto& f) { f.os_errno = ECONNREFUSED; }),
         Stage::smtp_connect, Result::connection_refused, 0},
        {"imap: unreachable", with(imap(CURLE_COULDNT_CONNECT), [](auto& f) { f.os_errno = EHOSTUNREACH; }),
         Stage::imap_connect, Result::connection_failed, 0},
        {"smtp: connect timeout", smtp(CURLE_OPERATION_TIMEDOUT), Stage::smtp_connect, Result::timeout, 0},
        {"smtp: implicit handshake stalls after TCP",
         with(smtp(CURLE_OPERATION_TIMEDOUT), [](auto& f) { f.tcp_connected = f.implicit_tls = true; }),
         Stage::smtp_tls, Result::timeout, 0},
        {"smtp: no greeting after a finished implicit handshake",
         with(smtp(CURLE_OPERATION_TIMEDOUT), [](auto& f) { f.tcp_connected = f.implicit_tls = f.tls_done = true; }),
         Stage::smtp_greeting, Result::timeout, 0},
        {"imap: no greeting after a finished implicit handshake stays imap_tls",
         with(imap(CURLE_OPERATION_TIMEDOUT), [](auto& f) { f.tcp_connected = f.implicit_tls = f.tls_done = true; }),
         Stage::imap_tls, Result::timeout, 0},
        {"imap: plain greeting never comes", with(imap(CURLE_OPERATION_TIMEDOUT), [](auto& f) { f.tcp_connected = true; }),
         Stage::imap_greeting, Result::timeout, 0},
        {"smtp: certificate does not verify after STARTTLS",
         smtp_at(CURLE_PEER_FAILED_VERIFICATION, Stage::smtp_starttls, 220, "go ahead"), Stage::smtp_tls,
         Result::tls_verify_failed, 0},
        {"imap: handshake fails", imap_at(CURLE_SSL_CONNECT_ERROR, Stage::imap_tls, "OK begin TLS"), Stage::imap_tls,
         Result::tls_error, 0},
        {"smtp: stopped by signal while waiting for RCPT",
         with(smtp_at(CURLE_ABORTED_BY_CALLBACK, Stage::smtp_rcpt, 250, "ok", true), [](auto& f) { f.stopped = true; }),
         Stage::smtp_rcpt, Result::timeout, 0},
        // SMTP: the last reply decides.
        {"smtp: RCPT 550", smtp_at(CURLE_SEND_ERROR, Stage::smtp_rcpt, 550, "5.1.1 no such user"), Stage::smtp_rcpt,
         Result::perm_reject, 550},
        {"smtp: MAIL 451", smtp_at(CURLE_SEND_ERROR, Stage::smtp_mail, 451, "4.3.0 try later"), Stage::smtp_mail,
         Result::temp_reject, 451},
        {"smtp: a 2xx that libcurl still refused", smtp_at(CURLE_WEIRD_SERVER_REPLY, Stage::smtp_ehlo, 250, "odd"),
         Stage::smtp_ehlo, Result::protocol_error, 250},
        {"smtp: closed while a command waits", smtp_at(CURLE_RECV_ERROR, Stage::smtp_data, 354, "go", true),
         Stage::smtp_data, Result::connection_closed, 0},
        {"smtp: AUTH 535", smtp_at(CURLE_LOGIN_DENIED, Stage::smtp_auth, 535, "5.7.8 bad credentials"),
         Stage::smtp_auth, Result::auth_failed, 535},
        {"smtp: STARTTLS answered 454", smtp_at(CURLE_USE_SSL_FAILED, Stage::smtp_starttls, 454, "4.7.0 TLS not available"),
         Stage::smtp_starttls, Result::starttls_unavailable, 454},
        {"smtp: STARTTLS not offered", smtp_at(CURLE_USE_SSL_FAILED, Stage::smtp_ehlo, 250, "mx.example"),
         Stage::smtp_starttls, Result::starttls_unavailable, 0},
        {"smtp: credentials but no AUTH offered",
         with(smtp_at(CURLE_WRITE_ERROR, Stage::smtp_mail, 250, "ok"), [](auto& f) { f.no_auth_offered = true; }),
         Stage::smtp_auth, Result::auth_failed, 0},
        // IMAP login: the last tagged response decides.
        {"imap: LOGIN NO", imap_at(CURLE_LOGIN_DENIED, Stage::imap_login, "NO [AUTHENTICATIONFAILED] nope"),
         Stage::imap_login, Result::auth_failed, 0},
        {"imap: STARTTLS refused", imap_at(CURLE_USE_SSL_FAILED, Stage::imap_starttls, "BAD not now"),
         Stage::imap_starttls, Result::starttls_unavailable, 0},
        {"imap: garbage greeting", imap_at(CURLE_WEIRD_SERVER_REPLY, Stage::imap_greeting, ""), Stage::imap_greeting,
         Result::protocol_error, 0},
        {"imap: closed after the greeting", imap_at(CURLE_RECV_ERROR, Stage::imap_login, ""), Stage::imap_login,
         Result::connection_closed, 0},
        {"imap: closed before any line", with(imap(CURLE_GOT_NOTHING), [](auto& f) { f.tcp_connected = true; }),
         Stage::imap_greeting, Result::connection_failed, 0},
    };
    for (const auto& row : rows) {
      CAPTURE(row.what);
      Failure f = net::classify(row.facts);
      CHECK(f.stage == row.stage);
      CHECK(f.result == row.result);
      CHECK(f.reply_code == row.reply_code);
      CHECK_FALSE(f.reply_text.empty());
    }
  }

  TEST_CASE("the text is the server's words when there are any, else libcurl's") {
    CHECK(net::classify(smtp_at(CURLE_SEND_ERROR, Stage::smtp_rcpt, 550, "5.1.1 no such user")).reply_text ==
          "5.1.1 no such user");
    CHECK(net::classify(imap_at(CURLE_LOGIN_DENIED, Stage::imap_login, "NO bad")).reply_text == "NO bad");
    CHECK(net::classify(imap_at(CURLE_LOGIN_DENIED, Stage::imap_login, "")).reply_text ==
          curl_easy_strerror(CURLE_LOGIN_DENIED));
    CHECK(net::classify(with(smtp(CURLE_COULDNT_CONNECT), [](auto& f) { f.os_errno = ECONNREFUSED; })).reply_text ==
          "Connection refused");
    CHECK(net::classify(with(smtp_at(CURLE_ABORTED_BY_CALLBACK, Stage::smtp_rcpt, 250, "ok"),
                             [](auto& f) { f.stopped = true; }))
              .reply_text == "stopped by signal during smtp_rcpt");
  }
}
