#include "serve/mail_store.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

using namespace mailprobe;
using namespace mailprobe::serve;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("mailprobe-store-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
};
}  // namespace

TEST_SUITE("serve::mail_store") {
  TEST_CASE("UIDs ascend, expunge keeps the rest, UIDs are never reused") {
    auto s = MailStore::in_memory({"alice"});
    CHECK(s->deliver("alice", Folder::inbox, "a").value() == 1);
    CHECK(s->deliver("alice", Folder::inbox, "b").value() == 2);
    REQUIRE(s->store_flags("alice", Folder::inbox, 1, FlagOp::add, {"\\Deleted", "\\Recent"}));
    CHECK(s->expunge("alice", Folder::inbox, std::nullopt).value() == std::vector<std::uint32_t>{1});
    CHECK(s->deliver("alice", Folder::inbox, "c").value() == 3);
    auto snap = s->snapshot("alice", Folder::inbox).value();
    REQUIRE(snap.messages.size() == 2);
    CHECK(snap.messages[0].uid == 2);
    CHECK(snap.uidnext == 4);
    CHECK_FALSE(s->deliver("nobody", Folder::inbox, "x"));
  }

  TEST_CASE("watchers are woken on delivery for their user only") {
    auto s = MailStore::in_memory({"alice", "bob"});
    int a = 0, b = 0;
    auto ida = s->watch("alice", [&] { ++a; });
    s->watch("bob", [&] { ++b; });
    (void)s->deliver("alice", Folder::inbox, "x");
    CHECK(a == 1);
    CHECK(b == 0);
    s->unwatch(ida);
    (void)s->deliver("alice", Folder::inbox, "y");
    CHECK(a == 1);
  }

  TEST_CASE("concurrent deliveries: every message once, UIDs unique") {
    auto s = MailStore::in_memory({"alice"});
    std::vector<std::thread> ts;
    for (int t = 0; t < 8; ++t)
      ts.emplace_back([&s, t] {
        for (int i = 0; i < 50; ++i) (void)s->deliver("alice", Folder::inbox, std::to_string(t * 100 + i));
      });
    for (auto& t : ts) t.join();
    auto snap = s->snapshot("alice", Folder::inbox).value();
    CHECK(snap.messages.size() == 400);
    for (std::size_t i = 1; i < snap.messages.size(); ++i) CHECK(snap.messages[i].uid > snap.messages[i - 1].uid);
  }

  TEST_CASE("Maildir++ persistence: new/ cur/ with flags, .Junk, uid list, restart") {
    TempDir d;
    std::uint32_t validity = 0;
    {
      auto s = MailStore::open_maildir(d.path.string(), {"alice"});
      REQUIRE(s);
      auto& st = *s.value();
      REQUIRE(st.deliver("alice", Folder::inbox, "Subject: one\r\n\r\nx\r\n"));
      REQUIRE(st.deliver("alice", Folder::inbox, "Subject: two\r\n\r\ny\r\n"));
      REQUIRE(st.deliver("alice", Folder::junk, "Subject: spam\r\n\r\nz\r\n"));
      REQUIRE(st.store_flags("alice", Folder::inbox, 2, FlagOp::add, {"\\Seen", "\\Flagged"}));
      REQUIRE(st.store_flags("alice", Folder::inbox, 1, FlagOp::add, {"\\Deleted"}));
      REQUIRE(st.expunge("alice", Folder::inbox, std::nullopt));
      validity = st.snapshot("alice", Folder::inbox).value().uidvalidity;
    }
    CHECK(fs::exists(d.path / "alice" / "tmp"));
    CHECK(fs::exists(d.path / "alice" / ".Junk" / "maildirfolder"));
    int cur = 0;
    for (const auto& e : fs::directory_iterator(d.path / "alice" / "cur")) {
      CHECK(e.path().filename().string().find(":2,FS") != std::string::npos);
      ++cur;
    }
    CHECK(cur == 1);
    CHECK(fs::is_empty(d.path / "alice" / "new"));
    // A file dropped in by another tool gets the next UID.
    std::ofstream(d.path / "alice" / "new" / "9999999999.external.host") << "Subject: ext\r\n\r\n";
    auto s = MailStore::open_maildir(d.path.string(), {"alice"});
    REQUIRE(s);
    auto snap = s.value()->snapshot("alice", Folder::inbox).value();
    CHECK(snap.uidvalidity == validity);
    REQUIRE(snap.messages.size() == 2);
    CHECK(snap.messages[0].uid == 2);
    CHECK(*snap.messages[0].bytes == "Subject: two\r\n\r\ny\r\n");
    CHECK(snap.messages[0].flags == std::vector<std::string>{"\\Flagged", "\\Seen"});
    CHECK(snap.messages[1].uid == 3);
    CHECK(s.value()->deliver("alice", Folder::inbox, "next").value() == 4);
    CHECK(s.value()->snapshot("alice", Folder::junk).value().messages.size() == 1);
  }

  TEST_CASE("copy and move between folders") {
    auto s = MailStore::in_memory({"alice"});
    (void)s->deliver("alice", Folder::inbox, "a");
    (void)s->deliver("alice", Folder::inbox, "b");
    auto r = s->copy("alice", Folder::inbox, Folder::trash, {2, 1, 7}, true);
    REQUIRE(r);
    CHECK(r->src_uids == std::vector<std::uint32_t>{1, 2});
    CHECK(r->dst_uids == std::vector<std::uint32_t>{1, 2});
    CHECK(s->snapshot("alice", Folder::inbox).value().messages.empty());
    CHECK(s->snapshot("alice", Folder::trash).value().messages.size() == 2);
  }
}
