#include "serve/smtp_session.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "serve/sasl.hpp"

using namespace mailprobe;
using namespace mailprobe::serve;

namespace {

// A recording DeliverySink (house style: recording fakes, no mocks).
struct RecordingSink : DeliverySink {
  std::vector<Delivery> got;
  bool fail = false;
  Status deliver(const Delivery& d) override {
    if (fail) return Failure(Stage::none, Result::internal_error, "disk full");
    got.push_back(d);
    return ok();
  }
};

struct Harness {
  Users users = Users::demo();
  Faults faults;
  RecordingSink sink;
  SmtpSettings settings;
  std::unique_ptr<SmtpSession> s;

  Harness() {
    settings.hostname = "mx.test";
    settings.max_message_size = 2000;
    settings.next_queue_id = [] { return std::string("QID1"); };
    settings.now = [] { return WallClock::time_point(std::chrono::seconds(1700000000)); };
  }
  // Creates the session and returns the greeting.
  std::string open() {
    s = std::make_unique<SmtpSession>(settings, users, faults, sink);
    s->start();
    return s->take_output();
  }
  std::string send(std::string_view bytes) {
    s->feed(bytes);
    return s->take_output();
  }
  void helo() { CHECK(send("HELO client.test\r\n") == "250 mx.test\r\n"); }
  void envelope() {
    helo();
    CHECK(send("MAIL FROM:<a@b.test>\r\n") == "250 2.1.0 Ok\r\n");
    CHECK(send("RCPT TO:<alice@x.test>\r\n") == "250 2.1.5 Ok\r\n");
    CHECK(send("DATA\r\n") == "354 End data with <CR><LF>.<CR><LF>\r\n");
  }
  // MAIL and RCPT, the chunks to follow (after EHLO when `greet`).
  void envelope_chunked(bool greet = true) {
    if (greet) helo();
    CHECK(send("MAIL FROM:<a@b.test>\r\n") == "250 2.1.0 Ok\r\n");
    CHECK(send("RCPT TO:<alice@x.test>\r\n") == "250 2.1.5 Ok\r\n");
  }
};

}  // namespace

TEST_SUITE("serve::smtp_session") {
  TEST_CASE("greeting, EHLO capabilities and a full transaction with dot-unstuffing") {
    Harness h;
    h.settings.tls_available = true;
    CHECK(h.open() == "220 mx.test ESMTP mailprobe\r\n");
    CHECK(h.send("EHLO client.test\r\n") ==
          "250-mx.test Hello client.test\r\n250-SIZE 2000\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
          "250-ENHANCEDSTATUSCODES\r\n250-CHUNKING\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n");
    CHECK(h.send("MAIL FROM:<sender@example.org> SIZE=100 BODY=8BITMIME\r\n") == "250 2.1.0 Ok\r\n");
    CHECK(h.send("RCPT TO:<Alice@example.org>\r\n") == "250 2.1.5 Ok\r\n");
    CHECK(h.send("RCPT TO:<bob>\r\n") == "250 2.1.5 Ok\r\n");
    CHECK(h.send("DATA\r\n") == "354 End data with <CR><LF>.<CR><LF>\r\n");
    CHECK(h.send("Subject: t\r\n\r\n..leading dot\r\n.\r\n") == "250 2.0.0 Ok: queued as QID1\r\n");
    REQUIRE(h.sink.got.size() == 1);
    const Delivery& d = h.sink.got[0];
    CHECK(d.data == "Subject: t\r\n\r\n.leading dot\r\n");
    CHECK(d.mail_from == "sender@example.org");
    REQUIRE(d.recipients.size() == 2);
    CHECK(d.recipients[0].user == "alice");
    CHECK(d.recipients[1].user == "bob");
    CHECK(d.protocol == "ESMTP");
    CHECK(received_header(d, d.recipients[0]) ==
          "Received: from client.test ([127.0.0.1])\r\n\tby mx.test with ESMTP id QID1\r\n"
          "\tfor <Alice@example.org>; Tue, 14 Nov 2023 22:13:20 +0000\r\n");
    CHECK(h.send("QUIT\r\n") == "221 2.0.0 Bye\r\n");
    CHECK(h.s->wants_close());
  }

  TEST_CASE("several messages in one connection (seed 004), pipelined") {
    Harness h;
    h.open();
    std::string out = h.send(
        "EHLO c\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<alice>\r\nDATA\r\none\r\n.\r\n"
        "MAIL FROM:<a@b.c>\r\nRCPT TO:<bob@x>\r\nDATA\r\ntwo\r\n.\r\nQUIT\r\n");
    CHECK(out.find("250 2.0.0 Ok: queued as QID1\r\n250 2.1.0 Ok") != std::string::npos);
    CHECK(out.substr(out.size() - 15) == "221 2.0.0 Bye\r\n");
    REQUIRE(h.sink.got.size() == 2);
    CHECK(h.sink.got[0].data == "one\r\n");
    CHECK(h.sink.got[1].data == "two\r\n");
  }

  TEST_CASE("sequence errors: 503 replies") {
    Harness h;
    h.open();
    CHECK(h.send("MAIL FROM:<a@b.c>\r\n") == "503 5.5.1 Error: send HELO/EHLO first\r\n");
    CHECK(h.send("RCPT TO:<alice>\r\n") == "503 5.5.1 Error: send HELO/EHLO first\r\n");
    h.helo();
    CHECK(h.send("RCPT TO:<alice>\r\n") == "503 5.5.1 Error: need MAIL command\r\n");
    CHECK(h.send("DATA\r\n") == "503 5.5.1 Error: need MAIL command\r\n");
    CHECK(h.send("MAIL FROM:<a@b.c>\r\n") == "250 2.1.0 Ok\r\n");
    CHECK(h.send("MAIL FROM:<a@b.c>\r\n") == "503 5.5.1 Error: nested MAIL command\r\n");
    CHECK(h.send("DATA\r\n") == "503 5.5.1 Error: need RCPT command\r\n");
    CHECK(h.send("RSET\r\n") == "250 2.0.0 Ok\r\n");
    CHECK(h.send("RCPT TO:<alice>\r\n") == "503 5.5.1 Error: need MAIL command\r\n");
  }

  TEST_CASE("syntax errors: 501 with the seed's messages") {
    Harness h;
    h.open();
    CHECK(h.send("HELO\r\n") == "501 5.5.4 Syntax: HELO hostname\r\n");
    CHECK(h.send("EHLO\r\n") == "501 5.5.4 Syntax: EHLO hostname\r\n");
    h.helo();
    CHECK(h.send("MAIL TO:<a@b.c>\r\n") == "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
    CHECK(h.send("MAIL FROM:<no-domain>\r\n") == "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
    CHECK(h.send("MAIL FROM:<a@b.c\r\n") == "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
    CHECK(h.send("MAIL FROM:<a@b.c> FOO=1\r\n") == "555 5.5.4 Unsupported option: FOO=1\r\n");
    CHECK(h.send("MAIL FROM:<a@b.c> SIZE=5000\r\n") ==
          "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
    CHECK(h.send("MAIL FROM:<>\r\n") == "250 2.1.0 Ok\r\n");  // null reverse-path (bounces)
    CHECK(h.send("RCPT FROM:<alice>\r\n") == "501 5.5.4 Syntax: RCPT TO:<address>\r\n");
    CHECK(h.send("RCPT TO:<>\r\n") == "501 5.5.4 Syntax: RCPT TO:<address>\r\n");
    CHECK(h.send("DATA now\r\n") == "503 5.5.1 Error: need RCPT command\r\n");
  }

  TEST_CASE("seed clients: lower-case verbs, a space after the colon, no brackets") {
    Harness h;
    h.open();
    CHECK(h.send("helo me.com\r\n") == "250 mx.test\r\n");
    CHECK(h.send("mail from: foo@example\r\n") == "250 2.1.0 Ok\r\n");
    CHECK(h.send("rcpt to: ALICE\r\n") == "250 2.1.5 Ok\r\n");
  }

  TEST_CASE("unknown recipients get 550 5.1.1 (no relaying)") {
    Harness h;
    h.open();
    h.helo();
    h.send("MAIL FROM:<a@b.c>\r\n");
    CHECK(h.send("RCPT TO:<mallory@elsewhere.example>\r\n") ==
          "550 5.1.1 <mallory@elsewhere.example>: Recipient address rejected: User unknown in local "
          "recipient table\r\n");
  }

  TEST_CASE("domain restriction rejects other domains") {
    Harness h;
    h.users.set_domains({"example.org"});
    h.open();
    h.helo();
    h.send("MAIL FROM:<a@b.c>\r\n");
    CHECK(h.send("RCPT TO:<alice@example.org>\r\n") == "250 2.1.5 Ok\r\n");
    CHECK(h.send("RCPT TO:<alice@gmail.example>\r\n").substr(0, 9) == "550 5.1.1");
  }

  TEST_CASE("NOOP, VRFY never confirms, HELP, EXPN, unknown commands") {
    Harness h;
    h.open();
    CHECK(h.send("NOOP\r\n") == "250 2.0.0 Ok\r\n");
    CHECK(h.send("VRFY alice\r\n") ==
          "252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery\r\n");
    CHECK(h.send("VRFY nobody\r\n") ==
          "252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery\r\n");
    CHECK(h.send("VRFY\r\n") == "501 5.5.4 Syntax: VRFY address\r\n");
    CHECK(h.send("HELP\r\n").substr(0, 10) == "214 2.0.0 ");
    CHECK(h.send("EXPN list\r\n") == "502 5.5.1 Error: EXPN not supported\r\n");
    CHECK(h.send("FROB\r\n") == "500 5.5.2 Error: command not recognized\r\n");
    CHECK(h.send("\r\n") == "500 5.5.2 Error: bad syntax\r\n");
  }

  TEST_CASE("overlong command line: 500, and the session goes on") {
    Harness h;
    h.open();
    std::string big(1200, 'A');
    CHECK(h.send(big) == "");  // no LF yet
    CHECK(h.send("MORE\r\n") == "500 5.5.2 Error: line too long\r\n");
    std::string exact = "NOOP " + std::string(993, 'x') + "\r\n";  // 1000 octets incl CRLF
    CHECK(h.send(exact) == "250 2.0.0 Ok\r\n");
    CHECK(h.send("NOOP " + std::string(994, 'x') + "\r\n") == "500 5.5.2 Error: line too long\r\n");
    CHECK(h.send("NOOP\r\n") == "250 2.0.0 Ok\r\n");
  }

  TEST_CASE("overlong data line rejects the message") {
    Harness h;
    h.open();
    h.envelope();
    CHECK(h.send("Subject: x\r\n\r\n" + std::string(1500, 'y') + "\r\nok\r\n.\r\n") ==
          "500 5.5.2 Error: line too long in message data\r\n");
    CHECK(h.sink.got.empty());
    CHECK(h.send("NOOP\r\n") == "250 2.0.0 Ok\r\n");
  }

  TEST_CASE("bare LF: accepted for commands, rejects message data, never ends DATA") {
    Harness h;
    h.open();
    CHECK(h.send("HELO c\n") == "250 mx.test\r\n");
    CHECK(h.send("MAIL FROM:<a@b.c>\n") == "250 2.1.0 Ok\r\n");
    CHECK(h.send("RCPT TO:<alice>\n") == "250 2.1.5 Ok\r\n");
    CHECK(h.send("DATA\n") == "354 End data with <CR><LF>.<CR><LF>\r\n");
    // "\n.\n" is not the end of data (SMTP smuggling defence).
    CHECK(h.send("line one\n.\nMAIL FROM:<evil@x.y>\r\n") == "");
    CHECK(h.send("\r\n.\r\n") == "554 5.6.0 Error: bare LF in message data (RFC 5321 section 2.3.8)\r\n");
    CHECK(h.sink.got.empty());
  }

  TEST_CASE("NUL bytes: refused in commands and in data") {
    Harness h;
    h.open();
    CHECK(h.send(std::string("NOOP\0x\r\n", 8)) == "500 5.5.2 Error: NUL character in command\r\n");
    h.envelope();
    CHECK(h.send(std::string("a\0b\r\n.\r\n", 8)) == "554 5.6.0 Error: NUL character in message data\r\n");
    CHECK(h.sink.got.empty());
  }

  TEST_CASE("8-bit data is stored verbatim") {
    Harness h;
    h.open();
    h.envelope();
    CHECK(h.send("Subject: caf\xc3\xa9\r\n\r\n\xff\xfe bytes\r\n.\r\n") == "250 2.0.0 Ok: queued as QID1\r\n");
    REQUIRE(h.sink.got.size() == 1);
    CHECK(h.sink.got[0].data == "Subject: caf\xc3\xa9\r\n\r\n\xff\xfe bytes\r\n");
  }

  TEST_CASE("message over SIZE: 552 and nothing stored") {
    Harness h;
    h.open();
    h.envelope();
    std::string body;
    for (int i = 0; i < 30; ++i) body += std::string(98, 'z') + "\r\n";
    CHECK(h.send(body + ".\r\n") == "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
    CHECK(h.sink.got.empty());
  }

  TEST_CASE("disconnect mid-DATA stores nothing") {
    Harness h;
    h.open();
    h.envelope();
    CHECK(h.send("Subject: half\r\n\r\npartial") == "");
    h.s.reset();  // the connection went away
    CHECK(h.sink.got.empty());
  }

  TEST_CASE("a failing store gives 451") {
    Harness h;
    h.sink.fail = true;
    h.open();
    h.envelope();
    CHECK(h.send("x\r\n.\r\n") == "451 4.3.0 Error: queue file write error\r\n");
  }

  TEST_CASE("STARTTLS: 220, pipelined plaintext discarded, session reset, then ESMTPS") {
    Harness h;
    h.settings.tls_available = true;
    h.open();
    CHECK(h.send("EHLO c\r\n").find("250-STARTTLS") != std::string::npos);
    CHECK(h.send("STARTTLS\r\nMAIL FROM:<injected@x.y>\r\n") == "220 2.0.0 Ready to start TLS\r\n");
    CHECK(h.s->wants_starttls());
    h.s->on_tls_established();
    CHECK(h.send("MAIL FROM:<a@b.c>\r\n") == "503 5.5.1 Error: send HELO/EHLO first\r\n");
    std::string ehlo = h.send("EHLO c\r\n");
    CHECK(ehlo.find("STARTTLS") == std::string::npos);
    CHECK(h.send("STARTTLS\r\n") == "554 5.5.1 Error: TLS already active\r\n");
    h.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<alice>\r\nDATA\r\n");
    CHECK(h.send("x\r\n.\r\n") == "250 2.0.0 Ok: queued as QID1\r\n");
    CHECK(h.sink.got.at(0).protocol == "ESMTPS");
  }

  TEST_CASE("STARTTLS without TLS configured, or with --no-starttls") {
    Harness h;
    h.open();
    CHECK(h.send("EHLO c\r\n").find("STARTTLS") == std::string::npos);
    CHECK(h.send("STARTTLS\r\n") == "502 5.5.1 Error: command not implemented\r\n");
    Harness g;
    g.settings.tls_available = true;
    g.faults.no_starttls = true;
    g.open();
    CHECK(g.send("EHLO c\r\n").find("STARTTLS") == std::string::npos);
  }

  TEST_CASE("TLS required: 530 before STARTTLS, AUTH offered only after it") {
    Harness h;
    h.settings.tls_available = true;
    h.settings.require_tls = true;
    h.open();
    std::string ehlo = h.send("EHLO c\r\n");
    CHECK(ehlo.find("STARTTLS") != std::string::npos);
    CHECK(ehlo.find("AUTH") == std::string::npos);
    CHECK(h.send("MAIL FROM:<a@b.c>\r\n") == "530 5.7.0 Must issue a STARTTLS command first\r\n");
    CHECK(h.send("AUTH PLAIN AGFsaWNlAGFsaWNl\r\n") == "530 5.7.0 Must issue a STARTTLS command first\r\n");
    CHECK(h.send("VRFY alice\r\n") == "530 5.7.0 Must issue a STARTTLS command first\r\n");
    CHECK(h.send("NOOP\r\n") == "250 2.0.0 Ok\r\n");
    h.send("STARTTLS\r\n");
    h.s->on_tls_established();
    CHECK(h.send("EHLO c\r\n").find("250 AUTH PLAIN LOGIN") != std::string::npos);
    CHECK(h.send("MAIL FROM:<a@b.c>\r\n") == "250 2.1.0 Ok\r\n");
  }

  TEST_CASE("implicit TLS session says ESMTPS and never offers STARTTLS") {
    Harness h;
    h.settings.tls_available = true;
    h.settings.implicit_tls = true;
    h.open();
    CHECK(h.send("EHLO c\r\n").find("STARTTLS") == std::string::npos);
  }

  TEST_CASE("AUTH PLAIN with and without initial response; wrong password 535") {
    Harness h;
    h.open();
    h.send("EHLO c\r\n");
    std::string good = base64_encode(std::string("\0alice\0alice", 12));
    std::string bad = base64_encode(std::string("\0alice\0wrong", 12));
    CHECK(h.send("AUTH PLAIN " + bad + "\r\n") == "535 5.7.8 Error: authentication failed\r\n");
    CHECK(h.send("AUTH PLAIN\r\n") == "334 \r\n");
    CHECK(h.send(good + "\r\n") == "235 2.7.0 Authentication successful\r\n");
    CHECK(h.send("AUTH PLAIN " + good + "\r\n") == "503 5.5.1 Error: already authenticated\r\n");
    h.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<bob>\r\nDATA\r\n");
    CHECK(h.send("x\r\n.\r\n") == "250 2.0.0 Ok: queued as QID1\r\n");
    CHECK(h.sink.got.at(0).protocol == "ESMTPA");
  }

  TEST_CASE("AUTH PLAIN accepts a full address as the login") {
    Harness h;
    h.open();
    h.send("EHLO c\r\n");
    std::string creds = base64_encode(std::string("\0Bob@example.org\0bob", 20));
    CHECK(h.send("AUTH PLAIN " + creds + "\r\n") == "235 2.7.0 Authentication successful\r\n");
  }

  TEST_CASE("AUTH LOGIN dialogue, cancel, bad base64, unknown mechanism") {
    Harness h;
    h.open();
    CHECK(h.send("AUTH LOGIN\r\n") == "503 5.5.1 Error: send HELO/EHLO first\r\n");
    h.send("EHLO c\r\n");
    CHECK(h.send("AUTH CRAM-MD5\r\n") == "504 5.5.4 Error: unsupported authentication mechanism\r\n");
    CHECK(h.send("AUTH LOGIN\r\n") == "334 VXNlcm5hbWU6\r\n");
    CHECK(h.send("*\r\n") == "501 5.7.0 Error: authentication aborted\r\n");
    CHECK(h.send("AUTH LOGIN\r\n") == "334 VXNlcm5hbWU6\r\n");
    CHECK(h.send("!!!\r\n") == "501 5.5.2 Error: cannot decode response\r\n");
    CHECK(h.send("AUTH LOGIN\r\n") == "334 VXNlcm5hbWU6\r\n");
    CHECK(h.send(base64_encode("alice") + "\r\n") == "334 UGFzc3dvcmQ6\r\n");
    CHECK(h.send(base64_encode("alice") + "\r\n") == "235 2.7.0 Authentication successful\r\n");
  }

  TEST_CASE("require-auth: 530 at MAIL until AUTH") {
    Harness h;
    h.settings.require_auth = true;
    h.open();
    h.helo();
    CHECK(h.send("MAIL FROM:<a@b.c>\r\n") == "530 5.7.0 Authentication required\r\n");
  }

  TEST_CASE("fault: --refuse-auth fails correct credentials") {
    Harness h;
    h.faults.refuse_auth = true;
    h.open();
    h.send("EHLO c\r\n");
    CHECK(h.send("AUTH PLAIN " + base64_encode(std::string("\0alice\0alice", 12)) + "\r\n") ==
          "535 5.7.8 Error: authentication failed\r\n");
  }

  TEST_CASE("fault: --smtp-reply at RCPT, DATA, DOT, EHLO, GREETING") {
    Harness h;
    REQUIRE(h.faults.add_smtp_reply("RCPT=450 4.2.0 try later"));
    REQUIRE(h.faults.add_smtp_reply("dot=554 5.7.1 rejected as spam"));
    h.open();
    h.helo();
    h.send("MAIL FROM:<a@b.c>\r\n");
    CHECK(h.send("RCPT TO:<alice>\r\n") == "450 4.2.0 try later\r\n");
    Harness g;
    REQUIRE(g.faults.add_smtp_reply("DOT=554 5.7.1 rejected as spam"));
    g.open();
    g.envelope();
    CHECK(g.send("x\r\n.\r\n") == "554 5.7.1 rejected as spam\r\n");
    CHECK(g.sink.got.empty());
    Harness e;
    REQUIRE(e.faults.add_smtp_reply("EHLO=421 4.3.0 go away"));
    REQUIRE(e.faults.add_smtp_reply("DATA=451 4.3.0 later"));
    e.open();
    CHECK(e.send("EHLO c\r\n") == "421 4.3.0 go away\r\n");
    Harness gr;
    REQUIRE(gr.faults.add_smtp_reply("GREETING=554 5.3.2 no service"));
    CHECK(gr.open() == "554 5.3.2 no service\r\n");
    CHECK(gr.send("EHLO c\r\n") == "503 5.5.1 Error: no service, send QUIT\r\n");
    CHECK(gr.send("QUIT\r\n") == "221 2.0.0 Bye\r\n");
  }

  TEST_CASE("BDAT (RFC 3030): MAIL, RCPT and a LAST chunk in one flight, stored as sent, no unstuffing") {
    Harness h;
    h.open();
    h.send("EHLO client.test\r\n");
    const std::string msg = "Subject: t\r\n\r\n.dot stays\r\nno dot line\r\n";
    CHECK(h.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<alice>\r\nBDAT " + std::to_string(msg.size()) + " LAST\r\n" + msg) ==
          "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok: queued as QID1\r\n");
    REQUIRE(h.sink.got.size() == 1);
    CHECK(h.sink.got[0].data == msg);
    // The session goes on: a second transaction, this one with DATA.
    CHECK(h.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<alice>\r\nDATA\r\n") ==
          "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
  }

  TEST_CASE("BDAT: a chunk split across reads and over several BDATs; a '.' line or CRLF.CRLF inside is data") {
    Harness h;
    h.open();
    h.envelope_chunked();
    CHECK(h.send("BDAT 9\r\nA: b\r\n") == "");  // 6 of 9 octets
    CHECK(h.send("\r\n.") == "250 2.0.0 Ok: 9 octets received\r\n");
    CHECK(h.send("BDAT 11 LAST\r\n\r\n.\r\nQUIT\r\n") == "250 2.0.0 Ok: queued as QID1\r\n");
    REQUIRE(h.sink.got.size() == 1);
    CHECK(h.sink.got[0].data == "A: b\r\n\r\n.\r\n.\r\nQUIT\r\n");
    CHECK_FALSE(h.s->wants_close());  // the QUIT inside the chunk was data
  }

  TEST_CASE("BDAT refused: the chunk is still read off, and nothing of it is taken as commands") {
    Harness h;
    h.open();
    h.helo();
    // No MAIL: 503 after the chunk, which holds a would-be command.
    CHECK(h.send("BDAT 6 LAST\r\nQUIT\r\n") == "503 5.5.1 Error: need MAIL command\r\n");
    CHECK_FALSE(h.s->wants_close());
    // RCPT refused, BDAT pipelined behind it: 503, nothing stored.
    CHECK(h.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<nobody@else.test>\r\nBDAT 3 LAST\r\nx\r\n") ==
          "250 2.1.0 Ok\r\n550 5.1.1 <nobody@else.test>: Recipient address rejected: User unknown in local "
          "recipient table\r\n503 5.5.1 Error: need RCPT command\r\n");
    CHECK(h.sink.got.empty());
    CHECK(h.send("NOOP\r\n") == "250 2.0.0 Ok\r\n");
    // DATA after a chunk in the same transaction (§2).
    h.send("RSET\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<alice>\r\n");
    CHECK(h.send("BDAT 3\r\nx\r\n") == "250 2.0.0 Ok: 3 octets received\r\n");
    CHECK(h.send("DATA\r\n") == "503 5.5.1 Error: DATA after BDAT in one transaction\r\n");
  }

  TEST_CASE("BDAT: the DATA rules hold for the assembled message; a bad size closes; --no-chunking") {
    Harness h;
    h.open();
    h.envelope_chunked();
    CHECK(h.send("BDAT 5 LAST\r\na\nb\r\n") == "554 5.6.0 Error: bare LF in message data (RFC 5321 section 2.3.8)\r\n");
    h.envelope_chunked(false);
    CHECK(h.send("BDAT 2001 LAST\r\n" + std::string(1999, 'x') + "\r\n") ==
          "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
    h.envelope_chunked(false);
    CHECK(h.send("BDAT 2 LAST\r\na") == "");
    CHECK(h.send("b") == "250 2.0.0 Ok: queued as QID1\r\n");
    CHECK(h.sink.got.back().data == "ab\r\n");  // a final CRLF added to store lines
    CHECK(h.send("BDAT ten LAST\r\n") == "501 5.5.4 Syntax: BDAT chunk-size [LAST]\r\n");
    CHECK(h.s->wants_close());
    Harness n;
    n.faults.no_chunking = true;
    n.open();
    CHECK(n.send("EHLO c\r\n").find("CHUNKING") == std::string::npos);
    n.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<alice>\r\n");
    CHECK(n.send("BDAT 3 LAST\r\nx\r\n") == "502 5.5.1 Error: BDAT not offered (CHUNKING was not advertised)\r\n");
    CHECK(n.s->wants_close());
    CHECK(n.sink.got.empty());
  }

  TEST_CASE("fault: --smtp-reply BDAT answers a chunk after reading it; DOT answers BDAT LAST") {
    Harness h;
    REQUIRE(h.faults.add_smtp_reply("BDAT=452 4.3.1 full"));
    h.open();
    h.envelope_chunked();
    CHECK(h.send("BDAT 3 LAST\r\nx\r\n") == "452 4.3.1 full\r\n");
    CHECK(h.sink.got.empty());
    Harness g;
    REQUIRE(g.faults.add_smtp_reply("DOT=554 5.7.1 rejected as spam"));
    g.open();
    g.envelope_chunked();
    CHECK(g.send("BDAT 3 LAST\r\nx\r\n") == "554 5.7.1 rejected as spam\r\n");
    CHECK(g.sink.got.empty());
  }

  TEST_CASE("fault: --smtp-drop closes without a reply, DOT drop stores nothing") {
    Harness h;
    REQUIRE(h.faults.add_smtp_drop("mail"));
    h.open();
    h.helo();
    CHECK(h.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<alice>\r\n") == "");
    CHECK(h.s->wants_close());
    Harness g;
    REQUIRE(g.faults.add_smtp_drop("DOT"));
    g.open();
    g.envelope();
    CHECK(g.send("x\r\n.\r\n") == "");
    CHECK(g.s->wants_close());
    CHECK(g.sink.got.empty());
    Harness gr;
    REQUIRE(gr.faults.add_smtp_drop("GREETING"));
    CHECK(gr.open() == "");
    CHECK(gr.s->wants_close());
  }

  TEST_CASE("idle timeout and shutdown send 421 and close") {
    Harness h;
    h.open();
    h.s->on_idle_timeout();
    CHECK(h.s->take_output() == "421 4.4.2 mx.test Error: timeout exceeded\r\n");
    CHECK(h.s->wants_close());
    Harness g;
    g.open();
    g.s->on_shutdown();
    CHECK(g.s->take_output() == "421 4.3.2 mx.test Service shutting down\r\n");
  }

  TEST_CASE("bytes split at every position still parse") {
    std::string script = "EHLO c\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<alice>\r\nDATA\r\n.x\r\n\r\n.\r\n";
    for (std::size_t cut = 1; cut < script.size(); ++cut) {
      Harness h;
      h.open();
      h.send(script.substr(0, cut));
      h.send(script.substr(cut));
      REQUIRE(h.sink.got.size() == 1);
      CHECK(h.sink.got[0].data == "x\r\n\r\n");
    }
  }
}
