#include "serve/imap_session.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "imap_harness.hpp"
#include "serve/sasl.hpp"

using namespace mailprobe;
using namespace mailprobe::serve;
using mailprobe::serve::test::Harness;

namespace {

const char* kCaps = "IMAP4rev1 LITERAL+ SASL-IR ID NAMESPACE UNSELECT UIDPLUS MOVE SPECIAL-USE IDLE";

std::string msg(const std::string& subject, const std::string& extra = {}) {
  return "From: a@b.test\r\nSubject: " + subject + "\r\n" + extra + "\r\nbody of " + subject + "\r\n";
}

}  // namespace

TEST_SUITE("serve::imap_session") {
  TEST_CASE("greeting, CAPABILITY, LOGIN, LOGOUT") {
    Harness h;
    CHECK(h.open() == std::string("* OK [CAPABILITY ") + kCaps + " AUTH=PLAIN] imap.test mailprobe IMAP4rev1 ready\r\n");
    CHECK(h.send("c CAPABILITY\r\n") == std::string("* CAPABILITY ") + kCaps + " AUTH=PLAIN\r\nc OK CAPABILITY completed\r\n");
    CHECK(h.send("a LOGIN alice wrong\r\n") == "a NO [AUTHENTICATIONFAILED] Authentication failed\r\n");
    CHECK(h.send("b SELECT INBOX\r\n") == "b BAD Command not valid in this state\r\n");
    CHECK(h.send("a LOGIN \"Alice@Example.org\" \"alice\"\r\n") == std::string("a OK [CAPABILITY ") + kCaps + "] Logged in\r\n");
    CHECK(h.send("z LOGOUT\r\n") == "* BYE Logging out\r\nz OK LOGOUT completed\r\n");
    CHECK(h.s->wants_close());
  }

  TEST_CASE("LOGIN with synchronizing and non-synchronizing literals") {
    Harness h;
    h.open();
    CHECK(h.send("a LOGIN {5}\r\n") == "+ Ready for literal data\r\n");
    CHECK(h.send("alice {5+}\r\nali") == "");
    CHECK(h.send("ce\r\n").find("a OK [CAPABILITY") == 0);
    CHECK(h.s->user() == "alice");
  }

  TEST_CASE("a literal may contain CRLF and quotes") {
    Harness h;
    h.users = Users::from_specs({"carol:p\"a\r\nss"}).value();
    h.store = MailStore::in_memory({"carol"});
    h.open();
    CHECK(h.send("a LOGIN carol {7}\r\n") == "+ Ready for literal data\r\n");
    CHECK(h.send("p\"a\r\nss\r\n").find("a OK") == 0);
  }

  TEST_CASE("AUTHENTICATE PLAIN with continuation, with SASL-IR, and cancelled") {
    Harness h;
    h.open();
    std::string creds = base64_encode(std::string("\0bob\0bob", 8));
    CHECK(h.send("a AUTHENTICATE PLAIN\r\n") == "+ \r\n");
    CHECK(h.send("*\r\n") == "a BAD AUTHENTICATE cancelled\r\n");
    CHECK(h.send("b AUTHENTICATE PLAIN\r\n") == "+ \r\n");
    CHECK(h.send(base64_encode(std::string("\0bob\0no", 7)) + "\r\n") == "b NO [AUTHENTICATIONFAILED] Authentication failed\r\n");
    CHECK(h.send("c AUTHENTICATE PLAIN " + creds + "\r\n").find("c OK [CAPABILITY") == 0);
    CHECK(h.s->user() == "bob");
    Harness g;
    g.open();
    CHECK(g.send("a AUTHENTICATE CRAM-MD5\r\n") == "a NO Unsupported authentication mechanism\r\n");
  }

  TEST_CASE("TLS required: LOGINDISABLED, LOGIN refused, STARTTLS, then AUTH=PLAIN") {
    Harness h;
    h.settings.tls_available = true;
    h.settings.require_tls = true;
    std::string greet = h.open();
    CHECK(greet.find("STARTTLS LOGINDISABLED]") != std::string::npos);
    CHECK(greet.find("AUTH=PLAIN") == std::string::npos);
    CHECK(h.send("a LOGIN alice alice\r\n") == "a NO [PRIVACYREQUIRED] Plaintext authentication disallowed without TLS\r\n");
    CHECK(h.send("b STARTTLS\r\nc LOGIN alice alice\r\n") == "b OK Begin TLS negotiation now\r\n");
    CHECK(h.s->wants_starttls());
    h.s->on_tls_established();
    CHECK(h.send("d CAPABILITY\r\n") == std::string("* CAPABILITY ") + kCaps + " AUTH=PLAIN\r\nd OK CAPABILITY completed\r\n");
    CHECK(h.send("e LOGIN alice alice\r\n").find("e OK") == 0);
  }

  TEST_CASE("STARTTLS unavailable; --no-starttls and --no-idle hide capabilities") {
    Harness h;
    h.open();
    CHECK(h.send("a STARTTLS\r\n") == "a BAD STARTTLS not available\r\n");
    Harness g;
    g.settings.tls_available = true;
    g.faults.no_starttls = true;
    g.faults.no_idle = true;
    std::string greet = g.open();
    CHECK(greet.find("STARTTLS") == std::string::npos);
    CHECK(greet.find("IDLE") == std::string::npos);
    g.send("a LOGIN alice alice\r\n");
    CHECK(g.send("b IDLE\r\n") == "b BAD Unknown command\r\n");
  }

  TEST_CASE("LIST, LIST RETURN (SPECIAL-USE), LIST (SPECIAL-USE), delimiter query") {
    Harness h;
    h.login();
    CHECK(h.send("a LIST \"\" \"*\"\r\n") ==
          "* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n"
          "* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\na OK LIST completed\r\n");
    CHECK(h.send("b LIST \"\" \"*\" RETURN (SPECIAL-USE)\r\n").find("\\Junk) \"/\" Junk") != std::string::npos);
    CHECK(h.send("c LIST (SPECIAL-USE) \"\" \"*\"\r\n") ==
          "* LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n"
          "c OK LIST completed\r\n");
    CHECK(h.send("d LIST \"\" \"\"\r\n") == "* LIST (\\Noselect) \"/\" \"\"\r\nd OK LIST completed\r\n");
    CHECK(h.send("e LIST \"\" \"J%\"\r\n") == "* LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\ne OK LIST completed\r\n");
  }

  TEST_CASE("SELECT reports FLAGS, EXISTS, RECENT, UIDVALIDITY, UIDNEXT, PERMANENTFLAGS") {
    Harness h;
    h.deliver(msg("one"));
    h.deliver(msg("two"));
    h.login();
    std::string v = std::to_string(h.validity());
    CHECK(h.send("s SELECT inbox\r\n") ==
          "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
          "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted\r\n"
          "* 2 EXISTS\r\n* 2 RECENT\r\n* OK [UNSEEN 1] First unseen\r\n* OK [UIDVALIDITY " + v +
              "] UIDs valid\r\n* OK [UIDNEXT 3] Predicted next UID\r\ns OK [READ-WRITE] SELECT completed\r\n");
    CHECK(h.send("e EXAMINE Junk\r\n").find("e OK [READ-ONLY] EXAMINE completed") != std::string::npos);
    CHECK(h.send("f STORE 1 +FLAGS (\\Seen)\r\n") == "f NO [READ-ONLY] Mailbox is read-only\r\n");
    CHECK(h.send("g SELECT Nope\r\n") == "g NO [NONEXISTENT] Mailbox doesn't exist\r\n");
    CHECK(h.send("h FETCH 1 UID\r\n") == "h BAD Command not valid in this state\r\n");
  }

  TEST_CASE("UID SEARCH criteria: HEADER, SUBJECT, TEXT, BODY, ALL, UID, DELETED, NOT, OR, combined") {
    Harness h;
    h.deliver(msg("alpha", "X-Probe: tok-1\r\n"));
    h.deliver(msg("beta", "X-Probe: tok-2\r\n"));
    h.deliver(msg("gamma"));
    h.login();
    h.send("s SELECT INBOX\r\n");
    CHECK(h.send("a UID SEARCH HEADER X-Probe tok-2\r\n") == "* SEARCH 2\r\na OK UID SEARCH completed\r\n");
    CHECK(h.send("b UID SEARCH HEADER X-Probe \"\"\r\n") == "* SEARCH 1 2\r\nb OK UID SEARCH completed\r\n");
    CHECK(h.send("c UID SEARCH SUBJECT GAMMA\r\n") == "* SEARCH 3\r\nc OK UID SEARCH completed\r\n");
    CHECK(h.send("d UID SEARCH TEXT \"body of beta\"\r\n") == "* SEARCH 2\r\nd OK UID SEARCH completed\r\n");
    CHECK(h.send("e UID SEARCH BODY alpha\r\n") == "* SEARCH 1\r\ne OK UID SEARCH completed\r\n");
    CHECK(h.send("f UID SEARCH BODY X-Probe\r\n") == "* SEARCH\r\nf OK UID SEARCH completed\r\n");
    CHECK(h.send("g UID SEARCH ALL\r\n") == "* SEARCH 1 2 3\r\ng OK UID SEARCH completed\r\n");
    CHECK(h.send("h UID SEARCH UID 2:*\r\n") == "* SEARCH 2 3\r\nh OK UID SEARCH completed\r\n");
    h.send("i STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
    CHECK(h.send("j UID SEARCH DELETED\r\n") == "* SEARCH 2\r\nj OK UID SEARCH completed\r\n");
    CHECK(h.send("k UID SEARCH UNDELETED FROM a@b.test\r\n") == "* SEARCH 1 3\r\nk OK UID SEARCH completed\r\n");
    CHECK(h.send("l UID SEARCH OR SUBJECT alpha SUBJECT gamma NOT UID 3\r\n") == "* SEARCH 1\r\nl OK UID SEARCH completed\r\n");
    CHECK(h.send("m SEARCH CHARSET UTF-8 (SUBJECT beta) 1:*\r\n") == "* SEARCH 2\r\nm OK SEARCH completed\r\n");
    CHECK(h.send("n SEARCH CHARSET KOI8-R ALL\r\n") == "n NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset\r\n");
    CHECK(h.send("o SEARCH FROB\r\n") == "o BAD Unknown search key FROB\r\n");
    CHECK(h.send("p SEARCH\r\n") == "p BAD Missing arguments\r\n");
    CHECK(h.send("q UID SEARCH SINCE 1-Jan-2020 LARGER 10\r\n") == "* SEARCH 1 2 3\r\nq OK UID SEARCH completed\r\n");
    CHECK(h.send("r UID SEARCH BEFORE 1-Jan-2020\r\n") == "* SEARCH\r\nr OK UID SEARCH completed\r\n");
    CHECK(h.send("s UID SEARCH HEADER X-Probe {5}\r\n") == "+ Ready for literal data\r\n");
    CHECK(h.send("tok-1\r\n") == "* SEARCH 1\r\ns OK UID SEARCH completed\r\n");
  }

  TEST_CASE("FETCH items with literals; BODY[] sets \\Seen, BODY.PEEK does not") {
    Harness h;
    std::string m1 = msg("one", "To: alice@x.test\r\n");
    h.deliver(m1);
    h.login();
    h.send("s SELECT INBOX\r\n");
    // This session selected the message first, so it holds it as \Recent (RFC 3501 §2.3.2).
    std::string header = "From: a@b.test\r\nSubject: one\r\nTo: alice@x.test\r\n\r\n";
    CHECK(h.send("a UID FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER])\r\n") ==
          "* 1 FETCH (UID 1 FLAGS (\\Recent) INTERNALDATE \"14-Nov-2023 22:13:20 +0000\" RFC822.SIZE " +
              std::to_string(m1.size()) + " BODY[HEADER] {" + std::to_string(header.size()) + "}\r\n" + header +
              ")\r\na OK UID FETCH completed\r\n");
    CHECK(h.send("b FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT to)]\r\n") ==
          "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT TO)] {34}\r\nSubject: one\r\nTo: alice@x.test\r\n\r\n)\r\n"
          "b OK FETCH completed\r\n");
    CHECK(h.send("c FETCH 1 RFC822.HEADER\r\n") ==
          "* 1 FETCH (RFC822.HEADER {" + std::to_string(header.size()) + "}\r\n" + header + ")\r\nc OK FETCH completed\r\n");
    CHECK(h.send("d FETCH 1 BODY.PEEK[]<0.4>\r\n") == "* 1 FETCH (BODY[]<0> {4}\r\nFrom)\r\nd OK FETCH completed\r\n");
    CHECK(h.send("e FETCH 1 (FLAGS)\r\n") == "* 1 FETCH (FLAGS (\\Recent))\r\ne OK FETCH completed\r\n");
    CHECK(h.send("f UID FETCH 1 BODY[]\r\n") ==
          "* 1 FETCH (UID 1 BODY[] {" + std::to_string(m1.size()) + "}\r\n" + m1 + " FLAGS (\\Recent \\Seen))\r\nf OK UID FETCH completed\r\n");
    CHECK(h.send("g FETCH 1 BODY[TEXT]\r\n") == "* 1 FETCH (BODY[TEXT] {13}\r\nbody of one\r\n)\r\ng OK FETCH completed\r\n");
    CHECK(h.send("h FETCH 1 ENVELOPE\r\n") ==
          "* 1 FETCH (ENVELOPE (NIL \"one\" ((NIL NIL \"a\" \"b.test\")) ((NIL NIL \"a\" \"b.test\")) "
          "((NIL NIL \"a\" \"b.test\")) ((NIL NIL \"alice\" \"x.test\")) NIL NIL NIL NIL))\r\nh OK FETCH completed\r\n");
    CHECK(h.send("h2 FETCH 1 BINARY[1]\r\n") == "h2 BAD Unsupported fetch attribute BINARY[1]\r\n");
    CHECK(h.send("i FETCH 2 UID\r\n") == "i BAD Invalid message sequence number\r\n");
    CHECK(h.send("j UID FETCH 99 UID\r\n") == "j OK UID FETCH completed\r\n");
    CHECK(h.send("k FETCH 1 FAST\r\n").find("* 1 FETCH (FLAGS (\\Recent \\Seen) INTERNALDATE") == 0);
    std::string all = h.send("l FETCH 1 ALL\r\n");
    CHECK(all.find("* 1 FETCH (FLAGS (\\Recent \\Seen) INTERNALDATE") == 0);
    CHECK(all.find(" ENVELOPE (NIL \"one\" ") != std::string::npos);
    CHECK(all.find(" BODY (") == std::string::npos);
    CHECK(h.send("m FETCH 1 FULL\r\n").find(" BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 13 1))\r\n") !=
          std::string::npos);
  }

  TEST_CASE("STORE +FLAGS, -FLAGS, FLAGS, .SILENT and UID STORE") {
    Harness h;
    h.deliver(msg("one"));
    h.deliver(msg("two"));
    h.login();
    h.send("s SELECT INBOX\r\n");
    CHECK(h.send("a STORE 1:2 +FLAGS (\\Seen \\Flagged)\r\n") ==
          "* 1 FETCH (FLAGS (\\Flagged \\Seen))\r\n* 2 FETCH (FLAGS (\\Flagged \\Seen))\r\na OK STORE completed\r\n");
    CHECK(h.send("b STORE 2 -FLAGS \\Flagged\r\n") == "* 2 FETCH (FLAGS (\\Seen))\r\nb OK STORE completed\r\n");
    CHECK(h.send("c UID STORE 1 FLAGS (\\Answered)\r\n") == "* 1 FETCH (UID 1 FLAGS (\\Answered))\r\nc OK UID STORE completed\r\n");
    CHECK(h.send("d STORE 1 +FLAGS.SILENT (\\Draft)\r\n") == "d OK STORE completed\r\n");
    CHECK(h.send("e STORE 1 +FLAGS (\\Recent)\r\n") == "e BAD Cannot store flag \\Recent\r\n");
    CHECK(h.send("f STORE 1 +FLAGS ($Junk)\r\n") == "* 1 FETCH (FLAGS ($Junk \\Answered \\Draft))\r\nf OK STORE completed\r\n");
    CHECK(h.send("g STORE 1 XFLAGS (\\Seen)\r\n") == "g BAD Unknown STORE item XFLAGS\r\n");
  }

  TEST_CASE("EXPUNGE renumbers from the top; UID EXPUNGE removes only the given UID") {
    Harness h;
    for (const char* name : {"m1", "m2", "m3", "m4"}) h.deliver(msg(name));
    h.login();
    h.send("s SELECT INBOX\r\n");
    h.send("a STORE 1:4 +FLAGS.SILENT (\\Deleted)\r\n");
    CHECK(h.send("b UID EXPUNGE 3\r\n") == "* 3 EXPUNGE\r\nb OK UID EXPUNGE completed\r\n");
    CHECK(h.send("c UID SEARCH ALL\r\n") == "* SEARCH 1 2 4\r\nc OK UID SEARCH completed\r\n");
    h.send("d STORE 3 -FLAGS.SILENT (\\Deleted)\r\n");  // uid 4 now keeps its place
    CHECK(h.send("e EXPUNGE\r\n") == "* 2 EXPUNGE\r\n* 1 EXPUNGE\r\ne OK EXPUNGE completed\r\n");
    CHECK(h.send("f FETCH 1 UID\r\n") == "* 1 FETCH (UID 4)\r\nf OK FETCH completed\r\n");
  }

  TEST_CASE("UID MOVE to Junk reports COPYUID, then EXPUNGE; UID COPY to Trash") {
    Harness h;
    h.deliver(msg("one"));
    h.deliver(msg("two"));
    h.login();
    h.send("s SELECT INBOX\r\n");
    std::string jv = std::to_string(h.validity(Folder::junk));
    std::string tv = std::to_string(h.validity(Folder::trash));
    CHECK(h.send("a UID MOVE 2 Junk\r\n") == "* OK [COPYUID " + jv + " 2 1] Moved\r\n* 2 EXPUNGE\r\na OK UID MOVE completed\r\n");
    CHECK(h.send("b UID COPY 1 Trash\r\n") == "b OK [COPYUID " + tv + " 1 1] UID COPY completed\r\n");
    CHECK(h.send("c MOVE 1 Nowhere\r\n") == "c NO [TRYCREATE] Mailbox doesn't exist\r\n");
    CHECK(h.store->snapshot("alice", Folder::junk).value().messages.size() == 1);
    CHECK(h.store->snapshot("alice", Folder::trash).value().messages.size() == 1);
    CHECK(h.send("d MOVE 1 Trash\r\n").find("* 1 EXPUNGE\r\nd OK MOVE completed") != std::string::npos);
  }

  TEST_CASE("IDLE: + idling, immediate EXISTS push on delivery, DONE") {
    Harness h;
    h.deliver(msg("one"));
    h.login();
    h.send("s SELECT INBOX\r\n");
    CHECK(h.send("i IDLE\r\n") == "+ idling\r\n");
    CHECK(h.s->idling());
    h.woken = false;
    h.deliver(msg("two"));
    CHECK(h.woken);  // the store woke the connection loop
    h.s->on_mailbox_changed();
    // RECENT counts every message this session holds as \Recent (RFC 3501 §7.3.2).
    CHECK(h.s->take_output() == "* 2 EXISTS\r\n* 2 RECENT\r\n");
    CHECK(h.send("DONE\r\n") == "i OK IDLE terminated\r\n");
    CHECK(h.send("j IDLE\r\n") == "+ idling\r\n");
    CHECK(h.send("NOPE\r\n") == "j BAD Expected DONE\r\n");
  }

  TEST_CASE("no EXPUNGE during FETCH/STORE/SEARCH; reported at NOOP (RFC 3501 7.4.1)") {
    Harness h;
    h.deliver(msg("one"));
    h.deliver(msg("two"));
    h.login();
    h.send("s SELECT INBOX\r\n");
    // Another session expunges message 1.
    REQUIRE(h.store->store_flags("alice", Folder::inbox, 1, FlagOp::add, {"\\Deleted"}));
    REQUIRE(h.store->expunge("alice", Folder::inbox, std::nullopt));
    // Message 1 is gone from the store but keeps its number until we report EXPUNGE.
    CHECK(h.send("a FETCH 1:2 UID\r\n") == "* 2 FETCH (UID 2)\r\na OK FETCH completed\r\n");
    std::string out = h.send("b SEARCH ALL\r\n");
    CHECK(out.find("EXPUNGE") == std::string::npos);
    CHECK(out.find("* SEARCH 2\r\n") != std::string::npos);
    CHECK(h.send("c NOOP\r\n") == "* 1 EXPUNGE\r\nc OK NOOP completed\r\n");
    CHECK(h.send("d FETCH 1 UID\r\n") == "* 1 FETCH (UID 2)\r\nd OK FETCH completed\r\n");
  }

  TEST_CASE("CLOSE expunges silently; UNSELECT does not") {
    Harness h;
    h.deliver(msg("one"));
    h.login();
    h.send("s SELECT INBOX\r\n");
    h.send("a STORE 1 +FLAGS.SILENT (\\Deleted)\r\n");
    CHECK(h.send("b UNSELECT\r\n") == "b OK UNSELECT completed\r\n");
    CHECK(h.store->snapshot("alice", Folder::inbox).value().messages.size() == 1);
    h.send("c SELECT INBOX\r\n");
    CHECK(h.send("d CLOSE\r\n") == "d OK CLOSE completed\r\n");
    CHECK(h.store->snapshot("alice", Folder::inbox).value().messages.empty());
    CHECK(h.send("e FETCH 1 UID\r\n") == "e BAD Command not valid in this state\r\n");
  }

  TEST_CASE("STATUS, APPEND with literal, NAMESPACE, CREATE refused") {
    Harness h;
    h.login();
    std::string m = msg("appended");
    CHECK(h.send("a APPEND Trash (\\Seen) {" + std::to_string(m.size()) + "}\r\n") == "+ Ready for literal data\r\n");
    CHECK(h.send(m + "\r\n") == "a OK [APPENDUID " + std::to_string(h.validity(Folder::trash)) + " 1] APPEND completed\r\n");
    CHECK(h.send("b STATUS Trash (MESSAGES UIDNEXT UNSEEN)\r\n") ==
          "* STATUS \"Trash\" (MESSAGES 1 UIDNEXT 2 UNSEEN 0)\r\nb OK STATUS completed\r\n");
    CHECK(h.send("c NAMESPACE\r\n") == "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nc OK NAMESPACE completed\r\n");
    CHECK(h.send("d CREATE Foo\r\n") == "d NO [CANNOT] The folder set is fixed: INBOX, Junk, Trash\r\n");
  }

  TEST_CASE("bad input: unknown command, bad tag, missing args, overlong line, unbalanced parens") {
    Harness h;
    h.open();
    CHECK(h.send("a FROB\r\n") == "a BAD Unknown command\r\n");
    CHECK(h.send("*bad NOOP\r\n") == "* BAD Invalid tag\r\n");
    CHECK(h.send("a\r\n") == "a BAD Missing command\r\n");
    CHECK(h.send("a LOGIN alice\r\n") == "a BAD Missing arguments\r\n");
    CHECK(h.send("a LOGIN (alice\r\n") == "a BAD Syntax error\r\n");
    CHECK(h.send("a LOGIN \"unterminated\r\n") == "a BAD Syntax error\r\n");
    CHECK(h.send(std::string(70000, 'x')) == "");
    CHECK(h.send("\r\n") == "* BAD Command line too long\r\n");
    CHECK(h.send("n NOOP\r\n") == "n OK NOOP completed\r\n");
    CHECK(h.send("a UID FROB 1\r\n") == "a BAD Unknown UID command\r\n");
  }

  TEST_CASE("an oversized synchronizing literal is refused without a continuation") {
    Harness h;
    h.settings.max_literal = 100;
    h.open();
    CHECK(h.send("a LOGIN {1000}\r\n") == "a BAD Literal too large\r\n");
    CHECK(h.send("b NOOP\r\n") == "b OK NOOP completed\r\n");
    CHECK(h.send("c LOGIN {1000+}\r\n") == "* BYE Literal too large\r\n");
    CHECK(h.s->wants_close());
  }

  TEST_CASE("faults: --imap-reply and --imap-drop, --refuse-auth") {
    Harness h;
    REQUIRE(h.faults.add_imap_reply("SELECT=NO [UNAVAILABLE] maintenance"));
    REQUIRE(h.faults.add_imap_reply("UID SEARCH=BAD nope"));
    h.login();
    CHECK(h.send("a SELECT INBOX\r\n") == "a NO [UNAVAILABLE] maintenance\r\n");
    CHECK(h.send("b UID SEARCH ALL\r\n") == "b BAD nope\r\n");
    Harness g;
    g.faults.refuse_auth = true;
    g.open();
    CHECK(g.send("a LOGIN alice alice\r\n") == "a NO [AUTHENTICATIONFAILED] Authentication failed\r\n");
    Harness d;
    REQUIRE(d.faults.add_imap_drop("login"));
    d.open();
    CHECK(d.send("a LOGIN alice alice\r\n") == "");
    CHECK(d.s->wants_close());
  }

  TEST_CASE("8-bit message bytes come back verbatim") {
    Harness h;
    std::string m = "Subject: caf\xc3\xa9\r\n\r\n\xff\x80\r\n";
    h.deliver(m);
    h.login();
    h.send("s SELECT INBOX\r\n");
    CHECK(h.send("a FETCH 1 BODY.PEEK[]\r\n") == "* 1 FETCH (BODY[] {" + std::to_string(m.size()) + "}\r\n" + m + ")\r\na OK FETCH completed\r\n");
  }

  TEST_CASE("shutdown and idle timeout say BYE") {
    Harness h;
    h.open();
    h.s->on_shutdown();
    CHECK(h.s->take_output() == "* BYE Server shutting down\r\n");
    CHECK(h.s->wants_close());
    Harness g;
    g.open();
    g.s->on_idle_timeout();
    CHECK(g.s->take_output() == "* BYE Autologout; idle for too long\r\n");
  }
}
