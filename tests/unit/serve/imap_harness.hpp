#pragma once

// An ImapSession over an in-memory store with users alice and bob, for the
// serve::imap_session test files: send() feeds bytes and returns the output.

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "serve/imap_session.hpp"

namespace mailprobe::serve::test {

struct Harness {
  Users users = Users::demo();
  Faults faults;
  std::unique_ptr<MailStore> store = MailStore::in_memory({"alice", "bob"});
  ImapSettings settings;
  bool woken = false;
  std::unique_ptr<ImapSession> s;

  Harness() {
    settings.hostname = "imap.test";
    settings.wake = [this] { woken = true; };
  }
  std::string open() {
    s = std::make_unique<ImapSession>(settings, users, faults, *store);
    s->start();
    return s->take_output();
  }
  std::string send(std::string_view bytes) {
    s->feed(bytes);
    return s->take_output();
  }
  std::uint32_t deliver(const std::string& bytes, Folder f = Folder::inbox) {
    auto uid = store->deliver("alice", f, bytes, {}, WallClock::time_point(std::chrono::seconds(1700000000)));
    REQUIRE(uid);
    return uid.value();
  }
  void login() {
    open();
    REQUIRE(send("a1 LOGIN alice alice\r\n").find("a1 OK") != std::string::npos);
  }
  std::uint32_t validity(Folder f = Folder::inbox) { return store->snapshot("alice", f).value().uidvalidity; }
};


}  // namespace mailprobe::serve::test
