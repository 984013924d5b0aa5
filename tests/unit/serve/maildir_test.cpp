// Issue 17: the Maildir store's costs and durability - one appended uidlist
// line per delivery, keywords kept across a restart (dovecot-keywords), no
// UID reuse after an expunge and a restart, stale tmp/ files removed.

#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "imap_harness.hpp"
#include "serve/mail_store.hpp"

using namespace mailprobe;
using namespace mailprobe::serve;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("mailprobe-maildir-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::unique_ptr<MailStore> open(const TempDir& d) {
  auto s = MailStore::open_maildir(d.path.string(), {"alice"});
  REQUIRE(s);
  return std::move(s.value());
}

}  // namespace

TEST_SUITE("serve::maildir") {
  TEST_CASE("a delivery appends one uidlist line instead of rewriting the list") {
    TempDir d;
    auto s = open(d);
    fs::path list = d.path / "alice" / "mailprobe-uidlist";
    for (int i = 0; i < 50; ++i) REQUIRE(s->deliver("alice", Folder::inbox, "Subject: " + std::to_string(i) + "\r\n\r\nx\r\n"));
    auto before = fs::file_size(list);
    REQUIRE(s->deliver("alice", Folder::inbox, "Subject: last\r\n\r\nx\r\n"));
    auto grew = fs::file_size(list) - before;
    CHECK(grew < 80);  // "<uid> <base>\n", not 51 lines
    auto again = open(d);
    auto snap = again->snapshot("alice", Folder::inbox).value();
    REQUIRE(snap.messages.size() == 51);
    CHECK(snap.messages.back().uid == 51);
    CHECK(snap.uidnext == 52);
  }

  TEST_CASE("UIDs are not reused after expunging the newest message and a restart") {
    TempDir d;
    {
      auto s = open(d);
      REQUIRE(s->deliver("alice", Folder::inbox, "Subject: a\r\n\r\nx\r\n"));
      REQUIRE(s->deliver("alice", Folder::inbox, "Subject: b\r\n\r\nx\r\n", {"\\Deleted"}));
      REQUIRE(s->expunge("alice", Folder::inbox, std::nullopt));
    }
    auto s = open(d);
    auto uid = s->deliver("alice", Folder::inbox, "Subject: c\r\n\r\nx\r\n");
    REQUIRE(uid);
    CHECK(uid.value() == 3);
  }

  TEST_CASE("keywords survive a restart (dovecot-keywords and info letters)") {
    TempDir d;
    {
      auto s = open(d);
      REQUIRE(s->deliver("alice", Folder::inbox, "Subject: a\r\n\r\nx\r\n", {"$Label1", "\\Seen"}));
      REQUIRE(s->deliver("alice", Folder::inbox, "Subject: b\r\n\r\nx\r\n"));
      REQUIRE(s->store_flags("alice", Folder::inbox, 2, FlagOp::add, {"Junk", "$Label1"}));
    }
    std::ifstream kw(d.path / "alice" / "dovecot-keywords");
    std::string text((std::istreambuf_iterator<char>(kw)), std::istreambuf_iterator<char>());
    CHECK(text == "0 $Label1\n1 Junk\n");
    auto s = open(d);
    auto snap = s->snapshot("alice", Folder::inbox).value();
    REQUIRE(snap.messages.size() == 2);
    CHECK(snap.messages[0].flags == std::vector<std::string>{"$Label1", "\\Seen"});
    CHECK(snap.messages[1].flags == std::vector<std::string>{"$Label1", "Junk"});
    bool lettered = false;
    for (const auto& e : fs::directory_iterator(d.path / "alice" / "cur"))
      lettered = lettered || e.path().filename().string().find(":2,ab") != std::string::npos;
    CHECK(lettered);
  }

  TEST_CASE("files a crash left in tmp/ are removed at open; other writers' fresh ones stay") {
    TempDir d;
    { open(d); }
    fs::path tmp = d.path / "alice" / "tmp";
    std::ofstream(tmp / "1700000000.M1P2Q3Rab.mailprobe") << "half";
    std::ofstream(tmp / "1700000000.other.host") << "in flight";
    open(d);
    CHECK_FALSE(fs::exists(tmp / "1700000000.M1P2Q3Rab.mailprobe"));
    CHECK(fs::exists(tmp / "1700000000.other.host"));
  }

  TEST_CASE("RECENT is consistent: SELECT count, SEARCH RECENT/NEW/OLD, FETCH FLAGS (RFC 3501 §2.3.2)") {
    serve::test::Harness h;
    h.deliver("Subject: a\r\n\r\nx\r\n");
    h.deliver("Subject: b\r\n\r\nx\r\n");
    h.login();
    CHECK(h.send("s STATUS INBOX (RECENT)\r\n") == "* STATUS \"INBOX\" (RECENT 2)\r\ns OK STATUS completed\r\n");
    CHECK(h.send("b SELECT INBOX\r\n").find("* 2 RECENT\r\n") != std::string::npos);
    CHECK(h.send("c SEARCH RECENT\r\n") == "* SEARCH 1 2\r\nc OK SEARCH completed\r\n");
    CHECK(h.send("d FETCH 1 FLAGS\r\n") == "* 1 FETCH (FLAGS (\\Recent))\r\nd OK FETCH completed\r\n");
    h.send("e STORE 1 +FLAGS.SILENT (\\Seen)\r\n");
    CHECK(h.send("f SEARCH NEW\r\n") == "* SEARCH 2\r\nf OK SEARCH completed\r\n");
    CHECK(h.send("g SEARCH OLD\r\n") == "* SEARCH\r\ng OK SEARCH completed\r\n");
    // Another session sees none of them as \Recent.
    ImapSession other(h.settings, h.users, h.faults, *h.store);
    auto send = [&](std::string_view bytes) {
      other.feed(bytes);
      return other.take_output();
    };
    other.start();
    send("a LOGIN alice alice\r\n");
    CHECK(send("b SELECT INBOX\r\n").find("* 0 RECENT\r\n") != std::string::npos);
    CHECK(send("c SEARCH RECENT\r\n") == "* SEARCH\r\nc OK SEARCH completed\r\n");
    CHECK(send("d FETCH 2 FLAGS\r\n") == "* 2 FETCH (FLAGS ())\r\nd OK FETCH completed\r\n");
  }
}
