// The exact IMAP commands the cleanup sends: only the listed UIDs, never
// CLOSE, and a plain EXPUNGE only after UID SEARCH DELETED named just them.

#include <doctest/doctest.h>

#include "check/cleanup.hpp"
#include "support/scripted_transport.hpp"

using namespace mailprobe;
using mailprobe::test::ScriptedTransport;

TEST_CASE("delete_probes: UIDPLUS stores and expunges exactly the UID set") {
  ScriptedTransport t;
  t.serve("m1 OK Store completed.\r\n");
  t.serve("m2 OK Expunge completed.\r\n");
  imap::Session s(t);
  auto r = check::delete_probes(s, {9, 3, 4, 5}, {"UIDPLUS", "MOVE"}, Deadline::in(std::chrono::seconds(5)));
  CHECK(r.action == "expunged");
  CHECK(t.sent() == "m1 UID STORE 3:5,9 +FLAGS.SILENT (\\Deleted)\r\nm2 UID EXPUNGE 3:5,9\r\n");
}

TEST_CASE("delete_probes: large sets go out in chunks of 500; delete_probe is unchanged") {
  ScriptedTransport t;
  for (int i = 1; i <= 4; ++i) t.serve("m" + std::to_string(i) + " OK done\r\n");
  imap::Session s(t);
  std::vector<std::uint32_t> uids;
  for (std::uint32_t u = 1; u <= 1000; ++u) uids.push_back(u * 2);  // no ranges to merge
  auto r = check::delete_probes(s, uids, {"UIDPLUS"}, Deadline::in(std::chrono::seconds(5)));
  CHECK(r.action == "expunged");
  CHECK(t.sent().find("\r\nm3 UID EXPUNGE 2,4,") != std::string::npos);
  CHECK(t.sent().find("\r\nm2 UID STORE 1002,") != std::string::npos);
  CHECK(t.sent().find("EXPUNGE\r\n") == std::string::npos);
  CHECK(t.sent().find("CLOSE") == std::string::npos);

}

TEST_CASE("delete_probes: without UIDPLUS or MOVE, another \\Deleted message means no EXPUNGE") {
  ScriptedTransport one;
  one.serve("m1 OK\r\n");
  one.serve("* SEARCH 17 42\r\nm2 OK Search completed.\r\n");  // 17: flagged by the user
  imap::Session s1(one);
  auto f = check::delete_probe(s1, 42, {}, Deadline::in(std::chrono::seconds(5)));
  CHECK(f.action == "flagged");
  CHECK(one.sent() == "m1 UID STORE 42 +FLAGS.SILENT (\\Deleted)\r\nm2 UID SEARCH DELETED\r\n");
}

TEST_CASE("delete_probes: without UIDPLUS or MOVE, a plain EXPUNGE once only the probes are \\Deleted") {
  ScriptedTransport t;
  t.serve("m1 OK\r\n");
  t.serve("* SEARCH 5 3\r\nm2 OK Search completed.\r\n");
  t.serve("* 2 EXPUNGE\r\n* 2 EXPUNGE\r\nm3 OK Expunge completed.\r\n");
  imap::Session s(t);
  auto r = check::delete_probes(s, {3, 5}, {"IDLE"}, Deadline::in(std::chrono::seconds(5)));
  CHECK(r.action == "expunged_checked");
  CHECK(t.sent() == "m1 UID STORE 3,5 +FLAGS.SILENT (\\Deleted)\r\nm2 UID SEARCH DELETED\r\nm3 EXPUNGE\r\n");

  // A failed or empty SEARCH proves nothing: flag only.
  ScriptedTransport no;
  no.serve("m1 OK\r\n");
  no.serve("m2 BAD Unknown search key\r\n");
  imap::Session sn(no);
  CHECK(check::delete_probe(sn, 3, {}, Deadline::in(std::chrono::seconds(5))).action == "flagged");
  ScriptedTransport empty;
  empty.serve("m1 OK\r\n");
  empty.serve("* SEARCH\r\nm2 OK\r\n");
  imap::Session se(empty);
  CHECK(check::delete_probe(se, 3, {}, Deadline::in(std::chrono::seconds(5))).action == "flagged");
  CHECK(empty.sent().find("EXPUNGE") == std::string::npos);
}

TEST_CASE("delete_probes: MOVE to the \\Trash mailbox; a NO stops with the server's words") {
  ScriptedTransport t;
  t.serve("* LIST (\\HasNoChildren \\Trash) \"/\" \"Deleted Items\"\r\nm1 OK List completed.\r\n");
  t.serve("m2 NO [TRYCREATE] Mailbox doesn't exist\r\n");
  imap::Session s(t);
  auto r = check::delete_probes(s, {7}, {"MOVE"}, Deadline::in(std::chrono::seconds(5)));
  CHECK(r.action == "failed");
  CHECK(r.error.find("Mailbox doesn't exist") != std::string::npos);
  CHECK(t.sent() == "m1 LIST \"\" \"*\"\r\nm2 UID MOVE 7 \"Deleted Items\"\r\n");
  ScriptedTransport e;
  imap::Session se(e);
  CHECK(check::delete_probes(se, {}, {"UIDPLUS"}, Deadline::in(std::chrono::seconds(1))).action == "none");
  CHECK(e.sent().empty());
}
