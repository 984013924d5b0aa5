#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "check/check_fields.hpp"
#include "check/check_options.hpp"
#include "check/render.hpp"

using namespace mailprobe;
using namespace mailprobe::check;

namespace {

std::map<std::string, std::string> g_env;
const char* fake_env(const char* name) {
  auto it = g_env.find(name);
  return it == g_env.end() ? nullptr : it->second.c_str();
}

struct Argv {
  std::vector<std::string> s;
  std::vector<char*> p;
  explicit Argv(std::vector<std::string> a) : s(std::move(a)) {
    s.insert(s.begin(), "mailprobe check");
    for (auto& x : s) p.push_back(x.data());
  }
  int argc() const { return static_cast<int>(p.size()); }
  char** argv() { return p.data(); }
};

std::vector<std::string> seed_args() {
  return {"--email-from", "alice@my-domain", "--email-to", "bob@other-domain", "--smtp-host", "mail.my-domain",
          "--smtp-username", "alice", "--imap-host", "mail.other-domain", "--imap-username", "bob"};
}

std::optional<ParsedCheck> parse(std::vector<std::string> args, std::string& err) {
  Argv a(std::move(args));
  return parse_check_args(a.argc(), a.argv(), err, fake_env);
}

}  // namespace

TEST_SUITE("check::options") {
  TEST_CASE("seed 002 defaults") {
    g_env = {{"MAILPROBE_SMTP_PASSWORD", "s"}, {"MAILPROBE_IMAP_PASSWORD", "i"}};
    std::string err;
    auto p = parse(seed_args(), err);
    REQUIRE_MESSAGE(p, err);
    const auto& c = p->config;
    CHECK(c.prefix == "[e2e email monitoring] ");
    CHECK(c.check_frequency == std::chrono::milliseconds(2000));
    CHECK(c.max_checks == 30);
    CHECK(c.smtp.port == 587);
    CHECK(c.imap.port == 143);
    CHECK(c.smtp.tls == net::TlsMode::starttls);
    CHECK(c.imap.tls == net::TlsMode::starttls);
    CHECK(c.format == OutputFormat::json);
    CHECK(c.mailbox == "INBOX");
    CHECK(c.timeout == std::chrono::seconds(60));
    CHECK(c.smtp_creds.password == "s");
    CHECK(c.imap_creds.password == "i");
    CHECK(p->warnings.empty());
  }

  TEST_CASE("fractional check frequency and the argv password warning") {
    g_env.clear();
    std::string err;
    auto args = seed_args();
    for (auto x : {"--check-frequency", "0.25", "--smtp-password", "s", "--imap-password", "i"}) args.push_back(x);
    auto p = parse(args, err);
    REQUIRE_MESSAGE(p, err);
    CHECK(p->config.check_frequency == std::chrono::milliseconds(250));
    CHECK(p->warnings.size() == 2);
  }

  TEST_CASE("bad values are rejected with a one-line reason") {
    g_env = {{"MAILPROBE_SMTP_PASSWORD", "s"}, {"MAILPROBE_IMAP_PASSWORD", "i"}};
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--smtp-port", "0"}, "--smtp-port"},
        {{"--imap-port", "70000"}, "--imap-port"},
        {{"--smtp-tls", "ssl"}, "--smtp-tls"},
        {{"--prefix", "a\r\nBcc: x@y"}, "--prefix"},
        {{"--output-format", "xml"}, "--output-format"},
        {{"--max-checks", "0"}, "--max-checks"},
        {{"--timeout", "0"}, "--timeout"},
        {{"--imap-password-file", "/nonexistent"}, "cannot read"},
        {{"--schema", "legacy"}, "influx"},
        {{"--textfile", "/tmp/x.txt", "--output-format", "prometheus"}, ".prom"},
        {{"--imap-mailbox", "Entw\xC3\xBCrfe"}, "ASCII"},
        {{"--junk-mailbox", ""}, "--junk-mailbox"},
        {{"--helo", "a%20b"}, "--helo"},
        {{"--helo", "evil.example\r\nRSET"}, "--helo"},
    };
    for (const auto& [extra, needle] : cases) {
      auto args = seed_args();
      args.insert(args.end(), extra.begin(), extra.end());
      std::string err;
      auto p = parse(args, err);
      CHECK_MESSAGE(!p, extra.front());
      CHECK_MESSAGE(err.find(needle) != std::string::npos, err);
      CHECK(err.find('\n') == std::string::npos);
    }
    std::string err;
    auto args = seed_args();
    args[1] = "alice@my-domain\nRCPT TO:<x@y>";
    CHECK_FALSE(parse(args, err));
    CHECK(err.find("--email-from") != std::string::npos);
  }

  TEST_CASE("a missing IMAP password is a usage error, not a failed login") {
    g_env.clear();
    std::string err;
    CHECK_FALSE(parse(seed_args(), err));
    CHECK(err.find("IMAP password") != std::string::npos);
  }

  TEST_CASE("plaintext credentials warn") {
    g_env = {{"MAILPROBE_SMTP_PASSWORD", "s"}, {"MAILPROBE_IMAP_PASSWORD", "i"}};
    std::string err;
    auto args = seed_args();
    for (auto x : {"--smtp-tls", "none", "--imap-tls", "none"}) args.push_back(x);
    auto p = parse(args, err);
    REQUIRE(p);
    CHECK(p->warnings.size() == 2);
  }
}

TEST_SUITE("check::record") {
  CheckReport failed_report() {
    CheckReport r;
    r.email_from = "a@x";
    r.email_to = "b,c=d e@y";
    r.smtp_server = "mx:587";
    r.imap_server = "imap:143";
    r.token = "0123";
    r.start = Stamp::now();
    r.start_smtp = r.start;
    r.start_imap = r.start;
    r.start_imap.steady += std::chrono::microseconds(3'200'000);
    r.end = r.start_imap;
    r.failure = Failure(Stage::smtp_rcpt, Result::perm_reject, "5.1.1 \"no\" such user", 550);
    return r;
  }

  TEST_CASE("every table key is unique and snake_case") {
    std::set<std::string> seen;
    for (const auto& col : check_table()) {
      std::string k(col.spec.key);
      CHECK_MESSAGE(seen.insert(k).second, k);
      CHECK(k.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos);
    }
  }

  TEST_CASE("a failure record says where, what and what the server said") {
    auto rec = to_record(failed_report());
    CHECK(rec.summary == "smtp_rcpt: perm_reject 550 5.1.1 \"no\" such user");
    auto s = std::get<std::string>(rec.find("stage")->value);
    CHECK(s == "smtp_rcpt");
    CHECK(std::get<std::int64_t>(rec.find("smtp_duration")->value) == 3'200'000);  // not wrapped at 1 s
  }

  TEST_CASE("legacy influx keeps the seed's exact shape, durations fixed") {
    auto r = failed_report();
    std::string line = legacy_influx(r);
    CHECK(line == "mail-e2e,email-from=a@x,email-to=b\\,c\\=d\\ e@y,smtp=mx:587,imap=imap:143 success=0,"
                  "total_dur=3200000,smtp_dur=3200000,imap_dur=0\n");
  }

  TEST_CASE("fields keep their types between success and failure") {
    auto bad = to_record(failed_report());
    auto good_r = failed_report();
    good_r.success = true;
    good_r.failure = Failure(Stage::done, Result::success);
    good_r.delivery_us = 1500;
    auto good = to_record(good_r);
    for (std::size_t i = 0; i < bad.cells.size(); ++i) {
      const auto& a = bad.cells[i].value;
      const auto& b = good.cells[i].value;
      if (a.index() != 0 && b.index() != 0) CHECK_MESSAGE(a.index() == b.index(), bad.cells[i].spec->key);
    }
  }
}
