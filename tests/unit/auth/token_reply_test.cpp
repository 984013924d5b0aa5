#include <doctest/doctest.h>

#include <variant>

#include "auth/token_reply.hpp"

using namespace mailprobe::auth;

namespace {

TokenGrant grant(long status, std::string_view body) {
  auto r = parse_token_reply(status, body);
  if (auto* e = std::get_if<std::string>(&r)) FAIL_CHECK("unexpected error: " << *e);
  return std::holds_alternative<TokenGrant>(r) ? std::get<TokenGrant>(r) : TokenGrant{};
}

std::string error(long status, std::string_view body) {
  auto r = parse_token_reply(status, body);
  if (!std::holds_alternative<std::string>(r)) FAIL_CHECK("expected an error");
  return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : std::string();
}

}  // namespace

TEST_SUITE("auth::token_reply") {
  TEST_CASE("Microsoft's client-credentials reply gives the token and its lifetime") {
    auto g = grant(200, R"({"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0.eyJ1.c2ln"})");
    CHECK(g.access_token == "eyJ0.eyJ1.c2ln");
    CHECK(g.lifetime == std::chrono::seconds(3599));
  }

  TEST_CASE("a rotated refresh token is returned with the grant") {
    CHECK(grant(200, R"({"access_token":"a","refresh_token":"r2"})").refresh_token == "r2");
    CHECK(grant(200, R"({"access_token":"a"})").refresh_token.empty());
  }

  TEST_CASE("expires_in as a numeric string (Azure AD v1) and token_type in any case") {
    auto g = grant(200, R"({"token_type":"bearer","expires_in":"3600","access_token":"abc"})");
    CHECK(g.lifetime == std::chrono::seconds(3600));
  }

  TEST_CASE("no expires_in: lifetime zero (used once, never cached)") {
    CHECK(grant(200, R"({"access_token":"abc"})").lifetime == std::chrono::seconds(0));
  }

  TEST_CASE("AADSTS error reply names status, error and description") {
    std::string e = error(401, R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1","error_codes":[7000215]})");
    CHECK(e == "HTTP 401: invalid_client: AADSTS7000215: Invalid client secret provided.  Trace ID: 1");
  }

  TEST_CASE("Google's invalid_grant for an expired refresh token") {
    CHECK(error(400, R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})") ==
          "HTTP 400: invalid_grant: Token has been expired or revoked.");
  }

  TEST_CASE("malformed and unusable replies are errors, never a token") {
    CHECK(error(200, R"({"access_token":"abc")").rfind("malformed JSON from the token endpoint (HTTP 200", 0) == 0);
    CHECK(error(200, "[1,2]") == "the token endpoint's reply is JSON but not an object");
    CHECK(error(200, R"({"token_type":"Bearer"})") == "no access_token in the token endpoint's reply");
    CHECK(error(200, R"({"access_token":""})") == "access_token is not a non-empty string");
    CHECK(error(200, R"({"access_token":5})") == "access_token is not a non-empty string");
    CHECK(error(200, R"({"access_token":"a","token_type":"mac"})") == "token_type is 'mac', not Bearer (RFC 6750)");
    CHECK(error(200, R"({"access_token":"a","expires_in":"soon"})") == "expires_in is not a number of seconds");
    CHECK(error(200, R"({"access_token":"a","expires_in":-5})") == "expires_in is not a number of seconds");
    CHECK(error(502, "<html>Bad gateway</html>") == "HTTP 502 from the token endpoint (body is not JSON)");
    CHECK(error(500, R"({"x":1})") == "HTTP 500 from the token endpoint (no error field)");
  }

  TEST_CASE("a long error description is cut") {
    std::string body = R"({"error":"e","error_description":")" + std::string(2000, 'x') + "\"}";
    CHECK(error(400, body).size() < 500);
  }
}
