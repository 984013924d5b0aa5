#include "routes/routes_file.hpp"

#include <toml.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace mailprobe::routes {

namespace {

/// Thrown inside this file only, caught by parse_routes: one finished line.
struct FileError {
  std::string message;
};

struct Ctx {
  const std::string& path;
  const FlagLookup& lookup;

  int line_of(const toml::value& v) const { return static_cast<int>(v.location().line()); }

  [[noreturn]] void fail(const toml::value& at, std::string_view key, const std::string& what) const {
    throw FileError{path + ":" + std::to_string(line_of(at)) + ": key '" + std::string(key) + "': " + what};
  }
  [[noreturn]] void fail_at(const toml::value& at, const std::string& what) const {
    throw FileError{path + ":" + std::to_string(line_of(at)) + ": " + what};
  }
};

/// The table's entries in file order (toml11 keeps them in a hash map).
/// location().line() counts the newlines before the value on every call, so
/// each entry's line is looked up once, not once per comparison.
std::vector<std::pair<std::string, const toml::value*>> in_file_order(const toml::value& table) {
  struct Entry {
    std::size_t line;
    std::string key;
    const toml::value* value;
  };
  std::vector<Entry> entries;
  for (const auto& [k, v] : table.as_table()) entries.push_back({v.location().line(), k, &v});
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.line != b.line ? a.line < b.line : a.key < b.key;
  });
  std::vector<std::pair<std::string, const toml::value*>> out;
  out.reserve(entries.size());
  for (auto& e : entries) out.emplace_back(std::move(e.key), e.value);
  return out;
}

std::string number_text(double d) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, res.ptr);
}

const char* type_name(toml::value_t t) {
  switch (t) {
    case toml::value_t::boolean: return "a boolean";
    case toml::value_t::integer: return "an integer";
    case toml::value_t::floating: return "a float";
    case toml::value_t::string: return "a string";
    case toml::value_t::array: return "an array";
    case toml::value_t::table: return "a table";
    case toml::value_t::empty: return "empty";
    default: return "a date/time";
  }
}

const char* wanted(FlagKind k) {
  switch (k) {
    case FlagKind::text: return "a string";
    case FlagKind::number: return "a number";
    case FlagKind::integer: return "an integer";
    case FlagKind::boolean: return "true or false";
    case FlagKind::list: return "a string or an array of strings";
  }
  return "";
}

/// The flag `key` = `v` as a Setting, after every check this file owns.
Setting to_setting(const Ctx& c, const std::string& key, const toml::value& v, bool in_route) {
  auto info = c.lookup(key);
  if (!info) c.fail(v, key, "not a check flag (see mailprobe check --help)");
  if (info->scope == FlagScope::command_line) c.fail(v, key, "can only be given on the command line");
  if (info->scope == FlagScope::run && in_route)
    c.fail(v, key, "applies to the whole run: set it in [defaults] or on the command line");
  if (c.lookup(key + "-file"))
    c.fail(v, key, "secrets do not belong in the routes file: use " + key + "-file");

  Setting s{key, {}, c.path, c.line_of(v)};
  const auto t = v.type();
  auto bad_type = [&] { c.fail(v, key, std::string("must be ") + wanted(info->kind) + ", not " + type_name(t)); };
  switch (info->kind) {
    case FlagKind::text:
      if (t != toml::value_t::string) bad_type();
      s.values.push_back(v.as_string().str);
      break;
    case FlagKind::integer:
      if (t != toml::value_t::integer) bad_type();
      s.values.push_back(std::to_string(v.as_integer()));
      break;
    case FlagKind::number:
      if (t == toml::value_t::integer) s.values.push_back(std::to_string(v.as_integer()));
      else if (t == toml::value_t::floating) s.values.push_back(number_text(v.as_floating()));
      else bad_type();
      break;
    case FlagKind::boolean:
      if (t != toml::value_t::boolean) bad_type();
      s.values.push_back(v.as_boolean() ? "true" : "false");
      break;
    case FlagKind::list:
      if (t == toml::value_t::string) {
        s.values.push_back(v.as_string().str);
      } else if (t == toml::value_t::array) {
        for (const auto& e : v.as_array()) {
          if (!e.is_string()) c.fail(e, key, std::string("array entries must be strings, not ") + type_name(e.type()));
          s.values.push_back(e.as_string().str);
        }
      } else {
        bad_type();
      }
      break;
  }
  return s;
}

struct Account {
  std::string email;
  int email_line = 0;
  std::vector<Setting> smtp, imap;
};

std::map<std::string, Account> read_accounts(const Ctx& c, const toml::value& table) {
  std::map<std::string, Account> out;
  for (const auto& [name, v] : in_file_order(table)) {
    if (!v->is_table()) c.fail(*v, "account." + name, "must be a table ([account." + name + "])");
    if (auto p = route_name_problem(name); !p.empty()) c.fail(*v, "account." + name, "account name " + p);
    Account a;
    for (const auto& [key, kv] : in_file_order(*v)) {
      if (key == "email") {
        if (!kv->is_string() || kv->as_string().str.empty()) c.fail(*kv, key, "must be a non-empty string");
        a.email = kv->as_string().str;
        a.email_line = c.line_of(*kv);
        continue;
      }
      const bool smtp = key.rfind("smtp-", 0) == 0, imap = key.rfind("imap-", 0) == 0;
      if (!smtp && !imap)
        c.fail(*kv, key, "an account holds only email, smtp-* and imap-* flags; set it in the [[route]] or [defaults]");
      Setting s = to_setting(c, key, *kv, true);
      (smtp ? a.smtp : a.imap).push_back(std::move(s));
    }
    if (a.email.empty()) c.fail_at(*v, "[account." + name + "] has no email");
    out.emplace(name, std::move(a));
  }
  return out;
}

/// from/to: the account's address as email-from/email-to plus its smtp-*
/// (sender) or imap-* (recipient) flags.
void add_account(const Ctx& c, Route& r, const std::map<std::string, Account>& accounts, const std::string& role,
                 const toml::value& v) {
  if (!v.is_string()) c.fail(v, role, std::string("must be an account name (a string), not ") + type_name(v.type()));
  const std::string& name = v.as_string().str;
  auto it = accounts.find(name);
  if (it == accounts.end()) c.fail(v, role, "no [account." + name + "] in this file");
  const Account& a = it->second;
  const bool from = role == "from";
  r.settings.push_back({from ? "email-from" : "email-to", {a.email}, c.path, a.email_line});
  for (const auto& s : from ? a.smtp : a.imap) r.settings.push_back(s);
}

Route read_route(const Ctx& c, const toml::value& v, const std::map<std::string, Account>& accounts,
                 std::set<std::string>& names) {
  if (!v.is_table()) c.fail_at(v, "each [[route]] entry must be a table");
  Route r;
  r.line = c.line_of(v);
  const toml::value* from = nullptr;
  const toml::value* to = nullptr;
  std::vector<Setting> own;
  for (const auto& [key, kv] : in_file_order(v)) {
    if (key == "name") {
      if (!kv->is_string()) c.fail(*kv, key, std::string("must be a string, not ") + type_name(kv->type()));
      r.name = kv->as_string().str;
      if (auto p = route_name_problem(r.name); !p.empty()) c.fail(*kv, key, "route name " + p);
      if (!names.insert(r.name).second) c.fail(*kv, key, "duplicate route name '" + r.name + "'");
    } else if (key == "from") {
      from = kv;
    } else if (key == "to") {
      to = kv;
    } else {
      own.push_back(to_setting(c, key, *kv, true));
    }
  }
  if (r.name.empty()) c.fail_at(v, "[[route]] has no name (required: it becomes the route tag)");
  for (const auto& s : own) {
    if (from && s.flag == "email-from")
      throw FileError{c.path + ":" + std::to_string(s.line) + ": key 'email-from': the route already has from = account"};
    if (to && s.flag == "email-to")
      throw FileError{c.path + ":" + std::to_string(s.line) + ": key 'email-to': the route already has to = account"};
  }
  if (from) add_account(c, r, accounts, "from", *from);
  if (to) add_account(c, r, accounts, "to", *to);
  for (auto& s : own) r.settings.push_back(std::move(s));
  return r;
}

RoutesFile read_file(const Ctx& c, const toml::value& root) {
  RoutesFile out;
  out.path = c.path;
  const toml::value* defaults = nullptr;
  const toml::value* accounts = nullptr;
  const toml::value* routes = nullptr;
  for (const auto& [key, v] : in_file_order(root)) {
    if (key == "defaults") defaults = v;
    else if (key == "account") accounts = v;
    else if (key == "route") routes = v;
    else c.fail(*v, key, "unknown top-level key (the file holds [defaults], [account.NAME] and [[route]])");
  }
  if (defaults) {
    if (!defaults->is_table()) c.fail(*defaults, "defaults", "must be a table ([defaults])");
    for (const auto& [key, v] : in_file_order(*defaults)) out.defaults.push_back(to_setting(c, key, *v, false));
  }
  std::map<std::string, Account> acc;
  if (accounts) {
    if (!accounts->is_table()) c.fail(*accounts, "account", "must be tables ([account.NAME])");
    acc = read_accounts(c, *accounts);
  }
  if (!routes) throw FileError{c.path + ": no [[route]] entries"};
  if (!routes->is_array()) c.fail(*routes, "route", "must be an array of tables: write [[route]], not [route]");
  std::set<std::string> names;
  for (const auto& r : routes->as_array()) out.routes.push_back(read_route(c, r, acc, names));
  if (out.routes.empty()) throw FileError{c.path + ": no [[route]] entries"};
  return out;
}

/// toml11's message is a multi-line source excerpt; its first line, without
/// the "[error] toml::fn: " prefix, is what went wrong.
std::string first_line_of(const std::string& what) {
  std::string s = what.substr(0, what.find('\n'));
  if (s.rfind("[error] ", 0) == 0) s.erase(0, 8);
  if (s.rfind("toml::", 0) == 0) {
    auto colon = s.find(": ");
    if (colon != std::string::npos) s.erase(0, colon + 2);
  }
  return s;
}

}  // namespace

std::string route_name_problem(std::string_view name) {
  if (name.empty() || name.size() > 64) return "must be 1-64 characters";
  for (unsigned char ch : name)
    if (!std::isalnum(ch) && std::string_view("._:@+-").find(static_cast<char>(ch)) == std::string_view::npos)
      return "may hold only letters, digits and . _ : @ + -";
  return {};
}

std::optional<RoutesFile> parse_routes(std::string_view text, const std::string& path, const FlagLookup& lookup,
                                       std::string& error) {
  try {
    std::istringstream in{std::string(text)};
    const toml::value root = toml::parse(in, path);
    return read_file(Ctx{path, lookup}, root);
  } catch (const FileError& e) {
    error = e.message;
  } catch (const toml::exception& e) {
    // Syntax errors, including a key defined twice (TOML 1.0 §Keys).
    error = path + ":" + std::to_string(e.location().line()) + ": " + first_line_of(e.what());
  } catch (const std::exception& e) {
    error = path + ": " + first_line_of(e.what());
  }
  return std::nullopt;
}

std::optional<RoutesFile> load_routes(const std::string& path, const FlagLookup& lookup, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read --routes file '" + path + "'";
    return std::nullopt;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_routes(buf.str(), path, lookup, error);
}

}  // namespace mailprobe::routes
