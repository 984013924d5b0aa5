#include <doctest/doctest.h>

#include "routes/submission_pool.hpp"

using namespace mailprobe;

namespace {
smtp::SendRequest account() {
  smtp::SendRequest r;
  r.server = {"mail.example.org", 587, net::TlsMode::starttls};
  r.creds.username = "monitor";
  r.creds.password = "s3cret";
  r.helo = "probe.example.org";
  r.tls.ca_file = "/etc/mailprobe/ca.pem";
  r.from = "monitor@example.org";
  r.to = "a@example.net";
  r.message = "Subject: one\r\n\r\nbody\r\n";
  return r;
}
}  // namespace

TEST_SUITE("routes::submission_pool") {
  TEST_CASE("routes that submit as one account share a key, whatever their envelope and message") {
    auto a = account(), b = account();
    b.to = "b@example.com";
    b.from = "other@example.org";
    b.message = "Subject: two\r\n\r\nother\r\n";
    CHECK(routes::session_key(a) == routes::session_key(b));
  }

  TEST_CASE("anything that changes the session set-up changes the key") {
    const std::string base = routes::session_key(account());
    auto differs = [&](auto change) {
      auto r = account();
      change(r);
      return routes::session_key(r) != base;
    };
    CHECK(differs([](smtp::SendRequest& r) { r.server.host = "mx.example.org"; }));
    CHECK(differs([](smtp::SendRequest& r) { r.server.port = 465; }));
    CHECK(differs([](smtp::SendRequest& r) { r.server.tls = net::TlsMode::tls; }));
    CHECK(differs([](smtp::SendRequest& r) { r.creds.username = "other"; }));
    CHECK(differs([](smtp::SendRequest& r) { r.creds.password = "other"; }));
    CHECK(differs([](smtp::SendRequest& r) { r.creds.mechanism = net::SaslMechanism::xoauth2; }));
    CHECK(differs([](smtp::SendRequest& r) { r.creds.bearer = "token"; }));
    CHECK(differs([](smtp::SendRequest& r) { r.helo = "other.example.org"; }));
    CHECK(differs([](smtp::SendRequest& r) { r.tls.ca_file = ""; }));
    CHECK(differs([](smtp::SendRequest& r) { r.tls.insecure = true; }));
    CHECK(differs([](smtp::SendRequest& r) { r.connect_to = "192.0.2.1"; }));
  }

  TEST_CASE("fields cannot run into each other") {
    auto a = account(), b = account();
    a.creds.username = "ab";
    a.creds.password = "c";
    b.creds.username = "a";
    b.creds.password = "bc";
    CHECK(routes::session_key(a) != routes::session_key(b));
  }
}
