#include <doctest/doctest.h>

#include "auth/token_command.hpp"

using namespace mailprobe::auth;
using V = std::vector<std::string>;

TEST_SUITE("auth::token_command") {
  TEST_CASE("split_command: blanks separate, quotes group, nothing is expanded") {
    CHECK(split_command("get-token --tenant t1") == V{"get-token", "--tenant", "t1"});
    CHECK(split_command("  a   'b c'  \"d \\\" e\" f\\ g ") == V{"a", "b c", "d \" e", "f g"});
    CHECK(split_command("echo $HOME `id` ;|&") == V{"echo", "$HOME", "`id`", ";|&"});
    CHECK(split_command("a ''") == V{"a", ""});
    CHECK(!split_command("a 'b"));
    CHECK(!split_command("a \"b"));
    CHECK(!split_command("   "));
  }

  TEST_CASE("stdout is the token, trailing newlines stripped") {
    auto r = run_token_command({"printf", "tok-123\\n\\n"}, std::chrono::milliseconds(5000));
    REQUIRE(r.ok);
    CHECK(r.out == "tok-123");
  }

  TEST_CASE("no shell: metacharacters reach the program as plain words") {
    auto r = run_token_command({"echo", "$HOME;id"}, std::chrono::milliseconds(5000));
    REQUIRE(r.ok);
    CHECK(r.out == "$HOME;id");
  }

  TEST_CASE("a failing, missing, silent or slow helper is an error without its output") {
    auto fail = run_token_command({"sh", "-c", "echo secret-ish; exit 3"}, std::chrono::milliseconds(5000));
    CHECK(!fail.ok);
    CHECK(fail.error == "token command exited with status 3");
    CHECK(fail.out.empty());
    auto missing = run_token_command({"/nonexistent/helper"}, std::chrono::milliseconds(5000));
    CHECK(!missing.ok);
    CHECK(missing.error.find("127") != std::string::npos);
    auto silent = run_token_command({"true"}, std::chrono::milliseconds(5000));
    CHECK(!silent.ok);
    CHECK(silent.error == "token command printed nothing");
    auto t0 = std::chrono::steady_clock::now();
    // The grandchild keeps stdout open: the process group is killed too.
    auto slow = run_token_command({"sh", "-c", "sleep 30 & sleep 30"}, std::chrono::milliseconds(300));
    CHECK(!slow.ok);
    CHECK(slow.error == "token command timed out after 300 ms");
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
  }
}
