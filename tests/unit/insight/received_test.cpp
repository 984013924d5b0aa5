#include <doctest/doctest.h>

#include "insight/received.hpp"
#include "time_helpers.hpp"

using namespace mailprobe::insight;
using mailprobe::insight::test::utc;
using std::chrono::microseconds;
using std::chrono::seconds;

namespace {

// A probe's trip as the local test stack writes it: Postfix submission →
// Postfix → Dovecot LMTP. Top = newest.
const char* kPostfixDovecot =
    "Return-Path: <alice@mailprobe.test>\r\n"
    "Delivered-To: bob@mailprobe.test\r\n"
    "Received: from mx.mailprobe.test\r\n"
    "\tby mx.mailprobe.test with LMTP\r\n"
    "\tid kHcKBzKMYGXvLQAAdTHVTA\r\n"
    "\t(envelope-from <alice@mailprobe.test>)\r\n"
    "\tfor <bob@mailprobe.test>; Sun, 22 Nov 2026 18:17:09 +0000\r\n"
    "Received: from localhost (localhost [127.0.0.1])\r\n"
    "\tby mx.mailprobe.test (Postfix) with ESMTPS id 4cZb2x0F3Xz9sWq\r\n"
    "\tfor <bob@mailprobe.test>; Sun, 22 Nov 2026 18:17:07 +0000 (UTC)\r\n"
    "Subject: [e2e email monitoring] 0123456789abcdef0123456789abcdef\r\n"
    "\r\n"
    "body\r\n";

}  // namespace

TEST_CASE("received: Postfix + Dovecot LMTP, oldest hop first, delays and ids") {
  auto rep = analyse_received(kPostfixDovecot, utc(2026, 11, 22, 18, 17, 6) + microseconds(700000));
  REQUIRE(rep.hop_count == 2);
  const Hop& first = rep.hops[0];
  CHECK(first.from == "localhost");
  CHECK(first.from_info == "localhost [127.0.0.1]");
  CHECK(first.by == "mx.mailprobe.test");
  CHECK(first.by_info == "Postfix");
  CHECK(first.with == "ESMTPS");
  CHECK(first.id == "4cZb2x0F3Xz9sWq");
  CHECK(first.for_addr == "bob@mailprobe.test");
  CHECK(first.timestamp == utc(2026, 11, 22, 18, 17, 7));
  CHECK(first.delay == microseconds(seconds(1)));  // submit time floored to 18:17:06
  const Hop& last = rep.hops[1];
  CHECK(last.with == "LMTP");
  CHECK(last.id == "kHcKBzKMYGXvLQAAdTHVTA");
  CHECK(last.for_addr == "bob@mailprobe.test");
  CHECK(last.delay == microseconds(seconds(2)));
  CHECK(rep.slowest_index == std::size_t{1});
  CHECK(rep.slowest_delay == microseconds(seconds(2)));
  CHECK_FALSE(rep.clock_skew);
  CHECK(rep.receiving_ids == std::vector<std::string>{"4cZb2x0F3Xz9sWq", "kHcKBzKMYGXvLQAAdTHVTA"});
}

TEST_CASE("received: without a submit time the first hop has no delay") {
  auto rep = analyse_received(kPostfixDovecot);
  REQUIRE(rep.hop_count == 2);
  CHECK_FALSE(rep.hops[0].delay);
  CHECK(rep.hops[1].delay == microseconds(seconds(2)));
}

TEST_CASE("received: Exim with IPv6 literal and TLS info") {
  auto h = parse_received_value(
      "from mail-ed1-x52e.google.com ([2a00:1450:4864:20::52e]:44417)\r\n"
      "\tby mx1.example.net with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384\r\n"
      "\t(Exim 4.96)\r\n"
      "\t(envelope-from <sender@gmail.com>)\r\n"
      "\tid 1uLqXg-00GZ2n-0m\r\n"
      "\tfor user@example.net;\r\n"
      "\tTue, 03 Jun 2025 09:14:27 +0100");
  CHECK(h.from == "mail-ed1-x52e.google.com");
  CHECK(h.from_info == "[2a00:1450:4864:20::52e]:44417");
  CHECK(h.by == "mx1.example.net");
  CHECK(h.with == "esmtps");
  CHECK(h.id == "1uLqXg-00GZ2n-0m");
  CHECK(h.for_addr == "user@example.net");
  CHECK(h.timestamp == utc(2025, 6, 3, 8, 14, 27));
}

TEST_CASE("received: Postfix with an IPv6 client and a bracketed IPv6 from-domain") {
  auto h = parse_received_value(
      "from mail.example.org (mail.example.org [IPv6:2001:db8:1:2::25])\r\n"
      " (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n"
      "  key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\r\n"
      " (No client certificate requested)\r\n"
      " by mx.example.net (Postfix) with ESMTPS id 4Xy7Qd1Nz2z1xvP\r\n"
      " for <ops@example.net>; Wed,  4 Jun 2025 12:00:01 +0200 (CEST)");
  CHECK(h.from_info == "mail.example.org [IPv6:2001:db8:1:2::25]");
  CHECK(h.by == "mx.example.net");
  CHECK(h.id == "4Xy7Qd1Nz2z1xvP");
  CHECK(h.timestamp == utc(2025, 6, 4, 10, 0, 1));
  auto g = parse_received_value("from [IPv6:::1] (localhost [IPv6:::1]) by x.example with ESMTPSA; 4 Jun 2025 10:00:01 GMT");
  CHECK(g.from == "[IPv6:::1]");
  CHECK(g.from_info == "localhost [IPv6:::1]");
  CHECK(g.with == "ESMTPSA");
  CHECK(g.timestamp == utc(2025, 6, 4, 10, 0, 1));
}

TEST_CASE("received: Gmail by-only hop with an IPv6 address and SMTP id") {
  auto h = parse_received_value(
      "by 2002:a05:6a10:e0cf:b0:5c5:8bb5:3fd with SMTP id hk15csp2339402pxb;\r\n"
      "        Tue, 2 Nov 2021 07:12:34 -0700 (PDT)");
  CHECK(h.from.empty());
  CHECK(h.by == "2002:a05:6a10:e0cf:b0:5c5:8bb5:3fd");
  CHECK(h.with == "SMTP");
  CHECK(h.id == "hk15csp2339402pxb");
  CHECK(h.timestamp == utc(2021, 11, 2, 14, 12, 34));
}

TEST_CASE("received: Outlook / Exchange Online with 'via' and a semicolon-free comment") {
  auto h = parse_received_value(
      "from AM6PR04MB5432.eurprd04.prod.outlook.com (2603:10a6:20b:fe::19) by\r\n"
      " DB9PR04MB8123.eurprd04.prod.outlook.com (2603:10a6:10:2c3::7) with\r\n"
      " Microsoft SMTP Server (version=TLS1_2,\r\n"
      " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8792.34; Thu, 5 Jun\r\n"
      " 2025 07:41:12 +0000");
  CHECK(h.from == "AM6PR04MB5432.eurprd04.prod.outlook.com");
  CHECK(h.from_info == "2603:10a6:20b:fe::19");
  CHECK(h.by == "DB9PR04MB8123.eurprd04.prod.outlook.com");
  CHECK(h.by_info == "2603:10a6:10:2c3::7");
  CHECK(h.with == "Microsoft");  // the first word: RFC 5321's With is one atom
  CHECK(h.id == "15.20.8792.34");
  CHECK(h.timestamp == utc(2025, 6, 5, 7, 41, 12));
  auto v = parse_received_value(
      "from DB8PR06CA0012.eurprd06.prod.outlook.com (2603:10a6:10:100::25) by AM0PR04MB6001.eurprd04.prod.outlook.com "
      "(2603:10a6:208:11b::22) with Microsoft SMTP Server id 15.20.4649.14 via Frontend Transport; Tue, 2 Nov 2021 "
      "14:12:35 +0000");
  CHECK(v.via == "Frontend");
  CHECK(v.id == "15.20.4649.14");
}

TEST_CASE("received: the date is after the LAST semicolon outside comments") {
  auto h = parse_received_value("from a (x; y) by b with ESMTP id Q1; foo; Mon, 2 Jun 2025 10:00:00 +0000");
  CHECK(h.from_info == "x; y");
  CHECK(h.id == "Q1");
  CHECK(h.timestamp == utc(2025, 6, 2, 10, 0, 0));
  auto q = parse_received_value("(qmail 12345 invoked by uid 89); 2 Jun 2025 10:00:00 -0000");
  CHECK(q.from.empty());
  CHECK(q.timestamp == utc(2025, 6, 2, 10, 0, 0));
  auto none = parse_received_value("from a by b with SMTP");
  CHECK_FALSE(none.timestamp);
  auto bad = parse_received_value("from a by b; not a date");
  CHECK_FALSE(bad.timestamp);
}

TEST_CASE("received: negative delay is reported as clock skew, not clamped") {
  std::string raw =
      "Received: by c.example with LMTP id C3; Mon, 2 Jun 2025 10:00:05 +0000\r\n"
      "Received: from b.example by b2.example with ESMTP id B2; Mon, 2 Jun 2025 10:00:30 +0000\r\n"
      "Received: from a.example by b.example with ESMTP id B2; Mon, 2 Jun 2025 10:00:00 +0000\r\n"
      "\r\n";
  auto rep = analyse_received(raw);
  REQUIRE(rep.hop_count == 3);
  CHECK(rep.hops[1].delay == microseconds(seconds(30)));
  CHECK(rep.hops[2].delay == microseconds(seconds(-25)));
  CHECK(rep.clock_skew);
  CHECK(rep.slowest_index == std::size_t{1});
  CHECK(rep.receiving_ids == std::vector<std::string>{"B2", "C3"});  // duplicates dropped
}

TEST_CASE("received: a hop without a date breaks the delay chain on both sides") {
  std::string raw =
      "Received: by c with LMTP; Mon, 2 Jun 2025 10:00:09 +0000\r\n"
      "Received: by b with ESMTP\r\n"
      "Received: by a with ESMTP; Mon, 2 Jun 2025 10:00:00 +0000\r\n\r\n";
  auto rep = analyse_received(raw);
  REQUIRE(rep.hop_count == 3);
  CHECK_FALSE(rep.hops[1].delay);
  CHECK_FALSE(rep.hops[2].delay);
  CHECK_FALSE(rep.slowest_index);
}

TEST_CASE("received: no Received fields, and the hop cap") {
  CHECK(analyse_received("Subject: x\r\n\r\n").hop_count == 0);
  std::string many;
  for (int i = 0; i < 500; ++i) many += "Received: by h" + std::to_string(i) + "; 2 Jun 2025 10:00:00 +0000\r\n";
  auto rep = analyse_received(many);
  CHECK(rep.hop_count == kMaxHops);
  CHECK(rep.hops.back().by == "h0");  // the newest (top) hops are kept
}
