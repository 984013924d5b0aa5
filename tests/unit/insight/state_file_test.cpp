#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "insight/state_file.hpp"
#include "time_helpers.hpp"

using namespace mailprobe::insight;
using mailprobe::insight::test::utc;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "mailprobe-state-XXXXXX").string();
    path = ::mkdtemp(t.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

void write_file(const std::string& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

PendingProbe probe(char c, std::chrono::system_clock::time_point sent) {
  return {std::string(32, c), sent, "INBOX", "4Xy7Qd1Nz2z1xvP", ""};
}

}  // namespace

TEST_CASE("state file: save then load round-trips, mode 0600, no temp files left") {
  TempDir d;
  std::string p = d.path + "/state.json";
  StateData s;
  add_pending(s, probe('a', utc(2026, 11, 22, 18, 17, 6) + std::chrono::microseconds(123456)));
  add_pending(s, {std::string(32, 'b'), utc(2026, 11, 22, 18, 20, 0), "Junk \"x\"", "", ""});
  REQUIRE(save_state(p, s));
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  int files = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(d.path)) ++files;
  CHECK(files == 1);
  auto back = load_state(p);
  REQUIRE(back);
  REQUIRE(back->pending.size() == 2);
  CHECK(back->pending[0].token == std::string(32, 'a'));
  CHECK(back->pending[0].sent == s.pending[0].sent);
  CHECK(back->pending[0].queue_id == "4Xy7Qd1Nz2z1xvP");
  CHECK(back->pending[1].mailbox == "Junk \"x\"");
}

TEST_CASE("state file: missing and empty files are an empty state") {
  TempDir d;
  auto missing = load_state(d.path + "/nope.json");
  REQUIRE(missing);
  CHECK(missing->pending.empty());
  write_file(d.path + "/empty.json", "");
  auto empty = load_state(d.path + "/empty.json");
  REQUIRE(empty);
  CHECK(empty->pending.empty());
  CHECK(parse_state(" \n"));
}

TEST_CASE("state file: truncated, wrong or hostile content is one clear error") {
  TempDir d;
  std::string good = serialize_state(StateData{{probe('c', utc(2026, 1, 1, 0, 0, 0))}});
  std::string p = d.path + "/s.json";
  write_file(p, good.substr(0, good.size() / 2));
  auto t = load_state(p);
  REQUIRE_FALSE(t);
  CHECK(t.error().reply_text.find("not valid JSON") != std::string::npos);
  CHECK(t.error().reply_text.find(p) != std::string::npos);
  for (const char* bad : {"[]", "{\"version\":2,\"pending\":[]}", "{\"version\":1}", "{\"version\":1,\"pending\":[1]}",
                          "{\"version\":1,\"pending\":[{\"token\":\"xyz\",\"sent\":\"2026-01-01T00:00:00Z\"}]}",
                          "{\"version\":1,\"pending\":[{\"token\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"sent\":\"yesterday\"}]}",
                          "{\"version\":1,\"pending\":[{\"token\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"sent\":\"2026-01-01T00:00:00Z\",\"mailbox\":7}]}",
                          "\xff\xfe garbage", "null", "{\"version\":1,\"pending\":[]} trailing"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_state(bad));
  }
  std::string deep(200000, '[');  // iterative parser: no stack overflow
  CHECK_FALSE(parse_state(deep));
  write_file(p, std::string(kMaxStateBytes + 10, ' ') + "{}");
  auto big = load_state(p);
  REQUIRE_FALSE(big);
  CHECK(big.error().reply_text.find("larger than") != std::string::npos);
  std::filesystem::create_directory(d.path + "/dir.json");
  CHECK_FALSE(load_state(d.path + "/dir.json"));
}

TEST_CASE("state file: add replaces by token, remove, expire returns the lost ones") {
  StateData s;
  auto now = utc(2026, 11, 22, 12, 0, 0);
  add_pending(s, probe('a', now - std::chrono::hours(30)));
  add_pending(s, probe('b', now - std::chrono::minutes(5)));
  add_pending(s, probe('a', now - std::chrono::hours(25)));  // same token: replaced, moved to the end
  REQUIRE(s.pending.size() == 2);
  CHECK(s.pending[1].token == std::string(32, 'a'));
  auto lost = expire_pending(s, now, std::chrono::hours(24));
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].token == std::string(32, 'a'));
  REQUIRE(s.pending.size() == 1);
  CHECK(remove_pending(s, std::string(32, 'b')));
  CHECK_FALSE(remove_pending(s, std::string(32, 'b')));
  CHECK(s.pending.empty());
}

TEST_CASE("state file: entries keyed per route; other routes' entries are left as they were") {
  StateData s;
  auto now = utc(2026, 11, 22, 12, 0, 0);
  auto a = probe('a', now);
  a.route = "r1";
  auto b = probe('b', now);  // a single check: no route
  auto c = probe('c', now);
  c.route = "r2";
  add_pending(s, a);
  add_pending(s, b);
  add_pending(s, c);
  auto back = parse_state(serialize_state(s));
  REQUIRE(back);
  REQUIRE(back.value().pending.size() == 3);
  CHECK(back.value().pending[0].route == "r1");
  CHECK(back.value().pending[1].route.empty());
  CHECK(serialize_state(s).find("\"route\":\"r2\"") != std::string::npos);
  StateData mine = take_route(s, "r1");
  REQUIRE(mine.pending.size() == 1);
  CHECK(mine.pending[0].token == std::string(32, 'a'));
  REQUIRE(s.pending.size() == 2);
  CHECK(take_route(s, "").pending.size() == 1);
  put_back(s, std::move(mine));
  CHECK(s.pending.size() == 2);
  CHECK(s.pending.back().route == "r1");
}

TEST_CASE("state file: ISO 8601 UTC parsing") {
  CHECK(parse_iso8601_utc("2026-11-22T18:17:06Z") == utc(2026, 11, 22, 18, 17, 6));
  CHECK(parse_iso8601_utc("2026-11-22T18:17:06.5Z") == utc(2026, 11, 22, 18, 17, 6) + std::chrono::milliseconds(500));
  CHECK_FALSE(parse_iso8601_utc("2026-11-22T18:17:06+01:00"));
  CHECK_FALSE(parse_iso8601_utc("2026-02-30T18:17:06Z"));
  CHECK_FALSE(parse_iso8601_utc("2026-11-22 18:17:06Z"));
  CHECK_FALSE(parse_iso8601_utc("2026-11-22T18:17:06.Z"));
}

TEST_CASE("state file: the lock excludes a second holder until released") {
  TempDir d;
  std::string p = d.path + "/s.json";
  {
    auto first = StateLock::acquire(p, std::chrono::milliseconds(0));
    REQUIRE(first);
    auto second = StateLock::acquire(p, std::chrono::milliseconds(60));
    REQUIRE_FALSE(second);
    CHECK(second.error().reply_text.find("locked by another mailprobe run") != std::string::npos);
  }
  auto again = StateLock::acquire(p, std::chrono::milliseconds(0));
  CHECK(again);
  struct stat st {};
  REQUIRE(::stat((p + ".lock").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("state file: save into a missing directory fails cleanly") {
  auto st = save_state("/nonexistent-dir-mailprobe/s.json", StateData{});
  REQUIRE_FALSE(st);
  CHECK(st.error().reply_text.find("cannot create") != std::string::npos);
}
