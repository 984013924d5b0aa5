#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "net/ca_store.hpp"

using namespace mailprobe;
namespace fs = std::filesystem;

namespace {
/// A fresh empty directory under the system temp dir, removed at scope end.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("mailprobe-ca-store-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  void touch(const std::string& name) const { std::ofstream(path / name) << "x"; }
};
}  // namespace

TEST_SUITE("net::ca_store") {
  TEST_CASE("a directory with an openssl-rehash link is a hashed CA directory") {
    TempDir d;
    d.touch("ca.pem");
    CHECK_FALSE(net::holds_hashed_certs(d.path.string()));
    d.touch("5ad8a5d6.0");
    CHECK(net::holds_hashed_certs(d.path.string()));
  }

  TEST_CASE("CRL links, other names and missing directories are not") {
    TempDir d;
    d.touch("5ad8a5d6.r0");      // a CRL link
    d.touch("5AD8A5D6.0");       // rehash writes lower-case hex
    d.touch("5ad8a5d.0");        // seven digits
    d.touch("5ad8a5d6.");        // no index
    d.touch("ca-certificates.crt");
    CHECK_FALSE(net::holds_hashed_certs(d.path.string()));
    CHECK_FALSE(net::holds_hashed_certs((d.path / "absent").string()));
  }
}
