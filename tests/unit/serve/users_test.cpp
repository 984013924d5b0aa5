#include "serve/users.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

#include "serve/sasl.hpp"

using namespace mailprobe::serve;

TEST_SUITE("serve::users") {
  TEST_CASE("seed 004 users file: one name per line, case-insensitive, optional passwords") {
    std::string path = "/tmp/mailprobe-users-test.txt";
    std::ofstream(path) << "# users\nJohnDoe\njhaneroe:s3cret\n\n  babydoe  \n";
    auto u = Users::load_file(path);
    REQUIRE(u);
    CHECK(u->all().size() == 3);
    CHECK(u->resolve("johndoe") == "johndoe");
    CHECK(u->resolve("JohnDoe@example") == "johndoe");
    CHECK(u->resolve("<johnDoe@example.example>") == "johndoe");
    CHECK_FALSE(u->resolve("nobody"));
    CHECK(u->authenticate("johndoe", "johndoe") == "johndoe");  // bare name: password = name
    CHECK(u->authenticate("jhaneroe@x", "s3cret") == "jhaneroe");
    CHECK_FALSE(u->authenticate("jhaneroe", "jhaneroe"));
    auto d = Users::load_file(path, "common");
    CHECK(d->authenticate("babydoe", "common") == "babydoe");
    std::remove(path.c_str());
  }

  TEST_CASE("errors: missing file, empty file, bad names") {
    CHECK_FALSE(Users::load_file("/nonexistent/users"));
    CHECK_FALSE(Users::from_specs({"bad name"}));
    CHECK_FALSE(Users::from_specs({}));
    CHECK(Users::from_specs({"a:b", "c"})->all().size() == 2);
  }

  TEST_CASE("demo pair and domain restriction") {
    Users u = Users::demo();
    CHECK(u.authenticate("alice", "alice"));
    CHECK(u.authenticate("bob", "bob"));
    u.set_domains({"Example.org"});
    CHECK(u.resolve("alice@EXAMPLE.org"));
    CHECK(u.resolve("alice"));
    CHECK_FALSE(u.resolve("alice@other.org"));
  }

  TEST_CASE("base64 and SASL PLAIN via OpenSSL") {
    CHECK(base64_encode(std::string("\0a\0b", 4)) == "AGEAYg==");
    CHECK(base64_decode("AGEAYg==").value() == std::string("\0a\0b", 4));
    CHECK(base64_decode("YQ==").value() == "a");
    CHECK(base64_decode("YWI=").value() == "ab");
    CHECK_FALSE(base64_decode("abc"));
    CHECK_FALSE(base64_decode("a!==").has_value());
    auto p = parse_plain(std::string("zid\0user\0pw", 11));
    REQUIRE(p);
    CHECK(p->authcid == "user");
    CHECK(p->password == "pw");
    CHECK_FALSE(parse_plain("nonul"));
    CHECK_FALSE(parse_plain(std::string("\0\0pw", 4)));
  }
}
