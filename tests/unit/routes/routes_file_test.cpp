#include <doctest/doctest.h>

#include <map>
#include <string>

#include "routes/routes_file.hpp"

using namespace mailprobe::routes;

namespace {

/// A small stand-in for the check flag table: enough kinds and scopes to
/// exercise every rule of the file parser.
std::optional<FlagInfo> fake_flags(std::string_view name) {
  static const std::map<std::string, FlagInfo, std::less<>> kFlags = {
      {"email-from", {FlagKind::text, FlagScope::route}},
      {"email-to", {FlagKind::text, FlagScope::route}},
      {"smtp-host", {FlagKind::text, FlagScope::route}},
      {"smtp-port", {FlagKind::integer, FlagScope::route}},
      {"smtp-username", {FlagKind::text, FlagScope::route}},
      {"smtp-password", {FlagKind::text, FlagScope::route}},
      {"smtp-password-file", {FlagKind::text, FlagScope::route}},
      {"imap-host", {FlagKind::text, FlagScope::route}},
      {"imap-username", {FlagKind::text, FlagScope::route}},
      {"imap-password", {FlagKind::text, FlagScope::route}},
      {"imap-password-file", {FlagKind::text, FlagScope::route}},
      {"timeout", {FlagKind::number, FlagScope::route}},
      {"junk-is-failure", {FlagKind::boolean, FlagScope::route}},
      {"helo", {FlagKind::text, FlagScope::route}},
      {"tag", {FlagKind::list, FlagScope::route}},
      {"output-format", {FlagKind::text, FlagScope::run}},
      {"concurrency", {FlagKind::integer, FlagScope::run}},
      {"routes", {FlagKind::text, FlagScope::command_line}},
  };
  auto it = kFlags.find(name);
  if (it == kFlags.end()) return std::nullopt;
  return it->second;
}

std::optional<RoutesFile> parse(const std::string& text, std::string& err) {
  return parse_routes(text, "r.toml", fake_flags, err);
}

const char* kGood = R"(# a comment
[defaults]
timeout = 30
output-format = "json"
tag = ["team=mail", "env=prod"]

[account.own]
email = "monitor@example.org"
smtp-host = "mail.example.org"
smtp-username = "monitor"
smtp-password-file = "/etc/own.pw"
imap-host = "imap.example.org"
imap-username = "monitor"
imap-password-file = "/etc/own.pw"

[account.gmail]
email = "probe@gmail.com"
imap-host = "imap.gmail.com"
imap-username = "probe@gmail.com"
imap-password-file = "/etc/gmail.pw"

[[route]]
name = "own-to-gmail"
from = "own"
to = "gmail"
timeout = 90.5

[[route]]
name = "direct"
email-from = "a@example.org"
email-to = "b@example.net"
smtp-host = "mx.example.net"
smtp-port = 25
imap-host = "imap.example.net"
imap-username = "b"
imap-password-file = "/etc/b.pw"
junk-is-failure = true
tag = "provider=example"
)";

const Setting* find(const std::vector<Setting>& v, const std::string& flag) {
  for (const auto& s : v)
    if (s.flag == flag) return &s;
  return nullptr;
}

}  // namespace

TEST_SUITE("routes::routes_file") {
  TEST_CASE("a full file: defaults, accounts expanded into from/to, direct flags, lines kept") {
    std::string err;
    auto f = parse(kGood, err);
    REQUIRE_MESSAGE(f, err);
    CHECK(f->path == "r.toml");
    REQUIRE(f->defaults.size() == 3);
    CHECK(f->defaults[0].flag == "timeout");
    CHECK(f->defaults[0].values == std::vector<std::string>{"30"});
    CHECK(f->defaults[0].line == 3);
    CHECK(f->defaults[2].values == std::vector<std::string>{"team=mail", "env=prod"});
    REQUIRE(f->routes.size() == 2);

    const Route& a = f->routes[0];
    CHECK(a.name == "own-to-gmail");
    CHECK(a.line == 22);
    REQUIRE(find(a.settings, "email-from"));
    CHECK(find(a.settings, "email-from")->values.front() == "monitor@example.org");
    CHECK(find(a.settings, "email-from")->line == 8);
    CHECK(find(a.settings, "email-to")->values.front() == "probe@gmail.com");
    // The sender's SMTP flags, the recipient's IMAP flags, nothing else.
    CHECK(find(a.settings, "smtp-host")->values.front() == "mail.example.org");
    CHECK(find(a.settings, "imap-host")->values.front() == "imap.gmail.com");
    CHECK(find(a.settings, "imap-password-file")->values.front() == "/etc/gmail.pw");
    CHECK(find(a.settings, "timeout")->values.front() == "90.5");
    // Own keys come after the accounts' (they win in route_args).
    CHECK(a.settings.back().flag == "timeout");

    const Route& d = f->routes[1];
    CHECK(d.name == "direct");
    CHECK(find(d.settings, "smtp-port")->values.front() == "25");
    CHECK(find(d.settings, "junk-is-failure")->values.front() == "true");
    CHECK(find(d.settings, "tag")->values == std::vector<std::string>{"provider=example"});
    CHECK(find(d.settings, "smtp-port")->line == 33);
  }

  TEST_CASE("every bad input is one line naming file, line and key") {
    struct Bad {
      const char* what;
      std::string text;
      std::string error;  // exact
    };
    const std::string route = "[[route]]\nname = \"r\"\n";
    const Bad cases[] = {
        {"unknown key in a route", route + "smtp-hots = \"x\"\n",
         "r.toml:3: key 'smtp-hots': not a check flag (see mailprobe check --help)"},
        {"unknown key in defaults", "[defaults]\nfoo = 1\n" + route,
         "r.toml:2: key 'foo': not a check flag (see mailprobe check --help)"},
        {"unknown top-level key", "title = \"x\"\n" + route,
         "r.toml:1: key 'title': unknown top-level key (the file holds [defaults], [account.NAME] and [[route]])"},
        {"string for an integer", route + "smtp-port = \"25\"\n",
         "r.toml:3: key 'smtp-port': must be an integer, not a string"},
        {"float for an integer", route + "smtp-port = 25.0\n",
         "r.toml:3: key 'smtp-port': must be an integer, not a float"},
        {"string for a number", "[defaults]\ntimeout = \"60\"\n" + route,
         "r.toml:2: key 'timeout': must be a number, not a string"},
        {"integer for a string", route + "smtp-host = 5\n",
         "r.toml:3: key 'smtp-host': must be a string, not an integer"},
        {"string for a switch", route + "junk-is-failure = \"yes\"\n",
         "r.toml:3: key 'junk-is-failure': must be true or false, not a string"},
        {"table for a list", route + "tag = { a = 1 }\n",
         "r.toml:3: key 'tag': must be a string or an array of strings, not a table"},
        {"number inside a list", route + "tag = [\"a=b\", 3]\n",
         "r.toml:3: key 'tag': array entries must be strings, not an integer"},
        {"date for a string", route + "helo = 1979-05-27\n",
         "r.toml:3: key 'helo': must be a string, not a date/time"},
        {"inline SMTP secret", route + "smtp-password = \"hunter2\"\n",
         "r.toml:3: key 'smtp-password': secrets do not belong in the routes file: use smtp-password-file"},
        {"inline IMAP secret in defaults", "[defaults]\nimap-password = \"x\"\n" + route,
         "r.toml:2: key 'imap-password': secrets do not belong in the routes file: use imap-password-file"},
        {"inline secret in an account", "[account.a]\nemail = \"a@x.org\"\nsmtp-password = \"x\"\n" + route,
         "r.toml:3: key 'smtp-password': secrets do not belong in the routes file: use smtp-password-file"},
        {"duplicate route name", route + "[[route]]\nname = \"r\"\n",
         "r.toml:4: key 'name': duplicate route name 'r'"},
        {"route without name", "[[route]]\nsmtp-host = \"x\"\n",
         "r.toml:1: [[route]] has no name (required: it becomes the route tag)"},
        {"name with a space", "[[route]]\nname = \"a b\"\n",
         "r.toml:2: key 'name': route name may hold only letters, digits and . _ : @ + -"},
        {"empty name", "[[route]]\nname = \"\"\n", "r.toml:2: key 'name': route name must be 1-64 characters"},
        {"name not a string", "[[route]]\nname = 7\n", "r.toml:2: key 'name': must be a string, not an integer"},
        {"run-wide flag in a route", route + "output-format = \"text\"\n",
         "r.toml:3: key 'output-format': applies to the whole run: set it in [defaults] or on the command line"},
        {"command-line-only flag", "[defaults]\nroutes = \"x.toml\"\n" + route,
         "r.toml:2: key 'routes': can only be given on the command line"},
        {"unknown account", route + "from = \"nope\"\n", "r.toml:3: key 'from': no [account.nope] in this file"},
        {"account name not a string", route + "to = 1\n",
         "r.toml:3: key 'to': must be an account name (a string), not an integer"},
        {"account without email", "[account.a]\nsmtp-host = \"x\"\n" + route, "r.toml:1: [account.a] has no email"},
        {"account with a route flag", "[account.a]\nemail = \"a@x.org\"\ntimeout = 5\n" + route,
         "r.toml:3: key 'timeout': an account holds only email, smtp-* and imap-* flags; set it in the [[route]] "
         "or [defaults]"},
        {"account unknown smtp- key", "[account.a]\nemail = \"a@x.org\"\nsmtp-hots = \"x\"\n" + route,
         "r.toml:3: key 'smtp-hots': not a check flag (see mailprobe check --help)"},
        {"account email empty", "[account.a]\nemail = \"\"\n" + route,
         "r.toml:2: key 'email': must be a non-empty string"},
        {"from and email-from", "[account.a]\nemail = \"a@x.org\"\n" + route + "from = \"a\"\nemail-from = \"b@x.org\"\n",
         "r.toml:6: key 'email-from': the route already has from = account"},
        {"[route] instead of [[route]]", "[route]\nname = \"r\"\n",
         "r.toml:1: key 'route': must be an array of tables: write [[route]], not [route]"},
        {"no routes", "[defaults]\ntimeout = 5\n", "r.toml: no [[route]] entries"},
        {"defaults not a table", "defaults = 5\n" + route, "r.toml:1: key 'defaults': must be a table ([defaults])"},
        {"key given twice", route + "helo = \"a\"\nhelo = \"b\"\n",
         "r.toml:4: value (\"helo\") already exists."},
        {"syntax error", route + "helo = \n", "r.toml:3: "},
    };
    for (const auto& c : cases) {
      CAPTURE(std::string(c.what));
      std::string err;
      auto f = parse(c.text, err);
      CHECK_FALSE(f);
      if (c.error.back() == ' ') CHECK(err.rfind(c.error, 0) == 0);  // toml11's own wording after the line
      else CHECK(err == c.error);
      CHECK(err.find('\n') == std::string::npos);
    }
  }

  TEST_CASE("an unreadable file is an error naming it") {
    std::string err;
    CHECK_FALSE(load_routes("/nonexistent/routes.toml", fake_flags, err));
    CHECK(err == "cannot read --routes file '/nonexistent/routes.toml'");
  }

  TEST_CASE("route names: the tag alphabet") {
    CHECK(route_name_problem("own-to-gmail").empty());
    CHECK(route_name_problem("a.b_c:d@e+f").empty());
    CHECK_FALSE(route_name_problem("a,b").empty());
    CHECK_FALSE(route_name_problem(std::string(65, 'a')).empty());
  }
}
