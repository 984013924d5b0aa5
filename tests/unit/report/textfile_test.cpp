#include "report/textfile.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "temp_dir.hpp"

using namespace mailprobe;
using namespace mailprobe::report;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::size_t entries(const std::string& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST_SUITE("report::textfile") {
  TEST_CASE("writes the content and leaves no temporary file behind") {
    testing::TempDir dir;
    REQUIRE_FALSE(dir.path().empty());
    std::string file = dir.path() + "/mailprobe.prom";
    REQUIRE(write_textfile(file, "a 1\n"));
    CHECK(slurp(file) == "a 1\n");
    CHECK(entries(dir.path()) == 1);
  }

  TEST_CASE("replaces an existing file atomically by rename") {
    testing::TempDir dir;
    std::string file = dir.path() + "/mailprobe.prom";
    REQUIRE(write_textfile(file, "old 1\n"));
    struct stat before {};
    REQUIRE(::stat(file.c_str(), &before) == 0);
    REQUIRE(write_textfile(file, "new 2\n"));
    struct stat after {};
    REQUIRE(::stat(file.c_str(), &after) == 0);
    CHECK(slurp(file) == "new 2\n");
    CHECK(before.st_ino != after.st_ino);  // a new inode: renamed, not rewritten in place
    CHECK(entries(dir.path()) == 1);
  }

  TEST_CASE("a missing directory is an internal_error naming the file and the OS error") {
    testing::TempDir dir;
    std::string file = dir.path() + "/missing/mailprobe.prom";
    Status st = write_textfile(file, "a 1\n");
    REQUIRE_FALSE(st);
    CHECK(st.error().stage == Stage::none);
    CHECK(st.error().result == Result::internal_error);
    CHECK(st.error().reply_text.rfind("open " + file + ".tmp.", 0) == 0);
    CHECK(st.error().reply_text.find("No such file or directory") != std::string::npos);
  }

  TEST_CASE("a failed rename removes the temporary file") {
    testing::TempDir dir;
    std::string target = dir.path() + "/target";
    std::filesystem::create_directory(target);
    std::filesystem::create_directory(target + "/keep");  // rename over a non-empty dir fails
    Status st = write_textfile(target, "a 1\n");
    REQUIRE_FALSE(st);
    CHECK(st.error().reply_text.rfind("rename " + target + ": ", 0) == 0);
    CHECK(entries(dir.path()) == 1);
  }
}
