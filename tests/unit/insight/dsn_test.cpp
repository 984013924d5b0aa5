#include <doctest/doctest.h>

#include "insight/dsn.hpp"
#include "insight/mime_decode.hpp"

using namespace mailprobe::insight;

namespace {

const char* kToken = "0123456789abcdef0123456789abcdef";

// Postfix's bounce (bounce(8)), as delivered to the sender.
const char* kPostfixBounce =
    "Return-Path: <>\r\n"
    "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n"
    "Subject: Undelivered Mail Returned to Sender\r\n"
    "To: alice@example.net\r\n"
    "Auto-Submitted: auto-replied\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status;\r\n"
    "\tboundary=\"4Xy7Qd1Nz2z1xvP.1749031201/mx.example.net\"\r\n"
    "\r\n"
    "This is a MIME-encapsulated message.\r\n"
    "\r\n"
    "--4Xy7Qd1Nz2z1xvP.1749031201/mx.example.net\r\n"
    "Content-Description: Notification\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "I'm sorry to have to inform you that your message could not\r\n"
    "be delivered to one or more recipients.\r\n"
    "\r\n"
    "<nobody@example.net>: host lmtp.example.net[127.0.0.1] said: 550 5.1.1\r\n"
    "    <nobody@example.net> User doesn't exist: nobody@example.net (in reply to RCPT TO command)\r\n"
    "\r\n"
    "--4Xy7Qd1Nz2z1xvP.1749031201/mx.example.net\r\n"
    "Content-Description: Delivery report\r\n"
    "Content-Type: message/delivery-status\r\n"
    "\r\n"
    "Reporting-MTA: dns; mx.example.net\r\n"
    "X-Postfix-Queue-ID: 4Xy7Qd1Nz2z1xvP\r\n"
    "Arrival-Date: Wed,  4 Jun 2025 12:00:01 +0200 (CEST)\r\n"
    "\r\n"
    "Final-Recipient: rfc822; nobody@example.net\r\n"
    "Original-Recipient: rfc822;nobody@example.net\r\n"
    "Action: failed\r\n"
    "Status: 5.1.1\r\n"
    "Remote-MTA: dns; lmtp.example.net\r\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.net> User doesn't exist:\r\n"
    "    nobody@example.net\r\n"
    "\r\n"
    "--4Xy7Qd1Nz2z1xvP.1749031201/mx.example.net\r\n"
    "Content-Description: Undelivered Message Headers\r\n"
    "Content-Type: text/rfc822-headers\r\n"
    "\r\n"
    "Subject: [e2e email monitoring] 0123456789abcdef0123456789abcdef\r\n"
    "X-Mailprobe-Token: 0123456789abcdef0123456789abcdef\r\n"
    "\r\n"
    "--4Xy7Qd1Nz2z1xvP.1749031201/mx.example.net--\r\n";

// OpenSMTPD 6.8's bounce (smtpd/bounce.c): multipart/mixed, not
// multipart/report; the delivery-status part has only the generic
// "Status: 5.0.0" and no Diagnostic-Code; the remote reply is in the text.
const char* kOpenSmtpdBounce =
    "Return-Path: <>\r\n"
    "Received: from localhost (localhost [127.0.0.1])\r\n"
    "\tby mx.example.org (OpenSMTPD) with ESMTPSA id 4f1c2a0e\r\n"
    "\tfor <alice@example.org>; Mon, 3 Nov 2025 10:00:02 +0000 (UTC)\r\n"
    "Subject: Delivery status notification: failed\r\n"
    "From: Mailer Daemon <MAILER-DAEMON@mx.example.org>\r\n"
    "To: alice@example.org\r\n"
    "Date: Mon, 3 Nov 2025 10:00:02 +0000 (UTC)\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed;boundary=\"16939012345678901234/mx.example.org\"\r\n"
    "\r\n"
    "This is a MIME-encapsulated message.\r\n"
    "\r\n"
    "--16939012345678901234/mx.example.org\r\n"
    "Content-Description: Notification\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "Hi!\r\n"
    "\r\n"
    "This is the MAILER-DAEMON, please DO NOT REPLY to this email.\r\n"
    "\r\n"
    "An error has occurred while attempting to deliver a message for\r\n"
    "the following list of recipients:\r\n"
    "\r\n"
    "nobody@example.net: 550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown\r\n"
    "\r\n"
    "Below is a copy of the original message:\r\n"
    "\r\n"
    "--16939012345678901234/mx.example.org\r\n"
    "Content-Description: Delivery Report\r\n"
    "Content-Type: message/delivery-status\r\n"
    "\r\n"
    "Reporting-MTA: dns; mx.example.org\r\n"
    "\r\n"
    "Final-Recipient: rfc822; nobody@example.net\r\n"
    "Action: failed\r\n"
    "Status: 5.0.0\r\n"
    "\r\n"
    "--16939012345678901234/mx.example.org\r\n"
    "Content-Description: Message headers\r\n"
    "Content-Type: text/rfc822-headers\r\n"
    "\r\n"
    "Subject: [e2e email monitoring] 0123456789abcdef0123456789abcdef\r\n"
    "X-Mailprobe-Token: 0123456789abcdef0123456789abcdef\r\n"
    "\r\n"
    "--16939012345678901234/mx.example.org--\r\n";

}  // namespace

TEST_CASE("dsn: Postfix multipart/report with text/rfc822-headers") {
  auto b = bounce_for_token(kPostfixBounce, kToken);
  REQUIRE(b);
  CHECK(b->standard);
  CHECK(b->status == "5.1.1");
  CHECK(b->action == "failed");
  CHECK(b->final_recipient == "rfc822; nobody@example.net");
  CHECK(b->diagnostic_code == "smtp; 550 5.1.1 <nobody@example.net> User doesn't exist:    nobody@example.net");
  CHECK(b->smtp_code == 550);
  CHECK_FALSE(bounce_for_token(kPostfixBounce, "ffffffffffffffffffffffffffffffff"));
  CHECK_FALSE(bounce_for_token(kPostfixBounce, ""));
  CHECK(bounce_for_token(kPostfixBounce, "0123456789ABCDEF0123456789ABCDEF"));  // case-insensitive
}

TEST_CASE("dsn: Gmail-style unquoted boundary, base64 original in message/rfc822, delayed") {
  std::string inner = "Subject: probe\r\nX-Mailprobe-Token: 0123456789abcdef0123456789abcdef\r\n\r\nhi\r\n";
  // base64 of inner, folded at 76 like MUAs do
  std::string b64 =
      "U3ViamVjdDogcHJvYmUNClgtTWFpbHByb2JlLVRva2VuOiAwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1\r\n"
      "Njc4OWFiY2RlZg0KDQpoaQ0K\r\n";
  REQUIRE(decode_base64(b64) == inner);
  std::string raw =
      "Subject: Delivery Status Notification (Delay)\r\n"
      "Content-Type: multipart/report; boundary=000000000000a1b2c3; report-type=\"delivery-status\"\r\n"
      "\r\n"
      "--000000000000a1b2c3\r\n"
      "Content-Type: text/plain; charset=\"UTF-8\"\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "Delivery incomplete =E2=80=94 we'll keep trying.\r\n"
      "--000000000000a1b2c3\r\n"
      "Content-Type: message/delivery-status\r\n"
      "\r\n"
      "Reporting-MTA: dns; googlemail.com\r\n"
      "\r\n"
      "Final-Recipient: rfc822; x@y.example\r\n"
      "Action: delayed\r\n"
      "Status: 4.4.1\r\n"
      "Diagnostic-Code: smtp; 421 4.4.1 Connection timed out\r\n"
      "\r\n"
      "--000000000000a1b2c3\r\n"
      "Content-Type: message/rfc822\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n" +
      b64 + "--000000000000a1b2c3--\r\n";
  auto b = bounce_for_token(raw, kToken);
  REQUIRE(b);
  CHECK(b->standard);
  CHECK(b->action == "delayed");
  CHECK(b->status == "4.4.1");
  CHECK(b->smtp_code == 421);
}

TEST_CASE("dsn: Exim non-standard 'Mail delivery failed' text bounce") {
  std::string raw =
      "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\r\n"
      "Subject: Mail delivery failed: returning message to sender\r\n"
      "Content-Type: text/plain\r\n"
      "\r\n"
      "This message was created automatically by mail delivery software.\r\n"
      "\r\n"
      "A message that you sent could not be delivered to one or more of its\r\n"
      "recipients. This is a permanent error. The following address(es) failed:\r\n"
      "\r\n"
      "  nobody@example.com\r\n"
      "    host mx.example.com [2001:db8::25]\r\n"
      "    SMTP error from remote mail server after RCPT TO:<nobody@example.com>:\r\n"
      "    550-5.1.1 The email account that you tried to reach does not exist.\r\n"
      "\r\n"
      "------ This is a copy of the message, including all the headers. ------\r\n"
      "\r\n"
      "X-Mailprobe-Token: 0123456789abcdef0123456789abcdef\r\n";
  auto b = bounce_for_token(raw, kToken);
  REQUIRE(b);
  CHECK_FALSE(b->standard);
  CHECK(b->status == "5.1.1");
  CHECK(b->smtp_code == 550);
  CHECK(b->diagnostic_code == "smtp; 550-5.1.1 The email account that you tried to reach does not exist.");
  CHECK(b->action.empty());
}

TEST_CASE("dsn: ordinary mail mentioning the token is not a bounce") {
  std::string raw = "Subject: [e2e email monitoring] 0123456789abcdef0123456789abcdef\r\n\r\n550 5.1.1 lookalike\r\n";
  CHECK_FALSE(parse_bounce(raw));
  CHECK_FALSE(bounce_for_token(raw, kToken));
  std::string probe_like = "Subject: Mail delivery failed 0123456789abcdef0123456789abcdef\r\n"
                           "X-Mailprobe-Token: 0123456789abcdef0123456789abcdef\r\n\r\n550 5.1.1 x\r\n";
  CHECK_FALSE(bounce_for_token(probe_like, kToken));  // the probe itself, whatever its prefix says
}

TEST_CASE("dsn: quoted-printable Diagnostic-Code and nested multipart inside message/rfc822") {
  std::string raw =
      "Subject: Undeliverable: probe\r\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"outer\"\r\n"
      "\r\n"
      "--outer\r\n"
      "Content-Type: message/delivery-status\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "Final-Recipient: rfc822;x@y.example\r\n"
      "Action: failed\r\n"
      "Status: 5.7.1\r\n"
      "Diagnostic-Code: smtp;550 5.7.1 Message rejected as spam =3D policy\r\n"
      "\r\n"
      "--outer\r\n"
      "Content-Type: message/rfc822\r\n"
      "\r\n"
      "Subject: probe\r\n"
      "Content-Type: multipart/alternative; boundary=inner\r\n"
      "\r\n"
      "--inner\r\n"
      "Content-Type: text/plain\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\r\n"
      "--inner--\r\n"
      "--outer--\r\n";
  auto b = bounce_for_token(raw, kToken);  // the token only appears base64-encoded
  REQUIRE(b);
  CHECK(b->status == "5.7.1");
  CHECK(b->diagnostic_code == "smtp;550 5.7.1 Message rejected as spam = policy");
  CHECK(b->smtp_code == 550);
}

TEST_CASE("dsn: OpenSMTPD multipart/mixed with a message/delivery-status part") {
  auto b = bounce_for_token(kOpenSmtpdBounce, kToken);
  REQUIRE(b);
  CHECK_FALSE(b->standard);  // not multipart/report, yet a DSN by its status part
  CHECK(b->action == "failed");
  CHECK(b->status == "5.1.1");  // the text's 550 5.1.1 is more specific than Status: 5.0.0
  CHECK(b->smtp_code == 550);
  CHECK(b->final_recipient == "rfc822; nobody@example.net");
  CHECK(is_delivery_failure(*b));
}

TEST_CASE("dsn: any message/delivery-status part makes a DSN, whatever the subject") {
  std::string raw = kOpenSmtpdBounce;
  auto at = raw.find("Delivery status notification: failed");
  raw.replace(at, 36, "Returned to you");
  auto b = bounce_for_token(raw, kToken);
  REQUIRE(b);
  CHECK(b->action == "failed");
}

TEST_CASE("dsn: the most specific status of the same class wins") {
  auto dsn = [](const std::string& status, const std::string& diagnostic) {
    return "Subject: x\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
           "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
           "Final-Recipient: rfc822; x@y\r\nAction: failed\r\nStatus: " + status + "\r\n" +
           (diagnostic.empty() ? "" : "Diagnostic-Code: " + diagnostic + "\r\n") + "\r\n--b--\r\n";
  };
  CHECK(parse_bounce(dsn("5.0.0", "smtp; 550 5.1.1 <x@y>: unknown"))->status == "5.1.1");
  CHECK(parse_bounce(dsn("5.0.0", "smtp; 550-5.7.26 unauthenticated"))->status == "5.7.26");
  CHECK(parse_bounce(dsn("5.1.0", "smtp; 550 5.1.1 gone"))->status == "5.1.1");
  CHECK(parse_bounce(dsn("5.1.1", "smtp; 550 5.0.0 generic"))->status == "5.1.1");   // never less specific
  CHECK(parse_bounce(dsn("5.0.0", "smtp; 450 4.2.2 full"))->status == "5.0.0");     // another class
  CHECK(parse_bounce(dsn("5.0.0", "x-unix; no such user"))->status == "5.0.0");     // nothing to refine
  CHECK(parse_bounce(dsn("5.0.0", ""))->status == "5.0.0");
}

TEST_CASE("mime decode helpers") {
  CHECK(decode_quoted_printable("a=3Db=\r\nc=ZZ=") == "a=bc=ZZ=");
  CHECK(decode_base64("aGVsbG8=") == "hello");
  CHECK(decode_base64("aGVs\r\nbG8=") == "hello");
  CHECK(decode_base64("!!!!") == "");
  CHECK(content_type_param("multipart/report; report-type=delivery-status; boundary=\"a;b\"", "boundary") == "a;b");
  CHECK(content_type_param("multipart/mixed; BOUNDARY=abc", "boundary") == "abc");
  CHECK(content_type_param("text/plain", "boundary").empty());
  CHECK(media_type(" Multipart/Report ; x=y") == "multipart/report");
  CHECK(media_type("") == "text/plain");
}

TEST_CASE("dsn: only a permanent failure fails the probe; delay notices do not") {
  using mailprobe::insight::Bounce;
  using mailprobe::insight::is_delivery_failure;
  Bounce failed;
  failed.action = "failed";
  failed.status = "5.1.1";
  CHECK(is_delivery_failure(failed));
  Bounce delayed;
  delayed.action = "delayed";
  delayed.status = "4.4.1";
  CHECK_FALSE(is_delivery_failure(delayed));
  Bounce text_only;  // non-standard bounce text with a 5xx status
  text_only.status = "5.0.0";
  CHECK(is_delivery_failure(text_only));
  Bounce temp;
  temp.status = "4.2.0";
  CHECK_FALSE(is_delivery_failure(temp));
}
